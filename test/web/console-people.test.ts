/**
 * People in the console, in Debian's Chromium: the admin (signed in with the
 * token) invites a staff member; the staff member opens the link, installs the
 * authenticator from the page, chooses a password and is signed in; signs in
 * again with password and code; sees their sessions and signs out everywhere.
 * A watcher's menu offers only what the API lets them open. Every screen in
 * Japanese and English, with no WCAG 2.2 AA violation; screenshots saved.
 * The browser runs on one database (PostgreSQL when there is one).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, personPage, screenshot, signedInPage } from "../support/console.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson, PASSWORD, totpNow } from "../support/people.ts";

const ON = databaseKinds().at(-1) as string;

describe(`people in the console (${ON})`, () => {
  let service: TestService;
  let browser: Browser;
  before(async () => {
    service = await startTestService(ON as "pglite" | "postgres");
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  test("invite → accept with password and authenticator → signed in; sign in again; sign out everywhere", async () => {
    const admin = await signedInPage(browser, service.url, service.token);
    await admin.getByRole("link", { name: "職員・協力者" }).click();
    await admin.getByRole("heading", { level: 1, name: "職員・協力者" }).waitFor();
    await admin.getByLabel("氏名").fill("鈴木 花子");
    await admin.getByLabel("ログインID").fill("suzuki");
    await admin.getByRole("button", { name: "招待リンクを作る" }).click();
    const url = await admin.locator(".invitation-url").textContent();
    assert.match(url ?? "", /\/invite#[A-Za-z0-9_-]{32}$/);
    await admin.getByRole("cell", { name: "鈴木 花子", exact: true }).waitFor();
    await assertAccessible(admin, "People (ja)");
    await screenshot(admin, "people-ja");
    await admin.getByRole("radio", { name: "English" }).or(admin.getByRole("button", { name: "English" })).first().click();
    await admin.getByRole("heading", { level: 1, name: "People" }).waitFor();
    await assertAccessible(admin, "People (en)");
    await screenshot(admin, "people-en");
    await admin.context().close();

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "ja-JP" });
    const page = await context.newPage();
    await page.goto(url as string);
    await page.getByRole("heading", { level: 1, name: "アカウントの登録" }).waitFor();
    await page.getByRole("img", { name: "認証アプリに読み取らせるQRコード" }).waitFor();
    const secret = (await page.locator(".totp-secret").textContent()) as string;
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await assertAccessible(page, "invitation (ja, phone)");
    await screenshot(page, "invite-ja-phone");
    await page.getByLabel("新しいパスワード", { exact: true }).fill(PASSWORD);
    await page.getByLabel("新しいパスワード（確認）").fill(PASSWORD);
    await page.getByLabel("確認コード（6桁）").fill("000000");
    await page.getByRole("button", { name: "パスワードで登録してログイン" }).click();
    await page.getByRole("alert").filter({ hasText: "確認コードが違います" }).waitFor();
    await page.getByLabel("確認コード（6桁）").fill(await totpNow(secret));
    await page.getByRole("button", { name: "パスワードで登録してログイン" }).click();
    await page.getByText("鈴木 花子（職員）").waitFor();
    await page.getByRole("heading", { level: 1, name: "本日の状況" }).waitFor();
    await context.close();

    const again = await personPage(browser, service.url, "suzuki", PASSWORD, () => totpNow(secret));
    await again.getByRole("link", { name: "ログイン中の端末" }).click();
    await again.getByRole("heading", { level: 1, name: "ログイン中の端末" }).waitFor();
    await again.getByText("この端末").waitFor();
    assert.equal(await again.locator(".session-list li").count(), 2, "the invitation's session and this one");
    await assertAccessible(again, "My sessions (ja)");
    await screenshot(again, "sessions-ja");
    await again.getByRole("button", { name: "すべての端末からログアウト" }).click();
    await again.getByRole("heading", { name: "ログイン", exact: true }).waitFor();
    await assertAccessible(again, "sign-in form (ja)");
    await screenshot(again, "sign-in-person-ja");
    await again.context().close();
  });

  test("a watcher's menu offers only their visits, their requests as a volunteer and their own sessions; the invitation page and sessions in English", async () => {
    const watcher = await invitedPerson(service.api, service.url, { displayName: "民生委員 加藤", loginId: "kato", role: "watcher" });
    const page = await personPage(browser, service.url, "kato", PASSWORD, () => totpNow(watcher.secret));
    const links = await page.getByRole("navigation").getByRole("link").allTextContents();
    assert.deepEqual(links, ["わたしの訪問", "わたしへの依頼", "自分の連絡先", "ログイン中の端末", "パスキー"]);
    // Today is not theirs: they land on their visits.
    await page.goto(`${service.url}/today`);
    await page.getByRole("heading", { level: 1, name: "わたしの訪問" }).waitFor();
    await page.getByRole("link", { name: "ログイン中の端末" }).click();
    await page.getByRole("heading", { level: 1, name: "ログイン中の端末" }).waitFor();
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "My sessions" }).waitFor();
    await assertAccessible(page, "My sessions (en)");
    await screenshot(page, "sessions-en");
    await page.context().close();

    const invited = await service.api("POST", "/people", { displayName: "Ann Lee", loginId: "ann", role: "auditor" });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => localStorage.setItem("mimamori.lang", "en"));
    const invitation = await context.newPage();
    await invitation.goto(invited.body.invitation.url);
    await invitation.getByRole("heading", { level: 1, name: "Register your account" }).waitFor();
    await invitation.getByRole("img", { name: "QR code for the authenticator app" }).waitFor();
    await assertAccessible(invitation, "invitation (en)");
    await screenshot(invitation, "invite-en");
    await context.close();
  });

  test("監査ログ: an auditor sees who did what by name, reads people without changing them; Japanese and English", async () => {
    const teams = (await service.api("GET", "/teams")).body.teams as { id: string }[];
    const staff = await invitedPerson(service.api, service.url, { displayName: "記録 太郎", loginId: "kiroku", role: "staff", teamIds: teams.map((t) => t.id) });
    assert.equal((await staff.client.call("POST", "/members", { displayName: "監査対象", channels: [{ kind: "sandbox", address: "kansa" }], plan: { every: "1d", at: "09:00" } })).status, 201);
    const auditor = await invitedPerson(service.api, service.url, { displayName: "監査 木村", loginId: "kimura", role: "auditor" });
    const page = await personPage(browser, service.url, "kimura", PASSWORD, () => totpNow(auditor.secret));
    const links = await page.getByRole("navigation").getByRole("link").allTextContents();
    assert.deepEqual(links, ["本日の状況", "対応", "気づき", "利用者", "一斉配信・安否確認", "つながり", "報告", "機器", "協力事業者", "地域資源", "提供者", "困りごと", "担い手", "活動と出席", "設定", "職員・協力者", "APIトークン", "監査ログ", "ログイン中の端末", "パスキー"]);
    await page.getByRole("link", { name: "職員・協力者" }).click();
    await page.getByRole("cell", { name: "記録 太郎", exact: true }).waitFor();
    assert.equal(await page.getByRole("button", { name: "招待リンクを作る" }).count(), 0, "an auditor changes nothing");
    await page.getByRole("link", { name: "監査ログ" }).click();
    await page.getByRole("heading", { level: 1, name: "監査ログ" }).waitFor();
    const row = page.locator("tbody tr").filter({ hasText: "利用者を登録" }).first();
    await row.getByText("記録 太郎").waitFor();
    await page.getByRole("textbox", { name: "人（名前の一部）" }).fill("記録");
    await page.getByRole("button", { name: "絞り込む", exact: true }).click();
    // The server filters: wait for its answer (every row the staff member's), then check it.
    // Polled from here (the console's Content-Security-Policy allows no evaluated strings in the page).
    for (;;) {
      const texts = await page.locator("tbody tr td:nth-child(2)").allTextContents();
      if (texts.length > 0 && texts.every((t) => t.includes("記録 太郎"))) break;
      await page.waitForTimeout(100);
    }
    assert.ok((await page.locator("tbody tr").count()) >= 2, "the staff member's sign-in and registration");
    for (const text of await page.locator("tbody tr td:nth-child(2)").allTextContents()) assert.match(text, /記録 太郎/);
    await assertAccessible(page, "Audit log (ja)");
    await screenshot(page, "audit-ja");
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
    await assertAccessible(page, "Audit log (en)");
    await screenshot(page, "audit-en");
    await page.context().close();
  });
});
