/**
 * Opens the database: PostgreSQL when a URL is given, otherwise an embedded PGlite
 * in the data directory. Everything above this file runs the same queries on both.
 */
import { mkdirSync } from "node:fs";
import { Kysely, PostgresDialect, type RawBuilder, sql } from "kysely";
import pg from "pg";
import { type Migration, migrate } from "./migrations.ts";
import { PGliteDialect } from "./pglite-dialect.ts";
import { type FlushListener, openDurablePGlite } from "./pglite-durable.ts";
import type { Database } from "./schema.ts";

export type Db = Kysely<Database>;

export interface StoreOptions {
  /** postgres://… — when absent, PGlite. */
  databaseUrl?: string;
  /** PostgreSQL schema to use (tests and benchmarks isolate themselves this way). */
  schema?: string;
  /** PGlite data directory; "memory://" keeps it in memory. */
  dataDir?: string;
  poolSize?: number;
  /** Shown in pg_stat_activity; defaults to "mimamori:<schema>". */
  applicationName?: string;
  /** Tests of a migration on existing data: stop after this core migration id (no context's migration runs). */
  migrateUpTo?: number;
  /** The bounded contexts' migrations (src/network/…), applied after the core's. */
  migrations?: Migration[];
  /** PGlite on disk: called after each fsync with the path flushed (tests count flushes per commit). */
  onFlush?: FlushListener;
  /**
   * PGlite in memory: the data directory to start from, as PGlite's `dumpDataDir` writes it (an uncompressed tar),
   * instead of a new one from initdb (about 3 s of WASM). Tests start each database from one migrated once per run;
   * migrations still run here and find nothing left to do. Ignored on disk and for PostgreSQL.
   */
  pgliteSeed?: Blob;
}

export interface Store {
  db: Db;
  kind: "postgres" | "pglite";
  /**
   * PGlite on disk: fsync calls so far (each commit flushes its write-ahead log once).
   * Undefined for PostgreSQL (the server flushes) and for PGlite in memory.
   */
  flushes?: () => number;
  /** What this store cannot keep through a power cut, in one sentence (undefined: commits are flushed). */
  notDurable?: string;
  close(): Promise<void>;
}

// int8 (counts, sequences) as strings would leak into JSON; our int8 values fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));

export async function openStore(options: StoreOptions): Promise<Store> {
  let db: Db;
  let kind: Store["kind"];
  let flushes: Store["flushes"];
  let notDurable: string | undefined;
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      // Names our connections, so operators (and the failure tests) can find them.
      application_name: options.applicationName ?? `mimamori:${options.schema ?? "public"}`,
      // JIT compiling pays off for long analytical queries, never for ours: it cost ~19 ms
      // of a 1 ms claim once the outbox's estimates crossed jit_above_cost.
      options: `-c jit=off${options.schema ? ` -c search_path=${options.schema}` : ""}`,
    });
    // A dropped connection (database restart) must not crash the process: the pool
    // replaces it, and the work in hand is retried by the engine.
    pool.on("error", () => {});
    // A connection that dies while checked out (between two queries of a transaction)
    // would otherwise raise an unhandled 'error' and crash the process; its next query
    // fails instead, and the transaction is retried on a fresh connection.
    pool.on("connect", (client) => {
      client.on("error", () => {});
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    kind = "postgres";
    if (options.schema) {
      await sql`create schema if not exists ${sql.id(options.schema)}`.execute(db);
    }
  } else {
    const dir = options.dataDir ?? "./data/pglite";
    const parsers = { 20: (v: string) => Number(v) };
    // Trigram indexes (member search, migration 015); PGlite ships the extension but loads only those named here.
    const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
    const extensions = { pg_trgm };
    if (dir.startsWith("memory://")) {
      // Loaded only when used: a PostgreSQL deployment does not carry PGlite in memory.
      const { PGlite } = await import("@electric-sql/pglite");
      const seed = options.pgliteSeed ? { loadDataDir: options.pgliteSeed } : {};
      db = new Kysely<Database>({ dialect: new PGliteDialect(await PGlite.create(dir, { parsers, extensions, ...seed })) });
      notDurable = "PGlite in memory keeps nothing once the process ends";
    } else {
      mkdirSync(dir, { recursive: true });
      const durable = await openDurablePGlite(dir, { parsers, extensions }, options.onFlush);
      db = new Kysely<Database>({ dialect: new PGliteDialect(durable.client) });
      flushes = durable.flushes;
      notDurable = durable.notDurable;
    }
    kind = "pglite";
  }
  await migrate(db, options.migrateUpTo, options.migrations);
  return {
    db, kind, close: () => db.destroy(),
    ...(flushes ? { flushes } : {}),
    ...(notDurable ? { notDurable } : {}),
  };
}

/** Errors worth retrying a whole transaction for: deadlocks, serialization, lost connections. */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  const message = String((error as Error)?.message ?? "");
  return code === "40P01" || code === "40001" || code === "57P01" || code === "08006" || code === "08003" ||
    code === "ECONNRESET" || code === "ECONNREFUSED" || code === "57P03" ||
    /Connection terminated|connection error|not queryable|Client was closed/i.test(message);
}

/** Run `work` in a transaction, retrying it a few times on transient errors. */
export async function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>, attempts = 4): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute((tx) => work(tx as unknown as Db));
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 30));
    }
  }
}

/**
 * What the database server's settings put at risk, one sentence each (PostgreSQL:
 * autovacuum off leaves dead rows and missing statistics to grow without bound).
 * Empty for PGlite, which this process configures itself.
 */
export async function serverWarnings(store: Store): Promise<string[]> {
  if (store.kind !== "postgres") return [];
  const { rows } = await sql<{ autovacuum: string }>`select current_setting('autovacuum') as autovacuum`.execute(store.db);
  return rows[0]?.autovacuum === "off"
    ? ["PostgreSQL runs with autovacuum = off: the outbox and check-ins fill with dead rows and the planner has no statistics; " +
      "the engine vacuums the tables that need it every MIMAMORI_VACUUM_CHECK_S seconds (60), but autovacuum on (postgresql.conf) is better"]
    : [];
}

/**
 * Claims and batch updates walk an index in order. Tables that fill and drain
 * quickly outrun their statistics, and a planner that guesses "a few rows" then
 * sorts or hashes every due row; inside this transaction it may not. Nor may it
 * scan a whole table: without statistics (a big import before ANALYZE, or
 * autovacuum off) it took `id in (…40 ids…)` for a quarter of the members, since
 * the primary key (id, organisation_id) no longer says an id is unique, and read
 * all 1,000,000 rows per answer batch (749 ms instead of 0.2 ms; bench, 2026-11-30).
 */
export async function preferIndexWalks(tx: Db): Promise<void> {
  // One round trip: these run before every claim.
  await sql`select set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true),
    set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true),
    set_config('enable_seqscan', 'off', true)`.execute(tx);
}

/**
 * `= any($1::uuid[])` for a list of ids: one parameter whatever the list's length.
 * An `in ($1 … $n)` list sends, parses and plans n parameters anew for each n; a
 * batch of 2,000 claimed messages took 82 ms per cause check that way (bench,
 * 100,000 members, 2026-12-01). Use as `.where("id", "=", anyUuid(ids))`.
 */
export function anyUuid(ids: readonly string[]): RawBuilder<string> {
  return sql<string>`any(${ids}::uuid[])`;
}

/**
 * The opposite case: a read that visits every row of an organisation's set (the
 * Today board) joins by hashing. Without statistics the planner guesses one row
 * per set and joins them in nested loops, re-sorting the inner set per member:
 * 24 s for 20,000 members instead of 50 ms (bench --console, 2026-11-30).
 * Applies until the end of the caller's transaction.
 */
export async function preferHashJoins(tx: Db): Promise<void> {
  await sql`select set_config('enable_nestloop', 'off', true)`.execute(tx);
}
