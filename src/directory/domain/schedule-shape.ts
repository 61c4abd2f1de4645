/**
 * The shape of a schedule row (HSDS 3.1 schedule.json, RFC 5545 subset): what
 * may be stored, checked field by field. Occurrences (when it is actually open,
 * holidays, closures) are computed elsewhere (domain/schedule.ts). Pure.
 *
 * Rules:
 * - `freq` is WEEKLY or MONTHLY (HSDS allows only these), or absent for a one-off
 *   (an event on `dtstart`), which then has no byday, bymonthday, interval, count
 *   or until.
 * - WEEKLY takes `byday` as plain weekdays ("MO,WE"); MONTHLY takes either `byday`
 *   with an ordinal ("2TU", "-1FR") or `bymonthday` ("1,15", "-1"), not both.
 * - `count` and `until` exclude each other (RFC 5545 §3.3.10); dtstart ≤ until,
 *   valid_from ≤ valid_to; closes_at needs opens_at, and is later (24:00 allowed).
 */
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

/** One refused field: its name (as in ScheduleShape), a stable code and an English message. */
export interface ScheduleProblem {
  field: keyof ScheduleShape;
  code: "required" | "not_allowed" | "invalid" | "order";
  message: string;
}

const DAY = "(MO|TU|WE|TH|FR|SA|SU)";
const WEEKLY_BYDAY = new RegExp(`^${DAY}(,${DAY})*$`);
const ORDINAL_DAY = `([+-]?[1-5])?${DAY}`;
const MONTHLY_BYDAY = new RegExp(`^${ORDINAL_DAY}(,${ORDINAL_DAY})*$`);
const MONTH_DAY = "(-?([1-9]|[12][0-9]|3[01]))";
const BYMONTHDAY = new RegExp(`^${MONTH_DAY}(,${MONTH_DAY})*$`);

/** The problems of a schedule row; empty when it may be stored. */
export function scheduleProblems(s: ScheduleShape): ScheduleProblem[] {
  const problems: ScheduleProblem[] = [];
  const add = (field: keyof ScheduleShape, code: ScheduleProblem["code"], message: string) => problems.push({ field, code, message });
  const present = (v: unknown) => v !== null && v !== undefined && v !== "";
  if (!present(s.freq)) {
    if (!present(s.dtstart)) add("dtstart", "required", "a one-off (no freq) needs its date in dtstart");
    for (const field of ["byday", "bymonthday", "interval", "count", "until"] as const) {
      if (present(s[field])) add(field, "not_allowed", "only a repeating schedule (freq) takes this");
    }
  } else if (s.freq === "WEEKLY") {
    if (!present(s.byday)) add("byday", "required", "a weekly schedule names its weekdays, e.g. MO,WE");
    else if (!WEEKLY_BYDAY.test(s.byday!)) add("byday", "invalid", "must be weekdays MO…SU separated by commas, without ordinals");
    if (present(s.bymonthday)) add("bymonthday", "not_allowed", "a weekly schedule takes weekdays (byday) only");
  } else {
    if (present(s.byday) === present(s.bymonthday)) {
      add(present(s.byday) ? "bymonthday" : "byday", present(s.byday) ? "not_allowed" : "required",
        "a monthly schedule takes either byday (e.g. 2TU, -1FR) or bymonthday (e.g. 1,15)");
    } else if (present(s.byday) && !MONTHLY_BYDAY.test(s.byday!)) {
      add("byday", "invalid", "must be weekdays with an optional ordinal 1–5 or -1–-5, e.g. 2TU or -1FR");
    } else if (present(s.bymonthday) && !BYMONTHDAY.test(s.bymonthday!)) {
      add("bymonthday", "invalid", "must be days of the month 1–31 or -1–-31 separated by commas");
    }
  }
  if (present(s.count) && present(s.until)) add("until", "not_allowed", "give count or until, not both");
  if (present(s.dtstart) && present(s.until) && s.until! < s.dtstart!) add("until", "order", "must not be before dtstart");
  if (present(s.validFrom) && present(s.validTo) && s.validTo! < s.validFrom!) add("validTo", "order", "must not be before validFrom");
  if (present(s.closesAt) && !present(s.opensAt)) add("opensAt", "required", "a closing time needs an opening time");
  if (present(s.closesAt) && present(s.opensAt) && s.closesAt! <= s.opensAt!) add("closesAt", "order", "must be later than opensAt");
  return problems;
}
