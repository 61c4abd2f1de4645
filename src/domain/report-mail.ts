/**
 * The monthly report by e-mail (issue 12, Reports: "The operator can have the
 * report e-mailed on the first of each month"): when a subscription's mail is
 * due, which month it reports, and its words (Japanese first, then English).
 *
 * The rule for missed months: a subscription's mail is due on the 1st of each
 * month at 08:00 in the organisation's time zone (REPORT_MAIL_HOUR). When its
 * turn comes it reports the last complete month before the instant it is
 * queued — so after downtime over one or several month boundaries it reports
 * the latest complete month once, and the months skipped are read on the
 * Reports screen (every figure stays in the recorded events). Each mail is keyed
 * by subscription and month (`monthly_report:<subscriptionId>:<YYYY-MM>`), so a
 * month is never mailed twice to one subscription.
 *
 * The mail names no member: team names and counts only, as the report itself.
 */
import { DateTime } from "luxon";
import { type Month, monthOf, monthsBefore, REPORT_HEADERS, type ReportFigures } from "./reports.ts";

/** The local hour of the 1st at which the last month's report is mailed. */
export const REPORT_MAIL_HOUR = 8;

/**
 * The first instant after `now` that is the 1st of a month at REPORT_MAIL_HOUR:00
 * in `zone` (this month's when it is still ahead, else next month's).
 */
export function nextReportMailAt(now: Date, zone: string): Date {
  const local = DateTime.fromJSDate(now, { zone });
  const thisMonth = local.startOf("month").set({ hour: REPORT_MAIL_HOUR });
  const at = thisMonth.toMillis() > now.getTime() ? thisMonth : thisMonth.plus({ months: 1 }).set({ hour: REPORT_MAIL_HOUR });
  return at.toJSDate();
}

/** The month a mail queued at `now` reports: the last complete month in `zone` ("YYYY-MM"). */
export function reportedMonth(now: Date, zone: string): Month {
  return monthsBefore(monthOf(now, zone), 1);
}

/** The idempotency key of one subscription's mail for one month. */
export function reportMailKey(subscriptionId: string, month: Month): string {
  return `monthly_report:${subscriptionId}:${month}`;
}

const EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** "2027年1月" and "January 2027". */
export function monthNames(month: Month): { ja: string; en: string } {
  const [year, m] = month.split("-").map(Number);
  return { ja: `${year}年${m}月`, en: `${EN_MONTHS[m - 1]} ${year}` };
}

/** The subject: the organisation and the month, Japanese first. */
export function reportMailSubject(organisationName: string, month: Month): string {
  const names = monthNames(month);
  return `【見守り】${organisationName} 月次報告 ${names.ja} / Monthly report, ${names.en}`;
}

/** One team's (or the total's) figures as the mail shows them. */
export interface MailedFigures {
  /** The team's name, or null for the organisation's total. */
  teamName: string | null;
  figures: ReportFigures;
}

/** The response rate as a percentage with one decimal, or "—" when nobody was asked. */
function percent(rate: number | null): string {
  return rate === null ? "—" : `${(Math.round(rate * 1000) / 10).toFixed(1)}%`;
}

/** The lines of one block: "元気です / Fine: 12". */
function figureLines(f: ReportFigures): string[] {
  const line = (key: keyof typeof REPORT_HEADERS.ja, value: string | number) => `  ${REPORT_HEADERS.ja[key]} / ${REPORT_HEADERS.en[key]}: ${value}`;
  return [
    line("fine", f.fine),
    line("contactRequested", f.contactRequested),
    line("silentTwice", f.silentTwice),
    line("confirmedByVisit", f.confirmedByVisit),
    line("members", f.members),
    `  応答率 / Response rate: ${percent(f.responseRate)}`,
    line("incidentsOpened", f.incidentsOpened),
    line("broadcastRecipients", f.broadcastRecipients),
  ];
}

/**
 * The mail's text: a heading, the total and each team as blocks of
 * "label / Label: value" lines (a plain-text table that stays readable in any
 * mail program and font), the number of broadcasts sent, and where the full report is.
 * `teams` in the report's order; `broadcasts`: broadcasts sent in the month.
 */
export function reportMailText(organisationName: string, month: Month, total: ReportFigures, teams: MailedFigures[], broadcasts: number): string {
  const names = monthNames(month);
  const blocks = [
    [`■ 合計 / Total`, ...figureLines(total), `  一斉配信の回数 / Broadcasts: ${broadcasts}`].join("\n"),
    ...teams.map((t) => [`■ ${t.teamName ?? "合計 / Total"}`, ...figureLines(t.figures)].join("\n")),
  ];
  return [
    `${organisationName} の ${names.ja} の月次報告です。利用者の名前は含みません。詳しい表と推移は管理画面の「報告」でご覧いただけます（Excel ファイルを添付しています）。`,
    `The monthly report of ${organisationName} for ${names.en}. It names no member; the full table and the trend are on the console's Reports screen ` +
    `(an Excel file is attached).`,
    "",
    blocks.join("\n\n"),
  ].join("\n");
}
