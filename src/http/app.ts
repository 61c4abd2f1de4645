/** The HTTP application: JSON under /api/v1, described by OpenAPI 3.1 generated from the request schemas. */
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject, type ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { accessOf, checkAccess, guardRoutes, routeKeyOf } from "./access.ts";
import { checkBodyTeamScope, checkTeamScope } from "./team-scope.ts";
import { audit, wasAudited } from "./audit.ts";
import { Authenticator, type Principal } from "./auth.ts";
import { personalFieldsIn, seesPersonal, shapeForRole } from "./privacy.ts";
import { broadcastRoutes } from "./routes/broadcasts.ts";
import { checkinPageRoutes } from "./routes/checkin-page.ts";
import { ApiError, errorCodes, errorSchema, handleClientError, handleError, handleFrameworkError, validatorCompiler } from "./errors.ts";
import { responsesOf } from "./responses.ts";
import { type HttpContext, registerContext } from "./contexts.ts";
import { registerConsole } from "./console.ts";
import { unsafeStrings } from "./schemas.ts";
import { type ParsedQuery, parseQueryString, UNDECODABLE } from "./query-string.ts";
import { contactRoutes } from "./routes/contacts.ts";
import { deliveryRoutes } from "./routes/deliveries.ts";
import { groupRoutes } from "./routes/groups.ts";
import { incidentRoutes } from "./routes/incidents.ts";
import { memberImportRoutes } from "./routes/member-imports.ts";
import { memberRoutes } from "./routes/members.ts";
import { opsRoutes } from "./routes/ops.ts";
import { organisationRoutes } from "./routes/organisations.ts";
import { sandboxRoutes } from "./routes/sandbox.ts";
import { channelRoutes } from "./routes/channels.ts";
import { brandingRoutes } from "./routes/branding.ts";
import { teamRoutes } from "./routes/teams.ts";
import { templateRoutes } from "./routes/templates.ts";
import { memberNoteRoutes } from "./routes/member-notes.ts";
import { personalDataRoutes } from "./routes/personal-data.ts";
import { reportRoutes } from "./routes/reports.ts";
import { todayRoutes } from "./routes/today.ts";
import { incidentNoteRoutes } from "./routes/incident-notes.ts";
import { dutyRoutes } from "./routes/duty.ts";
import { peopleRoutes } from "./routes/people.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { visitRoutes } from "./routes/visits.ts";
import type { Services } from "./services.ts";

/** Routes a provider brings (its webhooks, outside /api/v1), registered by the composition root (service.ts). */
export type ProviderRoutes = (app: FastifyInstance, s: Services) => Promise<void>;

/**
 * The application: the core's routes, the providers' webhooks and each bounded
 * context's routes (contexts.ts), registered before any route so the access,
 * answer and scope tables know them.
 */
export async function buildApp(s: Services, providerRoutes: ProviderRoutes[] = [], contexts: HttpContext[] = []): Promise<FastifyInstance> {
  for (const context of contexts) registerContext(context);
  const app = Fastify({
    loggerInstance: s.log,
    bodyLimit: 8 * 1024 * 1024,
    // Longer than any valid parameter, so an over-long id is named by the validator; beyond it, 414 in our shape.
    routerOptions: { maxParamLength: 1000, querystringParser: parseQueryString },
    frameworkErrors: handleFrameworkError,
    clientErrorHandler: handleClientError,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the answers; serializing through them would strip or slow, so answers go out as built.
  app.setSerializerCompiler(({ schema, method, url, httpStatus }) => {
    if (!s.config.checkResponses) return (data) => JSON.stringify(data);
    return (data) => {
      const checked = (schema as z.ZodType).safeParse(data);
      if (!checked.success) throw new Error(`${method} ${url} ${httpStatus}: the answer does not match its documented schema: ${z.prettifyError(checked.error)}`);
      return JSON.stringify(data);
    };
  });
  app.addHook("onRoute", documentOperation);
  if (s.config.checkResponses) app.addHook("onSend", refuseUndocumentedStatus);
  app.setErrorHandler(handleError);
  // An empty body sent as JSON is no body (what many clients send with a bare POST).
  const json = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    // The body is read as UTF-8 (RFC 8259): a client declaring another charset would have its text misread.
    const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(request.headers["content-type"] ?? "")?.[1]?.toLowerCase();
    if (charset && charset !== "utf-8" && charset !== "utf8") {
      return done(new ApiError(415, "unsupported_media_type", "JSON is read as UTF-8: send charset=utf-8 or none", "content-type"), undefined);
    }
    return body === "" ? done(null, undefined) : json(request, body as string, done);
  });
  app.addHook("preValidation", refuseUnsafeInput);
  const consolePage = await registerConsole(app as unknown as FastifyInstance);
  app.setNotFoundHandler((request, reply) => {
    if (consolePage(request, reply)) return;
    return reply.code(404).send({ error: { code: "not_found", message: `no route ${request.method} ${request.url.split("?")[0]}` } });
  });

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Mimamori API",
        version: "1",
        description: "Check-ins for people who live alone, escalation to the people who go and look, and incidents with recorded outcomes.",
        license: { name: "AGPL-3.0-or-later", identifier: "AGPL-3.0-or-later" },
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  guardRoutes(app as unknown as FastifyInstance);
  opsRoutes(app as unknown as FastifyInstance, s);
  for (const routes of [...providerRoutes, ...contexts.flatMap((c) => c.outside ?? [])]) await routes(app as unknown as FastifyInstance, s);
  await app.register(checkinPageRoutes(s));
  const auth = new Authenticator(s.db, () => s.wallClock.now());
  await app.register(async (api) => {
    // The server is where this service answers (MIMAMORI_PUBLIC_URL, or where it listens).
    api.get("/openapi.json", { schema: { hide: true } }, async () => openApiDocument(app.swagger() as unknown as Record<string, unknown>, s.publicUrl()));
    api.addHook("onRequest", async (request) => {
      // Every /api/v1 route has a declared access (guardRoutes); undefined cannot happen, and would be refused.
      const access = accessOf(request) ?? "instance";
      if (access === "public") return;
      request.principal = await auth.authenticate(request);
      checkAccess(request, access);
      await checkTeamScope(s.db, request, routeKeyOf(request) ?? "");
    });
    // A member named in the body is in scope too (after validation: the body is read and checked by then).
    api.addHook("preHandler", async (request) => {
      if (request.principal) await checkBodyTeamScope(s.db, request, routeKeyOf(request) ?? "");
    });
    // One personal-data rule for every answer (privacy.ts): observers get the redacted form; an answer
    // that shows staff personal data is audited, unless the route wrote its own entry.
    api.addHook("preSerialization", async (request, _reply, payload) => {
      const principal = (request as { principal?: Principal }).principal;
      // Public routes have no principal; `person` and `duty` routes answer only with the caller's own account, sessions and channels.
      if (!principal || accessOf(request) === "person" || accessOf(request) === "duty") return payload;
      if (!seesPersonal(principal)) return shapeForRole(principal, payload);
      if (wasAudited(request) || request.routeOptions.url === "/api/v1/audit-log") return payload;
      const fields = personalFieldsIn(payload);
      if (fields.size) {
        await audit(s.db, request, "personal.view", "route", (request.params as { id?: string } | undefined)?.id ?? null, {
          route: `${request.method} ${request.routeOptions.url?.slice("/api/v1".length)}`, fields: [...fields].sort(),
        });
      }
      return payload;
    });
    for (const routes of [organisationRoutes, teamRoutes, templateRoutes, memberRoutes, contactRoutes, groupRoutes, incidentRoutes, channelRoutes, sandboxRoutes, broadcastRoutes, deliveryRoutes, todayRoutes, reportRoutes, memberNoteRoutes, personalDataRoutes, sessionRoutes, peopleRoutes, incidentNoteRoutes,
      memberImportRoutes, visitRoutes, dutyRoutes, brandingRoutes, ...contexts.flatMap((c) => c.api)]) {
      await api.register(routes(s));
    }
  }, { prefix: "/api/v1" });
  return app as unknown as FastifyInstance;
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const REPLACING_METHODS = new Set(["PUT", "PATCH"]);

/** Whether the request carries a body (a length above zero, or chunked), read or not. */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers["content-length"];
  return (length !== undefined && length !== "0") || request.headers["transfer-encoding"] !== undefined;
}

/**
 * Before validation: no request part may hold text that no field accepts; an API
 * operation without query parameters takes none; one without a body schema takes
 * no body (none, or `{}`), and a GET none at all; a PUT or PATCH with a body schema
 * needs a body; a POST with one gets `{}` when none was sent, so its schema names
 * each missing field.
 */
async function refuseUnsafeInput(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const undecodable = (request.query as ParsedQuery | undefined)?.[UNDECODABLE];
  if (undecodable?.length) {
    const fields = undecodable.map((name) => ({ field: `querystring.${name}`, code: "invalid_format" as const, message: "broken percent-encoding (not UTF-8 text)" }));
    throw new ApiError(400, "invalid_url", `the query string is not valid: ${fields[0].message}`, fields[0].field, fields);
  }
  const problems = [
    ...unsafeStrings(request.params, "params."),
    ...unsafeStrings(request.query, "querystring."),
    ...unsafeStrings(request.body, ""),
  ];
  if (problems.length) throw new ApiError(400, "invalid_request", problems[0].message, problems[0].field, problems);
  if (!request.routeOptions.url?.startsWith("/api/v1/")) return;
  // Unknown fields are refused everywhere: an operation without query parameters takes none.
  const query = Object.keys((request.query as object | undefined) ?? {});
  if (query.length && !request.routeOptions.schema?.querystring) {
    const fields = query.map((k) => ({ field: `querystring.${k}`, code: "unknown_field" as const, message: "this operation takes no query parameters" }));
    throw new ApiError(400, "invalid_request", fields[0].message, fields[0].field, fields);
  }
  if (!BODY_METHODS.has(request.method)) {
    // Fastify does not read a GET's body; one sent anyway is a client's mistake, not something to ignore.
    if (hasBody(request)) throw new ApiError(400, "body_not_allowed", "this operation takes no body", "body");
    return;
  }
  const body = request.body;
  if (request.routeOptions.schema?.body) {
    // A PUT replaces and a PATCH changes what its body says: without one it would save defaults or nothing.
    if (body === undefined && REPLACING_METHODS.has(request.method)) {
      throw new ApiError(400, "invalid_request", "this operation needs a JSON body", "body", [{ field: "body", code: "required", message: "this operation needs a JSON body" }]);
    }
    if (body === undefined) request.body = {};
    return;
  }
  const empty = body === undefined || (typeof body === "object" && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
  if (!empty) throw new ApiError(400, "body_not_allowed", "this operation takes no body (send none, or {})", "body");
}

const API = "/api/v1";

/** `getMembersById`, `postIncidentsByIdAck`: the method and the path's words, stable as long as the route is. */
export function operationId(method: string, path: string): string {
  const words = path.split("/").filter(Boolean).flatMap((part) => (part.startsWith(":") ? ["by", part.slice(1)] : part.split(/[-_]/)));
  return method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
}

const refusal = (description: string) => errorSchema().describe(description);

/**
 * Every documented API operation gets an operationId, its answers from RESPONSES
 * and the error answers it can give (all in the Error shape).
 */
function documentOperation(route: { method: string | string[]; url: string; schema?: Record<string, unknown> }): void {
  const method = Array.isArray(route.method) ? route.method[0] : route.method;
  if (!route.url.startsWith(`${API}/`) || route.schema?.hide || method === "HEAD") return;
  const path = route.url.slice(API.length);
  const success = responsesOf(`${method} ${path}`) ?? { 200: z.unknown().describe("Default Response") };
  const body = BODY_METHODS.has(method);
  route.schema = {
    ...route.schema,
    operationId: route.schema?.operationId ?? operationId(method, path),
    response: {
      ...success,
      400: refusal(`Refused: invalid_request${body ? ", invalid_json" : ""}, body_not_allowed, invalid_url; nothing changed`),
      401: refusal("unauthorized: no token, or an unknown or revoked one"),
      403: refusal("forbidden: the token's role may not do this"),
      ...(path.includes(":") ? { 404: refusal("not_found: no such resource in this organisation") } : {}),
      "4xx": refusal(`Other refusals (409, 413, 414, 415, 422, 429), each with a stable code: ${Object.keys(errorCodes()).filter((c) => c !== "internal").join(", ")}`),
      ...(route.schema?.response as object | undefined),
    },
  };
}

/** With MIMAMORI_CHECK_RESPONSES: an answer whose status the operation does not document is a fault. */
async function refuseUndocumentedStatus(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> {
  const documented = request.routeOptions.schema?.response as Record<string, unknown> | undefined;
  const status = String(reply.statusCode);
  if (!documented || !request.routeOptions.url?.startsWith(`${API}/`) || status === "500") return payload;
  if (!(status in documented) && !(`${status[0]}xx` in documented)) {
    throw new Error(`${request.method} ${request.routeOptions.url} answered ${status}, which its schema does not document`);
  }
  return payload;
}

/**
 * The served document: where this service answers as its server, and only the
 * component schemas an operation refers to (zod's registry also yields input
 * variants of the response schemas, which nothing uses).
 */
function openApiDocument(doc: Record<string, unknown>, publicUrl: string) {
  const components = doc.components as { schemas?: Record<string, unknown> } | undefined;
  const all = components?.schemas ?? {};
  const refs = (value: unknown) => [...JSON.stringify(value).matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
  const used = new Set<string>();
  const pending = refs({ ...doc, components: { ...components, schemas: {} } });
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (used.has(name)) continue;
    used.add(name);
    pending.push(...refs(all[name]));
  }
  const schemas = Object.fromEntries(Object.entries(all).filter(([name]) => used.has(name)));
  return { ...doc, components: { ...components, schemas }, servers: [{ url: publicUrl, description: "this service" }] };
}
