/**
 * LINE webhook: the signature is checked over the raw body (wrong or missing →
 * 401, nothing recorded); each event is stored durably, de-duplicated by its
 * webhookEventId, before the 200 goes back. The engine applies them afterwards.
 */
import { validateSignature } from "@line/bot-sdk";
import type { FastifyInstance } from "fastify";
import { ApiError } from "../../http/errors.ts";
import { scrubbed } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { newId } from "../../ids.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface LineWebhookBody {
  destination?: string;
  events?: { webhookEventId?: string; timestamp?: number; type?: string }[];
}

export async function lineWebhook(app: FastifyInstance, s: Services): Promise<void> {
  await app.register(async (scope) => {
    // The signature covers the exact bytes LINE sent: keep them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));

    scope.post<{ Params: { org: string } }>("/webhooks/line/:org", { schema: { hide: true } }, async (request, reply) => {
      const { org } = request.params;
      const line = UUID.test(org) ? await s.channelConfigs.line(org) : null;
      if (!line) throw new ApiError(404, "not_found", "no LINE channel is configured here");
      const signature = request.headers["x-line-signature"];
      const raw = request.body as Buffer;
      if (typeof signature !== "string" || !Buffer.isBuffer(raw) || !validateSignature(raw, line.credentials.channelSecret, signature)) {
        throw new ApiError(401, "bad_signature", "the X-Line-Signature header does not match the body", "x-line-signature");
      }
      let body: LineWebhookBody;
      try {
        body = JSON.parse(raw.toString("utf8")) as LineWebhookBody;
      } catch {
        throw new ApiError(400, "invalid_json", "the request body is not valid JSON");
      }
      const events = Array.isArray(body.events) ? body.events : [];
      const now = s.clock.now();
      const rows = events.filter((e) => typeof e?.webhookEventId === "string").map((event) => ({
        id: newId(), organisation_id: org, provider: "line", provider_event_id: event.webhookEventId as string,
        // A member's text may hold what JSON columns refuse (NUL, lone surrogates): stored as U+FFFD.
        payload: JSON.stringify(scrubbed({ destination: body.destination ?? null, event })), received_at: now,
      }));
      if (rows.length) {
        await s.inboundIngest.submit(rows);
        s.engine.nudge();
      }
      return reply.code(200).send({});
    });
  });
}
