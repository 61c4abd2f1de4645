/**
 * The tests' PGlite seeds (test/support/pglite-seed.ts): a database started from one is the database a first start
 * would have made — the same tables, columns, indexes, constraints and functions — and starting from one really
 * skips the migrations (they were applied before this test file's process began).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { type Db, openStore, type Store } from "../../src/store/db.ts";
import { CONTEXT_MIGRATIONS, pgliteMemorySeed, SEEDS_VARIABLE, seedPgliteDirectory } from "../support/pglite-seed.ts";

/** Everything a migration makes, as sorted lines (names and definitions; no oids, no timestamps). */
async function catalog(db: Db): Promise<string[]> {
  const { rows } = await sql<{ line: string }>`
    select 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') as line
      from information_schema.columns where table_schema = 'public'
    union all select 'index ' || indexname || ' ' || indexdef from pg_indexes where schemaname = 'public'
    union all select 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
      from pg_constraint where connamespace = 'public'::regnamespace
    union all select 'function ' || p.proname || ' ' || md5(p.prosrc) from pg_proc p where p.pronamespace = 'public'::regnamespace
    union all select 'extension ' || extname from pg_extension
    union all select 'migration ' || id || ' ' || name from schema_migrations
    order by 1`.execute(db);
  const lines = rows.map((row) => row.line);
  for (const kind of ["column", "index", "constraint", "function", "extension", "migration"]) {
    assert.ok(lines.some((line) => line.startsWith(`${kind} `)), `the catalog lists ${kind}s`);
  }
  return lines;
}

async function appliedBefore(db: Db, instant: Date): Promise<boolean> {
  const { rows } = await sql<{ latest: Date }>`select max(applied_at) as latest from schema_migrations`.execute(db);
  return new Date(rows[0]?.latest ?? 0) < instant;
}

const seeded = Boolean(process.env[SEEDS_VARIABLE]);
const started = new Date(performance.timeOrigin);
let fresh: Store;
const dirs: string[] = [];

before(async () => {
  fresh = await openStore({ dataDir: "memory://", migrations: CONTEXT_MIGRATIONS });
});
after(async () => {
  await fresh.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test("the run has seeds: npm test's global setup made them", () => {
  assert.ok(seeded, `${SEEDS_VARIABLE} is set by test/support/global-setup.ts`);
});

test("a database in memory started from the seed is the one a first start makes, without migrating again", async () => {
  const seed = await pgliteMemorySeed();
  assert.ok(seed, "the in-memory seed is there");
  const store = await openStore({ dataDir: "memory://", migrations: CONTEXT_MIGRATIONS, pgliteSeed: seed });
  try {
    assert.deepEqual(await catalog(store.db), await catalog(fresh.db));
    assert.ok(await appliedBefore(store.db, started), "its migrations were applied before this process began");
    assert.ok(!(await appliedBefore(fresh.db, started)), "the fresh one's were applied now");
  } finally {
    await store.close();
  }
});

test("a data directory copied from the seed is the one a first start makes, and is left alone when it exists", async () => {
  const dir = mkdtempSync(join(tmpdir(), "mimamori-seed-test-"));
  dirs.push(dir);
  const dataDir = join(dir, "pglite");
  assert.equal(seedPgliteDirectory(dataDir), true);
  const store = await openStore({ dataDir, migrations: CONTEXT_MIGRATIONS });
  try {
    assert.deepEqual(await catalog(store.db), await catalog(fresh.db));
    assert.ok(await appliedBefore(store.db, started), "its migrations were applied before this process began");
    await sql`create table kept (x int)`.execute(store.db);
  } finally {
    await store.close();
  }
  assert.equal(seedPgliteDirectory(dataDir), false, "an existing database is never overwritten");
  const reopened = await openStore({ dataDir, migrations: CONTEXT_MIGRATIONS });
  try {
    assert.deepEqual((await sql`select count(*)::int as n from kept`.execute(reopened.db)).rows, [{ n: 0 }]);
  } finally {
    await reopened.close();
  }
});
