/**
 * Every decision reads time through a Clock, so the sandbox can move time and the
 * queries compare against a parameter, never against the database's now().
 */
import { sql } from "kysely";
import type { Db } from "../store/db.ts";

export interface Clock {
  now(): Date;
  /** Whether time moves by itself (false while the sandbox clock stands still). */
  readonly running: boolean;
  /** Re-read shared clock state (the sandbox clock lives in the database). */
  refresh(): Promise<void>;
}

export class SystemClock implements Clock {
  readonly running = true;
  now(): Date {
    return new Date();
  }
  async refresh(): Promise<void> {}
}

/**
 * The sandbox's virtual clock: a time stored in the database, frozen until it is
 * moved (or, when `running`, flowing at real speed from the stored instant).
 * Stored so that every process, and a restarted one, agrees on it.
 */
export class SandboxClock implements Clock {
  #at: Date;
  #runningSince: Date | null = null;
  readonly #db: Db;

  constructor(db: Db, initial: Date) {
    this.#db = db;
    this.#at = initial;
  }

  static async open(db: Db, initial: Date): Promise<SandboxClock> {
    await sql`insert into sandbox_clock (id, now) values (1, ${initial}) on conflict (id) do nothing`.execute(db);
    const clock = new SandboxClock(db, initial);
    await clock.refresh();
    return clock;
  }

  now(): Date {
    if (!this.#runningSince) return new Date(this.#at);
    return new Date(this.#at.getTime() + (Date.now() - this.#runningSince.getTime()));
  }

  async refresh(): Promise<void> {
    const row = await this.#db.selectFrom("sandbox_clock").select(["now", "running_since"]).where("id", "=", 1).executeTakeFirst();
    if (row) {
      this.#at = row.now;
      this.#runningSince = row.running_since;
    }
  }

  /** Move to `to` (never backwards); `running` lets it flow from there. */
  async set(to: Date, running: boolean): Promise<void> {
    if (to.getTime() < this.now().getTime()) throw new RangeError("the sandbox clock never goes backwards");
    const since = running ? new Date() : null;
    await this.#db.updateTable("sandbox_clock").set({ now: to, running_since: since }).where("id", "=", 1).execute();
    this.#at = to;
    this.#runningSince = since;
  }

  /** Stops a running clock where it is now; returns that instant. */
  async stop(): Promise<Date> {
    const at = this.now();
    await this.#db.updateTable("sandbox_clock").set({ now: at, running_since: null }).where("id", "=", 1).execute();
    this.#at = at;
    this.#runningSince = null;
    return at;
  }

  get running(): boolean {
    return this.#runningSince !== null;
  }
}
