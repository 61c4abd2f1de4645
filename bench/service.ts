/**
 * The service under test, run as a child process exactly as in production
 * (`node src/main.ts`), with its peak memory read from /proc.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { sleep } from "./stats.ts";

export const SANDBOX_START = "2027-01-04T08:00:00+09:00";

export interface ServiceOptions {
  /** Project root (where src/main.ts is). */
  root: string;
  /** Unset: PGlite in the data directory. */
  databaseUrl: string | undefined;
  dataDir: string;
  token: string;
  /** LINE Messaging API base URL (the bench's local LINE server), when the LINE phases run. */
  lineApiBase?: string;
  /** Twilio REST API base URL (the bench's local Twilio server), when the voice phase runs. */
  twilioApiBase?: string;
  /** The MQTT broker and base topic of the devices phase, when it runs. */
  mqttUrl?: string;
  mqttBaseTopic?: string;
  /** MIMAMORI_SPREAD_SECONDS: each minute's check-ins spread over this many seconds (default 59). */
  spreadSeconds?: number;
}

export interface Service {
  url: string;
  pid: number;
  /** Peak resident memory so far, in MiB (VmHWM, or the highest 200 ms sample). */
  peakRssMb(): number;
  /** The highest RSS sampled since the last call (200 ms samples), in MiB; starts a new window. */
  windowPeakRssMb(): number;
  /** Resident memory now, in MiB (0 once the process is gone). */
  rssMb(): number;
  /** How the process ended, if it ended without being asked to stop. */
  died(): string | undefined;
  /** Log lines the service wrote (it runs at LOG_LEVEL=warn, so every line is worth a look). */
  logLines(): { count: number; first: string[] };
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function serviceEnv(options: ServiceOptions, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Inherit PATH and friends, but nothing that would configure the service behind our back.
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(MIMAMORI_|DATABASE_URL$|TEST_DATABASE_URL$|PORT$|HOST$|LOG_LEVEL$)/.test(key)) continue;
    env[key] = value;
  }
  return {
    ...env,
    PORT: String(port),
    HOST: "127.0.0.1",
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    MIMAMORI_DATA_DIR: options.dataDir,
    MIMAMORI_SANDBOX: "1",
    MIMAMORI_SANDBOX_START: SANDBOX_START,
    MIMAMORI_ADMIN_TOKEN: options.token,
    MIMAMORI_SPREAD_SECONDS: String(options.spreadSeconds ?? 59),
    LOG_LEVEL: "warn",
    MIMAMORI_DB_POOL: "20",
    ...(options.lineApiBase ? { MIMAMORI_LINE_API_BASE: options.lineApiBase } : {}),
    ...(options.twilioApiBase ? { MIMAMORI_TWILIO_API_BASE: options.twilioApiBase } : {}),
    ...(options.mqttUrl ? { MIMAMORI_MQTT_URL: options.mqttUrl, MIMAMORI_MQTT_BASE_TOPIC: options.mqttBaseTopic ?? "zigbee2mqtt" } : {}),
  };
}

/** VmRSS and VmHWM of a process, in kB (0 when it is gone). */
function memoryKb(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0);
    return { rss: field("VmRSS"), hwm: field("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

function collectLogs(child: ChildProcess) {
  const lines = { count: 0, first: [] as string[] };
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on("line", (line) => {
      if (!line.trim()) return;
      lines.count++;
      if (lines.first.length < 20) lines.first.push(line);
    });
  }
  return lines;
}

function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function waitUntilReady(url: string, child: ChildProcess, logs: { first: string[] }): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the service exited (${child.exitCode ?? child.signalCode}) before it was ready:\n${logs.first.join("\n")}`);
    }
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the service did not answer GET /readyz with 200 within 120 s:\n${logs.first.join("\n")}`);
}

export async function startService(options: ServiceOptions): Promise<Service> {
  const port = await freePort();
  // MIMAMORI_BENCH_CPU_PROF=<dir>: the service writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.MIMAMORI_BENCH_CPU_PROF;
  const args = [...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []), "src/main.ts"];
  const child = spawn(process.execPath, args, {
    cwd: options.root, env: serviceEnv(options, port), stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid as number;
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  const logs = collectLogs(child);
  let stopping = false;
  let died: string | undefined;
  child.once("exit", (code, signal) => {
    if (!stopping) died = signal ? `killed by ${signal}` : `exit code ${code}`;
  });
  let sampledKb = 0;
  let windowKb = 0;
  const sampler = setInterval(() => {
    const { rss } = memoryKb(pid);
    sampledKb = Math.max(sampledKb, rss);
    windowKb = Math.max(windowKb, rss);
  }, 200);
  sampler.unref();

  const stop = async () => {
    stopping = true;
    clearInterval(sampler);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const stopped = await Promise.race([waitForExit(child).then(() => true), sleep(15_000).then(() => false)]);
      if (!stopped) child.kill("SIGKILL");
      await waitForExit(child);
    }
    process.off("exit", killOnExit);
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(url, child, logs);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url,
    pid,
    peakRssMb() {
      const { rss, hwm } = memoryKb(pid);
      return Math.max(sampledKb, rss, hwm) / 1024;
    },
    windowPeakRssMb() {
      const peak = Math.max(windowKb, memoryKb(pid).rss);
      windowKb = 0;
      return peak / 1024;
    },
    rssMb: () => memoryKb(pid).rss / 1024,
    died: () => died,
    logLines: () => logs,
    stop,
  };
}
