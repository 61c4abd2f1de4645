/**
 * What PostgreSQL did between two moments, from its statistics views: index
 * entries read (pg_stat_user_indexes.idx_tup_read) and rows written
 * (pg_stat_user_tables: inserted, updated, of those updated how many in place —
 * HOT, adding no index entry). Per prompt, these are figures the machine's speed
 * does not move. A query planned through the wrong index shows in the reads long
 * before it shows in the rates: the scheduler's check for escalating members,
 * planned without statistics, read 64 entries per prompt through checkins_org_open,
 * and the sandbox outbox's pages 25 more (bench, 2026-12-02). The writes say how
 * much more than the dispatch baseline the engine writes per prompt.
 * The server publishes a backend's counts when it goes idle, up to ten seconds
 * late: take the second snapshot well after the phase (the bench takes it after
 * the baseline). The baseline's scratch tables (bench_…) are left out.
 */
import pg from "pg";

export interface DatabaseWork {
  /** Index name → entries read so far. */
  indexReads: Map<string, number>;
  inserted: number;
  updated: number;
  /** Of `updated`, those made in place (HOT): no new index entries. */
  hotUpdated: number;
}

/** A snapshot of the counters, for the database's own tables. Throws on a database error. */
export async function databaseWork(databaseUrl: string): Promise<DatabaseWork> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const reads = await client.query<{ name: string; read: string }>(
      `select indexrelname as name, idx_tup_read::text as read from pg_stat_user_indexes where relname not like 'bench\\_%'`);
    const { rows: [writes] } = await client.query<{ inserted: string; updated: string; hot: string }>(
      `select coalesce(sum(n_tup_ins), 0)::text as inserted, coalesce(sum(n_tup_upd), 0)::text as updated,
         coalesce(sum(n_tup_hot_upd), 0)::text as hot
       from pg_stat_user_tables where relname not like 'bench\\_%'`);
    return {
      indexReads: new Map(reads.rows.map((r) => [r.name, Number(r.read)])),
      inserted: Number(writes.inserted), updated: Number(writes.updated), hotUpdated: Number(writes.hot),
    };
  } finally {
    await client.end();
  }
}

export interface WorkDone {
  indexReads: number;
  /** The indexes that read the most (at most `top`), most first: [name, entries]. */
  mostRead: [string, number][];
  inserted: number;
  updated: number;
  hotUpdated: number;
}

/** The work done between two snapshots. */
export function workSince(before: DatabaseWork, after: DatabaseWork, top = 3): WorkDone {
  const reads = [...after.indexReads].map(([name, read]): [string, number] => [name, read - (before.indexReads.get(name) ?? 0)])
    .filter(([, d]) => d > 0).sort((a, b) => b[1] - a[1]);
  return {
    indexReads: reads.reduce((sum, [, d]) => sum + d, 0),
    mostRead: reads.slice(0, top),
    inserted: after.inserted - before.inserted,
    updated: after.updated - before.updated,
    hotUpdated: after.hotUpdated - before.hotUpdated,
  };
}
