/**
 * SMS through Twilio: the message's Japanese line and its one-tap link (the
 * check-in page). Delivery failures come back on the status callback and move
 * the message to the recipient's next channel.
 */
import { broadcastSms, contentOf } from "../../domain/broadcasts.ts";
import type { Channel, DeliveryResult, OneTapLinks, OutgoingMessage } from "../../engine/ports.ts";
import { twilioClient } from "./client.ts";
import { eachMessage, type TwilioAccount, twilioWebhookUrl } from "./voice.ts";

/**
 * SMS are short: a text written for SMS (an SMS template, payload.smsText) whole,
 * else the Japanese line; then the link.
 */
export function smsBody(text: string, link: string | undefined, smsText = false): string {
  const body = smsText ? text : text.split("\n")[0];
  return link ? `${body}\n${link}` : text;
}

/** The SMS of an outbox message: a broadcast rendered by domain/broadcasts.ts (its whole Japanese text, how to answer, the link), else smsBody. */
export function smsOf(m: Pick<OutgoingMessage, "kind" | "text" | "payload">, link: string | undefined): string {
  const content = m.kind === "broadcast" ? contentOf(m.payload) : undefined;
  if (content) return broadcastSms(content, link);
  return smsBody(m.text, link, m.payload.smsText === true);
}

export class SmsChannel implements Channel {
  readonly name = "sms";
  readonly #apiBase: string;
  readonly #account: TwilioAccount;
  readonly #publicUrl: () => string;
  readonly #links: OneTapLinks;

  constructor(options: { apiBase: string; account: TwilioAccount; publicUrl: () => string; links: OneTapLinks }) {
    this.#apiBase = options.apiBase;
    this.#account = options.account;
    this.#publicUrl = options.publicUrl;
    this.#links = options.links;
  }

  async ratePerSecond(organisationId: string): Promise<number | undefined> {
    const account = await this.#account(organisationId);
    return account ? account.settings.messagesPerSecond || 1 : undefined;
  }

  async send(messages: OutgoingMessage[], now: Date): Promise<DeliveryResult[]> {
    const links = await this.#links.linksFor(messages, now);
    const index = new Map(messages.map((m, i) => [m, i]));
    return eachMessage(messages, async (m) => {
      const account = await this.#account(m.organisationId);
      if (!account) return { status: "failed", code: "not_configured", error: "no Twilio account is configured for this organisation" };
      const { accountSid, authToken } = account.credentials;
      const sms = await (await twilioClient(this.#apiBase, accountSid, authToken)).messages.create({
        to: m.address,
        from: account.settings.smsFrom ?? account.settings.callerId,
        body: smsOf(m, links[index.get(m) ?? -1]),
        ...(m.outboxId ? { statusCallback: twilioWebhookUrl(this.#publicUrl(), m.organisationId, "sms-status", m.outboxId) } : {}),
      });
      return { status: "sent", providerId: sms.sid };
    });
  }
}
