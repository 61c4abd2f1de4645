/** The monthly report's pure rules: month ranges, month bounds in a zone, medians and pooling. */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  defaultRange, emptyCounts, figuresOf, median, monthBounds, monthOf, monthsBefore, monthsBetween, poolCounts,
} from "../../src/domain/reports.ts";

describe("report months", () => {
  test("a range lists every month once, across a year's end", () => {
    assert.deepEqual(monthsBetween("2026-11", "2027-02"), { ok: true, months: ["2026-11", "2026-12", "2027-01", "2027-02"] });
    assert.deepEqual(monthsBetween("2027-01", "2027-01"), { ok: true, months: ["2027-01"] });
  });
  test("backwards and over 24 months are refused with their reason", () => {
    assert.deepEqual(monthsBetween("2027-02", "2027-01"), { ok: false, reason: "from_after_to" });
    assert.deepEqual(monthsBetween("2025-01", "2027-01"), { ok: false, reason: "too_many_months" });
    assert.equal(monthsBetween("2025-02", "2027-01").ok, true, "exactly 24 months");
  });
  test("a month starts at local midnight on the 1st: Tokyo is 9 hours ahead of UTC, New York moves with DST", () => {
    assert.deepEqual(monthBounds("2027-01", "Asia/Tokyo"), { start: new Date("2026-12-31T15:00:00Z"), end: new Date("2027-01-31T15:00:00Z") });
    const ny = monthBounds("2027-03", "America/New_York");
    assert.equal(ny.start.toISOString(), "2027-03-01T05:00:00.000Z");
    assert.equal(ny.end.toISOString(), "2027-04-01T04:00:00.000Z", "EDT from 14 March");
  });
  test("an instant belongs to its local month; the default range ends with it", () => {
    assert.equal(monthOf(new Date("2026-12-31T15:30:00Z"), "Asia/Tokyo"), "2027-01");
    assert.equal(monthOf(new Date("2026-12-31T15:30:00Z"), "UTC"), "2026-12");
    assert.deepEqual(defaultRange(new Date("2027-02-10T00:00:00Z"), "Asia/Tokyo"), { from: "2026-09", to: "2027-02" });
    assert.equal(monthsBefore("2027-01", 1), "2026-12");
  });
});

describe("report figures", () => {
  test("median: the middle value, the mean of the middle two, none for nothing", () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), null);
  });
  test("pooled teams add up; the pooled median is over every duration, not a median of medians", () => {
    const a = { ...emptyCounts(), members: 2, checkinsAsked: 10, checkinsAnswered: 9, fine: 9, resolvedByOutcome: { visited_fine: 1 }, resolveMs: [10, 20, 30] };
    const b = { ...emptyCounts(), members: 1, checkinsAsked: 10, checkinsAnswered: 5, fine: 5, resolvedByOutcome: { visited_fine: 2, other: 1 }, resolveMs: [1000] };
    const total = figuresOf(poolCounts([a, b]));
    assert.equal(total.members, 3);
    assert.equal(total.fine, 14);
    assert.equal(total.responseRate, 14 / 20);
    assert.deepEqual(total.resolvedByOutcome, { visited_fine: 3, other: 1 });
    assert.equal(total.medianResolveMs, 25, "median of 10, 20, 30, 1000 (the teams' medians would give 510)");
  });
  test("nobody asked: no response rate rather than 0 %", () => {
    assert.equal(figuresOf(emptyCounts()).responseRate, null);
  });
});
