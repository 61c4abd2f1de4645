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

export class BoardWatch {
  readonly #db: Db;
  readonly #intervalMs: number;
  readonly #log: Logger;
  readonly #watched = new Map<string, { listeners: Set<BoardListener>; last: string | undefined; timer: NodeJS.Timeout; busy: boolean }>();

  /** @param intervalMs how often a watched organisation's fingerprint is read (the board lags an answer by at most this plus a read). */
  constructor(db: Db, log: Logger, intervalMs = 500) {
    this.#db = db;
    this.#log = log;
    this.#intervalMs = intervalMs;
  }

  /** Calls `listener` with the new fingerprint after each change; returns the function that stops it. */
  subscribe(organisationId: string, listener: BoardListener): () => void {
    let entry = this.#watched.get(organisationId);
    if (!entry) {
      const created = { listeners: new Set<BoardListener>(), last: undefined as string | undefined, busy: false, timer: setInterval(() => void this.#poll(organisationId), this.#intervalMs) };
      created.timer.unref();
      this.#watched.set(organisationId, created);
      entry = created;
      void this.#poll(organisationId);
    }
    entry.listeners.add(listener);
    return () => {
      const e = this.#watched.get(organisationId);
      if (!e) return;
      e.listeners.delete(listener);
      if (e.listeners.size === 0) {
        clearInterval(e.timer);
        this.#watched.delete(organisationId);
      }
    };
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
