/**
 * A throttle in front of password checks: argon2id costs ~19 MiB and tens of
 * milliseconds per check by design, so an unthrottled sign-in form lets anyone
 * keep the server's cores busy with wrong passwords or unknown login ids (the
 * account lock-out only covers known people). Failures are counted per login id
 * and per client address in a fixed window; past the limit, a request is refused
 * before any hash is computed (`retryAfterMs`), and at most MAX_IN_FLIGHT checks
 * run at once in a process.
 *
 * Kept in the process's memory: a throttle is a guard against load, not a record
 * (the lock-out, which is one, lives in the person's row). With N processes an
 * attacker gets N times the budget, which still bounds the work.
 */

/** Failed sign-ins per login id in a window… */
export const FAILURES_PER_LOGIN = 10;
/** …and per client address (a busy office behind one NAT address signs in often, rarely fails often). */
export const FAILURES_PER_ADDRESS = 50;
/** The window, in milliseconds. */
export const THROTTLE_WINDOW_MS = 15 * 60_000;
/** Password checks running at once in this process; beyond, a request is refused (2 cores × a few). */
export const MAX_IN_FLIGHT = 8;
/** Keys kept at most; beyond, the oldest windows are forgotten first. */
const MAX_KEYS = 100_000;

export type ThrottleKey = { kind: "login"; value: string } | { kind: "address"; value: string };

const limitOf = (key: ThrottleKey) => (key.kind === "login" ? FAILURES_PER_LOGIN : FAILURES_PER_ADDRESS);
const keyOf = (key: ThrottleKey) => `${key.kind}:${key.value}`;

export class SignInThrottle {
  readonly #windows = new Map<string, { startedAt: number; failures: number }>();
  #inFlight = 0;

  /**
   * Whether a check may run now for these keys: `{ ok: true, release }` (call
   * `release` when the check is done), or the milliseconds after which to retry.
   */
  begin(keys: ThrottleKey[], now: Date): { ok: true; release: () => void } | { ok: false; retryAfterMs: number } {
    let retryAfterMs = 0;
    for (const key of keys) {
      const window = this.#live(keyOf(key), now);
      if (window && window.failures >= limitOf(key)) retryAfterMs = Math.max(retryAfterMs, window.startedAt + THROTTLE_WINDOW_MS - now.getTime());
    }
    if (retryAfterMs > 0) return { ok: false, retryAfterMs };
    if (this.#inFlight >= MAX_IN_FLIGHT) return { ok: false, retryAfterMs: 1000 };
    this.#inFlight++;
    let released = false;
    return {
      ok: true,
      release: () => {
        if (!released) this.#inFlight--;
        released = true;
      },
    };
  }

  /** Counts a failed check against every key. */
  fail(keys: ThrottleKey[], now: Date): void {
    for (const key of keys) {
      const k = keyOf(key);
      const window = this.#live(k, now);
      if (window) window.failures++;
      else {
        if (this.#windows.size >= MAX_KEYS) this.#windows.delete(this.#windows.keys().next().value as string);
        this.#windows.set(k, { startedAt: now.getTime(), failures: 1 });
      }
    }
  }

  /** A success forgets the login's failures (not the address's: one right password does not excuse many wrong ones). */
  succeed(loginId: string): void {
    this.#windows.delete(keyOf({ kind: "login", value: loginId }));
  }

  #live(key: string, now: Date) {
    const window = this.#windows.get(key);
    if (window && now.getTime() - window.startedAt >= THROTTLE_WINDOW_MS) {
      this.#windows.delete(key);
      return undefined;
    }
    return window;
  }
}
