/**
 * The sender against channels that fail: passing errors are retried with backoff
 * under the same idempotency key; a permanent failure moves the message to the
 * recipient's next channel; with none left, the incident's timeline says so.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Channel, DeliveryResult, OutgoingMessage } from "../../src/engine/ports.ts";
import { ChannelRegistry } from "../../src/engine/channels/registry.ts";
import { createMembers } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { dispatchDue } from "../../src/engine/scheduler.ts";
import { sendReady } from "../../src/engine/sender.ts";
import { enqueue, outboxRow } from "../../src/engine/outbox.ts";
import { BULK_KINDS } from "../../src/domain/messages.ts";
import { URGENT_OUTBOX_PREDICATE } from "../../src/store/migrations/017-urgent-outbox.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

/** A provider that answers from a script, and remembers every call with its key. */
class ScriptedChannel implements Channel {
  readonly name = "scripted";
  readonly calls: OutgoingMessage[] = [];
  readonly script: DeliveryResult[];
  constructor(script: DeliveryResult[]) {
    this.script = script;
  }
  async send(messages: OutgoingMessage[]): Promise<DeliveryResult[]> {
    return messages.map((m) => {
      this.calls.push(m);
      return this.script.shift() ?? { status: "sent" };
    });
  }
}

const START = new Date("2027-01-04T08:00:00+09:00");
const DUE = new Date("2027-01-04T09:00:00+09:00");

for (const kind of databaseKinds()) {
  describe(`sender on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId } = await createOrganisation(store.db, "sender", START));
    });
    after(async () => {
      await store?.dispose();
    });

    async function memberWithTwoChannels(): Promise<string> {
      const [id] = await createMembers(store.db, organisationId, [{
        displayName: "二つの窓口",
        channels: [{ kind: "line", address: "U123" }, { kind: "email", address: "a@example.jp" }],
        plan: { every: "1d", at: "09:00" },
      }], START);
      await dispatchDue(store.db, DUE, 1000);
      return id;
    }

    const outboxOf = (memberId: string) =>
      store.db.selectFrom("outbox").selectAll().where("recipient_id", "=", memberId).orderBy("created_at").orderBy("id").execute();

    test("a passing error is retried later with the same key, then sent", async () => {
      const member = await memberWithTwoChannels();
      const line = new ScriptedChannel([{ status: "retry", error: "HTTP 500" }]);
      const channels = new ChannelRegistry().register("line", line);
      const first = await sendReady(store.db, channels, DUE, 100, 60_000);
      assert.equal(first.retried, 1);
      const [row] = await outboxOf(member);
      assert.equal(row.status, "pending");
      assert.equal(row.attempts, 1);
      assert.equal(row.last_error, "HTTP 500");
      assert.ok(row.next_attempt_at.getTime() >= DUE.getTime() + 8_000, "backed off");
      assert.equal((await sendReady(store.db, channels, DUE, 100, 60_000)).claimed, 0, "not before its time");
      const later = new Date(DUE.getTime() + 3_600_000);
      assert.equal((await sendReady(store.db, channels, later, 100, 60_000)).sent, 1);
      assert.equal(line.calls.length, 2);
      assert.equal(line.calls[0].idempotencyKey, line.calls[1].idempotencyKey);
      assert.equal((await outboxOf(member))[0].status, "sent");
    });

    test("a permanent failure moves the message to the member's next channel", async () => {
      const member = await memberWithTwoChannels();
      const line = new ScriptedChannel([{ status: "failed", error: "user blocked the account" }]);
      const email = new ScriptedChannel([]);
      const channels = new ChannelRegistry().register("line", line).register("email", email);
      await sendReady(store.db, channels, DUE, 100, 60_000);
      await sendReady(store.db, channels, DUE, 100, 60_000);
      const rows = await outboxOf(member);
      assert.deepEqual(rows.map((r) => [r.channel_kind, r.status]), [["line", "failed"], ["email", "sent"]]);
      assert.equal(email.calls[0].address, "a@example.jp");
      assert.equal(email.calls[0].kind, "prompt");
    });

    test("a channel with no provider configured fails over too", async () => {
      const member = await memberWithTwoChannels();
      const email = new ScriptedChannel([]);
      const channels = new ChannelRegistry().register("email", email);
      await sendReady(store.db, channels, DUE, 100, 60_000);
      await sendReady(store.db, channels, DUE, 100, 60_000);
      const rows = await outboxOf(member);
      assert.equal(rows[0].status, "failed");
      assert.match(rows[0].last_error ?? "", /no line provider/);
      assert.equal(rows[1].status, "sent");
    });

    test("a claimed message is not sent by a second sender while the claim lasts", async () => {
      const member = await memberWithTwoChannels();
      let release!: () => void;
      const gate = new Promise<void>((r) => {
        release = r;
      });
      const slow: Channel = {
        name: "slow",
        async send(messages) {
          await gate;
          return messages.map(() => ({ status: "sent" }));
        },
      };
      const channels = new ChannelRegistry().register("line", slow);
      const first = sendReady(store.db, channels, DUE, 100, 60_000);
      await new Promise((r) => setTimeout(r, 100));
      const second = await sendReady(store.db, channels, DUE, 100, 60_000);
      assert.equal(second.claimed, 0);
      release();
      assert.equal((await first).sent, 1);
      assert.equal((await outboxOf(member))[0].status, "sent");
    });

    test("urgent messages are claimed before bulk ones due earlier: a re-check alert is not queued behind the day's prompts", async () => {
      const at = new Date(DUE.getTime() + 86_400_000);
      const ids = await createMembers(store.db, organisationId, Array.from({ length: 6 }, (_, i) => ({
        displayName: `朝の確認 ${i}`, channels: [{ kind: "email" as const, address: `morning${i}@example.jp` }], plan: { every: "1d" as const, at: "09:00" },
      })), DUE);
      await dispatchDue(store.db, at, 1000);
      const prompts = await store.db.selectFrom("outbox").select("id").where("message_kind", "=", "prompt").where("status", "=", "pending")
        .where("recipient_id", "in", ids).execute();
      assert.equal(prompts.length, 6);
      // Written after the prompts and due a second later: the oldest-first order alone would send it last.
      const team = await store.db.selectFrom("teams").select("id").where("organisation_id", "=", organisationId).executeTakeFirstOrThrow();
      await enqueue(store.db, [outboxRow({
        organisationId, key: "urgent-test", recipient: { kind: "team", id: team.id }, channels: [{ kind: "email", address: "ops@example.jp" }],
        messageKind: "operator_alert", text: "urgent", dueAt: new Date(at.getTime() + 1000), now: at,
      })]);
      // Earlier tests' members are due at this instant too (on LINE): one channel object takes both.
      const channel = new ScriptedChannel([]);
      const channels = new ChannelRegistry().register("email", channel).register("line", channel);
      const first = await sendReady(store.db, channels, new Date(at.getTime() + 2000), 3, 60_000);
      assert.equal(first.claimed, 3, JSON.stringify(first));
      const urgent = await store.db.selectFrom("outbox").select("status").where("idempotency_key", "=", "urgent-test").executeTakeFirstOrThrow();
      assert.equal(urgent.status, "sent", "in the first batch of three, ahead of six or more prompts due before it");
      assert.equal(channel.calls.filter((m) => m.kind === "operator_alert").length, 1);
      await sendReady(store.db, channels, new Date(at.getTime() + 2000), 100, 60_000);
      const left = await store.db.selectFrom("outbox").select("id").where("status", "=", "pending").where("recipient_id", "in", ids).execute();
      assert.deepEqual(left, [], "every prompt still goes");
    });

    test("the urgent index's predicate names exactly the bulk kinds", () => {
      const listed = [...URGENT_OUTBOX_PREDICATE.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]).filter((k) => k !== "pending");
      assert.deepEqual(listed.sort(), [...BULK_KINDS].sort());
    });
  });
}
