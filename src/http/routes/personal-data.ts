/**
 * A member's personal data on request (engine/personal-data.ts): the export
 * (JSON or CSV, admin only, audited as a personal export) and the erasure (admin;
 * the audit entry records counts, never the data).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { eraseMember, exportMember, exportRecords } from "../../engine/personal-data.ts";
import { tableFile } from "../../engine/table-files.ts";
import { audit } from "../audit.ts";
import { notFound } from "../errors.ts";
import { FILE_TYPES } from "../responses.ts";
import { IdParams, text } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["members"];

export const MemberExportQuery = z.strictObject({
  format: z.enum(["json", "csv"]).default("json").describe("json: sections of rows; csv: one table in long form (section, row, field, value), UTF-8 with BOM"),
});
export const ErasureInput = z.strictObject({
  reason: text(200).describe("why (本人の申出, 逝去…); kept in the audit log, so name nobody in it"),
});

export function personalDataRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/members/:id/export", {
      schema: {
        tags, params: IdParams, querystring: MemberExportQuery,
        summary: "Everything held about one member (APPI art. 33): member, contacts, check-ins, answers, incidents with timelines, notes, visits, consents, disclosures",
      },
    }, async (request, reply) => {
      const { format } = request.query;
      const data = await exportMember(s.db, request.principal.organisationId, request.params.id, s.clock.now());
      if (!data) throw notFound("member");
      await audit(s.db, request, "personal.export", "member", request.params.id, {
        format, sections: Object.fromEntries(Object.entries(data.sections).map(([k, v]) => [k, v.length])),
      });
      const name = `member-${request.params.id}.${format}`;
      reply.header("content-disposition", `attachment; filename="${name}"`).header("cache-control", "no-store");
      if (format === "json") return reply.type("application/json; charset=utf-8").send(JSON.stringify(data));
      const [header, ...rows] = exportRecords(data);
      return reply.type(FILE_TYPES.csv).send(await tableFile("member", header as string[], rows, "csv"));
    });

    app.post("/members/:id/erasure", {
      schema: {
        tags, params: IdParams, body: ErasureInput,
        summary: "Erase a member's personal data on request (APPI art. 35); incidents within the retention period are kept anonymised",
        description: "Incidents opened within the organisation's `incidentRetentionYears` (default 5) stay for the statistics without note, " +
          "names or timeline details; everything else about the member (contacts, check-ins, answers, notes, visits, messages, consents, " +
          "disclosures, registration numbers…) is deleted. The member disappears from lists and look-ups. Cannot be undone.",
      },
    }, async (request) => {
      const result = await eraseMember(s.db, request.principal.organisationId, request.params.id, s.clock.now());
      if (!result) throw notFound("member");
      await audit(s.db, request, "member.erasure", "member", request.params.id, { reason: request.body.reason, ...result });
      return result;
    });
  };
}
