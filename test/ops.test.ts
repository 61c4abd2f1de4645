/**
 * Operations: the first start on the embedded database creates an organisation
 * and a token kept privately in the data directory; health, readiness and
 * metrics answer; SIGTERM stops cleanly and a restart keeps everything.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { readStoredToken } from "../src/service.ts";
import { apiClient } from "./support/harness.ts";
import { spawnService, spawnUntilExit } from "./support/processes.ts";

test("first start on PGlite, health and metrics, SIGTERM, and a restart that keeps the data", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "mimamori-ops-"));
  try {
    const first = await spawnService({ MIMAMORI_DATA_DIR: dataDir, MIMAMORI_SANDBOX: "1" });
    const token = readStoredToken(dataDir);
    assert.ok(token?.startsWith("mmr_"), "an admin token was stored");
    assert.equal(statSync(join(dataDir, "admin-token")).mode & 0o777, 0o600);
    assert.ok(first.output().includes(token as string), "and printed once");
    assert.deepEqual(await (await fetch(`${first.url}/healthz`)).json(), { status: "ok" });
    assert.deepEqual(await (await fetch(`${first.url}/readyz`)).json(), { status: "ready", database: true, engine: true });
    const api = apiClient(first.url, token as string);
    const member = await api("POST", "/members", {
      displayName: "テスト", channels: [{ kind: "sandbox", address: "t" }], plan: { every: "2d", at: "10:00" },
    });
    assert.equal(member.status, 201);
    await api("POST", "/sandbox/clock", { advance: "P1D" });
    const metrics = await (await fetch(`${first.url}/metrics`)).text();
    for (const name of ["mimamori_due_backlog", "mimamori_outbox_depth", "mimamori_messages_sent_total", "mimamori_escalations_total",
      "mimamori_send_errors_total", "mimamori_checkins_dispatched_total"]) {
      assert.match(metrics, new RegExp(`^${name} \\d+$`, "m"), name);
    }
    assert.match(metrics, /^mimamori_checkins_dispatched_total 1$/m);

    first.child.kill("SIGTERM");
    assert.equal(await first.exited, 0);

    const second = await spawnService({ MIMAMORI_DATA_DIR: dataDir, MIMAMORI_SANDBOX: "1" });
    assert.ok(!second.output().includes(token as string), "the token is not printed again");
    const again = apiClient(second.url, token as string);
    const kept = await again("GET", `/members/${member.body.id}`);
    assert.equal(kept.status, 200);
    assert.equal(kept.body.displayName, "テスト");
    const outbox = await again("GET", "/sandbox/outbox");
    assert.deepEqual(outbox.body.messages.map((m: { kind: string }) => m.kind), ["prompt"]);
    second.child.kill("SIGTERM");
    assert.equal(await second.exited, 0);

    // The sandbox's database is not production's: a production start refuses it in one line.
    const production = await spawnUntilExit({ MIMAMORI_DATA_DIR: dataDir });
    assert.equal(production.code, 1);
    assert.match(production.stderr, /^mimamori: this database holds sandbox data: start it with MIMAMORI_SANDBOX=1, or give production its own database .*\n$/);
    assert.equal(production.stderr.split("\n").length, 2, "one line");
    // Nor does a preset admin token that is not one of its tokens make a second organisation.
    const preset = await spawnUntilExit({ MIMAMORI_DATA_DIR: dataDir, MIMAMORI_SANDBOX: "1", MIMAMORI_ADMIN_TOKEN: "demo" });
    assert.equal(preset.code, 1);
    assert.match(preset.stderr, /^mimamori: MIMAMORI_ADMIN_TOKEN is not a token of this database/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
