/**
 * The console's texts and times: Japanese and English have the same keys, every
 * API error code has a sentence in both, and times print in the organisation's
 * zone in the Japanese form (2027年1月4日(月) 09:00) whatever the machine's zone.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ERROR_CODES } from "../../src/http/errors.ts";
import {
  formatDate, formatDateTime, formatDuration, formatLocalDate, formatMonth, formatPercent, formatPhone, formatTime, formatTimeOrDate, localDateIn,
  startOfLocalDay,
} from "../../web/src/format.ts";
import { en } from "../../web/src/locales/en.ts";
import { ja } from "../../web/src/locales/ja.ts";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value === "string") return [prefix];
  return Object.entries(value as object).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

test("Japanese and English name the same texts, none empty", () => {
  assert.deepEqual(keys(en).sort(), keys(ja).sort());
  const leaves = (value: unknown): string[] => (typeof value === "string" ? [value] : Object.values(value as object).flatMap(leaves));
  for (const text of [...leaves(ja), ...leaves(en)]) assert.ok(text.trim().length > 0);
});

test("every API error code is a sentence in both languages", () => {
  const codes = Object.keys(ERROR_CODES);
  assert.ok(codes.length > 20);
  for (const code of codes) {
    assert.ok(code in ja.errors, `ja: errors.${code}`);
    assert.ok(code in en.errors, `en: errors.${code}`);
  }
});

test("times print in the organisation's zone, Japanese form first", () => {
  // 00:00 UTC is 09:00 in Tokyo, on a Monday.
  assert.equal(formatDateTime("2027-01-04T00:00:00Z", "Asia/Tokyo", "ja"), "2027年1月4日(月) 09:00");
  assert.equal(formatDateTime("2027-01-04T00:00:00Z", "Asia/Tokyo", "en"), "Mon 4 Jan 2027, 09:00");
  // 15:30 UTC on the 3rd is already the 4th in Tokyo.
  assert.equal(formatDateTime("2027-01-03T15:30:00Z", "Asia/Tokyo", "ja"), "2027年1月4日(月) 00:30");
  assert.equal(formatDate("2027-01-03T15:30:00Z", "Asia/Tokyo", "ja"), "2027年1月4日(月)");
  assert.equal(formatDate("2027-12-31T14:59:00Z", "Asia/Tokyo", "en"), "Fri 31 Dec 2027");
  assert.equal(formatLocalDate("2027-01-04", "ja"), "2027年1月4日(月)");
  assert.equal(formatTime("2027-01-04T13:05:00Z", "Asia/Tokyo"), "22:05");
  assert.equal(formatTimeOrDate("2027-01-04T13:05:00Z", "Asia/Tokyo", "ja", "2027-01-04"), "22:05");
  assert.equal(formatTimeOrDate("2027-01-03T13:05:00Z", "Asia/Tokyo", "ja", "2027-01-04"), "2027年1月3日(日) 22:05");
});

describe("months, shares and durations", () => {
  test("a month in Japanese and English", () => {
    assert.equal(formatMonth("2027-01", "ja"), "2027年1月");
    assert.equal(formatMonth("2026-12", "en"), "December 2026");
  });
  test("a share as a percentage, one decimal at most", () => {
    assert.equal(formatPercent(1, "ja"), "100%");
    assert.equal(formatPercent(29 / 31, "en"), "93.5%");
  });
  test("a duration in its two largest units, rounded to the minute", () => {
    assert.equal(formatDuration(30 * 60_000, "ja"), "30分");
    assert.equal(formatDuration(150 * 60_000, "ja"), "2時間30分");
    assert.equal(formatDuration((27 * 60 + 5) * 60_000, "ja"), "1日3時間");
    assert.equal(formatDuration(120 * 60_000, "en"), "2 h");
    assert.equal(formatDuration(20_000, "en"), "0 min");
  });
});

describe("phone numbers as written in Japan", () => {
  test("stored E.164 shows nationally, with the area code's hyphens", () => {
    assert.equal(formatPhone("+81312345678"), "03-1234-5678");
    assert.equal(formatPhone("+819012345678"), "090-1234-5678");
  });
  test("as typed already, a foreign number, and text that is no number", () => {
    assert.equal(formatPhone("0312345678"), "03-1234-5678");
    assert.equal(formatPhone("+14155550123"), "+1 415 555 0123");
    assert.equal(formatPhone("内線12"), "内線12");
  });
});

test("a date-only field becomes the local midnight of the organisation's zone, with its offset (never 12:00Z, 21:00 in Tokyo)", () => {
  assert.equal(startOfLocalDay("2027-01-04", "Asia/Tokyo"), "2027-01-04T00:00:00+09:00");
  assert.equal(startOfLocalDay("2027-01-04", "UTC"), "2027-01-04T00:00:00+00:00");
  assert.equal(startOfLocalDay("2027-07-01", "America/New_York"), "2027-07-01T00:00:00-04:00");
  assert.equal(startOfLocalDay("2027-01-04", "Asia/Kolkata"), "2027-01-04T00:00:00+05:30");
  assert.equal(localDateIn("2027-01-03T15:00:00Z", "Asia/Tokyo"), "2027-01-04", "the date an instant falls on in the zone");
  assert.equal(localDateIn(startOfLocalDay("2027-01-04", "America/New_York"), "America/New_York"), "2027-01-04");
});
