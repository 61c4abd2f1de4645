/**
 * The console in Debian's Chromium: served by the service itself at /, signed in
 * with the admin token, Today's board in Japanese and English with no WCAG 2.2 AA
 * violation, and an answer showing on the board without a reload. Screenshots go
 * to test-results/screenshots/. The browser part runs on one database (PostgreSQL
 * when there is one); the serving rules on every database.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, screenshot, signedInPage } from "../support/console.ts";
import { databaseKinds, startTestService, type TestService, TOKYO } from "../support/harness.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";

const BROWSER_ON = databaseKinds().at(-1);

for (const kind of databaseKinds()) {
  describe(`the console on ${kind}`, () => {
    let service: TestService;
    let browser: Browser | undefined;
    before(async () => {
      service = await startTestService(kind);
      if (kind === BROWSER_ON) browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await service?.close();
    });

    test("/ and the console's paths answer its page; /api stays JSON", async () => {
      for (const path of ["/", "/today", "/members/x?y=1"]) {
        const page = await fetch(`${service.url}${path}`, { headers: { accept: "text/html,application/xhtml+xml" } });
        assert.equal(page.status, 200, path);
        assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
        assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'self'/);
        assert.match(await page.text(), /<div id="root"><\/div>/);
      }
      const api = await fetch(`${service.url}/api/v1/nothing-here`, { headers: { accept: "text/html" } });
      assert.equal(api.status, 404);
      assert.equal(((await api.json()) as { error: { code: string } }).error.code, "not_found");
      const machine = await fetch(`${service.url}/no-such-file.json`);
      assert.equal(machine.status, 404, "a client that does not ask for HTML gets the API's not_found");
      assert.equal(((await machine.json()) as { error: { code: string } }).error.code, "not_found");
      const html = await (await fetch(`${service.url}/`, { headers: { accept: "text/html" } })).text();
      const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      assert.ok(asset, "the page loads a built script");
      const script = await fetch(`${service.url}${asset}`);
      assert.equal(script.status, 200);
      assert.match(script.headers.get("cache-control") ?? "", /immutable/);
    });

    if (kind !== BROWSER_ON) return;

    test("sign-in: a wrong token is told in a sentence; Today in Japanese and English passes WCAG 2.2 AA", async () => {
      const b = browser as Browser;
      const context = await b.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(service.url);
      assert.equal(await page.getAttribute("html", "lang"), "ja");
      await page.getByRole("heading", { name: "ログイン", exact: true }).waitFor();
      await assertAccessible(page, "sign-in (ja)");
      await screenshot(page, "sign-in-ja");
      await page.getByRole("button", { name: "APIトークンでログイン" }).click();
      await page.getByLabel("APIトークン", { exact: true }).fill("mmr_wrong");
      await page.getByRole("button", { name: "トークンでログイン", exact: true }).click();
      await page.getByRole("alert").filter({ hasText: "APIトークンが正しくないか" }).waitFor();
      await assertAccessible(page, "sign-in with the token form open (ja)");
      await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
      await page.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
      assert.equal(await page.getAttribute("html", "lang"), "en");
      await assertAccessible(page, "sign-in (en)");
      await screenshot(page, "sign-in-en");
      await context.close();

      for (const name of ["佐々木", "高橋"]) {
        assert.equal((await service.api("POST", "/members", memberBody({ displayName: name }))).status, 201);
      }
      await sandbox(service.api).clockTo(TOKYO("2027-01-04T09:01:00"));
      for (const lang of ["ja", "en"] as const) {
        const signedIn = await signedInPage(b, service.url, service.token, { lang });
        await signedIn.getByRole("heading", { level: 1, name: lang === "ja" ? "本日の状況" : "Today" }).waitFor();
        await signedIn.getByText("佐々木").first().waitFor();
        assert.ok(await signedIn.getByText(lang === "ja" ? "2027年1月4日(月)" : "Mon 4 Jan 2027").isVisible(), "the organisation's date");
        await assertAccessible(signedIn, `Today (${lang})`);
        await screenshot(signedIn, `today-${lang}`);
        await signedIn.context().close();
      }
    });

    test("an answer shows on the board without a reload", async () => {
      const created = await service.api("POST", "/members", memberBody({ displayName: "中村", plan: { every: "1d", at: "10:00" } }));
      assert.equal(created.status, 201);
      await sandbox(service.api).clockTo(TOKYO("2027-01-04T10:01:00"));
      const page = await signedInPage(browser as Browser, service.url, service.token, { viewport: { width: 820, height: 1180 } });
      const answered = page.locator('[data-bucket="answered"]');
      const waiting = page.locator('[data-bucket="waiting"]');
      await waiting.getByText("中村").waitFor();
      assert.equal(await answered.getByText("中村").count(), 0);
      await page.evaluate(() => {
        (globalThis as unknown as { marker: boolean }).marker = true;
      });
      await sandbox(service.api).reply(created.body.id, "ok");
      await answered.getByText("中村").waitFor();
      assert.equal(await waiting.getByText("中村").count(), 0);
      assert.equal(await page.evaluate(() => (globalThis as unknown as { marker?: boolean }).marker), true, "the same page, not a reload");
      await screenshot(page, "today-tablet-ja");
      await page.context().close();
    });
  });
}
