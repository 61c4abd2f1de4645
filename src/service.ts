/**
 * Wires the service together: database, clock, channels, engine, HTTP. Used by
 * main.ts and by tests that start a whole service in-process. The composition
 * root: the one place concrete providers (src/providers/) meet the engine's ports
 * and the HTTP app.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import pino, { type Logger } from "pino";
import type { Config } from "./config.ts";
import { AnswerIngest } from "./engine/answers.ts";
import { BrandedChannels, ServiceNames } from "./engine/branding.ts";
import { addCauseCheck } from "./engine/causes.ts";
import { ChannelConfigs } from "./engine/channel-configs.ts";
import { ConsoleChannel } from "./engine/channels/console.ts";
import { ChannelRegistry, ConfiguredOrFallback } from "./engine/channels/registry.ts";
import { SandboxChannel } from "./engine/channels/sandbox.ts";
import { type Clock, SandboxClock, SystemClock } from "./engine/clock.ts";
import { Engine } from "./engine/engine.ts";
import { InboundIngest } from "./engine/inbound.ts";
import { Links } from "./engine/links.ts";
import { Metrics } from "./engine/metrics.ts";
import { corePhases, reportMailPhase } from "./engine/phases.ts";
import { firstStart } from "./engine/first-start.ts";
import { startHousekeeping } from "./engine/housekeeping.ts";
import { hashToken } from "./engine/organisations.ts";
import { invitePerson } from "./engine/people.ts";
import { addSetupCheckSource, PROVIDER_OF, setupChecks, setupEnvironment } from "./engine/setup-checks.ts";
import { buildApp } from "./http/app.ts";
import { type NetworkContext, networkContext } from "./network/context.ts";
import { DisclosureRefused, mayShare, recordDisclosureIn, sharingPurpose } from "./network/engine/consents.ts";
import { directoryContext } from "./directory/context.ts";
import { handOverPartners, partnersOwnedBy } from "./network/engine/partners.ts";
import { reportForNeed } from "./network/engine/triage.ts";
import { memberByRegistrationNumber } from "./network/engine/registration-numbers.ts";
import { addPersonalDataHook } from "./engine/personal-data.ts";
import type { Services } from "./http/services.ts";
import { EmailChannel } from "./providers/email/channel.ts";
import { LineChannel } from "./providers/line/channel.ts";
import { LineEvents } from "./providers/line/events.ts";
import { lineWebhook } from "./providers/line/webhook.ts";
import { SmsChannel } from "./providers/twilio/sms.ts";
import { VoiceChannel } from "./providers/twilio/voice.ts";
import { twilioWebhooks } from "./providers/twilio/webhooks.ts";
import { type Db, openStore, serverWarnings, type Store } from "./store/db.ts";
import { SecretBox } from "./store/secrets.ts";

export interface RunningService {
  app: FastifyInstance;
  services: Services;
  store: Store;
  url: string;
  /** The admin token, when this start created the first organisation. */
  createdAdminToken: string | undefined;
  /** The regional network as plugged in (its MQTT provider's counts, for tests and the benchmark). */
  network: NetworkContext;
  stop(): Promise<void>;
}

/**
 * On first start: one organisation and its admin token (engine/first-start.ts decides,
 * under a lock), printed once and kept in the data directory unless it was preset.
 */
async function bootstrap(
  store: Store, config: Config, secrets: SecretBox, log: Logger, print: (text: string) => void, now: Date,
): Promise<string | undefined> {
  const token = await firstStart(store.db, { sandbox: config.sandbox, sandboxStart: config.sandboxStart, adminToken: config.adminToken, now });
  if (token && !config.adminToken) {
    mkdirSync(config.dataDir, { recursive: true });
    const file = join(config.dataDir, "admin-token");
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    log.info({ file }, "created the first organisation; its admin token is stored in the data directory");
    // The first person: an administrator who sets a password and an authenticator at the link (or signs in with the token).
    const organisation = await store.db.selectFrom("api_tokens").select("organisation_id").where("token_hash", "=", hashToken(token)).executeTakeFirstOrThrow();
    const invited = await invitePerson(store.db, secrets, organisation.organisation_id, { displayName: "管理者", loginId: "admin", role: "admin" }, "system:first-start:", now);
    const link = invited.ok ? `${config.publicUrl ?? `http://localhost:${config.port}`}/invite#${invited.invitation.code}` : undefined;
    print(`\n  Admin API token (shown once, also saved to ${file}):\n\n    ${token}\n\n` +
      (link ? `  The first administrator's invitation (login id "admin"; shown once, valid 7 days), to open in a browser:\n\n    ${link}\n\n` : ""));
  }
  return token;
}

/**
 * Starts everything. `print` shows the first admin token to whoever started the
 * service (main.ts passes its non-blocking standard output). Throws StartRefused
 * (engine/first-start.ts) when the database does not fit the mode or token.
 */
export async function startService(
  config: Config, log: Logger = pino({ level: config.logLevel }), print: (text: string) => void = (text) => process.stdout.write(text),
  options: { wallClock?: Clock } = {},
): Promise<RunningService> {
  const wallClock = options.wallClock ?? new SystemClock();
  const network = networkContext();
  // The network's extension points in the core: its setup checks, its part in a member's export and erasure, its queued messages' causes.
  addSetupCheckSource(network.setupChecks);
  addPersonalDataHook(network.personalData);
  for (const check of network.causeChecks) addCauseCheck(check);
  // The local-resources directory (issue 14): the same extension points; what it needs from the network comes through its ports.
  // Referrals share a member's details only under the member's consent: the network's rule and disclosure record.
  const directory = directoryContext({
    handoverParts: [handOverPartners],
    async mayShareMemberDetails(db, organisationId, memberId, now) {
      return (await mayShare(db, organisationId, memberId, sharingPurpose({ recipientKind: "partner" }), now)).allowed;
    },
    // Called by the deciding loop only, after the service listens (publicUrl is set below by then).
    publicUrl: () => publicUrl(),
    // The door page of an activity: a member keys in their 見守り番号, kept by the network.
    memberByRegistrationNumber,
    ownedParts: [partnersOwnedBy],
    // A need recorded from a partner's report takes the report's member and words.
    partnerReport: reportForNeed,
    async shareMemberDetails(tx, organisationId, memberId, share, by, now) {
      try {
        const d = await recordDisclosureIn(tx, organisationId, memberId, { ...share, recipientKind: "partner" }, by, now);
        return { allowed: true, disclosureId: d.id };
      } catch (error) {
        if (error instanceof DisclosureRefused) return { allowed: false, refused: error.reason };
        throw error;
      }
    },
  });
  if (directory.setupChecks) addSetupCheckSource(directory.setupChecks);
  addPersonalDataHook(directory.personalData);
  for (const check of directory.causeChecks) addCauseCheck(check);
  const store = await openStore({
    migrations: [...network.migrations, ...directory.migrations],
    databaseUrl: config.databaseUrl,
    schema: config.databaseSchema,
    dataDir: join(config.dataDir, "pglite"),
    poolSize: config.poolSize,
  });
  const { db } = store;
  if (store.notDurable) log.warn(`${store.notDurable}. For production, use PostgreSQL (DATABASE_URL).`);
  for (const warning of await serverWarnings(store)) log.warn(warning);
  let createdAdminToken: string | undefined;
  const secrets = SecretBox.fromConfig(config.secretKey, config.dataDir);
  try {
    createdAdminToken = await bootstrap(store, config, secrets, log, print, wallClock.now());
  } catch (error) {
    await store.close();
    throw error;
  }
  const sandboxClock = config.sandbox ? await SandboxClock.open(db, config.sandboxStart) : undefined;
  const clock: Clock = sandboxClock ?? new SystemClock();
  const channelConfigs = new ChannelConfigs(db, secrets);
  // Known once the server listens (tests and `PORT=0` pick a free port).
  let listeningUrl = `http://127.0.0.1:${config.port}`;
  const publicUrl = () => config.publicUrl ?? listeningUrl;
  const links = new Links(db, secrets.derive("links"), publicUrl, config.linkTtlHours * 3_600_000);
  const line = new LineChannel({
    baseURL: config.lineApiBase,
    credentials: async (organisationId) => (await channelConfigs.line(organisationId))?.credentials ?? null,
  });
  const twilioAccount = (organisationId: string) => channelConfigs.get(organisationId, "twilio");
  const voice = new VoiceChannel({ apiBase: config.twilioApiBase, account: twilioAccount, publicUrl });
  const sms = new SmsChannel({ apiBase: config.twilioApiBase, account: twilioAccount, publicUrl, links });
  const email = new EmailChannel({ account: (organisationId) => channelConfigs.get(organisationId, "email"), links });
  const providers = { line: [line, PROVIDER_OF.line], voice: [voice, PROVIDER_OF.voice], sms: [sms, PROVIDER_OF.sms], email: [email, PROVIDER_OF.email] } as const;
  const sandbox = config.sandbox ? new SandboxChannel(db, clock, links) : undefined;
  const channels = sandbox ? new ChannelRegistry(sandbox).register("console", new ConsoleChannel()) : new ChannelRegistry();
  for (const [kind, [channel, provider]] of Object.entries(providers)) {
    // In the sandbox, an organisation that configured a provider uses it; the rest stay in the sandbox.
    channels.register(kind, sandbox
      ? new ConfiguredOrFallback(channel, sandbox, async (organisationId) => (await channelConfigs.get(organisationId, provider)) !== null)
      : channel);
  }
  const metrics = new Metrics();
  metrics.databaseFlushes = store.flushes;
  const serviceNames = new ServiceNames(db);
  const engine = new Engine(db, clock, new BrandedChannels(channels, serviceNames), log.child({ part: "engine" }), metrics, {
    batchSize: config.batchSize,
    pollMs: config.pollMs,
    sendLeaseMs: config.sendLeaseMs,
    phases: corePhases(metrics, new Map([["line", new LineEvents((organisationId, tx) => channelConfigs.line(organisationId, tx), config.spreadSeconds, !config.sandbox,
      (account, groupId, userId) => line.groupMemberName(account.organisationId, groupId, userId, undefined, account.channelAccessToken))]])).concat(
      reportMailPhase(publicUrl), network.phases, directory.phases),
  });
  const ingest = new AnswerIngest(db, () => clock.now(), (n) => {
    metrics.answersRecorded += n;
  });
  const services: Services = {
    config, db, databaseKind: store.kind, clock, wallClock, engine, ingest, inboundIngest: new InboundIngest(db), metrics, log, channelConfigs, links, publicUrl, secrets, serviceNames,
    ...(sandboxClock ? { sandboxClock } : {}),
  };
  const app = await buildApp(services, [lineWebhook, twilioWebhooks], [network.http, directory.http]);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  listeningUrl = `http://127.0.0.1:${port}`;
  if (config.engine) engine.start();
  // Only where the server leaves it undone (autovacuum off); one process of several does it at a time.
  const housekeeping = config.engine && store.kind === "postgres" && config.vacuumCheckSeconds > 0
    ? startHousekeeping(db, log.child({ part: "housekeeping" }), wallClock, config.vacuumCheckSeconds * 1000) : undefined;
  await network.start(services);
  await directory.start(services);
  log.info({ port, database: store.kind, sandbox: config.sandbox, engine: config.engine }, "mimamori is running");
  await warnAboutSetup(db, config, log, clock.now());

  let stopped = false;
  return {
    app, services, store, url: `http://127.0.0.1:${port}`, createdAdminToken, network,
    async stop() {
      if (stopped) return;
      stopped = true;
      await app.close();
      await directory.stop();
      await network.stop();
      // A VACUUM in progress is cancelled at once; the engine finishes its batch in hand.
      await Promise.all([housekeeping?.stop(), engine.stop()]);
      email.close();
      await store.close();
    },
  };
}

/** One warn line per setup problem of each organisation, so an operator reading the log sees what will make alerts fail. */
async function warnAboutSetup(db: Db, config: Config, log: Logger, now: Date): Promise<void> {
  const organisations = await db.selectFrom("organisations").select(["id", "name"]).orderBy("created_at").execute();
  for (const org of organisations) {
    for (const check of await setupChecks(db, org.id, setupEnvironment(config), now)) {
      log.warn({ organisationId: org.id, check: check.code, teamId: check.teamId, channelKind: check.channelKind, count: check.count },
        `setup check (${org.name}): ${check.message}`);
    }
  }
}

export function readStoredToken(dataDir: string): string | undefined {
  const file = join(dataDir, "admin-token");
  return existsSync(file) ? readFileSync(file, "utf8").trim() : undefined;
}
