/**
 * The LINE channel: delivers outbox rows through each organisation's own LINE
 * official account with the official SDK (@line/bot-sdk, MessagingApiClient).
 * What each message looks like is messages.ts.
 *
 * - Every request carries an X-Line-Retry-Key derived from the outbox idempotency
 *   key, so a retry after a timeout or crash is answered 409 by LINE instead of
 *   being delivered twice; 409 therefore counts as sent.
 * - Broadcasts with the same broadcastId and text go out by multicast in chunks
 *   of at most 500 users, chunked deterministically by idempotency key.
 * - `send` never throws: every problem becomes a "retry" or "failed" result.
 */
import { createHash } from "node:crypto";
import { HTTPFetchError, messagingApi } from "@line/bot-sdk";
import type { Channel, DeliveryResult, LineCredentials, OutgoingMessage } from "../../engine/ports.ts";
import { buildLineMessages, MULTICAST_LIMIT, payloadOf } from "./messages.ts";

export const LINE_API_BASE_URL = "https://api.line.me";

export interface LineChannelOptions {
  /** https://api.line.me in production; tests pass a local server's URL. */
  baseURL?: string;
  credentials: (organisationId: string) => Promise<LineCredentials | null>;
  /** Requests in flight at once per `send` (default 8). */
  concurrency?: number;
  /** A request that has not answered by then counts as a passing failure (default 30 s). */
  timeoutMs?: number;
}

export const NO_CREDENTIALS = "no LINE channel is configured for this organisation";

// ---------------------------------------------------------------------------
// Retry keys.

function uuidFrom(seed: string): string {
  const b = createHash("sha256").update(seed).digest().subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x40; // version 4 layout
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The X-Line-Retry-Key of a push: the same for every attempt of one outbox message. */
export function lineRetryKey(idempotencyKey: string): string {
  return uuidFrom(`mimamori:line:push:${idempotencyKey}`);
}

/** The X-Line-Retry-Key of a multicast chunk, from the (sorted) keys in it. */
export function multicastRetryKey(idempotencyKeys: string[]): string {
  return uuidFrom(`mimamori:line:multicast:${[...idempotencyKeys].sort().join("\n")}`);
}

// ---------------------------------------------------------------------------
// Classifying LINE's answers.

function lineErrorMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown; details?: { message?: unknown; property?: unknown }[] };
    const message = typeof parsed.message === "string" ? parsed.message : "";
    const details = Array.isArray(parsed.details)
      ? parsed.details.map((d) => [d?.property, d?.message].filter((x) => typeof x === "string" && x).join(": ")).filter(Boolean)
      : [];
    const all = [message, ...details].filter(Boolean).join("; ");
    if (all) return all.slice(0, 500);
  } catch {
    // not JSON
  }
  return body.slice(0, 200);
}

/** Retry-After: delay-seconds or an HTTP date. */
// wall-clock: Retry-After is an HTTP date or delay in real time.
export function retryAfterMs(value: string | null, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** One provider answer, or a thrown error, as a delivery result. */
export function classifyLineError(error: unknown): DeliveryResult {
  if (error instanceof HTTPFetchError) {
    const status = error.status;
    const said = lineErrorMessage(error.body ?? "");
    const detail = said ? `: ${said}` : "";
    if (status === 409) {
      // The retry key was accepted before: the message went out then.
      const accepted = error.headers?.get("x-line-accepted-request-id") ?? error.headers?.get("x-line-request-id");
      return accepted ? { status: "sent", providerId: accepted } : { status: "sent" };
    }
    if (status === 429) {
      // The monthly message quota does not come back within the sender's retries:
      // fail now, so the message moves to the recipient's next channel.
      // LINE gives the monthly limit no code of its own: its documented message is what tells it apart.
      if (/monthly limit/i.test(said)) return { status: "failed", code: "quota_exceeded", error: `LINE 429 (monthly message limit reached)${detail}` };
      const after = retryAfterMs(error.headers?.get("retry-after") ?? null);
      return after === undefined
        ? { status: "retry", error: `LINE 429 (rate limited)${detail}` }
        : { status: "retry", error: `LINE 429 (rate limited)${detail}`, retryAfterMs: after };
    }
    if (status === 401) {
      return {
        status: "failed", code: "credentials_refused",
        error: `LINE rejected the channel access token (401): check the organisation's LINE credentials${detail}`,
      };
    }
    if (status === 408 || status >= 500) return { status: "retry", error: `LINE ${status}${detail}` };
    if (status === 400) return { status: "failed", code: "invalid_request", error: `LINE 400 (invalid request or recipient)${detail}` };
    if (status === 403) return { status: "failed", code: "rejected", error: `LINE 403 (not allowed)${detail}` };
    if (status === 404) return { status: "failed", code: "rejected", error: `LINE 404 (not found)${detail}` };
    return { status: "failed", code: "rejected", error: `LINE ${status}${detail}` };
  }
  const message = error instanceof Error ? `${error.message}${causeOf(error)}` : String(error);
  return { status: "retry", error: `LINE request failed: ${message}` };
}

function causeOf(error: Error): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? ` (${cause.message})` : "";
}

class Timeout extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`no answer within ${ms} ms`)), ms);
  });
  // A late answer is dropped: the retry carries the same key, so LINE does not deliver twice.
  promise.catch(() => {});
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------
// The channel.

interface Job {
  /** Indexes into the batch that this request answers for. */
  indexes: number[];
  organisationId: string;
  run: (client: messagingApi.MessagingApiClient) => Promise<Response>;
  /** Another way to deliver, when the request is refused as a whole (a multicast with one bad id). */
  fallback?: () => Job[];
}

export class LineChannel implements Channel {
  readonly name = "line";
  readonly #baseURL: string;
  readonly #credentials: LineChannelOptions["credentials"];
  readonly #concurrency: number;
  readonly #timeoutMs: number;
  /** One client per organisation, replaced when its token changes. */
  readonly #clients = new Map<string, { token: string; client: messagingApi.MessagingApiClient }>();
  /** Organisations LINE asked us to slow down for, until this wall-clock time. */
  readonly #throttledUntil = new Map<string, number>();

  constructor(options: LineChannelOptions) {
    this.#baseURL = options.baseURL || LINE_API_BASE_URL;
    this.#credentials = options.credentials;
    this.#concurrency = Math.max(1, options.concurrency ?? 8);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** `now` is the engine's (possibly virtual) time; rate limits are kept on the wall clock. */
  async send(messages: OutgoingMessage[], _now?: Date): Promise<DeliveryResult[]> {
    const results: (DeliveryResult | undefined)[] = messages.map(() => undefined);
    try {
      const clients = await this.#clientsFor(messages, results);
      const jobs = this.#plan(messages, results);
      await this.#runAll(jobs, clients, results);
    } catch (error) {
      // Never throw: whatever is not decided yet is tried again later.
      const retry: DeliveryResult = { status: "retry", error: `LINE channel error: ${(error as Error)?.message ?? error}` };
      for (const [i, r] of results.entries()) if (!r) results[i] = retry;
    }
    return results.map((r) => r ?? { status: "retry", error: "LINE channel produced no result" });
  }

  /** Look up each organisation's credentials once per batch; decide messages that cannot go. */
  async #clientsFor(messages: OutgoingMessage[], results: (DeliveryResult | undefined)[]) {
    const clients = new Map<string, messagingApi.MessagingApiClient>();
    const organisations = [...new Set(messages.map((m) => m.organisationId))];
    const failures = new Map<string, DeliveryResult>();
    await Promise.all(organisations.map(async (organisationId) => {
      try {
        const credentials = await this.#credentials(organisationId);
        if (!credentials?.channelAccessToken) {
          failures.set(organisationId, { status: "failed", code: "not_configured", error: NO_CREDENTIALS });
          return;
        }
        clients.set(organisationId, this.#client(organisationId, credentials.channelAccessToken));
      } catch (error) {
        failures.set(organisationId, { status: "retry", error: `could not load LINE credentials: ${(error as Error)?.message ?? error}` });
      }
    }));
    for (const [i, m] of messages.entries()) {
      const failure = failures.get(m.organisationId);
      if (failure) results[i] = failure;
      else if (!m.address) results[i] = { status: "failed", error: "no LINE address for this recipient" };
    }
    return clients;
  }

  /**
   * A group member's display name (GET /v2/bot/group/{groupId}/member/{userId}),
   * or null when LINE does not know them there (404) or no channel is configured.
   * Throws when LINE does not answer within `timeoutMs` or fails otherwise.
   * `channelAccessToken`: the organisation's token when the caller has read it
   * (inside a transaction it must: see AccountLookup); otherwise it is looked up.
   */
  async groupMemberName(
    organisationId: string, groupId: string, userId: string, timeoutMs = 2000, channelAccessToken?: string,
  ): Promise<string | null> {
    const token = channelAccessToken ?? (await this.#credentials(organisationId))?.channelAccessToken;
    if (!token) return null;
    const client = this.#client(organisationId, token);
    try {
      const profile = await withTimeout(client.getGroupMemberProfile(groupId, userId), timeoutMs);
      return profile.displayName?.trim() || null;
    } catch (error) {
      if (error instanceof HTTPFetchError && (error.status === 404 || error.status === 400)) return null;
      throw error;
    }
  }

  #client(organisationId: string, token: string): messagingApi.MessagingApiClient {
    const cached = this.#clients.get(organisationId);
    if (cached && cached.token === token) return cached.client;
    const client = new messagingApi.MessagingApiClient({ channelAccessToken: token, baseURL: this.#baseURL });
    this.#clients.set(organisationId, { token, client });
    return client;
  }

  /** Broadcasts with one id and one text go by multicast in chunks; everything else by push. */
  #plan(messages: OutgoingMessage[], results: (DeliveryResult | undefined)[]): Job[] {
    const jobs: Job[] = [];
    const multicastGroups = new Map<string, number[]>();
    for (const [i, m] of messages.entries()) {
      if (results[i]) continue;
      const broadcastId = m.kind === "broadcast" ? payloadOf(m).broadcastId : undefined;
      const toUser = m.recipient.kind === "member" || m.recipient.kind === "contact";
      if ((typeof broadcastId === "string" || typeof broadcastId === "number") && toUser) {
        // JSON keeps the parts apart whatever characters they contain.
        const key = JSON.stringify([m.organisationId, String(broadcastId), m.text]);
        const group = multicastGroups.get(key) ?? [];
        group.push(i);
        multicastGroups.set(key, group);
      } else {
        jobs.push(this.#pushJob(messages, i));
      }
    }
    for (const indexes of multicastGroups.values()) {
      const sorted = [...indexes].sort((a, b) => compare(messages[a].idempotencyKey, messages[b].idempotencyKey));
      for (let start = 0; start < sorted.length; start += MULTICAST_LIMIT) {
        const chunk = sorted.slice(start, start + MULTICAST_LIMIT);
        if (chunk.length === 1) jobs.push(this.#pushJob(messages, chunk[0]));
        else jobs.push(this.#multicastJob(messages, chunk));
      }
    }
    return jobs;
  }

  #pushJob(messages: OutgoingMessage[], index: number): Job {
    const m = messages[index];
    const request: messagingApi.PushMessageRequest = { to: m.address, messages: buildLineMessages(m) };
    const retryKey = lineRetryKey(m.idempotencyKey);
    return {
      indexes: [index],
      organisationId: m.organisationId,
      run: async (client) => (await client.pushMessageWithHttpInfo(request, retryKey)).httpResponse,
    };
  }

  #multicastJob(messages: OutgoingMessage[], chunk: number[]): Job {
    const first = messages[chunk[0]];
    const request: messagingApi.MulticastRequest = {
      to: [...new Set(chunk.map((i) => messages[i].address))],
      messages: buildLineMessages(first),
    };
    const retryKey = multicastRetryKey(chunk.map((i) => messages[i].idempotencyKey));
    return {
      indexes: chunk,
      organisationId: first.organisationId,
      run: async (client) => (await client.multicastWithHttpInfo(request, retryKey)).httpResponse,
      // LINE refuses a whole multicast for one bad user id: then push one by one,
      // so one unreachable member does not stop the other 499.
      fallback: () => chunk.map((i) => this.#pushJob(messages, i)),
    };
  }

  async #runAll(jobs: Job[], clients: Map<string, messagingApi.MessagingApiClient>, results: (DeliveryResult | undefined)[]) {
    const queue = [...jobs];
    const worker = async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        const outcome = await this.#run(job, clients);
        if (outcome.status === "failed" && job.fallback && outcome.code === "invalid_request") {
          queue.unshift(...job.fallback());
          continue;
        }
        for (const i of job.indexes) results[i] = outcome;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, queue.length) }, worker));
  }

  async #run(job: Job, clients: Map<string, messagingApi.MessagingApiClient>): Promise<DeliveryResult> {
    const client = clients.get(job.organisationId);
    if (!client) return { status: "failed", code: "not_configured", error: NO_CREDENTIALS };
    // wall-clock: LINE's 429 back-off runs in real time.
    const waitMs = (this.#throttledUntil.get(job.organisationId) ?? 0) - Date.now();
    if (waitMs > 0) return { status: "retry", error: "LINE 429 (rate limited): waiting before sending more", retryAfterMs: waitMs };
    try {
      const response = await withTimeout(job.run(client), this.#timeoutMs);
      const providerId = response.headers.get("x-line-request-id");
      return providerId ? { status: "sent", providerId } : { status: "sent" };
    } catch (error) {
      const result = classifyLineError(error);
      if (error instanceof HTTPFetchError && error.status === 429 && result.status === "retry") {
        // wall-clock: as above, LINE's back-off is real time.
        this.#throttledUntil.set(job.organisationId, Date.now() + (result.retryAfterMs ?? 1000));
      }
      return result;
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
