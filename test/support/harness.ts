/**
 * Test harness: a whole service on a fresh database — PGlite in a temp directory,
 * or PostgreSQL in a schema of its own that is dropped afterwards — so tests never
 * assume an empty database and never see each other's rows.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import pino from "pino";
import { loadConfig } from "../../src/config.ts";
import type { Clock } from "../../src/engine/clock.ts";
import { type RunningService, startService } from "../../src/service.ts";
import { seedPgliteDirectory } from "./pglite-seed.ts";

export type DatabaseKind = "pglite" | "postgres";

/**
 * The wall clock of test services (sessions, lock-outs, authenticator codes):
 * real time plus an offset that only moves forward, so a test reaches the next
 * authenticator step (a code is accepted once) without waiting for it.
 */
export class TestWallClock implements Clock {
  readonly running = true;
  #offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }
  advance(ms: number): void {
    this.#offsetMs += ms;
  }
  async refresh(): Promise<void> {}
}

/** One per test file (each runs in its own process), shared by its services and its authenticator codes. */
export const testWallClock = new TestWallClock();

/**
 * The PostgreSQL server tests use: TEST_DATABASE_URL, or the local server. Set
 * TEST_DATABASE_URL=off to run on PGlite alone (a machine without PostgreSQL).
 */
export const POSTGRES_URL: string | undefined = process.env.TEST_DATABASE_URL === "off"
  ? undefined
  : (process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test");

/** PGlite always; PostgreSQL too unless switched off. */
export function databaseKinds(): DatabaseKind[] {
  return POSTGRES_URL ? ["pglite", "postgres"] : ["pglite"];
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

export interface TestService extends RunningService {
  token: string;
  api: Api;
  /** Where its database lives, to start another service on the same data after `stop()`. */
  database: ExistingDatabase;
  /** What the service printed for whoever started it (the first admin token and invitation, on a first start without a preset token). */
  printed: string;
  /** Stop the service and remove its database. */
  close(): Promise<void>;
}

export type ApiResponse<T = any> = { status: number; body: T };
export type Api = <T = any>(method: string, path: string, body?: unknown, token?: string) => Promise<ApiResponse<T>>;

export function apiClient(baseUrl: string, defaultToken: string): Api {
  return async (method, path, body, token) => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token ?? defaultToken}`,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    // An event stream stays open: its body is not read here (its tests read it themselves), and stands as "".
    if (response.headers.get("content-type")?.startsWith("text/event-stream")) {
      await response.body?.cancel();
      return { status: response.status, body: "" };
    }
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** The data of a stopped test service, for a restart on the same database. */
export interface ExistingDatabase {
  dataDir: string;
  schema: string | undefined;
  token: string;
}

/**
 * A service on a fresh database; or, given `existing`, a restart on the data of
 * one that was stopped (its `close()` then removes that database). With
 * `MIMAMORI_ADMIN_TOKEN: ""` in `env`, a first start as `npm start` makes it:
 * the service creates the admin token and the first administrator's invitation
 * and prints them (kept in `printed`; `token` is the created one).
 */
export async function startTestService(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  existing?: ExistingDatabase,
  log: pino.Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
): Promise<TestService> {
  const dataDir = existing?.dataDir ?? mkdtempSync(join(tmpdir(), "mimamori-test-"));
  const schema = existing ? existing.schema : kind === "postgres" ? uniqueName("t") : undefined;
  const preset = existing?.token ?? (env.MIMAMORI_ADMIN_TOKEN === "" ? undefined : `test_${randomBytes(16).toString("hex")}`);
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    MIMAMORI_DATA_DIR: dataDir,
    MIMAMORI_SANDBOX: "1",
    MIMAMORI_SANDBOX_START: "2027-01-04T08:00:00+09:00",
    MIMAMORI_ADMIN_TOKEN: preset ?? "",
    MIMAMORI_POLL_MS: "50",
    MIMAMORI_CHECK_RESPONSES: "1",
    ...(kind === "postgres" ? { DATABASE_URL: POSTGRES_URL as string, MIMAMORI_DB_SCHEMA: schema as string } : {}),
    ...env,
  });
  let printed = "";
  // A new PGlite database is a copy of the run's migrated one (a restart opens the one it has).
  if (kind === "pglite" && !config.databaseUrl) seedPgliteDirectory(join(config.dataDir, "pglite"));
  const service = await startService(config, log, (text) => {
    printed += text;
  }, { wallClock: testWallClock });
  const token = preset ?? service.createdAdminToken;
  if (!token) throw new Error("the test service has no admin token");
  return {
    ...service,
    token,
    api: apiClient(service.url, token),
    database: { dataDir, schema, token },
    printed,
    async close() {
      await service.stop();
      if (schema) await dropSchema(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const TOKYO = (local: string) => new Date(`${local}+09:00`).toISOString();
