/**
 * The test watchdog (test/support/watchdog.ts): a test file whose tests have all
 * passed but whose process is kept alive by a timer is ended, its result kept;
 * and every test of a file runs (what Node's --test-force-exit failed to do).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const WATCHDOG = join(import.meta.dirname, "watchdog.ts");

/** This process's environment without the runner's marker (a run inside a test would otherwise report to this one). */
function outsideThisRun(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_TEST_CONTEXT;
  return env;
}

function runFile(source: string) {
  const dir = mkdtempSync(join(tmpdir(), "watchdog-"));
  try {
    const file = join(dir, "x.test.mjs");
    writeFileSync(file, source);
    return spawnSync(process.execPath, ["--import", WATCHDOG, "--test", "--test-reporter=tap", file], {
      encoding: "utf8", timeout: 60_000, env: outsideThisRun({ MIMAMORI_TEST_WATCHDOG_MS: "500" }),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("a file kept alive by a timer after its tests passed is ended, and counts as passed", () => {
  const run = runFile(`import { test } from "node:test";\ntest("passes", () => {});\nsetInterval(() => {}, 1000);\n`);
  assert.equal(run.error, undefined, "ended by the watchdog, not by the 60 s limit");
  assert.match(run.stdout, /# pass 1/);
  assert.match(run.stdout, /# fail 0/);
  assert.equal(run.status, 0);
});

test("a failing file still fails, and every test of a file runs", () => {
  const tests = Array.from({ length: 40 }, (_, i) => `  test("t${i}", () => { assert.ok(${i} !== 39); });`).join("\n");
  const run = runFile(`import assert from "node:assert";\nimport { describe, test } from "node:test";\ndescribe("d", () => {\n${tests}\n});\n`);
  assert.match(run.stdout, /# tests 40/);
  assert.match(run.stdout, /# fail 1/);
  assert.notEqual(run.status, 0);
});
