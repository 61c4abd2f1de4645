/**
 * The deciding loop's phases are a list: a bounded context adds its own phase
 * (and its deadline column) without editing the loop, and the sandbox clock stops
 * at that phase's deadlines exactly as it does at the core's. Its tables join the
 * typed `Database` by module augmentation, without the core importing it.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { ChannelRegistry } from "../../src/engine/channels/registry.ts";
import { SandboxClock } from "../../src/engine/clock.ts";
import { Engine } from "../../src/engine/engine.ts";
import { Metrics } from "../../src/engine/metrics.ts";
import { corePhases, type DecidingPhase } from "../../src/engine/phases.ts";
import { advanceSandboxClock } from "../../src/engine/sandbox-time.ts";
import { sql } from "kysely";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

/** A context's own tables, added to the typed Database by module augmentation, as src/network/ will. */
interface ContextTables {
  ctx_wakeups: { id: number; organisation_id: string; wake_at: Date | null };
}
declare module "../../src/store/schema.ts" {
  interface Database extends ContextTables {}
}

const START = new Date("2027-01-04T08:00:00+09:00");
const WAKE_AT = ["2027-01-04T09:17:00+09:00", "2027-01-04T13:05:30+09:00", "2027-01-05T02:00:00+09:00"].map((t) => new Date(t));

for (const kind of databaseKinds()) {
  describe(`registrable engine phases on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    before(async () => {
      store = await freshStore(kind);
      // A context's own table, prefixed as contexts' tables are.
      await sql`create table ctx_wakeups (id int primary key, organisation_id uuid not null, wake_at timestamptz)`.execute(store.db);
      for (const [i, at] of WAKE_AT.entries()) {
        await sql`insert into ctx_wakeups values (${i}, gen_random_uuid(), ${at})`.execute(store.db);
      }
    });
    after(async () => {
      await store?.dispose();
    });

    test("a phase added to the list runs at each of its deadlines, and the clock stops there", async () => {
      const ranAt: Date[] = [];
      const contextPhase: DecidingPhase = {
        name: "ctx-wakeups",
        deadlines: [{ table: "ctx_wakeups", column: "wake_at" }],
        run: async (db, now) => {
          const due = await db.updateTable("ctx_wakeups").set({ wake_at: null }).where("wake_at", "<=", now).returning("id").execute();
          for (const _ of due) ranAt.push(now);
          return { claimed: due.length, queued: 0 };
        },
      };
      const metrics = new Metrics();
      const clock = await SandboxClock.open(store.db, START);
      const engine = new Engine(store.db, clock, new ChannelRegistry(), pino({ level: "silent" }), metrics, {
        batchSize: 100, pollMs: 50, sendLeaseMs: 30_000, phases: [...corePhases(metrics), contextPhase],
      });
      assert.ok(engine.deadlines.some((d) => d.column === "wake_at"), "the engine lists the context's deadline");
      await advanceSandboxClock(store.db, engine, clock, { to: new Date("2027-01-05T09:00:00+09:00") }, false);
      assert.deepEqual(ranAt.map((d) => d.toISOString()), WAKE_AT.map((d) => d.toISOString()));
    });

    test("bulk phases (the day's prompts) wait while an urgent phase still claims whole batches", async () => {
      const left = { urgent: 7, bulk: 3 };
      const bulkRanWith: number[] = [];
      const take = (key: keyof typeof left, limit: number) => {
        const n = Math.min(limit, left[key]);
        left[key] -= n;
        return { claimed: n, queued: 0 };
      };
      const urgent: DecidingPhase = { name: "urgent", deadlines: [], run: async (_db, _now, limit) => take("urgent", limit) };
      const bulk: DecidingPhase = {
        name: "bulk", bulk: true, deadlines: [],
        run: async (_db, _now, limit) => {
          bulkRanWith.push(left.urgent);
          return take("bulk", limit);
        },
      };
      const clock = await SandboxClock.open(store.db, START);
      const engine = new Engine(store.db, clock, new ChannelRegistry(), pino({ level: "silent" }), new Metrics(), {
        batchSize: 2, pollMs: 50, sendLeaseMs: 30_000, phases: [urgent, bulk],
      });
      await engine.exclusive((control) => control.decideUntilIdle());
      assert.deepEqual(left, { urgent: 0, bulk: 0 }, "both drained");
      assert.ok(bulkRanWith.length > 0);
      assert.ok(bulkRanWith.every((n) => n === 0), `bulk ran only once the urgent backlog was gone (urgent left: ${bulkRanWith})`);
    });
  });
}
