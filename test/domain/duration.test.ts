import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isDuration, parseDuration } from "../../src/domain/duration.ts";
import { DAY, HOUR, MINUTE } from "./helpers.ts";

describe("parseDuration: valid ISO-8601 forms", () => {
  const valid: Array<[string, number]> = [
    ["PT0S", 0],
    ["P0D", 0],
    ["PT1S", 1000],
    ["PT0.5S", 500],
    ["PT1.25S", 1250],
    ["PT0.0004S", 0], // rounds to whole milliseconds
    ["PT0.0015S", 2],
    ["PT1M", MINUTE],
    ["PT90M", 90 * MINUTE],
    ["PT1H", HOUR],
    ["PT3H", 3 * HOUR],
    ["PT24H", 24 * HOUR],
    ["PT1H30M", HOUR + 30 * MINUTE],
    ["PT1H30M15S", HOUR + 30 * MINUTE + 15_000],
    ["PT2H0.5S", 2 * HOUR + 500],
    ["P1D", DAY],
    ["P90D", 90 * DAY],
    ["P1DT2H3M4S", DAY + 2 * HOUR + 3 * MINUTE + 4000],
    ["P1DT12H", DAY + 12 * HOUR],
    ["PT48H", 2 * DAY],
  ];
  for (const [text, ms] of valid) {
    test(`${text} is ${ms} ms`, () => {
      assert.equal(parseDuration(text), ms);
      assert.equal(isDuration(text), true);
    });
  }

  test("a day counts as exactly 24 hours (elapsed time, not calendar days)", () => {
    assert.equal(parseDuration("P1D"), parseDuration("PT24H"));
  });
});

describe("parseDuration: invalid forms", () => {
  const invalid: Array<[string, string]> = [
    ["", "empty string"],
    ["P", "P alone"],
    ["PT", "PT alone"],
    ["P1DT", "trailing T"],
    ["T1H", "missing P"],
    ["1H", "no designators"],
    ["3600", "a bare number"],
    ["P1H", "hours without T"],
    ["P1M", "months are not supported"],
    ["P1Y", "years are not supported"],
    ["P1W", "weeks are not supported"],
    ["PT30M1H", "components out of order"],
    ["PT1H1H", "repeated component"],
    ["P1.5D", "fractional days"],
    ["PT1.5H", "fractional hours"],
    ["PT1.5M", "fractional minutes"],
    ["PT1,5S", "comma decimal"],
    ["PT.5S", "decimal without integer part"],
    ["PT1.S", "decimal point without digits"],
    ["-PT1H", "negative duration"],
    ["PT-1H", "negative component"],
    ["pt1h", "lower case"],
    [" PT1H", "leading space"],
    ["PT1H ", "trailing space"],
    ["PT1H\n", "trailing newline"],
    ["24h", "shorthand"],
    [`PT${"9".repeat(400)}H`, "overflows to Infinity"],
  ];
  for (const [text, why] of invalid) {
    const shown = text.length > 20 ? `${text.slice(0, 12)}…` : text;
    test(`rejects ${JSON.stringify(shown)} (${why})`, () => {
      assert.equal(parseDuration(text), undefined);
      assert.equal(isDuration(text), false);
    });
  }
});
