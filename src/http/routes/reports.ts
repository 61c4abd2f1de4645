/**
 * Reports (報告): the monthly table per team (domain/reports.ts says what each
 * figure counts). Aggregates only — no member is named — so auditors and
 * observers read it; team staff read their own teams'.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { DEFAULT_REPORT_MONTHS, defaultRange, monthsBefore, monthsBetween } from "../../domain/reports.ts";
import { monthlyReport } from "../../engine/reports.ts";
import { organisationTimeZone } from "../../engine/today.ts";
import { ApiError } from "../errors.ts";
import { MonthlyReportQuery } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["reports"];

export function reportRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
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
      const { principal } = request;
      const timeZone = await organisationTimeZone(s.db, principal.organisationId);
      const fallback = defaultRange(s.clock.now(), timeZone);
      const to = request.query.to ?? fallback.to;
      const range = monthsBetween(request.query.from ?? monthsBefore(to, DEFAULT_REPORT_MONTHS - 1), to);
      if (!range.ok) {
        throw new ApiError(400, "invalid_request", range.reason === "from_after_to"
          ? "`to` must be the same month as `from` or later"
          : "a report covers at most 24 months", "querystring.to");
      }
      // Team staff see their own teams; everyone else who may read it sees every team.
      const teamIds = principal.kind === "person" && principal.role === "staff" ? principal.session?.teamIds : undefined;
      return monthlyReport(s.db, { organisationId: principal.organisationId, months: range.months, timeZone, ...(teamIds ? { teamIds } : {}) });
    });
  };
}
