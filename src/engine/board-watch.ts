/**
 * Live updates of the Today board: while anyone watches an organisation, its
 * board fingerprint (engine/today.ts) is read every `intervalMs`, and each
 * watcher is told when it changed. One read per organisation however many
 * screens are open; none for organisations nobody watches. The fingerprint
 * reads the database, so answers recorded by any process of the service are
 * seen, not only this one's.
 */
import type { Logger } from "pino";
import type { Db } from "../store/db.ts";
import { boardFingerprint } from "./today.ts";

export type BoardListener = (fingerprint: string) => void;

interface Watched {
  listeners: Set<BoardListener>;
  /** The fingerprint last read; undefined until the first read succeeds. */
  last: string | undefined;
  /** The first read. */
  baseline: Promise<void>;
  timer: NodeJS.Timeout;
  busy: boolean;
}

export class BoardWatch {
  readonly #db: Db;
  readonly #intervalMs: number;
  readonly #log: Logger;
  readonly #watched = new Map<string, Watched>();

  /** @param intervalMs how often a watched organisation's fingerprint is read (the board lags an answer by at most this plus a read). */
  constructor(db: Db, log: Logger, intervalMs = 500) {
    this.#db = db;
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  /**
   * Calls `listener` with the new fingerprint after each change. Resolves, with
   * the function that stops it, once the organisation's fingerprint has been read
   * at least once: a change after that moment is told, so a client that reads the
   * board after this resolves (on the stream's `ready`) misses nothing. Before,
   * `ready` went out at once, and an answer recorded between the client's read and
   * the first fingerprint became the baseline: the board stayed stale until the
   * next change (seen in `npm run bench -- --console`).
   */
  async subscribe(organisationId: string, listener: BoardListener): Promise<() => void> {
    let entry = this.#watched.get(organisationId);
    if (!entry) {
      const created: Watched = {
        listeners: new Set<BoardListener>(), last: undefined, busy: false, baseline: Promise.resolve(),
        timer: setInterval(() => void this.#poll(organisationId), this.#intervalMs),
      };
      created.timer.unref();
      this.#watched.set(organisationId, created);
      created.baseline = this.#poll(organisationId);
      entry = created;
    }
    entry.listeners.add(listener);
    const stop = () => {
      const e = this.#watched.get(organisationId);
      if (!e) return;
      e.listeners.delete(listener);
      if (e.listeners.size === 0) {
        clearInterval(e.timer);
        this.#watched.delete(organisationId);
      }
    };
    await entry.baseline;
    // A first read that failed (the database restarting) is retried by the timer; wait for it.
    while (entry.last === undefined && this.#watched.get(organisationId) === entry) {
      await new Promise((resolve) => setTimeout(resolve, this.#intervalMs));
    }
    return stop;
  }

  /** Stops every poll (the service is stopping). */
  close(): void {
    for (const e of this.#watched.values()) clearInterval(e.timer);
    this.#watched.clear();
  }

  async #poll(organisationId: string): Promise<void> {
    const entry = this.#watched.get(organisationId);
    if (!entry || entry.busy) return;
    entry.busy = true;
    try {
      const fingerprint = await boardFingerprint(this.#db, organisationId);
      const changed = entry.last !== undefined && entry.last !== fingerprint;
      entry.last = fingerprint;
      if (changed) for (const listener of entry.listeners) listener(fingerprint);
    } catch (error) {
      // A failed read (the database restarting) is retried at the next tick; the board just lags.
      this.#log.warn({ err: error }, "could not read the board fingerprint");
    } finally {
      entry.busy = false;
    }
  }
}
