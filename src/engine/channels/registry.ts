/**
 * Which channel carries which kind of address. In sandbox mode every kind goes to
 * the sandbox unless the organisation configured that provider (so a trial site
 * can run its real LINE account on virtual time); otherwise each kind goes to its
 * provider, and a kind with no provider fails permanently, so the sender falls
 * back to the recipient's next channel.
 */
import type { Channel, DeliveryResult, OutgoingMessage, ChannelRegistry as Registry } from "../ports.ts";
import { ConsoleChannel } from "./console.ts";

export class UnconfiguredChannel implements Channel {
  readonly name: string;
  constructor(kind: string) {
    this.name = kind;
  }
  async send(messages: OutgoingMessage[]): Promise<DeliveryResult[]> {
    return messages.map(() => ({
      status: "failed", code: "not_configured", error: `no ${this.name} provider is configured for this organisation`,
    }));
  }
}

export class ChannelRegistry implements Registry {
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
    const known = this.#byKind.get(kind) ?? this.#fallback;
    if (known) return known;
    const missing = this.#unconfigured.get(kind) ?? new UnconfiguredChannel(kind);
    this.#unconfigured.set(kind, missing);
    return missing;
  }
}

/** Messages of organisations that configured the provider go to it; the rest to the fallback (the sandbox). */
export class ConfiguredOrFallback implements Channel {
  readonly name: string;
  readonly #primary: Channel;
  readonly #fallback: Channel;
  readonly #isConfigured: (organisationId: string) => Promise<boolean>;

  constructor(primary: Channel, fallback: Channel, isConfigured: (organisationId: string) => Promise<boolean>) {
    this.name = `${primary.name}|${fallback.name}`;
    this.#primary = primary;
    this.#fallback = fallback;
    this.#isConfigured = isConfigured;
  }

  async ratePerSecond(organisationId: string): Promise<number | undefined> {
    const channel = (await this.#isConfigured(organisationId)) ? this.#primary : this.#fallback;
    return channel.ratePerSecond?.(organisationId);
  }

  async send(messages: OutgoingMessage[], now: Date): Promise<DeliveryResult[]> {
    const configured = new Map<string, boolean>();
    for (const m of messages) {
      if (!configured.has(m.organisationId)) configured.set(m.organisationId, await this.#isConfigured(m.organisationId));
    }
    const toPrimary = messages.filter((m) => configured.get(m.organisationId));
    const toFallback = messages.filter((m) => !configured.get(m.organisationId));
    const [a, b] = await Promise.all([this.#primary.send(toPrimary, now), this.#fallback.send(toFallback, now)]);
    const results = new Map<OutgoingMessage, DeliveryResult>();
    for (const [i, m] of toPrimary.entries()) results.set(m, a[i]);
    for (const [i, m] of toFallback.entries()) results.set(m, b[i]);
    return messages.map((m) => results.get(m) ?? { status: "retry", error: "no result" });
  }
}
