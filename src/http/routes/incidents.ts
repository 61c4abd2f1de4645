/**
 * Incidents: the open list, acknowledgement (one or many), a phone call to the
 * member and the recorded outcome. Every incident carries its visits. A
 * watcher reaches only the incidents they hold a visit of, without the
 * timeline (views.ts incidentView).
 */
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  acknowledgeIncident, getIncident, type IncidentWithTimeline, listIncidents, resolveIncident,
} from "../../engine/incidents.ts";
import { incidentsOfWatcher, recordCall, visitsOfIncidents } from "../../engine/visits.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { teamScope } from "../team-scope.ts";
import { teamOf } from "../../engine/team-scope.ts";
import { AckInput, BulkAckInput, CallInput, IdParams, IncidentQuery, ResolveInput } from "../schemas.ts";
import type { Services } from "../services.ts";
import { incidentView } from "../views.ts";

const tags = ["incidents"];

/** Incidents with their visits, shaped for the caller (a watcher's reduced form). */
export async function incidentViews(s: Services, request: FastifyRequest, rows: IncidentWithTimeline[]) {
  const { principal } = request;
  const visits = await visitsOfIncidents(s.db, principal.organisationId, rows.map((r) => r.incident.id), s.clock.now());
  const watcher = principal.role === "watcher" ? { watcherId: principal.tokenId } : undefined;
  return rows.map((r) => incidentView(r, visits.get(r.incident.id) ?? [], watcher));
}

/** One incident as the caller may see it: 404 when there is none, 403 `not_assigned` for a watcher who holds no visit of it. */
export async function oneIncident(s: Services, request: FastifyRequest, id: string) {
  const { principal } = request;
  const incident = await getIncident(s.db, principal.organisationId, id);
  if (!incident) throw notFound("incident");
  if (principal.role === "watcher" && !(await incidentsOfWatcher(s.db, principal.organisationId, principal.tokenId)).includes(id)) {
    throw new ApiError(403, "not_assigned", "this incident is not assigned to you");
  }
  return (await incidentViews(s, request, [incident]))[0];
}

export function incidentRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/incidents", {
      schema: { tags, summary: "Incidents, newest first, each with its timeline and visits (a watcher: the ones they visit)", querystring: IncidentQuery },
    }, async (request) => {
      const { principal } = request;
      const { status, memberId, limit } = request.query;
      const incidentIds = principal.role === "watcher" ? await incidentsOfWatcher(s.db, principal.organisationId, principal.tokenId) : undefined;
      const teamIds = teamScope(principal);
      const incidents = await listIncidents(s.db, principal.organisationId, {
        limit, ...(status ? { status } : {}), ...(memberId ? { memberId } : {}), ...(incidentIds ? { incidentIds } : {}), ...(teamIds ? { teamIds } : {}),
      });
      return { incidents: await incidentViews(s, request, incidents) };
    });

    app.get("/incidents/:id", { schema: { tags, summary: "An incident, its timeline and its visits", params: IdParams } }, async (request) =>
      oneIncident(s, request, request.params.id));

    app.post("/incidents/:id/ack", { schema: { tags, summary: "Acknowledge: I'll take it (対応します)", params: IdParams, body: AckInput } },
      async (request) => {
        const by = request.body.by ?? request.principal.tokenName;
        const result = await acknowledgeIncident(s.db, request.principal.organisationId, request.params.id,
          { label: by, via: request.body.via }, s.clock.now());
        if (!result.ok) throw result.error.code === "not_found" ? notFound("incident") : new ApiError(409, result.error.code, result.error.message);
        await audit(s.db, request, "incident.ack", "incident", request.params.id, { by });
        return oneIncident(s, request, request.params.id);
      });

    app.post("/incidents/ack", {
      schema: {
        tags, body: BulkAckInput,
        summary: "Acknowledge several incidents at once (a storm); each is taken on by itself, and the answer says which were and why not",
      },
    }, async (request) => {
      const by = request.principal.tokenName;
      const results: { id: string; ok: boolean; code: string | null }[] = [];
      // One by one: an incident a colleague took on meanwhile is reported, and does not stop the others.
      const scope = teamScope(request.principal);
      for (const id of request.body.ids) {
        // Another team's incident is reported like any other refusal, and does not stop the rest.
        const team = scope ? await teamOf(s.db, request.principal.organisationId, "incident", id) : undefined;
        if (scope && team !== undefined && !scope.includes(team)) {
          results.push({ id, ok: false, code: "not_in_team" });
          continue;
        }
        const result = await acknowledgeIncident(s.db, request.principal.organisationId, id, { label: by, via: request.body.via }, s.clock.now());
        results.push({ id, ok: result.ok, code: result.ok ? null : result.error.code });
        if (result.ok) await audit(s.db, request, "incident.ack", "incident", id, { by, bulk: true });
      }
      return { results };
    });

    app.post("/incidents/:id/calls", {
      schema: { tags, summary: "Record a phone call to the member (本人に電話) and how it went, on the timeline", params: IdParams, body: CallInput },
    }, async (request, reply) => {
      const { organisationId, tokenName } = request.principal;
      if (!(await recordCall(s.db, organisationId, request.params.id, request.body, tokenName, s.clock.now()))) throw notFound("incident");
      await audit(s.db, request, "incident.call", "incident", request.params.id, { outcome: request.body.outcome });
      return reply.code(201).send(await oneIncident(s, request, request.params.id));
    });

    app.post("/incidents/:id/resolve", { schema: { tags, summary: "Record the outcome and close the incident", params: IdParams, body: ResolveInput } },
      async (request) => {
        const by = request.body.by ?? request.principal.tokenName;
        const { outcome, note } = request.body;
        const result = await resolveIncident(s.db, request.principal.organisationId, request.params.id, outcome, note, by, s.clock.now());
        if (!result.ok) throw result.error.code === "not_found" ? notFound("incident") : new ApiError(409, result.error.code, result.error.message);
        await audit(s.db, request, "incident.resolve", "incident", request.params.id, { outcome });
        return oneIncident(s, request, request.params.id);
      });
  };
}
