/**
 * The official Twilio SDK, pointed at a configurable API base (tests point it at
 * a local Twilio-compatible server).
 *
 * The SDK has no base-URL option: every resource builds an absolute
 * https://<product>.twilio.com URI (after applying edge/region) and hands it to
 * its `httpClient`. So we pass, as `httpClient`, a subclass of the SDK's own
 * RequestClient that rewrites those URIs and otherwise changes nothing: auth,
 * form encoding, headers and errors (RestException) stay the SDK's.
 */
import { Agent } from "node:http";
import type { DeliveryResult } from "../../engine/ports.ts";
import type twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";
import { onFirstUse } from "../../lazy-import.ts";

export const TWILIO_API = "https://api.twilio.com";
export type TwilioClient = twilio.Twilio;

/** The Twilio SDK, loaded when an organisation first calls, texts or is called (src/lazy-import.ts). */
export const twilioSdk = onFirstUse(async () => (await import("twilio")).default);

/** Rewrite https://*.twilio.com/… to `baseUrl` + the same path and query; other URIs pass unchanged. */
export function rewriteTwilioUri(uri: string, baseUrl: string): string {
  const u = new URL(uri);
  if (u.protocol !== "https:" || (u.hostname !== "twilio.com" && !u.hostname.endsWith(".twilio.com"))) return uri;
  const base = new URL(baseUrl);
  return `${base.origin}${base.pathname.replace(/\/$/, "")}${u.pathname}${u.search}`;
}

/** The SDK's RequestClient, sending to `baseUrl` instead of *.twilio.com (a class of the loaded SDK). */
const redirectingRequestClient = onFirstUse(async () => {
  const sdk = await twilioSdk();
  return class RedirectingRequestClient extends sdk.RequestClient {
    readonly baseUrl: string;

    constructor(baseUrl: string, opts?: RequestClient.RequestClientOptions) {
      super(opts);
      this.baseUrl = baseUrl;
      // The SDK configures only an https agent; give plain http the same keep-alive pooling.
      this.axios.defaults.httpAgent = new Agent({ keepAlive: true, maxSockets: opts?.maxSockets ?? 64 });
    }

    override request<TData>(opts: RequestClient.RequestOptions<TData>) {
      return super.request<TData>({ ...opts, uri: rewriteTwilioUri(opts.uri, this.baseUrl) });
    }
  };
});

/** A Twilio REST client for one account whose requests go to `baseUrl`. */
export async function twilioClientFor(baseUrl: string, accountSid: string, authToken: string, opts: twilio.ClientOpts = {}): Promise<TwilioClient> {
  const twilio = await twilioSdk();
  if (baseUrl === TWILIO_API) return twilio(accountSid, authToken, opts);
  const RedirectingRequestClient = await redirectingRequestClient();
  const httpClient = new RedirectingRequestClient(baseUrl, {
    timeout: opts.timeout ?? 15_000,
    autoRetry: opts.autoRetry,
    maxRetries: opts.maxRetries,
    maxRetryDelay: opts.maxRetryDelay,
    maxSockets: opts.maxSockets,
  });
  return twilio(accountSid, authToken, { ...opts, httpClient });
}

const clients = new Map<string, Promise<TwilioClient>>();

/** One client per account and base, reused (it keeps its connections alive). */
export function twilioClient(apiBase: string, accountSid: string, authToken: string): Promise<TwilioClient> {
  const key = `${apiBase}|${accountSid}|${authToken}`;
  let client = clients.get(key);
  if (!client) {
    client = twilioClientFor(apiBase, accountSid, authToken);
    clients.set(key, client);
    client.catch(() => clients.delete(key));
  }
  return client;
}

/** What a Twilio API error means for the message: try again later, or give up on this address. */
export function twilioFailure(error: unknown): DeliveryResult {
  const e = error as { status?: number; code?: number; message?: string };
  const text = `twilio ${e.status ?? "network"}${e.code ? ` (${e.code})` : ""}: ${e.message ?? String(error)}`.slice(0, 500);
  if (e.status === 429) return { status: "retry", error: text, retryAfterMs: 1000 };
  if (!e.status || e.status >= 500) return { status: "retry", error: text };
  // 20003 / 401: the account's credentials are refused; 400 (an invalid or unreachable number): not for retrying.
  if (e.code === 20003 || e.status === 401) return { status: "failed", code: "credentials_refused", error: text };
  return { status: "failed", code: "rejected", error: text };
}
