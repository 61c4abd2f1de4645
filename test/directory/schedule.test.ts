/**
 * Directory schedules (src/directory/domain/schedule.ts): occurrences of HSDS
 * schedule rows in Asia/Tokyo, minus national holidays, 年末年始 and closures;
 * open now and next open. Expected instants are written with explicit offsets
 * and Tokyo wall-clock readings go through Intl (test/domain/helpers.ts), not
 * luxon, so the expectations do not share the code under test.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import {
  isYearEnd,
  nationalHoliday,
  nextOpen,
  openAt,
  openOccurrences,
  type ScheduleRule,
  scheduleOccurrences,
  expansionProblems,
  tokyoDate,
} from "../../src/directory/domain/schedule.ts";
import { at, wallClock } from "../domain/helpers.ts";

const TOKYO = "Asia/Tokyo";

function rule(overrides: Partial<ScheduleRule> = {}): ScheduleRule {
  return {
    id: "s1", kind: "opening_hours", freq: "WEEKLY", interval: null, byday: "MO,TU,WE,TH,FR", bymonthday: null,
    count: null, wkst: null, dtstart: null, until: null, opens_at: "09:00", closes_at: "17:00",
    valid_from: null, valid_to: null, closed_on_holidays: true, ...overrides,
  };
}

const salon = rule({ id: "salon", kind: "event", freq: "MONTHLY", byday: "2TU", dtstart: "2027-01-12", count: 4, opens_at: "10:00", closes_at: "12:00" });

const dates = (list: { date: string }[]) => list.map((o) => o.date);

describe("recurrence (RFC 5545 through rrule-temporal), in Tokyo", () => {
  test("a salon every second Tuesday, four times: dates, and instants at 10:00–12:00 +09:00", () => {
    const all = scheduleOccurrences([salon], at("2027-01-01T00:00+09:00"), at("2028-01-01T00:00+09:00"));
    assert.deepEqual(dates(all), ["2027-01-12", "2027-02-09", "2027-03-09", "2027-04-13"]);
    assert.equal(all[0].start.toISOString(), "2027-01-12T01:00:00.000Z");
    assert.equal(all[0].end.toISOString(), "2027-01-12T03:00:00.000Z");
    assert.equal(wallClock(all[3].start, TOKYO), "2027-04-13 10:00");
    assert.ok(all.every((o) => o.kind === "event" && o.schedule_id === "salon" && o.closed === null && !o.all_day));
  });

  test("the last Friday (-1FR) and the last day of the month (bymonthday -1)", () => {
    const from = at("2027-01-01T00:00+09:00");
    const to = at("2027-04-01T00:00+09:00");
    assert.deepEqual(dates(scheduleOccurrences([rule({ freq: "MONTHLY", byday: "-1FR" })], from, to)), ["2027-01-29", "2027-02-26", "2027-03-26"]);
    assert.deepEqual(dates(scheduleOccurrences([rule({ freq: "MONTHLY", byday: null, bymonthday: "-1" })], from, to)), ["2027-01-31", "2027-02-28", "2027-03-31"]);
  });

  test("every other week from dtstart (interval 2), and until is inclusive", () => {
    const r = rule({ byday: "TU", interval: 2, dtstart: "2027-01-05", until: "2027-02-16", closed_on_holidays: false });
    assert.deepEqual(dates(scheduleOccurrences([r], at("2027-01-01T00:00+09:00"), at("2027-12-31T00:00+09:00"))),
      ["2027-01-05", "2027-01-19", "2027-02-02", "2027-02-16"]);
    // The rhythm holds in a window that starts long after dtstart.
    const late = rule({ byday: "TU", interval: 2, dtstart: "2027-01-05", closed_on_holidays: false });
    assert.deepEqual(dates(scheduleOccurrences([late], at("2027-06-01T00:00+09:00"), at("2027-06-30T00:00+09:00"))),
      ["2027-06-08", "2027-06-22"]);
  });

  test("a weekly rule without byday falls on dtstart's weekday; a dtstart off the rule is not an occurrence", () => {
    assert.deepEqual(dates(scheduleOccurrences([rule({ byday: null, dtstart: "2027-03-03" })], at("2027-03-01T00:00+09:00"), at("2027-03-20T00:00+09:00"))),
      ["2027-03-03", "2027-03-10", "2027-03-17"]);
    assert.deepEqual(dates(scheduleOccurrences([rule({ byday: "TH", dtstart: "2027-03-03" })], at("2027-03-01T00:00+09:00"), at("2027-03-12T00:00+09:00"))),
      ["2027-03-04", "2027-03-11"]);
  });

  test("valid_from and valid_to bound the dates, inclusive", () => {
    const r = rule({ byday: "MO", valid_from: "2027-03-08", valid_to: "2027-03-22" });
    assert.deepEqual(dates(scheduleOccurrences([r], at("2027-03-01T00:00+09:00"), at("2027-04-30T00:00+09:00"))), ["2027-03-08", "2027-03-15", "2027-03-22"]);
    // 2027-03-22 is 春分の日 振替休日: still within the bounds, closed by the holiday.
    assert.deepEqual(scheduleOccurrences([r], at("2027-03-01T00:00+09:00"), at("2027-04-30T00:00+09:00")).map((o) => o.closed?.cause ?? "open"),
      ["open", "open", "national_holiday"]);
  });

  test("occurrences overlap the window: one running at `from` is included, one starting at `to` is not", () => {
    const r = rule({ byday: "MO" });
    const list = scheduleOccurrences([r], at("2027-03-08T12:00+09:00"), at("2027-03-15T09:00+09:00"));
    assert.deepEqual(dates(list), ["2027-03-08"]);
    assert.deepEqual(scheduleOccurrences([r], at("2027-03-08T17:00+09:00"), at("2027-03-08T18:00+09:00")), []);
  });

  test("all day without opens_at; to midnight without closes_at; 24:00 ends at the next midnight", () => {
    const [allDay] = scheduleOccurrences([rule({ byday: "WE", opens_at: null, closes_at: null })], at("2027-03-03T00:00+09:00"), at("2027-03-04T00:00+09:00"));
    assert.equal(allDay.all_day, true);
    assert.equal(allDay.start.toISOString(), "2027-03-02T15:00:00.000Z");
    assert.equal(allDay.end.toISOString(), "2027-03-03T15:00:00.000Z");
    const [evening] = scheduleOccurrences([rule({ byday: "WE", opens_at: "18:00", closes_at: "24:00" })], at("2027-03-03T00:00+09:00"), at("2027-03-04T00:00+09:00"));
    assert.equal(evening.end.toISOString(), "2027-03-03T15:00:00.000Z");
    const [open] = scheduleOccurrences([rule({ byday: "WE", opens_at: "18:00", closes_at: null })], at("2027-03-03T00:00+09:00"), at("2027-03-04T00:00+09:00"));
    assert.equal(open.end.toISOString(), "2027-03-03T15:00:00.000Z");
  });

  test("a one-off event on its date only", () => {
    const talk = rule({ id: "talk", kind: "event", freq: null, byday: null, dtstart: "2027-06-15", opens_at: "14:00", closes_at: "15:30" });
    const list = scheduleOccurrences([talk], at("2027-06-01T00:00+09:00"), at("2027-07-01T00:00+09:00"));
    assert.deepEqual(list.map((o) => [o.date, o.start.toISOString(), o.end.toISOString()]), [["2027-06-15", "2027-06-15T05:00:00.000Z", "2027-06-15T06:30:00.000Z"]]);
    assert.deepEqual(scheduleOccurrences([talk], at("2027-06-16T00:00+09:00"), at("2027-07-01T00:00+09:00")), []);
  });

  test("several rules come back sorted by start", () => {
    const list = scheduleOccurrences([salon, rule({ byday: "TU" })], at("2027-01-12T00:00+09:00"), at("2027-01-13T00:00+09:00"));
    assert.deepEqual(list.map((o) => o.schedule_id), ["s1", "salon"]);
  });
});

describe("national holidays, 年末年始 and closures", () => {
  test("a weekday opening closes on 成人の日 when the row says so, and opens when it does not", () => {
    const from = at("2027-01-10T00:00+09:00");
    const to = at("2027-01-13T00:00+09:00");
    const closed = scheduleOccurrences([rule()], from, to);
    assert.deepEqual(closed.map((o) => [o.date, o.closed]), [
      ["2027-01-11", { cause: "national_holiday", name: "成人の日", name_en: "Coming of Age Day" }],
      ["2027-01-12", null],
    ]);
    assert.deepEqual(dates(openOccurrences([rule({ closed_on_holidays: false })], from, to)), ["2027-01-11", "2027-01-12"]);
  });

  test("the holiday is looked up by the Tokyo date, not the server's: 08:00 on 2027-01-11 in Tokyo is 2027-01-10 in UTC", () => {
    const [o] = scheduleOccurrences([rule({ opens_at: "08:00", closes_at: "09:00" })], at("2027-01-10T22:00Z"), at("2027-01-11T01:00Z"));
    assert.equal(o.date, "2027-01-11");
    assert.equal(o.closed?.cause, "national_holiday");
    assert.equal(tokyoDate(at("2027-01-10T23:00Z")), "2027-01-11");
  });

  test("a fourth-Tuesday salon meets 天皇誕生日 (2027-02-23)", () => {
    const r = rule({ kind: "event", freq: "MONTHLY", byday: "4TU", opens_at: "10:00", closes_at: "11:30" });
    const list = scheduleOccurrences([r], at("2027-01-01T00:00+09:00"), at("2027-04-01T00:00+09:00"));
    assert.deepEqual(list.map((o) => [o.date, o.closed?.cause ?? null]), [["2027-01-26", null], ["2027-02-23", "national_holiday"], ["2027-03-23", null]]);
  });

  test("年末年始 (12/29–1/3) is closed by default, before the holiday (元日 is both); off when the organisation says so", () => {
    const from = at("2026-12-28T00:00+09:00");
    const to = at("2027-01-06T00:00+09:00");
    const list = scheduleOccurrences([rule()], from, to);
    assert.deepEqual(list.map((o) => [o.date, o.closed?.cause ?? "open"]), [
      ["2026-12-28", "open"], ["2026-12-29", "year_end"], ["2026-12-30", "year_end"], ["2026-12-31", "year_end"],
      ["2027-01-01", "year_end"], ["2027-01-04", "open"], ["2027-01-05", "open"],
    ]);
    const off = scheduleOccurrences([rule()], from, to, { yearEndClosed: false });
    assert.deepEqual(off.map((o) => [o.date, o.closed?.cause ?? "open"]), [
      ["2026-12-28", "open"], ["2026-12-29", "open"], ["2026-12-30", "open"], ["2026-12-31", "open"],
      ["2027-01-01", "national_holiday"], ["2027-01-04", "open"], ["2027-01-05", "open"],
    ]);
    assert.deepEqual(["12-28", "12-29", "01-03", "01-04"].map((md) => isYearEnd(`2027-${md}`)), [false, true, true, false]);
  });

  test("an ad-hoc closure closes its dates, inclusive, and says which closure and why", () => {
    const closure = { id: "c1", kind: "ad_hoc" as const, starts_on: "2027-02-01", ends_on: "2027-02-02", reason: "改修工事" };
    const list = scheduleOccurrences([rule()], at("2027-02-01T00:00+09:00"), at("2027-02-04T00:00+09:00"), { closures: [closure] });
    assert.deepEqual(list.map((o) => [o.date, o.closed]), [
      ["2027-02-01", { cause: "closure", closure_id: "c1", kind: "ad_hoc", reason: "改修工事" }],
      ["2027-02-02", { cause: "closure", closure_id: "c1", kind: "ad_hoc", reason: "改修工事" }],
      ["2027-02-03", null],
    ]);
  });

  test("a one-off event dated on a holiday or in 年末年始 takes place; an explicit closure still cancels it", () => {
    const keiro = rule({ kind: "event", freq: null, byday: null, dtstart: "2027-09-20", opens_at: "13:00", closes_at: "15:00" });
    const from = at("2027-09-20T00:00+09:00");
    const to = at("2027-09-21T00:00+09:00");
    assert.equal(nationalHoliday("2027-09-20")?.name, "敬老の日");
    assert.equal(scheduleOccurrences([keiro], from, to)[0].closed, null);
    const nye = rule({ kind: "event", freq: null, byday: null, dtstart: "2027-12-31", opens_at: "22:00", closes_at: "24:00" });
    assert.equal(scheduleOccurrences([nye], at("2027-12-31T00:00+09:00"), at("2028-01-01T00:00+09:00"))[0].closed, null);
    const closure = { id: "c2", kind: "holiday" as const, starts_on: "2027-09-20", ends_on: "2027-09-20", reason: null };
    assert.equal(scheduleOccurrences([keiro], from, to, { closures: [closure] })[0].closed?.cause, "closure");
  });

  test("holiday data: 振替休日 and 国民の休日 are holidays; a plain day is not; the data reaches 2050-11-23", () => {
    assert.equal(nationalHoliday("2026-05-06")?.name_en, "Holiday in lieu");
    assert.deepEqual(nationalHoliday("2026-09-22"), { name: "休日", name_en: "Citizen's Holiday" });
    assert.equal(nationalHoliday("2027-01-12"), null);
    assert.equal(nationalHoliday("2050-11-23")?.name, "勤労感謝の日");
  });
});

describe("open now and next open", () => {
  test("open at 10:30 on a salon day, closed at its 12:00 end and the day before", () => {
    assert.equal(openAt([salon], at("2027-01-12T10:30+09:00"))?.date, "2027-01-12");
    assert.equal(openAt([salon], at("2027-01-12T12:00+09:00")), null);
    assert.equal(openAt([salon], at("2027-01-12T10:00+09:00"))?.schedule_id, "salon");
    assert.equal(openAt([salon], at("2027-01-11T10:30+09:00")), null);
  });

  test("not open on a holiday it closes on, open on one it does not", () => {
    assert.equal(openAt([rule()], at("2027-01-11T10:00+09:00")), null);
    assert.equal(openAt([rule({ closed_on_holidays: false })], at("2027-01-11T10:00+09:00"))?.date, "2027-01-11");
  });

  test("next open: the running occurrence when open; Friday evening → Monday 09:00; a holiday Monday → Tuesday", () => {
    assert.equal(nextOpen([rule()], at("2027-03-03T10:00+09:00"))?.date, "2027-03-03");
    assert.equal(wallClock(nextOpen([rule()], at("2027-03-05T18:00+09:00"))!.start, TOKYO), "2027-03-08 09:00");
    assert.equal(wallClock(nextOpen([rule()], at("2027-01-08T18:00+09:00"))!.start, TOKYO), "2027-01-12 09:00");
  });

  test("next open across 年末年始 (closed 12/29–1/3) and a week of closure; null after the last of a counted series", () => {
    assert.equal(wallClock(nextOpen([rule()], at("2026-12-28T18:00+09:00"))!.start, TOKYO), "2027-01-04 09:00");
    const closure = { id: "c", kind: "ad_hoc" as const, starts_on: "2027-01-04", ends_on: "2027-01-08", reason: null };
    assert.equal(nextOpen([rule()], at("2026-12-28T18:00+09:00"), { closures: [closure] })?.date, "2027-01-12");
    assert.equal(nextOpen([salon], at("2027-04-13T12:00+09:00")), null);
    // Found beyond one 31-day search step: the salon's February date seen from mid-January.
    assert.equal(nextOpen([salon], at("2027-01-12T12:00+09:00"))?.date, "2027-02-09");
  });
});

describe("checking rows", () => {
  test("each problem has its code", () => {
    const cases: [Partial<ScheduleRule>, string][] = [
      [{ freq: null, byday: null }, "one_off_needs_dtstart"],
      [{ freq: null, byday: "MO", dtstart: "2027-01-01" }, "recurrence_fields_need_freq"],
      [{ byday: "XX" }, "byday_invalid"],
      [{ byday: "2TU" }, "byday_ordinal_needs_monthly"],
      [{ byday: null, bymonthday: "1", dtstart: "2027-01-01" }, "bymonthday_needs_monthly"],
      [{ freq: "MONTHLY", byday: null, bymonthday: "0" }, "bymonthday_invalid"],
      [{ freq: "MONTHLY", byday: null, bymonthday: "32" }, "bymonthday_invalid"],
      [{ interval: 0, dtstart: "2027-01-01" }, "interval_invalid"],
      [{ count: 0, dtstart: "2027-01-01" }, "count_invalid"],
      [{ interval: 2 }, "interval_or_count_needs_dtstart"],
      [{ count: 3 }, "interval_or_count_needs_dtstart"],
      [{ byday: null }, "weekly_needs_byday_or_dtstart"],
      [{ freq: "MONTHLY", byday: null }, "monthly_needs_byday_bymonthday_or_dtstart"],
      [{ dtstart: "2027-02-30" }, "date_invalid"],
      [{ opens_at: "9:00" }, "time_invalid"],
      [{ opens_at: "24:00", closes_at: null }, "time_invalid"],
      [{ opens_at: "17:00", closes_at: "09:00" }, "closes_not_after_opens"],
      [{ dtstart: "2027-02-01", until: "2027-01-01" }, "until_before_dtstart"],
      [{ valid_from: "2027-02-01", valid_to: "2027-01-01" }, "valid_to_before_valid_from"],
    ];
    for (const [overrides, code] of cases) assert.deepEqual(expansionProblems(rule(overrides)), [code], JSON.stringify(overrides));
    assert.deepEqual(expansionProblems(rule()), []);
    assert.deepEqual(expansionProblems(salon), []);
  });

  test("a row with problems gives no occurrence, and the other rows still do", () => {
    const list = scheduleOccurrences([rule({ id: "bad", byday: "XX" }), rule({ id: "good", byday: "MO" })], at("2027-03-01T00:00+09:00"), at("2027-03-08T00:00+09:00"));
    assert.deepEqual(list.map((o) => [o.schedule_id, o.date]), [["good", "2027-03-01"]]);
  });

  test("valid_from starts an interval or a count when there is no dtstart", () => {
    assert.deepEqual(expansionProblems(rule({ byday: "TU", interval: 2, valid_from: "2027-01-05" })), []);
    const r = rule({ byday: "TU", interval: 2, valid_from: "2027-01-05", closed_on_holidays: false });
    assert.deepEqual(dates(scheduleOccurrences([r], at("2027-06-01T00:00+09:00"), at("2027-06-30T00:00+09:00"))), ["2027-06-08", "2027-06-22"]);
    const counted = rule({ byday: "TU", count: 2, valid_from: "2027-01-05" });
    assert.deepEqual(dates(scheduleOccurrences([counted], at("2027-01-01T00:00+09:00"), at("2027-12-31T00:00+09:00"))), ["2027-01-05", "2027-01-12"]);
  });
});

test("property: weekly occurrences fall on the listed Tokyo weekdays, inside the window, at the opening time, sorted", () => {
  const days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
  const jsDay = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"];
  fc.assert(fc.property(
    fc.subarray(days, { minLength: 1 }), fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 40 }),
    fc.integer({ min: 0, max: 22 }), fc.boolean(),
    (byday, startDay, spanDays, hour, holidays) => {
      const from = new Date(Date.UTC(2026, 0, 1) + startDay * 86_400_000 + hour * 3_600_000);
      const to = new Date(from.getTime() + spanDays * 86_400_000);
      const opens = `${String(hour).padStart(2, "0")}:15`;
      const list = scheduleOccurrences([rule({ byday: byday.join(","), opens_at: opens, closes_at: "23:30", closed_on_holidays: holidays })], from, to);
      let last = 0;
      for (const o of list) {
        const wall = wallClock(o.start, TOKYO);
        assert.equal(wall.slice(0, 10), o.date);
        assert.equal(wall.slice(11), opens);
        const weekday = jsDay[new Date(`${o.date}T00:00Z`).getUTCDay()];
        assert.ok(byday.includes(weekday), `${o.date} is ${weekday}`);
        assert.ok(o.end > from && o.start < to);
        assert.ok(o.start.getTime() >= last);
        last = o.start.getTime();
        if (o.closed?.cause === "national_holiday") assert.ok(holidays && nationalHoliday(o.date));
      }
      // Nothing is missed: a listed weekday whose whole opening lies in the window appears.
      const expected = [];
      for (let t = from.getTime() - 86_400_000; t < to.getTime() + 86_400_000; t += 86_400_000) {
        const date = wallClock(new Date(t), TOKYO).slice(0, 10);
        const start = new Date(`${date}T${opens}:00+09:00`);
        if (byday.includes(jsDay[new Date(`${date}T00:00Z`).getUTCDay()]) && start >= from && start < to) expected.push(date);
      }
      for (const date of expected) assert.ok(list.some((o) => o.date === date), `missing ${date}`);
    },
  ), { numRuns: 150 });
});
