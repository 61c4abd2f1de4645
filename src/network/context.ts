/**
 * The regional network (seed 001; README, The regional network): partners and
 * their concern reports, devices, registration numbers, consent. A bounded context:
 * its own domain, tables (`network_…`), commands, phases and routes, all under
 * src/network/. It imports the core; the core never imports it. The composition
 * root (service.ts) plugs it in through the core's extension points: migrations
 * (store/migrations.ts), deciding-loop phases (engine/phases.ts), checks of its
 * queued messages' causes (engine/causes.ts) and HTTP routes (http/contexts.ts).
 */
import type { CauseCheck } from "../engine/causes.ts";
import type { DecidingPhase } from "../engine/phases.ts";
import type { PersonalDataHook } from "../engine/personal-data.ts";
import type { SetupCheckSource } from "../engine/setup-checks.ts";
import type { HttpContext } from "../http/contexts.ts";
import type { Services } from "../http/services.ts";
import type { Migration } from "../store/migrations.ts";
import { deviceInactivityPhase, deviceSilentCause, deviceSilentMovedPhase, deviceSilentPhase } from "./engine/device-phases.ts";
import { ingestByTopic, recordAvailability } from "./engine/devices.ts";
import { consentSetupChecks, networkPersonalData } from "./engine/consents.ts";
import { NETWORK_HTTP } from "./http/context.ts";
import { auditAs } from "../http/audit.ts";
import { finderCallRoutes } from "./providers/finder-call.ts";
import { MqttDevices } from "./providers/mqtt/devices.ts";
import { reportFormRoutes } from "./providers/report-form/routes.ts";
import { NETWORK_MIGRATIONS } from "./store/migrations.ts";

export interface NetworkContext {
  migrations: Migration[];
  /** Added after the core's phases, in this order. */
  phases: DecidingPhase[];
  /** Re-checks of its queued messages' causes when their turn comes (a silent device's task). */
  causeChecks: CauseCheck[];
  http: HttpContext;
  /** Its setup checks (members watched without consent), after the core's. */
  setupChecks: SetupCheckSource;
  /** Its rows in a member's export and erasure: every network table naming a member (engine/consents.ts). */
  personalData: PersonalDataHook;
  /** Long-lived parts (a broker connection), started once the service listens. */
  start(services: Services): Promise<void>;
  /** Stops them; the service stops the engine and the store after this. */
  stop(): Promise<void>;
  /** The MQTT provider of devices while it runs (MIMAMORI_MQTT_URL set): its counts. */
  mqtt?: MqttDevices;
}

/** The network as the composition root plugs it in. */
export function networkContext(): NetworkContext {
  const context: NetworkContext = {
    migrations: NETWORK_MIGRATIONS,
    phases: [deviceSilentPhase, deviceSilentMovedPhase, deviceInactivityPhase],
    causeChecks: [deviceSilentCause],
    // The finder's call (a Twilio provider) and the report form (a channel reports arrive by) are providers: plugged in
    // here, where providers are wired, beside the context's own routes.
    http: { ...NETWORK_HTTP, outside: [...(NETWORK_HTTP.outside ?? []), finderCallRoutes(auditAs), reportFormRoutes] },
    setupChecks: consentSetupChecks,
    personalData: networkPersonalData,
    async start(s) {
      if (s.config.mqttUrl) {
        context.mqtt = new MqttDevices({
          event: (topic, event, now) => ingestByTopic(s.db, topic, event, now),
          availability: (topic, availability, now) => recordAvailability(s.db, topic, availability, now),
        }, s.clock, s.log.child({ part: "mqtt" }), {
          url: s.config.mqttUrl, baseTopic: s.config.mqttBaseTopic, username: s.config.mqttUsername, password: s.config.mqttPassword,
        });
        await context.mqtt.start();
      }
    },
    async stop() {
      await context.mqtt?.stop();
      context.mqtt = undefined;
    },
  };
  return context;
}
