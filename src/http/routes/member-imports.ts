/**
 * Member imports and exports, and the export of the audit log: a file is
 * uploaded (CSV in the encodings Excel writes, or xlsx), its columns mapped, a
 * dry run names every bad row, the commit writes all rows or none. The check
 * and the commit run as jobs (202); the console polls GET /member-imports/:id
 * for their progress. Every upload, commit and export is in the audit log.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DEFAULT_IMPORT_OPTIONS, IMPORT_CHANNEL_KINDS, IMPORT_FIELDS, mappingProblems } from "../../domain/member-import.ts";
import { INTERVALS, isValidLocalTime } from "../../domain/schedule.ts";
import { EXPORT_FORMATS, exportMembers, ImportFileError, MemberImports, type StartOutcome } from "../../engine/member-imports.ts";
import { exportAuditLog } from "../../engine/audit-log.ts";
import { audit } from "../audit.ts";
import { actorOf } from "../auth.ts";
import { ApiError, notFound } from "../errors.ts";
import { AuditQuery, IdParams, safeString, text } from "../schemas.ts";
import { FILE_TYPES } from "../responses.ts";
import type { Services } from "../services.ts";

const tags = ["members"];
/** The largest file accepted (a 20,000-row list is a few megabytes). */
const MAX_FILE_BYTES = 12 * 1024 * 1024;

const Upload = z.strictObject({
  fileName: text(200).describe("the file's name as the user chose it (shown in the console and the audit log)"),
  content: z.string().max(Math.ceil(MAX_FILE_BYTES / 3) * 4, "at most 12 MiB").regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64")
    .describe("the file's bytes in base64: CSV (UTF-8 with or without BOM, or Shift_JIS/CP932) or xlsx"),
});

const CheckInput = z.strictObject({
  mapping: z.array(z.enum(IMPORT_FIELDS).nullable()).max(100)
    .describe("per column of the file, in order: the member field it holds, or null to ignore it"),
  options: z.strictObject({
    channel: z.enum(IMPORT_CHANNEL_KINDS).default(DEFAULT_IMPORT_OPTIONS.channel).describe("the check-in channel of rows that name none"),
    every: z.enum(INTERVALS).default(DEFAULT_IMPORT_OPTIONS.every),
    weekday: z.number().int().min(1).max(7).optional(),
    at: safeString().refine(isValidLocalTime, "must be a local time HH:MM").default(DEFAULT_IMPORT_OPTIONS.at),
  }).default(DEFAULT_IMPORT_OPTIONS).describe("what new members get when their row leaves it out"),
});

const ExportQuery = z.strictObject({
  format: z.enum(EXPORT_FORMATS).default("csv").describe("csv: UTF-8 with BOM (Excel); csv-sjis: Shift_JIS; xlsx"),
  lang: z.enum(["ja", "en"]).default("ja").describe("the language of the header row"),
});


function refuse(outcome: Exclude<StartOutcome, { ok: true }>): never {
  switch (outcome.error) {
    case "not_found": throw notFound("member import");
    case "busy": throw new ApiError(409, "import_busy", "a check or commit of this import is running: wait for it");
    case "committed": throw new ApiError(409, "import_committed", "this import is committed already");
    case "not_checked": throw new ApiError(409, "import_not_checked", "run the check (dry run) before committing");
    case "has_problems": throw new ApiError(409, "import_has_problems", "the check found bad rows: fix the file and upload it again");
    case "expired": throw new ApiError(409, "import_expired", "this import waited 7 days without a commit and its rows were removed: upload the file again");
  }
}

/** A file name for a download: the organisation's day and the kind. */
const stamp = (now: Date) => now.toISOString().slice(0, 10);

export function memberImportRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const imports = new MemberImports(s.db, s.clock, s.wallClock, s.log, s.config.spreadSeconds);
    app.addHook("onClose", async () => {
      await imports.close();
    });

    app.post("/member-imports", {
      bodyLimit: 20 * 1024 * 1024,
      schema: { tags, summary: "Upload a member list (CSV or xlsx) to import; answers its header and a guessed column mapping", body: Upload },
    }, async (request, reply) => {
      const bytes = Buffer.from(request.body.content, "base64");
      if (bytes.length > MAX_FILE_BYTES) throw new ApiError(413, "body_too_large", "the file is larger than 12 MiB", "content");
      try {
        const view = await imports.upload(request.principal.organisationId, actorOf(request.principal), request.body.fileName, bytes);
        await audit(s.db, request, "member_import.upload", "member_import", view.id, {
          fileName: view.fileName, encoding: view.encoding, rows: view.rowCount,
        });
        return reply.code(201).send(view);
      } catch (error) {
        if (error instanceof ImportFileError) throw new ApiError(422, `import_${error.code}`, error.message, "content");
        throw error;
      }
    });

    app.get("/member-imports/:id", {
      schema: { tags, summary: "An import: its mapping, status, progress, every bad row and the warnings", params: IdParams },
    }, async (request) => {
      const view = await imports.get(request.principal.organisationId, request.params.id);
      if (!view) throw notFound("member import");
      return view;
    });

    app.post("/member-imports/:id/check", {
      schema: {
        tags, params: IdParams, body: CheckInput,
        summary: "Dry run: check every row with this column mapping (a job: follow it with GET /member-imports/:id)",
      },
    }, async (request, reply) => {
      const { mapping, options } = request.body;
      const current = await imports.get(request.principal.organisationId, request.params.id);
      if (!current) throw notFound("member import");
      if (mapping.length !== current.header.length) {
        throw new ApiError(400, "invalid_request", `the mapping needs one entry per column (${current.header.length})`, "mapping");
      }
      const faults = mappingProblems(mapping);
      if (faults.length) {
        const first = faults[0];
        throw new ApiError(400, "invalid_request", first.code === "name_not_mapped" ? "a column must hold the name (displayName)" : "a field is mapped to two columns",
          first.column >= 0 ? `mapping.${first.column}` : "mapping");
      }
      const started = await imports.check(request.principal.organisationId, request.params.id, mapping, {
        channel: options.channel, every: options.every, at: options.at, ...(options.weekday ? { weekday: options.weekday } : {}),
      });
      if (!started.ok) refuse(started);
      return reply.code(202).send(await imports.get(request.principal.organisationId, request.params.id));
    });

    app.post("/member-imports/:id/commit", {
      schema: {
        tags, params: IdParams,
        summary: "Commit a checked import: every row or none, in one transaction (a job: follow it with GET /member-imports/:id)",
      },
    }, async (request, reply) => {
      const started = await imports.commit(request.principal.organisationId, request.params.id);
      if (!started.ok) refuse(started);
      await audit(s.db, request, "member_import.commit", "member_import", request.params.id);
      return reply.code(202).send(await imports.get(request.principal.organisationId, request.params.id));
    });

    app.get("/members/export", {
      schema: { tags, summary: "Every active member as a file the import reads back (CSV UTF-8 with BOM, CSV Shift_JIS, or xlsx)", querystring: ExportQuery },
    }, async (request, reply) => {
      const { format, lang } = request.query;
      const file = await exportMembers(s.db, request.principal.organisationId, format, lang);
      await audit(s.db, request, "member.export", "member", null, { format, count: file.count });
      const extension = format === "xlsx" ? "xlsx" : "csv";
      return reply.type(FILE_TYPES[format])
        .header("content-disposition", `attachment; filename="members-${stamp(s.clock.now())}${format === "csv-sjis" ? "-sjis" : ""}.${extension}"`)
        .header("cache-control", "no-store")
        .send(file.bytes);
    });

    app.get("/audit-log/export", {
      schema: {
        tags: ["organisation"], summary: "The audit log, filtered as GET /audit-log, as CSV (UTF-8 with BOM) or xlsx; itself audited",
        querystring: AuditQuery.extend({ format: z.enum(["csv", "xlsx"]).default("csv") }).omit({ limit: true, before: true }),
      },
    }, async (request, reply) => {
      const { format, ...filter } = request.query;
      const file = await exportAuditLog(s.db, request.principal.organisationId, filter, format);
      await audit(s.db, request, "audit_log.export", "audit_log", null, { format, count: file.count, filter });
      return reply.type(FILE_TYPES[format])
        .header("content-disposition", `attachment; filename="audit-log-${stamp(s.clock.now())}.${format}"`)
        .header("cache-control", "no-store")
        .send(file.bytes);
    });
  };
}
