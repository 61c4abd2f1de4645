/**
 * `npm test` runs every test file with its own temporary directory (TMPDIR, read by
 * os.tmpdir()) and fails if anything is left in it afterwards: tests clean up
 * after themselves. Other programs' files in the machine's /tmp do not count.
 * It also migrates one PGlite database for the run, from which each test's starts
 * (test/support/pglite-seed.ts); the seeds live beside that directory, not in it.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writePgliteSeeds } from "./pglite-seed.ts";

let dir: string | undefined;
let seedDir: string | undefined;

export async function globalSetup(): Promise<void> {
  seedDir = mkdtempSync(join(tmpdir(), "mimamori-seed-"));
  // Test files run in child processes, which inherit this environment (the seed's path too).
  await writePgliteSeeds(seedDir);
  dir = mkdtempSync(join(tmpdir(), "mimamori-tests-"));
  process.env.TMPDIR = dir;
}

export function globalTeardown(): void {
  if (seedDir) rmSync(seedDir, { recursive: true, force: true });
  if (!dir) return;
  // Node's own module compile cache (node-compile-cache, enabled by some tools) is not a test's.
  const left = readdirSync(dir).filter((entry) => entry !== "node-compile-cache");
  rmSync(dir, { recursive: true, force: true });
  if (left.length > 0) {
    process.stderr.write(`\nFAIL: tests left ${left.length} entries in the temporary directory: ${left.slice(0, 10).join(", ")}\n`);
    process.exitCode = 1;
  }
}
