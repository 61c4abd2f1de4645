/**
 * 利用者 (Members) in Debian's Chromium: search by name, open a member's page,
 * pause and resume, record an answer on their behalf with a reason; Japanese
 * and English with no WCAG 2.2 AA violation; screenshots saved. One database.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, screenshot, signedInPage } from "../support/console.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";

const ON = databaseKinds().at(-1) as "pglite" | "postgres";

describe(`members in the console (${ON})`, () => {
  let service: TestService;
  let browser: Browser;
  before(async () => {
    service = await startTestService(ON);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  test("find a member, open their page, pause, resume and answer on their behalf", async () => {
    for (const name of ["森 さくら", "森 太一", "清水 健"]) assert.equal((await service.api("POST", "/members", memberBody({ displayName: name }))).status, 201);
    const page = await signedInPage(browser, service.url, service.token);
    await page.getByRole("link", { name: "利用者", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "利用者" }).waitFor();
    await page.getByRole("link", { name: "清水 健" }).waitFor();
    await assertAccessible(page, "Members (ja)");
    await screenshot(page, "members-ja");
    await page.getByRole("searchbox", { name: "名前・電話番号で探す" }).fill("森");
    await page.getByRole("searchbox", { name: "名前・電話番号で探す" }).press("Enter");
    await page.getByText("「森」の検索結果（1ページ目）").waitFor();
    assert.deepEqual((await page.locator("tbody a").allTextContents()).sort(), ["森 さくら", "森 太一"]);
    await page.getByRole("link", { name: "森 さくら" }).click();
    await page.getByRole("heading", { level: 1, name: "森 さくら" }).waitFor();
    assert.match(page.url(), /\/members\/[0-9a-f-]{36}$/);
    await page.getByText("本人確認済み").or(page.getByText("未確認（登録を知らない可能性があります）")).first().waitFor();
    await assertAccessible(page, "Member page (ja)");
    await screenshot(page, "member-ja");

    await page.getByRole("button", { name: "休止する" }).click();
    await page.getByRole("button", { name: "再開する" }).waitFor();
    await page.getByRole("button", { name: "再開する" }).click();
    await page.getByRole("button", { name: "休止する" }).waitFor();
    await page.getByLabel("代わりに記録する理由（例: 電話で元気を確認）").fill("電話で元気を確認");
    await page.getByRole("button", { name: "元気と記録する" }).click();
    await page.locator(".plain li").filter({ hasText: "電話で元気を確認" }).waitFor();
    const id = page.url().split("/").at(-1) as string;
    const history = (await service.api("GET", `/members/${id}/history`)).body;
    assert.equal(history.answers[0].answer, "ok");
    assert.equal(history.answers[0].source, "staff");
    assert.equal(history.answers[0].note, "電話で元気を確認");

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 2, name: "Contacts" }).waitFor();
    await assertAccessible(page, "Member page (en)");
    await screenshot(page, "member-en");
    await page.getByRole("link", { name: "Back to the members" }).click();
    await page.getByRole("heading", { level: 1, name: "Members" }).waitFor();
    await assertAccessible(page, "Members (en)");
    await screenshot(page, "members-en");
    await page.context().close();
  });
});
