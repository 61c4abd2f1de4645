/**
 * 活動と出席 (issue 14): the calendar of salons and 通いの場 from the directory's
 * schedules, four weeks at a time (national holidays, 年末年始 and closures left
 * out by the API); choosing one session shows who came. Staff tick members
 * found by search, un-tick a mistaken entry (a list's or the door's: the answer
 * says whether its check-in was taken back, or already answered), set a member's
 * agreement that attending counts as their check-in, and print the door poster:
 * a QR code of the session's public page where members key in their 見守り番号.
 * Observers read (names hidden). Reads and writes /directory/activities,
 * /directory/attendance, /directory/attendance-settings and /directory/door-links.
 *
 * Paths: /activities, and /activities/<scheduleId>_<YYYY-MM-DD> for one session.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import QRCode from "qrcode";
import { useEffect, useState } from "react";
import { Button, Checkbox, Input, Label, Link, SearchField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";
import { ErrorText } from "../../ErrorText.tsx";
import { formatDateTime, formatLocalDate, formatTime, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";

export const ACTIVITIES = "/activities";
/** What the API shows observers instead of a personal value. */
const REDACTED = "***";
const WEEKS = 28;
const canWrite = (me: Me) => me.role === "admin" || me.role === "staff";
/** An actor written as `kind:name:id` is shown by its name. */
const actorName = (v: string) => (/^(person|token):/.test(v) ? v.split(":")[1] || v : v);

interface Occurrence {
  scheduleId: string; kind: string; serviceId: string | null; serviceName: string | null; locationId: string | null; locationName: string | null;
  description: string | null; date: string; start: string; end: string; allDay: boolean; attended: number;
}
interface Calendar { from: string; to: string; occurrences: Occurrence[] }
interface Attendance {
  id: string; scheduleId: string; occursOn: string; memberId: string; memberName: string; teamId: string; by: string; recordedAt: string;
  signOfLifeAt: string | null; source: "list" | "door";
}
interface Setting { memberId: string; memberName: string; countsAsSignOfLife: boolean; by: string | null; setAt: string | null }
interface MemberHit { id: string; displayName: string; externalId: string | null }
interface DoorLink { id: string; url: string; occursOn: string }

/** YYYY-MM-DD plus n days (calendar arithmetic on the date alone). */
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const occurrencePath = (o: { scheduleId: string; date: string }) => `${ACTIVITIES}/${o.scheduleId}_${o.date}`;

/**
 * An occurrence's name: the schedule row's own (its description, e.g. 健康講座) with its service beside it, else the
 * service's, the place's, or none (the door page's rule, src/directory/domain/activities.ts activityTitle).
 */
function useName() {
  const { t } = useTranslation();
  return (o: Occurrence) => {
    const event = o.description?.trim();
    if (event && o.serviceName && event !== o.serviceName) return t("activities.eventOf", { event, service: o.serviceName });
    return event || (o.serviceName ?? o.locationName ?? t("activities.unnamed"));
  };
}

export function Activities({ me, sub }: { me: Me; sub: string | null }) {
  const { t } = useTranslation();
  useEffect(() => {
    if (!sub) document.title = `${t("activities.title")} — ${t("app.title")}`;
  }, [t, sub]);
  const [scheduleId, date] = sub ? sub.split("_") : [];
  return scheduleId && date ? <OccurrencePage me={me} scheduleId={scheduleId} date={date} /> : <CalendarList me={me} />;
}

/** The server's today (the service's clock, which a sandbox may set): the calendar's default start. */
function useToday() {
  return useQuery({ queryKey: ["activities-today"], queryFn: () => api<Calendar>("GET", "/directory/activities") });
}

function CalendarList({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const name = useName();
  const [from, setFrom] = useState<string | null>(null);
  const calendar = useQuery({
    queryKey: ["directory-activities", from],
    // Without `from` the API starts today (its clock); the first answer fixes the range shown.
    queryFn: async () => {
      const start = from ?? (await api<Calendar>("GET", "/directory/activities")).from;
      return api<Calendar>("GET", `/directory/activities?from=${start}&to=${plusDays(start, WEEKS - 1)}`);
    },
    placeholderData: (previous) => previous,
  });
  const c = calendar.data;
  return (
    <div className="partners activities">
      <h1>{t("activities.title")}</h1>
      <p>{t("activities.lead")}</p>
      {calendar.isError ? <ErrorText error={calendar.error} /> : null}
      {c ? (
        <>
          <div className="button-row">
            <Button onPress={() => setFrom(plusDays(c.from, -WEEKS))}>{t("activities.earlier")}</Button>
            <Button onPress={() => setFrom(plusDays(c.from, WEEKS))}>{t("activities.later")}</Button>
          </div>
          <p role="status">
            {t("activities.range", { from: formatLocalDate(c.from, lang), to: formatLocalDate(c.to, lang) })}{lang === "ja" ? "：" : ": "}
            {t("activities.count", { count: c.occurrences.length })}
          </p>
          {c.occurrences.length ? (
            <table className="partner-list activity-list">
              <caption className="visually-hidden">{t("activities.caption", { from: formatLocalDate(c.from, lang), to: formatLocalDate(c.to, lang) })}</caption>
              <thead>
                <tr>{(["date", "activity", "time", "place", "attended"] as const).map((k) => <th key={k} scope="col">{t(`activities.columns.${k}`)}</th>)}</tr>
              </thead>
              <tbody>
                {c.occurrences.map((o) => (
                  <tr key={`${o.scheduleId}_${o.date}`}>
                    <td data-label={t("activities.columns.date")}>{formatLocalDate(o.date, lang)}</td>
                    <th scope="row"><Link href={occurrencePath(o)}>{name(o)}</Link></th>
                    <td data-label={t("activities.columns.time")}>{o.allDay ? t("activities.allDay") : `${formatTime(o.start, me.timeZone)}–${formatTime(o.end, me.timeZone)}`}</td>
                    <td data-label={t("activities.columns.place")}>{o.locationName ?? "—"}</td>
                    <td data-label={t("activities.columns.attended")}>{t("activities.attendedCount", { count: o.attended })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : <p>{t("activities.none")}</p>}
        </>
      ) : calendar.isPending ? <p>{t("app.loading")}</p> : null}
      <AgreedMembers me={me} />
    </div>
  );
}

/**
 * The members with a recorded choice (on or off), as the API lists them; staff
 * record a member's agreement here before they first come (found by search), or
 * change it.
 */
function AgreedMembers({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const settings = useQuery({ queryKey: ["attendance-settings"], queryFn: () => api<{ settings: Setting[] }>("GET", "/directory/attendance-settings") });
  const rows = settings.data?.settings ?? [];
  const set = useMutation({
    mutationFn: (v: { memberId: string; value: boolean }) => api<Setting>("PUT", "/directory/attendance-settings", { memberId: v.memberId, countsAsSignOfLife: v.value }),
    onSuccess: async (s) => {
      setNotice(t("activities.settings.saved", { name: s.memberName, value: t(s.countsAsSignOfLife ? "activities.list.yes" : "activities.list.no") }));
      await queryClient.invalidateQueries({ queryKey: ["attendance-settings"] });
    },
  });
  const agreed = new Set(rows.filter((r) => r.countsAsSignOfLife).map((r) => r.memberId));
  const write = canWrite(me);
  return (
    <section aria-labelledby="agreed-title">
      <h2 id="agreed-title">{t("activities.settings.title")}</h2>
      <p>{t("activities.settings.lead")}</p>
      <p role="status" className={notice ? "notice" : undefined}>{notice}</p>
      {write ? (
        <MemberSearch id="agree-search" action={(m) => (agreed.has(m.id) ? <span className="badge">{t("activities.list.yes")}</span> : (
          <Button aria-label={t("activities.settings.agreeName", { name: m.displayName })} isDisabled={set.isPending}
            onPress={() => set.mutate({ memberId: m.id, value: true })}>{t("activities.settings.agree")}</Button>
        ))} />
      ) : null}
      {set.isError ? <ErrorText error={set.error} /> : null}
      {settings.isError ? <ErrorText error={settings.error} /> : null}
      {rows.length ? (
        <table className="partner-list">
          <caption className="visually-hidden">{t("activities.settings.caption")}</caption>
          <thead><tr>{(["name", "value", "by", "at"] as const).map((k) => <th key={k} scope="col">{t(`activities.settings.columns.${k}`)}</th>)}</tr></thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.memberId}>
                <th scope="row">{s.memberName === REDACTED ? t("activities.list.hidden") : s.memberName}</th>
                <td data-label={t("activities.settings.columns.value")}>
                  {write && s.memberName !== REDACTED ? (
                    <Checkbox isSelected={s.countsAsSignOfLife} isDisabled={set.isPending} onChange={(value) => set.mutate({ memberId: s.memberId, value })}
                      aria-label={t("activities.list.consentName", { name: s.memberName })}>
                      {t(s.countsAsSignOfLife ? "activities.list.yes" : "activities.list.no")}
                    </Checkbox>
                  ) : t(s.countsAsSignOfLife ? "activities.list.yes" : "activities.list.no")}
                </td>
                <td data-label={t("activities.settings.columns.by")}>{s.by === REDACTED ? t("activities.list.hidden") : s.by ? actorName(s.by) : "—"}</td>
                <td data-label={t("activities.settings.columns.at")}>{s.setAt ? formatDateTime(s.setAt, me.timeZone, lang) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : settings.data ? <p>{t("activities.settings.none")}</p> : null}
    </section>
  );
}

function OccurrencePage({ me, scheduleId, date }: { me: Me; scheduleId: string; date: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const name = useName();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string[]>([]);
  const day = useQuery({
    queryKey: ["directory-activities-day", date],
    queryFn: () => api<Calendar>("GET", `/directory/activities?from=${date}&to=${date}`),
  });
  const today = useToday();
  const attendance = useQuery({
    queryKey: ["directory-attendance", scheduleId, date],
    queryFn: () => api<{ attendance: Attendance[] }>("GET", `/directory/attendance?scheduleId=${scheduleId}&occursOn=${date}&limit=1000`),
  });
  const settings = useQuery({ queryKey: ["attendance-settings"], queryFn: () => api<{ settings: Setting[] }>("GET", "/directory/attendance-settings") });
  const o = day.data?.occurrences.find((x) => x.scheduleId === scheduleId);
  useEffect(() => {
    if (o) document.title = `${name(o)} ${formatLocalDate(date, lang)} — ${t("activities.title")} — ${t("app.title")}`;
  }, [o, t, date, lang, name]);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ["directory-attendance", scheduleId, date] });
    await queryClient.invalidateQueries({ queryKey: ["directory-activities"] });
    await queryClient.invalidateQueries({ queryKey: ["directory-activities-day", date] });
  };
  const agreed = new Map((settings.data?.settings ?? []).map((s) => [s.memberId, s.countsAsSignOfLife]));
  const todayDate = today.data?.from;
  const write = canWrite(me);
  const rows = attendance.data?.attendance ?? [];
  return (
    <div className="partners activities">
      <p className="no-print"><Link href={ACTIVITIES}>{t("activities.back")}</Link></p>
      {day.isPending ? <p>{t("app.loading")}</p> : null}
      {day.isError ? <ErrorText error={day.error} /> : null}
      {day.data && !o ? <p role="alert" className="error">{t("activities.notFound")}</p> : null}
      {o ? (
        <>
          <h1 className="no-print">{name(o)}</h1>
          <dl className="facts no-print">
            <dt>{t("activities.columns.date")}</dt><dd>{formatLocalDate(o.date, lang)}</dd>
            <dt>{t("activities.columns.time")}</dt><dd>{o.allDay ? t("activities.allDay") : `${formatTime(o.start, me.timeZone)}–${formatTime(o.end, me.timeZone)}`}</dd>
            <dt>{t("activities.columns.place")}</dt><dd>{o.locationName ?? "—"}</dd>
          </dl>
          <div role="status" className={notice.length ? "notice no-print" : "no-print"}>{notice.map((n) => <p key={n}>{n}</p>)}</div>
          {write && todayDate ? (
            date > todayDate ? <p className="no-print">{t("activities.record.notYet")}</p>
              : <TickForm scheduleId={scheduleId} date={date} recorded={new Set(rows.map((a) => a.memberId))}
                onTicked={async (a) => { setNotice([t(a.signOfLifeAt ? "activities.record.tickedSign" : "activities.record.ticked", { name: a.memberName })]); await refresh(); }} />
          ) : null}
          <section aria-labelledby="came-title" className="no-print">
            <h2 id="came-title">{t("activities.list.title")}</h2>
            {attendance.isError ? <ErrorText error={attendance.error} /> : null}
            {attendance.data ? <p>{rows.length ? t("activities.list.count", { count: rows.length }) : t("activities.list.none")}</p> : null}
            {rows.length ? (
              <table className="partner-list attendance-list">
                <caption className="visually-hidden">{t("activities.list.caption")}</caption>
                <thead>
                  <tr>{(["name", "source", "sign", "consent", ...(write ? ["actions"] as const : [])] as const).map((k) => <th key={k} scope="col">{t(`activities.list.columns.${k}`)}</th>)}</tr>
                </thead>
                <tbody>
                  {rows.map((a) => (
                    <AttendanceRow key={a.id} me={me} a={a} agreed={agreed.get(a.memberId) ?? false} write={write}
                      onNotice={setNotice} onChanged={refresh} />
                  ))}
                </tbody>
              </table>
            ) : null}
          </section>
          {write && todayDate ? <Poster occurrence={o} name={name(o)} past={date < todayDate} /> : null}
        </>
      ) : null}
    </div>
  );
}

/** Find a member by name or number and record that they came. */
/** A member search (name or number) whose hits each carry `action` (a button, or a badge). */
function MemberSearch({ id, action }: { id: string; action: (m: MemberHit) => React.ReactNode }) {
  const { t } = useTranslation();
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const hits = useQuery({
    queryKey: ["member-search", query],
    queryFn: () => api<{ members: MemberHit[] }>("GET", `/members?q=${encodeURIComponent(query)}&limit=10`),
    enabled: query.length > 0,
  });
  return (
    <>
      <div className="inline-form">
        <SearchField value={search} onChange={setSearch} onSubmit={() => setQuery(search.trim())} id={id}>
          <Label>{t("activities.record.search")}</Label>
          <Input />
        </SearchField>
        <Button onPress={() => setQuery(search.trim())}>{t("activities.record.find")}</Button>
      </div>
      {hits.isError ? <ErrorText error={hits.error} /> : null}
      {hits.data?.members.length ? (
        <ul className="member-hits" aria-label={t("activities.record.hits")}>
          {hits.data.members.map((m) => (
            <li key={m.id}>
              <span>{m.displayName}{m.externalId ? `（${m.externalId}）` : ""}</span>{" "}{action(m)}
            </li>
          ))}
        </ul>
      ) : null}
      {query && hits.data && hits.data.members.length === 0 ? <p role="status">{t("activities.record.noHits")}</p> : null}
    </>
  );
}

/** Find a member by name or number and record that they came. */
function TickForm({ scheduleId, date, recorded, onTicked }: {
  scheduleId: string; date: string; recorded: Set<string>; onTicked: (a: Attendance) => Promise<void>;
}) {
  const { t } = useTranslation();
  const tick = useMutation({
    mutationFn: (memberId: string) => api<{ attendance: Attendance[] }>("POST", "/directory/attendance", { scheduleId, occursOn: date, memberIds: [memberId] }),
    onSuccess: async (r) => { if (r.attendance[0]) await onTicked(r.attendance[0]); },
  });
  return (
    <section aria-labelledby="tick-title" className="no-print">
      <h2 id="tick-title">{t("activities.record.title")}</h2>
      <p>{t("activities.record.lead")}</p>
      <MemberSearch id="tick-search" action={(m) => (recorded.has(m.id) ? <span className="badge">{t("activities.record.already")}</span> : (
        <Button className="primary" aria-label={t("activities.record.tickName", { name: m.displayName })} isDisabled={tick.isPending}
          onPress={() => tick.mutate(m.id)}>{t("activities.record.tick")}</Button>
      ))} />
      {tick.isError ? <ErrorText error={tick.error} /> : null}
    </section>
  );
}

function AttendanceRow({ me, a, agreed, write, onNotice, onChanged }: {
  me: Me; a: Attendance; agreed: boolean; write: boolean; onNotice: (n: string[]) => void; onChanged: () => Promise<void>;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const hidden = a.memberName === REDACTED;
  const who = hidden ? t("activities.list.hidden") : a.memberName;
  const at = formatTime(a.recordedAt, me.timeZone);
  const untick = useMutation({
    mutationFn: () => api<{ signOfLifeWithdrawn: boolean; checkinAnswered: boolean }>("DELETE", `/directory/attendance/${a.id}`),
    onSuccess: async (r) => {
      onNotice([
        t("activities.list.unticked", { name: who }),
        ...(r.signOfLifeWithdrawn ? [t("activities.list.withdrawn")] : []),
        ...(r.checkinAnswered ? [t("activities.list.answered")] : []),
      ]);
      await onChanged();
    },
  });
  const consent = useMutation({
    mutationFn: (value: boolean) => api<Setting>("PUT", "/directory/attendance-settings", { memberId: a.memberId, countsAsSignOfLife: value }),
    onSuccess: async (s) => {
      onNotice([t("activities.list.consentSaved", { name: who, value: t(s.countsAsSignOfLife ? "activities.list.yes" : "activities.list.no") })]);
      await queryClient.invalidateQueries({ queryKey: ["attendance-settings"] });
    },
  });
  return (
    <tr>
      <th scope="row">{who}</th>
      <td data-label={t("activities.list.columns.source")}>
        <span className={a.source === "door" ? "badge" : undefined}>{t(`activities.list.sources.${a.source}`)}</span>
        <span className="registration-dates">
          {a.source === "door" ? t("activities.list.doorBy", { at }) : t("activities.list.by", { by: a.by === REDACTED ? t("activities.list.hidden") : actorName(a.by), at })}
        </span>
      </td>
      <td data-label={t("activities.list.columns.sign")}>
        {a.signOfLifeAt ? t("activities.list.signAt", { at: formatDateTime(a.signOfLifeAt, me.timeZone, lang) }) : t("activities.list.noSign")}
      </td>
      <td data-label={t("activities.list.columns.consent")}>
        {write && !hidden ? (
          <Checkbox isSelected={agreed} isDisabled={consent.isPending} onChange={(v) => consent.mutate(v)}
            aria-label={t("activities.list.consentName", { name: who })}>
            {t("activities.list.consent")}
          </Checkbox>
        ) : t(agreed ? "activities.list.yes" : "activities.list.no")}
        {consent.isError ? <ErrorText error={consent.error} /> : null}
      </td>
      {write ? (
        <td data-label={t("activities.list.columns.actions")}>
          {confirming ? (
            <fieldset className="confirm-untick">
              <legend>{t("activities.list.confirm", { name: who })}</legend>
              <div className="button-row">
                <Button className="danger" isDisabled={untick.isPending} onPress={() => untick.mutate()}>{t("activities.list.confirmYes")}</Button>
                <Button onPress={() => setConfirming(false)}>{t("activities.list.confirmNo")}</Button>
              </div>
            </fieldset>
          ) : <Button aria-label={t("activities.list.untickName", { name: who })} onPress={() => setConfirming(true)}>{t("activities.list.untick")}</Button>}
          {untick.isError ? <ErrorText error={untick.error} /> : null}
        </td>
      ) : null}
    </tr>
  );
}

function onThisComputerOnly(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || host.startsWith("127.");
}

/** The door poster: a new link (shown once) for this session, its QR code large, printable. */
function Poster({ occurrence: o, name, past }: { occurrence: Occurrence; name: string; past: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [link, setLink] = useState<DoorLink | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const make = useMutation({
    mutationFn: () => api<DoorLink>("POST", "/directory/door-links", { scheduleId: o.scheduleId, occursOn: o.date }),
    onSuccess: async (l) => {
      // SVG: sharp at any print size; a data: URL, which the console's CSP allows for images.
      const svg = await QRCode.toString(l.url, { type: "svg", margin: 2, errorCorrectionLevel: "M" });
      setQr(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
      setLink(l);
    },
  });
  const when = `${formatLocalDate(o.date, lang)}${o.allDay ? "" : ` ${formatTime(o.start, "Asia/Tokyo")}–${formatTime(o.end, "Asia/Tokyo")}`}`;
  return (
    <section aria-labelledby="poster-title" className="door-poster">
      <h2 id="poster-title" className="no-print">{t("activities.poster.title")}</h2>
      {past ? <p className="no-print">{t("activities.poster.past")}</p> : (
        <>
          <p className="no-print">{t("activities.poster.lead")}</p>
          {!link ? (
            <div className="button-row no-print">
              <Button className="primary" isDisabled={make.isPending} onPress={() => make.mutate()}>{t("activities.poster.make")}</Button>
            </div>
          ) : null}
          {make.isError ? <ErrorText error={make.error} /> : null}
        </>
      )}
      {link && qr ? (
        <>
          {onThisComputerOnly(link.url) ? <p className="notice warn no-print" data-testid="door-local-url">{t("activities.poster.localUrl")}</p> : null}
          <p className="notice no-print">{t("activities.poster.once")}</p>
          <div className="poster-sheet" data-testid="door-poster">
            <p className="poster-heading">{t("activities.poster.heading")}</p>
            <p className="poster-name">{name}</p>
            <p className="poster-when">{when}{o.locationName ? `　${o.locationName}` : ""}</p>
            <img className="poster-qr" src={qr} width={320} height={320} alt={t("activities.poster.qrAlt", { url: link.url })} data-testid="door-qr" />
            <p className="poster-how">{t("activities.poster.how")}</p>
            <p className="poster-how">{t("activities.poster.ask")}</p>
            <p className="poster-url"><span className="visually-hidden">{t("activities.poster.url")}: </span><span className="break-anywhere" data-testid="door-url">{link.url}</span></p>
          </div>
          <div className="button-row no-print">
            <Button className="primary" onPress={() => window.print()}>{t("activities.poster.print")}</Button>
          </div>
        </>
      ) : null}
    </section>
  );
}
