/** All configuration, read from the environment in one place. */
import { resolve } from "node:path";

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** PostgreSQL schema (lets tests and benchmarks share one database). */
  databaseSchema: string | undefined;
  sandbox: boolean;
  /** Sandbox only: where virtual time starts on a new database. */
  sandboxStart: Date;
  adminToken: string | undefined;
  /** Key for provider credentials at rest (32 bytes, base64); otherwise a key file in the data directory. */
  secretKey: string | undefined;
  /** LINE Messaging API base URL (tests point it at a local server). */
  lineApiBase: string;
  /** Twilio REST API base URL (tests point it at a local server). */
  twilioApiBase: string;
  /**
   * The address providers and members reach this service at (Twilio's webhooks,
   * the one-tap links in SMS and e-mail). Defaults to http://localhost:PORT.
   */
  publicUrl: string | undefined;
  /**
   * Passkeys (WebAuthn): the relying party id, a domain (MIMAMORI_WEBAUTHN_RP_ID); by default the
   * host of the public URL, or `localhost` when that is an IP address (see relyingParty()).
   */
  webauthnRpId: string | undefined;
  /** The origins passkey ceremonies may come from (MIMAMORI_WEBAUTHN_ORIGINS, comma-separated); by default the public URL's. */
  webauthnOrigins: string[] | undefined;
  /** How long a one-tap link in an SMS or e-mail stays valid. */
  linkTtlHours: number;
  engine: boolean;
  /** Spread each minute's check-ins over this many seconds (0 = exactly on the minute). */
  spreadSeconds: number;
  batchSize: number;
  /** How long a sender's claim on outbox rows lasts before another process may retry them. */
  sendLeaseMs: number;
  pollMs: number;
  /**
   * PostgreSQL with autovacuum off: how often (seconds) the engine looks for tables
   * full of dead rows and vacuums them itself (engine/housekeeping.ts); 0: never.
   */
  vacuumCheckSeconds: number;
  poolSize: number;
  logLevel: string;
  /** SIGTERM/SIGINT: how long stopping may take before the process exits with 1 anyway. */
  shutdownSeconds: number;
  /** Check every API answer against its documented response schema (tests; a mismatch becomes a logged 500). */
  checkResponses: boolean;
  /**
   * The MQTT broker the regional network's devices report to (MIMAMORI_MQTT_URL, e.g.
   * mqtt://127.0.0.1:1883); unset: no MQTT. Events arrive on `<base>/<device>` and
   * availability on `<base>/<device>/availability` (MIMAMORI_MQTT_BASE_TOPIC, Zigbee2MQTT's "zigbee2mqtt").
   */
  mqttUrl: string | undefined;
  mqttBaseTopic: string;
  /** Broker login, when it needs one (MIMAMORI_MQTT_USERNAME, MIMAMORI_MQTT_PASSWORD). */
  mqttUsername: string | undefined;
  mqttPassword: string | undefined;
}

function int(name: string, fallback: number, env: NodeJS.ProcessEnv): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number, got "${raw}"`);
  return value;
}

function flag(value: string | undefined): boolean {
  return value === "1" || value === "true" || value === "yes";
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // wall-clock: unless told otherwise, a new sandbox's virtual time starts at the real present.
  const sandboxStart = env.MIMAMORI_SANDBOX_START ? new Date(env.MIMAMORI_SANDBOX_START) : new Date();
  if (Number.isNaN(sandboxStart.getTime())) throw new Error("MIMAMORI_SANDBOX_START must be an ISO date-time");
  const sandbox = flag(env.MIMAMORI_SANDBOX);
  return {
    port: int("PORT", 3000, env),
    host: env.HOST ?? "0.0.0.0",
    // The sandbox keeps its own database by default, so training never mixes with production.
    dataDir: resolve(env.MIMAMORI_DATA_DIR || (sandbox ? "./data-sandbox" : "./data")),
    databaseUrl: env.DATABASE_URL || undefined,
    databaseSchema: env.MIMAMORI_DB_SCHEMA || undefined,
    sandbox,
    sandboxStart,
    adminToken: env.MIMAMORI_ADMIN_TOKEN || undefined,
    secretKey: env.MIMAMORI_SECRET_KEY || undefined,
    lineApiBase: env.MIMAMORI_LINE_API_BASE || "https://api.line.me",
    twilioApiBase: env.MIMAMORI_TWILIO_API_BASE || "https://api.twilio.com",
    publicUrl: env.MIMAMORI_PUBLIC_URL ? env.MIMAMORI_PUBLIC_URL.replace(/\/+$/, "") : undefined,
    webauthnRpId: env.MIMAMORI_WEBAUTHN_RP_ID || undefined,
    webauthnOrigins: env.MIMAMORI_WEBAUTHN_ORIGINS
      ? env.MIMAMORI_WEBAUTHN_ORIGINS.split(",").map((o) => o.trim().replace(/\/+$/, "")).filter(Boolean)
      : undefined,
    linkTtlHours: Math.max(1, int("MIMAMORI_LINK_TTL_HOURS", 72, env)),
    engine: env.MIMAMORI_ENGINE === undefined ? true : flag(env.MIMAMORI_ENGINE),
    spreadSeconds: Math.min(59, int("MIMAMORI_SPREAD_SECONDS", 0, env)),
    batchSize: int("MIMAMORI_BATCH_SIZE", 1000, env),
    sendLeaseMs: int("MIMAMORI_SEND_LEASE_MS", 60_000, env),
    pollMs: int("MIMAMORI_POLL_MS", 200, env),
    vacuumCheckSeconds: int("MIMAMORI_VACUUM_CHECK_S", 60, env),
    poolSize: int("MIMAMORI_DB_POOL", 10, env),
    logLevel: env.LOG_LEVEL ?? "info",
    shutdownSeconds: int("MIMAMORI_SHUTDOWN_S", 30, env),
    checkResponses: flag(env.MIMAMORI_CHECK_RESPONSES),
    mqttUrl: env.MIMAMORI_MQTT_URL || undefined,
    mqttBaseTopic: (env.MIMAMORI_MQTT_BASE_TOPIC || "zigbee2mqtt").replace(/\/+$/, ""),
    mqttUsername: env.MIMAMORI_MQTT_USERNAME || undefined,
    mqttPassword: env.MIMAMORI_MQTT_PASSWORD || undefined,
  };
}

/** Who passkeys are registered with: the relying party's id and name, and the origins ceremonies may come from. */
export interface RelyingParty {
  rpId: string;
  rpName: string;
  origins: string[];
}

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

/**
 * The passkeys' relying party, from the configuration, else from the public URL
 * (MIMAMORI_PUBLIC_URL, or where the service listens). A browser accepts no IP
 * address as a relying party id, so a service reached on a loopback address
 * registers passkeys for `localhost` and accepts ceremonies from
 * http://localhost:PORT as well as from the address itself.
 */
export function relyingParty(config: Config, publicUrl: string): RelyingParty {
  const url = new URL(publicUrl);
  const loopback = LOOPBACK.has(url.hostname);
  const ip = /^[\d.]+$/.test(url.hostname) || url.hostname.startsWith("[");
  const rpId = config.webauthnRpId ?? (loopback || ip ? "localhost" : url.hostname);
  const origins = config.webauthnOrigins ?? [...new Set([url.origin, ...(loopback ? [`${url.protocol}//localhost${url.port ? `:${url.port}` : ""}`] : [])])];
  return { rpId, rpName: "Mimamori", origins };
}
