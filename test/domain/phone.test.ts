import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatPhone, PHONE_EXPECTED, parsePhone, parseSmsPhone, receivesSms, SMS_EXPECTED } from "../../src/domain/phone.ts";

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

describe("parseSmsPhone: an SMS address must be able to receive a text", () => {
  const mobiles: Array<[string, string]> = [
    ["090-1234-5678", "+819012345678"],
    ["080-1234-5678", "+818012345678"],
    ["070-1234-5678", "+817012345678"],
    ["０９０－１２３４－５６７８", "+819012345678"],
    ["+1 202 555 0123", "+12025550123"], // the US plan does not tell mobiles from landlines (FIXED_LINE_OR_MOBILE)
    ["+44 7911 123456", "+447911123456"], // a UK mobile
  ];
  for (const [typed, e164] of mobiles) {
    test(`${JSON.stringify(typed)} gets texts → ${e164}`, () => {
      assert.deepEqual(parseSmsPhone(typed), { ok: true, e164 });
      assert.equal(receivesSms(e164), true);
    });
  }

  // Valid numbers, so parsePhone takes them (a call reaches them), but no text does.
  const cannot = [
    "03-1234-5678", // Tokyo fixed line
    "06-1234-5678", // Osaka fixed line
    "050-1234-5678", // VoIP
    "0120-123-456", // toll-free
    "0570-123-456", // navi dial (shared cost)
    "0990-123-456", // premium rate
    "+44 20 7946 0000", // a London landline
  ];
  for (const typed of cannot) {
    test(`${JSON.stringify(typed)} is a number but cannot receive SMS`, () => {
      const parsed = parsePhone(typed);
      assert.ok(parsed.ok, "a valid number");
      assert.equal(receivesSms(parsed.e164), false);
      assert.deepEqual(parseSmsPhone(typed), { ok: false, message: SMS_EXPECTED });
    });
  }

  test("what is not a number is refused as any phone is, and the message names the mobile prefixes", () => {
    assert.deepEqual(parseSmsPhone("090-1234-567"), { ok: false, message: PHONE_EXPECTED });
    assert.match(SMS_EXPECTED, /070, 080 or 090/);
  });
});
