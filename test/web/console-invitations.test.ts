/**
 * Inviting by e-mail in the console, in Debian's Chromium: an admin (signed in
 * with password and authenticator code) invites a staff member by e-mail; the
 * test reads the mail from the local SMTP server and follows its link, where
 * the staff member registers and is signed in. The admin then changes the
 * person's role and teams. Japanese and English, axe, screenshots.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, personPage, screenshot } from "../support/console.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitationLinkOf, invitedPerson, PASSWORD, totpNow } from "../support/people.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";

const ON = databaseKinds().at(-1) as string;

describe(`invitations by e-mail in the console (${ON})`, () => {
  let service: TestService;
  let smtp: TestSmtpServer;
  let browser: Browser;
  before(async () => {
    smtp = await startSmtpServer();
    service = await startTestService(ON as "pglite" | "postgres");
    const configured = await service.api("PUT", "/channels/email", { host: smtp.host, port: smtp.port, secure: false, from: "mimamori@city.example.jp", fromName: "見守り" });
    assert.equal(configured.status, 200, JSON.stringify(configured.body));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
    await smtp?.close();
  });

  test("an admin invites a staff member by e-mail; the mail's link registers them; the admin changes their role and teams", async () => {
    const team = (await service.api("POST", "/teams", { name: "南地区" })).body;
    const admin = await invitedPerson(service.api, service.url, { displayName: "管理 二郎", loginId: "jiro", role: "admin" });
    const page = await personPage(browser, service.url, "jiro", PASSWORD, () => totpNow(admin.secret));
    await page.getByRole("link", { name: "職員・協力者" }).click();
    await page.getByRole("heading", { level: 1, name: "職員・協力者" }).waitFor();
    await page.getByLabel("氏名").fill("山田 花");
    await page.getByLabel("ログインID").fill("hana");
    await page.getByLabel("メールアドレス").fill("hana@city.example.jp");
    await page.locator("label").filter({ hasText: "メールで送る" }).click();
    assert.ok(await page.getByRole("radio", { name: "メールで送る" }).isChecked());
    await page.getByRole("button", { name: "招待メールを送る" }).click();
    await page.getByRole("heading", { name: "山田 花 さんに招待メールを送りました" }).waitFor();
    assert.equal(await page.locator(".invitation-url").count(), 0, "an e-mailed link is not shown");
    await assertAccessible(page, "People after an e-mailed invitation (ja)");
    await screenshot(page, "people-invited-by-email-ja");

    const mail = await smtp.waitFor((m) => m.to.includes("hana@city.example.jp"));
    const link = invitationLinkOf(mail.text);
    assert.ok(link, mail.text ?? "");
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "ja-JP" });
    const invited = await context.newPage();
    await invited.goto(link[0]);
    await invited.getByRole("heading", { level: 1, name: "アカウントの登録" }).waitFor();
    const secret = (await invited.locator(".totp-secret").textContent()) as string;
    await invited.getByLabel("新しいパスワード", { exact: true }).fill(PASSWORD);
    await invited.getByLabel("新しいパスワード（確認）").fill(PASSWORD);
    await invited.getByLabel("確認コード（6桁）").fill(await totpNow(secret));
    await invited.getByRole("button", { name: "パスワードで登録してログイン" }).click();
    await invited.getByText("山田 花（職員）").waitFor();
    await context.close();

    await page.reload();
    await page.getByRole("row").filter({ hasText: "山田 花" }).getByText("利用中").waitFor();
    await page.getByRole("button", { name: "山田 花 さんの名前・役割・チームを変更" }).click();
    await page.getByRole("heading", { name: "山田 花 さんを変更" }).waitFor();
    const form = page.getByRole("form", { name: "山田 花 さんを変更" });
    await form.getByRole("button", { name: /役割/ }).click();
    await page.getByRole("option", { name: "見守り協力者" }).click();
    await form.locator("label").filter({ hasText: "南地区" }).click();
    assert.ok(await form.getByRole("checkbox", { name: "南地区" }).isChecked());
    await assertAccessible(page, "People, changing a person (ja)");
    await screenshot(page, "people-edit-ja");
    await form.getByRole("button", { name: "保存する" }).click();
    await page.getByRole("row").filter({ hasText: "山田 花" }).getByRole("cell", { name: "見守り協力者" }).waitFor();
    const changed = (await service.api("GET", "/people")).body.people.find((p: { loginId: string }) => p.loginId === "hana");
    assert.equal(changed.role, "watcher");
    assert.deepEqual(changed.teamIds, [team.id]);

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "People" }).waitFor();
    await page.locator("label").filter({ hasText: "Send it by e-mail" }).click();
    await page.getByRole("button", { name: "Send the invitation e-mail" }).waitFor();
    await assertAccessible(page, "People, invitation by e-mail (en)");
    await screenshot(page, "people-invite-by-email-en");
    await page.context().close();
  });

  test("API tokens: an admin creates one (its secret shown once) and revokes it; an auditor sees them and changes nothing", async () => {
    const admin = await invitedPerson(service.api, service.url, { displayName: "管理 三郎", loginId: "saburo", role: "admin" });
    const page = await personPage(browser, service.url, "saburo", PASSWORD, () => totpNow(admin.secret));
    await page.getByRole("link", { name: "APIトークン" }).click();
    await page.getByRole("heading", { level: 1, name: "APIトークン" }).waitFor();
    await page.getByLabel("名前", { exact: true }).fill("市の基幹システム");
    await page.getByRole("button", { name: "トークンを作る" }).click();
    await page.getByRole("heading", { name: "トークン「市の基幹システム」を作りました" }).waitFor();
    const secret = (await page.locator(".token-secret").textContent()) as string;
    assert.equal((await service.api("GET", "/organisation", undefined, secret)).status, 200, "the shown secret works");
    const row = page.getByRole("row").filter({ hasText: "市の基幹システム" });
    await row.getByRole("cell", { name: "閲覧のみ" }).waitFor();
    assert.doesNotMatch(await page.locator("table").textContent() ?? "", new RegExp(secret), "the list shows no secret");
    await assertAccessible(page, "API tokens (ja)");
    await screenshot(page, "tokens-ja");
    await page.getByRole("button", { name: "市の基幹システム を取り消す" }).click();
    await row.getByText(/に取り消し$/).waitFor();
    assert.equal((await service.api("GET", "/organisation", undefined, secret)).status, 401, "revoked at once");
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "API tokens" }).waitFor();
    await assertAccessible(page, "API tokens (en)");
    await screenshot(page, "tokens-en");
    await page.context().close();

    const auditor = await invitedPerson(service.api, service.url, { displayName: "監査 四郎", loginId: "shiro", role: "auditor" });
    const reader = await personPage(browser, service.url, "shiro", PASSWORD, () => totpNow(auditor.secret));
    await reader.getByRole("link", { name: "APIトークン" }).click();
    await reader.getByRole("row").filter({ hasText: "市の基幹システム" }).waitFor();
    assert.equal(await reader.getByRole("button", { name: "トークンを作る" }).count(), 0, "an auditor creates nothing");
    assert.equal(await reader.getByRole("button", { name: /を取り消す$/ }).count(), 0, "an auditor revokes nothing");
    await reader.getByRole("link", { name: "職員・協力者" }).click();
    await reader.getByRole("row").filter({ hasText: "管理 三郎" }).waitFor();
    assert.equal(await reader.getByRole("button", { name: /を変更$/ }).count(), 0, "an auditor changes nobody");
    await reader.context().close();
  });
});
