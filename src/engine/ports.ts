/**
 * The engine's ports: what a provider (src/providers/<name>/) implements or is
 * given, and nothing else of the engine it needs to know. Outbound, a provider is
 * a `Channel` that turns outbox rows into provider calls; inbound, an
 * `InboundHandler` that maps stored webhook events to engine commands. The
 * composition root (service.ts) wires concrete providers to these ports; the
 * engine never imports a provider.
 */
import type { Db } from "../store/db.ts";
import type { ChannelAddress, ChannelKind } from "../store/schema.ts";

/**
 * The transaction an inbound handler is given: it passes it on to engine commands
 * and queries unchanged, and runs no SQL of its own.
 */
export type { Db };
/** A member's, contact's or team's address on one channel kind. */
export type { ChannelAddress, ChannelKind };

// ---------------------------------------------------------------------------
// Outbound: channels.

/**
 * One outbox row as a channel sees it. A channel must pass the idempotency key on,
 * so a retry after a crash is never delivered twice by a provider that honours keys.
 */
export interface OutgoingMessage {
  /** The outbox row (providers that call back later, like Twilio, are told it). */
  outboxId?: string;
  idempotencyKey: string;
  organisationId: string;
  recipient: { kind: "member" | "contact" | "team" | "group" | "line_user" | "person" | "report_subscription" | "context"; id: string };
  channel: ChannelKind | "console";
  address: string;
  kind: string;
  text: string;
  payload: Record<string, unknown>;
  dueAt: Date;
  /** When the message became ready to send (its creation, or the retry time). */
  readyAt: Date;
  /** The organisation's service name (engine/branding.ts), already in `text`'s prefixes; absent: the default. */
  serviceName?: string;
}

/**
 * Why a delivery failed, as a code the engine decides on (never the error text):
 * - `credentials_refused`: the provider refuses the organisation's credentials
 *   (LINE 401, Twilio 20003, SMTP 535): every message on it fails until fixed.
 * - `not_configured`: the organisation has no provider for this channel kind.
 * - `no_address`: the recipient has no address we can deliver to (a team without channels).
 * - `nobody_on_duty`: a team alert found none of the team's staff on duty with a channel (engine/on-duty.ts).
 * - `rejected`: the provider refused this message or recipient.
 * - `invalid_request`: the provider found the request itself invalid (LINE 400: a bad
 *   recipient id refuses a whole multicast, which is then sent one push at a time).
 * - `quota_exceeded`: the account's message quota is used up (LINE's monthly limit).
 */
export const DELIVERY_ERROR_CODES = [
  "credentials_refused", "not_configured", "no_address", "nobody_on_duty", "rejected", "invalid_request", "quota_exceeded",
] as const;
export type DeliveryErrorCode = (typeof DELIVERY_ERROR_CODES)[number];

export type DeliveryResult =
  /** Accepted by the provider; `providerId` is its id (a call's sid) when it reports back later. */
  | { status: "sent"; providerId?: string }
  /** A passing problem (rate limit, 5xx, timeout): try again later. */
  | { status: "retry"; error: string; retryAfterMs?: number }
  /** The address cannot be reached on this channel (blocked, unknown, not configured). */
  | { status: "failed"; error: string; code?: DeliveryErrorCode };

/** The one small interface every channel implements (LINE, voice, SMS, e-mail, sandbox, console). */
export interface Channel {
  readonly name: string;
  /** Deliver a batch; one result per message, in the same order. */
  send(messages: OutgoingMessage[], now: Date): Promise<DeliveryResult[]>;
  /**
   * Messages per second the organisation may send through this channel (phone
   * calls are capped per account); undefined = no cap. The sender spreads capped
   * messages over time slots instead of letting the provider drop them.
   */
  ratePerSecond?(organisationId: string): Promise<number | undefined>;
}

/**
 * One-tap links to the web check-in page, for channels that carry a link (SMS,
 * e-mail): one per message (undefined when its kind asks nothing), the same for
 * every attempt of a message. engine/links.ts makes them.
 */
export interface OneTapLinks {
  linksFor(messages: OutgoingMessage[], issuedAt: Date | ((m: OutgoingMessage) => Date)): Promise<(string | undefined)[]>;
}

/** Which channel carries which kind of address (engine/channels/registry.ts builds one). */
export interface ChannelRegistry {
  /** The channel for an outbox row's channel kind; one that fails every message with `not_configured` when none is. */
  forKind(kind: string): Channel;
}

// ---------------------------------------------------------------------------
// Inbound: stored webhook events.

/** One stored webhook event (`inbound` row) to apply. */
export interface InboundEvent {
  id: string;
  organisationId: string;
  providerEventId: string;
  /** What the provider's webhook route stored (JSON). */
  payload: unknown;
  receivedAt: Date;
}

/** Applies a provider's stored events inside the engine's transaction, through engine commands. */
export interface InboundHandler {
  readonly provider: string;
  /** Order events of a batch (e.g. by the provider's own timestamp). */
  order?(a: InboundEvent, b: InboundEvent): number;
  apply(tx: Db, event: InboundEvent, now: Date): Promise<void>;
  /**
   * Apply the common, independent events of a batch together (taps on a prompt at
   * 09:00); returns the ids it applied. The rest go through `apply` one by one.
   */
  applyBatch?(tx: Db, events: InboundEvent[], now: Date): Promise<Set<string>>;
}

// ---------------------------------------------------------------------------
// Each organisation's provider accounts (stored sealed by engine/channel-configs.ts).

export interface LineCredentials {
  channelSecret: string;
  channelAccessToken: string;
}

export interface LineSettings {
  /** Version of the organisation's terms of use members consent to. */
  termsVersion: string;
  termsUrl?: string;
  /** LINE groups the bot is added to wait for staff approval before their rounds start (つながり). */
  requireGroupApproval?: boolean;
}

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

export interface TwilioSettings {
  /** The number calls come from (E.164), shown to members when they register: they do not answer unknown numbers. */
  callerId: string;
  /** The number SMS come from; the caller number when absent. */
  smsFrom?: string;
  /** Outbound calls per second (Twilio's default is 1 per account). */
  callsPerSecond: number;
  /** SMS per second. */
  messagesPerSecond: number;
  /** Answering machines are detected and count as no answer. */
  machineDetection: boolean;
  /** The check-in question the call speaks; `{name}` is replaced by the member's name. */
  voicePrompt?: string;
}

export interface EmailCredentials {
  user?: string;
  pass?: string;
}

export interface EmailSettings {
  host: string;
  port: number;
  /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
  secure: boolean;
  from: string;
  fromName?: string;
}

export type ProviderKind = "line" | "twilio" | "email";

/** One organisation's account with a provider. */
export interface ProviderAccount<C, S> {
  credentials: C;
  settings: S;
}

export type ProviderAccounts = {
  line: ProviderAccount<LineCredentials, LineSettings>;
  twilio: ProviderAccount<TwilioCredentials, TwilioSettings>;
  email: ProviderAccount<EmailCredentials, EmailSettings>;
};

/**
 * An organisation's account with provider K, or null when it configured none (read
 * through a short cache). Code inside a transaction passes it as `tx`: on PGlite the
 * transaction holds the only connection, so a read outside it would wait for it.
 */
export type AccountLookup<K extends ProviderKind> = (organisationId: string, tx?: Db) => Promise<ProviderAccounts[K] | null>;
