/**
 * The anchor's triage queue (気づき) and the partner statistics under /api/v1:
 * staff decide, observers read the redacted form (the core's privacy rule, plus
 * the report's own free text, number and position), and every answer showing
 * personal data is in the audit log. Statistics are aggregates: nobody is named.
 */
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { monthOf } from "../../domain/reports.ts";
import { organisationTimeZone } from "../../engine/today.ts";
import { audit } from "../../http/audit.ts";
import { actorOf } from "../../http/auth.ts";
import { ApiError, notFound } from "../../http/errors.ts";
import { REDACTED, seesPersonal } from "../../http/privacy.ts";
import { monthsOfQuery, sendTableFile } from "../../http/routes/reports.ts";
import { IdParams } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { notInTeam, teamScope } from "../../http/team-scope.ts";
import { ATTRIBUTE_REGISTRATION_NUMBER } from "../domain/reports.ts";
import { fiscalYearOf } from "../domain/statistics.ts";
import { partnerReportStatistics, statisticsFile } from "../engine/statistics.ts";
import { getReport, listReports, reopenReport, type TriageCommandError, type TriageReport, triageReport } from "../engine/triage.ts";
import {
  ReportListQuery, StatisticsExportQuery, StatisticsFile, StatisticsOut, StatisticsQuery, TriageAnswer, TriageInput, TriageReportList, TriageReportOut,
} from "./triage-schemas.ts";

const tags = ["network"];

/** A report as the principal may see it: the core's hook redacts names, addresses, phones and notes; this adds the report's own. */
function shaped(request: FastifyRequest, report: TriageReport): Record<string, unknown> {
  const out = { ...report, requestedAt: report.requestedAt.toISOString(), receivedAt: report.receivedAt.toISOString(), triagedAt: report.triagedAt?.toISOString() ?? null };
  if (seesPersonal(request.principal)) return out;
  return {
    ...out,
    description: out.description ? REDACTED : "",
    registrationNumber: out.registrationNumber ? REDACTED : null,
    attributes: Object.fromEntries(Object.entries(out.attributes).map(([code, value]) => [code, code === ATTRIBUTE_REGISTRATION_NUMBER ? REDACTED : value])),
    lat: null,
    long: null,
    triagedBy: out.triagedBy ? `${out.triagedBy.split(":")[0]}:${REDACTED}` : null,
  };
}

/** Team staff reach reports about their teams' members and those about no known member. */
function checkReportTeam(request: FastifyRequest, report: TriageReport): void {
  const teams = teamScope(request.principal);
  if (teams && report.member && !teams.includes(report.member.teamId)) throw notInTeam();
}

function refusal(error: TriageCommandError): ApiError {
  switch (error.code) {
    case "not_found":
      return notFound("report");
    case "report_closed":
    case "report_open":
      return new ApiError(409, error.code, error.message);
    case "unknown_reference":
      return new ApiError(422, "unknown_reference", error.message, error.field, [{ field: error.field, code: "unknown_reference", message: error.message }]);
    case "not_in_team":
      return new ApiError(403, "not_in_team", error.message, error.field);
    case "personal_in_status_notes":
      return new ApiError(422, "personal_in_status_notes", error.message, error.field, [{ field: error.field, code: "personal_in_status_notes", message: error.message }]);
  }
}

export function triageRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/network/reports", {
      schema: {
        tags,
        summary: "The triage queue (気づき): partner reports, 通報 first, then 相談, then 見守り, newest first within each",
        description: "Filter by status (open: still to be decided), partner and urgency; page with `after`. Team staff see reports about " +
          "their teams' members and those about no known member. Observers get the redacted form.",
        querystring: ReportListQuery,
      },
    }, async (request) => {
      const { after, ...filter } = request.query;
      const teamIds = teamScope(request.principal);
      const page = await listReports(s.db, request.principal.organisationId, { ...filter, ...(after ? { after } : {}), ...(teamIds ? { teamIds } : {}) });
      if (seesPersonal(request.principal)) {
        await audit(s.db, request, "network_report.list", "organisation", request.principal.organisationId,
          { count: page.reports.length, ...(filter.status ? { status: filter.status } : {}), ...(filter.partnerId ? { partnerId: filter.partnerId } : {}) });
      }
      return { reports: page.reports.map((r) => shaped(request, r)), next: page.next };
    });

    const read = async (request: FastifyRequest, query: { from?: string; to?: string }) => {
      const timeZone = await organisationTimeZone(s.db, request.principal.organisationId);
      const current = fiscalYearOf(monthOf(s.clock.now(), timeZone));
      const months = monthsOfQuery(query, current.to, (to) => fiscalYearOf(to).from);
      return { timeZone, ...(await partnerReportStatistics(s.db, { organisationId: request.principal.organisationId, months, timeZone })) };
    };

    app.get("/network/reports/statistics", {
      schema: {
        tags,
        summary: "Partner reports per partner and month in Kobe's shape: reports, by urgency, by outcome, shares of the decided ones",
        description: "Months of the organisation's time zone, from `from` to `to` (both included, at most 24; by default the current " +
          "fiscal year, April to March). A report counts in the month it was received; shares are whole percent of the decided " +
          "reports (not yet triaged ones are counted apart). Aggregates only.",
        querystring: StatisticsQuery,
      },
    }, async (request) => read(request, request.query));

    app.get("/network/reports/statistics/export", {
      schema: {
        tags,
        summary: "The partner statistics as a file: CSV (UTF-8 with BOM, or Shift_JIS) or xlsx; a row per partner and month, each month's total, then the range's",
        querystring: StatisticsExportQuery,
      },
    }, async (request, reply) => {
      const { format, lang, ...range } = request.query;
      const stats = await read(request, range);
      const bytes = await statisticsFile(stats, format, lang);
      await audit(s.db, request, "network_statistics.export", "organisation", request.principal.organisationId,
        { format, from: stats.months[0], to: stats.months.at(-1) });
      return sendTableFile(reply, format, `partner-reports-${stats.months[0]}-${stats.months.at(-1)}`, bytes);
    });

    app.get("/network/reports/:id", {
      schema: { tags, summary: "One partner report: the checklist's answers, the matched member, the outcome and notes", params: IdParams },
    }, async (request) => {
      const report = await getReport(s.db, request.principal.organisationId, request.params.id);
      if (!report) throw notFound("report");
      checkReportTeam(request, report);
      if (seesPersonal(request.principal)) {
        await audit(s.db, request, "network_report.view", "network_report", report.id, { ...(report.member ? { memberId: report.member.id } : {}) });
      }
      return shaped(request, report);
    });

    app.post("/network/reports/:id/triage", {
      schema: {
        tags,
        summary: "Decide a report: no action needed, consulted, or emergency response, with notes; the reporter is told the status note",
        description: "Closes an open report (409 report_closed on a closed one: reopen it first). `memberId` links or corrects the member. " +
          "An emergency response about a member raises or joins the member's incident (one incident per person) unless the report has one. " +
          "`statusNotes` is public (the report form's status page, Open311 GET): a note naming the member or the reporter (any part of a name of 2+ characters), the address " +
          "or a phone number is refused (422 personal_in_status_notes).",
        params: IdParams,
        body: TriageInput,
      },
    }, async (request) => {
      const { principal } = request;
      const before = await getReport(s.db, principal.organisationId, request.params.id);
      if (!before) throw notFound("report");
      checkReportTeam(request, before);
      const teamIds = teamScope(principal);
      const { statusNotes, memberId, ...decision } = request.body;
      const result = await triageReport(s.db, {
        organisationId: principal.organisationId, reportId: before.id, ...decision, actor: actorOf(principal),
        ...(statusNotes !== undefined ? { statusNotes } : {}), ...(memberId !== undefined ? { memberId } : {}), ...(teamIds ? { teamIds } : {}),
      }, s.clock.now());
      if (!result.ok) throw refusal(result.error);
      await audit(s.db, request, "network_report.triage", "network_report", before.id, {
        outcome: decision.outcome, memberId: result.report.member?.id ?? null, ...(result.incident ? { incidentId: result.incident.id, joined: result.incident.joined } : {}),
      });
      return { report: shaped(request, result.report), incident: result.incident };
    });

    app.post("/network/reports/:id/reopen", {
      schema: {
        tags,
        summary: "Open a decided report again: its outcome is cleared (counted as not yet triaged); the reporter reads that it is being looked at again",
        params: IdParams,
      },
    }, async (request) => {
      const before = await getReport(s.db, request.principal.organisationId, request.params.id);
      if (!before) throw notFound("report");
      checkReportTeam(request, before);
      const result = await reopenReport(s.db, request.principal.organisationId, before.id);
      if (!result.ok) throw refusal(result.error);
      await audit(s.db, request, "network_report.reopen", "network_report", before.id, { outcome: before.outcome });
      return shaped(request, result.report);
    });
  };
}

/** Error codes of the triage routes (context.ts composes the network's). */
export const TRIAGE_ERROR_CODES = {
  report_closed: "the partner report is decided already: reopen it to change its outcome",
  report_open: "the partner report is open: only a decided one is reopened",
  personal_in_status_notes: "the status note the reporter reads names the member, an address, the reporter or a phone number: it is public",
} as const;

/** Who may call each triage and statistics route (context.ts composes the network's table). */
export const TRIAGE_ACCESS = {
  // The triage queue (気づき): staff decide; observers read the redacted form; team staff reach their teams' members' reports.
  "GET /network/reports": "observer",
  "GET /network/reports/:id": "observer",
  "POST /network/reports/:id/triage": "staff",
  "POST /network/reports/:id/reopen": "staff",
  // Aggregates per partner and month: nobody is named.
  "GET /network/reports/statistics": "observer",
  "GET /network/reports/statistics/export": "observer",
} as const;

/** The answers of the triage and statistics routes. */
export const TRIAGE_RESPONSES = {
  "GET /network/reports": { 200: TriageReportList },
  "GET /network/reports/:id": { 200: TriageReportOut },
  "POST /network/reports/:id/triage": { 200: TriageAnswer },
  "POST /network/reports/:id/reopen": { 200: TriageReportOut },
  "GET /network/reports/statistics": { 200: StatisticsOut },
  "GET /network/reports/statistics/export": { 200: StatisticsFile },
};
