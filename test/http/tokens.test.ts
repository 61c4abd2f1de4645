/**
 * API tokens as people use them: listed without secrets, revoked at once (also
 * in a second process on the same PostgreSQL), optionally expiring, and named
 * in the audit log.
 */
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { apiClient, databaseKinds, dropSchema, POSTGRES_URL, startTestService, type TestService, uniqueName } from "../support/harness.ts";
import { type ServiceProcess, spawnService } from "../support/processes.ts";

for (const kind of databaseKinds()) {
  describe(`API tokens on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    test("GET /tokens lists name, role, creation, last use and expiry, never a secret", async () => {
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const created = await service.api("POST", "/tokens", { name: "受付", role: "staff", expiresAt });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.match(created.body.token, /^mmr_/);
      assert.equal(created.body.expiresAt, expiresAt);
      assert.equal((await service.api("GET", "/members", undefined, created.body.token)).status, 200);
      const list = await service.api("GET", "/tokens");
      assert.equal(list.status, 200);
      const listed = list.body.tokens.find((t: { id: string }) => t.id === created.body.id);
      assert.deepEqual(Object.keys(listed).sort(), ["createdAt", "expiresAt", "id", "instanceAdmin", "lastUsedAt", "name", "revokedAt", "role"]);
      assert.equal(listed.name, "受付");
      assert.equal(listed.role, "staff");
      assert.equal(listed.expiresAt, expiresAt);
      assert.equal(listed.revokedAt, null);
      assert.ok(Date.parse(listed.lastUsedAt) >= Date.parse(listed.createdAt), "the use was recorded");
      const text = JSON.stringify(list.body);
      assert.ok(!text.includes(created.body.token) && !text.includes(service.token), "no secret in the list");
      assert.ok(!/hash/i.test(text));
      const admin = list.body.tokens.find((t: { instanceAdmin: boolean }) => t.instanceAdmin);
      assert.equal(admin.role, "admin");
      const staff = await service.api("GET", "/tokens", undefined, created.body.token);
      assert.equal(staff.status, 403, "only admins list tokens");
    });

    test("a revoked token is refused at once, and the audit log names the token", async () => {
      const created = (await service.api("POST", "/tokens", { name: "臨時職員", role: "staff" })).body;
      assert.equal((await service.api("GET", "/members", undefined, created.token)).status, 200, "in use (and any cache warm)");
      const revoked = await service.api("DELETE", `/tokens/${created.id}`);
      assert.equal(revoked.status, 204);
      const refused = await service.api("GET", "/members", undefined, created.token);
      assert.equal(refused.status, 401);
      assert.equal(refused.body.error.code, "unauthorized");
      assert.equal(refused.body.error.field, "authorization");
      const listed = (await service.api("GET", "/tokens")).body.tokens.find((t: { id: string }) => t.id === created.id);
      assert.ok(listed.revokedAt);
      assert.equal((await service.api("DELETE", `/tokens/${created.id}`)).status, 204, "revoking again changes nothing");
      assert.equal((await service.api("DELETE", "/tokens/00000000-0000-4000-8000-000000000000")).status, 404);
      const log = (await service.api("GET", "/audit-log?limit=1000")).body.entries as { action: string; actor: string; subject: { id: string } }[];
      const entries = log.filter((e) => e.action === "token.revoke" && e.subject.id === created.id);
      assert.equal(entries.length, 1, "the revocation is audited once: the repeated one changed nothing");
      const entry = entries[0];
      const me = (await service.api("GET", "/tokens")).body.tokens.find((t: { instanceAdmin: boolean }) => t.instanceAdmin);
      assert.ok(entry.actor.includes(me.id) && entry.actor.includes(me.name), `the actor names the token: ${entry.actor}`);
    });

    test("another organisation's token cannot be listed or revoked", async () => {
      const other = (await service.api("POST", "/organisations", { name: "隣町" })).body;
      const theirs = (await service.api("POST", "/tokens", { name: "隣の職員", role: "staff" }, other.adminToken)).body;
      assert.equal((await service.api("DELETE", `/tokens/${theirs.id}`)).status, 404);
      const ours: { id: string; name: string }[] = (await service.api("GET", "/tokens")).body.tokens;
      assert.ok(ours.length > 0, "our own tokens are listed");
      assert.ok(!ours.some((t) => t.id === theirs.id));
      assert.equal((await service.api("GET", "/members", undefined, theirs.token)).status, 200, "still works");
    });

    test("the organisation's last admin token cannot be revoked", async () => {
      const other = (await service.api("POST", "/organisations", { name: "小さな村" })).body;
      const tokens = (await service.api("GET", "/tokens", undefined, other.adminToken)).body.tokens as { id: string; role: string }[];
      const adminId = tokens.find((t) => t.role === "admin")!.id;
      const refused = await service.api("DELETE", `/tokens/${adminId}`, undefined, other.adminToken);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, "last_admin_token");
      const second = (await service.api("POST", "/tokens", { name: "副管理者", role: "admin" }, other.adminToken)).body;
      assert.equal((await service.api("DELETE", `/tokens/${adminId}`, undefined, second.token)).status, 204);
      assert.equal((await service.api("GET", "/organisation", undefined, other.adminToken)).status, 401);
    });

    test("an expired token is refused with 401 token_expired; an expiry in the past is refused at creation", async () => {
      const past = await service.api("POST", "/tokens", { name: "x", role: "observer", expiresAt: "2020-01-01T00:00:00Z" });
      assert.equal(past.status, 400);
      assert.equal(past.body.error.field, "expiresAt");
      const soon = (await service.api("POST", "/tokens", { name: "短期", role: "observer", expiresAt: new Date(Date.now() + 1500).toISOString() })).body;
      assert.equal((await service.api("GET", "/organisation", undefined, soon.token)).status, 200);
      await new Promise((r) => setTimeout(r, 1700));
      const expired = await service.api("GET", "/organisation", undefined, soon.token);
      assert.equal(expired.status, 401);
      assert.equal(expired.body.error.code, "token_expired");
      assert.equal(expired.body.error.field, "authorization");
    });
  });
}

describe("revocation seen by a second process on the same PostgreSQL", { skip: !POSTGRES_URL && "TEST_DATABASE_URL=off: no PostgreSQL" }, () => {
  let store: Store;
  const schema = uniqueName("tok");
  const running: ServiceProcess[] = [];
  const dataDir = join(tmpdir(), schema);

  before(async () => {
    store = await openStore({ databaseUrl: POSTGRES_URL, schema, applicationName: "mimamori-test" });
    await createOrganisation(store.db, "two processes", new Date(), { token: `t_${schema}`, instanceAdmin: true });
  });
  after(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    await store?.close();
    await dropSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("a token revoked through one process is refused by the other on the very next request", async () => {
    const env = { DATABASE_URL: POSTGRES_URL as string, MIMAMORI_DB_SCHEMA: schema, MIMAMORI_ADMIN_TOKEN: `t_${schema}`, MIMAMORI_ENGINE: "0", MIMAMORI_DATA_DIR: dataDir };
    const [a, b] = await Promise.all([spawnService(env), spawnService(env)]);
    running.push(a, b);
    const apiA = apiClient(a.url, `t_${schema}`);
    const apiB = apiClient(b.url, `t_${schema}`);
    const created = await apiA("POST", "/tokens", { name: "持ち出された端末", role: "staff" });
    assert.equal(created.status, 201);
    // Both processes have served the token (any per-process cache would now hold it).
    for (let i = 0; i < 5; i++) {
      assert.equal((await apiA("GET", "/members", undefined, created.body.token)).status, 200);
      assert.equal((await apiB("GET", "/members", undefined, created.body.token)).status, 200);
    }
    assert.equal((await apiA("DELETE", `/tokens/${created.body.id}`)).status, 204);
    const onB = await apiB("GET", "/members", undefined, created.body.token);
    assert.equal(onB.status, 401, "refused by the other process at once");
    assert.equal(onB.body.error.code, "unauthorized");
    assert.equal((await apiA("GET", "/members", undefined, created.body.token)).status, 401);
    for (const p of [a, b]) {
      p.child.kill("SIGTERM");
      assert.equal(await p.exited, 0);
    }
  });
});
