import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  contactConfirmText,
  contactRequestText,
  formatLocal,
  MESSAGE_KINDS,
  memberAnsweredText,
  noAnswerAlertText,
  promptText,
  resendText,
} from "../../src/domain/messages.ts";
import { at } from "./helpers.ts";

const NAME = "山田花子";
const TOKYO = "Asia/Tokyo";
/** 2027-06-09T15:05Z is 00:05 on 10 June in Tokyo and 11:05 on 9 June in New York. */
const INSTANT = at("2027-06-09T15:05Z");

/** Japanese first, then English, on two lines. */
function lines(text: string): [string, string] {
  const parts = text.split("\n");
  assert.equal(parts.length, 2, `expected two lines: ${text}`);
  return [parts[0], parts[1]];
}

describe("messages: formatLocal", () => {
  test("shows the member's local month, day and 24-hour time", () => {
    assert.equal(formatLocal(INSTANT, TOKYO), "6月10日 00:05");
    assert.equal(formatLocal(INSTANT, "America/New_York"), "6月9日 11:05");
    assert.equal(formatLocal(at("2027-01-05T07:05Z"), "UTC"), "1月5日 07:05");
    assert.equal(formatLocal(at("2027-12-31T14:59Z"), TOKYO), "12月31日 23:59");
  });

  test("follows DST in the member's zone", () => {
    assert.equal(formatLocal(at("2027-03-14T13:00Z"), "Europe/Berlin"), "3月14日 14:00"); // CET
    assert.equal(formatLocal(at("2027-03-28T13:00Z"), "Europe/Berlin"), "3月28日 15:00"); // CEST
  });
});

describe("messages: texts", () => {
  test("the message kinds are unique codes", () => {
    assert.equal(new Set(MESSAGE_KINDS).size, MESSAGE_KINDS.length);
    for (const kind of MESSAGE_KINDS) assert.match(kind, /^[a-z_]+$/);
  });

  test("a new contact is told whose contact they are, and the number calls come from", () => {
    const [ja, en] = lines(contactConfirmText("山田一郎", NAME, "+81312345678"));
    assert.match(ja, new RegExp(`山田一郎さんが、${NAME}さんの見守りの連絡先`));
    // People read the number as they dial it, not in E.164.
    assert.match(ja, / 03-1234-5678 からおかけします/);
    assert.match(en, /Our calls come from 03-1234-5678\./);
    assert.doesNotMatch(ja + en, /\+81/);
    assert.doesNotMatch(contactConfirmText("山田一郎", NAME), /からおかけします/);
  });

  test("the prompt names the member and offers OK and please-contact-me, in Japanese then English", () => {
    const [ja, en] = lines(promptText(NAME));
    assert.ok(ja.startsWith(`${NAME}さん`));
    assert.match(ja, /「OK」/);
    assert.match(ja, /「連絡がほしい」/);
    assert.ok(en.includes(`Hello ${NAME}`));
    assert.match(en, /OK/);
    assert.match(en, /please contact me/);
  });

  test("the re-send names the member and differs from the prompt", () => {
    const text = resendText(NAME);
    const [ja, en] = lines(text);
    assert.ok(ja.startsWith(`${NAME}さん`));
    assert.ok(en.startsWith(NAME));
    assert.notEqual(text, promptText(NAME));
  });

  test("the no-answer alert names the member and the local time of the missed check-in", () => {
    const [ja, en] = lines(noAnswerAlertText(NAME, INSTANT, TOKYO));
    assert.ok(ja.includes(`${NAME}さんから 6月10日 00:05 以降`));
    assert.ok(en.includes(`${NAME} has not answered since 6月10日 00:05`));
  });

  test("the no-answer alert uses the given zone, not Tokyo", () => {
    const text = noAnswerAlertText("Anna", INSTANT, "America/New_York");
    assert.ok(text.includes("6月9日 11:05"));
    assert.ok(!text.includes("00:05"));
  });

  test("the contact request names the member and the local time of the request", () => {
    const [ja, en] = lines(contactRequestText(NAME, INSTANT, TOKYO));
    assert.ok(ja.includes(`${NAME}さんが「連絡がほしい」`));
    assert.ok(ja.includes("6月10日 00:05"));
    assert.ok(en.includes(`${NAME} asked to be contacted (6月10日 00:05)`));
  });

  test("member answered: ok", () => {
    const [ja, en] = lines(memberAnsweredText(NAME, "ok", INSTANT, TOKYO));
    assert.ok(ja.includes(`${NAME}さんから 6月10日 00:05 に「OK」の応答`));
    assert.ok(en.includes(`${NAME} answered "OK" at 6月10日 00:05`));
  });

  test("member answered: need_contact", () => {
    const [ja, en] = lines(memberAnsweredText(NAME, "need_contact", INSTANT, TOKYO));
    assert.ok(ja.includes("「連絡がほしい」の応答"));
    assert.ok(en.includes(`${NAME} answered "please contact me" at 6月10日 00:05`));
  });

  test("every alert asks for a human action", () => {
    assert.match(noAnswerAlertText(NAME, INSTANT, TOKYO), /Please check on them/);
    assert.match(contactRequestText(NAME, INSTANT, TOKYO), /Please get in touch/);
    assert.match(memberAnsweredText(NAME, "ok", INSTANT, TOKYO), /Please record the outcome/);
  });
});
