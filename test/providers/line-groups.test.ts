/**
 * The group service (つながり) on LINE, end to end: the official SDK against the
 * local LINE-compatible server, signed webhooks with group sources as LINE
 * documents them, and the sandbox clock. The bot is added to a group → rounds
 * with an OK button → 23 h after the prompt the names of those who have not
 * confirmed → "I checked on X", which answers for X when X is a registered member.
 */
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { LineChannel } from "../../src/providers/line/channel.ts";
import { buildLineMessages, parsePostback } from "../../src/providers/line/messages.ts";
import { groupListText, matchPeople, parseCheckCommand } from "../../src/domain/group-rounds.ts";
import { databaseKinds, type TestService } from "../support/harness.ts";
import { type LineApiServer, startLineApiServer } from "../support/line-api-server.ts";
import { LINE_SECRET, LINE_TOKEN, type LineFixture, postbacksIn, startLineFixture } from "../support/line-fixture.ts";
import {
  follow, groupPostback, groupText, join, leave, memberJoined, memberLeft, postback, postWebhook, text,
} from "../support/line-webhook.ts";
import { plus } from "../support/sandbox.ts";

const SECRET = LINE_SECRET;
const TOKEN = LINE_TOKEN;

let serial = 0;
/** A LINE id: "U…" for users, "C…" for groups, 32 hex digits. */
const lineId = (prefix: "U" | "C") => `${prefix}${(0xabc000 + serial++).toString(16).padStart(32, "0")}`;

type Push = { body: { to: string; messages: Record<string, any>[] } };
type Person = { userId: string; displayName: string; memberId: string | null; confirmed: boolean; confirmedBy: { userId: string; displayName: string } | null; answerId: string | null };
type Round = { id: string; dueAt: string; listAt: string | null; listedAt: string | null; listed: { userId: string; displayName: string }[] | null; people: Person[] };

for (const kind of databaseKinds()) {
  describe(`LINE groups (つながり) on ${kind}`, () => {
    let line: LineApiServer;
    let service: TestService;
    let organisationId: string;

    let fixture: LineFixture;
    before(async () => {
      fixture = await startLineFixture(kind);
      ({ line, service, organisationId } = fixture);
    });
    after(async () => {
      await fixture?.close();
    });

    const send = (...events: unknown[]) => fixture.send(...events);
    async function now(): Promise<string> {
      return (await service.api("GET", "/sandbox/clock")).body.now;
    }
    async function clockTo(to: string) {
      const r = await service.api("POST", "/sandbox/clock", { to });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
    const pushesTo = (to: string) => (line.pushes as unknown as Push[]).filter((p) => p.body.to === to);
    const textOf = (p: Push) => (p.body.messages[0].text ?? p.body.messages[0].altText ?? "") as string;
    const listsTo = (to: string) => pushesTo(to).filter((p) => /まだ確認ができていない方|全員の確認ができました/.test(textOf(p)));
    const promptsTo = (to: string) => pushesTo(to).filter((p) => postbacksIn(p.body).some((d) => d.startsWith("a=gok&")));

    async function groupOf(lineGroupId: string) {
      const groups = (await service.api("GET", "/groups")).body.groups as { id: string; lineGroupId: string | null }[];
      return groups.find((g) => g.lineGroupId === lineGroupId) as any;
    }
    async function roundsOf(groupId: string): Promise<Round[]> {
      const r = await service.api("GET", `/groups/${groupId}/rounds`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.rounds;
    }
    /** The outbox rows written for a group, with the (virtual) time they were written. */
    async function outboxOf(groupId: string) {
      return (await sql<{ message_kind: string; created_at: Date; payload: Record<string, unknown> }>`
        select message_kind, created_at, payload from outbox where recipient_kind = 'group' and recipient_id = ${groupId}
        order by created_at, id`.execute(service.store.db)).rows;
    }
    /** The bot is added to a group in which these people are (LINE serves their group profiles). */
    async function groupWith(people: Record<string, string>) {
      const lineGroupId = lineId("C");
      line.groupMembers.set(lineGroupId, new Map(Object.entries(people).map(([userId, displayName]) => [userId, { displayName }])));
      await send(join(lineGroupId));
      await send(memberJoined(lineGroupId, Object.keys(people)));
      return { lineGroupId, group: await groupOf(lineGroupId) };
    }

    test("join → an active group with the default plan, welcomed in the group through the outbox", async () => {
      const lineGroupId = lineId("C");
      assert.equal(await groupOf(lineGroupId), undefined);
      await send(join(lineGroupId));
      const group = await groupOf(lineGroupId);
      assert.ok(group, "the group exists");
      assert.equal(group.status, "active");
      assert.deepEqual(group.plan, { every: "1d", at: "09:00", timeZone: "Asia/Tokyo" });
      assert.deepEqual(group.channels, [{ kind: "line", address: lineGroupId }]);
      assert.ok(Date.parse(group.nextDueAt) > Date.parse(await now()));
      assert.equal(new Date(group.nextDueAt).toLocaleTimeString("en-GB", { timeZone: "Asia/Tokyo" }), "09:00:00");
      const welcome = pushesTo(lineGroupId);
      assert.equal(welcome.length, 1);
      assert.match(textOf(welcome[0]), /見守りグループ（つながり）に参加しました/);
      assert.deepEqual((await outboxOf(group.id)).map((r) => r.message_kind), ["group_welcome"]);
    });

    test("3 people, one does not answer: +23 h the list names exactly that one (not before, once); I checked on them", async () => {
      const [aoki, baba, chiba] = [lineId("U"), lineId("U"), lineId("U")];
      const { lineGroupId, group } = await groupWith({ [aoki]: "青木", [baba]: "馬場", [chiba]: "千葉" });
      const due = group.nextDueAt as string;
      assert.equal(promptsTo(lineGroupId).length, 0, "no prompt before the slot");
      await clockTo(due);
      const prompts = promptsTo(lineGroupId);
      assert.equal(prompts.length, 1);
      const [round] = await roundsOf(group.id);
      assert.equal(round.dueAt, due);
      assert.deepEqual(postbacksIn(prompts[0].body), [`a=gok&r=${round.id}`], "one OK button for this round");
      assert.equal(prompts[0].body.messages[0].type, "flex");

      await send(groupPostback(lineGroupId, aoki, `a=gok&r=${round.id}`), groupPostback(lineGroupId, baba, `a=gok&r=${round.id}`));
      const confirmed = (await roundsOf(group.id))[0].people;
      assert.deepEqual(confirmed.map((p) => [p.displayName, p.confirmed, p.confirmedBy]), [["青木", true, null], ["馬場", true, null], ["千葉", false, null]]);

      await clockTo(plus(due, 23 - 1 / 60));
      assert.equal(listsTo(lineGroupId).length, 0, "no list before +23 h");
      await clockTo(plus(due, 30));
      const lists = listsTo(lineGroupId);
      assert.equal(lists.length, 1, "one list");
      const list = textOf(lists[0]);
      assert.match(list, /（1名）/);
      assert.match(list, /千葉さん/);
      assert.doesNotMatch(list, /青木|馬場/);
      const written = (await outboxOf(group.id)).filter((r) => r.message_kind === "group_list");
      assert.equal(written.length, 1);
      assert.equal(written[0].created_at.toISOString(), plus(due, 23), "written at +23 h exactly");
      const quick = lists[0].body.messages[0].quickReply.items;
      assert.deepEqual(quick.map((i: any) => [i.action.label, i.action.data]), [["千葉さんを確認しました", `a=gchk&r=${round.id}&u=${chiba}`]]);
      const listed = (await roundsOf(group.id)).find((r) => r.id === round.id)!;
      assert.deepEqual(listed.listed, [{ userId: chiba, displayName: "千葉" }]);
      assert.equal(listed.listAt, null);

      // Only people of this group can be confirmed from it.
      const outsider = lineId("U");
      await send(groupPostback(lineGroupId, baba, `a=gchk&r=${round.id}&u=${outsider}`));
      assert.equal((await roundsOf(group.id))[0].people.some((p) => p.userId === outsider), false);

      // 馬場 taps "千葉さんを確認しました" under the list.
      await send(groupPostback(lineGroupId, baba, `a=gchk&r=${round.id}&u=${chiba}`));
      const after = (await roundsOf(group.id)).find((r) => r.id === round.id)!;
      const c = after.people.find((p) => p.userId === chiba)!;
      assert.equal(c.confirmed, true);
      assert.deepEqual(c.confirmedBy, { userId: baba, displayName: "馬場" });

      // The next round (+24 h) has its own list at +47 h; the first round's list never comes again.
      await clockTo(plus(due, 24 + 23));
      const byRound = listsTo(lineGroupId).map((p) => postbacksIn(p.body)[0]?.split("&u=")[0] ?? textOf(p));
      assert.equal(listsTo(lineGroupId).length, 2);
      assert.equal(byRound.filter((d) => d === `a=gchk&r=${round.id}`).length, 1, "the first round is listed once");
    });

    test("確認 <name> records the person as checked on; memberLeft takes them off the next list", async () => {
      const [eda, fuji, goto] = [lineId("U"), lineId("U"), lineId("U")];
      const { lineGroupId, group } = await groupWith({ [eda]: "江田 一郎", [fuji]: "藤井", [goto]: "後藤" });
      await clockTo(group.nextDueAt);
      const [round] = await roundsOf(group.id);
      await send(groupText(lineGroupId, eda, "確認 藤井さん"));
      let people = (await roundsOf(group.id))[0].people;
      assert.deepEqual(people.find((p) => p.userId === fuji)?.confirmedBy, { userId: eda, displayName: "江田 一郎" });
      assert.match(textOf(pushesTo(lineGroupId).at(-1)!), /藤井さんの確認を記録しました（江田 一郎さんより）/);
      await send(groupText(lineGroupId, fuji, "確認　江田"));
      people = (await roundsOf(group.id))[0].people;
      assert.equal(people.find((p) => p.userId === eda)?.confirmed, true, "a partial name that matches one person");
      await send(groupText(lineGroupId, fuji, "確認 山田"));
      assert.match(textOf(pushesTo(lineGroupId).at(-1)!), /「山田」さんが見つかりませんでした/);
      const before = pushesTo(lineGroupId).length;
      await send(groupText(lineGroupId, fuji, "今日は暑いですね"));
      assert.equal(pushesTo(lineGroupId).length, before, "ordinary conversation gets no answer");

      await send(memberLeft(lineGroupId, [goto]));
      await clockTo(plus(round.dueAt, 23));
      const list = listsTo(lineGroupId);
      assert.equal(list.length, 1);
      assert.match(textOf(list[0]), /全員の確認ができました/, "後藤 left the group: nobody is missing");
    });

    test("a registered member checked on by someone in the group gets an answer with source \"group\"; their own OK counts too", async () => {
      const hanako = lineId("U");
      const ito = lineId("U");
      await send(follow(hanako));
      for (const choice of ["a=reg&reg=consent&v=yes", "a=reg&reg=every&v=1d", "a=reg&reg=at&v=09:00"]) await send(postback(hanako, choice));
      await send(text(hanako, "花子"));
      const member = (await service.api("GET", "/members?limit=1000")).body.members
        .find((m: { channels: { address: string }[] }) => m.channels[0].address === hanako);
      assert.ok(member, "花子 is a registered member");

      const { lineGroupId, group } = await groupWith({ [hanako]: "はなこ", [ito]: "伊藤" });
      await clockTo(group.nextDueAt);
      assert.equal(member.nextDueAt, group.nextDueAt, "both are due at 09:00");
      let view = (await service.api("GET", `/members/${member.id}`)).body;
      assert.equal(view.openCheckins.length, 1, "花子's own check-in is open");

      await send(groupText(lineGroupId, ito, "確認 はなこ"));
      view = (await service.api("GET", `/members/${member.id}`)).body;
      assert.equal(view.lastAnswer.source, "group");
      assert.equal(view.openCheckins.length, 0, "the answer closed her check-in");
      const history = (await service.api("GET", `/members/${member.id}/history`)).body;
      const answer = history.answers[0];
      assert.equal(answer.source, "group");
      assert.match(JSON.stringify(answer), /伊藤/);
      const person = (await roundsOf(group.id))[0].people.find((p) => p.userId === hanako)!;
      assert.equal(person.memberId, member.id);
      assert.equal(person.answerId, answer.id);

      // A second "I checked on her" in the same round records nothing more.
      await send(groupText(lineGroupId, ito, "確認 はなこ"));
      assert.match(textOf(pushesTo(lineGroupId).at(-1)!), /すでに確認済み/);
      assert.equal((await service.api("GET", `/members/${member.id}/history`)).body.answers.length, 1);

      // The next day she taps OK in the group herself: her own answer.
      const next = plus(group.nextDueAt, 24);
      await clockTo(next);
      const [round2] = await roundsOf(group.id);
      assert.equal(round2.dueAt, next);
      assert.equal((await service.api("GET", `/members/${member.id}`)).body.openCheckins.length, 1);
      await send(groupPostback(lineGroupId, hanako, `a=gok&r=${round2.id}`));
      view = (await service.api("GET", `/members/${member.id}`)).body;
      assert.equal(view.lastAnswer.source, "member");
      assert.equal(view.openCheckins.length, 0);
    });

    test("leave: the group is left, its pending list and further prompts are not sent", async () => {
      const [ueda] = [lineId("U")];
      const { lineGroupId, group } = await groupWith({ [ueda]: "上田" });
      await clockTo(group.nextDueAt);
      assert.equal(promptsTo(lineGroupId).length, 1);
      await send(leave(lineGroupId));
      const left = await groupOf(lineGroupId);
      assert.equal(left.status, "left");
      assert.equal(left.nextDueAt, null);
      const pushed = pushesTo(lineGroupId).length;
      await clockTo(plus(group.nextDueAt, 72));
      assert.equal(pushesTo(lineGroupId).length, pushed, "nothing more goes to the group");
      assert.equal((await roundsOf(group.id)).length, 1, "no further rounds");
      assert.deepEqual((await outboxOf(group.id)).map((r) => r.message_kind), ["group_welcome", "group_prompt"]);
    });

    test("approval: with requireGroupApproval a joined group waits; staff approve it; a new plan moves its rounds", async () => {
      const set = await service.api("PUT", "/channels/line", { requireGroupApproval: true });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.settings.requireGroupApproval, true);
      const lineGroupId = lineId("C");
      await send(join(lineGroupId));
      const waiting = await groupOf(lineGroupId);
      assert.equal(waiting.status, "awaiting_approval");
      assert.equal(waiting.nextDueAt, null);
      assert.match(textOf(pushesTo(lineGroupId)[0]), /承認後/);
      await clockTo(plus(await now(), 48));
      assert.equal(promptsTo(lineGroupId).length, 0, "no rounds while waiting");

      const observer = await service.api("POST", "/tokens", { name: "viewer", role: "observer" });
      assert.equal((await service.api("POST", `/groups/${waiting.id}/approve`, undefined, observer.body.token)).status, 403);
      const approved = await service.api("POST", `/groups/${waiting.id}/approve`);
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.equal(approved.body.status, "active");
      assert.ok(approved.body.nextDueAt);
      await clockTo(await now()); // deliver what the approval wrote
      assert.match(textOf(pushesTo(lineGroupId).at(-1)!), /承認されました/);
      assert.equal((await service.api("POST", `/groups/${waiting.id}/approve`)).status, 409, "approved once");

      const patched = await service.api("PATCH", `/groups/${waiting.id}`, { plan: { every: "2d", at: "07:30" } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      assert.deepEqual(patched.body.plan, { every: "2d", at: "07:30", timeZone: "Asia/Tokyo" });
      const due = patched.body.nextDueAt as string;
      assert.equal(new Date(due).toLocaleTimeString("en-GB", { timeZone: "Asia/Tokyo" }), "07:30:00");
      await clockTo(plus(due, 47));
      const rounds = await roundsOf(waiting.id);
      assert.deepEqual(rounds.map((r) => r.dueAt), [due], "one round in two days, at 07:30");
      assert.equal(promptsTo(lineGroupId).length, 1);
      assert.equal((await service.api("PATCH", `/groups/${waiting.id}`, { plan: { every: "1d", at: "25:00" } })).status, 400);
      await service.api("PUT", "/channels/line", { requireGroupApproval: false });
    });

    test("a person LINE does not name (yet) is listed under a fallback name, and named once LINE knows them", async () => {
      const [known, stranger] = [lineId("U"), lineId("U")];
      const { lineGroupId, group } = await groupWith({ [known]: "木村" });
      await send(memberJoined(lineGroupId, [stranger]));
      const asked = line.requests.filter((r) => r.path === `/v2/bot/group/${lineGroupId}/member/${stranger}`);
      assert.equal(asked.length, 1, "the group member profile was asked for");
      assert.equal(asked[0].status, 404);
      await clockTo(group.nextDueAt);
      await send(groupPostback(lineGroupId, known, `a=gok&r=${(await roundsOf(group.id))[0].id}`));
      await clockTo(plus(group.nextDueAt, 23));
      const [list] = listsTo(lineGroupId);
      assert.match(textOf(list), new RegExp(`（1名）：\\nLINEユーザー${stranger.slice(-4)}さん`));
      line.groupMembers.get(lineGroupId)!.set(stranger, { displayName: "新井" });
      await send(groupText(lineGroupId, stranger, "こんにちは"));
      const person = (await roundsOf(group.id))[0].people.find((p) => p.userId === stranger)!;
      assert.equal(person.displayName, "新井");
      assert.equal(person.confirmed, false, "posting is not confirming");
      assert.equal(line.requests.filter((r) => r.path === `/v2/bot/group/${lineGroupId}/member/${known}`).length, 1, "a known name is not asked again");
    });

    test("a group of 500: the list counts the 400 who did not tap, fits LINE's limits, offers 13 quick replies", async () => {
      const people = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [lineId("U"), `住人${String(i + 1).padStart(3, "0")}・長めのお名前`]));
      const ids = Object.keys(people);
      const { lineGroupId, group } = await groupWith(people);
      await clockTo(group.nextDueAt);
      const [round] = await roundsOf(group.id);
      assert.equal(round.people.length, 500);
      await send(...ids.slice(0, 100).map((u) => groupPostback(lineGroupId, u, `a=gok&r=${round.id}`)));
      await clockTo(plus(group.nextDueAt, 23));
      const lists = listsTo(lineGroupId);
      assert.equal(lists.length, 1, "LINE accepted the list");
      const message = lists[0].body.messages[0];
      assert.match(message.text, /（400名）/);
      assert.ok(message.text.length <= 5000);
      assert.match(message.text, /：\n住人101・長めのお名前さん、住人102・長めのお名前さん/);
      assert.doesNotMatch(message.text, /住人100・/);
      const shown = (message.text.match(/住人\d+・/g) ?? []).length;
      assert.ok(shown > 100 && shown < 400, `${shown} names written out`);
      assert.match(message.text, new RegExp(`ほか${400 - shown}名`), "the rest are counted");
      assert.deepEqual(message.quickReply.items.map((i: any) => i.action.data), ids.slice(100, 113).map((u) => `a=gchk&r=${round.id}&u=${u}`));
      const listed = (await roundsOf(group.id)).find((r) => r.id === round.id)!;
      assert.equal(listed.listed?.length, 400, "the round keeps every name");
    });

    test("group webhooks: a forged signature creates nothing; a redelivered join welcomes once", async () => {
      const lineGroupId = lineId("C");
      const forged = await postWebhook(service.url, organisationId, SECRET, [join(lineGroupId)], "bm90IHRoZSBzaWduYXR1cmU=");
      assert.equal(forged.status, 401);
      await clockTo(await now());
      assert.equal(await groupOf(lineGroupId), undefined);
      const event = join(lineGroupId);
      await send(event);
      await send({ ...event, deliveryContext: { isRedelivery: true } });
      await send(join(lineGroupId));
      assert.equal(pushesTo(lineGroupId).length, 1, "one welcome: a join of a group we are in changes nothing");
      const groups = (await service.api("GET", "/groups")).body.groups.filter((g: { lineGroupId: string }) => g.lineGroupId === lineGroupId);
      assert.equal(groups.length, 1);
    });
  });
}

describe("group service: texts, commands and LINE messages", () => {
  test("確認 <name> is read with or without さん and separators; other text is not a command", () => {
    assert.equal(parseCheckCommand("確認 山田"), "山田");
    assert.equal(parseCheckCommand("確認：山田さん"), "山田さん");
    assert.equal(parseCheckCommand("確認　花子"), "花子");
    assert.equal(parseCheckCommand("確認しました"), null);
    assert.equal(parseCheckCommand("確認"), null);
    assert.equal(parseCheckCommand("山田さん確認"), null);
  });

  test("a typed name matches exactly first, else the one partial match", () => {
    const people = [{ userId: "U1", name: "山田 太郎" }, { userId: "U2", name: "山田" }, { userId: "U3", name: "佐藤花子" }];
    assert.deepEqual(matchPeople("山田さん", people).map((p) => p.userId), ["U2"]);
    assert.deepEqual(matchPeople("山田太郎", people).map((p) => p.userId), ["U1"]);
    assert.deepEqual(matchPeople("花子", people).map((p) => p.userId), ["U3"]);
    assert.deepEqual(matchPeople("田", people).map((p) => p.userId), ["U1", "U2"]);
    assert.deepEqual(matchPeople("鈴木", people), []);
  });

  test("the list of 500 long names stays within LINE's 5,000 characters and counts the rest", () => {
    const people = Array.from({ length: 500 }, (_, i) => ({ userId: `U${i}`, name: `とても長いお名前の住人さん番号${i}` }));
    const text = groupListText(people, 0);
    assert.ok(text.length <= 5000, `${text.length}`);
    assert.match(text, /（500名）/);
    const shown = (text.match(/番号\d+さん/g) ?? []).length;
    assert.ok(shown > 100 && shown < 500);
    assert.match(text, new RegExp(`ほか${500 - shown}名`));
    assert.match(groupListText([], 3), /全員の確認ができました/);
  });

  test("group_prompt is a Flex message with one OK; group_list offers at most 13 \"I checked on\" quick replies", () => {
    const roundId = "01900000-0000-7000-8000-000000000000";
    const [prompt] = buildLineMessages({ kind: "group_prompt", text: "確認です\nCheck-in", payload: { groupCheckinId: roundId } });
    assert.equal(prompt.type, "flex");
    assert.deepEqual(JSON.stringify(prompt).match(/"data":"[^"]+"/g), [`"data":"a=gok&r=${roundId}"`]);
    assert.deepEqual(parsePostback(`a=gok&r=${roundId}`), { action: "gok", params: { r: roundId } });
    const people = Array.from({ length: 20 }, (_, i) => ({ userId: `U${String(i).padStart(32, "0")}`, name: i === 0 ? "寿限無寿限無五劫の擦り切れ海砂利水魚" : `人${i}` }));
    const [list] = buildLineMessages({ kind: "group_list", text: "まだの方", payload: { groupCheckinId: roundId, people } }) as any[];
    assert.equal(list.type, "text");
    assert.equal(list.quickReply.items.length, 13);
    for (const item of list.quickReply.items) assert.ok(item.action.label.length <= 20);
    assert.equal(list.quickReply.items[1].action.label, "人1さんを確認しました");
    assert.deepEqual(parsePostback(list.quickReply.items[1].action.data), { action: "gchk", params: { r: roundId, u: people[1].userId } });
  });

  test("the group member profile: a name, null when LINE does not know them, an error after the timeout", async () => {
    const line = await startLineApiServer({ channelAccessToken: TOKEN });
    const hanging = createServer(() => {}); // never answers
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    try {
      line.groupMembers.set(`C${"1".repeat(32)}`, new Map([[`U${"2".repeat(32)}`, { displayName: "森" }]]));
      const credentials = async () => ({ channelAccessToken: TOKEN, channelSecret: SECRET });
      const channel = new LineChannel({ baseURL: line.url, credentials });
      assert.equal(await channel.groupMemberName("org", `C${"1".repeat(32)}`, `U${"2".repeat(32)}`), "森");
      assert.equal(await channel.groupMemberName("org", `C${"1".repeat(32)}`, `U${"3".repeat(32)}`), null);
      const slow = new LineChannel({ baseURL: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`, credentials });
      const started = Date.now();
      await assert.rejects(slow.groupMemberName("org", `C${"1".repeat(32)}`, `U${"2".repeat(32)}`, 200), /no answer within 200 ms/);
      assert.ok(Date.now() - started < 2000);
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
      await line.close();
    }
  });
});
