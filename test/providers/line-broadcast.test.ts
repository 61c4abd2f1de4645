/**
 * A disaster check over LINE, with the official SDK talking to the local
 * LINE-compatible server: a question broadcast to 1,200 LINE members goes out as
 * three multicasts (500 + 500 + 200) carrying 無事 / 助けが必要; a member taps
 * 助けが必要 and an urgent incident opens and the team hears of it in LINE.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { buildLineMessages } from "../../src/providers/line/messages.ts";
import { broadcastText } from "../../src/domain/broadcasts.ts";
import { databaseKinds, type TestService } from "../support/harness.ts";
import type { LineApiServer, } from "../support/line-api-server.ts";
import { type LineFixture, postbacksIn, startLineFixture } from "../support/line-fixture.ts";
import { follow, postback, text } from "../support/line-webhook.ts";

describe("LINE broadcast messages", () => {
  const id = "0190a0b0-0000-7000-8000-000000000001";
  test("a question carries 無事 and 助けが必要 as postbacks, and keeps the whole text and the question", () => {
    const text = broadcastText("あ".repeat(2000), true);
    const [message] = buildLineMessages({ kind: "broadcast", text, payload: { broadcastId: id, question: true } });
    assert.equal(message.type, "flex");
    const json = JSON.stringify(message);
    assert.deepEqual(json.match(/"data":"([^"]+)"/g), [`"data":"a=bc&b=${id}&v=safe"`, `"data":"a=bc&b=${id}&v=need_help"`]);
    const body = (message as { contents: { body: { contents: { text?: string }[] } } }).contents.body.contents;
    assert.equal(body[0].text, text, "nothing of the text or the question is cut");
    assert.ok((message as { altText: string }).altText.length <= 1500);
  });
  test("without a question, or with a payload that only looks like one, it is plain text", () => {
    for (const payload of [{ broadcastId: id, question: false }, { broadcastId: id, question: "true" }, { question: true }]) {
      const [message] = buildLineMessages({ kind: "broadcast", text: "お知らせ", payload });
      assert.deepEqual(message, { type: "text", text: "お知らせ" }, JSON.stringify(payload));
    }
  });
});

const TOTAL = 1200;

for (const kind of databaseKinds()) {
  describe(`LINE broadcasts on ${kind}`, () => {
    let line: LineApiServer;
    let service: TestService;
    const member = `U${"a".repeat(32)}`;
    const staff = `U${"5".repeat(32)}`;
    const stranger = `U${"c".repeat(32)}`;
    let memberId: string;
    let addresses: string[];

    let fixture: LineFixture;
    before(async () => {
      fixture = await startLineFixture(kind);
      ({ line, service } = fixture);
      // The team that looks after everyone is reached in LINE.
      const [team] = (await service.api("GET", "/teams")).body.teams;
      assert.equal((await service.api("PATCH", `/teams/${team.id}`, { channels: [{ kind: "line", address: staff }] })).status, 200);

      // One member registers in LINE; the other 1,199 are registered in bulk.
      await send(follow(member));
      for (const choice of ["a=reg&reg=consent&v=yes", "a=reg&reg=every&v=1d", "a=reg&reg=at&v=09:00"]) await send(postback(member, choice));
      await send(text(member, "花子"));
      assert.match(lastTextTo(member), /登録が完了しました/);
      const others = Array.from({ length: TOTAL - 1 }, (_, i) => `U${(i + 1).toString(16).padStart(32, "0")}`);
      const bulk = await service.api("POST", "/members/bulk", {
        members: others.map((address, i) => ({ displayName: `利用者${i + 1}`, channels: [{ kind: "line", address }], plan: { every: "1d", at: "09:00" } })),
      });
      assert.equal(bulk.status, 201, JSON.stringify(bulk.body));
      const all: { id: string; channels: { address: string }[] }[] = (await service.api("GET", "/members?limit=1000")).body.members;
      all.push(...(await service.api("GET", `/members?limit=1000&after=${all.at(-1)?.id}`)).body.members);
      assert.equal(all.length, TOTAL);
      memberId = all.find((m) => m.channels[0].address === member)?.id ?? "";
      assert.ok(memberId, "the LINE registration made a member");
      addresses = [member, ...others];
    });
    after(async () => {
      await fixture?.close();
    });

    const send = (...events: unknown[]) => fixture.send(...events);
    const pushesTo = (to: string) => fixture.pushesTo(to);
    const lastTextTo = (to: string) => fixture.lastTextTo(to);
    const labelsIn = (value: unknown): string[] =>
      JSON.stringify(value).match(/"label":"([^"]+)"/g)?.map((m) => m.slice(9, -1)) ?? [];
    const helpIncidents = async () =>
      ((await service.api("GET", `/incidents?status=unresolved&memberId=${memberId}`)).body.incidents as { id: string; kind: string; urgency: string }[])
        .filter((i) => i.kind === "help_requested");

    test("a question to 1,200 LINE members goes as three multicasts; 助けが必要 opens an urgent incident and tells the team", async () => {
      const created = await service.api("POST", "/broadcasts", {
        audience: { kind: "all" }, text: "【防災】震度6弱の地震がありました。\nAn earthquake of intensity 6- occurred.", question: true,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const { id, recipients } = created.body;
      assert.equal(recipients, TOTAL);
      await service.api("POST", "/sandbox/clock", { advance: "PT0S" });

      const mine = line.multicasts.filter((mc) => JSON.stringify(mc.body).includes(`b=${id}`));
      assert.deepEqual(mine.map((mc) => mc.body.to.length).sort((a, b) => a - b), [200, 500, 500]);
      const reached = mine.flatMap((mc) => mc.body.to);
      assert.equal(new Set(reached).size, TOTAL, "each member once");
      assert.deepEqual([...reached].sort(), [...addresses].sort());
      assert.ok(mine.every((mc) => mc.retryKey), "every multicast carries X-Line-Retry-Key");
      assert.equal(line.pushes.filter((p) => JSON.stringify(p.body).includes(`b=${id}`)).length, 0, "nothing went one by one");
      for (const mc of mine) {
        assert.equal(mc.body.messages.length, 1);
        assert.equal(mc.body.messages[0].type, "flex");
        assert.deepEqual(postbacksIn(mc.body), [`a=bc&b=${id}&v=safe`, `a=bc&b=${id}&v=need_help`]);
        assert.deepEqual(labelsIn(mc.body), ["無事", "助けが必要"]);
        assert.match(JSON.stringify(mc.body), /震度6弱の地震がありました/);
      }
      const counted = (await service.api("GET", `/broadcasts/${id}`)).body;
      assert.deepEqual(counted.delivery, { pending: 0, sent: TOTAL, failed: 0 });
      assert.deepEqual(counted.answers, { safe: 0, needHelp: 0, none: TOTAL });

      const [safe, needHelp] = postbacksIn(mine[0].body);
      await send(postback(member, needHelp));
      assert.match(lastTextTo(member), /担当者に知らせました/);
      const [incident] = await helpIncidents();
      assert.ok(incident, "a help-requested incident is open");
      assert.equal(incident.urgency, "urgent");
      assert.deepEqual((await service.api("GET", `/broadcasts/${id}`)).body.answers, { safe: 0, needHelp: 1, none: TOTAL - 1 });
      const alert = pushesTo(staff).filter((p) => JSON.stringify(p.body).includes(incident.id));
      assert.equal(alert.length, 1, "the team is alerted in LINE");
      assert.match(JSON.stringify(alert[0].body), /花子さんが安否確認に「助けが必要」と回答しました/);
      assert.deepEqual(postbacksIn(alert[0].body).map((d) => d.split("&i=")[0]), ["a=ack", "a=safe"]);

      // Tapping again opens nothing new; 無事 afterwards is tallied, and the incident waits for a human.
      await send(postback(member, needHelp));
      assert.equal((await helpIncidents()).length, 1);
      await send(postback(member, safe));
      assert.match(lastTextTo(member), /ありがとうございます/);
      assert.deepEqual((await service.api("GET", `/broadcasts/${id}`)).body.answers, { safe: 1, needHelp: 0, none: TOTAL - 1 });
      assert.deepEqual((await helpIncidents()).map((i) => i.id), [incident.id]);
      const last = (await service.api("GET", `/members/${memberId}`)).body.lastAnswer;
      assert.deepEqual([last.answer, last.source], ["ok", "member"], "無事 is evidence of life");

      // Someone who is not a member, and a forged broadcast id, change nothing.
      await send(follow(stranger));
      await send(postback(stranger, needHelp));
      assert.match(lastTextTo(stranger), /この操作はできません/);
      await send(postback(member, "a=bc&b=00000000-0000-4000-8000-000000000000&v=need_help"));
      assert.match(lastTextTo(member), /この操作はできません/);
      await send(postback(member, `a=bc&b=${id}&v=maybe`));
      assert.match(lastTextTo(member), /この操作はできません/);
      assert.deepEqual((await service.api("GET", `/broadcasts/${id}`)).body.answers, { safe: 1, needHelp: 0, none: TOTAL - 1 });
    });

    test("a broadcast without question is plain text by multicast, with no buttons", async () => {
      const created = await service.api("POST", "/broadcasts", { audience: { kind: "all" }, text: "【お知らせ】給水所を開設しました。" });
      assert.equal(created.status, 201);
      await service.api("POST", "/sandbox/clock", { advance: "PT0S" });
      const sent = line.multicasts.filter((mc) => JSON.stringify(mc.body).includes("給水所を開設しました"));
      assert.equal(sent.reduce((n, mc) => n + mc.body.to.length, 0), TOTAL);
      assert.ok(sent.every((mc) => mc.body.messages[0].type === "text" && postbacksIn(mc.body).length === 0));
      assert.deepEqual((await service.api("GET", `/broadcasts/${created.body.id}`)).body.delivery, { pending: 0, sent: TOTAL, failed: 0 });
    });
  });
}
