/**
 * The engine's two sending loops claim in turn (sender.ts ClaimTurn): messages
 * ready together go to their channel as one batch, not split between the loops by
 * two claims at the same instant. Split, a LINE broadcast to 1,200 members went as
 * four multicasts instead of three (a CI run, 2026-12-02).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pino from "pino";
import { ChannelRegistry } from "../../src/engine/channels/registry.ts";
import { SandboxClock } from "../../src/engine/clock.ts";
import { Engine } from "../../src/engine/engine.ts";
import { Metrics } from "../../src/engine/metrics.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { enqueue, outboxRow } from "../../src/engine/outbox.ts";
import { corePhases } from "../../src/engine/phases.ts";
import type { Channel, DeliveryResult, OutgoingMessage } from "../../src/engine/ports.ts";
import { claimsInTurn, sendReady } from "../../src/engine/sender.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const START = new Date("2027-01-04T08:00:00+09:00");
/** More than one claim would take if the loops split them, fewer than one claim's limit (2 × batch size). */
const MESSAGES = 1500;

/** Remembers how many messages each hand-over carried. */
class BatchRecorder implements Channel {
  readonly name = "recorder";
  readonly batches: number[] = [];
  async send(messages: OutgoingMessage[]): Promise<DeliveryResult[]> {
    this.batches.push(messages.length);
    return messages.map(() => ({ status: "sent" }));
  }
}

for (const kind of databaseKinds()) {
  describe(`the sending loops on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    before(async () => {
      store = await freshStore(kind);
    });
    after(async () => {
      await store?.dispose();
    });

    /** MESSAGES operator alerts ready at START, and a channel that records its hand-overs. */
    async function ready(name: string) {
      const { organisationId } = await createOrganisation(store.db, name, START);
      const team = await store.db.selectFrom("teams").select("id").where("organisation_id", "=", organisationId).executeTakeFirstOrThrow();
      await enqueue(store.db, Array.from({ length: MESSAGES }, (_, i) => outboxRow({
        organisationId, key: `${name}-${i}`, recipient: { kind: "team", id: team.id }, channels: [{ kind: "email", address: "ops@example.jp" }],
        messageKind: "operator_alert", text: `alert ${i}`, dueAt: START, now: START,
      })));
      const channel = new BatchRecorder();
      return { channel, channels: new ChannelRegistry().register("email", channel) };
    }

    test(`two loops claiming at the same instant: ${MESSAGES} ready messages go out in one hand-over`, async () => {
      const { channel, channels } = await ready("same-instant");
      const turn = claimsInTurn();
      const results = await Promise.all([1, 2].map(() => sendReady(store.db, channels, START, 2000, 30_000, undefined, turn)));
      assert.deepEqual(results.map((r) => r.claimed).sort((a, b) => a - b), [0, MESSAGES]);
      assert.deepEqual(channel.batches, [MESSAGES]);
    });

    test("the engine's own loops, started together, hand them over whole", async () => {
      const { channel, channels } = await ready("engine-loops");
      const metrics = new Metrics();
      const engine = new Engine(store.db, await SandboxClock.open(store.db, START), channels,
        pino({ level: "silent" }), metrics, { batchSize: 1000, pollMs: 50, sendLeaseMs: 30_000, phases: corePhases(metrics) });
      engine.start();
      try {
        const until = Date.now() + 60_000;
        while (channel.batches.reduce((a, b) => a + b, 0) < MESSAGES && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      } finally {
        await engine.stop();
      }
      assert.deepEqual(channel.batches, [MESSAGES]);
    });
  });
}
