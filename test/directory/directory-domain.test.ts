/**
 * The directory's pure rules: when a service counts as not verified (6 months,
 * calendar months, month ends) and which schedule rows may be stored (HSDS 3.1's
 * RFC 5545 subset).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { activityTitle } from "../../src/directory/domain/activities.ts";
import { expansionProblems, type ScheduleRule, scheduleOccurrences } from "../../src/directory/domain/schedule.ts";
import { type ScheduleShape, scheduleProblems } from "../../src/directory/domain/schedule-shape.ts";
import { NOT_VERIFIED_AFTER_MONTHS, staleOnOrBefore, verificationDue } from "../../src/directory/domain/verification.ts";

test("a service is due for verification when never verified or verified 6 full calendar months ago", () => {
  assert.equal(NOT_VERIFIED_AFTER_MONTHS, 6);
  assert.equal(staleOnOrBefore("2026-12-01"), "2026-06-01");
  assert.equal(staleOnOrBefore("2027-08-31"), "2027-02-28", "a month end falls back to the shorter month's end");
  assert.equal(staleOnOrBefore("2028-08-31"), "2028-02-29", "leap year");
  assert.equal(staleOnOrBefore("2027-03-15", 12), "2026-03-15");
  assert.equal(verificationDue(null, "2026-12-01"), true);
  assert.equal(verificationDue("2026-06-01", "2026-12-01"), true, "exactly six months");
  assert.equal(verificationDue("2026-06-02", "2026-12-01"), false, "a day less than six months");
  assert.equal(verificationDue("2026-11-30", "2026-12-01"), false);
  assert.equal(verificationDue("2026-11-30", "2026-12-01", 0), true, "the threshold is a parameter");
});

/** A stored row of the shape, as the expander reads it. */
const rowOf = (shape: ScheduleShape): ScheduleRule => ({
  id: "row", kind: shape.kind, freq: shape.freq ?? null, interval: shape.interval ?? null, byday: shape.byday ?? null, bymonthday: shape.bymonthday ?? null,
  count: shape.count ?? null, wkst: null, dtstart: shape.dtstart ?? null, until: shape.until ?? null, opens_at: shape.opensAt ?? null,
  closes_at: shape.closesAt ?? null, valid_from: shape.validFrom ?? null, valid_to: shape.validTo ?? null, closed_on_holidays: false,
});

const fields = (shape: Parameters<typeof scheduleProblems>[0]) => scheduleProblems(shape).map((p) => `${p.field}:${p.code}`);

test("schedule rows take HSDS's shapes: weekly weekdays, monthly ordinals or month days, one-offs on a date", () => {
  for (const ok of [
    { kind: "opening_hours", freq: "WEEKLY", byday: "MO,WE,FR", opensAt: "09:00", closesAt: "17:00" },
    { kind: "event", freq: "MONTHLY", byday: "2TU", opensAt: "10:00", closesAt: "12:00", dtstart: "2027-01-12", until: "2027-12-31" },
    { kind: "event", freq: "MONTHLY", byday: "-1FR,+1MO" },
    { kind: "event", freq: "MONTHLY", bymonthday: "1,15,-1", count: 12, dtstart: "2027-01-01" },
    { kind: "event", freq: "WEEKLY", byday: "TU", interval: 2, validFrom: "2027-01-05" },
    { kind: "event", dtstart: "2027-02-10", opensAt: "14:00" },
    { kind: "opening_hours", freq: "WEEKLY", byday: "SA", opensAt: "20:00", closesAt: "24:00", validFrom: "2027-04-01", validTo: "2027-04-01" },
  ] as const) {
    assert.deepEqual(scheduleProblems(ok), [], JSON.stringify(ok));
  }
});

test("schedule rows of the wrong shape are refused on the field at fault", () => {
  assert.deepEqual(fields({ kind: "event" }), ["dtstart:required"]);
  assert.deepEqual(fields({ kind: "event", dtstart: "2027-01-01", byday: "MO", count: 3 }), ["byday:not_allowed", "count:not_allowed"]);
  assert.deepEqual(fields({ kind: "opening_hours", freq: "WEEKLY" }), ["byday:required"]);
  assert.deepEqual(fields({ kind: "opening_hours", freq: "WEEKLY", byday: "2TU" }), ["byday:invalid"]);
  assert.deepEqual(fields({ kind: "opening_hours", freq: "WEEKLY", byday: "MO", bymonthday: "1" }), ["bymonthday:not_allowed"]);
  assert.deepEqual(fields({ kind: "event", freq: "MONTHLY" }), ["byday:required"]);
  assert.deepEqual(fields({ kind: "event", freq: "MONTHLY", byday: "2TU", bymonthday: "1" }), ["bymonthday:not_allowed"]);
  assert.deepEqual(fields({ kind: "event", freq: "MONTHLY", byday: "6TU" }), ["byday:invalid"]);
  assert.deepEqual(fields({ kind: "event", freq: "MONTHLY", bymonthday: "32" }), ["bymonthday:invalid"]);
  assert.deepEqual(fields({ kind: "event", freq: "MONTHLY", bymonthday: "0" }), ["bymonthday:invalid"]);
  assert.deepEqual(fields({ kind: "event", freq: "WEEKLY", byday: "MO", count: 2, until: "2027-03-01", dtstart: "2027-01-04" }), ["until:not_allowed"]);
  assert.deepEqual(fields({ kind: "event", freq: "WEEKLY", byday: "MO", dtstart: "2027-03-02", until: "2027-03-01" }), ["until:order"]);
  assert.deepEqual(fields({ kind: "event", dtstart: "2027-03-01", validFrom: "2027-03-02", validTo: "2027-03-01" }), ["validTo:order"]);
  assert.deepEqual(fields({ kind: "event", dtstart: "2027-03-01", closesAt: "12:00" }), ["opensAt:required"]);
  assert.deepEqual(fields({ kind: "event", dtstart: "2027-03-01", opensAt: "12:00", closesAt: "12:00" }), ["closesAt:order"]);
});

test("one schedule checker at two levels: what may be stored is stricter than what the expander reads back", () => {
  const weeklyOnItsStart = { kind: "opening_hours", freq: "WEEKLY", dtstart: "2027-03-01" } as const;
  assert.deepEqual(fields(weeklyOnItsStart), ["byday:required"]);
  assert.deepEqual(scheduleProblems(weeklyOnItsStart, "expand"), [], "RFC 5545: the weekday of dtstart");
  const both = { kind: "event", freq: "MONTHLY", byday: "2tu", bymonthday: "+1" } as const;
  assert.deepEqual(fields(both), ["bymonthday:not_allowed", "byday:invalid", "bymonthday:invalid"]);
  assert.deepEqual(scheduleProblems(both, "expand"), []);
  // Each problem carries the expander's code too (domain/schedule.ts expansionProblems).
  assert.deepEqual(scheduleProblems({ kind: "event", freq: "WEEKLY", byday: "2TU" }).map((p) => p.rule), ["byday_ordinal_needs_monthly"]);
  assert.deepEqual(scheduleProblems({ kind: "event", freq: "WEEKLY", byday: "MO", interval: 2 }, "expand").map((p) => `${p.field}:${p.rule}`),
    ["dtstart:interval_or_count_needs_dtstart"]);
});

test("what may be stored can always be expanded: a count or an interval without its first date is refused when stored, as the expander would", () => {
  const countWithoutStart = { kind: "event", freq: "MONTHLY", byday: "2TU", count: 4 } as const;
  const everyOtherWeekWithoutStart = { kind: "event", freq: "WEEKLY", byday: "MO", interval: 2 } as const;
  for (const shape of [countWithoutStart, everyOtherWeekWithoutStart]) {
    for (const level of ["store", "expand"] as const) {
      assert.deepEqual(scheduleProblems(shape, level).map((p) => `${p.field}:${p.code}:${p.rule}`), ["dtstart:required:interval_or_count_needs_dtstart"],
        `${level}: ${JSON.stringify(shape)}`);
    }
    assert.deepEqual(expansionProblems(rowOf(shape)), ["interval_or_count_needs_dtstart"], "the expander says the same");
  }
  // Every shape `store` accepts, across the fields' combinations, `expand` accepts too (one rule, never a row stored that cannot be expanded).
  const freqs = [undefined, "WEEKLY", "MONTHLY"] as const;
  const bydays = [undefined, "MO", "2TU"] as const;
  const intervals = [undefined, 1, 2] as const;
  const counts = [undefined, 3] as const;
  const starts = [undefined, "2027-01-04"] as const;
  const validFroms = [undefined, "2027-01-01"] as const;
  let accepted = 0;
  for (const freq of freqs) for (const byday of bydays) for (const interval of intervals) for (const count of counts) for (const dtstart of starts) {
    for (const validFrom of validFroms) {
      const shape = { kind: "event" as const, freq, byday, interval, count, dtstart, validFrom };
      if (scheduleProblems(shape, "store").length > 0) continue;
      accepted += 1;
      assert.deepEqual(scheduleProblems(shape, "expand"), [], `stored but not expandable: ${JSON.stringify(shape)}`);
      assert.deepEqual(expansionProblems(rowOf(shape)), [], `the expander refuses a stored row: ${JSON.stringify(shape)}`);
      const occurrences = scheduleOccurrences([rowOf(shape)], new Date("2027-01-01T00:00:00+09:00"), new Date("2027-04-01T00:00:00+09:00"));
      assert.ok(occurrences.length > 0, `a stored row expands to occurrences: ${JSON.stringify(shape)}`);
    }
  }
  assert.ok(accepted > 10, "the walk reached stored shapes");
});

test("an activity is named by its own schedule row first (健康講座), its service beside it; else the service's, the place's or a default", () => {
  const a = { serviceName: "いきいきサロン", description: "健康講座", locationName: "公民館" };
  assert.equal(activityTitle(a, "地域の活動"), "健康講座（いきいきサロン）");
  assert.equal(activityTitle({ ...a, description: "いきいきサロン" }, "地域の活動"), "いきいきサロン", "not said twice");
  assert.equal(activityTitle({ ...a, description: "  " }, "地域の活動"), "いきいきサロン");
  assert.equal(activityTitle({ ...a, serviceName: null }, "地域の活動"), "健康講座");
  assert.equal(activityTitle({ serviceName: null, description: null, locationName: "公民館" }, "地域の活動"), "公民館");
  assert.equal(activityTitle({ serviceName: null, description: null, locationName: null }, "地域の活動"), "地域の活動");
});
