/**
 * Reports (報告): the monthly table per team (domain/reports.ts says what each
 * figure counts). Aggregates only — no member is named — so auditors and
 * observers read it; team staff read their own teams'.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { DEFAULT_REPORT_MONTHS, defaultRange, type Month, monthsBefore, monthsBetween } from "../../domain/reports.ts";
import { listReportSubscriptions, type SubscriptionError, subscribeToReport, unsubscribeFromReport } from "../../engine/report-mail.ts";
import { monthlyReport, reportFile } from "../../engine/reports.ts";
import { organisationTimeZone } from "../../engine/today.ts";
import { actorOf } from "../auth.ts";
import { ApiError, notFound } from "../errors.ts";
import { IdParams, MonthlyReportExportQuery, MonthlyReportQuery, ReportSubscriptionInput } from "../schemas.ts";
import { audit } from "../audit.ts";
import { teamScope } from "../team-scope.ts";
import { FILE_TYPES } from "../responses.ts";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { TableFormat } from "../../engine/table-files.ts";
import type { Services } from "../services.ts";

const tags = ["reports"];

function refusal(error: SubscriptionError): ApiError {
  switch (error.code) {
    case "already_subscribed":
      return new ApiError(409, "already_subscribed", error.message, error.field);
    case "person_without_email":
      return new ApiError(422, "person_without_email", error.message, error.field);
    case "unknown_reference":
      return new ApiError(422, "unknown_reference", error.message, error.field, [{ field: error.field, code: "unknown_reference", message: error.message }]);
  }
}

/**
 * The months a report's query asks for, from `from` to `to` (YYYY-MM, both
 * included): `to` defaults to `defaultTo`, `from` to `defaultFrom(to)`. A range that
 * runs backwards or covers more than 24 months → 400 naming `querystring.to`.
 * Shared by every monthly table (the monthly report, the network's partner statistics).
 */
export function monthsOfQuery(query: { from?: Month; to?: Month }, defaultTo: Month, defaultFrom: (to: Month) => Month): Month[] {
  const to = query.to ?? defaultTo;
  const range = monthsBetween(query.from ?? defaultFrom(to), to);
  if (!range.ok) {
    throw new ApiError(400, "invalid_request", range.reason === "from_after_to"
      ? "`to` must be the same month as `from` or later"
      : "a report covers at most 24 months", "querystring.to");
  }
  return range.months;
}

/** Answers a table file (engine/table-files.ts) as an attachment named `<name>.csv`, `<name>-sjis.csv` or `<name>.xlsx`, never cached. */
export function sendTableFile(reply: FastifyReply, format: TableFormat, name: string, bytes: Buffer): FastifyReply {
  return reply.type(FILE_TYPES[format])
    .header("content-disposition", `attachment; filename="${name}${format === "csv-sjis" ? "-sjis" : ""}.${format === "xlsx" ? "xlsx" : "csv"}"`)
    .header("cache-control", "no-store")
    .send(bytes);
}

export function reportRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    /** The report the query asks for, for the caller's teams. */
    const read = async (request: FastifyRequest, query: { from?: string; to?: string }) => {
      const { principal } = request;
      const timeZone = await organisationTimeZone(s.db, principal.organisationId);
      const months = monthsOfQuery(query, defaultRange(s.clock.now(), timeZone).to, (to) => monthsBefore(to, DEFAULT_REPORT_MONTHS - 1));
      // Team staff see their own teams; everyone else who may read it sees every team.
      const teamIds = teamScope(principal);
      return monthlyReport(s.db, { organisationId: principal.organisationId, months, timeZone, ...(teamIds ? { teamIds } : {}) });
    };

    app.get("/reports/monthly", {
      schema: {
        tags,
        summary: "The monthly table per team: 元気です, 連絡希望, ２日続けて応答なし, 訪問による確認, response rate, incidents (報告)",
        description: "Months of the organisation's time zone, from `from` to `to` (both included, at most 24; by default the current month " +
          "and the five before it). " +
          "Every figure is counted from recorded answers, check-ins, incidents and visits; each is defined in the README (Reports).",
        querystring: MonthlyReportQuery,
      },
    }, async (request) => {
      const report = await read(request, request.query);
      return {
        ...report,
        months: report.months.map((m) => ({ ...m, broadcasts: m.broadcasts.map((b) => ({ ...b, sentAt: b.sentAt.toISOString() })) })),
      };
    });

    app.get("/reports/monthly/export", {
      schema: {
        tags,
        summary: "The monthly report as a file: CSV (UTF-8 with BOM, or Shift_JIS) or xlsx, a row per team and month and the total's",
        querystring: MonthlyReportExportQuery,
      },
    }, async (request, reply) => {
      const { format, lang, ...range } = request.query;
      const report = await read(request, range);
      const bytes = await reportFile(report, format, lang);
      const months = report.months.map((m) => m.month);
      await audit(s.db, request, "report.export", "organisation", request.principal.organisationId, { format, from: months[0], to: months.at(-1) });
      return sendTableFile(reply, format, `monthly-report-${months[0]}-${months.at(-1)}`, bytes);
    });

    app.get("/reports/subscriptions", {
      schema: { tags, summary: "Who receives the monthly report by e-mail on the 1st of each month (addresses and people)" },
    }, async (request) => {
      const subscriptions = await listReportSubscriptions(s.db, request.principal.organisationId);
      await audit(s.db, request, "report_subscription.list", "organisation", request.principal.organisationId, { count: subscriptions.length });
      return { subscriptions };
    });

    app.post("/reports/subscriptions", {
      schema: {
        tags,
        summary: "Send the monthly report to an address or a person on the 1st of each month",
        description: "Exactly one of `email` and `personId`. On the 1st of each month at 08:00 in the organisation's time zone, last month's " +
          "report (the total and each team: 元気です, 連絡希望, ２日続けて応答なし, 訪問による確認, members, response rate, incidents, broadcasts) " +
          "is e-mailed as text with the xlsx file attached and a link to the console's Reports screen; it names no member. " +
          "After downtime over a month boundary, the latest complete month is sent once.",
        body: ReportSubscriptionInput,
      },
    }, async (request, reply) => {
      const { email, personId } = request.body;
      if ((email === undefined) === (personId === undefined)) {
        const field = email === undefined ? "email" : "personId";
        throw new ApiError(400, "invalid_request", "give exactly one of `email` and `personId`", field,
          [{ field, code: email === undefined ? "required" : "invalid", message: "give exactly one of `email` and `personId`" }]);
      }
      const result = await subscribeToReport(s.db, request.principal.organisationId, email !== undefined ? { email } : { personId: personId as string },
        actorOf(request.principal), s.clock.now());
      if (!result.ok) throw refusal(result.error);
      await audit(s.db, request, "report_subscription.add", "report_subscription", result.subscription.id,
        { kind: email !== undefined ? "email" : "person", ...(personId ? { personId } : {}) });
      return reply.code(201).send(result.subscription);
    });

    app.delete("/reports/subscriptions/:id", {
      schema: { tags, summary: "Stop sending the monthly report to this recipient; a mail still queued for it is cancelled", params: IdParams },
    }, async (request, reply) => {
      if (!(await unsubscribeFromReport(s.db, request.principal.organisationId, request.params.id, s.clock.now()))) throw notFound("subscription");
      await audit(s.db, request, "report_subscription.remove", "report_subscription", request.params.id);
      return reply.code(204).send();
    });
  };
}
