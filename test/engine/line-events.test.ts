/**
 * LINE's events at the engine's level, on every database: the event mapping
 * (providers/line/events.ts) is called directly inside a transaction, as the
 * engine's inbound loop calls it, and what it did is read back from the rows
 * (through the engine's queries where there is one). The end-to-end tests in
 * test/providers/ go through the signed webhook and the LINE API server instead.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { recordAnswers } from "../../src/engine/answers.ts";
import { createBroadcast } from "../../src/engine/broadcasts.ts";
import { groupParticipantsIn } from "../../src/engine/group-participants.ts";
import { lineGroup } from "../../src/engine/groups.ts";
import { lineUserIn } from "../../src/engine/line-users.ts";
import { createMembers } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import type { InboundEvent, LineSettings } from "../../src/engine/ports.ts";
import { dispatchDue } from "../../src/engine/scheduler.ts";
import { newId } from "../../src/ids.ts";
import { LineEvents } from "../../src/providers/line/events.ts";
import { inTransaction } from "../../src/store/db.ts";
import { databaseKinds } from "../support/harness.ts";
import {
  follow, groupText, join, leave, memberJoined, memberLeft, postback, text, unfollow,
} from "../support/line-webhook.ts";
import { freshStore } from "../support/store.ts";

/** Monday 4 January 2027, 08:00 in Tokyo; a daily 09:00 plan is first due an hour later. */
const START = new Date("2027-01-04T08:00:00+09:00");
const DUE = new Date("2027-01-04T09:00:00+09:00");
const minutes = (n: number) => new Date(DUE.getTime() + n * 60_000);

let serial = 0;
/** A LINE id: "U…" for users, "C…" for groups. */
const lineId = (prefix: "U" | "C") => `${prefix}${(0xe0000 + serial++).toString(16).padStart(32, "0")}`;

type Event = { webhookEventId: string; timestamp: number };

for (const kind of databaseKinds()) {
  describe(`LINE events at the engine's level on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    let teamId: string;
    const settings: LineSettings = { termsVersion: "3" };
    const names = new Map<string, string>();
    /** Profile look-ups, with the token each was given. */
    const lookups: { organisationId: string; channelAccessToken: string; userId: string }[] = [];
    const events = new LineEvents(
      async () => ({ credentials: { channelSecret: "s", channelAccessToken: "token-read-in-the-transaction" }, settings }), 0, true,
      async (account, _groupId, userId) => {
        lookups.push({ ...account, userId });
        return names.get(userId) ?? null;
      },
    );

    before(async () => {
      store = await freshStore(kind);
      ({ organisationId, teamId } = await createOrganisation(store.db, "line-events", START,
        { teamChannels: [{ kind: "email", address: "team@example.jp" }] }));
    });
    after(async () => {
      await store?.dispose();
    });

    const inbound = (event: Event): InboundEvent => ({
      id: newId(), organisationId, providerEventId: event.webhookEventId, payload: { destination: null, event }, receivedAt: START,
    });
    /** Apply events one by one, each in its own transaction, as the inbound loop does with a batch it could not group. */
    async function apply(now: Date, ...list: Event[]) {
      for (const event of list) await inTransaction(store.db, (tx) => events.apply(tx, inbound(event), now));
    }
    /** LINE's own time of an event: when it happened by our clock (the member acted then). */
    const at = (now: Date) => now.getTime();
    const lineUser = (userId: string) => inTransaction(store.db, (tx) => lineUserIn(tx, organisationId, userId));
    /** What we said to a LINE user, oldest first. */
    async function repliesTo(userId: string): Promise<{ text: string; choices: { label: string; data: string }[] }[]> {
      const rows = await store.db.selectFrom("outbox").select(["text", "payload"]).where("organisation_id", "=", organisationId)
        .where("recipient_kind", "=", "line_user").where("recipient_id", "=", userId).orderBy("created_at").orderBy("idempotency_key").execute();
      return rows.map((r) => ({ text: r.text, choices: ((r.payload as { choices?: [] }).choices ?? []) }));
    }
    const lastReply = async (userId: string) => (await repliesTo(userId)).at(-1)?.text ?? "";
    const member = (id: string) => store.db.selectFrom("members").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

    /** Follow, consent, a daily 09:00 plan and a name: a registered member on LINE. */
    async function register(userId: string, name: string, now = START): Promise<string> {
      await apply(now, follow(userId, at(now)));
      for (const choice of ["a=reg&reg=consent&v=yes", "a=reg&reg=every&v=1d", "a=reg&reg=at&v=09:00"]) {
        await apply(now, postback(userId, choice, at(now)));
      }
      await apply(now, text(userId, name, at(now)));
      const user = await lineUser(userId);
      assert.ok(user?.memberId, "the LINE user is a member now");
      return user.memberId;
    }

    test("follow starts the registration; consent, plan and name make a member on LINE with the consent recorded", async () => {
      const userId = lineId("U");
      await apply(START, follow(userId, at(START)));
      assert.match(await lastReply(userId), /利用規約（第3版）/);
      const started = await lineUser(userId);
      assert.ok(started, "the LINE user is recorded");
      assert.equal(started.following, true);
      assert.equal(started.memberId, null);
      assert.equal((started.conversation as { step: string }).step, "consent");

      const memberId = await register(userId, "花子");
      assert.match(await lastReply(userId), /登録が完了しました/);
      assert.equal((await lineUser(userId))?.conversation, null, "the conversation is over");
      const row = await member(memberId);
      assert.equal(row.display_name, "花子");
      assert.equal(row.organisation_id, organisationId);
      assert.deepEqual(row.channels, [{ kind: "line", address: userId }]);
      assert.deepEqual({ ...(row.plan as object), anchorDate: undefined }, { every: "1d", at: "09:00", timeZone: "Asia/Tokyo", anchorDate: undefined });
      assert.equal((row.consent as { termsVersion: string }).termsVersion, "3");
      assert.equal(row.next_due_at?.toISOString(), DUE.toISOString());

      const stranger = lineId("U");
      await apply(START, text(stranger, "こんにちは", at(START)));
      const [invite] = await repliesTo(stranger);
      assert.match(invite.text, /「登録」と送ってください/);
      assert.deepEqual(invite.choices.map((c) => c.data), ["a=reg&reg=start"]);
      assert.equal(await lineUser(stranger), undefined, "someone who only talked is not recorded");
    });

    test("a tap on the prompt answers it on LINE, once however often LINE delivers it; 9 asks to be contacted", async () => {
      const userId = lineId("U");
      const memberId = await register(userId, "一郎");
      await dispatchDue(store.db, DUE, 1000);
      const checkin = await store.db.selectFrom("checkins").select(["id", "status"]).where("member_id", "=", memberId).executeTakeFirstOrThrow();
      assert.equal(checkin.status, "open");
      const tap = postback(userId, `a=ok&c=${checkin.id}`, at(minutes(5)));
      await apply(minutes(5), tap);
      await apply(minutes(6), tap);
      const answers = await store.db.selectFrom("answers").select(["answer", "source", "channel"]).where("member_id", "=", memberId).execute();
      assert.deepEqual(answers, [{ answer: "ok", source: "member", channel: "line" }]);
      assert.equal((await store.db.selectFrom("checkins").select("status").where("id", "=", checkin.id).executeTakeFirstOrThrow()).status, "answered");
      assert.equal((await repliesTo(userId)).filter((r) => /確認しました。/.test(r.text)).length, 1, "thanked once");

      await apply(minutes(10), text(userId, "9", at(minutes(10))));
      assert.match(await lastReply(userId), /担当者からご連絡します/);
      const incidents = await store.db.selectFrom("incidents").select(["kind", "status"]).where("member_id", "=", memberId).execute();
      assert.deepEqual(incidents, [{ kind: "contact_requested", status: "open" }]);
    });

    test("a batch of taps is recorded together; a person with two events in the batch is left to be applied one by one", async () => {
      const users = [lineId("U"), lineId("U"), lineId("U")];
      const ids: string[] = [];
      for (const [i, u] of users.entries()) ids.push(await register(u, `まとめ${i}`));
      const batch = [...users.map((u) => inbound(postback(u, `a=ok&c=${ids[0]}`, at(minutes(1))))), inbound(text(users[2], "次回", at(minutes(1))))];
      const applied = await inTransaction(store.db, (tx) => events.applyBatch(tx, batch, minutes(1)));
      assert.deepEqual([...applied].sort(), [batch[0].id, batch[1].id].sort());
      for (const id of ids.slice(0, 2)) {
        const answers = await store.db.selectFrom("answers").select(["channel"]).where("member_id", "=", id).execute();
        assert.deepEqual(answers, [{ channel: "line" }]);
      }
      assert.equal((await store.db.selectFrom("answers").select("id").where("member_id", "=", ids[2]).execute()).length, 0);
      for (const u of users.slice(0, 2)) assert.match(await lastReply(u), /確認しました/);
    });

    test("次回, 休止 → a week's pause, 再開, 変更 → a new plan; anything else is answered with the keywords", async () => {
      const userId = lineId("U");
      const memberId = await register(userId, "二郎");
      await apply(START, text(userId, "次回", at(START)));
      assert.match(await lastReply(userId), /次回の確認は .*09:00 ごろです（毎日 09:00）/);

      await apply(START, text(userId, "休止", at(START)));
      const [ask] = (await repliesTo(userId)).slice(-1);
      assert.deepEqual(ask.choices.map((c) => c.data), ["a=pause&d=3", "a=pause&d=7", "a=pause&d=14", "a=pause&d=0"]);
      await apply(START, postback(userId, "a=pause&d=7", at(START)));
      assert.match(await lastReply(userId), /2027-01-11 まで確認をお休みします/);
      const paused = await member(memberId);
      assert.deepEqual(paused.pause, { reason: "travel", until: "2027-01-11" });
      assert.equal(paused.next_due_at?.toISOString(), "2027-01-11T00:00:00.000Z");

      await apply(START, text(userId, "再開", at(START)));
      assert.match(await lastReply(userId), /^見守りを再開しました。次回の確認は/);
      assert.equal((await member(memberId)).pause, null);

      await apply(START, text(userId, "変更", at(START)));
      await apply(START, postback(userId, "a=reg&reg=every&v=3d", at(START)));
      await apply(START, postback(userId, "a=reg&reg=at&v=20:00", at(START)));
      const changed = await member(memberId);
      assert.equal((changed.plan as { every: string }).every, "3d");
      assert.equal((changed.plan as { at: string }).at, "20:00");
      assert.equal(changed.next_due_at?.toISOString(), "2027-01-04T11:00:00.000Z", "20:00 in Tokyo today");

      await apply(START, text(userId, "おはよう", at(START)));
      assert.match(await lastReply(userId), /「次回」「休止」「再開」「変更」「連絡先」/);
    });

    test("unfollow pauses and tells the team once; an older follow changes nothing; a newer one resumes", async () => {
      const userId = lineId("U");
      const memberId = await register(userId, "三郎");
      const gone = unfollow(userId, at(minutes(-30)));
      await apply(minutes(-30), gone);
      await apply(minutes(-29), gone);
      assert.equal((await lineUser(userId))?.following, false);
      assert.deepEqual((await member(memberId)).pause, { reason: "line_unfollowed" });
      const told = await store.db.selectFrom("outbox").select(["recipient_kind", "recipient_id", "text"]).where("message_kind", "=", "channel_lost")
        .where("organisation_id", "=", organisationId).execute();
      assert.equal(told.length, 1, "the team is told once");
      assert.equal(told[0].recipient_kind, "team");
      assert.equal(told[0].recipient_id, teamId);
      assert.match(told[0].text, /三郎さんが LINE の友だち登録を解除/);

      await apply(minutes(-20), follow(userId, at(minutes(-31))));
      assert.deepEqual((await member(memberId)).pause, { reason: "line_unfollowed" }, "an older follow delivered late");
      await apply(minutes(-10), follow(userId, at(minutes(-10))));
      assert.equal((await member(memberId)).pause, null);
      assert.equal((await lineUser(userId))?.following, true);
      assert.match(await lastReply(userId), /おかえりなさい/);
    });

    test("連絡先 invites a contact: the code makes another LINE user a confirmed contact, once", async () => {
      const userId = lineId("U");
      const memberId = await register(userId, "四郎");
      await apply(START, text(userId, "連絡先", at(START)));
      const code = /：([A-Z0-9]{6})/.exec(await lastReply(userId))?.[1];
      assert.ok(code, "a code to pass on");
      const invited = await store.db.selectFrom("contacts").select(["display_name", "relation", "position", "channels", "confirmed_at"])
        .where("member_id", "=", memberId).execute();
      assert.deepEqual(invited, [{ display_name: "招待中の連絡先", relation: "invited", position: 1, channels: [], confirmed_at: null }]);

      const contactUser = lineId("U");
      await apply(minutes(-50), text(contactUser, `招待 ${code.toLowerCase()}`, at(minutes(-50))));
      assert.match(await lastReply(contactUser), /四郎さんの見守りの連絡先として登録しました/);
      const [contact] = await store.db.selectFrom("contacts").select(["display_name", "channels", "confirmed_at"]).where("member_id", "=", memberId).execute();
      assert.equal(contact.display_name, "LINEの連絡先");
      assert.deepEqual(contact.channels, [{ kind: "line", address: contactUser }]);
      assert.equal(contact.confirmed_at?.toISOString(), minutes(-50).toISOString());
      await apply(minutes(-40), text(contactUser, code, at(minutes(-40))));
      assert.match(await lastReply(contactUser), /使用済みか期限切れ/);
    });

    test("alert buttons: only the member's contact on LINE may take the incident on and report them safe; the timeline says LINE", async () => {
      const userId = lineId("U");
      const contactUser = lineId("U");
      const [memberId] = await createMembers(store.db, organisationId, [{
        displayName: "五郎", channels: [{ kind: "email", address: "goro@example.jp" }], plan: { every: "1d", at: "09:00" },
        contacts: [{ displayName: "五郎の娘", relation: "daughter", channels: [{ kind: "line", address: contactUser }] }],
      }], START);
      const [opened] = await recordAnswers(store.db, [{ organisationId, memberId, answer: "need_contact", source: "member", channel: "email" }], minutes(1));
      assert.ok(opened.status === "recorded" && opened.incidentId, "a contact-requested incident");
      const incidentId = opened.incidentId;

      await apply(minutes(2), postback(userId, `a=ack&i=${incidentId}`, at(minutes(2))));
      assert.match(await lastReply(userId), /この操作はできません/, "someone who is not a contact");
      await apply(minutes(3), postback(contactUser, `a=ack&i=${incidentId}`, at(minutes(3))));
      assert.match(await lastReply(contactUser), /対応をお願いします/);
      await apply(minutes(4), postback(contactUser, `a=safe&i=${incidentId}`, at(minutes(4))));
      assert.match(await lastReply(contactUser), /無事の連絡を記録しました/);
      await apply(minutes(5), postback(contactUser, `a=ack&i=${incidentId}`, at(minutes(5))));
      assert.match(await lastReply(contactUser), /^この件はすでに対応済みです。/);

      const incident = await store.db.selectFrom("incidents").selectAll().where("id", "=", incidentId).executeTakeFirstOrThrow();
      assert.equal(incident.status, "resolved");
      assert.equal(incident.outcome, "reached_by_line");
      assert.equal(incident.note, "LINE: 連絡がとれた・無事");
      assert.equal(incident.acknowledged_by, "五郎の娘 (LINE)");
      assert.equal(incident.acknowledged_via, "line");
      assert.equal(incident.acknowledged_by_kind, "contact");
      const timeline = await store.db.selectFrom("incident_events").select(["type", "actor"]).where("incident_id", "=", incidentId)
        .orderBy("at").orderBy("id").execute();
      assert.deepEqual(timeline.filter((e) => e.type === "acknowledged" || e.type === "resolved"), [
        { type: "acknowledged", actor: "五郎の娘 (LINE)" }, { type: "resolved", actor: "五郎の娘 (LINE)" },
      ]);
    });

    test("無事 under a broadcast's question is recorded for the member; a tap by anyone else is refused", async () => {
      const userId = lineId("U");
      const memberId = await register(userId, "六郎");
      const { id: broadcastId } = await createBroadcast(store.db, {
        organisationId, audience: { kind: "all" }, text: "地震がありました。", question: true, createdBy: "test",
      }, minutes(1));
      await apply(minutes(2), postback(userId, `a=bc&b=${broadcastId}&v=safe`, at(minutes(2))));
      assert.match(await lastReply(userId), /無事を確認しました/);
      const recorded = await store.db.selectFrom("broadcast_recipients").select(["answer"]).where("broadcast_id", "=", broadcastId)
        .where("member_id", "=", memberId).executeTakeFirstOrThrow();
      assert.equal(recorded.answer, "safe");
      const stranger = lineId("U");
      await apply(minutes(3), postback(stranger, `a=bc&b=${broadcastId}&v=safe`, at(minutes(3))));
      assert.match(await lastReply(stranger), /この操作はできません/);
    });

    test("groups: join welcomes; people seen are named; memberLeft forgets them; 確認 without a round says so; leave ends it", async () => {
      const lineGroupId = lineId("C");
      const [aoki, baba] = [lineId("U"), lineId("U")];
      names.set(aoki, "青木");
      names.set(baba, "馬場");
      await apply(START, join(lineGroupId, at(START)));
      const group = await inTransaction(store.db, (tx) => lineGroup(tx, organisationId, lineGroupId, false));
      assert.ok(group, "the group exists");
      assert.equal(group.status, "active");
      const said = () => store.db.selectFrom("outbox").select(["message_kind", "text"]).where("recipient_kind", "=", "group")
        .where("recipient_id", "=", group.id).orderBy("created_at").orderBy("idempotency_key").execute();
      assert.deepEqual((await said()).map((m) => m.message_kind), ["group_welcome"]);

      await apply(START, memberJoined(lineGroupId, [aoki, baba], at(START)));
      assert.deepEqual(lookups.map((l) => [l.userId, l.organisationId, l.channelAccessToken]).sort(), [aoki, baba].sort().map((u) =>
        [u, organisationId, "token-read-in-the-transaction"]), "names are looked up with the token read through the event's transaction");
      const people = () => inTransaction(store.db, (tx) => groupParticipantsIn(tx, group.id));
      assert.deepEqual(await people(), [{ userId: aoki, name: "青木" }, { userId: baba, name: "馬場" }].sort((a, b) => (a.userId < b.userId ? -1 : 1)));
      await apply(START, groupText(lineGroupId, aoki, "確認 馬場", at(START)));
      assert.match((await said()).at(-1)?.text ?? "", /まだ確認の依頼がありません/);
      await apply(START, groupText(lineGroupId, aoki, "確認 千葉", at(START)));
      assert.match((await said()).at(-1)?.text ?? "", /「千葉」さんが見つかりませんでした/);

      await apply(START, memberLeft(lineGroupId, [baba], at(START)));
      assert.deepEqual(await people(), [{ userId: aoki, name: "青木" }]);
      await apply(minutes(-30), leave(lineGroupId, at(minutes(-30))));
      const left = await inTransaction(store.db, (tx) => lineGroup(tx, organisationId, lineGroupId, false));
      assert.equal(left?.status, "left");
    });
  });
}
