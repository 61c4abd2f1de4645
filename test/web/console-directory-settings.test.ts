/**
 * 地域資源の設定 in Debian's Chromium: the 年末年始 rule of the directory, read on
 * the 地域資源 screen, changed by an admin (off, then back on with other dates),
 * what the API then answers; staff read it without a form. Japanese and
 * English, axe-clean; screenshots saved. And 公開ページとHSDS API: the public
 * page's and the HSDS API's full addresses, from the server, with copy buttons,
 * at phone width.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAccessible, consoleSuite, screenshot, signedInPage } from "../support/console.ts";

describe("the directory's settings in the console", () => {
  const suite = consoleSuite();

  test("an admin turns 年末年始 off and on with other dates on the 地域資源 screen; staff read it", async () => {
    const api = suite.service.api;
    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.getByRole("navigation").getByRole("link", { name: "地域資源", exact: true }).click();
    const section = page.getByRole("region", { name: "地域資源の設定" });
    await section.getByText("年末年始（12/29〜1/3）は、繰り返しの開館日・催しを休みとして扱います", { exact: false }).waitFor();
    await assertAccessible(page, "Directory settings (ja)");
    await section.getByText("年末年始を休みにする").click();
    await section.getByRole("button", { name: "設定を保存する" }).click();
    await section.getByRole("status").getByText("設定を保存しました。").waitFor();
    await section.getByText("年末年始も、繰り返しの開館日・催しを通常どおり扱います。").waitFor();
    assert.equal((await api("GET", "/directory/settings")).body.yearEndClosed, false);

    await section.getByText("年末年始を休みにする").click();
    await section.getByLabel("最後の日（月-日、例 01-03）").fill("01-05");
    await section.getByRole("button", { name: "設定を保存する" }).click();
    await section.getByText("年末年始（12/29〜1/5）は", { exact: false }).waitFor();
    const saved = (await api("GET", "/directory/settings")).body;
    assert.deepEqual([saved.yearEndClosed, saved.yearEndFirst, saved.yearEndLast], [true, "12-29", "01-05"]);
    await section.getByLabel("最後の日（月-日、例 01-03）").fill("1/5");
    await section.getByRole("button", { name: "設定を保存する" }).click();
    await section.getByRole("alert").waitFor();
    assert.equal((await api("GET", "/directory/settings")).body.yearEndLast, "01-05", "a bad date changes nothing");
    await assertAccessible(page, "Directory settings refused (ja)");
    await screenshot(page, "directory-settings-ja");

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    const english = page.getByRole("region", { name: "Directory settings" });
    await english.getByText("The year-end holidays (12/29–1/5) close every repeating opening", { exact: false }).waitFor();
    await assertAccessible(page, "Directory settings (en)");
    await page.context().close();

    const staff = (await api("POST", "/tokens", { name: "staff", role: "staff" })).body.token;
    const staffPage = await signedInPage(suite.browser, suite.url, staff);
    await staffPage.getByRole("navigation").getByRole("link", { name: "地域資源", exact: true }).click();
    const read = staffPage.getByRole("region", { name: "地域資源の設定" });
    await read.getByText("年末年始（12/29〜1/5）は", { exact: false }).waitFor();
    assert.equal(await read.getByRole("button", { name: "設定を保存する" }).count(), 0, "staff read only");
    await staffPage.context().close();
  });

  test("公開ページとHSDS API: the full addresses from the server with the organisation id, a copy button each, at phone width (ja, en)", async () => {
    const links = (await suite.service.api("GET", "/directory/public-links")).body;
    assert.match(links.publicPage, new RegExp(`^https?://[^/]+/directory/${links.organisationId}$`));
    assert.equal(links.hsdsApi, links.publicPage.replace("/directory/", "/api/v1/hsds/"));
    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${suite.url}/resources`);
    const section = page.getByRole("region", { name: "公開ページとHSDS API" });
    await section.getByRole("link", { name: links.publicPage }).waitFor();
    assert.equal(await section.getByRole("link", { name: links.hsdsApi }).getAttribute("href"), links.hsdsApi);
    await section.getByText(links.organisationId, { exact: true }).waitFor();
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);
    await section.getByRole("button", { name: "HSDS APIのアドレスをコピー" }).click();
    await section.getByRole("status").getByText("HSDS APIのアドレスをコピーしました。").waitFor();
    assert.equal(await page.evaluate("navigator.clipboard.readText()"), links.hsdsApi);
    assert.ok(await page.evaluate("document.documentElement.scrollWidth") as number <= 390, "no sideways scrolling at phone width");
    await assertAccessible(page, "Public links (ja, phone)");
    await screenshot(page, "directory-public-links-ja-phone");
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    const english = page.getByRole("region", { name: "Public page and HSDS API" });
    await english.getByRole("button", { name: "Copy the Public page address" }).waitFor();
    await assertAccessible(page, "Public links (en, phone)");
    await page.context().close();
  });
});
