/**
 * The public directory page (/directory/{organisationId}) in Debian's Chromium
 * with JavaScript switched off, at phone size, as a resident reads it: the listed
 * services by kind of help, in Japanese and large type, with their schedule in
 * words, the next date, the place and a tel: link; the GET form filters by words,
 * kind and postal code; unlisted services and people's data never show; print
 * media hides the form. No WCAG 2.2 AA violation (axe runs on a scripted copy of
 * each page, as in report-form.test.ts: axe never settles on a page with
 * JavaScript off).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { IDS, sampleDirectoryRows } from "../support/directory-rows.ts";
import { seedDirectory } from "../support/directory-seed.ts";
import { consoleSuite, noScriptPage, screenshot } from "../support/console.ts";

const PHONE = { width: 390, height: 844 };
const HIDDEN_SERVICE = "01900000-0000-7000-8000-0000000002a1";

declare const getComputedStyle: (element: unknown) => { fontSize: string; display: string };

describe("the public directory page without JavaScript", () => {
  const suite = consoleSuite();

  test("lists the listed services by kind, in words, with the next date, place and phone; filters; nothing private; accessible", async () => {
    const organisationId = (await suite.service.api("GET", "/organisation")).body.id as string;
    const rows = sampleDirectoryRows();
    await seedDirectory(suite.service.store.db, organisationId, {
      ...rows,
      services: [...rows.services, { ...rows.services[0], id: HIDDEN_SERVICE, name: "非公開の配達" }],
    }, { unlisted: [HIDDEN_SERVICE] });
    const { page, copy, check, close } = await noScriptPage(suite.browser, PHONE);
    try {
      const response = await page.goto(`${suite.url}/directory/${organisationId}`);
      assert.equal(response?.status(), 200);
      assert.match(response?.headers()["content-security-policy"] ?? "", /default-src 'none'/);
      await page.getByRole("heading", { level: 1, name: "暮らしの支えあい・相談先の一覧" }).waitFor();
      // Kinds in the taxonomy's order: 通いの場 before 買い物支援.
      assert.deepEqual(await page.getByRole("heading", { level: 2 }).allTextContents(), ["通いの場", "買い物支援"]);
      const shopping = page.getByRole("article", { name: "買い物代行" });
      const text = await shopping.textContent() ?? "";
      assert.match(text, /毎週 月・水・金 9:00〜17:00（祝日は休み・年末年始は休み）/);
      assert.match(text, /〒650-0001 兵庫県神戸市中央区加納町6-5-1/);
      assert.match(text, /1回300円/);
      // The sandbox starts on Monday 2027-01-04 at 08:00 in Tokyo: it opens at 9:00 that day.
      assert.match(text, /次の予定2027年1月4日（月） 9:00/);
      assert.doesNotMatch(text, /開いています/);
      assert.equal(await shopping.getByRole("link", { name: "078-000-0000" }).getAttribute("href"), "tel:078-000-0000".replace(/-/g, ""));
      const salon = await page.getByRole("article", { name: "ふれあいサロン" }).textContent() ?? "";
      assert.match(salon, /一時休止中/);
      assert.match(salon, /毎月 第2火曜 10:00〜12:00/);
      assert.match(salon, /2027年6月15日（火） 14:00〜24:00/);
      // Temporarily closed: no next date is offered; the provider's closure ahead is announced.
      assert.doesNotMatch(salon, /次の予定/);
      assert.match(salon, /会場を移転しました臨時休業：2027年2月1日（月）〜2027年2月2日（火）（改修工事）/);
      assert.match(text, /臨時休業：2027年2月1日（月）〜2027年2月2日（火）（改修工事）/);
      const whole = await page.content();
      for (const secret of ["非公開の配達", "山田 花子", "090-0000-0000", "coordinator@city.example.jp"]) assert.ok(!whole.includes(secret), `not shown: ${secret}`);
      await check("Directory page: all");
      // Large type: measured on the checked copy (this page runs no script).
      const bodySize = Number.parseFloat(await copy.locator("body").evaluate((e) => getComputedStyle(e).fontSize));
      assert.ok(bodySize >= 20, `large type: ${bodySize}px`);
      await screenshot(page, "directory-page");

      // Filters by the GET form, without JavaScript.
      await page.getByLabel("分類").selectOption({ label: "買い物支援" });
      await page.getByRole("button", { name: "探す" }).click();
      await page.waitForURL(/category=shopping/);
      assert.deepEqual(await page.getByRole("article").evaluateAll((list) => list.map((a) => (a as { getAttribute(n: string): string | null }).getAttribute("aria-labelledby"))), [`s-${IDS.service}`]);
      await page.goto(`${suite.url}/directory/${organisationId}?area=${encodeURIComponent("651-0001")}`);
      await page.getByText("条件に合うサービスはありません").waitFor();
      assert.equal(await page.getByRole("status").textContent(), "条件に合うサービス 0 件");
      await check("Directory page: nothing found");
      await page.goto(`${suite.url}/directory/${organisationId}?q=${encodeURIComponent("サロン")}`);
      assert.deepEqual(await page.getByRole("heading", { level: 3 }).allTextContents(), ["ふれあいサロン"]);

      // Printing: the form and the page links go, the entries stay.
      await copy.setContent(await page.content(), { waitUntil: "load" });
      await copy.emulateMedia({ media: "print" });
      assert.equal(await copy.locator("form").evaluate((e) => getComputedStyle(e).display), "none");
      assert.notEqual(await copy.locator("article").first().evaluate((e) => getComputedStyle(e).display), "none");

      // A bad address is a page, not a stack trace.
      assert.equal((await page.goto(`${suite.url}/directory/not-an-id`))?.status(), 404);
      assert.equal((await page.goto(`${suite.url}/directory/01900000-0000-7000-8000-00000000fffe`))?.status(), 404);
      assert.equal((await page.goto(`${suite.url}/directory/${organisationId}?page=0`))?.status(), 400);
      await page.getByRole("heading", { level: 1 }).waitFor();
      await check("Directory page: refused");
    } finally {
      await close();
    }
  });
});
