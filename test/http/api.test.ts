/**
 * The API's contract: clear 4xx errors that name the field and change nothing,
 * tokens that reach only their own organisation, privacy by role, OpenAPI.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`API on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    const count = async (table: string) => {
      const { sql } = await import("kysely");
      const r = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(service.store.db);
      return r.rows[0].n;
    };

    const rejects: [string, unknown, number, string | undefined][] = [
      ["no display name", { ...memberBody(), displayName: "" }, 400, "displayName"],
      ["an unknown field", { ...memberBody(), favouriteColour: "blue" }, 400, "favouriteColour"],
      ["an unknown field in the plan", { ...memberBody(), plan: { every: "1d", at: "09:00", cron: "* * *" } }, 400, "plan.cron"],
      ["a time that does not exist", { ...memberBody(), plan: { every: "1d", at: "25:00" } }, 400, "plan.at"],
      ["an interval we do not offer", { ...memberBody(), plan: { every: "4d", at: "09:00" } }, 400, "plan.every"],
      ["a weekly plan without a weekday", { ...memberBody(), plan: { every: "weekly", at: "09:00" } }, 400, "plan.weekday"],
      ["an unknown time zone", { ...memberBody(), plan: { every: "1d", at: "09:00", timeZone: "Mars/Olympus" } }, 400, "plan.timeZone"],
      ["no channel", { ...memberBody(), channels: [] }, 400, "channels"],
      ["an unknown channel kind", { ...memberBody(), channels: [{ kind: "pigeon", address: "x" }] }, 400, "channels.0.kind"],
      ["a bad e-mail address", { ...memberBody(), channels: [{ kind: "email", address: "not-an-address" }] }, 400, "channels.0.address"],
      ["a contact without relation", { ...memberBody(), contacts: [{ displayName: "a", channels: [] }] }, 400, "contacts.0.relation"],
      ["a team of another kind of id", { ...memberBody(), teamId: "team-1" }, 400, "teamId"],
      ["a team that does not exist", { ...memberBody(), teamId: "00000000-0000-4000-8000-000000000000" }, 422, "teamId"],
    ];
    for (const [what, body, status, field] of rejects) {
      test(`a member with ${what} is refused with ${status} naming ${field}, and nothing is written`, async () => {
        const before = await count("members");
        const r = await service.api("POST", "/members", body);
        assert.equal(r.status, status, JSON.stringify(r.body));
        assert.equal(r.body.error.field, field);
        assert.equal(typeof r.body.error.message, "string");
        assert.ok(r.body.error.code);
        assert.equal(await count("members"), before);
      });
    }

    test("malformed JSON gets 400 invalid_json", async () => {
      const r = await service.api("POST", "/members", "{not json");
      assert.equal(r.status, 400);
      assert.equal(r.body.error.code, "invalid_json");
    });

    test("a bulk registration with one bad member writes none of them", async () => {
      const before = await count("members");
      const contactsBefore = await count("contacts");
      const members = [memberBody(), memberBody(), { ...memberBody(), plan: { every: "1d", at: "9am" } }];
      const r = await service.api("POST", "/members/bulk", { members });
      assert.equal(r.status, 400);
      assert.equal(r.body.error.field, "members.2.plan.at");
      const missingGroup = await service.api("POST", "/members/bulk", {
        members: [memberBody(), { ...memberBody(), groupIds: ["00000000-0000-4000-8000-000000000000"] }],
      });
      assert.equal(missingGroup.status, 422);
      assert.equal(await count("members"), before);
      assert.equal(await count("contacts"), contactsBefore);
      const ok = await service.api("POST", "/members/bulk", { members: [memberBody(), memberBody()] });
      assert.equal(ok.status, 201);
      assert.equal(ok.body.ids.length, 2);
      assert.equal(await count("members"), before + 2);
    });

    test("bad answers, outcomes, policies and clock moves are refused", async () => {
      const member = (await service.api("POST", "/members", memberBody())).body;
      const cases: [string, string, unknown, number, string | undefined][] = [
        ["POST", `/members/${member.id}/answers`, { answer: "maybe" }, 400, "answer"],
        ["POST", `/members/${member.id}/answers`, { answer: "ok", source: "contact" }, 400, "contactId"],
        ["POST", `/members/${member.id}/answers`, { answer: "ok", source: "contact", contactId: "00000000-0000-4000-8000-000000000000" }, 422, "contactId"],
        ["POST", "/members/00000000-0000-4000-8000-000000000000/answers", { answer: "ok" }, 404, undefined],
        ["POST", "/members/nope/answers", { answer: "ok" }, 400, "params.id"],
        ["POST", `/members/${member.id}/pause`, { reason: "bored" }, 400, "reason"],
        ["POST", `/members/${member.id}/pause`, { reason: "travel", until: "2027-02-30" }, 400, "until"],
        ["POST", `/members/${member.id}/pause`, { reason: "travel", until: "2020-01-01" }, 400, "until"],
        ["PUT", "/escalation-policy", { standard: { steps: [{ after: "3 hours", action: "resend" }] } }, 400, "standard.steps.0.after"],
        ["PUT", "/escalation-policy", { standard: { steps: [{ after: "PT1H", action: "notify_contact" }] } }, 400, "standard.steps.0.contact"],
        ["PUT", "/escalation-policy", { standard: { steps: [{ after: "PT1H", action: "dance" }] } }, 400, "standard.steps.0.action"],
        ["POST", "/sandbox/clock", { advance: "tomorrow" }, 400, undefined],
        ["POST", "/sandbox/clock", { to: "2020-01-01T00:00:00+09:00" }, 409, "to"],
        ["GET", "/incidents?status=sleeping", undefined, 400, "querystring.status"],
      ];
      for (const [method, path, body, status, field] of cases) {
        const r = await service.api(method, path, body);
        assert.equal(r.status, status, `${method} ${path} ${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
        if (field) assert.equal(r.body.error.field, field, `${method} ${path} ${JSON.stringify(body)}`);
      }
      const policy = await service.api("GET", "/escalation-policy");
      assert.equal(policy.body.customised, false, "refused policies were not stored");
      assert.equal((await service.api("GET", `/members/${member.id}/history`)).body.answers.length, 0);
    });

    test("requests without a valid token are refused", async () => {
      const none = await fetch(`${service.url}/api/v1/members`);
      assert.equal(none.status, 401);
      assert.equal(((await none.json()) as { error: { field: string } }).error.field, "authorization");
      const wrong = await service.api("GET", "/members", undefined, "mmr_wrong");
      assert.equal(wrong.status, 401);
    });

    test("one organisation's token never reaches another's data", async () => {
      const other = await service.api("POST", "/organisations", { name: "隣の市" });
      assert.equal(other.status, 201);
      const theirs = other.body.adminToken as string;
      const mine = (await service.api("POST", "/members", memberBody())).body;
      const contactId = mine.contacts[0].id;
      const theirMember = (await service.api("POST", "/members", memberBody({ displayName: "他市の人" }), theirs)).body;
      for (const [method, path, body] of [
        ["GET", `/members/${mine.id}`],
        ["GET", `/members/${mine.id}/history`],
        ["PATCH", `/members/${mine.id}`, { displayName: "x" }],
        ["POST", `/members/${mine.id}/answers`, { answer: "ok" }],
        ["POST", `/members/${mine.id}/pause`, { reason: "travel" }],
        ["DELETE", `/members/${mine.id}`],
        ["GET", `/members/${mine.id}/contacts`],
        ["PATCH", `/contacts/${contactId}`, { relation: "x" }],
        ["GET", `/teams/${mine.teamId}`],
        ["POST", "/sandbox/reply", { memberId: mine.id, answer: "ok" }],
      ] as [string, string, unknown?][]) {
        const r = await service.api(method, path, body, theirs);
        assert.equal(r.status, 404, `${method} ${path} → ${r.status}`);
      }
      const list = await service.api("GET", "/members?limit=1000", undefined, theirs);
      assert.deepEqual(list.body.members.map((m: { id: string }) => m.id), [theirMember.id]);
      // Both organisations have messages out (a notice to everyone), so the outbox has something to leak.
      for (const token of [theirs, undefined]) {
        assert.equal((await service.api("POST", "/broadcasts", { audience: { kind: "all" }, text: "お知らせ" }, token)).status, 201);
      }
      await service.api("POST", "/sandbox/clock", { advance: "PT0S" });
      type Sent = { to: { id: string }; kind: string };
      const outbox: Sent[] = (await service.api("GET", "/sandbox/outbox", undefined, theirs)).body.messages;
      assert.ok(outbox.some((m) => m.kind === "broadcast" && m.to.id === theirMember.id), "their own notice is there");
      const ours: Sent[] = (await service.api("GET", "/sandbox/outbox")).body.messages;
      assert.ok(ours.some((m) => m.kind === "broadcast" && m.to.id === mine.id), "ours is there, to be kept from them");
      const theirRecipients = new Set([theirMember.id, theirMember.teamId, ...theirMember.contacts.map((c: { id: string }) => c.id)]);
      assert.deepEqual(outbox.filter((m) => !theirRecipients.has(m.to.id)), [], "nothing addressed to another organisation");
      const mineAfter = (await service.api("GET", `/members/${mine.id}`)).body;
      assert.equal(mineAfter.displayName, mine.displayName);
      assert.equal(mineAfter.pause, null);
      const forged = await service.api("POST", "/organisations", { name: "x" }, theirs);
      assert.equal(forged.status, 403, "only the instance administrator creates organisations");
    });

    test("personal information is optional, shown only to staff and admins, and every view is audited", async () => {
      const minimal = await service.api("POST", "/members", { displayName: "匿名", channels: [{ kind: "sandbox", address: "anon" }], plan: { every: "3d", at: "07:15" } });
      assert.equal(minimal.status, 201);
      assert.equal(minimal.body.fullName, undefined);
      const full = (await service.api("POST", "/members", memberBody({ fullName: "山田 花子", address: "松戸市1-2-3", medicalNotes: "糖尿病" }))).body;
      assert.equal(full.fullName, "山田 花子");
      const observer = await service.api("POST", "/tokens", { name: "statistics", role: "observer" });
      assert.equal(observer.status, 201);
      const seen = await service.api("GET", `/members/${full.id}`, undefined, observer.body.token);
      assert.equal(seen.status, 200);
      assert.equal(seen.body.fullName, undefined);
      assert.equal(seen.body.medicalNotes, undefined);
      assert.equal((await service.api("PATCH", `/members/${full.id}`, { displayName: "x" }, observer.body.token)).status, 403);
      const listed = await service.api("GET", "/members?limit=1000");
      assert.ok(listed.body.members.some((m: { id: string }) => m.id === full.id), "the member with personal details is listed");
      assert.ok(listed.body.members.every((m: Record<string, unknown>) => m.fullName === undefined && m.address === undefined));
      await service.api("GET", `/members/${full.id}`);
      const log = await service.api("GET", "/audit-log?limit=1000");
      const views = log.body.entries.filter((e: { action: string; subject: { id: string } }) => e.action === "member.view" && e.subject.id === full.id);
      assert.ok(views.length >= 2, "the creation's answer and the later view are both audited");
      assert.equal((await service.api("GET", "/audit-log", undefined, observer.body.token)).status, 403);
    });

    test("teams, groups and contacts can be created, changed and removed", async () => {
      const team = (await service.api("POST", "/teams", { name: "地域包括支援センター", channels: [{ kind: "email", address: "center@example.jp" }] })).body;
      const a = (await service.api("POST", "/members", memberBody({ teamId: team.id }))).body;
      const b = (await service.api("POST", "/members", memberBody({ teamId: team.id }))).body;
      assert.equal(a.teamId, team.id);
      const group = await service.api("POST", "/groups", { name: "ひまわり団地", memberIds: [a.id, b.id] });
      assert.equal(group.status, 201);
      assert.deepEqual(group.body.memberIds.sort(), [a.id, b.id].sort());
      const changed = await service.api("PATCH", `/groups/${group.body.id}`, { memberIds: [a.id] });
      assert.deepEqual(changed.body.memberIds, [a.id]);
      assert.deepEqual(changed.body.members.map((m: { id: string; teamId: string }) => [m.id, m.teamId]), [[a.id, team.id]], "the page names its members");
      // A list of members runs no rounds: a plan for it would do nothing, so it is refused and nothing changes.
      const planned = await service.api("PATCH", `/groups/${group.body.id}`, { name: "ひまわり団地（新）", plan: { every: "1d", at: "10:00" } });
      assert.equal(planned.status, 422);
      assert.equal(planned.body.error.code, "rounds_need_line_group");
      assert.equal(planned.body.error.field, "plan");
      const kept = (await service.api("GET", `/groups/${group.body.id}`)).body;
      assert.deepEqual([kept.name, kept.plan, kept.nextDueAt], ["ひまわり団地", null, null]);
      assert.equal((await service.api("DELETE", `/teams/${team.id}`)).status, 409, "a team with members stays");
      const added = await service.api("POST", `/members/${a.id}/contacts`, { displayName: "大家さん", relation: "landlord" });
      assert.equal(added.status, 201);
      assert.equal(added.body.position, 4);
      assert.equal(added.body.confirmed, false);
      const moved = await service.api("PATCH", `/contacts/${added.body.id}`, { position: 1, confirmed: true });
      assert.equal(moved.body.position, 1);
      assert.equal(moved.body.confirmed, true);
      const contacts = (await service.api("GET", `/members/${a.id}/contacts`)).body.contacts;
      assert.deepEqual(contacts.map((c: { position: number }) => c.position), [1, 2, 3, 4]);
      assert.equal(contacts[0].id, added.body.id);
      assert.equal((await service.api("DELETE", `/contacts/${contacts[1].id}`)).status, 204);
      assert.deepEqual((await service.api("GET", `/members/${a.id}/contacts`)).body.contacts.map((c: { position: number }) => c.position), [1, 2, 3]);
      assert.equal((await service.api("DELETE", `/groups/${group.body.id}`)).status, 204);
      assert.equal((await service.api("DELETE", `/members/${a.id}`)).status, 204);
      assert.equal((await service.api("GET", `/members/${a.id}`)).status, 404);
    });

    test("the operator's line of the day goes under each prompt", async () => {
      const set = await service.api("PATCH", "/organisation", { lineOfTheDay: "今日は暑くなります。水分をとりましょう。" });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.lineOfTheDay, "今日は暑くなります。水分をとりましょう。");
      assert.equal((await service.api("PATCH", "/organisation", { motto: "x" })).status, 400);
      const member = (await service.api("POST", "/members", memberBody({ displayName: "ひとこと" }))).body;
      const before = (await service.api("GET", "/sandbox/outbox?limit=2000")).body.cursor;
      await service.api("POST", "/sandbox/clock", { to: member.nextDueAt });
      const prompts = (await service.api("GET", `/sandbox/outbox?since=${before}&limit=2000`)).body.messages
        .filter((m: { to: { id: string }; kind: string }) => m.to.id === member.id && m.kind === "prompt");
      assert.equal(prompts.length, 1);
      assert.ok(prompts[0].text.endsWith("\n今日は暑くなります。水分をとりましょう。"));
    });

    test("the OpenAPI document describes the routes from the same schemas", async () => {
      const r = await fetch(`${service.url}/api/v1/openapi.json`);
      assert.equal(r.status, 200);
      const doc = (await r.json()) as any;
      assert.equal(doc.openapi, "3.1.0");
      const create = doc.paths["/api/v1/members"].post;
      const schema = create.requestBody.content["application/json"].schema;
      assert.deepEqual(schema.required.sort(), ["channels", "displayName", "plan"]);
      assert.equal(schema.additionalProperties, false);
      assert.ok(doc.paths["/api/v1/incidents/{id}/resolve"].post);
      assert.ok(doc.paths["/api/v1/sandbox/clock"].post);
    });
  });
}
