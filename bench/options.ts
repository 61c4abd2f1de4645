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
  /** Run the LINE phases (after the engine phases unless `engine` is false). */
  line: boolean;
  /** Run the engine phases (off with --line-only). */
  engine: boolean;
  /** LINE members to register for the LINE phases. */
  lineMembers: number;
  /** Run the voice phase (after the engine and LINE phases; alone with --voice-only). */
  voice: boolean;
  /** Voice members to register for the voice phase, spread over `voiceOrgs` organisations. */
  voiceMembers: number;
  voiceOrgs: number;
  /** Each voice organisation's call cap (callsPerSecond of its Twilio account). */
  voiceCps: number;
  /** Run the console phase after the engine phases (--console); with `consoleOnly`, after creating and dispatching only. */
  console: boolean;
  consoleOnly: boolean;
  /** Create, dispatch and the dispatch baseline only (--dispatch-only): the quick run for comparing changes to dispatch. */
  dispatchOnly: boolean;
  json: boolean;
  /** Devices for the devices phase (--devices N; 0: it does not run), and how many minutes they report once a minute. */
  devices: number;
  devicesMinutes: number;
  /**
   * Seconds of the minute over which each minute's check-ins are spread (the service's
   * MIMAMORI_SPREAD_SECONDS, 1–59; default 59). 6 at 100,000 members gives the arrival
   * rates of 1,000,000 members over 60 s: a tenth of the run time for the deadline burst.
   */
  spreadSeconds: number;
}

export const USAGE = `usage: npm run bench -- [options]
  --members N            members to register (default 100000)
  --database KIND        postgres | pglite (default: postgres when DATABASE_URL or TEST_DATABASE_URL is set)
  --concurrency C        concurrent requests in the answer phase and the LINE tap phases (default 64)
  --no-answer-ratio R    share of members who do not answer (default 0.1)
  --line                 after the engine phases, the LINE phases: a local LINE API server in the bench
                         process; a second organisation with its LINE channel pointed at it; LINE members
                         registered in bulk (their line_users rows written with pg); signed webhooks of
                         1 and of 100 OK taps each (ingested events/s, p50/p99, applied events/s, ratio
                         to pgbench; PostgreSQL only); then a broadcast to every LINE member, timed until
                         the LINE server has accepted every multicast (skipped while the service answers
                         POST /api/v1/broadcasts with 404)
  --line-only            the LINE phases alone, without the engine phases
  --line-members N       LINE members to register (default: --members)
  --voice                after the engine (and LINE) phases, the voice phase: a local Twilio API server in
                         the bench process; K organisations, each with its own Twilio account pointed at it
                         and a cap of R calls/s; N voice members registered in bulk, all due within one
                         minute (a plan time a minute or two ahead, spread over 59 s); timed until the
                         Twilio server has received every call, with each organisation's peak calls in
                         any 1 s window against its cap, calls per organisation and duplicates
  --voice-only           the voice phase alone, without the engine and LINE phases
  --voice-members N      voice members to register (default 100000)
  --voice-orgs K         organisations to spread them over, one Twilio account each (default 20)
  --voice-cps R          each organisation's calls per second (callsPerSecond, 0.1 to 100; default 10)
  --console              after the engine phases, the console phase: every API call behind a console list or
                         search timed one at a time (p50/p95; target p95 < 200 ms), Today's first load in
                         Debian's Chromium (target < 1 s), and answer → shown on the open board (target < 2 s)
  --console-only         create and dispatch the members, then the console phase (no ingest, pgbench, deadline)
  --dispatch-only        create and dispatch the members, then the dispatch baseline, and stop: dispatch ÷ baseline,
                         both phases' busy CPU-seconds and (PostgreSQL) index entries read and rows written per
                         prompt, in about a minute at 100000 members, for comparing changes (the machine's speed
                         moves minute to minute: compare several interleaved runs)
  --devices N            after the other phases (alone with --devices-only), the devices phase (PostgreSQL): N
                         devices report over MQTT to Mosquitto on 127.0.0.1:1883 (MIMAMORI_BENCH_MQTT_URL), once a
                         minute each for --devices-minutes (default 1), then all at once; events applied per
                         second and the service's peak RSS against its 300 MB budget (bench/devices.ts)
  --devices-only         the devices phase alone (default N 1000)
  --devices-minutes M    minutes of the steady once-a-minute load (default 1)
  --spread-seconds S     spread each minute's check-ins over S seconds (1–59, default 59); e.g. 6 at 100000
                         members gives the per-second rates of 1,000,000 members spread over the minute
                         (16,667 prompts/s and, in the deadline phase, 1,667 re-sends/s) in a tenth of the time
  --json                 print every figure as one JSON object on the last line`;

function spread(raw: string | undefined): number {
  const value = whole("spread-seconds", raw, 59, 1);
  if (value > 59) throw new Error(`--spread-seconds must be at most 59, got "${raw}"`);
  return value;
}

function whole(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return value;
}

function cps(raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  // The limits of PUT /api/v1/channels/twilio's callsPerSecond.
  if (raw.trim() === "" || !Number.isFinite(value) || value < 0.1 || value > 100) {
    throw new Error(`--voice-cps must be a number from 0.1 to 100, got "${raw}"`);
  }
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
      line: { type: "boolean", default: false },
      "line-only": { type: "boolean", default: false },
      "line-members": { type: "string" },
      voice: { type: "boolean", default: false },
      "voice-only": { type: "boolean", default: false },
      "voice-members": { type: "string" },
      "voice-orgs": { type: "string" },
      "voice-cps": { type: "string" },
      console: { type: "boolean", default: false },
      "console-only": { type: "boolean", default: false },
      "dispatch-only": { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      devices: { type: "string" },
      "devices-only": { type: "boolean", default: false },
      "devices-minutes": { type: "string" },
      "spread-seconds": { type: "string" },
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
  const members = whole("members", values.members, 100_000, 1);
  const lineOnly = values["line-only"] ?? false;
  const voiceOnly = values["voice-only"] ?? false;
  const line = lineOnly || (values.line ?? false) || values["line-members"] !== undefined;
  const consoleOnly = values["console-only"] ?? false;
  if (consoleOnly && (lineOnly || voiceOnly)) throw new Error("--console-only runs create, dispatch and the console phase: leave out --line-only and --voice-only");
  if (voiceOnly && line) throw new Error("--voice-only runs the voice phase alone: leave out --line, --line-only and --line-members");
  const voiceOrgs = whole("voice-orgs", values["voice-orgs"], 20, 1);
  const voiceMembers = whole("voice-members", values["voice-members"], 100_000, voiceOrgs);
  const options: Options = {
    members,
    database,
    serverUrl: serverUrl || DEFAULT_SERVER_URL,
    concurrency: whole("concurrency", values.concurrency, 64, 1),
    noAnswerRatio: ratio(values["no-answer-ratio"], 0.1),
    line,
    engine: !lineOnly && !voiceOnly && !values["devices-only"],
    devices: whole("devices", values.devices, values["devices-only"] ? 1000 : 0, 0),
    devicesMinutes: whole("devices-minutes", values["devices-minutes"], 1, 1),
    spreadSeconds: spread(values["spread-seconds"]),
    lineMembers: whole("line-members", values["line-members"], members, 1),
    voice: voiceOnly || (values.voice ?? false) || values["voice-members"] !== undefined || values["voice-orgs"] !== undefined ||
      values["voice-cps"] !== undefined,
    voiceMembers,
    voiceOrgs,
    voiceCps: cps(values["voice-cps"], 10),
    console: consoleOnly || (values.console ?? false),
    consoleOnly,
    dispatchOnly: values["dispatch-only"] ?? false,
    json: values.json ?? false,
  };
  if (options.dispatchOnly && (options.line || options.voice || options.console || options.devices > 0 || !options.engine)) {
    throw new Error("--dispatch-only runs create, dispatch and the baseline alone: leave out the LINE, voice, console and devices options");
  }
  return options;
}
