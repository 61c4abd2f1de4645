/**
 * The LINE phases of the benchmark (--line / --line-only): the service talks to
 * a LINE-compatible API server running in this process (test/support), for an
 * organisation of its own so a broadcast to "all" reaches exactly the LINE
 * members registered here.
 *
 *  1. register N LINE members in bulk, and their line_users rows with pg, so that
 *     taps resolve to members without a registration conversation;
 *  2. signed webhooks of 1 OK tap each, then of 100 each: one tap per member per
 *     round, unique webhookEventIds; request latency and events/s stored (the 200
 *     means stored durably), then the time until the engine applied them all and
 *     the LINE server accepted a reply push for each (PostgreSQL only);
 *  3. a broadcast to every LINE member, timed until the LINE server accepted all
 *     of them by multicast (skipped while POST /api/v1/broadcasts answers 404).
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { type LineApiServer, startLineApiServer } from "../test/support/line-api-server.ts";
import { postback, sign } from "../test/support/line-webhook.ts";
import { type Client, connect, expectStatus, timedRequests } from "./client.ts";
import type { Options } from "./options.ts";
import type { Figures, Report } from "./report.ts";
import { round, runWorkers, sleep } from "./stats.ts";

const BULK_SIZE = 5000;
const BULK_CONCURRENCY = 2;
const POLL_MS = 100;
/** Members of the LINE organisation are due at 21:00: never while the bench runs (the sandbox clock starts at 08:00). */
const PLAN = { every: "1d", at: "21:00" } as const;
const TAP_SIZES = [1, 100] as const;

export interface LineSetup {
  server: LineApiServer;
  channelSecret: string;
  channelAccessToken: string;
}

/** The local LINE API server; start it before the service, which needs its URL. */
export async function startLine(): Promise<LineSetup> {
  const channelAccessToken = `bench-line-token-${randomBytes(16).toString("hex")}`;
  const server = await startLineApiServer({ channelAccessToken });
  return { server, channelSecret: `bench-line-secret-${randomBytes(16).toString("hex")}`, channelAccessToken };
}

export interface LineContext {
  options: Options;
  report: Report;
  line: LineSetup;
  /** Instance administrator's client (to create the LINE organisation). */
  admin: Client;
  serviceUrl: string;
  /** The bench database (PostgreSQL); undefined on PGlite. */
  databaseUrl: string | undefined;
  addCleanup(task: () => unknown): void;
  /** pgbench tps on the same server for about `seconds` (measured once per run), or undefined when it cannot run. */
  pgbenchTps(seconds: number): Promise<number | undefined>;
}

interface LineOrg {
  id: string;
  client: Client;
  userIds: string[];
  memberIds: string[];
}

function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

/** `U` + 32 lowercase hex digits, as LINE's user ids are; unique per run and index. */
function lineUserId(run: string, index: number): string {
  return `U${run}${index.toString(16).padStart(32 - run.length, "0")}`;
}

async function setupOrganisation(ctx: LineContext): Promise<Omit<LineOrg, "userIds" | "memberIds">> {
  const created = await ctx.admin.request("POST", "/api/v1/organisations", { name: "bench LINE" });
  expectStatus(created, 201, "POST /api/v1/organisations");
  const { id, adminToken } = created.body as { id: string; adminToken: string };
  const client = await connect(ctx.serviceUrl, adminToken, Math.max(ctx.options.concurrency, BULK_CONCURRENCY));
  ctx.addCleanup(() => client.close());
  const configured = await client.request("PUT", "/api/v1/channels/line", {
    channelSecret: ctx.line.channelSecret, channelAccessToken: ctx.line.channelAccessToken,
  });
  expectStatus(configured, 200, "PUT /api/v1/channels/line");
  return { id, client };
}

/** 1. Members through the bulk API; their line_users rows straight into PostgreSQL. */
async function registerPhase(ctx: LineContext, org: Omit<LineOrg, "userIds" | "memberIds">, db: pg.Client | undefined): Promise<LineOrg> {
  const n = ctx.options.lineMembers;
  const run = randomBytes(4).toString("hex");
  const userIds = Array.from({ length: n }, (_, i) => lineUserId(run, i));
  const memberIds = new Array<string>(n);
  const started = performance.now();
  await runWorkers(Math.ceil(n / BULK_SIZE), BULK_CONCURRENCY, async (chunk) => {
    const from = chunk * BULK_SIZE;
    const to = Math.min(n, from + BULK_SIZE);
    const members = [];
    for (let i = from; i < to; i++) members.push({ displayName: `line${i}`, channels: [{ kind: "line", address: userIds[i] }], plan: PLAN });
    const response = await org.client.request("POST", "/api/v1/members/bulk", { members });
    expectStatus(response, 201, "POST /api/v1/members/bulk (LINE members)");
    const got: string[] = response.body?.ids ?? [];
    if (got.length !== members.length) throw new Error(`bulk create returned ${got.length} ids for ${members.length} LINE members`);
    got.forEach((id, k) => {
      memberIds[from + k] = id;
    });
  });
  const created = seconds(started);
  if (db) {
    const now = new Date();
    for (let from = 0; from < n; from += 10_000) {
      const to = Math.min(n, from + 10_000);
      await db.query(
        `insert into line_users (organisation_id, user_id, member_id, following, last_event_at)
         select $1, u, m, true, $4 from unnest($2::text[], $3::uuid[]) as t(u, m)`,
        [org.id, userIds.slice(from, to), memberIds.slice(from, to), now],
      );
    }
  }
  const took = seconds(started);
  ctx.report.set({ lineMembers: n, lineRegisterSeconds: round(took, 2) });
  ctx.report.line("line reg", `${n} LINE members in ${took.toFixed(1)} s (bulk API ${created.toFixed(1)} s` +
    (db ? `, line_users rows ${(took - created).toFixed(1)} s)` : "; no line_users rows on PGlite)"));
  return { ...org, userIds, memberIds };
}

async function count(db: pg.Client, query: string, params: unknown[] = []): Promise<number> {
  return Number((await db.query(query, params)).rows[0].n);
}

/** Poll until `done()` or the deadline; returns seconds since `since`, or undefined on timeout. */
async function waitFor(done: () => Promise<boolean> | boolean, since: number, timeoutMs: number): Promise<number | undefined> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await done()) return seconds(since);
    if (performance.now() > deadline) return undefined;
    await sleep(POLL_MS);
  }
}

interface TapResult {
  size: number;
  events: number;
  took: number;
  rate: number;
}

/** 2. One round of taps, `size` events per signed webhook request. */
async function tapRound(ctx: LineContext, org: LineOrg, db: pg.Client, size: number): Promise<TapResult> {
  const { options, report, line } = ctx;
  const n = org.userIds.length;
  const key = `lineTap${size}`;
  /** Figures of this round: lineTap1… or lineTap100…. */
  const put = (figures: Record<string, number>) =>
    report.set(Object.fromEntries(Object.entries(figures).map(([name, value]) => [`${key}${name}`, value])) as Partial<Figures>);
  const path = `/webhooks/line/${org.id}`;
  // Bodies and signatures first, so the timed loop only sends.
  const requests: { body: string; signature: string }[] = [];
  for (let from = 0; from < n; from += size) {
    const events = [];
    for (let i = from; i < Math.min(n, from + size); i++) events.push(postback(org.userIds[i], `a=ok&c=bench-${size}-${i}`));
    const body = JSON.stringify({ destination: `U${"0".repeat(32)}`, events });
    requests.push({ body, signature: sign(body, line.channelSecret) });
  }
  const answersBefore = await count(db, "select count(*) as n from answers where organisation_id = $1 and channel = 'line'", [org.id]);
  const pushesBefore = line.server.pushes.length;

  const started = performance.now();
  const load = await timedRequests(requests.length, options.concurrency, (k) =>
    org.client.postRaw(path, requests[k].body, { "content-type": "application/json", "x-line-signature": requests[k].signature }), 200);
  const { took, errors } = load;
  const s = load.latency;
  const rate = n / took;
  put({
    Events: n, Requests: requests.length, Seconds: round(took, 2), PerSecond: Math.round(rate),
    P50Ms: round(s.p50), P99Ms: round(s.p99), MaxMs: round(s.max), Errors: errors,
  });
  report.line(`line ${size}`, `${n} taps in ${requests.length} webhooks of ${size} in ${took.toFixed(1)} s: ` +
    `${Math.round(rate)} events/s stored, p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms, ` +
    `concurrency ${options.concurrency}`);
  if (errors) {
    report.warn(`line tap${size}: ${errors} of ${requests.length} webhooks were not answered 200 (${load.kinds}); first: ${load.firstFailure}`);
    if (errors === requests.length) throw new Error(`line tap${size}: every webhook failed`);
  }

  // Applied: nothing left unprocessed. Replied: a reply push per tap accepted by the LINE server.
  const timeoutMs = (120 + n / 100) * 1000;
  let unprocessed = -1;
  const applied = await waitFor(async () => {
    unprocessed = await count(db, "select count(*) as n from inbound where processed_at is null");
    return unprocessed === 0;
  }, started, timeoutMs);
  if (applied === undefined) {
    report.warn(`line tap${size}: ${unprocessed} inbound events still unprocessed ${Math.round(timeoutMs / 1000)} s after the first webhook`);
  } else {
    put({ AppliedSeconds: round(applied, 2), AppliedPerSecond: Math.round(n / applied) });
  }
  const replied = await waitFor(() => line.server.pushes.length - pushesBefore >= n, started, applied === undefined ? 0 : timeoutMs);
  if (replied !== undefined) put({ RepliedSeconds: round(replied, 2) });
  report.line("", `applied by the engine: ${applied === undefined ? "not all" : `${applied.toFixed(1)} s after the first webhook, ` +
    `${Math.round(n / applied)} events/s`}; reply pushes accepted by the LINE server: ` +
    `${replied === undefined ? `${line.server.pushes.length - pushesBefore} of ${n}` : `all ${n} after ${replied.toFixed(1)} s`}`);

  const answers = await count(db, "select count(*) as n from answers where organisation_id = $1 and channel = 'line'", [org.id]) - answersBefore;
  const failed = await count(db, "select count(*) as n from inbound where last_error is not null");
  if (answers !== n) report.warn(`line tap${size}: ${n} taps recorded ${answers} answers (expected one per tap)`);
  if (failed) report.warn(`line tap${size}: ${failed} inbound events carry an error (inbound.last_error)`);
  if (replied === undefined && applied !== undefined) {
    report.warn(`line tap${size}: the LINE server accepted ${line.server.pushes.length - pushesBefore} reply pushes for ${n} taps`);
  }
  return { size, events: n, took, rate };
}

/** 3. A broadcast to all LINE members; time until the LINE server accepted every recipient. */
async function multicastPhase(ctx: LineContext, org: LineOrg): Promise<void> {
  const { report, line } = ctx;
  const n = org.userIds.length;
  const marker = `bench-${randomBytes(6).toString("hex")}`;
  const text = `【お知らせ】ベンチマークの一斉送信です。Broadcast from the benchmark (${marker}).`;
  const multicastsBefore = line.server.multicasts.length;
  const pushesBefore = line.server.pushes.length;
  const requestsBefore = line.server.requests.length;

  const started = performance.now();
  const response = await org.client.request("POST", "/api/v1/broadcasts", { audience: { kind: "all" }, text });
  const postMs = performance.now() - started;
  if (response.status === 404) {
    report.line("line cast", `skipped: POST /api/v1/broadcasts answers 404 (${JSON.stringify(response.body).slice(0, 200)})`);
    return;
  }
  expectStatus(response, 201, "POST /api/v1/broadcasts");
  const recipients = Number(response.body?.recipients ?? Number.NaN);
  if (recipients !== n) report.warn(`line cast: the broadcast reports ${response.body?.recipients} recipients for ${n} LINE members`);
  const expected = Number.isFinite(recipients) && recipients > 0 ? recipients : n;

  // Count incrementally: the arrays only grow.
  let seenMulticasts = multicastsBefore;
  let seenPushes = pushesBefore;
  let accepted = 0;
  let multicastRequests = 0;
  let pushes = 0;
  const tally = () => {
    for (; seenMulticasts < line.server.multicasts.length; seenMulticasts++) {
      const m = line.server.multicasts[seenMulticasts].body;
      if (!JSON.stringify(m.messages).includes(marker)) continue;
      multicastRequests++;
      accepted += m.to.length;
    }
    for (; seenPushes < line.server.pushes.length; seenPushes++) {
      if (!JSON.stringify(line.server.pushes[seenPushes].body.messages).includes(marker)) continue;
      pushes++;
      accepted++;
    }
    return accepted >= expected;
  };
  const timeoutMs = (120 + n / 500) * 1000;
  const took = await waitFor(tally, started, timeoutMs);
  const refused = line.server.requests.slice(requestsBefore).filter((r) => r.status !== 200 && r.path === "/v2/bot/message/multicast").length;
  report.set({
    lineMulticastRecipients: Number.isFinite(recipients) ? recipients : null, lineMulticastPostMs: round(postMs),
    lineMulticastRequests: multicastRequests, lineMulticastPushes: pushes,
    ...(took !== undefined ? { lineMulticastSeconds: round(took, 2), lineMulticastPerSecond: Math.round(expected / took) } : {}),
  });
  report.line("line cast", `broadcast to ${expected} LINE members: POST answered in ${postMs.toFixed(0)} ms; ` +
    (took !== undefined
      ? `all accepted by the LINE server ${took.toFixed(1)} s after the POST (${Math.round(expected / took)} recipients/s)`
      : `only ${accepted} accepted within ${Math.round(timeoutMs / 1000)} s`) +
    `, ${multicastRequests} multicast requests, ${pushes} single pushes`);
  if (took === undefined) report.warn(`line cast: the LINE server accepted ${accepted} of ${expected} recipients within ${Math.round(timeoutMs / 1000)} s`);
  if (refused) report.warn(`line cast: the LINE server refused ${refused} multicast requests`);
}

export async function linePhases(ctx: LineContext): Promise<void> {
  const { report } = ctx;
  let db: pg.Client | undefined;
  if (ctx.databaseUrl) {
    const client = new pg.Client({ connectionString: ctx.databaseUrl });
    await client.connect();
    ctx.addCleanup(() => client.end());
    db = client;
  }
  const org = await registerPhase(ctx, await setupOrganisation(ctx), db);

  if (!db) {
    report.line("line taps", "not measured on PGlite: taps need line_users rows, which the bench writes with pg (PostgreSQL only)");
  } else {
    const rounds: TapResult[] = [];
    for (const size of TAP_SIZES) rounds.push(await tapRound(ctx, org, db, size));
    const tps = report.figures.pgbenchTps ?? (await ctx.pgbenchTps(Math.ceil(rounds.reduce((a, r) => a + r.took, 0))));
    if (tps) {
      for (const r of rounds) report.set({ [r.size === 1 ? "lineTap1ToPgbench" : "lineTap100ToPgbench"]: round(r.rate / tps, 2) });
      report.line("line pgb", rounds.map((r) => `taps of ${r.size} ÷ pgbench = ${(r.rate / tps).toFixed(2)}`).join(", ") +
        ` (pgbench ${Math.round(tps)} tps)`);
    }
  }
  await multicastPhase(ctx, org);
}
