/** Command-line options of the benchmark. */
import { parseArgs } from "node:util";

export const DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/test";

export interface Options {
  members: number;
  database: "postgres" | "pglite";
  /** PostgreSQL server to create the bench database on (postgres only). */
  serverUrl: string;
  concurrency: number;
  noAnswerRatio: number;
  json: boolean;
}

export const USAGE = `usage: npm run bench -- [options]
  --members N            members to register (default 100000)
  --database KIND        postgres | pglite (default: postgres when DATABASE_URL or TEST_DATABASE_URL is set)
  --concurrency C        concurrent requests in the answer phase (default 64)
  --no-answer-ratio R    share of members who do not answer (default 0.1)
  --json                 print every figure as one JSON object on the last line`;

function whole(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return value;
}

function ratio(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new Error(`--no-answer-ratio must be a number from 0 to 1, got "${raw}"`);
  }
  return value;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      members: { type: "string" },
      database: { type: "string" },
      concurrency: { type: "string" },
      "no-answer-ratio": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  // TEST_DATABASE_URL=off means "PGlite only", as for the tests.
  const testUrl = env.TEST_DATABASE_URL === "off" ? "" : env.TEST_DATABASE_URL;
  const serverUrl = env.DATABASE_URL || testUrl || "";
  const database = values.database ?? (serverUrl ? "postgres" : "pglite");
  if (database !== "postgres" && database !== "pglite") throw new Error(`--database must be postgres or pglite, got "${database}"`);
  return {
    members: whole("members", values.members, 100_000, 1),
    database,
    serverUrl: serverUrl || DEFAULT_SERVER_URL,
    concurrency: whole("concurrency", values.concurrency, 64, 1),
    noAnswerRatio: ratio(values["no-answer-ratio"], 0.1),
    json: values.json ?? false,
  };
}
