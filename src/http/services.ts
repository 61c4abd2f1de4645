/** What the HTTP layer is given to work with. */
import type { Logger } from "pino";
import type { AnswerIngest } from "../engine/answers.ts";
import type { ChannelConfigs } from "../engine/channel-configs.ts";
import type { Clock, SandboxClock } from "../engine/clock.ts";
import type { Engine } from "../engine/engine.ts";
import type { InboundIngest } from "../engine/inbound.ts";
import type { Links } from "../engine/links.ts";
import type { Metrics } from "../engine/metrics.ts";
import type { Db } from "../store/db.ts";
import type { SecretBox } from "../store/secrets.ts";
import type { ServiceNames } from "../engine/branding.ts";
import type { Config } from "../config.ts";

export interface Services {
  config: Config;
  db: Db;
  databaseKind: "postgres" | "pglite";
  clock: Clock;
  /**
   * Real-world time for security: sessions, tokens' lifetimes, lock-outs, authenticator codes,
   * passkey challenges (the sandbox's virtual clock moves none of them). Tests pass a clock of their own.
   */
  wallClock: Clock;
  engine: Engine;
  ingest: AnswerIngest;
  /** Webhook events, stored before the webhook answers. */
  inboundIngest: InboundIngest;
  metrics: Metrics;
  channelConfigs: ChannelConfigs;
  /** One-tap links of SMS and e-mail (the web check-in page). */
  links: Links;
  /** Where providers and members reach this service (set once it listens). */
  publicUrl(): string;
  log: Logger;
  /** Seals secrets at rest (people's TOTP secrets). */
  secrets: SecretBox;
  /** Each organisation's service name, cached (engine/branding.ts); forget one after changing it. */
  serviceNames: ServiceNames;
  /** Present only in sandbox mode. */
  sandboxClock?: SandboxClock;
}
