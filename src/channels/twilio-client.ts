/**
 * The official Twilio SDK, pointed at a configurable API base. The SDK has no
 * base-URL option, so its own HTTP client is given the base to use instead of
 * https://api.twilio.com (tests point it at a local Twilio-compatible server).
 */
import http from "node:http";
import twilio from "twilio";
import RequestClient from "twilio/lib/base/RequestClient.js";

export const TWILIO_API = "https://api.twilio.com";
export type TwilioClient = ReturnType<typeof twilio>;

class RebasedRequestClient extends RequestClient {
  readonly #base: string;
  constructor(base: string) {
    super({ keepAlive: true, timeout: 15_000 });
    this.#base = base.replace(/\/+$/, "");
    // Plain-HTTP bases (a local server) get a keep-alive agent too.
    this.axios.defaults.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  }
  override request<T>(opts: RequestClient.RequestOptions<T>) {
    return super.request({ ...opts, uri: opts.uri.replace(/^https:\/\/[a-z0-9.-]*twilio\.com/i, this.#base) });
  }
}

const clients = new Map<string, TwilioClient>();

/** One client per account and base, reused (it keeps its connections alive). */
export function twilioClient(apiBase: string, accountSid: string, authToken: string): TwilioClient {
  const key = `${apiBase}|${accountSid}|${authToken}`;
  let client = clients.get(key);
  if (!client) {
    client = twilio(accountSid, authToken, apiBase === TWILIO_API ? {} : { httpClient: new RebasedRequestClient(apiBase) });
    clients.set(key, client);
  }
  return client;
}

/** What a Twilio API error means for the message: try again later, or give up on this address. */
export function twilioFailure(error: unknown): { status: "retry"; error: string; retryAfterMs?: number } | { status: "failed"; error: string } {
  const e = error as { status?: number; code?: number; message?: string };
  const text = `twilio ${e.status ?? "network"}${e.code ? ` (${e.code})` : ""}: ${e.message ?? String(error)}`.slice(0, 500);
  if (e.status === 429) return { status: "retry", error: text, retryAfterMs: 1000 };
  if (!e.status || e.status >= 500) return { status: "retry", error: text };
  // 400 (an invalid or unreachable number), 401/403 (the account's credentials): not for retrying.
  return { status: "failed", error: text };
}
