/**
 * The one small interface every channel implements (LINE, voice, SMS, e-mail,
 * sandbox, console). A channel turns outbox rows into provider calls; it must pass
 * the idempotency key on, so a retry after a crash is never delivered twice by a
 * provider that honours keys.
 */
import type { ChannelKind } from "../store/schema.ts";

export interface OutgoingMessage {
  /** The outbox row (providers that call back later, like Twilio, are told it). */
  outboxId?: string;
  idempotencyKey: string;
  organisationId: string;
  recipient: { kind: "member" | "contact" | "team" | "group" | "line_user"; id: string };
  channel: ChannelKind | "console";
  address: string;
  kind: string;
  text: string;
  payload: Record<string, unknown>;
  dueAt: Date;
  /** When the message became ready to send (its creation, or the retry time). */
  readyAt: Date;
}

/**
 * Why a delivery failed, as a code the engine decides on (never the error text):
 * - `credentials_refused`: the provider refuses the organisation's credentials
 *   (LINE 401, Twilio 20003, SMTP 535): every message on it fails until fixed.
 * - `not_configured`: the organisation has no provider for this channel kind.
 * - `no_address`: the recipient has no address we can deliver to (a team without channels).
 * - `rejected`: the provider refused this message or recipient.
 * - `invalid_request`: the provider found the request itself invalid (LINE 400: a bad
 *   recipient id refuses a whole multicast, which is then sent one push at a time).
 * - `quota_exceeded`: the account's message quota is used up (LINE's monthly limit).
 */
export const DELIVERY_ERROR_CODES = ["credentials_refused", "not_configured", "no_address", "rejected", "invalid_request", "quota_exceeded"] as const;
export type DeliveryErrorCode = (typeof DELIVERY_ERROR_CODES)[number];

export type DeliveryResult =
  /** Accepted by the provider; `providerId` is its id (a call's sid) when it reports back later. */
  | { status: "sent"; providerId?: string }
  /** A passing problem (rate limit, 5xx, timeout): try again later. */
  | { status: "retry"; error: string; retryAfterMs?: number }
  /** The address cannot be reached on this channel (blocked, unknown, not configured). */
  | { status: "failed"; error: string; code?: DeliveryErrorCode };

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
