/**
 * Broadcasts and disaster checks (安否確認): a message to all members, a team or
 * a group, optionally asking 無事ですか？; delivery and answers counted live.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  broadcastCounts, broadcastRecipients, type BroadcastRow, createBroadcast, EmptyAudience, getBroadcast, listBroadcasts, recordBroadcastAnswer,
} from "../../engine/broadcasts.ts";
import { audit } from "../audit.ts";
import { actorOf } from "../auth.ts";
import { ApiError, notFound } from "../errors.ts";
import { BroadcastAnswerInput, BroadcastInput, BroadcastListQuery, BroadcastRecipientQuery, IdParams } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["broadcasts"];

const broadcastView = (b: BroadcastRow) => ({
  id: b.id,
  audience: b.audience_id ? { kind: b.audience_kind, id: b.audience_id } : { kind: b.audience_kind },
  text: b.text,
  question: b.question,
  recipients: b.recipient_count,
  createdBy: b.created_by,
  createdAt: b.created_at.toISOString(),
});

export function broadcastRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const broadcastRow = async (organisationId: string, id: string) => {
      const row = await getBroadcast(s.db, organisationId, id);
      if (!row) throw notFound("broadcast");
      return row;
    };

    app.post("/broadcasts", {
      schema: { tags, summary: "Send a message to all members, a team or a group; optionally ask 無事ですか？", body: BroadcastInput },
    }, async (request, reply) => {
      const { audience, text, question } = request.body;
      let created: { id: string; recipients: number };
      try {
        created = await createBroadcast(s.db, {
          organisationId: request.principal.organisationId, audience, text, question,
          createdBy: actorOf(request.principal),
        }, s.clock.now());
      } catch (error) {
        if (error instanceof EmptyAudience) throw new ApiError(422, "no_recipients", error.message, "audience");
        throw error;
      }
      s.engine.nudge();
      await audit(s.db, request, "broadcast.create", "broadcast", created.id, {
        audience, question, recipients: created.recipients,
      });
      return reply.code(201).send(created);
    });

    app.get("/broadcasts", { schema: { tags, summary: "Broadcasts, newest first", querystring: BroadcastListQuery } }, async (request) => {
      return { broadcasts: (await listBroadcasts(s.db, request.principal.organisationId, request.query.limit)).map(broadcastView) };
    });

    app.get("/broadcasts/:id", {
      schema: { tags, summary: "A broadcast with delivery counts per state and its answers tallied", params: IdParams },
    }, async (request) => {
      const row = await broadcastRow(request.principal.organisationId, request.params.id);
      const counts = await broadcastCounts(s.db, row.id);
      // Without a question there is nothing to tally.
      return { ...broadcastView(row), delivery: counts.delivery, answers: row.question ? counts.answers : null };
    });

    app.get("/broadcasts/:id/recipients", {
      schema: {
        tags, summary: "Recipients by member id: delivery state and answer (answer=none: who has not answered)",
        params: IdParams, querystring: BroadcastRecipientQuery,
      },
    }, async (request) => {
      const row = await broadcastRow(request.principal.organisationId, request.params.id);
      const { limit, after, answer } = request.query;
      const recipients = await broadcastRecipients(s.db, row.id, { limit, ...(after ? { after } : {}), ...(answer ? { answer } : {}) });
      return { recipients, next: recipients.length === limit ? recipients[recipients.length - 1].memberId : null };
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
  };
}
