/**
 * Today (本日の状況): per team, the members by where they stand today, in large
 * type for a wall screen or a tablet. It re-reads the board when the server says
 * it changed (server-sent events), so an answer shows within about a second.
 */
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, followEvents } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, formatLocalDate, formatTime, formatTimeOrDate, type Lang } from "../format.ts";
import type { Visit } from "./MyVisits.tsx";

const BUCKETS = ["contact_requested", "unreachable", "incident_open", "resent", "waiting", "answered", "paused"] as const;
type Bucket = (typeof BUCKETS)[number];

interface BoardMember { id: string; displayName: string; since: string | null }
interface TeamBoard { id: string; name: string; counts: Record<Bucket | "scheduled", number>; members: Record<Bucket, BoardMember[]> }
export interface Board { date: string; timeZone: string; at: string; teams: TeamBoard[]; overdueVisits: Visit[] }

/** Keeps the board fresh: re-reads it on every `board` event and on each (re)connection. */
function useLiveBoard(): boolean {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(true);
  useEffect(() => {
    const abort = new AbortController();
    void followEvents("/today/events", abort.signal, (name) => {
      if (name === "board" || name === "ready") void queryClient.invalidateQueries({ queryKey: ["today"] });
    }, setConnected);
    return () => abort.abort();
  }, [queryClient]);
  return connected;
}

function BucketCard({ team, bucket, board, lang }: { team: TeamBoard; bucket: Bucket; board: Board; lang: Lang }) {
  const { t } = useTranslation();
  const count = team.counts[bucket];
  const listed = team.members[bucket];
  const id = `b-${team.id}-${bucket}`;
  return (
    <section className={`bucket bucket-${bucket}${count ? "" : " empty"}`} aria-labelledby={id} data-bucket={bucket}>
      <h3 id={id}>
        <span className="bucket-name">{t(`today.buckets.${bucket}`)}</span>
        <span className="count" data-testid={`count-${bucket}`}>{t("today.people", { count })}</span>
      </h3>
      <p className="hint">{t(`today.hints.${bucket}`)}</p>
      {listed.length ? (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a long list scrolls within its card; focusable (named by its bucket) so the keyboard scrolls it too (WCAG 2.1.1, axe scrollable-region-focusable).
        <ul className="people" tabIndex={0} aria-labelledby={id}>
          {listed.map((m) => (
            <li key={m.id}>
              <span className="name">{m.displayName}</span>
              {m.since ? <span className="since">{t("today.since", { time: formatTimeOrDate(m.since, board.timeZone, lang, board.date) })}</span> : null}
            </li>
          ))}
          {count > listed.length ? <li className="more">{t("today.more", { count: count - listed.length })}</li> : null}
        </ul>
      ) : null}
    </section>
  );
}

interface SetupCheck { code: string; message: string; teamId?: string; channelKind?: string; count?: number }

/** Where each setup check is fixed in the console. */
const FIX_AT: Record<string, string> = {
  team_unreachable: "/people",
  nobody_on_duty: "/people",
  channel_not_configured: "/settings/channels",
  credentials_refused: "/settings/channels",
  sandbox_channel_outside_sandbox: "/members",
  public_url_unset: "/settings/channels",
  consent_missing: "/members",
};

/**
 * The setup checks (GET /organisation/setup-checks: what will make alerts fail),
 * each with a link to where it is fixed; shown until they are all clear.
 */
function SetupChecks() {
  const { t } = useTranslation();
  const checks = useQuery({
    queryKey: ["setup-checks"], queryFn: () => api<{ checks: SetupCheck[] }>("GET", "/organisation/setup-checks"), refetchInterval: 60_000,
  });
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<{ teams: { id: string; name: string }[] }>("GET", "/teams"), enabled: !!checks.data?.checks.length });
  const list = checks.data?.checks ?? [];
  if (list.length === 0) return null;
  const teamName = new Map((teams.data?.teams ?? []).map((team) => [team.id, team.name]));
  return (
    <section className="setup-checks" aria-labelledby="setup-checks-heading" data-testid="setup-checks">
      <h2 id="setup-checks-heading">{t("setupChecks.heading", { count: list.length })}</h2>
      <p>{t("setupChecks.lead")}</p>
      <ul className="setup-check-list">
        {list.map((c) => (
          <li key={`${c.code}-${c.teamId ?? ""}-${c.channelKind ?? ""}`} data-code={c.code} className="setup-check-item">
            {t(`setupChecks.codes.${c.code}`, {
              defaultValue: c.message, team: c.teamId ? (teamName.get(c.teamId) ?? "") : "",
              channel: c.channelKind ? t(`channels.${c.channelKind}`, { defaultValue: c.channelKind }) : "", count: c.count ?? 0,
            })}{" "}
            <Link href={FIX_AT[c.code] ?? "/settings/channels"}>{t(`setupChecks.fix.${c.code}`, { defaultValue: t("setupChecks.fix.channel_not_configured") })}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Today() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const connected = useLiveBoard();
  const board = useQuery({ queryKey: ["today"], queryFn: () => api<Board>("GET", "/today"), refetchInterval: 60_000 });
  useEffect(() => {
    document.title = `${t("today.title")} — ${t("app.title")}`;
  }, [t]);

  return (
    <div className="today">
      <div className="screen-head">
        <h1>{t("today.title")}</h1>
        {board.data ? (
          <p className="as-of">
            <span className="date">{formatLocalDate(board.data.date, lang)}</span>{" "}
            <span>{t("today.updated", { time: formatTime(board.data.at, board.data.timeZone) })}</span>
          </p>
        ) : null}
        <p className={connected ? "live" : "live off"} role="status">{connected ? t("today.live") : t("today.reconnecting")}</p>
      </div>
      <SetupChecks />
      {board.isPending ? <p>{t("app.loading")}</p> : null}
      {board.isError ? <ErrorText error={board.error} /> : null}
      {board.data?.overdueVisits.length ? (
        <section className="overdue-visits" aria-labelledby="overdue-heading">
          <h2 id="overdue-heading">{t("today.overdueVisits", { count: board.data.overdueVisits.length })}</h2>
          <ul>
            {board.data.overdueVisits.map((v) => (
              <li key={v.id}>
                <strong>{v.memberName}</strong> — {v.watcher ? v.watcher.displayName : t("visits.states.unassigned")} — {t(`visits.states.${v.state}`)} —{" "}
                {t("visits.dueBy", { time: formatDateTime(v.dueAt, board.data.timeZone, lang) })}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {board.data && board.data.teams.length === 0 ? <p>{t("today.noTeams")}</p> : null}
      {board.data?.teams.length && board.data.teams.every((team) => Object.values(team.counts).every((n) => n === 0))
        ? <p className="empty-state">{t("today.noMembers")}</p>
        : null}
      {board.data?.teams.map((team) => (
        <section key={team.id} className="team" aria-labelledby={`team-${team.id}`}>
          <h2 id={`team-${team.id}`}>{team.name}</h2>
          <div className="buckets">
            {BUCKETS.map((bucket) => <BucketCard key={bucket} team={team} bucket={bucket} board={board.data} lang={lang} />)}
          </div>
          <p className="scheduled">{t("today.scheduled", { count: team.counts.scheduled })}</p>
        </section>
      ))}
    </div>
  );
}
