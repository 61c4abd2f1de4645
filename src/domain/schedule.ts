/**
 * Check-in schedules. Due times are computed in the member's own time zone and
 * intervals count local calendar days, so a 09:00 plan stays at 09:00 across DST
 * changes and a 30-day plan is exactly 30 calendar days whatever the month length.
 */
import { DateTime, IANAZone } from "luxon";

export const INTERVALS = ["1d", "2d", "3d", "5d", "30d", "weekly", "biweekly"] as const;
export type Interval = (typeof INTERVALS)[number];
export const DEFAULT_TIME_ZONE = "Asia/Tokyo";

export interface Plan {
  every: Interval;
  /** ISO weekday 1 (Monday) … 7 (Sunday); required for weekly and biweekly plans. */
  weekday?: number;
  /** Local time of day, "HH:MM". */
  at: string;
  timeZone: string;
  /**
   * Local date (YYYY-MM-DD) from which the interval is counted: the first day the
   * plan is due. Set when the plan is created or changed, so every-N-day plans and
   * every-other-week plans keep their rhythm.
   */
  anchorDate: string;
  /**
   * Seconds after `at` at which this member's slot falls. Large operators spread a
   * minute's check-ins over its seconds so load (and phone lines) stay even; 0 by default.
   */
  offsetSeconds?: number;
}

export interface Pause {
  /** Local date on which check-ins start again; undefined = until resumed by hand. */
  until?: string;
  reason: string;
  /** Staff's note on the pause (the API's `note`), up to 500 characters. */
  note?: string;
}

const INTERVAL_DAYS: Record<Interval, number> = {
  "1d": 1, "2d": 2, "3d": 3, "5d": 5, "30d": 30, weekly: 7, biweekly: 14,
};

export function intervalDays(every: Interval): number {
  return INTERVAL_DAYS[every];
}

/**
 * Memoised: luxon checks a zone by constructing an Intl.DateTimeFormat, whose ICU
 * memory outside the JS heap is not given back (100,000 checks, one per member of
 * a bulk registration, left the process 1.4 GB larger).
 */
export const isValidTimeZone = memo((zone: string) => IANAZone.isValidZone(zone), (zone) => zone);

export function isValidLocalTime(at: string): boolean {
  const m = /^(\d{2}):(\d{2})$/.exec(at);
  return !!m && Number(m[1]) < 24 && Number(m[2]) < 60;
}

export function isValidLocalDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  return DateTime.fromISO(date, { zone: "UTC" }).isValid;
}

/**
 * Days since 1970-01-01 for a local calendar date: pure calendar arithmetic, no zones.
 * Memoised like the zone arithmetic below: the scheduler converts each member's days
 * several times a batch, and a town's members share a few dates (about 6 % of the
 * service's CPU in a dispatch, bench 2026-12-02).
 */
export const epochDay = memo((date: string): number => {
  const [y, m, d] = date.split("-").map(Number);
  return Math.round(Date.UTC(y, m - 1, d) / 86_400_000);
}, (date) => date);

/** The calendar date (YYYY-MM-DD) `day` days after 1970-01-01; memoised as epochDay. */
export const dateFromEpochDay = memo((day: number): string => new Date(day * 86_400_000).toISOString().slice(0, 10),
  (day) => String(day));

/** ISO weekday of a calendar date, 1 = Monday. 1970-01-01 was a Thursday. */
export function weekdayOf(date: string): number {
  return ((((epochDay(date) + 3) % 7) + 7) % 7) + 1;
}

/**
 * Zone arithmetic is the costly part of scheduling (Intl per call), and a city's
 * members share a few zones and times, so results are memoised. Bounded, pure.
 */
function memo<A extends unknown[], R>(fn: (...args: A) => R, key: (...args: A) => string): (...args: A) => R {
  const cache = new Map<string, R>();
  return (...args: A) => {
    const k = key(...args);
    const hit = cache.get(k);
    if (hit !== undefined) return hit;
    const value = fn(...args);
    if (cache.size >= 20_000) cache.clear();
    cache.set(k, value);
    return value;
  };
}

const localDateOfMinute = memo(
  (minute: number, zone: string) => DateTime.fromMillis(minute * 60_000, { zone }).toISODate() as string,
  (minute, zone) => `${zone}|${minute}`,
);

export function localDateOf(instant: Date, zone: string): string {
  // Zone offsets are whole minutes (or more), so the date is the same across a minute.
  return localDateOfMinute(Math.floor(instant.getTime() / 60_000), zone);
}

/**
 * The instant of a local date and time in a zone. A time that does not exist
 * (skipped by a DST jump) moves forward; an ambiguous one takes the earlier instant.
 */
export function instantOf(date: string, at: string, zone: string): Date {
  return new Date(instantMillis(date, at, zone));
}

const instantMillis = memo((date: string, at: string, zone: string) => zonedInstant(date, at, zone).getTime(),
  (date, at, zone) => `${zone}|${date}|${at}`);

function zonedInstant(date: string, at: string, zone: string): Date {
  const [y, mo, d] = date.split("-").map(Number);
  const [h, mi] = at.split(":").map(Number);
  const local = DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi }, { zone });
  // In a fall-back hour the wall time happens twice; luxon may pick either. Take the first.
  const wall = local.toFormat("yyyy-MM-dd HH:mm");
  for (const minutes of [60, 30]) {
    const earlier = local.minus({ minutes });
    if (earlier.toFormat("yyyy-MM-dd HH:mm") === wall) return earlier.toJSDate();
  }
  return local.toJSDate();
}

/** The due instant of the plan's slot on a local date. */
export function slotInstant(plan: Pick<Plan, "at" | "timeZone" | "offsetSeconds">, date: string): Date {
  return new Date(instantOf(date, plan.at, plan.timeZone).getTime() + (plan.offsetSeconds ?? 0) * 1000);
}

/**
 * The anchor for a plan that starts now: the first local day on which the plan's
 * time is still ahead (and, for weekly plans, that falls on the weekday).
 */
export function anchorFor(plan: Omit<Plan, "anchorDate">, now: Date): string {
  let day = epochDay(localDateOf(now, plan.timeZone));
  for (let i = 0; i < 16; i++, day++) {
    const date = dateFromEpochDay(day);
    const weekly = plan.every === "weekly" || plan.every === "biweekly";
    if (weekly && weekdayOf(date) !== plan.weekday) continue;
    if (slotInstant(plan, date).getTime() > now.getTime()) return date;
  }
  throw new Error("no anchor within 16 days");
}

/** The first due instant strictly after `after`. */
export function nextDueAfter(plan: Plan, after: Date): Date {
  const step = intervalDays(plan.every);
  const anchor = epochDay(plan.anchorDate);
  const today = epochDay(localDateOf(after, plan.timeZone));
  // Start one step before today's slot so a slot later today is never missed.
  let k = Math.max(0, Math.floor((today - anchor) / step) - 1);
  for (;;) {
    const due = slotInstant(plan, dateFromEpochDay(anchor + k * step));
    if (due.getTime() > after.getTime()) return due;
    k++;
  }
}

/**
 * The next due instant after `after` that is not inside a pause. Returns null for
 * a pause without an end: nothing is due until the member is resumed.
 */
export function nextDueOutsidePause(plan: Plan, after: Date, pause: Pause | null): Date | null {
  if (!pause) return nextDueAfter(plan, after);
  if (!pause.until) return null;
  const resumesAt = instantOf(pause.until, "00:00", plan.timeZone);
  const from = resumesAt.getTime() - 1 > after.getTime() ? new Date(resumesAt.getTime() - 1) : after;
  return nextDueAfter(plan, from);
}

/**
 * The slot a late scheduler prompts for: of the slots from `dueAt` (due, not yet
 * prompted) up to `now`, the latest. Slots missed while the service was down are
 * prompted once, late, never one by one (issue 8): they fold into the latest.
 */
export function latestSlotBy(plan: Plan, dueAt: Date, now: Date, pause: Pause | null): Date {
  let slot = dueAt;
  for (;;) {
    const next = nextDueOutsidePause(plan, slot, pause);
    if (!next || next.getTime() > now.getTime()) return slot;
    slot = next;
  }
}

/** Whether a due instant falls inside a pause (and so is skipped, never sent late). */
export function isPausedAt(pause: Pause | null, due: Date, zone: string): boolean {
  if (!pause) return false;
  if (!pause.until) return true;
  return due.getTime() < instantOf(pause.until, "00:00", zone).getTime();
}
