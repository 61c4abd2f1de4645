/**
 * 気づきの集計 (partner report statistics) in Kobe's shape: reports per partner and
 * month, by urgency and outcome, and the share of decided reports that needed no
 * action, a consultation or an emergency response (whole percent, computed by the
 * server). By default the current fiscal year (April to March); saved as CSV
 * (Excel), Shift_JIS CSV or xlsx with what the screen shows.
 */
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";
import { ErrorText } from "../../ErrorText.tsx";
import { MonthDownloads, MonthRangeForm, useMonthRange } from "../../MonthRange.tsx";
import { formatMonth, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { ScrollingTable } from "../../ScrollingTable.tsx";

interface Figures {
  reports: number; watch: number; consult: number; emergency: number;
  noAction: number; consulted: number; emergencyResponse: number; untriaged: number;
  shares: { noAction: number; consulted: number; emergencyResponse: number } | null;
}
interface MonthFigures { month: string; figures: Figures }
interface Statistics {
  timeZone: string;
  months: string[];
  partners: { partnerId: string; partnerName: string; months: MonthFigures[]; total: Figures }[];
  monthTotals: MonthFigures[];
  total: Figures;
}

const COLUMNS = ["reports", "watch", "consult", "emergency", "noAction", "consulted", "emergencyResponse", "untriaged", "noActionShare", "consultedShare", "emergencyResponseShare"] as const;

function Cells({ f }: { f: Figures }) {
  const share = (v: number | undefined) => (v === undefined ? "—" : `${v}%`);
  return (
    <>
      <td>{f.reports}</td><td>{f.watch}</td><td>{f.consult}</td><td>{f.emergency}</td>
      <td>{f.noAction}</td><td>{f.consulted}</td><td>{f.emergencyResponse}</td><td>{f.untriaged}</td>
      <td>{share(f.shares?.noAction)}</td><td>{share(f.shares?.consulted)}</td><td>{share(f.shares?.emergencyResponse)}</td>
    </>
  );
}


function Head({ first }: { first: string }) {
  const { t } = useTranslation();
  return (
    <thead>
      <tr>
        <th scope="col">{first}</th>
        {COLUMNS.map((c) => <th key={c} scope="col">{t(`concerns.statistics.columns.${c}`)}</th>)}
      </tr>
    </thead>
  );
}

export function ConcernStatistics({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const range = useMonthRange();
  const stats = useQuery({
    queryKey: ["network-statistics", range.applied],
    queryFn: () => api<Statistics>("GET", `/network/reports/statistics${range.applied}`),
    placeholderData: keepPreviousData,
  });
  // The server chose the first range (the current fiscal year); the files hold what is on the screen.
  const months = stats.data?.months ?? [];
  const s = stats.data;
  const rangeText = months.length ? `${formatMonth(months[0], lang)}〜${formatMonth(months[months.length - 1], lang)}` : "";
  return (
    <section aria-labelledby="statistics-heading" className="concern-statistics">
      <h2 id="statistics-heading">{t("concerns.statistics.title")}</h2>
      <p className="print-only">{me.organisationName}</p>
      <p className="no-print">{t("concerns.statistics.lead")}</p>
      <MonthRangeForm range={range} shown={months} label={t("concerns.statistics.range")} placeholders={["2022-04", "2023-03"]} />
      {s ? <MonthDownloads path="/network/reports/statistics/export" shown={months} /> : null}
      {stats.isPending ? <p>{t("app.loading")}</p> : null}
      {stats.isError ? <ErrorText error={stats.error} /> : null}
      {s ? (
        <>
          <p className="headline" data-testid="statistics-headline">
            {s.total.shares
              ? t("concerns.statistics.headline", {
                range: rangeText, count: s.total.reports, noAction: s.total.shares.noAction, consulted: s.total.shares.consulted,
                emergency: s.total.shares.emergencyResponse,
              })
              : t("concerns.statistics.headlineNone", { range: rangeText, count: s.total.reports })}
            {s.total.untriaged ? ` ${t("concerns.statistics.untriagedNote", { count: s.total.untriaged })}` : ""}
          </p>
          <ScrollingTable label={t("concerns.statistics.byPartner", { range: rangeText })}>
            <table>
              <caption>{t("concerns.statistics.byPartner", { range: rangeText })}</caption>
              <Head first={t("concerns.statistics.columns.partner")} />
              <tbody>
                {s.partners.map((p) => <tr key={p.partnerId}><th scope="row">{p.partnerName}</th><Cells f={p.total} /></tr>)}
              </tbody>
              <tfoot><tr><th scope="row">{t("reports.total")}</th><Cells f={s.total} /></tr></tfoot>
            </table>
          </ScrollingTable>
          <ScrollingTable label={t("concerns.statistics.byMonth", { range: rangeText })}>
            <table>
              <caption>{t("concerns.statistics.byMonth", { range: rangeText })}</caption>
              <Head first={t("concerns.statistics.columns.month")} />
              <tbody>
                {s.monthTotals.map((m) => <tr key={m.month}><th scope="row">{formatMonth(m.month, lang)}</th><Cells f={m.figures} /></tr>)}
              </tbody>
              <tfoot><tr><th scope="row">{t("reports.total")}</th><Cells f={s.total} /></tr></tfoot>
            </table>
          </ScrollingTable>
          {s.partners.map((p) => (
            <details key={p.partnerId} className="partner-months">
              <summary>{t("concerns.statistics.partnerMonths", { partner: p.partnerName })}</summary>
              <ScrollingTable label={t("concerns.statistics.partnerMonthsCaption", { partner: p.partnerName, range: rangeText })}>
                <table>
                  <caption>{t("concerns.statistics.partnerMonthsCaption", { partner: p.partnerName, range: rangeText })}</caption>
                  <Head first={t("concerns.statistics.columns.month")} />
                  <tbody>
                    {p.months.map((m) => <tr key={m.month}><th scope="row">{formatMonth(m.month, lang)}</th><Cells f={m.figures} /></tr>)}
                  </tbody>
                </table>
              </ScrollingTable>
            </details>
          ))}
          <details className="definitions no-print">
            <summary>{t("reports.definitionsTitle")}</summary>
            <dl>
              {(["reports", "outcomes", "shares", "untriaged"] as const).map((k) => (
                <div key={k}><dt>{t(`concerns.statistics.definitionTerms.${k}`)}</dt><dd>{t(`concerns.statistics.definitions.${k}`)}</dd></div>
              ))}
            </dl>
          </details>
        </>
      ) : null}
    </section>
  );
}
