/**
 * Helpers for the console's browser tests: a page signed in to a test service,
 * the WCAG 2.2 AA check (axe), and screenshots kept under test-results/screenshots/.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before } from "node:test";
import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "./browser.ts";
import { databaseKinds, type DatabaseKind, startTestService, type TestService } from "./harness.ts";

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

/** The database the console's browser tests run on: PostgreSQL when there is one, else PGlite. */
export const CONSOLE_DATABASE = databaseKinds().at(-1) as DatabaseKind;

export interface ConsoleSuite {
  readonly kind: DatabaseKind;
  /** The running service (from the suite's `before` on). */
  readonly service: TestService;
  /** Headless Chromium (from the suite's `before` on). */
  readonly browser: Browser;
  /** The console's address: the service at http://localhost:PORT (browsers take no IP address as a passkey's site). */
  readonly url: string;
}

/**
 * The setup every console browser test shares, registered as the enclosing
 * `describe`'s hooks: a test service on {@link CONSOLE_DATABASE} (with `env`
 * over the harness's) and a headless Chromium, both closed after.
 */
export function consoleSuite(options: { env?: Record<string, string> } = {}): ConsoleSuite {
  let service: TestService | undefined;
  let browser: Browser | undefined;
  before(async () => {
    service = await startTestService(CONSOLE_DATABASE, options.env);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("consoleSuite: used before its before() hook ran");
    return value;
  };
  return {
    kind: CONSOLE_DATABASE,
    get service() {
      return started(service);
    },
    get browser() {
      return started(browser);
    },
    get url() {
      return started(service).url.replace("127.0.0.1", "localhost");
    },
  };
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * A new page at `url`, signed in with an API token through the sign-in form, in `lang`.
 *
 * The helpers sign in with the keyboard (Enter), as many staff do. A click waits for two animation frames to see the
 * button stand still, and headless Chromium has been seen to draw no frame for 30 s on a loaded machine (a CI run of
 * 2026-12-02 failed there); a key press needs none. The sign-in tests themselves still click.
 */
export async function signedInPage(browser: Browser, url: string, token: string, options: { lang?: "ja" | "en"; viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 }, locale: "ja-JP" });
  const page = await context.newPage();
  if (options.lang === "en") await page.addInitScript(() => localStorage.setItem("mimamori.lang", "en"));
  await page.goto(url);
  await page.getByRole("button", { name: options.lang === "en" ? "Sign in with an API token" : "APIトークンでログイン" }).press("Enter");
  const field = page.getByLabel(options.lang === "en" ? "API token" : "APIトークン", { exact: true });
  await field.fill(token);
  await field.press("Enter");
  await page.getByRole("navigation").waitFor();
  return page;
}

/** A new page signed in as a person through the sign-in form (login id, password, authenticator code). */
export async function personPage(
  browser: Browser, url: string, loginId: string, password: string, code: () => Promise<string>,
  options: { viewport?: { width: number; height: number }; deviceScaleFactor?: number } = {},
): Promise<Page> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 900 }, locale: "ja-JP", ...(options.deviceScaleFactor ? { deviceScaleFactor: options.deviceScaleFactor } : {}),
  });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByLabel("ログインID").fill(loginId);
  await page.getByLabel("パスワード").fill(password);
  const codeField = page.getByLabel("確認コード（6桁）");
  await codeField.fill(await code());
  await codeField.press("Enter");
  await page.getByRole("navigation").waitFor();
  return page;
}

/**
 * A page with JavaScript switched off (a public page behind a private link, as a
 * small provider opens it on a phone), and `check`: axe on a scripted copy of
 * what it shows now (axe needs script; the copy has the same markup and styles).
 */
export async function noScriptPage(browser: Browser, viewport: { width: number; height: number }): Promise<{
  page: Page; copy: Page; check: (what: string) => Promise<void>; close: () => Promise<void>;
}> {
  const context = await browser.newContext({ viewport, locale: "ja-JP", javaScriptEnabled: false });
  const axeContext = await browser.newContext({ viewport, locale: "ja-JP" });
  const page = await context.newPage();
  const copy = await axeContext.newPage();
  return {
    page, copy,
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
