/**
 * The sandbox contract (fixed, so scripts outside the project can drive it):
 * move the virtual clock, read what was delivered, reply as a member.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { parseDuration } from "../../domain/duration.ts";
import { memberChannels } from "../../engine/members.ts";
import { advanceSandboxClock, sandboxDeliveries } from "../../engine/sandbox-time.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { ClockInput, OutboxQuery, ReplyInput } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["sandbox"];

export function sandboxRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const clock = s.sandboxClock;
    if (!clock) return;

    app.get("/sandbox/clock", { schema: { tags, summary: "The virtual time" } }, async () => {
      await clock.refresh();
      return { now: clock.now().toISOString(), running: clock.running };
    });

    app.post("/sandbox/clock", {
      schema: { tags, summary: "Move virtual time forward; answers when everything due by then has been carried out", body: ClockInput },
    }, async (request) => {
      const body = request.body;
      const target = body.advance !== undefined ? { advanceMs: parseDuration(body.advance) as number } : { to: new Date(body.to as string) };
      const now = await advanceSandboxClock(s.db, s.engine, clock, target, body.run ?? false);
      if (now === "backwards") throw new ApiError(409, "clock_backwards", "the sandbox clock never goes backwards", "to");
      return { now: now.toISOString() };
    });

    app.get("/sandbox/outbox", { schema: { tags, summary: "Delivered messages in delivery order", querystring: OutboxQuery } },
      async (request) => {
        const { since, limit } = request.query;
        const rows = await sandboxDeliveries(s.db, request.principal.organisationId, since ?? "0", limit);
        // The texts name members and contacts (and the payload holds addresses): reading them is a view of personal data.
        if (rows.length) {
          await audit(s.db, request, "personal.view", "route", null, { route: "GET /sandbox/outbox", fields: ["payload", "text"], count: rows.length });
        }
        return {
          messages: rows.map((r) => ({
            id: String(r.seq),
            to: { kind: r.recipient_kind, id: r.recipient_id },
            channel: r.channel_kind,
            kind: r.message_kind,
            text: r.text,
            at: r.delivered_at.toISOString(),
            dueAt: r.due_at.toISOString(),
            payload: r.payload,
          })),
          cursor: rows.length ? String(rows[rows.length - 1].seq) : (since ?? "0"),
        };
      });

    app.post("/sandbox/reply", { schema: { tags, summary: "Answer as the member would on their primary channel", body: ReplyInput } },
      async (request) => {
        const channels = await memberChannels(s.db, request.principal.organisationId, request.body.memberId);
        if (!channels) throw new ApiError(404, "not_found", "no such member", "memberId");
        const outcome = await s.ingest.submit({
          organisationId: request.principal.organisationId, memberId: request.body.memberId, answer: request.body.answer,
          source: "member", channel: channels[0]?.kind ?? "sandbox",
        });
        if (outcome.status !== "recorded") throw notFound("member");
        // Deliver what the answer caused (team alerts, all-clear notices) before answering.
        await s.engine.exclusive((control) => control.runUntilIdle());
        return { answerId: outcome.answerId, closedCheckins: outcome.closedCheckins, incidentId: outcome.incidentId ?? null };
      });
  };
}
