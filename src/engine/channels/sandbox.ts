/**
 * The sandbox channel: training, demos and tests. It delivers into an inspectable
 * table (engine/sandbox-time.ts) instead of a provider, and honours
 * idempotency keys the way a real provider does: a key seen before is accepted
 * and not delivered again. It is the engine's own (it lives on virtual time), not
 * a provider's.
 */
import type { Db } from "../../store/db.ts";
import type { Clock } from "../clock.ts";
import type { Links } from "../links.ts";
import type { Channel, DeliveryResult, OutgoingMessage } from "../ports.ts";
import { recordSandboxDeliveries } from "../sandbox-time.ts";

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
    this.repeatsRefused += await recordSandboxDeliveries(this.#db, messages, arrival);
    return messages.map(() => ({ status: "sent" }));
  }
}
