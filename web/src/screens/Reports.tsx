/**
 * 報告 (Reports): the monthly table per team as seed 000 counts it — 元気です,
 * 連絡希望, ２日続けて応答なし, 訪問による確認 — with the members asked, the response
 * rate and its trend, incidents and how they ended, and the median times to take
 * one on and to settle it. Every figure comes from GET /reports/monthly, counted
 * from recorded events by the server. Team staff see their own teams.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { MonthDownloads, MonthRangeForm, useMonthRange } from "../MonthRange.tsx";
import { formatDateTime, formatDuration, formatMonth, formatPercent, type Lang } from "../format.ts";
import type { Me } from "../me.ts";
import { ReportMail } from "./ReportMail.tsx";
import { ScrollingTable } from "../ScrollingTable.tsx";

interface Figures {
  members: number;
  checkinsAsked: number;
  checkinsAnswered: number;
  responseRate: number | null;
  fine: number;
  contactRequested: number;
  silentTwice: number;
  confirmedByVisit: number;
  incidentsOpened: number;
  broadcastRecipients: number;
  broadcastSafe: number;
  broadcastNeedHelp: number;
  resolvedByOutcome: Record<string, number>;
  medianAcknowledgeMs: number | null;
  medianResolveMs: number | null;
}
interface BroadcastTally { id: string; sentAt: string; text: string; question: boolean; drill?: boolean; recipients: number; safe: number; needHelp: number }
interface ReportMonth { month: string; teams: { teamId: string; teamName: string; figures: Figures }[]; broadcasts: BroadcastTally[]; total: Figures }
interface MonthlyReport { timeZone: string; months: ReportMonth[] }

export function Reports({ me }: { me: Me }) {
  const { organisationName } = me;
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const range = useMonthRange();
  const report = useQuery({
    queryKey: ["report", range.applied],
    queryFn: () => api<MonthlyReport>("GET", `/reports/monthly${range.applied}`),
    // The last table stays while the next range loads, rather than a blank page.
    placeholderData: keepPreviousData,
  });
  useEffect(() => {
    document.title = `${t("reports.title")} — ${t("app.title")}`;
  }, [t]);
  // The server chose the range of the first read (the last six months); the files hold what is on the screen.
  const months = report.data?.months ?? [];
  const shown = months.map((m) => m.month);
  return (
    <div className="reports">
      <h1>{t("reports.title")}</h1>
      {/* On paper, whose report it is. */}
      <p className="print-only">{organisationName}</p>
      <p className="no-print">{t("reports.lead")}</p>
      <MonthRangeForm range={range} shown={shown} label={t("reports.range")} placeholders={["2027-01", "2027-03"]} />
      {report.data ? (
        <MonthDownloads path="/reports/monthly/export" shown={shown}>
          <Button onPress={() => window.print()}>{t("reports.print")}</Button>
        </MonthDownloads>
      ) : null}
      {report.isPending ? <p>{t("app.loading")}</p> : null}
      {report.isError ? <ErrorText error={report.error} /> : null}
      {months.length > 0 ? <ResponseTrend months={months} lang={lang} /> : null}
      {[...months].reverse().map((m) => <MonthTable key={m.month} month={m} lang={lang} timeZone={report.data?.timeZone ?? "Asia/Tokyo"} />)}
      {me.role === "admin" ? <ReportMail me={me} /> : null}
      <details className="definitions no-print">
        <summary>{t("reports.definitionsTitle")}</summary>
        <dl>
          {(["fine", "contactRequested", "silentTwice", "confirmedByVisit", "responseRate"] as const).map((k) => (
            <div key={k}><dt>{t(`reports.columns.${k}`)}</dt><dd>{t(`reports.definitions.${k}`)}</dd></div>
          ))}
        </dl>
      </details>
    </div>
  );
}

/** The response rate of every month, as bars; the figures are in the tables below and in the image's name. */
function ResponseTrend({ months, lang }: { months: ReportMonth[]; lang: Lang }) {
  const { t } = useTranslation();
  const width = 60;
  const height = 120;
  const described = months.map((m) => `${formatMonth(m.month, lang)} ${m.total.responseRate === null ? "—" : formatPercent(m.total.responseRate, lang)}`).join(", ");
  return (
    <figure className="trend">
      <figcaption>{t("reports.trend")}</figcaption>
      <svg role="img" aria-label={`${t("reports.trend")}: ${described}`} viewBox={`0 0 ${months.length * width} ${height + 40}`}
        width="100%" style={{ maxWidth: `${months.length * 5}rem` }}>
        {months.map((m, i) => {
          const rate = m.total.responseRate ?? 0;
          const bar = Math.round(rate * height);
          return (
            <g key={m.month}>
              <rect x={i * width + 10} y={height - bar + 16} width={width - 20} height={bar} className="bar" />
              <text x={i * width + width / 2} y={height - bar + 12} textAnchor="middle" className="bar-value">
                {m.total.responseRate === null ? "—" : formatPercent(m.total.responseRate, lang)}
              </text>
              <text x={i * width + width / 2} y={height + 34} textAnchor="middle" className="bar-label">{m.month.replace("-", "/")}</text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

function MonthTable({ month, lang, timeZone }: { month: ReportMonth; lang: Lang; timeZone: string }) {
  const { t } = useTranslation();
  const title = formatMonth(month.month, lang);
  const headingId = `report-${month.month}`;
  const cells = (f: Figures) => (
    <>
      <td>{f.members}</td>
      <td>{f.fine}</td>
      <td>{f.contactRequested}</td>
      <td>{f.silentTwice}</td>
      <td>{f.confirmedByVisit}</td>
      <td>{f.responseRate === null ? "—" : formatPercent(f.responseRate, lang)}</td>
      <td>{f.incidentsOpened}</td>
      <td>{f.medianAcknowledgeMs === null ? "—" : formatDuration(f.medianAcknowledgeMs, lang)}</td>
      <td>{f.medianResolveMs === null ? "—" : formatDuration(f.medianResolveMs, lang)}</td>
    </>
  );
  const outcomes = Object.entries(month.total.resolvedByOutcome);
  return (
    <section aria-labelledby={headingId} className="report-month">
      <h2 id={headingId}>{title}</h2>
      <ScrollingTable label={t("reports.caption", { month: title })}>
        <table>
          <caption>{t("reports.caption", { month: title })}</caption>
          <thead>
            <tr>
              <th scope="col">{t("reports.columns.team")}</th>
              {(["members", "fine", "contactRequested", "silentTwice", "confirmedByVisit", "responseRate", "incidentsOpened", "medianAcknowledge", "medianResolve"] as const)
                .map((k) => <th key={k} scope="col">{t(`reports.columns.${k}`)}</th>)}
            </tr>
          </thead>
          <tbody>
            {month.teams.map((team) => <tr key={team.teamId}><th scope="row">{team.teamName}</th>{cells(team.figures)}</tr>)}
          </tbody>
          {month.teams.length > 1 ? (
            <tfoot><tr><th scope="row">{t("reports.total")}</th>{cells(month.total)}</tr></tfoot>
          ) : null}
        </table>
      </ScrollingTable>
      <p>
        {t("reports.resolved")}
        {outcomes.length === 0 ? t("reports.none") : outcomes.map(([outcome, n]) => t("reports.outcomeCount", { outcome: t(`incidents.outcomes.${outcome}`), count: n })).join(t("reports.separator"))}
      </p>
      {month.broadcasts.length ? (
        <ScrollingTable label={t("reports.broadcastsCaption", { month: title })}>
          <table>
            <caption>{t("reports.broadcastsCaption", { month: title })}{month.broadcasts.some((b) => b.drill) ? ` ${t("reports.broadcastDrillNote")}` : ""}</caption>
            <thead>
              <tr>
                {(["sentAt", "text", "recipients", "safe", "needHelp", "noAnswer"] as const).map((k) => <th key={k} scope="col">{t(`reports.broadcastColumns.${k}`)}</th>)}
              </tr>
            </thead>
            <tbody>
              {month.broadcasts.map((b) => (
                <tr key={b.id}>
                  <td>{formatDateTime(b.sentAt, timeZone, lang)}</td>
                  <th scope="row" className="broadcast-text">{b.drill ? <><span className="badge drill">{t("reports.broadcastDrill")}</span> </> : null}{b.text}</th>
                  <td>{b.recipients}</td>
                  <td>{b.question ? b.safe : "—"}</td>
                  <td>{b.question ? b.needHelp : "—"}</td>
                  <td>{b.question ? b.recipients - b.safe - b.needHelp : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      ) : null}
    </section>
  );
}
