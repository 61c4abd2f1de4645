/**
 * The dispatch baseline: the rows dispatch writes for each due member — a
 * check-in, an outbox row (the prompt) and the member's next due time — written
 * by plain batched SQL on the bench database, in scratch copies of the same
 * tables (same columns, indexes and storage settings), by as many workers and in
 * batches as large as the engine's. One statement per batch claims the due
 * members and writes all three: no application code, no round trips between them.
 * Dispatch ÷ this rate says how much of the database's speed the engine turns
 * into prompts, on the day's machine (absolute rates are not comparable across days).
 */
import { performance } from "node:perf_hooks";
import pg from "pg";
import { busyCpuSince } from "./cpu.ts";

/** The engine's batch (MIMAMORI_BATCH_SIZE default) and its two deciding workers. */
const BATCH = 1000;
const WORKERS = 2;
const TABLES = ["members", "checkins", "outbox"] as const;
const scratch = (table: string) => `bench_baseline_${table}`;

export interface Baseline {
  rows: number;
  seconds: number;
  perSecond: number;
  /** The machine's busy CPU-seconds while the rows were written (bench/cpu.ts); undefined off Linux. */
  busyCpuSeconds: number | undefined;
}

/**
 * Copies `members` (every row, its due time set to one instant), times claiming
 * and writing all of them, then drops the copies. Throws on a database error.
 */
export async function dispatchBaseline(databaseUrl: string): Promise<Baseline> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const due = new Date("2027-01-04T00:00:00Z");
  try {
    for (const table of TABLES) {
      await client.query(`drop table if exists ${scratch(table)}`);
      // Same columns, defaults, indexes and storage parameters (fillfactor, autovacuum); no foreign keys.
      await client.query(`create table ${scratch(table)} (like ${table} including all)`);
    }
    await client.query(`insert into ${scratch("members")} select * from members`);
    await client.query(`update ${scratch("members")} set next_due_at = $1`, [due]);
    await client.query(`vacuum analyze ${scratch("members")}`);

    const workers = await Promise.all(Array.from({ length: WORKERS }, async () => {
      const worker = new pg.Client({ connectionString: databaseUrl });
      await worker.connect();
      return worker;
    }));
    try {
      const cpu = busyCpuSince();
      const started = performance.now();
      let rows = 0;
      await Promise.all(workers.map(async (worker) => {
        for (;;) {
          const result = await worker.query(batchStatement, [due, BATCH]);
          rows += result.rowCount ?? 0;
          if (!result.rowCount) return;
        }
      }));
      const seconds = (performance.now() - started) / 1000;
      return { rows, seconds, perSecond: rows / seconds, busyCpuSeconds: cpu() };
    } finally {
      await Promise.all(workers.map((worker) => worker.end()));
    }
  } finally {
    try {
      for (const table of TABLES) await client.query(`drop table if exists ${scratch(table)}`);
    } finally {
      await client.end();
    }
  }
}

/** Claim a batch of due members and write their check-ins, prompts and next due times: one statement, one commit. */
const batchStatement = `
with due as (
  select id, organisation_id, display_name, channels, next_due_at from ${scratch("members")}
  where next_due_at <= $1 and active order by next_due_at limit $2 for update skip locked
), checkin as (
  insert into ${scratch("checkins")} (id, organisation_id, member_id, due_at, status, escalates, step_index, next_action_at,
    contact_cursor, prompted)
  select gen_random_uuid(), organisation_id, id, next_due_at, 'open', true, 1, next_due_at + interval '1 day', 0, true from due
  returning id, organisation_id, member_id, due_at
), prompt as (
  insert into ${scratch("outbox")} (id, organisation_id, idempotency_key, recipient_kind, recipient_id, channel_index, channel_kind,
    address, message_kind, text, payload, checkin_id, due_at, status, attempts, next_attempt_at, created_at)
  select gen_random_uuid(), c.organisation_id, 'prompt:' || c.id, 'member', c.member_id::text, 0, d.channels -> 0 ->> 'kind',
    d.channels -> 0 ->> 'address', 'prompt', d.display_name || 'さん、おはようございます。お元気ですか？ OK で答えてください。',
    jsonb_build_object('checkinId', c.id), c.id, c.due_at, 'pending', 0, $1, $1
  from checkin c join due d on d.id = c.member_id
)
update ${scratch("members")} m set next_due_at = m.next_due_at + interval '1 day', last_prompted_at = $1, updated_at = $1
from due where m.id = due.id`;
