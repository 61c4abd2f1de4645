/**
 * 設定 in Debian's Chromium: the escalation policy editor and its timeline
 * preview (which follows the edit before saving, then the saved policy), a
 * refused value shown beside its field, and the message templates (live preview,
 * limits, an over-long SMS refused with the reason); an auditor reads both and
 * changes nothing. axe on every state, in Japanese and English. Screenshots in
 * /tmp/shots-policy/.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { assertAccessible, consoleSuite, personPage, signedInPage } from "../support/console.ts";
import { invitedPerson, PASSWORD, totpNow } from "../support/people.ts";

const SHOTS = "/tmp/shots-policy";

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** Polls until `read` returns `want` (the preview follows the edit after a short pause). */
async function until<T>(read: () => Promise<T>, want: T, what: string): Promise<void> {
  let last: T | undefined;
  for (let i = 0; i < 100; i++) {
    last = await read();
    if (JSON.stringify(last) === JSON.stringify(want)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(last, want, what);
}

/** Hours after the sample's first prompt at which the LINE member's timeline asks again. */
async function resendHours(page: Page): Promise<number[]> {
  const line = page.locator('.timeline[data-channel="line"]');
  const first = await line.locator('li[data-kind="prompt"] time').first().getAttribute("datetime");
  const resends = await line.locator('li[data-kind="resend"] time').evaluateAll((els) => els.map((e) => e.getAttribute("datetime")));
  return resends.map((at) => (Date.parse(at as string) - Date.parse(first as string)) / 3_600_000);
}

const firstStepHours = (page: Page) => page.locator('fieldset[data-field="standard.steps.0.after"] input').first();

describe("settings: escalation policy and message templates in the console", () => {
  const suite = consoleSuite();

  test("admin: the preview follows the edit, a refused value is shown by its field, saving keeps it; auditor reads only", async () => {
    const admin = await signedInPage(suite.browser, suite.url, suite.service.token);
    await admin.getByRole("link", { name: "設定" }).click();
    await admin.getByRole("heading", { level: 2, name: "通知の段取り" }).waitFor();
    await admin.getByRole("heading", { name: "応答がない場合の流れ" }).waitFor();
    await admin.locator('.timeline[data-channel="voice"] li').first().waitFor();
    await until(() => resendHours(admin), [24], "the built-in policy asks again after 24 h");
    await assertAccessible(admin, "policy (ja)");
    await shot(admin, "policy-ja");

    // The first re-send after 2 h instead of 24: the timeline moves before anything is saved.
    await firstStepHours(admin).fill("2");
    await until(() => resendHours(admin), [2], "the preview follows the unsaved edit");
    assert.equal(await admin.getByText("団体は標準の段取りに従っています。").count(), 1, "nothing saved yet");
    await assertAccessible(admin, "policy edited (ja)");
    await shot(admin, "policy-edited-ja");

    // A reminder later than the re-open time is refused, and said beside the reminder's field.
    const reminder = admin.locator('fieldset[data-field="standard.ackReminderAfter"]');
    await reminder.locator("input").first().fill("7");
    await reminder.getByText("1分から7日の間で、再開までの時間より短くしてください。").waitFor();
    assert.equal(await reminder.locator("input").first().getAttribute("aria-invalid"), "true");
    await assertAccessible(admin, "policy refused (ja)");
    await shot(admin, "policy-refused-ja");
    await reminder.locator("input").first().fill("2");
    await until(() => reminder.locator(".error").count(), 0, "the problem is gone once fixed");

    await admin.getByRole("button", { name: "保存", exact: true }).click();
    await admin.getByRole("status").filter({ hasText: "保存しました" }).waitFor();
    await admin.getByText("団体独自の段取りが設定されています。").waitFor();
    await admin.reload();
    await admin.getByRole("heading", { name: "応答がない場合の流れ" }).waitFor();
    await until(async () => firstStepHours(admin).inputValue(), "2", "saved");
    await until(() => resendHours(admin), [2], "the saved policy's timeline");
    const saved = await suite.service.api("GET", "/escalation-policy");
    assert.equal(saved.body.standard.steps[0].after, "PT2H");

    await admin.getByRole("radio", { name: "English" }).or(admin.getByRole("button", { name: "English" })).first().click();
    await admin.getByRole("heading", { name: "Timeline for a member who does not answer" }).waitFor();
    await assertAccessible(admin, "policy (en)");
    await shot(admin, "policy-en");
    await admin.context().close();

    const auditor = await invitedPerson(suite.service.api, suite.service.url, { displayName: "監査 四郎", loginId: "shiro", role: "auditor" });
    const reader = await personPage(suite.browser, suite.url, "shiro", PASSWORD, () => totpNow(auditor.secret));
    await reader.goto(`${suite.url}/settings/policy`);
    await reader.getByText("この設定は閲覧のみです。変更できるのは管理者です。").waitFor();
    await until(() => resendHours(reader), [2], "the auditor sees the saved policy's timeline");
    assert.equal(await reader.getByRole("button", { name: "保存", exact: true }).count(), 0, "an auditor saves nothing");
    assert.equal(await firstStepHours(reader).getAttribute("readonly"), "", "read only");
    await assertAccessible(reader, "policy, auditor (ja)");
    await shot(reader, "policy-auditor-ja");
    await reader.context().close();
  });
});
