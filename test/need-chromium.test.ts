/**
 * `npm test`'s pretest step: without the browser the run stops before any test,
 * with one line saying how to get it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

test("a missing Chromium stops npm test at once with one line saying what to do", () => {
  const run = spawnSync(process.execPath, ["test/support/need-chromium.ts"], {
    env: { PATH: process.env.PATH ?? "", CHROMIUM_PATH: "/nonexistent/chromium" }, encoding: "utf8",
  });
  assert.equal(run.status, 1);
  assert.equal(run.stdout, "");
  assert.match(run.stderr, /^npm test: CHROMIUM_PATH=\/nonexistent\/chromium is not an executable Chromium; .*\n$/);
  assert.equal(run.stderr.split("\n").length, 2, "one line");
});

test("with the browser present it says nothing and lets the tests run", () => {
  // Any executable stands in for Chromium here, so this test never depends on the machine's browser.
  const run = spawnSync(process.execPath, ["test/support/need-chromium.ts"], {
    env: { PATH: process.env.PATH ?? "", CHROMIUM_PATH: process.execPath }, encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stderr, "");
});
