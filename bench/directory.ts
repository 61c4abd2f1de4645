/**
 * The directory's figures (issue 14): with N services (each with taxonomy codes
 * and an area) and V volunteers (skills, areas, weekly slots), every call a
 * coordinator makes to find help is timed through the API one at a time, as a
 * person clicking would: the staff search of services (the console's 地域資源
 * list) by words, by taxonomy codes, and by both; and the matches of a need
 * (services and volunteers, with areas, schedules, capacities and volunteers'
 * slots weighed). Target p95 < 200 ms.
 *
 *   npx node bench/directory.ts [--services N] [--volunteers V] [--database postgres|pglite] [--calls C] [--json]
 *
 * Full size: --services 20000 --volunteers 5000 --database postgres. It runs the
 * real service (node src/main.ts) on a fresh database, dropped afterwards, and
 * prints measured numbers, not a verdict; it exits non-zero when a call fails.
 * Providers, members and needs are created through the API; the services and
 * volunteers in-process through the directory's bulk import and create command,
 * with the service stopped (the same rows and history, in seconds rather than
 * minutes). The calls are timed first without table statistics (right after
 * the load, as with autovacuum off: the plans must not need them), then on
 * PostgreSQL after ANALYZE. A call over the target prints where its time went:
 * its queries run in-process with their durations and the slowest ones' plans.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { TAXONOMY_JA_TERMS } from "../src/directory/domain/taxonomy-ja.ts";
import { suggestMatches } from "../src/directory/engine/matches.ts";
import { importDirectoryServices } from "../src/directory/engine/service-import.ts";
import { listDirectoryServices } from "../src/directory/engine/services.ts";
import { createVolunteer } from "../src/directory/engine/volunteers.ts";
import { DIRECTORY_MIGRATIONS } from "../src/directory/store/migrations.ts";
import { NETWORK_MIGRATIONS } from "../src/network/store/migrations.ts";
import { type Db, openStore, type Store } from "../src/store/db.ts";
import type { Database } from "../src/store/schema.ts";
import { type Client, connect, expectStatus } from "./client.ts";
import { createDatabase, dropDatabase } from "./database.ts";
import { DEFAULT_SERVER_URL } from "./options.ts";
import { SANDBOX_START, startService } from "./service.ts";
import { round, runWorkers, spread } from "./stats.ts";

/** Issue 14: a search or a need's matches answers within this at the 95th percentile. */
export const DIRECTORY_P95_TARGET_MS = 200;

const ROOT = resolve(import.meta.dirname, "..");
const WORKERS = 8;
/** Who the seeded rows' history names. */
const SEED_ACTOR = "bench:seed";
/** Postal-code prefixes (3 digits) the services and volunteers are spread over: areas of about a town each. */
const AREAS = Array.from({ length: 40 }, (_, i) => String(270 + i));
const WORDS = ["買い物", "配食", "見守り", "サロン", "体操", "送迎", "家事", "相談", "会食", "ゴミ出し", "草取り", "電球交換", "通院", "傾聴", "囲碁"];

const USAGE = `usage: npx node bench/directory.ts [options]
  --services N     services to register, each with 1–2 taxonomy codes and an area (default 20000)
  --volunteers V   volunteers to register (default 5000)
  --database KIND  postgres | pglite (default postgres)
  --server URL     PostgreSQL server for the bench database (default ${DEFAULT_SERVER_URL})
  --calls C        timed requests per call (default 60)
  --json           print every figure as one JSON object on the last line`;

function options() {
  const { values } = parseArgs({
    options: {
      services: { type: "string", default: "20000" }, volunteers: { type: "string", default: "5000" }, database: { type: "string", default: "postgres" },
      server: { type: "string", default: process.env.TEST_DATABASE_URL && process.env.TEST_DATABASE_URL !== "off" ? process.env.TEST_DATABASE_URL : DEFAULT_SERVER_URL },
      calls: { type: "string", default: "60" }, json: { type: "boolean", default: false }, help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const count = (v: string, name: string, min: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}\n${USAGE}`);
    return n;
  };
  if (values.database !== "postgres" && values.database !== "pglite") throw new Error(`--database must be postgres or pglite\n${USAGE}`);
  return {
    services: count(values.services, "services", 10), volunteers: count(values.volunteers, "volunteers", 10), database: values.database,
    server: values.server, calls: count(values.calls, "calls", 5), json: values.json,
  };
}

/** Leaf codes of the shipped taxonomy (a need names one; services carry one or two). */
const CODES = TAXONOMY_JA_TERMS.map((t) => t.code).filter((c) => c.includes("."));
const pick = <T>(list: readonly T[], i: number) => list[(i * 7919 + 13) % list.length]!;

async function created(client: Client, path: string, body: unknown, status = 201): Promise<any> {
  const r = await client.request(path.startsWith("PUT ") ? "PUT" : "POST", `/api/v1${path.replace(/^PUT /, "")}`, body);
  expectStatus(r, status, path);
  return r.body;
}

/** Services per import batch: one transaction of a few multi-row statements each. */
const IMPORT_BATCH = 500;

/**
 * Providers, members and their needs through the API (a few dozen calls); then,
 * with the service stopped, the services (with codes and areas) through the
 * directory's bulk import and the volunteers through its create command,
 * in-process: the rows and history the API writes (test/directory/service-import.test.ts),
 * without 60,000 HTTP round trips. The timed calls go through the API again.
 */
async function seedThroughApi(client: Client): Promise<{ providers: string[]; needs: string[] }> {
  const providers = await Promise.all(Array.from({ length: 20 }, (_, i) => created(client, "/directory/organizations", { name: `提供主体${i}` })));
  // Needs of members in different areas, each naming one code.
  const needs: string[] = [];
  for (let i = 0; i < 20; i++) {
    const member = await created(client, "/members", {
      displayName: `利用者${i}`, channels: [{ kind: "sandbox", address: `m${i}` }], plan: { every: "1d", at: "09:00" },
      address: `〒${pick(AREAS, i)}-0001 本町${i}-1`,
    });
    needs.push((await created(client, "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: [pick(CODES, i)] })).id);
  }
  return { providers: providers.map((p) => p.id as string), needs };
}

async function seedInProcess(store: Store, providers: string[], o: ReturnType<typeof options>, log: (s: string) => void): Promise<void> {
  const { db } = store;
  const { organisation_id: organisationId } = await db.selectFrom("directory_organizations").select("organisation_id").where("id", "=", providers[0]!)
    .executeTakeFirstOrThrow();
  const now = new Date(SANDBOX_START);
  const t0 = performance.now();
  for (let from = 0; from < o.services; from += IMPORT_BATCH) {
    const items = Array.from({ length: Math.min(IMPORT_BATCH, o.services - from) }, (_, k) => {
      const i = from + k;
      const word = pick(WORDS, i);
      return {
        service: {
          directoryOrganizationId: providers[i % providers.length]!, name: `${word}サービス${i}`, status: "active" as const,
          description: `${word}と${pick(WORDS, i + 1)}の支援 (${i})`,
        },
        codes: [...new Set([pick(CODES, i), pick(CODES, i * 3 + 1)])].slice(0, 1 + (i % 2)),
        areas: [{ name: `地区${i % AREAS.length}`, areaKind: "postal_code" as const, areaValue: pick(AREAS, i) }],
      };
    });
    const r = await importDirectoryServices(db, organisationId, items, SEED_ACTOR, now);
    if (!r.ok) throw new Error(`import refused at ${from + Number(r.field.split(".")[0])}: ${r.error} (${r.field})`);
  }
  log(`services: ${o.services} in ${round((performance.now() - t0) / 1000)} s (bulk import, ${IMPORT_BATCH} a transaction)`);
  const t1 = performance.now();
  await runWorkers(o.volunteers, store.kind === "postgres" ? WORKERS : 1, async (i) => {
    await createVolunteer(db, organisationId, {
      displayName: `担い手${i}`, skills: [pick(CODES, i), pick(CODES, i + 5)].filter((c, k, a) => a.indexOf(c) === k),
      areas: [{ kind: "postal_code", value: pick(AREAS, i) }], availability: [{ weekday: 1 + (i % 7), from: "09:00", to: "17:00" }],
    }, now);
  });
  log(`volunteers: ${o.volunteers} in ${round((performance.now() - t1) / 1000)} s (create command, in-process)`);
}

interface Call {
  name: string;
  path: (i: number) => string;
  /** The same call's engine work, run in-process to read its queries' plans when the call is over the target. */
  engine: (db: Db, organisationId: string, i: number) => Promise<unknown>;
}

function calls(needs: string[]): Call[] {
  const now = new Date(SANDBOX_START);
  const search = (words: (i: number) => string | undefined, codes: (i: number) => string[] | undefined): Pick<Call, "path" | "engine"> => ({
    path: (i) => {
      const q = new URLSearchParams({ ...(words(i) ? { search: words(i)! } : {}), ...(codes(i) ? { taxonomy: codes(i)!.join(",") } : {}), limit: "50" });
      return `/api/v1/directory/services?${q}`;
    },
    engine: (db, org, i) => listDirectoryServices(db, org, { search: words(i), taxonomyCodes: codes(i), limit: 50 }, now),
  });
  return [
    { name: "search: words", ...search((i) => pick(WORDS, i), () => undefined) },
    { name: "search: taxonomy", ...search(() => undefined, (i) => [pick(CODES, i)]) },
    { name: "search: words + taxonomy", ...search((i) => pick(WORDS, i), (i) => [pick(CODES, i), pick(CODES, i + 1)]) },
    { name: "search: words matching one", ...search((i) => `サービス${(i * 7919) % 10}1`, () => undefined) },
    {
      name: "matches of a need (services + volunteers, area)", path: (i) => `/api/v1/directory/needs/${needs[i % needs.length]}/matches`,
      engine: (db, org, i) => suggestMatches(db, org, needs[i % needs.length]!, now),
    },
  ];
}

/**
 * Where a call's time goes: its engine work run in-process against the bench
 * database with every query logged, then the slowest queries' plans
 * (EXPLAIN ANALYZE, BUFFERS) with their parameters. Printed when a call's p95 is
 * over the target.
 */
async function explainCall(dbUrl: string, organisationId: string, call: Call): Promise<string> {
  const logged: { sql: string; parameters: readonly unknown[]; ms: number }[] = [];
  const pool = new pg.Pool({ connectionString: dbUrl, max: 2, options: "-c jit=off" });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (e) => {
      if (e.level === "query") logged.push({ sql: e.query.sql, parameters: e.query.parameters, ms: e.queryDurationMillis });
    },
  });
  const out: string[] = [];
  try {
    await call.engine(db, organisationId, 1);
    out.push(`${call.name}: ${logged.length} queries, ${round(logged.reduce((n, q) => n + q.ms, 0))} ms in the database`);
    for (const q of [...logged].sort((a, b) => b.ms - a.ms).slice(0, 2)) {
      const client = await pool.connect();
      try {
        const plan = await client.query(`explain (analyze, buffers) ${q.sql}`, [...q.parameters]);
        out.push(`  ${round(q.ms)} ms: ${q.sql.slice(0, 400)}`, ...plan.rows.map((r) => `    ${String(r["QUERY PLAN"]).slice(0, 300)}`));
      } finally {
        client.release();
      }
    }
  } catch (error) {
    out.push(`${call.name}: no plan (${(error as Error)?.message ?? error})`);
  } finally {
    await db.destroy();
  }
  return out.join("\n");
}

type Figures = Record<string, { p50: number; p95: number; max: number; results: number }>;

/** Every call timed `o.calls` times, one at a time; the plans of those over the target printed when there is a PostgreSQL database. */
async function timeCalls(client: Client, list: Call[], o: ReturnType<typeof options>, label: string, log: (s: string) => void,
  explain: ((call: Call) => Promise<string>) | undefined): Promise<Figures> {
  const figures: Figures = {};
  log(label);
  for (const call of list) {
    // One untimed request warms the route (the first plan, the first JIT).
    expectStatus(await client.request("GET", call.path(0)), 200, call.name);
    const took: number[] = [];
    let results = 0;
    for (let i = 0; i < o.calls; i++) {
      const start = performance.now();
      const r = await client.request("GET", call.path(i));
      took.push(performance.now() - start);
      expectStatus(r, 200, call.name);
      results += Array.isArray(r.body?.services) ? r.body.services.length : (r.body?.services?.suggested?.length ?? 0) + (r.body?.volunteers?.suggested?.length ?? 0);
    }
    const s = spread(took);
    figures[call.name] = { p50: round(s.p50), p95: round(s.p95), max: round(s.max), results: round(results / o.calls) };
    const over = s.p95 > DIRECTORY_P95_TARGET_MS;
    log(`  ${call.name.padEnd(50)} p50 ${round(s.p50)} ms  p95 ${round(s.p95)} ms  max ${round(s.max)} ms  (${round(results / o.calls)} found on average)${over ? "  OVER TARGET" : ""}`);
    if (over && explain) console.error(await explain(call));
  }
  return figures;
}

async function main(): Promise<void> {
  const o = options();
  const log = (s: string) => {
    if (!o.json) console.log(s);
  };
  const name = `mimamori_bench_dir_${randomBytes(4).toString("hex")}`;
  const dataDir = await mkdtemp(join(tmpdir(), "mimamori-bench-dir-"));
  const token = `bench_${randomBytes(16).toString("hex")}`;
  let dbUrl: string | undefined;
  let service: Awaited<ReturnType<typeof startService>> | undefined;
  let client: Client | undefined;
  let failed = false;
  try {
    if (o.database === "postgres") dbUrl = await createDatabase(o.server, name);
    log(`directory bench: ${o.services} services, ${o.volunteers} volunteers, ${o.database}; target p95 < ${DIRECTORY_P95_TARGET_MS} ms; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")} on ${cpus().length} cores`);
    service = await startService({ root: ROOT, databaseUrl: dbUrl, dataDir, token });
    client = await connect(service.url, token, WORKERS);
    const { providers, needs } = await seedThroughApi(client);
    await client.close();
    await service.stop();
    // The service is stopped while seeding in-process: PGlite has one process at a time, and both databases are seeded the same way.
    const store = await openStore({ databaseUrl: dbUrl, dataDir: join(dataDir, "pglite"), migrations: [...NETWORK_MIGRATIONS, ...DIRECTORY_MIGRATIONS] });
    let organisationId: string;
    try {
      await seedInProcess(store, providers, o, log);
      organisationId = (await store.db.selectFrom("directory_organizations").select("organisation_id").where("id", "=", providers[0]!).executeTakeFirstOrThrow())
        .organisation_id;
    } finally {
      await store.close();
    }
    service = await startService({ root: ROOT, databaseUrl: dbUrl, dataDir, token });
    client = await connect(service.url, token, WORKERS);
    const explain = dbUrl ? (call: Call) => explainCall(dbUrl!, organisationId, call) : undefined;
    const figures: Record<string, Figures> = {};
    // Right after a bulk load the tables have no statistics (autovacuum may be off, or not yet run): the plans must not need them.
    figures.noStatistics = await timeCalls(client, calls(needs), o, dbUrl ? "without statistics (no ANALYZE since the load):" : "PGlite:", log, explain);
    if (dbUrl) {
      const analyse = new pg.Client({ connectionString: dbUrl });
      await analyse.connect();
      try {
        await analyse.query("analyze");
      } finally {
        await analyse.end();
      }
      figures.analysed = await timeCalls(client, calls(needs), o, "after ANALYZE (as autovacuum keeps a running system):", log, explain);
    }
    log(`service peak RSS ${round(service.peakRssMb())} MiB; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    if (o.json) {
      console.log(JSON.stringify({ services: o.services, volunteers: o.volunteers, database: o.database, targetP95Ms: DIRECTORY_P95_TARGET_MS, loadAverage: loadavg(), figures }));
    }
  } catch (error) {
    failed = true;
    console.error(error instanceof Error ? error.message : error);
    if (service?.died()) console.error(`the service ended: ${service.died()}`);
  } finally {
    await client?.close();
    await service?.stop();
    // MIMAMORI_BENCH_KEEP_DB=1 keeps the database to read query plans afterwards (EXPLAIN); dropped otherwise.
    if (dbUrl && process.env.MIMAMORI_BENCH_KEEP_DB === "1") console.error(`kept the database: ${dbUrl}`);
    else if (dbUrl) await dropDatabase(o.server, name);
    await rm(dataDir, { recursive: true, force: true });
  }
  process.exit(failed ? 1 : 0);
}

await main();
