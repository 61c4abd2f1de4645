/**
 * 設定 → 名称・利用規約 and 連絡手段, and the setup checks on 本日の状況, in
 * Debian's Chromium: an admin signs in, sees a setup check on Today with its
 * link, sets the service name and a logo (seen in the console's header and on
 * the check-in page), publishes a new version of the terms and sees the count
 * of members who agreed drop; a member agrees again through the link page and
 * their page shows the new version; staff record a phone member's agreement;
 * the e-mail form saves (the password never shown back), a test to oneself
 * reaches the local SMTP server under the service name and the channel's health
 * shows it; the setup check disappears once fixed. axe on every state, in
 * Japanese and English; screenshots in /tmp/shots-brand/.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { assertAccessible, consoleSuite, personPage } from "../support/console.ts";
import { invitedPerson, PASSWORD, totpNow } from "../support/people.ts";
import { memberBody, type SandboxMessage, sandbox } from "../support/sandbox.ts";
import { startSmtpServer } from "../support/smtp-server.ts";

const SHOTS = "/tmp/shots-brand";
/** A real 1×1 PNG, so the browser draws it. */
const PNG_1PX = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function toEnglish(page: Page): Promise<void> {
  await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
}

async function toJapanese(page: Page): Promise<void> {
  await page.getByRole("radio", { name: "日本語" }).or(page.getByRole("button", { name: "日本語" })).first().click();
}

describe("settings: branding, terms, channels and setup checks in the console", () => {
  const suite = consoleSuite();

  test("an admin brands the service, rotates the terms, sets up e-mail and clears the setup check", async () => {
    const { service, browser, url } = suite;
    const smtp = await startSmtpServer();
    try {
      const team = (await service.api("GET", "/teams")).body.teams[0].id as string;
      const admin = await invitedPerson(service.api, service.url, { displayName: "管理 佐藤", loginId: "sato", role: "admin", teamIds: [team] });
      const mine = await admin.client.call("POST", "/me/channels", { kind: "email", address: "sato@city.example.jp" });
      assert.equal(mine.status, 201, JSON.stringify(mine.body));
      const smsMember = (await service.api("POST", "/members", memberBody({
        displayName: "規約 花子", channels: [{ kind: "sms", address: "+819012345678" }], consent: { termsVersion: "1", at: "2026-12-01T09:00:00+09:00" },
      }))).body;
      const phoneMember = (await service.api("POST", "/members", memberBody({
        displayName: "電話 一郎", channels: [{ kind: "voice", address: "+81471234567" }], consent: { termsVersion: "1", at: "2026-12-01T09:00:00+09:00" },
      }))).body;
      assert.equal((await service.api("POST", "/terms", { version: "1", body: "第1条 はじめの規約" })).status, 201);
      const sb = sandbox(service.api);
      await sb.delivered();

      const page = await personPage(browser, url, "sato", PASSWORD, () => totpNow(admin.secret));
      // 本日の状況: the setup check (nobody on duty) with the link to where it is fixed.
      const checks = page.getByTestId("setup-checks");
      await checks.getByText("チーム「見守りステーション」に当番中で連絡先のある担当者がいません。").waitFor();
      assert.equal(await checks.getByRole("link", { name: "当番を確認する" }).getAttribute("href"), "/people");
      await assertAccessible(page, "Today with a setup check (ja)");
      await shot(page, "today-setup-check-ja");
      await toEnglish(page);
      await checks.getByText("Team “見守りステーション”: nobody on duty with a contact.").waitFor();
      await assertAccessible(page, "Today with a setup check (en)");
      await toJapanese(page);

      // 設定 → 名称・利用規約: the service name and the logo.
      await page.goto(`${url}/settings/branding`);
      await page.getByRole("heading", { level: 2, name: "名称・利用規約" }).waitFor();
      await page.getByTestId("terms-agreed").filter({ hasText: "2 / 2人" }).waitFor();
      await assertAccessible(page, "Branding, defaults (ja)");
      await page.getByLabel("サービス名", { exact: true }).fill("まつど見守り");
      await page.getByRole("button", { name: "名称を保存" }).click();
      await page.getByRole("status").filter({ hasText: "サービス名を保存しました。" }).waitFor();
      await page.getByTestId("service-name").filter({ hasText: "【まつど見守り】" }).waitFor();
      await page.getByLabel("画像ファイルを選ぶ").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: PNG_1PX });
      await page.getByRole("button", { name: "ロゴを保存" }).click();
      await page.getByRole("status").filter({ hasText: "ロゴを保存しました。" }).waitFor();
      await page.getByRole("img", { name: "まつど見守りのロゴ" }).waitFor();
      await page.getByTestId("header-logo").waitFor();
      assert.ok(await page.getByTestId("header-logo").evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth === 1), "the header's logo is drawn");
      // Not an image: refused in a sentence, nothing changed.
      await page.getByLabel("画像ファイルを選ぶ").setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: Buffer.from("<svg/>") });
      await page.getByRole("button", { name: "ロゴを保存" }).click();
      await page.getByText("ロゴは PNG・JPEG・WebP の画像を選んでください。").waitFor();

      // A new version of the terms: the count of members who agreed drops.
      await page.getByLabel("版番号（例: 2）").fill("2");
      await page.getByLabel("規約の本文").fill("第1条 改定した規約です。\n第2条 見守りはこれまでどおり続きます。");
      await page.getByRole("button", { name: "公開して同意をお願いする" }).click();
      await page.getByRole("status").filter({ hasText: "第2版を公開しました。1人に同意のお願いを送ります。電話の方 1人は職員が確認してください。" }).waitFor();
      await page.getByTestId("terms-agreed").filter({ hasText: "0 / 2人" }).waitFor();
      await page.getByTestId("terms-current").filter({ hasText: "第2版" }).waitFor();
      await assertAccessible(page, "Branding, terms rotated (ja)");
      await shot(page, "branding-ja");
      await toEnglish(page);
      await page.getByTestId("terms-agreed").filter({ hasText: "0 of 2" }).waitFor();
      await assertAccessible(page, "Branding, terms rotated (en)");
      await shot(page, "branding-en");
      await toJapanese(page);

      // The SMS member's request: its link page shows the service name, the logo and the terms; 同意する records it.
      await sb.advance("PT1M");
      let request: SandboxMessage | undefined;
      for (let i = 0; i < 100 && !request; i++) {
        request = (await sb.delivered()).find((m) => m.kind === "terms_request" && m.to.id === smsMember.id);
        if (!request) await page.waitForTimeout(100);
      }
      assert.ok(request, "the SMS member was asked to agree");
      assert.match(request.text, /^【まつど見守り】利用規約を改定しました（第2版）/);
      const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "ja-JP" });
      const phone = await phoneContext.newPage();
      await phone.goto(request.payload.link as string);
      assert.match(await phone.title(), /まつど見守り/);
      await phone.getByText("改定した規約です。").waitFor();
      assert.ok(await phone.locator("img.logo").evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth === 1), "the logo is drawn on the check-in page");
      await assertAccessible(phone, "Terms link page (ja/en)");
      await shot(phone, "terms-link-page");
      await phone.getByRole("button", { name: /同意する/ }).click();
      await phone.getByText("ありがとうございます。同意を受け付けました。").waitFor();
      await assertAccessible(phone, "Terms agreed page");
      await shot(phone, "terms-agreed-page");
      await phoneContext.close();

      // The member's page shows the new version; staff record the phone member's agreement.
      await page.goto(`${url}/members/${smsMember.id}`);
      await page.getByTestId("member-consent").filter({ hasText: "2版" }).waitFor();
      await assertAccessible(page, "Member agreed to version 2 (ja)");
      await page.goto(`${url}/members/${phoneMember.id}`);
      await page.getByText("現行版（第2版）への同意はまだありません。見守りはこのまま続きます。").waitFor();
      await assertAccessible(page, "Phone member, agreement outdated (ja)");
      await shot(page, "member-consent-outdated-ja");
      await page.getByRole("button", { name: "現行版（第2版）への同意を記録する" }).click();
      await page.getByTestId("member-consent").filter({ hasText: "2版" }).filter({ hasNotText: "まだありません" }).waitFor();
      await toEnglish(page);
      await page.getByTestId("member-consent").filter({ hasText: "version 2" }).waitFor();
      await assertAccessible(page, "Phone member, agreement recorded (en)");
      await toJapanese(page);
      await page.goto(`${url}/settings/branding`);
      await page.getByTestId("terms-agreed").filter({ hasText: "2 / 2人" }).waitFor();

      // 設定 → 連絡手段: e-mail saved in the form; the password is never shown back.
      await page.goto(`${url}/settings/channels`);
      const email = page.locator('[data-provider="email"]');
      await email.getByText("未設定").waitFor();
      await assertAccessible(page, "Channels, nothing configured (ja)");
      await email.getByLabel("SMTP サーバー", { exact: true }).fill(smtp.host);
      await email.getByLabel("ポート", { exact: true }).fill(String(smtp.port));
      await email.getByLabel("パスワード", { exact: true }).fill("secret-not-shown");
      await email.getByLabel("差出人のメールアドレス", { exact: true }).fill("mimamori@city.example.jp");
      await email.getByRole("button", { name: "保存", exact: true }).click();
      await page.getByRole("status").filter({ hasText: "メール（SMTP）の設定を保存しました。" }).waitFor();
      await email.getByText("設定済み").waitFor();
      assert.equal(await email.getByLabel("パスワード", { exact: true }).inputValue(), "", "the password is not shown back");
      assert.ok(!(await page.content()).includes("secret-not-shown"), "the secret is nowhere on the page");
      // A test to myself reaches the local SMTP server, under the service name.
      await email.getByRole("button", { name: "メール sato@city.example.jp にテストを送る" }).click();
      await email.getByRole("status").filter({ hasText: "テストを送りました。" }).waitFor();
      await sb.advance("PT1M");
      const mail = await smtp.waitFor((m) => m.to.includes("sato@city.example.jp"), 60_000);
      assert.match(mail.text ?? "", /^【まつど見守り】/);
      const from = mail.parsed.from?.value[0];
      assert.equal(from?.name, "まつど見守り", "the sender's name is the service name");
      await email.locator(".test-sent").waitFor({ timeout: 60_000 });
      await page.reload();
      await page.getByTestId("health-email").getByText(/最後に送れた日時: \d/).waitFor();
      await assertAccessible(page, "Channels, e-mail configured and healthy (ja)");
      await shot(page, "channels-ja");
      await toEnglish(page);
      await page.getByTestId("health-email").getByText(/Last sent: (?!never)/).waitFor();
      await assertAccessible(page, "Channels, e-mail configured and healthy (en)");
      await shot(page, "channels-en");
      await toJapanese(page);

      // Fixed: on duty with a contact; the setup check is gone from Today.
      assert.equal((await admin.client.call("PUT", "/me/duty", { onDuty: true })).status, 200);
      await page.goto(`${url}/today`);
      await page.getByRole("heading", { level: 1, name: "本日の状況" }).waitFor();
      await page.getByText("見守りステーション").first().waitFor();
      assert.equal(await page.getByTestId("setup-checks").count(), 0, "no setup checks once fixed");
      await assertAccessible(page, "Today, setup clear (ja)");
      await shot(page, "today-clear-ja");
    } finally {
      await smtp.close();
    }
  });
});
