/**
 * Starts the service; SIGTERM/SIGINT finish the batch in hand and stop cleanly
 * (exit 0), within MIMAMORI_SHUTDOWN_S seconds or else exit 1.
 *
 * Logs are written asynchronously and never wait for their reader: a standard
 * output whose reader went away (EPIPE) or stopped reading (a full pipe) loses
 * log lines, never blocks the event loop, so shutdown and its time bound work.
 */
import { setFlagsFromString } from "node:v8";
import pino from "pino";
import { loadConfig } from "./config.ts";
import { StartRefused } from "./engine/first-start.ts";
import { type RunningService, startService } from "./service.ts";

/** Log lines held in memory while standard output is slow; beyond this they are dropped. */
const LOG_BUFFER_BYTES = 4 * 1024 * 1024;
/** How long the last log lines may take to leave before the process exits anyway. */
const LOG_FLUSH_MS = 500;

// The old generation grows to at most 1.5× what survived the last full collection (V8
// lets it grow up to 4×), so garbage of a burst (a 5,000-member import, an outbox page)
// is collected before the resident memory balloons: about 190 instead of 290 MB after
// importing 100,000 members, for about 15% more CPU in that phase (issue 9, ≤ 300 MB).
// Not allowed in NODE_OPTIONS, and read by V8 at each collection, so set here.
setFlagsFromString("--heap-growing-percent=50");

const config = loadConfig();
// process.stdout on a pipe or socket is non-blocking (libuv): a write the reader is not
// ready for is queued, never waited for. The queue is capped, and a reader that went
// away (EPIPE) is not an error of the service.
const stdout = process.stdout;
stdout.on("error", () => {});
const print = (text: string) => {
  if (!stdout.destroyed && stdout.writableLength < LOG_BUFFER_BYTES) stdout.write(text);
};
const log = pino({ level: config.logLevel }, { write: print });

/** Exit once the last log lines are out, or after LOG_FLUSH_MS if standard output does not take them. */
function exit(code: number): void {
  if (stdout.destroyed || stdout.writableLength === 0) process.exit(code);
  stdout.once("drain", () => process.exit(code));
  setTimeout(() => process.exit(code), LOG_FLUSH_MS);
}

let service: RunningService | undefined;
let stopping = false;

/** Stops the service in hand and exits 0; errors and the time bound exit 1. */
async function finish(): Promise<void> {
  try {
    await service?.stop();
  } catch (error) {
    log.error({ err: error }, "stop failed");
    exit(1);
    return;
  }
  log.info("stopped");
  exit(0);
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing the batch in hand");
    // A bound on the whole stop: a request that never ends or a stuck database
    // connection must not keep the process (its port, PGlite's lock) for ever.
    setTimeout(() => {
      log.error({ seconds: config.shutdownSeconds }, "stop did not finish within MIMAMORI_SHUTDOWN_S; exiting");
      exit(1);
    }, config.shutdownSeconds * 1000);
    // A signal during start-up stops the service as soon as it is up.
    if (service) void finish();
  });
}

try {
  service = await startService(config, log, print);
} catch (error) {
  if (!(error instanceof StartRefused)) throw error;
  // One line, for the operator: what is wrong and what to do.
  process.stderr.write(`mimamori: ${error.message}\n`);
  process.exit(1);
}
if (stopping) void finish();
