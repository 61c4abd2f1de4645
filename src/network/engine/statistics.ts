/**
 * Partner report statistics (domain/statistics.ts says what each figure counts),
 * read from `network_reports` per partner and month of the organisation's time
 * zone, and written as a file with the core's table export (engine/table-files.ts).
 * Aggregates only: no member or reporter is named.
 */
import { sql } from "kysely";
import { type Month, monthBounds } from "../../domain/reports.ts";
import { tableFile, type TableFormat } from "../../engine/table-files.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import {
  countReport, emptyReportCounts, type PartnerMonthCounts, type ReportStatistics, reportStatistics, STATISTICS_COLUMNS, STATISTICS_HEADERS,
  statisticsRows,
} from "../domain/statistics.ts";
import type { ReportUrgency, TriageOutcome } from "../domain/triage.ts";
import "../store/schema.ts";

export interface StatisticsScope {
  organisationId: string;
  /** The months, in order (domain/reports.ts monthsBetween). */
  months: Month[];
  timeZone: string;
}

/**
 * The statistics of `scope`'s months: every partner of the organisation (an
 * archived one only when it reported in the range), by name, and the reports
 * received from each per month. One read transaction, so the figures agree.
 */
export async function partnerReportStatistics(db: Db, scope: StatisticsScope): Promise<ReportStatistics> {
  const start = monthBounds(scope.months[0], scope.timeZone).start;
  const end = monthBounds(scope.months[scope.months.length - 1], scope.timeZone).end;
  return inTransaction(db, async (tx) => {
    const { rows: counted } = await sql<{ partner_id: string; month: Month; urgency: ReportUrgency; outcome: TriageOutcome | null; status: string; n: number }>`
      select partner_id, to_char(received_at at time zone ${scope.timeZone}, 'YYYY-MM') as month, urgency, outcome, status, count(*)::int as n
      from network_reports
      where organisation_id = ${scope.organisationId} and received_at >= ${start} and received_at < ${end}
      group by 1, 2, 3, 4, 5`.execute(tx);
    const reported = [...new Set(counted.map((r) => r.partner_id))];
    const partners = await tx.selectFrom("network_partners").select(["id", "name"]).where("organisation_id", "=", scope.organisationId)
      .where((eb) => eb.or([eb("archived_at", "is", null), ...(reported.length ? [eb("id", "in", reported)] : [])]))
      .orderBy("name").orderBy("id").execute();
    const rows: PartnerMonthCounts[] = counted.map((r) => {
      const counts = emptyReportCounts();
      // An open report is not yet triaged, whatever outcome a reopened one had.
      countReport(counts, r.urgency, r.status === "open" ? null : r.outcome, r.n);
      return { partnerId: r.partner_id, month: r.month, counts };
    });
    return reportStatistics(scope.months, partners, rows);
  });
}

/** The statistics as a file: a row per partner and month, each month's total, then the range's (domain/statistics.ts statisticsRows). */
export async function statisticsFile(stats: ReportStatistics, format: TableFormat, lang: "ja" | "en"): Promise<Buffer> {
  return tableFile(lang === "ja" ? "協力事業者の気づき" : "Partner reports", STATISTICS_COLUMNS.map((c) => STATISTICS_HEADERS[lang][c]),
    statisticsRows(stats, lang), format);
}
