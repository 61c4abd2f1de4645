/**
 * The voice phase of the benchmark (--voice / --voice-only): "N voice check-ins
 * due in one minute, with a cap of R calls/s per organisation across K
 * organisations: how long until every call is placed, and did the cap hold?"
 *
 * The service places calls with the official twilio SDK against a
 * Twilio-compatible API server running in this process (test/support), which
 * records every call with the wall time its request arrived. It answers nothing
 * back (autoAnswer "none"): what is measured is placing the calls.
 *
 *  1. K organisations (instance admin token), each with a Twilio account of its
 *     own on the local server and callsPerSecond R;
 *  2. N voice members in bulk, N/K per organisation, with a daily plan at a
 *     minute a minute or two ahead on the service's clock; the service spreads a
 *     minute's check-ins over 59 s (MIMAMORI_SPREAD_SECONDS), so all N fall due
 *     within that one minute. The sandbox clock is set running first, so the
 *     service's time flows at real speed;
 *  3. from the first due instant, wait until every member's number has been
 *     called; then per organisation the peak calls in any 1 s window against the
 *     cap, calls per organisation, duplicates, and (PostgreSQL) how late each
 *     call arrived after the send slot the service stored for it.
 */
import { randomBytes } from "node:crypto";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import pg from "pg";
import { SLOT_MARGIN } from "../src/engine/pacing.ts";
import { type CallRecord, peakRate, startTwilioApiServer, type TwilioApiServer } from "../test/support/twilio-api-server.ts";
import { type Client, connect, expectStatus } from "./client.ts";
import type { Options } from "./options.ts";
import type { Report } from "./report.ts";
import { round, runWorkers, sleep, spread } from "./stats.ts";

const BULK_SIZE = 5000;
const BULK_CONCURRENCY = 2;
const POLL_MS = 250;
const PROGRESS_MS = 60_000;
/** After the last expected call: how long to keep listening for duplicates. */
const SETTLE_MS = 5000;
const TIME_ZONE = "Asia/Tokyo";
/** Windows over the cap shown call by call. */
const DETAILS = 5;
/**
 * Arrival before the stored slot by less than this is measurement, not the service:
 * whole-millisecond arrival stamps, and the service's clock offset read over HTTP.
 */
const SLOT_CLOCK_ERROR_MS = 2;
/** Numbers are +81901 and seven digits (valid Japanese mobile numbers): member i of the run gets i. */
const NUMBER_PREFIX = "+81901";

export interface VoiceAccount {
  sid: string;
  token: string;
}

export interface VoiceSetup {
  server: TwilioApiServer;
  /** One Twilio account per organisation, registered on the server. */
  accounts: VoiceAccount[];
}

/** The local Twilio server with K accounts; start it before the service, which needs its URL. */
export async function startVoice(options: Options): Promise<VoiceSetup> {
  const accounts = Array.from({ length: options.voiceOrgs }, () => ({
    sid: `AC${randomBytes(16).toString("hex")}`, token: randomBytes(16).toString("hex"),
  }));
  const server = await startTwilioApiServer({ accounts: Object.fromEntries(accounts.map((a) => [a.sid, a.token])), autoAnswer: "none" });
  return { server, accounts };
}

export interface VoiceContext {
  options: Options;
  report: Report;
  voice: VoiceSetup;
  /** Instance administrator's client (creates the organisations, reads the sandbox clock). */
  admin: Client;
  serviceUrl: string;
  /** The bench database (PostgreSQL); undefined on PGlite. */
  databaseUrl: string | undefined;
  addCleanup(task: () => unknown): void;
  /** The service's resident memory: its peak so far, and now (MiB). */
  serviceRssMb(): { peak: number; now: number };
  /** Set when the service process ended by itself. */
  serviceDied(): string | undefined;
}

interface VoiceOrg {
  id: string;
  client: Client;
  account: VoiceAccount;
  /** Global member indexes [from, to). */
  from: number;
  to: number;
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

function numberOf(index: number): string {
  return `${NUMBER_PREFIX}${String(index).padStart(7, "0")}`;
}

/** "HH:MM" of an instant in a time zone. */
function localTime(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(ms));
}

/**
 * The service's clock as an offset from this machine's wall clock (service time − wall time).
 * A frozen sandbox clock is set running from where it stands; without a sandbox the offset is 0.
 */
async function runningClock(admin: Client): Promise<{ offsetMs: number; sandbox: boolean }> {
  const first = await admin.request("GET", "/api/v1/sandbox/clock");
  if (first.status === 404) return { offsetMs: 0, sandbox: false };
  expectStatus(first, 200, "GET /api/v1/sandbox/clock");
  if (!first.body.running) {
    const set = await admin.request("POST", "/api/v1/sandbox/clock", { to: first.body.now, run: true });
    expectStatus(set, 200, "POST /api/v1/sandbox/clock (run)");
  }
  const asked = Date.now();
  const now = await admin.request("GET", "/api/v1/sandbox/clock");
  const answered = Date.now();
  expectStatus(now, 200, "GET /api/v1/sandbox/clock");
  if (!now.body.running) throw new Error("the sandbox clock does not run after POST /api/v1/sandbox/clock with run: true");
  return { offsetMs: Date.parse(now.body.now) - (asked + answered) / 2, sandbox: true };
}

/** 1. K organisations, each with its own Twilio account and cap. */
async function setupOrganisations(ctx: VoiceContext): Promise<VoiceOrg[]> {
  const { options, voice } = ctx;
  const k = options.voiceOrgs;
  const base = Math.floor(options.voiceMembers / k);
  const extra = options.voiceMembers % k;
  const orgs: VoiceOrg[] = [];
  let from = 0;
  for (let i = 0; i < k; i++) {
    const created = await ctx.admin.request("POST", "/api/v1/organisations", { name: `bench voice ${i + 1}` });
    expectStatus(created, 201, "POST /api/v1/organisations");
    const { id, adminToken } = created.body as { id: string; adminToken: string };
    const client = await connect(ctx.serviceUrl, adminToken, BULK_CONCURRENCY);
    ctx.addCleanup(() => client.close());
    const account = voice.accounts[i];
    const configured = await client.request("PUT", "/api/v1/channels/twilio", {
      accountSid: account.sid, authToken: account.token, callerId: `+81501${String(i).padStart(7, "0")}`,
      callsPerSecond: options.voiceCps,
    });
    expectStatus(configured, 200, "PUT /api/v1/channels/twilio");
    const size = base + (i < extra ? 1 : 0);
    orgs.push({ id, client, account, from, to: from + size });
    from += size;
  }
  return orgs;
}

/** 2. The members, in bulk requests of up to 5000, two at a time; returns the seconds it took. */
async function registerMembers(orgs: VoiceOrg[], at: string): Promise<number> {
  const chunks: { org: VoiceOrg; from: number; to: number }[] = [];
  for (const org of orgs) {
    for (let from = org.from; from < org.to; from += BULK_SIZE) chunks.push({ org, from, to: Math.min(org.to, from + BULK_SIZE) });
  }
  const plan = { every: "1d", at, timeZone: TIME_ZONE };
  const started = performance.now();
  await runWorkers(chunks.length, BULK_CONCURRENCY, async (c) => {
    const { org, from, to } = chunks[c];
    const members = [];
    for (let i = from; i < to; i++) members.push({ displayName: `voice${i}`, channels: [{ kind: "voice", address: numberOf(i) }], plan });
    const response = await org.client.request("POST", "/api/v1/members/bulk", { members });
    expectStatus(response, 201, "POST /api/v1/members/bulk (voice members)");
    const got: unknown[] = response.body?.ids ?? [];
    if (got.length !== members.length) throw new Error(`bulk create returned ${got.length} ids for ${members.length} voice members`);
  });
  return seconds(started);
}

/** Calls placed so far, tallied incrementally (the server's arrays only grow). */
class Tally {
  /** Wall ms of the first call to member i; 0 = not called yet. */
  readonly firstCall: Float64Array;
  called = 0;
  duplicates = 0;
  /** Calls to numbers of no member of the run, or from another organisation's account. */
  strangers = 0;
  #seen = 0;
  readonly #accountOf: Map<string, string>;
  readonly #orgs: VoiceOrg[];

  constructor(n: number, orgs: VoiceOrg[]) {
    this.firstCall = new Float64Array(n);
    this.#orgs = orgs;
    this.#accountOf = new Map(orgs.map((o) => [o.id, o.account.sid]));
  }

  #orgOf(index: number): VoiceOrg | undefined {
    return this.#orgs.find((o) => index >= o.from && index < o.to);
  }

  update(calls: readonly CallRecord[]): void {
    for (; this.#seen < calls.length; this.#seen++) {
      const call = calls[this.#seen];
      const digits = call.to.startsWith(NUMBER_PREFIX) ? call.to.slice(NUMBER_PREFIX.length) : "";
      const index = /^\d{7}$/.test(digits) ? Number(digits) : -1;
      const org = index >= 0 && index < this.firstCall.length ? this.#orgOf(index) : undefined;
      if (!org || this.#accountOf.get(org.id) !== call.accountSid) {
        this.strangers++;
      } else if (this.firstCall[index] !== 0) {
        this.duplicates++;
      } else {
        this.firstCall[index] = call.receivedAt;
        this.called++;
      }
    }
  }
}

/** Per organisation: peak calls in any 1 s window, the calls beyond the cap, the shortest gap between two calls. */
function capOf(calls: readonly CallRecord[], cap: number) {
  const sorted = [...calls].sort((a, b) => a.receivedAt - b.receivedAt);
  /** Index of each call that was the (cap + 1)-th within 1 s. */
  const over: number[] = [];
  let minGap = Number.POSITIVE_INFINITY;
  for (let i = 1; i < sorted.length; i++) {
    minGap = Math.min(minGap, sorted[i].receivedAt - sorted[i - 1].receivedAt);
    if (i >= cap && sorted[i].receivedAt - sorted[i - cap].receivedAt < 1000) over.push(i);
  }
  return {
    sorted, over, minGap, peak1s: peakRate(sorted, 1000), peak10s: peakRate(sorted, 10_000),
    last: sorted.length ? sorted[sorted.length - 1].receivedAt : 0,
  };
}

/** Moments this process's event loop stood still (the Twilio server stamps arrivals on it). */
class Stalls {
  readonly seen: { at: number; ms: number }[] = [];
  #timer: NodeJS.Timeout | undefined;

  start(): void {
    let last = Date.now();
    this.#timer = setInterval(() => {
      const now = Date.now();
      if (now - last > 50) this.seen.push({ at: last, ms: now - last });
      last = now;
    }, 10);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** Stalls overlapping [from, to]. */
  within(from: number, to: number): { at: number; ms: number }[] {
    return this.seen.filter((s) => s.at <= to && s.at + s.ms >= from);
  }
}

/** PostgreSQL only: the outbox rows of the voice organisations, and how late calls were against their stored slots (by call sid). */
async function outboxFigures(db: pg.Client, orgs: VoiceOrg[], server: TwilioApiServer, offsetMs: number) {
  const ids = orgs.map((o) => o.id);
  const statuses = (await db.query(
    `select status, count(*)::int as n, count(*) filter (where attempts > 1)::int as retried,
            min(last_error) filter (where last_error is not null) as error
     from outbox where organisation_id = any($1::uuid[]) and channel_kind = 'voice' group by status`, [ids])).rows as
    { status: string; n: number; retried: number; error: string | null }[];
  const slotted = (await db.query(
    `select provider_id, slot_at from outbox
     where organisation_id = any($1::uuid[]) and channel_kind = 'voice' and slot_at is not null and provider_id is not null`, [ids]))
    .rows as { provider_id: string; slot_at: Date }[];
  const late = new Map<string, number>();
  for (const row of slotted) {
    let call: CallRecord;
    try {
      call = server.call(row.provider_id);
    } catch {
      continue;
    }
    late.set(call.sid, call.receivedAt - (row.slot_at.getTime() - offsetMs));
  }
  return { statuses, late };
}

export async function voicePhase(ctx: VoiceContext): Promise<void> {
  const { options, report, voice } = ctx;
  const { server } = voice;
  const n = options.voiceMembers;
  const k = options.voiceOrgs;
  const r = options.voiceCps;
  report.set({ voiceMembers: n, voiceOrgs: k, voiceCps: r });

  let db: pg.Client | undefined;
  if (ctx.databaseUrl) {
    const client = new pg.Client({ connectionString: ctx.databaseUrl });
    await client.connect();
    ctx.addCleanup(() => client.end());
    db = client;
  }

  const orgs = await setupOrganisations(ctx);
  const clock = await runningClock(ctx.admin);
  // A minute far enough ahead that registration ends before it (assumes at least 2000 members/s).
  const lead = 60_000 + (n / 2000) * 1000;
  const dueAt = Math.ceil((Date.now() + clock.offsetMs + lead) / 60_000) * 60_000;
  const at = localTime(dueAt, TIME_ZONE);
  const firstDueWall = dueAt - clock.offsetMs;

  const took = await registerMembers(orgs, at);
  const dueIso = new Date(dueAt).toISOString();
  report.set({ voiceRegisterSeconds: round(took, 2), voiceRegisterPerSecond: Math.round(n / took), voiceDueAt: dueIso });
  report.line("voice reg", `${n} voice members in ${k} organisations in ${took.toFixed(1)} s (${Math.round(n / took)}/s); ` +
    `plan daily at ${at} ${TIME_ZONE} (${dueIso} on the service's ${clock.sandbox ? "running sandbox" : "system"} clock), ` +
    `due ${((firstDueWall - Date.now()) / 1000).toFixed(0)} s from now`);
  if (Date.now() >= firstDueWall) {
    throw new Error(`voice: registration ended ${((Date.now() - firstDueWall) / 1000).toFixed(1)} s after the due minute ${at}; ` +
      "the members are due tomorrow instead (registration was slower than 2000 members/s)");
  }
  if (db) {
    const due = (await db.query(
      `select count(*) filter (where next_due_at >= $2 and next_due_at < $3)::int as inside, count(*)::int as n
       from members where organisation_id = any($1::uuid[])`,
      [orgs.map((o) => o.id), new Date(dueAt), new Date(dueAt + 60_000)])).rows[0] as { inside: number; n: number };
    if (due.n !== n || due.inside !== n) {
      report.warn(`voice: ${due.inside} of ${due.n} voice members are due within the minute from ${dueIso} (expected all ${n})`);
    }
  }

  // 3. From the first due instant until every member's number has been called.
  const tally = new Tally(n, orgs);
  const timeoutMs = ((n / (k * r)) * 1.5 + 120) * 1000;
  const deadline = firstDueWall + timeoutMs;
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const stallsSeen = new Stalls();
  stallsSeen.start();
  let progressAt = firstDueWall + PROGRESS_MS;
  for (;;) {
    tally.update(server.calls);
    if (tally.called >= n) break;
    const died = ctx.serviceDied();
    if (died) throw new Error(`voice: the service stopped (${died}) after ${tally.called} of ${n} calls`);
    const now = Date.now();
    if (now > deadline) break;
    if (now >= progressAt) {
      process.stderr.write(`voice: ${tally.called} of ${n} calls placed ${((now - firstDueWall) / 1000).toFixed(0)} s after the first due time; ` +
        `service RSS ${Math.round(ctx.serviceRssMb().now)} MB\n`);
      progressAt += PROGRESS_MS;
    }
    await sleep(POLL_MS);
  }
  const complete = tally.called >= n;
  if (complete) {
    await sleep(SETTLE_MS);
    tally.update(server.calls);
  }
  loop.disable();
  stallsSeen.stop();

  const cap = Math.ceil(r);
  let last = 0;
  let first = Number.POSITIVE_INFINITY;
  for (const t of tally.firstCall) {
    if (t === 0) continue;
    last = Math.max(last, t);
    first = Math.min(first, t);
  }
  const perOrg = orgs.map((o) => ({ org: o, calls: server.callsOf(o.account.sid).length, ...capOf(server.callsOf(o.account.sid), cap) }));
  const peak1s = Math.max(...perOrg.map((o) => o.peak1s));
  const peak10s = Math.max(...perOrg.map((o) => o.peak10s));
  const overCap = perOrg.reduce((a, o) => a + o.over.length, 0);
  const minGap = Math.min(...perOrg.map((o) => o.minGap));
  const capHeld = peak1s <= cap;
  const counts = perOrg.map((o) => o.calls);
  const finish = perOrg.filter((o) => o.calls > 0).map((o) => (o.last - firstDueWall) / 1000);
  const refusedRequests = server.requests.filter((q) => q.status >= 400);
  const total = (last - firstDueWall) / 1000;
  const expected = n / (k * r);
  const largest = Math.max(...orgs.map((o) => o.to - o.from));
  const paced = ((largest - 1) * SLOT_MARGIN) / r;
  const delay = { max: loop.max / 1e6, p99: loop.percentile(99) / 1e6 };
  const sinceDue = (wall: number) => ((wall - firstDueWall) / 1000).toFixed(3);

  report.set({
    voiceCalls: tally.called, voiceExpectedSeconds: round(expected, 1), voiceCap: cap, voicePeakPerOrg: peak1s,
    voicePeakPerOrg10s: peak10s, voiceCapHeld: capHeld, voiceOverCap: overCap,
    voiceMinGapMs: Number.isFinite(minGap) ? minGap : null, voiceCallsPerOrgMin: Math.min(...counts),
    voiceCallsPerOrgMax: Math.max(...counts), voiceDuplicates: tally.duplicates, voiceStrangers: tally.strangers,
    voiceRefused: refusedRequests.length, voiceBenchLoopDelayMaxMs: round(delay.max),
    ...(tally.called > 0 ? { voiceFirstCallSeconds: round((first - firstDueWall) / 1000, 2) } : {}),
    ...(complete ? { voiceSeconds: round(total, 1), voicePerSecond: round(n / total, 1) } : {}),
  });
  report.line("voice", complete
    ? `${n} calls placed ${total.toFixed(1)} s after the first due time (expected minimum N/(K·R) = ${expected.toFixed(0)} s; ` +
      `${paced.toFixed(0)} s with the ${Math.round((SLOT_MARGIN - 1) * 100)} % slot margin): ${(n / total).toFixed(1)} calls/s; ` +
      `first call ${((first - firstDueWall) / 1000).toFixed(2)} s after the first due time`
    : `only ${tally.called} of ${n} numbers called within ${Math.round(timeoutMs / 1000)} s of the first due time`);
  report.line("", `cap ${r} calls/s per organisation: peak ${peak1s} calls in any 1 s window (max over ${k} organisations; ` +
    `${peak10s} in any 10 s) — cap held: ${capHeld ? "yes" : "no"}; ${overCap} calls beyond ${cap} within 1 s; ` +
    `shortest gap between two calls of one organisation ${Number.isFinite(minGap) ? `${minGap} ms` : "—"}`);
  report.line("", `calls per organisation ${Math.min(...counts)}–${Math.max(...counts)} (last call ` +
    `${finish.length ? `${Math.min(...finish).toFixed(1)}–${Math.max(...finish).toFixed(1)}` : "—"} s after the first due time); ` +
    `duplicates ${tally.duplicates}; to unknown numbers or from another organisation's account ${tally.strangers}; ` +
    `refused API requests ${refusedRequests.length}`);

  let late = new Map<string, number>();
  if (db) {
    const figures = await outboxFigures(db, orgs, server, clock.offsetMs);
    late = figures.late;
    const { statuses } = figures;
    const values = [...late.values()];
    const s = spread(values);
    const early = values.filter((ms) => ms < -SLOT_CLOCK_ERROR_MS).length;
    const earliest = values.reduce((a, ms) => Math.min(a, ms), Number.POSITIVE_INFINITY);
    if (late.size) {
      report.set({ voiceSlotLateP50Ms: round(s.p50), voiceSlotLateP99Ms: round(s.p99), voiceSlotLateMaxMs: round(s.max) });
    }
    const byStatus = statuses.map((q) => `${q.status} ${q.n}`).join(", ") || "none";
    const retried = statuses.reduce((a, q) => a + q.retried, 0);
    const error = statuses.find((q) => q.error)?.error;
    report.line("", `outbox: ${byStatus}; ${retried} tried more than once${error ? `; an error: ${error.slice(0, 200)}` : ""}`);
    report.line("", late.size
      ? `arrival after the stored send slot (${late.size} calls with one): p50 ${s.p50.toFixed(0)} ms, p99 ${s.p99.toFixed(0)} ms, ` +
        `max ${s.max.toFixed(0)} ms, min ${earliest.toFixed(0)} ms; ${early} arrived more than ${SLOT_CLOCK_ERROR_MS} ms before their slot`
      : "no call has a stored send slot (outbox.slot_at)");
    const failed = statuses.filter((q) => q.status === "failed").reduce((a, q) => a + q.n, 0);
    if (failed) report.warn(`voice: ${failed} voice outbox rows failed (${error?.slice(0, 200) ?? "no error recorded"})`);
  }

  if (overCap) {
    const byMinute = new Map<number, number>();
    for (const o of perOrg) {
      for (const i of o.over) {
        const minute = Math.floor((o.sorted[i].receivedAt - firstDueWall) / 60_000);
        byMinute.set(minute, (byMinute.get(minute) ?? 0) + 1);
      }
    }
    report.line("", `calls beyond the cap by minute after the first due time: ` +
      [...byMinute].sort((a, b) => a[0] - b[0]).map(([m, c]) => `${m}: ${c}`).join(", "));
  }
  // The first few windows over the cap, call by call: what the service did, or whether this process stalled.
  const shown = perOrg.flatMap((o, index) => o.over.map((i) => ({ o, index, i }))).slice(0, DETAILS);
  for (const { o, index, i } of shown) {
    const window = o.sorted.slice(i - cap, i + 1);
    const from = window[0].receivedAt;
    const to = window[window.length - 1].receivedAt;
    const gaps = window.slice(1).map((c, j) => c.receivedAt - window[j].receivedAt).join(" ");
    const lates = window.map((c) => late.get(c.sid)).map((ms) => (ms === undefined ? "·" : String(Math.round(ms)))).join(" ");
    const stalls = stallsSeen.within(from, to);
    report.line("over cap", `organisation ${index + 1}: ${window.length} calls from ${sinceDue(from)} s to ${sinceDue(to)} s ` +
      `after the first due time; gaps ${gaps} ms; after their stored slot ${lates} ms (· = none stored); ` +
      (stalls.length ? `bench loop stalled ${stalls.map((st) => `${st.ms} ms at ${sinceDue(st.at)} s`).join(", ")}` : "no bench loop stall"));
  }
  if (stallsSeen.seen.length) {
    const worst = [...stallsSeen.seen].sort((a, b) => b.ms - a.ms).slice(0, 5);
    report.line("", `bench loop stalls over 50 ms while waiting: ${stallsSeen.seen.length}; longest ` +
      worst.map((st) => `${st.ms} ms at ${sinceDue(st.at)} s`).join(", "));
  }

  const serviceRss = ctx.serviceRssMb();
  const benchRss = process.memoryUsage.rss() / 2 ** 20;
  report.set({ voicePeakRssMb: Math.round(serviceRss.peak), voiceBenchRssMb: Math.round(benchRss) });
  report.line("", `service RSS peak so far ${Math.round(serviceRss.peak)} MB, now ${Math.round(serviceRss.now)} MB; ` +
    `bench process RSS ${Math.round(benchRss)} MB, ` +
    `its event loop delay while waiting p99 ${delay.p99.toFixed(0)} ms, max ${delay.max.toFixed(0)} ms (arrival times are stamped there)`);

  if (!complete) report.warn(`voice: ${n - tally.called} of ${n} numbers were not called within ${Math.round(timeoutMs / 1000)} s of the first due time`);
  if (!capHeld) {
    report.warn(`voice: the cap did not hold: an organisation had ${peak1s} calls within 1 s (cap ${r}/s; ${overCap} calls beyond it)`);
  }
  if (tally.duplicates) report.warn(`voice: ${tally.duplicates} numbers were called more than once`);
  if (tally.strangers) report.warn(`voice: ${tally.strangers} calls went to unknown numbers or from another organisation's account`);
  if (refusedRequests.length) {
    report.warn(`voice: the Twilio server refused ${refusedRequests.length} API requests (first: HTTP ${refusedRequests[0].status}, ` +
      `code ${refusedRequests[0].code}, ${refusedRequests[0].method} ${refusedRequests[0].path})`);
  }
  if (server.errors.length) report.warn(`voice: the Twilio server recorded ${server.errors.length} errors; first: ${String(server.errors[0]).slice(0, 200)}`);
}
