/**
 * Who may call each route, declared in one table. Every route under /api/v1
 * must appear here: the server refuses to start otherwise (see `guardRoutes`),
 * so a new write route cannot forget its role check. The check runs right after
 * authentication, before the body is validated or anything is read.
 *
 * Levels (each includes the ones above it):
 * - `observer`: any valid token of the organisation; reads only (observers never write).
 * - `staff`: runs the watch: members, contacts, answers, incidents, broadcasts.
 * - `admin`: the organisation's settings, tokens, channels, policies, bulk import, the audit log.
 * - `instance`: the instance administrator — a token flagged `instance_admin`, i.e. the admin
 *   token created on first start (or `MIMAMORI_ADMIN_TOKEN`). It creates organisations and
 *   moves the sandbox clock, which every organisation of the instance shares.
 * - `public`: no token (the OpenAPI document, signing in, an invitation's page).
 * - `person`: any person signed in (their own session and sessions), whatever their role.
 * - `duty`: a person signed in as staff, admin or watcher: their own channels and duty
 *   (a watcher keeps channels for visit requests and is never on duty; auditors
 *   receive nothing; a token is nobody's).
 * - `task`: what a watcher needs for their visits, besides the `observer` (reads) and
 *   `staff` (writes) who reach it as usual. The route itself limits a watcher to their
 *   own: the members and incidents they hold a visit of (403 `not_assigned` for any
 *   other), and only name, address, phone, state and the task.
 *
 * People's roles (engine/people.ts) on these levels: `admin` and `staff` as the
 * tokens' roles of the same name; `auditor` reads everything (every GET, the
 * admin ones too: tokens, people, the audit log) and writes nothing; `watcher`
 * reaches `person` routes and the `task` routes, which show them their visits only.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { PrincipalRole } from "./auth.ts";
import { ApiError } from "./errors.ts";

export type Access = "public" | "person" | "duty" | "task" | "observer" | "staff" | "admin" | "instance";

/** `METHOD /path` as registered (Fastify's `:param` syntax, without the /api/v1 prefix) → who may call it. */
export const ROUTE_ACCESS: Readonly<Record<string, Access>> = {
  "GET /openapi.json": "public",

  "GET /organisation": "observer",
  // What will make alerts fail: names teams and channel kinds, no personal data.
  "GET /organisation/setup-checks": "observer",
  "PATCH /organisation": "admin",
  "POST /organisations": "instance",
  "GET /tokens": "admin",
  "POST /tokens": "admin",
  "DELETE /tokens/:id": "admin",
  "GET /audit-log": "admin",
  // The auditor reads and exports the audit log: it is theirs to check (the export is audited too).
  "GET /audit-log/export": "admin",

  "GET /teams": "observer",
  "POST /teams": "admin",
  "GET /teams/:id": "observer",
  "PATCH /teams/:id": "admin",
  "DELETE /teams/:id": "admin",
  "GET /escalation-policy": "observer",
  "PUT /escalation-policy": "admin",
  "DELETE /escalation-policy": "admin",
  // The timeline of the saved policies (auditors read it); POST previews unsaved ones as the admin edits.
  "GET /escalation-policy/preview": "observer",
  "POST /escalation-policy/preview": "admin",
  "GET /message-templates": "observer",
  "PUT /message-templates/:kind/:channel": "admin",
  "DELETE /message-templates/:kind/:channel": "admin",
  // Tries a template as the admin types (nothing saved).
  "POST /message-templates/preview": "admin",
  "GET /teams/:id/escalation-policy": "observer",
  "PUT /teams/:id/escalation-policy": "admin",
  "DELETE /teams/:id/escalation-policy": "admin",

  "GET /members": "observer",
  "POST /members": "staff",
  "POST /members/bulk": "admin",
  // A watcher: a member they hold a visit of, in the reduced form (routes/members.ts).
  "GET /members/:id": "task",
  "PATCH /members/:id": "staff",
  "DELETE /members/:id": "admin",
  "POST /members/:id/pause": "staff",
  "POST /members/:id/resume": "staff",
  "POST /members/:id/answers": "staff",
  "GET /members/:id/history": "observer",
  // 申し送り: observers get the text and its author redacted, like every note.
  "GET /members/:id/notes": "observer",
  "POST /members/:id/notes": "staff",
  // A member's personal data on request: the export and the erasure are the admin's (routes/personal-data.ts).
  "GET /members/:id/export": "admin",
  "POST /members/:id/erasure": "admin",
  // Imports and exports move whole lists of personal data: admins (an auditor is refused in the route).
  "POST /member-imports": "admin",
  "GET /member-imports/:id": "admin",
  "POST /member-imports/:id/check": "admin",
  "POST /member-imports/:id/commit": "admin",
  "GET /members/export": "admin",
  // Health answers are personal through and through: there is no redacted form to show.
  "GET /members/:id/observations": "staff",

  "GET /members/:id/contacts": "observer",
  "POST /members/:id/contacts": "staff",
  "GET /contacts": "observer",
  "PATCH /contacts/:id": "staff",
  "DELETE /contacts/:id": "staff",
  "POST /contacts/:id/invitation": "staff",
  "POST /contacts/:id/confirmation-request": "staff",

  "GET /groups": "observer",
  "POST /groups": "staff",
  "GET /groups/:id": "observer",
  "PATCH /groups/:id": "staff",
  "DELETE /groups/:id": "staff",
  "POST /groups/:id/approve": "staff",
  "GET /groups/:id/rounds": "observer",

  // A watcher: the incidents they hold a visit of, without the timeline (routes/incidents.ts).
  "GET /incidents": "task",
  "GET /incidents/:id": "task",
  "POST /incidents/ack": "staff",
  "POST /incidents/:id/calls": "staff",
  "POST /incidents/:id/visits": "staff",

  // Visits: staff see all (team staff: their teams'); a watcher sees and answers only the visits they hold.
  "GET /visits": "task",
  "GET /visits/:id": "task",
  "POST /visits/:id/accept": "task",
  "POST /visits/:id/decline": "task",
  "POST /visits/:id/outcome": "task",
  "POST /visits/:id/cancel": "staff",
  // Whom staff can ask to visit (names: observers get them redacted).
  "GET /watchers": "observer",
  "POST /incidents/:id/ack": "staff",
  "POST /incidents/:id/resolve": "staff",
  "POST /incidents/:id/notes": "staff",

  // Counts only, no member named: every reader (team staff: their teams).
  "GET /reports/monthly": "observer",
  // Counts only: an auditor may take it away too (it names nobody).
  "GET /reports/monthly/export": "observer",
  // Who receives the report by e-mail on the 1st: addresses are personal, changing them is the admin's.
  "GET /reports/subscriptions": "admin",
  "POST /reports/subscriptions": "admin",
  "DELETE /reports/subscriptions/:id": "admin",

  "GET /broadcasts": "observer",
  "POST /broadcasts": "staff",
  "GET /broadcasts/:id": "observer",
  "GET /broadcasts/:id/recipients": "observer",
  "POST /broadcasts/:id/answers": "staff",
  "POST /broadcasts/preview": "staff",
  "POST /broadcasts/cap-draft": "staff",
  "GET /broadcasts/:id/cap": "observer",
  "POST /broadcasts/:id/follow-up": "staff",

  "GET /channels/line": "observer",
  "PUT /channels/line": "admin",
  "DELETE /channels/line": "admin",
  "GET /channels/twilio": "observer",
  "PUT /channels/twilio": "admin",
  "DELETE /channels/twilio": "admin",
  "GET /channels/email": "observer",
  "PUT /channels/email": "admin",
  "DELETE /channels/email": "admin",

  // Branding and terms (設定 → 名称・規約): everyone reads, admins change.
  "GET /branding": "observer",
  "PUT /branding": "admin",
  "PUT /branding/logo": "admin",
  "DELETE /branding/logo": "admin",
  // The logo is shown on the check-in page, before any sign-in: it is no secret.
  "GET /branding/:organisationId/logo": "public",
  // The count of members who agreed names nobody.
  "GET /terms": "observer",
  "POST /terms": "admin",

  // Failed deliveries name addresses; there is no redacted form worth showing.
  "GET /deliveries/failed": "staff",
  "GET /deliveries/cancelled": "staff",
  "POST /deliveries/bounces": "staff",

  "GET /sandbox/clock": "observer",
  "POST /sandbox/clock": "instance",
  // The delivered texts carry names and addresses.
  "GET /sandbox/outbox": "staff",
  "POST /sandbox/reply": "staff",

  // Names are personal: observers get them redacted, like every other answer.
  "GET /today": "observer",
  // Fingerprints only, no personal data.
  "GET /today/events": "observer",

  // Signing in and accepting an invitation come before any credential.
  "POST /sessions": "public",
  "GET /invitations/:code": "public",
  "POST /invitations/:code/accept": "public",
  "POST /invitations/:code/passkey/options": "public",
  "POST /invitations/:code/passkey": "public",
  "POST /sessions/passkey/options": "public",
  "POST /sessions/passkey": "public",
  "GET /passkeys": "person",
  "POST /passkeys/options": "person",
  "POST /passkeys": "person",
  "DELETE /passkeys/:id": "person",
  "GET /session": "person",
  "DELETE /session": "person",
  "GET /sessions": "person",
  "DELETE /sessions": "person",
  "GET /people": "admin",
  "POST /people": "admin",
  "GET /people/:id": "admin",
  "PATCH /people/:id": "admin",
  "POST /people/:id/invitation": "admin",
  "DELETE /people/:id/sessions": "admin",

  // Team alerts reach people (engine/on-duty.ts): staff and admins, signed in, keep their own channels and duty.
  "GET /me/duty": "duty",
  "PUT /me/duty": "duty",
  "POST /me/channels": "duty",
  "DELETE /me/channels/:id": "duty",
  "POST /me/channels/:id/test": "duty",
  // An admin sets them for a person (someone without a smartphone, a rota kept at the office).
  "GET /people/:id/duty": "admin",
  "PUT /people/:id/duty": "admin",
  "POST /people/:id/channels": "admin",
  "DELETE /people/:id/channels/:channelId": "admin",
  // Who is on duty per team (names; observers get them redacted).
  "GET /duty": "observer",
};

const PREFIX = "/api/v1";
/** Watchers and auditors rank below observers for writes; what else they may do is decided in checkAccess. */
const RANK: Record<PrincipalRole, number> = { watcher: -1, auditor: 0, observer: 0, staff: 1, admin: 2 };
const MESSAGES: Record<Exclude<Access, "public">, string> = {
  person: "this needs a person signed in (a session), not an API token",
  duty: "this needs a person signed in as staff, admin or watcher (a session): messages reach people, not tokens or auditors",
  task: "this role may not do this",
  observer: "this role may not read this",
  staff: "this needs the staff or admin role",
  admin: "this needs the admin role",
  instance: "this needs the instance administrator's token",
};

const keyOf = (method: string, url: string) => `${method} ${url.startsWith(PREFIX) ? url.slice(PREFIX.length) : url}`;

/** `METHOD /path` of the /api/v1 route a request matched (the tables' key); undefined outside /api/v1. */
export function routeKeyOf(request: FastifyRequest): string | undefined {
  const url = request.routeOptions.url;
  if (!url?.startsWith(`${PREFIX}/`)) return undefined;
  const method = request.routeOptions.method === "HEAD" ? "GET" : (request.routeOptions.method as string);
  return keyOf(method, url);
}

const contextAccess: Record<string, Access> = {};

/**
 * Routes that hand personal data over as a file or a document to keep (a member's
 * file, the member list, a context's export): whoever may read the route may take
 * it, except the auditor, who checks on screen and takes nothing away (README,
 * "Roles"). The audit log's own export is the auditor's and is not here.
 */
const personalExports = new Set<string>(["GET /members/export", "GET /members/:id/export"]);

/** Adds a bounded context's personal exports (`METHOD /path` under /api/v1). */
export function addPersonalExports(keys: readonly string[]): void {
  for (const key of keys) personalExports.add(key);
}

/** Adds a bounded context's routes (`METHOD /path` under /api/v1 → access); a key the core has is a fault. */
export function addRouteAccess(entries: Readonly<Record<string, Access>>): void {
  for (const [key, access] of Object.entries(entries)) {
    if (key in ROUTE_ACCESS) throw new Error(`route ${key} is the core's`);
    contextAccess[key] = access;
  }
}

/** The whole access table: the core's routes and the registered contexts'. */
export function routeAccess(): Readonly<Record<string, Access>> {
  return { ...ROUTE_ACCESS, ...contextAccess };
}

/** The declared access of the route a request matched; undefined outside /api/v1. */
export function accessOf(request: FastifyRequest): Access | undefined {
  const key = routeKeyOf(request);
  return key === undefined ? undefined : (ROUTE_ACCESS[key] ?? contextAccess[key]);
}

/**
 * Refuses (403 `forbidden`) a principal below the route's level. Call after
 * authentication; `public` routes are never authenticated.
 */
export function checkAccess(request: FastifyRequest, access: Access): void {
  if (access === "public") return;
  const { role, instanceAdmin, kind } = request.principal;
  const read = request.method === "GET" || request.method === "HEAD";
  let allowed: boolean;
  if (access === "person") allowed = kind === "person";
  else if (access === "duty") allowed = kind === "person" && (role === "staff" || role === "admin" || role === "watcher");
  else if (access === "instance") allowed = instanceAdmin;
  // The route limits a watcher to their own visits; everyone else as observer (reads) or staff (writes).
  else if (role === "watcher") allowed = access === "task";
  else if (access === "task") allowed = role === "auditor" ? read : RANK[role] >= RANK[read ? "observer" : "staff"];
  // The auditor reads everything an admin reads, writes nothing and takes no personal data away.
  else if (role === "auditor") {
    if (personalExports.has(routeKeyOf(request) ?? "")) throw new ApiError(403, "forbidden", "an auditor may not export personal data");
    allowed = read;
  }
  else allowed = RANK[role] >= RANK[access];
  if (!allowed) throw new ApiError(403, "forbidden", MESSAGES[access]);
}

/**
 * Makes the table binding: registering an /api/v1 route that is not in it throws
 * (the server does not start), and so does a table entry with no route once the
 * server is ready. HEAD routes Fastify adds for GETs are covered by their GET.
 */
export function guardRoutes(app: FastifyInstance): void {
  const registered = new Set<string>();
  app.addHook("onRoute", (route) => {
    if (!route.url.startsWith(`${PREFIX}/`)) return;
    for (const method of [route.method].flat()) {
      if (method === "HEAD") continue;
      const key = keyOf(method, route.url);
      if (!(key in ROUTE_ACCESS) && !(key in contextAccess)) throw new Error(`route ${key} has no entry in ROUTE_ACCESS (src/http/access.ts)`);
      registered.add(key);
    }
  });
  app.addHook("onReady", async () => {
    const sandboxOnly = (key: string) => key.includes(" /sandbox/");
    const missing = Object.keys(routeAccess()).filter((k) => !registered.has(k) && !sandboxOnly(k));
    if (missing.length) throw new Error(`ROUTE_ACCESS names routes that do not exist: ${missing.join(", ")}`);
  });
}
