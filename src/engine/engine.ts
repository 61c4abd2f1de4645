/**
 * The engine: two loops, one deciding (escalate what is due, dispatch what is
 * due) and one sending (hand ready outbox rows to their channels). Each repeats
 * at once while it finds work and otherwise sleeps a moment; on PostgreSQL they
 * run side by side on separate connections. Every deadline they act on is a row,
 * so any number of processes can run them against one PostgreSQL, and a
 * restarted one simply picks up where the rows say.
 */
import type { Logger } from "pino";
import type { ChannelRegistry } from "../channels/registry.ts";
import type { Db } from "../store/db.ts";
import type { Clock } from "./clock.ts";
import { escalateDue } from "./escalator.ts";
import type { Metrics } from "./metrics.ts";
import { dispatchDue } from "./scheduler.ts";
import { sendReady } from "./sender.ts";

export interface EngineOptions {
  batchSize: number;
  pollMs: number;
  sendLeaseMs: number;
}

type Phase = () => Promise<number>;

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

  /** Escalate, then dispatch, one batch each at the clock's current time. */
  readonly #decide: Phase = async () => {
    await this.#clock.refresh();
    const now = this.#clock.now();
    const escalated = await escalateDue(this.#db, now, this.#options.batchSize);
    const dispatched = await dispatchDue(this.#db, now, this.#options.batchSize);
    this.#metrics.recordDecisions(escalated, dispatched);
    this.lastTickAt = new Date();
    return escalated.claimed + dispatched.claimed;
  };

  /** Hand one batch of ready messages to their channels. */
  readonly #send: Phase = async () => {
    await this.#clock.refresh();
    const sent = await sendReady(this.#db, this.#channels, this.#clock.now(), this.#options.batchSize * 2, this.#options.sendLeaseMs);
    this.#metrics.recordSends(sent);
    return sent.claimed;
  };

  async #drain(): Promise<void> {
    while ((await this.#decide()) + (await this.#send()) > 0) {
      // a full batch may hide more
    }
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
   * wait. `work` gets a drain that runs every phase until nothing is left (the
   * sandbox moves its clock this way, so no batch ever sees half a move).
   */
  async exclusive<T>(work: (runUntilIdle: () => Promise<void>) => Promise<T>): Promise<T> {
    while (this.#exclusiveHeld) await this.#exclusiveHeld;
    let release!: () => void;
    this.#exclusiveHeld = new Promise<void>((r) => {
      release = r;
    });
    try {
      await Promise.allSettled([...this.#inFlight]);
      return await work(() => this.#drain());
    } finally {
      this.#exclusiveHeld = null;
      release();
    }
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loops = [this.#loop("decide", this.#decide), this.#loop("send", this.#send)];
  }

  /** Finish the batches in hand, then stop. */
  async stop(): Promise<void> {
    this.#running = false;
    for (const wake of this.#wakers) wake();
    await Promise.all(this.#loops);
  }

  /** Ask the loops to look for work now rather than after their pause. */
  nudge(): void {
    for (const wake of this.#wakers) wake();
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
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#wakers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, pause);
        this.#wakers.add(wake);
      });
    }
  }
}
