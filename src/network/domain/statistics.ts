/**
 * Partner report statistics in Kobe's shape (seed 001: FY2022, 136 reports from
 * partners; 84% 通報はしたが対応が不要だった, 16% 緊急対応になった): per partner and
 * month of the organisation's time zone, the reports received and how the anchor
 * decided them. Pure.
 *
 * What each figure counts:
 * - `reports`: reports received (`received_at`) in the month, whatever their state.
 * - `watch` / `consult` / `emergency`: of those, by the urgency the reporter chose.
 * - `noAction` / `consulted` / `emergencyResponse`: of those, closed with that outcome.
 * - `untriaged`: of those, still open (no outcome yet) when the statistics are read.
 * - `shares`: each outcome's share of the decided reports (reports − untriaged), in
 *   whole percent, rounded so they add up to 100 (largest remainder); null when
 *   none is decided. Undecided reports are left out of the shares rather than
 *   counted as "no action": 84% means 84% of what the anchor decided.
 */
import type { Month } from "../../domain/reports.ts";
import type { ReportUrgency, TriageOutcome } from "./triage.ts";

/**
 * The Japanese fiscal year (年度, April to March) that `month` falls in, as its
 * first and last month: Kobe counts its partner reports per 年度 (2022年度 = 2022-04 to 2023-03).
 */
export function fiscalYearOf(month: Month): { from: Month; to: Month } {
  const [year, m] = month.split("-").map(Number);
  const start = m >= 4 ? year : year - 1;
  return { from: `${start}-04`, to: `${start + 1}-03` };
}

export interface ConcernCounts {
  reports: number;
  watch: number;
  consult: number;
  emergency: number;
  noAction: number;
  consulted: number;
  emergencyResponse: number;
  untriaged: number;
}

/** Whole percent of the decided reports per outcome (they add up to 100). */
export interface OutcomeShares {
  noAction: number;
  consulted: number;
  emergencyResponse: number;
}

export type ConcernFigures = ConcernCounts & { shares: OutcomeShares | null };

export function emptyReportCounts(): ConcernCounts {
  return { reports: 0, watch: 0, consult: 0, emergency: 0, noAction: 0, consulted: 0, emergencyResponse: 0, untriaged: 0 };
}

/** Counts one report into `counts` (status open → untriaged). */
export function countReport(counts: ConcernCounts, urgency: ReportUrgency, outcome: TriageOutcome | null, n = 1): void {
  counts.reports += n;
  counts[urgency] += n;
  if (outcome === "no_action") counts.noAction += n;
  else if (outcome === "consulted") counts.consulted += n;
  else if (outcome === "emergency_response") counts.emergencyResponse += n;
  else counts.untriaged += n;
}

/** The sum of `parts`. */
export function poolReportCounts(parts: readonly ConcernCounts[]): ConcernCounts {
  const total = emptyReportCounts();
  for (const p of parts) for (const key of Object.keys(total) as (keyof ConcernCounts)[]) total[key] += p[key];
  return total;
}

/**
 * Whole percentages of `parts` that add up to exactly 100 (Hamilton's largest
 * remainder: floor each, then give the leftover points to the largest remainders,
 * the earlier part first on a tie); null when the parts sum to 0.
 */
export function wholePercentages(parts: readonly number[]): number[] | null {
  const sum = parts.reduce((a, b) => a + b, 0);
  if (sum === 0) return null;
  const exact = parts.map((p) => (p * 100) / sum);
  const floors = exact.map(Math.floor);
  let left = 100 - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] += 1;
    left -= 1;
  }
  return floors;
}

/** The figures of `counts`: the counts and the outcome shares of the decided reports. */
export function reportFigures(counts: ConcernCounts): ConcernFigures {
  const shares = wholePercentages([counts.noAction, counts.consulted, counts.emergencyResponse]);
  return { ...counts, shares: shares ? { noAction: shares[0], consulted: shares[1], emergencyResponse: shares[2] } : null };
}

/** One partner's figures per month of the range, and over the range. */
export interface PartnerStatistics {
  partnerId: string;
  partnerName: string;
  months: { month: Month; figures: ConcernFigures }[];
  total: ConcernFigures;
}

export interface ReportStatistics {
  months: Month[];
  partners: PartnerStatistics[];
  /** Every partner pooled, per month. */
  monthTotals: { month: Month; figures: ConcernFigures }[];
  /** Every partner and month pooled. */
  total: ConcernFigures;
}

/** A partner's counts in one month, as the store reads them. */
export interface PartnerMonthCounts {
  partnerId: string;
  month: Month;
  counts: ConcernCounts;
}

/**
 * The statistics of `months` for `partners` (in the order given; a partner with
 * no report shows zeros rather than vanishing) from the counts per partner and
 * month; counts outside the months or of partners not listed are left out.
 */
export function reportStatistics(
  months: readonly Month[], partners: readonly { id: string; name: string }[], rows: readonly PartnerMonthCounts[],
): ReportStatistics {
  const byKey = new Map<string, ConcernCounts>();
  for (const r of rows) {
    const key = `${r.partnerId}|${r.month}`;
    byKey.set(key, poolReportCounts([byKey.get(key) ?? emptyReportCounts(), r.counts]));
  }
  const cell = (partnerId: string, month: Month) => byKey.get(`${partnerId}|${month}`) ?? emptyReportCounts();
  return {
    months: [...months],
    partners: partners.map((p) => ({
      partnerId: p.id,
      partnerName: p.name,
      months: months.map((month) => ({ month, figures: reportFigures(cell(p.id, month)) })),
      total: reportFigures(poolReportCounts(months.map((month) => cell(p.id, month)))),
    })),
    monthTotals: months.map((month) => ({ month, figures: reportFigures(poolReportCounts(partners.map((p) => cell(p.id, month)))) })),
    total: reportFigures(poolReportCounts(partners.flatMap((p) => months.map((month) => cell(p.id, month))))),
  };
}

/** The columns of the statistics as a table (CSV, xlsx), in order. */
export const STATISTICS_COLUMNS = [
  "month", "partner", "reports", "watch", "consult", "emergency", "noAction", "consulted", "emergencyResponse", "untriaged",
  "noActionShare", "consultedShare", "emergencyResponseShare",
] as const;
export type StatisticsColumn = (typeof STATISTICS_COLUMNS)[number];

export const STATISTICS_HEADERS: Record<"ja" | "en", Record<StatisticsColumn, string>> = {
  ja: {
    month: "月", partner: "協力事業者", reports: "件数", watch: "見守り", consult: "相談", emergency: "通報",
    noAction: "対応不要", consulted: "相談対応", emergencyResponse: "緊急対応", untriaged: "未対応",
    noActionShare: "対応不要の割合(%)", consultedShare: "相談対応の割合(%)", emergencyResponseShare: "緊急対応の割合(%)",
  },
  en: {
    month: "Month", partner: "Partner", reports: "Reports", watch: "Keep watching", consult: "Consult", emergency: "Emergency",
    noAction: "No action needed", consulted: "Consulted", emergencyResponse: "Emergency response", untriaged: "Not yet triaged",
    noActionShare: "No action needed (%)", consultedShare: "Consulted (%)", emergencyResponseShare: "Emergency response (%)",
  },
};

/** What the rows of every partner pooled, and of the whole range, are called. */
export const STATISTICS_TOTAL: Record<"ja" | "en", { total: string; range: (from: Month, to: Month) => string }> = {
  ja: { total: "合計", range: (from, to) => `${from}〜${to}` },
  en: { total: "Total", range: (from, to) => `${from} to ${to}` },
};

/** One row of the table: the month (or the range), the partner (or the total), the counts and the shares (empty when none is decided). */
export function statisticsRow(month: string, partner: string, f: ConcernFigures): (string | number)[] {
  return [
    month, partner, f.reports, f.watch, f.consult, f.emergency, f.noAction, f.consulted, f.emergencyResponse, f.untriaged,
    f.shares?.noAction ?? "", f.shares?.consulted ?? "", f.shares?.emergencyResponse ?? "",
  ];
}

/**
 * The statistics as table rows: each month's partners and its total, then the
 * range's rows (each partner over the range, and the grand total).
 */
export function statisticsRows(stats: ReportStatistics, lang: "ja" | "en"): (string | number)[][] {
  const words = STATISTICS_TOTAL[lang];
  const range = stats.months.length ? words.range(stats.months[0], stats.months[stats.months.length - 1]) : "";
  return [
    ...stats.months.flatMap((month, i) => [
      ...stats.partners.map((p) => statisticsRow(month, p.partnerName, p.months[i].figures)),
      statisticsRow(month, words.total, stats.monthTotals[i].figures),
    ]),
    ...stats.partners.map((p) => statisticsRow(range, p.partnerName, p.total)),
    statisticsRow(range, words.total, stats.total),
  ];
}
