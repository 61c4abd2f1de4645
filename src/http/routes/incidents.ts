/** Incidents: the open list, acknowledgement and the recorded outcome. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { acknowledgeIncident, getIncident, listIncidents, resolveIncident } from "../../engine/incidents.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { AckInput, IdParams, IncidentQuery, ResolveInput } from "../schemas.ts";
import type { Services } from "../services.ts";
import { incidentView } from "../views.ts";

const tags = ["incidents"];

export function incidentRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const one = async (organisationId: string, id: string) => {
      const incident = await getIncident(s.db, organisationId, id);
      if (!incident) throw notFound("incident");
      return incidentView(incident);
    };

    app.get("/incidents", { schema: { tags, summary: "Incidents, newest first, each with its timeline", querystring: IncidentQuery } },
      async (request) => {
        const { status, memberId, limit } = request.query;
        const incidents = await listIncidents(s.db, request.principal.organisationId,
          { limit, ...(status ? { status } : {}), ...(memberId ? { memberId } : {}) });
        return { incidents: incidents.map(incidentView) };
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
