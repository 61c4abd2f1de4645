/**
 * Mimamori benchmark: runs the real service (node src/main.ts) on a fresh
 * database and measures member registration, dispatch of one minute's
 * check-ins, answer ingest, and deadline-to-action latency of re-sends.
 *
 *   npm run bench -- [--members N] [--database postgres|pglite] [--concurrency C]
 *                    [--no-answer-ratio R] [--line | --line-only] [--line-members N]
 *                    [--voice | --voice-only] [--voice-members N] [--voice-orgs K] [--voice-cps R] [--json]
 *
 * With --line, the LINE phases follow (bench/line.ts): signed webhooks of OK
 * taps against a local LINE API server, and a broadcast by multicast.
 *
 * With --voice, the voice phase comes last (bench/voice.ts): N phone check-ins
 * due within one minute across K organisations capped at R calls/s each, placed
 * through a local Twilio API server; the time until every call is placed, and
 * whether each organisation's cap held. --voice-only runs it alone.
 *
 * It prints measured numbers, not a verdict; it exits non-zero when something
 * did not add up (wrong message counts, failed requests) or could not run.
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { type Client, connect, expectStatus, OUTBOX_PAGE, outboxPage, readOutbox, timedRequests } from "./client.ts";
import { dispatchBaseline } from "./baseline.ts";
import { busyCpuSince } from "./cpu.ts";
import { type DatabaseWork, databaseWork, workSince } from "./database-work.ts";
import { consolePhase } from "./console.ts";
import { devicesPhase, devicesSetup } from "./devices.ts";
import { claimPlans } from "./plans.ts";
import { createDatabase, dropDatabase, havePgbench, runPgbench } from "./database.ts";
import { type LineSetup, linePhases, startLine } from "./line.ts";
import { type Options, parseOptions, USAGE } from "./options.ts";
import { Report } from "./report.ts";
import { type Service, startService } from "./service.ts";
import { round, runWorkers, sleep, spread } from "./stats.ts";
import { startVoice, type VoiceSetup, voicePhase } from "./voice.ts";

const ROOT = resolve(import.meta.dirname, "..");
/** Members are created at 08:00 (the sandbox start) with a plan at 09:00; one minute after it everything is due. */
const DISPATCH_TO = "2027-01-04T09:01:00+09:00";
/** Ten seconds before the re-sends fall due (24 h after each unanswered check-in); from here the clock flows. */
const RUN_FROM = "2027-01-05T08:59:50+09:00";
const BULK_SIZE = 5000;
const BULK_CONCURRENCY = 2;
const POLL_MS = 250;
/** pgbench runs as long as the ingest phase did, at most this long. */
const PGBENCH_MAX_SECONDS = 120;
/** Deadline → action p99 the engine should keep (issue 9); over it, the bench prints the claim queries' plans. */
const DEADLINE_P99_TARGET_MS = 2000;
/** When to take those plans: 30 s into the minute over which the re-sends fall due (they start 10 s after RUN_FROM). */
const PLAN_AT_MS = 40_000;

interface Context {
  options: Options;
  client: Client;
  report: Report;
  cleanup: Cleanup;
  /** The bench database (PostgreSQL only). */
  databaseUrl: string | undefined;
}

/** Undo stack: every resource registers how to release it; runs once, newest first. */
class Cleanup {
  readonly #tasks: (() => unknown)[] = [];
  #done: Promise<void> | undefined;

  add(task: () => unknown): void {
    this.#tasks.push(task);
  }

  run(): Promise<void> {
    this.#done ??= (async () => {
      for (let task = this.#tasks.pop(); task; task = this.#tasks.pop()) {
        try {
          await task();
        } catch (error) {
          process.stderr.write(`cleanup: ${(error as Error)?.message ?? error}\n`);
        }
      }
    })();
    return this.#done;
  }
}

/** Deterministic choice of who stays silent: for R = 0.1, every member whose index % 10 == 0. */
function isSilent(index: number, ratio: number): boolean {
  return Math.floor(index * ratio) !== Math.floor((index - 1) * ratio);
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

function memberInput(i: number) {
  return { displayName: `m${i}`, channels: [{ kind: "sandbox", address: `m${i}` }], plan: { every: "1d", at: "09:00" } };
}

/** 3. Register the members through the bulk endpoint, two requests at a time. */
async function createPhase({ options, client, report }: Context): Promise<string[]> {
  const n = options.members;
  const ids = new Array<string>(n);
  const started = performance.now();
  await runWorkers(Math.ceil(n / BULK_SIZE), BULK_CONCURRENCY, async (chunk) => {
    const from = chunk * BULK_SIZE;
    const to = Math.min(n, from + BULK_SIZE);
    const members = Array.from({ length: to - from }, (_, k) => memberInput(from + k));
    const response = await client.request("POST", "/api/v1/members/bulk", { members });
    expectStatus(response, 201, "POST /api/v1/members/bulk");
    const got: string[] = response.body?.ids ?? [];
    if (got.length !== members.length) throw new Error(`bulk create returned ${got.length} ids for ${members.length} members`);
    got.forEach((id, k) => {
      ids[from + k] = id;
    });
  });
  const took = seconds(started);
  report.set({ createSeconds: round(took, 2), createPerSecond: Math.round(n / took) });
  report.line("create", `${n} members in ${took.toFixed(1)} s (${Math.round(n / took)}/s)`);
  return ids;
}

/** 4. Move the clock past 09:00 and time it; then check one prompt per member arrived. Returns the outbox cursor. */
async function dispatchPhase({ options, client, report }: Context, ids: string[]): Promise<string> {
  const n = options.members;
  const cpu = busyCpuSince();
  const started = performance.now();
  const response = await client.request("POST", "/api/v1/sandbox/clock", { to: DISPATCH_TO });
  const took = seconds(started);
  const busy = cpu();
  expectStatus(response, 200, "POST /api/v1/sandbox/clock");

  const members = new Set(ids);
  const prompted = new Set<string>();
  const counts = { prompts: 0, duplicates: 0, strangers: 0, other: 0 };
  const cursor = await readOutbox(client, "0", (m) => {
    if (m.kind !== "prompt") return void counts.other++;
    counts.prompts++;
    if (!members.has(m.to.id)) counts.strangers++;
    else if (prompted.has(m.to.id)) counts.duplicates++;
    else prompted.add(m.to.id);
  });
  report.set({ dispatchSeconds: round(took, 2), dispatchPerSecond: Math.round(n / took), promptsDelivered: counts.prompts,
    dispatchBusyCpuSeconds: busy === undefined ? null : round(busy, 1) });
  report.line("dispatch", `${n} prompts in ${took.toFixed(1)} s (${Math.round(n / took)} prompts/s)${cpuNote(busy, n, "prompt")}`);
  if (counts.prompts !== n || prompted.size !== n || counts.duplicates || counts.strangers) {
    report.warn(`dispatch: expected ${n} prompts, one per member; the outbox has ${counts.prompts} prompts for ` +
      `${prompted.size} members (${counts.duplicates} repeats, ${counts.strangers} to unknown recipients)`);
  }
  if (counts.other) report.warn(`dispatch: ${counts.other} messages of other kinds than "prompt" in the outbox`);
  return cursor;
}

/**
 * 4b. PostgreSQL: the rows dispatch wrote, written again by plain batched SQL in
 * scratch tables of the same database (bench/baseline.ts); dispatch ÷ that rate.
 */
async function baselinePhase({ report, databaseUrl }: Context): Promise<void> {
  if (!databaseUrl) {
    report.line("baseline", "does not apply to PGlite (its database belongs to the service process)");
    return;
  }
  const baseline = await dispatchBaseline(databaseUrl);
  const busy = baseline.busyCpuSeconds;
  const ratio = (report.figures.dispatchPerSecond ?? 0) / baseline.perSecond;
  report.set({ dispatchBaselinePerSecond: Math.round(baseline.perSecond), dispatchToBaseline: round(ratio, 2),
    baselineBusyCpuSeconds: busy === undefined ? null : round(busy, 1) });
  report.line("baseline", `plain batched SQL wrote the same rows (check-in, prompt, member) for ${baseline.rows} members in ` +
    `${baseline.seconds.toFixed(1)} s (${Math.round(baseline.perSecond)}/s)${cpuNote(busy, baseline.rows, "member")}; ` +
    `dispatch ÷ baseline = ${ratio.toFixed(2)}`);
}

/**
 * 4c. PostgreSQL: what dispatch and the reading of its outbox made the database do, per
 * prompt (bench/database-work.ts): index entries read, rows written. The baseline writes
 * 2 rows and updates 1 per member (bench/baseline.ts), by construction.
 */
async function dispatchWorkLine({ options, report }: Context, databaseUrl: string, before: DatabaseWork): Promise<void> {
  const work = workSince(before, await databaseWork(databaseUrl));
  const per = (n: number) => n / options.members;
  report.set({
    dispatchIndexReadsPerPrompt: round(per(work.indexReads), 1), dispatchRowsInsertedPerPrompt: round(per(work.inserted), 2),
    dispatchRowsUpdatedPerPrompt: round(per(work.updated), 2), dispatchHotUpdatesPerPrompt: round(per(work.hotUpdated), 2),
  });
  report.line("", `per prompt, dispatch and its outbox pages read ${per(work.indexReads).toFixed(1)} index entries ` +
    `(most: ${work.mostRead.map(([name, n]) => `${name} ${per(n).toFixed(1)}`).join(", ")}) and wrote ` +
    `${per(work.inserted).toFixed(2)} rows and ${per(work.updated).toFixed(2)} updates, ${per(work.hotUpdated).toFixed(2)} of them ` +
    "in place (HOT); the baseline writes 2 rows and 1 update per member");
}

/**
 * The machine's busy CPU over a phase, and per item in ms (bench/cpu.ts), for the phase's
 * line; empty off Linux.
 */
function cpuNote(busy: number | undefined, items: number, item: string): string {
  if (busy === undefined || items === 0) return "";
  return `, machine busy ${busy.toFixed(1)} CPU-s (${((busy * 1000) / items).toFixed(3)} ms per ${item})`;
}

/** The PGlite service's fsync count (mimamori_database_flushes_total), or undefined where it keeps none. */
async function databaseFlushes(client: Client): Promise<number | undefined> {
  const response = await client.request("GET", "/metrics");
  const text = typeof response.body === "string" ? response.body : "";
  const found = /^mimamori_database_flushes_total (\d+)$/m.exec(text);
  return found ? Number(found[1]) : undefined;
}

/** 5. Answer "ok" for every member who is not silent, C requests at a time; returns the phase's wall seconds. */
async function ingestPhase({ options, client, report }: Context, ids: string[]): Promise<number> {
  const answering = ids.filter((_, i) => !isSilent(i, options.noAnswerRatio));
  if (answering.length === 0) {
    report.line("ingest", "not measured: nobody answers (--no-answer-ratio 1)");
    return 0;
  }
  let unclosed = 0;
  const flushesBefore = await databaseFlushes(client);
  const load = await timedRequests(answering.length, options.concurrency,
    (k) => client.request("POST", `/api/v1/members/${answering[k]}/answers`, { answer: "ok" }), 201,
    (_, response) => {
      if (response.body?.closedCheckins !== 1) unclosed++;
    });
  const { took, errors } = load;
  const s = load.latency;
  const rate = answering.length / took;
  report.set({
    answers: answering.length, ingestSeconds: round(took, 2), ingestPerSecond: Math.round(rate),
    ingestP50Ms: round(s.p50), ingestP99Ms: round(s.p99), ingestMaxMs: round(s.max), ingestErrors: errors,
  });
  report.line("ingest", `${answering.length} answers in ${took.toFixed(1)} s (${Math.round(rate)}/s), ` +
    `p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, concurrency ${options.concurrency}`);
  if (errors) {
    report.warn(`ingest: ${errors} of ${answering.length} answers were not recorded with 201 (${load.kinds}); first: ${load.firstFailure}`);
    if (errors === answering.length) throw new Error("ingest: every answer failed");
  }
  if (unclosed) report.warn(`ingest: ${unclosed} answers closed no check-in or more than one (expected closedCheckins = 1)`);
  const flushesAfter = await databaseFlushes(client);
  if (flushesBefore !== undefined && flushesAfter !== undefined) {
    const flushes = flushesAfter - flushesBefore;
    report.set({ ingestFlushes: flushes });
    report.line("", `PGlite flushed to disk ${flushes} times (fsync), ${(answering.length / Math.max(1, flushes)).toFixed(1)} answers per flush`);
  }
  return took;
}

/**
 * pgbench -N on the same server for `seconds` (at least 10), once per run: the
 * reference the ingest figures are divided by. Undefined when it cannot run.
 */
async function measurePgbench({ options, report, cleanup }: Context, seconds: number): Promise<number | undefined> {
  if (report.figures.pgbenchTps !== null) return report.figures.pgbenchTps;
  if (options.database !== "postgres") {
    report.line("pgbench", "does not apply to PGlite");
    return undefined;
  }
  if (!havePgbench()) {
    report.line("pgbench", "not run: pgbench is not on PATH");
    return undefined;
  }
  // A rate: two minutes measure it as well as the whole ingest phase would (at 1,000,000 members that is most of an hour).
  const duration = Math.min(PGBENCH_MAX_SECONDS, Math.max(10, Math.ceil(seconds)));
  const name = `mimamori_pgbench_${process.pid}`;
  cleanup.add(() => dropDatabase(options.serverUrl, name)); // runPgbench drops it too, unless interrupted
  try {
    const tps = await runPgbench(options.serverUrl, name, duration);
    report.set({ pgbenchTps: Math.round(tps), pgbenchSeconds: duration });
    report.line("pgbench", `-N 16 clients, ${duration} s: ${Math.round(tps)} tps`);
    return tps;
  } catch (error) {
    report.warn(`pgbench failed: ${(error as Error)?.message ?? error}`);
    return undefined;
  }
}

/** 6. pgbench for as long as the ingest phase ran (at most PGBENCH_MAX_SECONDS), and the ratio of answers/s to its tps. */
async function pgbenchPhase(ctx: Context, ingestSeconds: number): Promise<void> {
  const tps = await measurePgbench(ctx, ingestSeconds);
  if (!tps) return;
  const ratio = (ctx.report.figures.ingestPerSecond ?? 0) / tps;
  ctx.report.set({ ingestToPgbench: round(ratio, 2) });
  ctx.report.line("", `ingest ÷ pgbench = ${ratio.toFixed(2)}`);
}

interface ResendWatch {
  /** Date.parse(at) − Date.parse(dueAt) per silent member: the engine's own stamp. */
  latencies: number[];
  /** Wall time when the poller received it − wall time of its deadline (an upper bound). */
  seen: number[];
  resent: Set<string>;
  strays: number;
  slowestPageMs: number;
}

/** Page through the outbox from `since` until every silent member has a re-send, or time is up. */
async function watchResends(client: Client, silent: Set<string>, since: string, wallOf: (virtual: string) => number,
  timeoutMs: number): Promise<ResendWatch> {
  const watch: ResendWatch = { latencies: [], seen: [], resent: new Set(), strays: 0, slowestPageMs: 0 };
  const deadline = Date.now() + timeoutMs;
  let cursor = since;
  while (watch.resent.size < silent.size && Date.now() < deadline) {
    const asked = Date.now();
    const page = await outboxPage(client, cursor);
    const now = Date.now();
    watch.slowestPageMs = Math.max(watch.slowestPageMs, now - asked);
    for (const m of page.messages) {
      if (m.kind !== "resend") continue;
      if (!silent.has(m.to.id)) watch.strays++;
      else if (!watch.resent.has(m.to.id)) {
        watch.resent.add(m.to.id);
        watch.latencies.push(Date.parse(m.at) - Date.parse(m.dueAt));
        watch.seen.push(now - wallOf(m.dueAt));
      }
    }
    cursor = page.cursor;
    if (page.messages.length < OUTBOX_PAGE) await sleep(POLL_MS);
  }
  return watch;
}

/**
 * 7. Let the clock flow at real speed from just before the re-sends fall due,
 * and wait for a re-send to every silent member.
 */
async function deadlinePhase({ options, client, report, databaseUrl }: Context, ids: string[], since: string): Promise<void> {
  const silent = new Set(ids.filter((_, i) => isSilent(i, options.noAnswerRatio)));
  report.set({ deadlineExpected: silent.size });
  if (silent.size === 0) {
    report.line("deadline", "not measured: every member answered (--no-answer-ratio 0)");
    return;
  }
  const requested = Date.now();
  const response = await client.request("POST", "/api/v1/sandbox/clock", { to: RUN_FROM, run: true });
  expectStatus(response, 200, "POST /api/v1/sandbox/clock (run)");
  // The virtual clock started flowing between `requested` and now; taking `requested` makes "seen" an upper bound.
  const wallOf = (virtual: string) => requested + (Date.parse(virtual) - Date.parse(RUN_FROM));
  const timeoutMs = (180 + options.members / 5000) * 1000;
  // PostgreSQL: the claim queries' plans in the middle of the burst, printed below if p99 misses its target.
  const plans = databaseUrl
    ? sleep(PLAN_AT_MS - (Date.now() - requested)).then(() =>
      claimPlans(databaseUrl, new Date(Date.parse(RUN_FROM) + Date.now() - requested)))
      .catch((error) => `the claim plans could not be taken: ${(error as Error)?.message ?? error}`)
    : undefined;
  const watch = await watchResends(client, silent, since, wallOf, timeoutMs);

  const s = spread(watch.latencies);
  const v = spread(watch.seen);
  report.set({
    deadlineCount: watch.resent.size, deadlineP50Ms: Math.round(s.p50), deadlineP99Ms: Math.round(s.p99),
    deadlineMax: Math.round(s.max), deadlineSeenP50Ms: Math.round(v.p50), deadlineSeenP99Ms: Math.round(v.p99),
    deadlineSlowestPageMs: watch.slowestPageMs,
  });
  report.line("deadline", `${watch.resent.size} re-sends: p50 ${Math.round(s.p50)} ms, p99 ${Math.round(s.p99)} ms, ` +
    `max ${Math.round(s.max)} ms`);
  report.line("", `as seen by the poller: p50 ${Math.round(v.p50)} ms, p99 ${Math.round(v.p99)} ms ` +
    `(slowest outbox page ${watch.slowestPageMs} ms)`);
  if (watch.resent.size < silent.size) {
    report.warn(`deadline: only ${watch.resent.size} of ${silent.size} silent members got a re-send within ${Math.round(timeoutMs / 1000)} s`);
  }
  if (watch.strays) report.warn(`deadline: ${watch.strays} re-sends went to members who had answered`);
  if (plans && s.p99 > DEADLINE_P99_TARGET_MS) {
    report.line("", `p99 is over ${DEADLINE_P99_TARGET_MS} ms; the claim queries ${PLAN_AT_MS / 1000 - 10} s into the burst:`);
    for (const line of (await plans).split("\n")) report.line("", line);
  } else await plans;
}

/** The service runs at LOG_LEVEL=warn: show what it said; an error-level line counts as a problem. */
function reviewServiceLog(report: Report, service: Service): void {
  const { count, first } = service.logLines();
  if (count === 0) return;
  report.line("service", `wrote ${count} log lines at LOG_LEVEL=warn; the first:`);
  for (const line of first.slice(0, 5)) report.line("", line.slice(0, 400));
  const errors = first.filter((line) => /"level":\s*(50|60)/.test(line)).length;
  if (errors) report.warn(`the service logged errors (${errors} among its first ${first.length} lines)`);
}

async function prepareDatabase(options: Options, cleanup: Cleanup): Promise<string | undefined> {
  if (options.database !== "postgres") return undefined;
  const name = `mimamori_bench_${process.pid}_${randomBytes(4).toString("hex")}`;
  const url = await createDatabase(options.serverUrl, name);
  cleanup.add(() => dropDatabase(options.serverUrl, name));
  return url;
}

async function run(options: Options, cleanup: Cleanup, report: Report): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), "mimamori-bench-"));
  cleanup.add(() => rm(dataDir, { recursive: true, force: true }));
  const databaseUrl = await prepareDatabase(options, cleanup);
  const token = `bench_${randomBytes(24).toString("hex")}`;
  let line: LineSetup | undefined;
  if (options.line) {
    line = await startLine();
    const server = line.server;
    cleanup.add(() => server.close());
  }
  let voice: VoiceSetup | undefined;
  if (options.voice) {
    voice = await startVoice(options);
    const server = voice.server;
    cleanup.add(() => server.close());
  }
  const devices = options.devices > 0 ? devicesSetup(process.env) : undefined;
  const service = await startService({
    root: ROOT, databaseUrl, dataDir, token, lineApiBase: line?.server.url, twilioApiBase: voice?.server.url,
    spreadSeconds: options.spreadSeconds,
    ...(devices ? { mqttUrl: devices.brokerUrl, mqttBaseTopic: devices.baseTopic } : {}),
  });
  cleanup.add(() => service.stop());
  const client = await connect(service.url, token, Math.max(options.concurrency, BULK_CONCURRENCY));
  cleanup.add(() => client.close());
  report.set({ httpClient: client.kind });
  const ctx: Context = { options, client, report, cleanup, databaseUrl };

  try {
    if (options.engine) {
      const phaseRss: Record<string, number> = {};
      const phaseDone = (name: string) => {
        phaseRss[name] = Math.round(service.windowPeakRssMb());
      };
      service.windowPeakRssMb();
      const ids = await createPhase(ctx);
      phaseDone("create");
      const workBefore = databaseUrl ? await databaseWork(databaseUrl) : undefined;
      const cursor = await dispatchPhase(ctx, ids);
      phaseDone("dispatch");
      if (!options.consoleOnly) {
        await baselinePhase(ctx);
        // After the baseline: the server publishes the service's counts up to ten seconds late.
        if (databaseUrl && workBefore) await dispatchWorkLine(ctx, databaseUrl, workBefore);
      }
      if (!options.consoleOnly && !options.dispatchOnly) {
        const ingestSeconds = await ingestPhase(ctx, ids);
        phaseDone("ingest");
        await pgbenchPhase(ctx, ingestSeconds);
        service.windowPeakRssMb();
        await deadlinePhase(ctx, ids, cursor);
        phaseDone("deadline");
      }
      if (options.console) {
        report.set({ console: await consolePhase({ client, report, serviceUrl: service.url, token, ids }) });
        phaseDone("console");
      }
      report.set({ phaseRssMb: phaseRss });
    }
    if (line) {
      await linePhases({
        options, report, line, admin: client, serviceUrl: service.url, databaseUrl,
        addCleanup: (task) => cleanup.add(task), pgbenchTps: (seconds) => measurePgbench(ctx, seconds),
      });
    }
    if (voice) {
      await voicePhase({
        options, report, voice, admin: client, serviceUrl: service.url, databaseUrl,
        addCleanup: (task) => cleanup.add(task), serviceDied: () => service.died(),
        serviceRssMb: () => ({ peak: service.peakRssMb(), now: service.rssMb() }),
      });
    }
    if (devices) {
      await devicesPhase({
        client, report, databaseUrl, setup: devices, devices: options.devices, minutes: options.devicesMinutes,
        windowPeakRssMb: () => service.windowPeakRssMb(),
      });
    }
  } catch (error) {
    const died = service.died();
    if (!died) throw error;
    const { first } = service.logLines();
    throw new Error(`the service stopped unexpectedly (${died}): ${(error as Error)?.message ?? error}` +
      (first.length ? `\nits first log lines:\n${first.slice(0, 10).join("\n")}` : ""));
  }

  const peak = service.peakRssMb();
  report.set({ peakRssMb: Math.round(peak) });
  const phases = report.figures.phaseRssMb;
  report.line("memory", `service peak RSS ${Math.round(peak)} MB` +
    (phases ? ` (peak by phase: ${Object.entries(phases).map(([name, mb]) => `${name} ${mb} MB`).join(", ")})` : ""));
  reviewServiceLog(report, service);
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  const report = new Report(options.json, {
    date: new Date().toISOString().slice(0, 10), database: options.database, members: options.members,
    concurrency: options.concurrency, noAnswerRatio: options.noAnswerRatio, line: options.line, engine: options.engine,
    voice: options.voice,
  });
  const cleanup = new Cleanup();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      report.mute();
      process.stderr.write(`\n${signal}: stopping the service and removing the bench database…\n`);
      void cleanup.run().finally(() => process.exit(signal === "SIGINT" ? 130 : 143));
    });
  }

  const f = report.figures;
  const phases = [
    options.engine ? `members ${f.members}${options.console ? " (console)" : ""}` +
      `${options.spreadSeconds !== 59 ? `, each minute's check-ins over ${options.spreadSeconds} s` : ""}` : "", options.line ? `LINE members ${options.lineMembers}` : "",
    options.voice ? `voice members ${options.voiceMembers} in ${options.voiceOrgs} organisations at ${options.voiceCps} calls/s each` : "",
    options.devices ? `devices ${options.devices}` : "",
  ];
  process.stdout.write(`mimamori bench — ${f.date} — database ${f.database} — ${phases.filter(Boolean).join(" — ")}\n`);
  try {
    await run(options, cleanup, report);
  } catch (error) {
    report.fail(error);
  }
  await cleanup.run();
  report.finish();
  process.exit(report.ok ? 0 : 1);
}

await main();
