import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  anchorFor,
  DEFAULT_TIME_ZONE,
  dateFromEpochDay,
  epochDay,
  INTERVALS,
  type Interval,
  instantOf,
  intervalDays,
  isPausedAt,
  isValidLocalDate,
  isValidLocalTime,
  isValidTimeZone,
  localDateOf,
  nextDueAfter,
  nextDueOutsidePause,
  type Pause,
  type Plan,
  slotInstant,
  weekdayOf,
} from "../../src/domain/schedule.ts";
import { addDays, at, DAY, daysBetween, HOUR, wallClock } from "./helpers.ts";

const TOKYO = "Asia/Tokyo";
const NEW_YORK = "America/New_York";
const BERLIN = "Europe/Berlin";

function plan(overrides: Partial<Plan> = {}): Plan {
  return { every: "1d", at: "09:00", timeZone: TOKYO, anchorDate: "2027-06-01", ...overrides };
}

/** The next `n` due instants strictly after `after`, each found from the previous one. */
function dueSeries(p: Plan, after: Date, n: number): Date[] {
  const out: Date[] = [];
  let cursor = after;
  for (let i = 0; i < n; i++) {
    cursor = nextDueAfter(p, cursor);
    out.push(cursor);
  }
  return out;
}

/** The same series read on the member's wall clock. */
function wallSeries(p: Plan, after: Date, n: number): string[] {
  return dueSeries(p, after, n).map((d) => wallClock(d, p.timeZone));
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

describe("schedule: intervals and validators", () => {
  test("the offered intervals are exactly those of the seeds", () => {
    assert.deepEqual([...INTERVALS], ["1d", "2d", "3d", "5d", "30d", "weekly", "biweekly"]);
  });

  test("each interval counts the expected number of calendar days", () => {
    const expected: Record<Interval, number> = {
      "1d": 1, "2d": 2, "3d": 3, "5d": 5, "30d": 30, weekly: 7, biweekly: 14,
    };
    for (const every of INTERVALS) assert.equal(intervalDays(every), expected[every], every);
  });

  test("the default time zone is Tokyo", () => {
    assert.equal(DEFAULT_TIME_ZONE, "Asia/Tokyo");
  });

  test("isValidTimeZone accepts IANA zones and rejects others", () => {
    for (const zone of [TOKYO, NEW_YORK, BERLIN, "UTC", "Australia/Lord_Howe", "Asia/Kolkata"]) {
      assert.equal(isValidTimeZone(zone), true, zone);
    }
    for (const zone of ["", "Tokyo", "Asia/Atlantis", "Mars/Olympus_Mons", "not a zone"]) {
      assert.equal(isValidTimeZone(zone), false, zone);
    }
  });

  test("isValidLocalTime accepts HH:MM from 00:00 to 23:59 only", () => {
    for (const t of ["00:00", "09:00", "03:00", "12:30", "23:59"]) assert.equal(isValidLocalTime(t), true, t);
    for (const t of ["24:00", "23:60", "9:00", "09:0", "0900", "09:00:00", "", "ab:cd", " 09:00", "-1:00"]) {
      assert.equal(isValidLocalTime(t), false, t);
    }
  });

  test("isValidLocalDate accepts real calendar dates only, leap days included", () => {
    for (const d of ["2027-06-10", "2028-02-29", "2000-02-29", "2027-12-31", "2027-01-01"]) {
      assert.equal(isValidLocalDate(d), true, d);
    }
    for (const d of ["2027-02-29", "2100-02-29", "2027-13-01", "2027-04-31", "2027-00-10", "2027-6-10", "20270610", "", "2027-06-10T00:00"]) {
      assert.equal(isValidLocalDate(d), false, d);
    }
  });
});

describe("schedule: calendar arithmetic", () => {
  test("epochDay counts days since 1970-01-01", () => {
    assert.equal(epochDay("1970-01-01"), 0);
    assert.equal(epochDay("1970-01-02"), 1);
    assert.equal(epochDay("1969-12-31"), -1);
    assert.equal(epochDay("2028-03-01") - epochDay("2028-02-28"), 2, "2028 is a leap year");
    assert.equal(epochDay("2027-03-01") - epochDay("2027-02-28"), 1, "2027 is not");
  });

  test("dateFromEpochDay is the inverse of epochDay, across month ends and leap days", () => {
    for (const d of ["1970-01-01", "2027-01-31", "2027-02-28", "2027-03-01", "2028-02-29", "2027-12-31", "2030-06-15"]) {
      assert.equal(dateFromEpochDay(epochDay(d)), d);
    }
    assert.equal(dateFromEpochDay(epochDay("2028-02-28") + 1), "2028-02-29");
    assert.equal(dateFromEpochDay(epochDay("2027-12-31") + 1), "2028-01-01");
  });

  test("weekdayOf returns the ISO weekday (1 = Monday … 7 = Sunday)", () => {
    assert.equal(weekdayOf("1970-01-01"), 4); // Thursday
    assert.equal(weekdayOf("2027-06-14"), 1); // Monday
    assert.equal(weekdayOf("2027-06-10"), 4); // Thursday
    assert.equal(weekdayOf("2027-03-14"), 7); // Sunday
    assert.equal(weekdayOf("2028-02-29"), 2); // Tuesday
    assert.equal(weekdayOf("1969-12-31"), 3); // Wednesday, before the epoch
  });

  test("localDateOf reads the date in the member's zone, not in UTC", () => {
    const instant = at("2027-06-09T15:30Z");
    assert.equal(localDateOf(instant, TOKYO), "2027-06-10");
    assert.equal(localDateOf(instant, "UTC"), "2027-06-09");
    assert.equal(localDateOf(at("2027-06-10T02:00Z"), NEW_YORK), "2027-06-09");
  });
});

describe("schedule: instantOf (local date and time → instant)", () => {
  test("a 03:00 Asia/Tokyo time is 18:00 UTC the day before", () => {
    assert.equal(iso(instantOf("2027-06-10", "03:00", TOKYO)), "2027-06-09T18:00:00.000Z");
  });

  test("a 09:00 Asia/Tokyo time is 00:00 UTC the same day", () => {
    assert.equal(iso(instantOf("2027-06-10", "09:00", TOKYO)), "2027-06-10T00:00:00.000Z");
  });

  test("New York uses -05:00 in winter and -04:00 in summer", () => {
    assert.equal(iso(instantOf("2027-01-15", "09:00", NEW_YORK)), "2027-01-15T14:00:00.000Z");
    assert.equal(iso(instantOf("2027-07-15", "09:00", NEW_YORK)), "2027-07-15T13:00:00.000Z");
  });

  test("Berlin uses +01:00 in winter and +02:00 in summer", () => {
    assert.equal(iso(instantOf("2027-01-15", "09:00", BERLIN)), "2027-01-15T08:00:00.000Z");
    assert.equal(iso(instantOf("2027-07-15", "09:00", BERLIN)), "2027-07-15T07:00:00.000Z");
  });

  test("half-hour and far-east offsets are honoured (Kolkata +05:30, Kiritimati +14:00)", () => {
    assert.equal(iso(instantOf("2027-06-10", "09:00", "Asia/Kolkata")), "2027-06-10T03:30:00.000Z");
    assert.equal(iso(instantOf("2027-06-10", "09:00", "Pacific/Kiritimati")), "2027-06-09T19:00:00.000Z");
  });

  test("a time skipped by spring-forward moves forward (New York 02:30 → 03:30 EDT)", () => {
    const instant = instantOf("2027-03-14", "02:30", NEW_YORK);
    assert.equal(iso(instant), "2027-03-14T07:30:00.000Z");
    assert.equal(wallClock(instant, NEW_YORK), "2027-03-14 03:30");
  });

  test("a time skipped by spring-forward moves forward (Berlin 02:30 → 03:30 CEST)", () => {
    const instant = instantOf("2027-03-28", "02:30", BERLIN);
    assert.equal(iso(instant), "2027-03-28T01:30:00.000Z");
    assert.equal(wallClock(instant, BERLIN), "2027-03-28 03:30");
  });

  // instantOf documents: "an ambiguous one takes the earlier instant".
  test("an ambiguous fall-back time takes the earlier instant (New York 01:30 EDT, not EST)", () => {
    assert.equal(iso(instantOf("2027-11-07", "01:30", NEW_YORK)), "2027-11-07T05:30:00.000Z");
  });

  test("an ambiguous fall-back time takes the earlier instant (Berlin 02:30 CEST, not CET)", () => {
    assert.equal(iso(instantOf("2027-10-31", "02:30", BERLIN)), "2027-10-31T00:30:00.000Z");
  });
});

describe("schedule: anchorFor chooses the first day whose time is still ahead", () => {
  const daily = { every: "1d" as const, at: "09:00", timeZone: TOKYO };

  test("today when the time is still ahead", () => {
    assert.equal(anchorFor(daily, at("2027-06-09T23:59Z")), "2027-06-10"); // 08:59 JST
  });

  test("tomorrow when the time is exactly now (strictly ahead is required)", () => {
    assert.equal(anchorFor(daily, at("2027-06-10T00:00Z")), "2027-06-11"); // 09:00 JST
  });

  test("tomorrow when the time has passed", () => {
    assert.equal(anchorFor(daily, at("2027-06-10T00:01Z")), "2027-06-11");
    assert.equal(anchorFor(daily, at("2027-06-10T14:59Z")), "2027-06-11"); // 23:59 JST
  });

  test("a 03:00 Tokyo plan created at 02:00 JST is anchored on that local day", () => {
    const early = { every: "1d" as const, at: "03:00", timeZone: TOKYO };
    assert.equal(anchorFor(early, at("2027-06-09T17:00Z")), "2027-06-10");
    assert.equal(anchorFor(early, at("2027-06-09T12:00Z")), "2027-06-10"); // 21:00 JST the day before
    assert.equal(anchorFor(early, at("2027-06-09T18:30Z")), "2027-06-11"); // 03:30 JST
  });

  test("uses the member's local date, not the UTC date (New York evening)", () => {
    const evening = { every: "1d" as const, at: "22:00", timeZone: NEW_YORK };
    // 2027-06-11T01:00Z is 21:00 EDT on 2027-06-10.
    assert.equal(anchorFor(evening, at("2027-06-11T01:00Z")), "2027-06-10");
    assert.equal(anchorFor(evening, at("2027-06-11T02:30Z")), "2027-06-11");
  });

  test("every-N-day and 30-day plans anchor like daily ones", () => {
    for (const every of ["2d", "3d", "5d", "30d"] as const) {
      assert.equal(anchorFor({ ...daily, every }, at("2027-06-09T23:00Z")), "2027-06-10", every);
      assert.equal(anchorFor({ ...daily, every }, at("2027-06-10T01:00Z")), "2027-06-11", every);
    }
  });

  test("a weekly plan anchors on the next matching weekday", () => {
    const monday = { every: "weekly" as const, weekday: 1, at: "09:00", timeZone: TOKYO };
    assert.equal(anchorFor(monday, at("2027-06-10T00:00Z")), "2027-06-14"); // from a Thursday
    assert.equal(anchorFor(monday, at("2027-06-13T23:00Z")), "2027-06-14"); // Monday 08:00 JST
    assert.equal(anchorFor(monday, at("2027-06-14T01:00Z")), "2027-06-21"); // Monday 10:00 JST
  });

  test("a weekly plan on today's weekday whose time has passed anchors a week later", () => {
    const thursday = { every: "weekly" as const, weekday: 4, at: "09:00", timeZone: TOKYO };
    assert.equal(anchorFor(thursday, at("2027-06-10T01:00Z")), "2027-06-17");
  });

  test("a biweekly plan anchors on the next matching weekday", () => {
    const sunday = { every: "biweekly" as const, weekday: 7, at: "09:00", timeZone: TOKYO };
    assert.equal(anchorFor(sunday, at("2027-06-14T01:00Z")), "2027-06-20");
    assert.equal(weekdayOf(anchorFor(sunday, at("2027-06-14T01:00Z"))), 7);
  });

  test("a weekly plan without a weekday has no anchor", () => {
    assert.throws(() => anchorFor({ every: "weekly", at: "09:00", timeZone: TOKYO }, at("2027-06-10T00:00Z")));
  });

  test("the first due time of a freshly anchored plan is the anchor day at the plan's time", () => {
    const now = at("2027-06-10T05:00Z");
    for (const every of INTERVALS) {
      const base = { every, weekday: 3, at: "09:00", timeZone: NEW_YORK };
      const anchorDate = anchorFor(base, now);
      const first = nextDueAfter({ ...base, anchorDate }, now);
      assert.equal(iso(first), iso(instantOf(anchorDate, "09:00", NEW_YORK)), every);
      assert.ok(first.getTime() - now.getTime() <= 8 * DAY, every);
    }
  });
});

describe("schedule: nextDueAfter for every interval", () => {
  const before = at("2027-01-01T00:00Z");

  test("every day", () => {
    assert.deepEqual(wallSeries(plan({ every: "1d", anchorDate: "2027-06-10" }), before, 3), [
      "2027-06-10 09:00", "2027-06-11 09:00", "2027-06-12 09:00",
    ]);
  });

  test("every 2 days, across a month end", () => {
    assert.deepEqual(wallSeries(plan({ every: "2d", anchorDate: "2027-01-30" }), before, 4), [
      "2027-01-30 09:00", "2027-02-01 09:00", "2027-02-03 09:00", "2027-02-05 09:00",
    ]);
  });

  test("every 3 days, across the end of a 28-day February", () => {
    assert.deepEqual(wallSeries(plan({ every: "3d", anchorDate: "2027-02-26" }), before, 4), [
      "2027-02-26 09:00", "2027-03-01 09:00", "2027-03-04 09:00", "2027-03-07 09:00",
    ]);
  });

  test("every 5 days, across a year end", () => {
    assert.deepEqual(wallSeries(plan({ every: "5d", anchorDate: "2027-12-24" }), before, 4), [
      "2027-12-24 09:00", "2027-12-29 09:00", "2028-01-03 09:00", "2028-01-08 09:00",
    ]);
  });

  test("weekly on a weekday", () => {
    const p = plan({ every: "weekly", weekday: 1, anchorDate: "2027-06-14" });
    const series = wallSeries(p, before, 4);
    assert.deepEqual(series, ["2027-06-14 09:00", "2027-06-21 09:00", "2027-06-28 09:00", "2027-07-05 09:00"]);
    for (const s of series) assert.equal(weekdayOf(s.slice(0, 10)), 1);
  });

  test("biweekly keeps its every-other-week rhythm", () => {
    const p = plan({ every: "biweekly", weekday: 1, anchorDate: "2027-06-14" });
    assert.deepEqual(wallSeries(p, before, 4), [
      "2027-06-14 09:00", "2027-06-28 09:00", "2027-07-12 09:00", "2027-07-26 09:00",
    ]);
    // Asked in the off week, the next due is still on the plan's week.
    assert.equal(wallClock(nextDueAfter(p, at("2027-06-20T00:00Z")), TOKYO), "2027-06-28 09:00");
  });

  test("a time before the anchor gives the anchor itself", () => {
    const p = plan({ every: "30d", anchorDate: "2027-09-01" });
    assert.equal(iso(nextDueAfter(p, at("2027-06-10T00:00Z"))), "2027-09-01T00:00:00.000Z");
  });

  test("strictly after: a due instant is never returned for itself", () => {
    const p = plan({ every: "1d", anchorDate: "2027-06-01" });
    assert.equal(iso(nextDueAfter(p, at("2027-06-10T00:00Z"))), "2027-06-11T00:00:00.000Z");
    assert.equal(iso(nextDueAfter(p, at("2027-06-09T23:59:59.999Z"))), "2027-06-10T00:00:00.000Z");
    assert.equal(iso(nextDueAfter(p, at("2027-06-10T00:00:00.001Z"))), "2027-06-11T00:00:00.000Z");
  });

  test("a slot later the same local day is not missed", () => {
    // every 3 days from 06-01: 06-01, 04, 07, 10, 13 …
    const p = plan({ every: "3d", anchorDate: "2027-06-01" });
    assert.equal(iso(nextDueAfter(p, at("2027-06-09T23:00Z"))), "2027-06-10T00:00:00.000Z"); // 08:00 JST
    assert.equal(iso(nextDueAfter(p, at("2027-06-10T00:00Z"))), "2027-06-13T00:00:00.000Z");
  });

  test("off-rhythm days of an every-N-day plan are skipped", () => {
    const p = plan({ every: "5d", anchorDate: "2027-06-01" }); // 06-01, 06, 11, 16
    assert.equal(wallClock(nextDueAfter(p, at("2027-06-07T00:00Z")), TOKYO), "2027-06-11 09:00");
    assert.equal(wallClock(nextDueAfter(p, at("2027-06-11T00:00Z")), TOKYO), "2027-06-16 09:00");
  });

  test("a 03:00 Asia/Tokyo plan is due at 18:00 UTC the day before", () => {
    const p = plan({ every: "1d", at: "03:00", anchorDate: "2027-06-01" });
    assert.equal(iso(nextDueAfter(p, at("2027-06-09T17:59Z"))), "2027-06-09T18:00:00.000Z");
    assert.equal(iso(nextDueAfter(p, at("2027-06-09T18:00Z"))), "2027-06-10T18:00:00.000Z");
  });

  test("an every-2-day 03:00 Tokyo plan counts local days, not UTC days", () => {
    const p = plan({ every: "2d", at: "03:00", anchorDate: "2027-06-10" }); // 06-10, 06-12 local
    // 2027-06-11T12:00Z is 21:00 JST on 06-11; the next slot is 03:00 JST on 06-12.
    assert.equal(iso(nextDueAfter(p, at("2027-06-11T12:00Z"))), "2027-06-11T18:00:00.000Z");
  });

  test("a late-evening Los Angeles plan is due on the next UTC day", () => {
    const p = plan({ every: "1d", at: "23:30", timeZone: "America/Los_Angeles", anchorDate: "2027-06-01" });
    assert.equal(iso(nextDueAfter(p, at("2027-06-10T12:00Z"))), "2027-06-11T06:30:00.000Z");
  });

  test("Kiritimati (+14:00) and Pago Pago (-11:00) plans stay at their local time", () => {
    const kiritimati = plan({ every: "1d", at: "09:00", timeZone: "Pacific/Kiritimati", anchorDate: "2027-06-01" });
    assert.equal(iso(nextDueAfter(kiritimati, at("2027-06-10T00:00Z"))), "2027-06-10T19:00:00.000Z");
    const pagoPago = plan({ every: "1d", at: "09:00", timeZone: "Pacific/Pago_Pago", anchorDate: "2027-06-01" });
    assert.equal(iso(nextDueAfter(pagoPago, at("2027-06-10T00:00Z"))), "2027-06-10T20:00:00.000Z");
  });
});

describe("schedule: month ends, leap days and 30-day plans", () => {
  const before = at("2027-01-01T00:00Z");

  test("a daily plan goes through 2028-02-29", () => {
    assert.deepEqual(wallSeries(plan({ anchorDate: "2028-02-27" }), before, 4), [
      "2028-02-27 09:00", "2028-02-28 09:00", "2028-02-29 09:00", "2028-03-01 09:00",
    ]);
  });

  test("a 30-day plan from 2028-01-30 lands on the leap day, then 30 days later", () => {
    assert.deepEqual(wallSeries(plan({ every: "30d", anchorDate: "2028-01-30" }), before, 4), [
      "2028-01-30 09:00", "2028-02-29 09:00", "2028-03-30 09:00", "2028-04-29 09:00",
    ]);
  });

  test("a 30-day plan anchored on the leap day continues 30 days later", () => {
    const p = plan({ every: "30d", anchorDate: "2028-02-29" });
    assert.equal(wallClock(nextDueAfter(p, at("2028-02-29T00:00Z")), TOKYO), "2028-03-30 09:00");
  });

  test("a 30-day plan anchored on Jan 31 follows the calendar exactly (no month-end clamping)", () => {
    assert.deepEqual(wallSeries(plan({ every: "30d", anchorDate: "2027-01-31" }), before, 6), [
      "2027-01-31 09:00", "2027-03-02 09:00", "2027-04-01 09:00",
      "2027-05-01 09:00", "2027-05-31 09:00", "2027-06-30 09:00",
    ]);
  });

  test("a 30-day plan stays exactly 30 calendar days apart for 13 cycles across a year end", () => {
    const p = plan({ every: "30d", anchorDate: "2027-01-31" });
    const series = dueSeries(p, before, 14);
    assert.equal(series.length, 14);
    series.forEach((due, k) => {
      assert.equal(wallClock(due, TOKYO), `${addDays("2027-01-31", 30 * k)} 09:00`, `cycle ${k}`);
    });
    assert.equal(wallClock(series[13], TOKYO), "2028-02-25 09:00");
  });

  test("a 30-day plan computed years later is still on the anchor's rhythm (no drift)", () => {
    const p = plan({ every: "30d", anchorDate: "2027-01-01" });
    const due = nextDueAfter(p, at("2030-01-01T00:00Z"));
    assert.equal(wallClock(due, TOKYO), "2030-01-15 09:00");
    assert.equal(daysBetween("2027-01-01", "2030-01-15") % 30, 0);
  });

  test("a 30-day plan in a DST zone keeps its wall time and its 30-day rhythm", () => {
    const p = plan({ every: "30d", timeZone: NEW_YORK, anchorDate: "2027-02-20" });
    const series = wallSeries(p, before, 3);
    assert.deepEqual(series, ["2027-02-20 09:00", "2027-03-22 09:00", "2027-04-21 09:00"]);
  });
});

describe("schedule: daylight saving time", () => {
  test("a 09:00 New York plan stays at 09:00 across spring-forward (a 23-hour day)", () => {
    const p = plan({ timeZone: NEW_YORK, anchorDate: "2027-03-01" });
    const series = dueSeries(p, at("2027-03-12T00:00Z"), 4);
    assert.deepEqual(series.map(iso), [
      "2027-03-12T14:00:00.000Z", "2027-03-13T14:00:00.000Z",
      "2027-03-14T13:00:00.000Z", "2027-03-15T13:00:00.000Z",
    ]);
    assert.equal(series[2].getTime() - series[1].getTime(), 23 * HOUR);
    for (const due of series) assert.equal(wallClock(due, NEW_YORK).slice(11), "09:00");
  });

  test("a 09:00 New York plan stays at 09:00 across fall-back (a 25-hour day)", () => {
    const p = plan({ timeZone: NEW_YORK, anchorDate: "2027-11-01" });
    const series = dueSeries(p, at("2027-11-05T00:00Z"), 4);
    assert.deepEqual(series.map(iso), [
      "2027-11-05T13:00:00.000Z", "2027-11-06T13:00:00.000Z",
      "2027-11-07T14:00:00.000Z", "2027-11-08T14:00:00.000Z",
    ]);
    assert.equal(series[2].getTime() - series[1].getTime(), 25 * HOUR);
    for (const due of series) assert.equal(wallClock(due, NEW_YORK).slice(11), "09:00");
  });

  test("a 09:00 Berlin plan stays at 09:00 across spring-forward and fall-back", () => {
    const spring = dueSeries(plan({ timeZone: BERLIN, anchorDate: "2027-03-01" }), at("2027-03-26T12:00Z"), 3);
    assert.deepEqual(spring.map(iso), [
      "2027-03-27T08:00:00.000Z", "2027-03-28T07:00:00.000Z", "2027-03-29T07:00:00.000Z",
    ]);
    const autumn = dueSeries(plan({ timeZone: BERLIN, anchorDate: "2027-10-01" }), at("2027-10-29T12:00Z"), 3);
    assert.deepEqual(autumn.map(iso), [
      "2027-10-30T07:00:00.000Z", "2027-10-31T08:00:00.000Z", "2027-11-01T08:00:00.000Z",
    ]);
    for (const due of [...spring, ...autumn]) assert.equal(wallClock(due, BERLIN).slice(11), "09:00");
  });

  test("a weekly Sunday plan stays at 09:00 across the Sunday of spring-forward", () => {
    const p = plan({ every: "weekly", weekday: 7, timeZone: NEW_YORK, anchorDate: "2027-03-07" });
    assert.deepEqual(wallSeries(p, at("2027-03-01T00:00Z"), 3), [
      "2027-03-07 09:00", "2027-03-14 09:00", "2027-03-21 09:00",
    ]);
  });

  test("a 02:30 New York plan on the spring-forward day moves forward to 03:30, once", () => {
    const p = plan({ at: "02:30", timeZone: NEW_YORK, anchorDate: "2027-03-01" });
    const series = dueSeries(p, at("2027-03-13T07:30Z"), 2); // from 02:30 EST on 03-13
    assert.deepEqual(series.map(iso), ["2027-03-14T07:30:00.000Z", "2027-03-15T06:30:00.000Z"]);
    assert.deepEqual(series.map((d) => wallClock(d, NEW_YORK)), ["2027-03-14 03:30", "2027-03-15 02:30"]);
  });

  test("a 02:30 Berlin plan on the spring-forward day moves forward to 03:30", () => {
    const p = plan({ at: "02:30", timeZone: BERLIN, anchorDate: "2027-03-01" });
    const due = nextDueAfter(p, at("2027-03-27T12:00Z"));
    assert.equal(wallClock(due, BERLIN), "2027-03-28 03:30");
  });

  test("a 01:30 New York plan fires once on the fall-back day (no double prompt)", () => {
    const p = plan({ at: "01:30", timeZone: NEW_YORK, anchorDate: "2027-11-01" });
    const [fallBackDay, nextDay] = dueSeries(p, at("2027-11-06T05:30Z"), 2);
    assert.equal(wallClock(fallBackDay, NEW_YORK), "2027-11-07 01:30");
    assert.equal(wallClock(nextDay, NEW_YORK), "2027-11-08 01:30");
    assert.equal(iso(nextDay), "2027-11-08T06:30:00.000Z");
  });

  test("a daily Tokyo plan is exactly 24 hours apart all year (no DST)", () => {
    const series = dueSeries(plan({ anchorDate: "2027-01-01" }), at("2027-03-10T00:00Z"), 250);
    assert.equal(series.length, 250);
    for (let i = 1; i < series.length; i++) {
      assert.equal(series[i].getTime() - series[i - 1].getTime(), DAY);
    }
  });
});

describe("schedule: pauses", () => {
  const untilJune15: Pause = { until: "2027-06-15", reason: "travel" };
  const indefinite: Pause = { reason: "hospital" };

  test("without a pause, nextDueOutsidePause is nextDueAfter", () => {
    const p = plan();
    const after = at("2027-06-10T00:00Z");
    assert.equal(iso(nextDueOutsidePause(p, after, null)), iso(nextDueAfter(p, after)));
  });

  test("an indefinite pause returns null: nothing is due until resumed", () => {
    assert.equal(nextDueOutsidePause(plan(), at("2027-06-10T00:00Z"), indefinite), null);
  });

  test("a daily plan resumes on the pause's end date at the plan's time", () => {
    const due = nextDueOutsidePause(plan(), at("2027-06-10T00:00Z"), untilJune15);
    assert.equal(iso(due), "2027-06-15T00:00:00.000Z"); // 09:00 JST on 06-15
  });

  test("a pause over a single due time skips exactly that one", () => {
    const due = nextDueOutsidePause(plan(), at("2027-06-10T00:00Z"), { until: "2027-06-12", reason: "trip" });
    assert.equal(wallClock(due as Date, TOKYO), "2027-06-12 09:00");
  });

  test("an every-3-day plan resumes on its own rhythm, not on the pause's end date", () => {
    // Slots: 06-01, 04, 07, 10, 13, 16 … ; the pause ends on 06-15.
    const p = plan({ every: "3d", anchorDate: "2027-06-01" });
    const due = nextDueOutsidePause(p, at("2027-06-10T00:00Z"), untilJune15);
    assert.equal(wallClock(due as Date, TOKYO), "2027-06-16 09:00");
  });

  test("a pause that ended in the past does not change anything", () => {
    const due = nextDueOutsidePause(plan(), at("2027-06-10T00:00Z"), { until: "2027-06-01", reason: "old" });
    assert.equal(iso(due), "2027-06-11T00:00:00.000Z");
  });

  test("a plan at 00:00 is due at the very instant the pause ends, and is not paused then", () => {
    const p = plan({ at: "00:00" });
    const due = nextDueOutsidePause(p, at("2027-06-10T00:00Z"), untilJune15) as Date;
    assert.equal(iso(due), "2027-06-14T15:00:00.000Z"); // 00:00 JST on 06-15
    assert.equal(isPausedAt(untilJune15, due, TOKYO), false);
  });

  test("the pause ends at local midnight in the member's zone (New York)", () => {
    const p = plan({ timeZone: NEW_YORK, at: "00:30" });
    const due = nextDueOutsidePause(p, at("2027-06-10T13:00Z"), untilJune15);
    assert.equal(iso(due), "2027-06-15T04:30:00.000Z"); // 00:30 EDT on 06-15
  });

  test("isPausedAt: no pause is never paused, an indefinite pause always is", () => {
    assert.equal(isPausedAt(null, at("2027-06-10T00:00Z"), TOKYO), false);
    assert.equal(isPausedAt(indefinite, at("2027-06-10T00:00Z"), TOKYO), true);
    assert.equal(isPausedAt(indefinite, at("2099-01-01T00:00Z"), TOKYO), true);
  });

  test("isPausedAt: paused until local midnight of the end date, not after", () => {
    assert.equal(isPausedAt(untilJune15, at("2027-06-10T00:00Z"), TOKYO), true);
    assert.equal(isPausedAt(untilJune15, at("2027-06-14T14:59:59.999Z"), TOKYO), true); // 23:59:59 JST 06-14
    assert.equal(isPausedAt(untilJune15, at("2027-06-14T15:00Z"), TOKYO), false); // 00:00 JST 06-15
    assert.equal(isPausedAt(untilJune15, at("2027-06-20T00:00Z"), TOKYO), false);
  });

  test("isPausedAt reads the end date in the member's zone", () => {
    const instant = at("2027-06-14T15:00Z"); // 00:00 JST 06-15, but 11:00 EDT 06-14
    assert.equal(isPausedAt(untilJune15, instant, TOKYO), false);
    assert.equal(isPausedAt(untilJune15, instant, NEW_YORK), true);
  });

  test("nextDueOutsidePause returns the first due time that isPausedAt does not skip", () => {
    for (const every of ["1d", "2d", "3d", "5d", "weekly", "biweekly"] as const) {
      const p = plan({ every, weekday: 2, anchorDate: "2027-06-01" }); // 2027-06-01 is a Tuesday
      const after = at("2027-06-02T00:00Z");
      let expected = nextDueAfter(p, after);
      for (let i = 0; i < 50 && isPausedAt(untilJune15, expected, TOKYO); i++) expected = nextDueAfter(p, expected);
      const due = nextDueOutsidePause(p, after, untilJune15) as Date;
      assert.equal(iso(due), iso(expected), every);
      assert.ok(due.getTime() >= at("2027-06-14T15:00Z").getTime(), every);
    }
  });
});

describe("schedule: per-member second offsets (spreading a minute's check-ins)", () => {
  test("without an offset, the slot is the plan's local time", () => {
    assert.equal(iso(slotInstant(plan(), "2027-06-10")), "2027-06-10T00:00:00.000Z");
    assert.equal(iso(slotInstant(plan({ offsetSeconds: 0 }), "2027-06-10")), "2027-06-10T00:00:00.000Z");
  });

  test("the offset moves the slot by that many seconds", () => {
    assert.equal(iso(slotInstant(plan({ offsetSeconds: 37 }), "2027-06-10")), "2027-06-10T00:00:37.000Z");
    assert.equal(iso(slotInstant(plan({ at: "03:00", offsetSeconds: 59 }), "2027-06-10")), "2027-06-09T18:00:59.000Z");
  });

  test("every due time of an offset plan keeps the offset, across DST too", () => {
    const p = plan({ timeZone: NEW_YORK, anchorDate: "2027-03-01", offsetSeconds: 42 });
    assert.deepEqual(dueSeries(p, at("2027-03-13T00:00Z"), 2).map(iso), [
      "2027-03-13T14:00:42.000Z", "2027-03-14T13:00:42.000Z",
    ]);
  });

  test("nextDueAfter is strictly after the offset slot, not the minute", () => {
    const p = plan({ offsetSeconds: 30 });
    assert.equal(iso(nextDueAfter(p, at("2027-06-10T00:00:10Z"))), "2027-06-10T00:00:30.000Z");
    assert.equal(iso(nextDueAfter(p, at("2027-06-10T00:00:30Z"))), "2027-06-11T00:00:30.000Z");
  });

  test("anchorFor counts the offset: a slot a few seconds ahead is still today", () => {
    const base = { every: "1d" as const, at: "09:00", timeZone: TOKYO, offsetSeconds: 30 };
    assert.equal(anchorFor(base, at("2027-06-10T00:00:10Z")), "2027-06-10");
    assert.equal(anchorFor(base, at("2027-06-10T00:00:30Z")), "2027-06-11");
  });

  test("an offset slot on the day a pause ends is due", () => {
    const p = plan({ at: "00:00", offsetSeconds: 5 });
    const due = nextDueOutsidePause(p, at("2027-06-10T00:00Z"), { until: "2027-06-15", reason: "trip" }) as Date;
    assert.equal(iso(due), "2027-06-14T15:00:05.000Z");
    assert.equal(isPausedAt({ until: "2027-06-15", reason: "trip" }, due, TOKYO), false);
  });
});
