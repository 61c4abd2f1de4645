/**
 * What a bounded context (the regional network, src/network/; the resource
 * directory, src/directory/) brings to the HTTP application: its routes under
 * /api/v1 with their access, answers and team scope, its error codes, and routes
 * outside /api/v1 (public pages, a standard's endpoints, device webhooks). The
 * composition root (service.ts) passes each context to `buildApp`; the core's
 * tables stay the core's, and the core never imports a context.
 */
import type { FastifyInstance } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { z } from "zod";
import type { ScopedKind } from "../engine/team-scope.ts";
import { type Access, addPersonalExports, addRouteAccess } from "./access.ts";
import { registerErrorCodes } from "./errors.ts";
import { addResponses } from "./responses.ts";
import type { Services } from "./services.ts";
import { addRouteScope } from "./team-scope.ts";

export interface HttpContext {
  /** For errors and logs: "network". */
  name: string;
  /** `METHOD /path` (under /api/v1, as in ROUTE_ACCESS) → who may call it. Every api route needs one. */
  access: Readonly<Record<string, Access>>;
  /** Routes (`METHOD /path`) whose answer is personal data to take away: refused to the auditor (access.ts). */
  exports?: readonly string[];
  /** `METHOD /path` → status → answer schema (as RESPONSES). */
  responses?: Readonly<Record<string, Record<number, z.ZodType>>>;
  /** `METHOD /path` → what its `:id` names, for routes that act on one member's records (as ROUTE_SCOPE). */
  scope?: Readonly<Record<string, ScopedKind>>;
  /** Error code → meaning; declare the codes by augmenting `ContextErrorCodes` (errors.ts). */
  errorCodes?: Readonly<Record<string, string>>;
  /** Plugins registered under /api/v1 after the core's, behind the same authentication, access and privacy hooks. */
  api: ((s: Services) => FastifyPluginAsyncZod)[];
  /** Routes outside /api/v1, registered as providers' webhooks are. */
  outside?: ((app: FastifyInstance, s: Services) => Promise<void>)[];
}

/** Adds a context's tables (access, answers, scope, error codes) to the core's; registering the same context again is harmless. */
export function registerContext(context: HttpContext): void {
  addRouteAccess(context.access);
  addPersonalExports(context.exports ?? []);
  addResponses(context.responses ?? {});
  addRouteScope(context.scope ?? {});
  registerErrorCodes(context.errorCodes ?? {});
}
