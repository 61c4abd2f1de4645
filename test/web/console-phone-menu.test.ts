/**
 * The console's menu on a phone (390 px): one row that scrolls sideways, where
 * 地域資源 and 困りごと start off-screen. A shadow at the edge with more menu
 * says so — drawn while there is more, hidden once that end is reached — and
 * the current screen's link is brought into the row when a screen opens (困りごと
 * opened by its address is visible, not left off-screen). Screenshots saved.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { assertAccessible, consoleSuite, screenshot, signedInPage } from "../support/console.ts";

const PHONE = { width: 390, height: 844 };

/** The pixels of the menu row's right edge (the last 12 px), with the row's background as styled or flat paper. */
async function rightEdge(page: Page, flat: boolean): Promise<Buffer> {
  const nav = page.getByRole("navigation");
  await nav.evaluate((el, f) => { (el as unknown as { style: { background: string } }).style.background = f ? "var(--paper)" : ""; }, flat);
  const box = await nav.boundingBox();
  assert.ok(box);
  const shot = await page.screenshot({ clip: { x: box.x + box.width - 12, y: box.y, width: 12, height: box.height - 1 } });
  await nav.evaluate((el) => { (el as unknown as { style: { background: string } }).style.background = ""; });
  return shot;
}

const inView = async (page: Page, name: string) => {
  const box = await page.getByRole("navigation").getByRole("link", { name, exact: true }).boundingBox();
  return !!box && box.x >= 0 && box.x + box.width <= PHONE.width;
};

describe("the console's menu on a phone", () => {
  const suite = consoleSuite();

  test("the sideways row shows a shadow while more menu is off-screen, and brings the current screen's link into view", async () => {
    const page = await signedInPage(suite.browser, suite.url, suite.service.token, { viewport: PHONE });
    const nav = page.getByRole("navigation");
    const [scrollWidth, clientWidth] = await nav.evaluate((el) => [el.scrollWidth, el.clientWidth]);
    assert.ok(scrollWidth > clientWidth, "the row scrolls sideways on a phone");
    assert.equal(await inView(page, "困りごと"), false, "困りごと starts off-screen");
    // More menu to the right: the shadow changes the edge's pixels.
    assert.notDeepEqual(await rightEdge(page, false), await rightEdge(page, true), "a shadow at the right edge");
    await screenshot(page, "menu-phone-start-ja");

    // At the row's end nothing more: the edge is plain paper again.
    await nav.evaluate((el) => { el.scrollLeft = el.scrollWidth; });
    assert.deepEqual(await rightEdge(page, false), await rightEdge(page, true), "no shadow once the end is reached");

    // 困りごと opened by its address: its link is brought into the row, marked as the current page.
    await nav.evaluate((el) => { el.scrollLeft = 0; });
    await page.goto(`${suite.url}/needs`);
    await page.getByRole("heading", { level: 1, name: "困りごと" }).waitFor();
    assert.equal(await nav.getByRole("link", { name: "困りごと", exact: true }).getAttribute("aria-current"), "page");
    assert.equal(await inView(page, "困りごと"), true, "the current screen's link is in view");
    await assertAccessible(page, "Needs on a phone, the menu scrolled to it (ja)");
    await screenshot(page, "menu-phone-needs-ja");
    await page.context().close();
  });
});
