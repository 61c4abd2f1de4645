/**
 * Index entries PostgreSQL read (pg_stat_user_indexes.idx_tup_read) between two
 * moments, per prompt: a figure the machine's speed does not move. A query the
 * planner walks through the wrong index shows here long before it shows in the
 * rates: the scheduler's check for escalating members, planned without statistics,
 * read 64 entries per prompt through checkins_org_open, and the sandbox outbox's
 * pages 25 more (bench, 2026-12-02); the whole dispatch now reads about 20.
 * The server publishes a backend's counts when it goes idle, up to ten seconds
 * late: take the second snapshot well after the phase (the bench takes it after
 * the baseline).
 */
import pg from "pg";

export type IndexReads = Map<string, number>;

/** Index name → entries read so far, for the database's own tables (the baseline's scratch tables left out). */
export async function indexReads(databaseUrl: string): Promise<IndexReads> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; read: string }>(
      `select indexrelname as name, idx_tup_read::text as read from pg_stat_user_indexes where relname not like 'bench\\_%'`);
    return new Map(rows.map((r) => [r.name, Number(r.read)]));
  } finally {
    await client.end();
  }
}

/** Entries read since `before`, in total and by the indexes that read the most (at most `top`), most first. */
export function readsSince(before: IndexReads, after: IndexReads, top = 3): { total: number; most: [string, number][] } {
  const delta = [...after].map(([name, read]): [string, number] => [name, read - (before.get(name) ?? 0)]).filter(([, d]) => d > 0);
  delta.sort((a, b) => b[1] - a[1]);
  return { total: delta.reduce((sum, [, d]) => sum + d, 0), most: delta.slice(0, top) };
}
