/**
 * The call cap: send slots are reserved from one row per organisation and
 * channel, so concurrent senders never share a slot, and a capped channel's
 * messages go out one slot apart, the rest waiting for theirs without being
 * dropped or sent twice.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Channel, DeliveryResult, OutgoingMessage } from "../../src/engine/ports.ts";
import { ChannelRegistry } from "../../src/engine/channels/registry.ts";
import { createMembers } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { reserveSlots, slotIntervalMs } from "../../src/engine/pacing.ts";
import { dispatchDue } from "../../src/engine/scheduler.ts";
import { SLOT_LOOKAHEAD_MS, sendReady } from "../../src/engine/sender.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

/** A phone provider that remembers when each call was handed to it. */
class TimedChannel implements Channel {
  readonly name = "timed";
  readonly sent: { key: string; at: number }[] = [];
  readonly #rate: number;
  constructor(rate: number) {
    this.#rate = rate;
  }
  async ratePerSecond(): Promise<number> {
    return this.#rate;
  }
  async send(messages: OutgoingMessage[]): Promise<DeliveryResult[]> {
    for (const m of messages) this.sent.push({ key: m.idempotencyKey, at: Date.now() });
    return messages.map(() => ({ status: "sent" }));
  }
}

const START = new Date("2027-01-04T08:00:00+09:00");
const DUE = new Date("2027-01-04T09:00:00+09:00");

for (const kind of databaseKinds()) {
  describe(`pacing on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId } = await createOrganisation(store.db, "pacing", START));
    });
    after(async () => {
      await store?.dispose();
    });

    test("concurrent reservations get disjoint slots, one interval apart, from now", async () => {
      const now = new Date("2027-02-01T00:00:00Z");
      const [a, b] = await Promise.all([
        reserveSlots(store.db, organisationId, "reserve-test", 5, 10, now),
        reserveSlots(store.db, organisationId, "reserve-test", 5, 10, now),
      ]);
      const all = [...a, ...b].map((d) => d.getTime()).sort((x, y) => x - y);
      assert.equal(all.length, 10);
      assert.equal(all[0], now.getTime());
      for (let i = 1; i < all.length; i++) assert.ok(Math.abs(all[i] - all[i - 1] - slotIntervalMs(10)) < 0.01);
      // Idle since: the next reservation starts at its own now, not at the old queue's end.
      const later = new Date(now.getTime() + 60_000);
      assert.equal((await reserveSlots(store.db, organisationId, "reserve-test", 1, 10, later))[0].getTime(), later.getTime());
    });

    test("capped messages go one slot apart; those beyond the look-ahead wait for their slot; none twice, none lost", async () => {
      const rate = 5;
      await createMembers(store.db, organisationId, Array.from({ length: 12 }, (_, i) => ({
        displayName: `電話${i}`, channels: [{ kind: "voice" as const, address: `+8190100000${String(i).padStart(2, "0")}` }],
        plan: { every: "1d", at: "09:00" },
      })), START);
      await dispatchDue(store.db, DUE, 1000);
      const channel = new TimedChannel(rate);
      const channels = new ChannelRegistry().register("voice", channel);
      // A clock that runs at real speed from the due time.
      const startedAt = Date.now();
      const clockNow = () => new Date(DUE.getTime() + (Date.now() - startedAt));

      const first = await sendReady(store.db, channels, clockNow(), 1000, 60_000);
      assert.equal(first.claimed, 12);
      assert.ok(first.sent >= 5 && first.sent <= 7, `about a second's worth goes in the first batch (sent ${first.sent})`);
      const waiting = await store.db.selectFrom("outbox").select(["slot_at", "next_attempt_at"]).where("status", "=", "pending").execute();
      assert.equal(waiting.length, 12 - first.sent);
      assert.ok(waiting.every((w) => w.slot_at && w.next_attempt_at.getTime() === w.slot_at.getTime()), "each keeps its slot");

      // As the engine does on a running clock: the waiting messages are handed back, and the
      // next batch is claimed while they wait for their slots.
      const background: Promise<unknown>[] = [];
      const pacing = { lookaheadMs: SLOT_LOOKAHEAD_MS, inBackground: (p: Promise<unknown>) => background.push(p) };
      for (let i = 0; i < 50 && channel.sent.length < 12; i++) {
        const batch = await sendReady(store.db, channels, clockNow(), 1000, 60_000, pacing);
        assert.ok(batch.claimed === 0 || background.length > 0);
        await new Promise((r) => setTimeout(r, 50));
      }
      await Promise.all(background);
      assert.equal(channel.sent.length, 12);
      assert.equal(new Set(channel.sent.map((s) => s.key)).size, 12, "nobody is called twice");
      // The rule (sender.ts, capGuard): on time, one slot apart; a sequence that fell behind (a busy machine)
      // catches up at half a slot — but never more than the cap within any second, which is what the provider counts.
      const gaps = channel.sent.slice(1).map((s, i) => s.at - channel.sent[i].at);
      assert.ok(Math.min(...gaps) >= slotIntervalMs(rate) / 2 - 5, `never closer than half a slot (gaps ${gaps.join(", ")} ms)`);
      const windows = channel.sent.slice(rate).map((s, i) => s.at - channel.sent[i].at);
      assert.ok(Math.min(...windows) >= 1000 - 5, `at most ${rate} calls within any second (the ${rate + 1}th after the 1st: ${windows.join(", ")} ms)`);
      const span = channel.sent.at(-1)!.at - channel.sent[0].at;
      assert.ok(span >= 2000 - 15, `12 calls at ${rate}/s span at least 2 s (${span} ms)`);
      assert.equal((await store.db.selectFrom("outbox").select("id").where("status", "=", "sent").execute()).length, 12);
    });
  });
}
