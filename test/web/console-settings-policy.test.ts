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
  /** The auditor invited by the first test (tests run in order). */
  let auditorSecret = "";

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
    auditorSecret = auditor.secret;
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

  test("admin: templates with placeholders, live preview and limits; an over-long SMS is refused with the reason; auditor reads only", async () => {
    const admin = await signedInPage(suite.browser, suite.url, suite.service.token);
    await admin.goto(`${suite.url}/settings/templates`);
    await admin.getByRole("heading", { level: 2, name: "メッセージの文面" }).waitFor();
    const line = admin.locator('.template[data-channel="line"]');
    const sms = admin.locator('.template[data-channel="sms"]');
    await line.getByLabel("LINE の文面").waitFor();
    await assertAccessible(admin, "templates (ja)");
    await shot(admin, "templates-ja");

    // Type a new LINE prompt, insert {name} with its button: the preview fills it in as it is typed.
    const lineText = line.getByLabel("LINE の文面");
    await lineText.fill("こんにちは、");
    await lineText.press("End");
    await line.getByRole("button", { name: "{name}（利用者の名前）を挿入" }).click();
    await until(() => lineText.inputValue(), "こんにちは、{name}", "the placeholder is inserted");
    await until(async () => (await line.locator(".template-preview").textContent())?.startsWith("こんにちは、見守花子さくら太郎"), true, "live preview");
    await until(async () => line.locator('[data-limit="chars"]').textContent(), "15 / 5000 文字（例の値で）", "characters counted as typed");
    await line.getByRole("button", { name: "LINE の文面を保存" }).click();
    await admin.getByRole("status").filter({ hasText: "LINE の文面を保存しました" }).waitFor();
    await line.getByRole("heading", { name: "LINE（団体の文面）" }).waitFor();
    const saved = await suite.service.api("GET", "/message-templates");
    assert.equal(saved.body.templates.find((x: { kind: string; channel: string }) => x.kind === "prompt" && x.channel === "line").text, "こんにちは、{name}");

    // An SMS of 250 characters: the segment count shows it before saving, and saving is refused with the reason.
    const smsText = sms.getByLabel("SMS の文面");
    await smsText.fill("あ".repeat(250));
    await until(async () => sms.locator('[data-limit="sms"]').textContent(), "SMS 5 / 4 通分（UCS-2、リンクを含め 313 文字）", "segments counted as typed");
    await sms.getByRole("button", { name: "SMS の文面を保存" }).click();
    await sms.getByRole("alert").filter({ hasText: "この手段には長すぎます" }).waitFor();
    assert.equal(await smsText.getAttribute("aria-invalid"), "true");
    await assertAccessible(admin, "templates, SMS refused (ja)");
    await shot(admin, "templates-sms-refused-ja");

    await admin.getByRole("radio", { name: "English" }).or(admin.getByRole("button", { name: "English" })).first().click();
    await admin.getByRole("heading", { level: 2, name: "Message templates" }).waitFor();
    await assertAccessible(admin, "templates (en)");
    await shot(admin, "templates-en");
    await admin.context().close();

    const reader = await personPage(suite.browser, suite.url, "shiro", PASSWORD, () => totpNow(auditorSecret));
    await reader.goto(`${suite.url}/settings/templates`);
    await reader.getByText("文面は閲覧のみです。変更できるのは管理者です。").waitFor();
    const readerLine = reader.locator('.template[data-channel="line"]');
    await until(async () => readerLine.getByLabel("LINE の文面").inputValue(), "こんにちは、{name}", "the auditor sees the saved text");
    assert.equal(await readerLine.getByLabel("LINE の文面").getAttribute("readonly"), "");
    assert.equal(await reader.getByRole("button", { name: /を保存$/ }).count(), 0, "an auditor saves nothing");
    await assertAccessible(reader, "templates, auditor (ja)");
    await shot(reader, "templates-auditor-ja");
    await reader.context().close();
  });
});
