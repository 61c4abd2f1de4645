/** What the bench prints: one line per phase, warnings, and optionally every figure as JSON. */

export interface Figures {
  date: string;
  database: string;
  members: number;
  concurrency: number;
  noAnswerRatio: number;
  httpClient: string | null;
  createSeconds: number | null;
  createPerSecond: number | null;
  dispatchSeconds: number | null;
  dispatchPerSecond: number | null;
  promptsDelivered: number | null;
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
}

export class Report {
  readonly figures: Figures;
  readonly problems: string[] = [];
  readonly #json: boolean;
  #muted = false;

  constructor(json: boolean, figures: Pick<Figures, "date" | "database" | "members" | "concurrency" | "noAnswerRatio">) {
    this.#json = json;
    this.figures = {
      ...figures,
      httpClient: null, createSeconds: null, createPerSecond: null, dispatchSeconds: null, dispatchPerSecond: null,
      promptsDelivered: null, answers: null, ingestSeconds: null, ingestPerSecond: null, ingestP50Ms: null, ingestP99Ms: null,
      ingestMaxMs: null, ingestErrors: null, pgbenchTps: null, pgbenchSeconds: null, ingestToPgbench: null,
      deadlineExpected: null, deadlineCount: null, deadlineP50Ms: null, deadlineP99Ms: null, deadlineMax: null,
      deadlineSeenP50Ms: null, deadlineSeenP99Ms: null, deadlineSlowestPageMs: null, peakRssMb: null,
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
