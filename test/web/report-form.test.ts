/**
 * The partner's report form (/r/{short code}) and the public page of partners in
 * Debian's Chromium with JavaScript switched off, at phone size (390×844), as a
 * delivery worker on a round would use them: choosing 通報 shows the 110/119 call
 * notice first, in large type; a report without a place comes back with the error
 * on the page naming the field; a valid one ends on the thank-you page with its
 * reference and the public status page; the partners page lists listed partners
 * only. No WCAG 2.2 AA violation on any page.
 *
 * axe runs JavaScript, which this context has switched off — and run there it
 * never settles (`AxeBuilder.analyze()` on a `javaScriptEnabled: false` page
 * waits forever, which is what made an earlier version of this test time out):
 * each page's HTML as the browser holds it is checked in a second, scripted page
 * of the same size (the pages have no script of their own, so what axe sees is
 * what the partner sees). The form's POST answers 303 or 400 with a page, so
 * navigation is awaited by URL or by the response, never by a bare load event.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { BrowserContext, Page } from "playwright-core";
import { CALL_NOW } from "../../src/network/providers/report-form/pages.ts";
import { assertAccessible, consoleSuite, screenshot } from "../support/console.ts";

const PHONE = { width: 390, height: 844 };

/** The browser's own, inside `evaluate` (this project compiles without the DOM library). */
declare const getComputedStyle: (element: unknown) => { fontSize: string };

describe("the report form and the partners page without JavaScript", () => {
  const suite = consoleSuite();

  /** A JavaScript-disabled phone page, and a checker that runs axe on a copy of what it shows. */
  async function phone(): Promise<{ page: Page; copy: Page; check: (what: string) => Promise<void>; close: () => Promise<void> }> {
    const context: BrowserContext = await suite.browser.newContext({ viewport: PHONE, locale: "ja-JP", javaScriptEnabled: false });
    const axeContext = await suite.browser.newContext({ viewport: PHONE, locale: "ja-JP" });
    const page = await context.newPage();
    const copy = await axeContext.newPage();
    return {
      page,
      copy,
      async check(what) {
        await copy.setContent(await page.content(), { waitUntil: "load" });
        await assertAccessible(copy, what);
      },
      async close() {
        await context.close();
        await axeContext.close();
      },
    };
  }

  test("通報: the call notice first; a missing place is named on the page; a valid report gets a reference and a status page", async () => {
    const created = await suite.service.api("POST", "/network/partners", { name: "本町新聞販売所", kind: "home_visit" });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const code = created.body.shortCode as string;
    const { page, copy, check, close } = await phone();
    try {
      await page.goto(`${suite.url}/r/${code}`);
      await page.getByRole("heading", { level: 1, name: "見守りの気づきを知らせる" }).waitFor();
      await check("Report form: start");
      await screenshot(page, "report-form-start");

      await page.getByRole("link", { name: /^通報/ }).click();
      await page.waitForURL(/\?u=emergency$/);
      const notice = page.getByText(CALL_NOW);
      await notice.waitFor();
      // First on the page, above the title, in large type.
      const [noticeBox, titleBox] = [await notice.boundingBox(), await page.getByRole("heading", { level: 1 }).boundingBox()];
      assert.ok(noticeBox && titleBox && noticeBox.y < titleBox.y, "the call notice comes before the form's title");
      assert.ok(noticeBox.y < PHONE.height / 4, "the call notice is at the top of the screen");
      assert.equal(await page.getByRole("link", { name: /^110番に電話する\s*（警察）$/ }).getAttribute("href"), "tel:110");
      assert.equal(await page.getByRole("link", { name: /^119番に電話する\s*（救急・消防）$/ }).getAttribute("href"), "tel:119");
      await check("Report form: 通報");
      // Large type: measured on the checked copy (this page runs no script).
      const [noticeSize, bodySize] = [await copy.getByText(CALL_NOW).evaluate((e) => getComputedStyle(e).fontSize), await copy.locator("body").evaluate((e) => getComputedStyle(e).fontSize)];
      assert.ok(Number.parseFloat(noticeSize) >= 24 && Number.parseFloat(noticeSize) > Number.parseFloat(bodySize), `large type: ${noticeSize} over ${bodySize}`);
      await screenshot(page, "report-form-emergency");

      // No place at all: the form comes back (400) with the error naming the field, and what was typed kept.
      await page.getByRole("radio", { name: "体調が悪そう・倒れている" }).check();
      await page.getByRole("checkbox", { name: "呼びかけても応答がない" }).check();
      await page.getByLabel("くわしい様子（任意）").fill("玄関で倒れていると思われる");
      const refused = page.waitForResponse((r) => r.request().method() === "POST");
      await page.getByRole("button", { name: "送信する" }).click();
      assert.equal((await refused).status(), 400);
      await page.getByRole("heading", { level: 2, name: "送信できませんでした。次の点を直してください。" }).waitFor();
      await page.getByText("場所: 場所を教えてください。住所か登録番号のどちらかを入力してください。").waitFor();
      assert.equal(await page.getByLabel("くわしい様子（任意）").inputValue(), "玄関で倒れていると思われる");
      assert.ok(await page.getByRole("checkbox", { name: "呼びかけても応答がない" }).isChecked());
      await notice.waitFor();
      await check("Report form: refused");
      await screenshot(page, "report-form-refused");

      await page.getByRole("textbox", { name: "住所" }).fill("東京都大田区本町2-3-4");
      await page.getByRole("textbox", { name: "お名前" }).fill("配達員 田中");
      await page.getByRole("button", { name: "送信する" }).click();
      await page.waitForURL(/\/done\/[0-9a-f-]{36}$/);
      await page.getByRole("heading", { level: 1, name: "送信しました。ありがとうございました。" }).waitFor();
      const reference = (await page.locator(".ref").textContent()) ?? "";
      assert.match(reference, /^[0-9a-f-]{36}$/);
      const stored = await suite.service.api("GET", `/network/reports/${reference}`);
      assert.equal(stored.status, 200);
      assert.deepEqual([stored.body.urgency, stored.body.serviceCode, stored.body.address], ["emergency", "unwell", "東京都大田区本町2-3-4"]);
      await check("Report form: thanks");
      await screenshot(page, "report-form-thanks");

      await page.getByRole("link", { name: "対応の状況を見る" }).click();
      await page.getByRole("heading", { level: 1, name: "対応の状況" }).waitFor();
      await page.getByRole("heading", { level: 2, name: "確認中" }).waitFor();
      const status = await page.content();
      for (const personal of ["本町2-3-4", "田中", "倒れている"]) assert.ok(!status.includes(personal), `no ${personal} on the public status page`);
      await check("Report form: status");
      await screenshot(page, "report-form-status");
    } finally {
      await close();
    }
  });

  test("the public partners page shows the listed partners only", async () => {
    const add = (name: string, listed: boolean) =>
      suite.service.api("POST", "/network/partners", { name, kind: "shop", business: "食料品", agreementDate: "2026-04-01", listed });
    assert.equal((await add("みなと食品 本町店", true)).status, 201);
    assert.equal((await add("非公開 商店", false)).status, 201);
    const list = await suite.service.api("GET", "/network/partners");
    const url = new URL(list.body.publicPageUrl as string);
    const { page, check, close } = await phone();
    try {
      await page.goto(`${suite.url}${url.pathname}`);
      await page.getByRole("heading", { level: 1, name: "見守り協力事業者" }).waitFor();
      await page.getByText("みなと食品 本町店").waitFor();
      await page.getByText("店舗・食料品・協定 2026-04-01").waitFor();
      assert.equal(await page.getByText("非公開 商店").count(), 0, "an unlisted partner is not shown");
      await check("Partners page");
      await screenshot(page, "partners-page");
    } finally {
      await close();
    }
  });
});
