/**
 * A headless Chromium for browser tests, driven by playwright-core with the
 * distribution's browser (Debian's `chromium` package) rather than a download
 * from Playwright's CDN, so CI needs nothing beyond apt.
 *
 * The flags suit a container run as root: Chromium's sandbox cannot start as
 * root without user namespaces (--no-sandbox), and /dev/shm is often 64 MB
 * there (--disable-dev-shm-usage). A missing browser is an error, never a
 * silent skip: a browser test that does not run must not look green.
 */
import { existsSync } from "node:fs";
import { type Browser, type LaunchOptions, chromium } from "playwright-core";

export const DEFAULT_CHROMIUM_PATH = "/usr/bin/chromium";

/** Where the browser is: $CHROMIUM_PATH, else /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

/** Launch headless Chromium; `options` are merged over the defaults (args are appended). */
export async function launchBrowser(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium not found at ${executablePath}. Install Debian's package ` +
        "(apt-get install -y --no-install-recommends chromium) or set CHROMIUM_PATH to a Chromium binary.",
    );
  }
  return chromium.launch({
    timeout: 60_000,
    ...options,
    executablePath,
    headless: options.headless ?? true,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", ...(options.args ?? [])],
  });
}
