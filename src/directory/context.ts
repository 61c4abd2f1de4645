/**
 * The local-resources directory (issue 14; seed 004): providers and their services
 * in the Open Referral HSDS 3.1 model, with who changed what, when they were last
 * verified and who owns them among the staff; later needs, matching, volunteers
 * and referrals. A bounded context: its own domain, tables (`directory_…`),
 * commands, phases and routes, all under src/directory/. It imports the core; the
 * core never imports it, and it never imports src/network/ (what it needs from
 * another context comes through a port, engine/ports.ts). The composition root
 * (service.ts) plugs it in through the core's extension points: migrations
 * (store/migrations.ts), deciding-loop phases (engine/phases.ts), cause checks
 * (engine/causes.ts), HTTP routes (http/contexts.ts), setup checks and the
 * personal-data hook (engine/personal-data.ts).
 */
import type { CauseCheck } from "../engine/causes.ts";
import type { DecidingPhase } from "../engine/phases.ts";
import type { PersonalDataHook } from "../engine/personal-data.ts";
import type { SetupCheckSource } from "../engine/setup-checks.ts";
import type { HttpContext } from "../http/contexts.ts";
import type { Services } from "../http/services.ts";
import type { Migration } from "../store/migrations.ts";
import { directoryPersonalData } from "./engine/personal-data.ts";
import { volunteerMessageCause } from "./engine/volunteer-messages.ts";
import { volunteerOffersPhase } from "./engine/volunteers.ts";
import type { DirectoryPorts } from "./engine/ports.ts";
import { directoryHttp } from "./http/context.ts";
import { DIRECTORY_MIGRATIONS } from "./store/migrations.ts";

export interface DirectoryContext {
  migrations: Migration[];
  /** Added after the core's and the network's phases, in this order. */
  phases: DecidingPhase[];
  /** Re-checks of its queued messages' causes when their turn comes. */
  causeChecks: CauseCheck[];
  http: HttpContext;
  /** Its setup checks, after the core's; none yet. */
  setupChecks?: SetupCheckSource;
  /** Its rows in a member's export and erasure (engine/personal-data.ts). */
  personalData: PersonalDataHook;
  /** Long-lived parts, started once the service listens; none yet. */
  start(services: Services): Promise<void>;
  stop(): Promise<void>;
}

/** The directory as the composition root plugs it in, with the ports other contexts give it. */
export function directoryContext(ports: DirectoryPorts = {}): DirectoryContext {
  return {
    migrations: DIRECTORY_MIGRATIONS,
    phases: [volunteerOffersPhase(ports.publicUrl ?? (() => "http://localhost"))],
    causeChecks: [volunteerMessageCause],
    http: directoryHttp(ports),
    personalData: directoryPersonalData,
    async start() {},
    async stop() {},
  };
}
