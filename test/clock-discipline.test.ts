/**
 * Time only through the one Clock (README, rules): outside src/engine/clock.ts, no
 * `new Date()` without arguments and no `Date.now()`, except the uses listed here,
 * which measure real time (caches, back-off, leases, liveness, ids, records of when
 * something really happened). Each carries a `wall-clock:` comment saying why.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const SRC = join(import.meta.dirname, "..", "src");
const CLOCK_MODULE = "engine/clock.ts";
const NOW = /new Date\(\s*\)|Date\.now\(\s*\)/g;

/** File → how many wall-clock reads it may make (each with a `wall-clock:` comment). */
const WALL_CLOCK: Record<string, number> = {
  "config.ts": 1, // the default start of a new sandbox's virtual time
  "ids.ts": 1, // UUIDv7 timestamps
  "store/migrations.ts": 1, // when the schema was changed
  "engine/channel-configs.ts": 2, // cache expiry
  "engine/branding.ts": 2, // cache expiry of the service name
  "engine/sender.ts": 6, // provider rate caps, leases, waiting for slots
  "engine/engine.ts": 1, // liveness for the health check
  "http/audit.ts": 1, // when a person really acted
  "providers/line/channel.ts": 3, // Retry-After and 429 back-off
  "providers/line/groups.ts": 2, // profile look-up back-off
};

function sources(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory()
    ? sources(join(dir, e.name), `${prefix}${e.name}/`)
    : e.name.endsWith(".ts") ? [`${prefix}${e.name}`] : []);
}

/** Reads of the wall clock in one file's code (comment lines skipped), with whether a `wall-clock:` comment explains each. */
function wallClockReads(text: string): { line: number; explained: boolean }[] {
  const lines = text.split("\n");
  return lines.flatMap((line, i) => {
    const code = line.trim();
    if (code.startsWith("//") || code.startsWith("*") || code.startsWith("/*")) return [];
    const explained = lines.slice(Math.max(0, i - 3), i + 1).some((l) => l.includes("wall-clock:"));
    return [...line.matchAll(NOW)].map(() => ({ line: i + 1, explained }));
  });
}

test("the detector finds both forms and skips comments", () => {
  assert.deepEqual(wallClockReads("const a = new Date();\nconst b = Date.now();\n// new Date()\nconst c = new Date(x);"),
    [{ line: 1, explained: false }, { line: 2, explained: false }]);
  assert.deepEqual(wallClockReads("// wall-clock: a cache\nconst a = Date.now();"), [{ line: 2, explained: true }]);
});

test("decisions read the Clock: no wall-clock reads outside the clock module but the allowed, explained ones", () => {
  const files = sources(SRC);
  assert.ok(files.includes(CLOCK_MODULE) && files.length > 50, "the source tree was found");
  const found: Record<string, number> = {};
  const unexplained: string[] = [];
  for (const file of files) {
    if (file === CLOCK_MODULE) continue;
    const reads = wallClockReads(readFileSync(join(SRC, file), "utf8"));
    if (reads.length) found[file] = reads.length;
    for (const r of reads) if (!r.explained) unexplained.push(`src/${file}:${r.line}`);
  }
  assert.deepEqual(found, WALL_CLOCK, "a decision must read s.clock.now() (routes) or take `now` (engine); a genuine wall-clock use goes in WALL_CLOCK");
  assert.deepEqual(unexplained, [], "each wall-clock read needs a `wall-clock:` comment saying why");
});
