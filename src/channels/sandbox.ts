/**
 * The sandbox channel: training, demos and tests. It delivers into an inspectable
 * table instead of a provider, and honours idempotency keys the way a real
 * provider does: a key seen before is accepted and not delivered again.
 */
import { sql } from "kysely";
import type { Clock } from "../engine/clock.ts";
import type { Links } from "../engine/links.ts";
import type { Db } from "../store/db.ts";
import type { Channel, DeliveryResult, OutgoingMessage } from "./channel.ts";

export class SandboxChannel implements Channel {
  readonly name = "sandbox";
  readonly #db: Db;
  readonly #clock: Clock;
  /** Deliveries refused as repeats of a key already delivered (a test can read it). */
  repeatsRefused = 0;

  readonly #links: Links | undefined;

  /** `links`: SMS and e-mail messages carry their one-tap link (payload.link), as the real channels do. */
  constructor(db: Db, clock: Clock, links?: Links) {
    this.#db = db;
    this.#clock = clock;
    this.#links = links;
  }

  async send(messages: OutgoingMessage[]): Promise<DeliveryResult[]> {
    if (messages.length === 0) return [];
    // Virtual time stands still while the sandbox works: a message arrives the instant
    // it became ready. On a running clock it arrives when it really does.
    const arrival = (m: OutgoingMessage) => (this.#clock.running ? this.#clock.now() : m.readyAt);
    const linked = messages.filter((m) => m.channel === "sms" || m.channel === "email");
    if (this.#links && linked.length) {
      const urls = await this.#links.linksFor(linked, arrival);
      const byMessage = new Map(linked.map((m, i) => [m, urls[i]]));
      messages = messages.map((m) => (byMessage.get(m) ? { ...m, payload: { ...m.payload, link: byMessage.get(m) } } : m));
    }
    const inserted = await this.#db
      .insertInto("sandbox_deliveries")
      .values(
        messages.map((m) => ({
          organisation_id: m.organisationId,
          idempotency_key: m.idempotencyKey,
          recipient_kind: m.recipient.kind,
          recipient_id: m.recipient.id,
          channel_kind: m.channel,
          address: m.address,
          message_kind: m.kind,
          text: m.text,
          payload: JSON.stringify(m.payload),
          due_at: m.dueAt,
          delivered_at: arrival(m),
        })),
      )
      .onConflict((oc) => oc.columns(["idempotency_key", "organisation_id"]).doNothing())
      .returning(sql<string>`idempotency_key`.as("key"))
      .execute();
    this.repeatsRefused += messages.length - inserted.length;
    return messages.map(() => ({ status: "sent" }));
  }
}
