/**
 * Broadcasts and disaster checks (無事ですか？): the audience reaches exactly the
 * right members, delivery moves from pending to sent, answers are tallied live,
 * "need help" opens one urgent incident and alerts the team, bad input changes
 * nothing, and one organisation never sees another's broadcasts. Then the
 * engine underneath: fail-over delivery states and recipients across many
 * insert batches.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import type { Channel, DeliveryResult, OutgoingMessage } from "../src/engine/ports.ts";
import { ChannelRegistry } from "../src/engine/channels/registry.ts";
import { broadcastCounts, broadcastKey, broadcastRecipients, createBroadcast, recordBroadcastAnswer } from "../src/engine/broadcasts.ts";
import { resolveIncident } from "../src/engine/incidents.ts";
import { createMembers } from "../src/engine/members.ts";
import { createOrganisation } from "../src/engine/organisations.ts";
import { sendReady } from "../src/engine/sender.ts";
import { databaseKinds, startTestService, type TestService } from "./support/harness.ts";
import { memberBody, sandbox } from "./support/sandbox.ts";
import { freshStore } from "./support/store.ts";

type Counts = { delivery: { pending: number; sent: number; failed: number }; answers: { safe: number; needHelp: number; none: number } | null };

for (const kind of databaseKinds()) {
  describe(`broadcasts over the API on ${kind}`, () => {
    let service: TestService;
    let box: ReturnType<typeof sandbox>;
    let teamA: string;
    let defaultTeam: string;
    let emptyTeam: string;
    let group: string;
    /** a1, a2 in team A; d1 in the default team; gone in team A but no longer active. */
    const m: Record<"a1" | "a2" | "d1" | "gone", string> = { a1: "", a2: "", d1: "", gone: "" };

    before(async () => {
      // The engine runs only when the test moves the sandbox clock, so "pending" can be seen.
      service = await startTestService(kind, { MIMAMORI_ENGINE: "0" });
      box = sandbox(service.api);
      const team = await service.api("POST", "/teams", { name: "北地区見守りステーション", channels: [{ kind: "sandbox", address: "team-north" }] });
      assert.equal(team.status, 201);
      teamA = team.body.id;
      emptyTeam = (await service.api("POST", "/teams", { name: "まだ誰もいないチーム" })).body.id;
      const create = async (body: Record<string, unknown>) => {
        const r = await service.api("POST", "/members", memberBody(body));
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body as { id: string; teamId: string };
      };
      m.a1 = (await create({ displayName: "北の一", teamId: teamA, channels: [{ kind: "sandbox", address: "a1" }] })).id;
      m.a2 = (await create({ displayName: "北の二", teamId: teamA, channels: [{ kind: "sandbox", address: "a2" }] })).id;
      const d1 = await create({ displayName: "南の一", channels: [{ kind: "sandbox", address: "d1" }] });
      m.d1 = d1.id;
      defaultTeam = d1.teamId;
      m.gone = (await create({ displayName: "転出済み", teamId: teamA, channels: [{ kind: "sandbox", address: "gone" }] })).id;
      await sql`update members set active = false, next_due_at = null where id = ${m.gone}`.execute(service.store.db);
      const g = await service.api("POST", "/groups", { name: "ひまわり団地", memberIds: [m.a2, m.d1, m.gone] });
      assert.equal(g.status, 201);
      group = g.body.id;
    });
    after(async () => {
      await service?.close();
    });

    const count = async (table: string) =>
      (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(service.store.db)).rows[0].n;
    const counts = async (id: string): Promise<Counts> => {
      const r = await service.api("GET", `/broadcasts/${id}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return { delivery: r.body.delivery, answers: r.body.answers };
    };
    const broadcast = async (body: unknown) => {
      const r = await service.api("POST", "/broadcasts", body);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body as { id: string; recipients: number };
    };
    const answer = async (id: string, memberId: string, value: "safe" | "need_help") => {
      const r = await service.api("POST", `/broadcasts/${id}/answers`, { memberId, answer: value });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body as { memberId: string; answer: string; incidentId: string | null };
    };
    const helpIncidents = async (memberId: string) =>
      ((await service.api("GET", `/incidents?status=unresolved&memberId=${memberId}`)).body.incidents as { id: string; kind: string; urgency: string; timeline: { type: string }[] }[])
        .filter((i) => i.kind === "help_requested");

    test("each audience reaches exactly its active members; delivery moves from pending to sent; the sandbox shows them", async () => {
      await box.delivered(); // skip what came before
      const expected: [unknown, string[]][] = [
        [{ kind: "all" }, [m.a1, m.a2, m.d1]],
        [{ kind: "team", id: teamA }, [m.a1, m.a2]],
        [{ kind: "team", id: defaultTeam }, [m.d1]],
        [{ kind: "group", id: group }, [m.a2, m.d1]],
      ];
      const ids: string[] = [];
      for (const [audience, members] of expected) {
        const created = await broadcast({ audience, text: `【お知らせ】${JSON.stringify(audience)}` });
        assert.equal(created.recipients, members.length, JSON.stringify(audience));
        assert.deepEqual(await counts(created.id), { delivery: { pending: members.length, sent: 0, failed: 0 }, answers: null });
        ids.push(created.id);
      }
      await box.advance("PT0S");
      const delivered = (await box.delivered()).filter((x) => x.kind === "broadcast");
      for (const [i, [audience, members]] of expected.entries()) {
        const mine = delivered.filter((x) => x.payload.broadcastId === ids[i]);
        assert.deepEqual(mine.map((x) => x.to.id).sort(), [...members].sort(), JSON.stringify(audience));
        assert.ok(mine.every((x) => x.to.kind === "member" && x.channel === "sandbox" && x.payload.question === false));
        assert.ok(mine.every((x) => x.text === `【お知らせ】${JSON.stringify(audience)}`), "no question asked, no question added");
        assert.deepEqual(await counts(ids[i]), { delivery: { pending: 0, sent: members.length, failed: 0 }, answers: null });
      }
      const recipients = (await service.api("GET", `/broadcasts/${ids[3]}/recipients`)).body.recipients;
      assert.deepEqual(recipients.map((r: { memberId: string }) => r.memberId), [m.a2, m.d1].sort());
      assert.ok(recipients.every((r: { delivery: string; channel: string; answer: null }) => r.delivery === "sent" && r.channel === "sandbox" && r.answer === null));
    });

    test("answers to the question are tallied live; safe is evidence of life; need help opens one urgent incident and alerts the team", async () => {
      // Today's 09:00 check-ins go out, so the members have open check-ins.
      await box.clockTo("2027-01-04T09:30:00+09:00");
      const before = (await service.api("GET", `/members/${m.a1}`)).body;
      assert.equal(before.openCheckins.length, 1);

      const { id, recipients } = await broadcast({ audience: { kind: "team", id: teamA }, text: "震度5強の地震がありました。", question: true });
      assert.equal(recipients, 2);
      assert.deepEqual((await counts(id)).answers, { safe: 0, needHelp: 0, none: 2 });
      await box.delivered();
      await box.advance("PT0S");
      const sent = (await box.delivered()).filter((x) => x.kind === "broadcast" && x.payload.broadcastId === id);
      assert.equal(sent.length, 2);
      assert.ok(sent.every((x) => x.payload.question === true && /無事ですか？/.test(x.text) && x.text.startsWith("震度5強の地震がありました。")));

      const safe = await answer(id, m.a1, "safe");
      assert.deepEqual(safe, { memberId: m.a1, answer: "safe", incidentId: null });
      assert.deepEqual((await counts(id)).answers, { safe: 1, needHelp: 0, none: 1 });
      const a1 = (await service.api("GET", `/members/${m.a1}`)).body;
      assert.equal(a1.openCheckins.length, 0, "safe closes the open check-in");
      assert.equal(a1.lastAnswer.answer, "ok");
      assert.equal(a1.lastAnswer.source, "staff");
      assert.equal((await helpIncidents(m.a1)).length, 0);

      const help = await answer(id, m.a2, "need_help");
      assert.ok(help.incidentId);
      assert.deepEqual((await counts(id)).answers, { safe: 1, needHelp: 1, none: 0 });
      const [incident] = await helpIncidents(m.a2);
      assert.equal(incident.id, help.incidentId);
      assert.equal(incident.urgency, "urgent");
      assert.deepEqual(incident.timeline.map((e) => e.type), ["opened", "notified"]);
      assert.equal((await service.api("GET", `/members/${m.a2}`)).body.openCheckins.length, 1, "need help is not an OK");
      await box.advance("PT0S");
      const alerts = (await box.delivered()).filter((x) => x.kind === "alert" && x.payload.incidentId === incident.id);
      assert.equal(alerts.length, 1);
      assert.deepEqual(alerts[0].to, { kind: "team", id: teamA });
      assert.match(alerts[0].text, /北の二さんが安否確認に「助けが必要」と回答しました/);

      // The same answer again, and need help to a second question: still one incident, one alert.
      const again = await answer(id, m.a2, "need_help");
      assert.equal(again.incidentId, incident.id);
      const second = await broadcast({ audience: { kind: "group", id: group }, text: "避難所を開設しました。", question: true });
      assert.equal((await answer(second.id, m.a2, "need_help")).incidentId, incident.id);
      assert.equal((await helpIncidents(m.a2)).length, 1);
      await box.advance("PT0S");
      assert.equal((await box.delivered()).filter((x) => x.kind === "alert").length, 0, "the team is not alerted twice");

      // Need help after safe still opens an incident; the tally follows the latest answer.
      const changed = await answer(id, m.a1, "need_help");
      assert.ok(changed.incidentId);
      assert.deepEqual((await counts(id)).answers, { safe: 0, needHelp: 2, none: 0 });
      assert.equal((await helpIncidents(m.a1)).length, 1);
      // Safe after need help: tallied, noted on the incident, the team told; the incident stays open for a human.
      await answer(id, m.a2, "safe");
      assert.deepEqual((await counts(id)).answers, { safe: 1, needHelp: 1, none: 0 });
      const noted = (await helpIncidents(m.a2))[0];
      assert.equal(noted.id, incident.id);
      assert.ok(noted.timeline.some((e) => e.type === "broadcast_answered"));
      await box.advance("PT0S");
      const told = (await box.delivered()).filter((x) => x.to.id === teamA);
      assert.deepEqual(told.map((x) => x.kind).sort(), ["alert", "member_answered"], "a1's alert, and a2 answered safe");

      const byAnswer = async (a: string) =>
        (await service.api("GET", `/broadcasts/${id}/recipients?answer=${a}`)).body.recipients.map((r: { memberId: string }) => r.memberId);
      assert.deepEqual(await byAnswer("need_help"), [m.a1]);
      assert.deepEqual(await byAnswer("safe"), [m.a2]);
      assert.deepEqual(await byAnswer("none"), []);
      const listed = (await service.api("GET", `/broadcasts/${id}/recipients`)).body.recipients;
      assert.equal(listed.find((r: { memberId: string }) => r.memberId === m.a1).incidentId, changed.incidentId);
    });

    test("the list is newest first, and every broadcast and answer taken by staff is audited", async () => {
      const first = await broadcast({ audience: { kind: "all" }, text: "一つ目" });
      await box.advance("PT1M");
      const second = await broadcast({ audience: { kind: "all" }, text: "二つ目", question: true });
      const list = (await service.api("GET", "/broadcasts?limit=2")).body.broadcasts;
      assert.deepEqual(list.map((b: { id: string }) => b.id), [second.id, first.id]);
      assert.deepEqual(list[0].audience, { kind: "all" });
      assert.equal(list[0].question, true);
      assert.equal(list[0].recipients, 3);
      assert.equal(list[0].text, "二つ目");
      await answer(second.id, m.d1, "safe");
      const log = (await service.api("GET", "/audit-log?limit=1000")).body.entries as { action: string; subject: { id: string }; detail: Record<string, unknown> }[];
      const created = log.filter((e) => e.action === "broadcast.create" && e.subject.id === second.id);
      assert.equal(created.length, 1);
      assert.equal(created[0].detail.recipients, 3);
      assert.equal(log.filter((e) => e.action === "broadcast.answer" && e.subject.id === second.id).length, 1);
    });

    test("bad input is refused with 4xx naming the field, and nothing is written", async () => {
      const missing = "00000000-0000-4000-8000-000000000000";
      const cases: [string, unknown, number, string][] = [
        ["no text", { audience: { kind: "all" }, text: "" }, 400, "text"],
        ["blank text", { audience: { kind: "all" }, text: "   " }, 400, "text"],
        ["text too long", { audience: { kind: "all" }, text: "あ".repeat(2001) }, 400, "text"],
        ["no audience", { text: "x" }, 400, "audience"],
        ["an unknown audience kind", { audience: { kind: "planet" }, text: "x" }, 400, "audience.kind"],
        ["an id with all", { audience: { kind: "all", id: teamA }, text: "x" }, 400, "audience.id"],
        ["a team without id", { audience: { kind: "team" }, text: "x" }, 400, "audience.id"],
        ["a team id that is no id", { audience: { kind: "team", id: "north" }, text: "x" }, 400, "audience.id"],
        ["a team that does not exist", { audience: { kind: "team", id: missing }, text: "x" }, 422, "audience.id"],
        ["a group that does not exist", { audience: { kind: "group", id: missing }, text: "x" }, 422, "audience.id"],
        ["a group id given as a team", { audience: { kind: "team", id: group }, text: "x" }, 422, "audience.id"],
        ["a team with no members", { audience: { kind: "team", id: emptyTeam }, text: "x" }, 422, "audience"],
        ["an unknown field", { audience: { kind: "all" }, text: "x", priority: "high" }, 400, "priority"],
        ["a question that is not a boolean", { audience: { kind: "all" }, text: "x", question: "yes" }, 400, "question"],
      ];
      const tables = ["broadcasts", "broadcast_recipients", "outbox", "incidents", "answers"];
      const before = await Promise.all(tables.map(count));
      for (const [what, body, status, field] of cases) {
        const r = await service.api("POST", "/broadcasts", body);
        assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.field, field, `${what}: ${JSON.stringify(r.body)}`);
        assert.equal(typeof r.body.error.message, "string");
        assert.ok(r.body.error.code, what);
      }
      const plain = (await service.api("GET", "/broadcasts?limit=500")).body.broadcasts.find((b: { question: boolean }) => !b.question);
      const asked = (await service.api("GET", "/broadcasts?limit=500")).body.broadcasts.find((b: { question: boolean; audience: { id?: string } }) =>
        b.question && b.audience.id === teamA);
      const answers: [string, string, unknown, number, string | undefined][] = [
        ["an unknown answer", `/broadcasts/${asked.id}/answers`, { memberId: m.a1, answer: "maybe" }, 400, "answer"],
        ["no member", `/broadcasts/${asked.id}/answers`, { answer: "safe" }, 400, "memberId"],
        ["an unknown field", `/broadcasts/${asked.id}/answers`, { memberId: m.a1, answer: "safe", note: "x" }, 400, "note"],
        ["a member who did not receive it", `/broadcasts/${asked.id}/answers`, { memberId: m.d1, answer: "need_help" }, 422, "memberId"],
        ["a member that does not exist", `/broadcasts/${asked.id}/answers`, { memberId: missing, answer: "need_help" }, 422, "memberId"],
        ["a broadcast without question", `/broadcasts/${plain.id}/answers`, { memberId: m.a1, answer: "need_help" }, 409, "answer"],
        ["a broadcast that does not exist", `/broadcasts/${missing}/answers`, { memberId: m.a1, answer: "need_help" }, 404, undefined],
        ["a broadcast id that is no id", "/broadcasts/latest/answers", { memberId: m.a1, answer: "need_help" }, 400, "params.id"],
      ];
      const tallyBefore = await counts(asked.id);
      for (const [what, path, body, status, field] of answers) {
        const r = await service.api("POST", path, body);
        assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.field, field, what);
      }
      assert.deepEqual(await Promise.all(tables.map(count)), before, "nothing was written");
      assert.deepEqual(await counts(asked.id), tallyBefore);
      assert.equal((await service.api("GET", `/broadcasts/${missing}`)).status, 404);

      const observer = (await service.api("POST", "/tokens", { name: "統計", role: "observer" })).body.token as string;
      assert.equal((await service.api("POST", "/broadcasts", { audience: { kind: "all" }, text: "x" }, observer)).status, 403);
      assert.equal((await service.api("POST", `/broadcasts/${asked.id}/answers`, { memberId: m.a1, answer: "safe" }, observer)).status, 403);
      assert.equal((await service.api("GET", `/broadcasts/${asked.id}`, undefined, observer)).status, 200, "observers may read the counts");
      assert.deepEqual(await Promise.all(tables.map(count)), before);
    });

    test("another organisation never sees, answers or targets this one's broadcasts", async () => {
      const mine = await broadcast({ audience: { kind: "group", id: group }, text: "団地の皆さまへ", question: true });
      const other = await service.api("POST", "/organisations", { name: "隣の市" });
      assert.equal(other.status, 201);
      const theirs = other.body.adminToken as string;
      const theirMember = (await service.api("POST", "/members", memberBody({ displayName: "隣の市の人" }), theirs)).body;
      for (const [method, path, body] of [
        ["GET", `/broadcasts/${mine.id}`],
        ["GET", `/broadcasts/${mine.id}/recipients`],
        ["POST", `/broadcasts/${mine.id}/answers`, { memberId: m.a2, answer: "need_help" }],
        ["POST", `/broadcasts/${mine.id}/answers`, { memberId: theirMember.id, answer: "need_help" }],
      ] as [string, string, unknown?][]) {
        const r = await service.api(method, path, body, theirs);
        assert.equal(r.status, 404, `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
      }
      for (const audience of [{ kind: "team", id: teamA }, { kind: "group", id: group }]) {
        const r = await service.api("POST", "/broadcasts", { audience, text: "x" }, theirs);
        assert.equal(r.status, 422, JSON.stringify(audience));
        assert.equal(r.body.error.field, "audience.id");
      }
      assert.deepEqual((await service.api("GET", "/broadcasts", undefined, theirs)).body.broadcasts, []);
      const theirAll = await service.api("POST", "/broadcasts", { audience: { kind: "all" }, text: "隣の市から" }, theirs);
      assert.equal(theirAll.status, 201);
      assert.equal(theirAll.body.recipients, 1, "their 'all' is their own members only");
      assert.deepEqual((await counts(mine.id)).answers, { safe: 0, needHelp: 0, none: 2 });
      const ours: { id: string }[] = (await service.api("GET", "/broadcasts?limit=500")).body.broadcasts;
      assert.ok(ours.some((b) => b.id === mine.id), "our own broadcast is listed");
      assert.ok(!ours.some((b) => b.id === theirAll.body.id));
      await box.advance("PT0S");
      const seen = (await service.api("GET", "/sandbox/outbox?limit=2000", undefined, theirs)).body.messages as { kind: string; to: { id: string } }[];
      assert.deepEqual(seen.filter((x) => x.kind === "broadcast").map((x) => x.to.id), [theirMember.id]);
    });

    test("a deleted member leaves the recipients and the tallies with all their data", async () => {
      const leaving = (await service.api("POST", "/members", memberBody({ displayName: "退会予定", teamId: teamA }))).body.id as string;
      const { id } = await broadcast({ audience: { kind: "team", id: teamA }, text: "確認です", question: true });
      await answer(id, leaving, "need_help");
      assert.deepEqual((await counts(id)).answers, { safe: 0, needHelp: 1, none: 2 });
      assert.equal((await service.api("DELETE", `/members/${leaving}`)).status, 204);
      assert.deepEqual((await counts(id)).answers, { safe: 0, needHelp: 0, none: 2 });
      assert.deepEqual((await counts(id)).delivery, { pending: 2, sent: 0, failed: 0 });
      const left = await sql<{ n: number }>`select count(*)::int as n from broadcast_recipients where member_id = ${leaving}`.execute(service.store.db);
      assert.equal(left.rows[0].n, 0);
      const listed = (await service.api("GET", `/broadcasts/${id}/recipients`)).body.recipients.map((r: { memberId: string }) => r.memberId);
      assert.deepEqual(listed, [m.a1, m.a2].sort());
    });

    test("the OpenAPI document describes the broadcast routes from the same schemas", async () => {
      const doc = (await (await fetch(`${service.url}/api/v1/openapi.json`)).json()) as any;
      const create = doc.paths["/api/v1/broadcasts"].post.requestBody.content["application/json"].schema;
      assert.deepEqual(create.required.sort(), ["audience", "text"]);
      assert.equal(create.additionalProperties, false);
      assert.ok(doc.paths["/api/v1/broadcasts/{id}"].get);
      assert.ok(doc.paths["/api/v1/broadcasts/{id}/answers"].post);
      assert.ok(doc.paths["/api/v1/broadcasts/{id}/recipients"].get);
    });
  });

  describe(`broadcasts in the engine on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    const NOW = new Date("2027-01-04T08:00:00+09:00");
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId } = await createOrganisation(store.db, "engine", NOW));
    });
    after(async () => {
      await store?.dispose();
    });

    /** LINE fails for the addresses listed; everything else is sent. */
    class Refusing implements Channel {
      readonly name = "refusing";
      readonly refuse: Set<string>;
      constructor(refuse: string[]) {
        this.refuse = new Set(refuse);
      }
      async send(messages: OutgoingMessage[]): Promise<DeliveryResult[]> {
        return messages.map((x) => (this.refuse.has(x.address) ? { status: "failed", error: "blocked" } : { status: "sent" }));
      }
    }

    test("a recipient whose first channel fails is sent through the next one, or failed when none is left", async () => {
      const ids = await createMembers(store.db, organisationId, [
        { displayName: "LINEだけ", channels: [{ kind: "line", address: "U-only" }], plan: { every: "1d", at: "09:00" } },
        { displayName: "LINEとメール", channels: [{ kind: "line", address: "U-then-mail" }, { kind: "email", address: "x@example.jp" }], plan: { every: "1d", at: "09:00" } },
        { displayName: "メール", channels: [{ kind: "email", address: "y@example.jp" }], plan: { every: "1d", at: "09:00" } },
      ], NOW);
      const { id } = await createBroadcast(store.db, { organisationId, audience: { kind: "all" }, text: "停電のお知らせ", question: false, createdBy: "test" }, NOW);
      assert.deepEqual((await broadcastCounts(store.db, id)).delivery, { pending: 3, sent: 0, failed: 0 });
      const channel = new Refusing(["U-only", "U-then-mail"]);
      const channels = new ChannelRegistry(channel);
      await sendReady(store.db, channels, NOW, 100, 60_000);
      assert.deepEqual((await broadcastCounts(store.db, id)).delivery, { pending: 1, sent: 1, failed: 1 }, "the fail-over row is pending");
      await sendReady(store.db, channels, NOW, 100, 60_000);
      assert.deepEqual((await broadcastCounts(store.db, id)).delivery, { pending: 0, sent: 2, failed: 1 });
      const failover = await store.db.selectFrom("outbox").select(["channel_kind", "status"])
        .where("idempotency_key", "=", `${broadcastKey(id, ids[1])}#1`).executeTakeFirstOrThrow();
      assert.deepEqual(failover, { channel_kind: "email", status: "sent" });
      const byMember = new Map((await broadcastRecipients(store.db, id, { limit: 10 })).map((r) => [r.memberId, r.delivery]));
      assert.deepEqual([ids[0], ids[1], ids[2]].map((x) => byMember.get(x)), ["failed", "sent", "sent"]);
    });

    test("thousands of recipients across many insert batches, each with one outbox row under its own key", async () => {
      const n = 4_321;
      await createMembers(store.db, organisationId, Array.from({ length: n }, (_, i) => ({
        displayName: `利用者${i}`, channels: [{ kind: "sandbox" as const, address: `s${i}` }], plan: { every: "1d" as const, at: "09:00" },
      })), NOW);
      const all = (await sql<{ n: number }>`select count(*)::int as n from members where organisation_id = ${organisationId} and active`.execute(store.db)).rows[0].n;
      const { id, recipients } = await createBroadcast(store.db, {
        organisationId, audience: { kind: "all" }, text: "大雨警報", question: true, createdBy: "test",
      }, NOW);
      assert.equal(recipients, all);
      const rows = (await sql<{ n: number; keys: number; members: number }>`
        select count(*)::int as n, count(distinct idempotency_key)::int as keys, count(distinct recipient_id)::int as members
        from outbox where message_kind = 'broadcast' and payload->>'broadcastId' = ${id}`.execute(store.db)).rows[0];
      assert.deepEqual(rows, { n: all, keys: all, members: all });
      const counted = await broadcastCounts(store.db, id);
      assert.deepEqual(counted, { delivery: { pending: all, sent: 0, failed: 0 }, answers: { safe: 0, needHelp: 0, none: all } });
      const someone = (await broadcastRecipients(store.db, id, { limit: 1 }))[0].memberId;
      const outcome = await recordBroadcastAnswer(store.db, {
        organisationId, broadcastId: id, memberId: someone, answer: "need_help", source: "staff", byLabel: "test", channel: "api",
      }, NOW);
      assert.equal(outcome.status, "recorded");
      assert.deepEqual((await broadcastCounts(store.db, id)).answers, { safe: 0, needHelp: 1, none: all - 1 });
    });

    test("two answers for one member at once never open two help incidents", async () => {
      const [memberId] = await createMembers(store.db, organisationId, [
        { displayName: "同時", channels: [{ kind: "sandbox", address: "both" }], plan: { every: "1d", at: "09:00" } },
      ], NOW);
      const team = { id: crypto.randomUUID() };
      await store.db.insertInto("teams").values({ id: team.id, organisation_id: organisationId, name: "一人だけのチーム", created_at: NOW }).execute();
      await store.db.updateTable("members").set({ team_id: team.id }).where("id", "=", memberId).execute();
      const a = await createBroadcast(store.db, { organisationId, audience: { kind: "team", ids: [team.id] }, text: "一", question: true, createdBy: "t" }, NOW);
      const b = await createBroadcast(store.db, { organisationId, audience: { kind: "team", ids: [team.id] }, text: "二", question: true, createdBy: "t" }, NOW);
      const outcomes = await Promise.all([a.id, b.id, a.id].map((broadcastId) => recordBroadcastAnswer(store.db, {
        organisationId, broadcastId, memberId, answer: "need_help", source: "staff", byLabel: "t", channel: "api",
      }, NOW)));
      assert.ok(outcomes.every((o) => o.status === "recorded"));
      const open = await store.db.selectFrom("incidents").select(["id", "urgency"]).where("member_id", "=", memberId)
        .where("kind", "=", "help_requested").execute();
      assert.equal(open.length, 1);
      assert.equal(open[0].urgency, "urgent");
      assert.ok(outcomes.every((o) => o.status === "recorded" && o.incidentId === open[0].id));
      const alerts = await store.db.selectFrom("outbox").select("id").where("incident_id", "=", open[0].id).where("message_kind", "=", "alert").execute();
      assert.equal(alerts.length, 1);

      // Once a human has resolved it, a new call for help opens a new incident, and the recipient points at it.
      assert.deepEqual(await resolveIncident(store.db, organisationId, open[0].id, "reached_by_phone", "", "staff", NOW), { ok: true });
      const again = await recordBroadcastAnswer(store.db, {
        organisationId, broadcastId: a.id, memberId, answer: "need_help", source: "staff", byLabel: "t", channel: "api",
      }, NOW);
      assert.ok(again.status === "recorded" && again.incidentId && again.incidentId !== open[0].id);
      const [row] = await broadcastRecipients(store.db, a.id, { limit: 1 });
      assert.equal(row.incidentId, again.incidentId);
    });
  });
}
