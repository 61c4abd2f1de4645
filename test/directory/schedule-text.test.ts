/**
 * Schedules in Japanese words (src/directory/domain/schedule-text.ts), as the
 * public directory page and printed lists show them; and in English for the console.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ScheduleRule } from "../../src/directory/domain/schedule.ts";
import { dateEn, dateJa, describeSchedule, describeScheduleEn } from "../../src/directory/domain/schedule-text.ts";

function rule(overrides: Partial<ScheduleRule> = {}): ScheduleRule {
  return {
    id: "s", kind: "opening_hours", freq: "WEEKLY", interval: null, byday: "MO,WE,FR", bymonthday: null, count: null, wkst: null,
    dtstart: null, until: null, opens_at: "09:00", closes_at: "17:00", valid_from: null, valid_to: null, closed_on_holidays: true, ...overrides,
  };
}

test("dates with the weekday", () => {
  assert.equal(dateJa("2027-06-15"), "2027年6月15日（火）");
  assert.equal(dateJa("2027-01-03"), "2027年1月3日（日）");
});

test("weekly, every other week, monthly by weekday and by day, one-offs, all day", () => {
  assert.equal(describeSchedule(rule()), "毎週 月・水・金 9:00〜17:00（祝日は休み・年末年始は休み）");
  assert.equal(describeSchedule(rule({ closed_on_holidays: false }), false), "毎週 月・水・金 9:00〜17:00");
  assert.equal(describeSchedule(rule({ byday: "TU", interval: 2, dtstart: "2027-01-05", closed_on_holidays: false }), false), "隔週 火 9:00〜17:00");
  assert.equal(describeSchedule(rule({ byday: "TU", interval: 3, closed_on_holidays: false }), false), "3週ごと 火 9:00〜17:00");
  assert.equal(describeSchedule(rule({ freq: "MONTHLY", byday: "2TU", opens_at: "10:00", closes_at: "12:00", closed_on_holidays: false }), false), "毎月 第2火曜 10:00〜12:00");
  assert.equal(describeSchedule(rule({ freq: "MONTHLY", byday: "1MO,3MO", closed_on_holidays: false }), false), "毎月 第1月曜・第3月曜 9:00〜17:00");
  assert.equal(describeSchedule(rule({ freq: "MONTHLY", byday: "-1FR", closed_on_holidays: false }), false), "毎月 最終金曜 9:00〜17:00");
  assert.equal(describeSchedule(rule({ freq: "MONTHLY", byday: null, bymonthday: "1,15,-1", closed_on_holidays: false }), false), "毎月 1日・15日・末日 9:00〜17:00");
  assert.equal(describeSchedule(rule({ freq: null, byday: null, dtstart: "2027-06-15", opens_at: "14:00", closes_at: "15:30" })), "2027年6月15日（火） 14:00〜15:30");
  assert.equal(describeSchedule(rule({ opens_at: null, closes_at: null, closed_on_holidays: false }), false), "毎週 月・水・金 終日");
  assert.equal(describeSchedule(rule({ closes_at: null, closed_on_holidays: false }), false), "毎週 月・水・金 9:00から");
});

test("limits: until, count, valid_from and valid_to", () => {
  assert.equal(describeSchedule(rule({ closed_on_holidays: false, until: "2027-03-31" }), false), "毎週 月・水・金 9:00〜17:00（2027年3月31日（水）まで）");
  assert.equal(describeSchedule(rule({ closed_on_holidays: false, count: 4, dtstart: "2027-01-04" }), false), "毎週 月・水・金 9:00〜17:00（全4回）");
  assert.equal(describeSchedule(rule({ closed_on_holidays: false, valid_from: "2027-04-01", valid_to: "2027-09-30" }), false),
    "毎週 月・水・金 9:00〜17:00（2027年4月1日（木）から・2027年9月30日（木）まで）");
});

test("in English for the console: weekly, every other week, monthly by weekday and by day, one-offs, limits", () => {
  assert.equal(dateEn("2027-06-15"), "Tue 15 June 2027");
  assert.equal(describeScheduleEn(rule()), "Every week on Mon, Wed, Fri, 9:00–17:00 (closed on public holidays; closed over the New Year)");
  assert.equal(describeScheduleEn(rule({ byday: "TU", interval: 2, closed_on_holidays: false }), false), "Every other week on Tue, 9:00–17:00");
  assert.equal(describeScheduleEn(rule({ freq: "MONTHLY", byday: "2TU", opens_at: "10:00", closes_at: "12:00", closed_on_holidays: false }), false),
    "Every month on the 2nd Tue, 10:00–12:00");
  assert.equal(describeScheduleEn(rule({ freq: "MONTHLY", byday: "-1FR", closed_on_holidays: false }), false), "Every month on the last Fri, 9:00–17:00");
  assert.equal(describeScheduleEn(rule({ freq: "MONTHLY", byday: null, bymonthday: "1,-1", closed_on_holidays: false }), false),
    "Every month on day 1, the last day, 9:00–17:00");
  assert.equal(describeScheduleEn(rule({ freq: null, byday: null, dtstart: "2027-06-15", opens_at: "14:00", closes_at: "15:30" })), "Tue 15 June 2027, 14:00–15:30");
  assert.equal(describeScheduleEn(rule({ opens_at: null, closes_at: null, closed_on_holidays: false, count: 4 }), false), "Every week on Mon, Wed, Fri, all day (4 times in all)");
});
