/**
 * Visits (訪問): staff assign a visit for an incident to watchers in order; the
 * watcher who holds it accepts, declines (it goes to the next) or records what
 * they found. A watcher reaches only the visits they hold (403 `not_assigned`
 * for any other); staff and admins reach every visit, as they reach every
 * incident, and may answer for a watcher who phoned in. (Today's board lists
 * the overdue visits of a team member's own teams.)
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { FastifyRequest } from "fastify";
import {
  acceptVisit, type Actor, assignVisit, cancelVisit, declineVisit, getVisit, listVisits, listWatchers, recordVisitOutcome, type VisitCommandError,
  type VisitRecord,
} from "../../engine/visits.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { teamScope } from "../team-scope.ts";
import { IdParams, VisitAssignInput, VisitDeclineInput, VisitOutcomeInput, VisitQuery } from "../schemas.ts";
import type { Services } from "../services.ts";
import { visitView } from "../views.ts";

const tags = ["visits"];

/** The caller as the engine's Actor: a watcher acts on their own visits only. */
export function actorOf(request: FastifyRequest): Actor {
  const { principal } = request;
  return { label: principal.tokenName, ...(principal.role === "watcher" ? { watcherId: principal.tokenId } : {}) };
}

/** A refused visit command as our error shape. */
export function visitError(error: VisitCommandError, what = "visit"): ApiError {
  switch (error.code) {
    case "not_found":
      return notFound(what);
    case "not_your_visit":
      return new ApiError(403, "not_assigned", error.message);
    case "unknown_reference":
      return new ApiError(422, "unknown_reference", error.message, error.field);
    case "note_required":
      return new ApiError(400, "invalid_request", error.message, error.field);
    default:
      return new ApiError(409, error.code, error.message);
  }
}

export function visitRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    /** The visit as the caller may see it; 404 when there is none, 403 when a watcher does not hold it. */
    const visible = async (request: FastifyRequest, id: string): Promise<VisitRecord> => {
      const { principal } = request;
      const visit = await getVisit(s.db, principal.organisationId, id, s.clock.now());
      if (!visit) throw notFound("visit");
      if (principal.role === "watcher" && visit.watcher?.id !== principal.tokenId) throw new ApiError(403, "not_assigned", "this visit is not assigned to you");
      return visit;
    };
    const shaped = (request: FastifyRequest, v: VisitRecord) => visitView(v, request.principal.role === "watcher" ? request.principal.tokenId : undefined);

    app.get("/watchers", { schema: { tags, summary: "Watchers (見守り協力者) who can be asked to visit, with the visits each holds now" } },
      async (request) => ({ watchers: await listWatchers(s.db, request.principal.organisationId) }));

    app.get("/visits", {
      schema: { tags, summary: "Visits: still to be done first (earliest due first), then finished; a watcher gets their own (わたしの訪問)", querystring: VisitQuery },
    }, async (request) => {
      const { principal } = request;
      const { state, overdue, incidentId, watcherId, limit } = request.query;
      if (principal.role === "watcher" && watcherId && watcherId !== principal.tokenId) {
        throw new ApiError(403, "not_assigned", "a watcher sees their own visits only", "querystring.watcherId");
      }
      const now = s.clock.now();
      const teamIds = teamScope(principal);
      const visits = await listVisits(s.db, principal.organisationId, {
        limit, ...(teamIds ? { teamIds } : {}), ...(state ? { state } : {}), ...(overdue === "true" ? { overdueAt: now } : {}), ...(incidentId ? { incidentId } : {}),
        ...(principal.role === "watcher" ? { watcherId: principal.tokenId } : watcherId ? { watcherId } : {}),
      }, now);
      return { visits: visits.map((v) => shaped(request, v)) };
    });

    app.get("/visits/:id", { schema: { tags, summary: "A visit", params: IdParams } }, async (request) =>
      shaped(request, await visible(request, request.params.id)));

    app.post("/incidents/:id/visits", {
      schema: { tags, summary: "Assign a visit to watchers, asked in order (訪問を依頼); takes an open incident on", params: IdParams, body: VisitAssignInput },
    }, async (request, reply) => {
      const { watcherIds, dueAt, dueInMinutes, note } = request.body;
      const now = s.clock.now();
      const due = dueAt ? new Date(dueAt) : new Date(now.getTime() + (dueInMinutes ?? 0) * 60_000);
      const result = await assignVisit(s.db, request.principal.organisationId, request.params.id, { watcherIds, dueAt: due, note }, actorOf(request), now);
      if (!result.ok) throw visitError(result.error, "incident");
      await audit(s.db, request, "visit.assign", "incident", request.params.id, { visitId: result.visitId, watchers: watcherIds.length });
      return reply.code(201).send(shaped(request, await visible(request, result.visitId)));
    });

    app.post("/visits/:id/accept", { schema: { tags, summary: "The watcher accepts the visit (引き受ける)", params: IdParams } }, async (request) => {
      await visible(request, request.params.id);
      const result = await acceptVisit(s.db, request.principal.organisationId, request.params.id, actorOf(request), s.clock.now());
      if (!result.ok) throw visitError(result.error);
      await audit(s.db, request, "visit.accept", "visit", request.params.id);
      return shaped(request, await visible(request, request.params.id));
    });

    app.post("/visits/:id/decline", {
      schema: { tags, summary: "The watcher declines (今回は行けない): the visit goes to the next watcher in staff's order", params: IdParams, body: VisitDeclineInput },
    }, async (request) => {
      await visible(request, request.params.id);
      const result = await declineVisit(s.db, request.principal.organisationId, request.params.id, request.body.note, actorOf(request), s.clock.now());
      if (!result.ok) throw visitError(result.error);
      await audit(s.db, request, "visit.decline", "visit", request.params.id);
      // The visit has left a watcher who declined: they get it back once more, without the member's address and phone.
      const after = await getVisit(s.db, request.principal.organisationId, request.params.id, s.clock.now());
      if (!after) throw notFound("visit");
      return shaped(request, after);
    });

    app.post("/visits/:id/outcome", {
      schema: { tags, summary: "Record what the watcher found; 会えた・元気 (met_fine) resolves the incident as visited_fine", params: IdParams, body: VisitOutcomeInput },
    }, async (request) => {
      await visible(request, request.params.id);
      const result = await recordVisitOutcome(s.db, request.principal.organisationId, request.params.id, request.body, actorOf(request), s.clock.now());
      if (!result.ok) throw visitError(result.error);
      await audit(s.db, request, "visit.outcome", "visit", request.params.id, { outcome: request.body.outcome });
      const after = await getVisit(s.db, request.principal.organisationId, request.params.id, s.clock.now());
      if (!after) throw notFound("visit");
      return shaped(request, after);
    });

    app.post("/visits/:id/cancel", { schema: { tags, summary: "Withdraw a visit still to be done", params: IdParams } }, async (request) => {
      await visible(request, request.params.id);
      const result = await cancelVisit(s.db, request.principal.organisationId, request.params.id, actorOf(request), s.clock.now());
      if (!result.ok) throw visitError(result.error);
      await audit(s.db, request, "visit.cancel", "visit", request.params.id);
      return shaped(request, await visible(request, request.params.id));
    });
  };
}
