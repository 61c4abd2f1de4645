/**
 * Broadcasts and disaster checks (安否確認): a message to everyone, one or more
 * teams or one or more groups, optionally asking 無事ですか？, optionally a drill
 * (訓練); its preview per channel, delivery and answers counted live (by team),
 * who has not answered, a follow-up incident to send a visit on, and CAP 1.2
 * export and import (domain/cap.ts).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  type Audience, BROADCAST_BUTTONS, broadcastEmail, broadcastSms, broadcastSpeech, broadcastText, CALL_KEYS, smsSegments,
} from "../../domain/broadcasts.ts";
import { capAlertXml, CapError, type CapFields, parseCapAlert } from "../../domain/cap.ts";
import {
  audienceReach, broadcastCounts, broadcastRecipients, type BroadcastRow, broadcastTeamCounts, createBroadcast, EmptyAudience, followUpIncident,
  getBroadcast, listBroadcasts, recordBroadcastAnswer,
} from "../../engine/broadcasts.ts";
import { MissingReference } from "../../engine/members.ts";
import { getOrganisation } from "../../engine/organisations.ts";
import { organisationTimeZone } from "../../engine/today.ts";
import { audit } from "../audit.ts";
import { actorOf } from "../auth.ts";
import { ApiError, notFound } from "../errors.ts";
import {
  BroadcastAnswerInput, BroadcastFollowUpInput, BroadcastInput, BroadcastListQuery, BroadcastPreviewInput, BroadcastRecipientQuery, CapDraftInput,
  IdParams,
} from "../schemas.ts";
import type { Services } from "../services.ts";
import { teamScope } from "../team-scope.ts";

const tags = ["broadcasts"];

const broadcastView = (b: BroadcastRow) => ({
  id: b.id,
  audience: b.audience_kind === "all" ? { kind: b.audience_kind }
    : { kind: b.audience_kind, ...(b.audience_id ? { id: b.audience_id } : {}), ids: b.audience_ids.length ? b.audience_ids : b.audience_id ? [b.audience_id] : [] },
  text: b.text,
  question: b.question,
  drill: b.drill,
  recipients: b.recipient_count,
  createdBy: b.created_by,
  createdAt: b.created_at.toISOString(),
  cap: b.cap ?? null,
});

/** A one-tap link of the real length (32 characters of token) for the preview. */
const PREVIEW_TOKEN = "x".repeat(32);

export function broadcastRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const broadcastRow = async (organisationId: string, id: string) => {
      const row = await getBroadcast(s.db, organisationId, id);
      if (!row) throw notFound("broadcast");
      return row;
    };
    /** The engine names an unknown team or group by its place in `ids`; a caller who sent `id` hears `audience.id`. */
    const audienceError = (error: unknown, sentOne: boolean): never => {
      if (error instanceof EmptyAudience) throw new ApiError(422, "no_recipients", error.message, "audience");
      if (error instanceof MissingReference && sentOne) throw new MissingReference("audience.id", error.message);
      throw error;
    };
    const sentOne = (audience: { named?: "id" } | undefined) => audience?.named === "id";

    app.post("/broadcasts", {
      schema: {
        tags, summary: "Send a message to everyone, one or more teams or groups; optionally ask 無事ですか？; optionally a drill (訓練)",
        body: BroadcastInput,
      },
    }, async (request, reply) => {
      const { audience, text, question, drill, cap } = request.body;
      let created: { id: string; recipients: number };
      try {
        created = await createBroadcast(s.db, {
          organisationId: request.principal.organisationId, audience, text, question, drill, cap: (cap ?? null) as CapFields | null,
          createdBy: actorOf(request.principal),
        }, s.clock.now());
      } catch (error) {
        return audienceError(error, sentOne(audience));
      }
      s.engine.nudge();
      await audit(s.db, request, "broadcast.create", "broadcast", created.id, {
        audience: audience.kind === "all" ? audience : { kind: audience.kind, ids: audience.ids }, question, drill, recipients: created.recipients, ...(cap?.source ? { capIdentifier: cap.source.identifier } : {}),
      });
      return reply.code(201).send(created);
    });

    app.post("/broadcasts/preview", {
      schema: {
        tags, summary: "What each channel will send (LINE, SMS, e-mail, the call's words), rendered by the functions that send it; sends nothing",
        body: BroadcastPreviewInput,
      },
    }, async (request) => {
      const { audience, text, question, drill } = request.body;
      const content = { text, question, drill };
      const link = question ? `${s.publicUrl()}/c/${PREVIEW_TOKEN}` : undefined;
      let reach: { recipients: number; channels: Record<string, number> } | null = null;
      if (audience) {
        try {
          reach = await audienceReach(s.db, request.principal.organisationId, audience as Audience);
        } catch (error) {
          audienceError(error, sentOne(audience));
        }
      }
      const sms = broadcastSms(content, link);
      const email = broadcastEmail(content, link);
      return {
        reach,
        line: { text: broadcastText(text, question, drill), buttons: question ? [BROADCAST_BUTTONS.safe, BROADCAST_BUTTONS.need_help] : [] },
        sms: { text: sms, ...smsSegments(sms) },
        email: { subject: email.subject, text: email.text, link: link ?? null, pageButtons: question ? ["無事です", "助けが必要"] : [] },
        voice: {
          speech: broadcastSpeech(content),
          keys: question ? CALL_KEYS.map((k) => ({ digit: k.digit, answer: k.answer, label: BROADCAST_BUTTONS[k.answer] })) : [],
        },
      };
    });

    app.post("/broadcasts/cap-draft", {
      schema: {
        tags, summary: "Read a CAP 1.2 alert (XML) into a draft broadcast (text, question, drill, CAP fields); sends nothing",
        body: CapDraftInput,
      },
    }, async (request) => {
      try {
        return parseCapAlert(request.body.xml);
      } catch (error) {
        if (error instanceof CapError) throw new ApiError(422, "invalid_cap", error.message, error.field);
        throw error;
      }
    });

    app.get("/broadcasts", { schema: { tags, summary: "Broadcasts, newest first (drills marked)", querystring: BroadcastListQuery } }, async (request) => {
      return { broadcasts: (await listBroadcasts(s.db, request.principal.organisationId, request.query.limit)).map(broadcastView) };
    });

    app.get("/broadcasts/:id", {
      schema: { tags, summary: "A broadcast with delivery counts per state and its answers tallied, in all and by team", params: IdParams },
    }, async (request) => {
      const row = await broadcastRow(request.principal.organisationId, request.params.id);
      const counts = await broadcastCounts(s.db, row.id);
      const scope = teamScope(request.principal);
      const teams = (await broadcastTeamCounts(s.db, row.id)).filter((t) => !scope || scope.includes(t.teamId));
      // Without a question there is nothing to tally.
      return {
        ...broadcastView(row), delivery: counts.delivery, answers: row.question ? counts.answers : null,
        teams: teams.map((t) => ({ ...t, answers: row.question ? t.answers : null })),
      };
    });

    app.get("/broadcasts/:id/cap", {
      schema: { tags, summary: "The broadcast as an OASIS CAP 1.2 alert (application/cap+xml; status Exercise for a drill)", params: IdParams },
    }, async (request, reply) => {
      const { organisationId } = request.principal;
      const row = await broadcastRow(organisationId, request.params.id);
      const organisation = await getOrganisation(s.db, organisationId);
      const host = new URL(s.publicUrl()).host || "mimamori";
      const xml = capAlertXml({
        id: row.id, text: row.text, question: row.question, drill: row.drill, createdAt: row.created_at, cap: row.cap as CapFields | null,
      }, { sender: `${organisationId}@${host}`, senderName: organisation.name, zone: await organisationTimeZone(s.db, organisationId) });
      await audit(s.db, request, "broadcast.cap_export", "broadcast", row.id, { status: row.drill ? "Exercise" : "Actual" });
      return reply.type("application/cap+xml; charset=utf-8")
        .header("content-disposition", `attachment; filename="broadcast-${row.id}.cap.xml"`).send(xml);
    });

    app.get("/broadcasts/:id/recipients", {
      schema: {
        tags, summary: "Recipients by member id: team, phone, delivery state and answer (answer=none: who has not answered; teamId: one team's)",
        params: IdParams, querystring: BroadcastRecipientQuery,
      },
    }, async (request) => {
      const row = await broadcastRow(request.principal.organisationId, request.params.id);
      const { limit, after, answer, teamId } = request.query;
      const scope = teamScope(request.principal);
      if (scope && teamId && !scope.includes(teamId)) throw new ApiError(403, "not_in_team", "this team is not one of yours", "teamId");
      let recipients = await broadcastRecipients(s.db, row.id, {
        limit, ...(after ? { after } : {}), ...(answer ? { answer } : {}), ...(teamId ? { teamId } : {}),
      });
      const next = recipients.length === limit ? recipients[recipients.length - 1].memberId : null;
      // Team staff see their teams' members only.
      if (scope) recipients = recipients.filter((r) => scope.includes(r.teamId));
      return { recipients, next };
    });

    app.post("/broadcasts/:id/answers", {
      schema: {
        tags, summary: "Record a member's answer taken by phone or in person (safe / need help)",
        params: IdParams, body: BroadcastAnswerInput,
      },
    }, async (request, reply) => {
      const { organisationId, tokenName } = request.principal;
      const { memberId, answer } = request.body;
      const outcome = await recordBroadcastAnswer(s.db, {
        organisationId, broadcastId: request.params.id, memberId, answer, source: "staff", byLabel: tokenName, channel: "api",
      }, s.clock.now());
      if (outcome.status === "broadcast_not_found") throw notFound("broadcast");
      if (outcome.status === "no_question") throw new ApiError(409, "no_question", "this broadcast asked no question", "answer");
      if (outcome.status === "not_a_recipient") {
        throw new ApiError(422, "unknown_reference", "no such recipient of this broadcast", "memberId");
      }
      s.engine.nudge();
      await audit(s.db, request, "broadcast.answer", "broadcast", request.params.id, { memberId, answer });
      return reply.code(201).send({ memberId, answer: outcome.answer, incidentId: outcome.incidentId });
    });

    app.post("/broadcasts/:id/follow-up", {
      schema: {
        tags, summary: "The incident to send a visit on for a recipient: their open one, or a new no_answer incident (not for a drill)",
        params: IdParams, body: BroadcastFollowUpInput,
      },
    }, async (request, reply) => {
      const { organisationId } = request.principal;
      const { memberId } = request.body;
      const outcome = await followUpIncident(s.db, organisationId, request.params.id, memberId, s.clock.now());
      if (outcome.status === "broadcast_not_found") throw notFound("broadcast");
      if (outcome.status === "not_a_recipient") throw new ApiError(422, "unknown_reference", "no such recipient of this broadcast", "memberId");
      if (outcome.status === "drill") {
        throw new ApiError(409, "drill_broadcast", "a drill's silence opens no incident: call the member instead", "memberId");
      }
      if (outcome.opened) s.engine.nudge();
      await audit(s.db, request, "broadcast.follow_up", "broadcast", request.params.id, { memberId, incidentId: outcome.incidentId, opened: outcome.opened });
      return reply.code(outcome.opened ? 201 : 200).send({ incidentId: outcome.incidentId, opened: outcome.opened });
    });
  };
}
