/**
 * The daily questions' answers on a member's page, in Debian's Chromium: a phone
 * member answers their check-in call with keys (1: fine; then 3: 元気がない; 1:
 * slept well) through the Twilio-compatible server, and the member's page shows
 * those answers with the channel, and the number as written in Japan
 * (090-1111-0020, not +81…); axe in Japanese and English; screenshots saved.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, screenshot, signedInPage } from "../support/console.ts";
import { databaseKinds, TOKYO } from "../support/harness.ts";
import { type PhoneFixture, startPhoneFixture } from "../support/phone-fixture.ts";
import { spokenText } from "../support/twilio-api-server.ts";

const ON = databaseKinds().at(-1) as "pglite" | "postgres";
const NUMBER = "+819011110020";

describe(`daily questions on the member's page (${ON})`, () => {
  let f: PhoneFixture;
  let browser: Browser;
  let memberId: string;
  before(async () => {
    f = await startPhoneFixture(ON, {}, {}, { MIMAMORI_SANDBOX_START: TOKYO("2027-01-06T12:00:00") });
    browser = await launchBrowser();
    assert.equal((await f.service.api("PATCH", "/organisation", { dailyQuestions: ["condition", "sleep"] })).status, 200);
    const created = await f.service.api("POST", "/members", {
      displayName: "田中和子", channels: [{ kind: "voice", address: NUMBER }], plan: { every: "1d", at: "09:00" }, phone: NUMBER,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    memberId = created.body.id;
    await f.clockTo(TOKYO("2027-01-07T09:00:00"));
    const call = f.callsTo(NUMBER)[0];
    await f.twilio.answer(call.sid, { answeredBy: "human" });
    assert.match(spokenText(await f.twilio.press(call.sid, "1")), /今日のご様子/);
    assert.match(spokenText(await f.twilio.press(call.sid, "3")), /よく眠れましたか/);
    await f.twilio.press(call.sid, "1");
    await f.twilio.finish(call.sid, "completed", { AnsweredBy: "human" });
  });
  after(async () => {
    await browser?.close();
    await f?.close();
  });

  test("the answers by keypad are listed with the channel; the phone number is written as in Japan", async () => {
    const observed = (await f.service.api("GET", `/members/${memberId}/observations`)).body.observations;
    assert.equal(observed.length, 2, JSON.stringify(observed));
    const page = await signedInPage(browser, f.service.url, f.service.token);
    await page.goto(`${f.service.url}/members/${memberId}`);
    await page.getByRole("heading", { level: 1, name: "田中和子" }).waitFor();
    await page.getByRole("heading", { level: 2, name: "毎日の質問への回答（体調など）" }).waitFor();
    const items = page.locator(".observations li");
    await items.first().waitFor();
    const texts = await items.allTextContents();
    assert.equal(texts.length, 2);
    assert.ok(texts.some((x) => /今日の様子: 元気がない \(電話\)/.test(x)), texts.join(" | "));
    assert.ok(texts.some((x) => /睡眠: /.test(x)), texts.join(" | "));
    assert.ok(texts.every((x) => x.startsWith("2027年1月7日(木) 09:0")), texts.join(" | "));
    await page.getByText("090-1111-0020").first().waitFor();
    assert.equal(await page.getByText("+819011110020").count(), 0, "never the stored +81 form");
    await assertAccessible(page, "Member page with daily answers (ja)");
    await screenshot(page, "member-observations-ja");
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 2, name: "Answers to the daily questions (health and more)" }).waitFor();
    await page.getByText(/Today: 元気がない \(Phone\)/).waitFor();
    await assertAccessible(page, "Member page with daily answers (en)");
    await screenshot(page, "member-observations-en");
    await page.context().close();
  });
});
