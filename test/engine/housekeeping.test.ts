/**
 * Housekeeping on a server with autovacuum off (engine/housekeeping.ts): a
 * table full of dead row versions is vacuumed and analysed, one process at a
 * time, and nothing is done while autovacuum does it.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import pino from "pino";
import { SystemClock } from "../../src/engine/clock.ts";
import { housekeepOnce, startHousekeeping, tablesToVacuum } from "../../src/engine/housekeeping.ts";
import type { Db } from "../../src/store/db.ts";
import { POSTGRES_URL } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

describe("which tables housekeeping vacuums", () => {
  const rule = { minDead: 1000, ratio: 0.1 };
  test("enough dead rows, absolutely and against the live ones; most dead first", () => {
    const tables = [
      { table: "outbox", live: 100_000, dead: 50_000 },
      { table: "checkins", live: 10_000, dead: 900 },
      { table: "members", live: 1_000_000, dead: 20_000 },
      { table: "sandbox_deliveries", live: 5_000, dead: 0 },
      { table: "incidents", live: 2_000, dead: 1_500 },
    ];
    assert.deepEqual(tablesToVacuum(tables, false, rule), ["outbox", "incidents"]);
  });
  test("nothing while autovacuum is on", () => {
    assert.deepEqual(tablesToVacuum([{ table: "outbox", live: 1, dead: 1_000_000 }], true, rule), []);
  });
});

// The service runs housekeeping on PostgreSQL only (service.ts; PGlite: see README).
if (POSTGRES_URL) {
  describe("housekeeping on postgres", () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    const rule = { minDead: 1000, ratio: 0.1 };
    const LOCK = sql`hashtext('mimamori:housekeeping:' || current_schema())`;

    /** The server's statistics of a table, read afresh (they reach shared memory a moment after the statement). */
    const statsOf = async (db: Db, table: string) => (await sql<{ dead: number; vacuums: number; analyses: number }>`
      select n_dead_tup::float8 as dead, vacuum_count::float8 as vacuums, analyze_count::float8 as analyses
      from pg_stat_user_tables where schemaname = current_schema() and relname = ${table}`.execute(db)).rows[0];
    const until = async (what: string, ok: () => Promise<boolean>) => {
      for (let i = 0; i < 100; i++) {
        if (await ok()) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.fail(`waited 10 s for ${what}`);
    };

    /** 5,000 rows, each updated once: 5,000 dead versions, and statistics that say so. */
    const fillWithDeadRows = async () => {
      await store.db.connection().execute(async (conn) => {
        await sql`drop table if exists hk_scratch`.execute(conn);
        await sql`create table hk_scratch (id int primary key, organisation_id uuid not null, n int not null)`.execute(conn);
        await sql`insert into hk_scratch select g, gen_random_uuid(), 0 from generate_series(1, 5000) g`.execute(conn);
        await sql`update hk_scratch set n = n + 1`.execute(conn);
        await sql`select pg_stat_force_next_flush()`.execute(conn);
        await sql`select 1`.execute(conn);
      });
      await until("the dead rows in the statistics", async () => ((await statsOf(store.db, "hk_scratch"))?.dead ?? 0) >= 5000);
    };

    before(async () => {
      store = await freshStore("postgres");
    });
    after(async () => {
      await store?.dispose();
    });

    test("a table full of dead rows is vacuumed and analysed; afterwards nothing is left to do", async () => {
      await fillWithDeadRows();
      const run = await housekeepOnce(store.db, rule, { autovacuumOn: false });
      assert.equal(run.ran, true);
      assert.ok(run.vacuumed.includes("hk_scratch"), `vacuumed ${run.vacuumed.join(", ")}`);
      await until("the vacuum in the statistics", async () => {
        const s = await statsOf(store.db, "hk_scratch");
        return (s?.vacuums ?? 0) >= 1 && (s?.analyses ?? 0) >= 1 && s?.dead === 0;
      });
      const again = await housekeepOnce(store.db, rule, { autovacuumOn: false });
      assert.ok(!again.vacuumed.includes("hk_scratch"), "a clean table is left alone");
    });

    test("nothing is vacuumed while autovacuum does the work", async () => {
      await fillWithDeadRows();
      const run = await housekeepOnce(store.db, rule, { autovacuumOn: true });
      assert.deepEqual(run, { vacuumed: [], ran: true });
      assert.equal((await statsOf(store.db, "hk_scratch"))?.vacuums, 0);
    });

    test("one process at a time: while another holds the schema's lock, a pass does nothing", async () => {
      await fillWithDeadRows();
      await store.db.connection().execute(async (other) => {
        assert.equal((await sql<{ ok: boolean }>`select pg_try_advisory_lock(${LOCK}) as ok`.execute(other)).rows[0]?.ok, true);
        try {
          assert.deepEqual(await housekeepOnce(store.db, rule, { autovacuumOn: false }), { vacuumed: [], ran: false });
        } finally {
          await sql`select pg_advisory_unlock(${LOCK})`.execute(other);
        }
      });
      const run = await housekeepOnce(store.db, rule, { autovacuumOn: false });
      assert.ok(run.vacuumed.includes("hk_scratch"), "once the lock is free, the pass runs");
    });

    test("a table dropped while its VACUUM waits is passed over, and the pass goes on", async () => {
      // The benchmark drops its scratch tables while a pass runs (a warning in its log, 2026-12-02).
      await fillWithDeadRows();
      await store.db.connection().execute(async (other) => {
        await sql`begin`.execute(other);
        await sql`lock table hk_scratch in access exclusive mode`.execute(other);
        const pass = housekeepOnce(store.db, rule, { autovacuumOn: false });
        try {
          await until("the VACUUM waiting for the table", async () => (await sql<{ n: number }>`
            select count(*)::int as n from pg_locks where not granted and relation = 'hk_scratch'::regclass`.execute(store.db)).rows[0]?.n === 1);
          await sql`drop table hk_scratch`.execute(other);
        } finally {
          await sql`commit`.execute(other);
        }
        const run = await pass;
        assert.equal(run.ran, true);
        assert.ok(!run.vacuumed.includes("hk_scratch"), `vacuumed ${run.vacuumed.join(", ")}`);
      });
    });

    test("a pass asked to stop starts no VACUUM", async () => {
      await fillWithDeadRows();
      assert.deepEqual(await housekeepOnce(store.db, rule, { autovacuumOn: false, stopping: () => true }), { vacuumed: [], ran: true });
      assert.equal((await statsOf(store.db, "hk_scratch"))?.vacuums, 0);
    });

    test("the loop vacuums on its own, logs it, and stops at once", async () => {
      await fillWithDeadRows();
      const lines: string[] = [];
      const log = pino({ level: "info" }, { write: (line: string) => lines.push(line) });
      const loop = startHousekeeping(store.db, log, new SystemClock(), 50, { rule, autovacuumOn: false });
      try {
        await until("the loop's vacuum", async () => ((await statsOf(store.db, "hk_scratch"))?.vacuums ?? 0) >= 1);
        await until("its log line", async () => lines.some((l) => l.includes("hk_scratch") && l.includes("vacuumed")));
      } finally {
        await loop.stop();
      }
    });
  });
}
