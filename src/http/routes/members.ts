/** Members: registration, plan, pause and resume, answers, history. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { isContactOf } from "../../engine/contacts.ts";
import { phonesOf } from "../../domain/member-fields.ts";
import {
  createMembers, deleteMember, likelyDuplicates, listMembers, listObservations, memberDetail, memberHistory, MissingReference, pauseMember, resumeMember,
  updateMember,
} from "../../engine/members.ts";
import { phoneOf } from "../../engine/incidents.ts";
import { registrationWarnings, setupEnvironment } from "../../engine/setup-checks.ts";
import { listVisits, watcherAssigned } from "../../engine/visits.ts";
import { audit } from "../audit.ts";
import { seesPersonal } from "../privacy.ts";
import { ApiError, notFound } from "../errors.ts";
import { checkTeam, notInTeam, teamScope } from "../team-scope.ts";
import { AnswerInput, DateTime, IdParams, Limit, ListQuery, MemberBulkCreate, MemberCreate, MemberPatch, PauseInput, text } from "../schemas.ts";
import type { Services } from "../services.ts";
import { memberDetailView, memberHistoryView, memberSummary, visitView } from "../views.ts";

const tags = ["members"];

export function memberRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const detail = async (request: Parameters<typeof audit>[1], id: string) => {
      const personal = seesPersonal(request.principal);
      const rows = await memberDetail(s.db, request.principal.organisationId, id);
      if (!rows) throw notFound("member");
      const view = memberDetailView(rows, personal);
      if (personal) await audit(s.db, request, "member.view", "member", id, { personal: true });
      // Members do not answer unknown numbers: whoever registers a phone member tells them this one.
      const callsFrom = view.channels.some((c) => c.kind === "voice")
        ? (await s.channelConfigs.get(request.principal.organisationId, "twilio"))?.settings.callerId ?? null
        : null;
      return { ...view, callsFrom };
    };

    app.post("/members", { schema: { tags, summary: "Register a member with plan, channels and contacts (team staff: into one of their teams, the first by default)", body: MemberCreate } },
      async (request, reply) => {
        checkTeam(request.principal, request.body.teamId, "teamId");
        const scope = teamScope(request.principal);
        if (scope && !request.body.teamId && scope.length === 0) throw notInTeam("teamId");
        const input = scope && !request.body.teamId ? { ...request.body, teamId: scope[0] } : request.body;
        const [id] = await createMembers(s.db, request.principal.organisationId, [input], s.clock.now(), s.config.spreadSeconds);
        await audit(s.db, request, "member.create", "member", id);
        // Registered all the same; the warnings say why a channel will deliver nothing.
        const warnings = await registrationWarnings(s.db, request.principal.organisationId, request.body, setupEnvironment(s.config));
        // A likely duplicate is registered all the same (twins, a couple sharing a landline): the console asks the person to check.
        const body = request.body;
        const likely = await likelyDuplicates(s.db, request.principal.organisationId, {
          displayName: body.displayName, fullName: body.fullName, birthDate: body.birthDate, phones: phonesOf(body.phone, body.channels),
        }, id);
        return reply.code(201).send({ ...(await detail(request, id)), warnings, likelyDuplicates: likely });
      });

    app.post("/members/bulk", {
      schema: { tags, summary: "Register up to 5,000 members at once, all or nothing", body: MemberBulkCreate },
    }, async (request, reply) => {
      const ids = await createMembers(s.db, request.principal.organisationId, request.body.members, s.clock.now(), s.config.spreadSeconds)
        .catch((error: unknown) => {
          if (!(error instanceof MissingReference)) throw error;
          const fields = error.items.map((i) => `members.${i.index}.${i.field}`);
          throw new MissingReference(fields[0], error.message, fields);
        });
      await audit(s.db, request, "member.bulk_create", "member", null, { count: ids.length });
      return reply.code(201).send({ ids });
    });

    app.get("/members", { schema: { tags, summary: "List members (no personal information)", querystring: ListQuery } },
      async (request) => {
        const { limit, after, teamId, q, state, channel, unconfirmedContacts } = request.query;
        // A search matches names and addresses: a role that may not see them may not probe them either.
        if (q && !seesPersonal(request.principal)) throw new ApiError(403, "forbidden", "searching members needs a role that sees personal data", "querystring.q");
        checkTeam(request.principal, teamId, "querystring.teamId");
        const teamIds = teamScope(request.principal);
        const rows = await listMembers(s.db, request.principal.organisationId, {
          limit, ...(teamIds ? { teamIds } : {}), ...(after ? { after } : {}), ...(teamId ? { teamId } : {}), ...(q ? { search: q } : {}), ...(state ? { state } : {}),
          ...(channel ? { channel } : {}), ...(unconfirmedContacts ? { unconfirmedContacts } : {}),
        });
        return { members: rows.map(memberSummary), next: rows.length === limit ? rows[rows.length - 1].id : null };
      });

    app.get("/members/:id", {
      schema: { tags, summary: "A member with the current check-in state and next due time (a watcher: a member they visit, reduced)", params: IdParams },
    }, async (request) => {
      if (request.principal.role !== "watcher") return detail(request, request.params.id);
      // A watcher sees a member they hold a visit of, and of them only what the visit needs.
      const { organisationId, tokenId } = request.principal;
      const rows = await memberDetail(s.db, organisationId, request.params.id);
      if (!rows) throw notFound("member");
      if (!(await watcherAssigned(s.db, organisationId, tokenId, request.params.id))) {
        throw new ApiError(403, "not_assigned", "this member is not assigned to you (a watcher sees the members of the visits they hold)");
      }
      const view = memberDetailView(rows, true);
      const visits = await listVisits(s.db, organisationId, { watcherId: tokenId, memberId: request.params.id, limit: 50 }, s.clock.now());
      await audit(s.db, request, "member.view", "member", request.params.id, { personal: true, as: "watcher" });
      return {
        id: view.id, displayName: view.displayName, address: (rows.member.personal as { address?: string }).address ?? null,
        phone: phoneOf(rows.member.personal, rows.member.channels), state: view.state, visits: visits.map((v) => visitView(v, tokenId)),
      };
    });

    app.patch("/members/:id", { schema: { tags, summary: "Change a member; a new plan counts from now", params: IdParams, body: MemberPatch } },
      async (request) => {
        checkTeam(request.principal, request.body.teamId, "teamId");
        const found = await updateMember(s.db, request.principal.organisationId, request.params.id, request.body, s.clock.now(), s.config.spreadSeconds);
        if (!found) throw notFound("member");
        await audit(s.db, request, "member.update", "member", request.params.id, { fields: Object.keys(request.body) });
        return detail(request, request.params.id);
      });

    app.delete("/members/:id", { schema: { tags, summary: "Delete a member and all their data", params: IdParams } },
      async (request, reply) => {
        if (!(await deleteMember(s.db, request.principal.organisationId, request.params.id))) throw notFound("member");
        await audit(s.db, request, "member.delete", "member", request.params.id);
        return reply.code(204).send();
      });

    app.post("/members/:id/pause", { schema: { tags, summary: "Pause check-ins until a date (travel, hospital)", params: IdParams, body: PauseInput } },
      async (request) => {
        const { until, reason, note } = request.body;
        const result = await pauseMember(s.db, request.principal.organisationId, request.params.id,
          { ...(until ? { until } : {}), reason, ...(note ? { note } : {}) }, s.clock.now());
        if (!result.ok && result.error === "not_found") throw notFound("member");
        if (!result.ok) throw new ApiError(400, "invalid_request", "the pause must end today or later", "until");
        await audit(s.db, request, "member.pause", "member", request.params.id, { until: until ?? null, reason });
        return detail(request, request.params.id);
      });

    app.post("/members/:id/resume", { schema: { tags, summary: "Resume a paused plan", params: IdParams } }, async (request) => {
      const found = await resumeMember(s.db, request.principal.organisationId, request.params.id, s.clock.now());
      if (!found) throw notFound("member");
      await audit(s.db, request, "member.resume", "member", request.params.id);
      return detail(request, request.params.id);
    });

    app.post("/members/:id/answers", {
      schema: {
        tags, params: IdParams, body: AnswerInput,
        summary: "Record an answer: from the member (OK / please contact me) or on their behalf",
      },
    }, async (request, reply) => {
      const { answer, source, contactId, by, note, idempotencyKey } = request.body;
      if (contactId) {
        if (!(await isContactOf(s.db, request.principal.organisationId, request.params.id, contactId))) throw new ApiError(422, "unknown_reference", "no such contact of this member", "contactId");
      }
      const outcome = await s.ingest.submit({
        organisationId: request.principal.organisationId, memberId: request.params.id, answer, source,
        ...(contactId ? { byContactId: contactId } : {}), ...(by ? { byLabel: by } : {}), ...(note ? { note } : {}),
        ...(idempotencyKey ? { idempotencyKey } : {}), channel: "api",
      });
      if (outcome.status === "member_not_found") throw notFound("member");
      if (outcome.status === "key_reused") {
        throw new ApiError(422, "idempotency_key_reused", "this idempotencyKey was used for another member or another answer: give each answer its own key", "idempotencyKey");
      }
      if (outcome.status === "recorded" && outcome.queued) s.engine.nudge();
      // An answer someone else gives for the member is a person's word: who, for whom, and why stay in the audit log.
      if (source !== "member" && outcome.status === "recorded") {
        await audit(s.db, request, "member.answer_on_behalf", "member", request.params.id, { answer, source, reason: note ?? null });
      }
      if (outcome.status === "duplicate") return reply.code(200).send({ duplicate: true });
      return reply.code(201).send({ id: outcome.answerId, closedCheckins: outcome.closedCheckins, incidentId: outcome.incidentId ?? null });
    });

    app.get("/members/:id/history", {
      schema: { tags, summary: "Check-ins, answers and incidents, newest first", params: IdParams,
        querystring: z.strictObject({ limit: Limit(500, 100) }) },
    }, async (request) => {
      const history = await memberHistory(s.db, request.principal.organisationId, request.params.id, request.query.limit);
      if (!history) throw notFound("member");
      return memberHistoryView(history);
    });

    app.get("/members/:id/observations", {
      schema: {
        tags, summary: "Answers to the daily questions (condition, health, sleep…) over time, newest first", params: IdParams,
        querystring: z.strictObject({
          question: text(40).optional(),
          since: DateTime.optional(),
          limit: Limit(1000, 200),
        }),
      },
    }, async (request) => {
      // Health answers are personal information: staff and admins only, and every read is logged.
      const { question, since, limit } = request.query;
      const rows = await listObservations(s.db, request.principal.organisationId, request.params.id,
        { limit, ...(question ? { question } : {}), ...(since ? { since: new Date(since) } : {}) });
      if (!rows) throw notFound("member");
      await audit(s.db, request, "member.observations.view", "member", request.params.id, { count: rows.length });
      return {
        observations: rows.map((r) => ({
          question: r.question, value: r.value, label: r.label, channel: r.channel, at: r.observed_at.toISOString(), checkinId: r.checkin_id,
        })),
      };
    });
  };
}
