/** Incidents: the open list, acknowledgement and the recorded outcome. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { acknowledgeIncident, resolveIncident } from "../../engine/incidents.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { AckInput, IdParams, IncidentQuery, ResolveInput } from "../schemas.ts";
import type { Services } from "../services.ts";
import { incidentViews } from "../views.ts";

const tags = ["incidents"];

export function incidentRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const one = async (organisationId: string, id: string) => {
      const row = await s.db.selectFrom("incidents").selectAll().where("id", "=", id).where("organisation_id", "=", organisationId).executeTakeFirst();
      if (!row) throw notFound("incident");
      return (await incidentViews(s.db, [row]))[0];
    };

    app.get("/incidents", { schema: { tags, summary: "Incidents, newest first, each with its timeline", querystring: IncidentQuery } },
      async (request) => {
        const { status, memberId, limit } = request.query;
        let q = s.db.selectFrom("incidents").selectAll().where("organisation_id", "=", request.principal.organisationId)
          .orderBy("opened_at", "desc").limit(limit);
        if (status === "unresolved") q = q.where("status", "<>", "resolved");
        else if (status) q = q.where("status", "=", status);
        if (memberId) q = q.where("member_id", "=", memberId);
        return { incidents: await incidentViews(s.db, await q.execute()) };
      });

    app.get("/incidents/:id", { schema: { tags, summary: "An incident and its timeline", params: IdParams } }, async (request) =>
      one(request.principal.organisationId, request.params.id));

    app.post("/incidents/:id/ack", { schema: { tags, summary: "Acknowledge: I'll take it (対応します)", params: IdParams, body: AckInput } },
      async (request) => {
        const by = request.body.by ?? request.principal.tokenName;
        const result = await acknowledgeIncident(s.db, request.principal.organisationId, request.params.id,
          { label: by, via: request.body.via }, s.clock.now());
        if (!result.ok) throw result.error.code === "not_found" ? notFound("incident") : new ApiError(409, result.error.code, result.error.message);
        await audit(s.db, request, "incident.ack", "incident", request.params.id, { by });
        return one(request.principal.organisationId, request.params.id);
      });

    app.post("/incidents/:id/resolve", { schema: { tags, summary: "Record the outcome and close the incident", params: IdParams, body: ResolveInput } },
      async (request) => {
        const by = request.body.by ?? request.principal.tokenName;
        const { outcome, note } = request.body;
        const result = await resolveIncident(s.db, request.principal.organisationId, request.params.id, outcome, note, by, s.clock.now());
        if (!result.ok) throw result.error.code === "not_found" ? notFound("incident") : new ApiError(409, result.error.code, result.error.message);
        await audit(s.db, request, "incident.resolve", "incident", request.params.id, { outcome });
        return one(request.principal.organisationId, request.params.id);
      });
  };
}
