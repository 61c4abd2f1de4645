/**
 * The bench's quick dispatch run and its speed-independent figures (bench/options.ts,
 * bench/database-work.ts, bench/cpu.ts): options refused in combinations that would
 * not run, work counted between two snapshots of PostgreSQL's statistics views.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { busyCpuSeconds, busyCpuSince } from "../../bench/cpu.ts";
import { type DatabaseWork, workSince } from "../../bench/database-work.ts";
import { parseOptions } from "../../bench/options.ts";

const env = { TEST_DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test" };

describe("bench --dispatch-only", () => {
  test("runs create, dispatch and the baseline alone", () => {
    const options = parseOptions(["--dispatch-only", "--members", "1000"], env);
    assert.equal(options.dispatchOnly, true);
    assert.equal(options.engine, true);
    assert.equal(parseOptions([], env).dispatchOnly, false);
  });

  test("is refused beside the LINE, voice, console and devices phases, saying what to leave out", () => {
    for (const extra of [["--line"], ["--voice"], ["--console"], ["--console-only"], ["--devices", "10"], ["--line-only"], ["--devices-only"]]) {
      assert.throws(() => parseOptions(["--dispatch-only", ...extra], env), /--dispatch-only runs create, dispatch and the baseline alone/, extra.join(" "));
    }
  });
});

describe("work done between two snapshots", () => {
  const snapshot = (reads: [string, number][], inserted: number, updated: number, hotUpdated: number): DatabaseWork =>
    ({ indexReads: new Map(reads), inserted, updated, hotUpdated });

  test("index reads and rows written are differences, the most-read indexes first; new indexes count from zero", () => {
    const before = snapshot([["members_pkey", 100], ["outbox_ready", 50], ["checkins_pkey", 7]], 10, 4, 1);
    const after = snapshot([["members_pkey", 400], ["outbox_ready", 1050], ["checkins_pkey", 7], ["sandbox_deliveries_org", 20]], 310, 404, 41);
    const work = workSince(before, after, 2);
    assert.equal(work.indexReads, 300 + 1000 + 20);
    assert.deepEqual(work.mostRead, [["outbox_ready", 1000], ["members_pkey", 300]]);
    assert.equal(work.inserted, 300);
    assert.equal(work.updated, 400);
    assert.equal(work.hotUpdated, 40);
  });
});

describe("busy CPU-seconds", () => {
  test("on Linux a count that grows while this process spins; elsewhere none", () => {
    const first = busyCpuSeconds();
    if (process.platform !== "linux") {
      assert.equal(first, undefined);
      return;
    }
    assert.ok(first !== undefined && first > 0);
    const since = busyCpuSince();
    // Spin until the machine's busy count moves (100 ticks a second): it must, since this process is busy.
    let spent: number | undefined = 0;
    for (let i = 0; i < 1e6 && !spent; i++) spent = since();
    assert.ok(spent !== undefined && spent > 0 && spent < 60, String(spent));
  });
});
