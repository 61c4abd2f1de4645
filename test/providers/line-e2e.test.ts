/**
 * LINE end to end, with the official SDK talking to a local LINE-compatible
 * server: follow → registration → prompt → no answer → re-send → incident → a
 * contact acknowledges in LINE → outcome recorded. Plus the webhook's defences.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { databaseKinds, type TestService } from "../support/harness.ts";
import { LINE_SECRET, LINE_TOKEN, type LineFixture, postbacksIn, startLineFixture } from "../support/line-fixture.ts";
import { follow, lineEvent, postback, postWebhook, text, unfollow } from "../support/line-webhook.ts";

const SECRET = LINE_SECRET;
const TOKEN = LINE_TOKEN;

for (const kind of databaseKinds()) {
  describe(`LINE on ${kind}`, () => {
    let service: TestService;
    let organisationId: string;

    let fixture: LineFixture;
    before(async () => {
      fixture = await startLineFixture(kind, { termsVersion: "2" });
      ({ service, organisationId } = fixture);
    });
    after(async () => {
      await fixture?.close();
    });

    const send = (...events: unknown[]) => fixture.send(...events);
    const pushesTo = (to: string) => fixture.pushesTo(to);
    const lastTextTo = (to: string) => fixture.lastTextTo(to);
    const inboundCount = async () =>
      (await sql<{ n: number }>`select count(*)::int as n from inbound`.execute(service.store.db)).rows[0].n;

    test("credentials are stored sealed and never returned", async () => {
      const shown = await service.api("GET", "/channels/line");
      assert.equal(shown.body.configured, true);
      assert.ok(!JSON.stringify(shown.body).includes(SECRET) && !JSON.stringify(shown.body).includes(TOKEN));
      const stored = await sql<{ credentials: string }>`select credentials from channel_configs`.execute(service.store.db);
      assert.ok(!stored.rows[0].credentials.includes(SECRET), "sealed at rest");
    });

    test("follow → registration → prompt → silence → re-send → incident → the contact acknowledges and settles it in LINE", async () => {
      const member = `U${"a".repeat(32)}`;
      const contact = `U${"b".repeat(32)}`;
      await send(follow(member));
      assert.match(lastTextTo(member), /利用規約（第2版）/);
      for (const choice of ["a=reg&reg=consent&v=yes", "a=reg&reg=every&v=1d", "a=reg&reg=at&v=09:00"]) await send(postback(member, choice));
      await send(text(member, "花子"));
      assert.match(lastTextTo(member), /登録が完了しました/);
      const list = (await service.api("GET", "/members?limit=1000")).body.members;
      const registered = list.find((m: { channels: { kind: string; address: string }[] }) => m.channels[0].address === member);
      assert.ok(registered, "the member exists");
      assert.equal(registered.displayName, "花子");
      assert.deepEqual(registered.plan, { every: "1d", at: "09:00", timeZone: "Asia/Tokyo" });
      const consent = await sql<{ consent: { termsVersion: string } }>`select consent from members where id = ${registered.id}`.execute(service.store.db);
      assert.equal(consent.rows[0].consent.termsVersion, "2");

      await send(text(member, "連絡先"));
      const code = /：([A-Z0-9]{6})/.exec(lastTextTo(member))?.[1];
      assert.ok(code, `an invitation code: ${lastTextTo(member)}`);
      await send(follow(contact));
      await send(text(contact, code));
      assert.match(lastTextTo(contact), /花子さんの見守りの連絡先として登録しました/);
      const contacts = (await service.api("GET", `/members/${registered.id}/contacts`)).body.contacts;
      assert.equal(contacts.length, 1);
      assert.equal(contacts[0].confirmed, true);
      await send(text(contact, code));
      assert.match(lastTextTo(contact), /使用済み/, "a code works once");

      const due = registered.nextDueAt;
      await service.api("POST", "/sandbox/clock", { to: due });
      const prompt = pushesTo(member).at(-1);
      assert.ok(prompt?.retryKey, "pushes carry X-Line-Retry-Key");
      assert.deepEqual(postbacksIn(prompt?.body).map((d) => d.split("&c=")[0]), ["a=ok", "a=need_contact"]);
      await service.api("POST", "/sandbox/clock", { to: new Date(Date.parse(due) + 27 * 3_600_000).toISOString() });
      assert.equal(pushesTo(member).filter((p) => JSON.stringify(p.body).includes("a=ok")).length, 2, "prompt and re-send");
      const alert = pushesTo(contact).at(-1);
      const buttons = postbacksIn(alert?.body);
      assert.deepEqual(buttons.map((d) => d.split("&i=")[0]), ["a=ack", "a=safe"]);
      const [incident] = (await service.api("GET", `/incidents?status=open&memberId=${registered.id}`)).body.incidents;
      assert.ok(buttons[0].endsWith(incident.id));

      await send(postback(contact, buttons[0]));
      const acked = (await service.api("GET", `/incidents/${incident.id}`)).body;
      assert.equal(acked.status, "acknowledged");
      assert.equal(acked.acknowledged.via, "line");
      await send(postback(contact, buttons[1]));
      const done = (await service.api("GET", `/incidents/${incident.id}`)).body;
      assert.equal(done.status, "resolved");
      assert.equal(done.resolved.outcome, "reached_by_line", "a LINE tap: reached by LINE, not by phone");
      // A stranger pressing the same button changes nothing.
      await send(postback(`U${"c".repeat(32)}`, buttons[0]));
      assert.match(lastTextTo(`U${"c".repeat(32)}`), /この操作はできません/);
    });

    test("a tap on the prompt answers; the member can pause, resume, change and ask for the next check-in", async () => {
      const member = `U${"d".repeat(32)}`;
      await send(follow(member));
      for (const choice of ["a=reg&reg=consent&v=yes", "a=reg&reg=every&v=weekly", "a=reg&reg=weekday&v=3", "a=reg&reg=at&v=07:00", "a=reg&reg=name&v="]) {
        await send(postback(member, choice));
      }
      const m = (await service.api("GET", "/members?limit=1000")).body.members
        .find((x: { channels: { address: string }[] }) => x.channels[0].address === member);
      assert.deepEqual(m.plan, { every: "weekly", weekday: 3, at: "07:00", timeZone: "Asia/Tokyo" });
      await service.api("POST", "/sandbox/clock", { to: m.nextDueAt });
      const data = postbacksIn(pushesTo(member).at(-1)?.body)[0];
      await send(postback(member, data));
      assert.match(lastTextTo(member), /確認しました/);
      const view = (await service.api("GET", `/members/${m.id}`)).body;
      assert.equal(view.lastAnswer.answer, "ok");
      assert.equal(view.openCheckins.length, 0);

      await send(text(member, "休止"));
      await send(postback(member, "a=pause&d=7"));
      assert.equal((await service.api("GET", `/members/${m.id}`)).body.state, "paused");
      await send(text(member, "再開"));
      assert.match(lastTextTo(member), /見守りを再開しました。次回の確認は/);
      await send(text(member, "変更"));
      await send(postback(member, "a=reg&reg=every&v=3d"));
      await send(postback(member, "a=reg&reg=at&v=20:00"));
      const changed = (await service.api("GET", `/members/${m.id}`)).body;
      assert.deepEqual(changed.plan, { every: "3d", at: "20:00", timeZone: "Asia/Tokyo" });
      await send(text(member, "次回"));
      assert.match(lastTextTo(member), /次回の確認は .* 20:00 ごろです/);
    });

    test("unfollow pauses the plan and tells the team; follow again resumes it", async () => {
      const member = `U${"e".repeat(32)}`;
      await send(follow(member));
      for (const choice of ["a=reg&reg=consent&v=yes", "a=reg&reg=every&v=2d", "a=reg&reg=at&v=10:00", "a=reg&reg=name&v="]) await send(postback(member, choice));
      const m = (await service.api("GET", "/members?limit=1000")).body.members
        .find((x: { channels: { address: string }[] }) => x.channels[0].address === member);
      const t = Date.now();
      await send(unfollow(member, t));
      const paused = (await service.api("GET", `/members/${m.id}`)).body;
      assert.equal(paused.state, "paused");
      assert.equal(paused.pause.reason, "line_unfollowed");
      const told = (await service.api("GET", "/sandbox/outbox?limit=2000")).body.messages
        .filter((x: { kind: string; payload: { memberId?: string } }) => x.kind === "channel_lost" && x.payload.memberId === m.id);
      assert.equal(told.length, 1);
      // An older follow delivered late changes nothing.
      await send(follow(member, t - 60_000));
      assert.equal((await service.api("GET", `/members/${m.id}`)).body.state, "paused");
      await send(follow(member, t + 60_000));
      assert.equal((await service.api("GET", `/members/${m.id}`)).body.state, "scheduled");
    });

    test("many taps in one webhook are recorded together, once each, each member answered", async () => {
      const users = ["4", "5", "6"].map((c) => `U${c.repeat(32)}`);
      const created = await service.api("POST", "/members/bulk", {
        members: users.map((u, i) => ({ displayName: `tap${i}`, channels: [{ kind: "line", address: u }], plan: { every: "1d", at: "11:00" } })),
      });
      assert.equal(created.status, 201);
      const ids: string[] = created.body.ids;
      for (const [i, u] of users.entries()) {
        await sql`insert into line_users (organisation_id, user_id, member_id, following, last_event_at)
          values (${organisationId}, ${u}, ${ids[i]}, true, ${new Date()})`.execute(service.store.db);
      }
      const first = (await service.api("GET", `/members/${ids[0]}`)).body;
      await service.api("POST", "/sandbox/clock", { to: first.nextDueAt });
      const taps = users.map((u) => postback(u, `a=ok&c=${ids[0]}`));
      // The third person also sends a message in the same batch: their events go one by one, in order.
      await send(...taps, text(users[2], "次回"));
      await send(...taps); // a redelivery of the same taps
      for (const id of ids) {
        const history = (await service.api("GET", `/members/${id}/history`)).body;
        assert.equal(history.answers.length, 1, "one answer per tap, however often it is delivered");
        assert.equal(history.checkins[0].status, "answered");
      }
      for (const u of users) assert.ok(pushesTo(u).some((p) => JSON.stringify(p.body).includes("確認しました")));
      assert.match(lastTextTo(users[2]), /次回の確認は/);
    });

    test("the webhook refuses bad signatures, stores nothing twice, and survives odd events", async () => {
      const before = await inboundCount();
      const forged = await postWebhook(service.url, organisationId, SECRET, [follow(`U${"f".repeat(32)}`)], "bm90IHRoZSBzaWduYXR1cmU=");
      assert.equal(forged.status, 401);
      const unsigned = await fetch(`${service.url}/webhooks/line/${organisationId}`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ events: [follow(`U${"3".repeat(32)}`)] }),
      });
      assert.equal(unsigned.status, 401);
      assert.equal(await inboundCount(), before, "nothing recorded");

      const { sign } = await import("../support/line-webhook.ts");
      const malformed = "{ not json";
      const bad = await fetch(`${service.url}/webhooks/line/${organisationId}`, {
        method: "POST", headers: { "content-type": "application/json", "x-line-signature": sign(malformed, SECRET) }, body: malformed,
      });
      assert.equal(bad.status, 400);

      const event = follow(`U${"1".repeat(32)}`);
      await send(event);
      await send({ ...event, deliveryContext: { isRedelivery: true } });
      assert.equal(await inboundCount(), before + 1, "a redelivery is stored once");
      assert.equal(pushesTo(`U${"1".repeat(32)}`).length, 1, "and answered once");

      await send(lineEvent({ type: "beacon", userId: `U${"2".repeat(32)}`, beacon: { hwid: "d41d8cd98f", type: "enter" } }), lineEvent({ type: "videoPlayComplete", userId: `U${"2".repeat(32)}` }));
      const unprocessed = await sql<{ n: number }>`select count(*)::int as n from inbound where processed_at is null`.execute(service.store.db);
      assert.equal(unprocessed.rows[0].n, 0, "unknown event types are applied as nothing");
      assert.equal((await fetch(`${service.url}/webhooks/line/00000000-0000-4000-8000-000000000000`, { method: "POST", body: "{}" })).status, 404);
    });
  });
}
