/**
 * The engine loop: escalate what is due, dispatch what is due, send what is
 * ready; repeat at once while there is work, otherwise sleep a moment. Every
 * deadline it acts on is a row, so any number of processes can run this loop
 * against one PostgreSQL, and a restarted one simply picks up where rows say.
 */
import type { Logger } from "pino";
import type { ChannelRegistry } from "../channels/registry.ts";
import type { Db } from "../store/db.ts";
import type { Clock } from "./clock.ts";
import { escalateDue } from "./escalator.ts";
import { dispatchDue } from "./scheduler.ts";
import { sendReady } from "./sender.ts";
import type { Metrics } from "./metrics.ts";

export interface EngineOptions {
  batchSize: number;
  pollMs: number;
  sendLeaseMs: number;
}

export class Engine {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #channels: ChannelRegistry;
  readonly #log: Logger;
  readonly #metrics: Metrics;
  readonly #options: EngineOptions;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #exclusive: Promise<void> = Promise.resolve();
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

  /** One pass of every phase at the clock's current time; returns how many rows it handled. */
  async tick(): Promise<number> {
    return this.#serialised(() => this.#tick());
  }

  async #tick(): Promise<number> {
    await this.#clock.refresh();
    const now = this.#clock.now();
    const { batchSize } = this.#options;
    const escalated = await escalateDue(this.#db, now, batchSize);
    const dispatched = await dispatchDue(this.#db, now, batchSize);
    const sent = await sendReady(this.#db, this.#channels, now, batchSize * 2, this.#options.sendLeaseMs);
    this.#metrics.recordTick(escalated, dispatched, sent);
    this.lastTickAt = new Date();
    return escalated.claimed + dispatched.claimed + sent.claimed;
  }

  /** Run ticks until nothing is left to do at the current time. */
  async runUntilIdle(): Promise<void> {
    while ((await this.tick()) > 0) {
      // keep going: a full batch may hide more
    }
  }

  /**
   * Run `work` while no tick is in progress (the sandbox clock moves time this
   * way, so a tick never sees half a move).
   */
  async #serialised<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.#exclusive;
    let done!: () => void;
    this.#exclusive = new Promise<void>((r) => {
      done = r;
    });
    await previous;
    try {
      return await work();
    } finally {
      done();
    }
  }

  /** Run `work` with the engine to itself; it gets an unserialised tick to drive. */
  exclusive<T>(work: (runUntilIdle: () => Promise<void>) => Promise<T>): Promise<T> {
    return this.#serialised(() => work(async () => {
      while ((await this.#tick()) > 0) {
        // drain
      }
    }));
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Finish the batch in hand, then stop. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  /** Ask the loop to look for work now rather than after its pause. */
  nudge(): void {
    this.#wake?.();
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      let handled = 0;
      try {
        handled = await this.tick();
        failures = 0;
      } catch (error) {
        failures++;
        this.#metrics.engineErrors++;
        this.#log.error({ err: error }, "engine tick failed; retrying");
      }
      if (handled > 0 && this.#running) continue;
      const pause = failures ? Math.min(5000, this.#options.pollMs * 2 ** failures) : this.#options.pollMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pause);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}
