/** Needs' pure rules (src/directory/domain/needs.ts): answering an offer, a postal code in an address, an age. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ageOn, checkRequestAnswer, needClosed, postalCodeIn } from "../../src/directory/domain/needs.ts";

test("an offer is answered while offered and before its deadline", () => {
  const now = new Date("2027-01-05T06:00:00Z");
  assert.equal(checkRequestAnswer("offered", new Date("2027-01-05T07:00:00Z"), now), undefined);
  assert.equal(checkRequestAnswer("offered", null, now), undefined, "no deadline");
  assert.equal(checkRequestAnswer("offered", now, now), "expired", "the deadline itself is too late");
  assert.equal(checkRequestAnswer("accepted", null, now), "not_offered");
  assert.equal(checkRequestAnswer("expired", null, now), "not_offered");
});

test("resolved and withdrawn needs are closed; open, matched and referred are not", () => {
  assert.deepEqual((["open", "matched", "referred", "resolved", "withdrawn"] as const).map(needClosed), [false, false, false, true, true]);
});

test("the postal code written in an address, in any width, with or without 〒 and hyphen", () => {
  assert.equal(postalCodeIn("〒650-0001 神戸市中央区加納町1-2-3"), "6500001");
  assert.equal(postalCodeIn("６５０－０００１　神戸市"), "6500001");
  assert.equal(postalCodeIn("6500001 神戸市"), "6500001");
  assert.equal(postalCodeIn("神戸市中央区加納町1-2-3"), null, "a house number is no postal code");
  assert.equal(postalCodeIn("電話 078-123-45678"), null, "digits running on are no postal code");
  assert.equal(postalCodeIn(null), null);
});

test("age in whole years on a local date; the birthday itself counts", () => {
  assert.equal(ageOn("1942-04-01", "2027-03-31"), 84);
  assert.equal(ageOn("1942-04-01", "2027-04-01"), 85);
  assert.equal(ageOn("", "2027-04-01"), null);
  assert.equal(ageOn("昭和17年", "2027-04-01"), null, "only ISO dates");
  assert.equal(ageOn("2030-01-01", "2027-04-01"), null, "born in the future: unknown");
});
