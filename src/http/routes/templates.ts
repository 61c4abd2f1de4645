/**
 * Message templates (設定 › メッセージの文面): list every slot with the built-in
 * text beside the organisation's own, set one (refused with 422 naming the field
 * and the reason when it breaks its channel's limit or uses an unknown
 * placeholder), reset one to the built-in text, and preview one without saving.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  EMAIL_TEXT_LIMIT, LINE_TEXT_LIMIT, MAX_SMS_SEGMENTS, MAX_SPOKEN_CHARS, PLACEHOLDERS, type TemplateChannel, type TemplateKind,
  type TemplateMeasure, type TemplateProblem,
} from "../../domain/templates.ts";
import { listTemplates, previewTemplate, resetTemplate, setTemplate, type TemplateView } from "../../engine/templates.ts";
import { audit } from "../audit.ts";
import { actorOf } from "../auth.ts";
import { ApiError } from "../errors.ts";
import { TemplateInput, TemplateParams, TemplatePreviewInput } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["templates"];

const sampleView = (m: TemplateMeasure) => ({
  text: m.text, chars: m.chars, limit: m.limit,
  sms: m.sms ? { encoding: m.sms.encoding, units: m.sms.units, segments: m.sms.segments, maxSegments: m.sms.maxSegments } : null,
});

const templateView = (v: TemplateView) => ({
  kind: v.kind, channel: v.channel, text: v.text, defaultText: v.defaultText, customised: v.customised,
  updatedAt: v.updatedAt?.toISOString() ?? null, updatedBy: v.updatedBy, placeholders: [...PLACEHOLDERS[v.kind]], sample: sampleView(v.sample),
});

/** A template's problem as the API's error: 404 for a slot that does not exist, else 422 naming the field. */
function refuse(problem: TemplateProblem, prefix = ""): never {
  const status = problem.code === "no_such_template" ? 404 : 422;
  const field = `${prefix}${problem.field}`;
  throw new ApiError(status, problem.code, problem.message, field, [{ field, code: problem.code, message: problem.message }]);
}

export function templateRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const one = async (organisationId: string, kind: TemplateKind, channel: TemplateChannel) =>
      (await listTemplates(s.db, organisationId)).find((v) => v.kind === kind && v.channel === channel);

    app.get("/message-templates", { schema: { tags, summary: "Every message template (kind × channel): the organisation's own or the built-in one, with the limits" } },
      async (request) => ({
        templates: (await listTemplates(s.db, request.principal.organisationId)).map(templateView),
        limits: { lineChars: LINE_TEXT_LIMIT, emailChars: EMAIL_TEXT_LIMIT, smsSegments: MAX_SMS_SEGMENTS, spokenChars: MAX_SPOKEN_CHARS },
      }));

    app.put("/message-templates/:kind/:channel", {
      schema: { tags, summary: "Set the organisation's template for one kind and channel (422 when it breaks a limit or uses an unknown placeholder)", params: TemplateParams, body: TemplateInput },
    }, async (request) => {
      const { kind, channel } = request.params;
      const organisationId = request.principal.organisationId;
      const { problem } = await previewTemplate(s.db, organisationId, kind, channel, request.body.text);
      if (problem) refuse(problem);
      await setTemplate(s.db, organisationId, kind, channel, request.body.text, actorOf(request.principal), s.clock.now());
      await audit(s.db, request, "template.update", "organisation", organisationId, { kind, channel });
      return templateView(await one(organisationId, kind, channel) as TemplateView);
    });

    app.delete("/message-templates/:kind/:channel", {
      schema: { tags, summary: "Return one template to the built-in text", params: TemplateParams },
    }, async (request) => {
      const { kind, channel } = request.params;
      const organisationId = request.principal.organisationId;
      const view = await one(organisationId, kind, channel);
      if (!view) refuse({ code: "no_such_template", field: "channel", message: `${kind} has no ${channel} template` }, "params.");
      if (await resetTemplate(s.db, organisationId, kind, channel)) {
        await audit(s.db, request, "template.reset", "organisation", organisationId, { kind, channel });
      }
      return templateView(await one(organisationId, kind, channel) as TemplateView);
    });

    app.post("/message-templates/preview", {
      schema: { tags, summary: "A template rendered with sample values, its size against the channel's limit, and why it would be refused (nothing saved)", body: TemplatePreviewInput },
    }, async (request) => {
      const { kind, channel, text } = request.body;
      const { problem, sample } = await previewTemplate(s.db, request.principal.organisationId, kind, channel, text);
      if (problem?.code === "no_such_template") refuse(problem);
      return { sample: sampleView(sample as TemplateMeasure), problem: problem ? { code: problem.code, field: problem.field, message: problem.message } : null };
    });
  };
}
