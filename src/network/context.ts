/**
 * The regional network (seed 001; README, The regional network): partners and
 * their concern reports, devices, registration numbers, consent. A bounded context:
 * its own domain, tables (`network_…`), commands, phases and routes, all under
 * src/network/. It imports the core; the core never imports it. The composition
 * root (service.ts) plugs it in through the core's extension points: migrations
 * (store/migrations.ts), deciding-loop phases (engine/phases.ts) and HTTP routes
 * (http/contexts.ts).
 */
import type { DecidingPhase } from "../engine/phases.ts";
import type { HttpContext } from "../http/contexts.ts";
import type { Services } from "../http/services.ts";
import type { Migration } from "../store/migrations.ts";
import { NETWORK_HTTP } from "./http/context.ts";
import { NETWORK_MIGRATIONS } from "./store/migrations.ts";

export interface NetworkContext {
  migrations: Migration[];
  /** Added after the core's phases, in this order. */
  phases: DecidingPhase[];
  http: HttpContext;
  /** Long-lived parts (a broker connection), started once the service listens. */
  start(services: Services): Promise<void>;
  /** Stops them; the service stops the engine and the store after this. */
  stop(): Promise<void>;
}

/** The network as the composition root plugs it in. */
export function networkContext(): NetworkContext {
  return {
    migrations: NETWORK_MIGRATIONS,
    phases: [],
    http: NETWORK_HTTP,
    async start() {},
    async stop() {},
  };
}
