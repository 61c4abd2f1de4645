/** The organisation's own provider channels. Credentials go in, never come out. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { MissingCredentials } from "../../engine/channel-configs.ts";
import { channelHealth } from "../../engine/undeliverable.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { optionalText, phoneAddress, safeString, secret, text } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["channels"];

export const LineConfigInput = z.strictObject({
  channelSecret: secret(8, 200).optional(),
  channelAccessToken: secret(8, 1000).optional(),
  termsVersion: text(20).default("1"),
  termsUrl: safeString().trim().pipe(z.url().max(500)).optional(),
  requireGroupApproval: z.boolean().optional().describe("LINE groups the bot is added to wait for staff approval (POST /groups/:id/approve)"),
});

export const TwilioConfigInput = z.strictObject({
  accountSid: safeString().trim().regex(/^AC[0-9a-fA-F]{32}$/, "must be a Twilio account SID (AC + 32 hex digits)").optional(),
  authToken: secret(16, 200).optional(),
  callerId: phoneAddress.describe("The number calls come from (stored in E.164); members are told it when they register"),
  smsFrom: phoneAddress.optional(),
  callsPerSecond: z.number().min(0.1).max(100).default(1).describe("Outbound call cap for this account (Twilio's default: 1)"),
  messagesPerSecond: z.number().min(0.1).max(100).default(1),
  machineDetection: z.boolean().default(true).describe("Answering machines count as no answer"),
  voicePrompt: text(500, true).min(5).optional()
    .describe("The check-in question; {name} is the member's name. It must ask for 1 (fine) and 9 (please contact me)."),
});

export const EmailConfigInput = z.strictObject({
  host: text(255),
  port: z.number().int().min(1).max(65535).default(587),
  secure: z.boolean().default(false).describe("TLS from the start (port 465)"),
  user: secret(0, 255).optional(),
  pass: secret(0, 500).optional(),
  from: safeString().trim().pipe(z.email().max(255)),
  fromName: optionalText(100).optional(),
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
        health: await channelHealth(s.db, organisationId, ["line"]),
      };
    };

    app.get("/channels/line", { schema: { tags, summary: "Whether the organisation's LINE official account is configured" } },
      async (request) => view(request.principal.organisationId));

    app.put("/channels/line", {
      schema: { tags, summary: "Configure the organisation's own LINE Messaging API channel", body: LineConfigInput },
    }, async (request) => {
      const { channelSecret, channelAccessToken, ...settings } = request.body;
      try {
        await s.channelConfigs.saveLine(request.principal.organisationId,
          { ...(channelSecret ? { channelSecret } : {}), ...(channelAccessToken ? { channelAccessToken } : {}) },
          settings, s.clock.now());
      } catch (error) {
        if (error instanceof MissingCredentials) throw new ApiError(400, "invalid_request", error.message, error.field);
        throw error;
      }
      await audit(s.db, request, "channel.line.configure", "organisation", request.principal.organisationId, {
        credentialsChanged: !!(channelSecret || channelAccessToken),
      });
      return view(request.principal.organisationId);
    });

    app.get("/channels/twilio", { schema: { tags, summary: "Whether the organisation's Twilio account (calls and SMS) is configured" } },
      async (request) => {
        const org = request.principal.organisationId;
        const twilio = await s.channelConfigs.get(org, "twilio");
        return {
          kind: "twilio", configured: !!twilio, ...(twilio ? { settings: twilio.settings } : {}), webhookBase: `${s.publicUrl()}/webhooks/twilio/${org}`,
          health: await channelHealth(s.db, org, ["sms", "voice"]),
        };
      });

    app.put("/channels/twilio", {
      schema: { tags, summary: "Configure the organisation's Twilio account, caller number and call cap", body: TwilioConfigInput },
    }, async (request) => {
      const { accountSid, authToken, ...settings } = request.body;
      const org = request.principal.organisationId;
      if (settings.voicePrompt && !(settings.voicePrompt.includes("1") && settings.voicePrompt.includes("9"))) {
        throw new ApiError(400, "invalid_request", "the prompt must tell members to press 1 (fine) and 9 (please contact me)", "voicePrompt");
      }
      try {
        await s.channelConfigs.save(org, "twilio", { ...(accountSid ? { accountSid } : {}), ...(authToken ? { authToken } : {}) }, settings, s.clock.now());
      } catch (error) {
        if (error instanceof MissingCredentials) throw new ApiError(400, "invalid_request", error.message, error.field);
        throw error;
      }
      await audit(s.db, request, "channel.twilio.configure", "organisation", org, { credentialsChanged: !!(accountSid || authToken) });
      return { kind: "twilio", configured: true, settings };
    });

    app.put("/channels/email", {
      schema: { tags, summary: "Configure the organisation's SMTP server for e-mail check-ins and alerts", body: EmailConfigInput },
    }, async (request) => {
      const { user, pass, ...settings } = request.body;
      const org = request.principal.organisationId;
      await s.channelConfigs.save(org, "email", { ...(user ? { user } : {}), ...(pass ? { pass } : {}) }, settings, s.clock.now());
      await audit(s.db, request, "channel.email.configure", "organisation", org, { credentialsChanged: !!(user || pass) });
      return { kind: "email", configured: true, settings };
    });

    app.get("/channels/email", { schema: { tags, summary: "Whether the organisation's SMTP server is configured" } }, async (request) => {
      const email = await s.channelConfigs.get(request.principal.organisationId, "email");
      return { kind: "email", configured: !!email, ...(email ? { settings: email.settings } : {}), health: await channelHealth(s.db, request.principal.organisationId, ["email"]) };
    });

    for (const kind of ["twilio", "email"] as const) {
      app.delete(`/channels/${kind}`, { schema: { tags, summary: `Remove the ${kind} configuration` } }, async (request, reply) => {
        if (!(await s.channelConfigs.remove(request.principal.organisationId, kind))) throw notFound(`${kind} channel`);
        await audit(s.db, request, `channel.${kind}.remove`, "organisation", request.principal.organisationId);
        return reply.code(204).send();
      });
    }

    app.delete("/channels/line", { schema: { tags, summary: "Remove the LINE channel configuration" } }, async (request, reply) => {
      if (!(await s.channelConfigs.removeLine(request.principal.organisationId))) throw notFound("LINE channel");
      await audit(s.db, request, "channel.line.remove", "organisation", request.principal.organisationId);
      return reply.code(204).send();
    });
  };
}
