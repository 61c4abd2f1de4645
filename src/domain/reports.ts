/**
 * The monthly report (報告), as seed 000 counts it (Matsudo's あんしん電話 table:
 * 元気です / 連絡希望 / ２日続けて応答なし / 訪問による確認), per team and month of
 * the organisation's time zone. Every figure is counted from recorded rows
 * (answers, check-ins, incidents and their events, visits), never typed in.
 *
 * What each figure counts (occurrences, 件, as Matsudo does, not people):
 * - `fine` (元気です): answers "ok" received in the month, from any source (the
 *   member, a contact or staff on the member's behalf, a group round).
 * - `contactRequested` (連絡希望): answers "need_contact" received in the month.
 * - `silentTwice` (２日続けて応答なし): incidents opened in the month because the
 *   member did not answer a check-in nor its re-send (kind `no_answer`): with a daily
 *   plan and the default policy that is two days running without an answer, the point
 *   at which Matsudo's station goes to look.
 * - `confirmedByVisit` (訪問による確認): incidents whose member's state a visit
 *   established in the month — a watcher's visit with 会えた・元気 or 救急要請, or an
 *   incident resolved as 訪問して無事を確認 (visited_fine) by staff who went themselves;
 *   an incident counts once, in the month of its first such record.
 * Beside them: the members asked (a check-in fell due), the check-ins asked and
 * answered (response rate = answered ÷ asked), incidents opened and resolved by
 * outcome, the median times to acknowledge and to resolve, and the broadcasts
 * sent in the month with their tallies (recipients, 無事, 助けが必要, no answer yet),
 * counted by the month the broadcast was sent in.
 */
import { DateTime } from "luxon";
import type { Outcome } from "./incident.ts";

/** A calendar month, "YYYY-MM". */
export type Month = string;

/** At most this many months in one report (two years side by side). */
export const MAX_REPORT_MONTHS = 24;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(value: string): boolean {
  return MONTH.test(value);
}

/**
 * The months from `from` to `to`, both included, in order.
 * Errors: `from` after `to`, or more than MAX_REPORT_MONTHS months → a reason (the caller names the field).
 */
export function monthsBetween(from: Month, to: Month): { ok: true; months: Month[] } | { ok: false; reason: "from_after_to" | "too_many_months" } {
  const start = DateTime.fromFormat(from, "yyyy-MM", { zone: "utc" });
  const end = DateTime.fromFormat(to, "yyyy-MM", { zone: "utc" });
  if (start > end) return { ok: false, reason: "from_after_to" };
  const count = Math.round(end.diff(start, "months").months) + 1;
  if (count > MAX_REPORT_MONTHS) return { ok: false, reason: "too_many_months" };
  return { ok: true, months: Array.from({ length: count }, (_, i) => start.plus({ months: i }).toFormat("yyyy-MM")) };
}

/** The instants [start, end) of `month` in `zone` (midnight on the 1st to midnight on the 1st of the next). */
export function monthBounds(month: Month, zone: string): { start: Date; end: Date } {
  const start = DateTime.fromFormat(month, "yyyy-MM", { zone });
  return { start: start.toJSDate(), end: start.plus({ months: 1 }).toJSDate() };
}

/** Months a report shows when none are asked for: the current month and the five before it. */
export const DEFAULT_REPORT_MONTHS = 6;

/** The default range ending with the month of `now` in `zone`. */
export function defaultRange(now: Date, zone: string): { from: Month; to: Month } {
  const to = monthOf(now, zone);
  return { from: monthsBefore(to, DEFAULT_REPORT_MONTHS - 1), to };
}

/** The month `count` months before `month`. */
export function monthsBefore(month: Month, count: number): Month {
  return DateTime.fromFormat(month, "yyyy-MM", { zone: "utc" }).minus({ months: count }).toFormat("yyyy-MM");
}

/** The month of `instant` in `zone`, "YYYY-MM". */
export function monthOf(instant: Date, zone: string): Month {
  return DateTime.fromJSDate(instant, { zone }).toFormat("yyyy-MM");
}

/** The counts a figure is made of, as the store reads them (one row per team and month). */
export interface ReportCounts {
  /** Distinct members who had a check-in fall due. */
  members: number;
  /** Check-ins that fell due and were asked (not skipped: paused members are not asked). */
  checkinsAsked: number;
  checkinsAnswered: number;
  fine: number;
  contactRequested: number;
  silentTwice: number;
  confirmedByVisit: number;
  incidentsOpened: number;
  /** Members a real broadcast of the month went to (one per broadcast and member), and how they answered; drills (訓練) are listed apart, never counted here. */
  broadcastRecipients: number;
  broadcastSafe: number;
  broadcastNeedHelp: number;
  /** Incidents resolved in the month, by outcome. */
  resolvedByOutcome: Partial<Record<Outcome, number>>;
  /** Every duration (ms) of the month, to take medians of and to pool for totals. */
  acknowledgeMs: number[];
  resolveMs: number[];
}

/** One team's (or the organisation's) figures for one month: the counts, with rates and medians in place of the durations. */
export type ReportFigures = Omit<ReportCounts, "acknowledgeMs" | "resolveMs"> & {
  /** answered ÷ asked, 0…1; null when nobody was asked. */
  responseRate: number | null;
  /** Median milliseconds from opened to acknowledged, of incidents acknowledged in the month; null when none. */
  medianAcknowledgeMs: number | null;
  /** Median milliseconds from opened to resolved, of incidents resolved in the month; null when none. */
  medianResolveMs: number | null;
};

export function emptyCounts(): ReportCounts {
  return {
    members: 0, checkinsAsked: 0, checkinsAnswered: 0, fine: 0, contactRequested: 0, silentTwice: 0, confirmedByVisit: 0,
    incidentsOpened: 0, broadcastRecipients: 0, broadcastSafe: 0, broadcastNeedHelp: 0, resolvedByOutcome: {}, acknowledgeMs: [], resolveMs: [],
  };
}

/**
 * Several teams' counts pooled (the organisation's row). Members add up because a
 * member belongs to one team; medians are taken over the pooled durations, never
 * as a median of medians.
 */
export function poolCounts(parts: ReportCounts[]): ReportCounts {
  const pooled = emptyCounts();
  for (const part of parts) {
    pooled.members += part.members;
    pooled.checkinsAsked += part.checkinsAsked;
    pooled.checkinsAnswered += part.checkinsAnswered;
    pooled.fine += part.fine;
    pooled.contactRequested += part.contactRequested;
    pooled.silentTwice += part.silentTwice;
    pooled.confirmedByVisit += part.confirmedByVisit;
    pooled.incidentsOpened += part.incidentsOpened;
    pooled.broadcastRecipients += part.broadcastRecipients;
    pooled.broadcastSafe += part.broadcastSafe;
    pooled.broadcastNeedHelp += part.broadcastNeedHelp;
    for (const [outcome, n] of Object.entries(part.resolvedByOutcome) as [Outcome, number][]) {
      pooled.resolvedByOutcome[outcome] = (pooled.resolvedByOutcome[outcome] ?? 0) + n;
    }
    pooled.acknowledgeMs.push(...part.acknowledgeMs);
    pooled.resolveMs.push(...part.resolveMs);
  }
  return pooled;
}

/** The median of `values` (the mean of the middle two for an even count); null for none. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function figuresOf(counts: ReportCounts): ReportFigures {
  const { acknowledgeMs, resolveMs, ...rest } = counts;
  return {
    ...rest,
    responseRate: counts.checkinsAsked === 0 ? null : counts.checkinsAnswered / counts.checkinsAsked,
    medianAcknowledgeMs: median(acknowledgeMs),
    medianResolveMs: median(resolveMs),
  };
}

/** The columns of the report as a file (CSV, xlsx), in order: month and team, then the figures. */
export const REPORT_COLUMNS = [
  "month", "team", "members", "fine", "contactRequested", "silentTwice", "confirmedByVisit", "checkinsAsked", "checkinsAnswered",
  "responseRate", "incidentsOpened", "medianAcknowledgeMinutes", "medianResolveMinutes", "broadcastRecipients", "broadcastSafe",
  "broadcastNeedHelp",
] as const;
export type ReportColumn = (typeof REPORT_COLUMNS)[number];

export const REPORT_HEADERS: Record<"ja" | "en", Record<ReportColumn, string>> = {
  ja: {
    month: "月", team: "チーム", members: "利用者数", fine: "元気です", contactRequested: "連絡希望", silentTwice: "２日続けて応答なし",
    confirmedByVisit: "訪問による確認", checkinsAsked: "確認（尋ねた数）", checkinsAnswered: "確認（回答数）", responseRate: "応答率（%）",
    incidentsOpened: "対応の発生", medianAcknowledgeMinutes: "引き受けまで（中央値・分）", medianResolveMinutes: "完了まで（中央値・分）",
    broadcastRecipients: "一斉配信（送信数）", broadcastSafe: "一斉配信（無事）", broadcastNeedHelp: "一斉配信（助けが必要）",
  },
  en: {
    month: "Month", team: "Team", members: "Members", fine: "Fine", contactRequested: "Asked to be contacted", silentTwice: "No answer twice running",
    confirmedByVisit: "Confirmed by a visit", checkinsAsked: "Check-ins asked", checkinsAnswered: "Check-ins answered", responseRate: "Response rate (%)",
    incidentsOpened: "Incidents", medianAcknowledgeMinutes: "To take on (median, min)", medianResolveMinutes: "To settle (median, min)",
    broadcastRecipients: "Broadcasts sent", broadcastSafe: "Broadcasts: safe", broadcastNeedHelp: "Broadcasts: need help",
  },
};

/** The name of the organisation's row in a file. */
export const REPORT_TOTAL: Record<"ja" | "en", string> = { ja: "合計", en: "Total" };

/**
 * One row of the file: the month, the team (or the total's name) and the
 * figures; rates as percentages with one decimal and medians in whole minutes
 * (empty where there is none), so a spreadsheet reads them as numbers.
 */
export function reportRow(month: Month, team: string, f: ReportFigures): (string | number)[] {
  const minutes = (ms: number | null) => (ms === null ? "" : Math.round(ms / 60_000));
  const values: Record<ReportColumn, string | number> = {
    month, team, members: f.members, fine: f.fine, contactRequested: f.contactRequested, silentTwice: f.silentTwice,
    confirmedByVisit: f.confirmedByVisit, checkinsAsked: f.checkinsAsked, checkinsAnswered: f.checkinsAnswered,
    responseRate: f.responseRate === null ? "" : Math.round(f.responseRate * 1000) / 10, incidentsOpened: f.incidentsOpened,
    medianAcknowledgeMinutes: minutes(f.medianAcknowledgeMs), medianResolveMinutes: minutes(f.medianResolveMs),
    broadcastRecipients: f.broadcastRecipients, broadcastSafe: f.broadcastSafe, broadcastNeedHelp: f.broadcastNeedHelp,
  };
  return REPORT_COLUMNS.map((c) => values[c]);
}
