/**
 * The engine: two loops, one deciding (escalate what is due, dispatch what is
 * due) and one sending (hand ready outbox rows to their channels). Each repeats
 * at once while it finds work and otherwise sleeps a moment; on PostgreSQL they
 * run side by side on separate connections. Every deadline they act on is a row,
 * so any number of processes can run them against one PostgreSQL, and a
 * restarted one simply picks up where the rows say.
 */
import type { Logger } from "pino";
import type { Db } from "../store/db.ts";
import type { Clock } from "./clock.ts";
import type { Metrics } from "./metrics.ts";
import { anyDue, type Deadline, type DecidingPhase, duePhases, SENDING_DEADLINE } from "./phases.ts";
import type { ChannelRegistry } from "./ports.ts";
import { claimsInTurn, type SendBatchResult, SLOT_LOOKAHEAD_MS, sendReady } from "./sender.ts";

export interface EngineOptions {
  batchSize: number;
  pollMs: number;
  sendLeaseMs: number;
  /** The deciding loop's phases, in order (phases.ts: the core's, then any context's). */
  phases: DecidingPhase[];
}

type Phase = () => Promise<number>;

/**
 * While the engine is driven exclusively (the sandbox clock), how long the sending
 * worker waits for a nudge before it looks again: retries and paced slots become
 * ready without one.
 */
const IDLE_SEND_WAIT_MS = 200;

/** What someone holding the engine exclusively can drive. */
export interface EngineControl {
  /** Every phase until nothing is left at the current time. */
  runUntilIdle(): Promise<void>;
  /** Escalate and dispatch until nothing is due at the current time. */
  decideUntilIdle(): Promise<number>;
  /** Send whatever becomes ready, until stopped. */
  sendInBackground(): { stop(): Promise<number> };
}

export class Engine {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #channels: ChannelRegistry;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #options: EngineOptions;
  #running = false;
  #loops: Promise<void>[] = [];
  readonly #wakers = new Set<() => void>();
  readonly #inFlight = new Set<Promise<number>>();
  #exclusiveHeld: Promise<void> | null = null;
  lastTickAt: Date | undefined;

  constructor(db: Db, clock: Clock, channels: ChannelRegistry, log: Logger, metrics: Metrics, options: EngineOptions) {
    this.#db = db;
    this.#clock = clock;
    this.#channels = channels;
    this.#log = log;
    this.#metrics = metrics;
    this.#options = options;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Every deadline column the phases act on, sending's included: where the sandbox clock stops. */
  get deadlines(): Deadline[] {
    return [...this.#options.phases.flatMap((p) => p.deadlines), SENDING_DEADLINE];
  }

  /**
   * Re-read the shared clock before a batch, except while someone drives the engine
   * exclusively: exclusive() reads it once when the drive starts, and the sandbox moves
   * its clock through this process meanwhile (a dispatch of 100,000 prompts read it
   * ~500 times otherwise, one round trip per batch of each loop).
   */
  async #refreshClock(): Promise<void> {
    if (!this.#exclusiveHeld) await this.#clock.refresh();
  }

  /** One batch of each phase, in order, at the clock's current time. */
  readonly #decide: Phase = async () => {
    await this.#refreshClock();
    const now = this.#clock.now();
    let claimed = 0;
    let queued = 0;
    let backlog = false;
    for (const phase of await duePhases(this.#db, this.#options.phases, now)) {
      // Urgent work first: bulk phases wait while another phase still fills whole batches.
      if (phase.bulk && backlog) continue;
      const outcome = await phase.run(this.#db, now, this.#options.batchSize);
      claimed += outcome.claimed;
      queued += outcome.queued;
      if (!phase.bulk && outcome.claimed >= this.#options.batchSize) backlog = true;
    }
    // wall-clock: liveness (the health check asks whether the loop ran recently in real time).
    this.lastTickAt = new Date();
    // New messages: the sending loop need not wait out its pause.
    if (queued > 0) this.nudge();
    return claimed;
  };

  /** Capped messages waiting for their slot: stop() and exclusive() wait for them, the metrics count them. */
  #trackSending(sending: Promise<SendBatchResult>): void {
    const tracked = sending.then((result) => {
      this.#recordSends(result);
      return result.sent;
    }, (error) => {
      // Their claims expire and another pass sends them (with the same keys).
      this.#metrics.engineErrors++;
      this.#log.error({ err: error }, "sending capped messages failed; they will be retried");
      return 0;
    }).finally(() => this.#inFlight.delete(tracked));
    this.#inFlight.add(tracked);
  }

  /** The sending loops claim one after the other (sender.ts ClaimTurn). */
  readonly #claimInTurn = claimsInTurn();

  /** Hand one batch of ready messages to their channels. */
  readonly #send: Phase = async () => {
    await this.#refreshClock();
    const now = this.#clock.now();
    // Nothing ready, the common case between batches: one probe instead of a claiming transaction.
    if (!(await anyDue(this.#db, [SENDING_DEADLINE], new Date(now.getTime() + SLOT_LOOKAHEAD_MS)))) return 0;
    const sent = await sendReady(this.#db, this.#channels, now, this.#options.batchSize * 2, this.#options.sendLeaseMs,
      this.#clock.running
        ? { lookaheadMs: SLOT_LOOKAHEAD_MS, inBackground: (sending) => this.#trackSending(sending) }
        : { lookaheadMs: Number.POSITIVE_INFINITY },
      this.#claimInTurn);
    this.#recordSends(sent);
    return sent.claimed;
  };

  /** Count a batch's sends, and say at warn level who could not be reached at all. */
  #recordSends(result: SendBatchResult): void {
    this.#metrics.recordSends(result);
    for (const u of result.undeliverable) {
      this.#log.warn({ organisationId: u.organisationId, recipient: u.recipient, kind: u.kind, channel: u.channel, code: u.code, error: u.error },
        "message could not be delivered on any channel of its recipient");
    }
  }

  /** Run both phases until neither finds anything; sending overlaps deciding. */
  async #drain(): Promise<void> {
    for (;;) {
      const sending = this.#sendInBackground();
      let work = 0;
      try {
        work += await this.#decideUntilIdle();
      } finally {
        work += await sending.stop();
      }
      if (work === 0) return;
    }
  }

  /** Two workers, so PostgreSQL can use a core for each; SKIP LOCKED keeps their batches apart. */
  async #decideUntilIdle(): Promise<number> {
    let work = 0;
    const worker = async () => {
      for (let n = await this.#decide(); n > 0; n = await this.#decide()) work += n;
    };
    await Promise.all([worker(), worker()]);
    return work;
  }

  /** Keep sending until stopped; `stop` waits until nothing ready is left and says how much was sent. */
  #sendInBackground(): { stop(): Promise<number> } {
    let stopping = false;
    let work = 0;
    const worker = async () => {
      for (;;) {
        const n = await this.#send();
        work += n;
        if (n > 0) continue;
        if (stopping) return;
        // Nothing ready: wait for the deciding workers to queue something (nudge) rather
        // than claim again at once; an empty claim still walks the index (dead entries).
        await this.#nextNudge(IDLE_SEND_WAIT_MS);
      }
    };
    // Two, like the deciding workers: one sends while the other records its batch.
    const loop = Promise.all([worker(), worker()]);
    return {
      stop: async () => {
        stopping = true;
        this.nudge();
        await loop;
        return work;
      },
    };
  }

  /** Run a phase unless someone holds the engine exclusively (then wait for them). */
  async #phase(phase: Phase): Promise<number> {
    while (this.#exclusiveHeld) await this.#exclusiveHeld;
    const run = phase();
    this.#inFlight.add(run);
    try {
      return await run;
    } finally {
      this.#inFlight.delete(run);
    }
  }

  /**
   * Run `work` with the engine to itself: the loops finish the batch in hand and
   * wait. `work` drives the phases directly (the sandbox moves its clock this way,
   * so no batch ever sees half a move).
   */
  async exclusive<T>(work: (control: EngineControl) => Promise<T>): Promise<T> {
    while (this.#exclusiveHeld) await this.#exclusiveHeld;
    let release!: () => void;
    this.#exclusiveHeld = new Promise<void>((r) => {
      release = r;
    });
    try {
      await Promise.allSettled([...this.#inFlight]);
      // Read once for the whole drive (#refreshClock): whoever holds the engine moves the clock.
      await this.#clock.refresh();
      return await work({
        runUntilIdle: () => this.#drain(),
        decideUntilIdle: () => this.#decideUntilIdle(),
        sendInBackground: () => this.#sendInBackground(),
      });
    } finally {
      this.#exclusiveHeld = null;
      release();
    }
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    // One deciding loop (its phases' order is the rule: evidence of life before escalation);
    // two sending loops, as in exclusive(): SKIP LOCKED keeps their batches apart, and one
    // claims while the other waits on its channel or records its batch.
    this.#loops = [this.#loop("decide", this.#decide), this.#loop("send", this.#send), this.#loop("send", this.#send)];
  }

  /** Finish the batches in hand, then stop. */
  async stop(): Promise<void> {
    this.#running = false;
    for (const wake of this.#wakers) wake();
    await Promise.all(this.#loops);
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Ask the loops to look for work now rather than after their pause. */
  nudge(): void {
    for (const wake of this.#wakers) wake();
  }

  /** Resolves at the next nudge, or after `ms` at the latest. */
  #nextNudge(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#wakers.add(wake);
    });
  }

  async #loop(name: string, phase: Phase): Promise<void> {
    let failures = 0;
    while (this.#running) {
      let handled = 0;
      try {
        handled = await this.#phase(phase);
        failures = 0;
      } catch (error) {
        failures++;
        this.#metrics.engineErrors++;
        this.#log.error({ err: error, phase: name }, "engine phase failed; retrying");
      }
      if (handled > 0 && this.#running) continue;
      const pause = failures ? Math.min(5000, this.#options.pollMs * 2 ** failures) : this.#options.pollMs;
      await this.#nextNudge(pause);
    }
  }
}
