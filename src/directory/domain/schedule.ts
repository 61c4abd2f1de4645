/**
 * When a directory entry is open, and when its events happen (issue 14): the
 * occurrences of HSDS 3.1 schedule rows (RFC 5545 recurrence: opening hours and
 * events) between two instants, in Asia/Tokyo, minus Japan's national holidays
 * (when the row says it closes on them), 年末年始 (12/29–1/3, a per-organisation
 * rule, on by default) and ad-hoc closures. Also "open now?" and "when next open?".
 *
 * Pure: the instants are parameters; nothing reads the clock.
 *
 * Rules (docs/design/directory-hsds-research.md §1, §2, §6):
 * - HSDS 3.1 schedule.json allows `freq` WEEKLY or MONTHLY only, with `interval`,
 *   `byday` ("MO,TH"; with MONTHLY an ordinal: "2TU", "-1FR"), `bymonthday`
 *   ("1,15", "-1"), `count`, `until` (a date, inclusive), `wkst`, `dtstart` (a date).
 *   A row with no `freq` is a one-off on `dtstart` (HSDS has no one-off event;
 *   it is exported as WEEKLY;COUNT=1, hsds.ts).
 * - Times of day (`opens_at`, `closes_at`, "HH:MM", "24:00" allowed as a closing
 *   time) are Tokyo wall-clock times. No `opens_at`: all day. No `closes_at`: to
 *   the end of the day. `closes_at` must be after `opens_at` (no overnight rows).
 * - `valid_from`/`valid_to` bound the dates, inclusive (HSDS field guidance,
 *   "Exceptional Schedules").
 * - Recurrence is expanded by rrule-temporal (RFC 5545; a DTSTART that does not
 *   match the rule is not an occurrence, as in rrule.js).
 * - Holidays: @holiday-jp/holiday_jp's data map (1970-01-01 … 2050-11-23), looked up
 *   by the Tokyo date computed here with luxon. Its isHoliday()/between() format
 *   dates with the process's local time zone, wrong on a UTC server, so they are
 *   not used.
 * - A one-off occurrence was dated on purpose (a 敬老の日 event), so national
 *   holidays and 年末年始 do not cancel it; an explicit closure does.
 */
import holidayData from "@holiday-jp/holiday_jp/lib/holidays.js";
import { DateTime } from "luxon";
import { RRuleTemporal } from "rrule-temporal";
import { type ScheduleRuleProblem, scheduleProblems } from "./schedule-shape.ts";

/** The directory's time zone: HSDS exports `timezone: 9` and times as "10:00+09:00". */
export const DIRECTORY_TIME_ZONE = "Asia/Tokyo";

export const SCHEDULE_KINDS = ["opening_hours", "event"] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];
export const SCHEDULE_FREQS = ["WEEKLY", "MONTHLY"] as const;
export type ScheduleFreq = (typeof SCHEDULE_FREQS)[number];
export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type Weekday = (typeof WEEKDAYS)[number];
/** Kinds of a closure row (directory_closures.kind): 年末年始, the organisation's own holiday (お盆), anything else. */
export const CLOSURE_KINDS = ["year_end", "holiday", "ad_hoc"] as const;
export type ClosureKind = (typeof CLOSURE_KINDS)[number];

/**
 * One schedule row, named as HSDS schedule.json and directory_schedules name its
 * fields. Dates are Tokyo calendar dates "YYYY-MM-DD"; times "HH:MM".
 */
export interface ScheduleRule {
  id: string;
  kind: ScheduleKind;
  /** null: a one-off on `dtstart`. */
  freq: ScheduleFreq | null;
  interval: number | null;
  byday: string | null;
  bymonthday: string | null;
  count: number | null;
  wkst: Weekday | null;
  dtstart: string | null;
  /** Last date of the recurrence, inclusive. */
  until: string | null;
  opens_at: string | null;
  closes_at: string | null;
  valid_from: string | null;
  valid_to: string | null;
  /** Whether occurrences on Japan's national holidays are cancelled. */
  closed_on_holidays: boolean;
}

/** A closure row that applies to the schedules being expanded (the caller picks the organisation's and the service's). */
export interface ScheduleClosure {
  id: string;
  kind: ClosureKind;
  /** First and last closed date, inclusive. */
  starts_on: string;
  ends_on: string;
  reason: string | null;
}

export interface ClosureOptions {
  /** 年末年始 closed: the organisation's rule (directory settings), true unless it says otherwise. */
  yearEndClosed?: boolean;
  /** 年末年始's first and last day, MM-DD (default YEAR_END_FIRST–YEAR_END_LAST, 12-29–01-03). */
  yearEnd?: { first: string; last: string };
  closures?: readonly ScheduleClosure[];
}

/** Why an occurrence does not take place. */
export type OccurrenceClosed =
  | { cause: "national_holiday"; name: string; name_en: string }
  | { cause: "year_end" }
  | { cause: "closure"; closure_id: string; kind: ClosureKind; reason: string | null };

export interface ScheduleOccurrence {
  schedule_id: string;
  kind: ScheduleKind;
  /** The Tokyo date it starts on. */
  date: string;
  start: Date;
  end: Date;
  all_day: boolean;
  /** null: it takes place. */
  closed: OccurrenceClosed | null;
}

/** 年末年始: 12/29 to 1/3 (the common closing days of public offices, 行政機関の休日に関する法律 art. 1). */
export const YEAR_END_FIRST = "12-29";
export const YEAR_END_LAST = "01-03";

/** The last date the holiday data knows (beyond it no national holiday is found). */
export const HOLIDAY_DATA_LAST_DATE = "2050-11-23";

type HolidayEntry = { name: string; name_en: string };
const HOLIDAYS = holidayData as unknown as Readonly<Record<string, HolidayEntry>>;

/** Japan's national holiday (incl. 振替休日 and 国民の休日) on a Tokyo date "YYYY-MM-DD", or null. */
export function nationalHoliday(date: string): HolidayEntry | null {
  const h = HOLIDAYS[date];
  return h ? { name: h.name, name_en: h.name_en } : null;
}

/**
 * Whether a Tokyo date "YYYY-MM-DD" is within 年末年始: from `first` to `last`
 * (MM-DD, inclusive; 12/29–1/3 by default), across the new year when `last`
 * comes before `first` in the calendar.
 */
export function isYearEnd(date: string, first = YEAR_END_FIRST, last = YEAR_END_LAST): boolean {
  const md = date.slice(5);
  return first <= last ? md >= first && md <= last : md >= first || md <= last;
}

/** The Tokyo calendar date of an instant, "YYYY-MM-DD". */
export function tokyoDate(at: Date): string {
  return DateTime.fromJSDate(at, { zone: DIRECTORY_TIME_ZONE }).toISODate() as string;
}

/** The instant of a Tokyo wall-clock time on a date ("24:00" is the next day's 00:00). */
export function tokyoInstant(date: string, time: string): Date {
  const [h, m] = time.split(":").map(Number);
  return DateTime.fromISO(date, { zone: DIRECTORY_TIME_ZONE }).plus({ hours: h, minutes: m }).toJSDate();
}

/** Problems with a schedule row, as codes (an empty list: the row can be expanded); the one checker's codes (schedule-shape.ts). */
export type ExpansionProblem = ScheduleRuleProblem;

/**
 * Checks a row against what HSDS 3.1 allows and what the expander needs, with
 * the one schedule checker at its `expand` level (domain/schedule-shape.ts).
 * Returns problem codes (empty: fine). Rules: RFC 5545 §3.3.10 (ordinal BYDAY only
 * with MONTHLY/YEARLY here; BYMONTHDAY ±1..31, not with WEEKLY), HSDS schedule.json
 * (interval needs dtstart), our rule that a one-off needs its date.
 */
export function expansionProblems(rule: ScheduleRule): ExpansionProblem[] {
  const problems = scheduleProblems({
    kind: rule.kind, freq: rule.freq, interval: rule.interval, byday: rule.byday, bymonthday: rule.bymonthday, count: rule.count,
    dtstart: rule.dtstart, until: rule.until, opensAt: rule.opens_at, closesAt: rule.closes_at, validFrom: rule.valid_from, validTo: rule.valid_to,
  }, "expand");
  return [...new Set(problems.map((p) => p.rule))];
}

function plusDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: "UTC" }).plus({ days }).toISODate() as string;
}

function compact(date: string): string {
  return date.replaceAll("-", "");
}

/** The start dates (Tokyo) of a rule's occurrences within [firstDate, lastDate], inclusive, before closures. */
function startDates(rule: ScheduleRule, firstDate: string, lastDate: string): string[] {
  let first = firstDate;
  let last = lastDate;
  if (rule.valid_from && rule.valid_from > first) first = rule.valid_from;
  if (rule.valid_to && rule.valid_to < last) last = rule.valid_to;
  if (rule.dtstart && rule.dtstart > first) first = rule.dtstart;
  if (rule.until && rule.until < last) last = rule.until;
  if (first > last) return [];
  if (rule.freq === null) return rule.dtstart && rule.dtstart >= first && rule.dtstart <= last ? [rule.dtstart] : [];

  // Without a dtstart, valid_from starts an interval or a count (expansionProblems); with
  // neither (interval 1, no count) any start before the window keeps the rhythm: the
  // first of the month, or a week before.
  const origin = rule.dtstart ?? ((rule.interval ?? 1) > 1 || rule.count !== null ? rule.valid_from : null);
  const anchor = origin ?? (rule.freq === "MONTHLY" ? `${first.slice(0, 8)}01` : plusDays(first, -7));
  const time = (rule.opens_at ?? "00:00").replace(":", "");
  const parts = [`FREQ=${rule.freq}`];
  if (rule.interval && rule.interval > 1) parts.push(`INTERVAL=${rule.interval}`);
  if (rule.count !== null) parts.push(`COUNT=${rule.count}`);
  if (rule.until) {
    // RFC 5545: with a TZID'd DTSTART, UNTIL is UTC. The end of the until date in Tokyo.
    const end = DateTime.fromISO(rule.until, { zone: DIRECTORY_TIME_ZONE }).endOf("day").toUTC();
    parts.push(`UNTIL=${end.toFormat("yyyyMMdd'T'HHmmss'Z'")}`);
  }
  if (rule.byday) parts.push(`BYDAY=${rule.byday.toUpperCase().replace(/\s+/g, "")}`);
  if (rule.bymonthday) parts.push(`BYMONTHDAY=${rule.bymonthday.replace(/\s+/g, "")}`);
  if (rule.wkst) parts.push(`WKST=${rule.wkst}`);
  const rrule = new RRuleTemporal({
    rruleString: `DTSTART;TZID=${DIRECTORY_TIME_ZONE}:${compact(anchor)}T${time}00\nRRULE:${parts.join(";")}`,
  });
  const from = DateTime.fromISO(first, { zone: DIRECTORY_TIME_ZONE }).toJSDate();
  const to = DateTime.fromISO(last, { zone: DIRECTORY_TIME_ZONE }).endOf("day").toJSDate();
  return rrule.between(from, to, true).map((z) => z.toPlainDate().toString());
}

function closedBy(rule: ScheduleRule, date: string, options: ClosureOptions): OccurrenceClosed | null {
  for (const c of options.closures ?? []) {
    if (c.starts_on <= date && date <= c.ends_on) return { cause: "closure", closure_id: c.id, kind: c.kind, reason: c.reason };
  }
  if (rule.freq === null) return null;
  if ((options.yearEndClosed ?? true) && isYearEnd(date, options.yearEnd?.first, options.yearEnd?.last)) return { cause: "year_end" };
  if (rule.closed_on_holidays) {
    const h = nationalHoliday(date);
    if (h) return { cause: "national_holiday", ...h };
  }
  return null;
}

/**
 * Every occurrence of the rules that overlaps [from, to) (instants), sorted by
 * start, with `closed` saying why one does not take place (an explicit closure
 * first, then 年末年始, then a national holiday). An occurrence lasts from
 * `opens_at` to `closes_at` on its Tokyo date (all day without `opens_at`; to
 * midnight without `closes_at`). A rule with problems (expansionProblems) gives no
 * occurrence rather than failing a whole page: rows are validated when written,
 * and `expansionProblems` tells a caller which rows it cannot expand.
 */
export function scheduleOccurrences(rules: readonly ScheduleRule[], from: Date, to: Date, options: ClosureOptions = {}): ScheduleOccurrence[] {
  if (!(from < to)) return [];
  // An occurrence lasts at most a day, so one that started the day before may still run.
  const firstDate = plusDays(tokyoDate(from), -1);
  const lastDate = tokyoDate(to);
  const out: ScheduleOccurrence[] = [];
  for (const rule of rules) {
    if (expansionProblems(rule).length > 0) continue;
    for (const date of startDates(rule, firstDate, lastDate)) {
      const start = tokyoInstant(date, rule.opens_at ?? "00:00");
      const end = tokyoInstant(date, rule.opens_at ? (rule.closes_at ?? "24:00") : "24:00");
      if (end <= from || start >= to) continue;
      out.push({
        schedule_id: rule.id, kind: rule.kind, date, start, end,
        all_day: rule.opens_at === null, closed: closedBy(rule, date, options),
      });
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime() || a.schedule_id.localeCompare(b.schedule_id));
}

/** The occurrences that take place (not closed) overlapping [from, to). */
export function openOccurrences(rules: readonly ScheduleRule[], from: Date, to: Date, options: ClosureOptions = {}): ScheduleOccurrence[] {
  return scheduleOccurrences(rules, from, to, options).filter((o) => o.closed === null);
}

/** The occurrence running at `now` (start ≤ now < end, not closed), the one ending last if several; null: closed now. */
export function openAt(rules: readonly ScheduleRule[], now: Date, options: ClosureOptions = {}): ScheduleOccurrence | null {
  const running = openOccurrences(rules, now, new Date(now.getTime() + 1), options);
  return running.sort((a, b) => b.end.getTime() - a.end.getTime())[0] ?? null;
}

/**
 * The first occurrence that takes place and has not ended at `now`: the running
 * one if open now, else the next to start. Looks `horizonDays` ahead (default 400,
 * so a yearly-ish pattern is found); null if none.
 */
export function nextOpen(rules: readonly ScheduleRule[], now: Date, options: ClosureOptions = {}, horizonDays = 400): ScheduleOccurrence | null {
  const current = openAt(rules, now, options);
  if (current) return current;
  const stepMs = 31 * 86_400_000;
  const limit = now.getTime() + horizonDays * 86_400_000;
  for (let from = now.getTime(); from < limit; from += stepMs) {
    const found = openOccurrences(rules, new Date(from), new Date(Math.min(from + stepMs, limit)), options)
      .find((o) => o.end.getTime() > now.getTime());
    if (found) return found;
  }
  return null;
}
