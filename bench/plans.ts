/**
 * The plans of the engine's claim queries, as PostgreSQL runs them on the
 * bench database at a given virtual time: the escalator's (check-ins whose next
 * action is due, src/engine/escalator.ts) and the sender's two (urgent, then all ready outbox
 * rows, src/engine/sender.ts). Run with EXPLAIN (ANALYZE, BUFFERS) inside a transaction
 * that is rolled back, with the planner settings the engine uses (preferIndexWalks
 * in src/store/db.ts, and no JIT), so nothing is claimed. The bench prints them when
 * deadline → action regresses: how many index entries and heap pages a claim
 * walked, and which index it chose, say most of why.
 */
import pg from "pg";
import { URGENT_OUTBOX_PREDICATE } from "../src/store/migrations/017-urgent-outbox.ts";

/** The engine's batch sizes: MIMAMORI_BATCH_SIZE for the escalator, twice that for the sender. */
const BATCH = 1000;
const SEND_LOOKAHEAD_MS = 1000;

const CLAIMS: { name: string; sql: string; params: (now: Date, wall: Date) => unknown[] }[] = [
  {
    name: "escalator claim (checkins due)",
    sql: `select id, organisation_id, member_id, due_at, step_index, next_action_at, contact_cursor, incident_id
      from checkins where next_action_at <= $1 order by next_action_at limit $2 for update skip locked`,
    params: (now) => [now, BATCH],
  },
  {
    // Claimed first (src/engine/sender.ts): re-sends, alerts, reminders — every kind but the bulk ones.
    name: "sender claim (urgent outbox rows)",
    sql: `update outbox set locked_until = $3
      where id in (
        select id from outbox where ${URGENT_OUTBOX_PREDICATE} and next_attempt_at <= $1
          and (next_attempt_at <= $2 or slot_at is not null) and (locked_until is null or locked_until < $4)
        order by next_attempt_at, id limit $5 for update skip locked)
      returning id`,
    params: (now, wall) => [new Date(now.getTime() + SEND_LOOKAHEAD_MS), now, new Date(wall.getTime() + 60_000), wall, BATCH * 2],
  },
  {
    name: "sender claim (outbox ready)",
    sql: `update outbox set locked_until = $3
      where id in (
        select id from outbox where status = 'pending' and next_attempt_at <= $1
          and (next_attempt_at <= $2 or slot_at is not null) and (locked_until is null or locked_until < $4)
        order by next_attempt_at, id limit $5 for update skip locked)
      returning id`,
    params: (now, wall) => [new Date(now.getTime() + SEND_LOOKAHEAD_MS), now, new Date(wall.getTime() + 60_000), wall, BATCH * 2],
  },
];

/** Both plans as text, one after the other; a query that fails says so in its place. */
export async function claimPlans(databaseUrl: string, now: Date): Promise<string> {
  // As the service's pool connects (src/store/db.ts): without JIT, which would add its compile time to every plan.
  const client = new pg.Client({ connectionString: databaseUrl, options: "-c jit=off" });
  await client.connect();
  const out: string[] = [];
  try {
    for (const claim of CLAIMS) {
      await client.query("begin");
      try {
        for (const setting of ["enable_bitmapscan", "enable_sort", "enable_hashjoin", "enable_mergejoin", "enable_seqscan"]) {
          await client.query(`set local ${setting} = off`);
        }
        const plan = await client.query(`explain (analyze, buffers) ${claim.sql}`, claim.params(now, new Date()));
        out.push(`${claim.name} at ${now.toISOString()}:`, ...plan.rows.map((row) => `  ${row["QUERY PLAN"]}`));
      } catch (error) {
        out.push(`${claim.name}: ${(error as Error)?.message ?? error}`);
      } finally {
        await client.query("rollback");
      }
    }
    const stats = await client.query(`select relname, n_live_tup, n_dead_tup, last_autovacuum, autovacuum_count
      from pg_stat_user_tables where relname in ('checkins', 'outbox', 'members') order by relname`);
    out.push("tables:", ...stats.rows.map((r) => `  ${r.relname}: ${r.n_live_tup} live, ${r.n_dead_tup} dead rows; ` +
      `autovacuum ${r.autovacuum_count}× (last ${r.last_autovacuum?.toISOString?.() ?? "never"})`));
  } finally {
    await client.end();
  }
  return out.join("\n");
}
