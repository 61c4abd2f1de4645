/**
 * Helpers for the console's browser tests: a page signed in to a test service,
 * the WCAG 2.2 AA check (axe), and screenshots kept under test-results/screenshots/.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";

export const SCREENSHOTS = join(import.meta.dirname, "..", "..", "test-results", "screenshots");

/** The axe rule sets of WCAG 2.0, 2.1 and 2.2 at levels A and AA. */
const WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/** Fails with every WCAG 2.2 AA violation axe finds on the page as it is now. */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  const results = await new AxeBuilder({ page: page as never }).withTags(WCAG_AA).analyze();
  const problems = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 5).join(", ")}`);
  assert.deepEqual(problems, [], `${what}: WCAG 2.2 AA violations`);
  assert.ok(results.passes.length > 0, `${what}: axe checked something`);
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** A new page at `url`, signed in with an API token through the sign-in form, in `lang`. */
export async function signedInPage(browser: Browser, url: string, token: string, options: { lang?: "ja" | "en"; viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 }, locale: "ja-JP" });
  const page = await context.newPage();
  if (options.lang === "en") await page.addInitScript(() => localStorage.setItem("mimamori.lang", "en"));
  await page.goto(url);
  await page.getByRole("button", { name: options.lang === "en" ? "Sign in with an API token" : "APIトークンでログイン" }).click();
  await page.getByLabel(options.lang === "en" ? "API token" : "APIトークン", { exact: true }).fill(token);
  await page.getByRole("button", { name: options.lang === "en" ? "Sign in with the token" : "トークンでログイン", exact: true }).click();
  await page.getByRole("navigation").waitFor();
  return page;
}

/** A new page signed in as a person through the sign-in form (login id, password, authenticator code). */
export async function personPage(
  browser: Browser, url: string, loginId: string, password: string, code: () => Promise<string>,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 }, locale: "ja-JP" });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByLabel("ログインID").fill(loginId);
  await page.getByLabel("パスワード").fill(password);
  await page.getByLabel("確認コード（6桁）").fill(await code());
  await page.getByRole("button", { name: "ログイン", exact: true }).click();
  await page.getByRole("navigation").waitFor();
  return page;
}
