/** The organisation's own provider channels. Credentials go in, never come out. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { MissingCredentials } from "../../engine/channel-configs.ts";
import { audit } from "../audit.ts";
import { requireRole } from "../auth.ts";
import { ApiError, notFound } from "../errors.ts";
import type { Services } from "../services.ts";

const tags = ["channels"];

export const LineConfigInput = z.strictObject({
  channelSecret: z.string().trim().min(8).max(200).optional(),
  channelAccessToken: z.string().trim().min(8).max(1000).optional(),
  termsVersion: z.string().trim().min(1).max(20).default("1"),
  termsUrl: z.url().max(500).optional(),
  requireGroupApproval: z.boolean().optional().describe("LINE groups the bot is added to wait for staff approval (POST /groups/:id/approve)"),
});

export function channelRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const view = async (organisationId: string) => {
      const line = await s.channelConfigs.line(organisationId);
      return {
        kind: "line",
        configured: line !== null,
        webhookPath: `/webhooks/line/${organisationId}`,
        ...(line ? { settings: line.settings } : {}),
      };
    };

    app.get("/channels/line", { schema: { tags, summary: "Whether the organisation's LINE official account is configured" } },
      async (request) => view(request.principal.organisationId));

    app.put("/channels/line", {
      schema: { tags, summary: "Configure the organisation's own LINE Messaging API channel", body: LineConfigInput },
    }, async (request) => {
      requireRole(request, "admin");
      const { channelSecret, channelAccessToken, ...settings } = request.body;
      try {
        await s.channelConfigs.saveLine(request.principal.organisationId,
          { ...(channelSecret ? { channelSecret } : {}), ...(channelAccessToken ? { channelAccessToken } : {}) },
          settings, new Date());
      } catch (error) {
        if (error instanceof MissingCredentials) throw new ApiError(400, "invalid_request", error.message, error.field);
        throw error;
      }
      await audit(s.db, request, "channel.line.configure", "organisation", request.principal.organisationId, {
        credentialsChanged: !!(channelSecret || channelAccessToken),
      });
      return view(request.principal.organisationId);
    });

    app.delete("/channels/line", { schema: { tags, summary: "Remove the LINE channel configuration" } }, async (request, reply) => {
      requireRole(request, "admin");
      if (!(await s.channelConfigs.removeLine(request.principal.organisationId))) throw notFound("LINE channel");
      await audit(s.db, request, "channel.line.remove", "organisation", request.principal.organisationId);
      return reply.code(204).send();
    });
  };
}
