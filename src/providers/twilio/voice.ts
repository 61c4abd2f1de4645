/**
 * Automated phone calls through Twilio (あんしん電話 / みまもりでんわ). Sending a
 * message places a call; what the call says and what the keys do is served by
 * the voice webhook (webhooks.ts) when the call is answered, and how
 * the call ended comes back on the status callback, which retries unanswered
 * calls. Both webhook addresses name the outbox row, and Twilio signs them.
 */
import type { AccountLookup, Channel, DeliveryResult, OutgoingMessage } from "../../engine/ports.ts";
import { twilioClient, twilioFailure } from "./client.ts";

export type TwilioAccount = AccountLookup<"twilio">;

export interface TwilioChannelOptions {
  apiBase: string;
  account: TwilioAccount;
  publicUrl: () => string;
}

/** The webhook addresses of one outbox row. */
export function twilioWebhookUrl(publicUrl: string, organisationId: string, path: "voice" | "call-status" | "sms-status", outboxId: string): string {
  return `${publicUrl}/webhooks/twilio/${organisationId}/${path}?m=${outboxId}`;
}

/** Run per-message provider calls concurrently, one result each. */
export async function eachMessage(
  messages: OutgoingMessage[], deliver: (m: OutgoingMessage) => Promise<DeliveryResult>,
): Promise<DeliveryResult[]> {
  return Promise.all(messages.map(async (m) => {
    try {
      return await deliver(m);
    } catch (error) {
      return twilioFailure(error);
    }
  }));
}

export class VoiceChannel implements Channel {
  readonly name = "voice";
  readonly #options: TwilioChannelOptions;

  constructor(options: TwilioChannelOptions) {
    this.#options = options;
  }

  async ratePerSecond(organisationId: string): Promise<number | undefined> {
    const account = await this.#options.account(organisationId);
    if (!account) return undefined;
    // Calls are about to be given slots: have the client ready, so the first call is not late
    // for its slot (the SDK loads its Calls API on first use: some 20 ms).
    void twilioClient(this.#options.apiBase, account.credentials.accountSid, account.credentials.authToken).then((client) => client.calls, () => undefined);
    return account.settings.callsPerSecond || 1;
  }

  send(messages: OutgoingMessage[]): Promise<DeliveryResult[]> {
    return eachMessage(messages, async (m) => {
      const account = await this.#options.account(m.organisationId);
      if (!account) return { status: "failed", code: "not_configured", error: "no Twilio account is configured for this organisation" };
      if (!m.outboxId) return { status: "failed", error: "a call needs its outbox row" };
      const { accountSid, authToken } = account.credentials;
      const base = this.#options.publicUrl();
      const call = await (await twilioClient(this.#options.apiBase, accountSid, authToken)).calls.create({
        to: m.address,
        from: account.settings.callerId,
        url: twilioWebhookUrl(base, m.organisationId, "voice", m.outboxId),
        method: "POST",
        statusCallback: twilioWebhookUrl(base, m.organisationId, "call-status", m.outboxId),
        statusCallbackMethod: "POST",
        timeout: 30,
        ...(account.settings.machineDetection !== false ? { machineDetection: "Enable" } : {}),
      });
      return { status: "sent", providerId: call.sid };
    });
  }
}
