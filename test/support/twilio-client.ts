/**
 * The official `twilio` SDK, pointed at another base URL (a local
 * Twilio-compatible server in tests; the same technique serves production code
 * that must reach a proxy or a mock).
 *
 * The SDK has no base-URL option: every resource builds an absolute
 * https://<product>.twilio.com URI (after applying edge/region, e.g.
 * api.dublin.ie1.twilio.com) and hands it to its `httpClient`. So we pass, as
 * `httpClient`, a subclass of the SDK's own RequestClient that rewrites those
 * URIs and otherwise changes nothing: auth, form encoding (repeated keys for
 * lists), headers, error handling (RestException) and autoRetry stay the SDK's.
 */
import { Agent } from "node:http";
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";

/** Rewrite https://*.twilio.com/… to `baseUrl` + the same path and query; other URIs pass unchanged. */
export function rewriteTwilioUri(uri: string, baseUrl: string): string {
  const u = new URL(uri);
  if (u.protocol !== "https:" || (u.hostname !== "twilio.com" && !u.hostname.endsWith(".twilio.com"))) return uri;
  const base = new URL(baseUrl);
  return `${base.origin}${base.pathname.replace(/\/$/, "")}${u.pathname}${u.search}`;
}

/** The SDK's RequestClient, sending to `baseUrl` instead of *.twilio.com. */
export class RedirectingRequestClient extends twilio.RequestClient {
  readonly baseUrl: string;

  constructor(baseUrl: string, opts?: RequestClient.RequestClientOptions) {
    super(opts);
    this.baseUrl = baseUrl;
    // The SDK configures only an https agent; give plain http the same keep-alive pooling.
    this.axios.defaults.httpAgent = new Agent({ keepAlive: true, maxSockets: opts?.maxSockets ?? 20 });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request<TData>({ ...opts, uri: rewriteTwilioUri(opts.uri, this.baseUrl) });
  }
}

/** A Twilio REST client for one account whose requests go to `baseUrl` (e.g. a TwilioApiServer's url). */
export function twilioClientFor(baseUrl: string, accountSid: string, authToken: string, opts: twilio.ClientOpts = {}): twilio.Twilio {
  const httpClient = new RedirectingRequestClient(baseUrl, {
    timeout: opts.timeout,
    autoRetry: opts.autoRetry,
    maxRetries: opts.maxRetries,
    maxRetryDelay: opts.maxRetryDelay,
    maxSockets: opts.maxSockets,
  });
  return twilio(accountSid, authToken, { ...opts, httpClient });
}
