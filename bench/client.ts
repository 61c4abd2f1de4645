/**
 * A JSON HTTP client over keep-alive connections: undici's Pool when undici is
 * installed (cheapest per request, which matters when the bench shares the CPU
 * with the service), otherwise Node's global fetch (keep-alive by default).
 */
import { performance } from "node:perf_hooks";
import type { SandboxMessage } from "../test/support/sandbox.ts";
import { runWorkers, type Spread, spread } from "./stats.ts";

export interface Response {
  status: number;
  body: any;
}

export interface Client {
  /** "undici Pool" or "fetch". */
  readonly kind: string;
  request(method: "GET" | "POST" | "PUT", path: string, body?: unknown): Promise<Response>;
  /** POST these exact bytes with these headers and no bearer token (webhooks). */
  postRaw(path: string, body: string, headers: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** A whole day of dispatch on a slow database may take minutes; a hang still ends eventually. */
const TIMEOUT_MS = 30 * 60_000;

function parse(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function headersFor(token: string, body: unknown): Record<string, string> {
  return {
    authorization: `Bearer ${token}`,
    ...(body !== undefined ? { "content-type": "application/json" } : {}),
  };
}

export async function connect(baseUrl: string, token: string, connections: number): Promise<Client> {
  let undici: typeof import("undici") | undefined;
  try {
    undici = await import("undici");
  } catch {
    undici = undefined;
  }
  if (!undici) return fetchClient(baseUrl, token);
  const pool = new undici.Pool(baseUrl, {
    connections,
    headersTimeout: TIMEOUT_MS,
    bodyTimeout: TIMEOUT_MS,
    keepAliveTimeout: 60_000,
  });
  return {
    kind: "undici Pool",
    async request(method, path, body) {
      const response = await pool.request({
        method, path, headers: headersFor(token, body), body: body === undefined ? null : JSON.stringify(body),
      });
      return { status: response.statusCode, body: parse(await response.body.text()) };
    },
    async postRaw(path, body, headers) {
      const response = await pool.request({ method: "POST", path, headers, body });
      return { status: response.statusCode, body: parse(await response.body.text()) };
    },
    close: () => pool.close(),
  };
}

function fetchClient(baseUrl: string, token: string): Client {
  return {
    kind: "fetch",
    async request(method, path, body) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: headersFor(token, body),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      return { status: response.status, body: parse(await response.text()) };
    },
    async postRaw(path, body, headers) {
      const response = await fetch(`${baseUrl}${path}`, { method: "POST", headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
      return { status: response.status, body: parse(await response.text()) };
    },
    close: async () => {},
  };
}

/** Throws unless the response has the expected status, quoting what the service said. */
export function expectStatus(response: Response, status: number, what: string): void {
  if (response.status === status) return;
  const said = typeof response.body === "string" ? response.body : JSON.stringify(response.body);
  throw new Error(`${what}: expected HTTP ${status}, got ${response.status}: ${said.slice(0, 500)}`);
}

/** A message as GET /api/v1/sandbox/outbox lists it (the same shape the tests read). */
export type OutboxMessage = SandboxMessage;

/** The largest page the service gives (src/http/schemas.ts OutboxQuery). */
export const OUTBOX_PAGE = 2_000;

/** One page of the sandbox outbox after `since`. */
export async function outboxPage(client: Client, since: string): Promise<{ messages: OutboxMessage[]; cursor: string }> {
  const response = await client.request("GET", `/api/v1/sandbox/outbox?since=${since}&limit=${OUTBOX_PAGE}`);
  expectStatus(response, 200, "GET /api/v1/sandbox/outbox");
  return response.body;
}

/** Every message after `since`, page by page; returns the cursor after the last one. */
export async function readOutbox(client: Client, since: string, onMessage: (m: OutboxMessage) => void): Promise<string> {
  let cursor = since;
  for (;;) {
    const page = await outboxPage(client, cursor);
    page.messages.forEach(onMessage);
    cursor = page.cursor;
    if (page.messages.length < OUTBOX_PAGE) return cursor;
  }
}

export interface Load {
  /** Wall seconds for all requests. */
  took: number;
  latency: Spread;
  /** Requests not answered with the expected status (or not answered at all). */
  errors: number;
  /** "3 × HTTP 500, 1 × network error"; the first failure's detail. */
  kinds: string;
  firstFailure: string;
}

/**
 * Send `count` requests, `concurrency` at a time, timing each; a response with
 * another status than `expected`, or none, counts as an error by kind.
 */
export async function timedRequests(
  count: number, concurrency: number, send: (index: number) => Promise<Response>, expected: number,
  onAnswer?: (index: number, response: Response) => void,
): Promise<Load> {
  const latencies = new Float64Array(count);
  const failures = new Map<string, number>();
  let firstFailure = "";
  const fail = (kind: string, detail: string) => {
    failures.set(kind, (failures.get(kind) ?? 0) + 1);
    firstFailure ||= detail;
  };
  const started = performance.now();
  await runWorkers(count, concurrency, async (k) => {
    const sent = performance.now();
    try {
      const response = await send(k);
      latencies[k] = performance.now() - sent;
      if (response.status !== expected) fail(`HTTP ${response.status}`, JSON.stringify(response.body).slice(0, 300));
      else onAnswer?.(k, response);
    } catch (error) {
      latencies[k] = performance.now() - sent;
      fail("network error", String((error as Error)?.message ?? error));
    }
  });
  return {
    took: (performance.now() - started) / 1000,
    latency: spread(latencies),
    errors: [...failures.values()].reduce((a, b) => a + b, 0),
    kinds: [...failures].map(([kind, c]) => `${c} × ${kind}`).join(", "),
    firstFailure,
  };
}
