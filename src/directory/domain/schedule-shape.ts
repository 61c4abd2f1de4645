/**
 * The one checker of a schedule row (HSDS 3.1 schedule.json, RFC 5545 subset),
 * field by field, at two levels:
 * - `store`: what may be written (the API and the engine's commands);
 * - `expand`: what the expander (domain/schedule.ts, `expansionProblems`) can
 *   turn into occurrences — more lenient, as rows read back may be shaped as
 *   RFC 5545 allows (a weekly row on its dtstart's weekday, byday and bymonthday
 *   together, lower case, a "+" ordinal); never stricter, so every row `store`
 *   accepts can be expanded.
 * Each problem names its field, a stable code, an English message and the
 * expander's code (`rule`). Occurrences (when it is actually open, holidays,
 * closures) are computed in domain/schedule.ts. Pure.
 *
 * Rules of `store` (every one also of `expand` unless said):
 * - `freq` is WEEKLY or MONTHLY (HSDS allows only these), or absent for a one-off
 *   (an event on `dtstart`), which then has no byday, bymonthday, interval, count
 *   or until.
 * - WEEKLY takes `byday` as plain weekdays ("MO,WE"); MONTHLY takes either `byday`
 *   with an ordinal ("2TU", "-1FR") or `bymonthday` ("1,15", "-1"), not both.
 * - An interval above 1 or a count needs an origin: dtstart or valid_from.
 * - `count` and `until` exclude each other (RFC 5545 §3.3.10); dtstart ≤ until,
 *   valid_from ≤ valid_to; closes_at needs opens_at, and is later (24:00 allowed).
 * - Dates are real calendar dates, times HH:MM (24:00 only as a closing time),
 *   interval 1–52, count 1–1000.
 * `store` only: weekly needs byday, monthly byday or bymonthday (the expander
 * takes dtstart's day instead), not both, count and until not both, closes_at
 * needs opens_at.
 */
import { DateTime } from "luxon";
import type { DirectoryScheduleFreq, DirectoryScheduleKind } from "./kinds.ts";

export interface ScheduleShape {
  kind: DirectoryScheduleKind;
  freq?: DirectoryScheduleFreq | null | undefined;
  interval?: number | null | undefined;
  byday?: string | null | undefined;
  bymonthday?: string | null | undefined;
  count?: number | null | undefined;
  /** YYYY-MM-DD. */
  dtstart?: string | null | undefined;
  until?: string | null | undefined;
  /** "HH:MM". */
  opensAt?: string | null | undefined;
  closesAt?: string | null | undefined;
  validFrom?: string | null | undefined;
  validTo?: string | null | undefined;
}

/** The expander's codes of a problem (domain/schedule.ts ExpansionProblem). */
export type ScheduleRuleProblem =
  | "one_off_needs_dtstart"
  | "byday_invalid"
  | "byday_ordinal_needs_monthly"
  | "bymonthday_invalid"
  | "bymonthday_needs_monthly"
  | "interval_invalid"
  | "count_invalid"
  | "interval_or_count_needs_dtstart"
  | "weekly_needs_byday_or_dtstart"
  | "monthly_needs_byday_bymonthday_or_dtstart"
  | "recurrence_fields_need_freq"
  | "date_invalid"
  | "time_invalid"
  | "closes_not_after_opens"
  | "until_before_dtstart"
  | "valid_to_before_valid_from"
  | "byday_with_bymonthday"
  | "count_with_until"
  | "closes_needs_opens";

/** One refused field: its name (as in ScheduleShape), a stable code, an English message, and the expander's code. */
export interface ScheduleProblem {
  field: keyof ScheduleShape;
  code: "required" | "not_allowed" | "invalid" | "order";
  message: string;
  rule: ScheduleRuleProblem;
}

/** `store`: may be written; `expand`: can be expanded into occurrences (see the module's comment). */
export type ScheduleCheck = "store" | "expand";

const DAY = "(MO|TU|WE|TH|FR|SA|SU)";
const WEEKLY_BYDAY = new RegExp(`^${DAY}(,${DAY})*$`);
const ORDINAL_DAY = `([+-]?[1-5])?${DAY}`;
const MONTHLY_BYDAY = new RegExp(`^${ORDINAL_DAY}(,${ORDINAL_DAY})*$`);
const MONTH_DAY = "(-?([1-9]|[12][0-9]|3[01]))";
const BYMONTHDAY = new RegExp(`^${MONTH_DAY}(,${MONTH_DAY})*$`);
const LOOSE_BYDAY_PART = /^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$/;
const LOOSE_BYMONTHDAY_PART = /^[+-]?\d{1,2}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^(?:(?:[01]\d|2[0-3]):[0-5]\d|24:00)$/;

const validDate = (d: string) => DATE.test(d) && DateTime.fromISO(d, { zone: "UTC" }).isValid;

/** The problems of a schedule row at the level asked (default `store`); empty when it may be stored (or expanded). */
export function scheduleProblems(s: ScheduleShape, check: ScheduleCheck = "store"): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const store = check === "store";
  const add = (field: keyof ScheduleShape, code: ScheduleProblem["code"], rule: ScheduleRuleProblem, message: string) => {
    if (!problems.some((p) => p.field === field && p.code === code)) problems.push({ field, code, message, rule });
  };
  const present = (v: unknown) => v !== null && v !== undefined && v !== "";
  for (const field of ["dtstart", "until", "validFrom", "validTo"] as const) {
    if (present(s[field]) && !validDate(s[field]!)) add(field, "invalid", "date_invalid", "must be a calendar date YYYY-MM-DD");
  }
  for (const field of ["opensAt", "closesAt"] as const) {
    if (present(s[field]) && !TIME.test(s[field]!)) add(field, "invalid", "time_invalid", "must be a time HH:MM");
  }
  if (s.opensAt === "24:00") add("opensAt", "invalid", "time_invalid", "24:00 is a closing time only");
  const times = present(s.opensAt) && present(s.closesAt) && TIME.test(s.opensAt!) && TIME.test(s.closesAt!);
  if (!present(s.freq)) {
    if (!present(s.dtstart)) add("dtstart", "required", "one_off_needs_dtstart", "a one-off (no freq) needs its date in dtstart");
    for (const field of ["byday", "bymonthday", "interval", "count", "until"] as const) {
      if (present(s[field])) add(field, "not_allowed", "recurrence_fields_need_freq", "only a repeating schedule (freq) takes this");
    }
  } else {
    // The expander reads what RFC 5545 allows (lower case, spaces); what is stored is written as HSDS writes it.
    const byday = store ? s.byday : s.byday?.split(",").map((p) => p.trim().toUpperCase()).join(",");
    const bymonthday = store ? s.bymonthday : s.bymonthday?.split(",").map((p) => p.trim()).join(",");
    if (s.freq === "WEEKLY") {
      if (!present(byday)) {
        if (store || !present(s.dtstart)) add("byday", "required", "weekly_needs_byday_or_dtstart", "a weekly schedule names its weekdays, e.g. MO,WE");
      } else if (!WEEKLY_BYDAY.test(byday!)) {
        const parts = byday!.split(",").map((p) => LOOSE_BYDAY_PART.exec(p));
        add("byday", "invalid", parts.every((m) => m) ? "byday_ordinal_needs_monthly" : "byday_invalid",
          "must be weekdays MO…SU separated by commas, without ordinals");
      }
      if (present(bymonthday)) add("bymonthday", "not_allowed", "bymonthday_needs_monthly", "a weekly schedule takes weekdays (byday) only");
    } else {
      if (!present(byday) && !present(bymonthday)) {
        if (store || !present(s.dtstart)) {
          add("byday", "required", "monthly_needs_byday_bymonthday_or_dtstart", "a monthly schedule takes either byday (e.g. 2TU, -1FR) or bymonthday (e.g. 1,15)");
        }
      } else if (present(byday) && present(bymonthday) && store) {
        add("bymonthday", "not_allowed", "byday_with_bymonthday", "a monthly schedule takes either byday (e.g. 2TU, -1FR) or bymonthday (e.g. 1,15)");
      }
      if (present(byday) && !MONTHLY_BYDAY.test(byday!)) {
        add("byday", "invalid", "byday_invalid", "must be weekdays with an optional ordinal 1–5 or -1–-5, e.g. 2TU or -1FR");
      }
      const monthDayOk = store ? (d: string) => BYMONTHDAY.test(d)
        : (d: string) => d.split(",").every((x) => LOOSE_BYMONTHDAY_PART.test(x) && Number(x) !== 0 && Math.abs(Number(x)) <= 31);
      if (present(bymonthday) && !monthDayOk(bymonthday!)) add("bymonthday", "invalid", "bymonthday_invalid", "must be days of the month 1–31 or -1–-31 separated by commas");
    }
    if (present(s.interval) && (!Number.isInteger(s.interval) || s.interval! < 1 || s.interval! > 52)) add("interval", "invalid", "interval_invalid", "must be a whole number 1–52");
    if (present(s.count) && (!Number.isInteger(s.count) || s.count! < 1 || s.count! > 1000)) add("count", "invalid", "count_invalid", "must be a whole number 1–1000");
    // Without a start the rhythm of "every other week" or "4 times" has no origin (valid_from serves as one):
    // refused at both levels, so nothing is stored that the expander cannot expand.
    if (!present(s.dtstart) && !present(s.validFrom) && ((s.interval ?? 1) > 1 || present(s.count))) {
      add("dtstart", "required", "interval_or_count_needs_dtstart", "an interval or a count needs the first date (dtstart or validFrom)");
    }
  }
  if (store && present(s.count) && present(s.until)) add("until", "not_allowed", "count_with_until", "give count or until, not both");
  if (present(s.freq) && present(s.dtstart) && present(s.until) && s.until! < s.dtstart!) add("until", "order", "until_before_dtstart", "must not be before dtstart");
  if (present(s.validFrom) && present(s.validTo) && s.validTo! < s.validFrom!) add("validTo", "order", "valid_to_before_valid_from", "must not be before validFrom");
  if (store && present(s.closesAt) && !present(s.opensAt)) add("opensAt", "required", "closes_needs_opens", "a closing time needs an opening time");
  if (times && s.closesAt! <= s.opensAt!) add("closesAt", "order", "closes_not_after_opens", "must be later than opensAt");
  return problems;
}
