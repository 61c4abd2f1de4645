import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatPhone, PHONE_EXPECTED, parsePhone } from "../../src/domain/phone.ts";

describe("parsePhone: what people type becomes E.164", () => {
  const valid: Array<[string, string]> = [
    ["090-1234-5678", "+819012345678"],
    ["09012345678", "+819012345678"],
    ["03-1234-5678", "+81312345678"],
    ["0312345678", "+81312345678"],
    ["(03) 1234-5678", "+81312345678"],
    ["+81312345678", "+81312345678"],
    ["+81 90 1234 5678", "+819012345678"],
    ["＋８１９０１２３４５６７８", "+819012345678"], // a Japanese keyboard: full-width plus and digits
    ["０９０－１２３４－５６７８", "+819012345678"], // full-width hyphen-minus
    ["０９０ー１２３４ー５６７８", "+819012345678"], // the IME's long-vowel mark used as a hyphen
    ["090−1234−5678", "+819012345678"], // minus sign
    ["  090 1234 5678  ", "+819012345678"],
    ["050-1234-5678", "+815012345678"],
    ["0120-123-456", "+81120123456"],
    ["+1 202 555 0123", "+12025550123"], // a foreign number keeps its country
  ];
  for (const [typed, e164] of valid) {
    test(`${JSON.stringify(typed)} → ${e164}`, () => {
      assert.deepEqual(parsePhone(typed), { ok: true, e164 });
    });
  }

  const invalid = [
    "", "12345", "090-1234-567", "090-1234-56789", "+819000000000", "0000000000", "abc",
    "090-1234-5678 ext. 12", "tel:+819012345678", "090-CALL-NOW", "++819012345678", "+", "-",
  ];
  for (const typed of invalid) {
    test(`${JSON.stringify(typed)} is refused with the expected form`, () => {
      const result = parsePhone(typed);
      assert.equal(result.ok, false);
      assert.ok(!result.ok && result.message === PHONE_EXPECTED);
      assert.match(PHONE_EXPECTED, /090-1234-5678/);
    });
  }
});

describe("formatPhone: people read the national form", () => {
  test("a Japanese mobile and a Tokyo landline", () => {
    assert.equal(formatPhone("+819012345678"), "090-1234-5678");
    assert.equal(formatPhone("+81312345678"), "03-1234-5678");
  });
  test("a foreign number in international form", () => {
    assert.equal(formatPhone("+12025550123"), "+1 202 555 0123");
  });
  test("what it reads back, it writes as typed (round trip)", () => {
    for (const typed of ["090-1234-5678", "03-1234-5678", "0120-123-456"]) {
      const parsed = parsePhone(typed);
      assert.ok(parsed.ok);
      assert.equal(formatPhone(parsed.e164), typed);
    }
  });
  test("something that is not a number is shown as stored", () => {
    assert.equal(formatPhone("unknown"), "unknown");
  });
});
