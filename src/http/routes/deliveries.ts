/**
 * Messages that did not reach their recipient: refused by the provider, bounced,
 * undelivered SMS, calls nobody answered. The team sees them here (and an
 * alert's failures on the incident's timeline) so a wrong number or a dead
 * mailbox is fixed before it matters.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { emailBounced, listEnded } from "../../engine/deliveries.ts";
import { audit } from "../audit.ts";
import { notFound } from "../errors.ts";
import { Id, Limit, optionalText, text } from "../schemas.ts";
import type { Services } from "../services.ts";

export function deliveryRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const query = z.strictObject({
      memberId: Id.optional(),
      limit: Limit(1000, 100),
    });
    /** Outbox rows of one end state, newest first; failures with their code, cancellations with their reason. */
    const list = (status: "failed" | "cancelled", summary: string) => app.get(`/deliveries/${status}`, {
      schema: { tags: ["deliveries"], summary, querystring: query },
    }, async (request) => {
      const { limit, memberId } = request.query;
      const rows = await listEnded(s.db, request.principal.organisationId, status, { limit, ...(memberId ? { memberId } : {}) });
      await audit(s.db, request, `delivery.${status}.list`, "organisation", request.principal.organisationId, { count: rows.length });
      return {
        deliveries: rows.map((r) => ({
          id: r.id, recipient: { kind: r.recipient_kind, id: r.recipient_id }, channel: r.channel_kind, kind: r.message_kind,
          outcome: r.outcome, error: r.last_error, code: r.error_code, reason: r.cancel_reason, attempts: r.attempts,
          at: r.created_at.toISOString(), incidentId: r.incident_id, checkinId: r.checkin_id,
        })),
      };
    });
    list("failed", "Messages that could not be delivered on a channel (code: credentials_refused, not_configured, no_address, rejected), newest first");
    list("cancelled", "Queued messages not sent because their cause was gone when their turn came (reason), newest first");

    app.post("/deliveries/bounces", {
      schema: {
        tags: ["deliveries"],
        summary: "Report an e-mail that bounced after it was accepted (from the mail server's bounce message or a mail provider's webhook)",
        body: z.strictObject({
          messageId: text(300).min(3).describe("The bounced mail's Message-ID, e.g. <…@mimamori>"),
          reason: optionalText(500, true).default("reported bounce"),
        }),
      },
    }, async (request, reply) => {
      const outcome = await emailBounced(s.db, request.principal.organisationId, request.body.messageId, request.body.reason, s.clock.now());
      if (outcome === "not_found") throw notFound("e-mail with this Message-ID");
      s.engine.nudge();
      await audit(s.db, request, "delivery.bounce", "organisation", request.principal.organisationId, { messageId: request.body.messageId });
      return reply.code(202).send({ failed: true });
    });
  };
}
