/**
 * The tests' PGlite seeds: one database migrated once per run (by the global setup), from which every test's new
 * PGlite database starts instead of running initdb and every migration again — 3 to 8 s per database on this kind
 * of machine, where PGlite suites took four times as long as the same suites on PostgreSQL.
 *
 * - On disk (a test service's data directory): a copy of a data directory that was migrated and closed cleanly, so
 *   PostgreSQL starts without recovery. The service then opens an existing database, as after a restart.
 * - In memory (engine-level stores): the same schema as a `dumpDataDir` tar (StoreOptions.pgliteSeed).
 *
 * Tests about a first start, a migration or durability open their stores themselves, without a seed.
 */
import { cpSync, existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { Kysely } from "kysely";
import { DIRECTORY_MIGRATIONS } from "../../src/directory/store/migrations.ts";
import { NETWORK_MIGRATIONS } from "../../src/network/store/migrations.ts";
import { openStore } from "../../src/store/db.ts";
import { migrate } from "../../src/store/migrations.ts";
import { PGliteDialect } from "../../src/store/pglite-dialect.ts";
import type { Database } from "../../src/store/schema.ts";

/** The bounded contexts' migrations, as service.ts applies them after the core's. */
export const CONTEXT_MIGRATIONS = [...NETWORK_MIGRATIONS, ...DIRECTORY_MIGRATIONS];

/** Where the global setup left the seeds (an environment variable, so the test files' processes find them). */
export const SEEDS_VARIABLE = "MIMAMORI_TEST_PGLITE_SEEDS";
const DISK = "pglite";
const MEMORY = "memory.tar";

/** Writes both seeds into `dir` (an empty directory) and names it for the test files' processes. */
export async function writePgliteSeeds(dir: string): Promise<void> {
  const disk = await openStore({ dataDir: join(dir, DISK), migrations: CONTEXT_MIGRATIONS });
  await disk.close();
  // The extensions a store loads (src/store/db.ts): the seed's catalog names pg_trgm.
  const client = await PGlite.create({ extensions: { pg_trgm } });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client) });
  try {
    await migrate(db, undefined, CONTEXT_MIGRATIONS);
    await writeFile(join(dir, MEMORY), Buffer.from(await (await client.dumpDataDir("none")).arrayBuffer()));
  } finally {
    await db.destroy();
  }
  process.env[SEEDS_VARIABLE] = dir;
}

/**
 * Puts the migrated database at `dataDir` (a PGlite data directory) when there is none yet. False when the file
 * runs without the global setup: the service then creates its database itself.
 */
export function seedPgliteDirectory(dataDir: string): boolean {
  const seeds = process.env[SEEDS_VARIABLE];
  if (!seeds || existsSync(dataDir)) return false;
  cpSync(join(seeds, DISK), dataDir, { recursive: true });
  return true;
}

let memorySeed: Promise<Blob | undefined> | undefined;

/** The in-memory seed, read once per process; undefined without the global setup (initdb then). */
export function pgliteMemorySeed(): Promise<Blob | undefined> {
  const seeds = process.env[SEEDS_VARIABLE];
  memorySeed ??= seeds ? readFile(join(seeds, MEMORY)).then((bytes) => new Blob([bytes])) : Promise.resolve(undefined);
  return memorySeed;
}
