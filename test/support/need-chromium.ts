/**
 * `npm test`'s first step (the `pretest` script): the check-in page tests drive
 * Debian's Chromium. When it is missing, root installs it with apt (as .ci/run
 * does); anyone else is told in one line how, before any test runs, so no test
 * ever fails for a missing browser.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { chromiumPath } from "./browser.ts";

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const path = chromiumPath();
if (!executable(path)) {
  const install = ["install", "-y", "--no-install-recommends", "chromium"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args: string[]) => spawnSync("apt-get", args, { stdio: "inherit", env }).status === 0;
  if (process.env.CHROMIUM_PATH) {
    process.stderr.write(`npm test: CHROMIUM_PATH=${path} is not an executable Chromium; point it at one, or unset it to use Debian's /usr/bin/chromium.\n`);
    process.exit(1);
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write(`npm test needs Chromium at ${path}: run \`sudo apt-get install -y --no-install-recommends chromium\`` +
      " (or set CHROMIUM_PATH to a Chromium binary), then npm test again.\n");
    process.exit(1);
  }
  process.stderr.write("npm test: installing Chromium for the check-in page tests (apt-get install chromium)\n");
  if (!(apt(install) || (apt(["update"]) && apt(install))) || !executable(path)) {
    process.stderr.write(`npm test: could not install Chromium with apt-get; install it at ${path} or set CHROMIUM_PATH, then npm test again.\n`);
    process.exit(1);
  }
}
