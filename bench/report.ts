/** What the bench prints: one line per phase, warnings, and optionally every figure as JSON. */
import type { ConsoleFigures } from "./console.ts";

export interface Figures {
  /** The devices phase (--devices, bench/devices.ts): its figures, or null when it did not run. */
  devices: Record<string, number> | null;
  date: string;
  database: string;
  members: number;
  concurrency: number;
  noAnswerRatio: number;
  /** Whether the LINE phases ran (--line), the engine phases (not with --line-only or --voice-only), and the voice phase. */
  line: boolean;
  engine: boolean;
  voice: boolean;
  httpClient: string | null;
  createSeconds: number | null;
  createPerSecond: number | null;
  dispatchSeconds: number | null;
  dispatchPerSecond: number | null;
  promptsDelivered: number | null;
  /** PostgreSQL: the same rows written by plain batched SQL (bench/baseline.ts), and dispatch ÷ that rate. */
  dispatchBaselinePerSecond: number | null;
  dispatchToBaseline: number | null;
  /** The machine's busy CPU-seconds during dispatch and during the baseline's writes (bench/cpu.ts; Linux). */
  dispatchBusyCpuSeconds: number | null;
  baselineBusyCpuSeconds: number | null;
  /** PostgreSQL, per prompt, by dispatch and its outbox pages (bench/database-work.ts): index entries read, rows written. */
  dispatchIndexReadsPerPrompt: number | null;
  dispatchRowsInsertedPerPrompt: number | null;
  dispatchRowsUpdatedPerPrompt: number | null;
  dispatchHotUpdatesPerPrompt: number | null;
  answers: number | null;
  ingestSeconds: number | null;
  ingestPerSecond: number | null;
  ingestP50Ms: number | null;
  ingestP99Ms: number | null;
  ingestMaxMs: number | null;
  ingestErrors: number | null;
  pgbenchTps: number | null;
  pgbenchSeconds: number | null;
  ingestToPgbench: number | null;
  deadlineExpected: number | null;
  deadlineCount: number | null;
  deadlineP50Ms: number | null;
  deadlineP99Ms: number | null;
  /** Milliseconds, like the other deadline figures. */
  deadlineMax: number | null;
  /** The same latency as the bench's poller first saw it (includes up to one poll interval). */
  deadlineSeenP50Ms: number | null;
  deadlineSeenP99Ms: number | null;
  /** The poller's slowest outbox page while it waited (how much of "seen" is the poller's own delay). */
  deadlineSlowestPageMs: number | null;
  peakRssMb: number | null;
  /** The service's peak RSS within each engine phase (MB), to see which phase holds memory. */
  phaseRssMb: Record<string, number> | null;
  /** PGlite: fsync calls of the service during the ingest phase per answer and per commit (from /metrics). */
  ingestFlushes: number | null;
  /** LINE members registered for the LINE phases, in an organisation of their own. */
  lineMembers: number | null;
  /** Bulk registration plus writing their line_users rows. */
  lineRegisterSeconds: number | null;
  /**
   * Signed webhooks of 1 (lineTap1…) and of 100 (lineTap100…) OK taps each, one tap per LINE member:
   * Seconds and PerSecond from the first request to the last 200 (a 200 means stored durably);
   * request latency P50/P99/Max; Errors = requests not answered 200; Applied… until no inbound
   * event is left unprocessed; RepliedSeconds until the LINE server accepted a reply push for every
   * tap; ToPgbench = ingested events/s ÷ pgbench tps.
   */
  lineTap1Events: number | null;
  lineTap1Requests: number | null;
  lineTap1Seconds: number | null;
  lineTap1PerSecond: number | null;
  lineTap1P50Ms: number | null;
  lineTap1P99Ms: number | null;
  lineTap1MaxMs: number | null;
  lineTap1Errors: number | null;
  lineTap1AppliedSeconds: number | null;
  lineTap1AppliedPerSecond: number | null;
  lineTap1RepliedSeconds: number | null;
  lineTap1ToPgbench: number | null;
  lineTap100Events: number | null;
  lineTap100Requests: number | null;
  lineTap100Seconds: number | null;
  lineTap100PerSecond: number | null;
  lineTap100P50Ms: number | null;
  lineTap100P99Ms: number | null;
  lineTap100MaxMs: number | null;
  lineTap100Errors: number | null;
  lineTap100AppliedSeconds: number | null;
  lineTap100AppliedPerSecond: number | null;
  lineTap100RepliedSeconds: number | null;
  lineTap100ToPgbench: number | null;
  /** Broadcast to every LINE member: recipients the service reported (201 body). */
  lineMulticastRecipients: number | null;
  /** How long POST /api/v1/broadcasts took to answer. */
  lineMulticastPostMs: number | null;
  /** From the POST until the LINE server had accepted every recipient (multicast `to` plus single pushes). */
  lineMulticastSeconds: number | null;
  lineMulticastPerSecond: number | null;
  /** Multicast requests the LINE server accepted, and broadcast messages that went by push instead. */
  lineMulticastRequests: number | null;
  lineMulticastPushes: number | null;
  /** Voice phase: members, organisations (one Twilio account each) and each one's cap in calls/s. */
  voiceMembers: number | null;
  voiceOrgs: number | null;
  voiceCps: number | null;
  /** Bulk registration of the voice members. */
  voiceRegisterSeconds: number | null;
  voiceRegisterPerSecond: number | null;
  /** The first due instant (the plan's minute) on the service's clock; the sandbox clock runs at real speed. */
  voiceDueAt: string | null;
  /** Members' numbers called (each counted once). */
  voiceCalls: number | null;
  /** From the first due instant until the Twilio server had received a call to every member (unset when some were missing). */
  voiceSeconds: number | null;
  voicePerSecond: number | null;
  /** N / (K · R): the time the caps alone require. */
  voiceExpectedSeconds: number | null;
  voiceFirstCallSeconds: number | null;
  /** Calls allowed per organisation in any 1 s window (R rounded up), and the most any organisation had. */
  voiceCap: number | null;
  voicePeakPerOrg: number | null;
  voicePeakPerOrg10s: number | null;
  voiceCapHeld: boolean | null;
  /** Calls that were the (cap + 1)-th of their organisation within 1 s. */
  voiceOverCap: number | null;
  /** The shortest gap between two calls of one organisation. */
  voiceMinGapMs: number | null;
  voiceCallsPerOrgMin: number | null;
  voiceCallsPerOrgMax: number | null;
  /** Calls to a number already called. */
  voiceDuplicates: number | null;
  /** Calls to numbers of no voice member, or from another organisation's account. */
  voiceStrangers: number | null;
  /** API requests the Twilio server refused (4xx/5xx). */
  voiceRefused: number | null;
  /** PostgreSQL only: arrival at the Twilio server − the send slot stored in outbox.slot_at, for calls that have one. */
  voiceSlotLateP50Ms: number | null;
  voiceSlotLateP99Ms: number | null;
  voiceSlotLateMaxMs: number | null;
  /** The service's peak RSS up to the end of the voice phase; the bench process's RSS then (it holds the call records). */
  voicePeakRssMb: number | null;
  voiceBenchRssMb: number | null;
  /** The bench's event-loop delay while waiting for calls: the Twilio server stamps arrivals on that loop. */
  voiceBenchLoopDelayMaxMs: number | null;
  /** Console phase (--console): per API call p50/p95/max, Today's load in Chromium, answer → board (bench/console.ts). */
  console: ConsoleFigures | null;
}

export class Report {
  readonly figures: Figures;
  readonly problems: string[] = [];
  readonly #json: boolean;
  #muted = false;

  constructor(json: boolean, figures: Pick<Figures, "date" | "database" | "members" | "concurrency" | "noAnswerRatio" | "line" | "engine" | "voice">) {
    this.#json = json;
    this.figures = {
      ...figures,
      httpClient: null, createSeconds: null, createPerSecond: null, dispatchSeconds: null, dispatchPerSecond: null,
      promptsDelivered: null, dispatchBaselinePerSecond: null, dispatchToBaseline: null,
      dispatchBusyCpuSeconds: null, baselineBusyCpuSeconds: null, dispatchIndexReadsPerPrompt: null,
      dispatchRowsInsertedPerPrompt: null, dispatchRowsUpdatedPerPrompt: null, dispatchHotUpdatesPerPrompt: null, phaseRssMb: null, ingestFlushes: null, answers: null, ingestSeconds: null, ingestPerSecond: null, ingestP50Ms: null, ingestP99Ms: null,
      ingestMaxMs: null, ingestErrors: null, pgbenchTps: null, pgbenchSeconds: null, ingestToPgbench: null,
      deadlineExpected: null, deadlineCount: null, deadlineP50Ms: null, deadlineP99Ms: null, deadlineMax: null,
      deadlineSeenP50Ms: null, deadlineSeenP99Ms: null, deadlineSlowestPageMs: null, peakRssMb: null,
      lineMembers: null, lineRegisterSeconds: null,
      lineTap1Events: null, lineTap1Requests: null, lineTap1Seconds: null, lineTap1PerSecond: null, lineTap1P50Ms: null,
      lineTap1P99Ms: null, lineTap1MaxMs: null, lineTap1Errors: null, lineTap1AppliedSeconds: null,
      lineTap1AppliedPerSecond: null, lineTap1RepliedSeconds: null, lineTap1ToPgbench: null,
      lineTap100Events: null, lineTap100Requests: null, lineTap100Seconds: null, lineTap100PerSecond: null, lineTap100P50Ms: null,
      lineTap100P99Ms: null, lineTap100MaxMs: null, lineTap100Errors: null, lineTap100AppliedSeconds: null,
      lineTap100AppliedPerSecond: null, lineTap100RepliedSeconds: null, lineTap100ToPgbench: null,
      lineMulticastRecipients: null, lineMulticastPostMs: null, lineMulticastSeconds: null, lineMulticastPerSecond: null,
      lineMulticastRequests: null, lineMulticastPushes: null,
      voiceMembers: null, voiceOrgs: null, voiceCps: null, voiceRegisterSeconds: null, voiceRegisterPerSecond: null,
      voiceDueAt: null, voiceCalls: null, voiceSeconds: null, voicePerSecond: null, voiceExpectedSeconds: null,
      voiceFirstCallSeconds: null, voiceCap: null, voicePeakPerOrg: null, voicePeakPerOrg10s: null, voiceCapHeld: null,
      voiceOverCap: null, voiceMinGapMs: null, voiceCallsPerOrgMin: null, voiceCallsPerOrgMax: null, voiceDuplicates: null,
      voiceStrangers: null, voiceRefused: null, voiceSlotLateP50Ms: null, voiceSlotLateP99Ms: null, voiceSlotLateMaxMs: null,
      voicePeakRssMb: null, voiceBenchRssMb: null, voiceBenchLoopDelayMaxMs: null, console: null, devices: null,
    };
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  set(figures: Partial<Figures>): void {
    Object.assign(this.figures, figures);
  }

  /** After Ctrl-C: what fails while the service goes away is not news. */
  mute(): void {
    this.#muted = true;
  }

  /** A result line: a label in a column, then the figures. */
  line(label: string, text: string): void {
    if (this.#muted) return;
    process.stdout.write(`${label.padEnd(10)} ${text}\n`);
  }

  /** Something went wrong but the bench can go on; the exit status will say so. */
  warn(message: string): void {
    this.problems.push(message);
    this.line("warning", message);
  }

  /** The bench could not go on. */
  fail(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.problems.push(message);
    this.line("failed", message);
    if (error instanceof Error && error.stack && !this.#muted) process.stderr.write(`${error.stack}\n`);
  }

  /** With --json, the last line of output: every figure, and whether the run was clean. */
  finish(): void {
    if (!this.#json) return;
    process.stdout.write(`${JSON.stringify({ ...this.figures, ok: this.ok, problems: this.problems })}\n`);
  }
}
