/**
 * Tenant isolation and roles: client keys are per organisation, observers never
 * write (every write route of the OpenAPI document is walked), the instance-wide
 * sandbox clock needs the instance administrator.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import Fastify from "fastify";
import { guardRoutes, routeAccess } from "../../src/http/access.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson } from "../support/people.ts";
import { memberBody } from "../support/sandbox.ts";

test("a route missing from the access table stops the server from starting", async () => {
  const app = Fastify();
  guardRoutes(app);
  assert.throws(() => app.post("/api/v1/members/:id/secret-write", async () => ({})), /no entry in ROUTE_ACCESS/);
  app.get("/healthz", async () => ({}));
  await app.close();
});

for (const kind of databaseKinds()) {
  describe(`tenancy and roles on ${kind}`, () => {
    let service: TestService;
    let otherAdmin: string;
    before(async () => {
      service = await startTestService(kind);
      const other = await service.api("POST", "/organisations", { name: "隣の市" });
      assert.equal(other.status, 201);
      otherAdmin = other.body.adminToken;
    });
    after(async () => {
      await service?.close();
    });

    const newToken = async (role: string, token?: string) => {
      const r = await service.api("POST", "/tokens", { name: `${role}-${Math.random()}`, role }, token);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.token as string;
    };
    const openIncidents = async (memberId: string, token?: string) =>
      (await service.api("GET", `/incidents?status=open&memberId=${memberId}`, undefined, token)).body.incidents as { kind: string }[];

    test("the same idempotency key in two organisations records both answers (A first)", async () => {
      const a = (await service.api("POST", "/members", memberBody())).body;
      const b = (await service.api("POST", "/members", memberBody(), otherAdmin)).body;
      const first = await service.api("POST", `/members/${a.id}/answers`, { answer: "ok", idempotencyKey: "k1" });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      const second = await service.api("POST", `/members/${b.id}/answers`, { answer: "ok", idempotencyKey: "k1" }, otherAdmin);
      assert.equal(second.status, 201, JSON.stringify(second.body));
      assert.ok(second.body.id);
      const again = await service.api("POST", `/members/${b.id}/answers`, { answer: "ok", idempotencyKey: "k1" }, otherAdmin);
      assert.deepEqual([again.status, again.body], [200, { duplicate: true }], "within one organisation the key still de-duplicates");
      assert.equal((await service.api("GET", `/members/${b.id}/history`, undefined, otherAdmin)).body.answers.length, 1);
    });

    test("a key used again for another member or another answer is refused with 422, not taken for a retry", async () => {
      const first = (await service.api("POST", "/members", memberBody())).body;
      const second = (await service.api("POST", "/members", memberBody())).body;
      assert.equal((await service.api("POST", `/members/${first.id}/answers`, { answer: "ok", idempotencyKey: "k-reuse" })).status, 201);
      const other = await service.api("POST", `/members/${second.id}/answers`, { answer: "need_contact", idempotencyKey: "k-reuse" });
      assert.equal(other.status, 422, JSON.stringify(other.body));
      assert.deepEqual([other.body.error.code, other.body.error.field], ["idempotency_key_reused", "idempotencyKey"]);
      const changed = await service.api("POST", `/members/${first.id}/answers`, { answer: "need_contact", idempotencyKey: "k-reuse" });
      assert.equal(changed.status, 422, "the same member with another answer is another request");
      assert.deepEqual((await service.api("POST", `/members/${first.id}/answers`, { answer: "ok", idempotencyKey: "k-reuse" })).body, { duplicate: true });
      assert.equal((await service.api("GET", `/members/${second.id}/history`)).body.answers.length, 0);
      assert.deepEqual(await openIncidents(first.id), [], "the refused need_contact opened nothing");
    });

    test("the auditor reads a member's file on screen but cannot export it, nor any personal export", async () => {
      const member = (await service.api("POST", "/members", memberBody())).body;
      const auditor = (await invitedPerson(service.api, service.url, { displayName: "監査 太郎", loginId: `audit-${member.id.slice(0, 8)}`, role: "auditor" })).client;
      assert.equal((await auditor.call("GET", `/members/${member.id}`)).status, 200);
      for (const path of [`/members/${member.id}/export?format=json`, `/members/${member.id}/export?format=csv`, "/members/export?format=csv", "/directory/export/hsds"]) {
        const r = await auditor.call("GET", path);
        assert.deepEqual([r.status, r.body?.error?.code], [403, "forbidden"], path);
      }
      assert.equal((await service.api("GET", `/members/${member.id}/export?format=json`)).status, 200, "the admin exports it");
      const log = await fetch(`${service.url}/api/v1/audit-log/export?format=csv`, { headers: { cookie: auditor.cookie as string } });
      assert.equal(log.status, 200, "the audit log is the auditor's to take");
      assert.match(await log.text(), /member/);
    });

    test("B using a key first does not drop A's later need_contact", async () => {
      const a = (await service.api("POST", "/members", memberBody())).body;
      const b = (await service.api("POST", "/members", memberBody(), otherAdmin)).body;
      const byB = await service.api("POST", `/members/${b.id}/answers`, { answer: "ok", idempotencyKey: "shared-key" }, otherAdmin);
      assert.equal(byB.status, 201);
      const byA = await service.api("POST", `/members/${a.id}/answers`, { answer: "need_contact", idempotencyKey: "shared-key" });
      assert.equal(byA.status, 201, JSON.stringify(byA.body));
      assert.ok(byA.body.incidentId, "the contact request opened an incident");
      assert.deepEqual((await openIncidents(a.id)).map((i) => i.kind), ["contact_requested"]);
    });

    test("the same key twice in one group-commit batch, from two organisations, records both", async () => {
      const a = (await service.api("POST", "/members", memberBody())).body;
      const b = (await service.api("POST", "/members", memberBody(), otherAdmin)).body;
      const [ra, rb] = await Promise.all([
        service.api("POST", `/members/${a.id}/answers`, { answer: "need_contact", idempotencyKey: "same-batch" }),
        service.api("POST", `/members/${b.id}/answers`, { answer: "need_contact", idempotencyKey: "same-batch" }, otherAdmin),
      ]);
      assert.deepEqual([ra.status, rb.status], [201, 201]);
      assert.equal((await openIncidents(a.id)).length, 1);
      assert.equal((await openIncidents(b.id, otherAdmin)).length, 1);
    });

    test("every write route of the OpenAPI document refuses an observer with 403, and nothing changes", async () => {
      const observer = await newToken("observer");
      const member = (await service.api("POST", "/members", memberBody())).body;
      const doc = (await (await fetch(`${service.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      const snapshot = async () => (await sql<{ n: string }>`
        select (select count(*) from members)::text || '/' || (select count(*) from answers)::text || '/' || (select count(*) from incidents)::text
          || '/' || (select count(*) from api_tokens)::text || '/' || (select count(*) from teams)::text || '/' || (select now from sandbox_clock)::text as n`
        .execute(service.store.db)).rows[0].n;
      const before = await snapshot();
      const walked: string[] = [];
      for (const [path, operations] of Object.entries(doc.paths)) {
        for (const method of Object.keys(operations)) {
          if (method === "get" || method === "head" || method === "parameters") continue;
          // Signing in and accepting an invitation come before any credential: no token is refused there.
          if (routeAccess()[`${method.toUpperCase()} ${path.replace(/^\/api\/v1/, "").replace(/\{([^}]+)\}/g, ":$1")}`] === "public") continue;
          const url = path.replace(/^\/api\/v1/, "").replace(/\{[^}]+\}/g, member.id);
          const body = path.endsWith("/answers") || path.endsWith("/reply")
            ? { memberId: member.id, answer: "need_contact" }
            : path.endsWith("/clock") ? { advance: "P1D" } : {};
          const r = await service.api(method.toUpperCase(), url, method === "delete" ? undefined : body, observer);
          assert.equal(r.status, 403, `${method.toUpperCase()} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
          assert.equal(r.body.error.code, "forbidden");
          walked.push(`${method.toUpperCase()} ${path}`);
        }
      }
      for (const must of ["POST /api/v1/members/{id}/answers", "POST /api/v1/sandbox/reply", "POST /api/v1/sandbox/clock", "DELETE /api/v1/tokens/{id}"]) {
        assert.ok(walked.includes(must), `${must} was walked`);
      }
      const writes = Object.entries(routeAccess()).filter(([k, access]) => !k.startsWith("GET ") && access !== "public");
      assert.equal(walked.length, writes.length, "the document lists every write route of the access table");
      assert.equal(await snapshot(), before);
      assert.deepEqual(await openIncidents(member.id), []);
    });

    test("every read route taking an id answers 404 for an id of nothing in this organisation, another organisation's included", async () => {
      const doc = (await (await fetch(`${service.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      // Another organisation's person: a real id, but not one of ours (a list by it must not answer an empty 200).
      const theirs = (await service.api("POST", "/people", { displayName: "隣の 佐藤", loginId: `tenancy-${Math.random()}`, role: "staff" }, otherAdmin)).body.person.id;
      assert.ok(theirs);
      const walked: string[] = [];
      const answered: string[] = [];
      for (const [path, operations] of Object.entries(doc.paths)) {
        if (!operations.get || !path.includes("{id}") || (operations.get as { security?: unknown[] }).security?.length === 0) continue;
        for (const id of [crypto.randomUUID(), theirs]) {
          const r = await fetch(`${service.url}${path.replace("{id}", id)}`, { headers: { authorization: `Bearer ${service.token}` } });
          const body = await r.text();
          if (r.status !== 404) answered.push(`GET ${path} with ${id === theirs ? "another organisation's person" : "an unknown id"} → ${r.status} ${body.slice(0, 200)}`);
        }
        walked.push(path);
      }
      assert.deepEqual(answered, []);
      assert.ok(walked.includes("/api/v1/directory/owners/{id}/records"), "the owners' records were walked");
      assert.ok(walked.length >= 30, `${walked.length} routes walked`);
    });

    test("sandbox/reply needs staff; the sandbox clock needs the instance administrator", async () => {
      const member = (await service.api("POST", "/members", memberBody())).body;
      const staff = await newToken("staff");
      assert.equal((await service.api("POST", "/sandbox/reply", { memberId: member.id, answer: "ok" }, staff)).status, 200);
      // The outbox's texts name members and contacts: reading them is in the audit log.
      const outbox = await service.api("GET", "/sandbox/outbox?limit=5", undefined, staff);
      assert.ok(outbox.body.messages.length > 0);
      const log = (await service.api("GET", "/audit-log?action=personal.view&limit=50")).body.entries as { detail: { route?: string } }[];
      assert.ok(log.some((e) => e.detail.route === "GET /sandbox/outbox"), JSON.stringify(log.slice(0, 3)));
      const clock = (await service.api("GET", "/sandbox/clock", undefined, staff)).body.now;
      for (const token of [staff, await newToken("admin"), otherAdmin]) {
        const r = await service.api("POST", "/sandbox/clock", { advance: "PT1H" }, token);
        assert.equal(r.status, 403, "only the instance administrator moves the clock every organisation shares");
        assert.equal(r.body.error.code, "forbidden");
      }
      assert.equal((await service.api("GET", "/sandbox/clock", undefined, otherAdmin)).body.now, clock, "the clock did not move");
      const moved = await service.api("POST", "/sandbox/clock", { advance: "PT1H" });
      assert.equal(moved.status, 200);
      assert.equal(Date.parse(moved.body.now), Date.parse(clock) + 3_600_000);
      assert.equal((await service.api("POST", "/organisations", { name: "x" }, otherAdmin)).status, 403);
    });
  });
}
