/**
 * Housekeeping for a PostgreSQL server that does not vacuum by itself
 * (autovacuum = off). The engine's queues fill and drain: every sent message,
 * every answered check-in leaves a dead row version behind, and the index
 * entries pointing at them stay until VACUUM removes them. A claim walks its
 * index from the oldest deadline, so it reads every dead entry of what was
 * already sent: after a million prompts, each claim of the re-sends due next
 * read ~25,000 index and heap pages first (bench, 1,000,000 members,
 * 2026-12-02: 220 ms before the first row). And without ANALYZE the planner has
 * no statistics at all. PostgreSQL's docs: with autovacuum disabled, VACUUM must
 * be run regularly ("Routine Vacuuming"); this loop is that, for our schema only.
 *
 * One process at a time (a session advisory lock per schema), one table at a
 * time, only tables with enough dead rows; with autovacuum on, it does nothing.
 * PGlite is not handled here: it vacuums nothing by itself either (see README).
 */
import { sql } from "kysely";
import type { Logger } from "pino";
import type { Db } from "../store/db.ts";
import type { Clock } from "./clock.ts";

/** The session advisory lock that keeps housekeeping to one process per schema. */
const SCHEMA_LOCK = sql`hashtext('mimamori:housekeeping:' || current_schema())`;

/** A table's row counts as the server's statistics have them. */
export interface TableRows {
  table: string;
  live: number;
  dead: number;
}

/**
 * When a table is worth vacuuming: at least `minDead` dead rows and at least
 * `ratio` × its live rows (autovacuum's own rule is 50 + 0.2 × live; our queue
 * tables ask for 0.02 — migrations.ts — so this is coarser, as each run reads the
 * whole table and its indexes).
 */
export interface VacuumRule {
  minDead: number;
  ratio: number;
}

export const VACUUM_RULE: VacuumRule = { minDead: 10_000, ratio: 0.1 };

/** The tables to vacuum, most dead rows first; none while autovacuum does the work. */
export function tablesToVacuum(tables: TableRows[], autovacuumOn: boolean, rule: VacuumRule = VACUUM_RULE): string[] {
  if (autovacuumOn) return [];
  return tables.filter((t) => t.dead >= rule.minDead && t.dead >= rule.ratio * t.live)
    .sort((a, b) => b.dead - a.dead).map((t) => t.table);
}

export interface HousekeepingRun {
  /** Tables vacuumed and analysed, in order. */
  vacuumed: string[];
  /** False when another process held the lock (it is doing the work). */
  ran: boolean;
}

/**
 * One pass: under the schema's advisory lock, read the statistics of the
 * schema's tables and VACUUM (ANALYZE) those the rule picks, one after the other.
 * `autovacuumOn` overrides the server's setting (tests). `onBackend` is told the
 * server process running the pass, so stopping can cancel a long VACUUM; `stopping`
 * is asked before each table, so a stop between two tables starts no other.
 * Errors propagate (a cancelled VACUUM among them); the lock is released either way.
 */
export async function housekeepOnce(
  db: Db, rule: VacuumRule = VACUUM_RULE,
  options: { autovacuumOn?: boolean; onBackend?: (pid: number | null) => void; stopping?: () => boolean } = {},
): Promise<HousekeepingRun> {
  // VACUUM cannot run in a transaction: one pinned connection, outside any.
  return db.connection().execute(async (conn) => {
    const { rows: [lock] } = await sql<{ locked: boolean; pid: number; autovacuum: string }>`
      select pg_try_advisory_lock(${SCHEMA_LOCK}) as locked,
        pg_backend_pid() as pid, current_setting('autovacuum') as autovacuum`.execute(conn);
    if (!lock?.locked) return { vacuumed: [], ran: false };
    options.onBackend?.(lock.pid);
    try {
      const { rows } = await sql<TableRows>`select relname as table, n_live_tup::float8 as live, n_dead_tup::float8 as dead
        from pg_stat_user_tables where schemaname = current_schema()`.execute(conn);
      const vacuumed: string[] = [];
      for (const table of tablesToVacuum(rows, options.autovacuumOn ?? lock.autovacuum === "on", rule)) {
        if (options.stopping?.()) break;
        if (await vacuumIfPresent(conn, table)) vacuumed.push(table);
      }
      return { vacuumed, ran: true };
    } finally {
      options.onBackend?.(null);
      await sql`select pg_advisory_unlock(${SCHEMA_LOCK})`.execute(conn);
    }
  });
}

/**
 * VACUUM (ANALYZE) a table; false when it was dropped since its statistics were
 * read (undefined_table, 42P01): the benchmark drops its scratch tables in our
 * schema while a pass runs, and a dropped table needs no vacuum (2026-12-02).
 */
async function vacuumIfPresent(conn: Db, table: string): Promise<boolean> {
  try {
    await sql`vacuum (analyze) ${sql.id(table)}`.execute(conn);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "42P01") return false;
    throw error;
  }
}

/**
 * Run `housekeepOnce` every `intervalMs` (real time) until stopped. Stopping
 * cancels a VACUUM in progress (it resumes from scratch next time, losing
 * nothing) so shutdown stays bounded. Each pass that vacuumed is logged at info, with
 * how long it took by `wallClock` (real time, whatever the sandbox clock says).
 */
export function startHousekeeping(
  db: Db, log: Logger, wallClock: Clock, intervalMs: number, options: { rule?: VacuumRule; autovacuumOn?: boolean } = {},
): { stop(): Promise<void> } {
  let stopping = false;
  let backend: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  let wake: () => void = () => {};
  const loop = (async () => {
    while (!stopping) {
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, intervalMs);
      });
      if (stopping) return;
      const started = wallClock.now().getTime();
      try {
        const run = await housekeepOnce(db, options.rule ?? VACUUM_RULE, {
          ...(options.autovacuumOn === undefined ? {} : { autovacuumOn: options.autovacuumOn }),
          onBackend: (pid) => {
            backend = pid;
          },
          stopping: () => stopping,
        });
        if (run.vacuumed.length) log.info({ tables: run.vacuumed, ms: wallClock.now().getTime() - started }, "vacuumed (autovacuum is off)");
      } catch (error) {
        if (!stopping) log.warn({ err: error }, "housekeeping VACUUM failed; it is tried again later");
      }
    }
  })();
  return {
    async stop() {
      stopping = true;
      clearTimeout(timer);
      wake();
      if (backend !== null) await sql`select pg_cancel_backend(${backend})`.execute(db).catch(() => {});
      await loop;
    },
  };
}
