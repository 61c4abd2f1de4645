/**
 * Which channel carries which kind of address. In sandbox mode every kind goes to
 * the sandbox; otherwise each kind goes to its provider once one is configured for
 * the organisation, and a kind with no provider fails permanently, so the sender
 * falls back to the recipient's next channel.
 */
import type { Channel, DeliveryResult, OutgoingMessage } from "./channel.ts";
import { ConsoleChannel } from "./console.ts";

export class UnconfiguredChannel implements Channel {
  readonly name: string;
  constructor(kind: string) {
    this.name = kind;
  }
  async send(messages: OutgoingMessage[]): Promise<DeliveryResult[]> {
    return messages.map(() => ({ status: "failed", error: `no ${this.name} provider is configured for this organisation` }));
  }
}

export class ChannelRegistry {
  readonly #byKind = new Map<string, Channel>();
  readonly #fallback: Channel | undefined;
  readonly #unconfigured = new Map<string, Channel>();

  /** `everything`: one channel for every kind (the sandbox). */
  constructor(everything?: Channel) {
    this.#fallback = everything;
    if (!everything) this.#byKind.set("console", new ConsoleChannel());
  }

  register(kind: string, channel: Channel): this {
    this.#byKind.set(kind, channel);
    return this;
  }

  forKind(kind: string): Channel {
    const known = this.#fallback ?? this.#byKind.get(kind);
    if (known) return known;
    const missing = this.#unconfigured.get(kind) ?? new UnconfiguredChannel(kind);
    this.#unconfigured.set(kind, missing);
    return missing;
  }
}
