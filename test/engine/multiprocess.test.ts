/**
 * Several engine processes on one PostgreSQL, a process killed mid-dispatch, and
 * connections cut under the engine: every due check-in is dispatched exactly once.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { createMembers } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { dropSchema, POSTGRES_URL, uniqueName } from "../support/harness.ts";
import { metric, type ServiceProcess, spawnService, waitFor } from "../support/processes.ts";

const START = new Date("2027-01-04T08:00:00+09:00");
const AFTER_DUE = new Date("2027-01-04T09:01:00+09:00");
const MEMBERS = 10_000;

describe("dispatch across processes on PostgreSQL", { skip: !POSTGRES_URL && "TEST_DATABASE_URL=off: no PostgreSQL" }, () => {
  let store: Store;
  let schema: string;
  const running: ServiceProcess[] = [];
  // The processes' key file lives here; removed afterwards like everything a test makes.
  const dataDir = mkdtempSync(join(tmpdir(), "mimamori-mp-"));

  async function prepare(): Promise<void> {
    schema = uniqueName("mp");
    store = await openStore({ databaseUrl: POSTGRES_URL, schema, applicationName: "mimamori-test" });
    const { organisationId } = await createOrganisation(store.db, "multi", START, { token: `t_${schema}`, instanceAdmin: true });
    const inputs = Array.from({ length: MEMBERS }, (_, i) => ({
      displayName: `m${i}`, channels: [{ kind: "sandbox" as const, address: `m${i}` }], plan: { every: "1d" as const, at: "09:00" },
    }));
    for (let i = 0; i < inputs.length; i += 2000) await createMembers(store.db, organisationId, inputs.slice(i, i + 2000), START);
    await sql`insert into sandbox_clock (id, now) values (1, ${START})`.execute(store.db);
  }

  const engineProcess = () => spawnService({
    DATABASE_URL: POSTGRES_URL as string, MIMAMORI_DB_SCHEMA: schema, MIMAMORI_SANDBOX: "1",
    MIMAMORI_ADMIN_TOKEN: `t_${schema}`, MIMAMORI_BATCH_SIZE: "200", MIMAMORI_POLL_MS: "20", MIMAMORI_SEND_LEASE_MS: "2000",
    MIMAMORI_DATA_DIR: dataDir,
  }).then((p) => {
    running.push(p);
    return p;
  });

  const delivered = async () =>
    (await sql<{ n: number }>`select count(*)::int as n from sandbox_deliveries`.execute(store.db)).rows[0].n;

  async function allDeliveredAndDrained(): Promise<void> {
    await waitFor("all prompts delivered", async () => (await delivered()) >= MEMBERS);
    await waitFor("outbox drained", async () =>
      (await sql<{ n: number }>`select count(*)::int as n from outbox where status <> 'sent'`.execute(store.db)).rows[0].n === 0);
  }

  async function assertExactlyOnce(): Promise<void> {
    const counts = (await sql<{ deliveries: number; recipients: number; checkins: number; prompts: number; unsent: number; advanced: number }>`
      select (select count(*)::int from sandbox_deliveries) as deliveries,
             (select count(distinct recipient_id)::int from sandbox_deliveries) as recipients,
             (select count(*)::int from checkins) as checkins,
             (select count(*)::int from outbox where message_kind = 'prompt') as prompts,
             (select count(*)::int from outbox where status <> 'sent') as unsent,
             (select count(*)::int from members where next_due_at > ${AFTER_DUE}) as advanced`.execute(store.db)).rows[0];
    assert.deepEqual(counts, { deliveries: MEMBERS, recipients: MEMBERS, checkins: MEMBERS, prompts: MEMBERS, unsent: 0, advanced: MEMBERS });
  }

  before(async () => {
    await prepare();
  });
  after(async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    await store?.close();
    if (schema) await dropSchema(schema);
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("two engine processes dispatch 10,000 due check-ins: none twice, none missing", async () => {
    const [a, b] = await Promise.all([engineProcess(), engineProcess()]);
    await sql`update sandbox_clock set now = ${AFTER_DUE}`.execute(store.db);
    await allDeliveredAndDrained();
    await assertExactlyOnce();
    const [byA, byB] = [await metric(a.url, "mimamori_checkins_dispatched_total"), await metric(b.url, "mimamori_checkins_dispatched_total")];
    assert.equal(byA + byB, MEMBERS);
    assert.ok(byA > 0 && byB > 0, `both processes took a share (${byA} + ${byB})`);
    for (const p of [a, b]) {
      p.child.kill("SIGTERM");
      assert.equal(await p.exited, 0, "graceful stop");
    }
  });

  test("a process killed with SIGKILL mid-dispatch, and a successor, end with the same result", async () => {
    await store.close();
    await dropSchema(schema);
    await prepare();
    const first = await engineProcess();
    await sql`update sandbox_clock set now = ${AFTER_DUE}`.execute(store.db);
    await waitFor("dispatch under way", async () => (await delivered()) >= 1500, 60_000, 5);
    first.child.kill("SIGKILL");
    await first.exited;
    const atKill = await delivered();
    assert.ok(atKill < MEMBERS, `killed in the middle (${atKill} delivered)`);
    await engineProcess();
    await allDeliveredAndDrained();
    await assertExactlyOnce();
  });

  test("connections cut under a running engine (as in a database restart): it recovers and loses nothing", async () => {
    for (const p of running) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    await store.close();
    await dropSchema(schema);
    await prepare();
    const engine = await engineProcess();
    await sql`update sandbox_clock set now = ${AFTER_DUE}`.execute(store.db);
    await waitFor("dispatch under way", async () => (await delivered()) >= 1000, 60_000, 5);
    const cut = await sql<{ n: number }>`
      select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where application_name = ${`mimamori:${schema}`}`.execute(store.db);
    assert.ok(cut.rows[0].n > 0, "connections were cut");
    try {
      await allDeliveredAndDrained();
    } catch (error) {
      throw new Error(`${(error as Error).message}; ${await delivered()} delivered; service said: ${engine.output().slice(-3000)}`);
    }
    await assertExactlyOnce();
    assert.equal(engine.child.exitCode, null, "the service survived");
    assert.equal((await fetch(`${engine.url}/readyz`)).status, 200);
  });
});
