/**
 * Passkeys in the console, in Debian's Chromium with its virtual authenticator
 * (DevTools' WebAuthn domain through playwright-core's CDP session: a platform
 * authenticator with resident keys and user verification, as a phone's):
 * an admin signs in with password and authenticator code, registers a passkey
 * on their passkeys screen, signs out and signs in with the passkey; an invited
 * staff member registers with a passkey instead of a password. Every screen in
 * Japanese and English with no WCAG 2.2 AA violation; screenshots saved. The
 * console is opened at http://localhost:PORT: browsers take no IP address as a
 * passkey's site.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, personPage, screenshot } from "../support/console.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson, PASSWORD, totpNow } from "../support/people.ts";

const ON = databaseKinds().at(-1) as string;

/** Adds Chromium's virtual platform authenticator to a page; returns what it holds. */
async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<() => Promise<{ credentialId: string; signCount: number }[]>> {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
}

describe(`passkeys in the console (${ON})`, () => {
  let service: TestService;
  let browser: Browser;
  let url: string;
  before(async () => {
    service = await startTestService(ON as "pglite" | "postgres");
    browser = await launchBrowser();
    url = service.url.replace("127.0.0.1", "localhost");
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  test("an admin signs in with password and code, registers a passkey, and signs in with it", async () => {
    const admin = await invitedPerson(service.api, url, { displayName: "管理 一郎", loginId: "ichiro", role: "admin" });
    const page = await personPage(browser, url, "ichiro", PASSWORD, () => totpNow(admin.secret));
    const credentials = await virtualAuthenticator(page.context(), page);
    await page.getByRole("link", { name: "パスキー" }).click();
    await page.getByRole("heading", { level: 1, name: "パスキー" }).waitFor();
    await page.getByText("パスキーはまだ登録されていません。").waitFor();
    await page.getByLabel("新しいパスキーの名前").fill("事務所のPC");
    await page.getByRole("button", { name: "この端末をパスキーとして登録" }).click();
    await page.getByRole("status").filter({ hasText: "パスキーを登録しました。" }).waitFor();
    await page.locator(".passkey-item").filter({ hasText: "事務所のPC" }).waitFor();
    const held = await credentials();
    assert.equal(held.length, 1, "the authenticator holds the new passkey");
    const listed = (await admin.client.call("GET", "/passkeys")).body.passkeys;
    assert.equal(listed.length, 1);
    assert.equal(listed[0].name, "事務所のPC");
    await assertAccessible(page, "Passkeys (ja)");
    await screenshot(page, "passkeys-ja");
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "Passkeys" }).waitFor();
    await assertAccessible(page, "Passkeys (en)");
    await screenshot(page, "passkeys-en");
    await page.getByRole("radio", { name: "日本語" }).or(page.getByRole("button", { name: "日本語" })).first().click();

    await page.getByRole("button", { name: "ログアウト" }).click();
    await page.getByRole("heading", { name: "ログイン", exact: true }).waitFor();
    await assertAccessible(page, "sign-in with a passkey offered (ja)");
    await screenshot(page, "sign-in-passkey-ja");
    await page.getByRole("button", { name: "パスキーでログイン" }).click();
    await page.getByText("管理 一郎（管理者）").waitFor();
    await page.getByRole("heading", { level: 1, name: "本日の状況" }).waitFor();
    assert.equal((await credentials())[0].signCount, held[0].signCount + 1, "the passkey signed");
    const used = (await admin.client.call("GET", "/passkeys")).body.passkeys[0];
    assert.ok(used.lastUsedAt, "the sign-in is recorded on the passkey");

    await page.getByRole("link", { name: "パスキー" }).click();
    await page.getByRole("button", { name: "事務所のPC を削除" }).click();
    await page.getByText("パスキーはまだ登録されていません。").waitFor();
    await page.context().close();
  });

  test("an invited staff member registers with a passkey instead of a password; the invitation page in English", async () => {
    const invited = await service.api("POST", "/people", { displayName: "鍵 花子", loginId: "hanako", role: "staff" });
    assert.equal(invited.status, 201);
    const link = (invited.body.invitation.url as string).replace("127.0.0.1", "localhost");
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "ja-JP" });
    const page = await context.newPage();
    await virtualAuthenticator(context, page);
    await page.goto(link);
    await page.getByRole("heading", { level: 1, name: "アカウントの登録" }).waitFor();
    await page.getByRole("heading", { level: 2, name: "パスキーで登録する（おすすめ）" }).waitFor();
    await assertAccessible(page, "invitation with passkey (ja, phone)");
    await screenshot(page, "invite-passkey-ja-phone");
    await page.getByLabel("この端末の名前").fill("私のスマホ");
    await page.getByRole("button", { name: "パスキーを登録してログイン" }).click();
    await page.getByText("鍵 花子（職員）").waitFor();
    await page.getByRole("heading", { level: 1, name: "本日の状況" }).waitFor();
    await page.getByRole("link", { name: "パスキー" }).click();
    await page.locator(".passkey-item").filter({ hasText: "私のスマホ" }).waitFor();
    await context.close();

    const other = await service.api("POST", "/people", { displayName: "Ann Key", loginId: "annkey", role: "staff" });
    const english = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await english.addInitScript(() => localStorage.setItem("mimamori.lang", "en"));
    const invitation = await english.newPage();
    await invitation.goto((other.body.invitation.url as string).replace("127.0.0.1", "localhost"));
    await invitation.getByRole("heading", { level: 2, name: "Register with a passkey (recommended)" }).waitFor();
    await assertAccessible(invitation, "invitation with passkey (en)");
    await screenshot(invitation, "invite-passkey-en");
    await invitation.goto(url);
    await invitation.getByRole("button", { name: "Sign in with a passkey" }).waitFor();
    await assertAccessible(invitation, "sign-in with a passkey offered (en)");
    await screenshot(invitation, "sign-in-passkey-en");
    await english.close();
  });
});
