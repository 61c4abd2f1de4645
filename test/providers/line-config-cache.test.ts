/**
 * LINE events are applied inside a transaction; on PGlite that transaction
 * holds the only connection. Reading the LINE configuration outside it once
 * its cache (10 s) had expired hung the service for good (seen in the full
 * test run under load): an event applied more than 10 s after its webhook
 * (a backlog, a retry) must be applied like any other.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { LINE_SECRET, type LineFixture, startLineFixture } from "../support/line-fixture.ts";
import { follow, postWebhook } from "../support/line-webhook.ts";

let fixture: LineFixture;
before(async () => {
  // No engine loop: the stored event waits until the sandbox clock is moved.
  fixture = await startLineFixture("pglite", {}, { MIMAMORI_ENGINE: "0" });
});
after(async () => {
  await fixture?.close();
});

test("on PGlite, an event applied after the configuration cache expired is applied, not hung", async () => {
  const member = `U${"c".repeat(32)}`;
  const stored = await postWebhook(fixture.service.url, fixture.organisationId, LINE_SECRET, [follow(member)]);
  assert.equal(stored.status, 200);
  await new Promise((r) => setTimeout(r, 10_500)); // the cache the webhook's signature check filled has expired
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the service hung applying the follow")), 20_000);
  });
  try {
    const moved = await Promise.race([fixture.service.api("POST", "/sandbox/clock", { advance: "PT0S" }), hung]);
    assert.equal(moved.status, 200);
  } finally {
    clearTimeout(timer);
  }
  assert.ok(fixture.pushesTo(member).length > 0, "the welcome was sent");
});
