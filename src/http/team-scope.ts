/**
 * Team staff reach the members of their own teams, and nothing of anyone else:
 * the rule of issue 11 ("team staff: the teams they belong to"), enforced by the
 * API. Admins, auditors and tokens reach every team; a watcher's reach is their
 * visits (access.ts `task`). A staff member who belongs to no team reaches no member.
 *
 * Routes that name one record by `:id` are checked here, declared in one table
 * (as ROUTE_ACCESS declares roles): the record's member's team must be one of the
 * caller's, or 403 `not_in_team`. Lists filter by `teamScope` in their routes;
 * writes that choose a team (registering a member, moving one) check it there.
 */
import type { FastifyRequest } from "fastify";
import { type ScopedKind, teamOf } from "../engine/team-scope.ts";
import type { Db } from "../store/db.ts";
import type { Principal } from "./auth.ts";
import { ApiError } from "./errors.ts";

/** The teams a principal is limited to: a staff person's teams; undefined (every team) for everyone else. */
export function teamScope(principal: Principal): string[] | undefined {
  return principal.kind === "person" && principal.role === "staff" ? (principal.session?.teamIds ?? []) : undefined;
}

/** `METHOD /path` → what its `:id` names, for the routes that act on one member's records. */
export const ROUTE_SCOPE: Readonly<Record<string, ScopedKind>> = {
  "GET /members/:id": "member",
  "PATCH /members/:id": "member",
  "DELETE /members/:id": "member",
  "POST /members/:id/pause": "member",
  "POST /members/:id/resume": "member",
  "POST /members/:id/answers": "member",
  "GET /members/:id/history": "member",
  "GET /members/:id/notes": "member",
  "POST /members/:id/notes": "member",
  "GET /members/:id/export": "member",
  "POST /members/:id/erasure": "member",
  "GET /members/:id/observations": "member",
  "GET /members/:id/contacts": "member",
  "POST /members/:id/contacts": "member",
  "PATCH /contacts/:id": "contact",
  "DELETE /contacts/:id": "contact",
  "POST /contacts/:id/invitation": "contact",
  "POST /contacts/:id/confirmation-request": "contact",
  "GET /incidents/:id": "incident",
  "POST /incidents/:id/ack": "incident",
  "POST /incidents/:id/resolve": "incident",
  "POST /incidents/:id/notes": "incident",
  "POST /incidents/:id/calls": "incident",
  "POST /incidents/:id/visits": "incident",
  "GET /visits/:id": "visit",
  "POST /visits/:id/accept": "visit",
  "POST /visits/:id/decline": "visit",
  "POST /visits/:id/outcome": "visit",
  "POST /visits/:id/cancel": "visit",
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The refusal of a record or team outside the caller's teams. */
export function notInTeam(field?: string): ApiError {
  return new ApiError(403, "not_in_team", "this belongs to a team you are not a member of (team staff reach their own teams' members)", field);
}

const contextScope: Record<string, ScopedKind> = {};

/** Adds a bounded context's routes that name a member's record by `:id` (`METHOD /path` → what it names). */
export function addRouteScope(entries: Readonly<Record<string, ScopedKind>>): void {
  for (const [key, kind] of Object.entries(entries)) {
    if (key in ROUTE_SCOPE) throw new Error(`route ${key} is the core's`);
    contextScope[key] = kind;
  }
}

/** The whole scope table: the core's routes and the registered contexts'. */
export function routeScope(): Readonly<Record<string, ScopedKind>> {
  return { ...ROUTE_SCOPE, ...contextScope };
}

/**
 * Refuses (403 `not_in_team`) a staff person acting on a record of another team.
 * A record that does not exist, or an id that is not one, is left to the route (404, 400).
 */
export async function checkTeamScope(db: Db, request: FastifyRequest, routeKey: string): Promise<void> {
  const scope = teamScope(request.principal);
  const kind = ROUTE_SCOPE[routeKey] ?? contextScope[routeKey];
  if (!scope || !kind) return;
  const id = (request.params as { id?: unknown } | undefined)?.id;
  if (typeof id !== "string" || !UUID.test(id)) return;
  const teamId = await teamOf(db, request.principal.organisationId, kind, id);
  if (teamId !== undefined && !scope.includes(teamId)) throw notInTeam();
}

/**
 * Routes whose body names the member acted on (`METHOD /path` → the body field):
 * answering for a member, following one up. Checked after validation, like `:id`.
 */
export const BODY_MEMBER_SCOPE: Readonly<Record<string, string>> = {
  "POST /sandbox/reply": "memberId",
  "POST /broadcasts/:id/answers": "memberId",
  "POST /broadcasts/:id/follow-up": "memberId",
};

/** Refuses (403 `not_in_team`, naming the field) a staff person acting on a member of another team named in the body. */
export async function checkBodyTeamScope(db: Db, request: FastifyRequest, routeKey: string): Promise<void> {
  const scope = teamScope(request.principal);
  const field = BODY_MEMBER_SCOPE[routeKey];
  if (!scope || !field) return;
  const id = (request.body as Record<string, unknown> | undefined)?.[field];
  if (typeof id !== "string" || !UUID.test(id)) return;
  const teamId = await teamOf(db, request.principal.organisationId, "member", id);
  if (teamId !== undefined && !scope.includes(teamId)) throw notInTeam(field);
}

/** Refuses a team outside the caller's scope (registering a member into it, moving one there, filtering by it). */
export function checkTeam(principal: Principal, teamId: string | undefined, field: string): void {
  const scope = teamScope(principal);
  if (scope && teamId !== undefined && !scope.includes(teamId)) throw notInTeam(field);
}
