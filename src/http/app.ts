/** The HTTP application: JSON under /api/v1, described by OpenAPI 3.1 generated from the request schemas. */
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance } from "fastify";
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { accessOf, checkAccess, guardRoutes } from "./access.ts";
import { SystemClock } from "../engine/clock.ts";
import { audit, wasAudited } from "./audit.ts";
import { Authenticator, type Principal } from "./auth.ts";
import { personalFieldsIn, seesPersonal, shapeForRole } from "./privacy.ts";
import { broadcastRoutes } from "./routes/broadcasts.ts";
import { checkinPageRoutes } from "./routes/checkin-page.ts";
import { handleError } from "./errors.ts";
import { contactRoutes } from "./routes/contacts.ts";
import { deliveryRoutes } from "./routes/deliveries.ts";
import { groupRoutes } from "./routes/groups.ts";
import { incidentRoutes } from "./routes/incidents.ts";
import { memberRoutes } from "./routes/members.ts";
import { opsRoutes } from "./routes/ops.ts";
import { organisationRoutes } from "./routes/organisations.ts";
import { sandboxRoutes } from "./routes/sandbox.ts";
import { channelRoutes } from "./routes/channels.ts";
import { teamRoutes } from "./routes/teams.ts";
import { lineWebhook } from "./webhooks/line.ts";
import { twilioWebhooks } from "./webhooks/twilio.ts";
import type { Services } from "./services.ts";

export async function buildApp(s: Services): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: s.log, bodyLimit: 8 * 1024 * 1024 })
    .withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: { code: "not_found", message: `no route ${request.method} ${request.url.split("?")[0]}` } }));

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Mimamori API",
        version: "1",
        description: "Check-ins for people who live alone, escalation to the people who go and look, and incidents with recorded outcomes.",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  guardRoutes(app as unknown as FastifyInstance);
  opsRoutes(app as unknown as FastifyInstance, s);
  await lineWebhook(app as unknown as FastifyInstance, s);
  await twilioWebhooks(app as unknown as FastifyInstance, s);
  await app.register(checkinPageRoutes(s));
  const wallClock = new SystemClock();
  const auth = new Authenticator(s.db, () => wallClock.now());
  await app.register(async (api) => {
    api.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
    api.addHook("onRequest", async (request) => {
      // Every /api/v1 route has a declared access (guardRoutes); undefined cannot happen, and would be refused.
      const access = accessOf(request) ?? "instance";
      if (access === "public") return;
      request.principal = await auth.authenticate(request);
      checkAccess(request, access);
    });
    // One personal-data rule for every answer (privacy.ts): observers get the redacted form; an answer
    // that shows staff personal data is audited, unless the route wrote its own entry.
    api.addHook("preSerialization", async (request, _reply, payload) => {
      const principal = (request as { principal?: Principal }).principal;
      if (!principal) return payload;
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
    for (const routes of [organisationRoutes, teamRoutes, memberRoutes, contactRoutes, groupRoutes, incidentRoutes, channelRoutes, sandboxRoutes, broadcastRoutes, deliveryRoutes]) {
      await api.register(routes(s));
    }
  }, { prefix: "/api/v1" });
  return app as unknown as FastifyInstance;
}
