/**
 * 利用者 (Members): searched and paged by the server (name, or a phone number
 * as typed); a member's page with their state, plan, channels, contacts and
 * their confirmation, open incidents, recent answers, and the actions staff
 * take: pause and resume, an answer on the member's behalf with a reason.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useEffect, useMemo, useState } from "react";
import {
  Button, Checkbox, Form, Label, Link, ListBox, ListBoxItem, Popover, SearchField, Select, SelectValue, Input, TextArea, TextField,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { actorParts } from "./AuditLog.tsx";
import { formatDate, formatDateTime, formatPhone, type Lang } from "../format.ts";
import type { Me } from "../me.ts";
import { FieldSelect, Import } from "./Import.tsx";
import { type Incident, Timeline } from "./Incidents.tsx";
import { ContactEditor, type EditableMember, MemberForm } from "./MemberForm.tsx";
import { MemberDevices } from "../network/Devices.tsx";
import { ConsentBadge, ConsentSection } from "./network/ConsentSection.tsx";
import { RegistrationNumbers } from "./network/RegistrationNumbers.tsx";
import { ScrollingTable } from "../ScrollingTable.tsx";

/** A channel's address as people read it: phone numbers (calls, SMS) as written in Japan, others as they are. */
const channelAddress = (c: { kind: string; address: string }) => (c.kind === "voice" || c.kind === "sms" ? formatPhone(c.address) : c.address);
/** A note on a member (申し送り), as GET /members/:id/notes gives it. */
interface MemberNoteView { id: string; note: string; createdBy: string; createdAt: string }
/** An answer to a daily question (体調・睡眠…), as GET /members/:id/observations gives it. */
interface Observation { question: string; value: string; label: string | null; channel: string | null; at: string }
interface Channel { kind: string; address: string }
interface MemberSummary {
  id: string; displayName: string; displayNameKana: string | null; externalId: string | null; teamId: string; channels: Channel[]; plan: { every: string; at: string; weekday?: number; timeZone: string };
  pause: { until?: string; reason: string; note?: string } | null; active: boolean; nextDueAt: string | null;
}
interface Contact { id: string; displayName: string; relation: string; position: number; channels: Channel[]; confirmed: boolean; confirmedAt: string | null }
interface Member extends MemberSummary {
  fullName?: string; address?: string; birthDate?: string; phone?: string; medicalNotes?: string;
  state: string;
  openIncidents: { id: string; kind: string; status: string; openedAt: string }[];
  lastAnswer: { answer: string; at: string; source: string } | null;
  contacts: Contact[];
  consent: { termsVersion: string; at: string } | null;
}
interface History {
  checkins: { id: string; dueAt: string; status: string; answer: string | null; answeredAt: string | null }[];
  answers: { id: string; answer: string; source: string; by: string | null; note: string | null; at: string }[];
  incidents: { id: string; kind: string; status: string; openedAt: string; resolvedAt: string | null; outcome: string | null }[];
}
interface AuditEntry { id: string; at: string; actor: string; action: string; detail: Record<string, unknown> }

const STATES = ["scheduled", "awaiting_answer", "escalating", "paused", "inactive"] as const;
const CHANNEL_KINDS = ["voice", "sms", "email", "line", "sandbox"] as const;
const ANY = "__any";
interface Team { id: string; name: string }

const PAGE = 50;

function MemberList({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  // Cursors of the pages before this one, so "previous" goes back exactly.
  const [cursors, setCursors] = useState<string[]>([]);
  const after = cursors.at(-1);
  const mayFind = me.role === "admin" || me.role === "staff" || me.role === "auditor";
  const [teamFilter, setTeamFilter] = useState(ANY);
  const [stateFilter, setStateFilter] = useState(ANY);
  const [channelFilter, setChannelFilter] = useState(ANY);
  const [unconfirmed, setUnconfirmed] = useState(false);
  const filters = `${teamFilter !== ANY ? `&teamId=${teamFilter}` : ""}${stateFilter !== ANY ? `&state=${stateFilter}` : ""}` +
    `${channelFilter !== ANY ? `&channel=${channelFilter}` : ""}${unconfirmed ? "&unconfirmedContacts=true" : ""}`;
  const filter = (set: (v: string) => void) => (v: string) => {
    setCursors([]);
    set(v);
  };
  const members = useQuery({
    queryKey: ["members", query, filters, after ?? ""],
    queryFn: () => api<{ members: MemberSummary[]; next: string | null }>("GET",
      `/members?limit=${PAGE}${query ? `&q=${encodeURIComponent(query)}` : ""}${filters}${after ? `&after=${after}` : ""}`),
    placeholderData: (previous) => previous,
  });
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<{ teams: Team[] }>("GET", "/teams") });
  const teamName = useMemo(() => new Map((teams.data?.teams ?? []).map((team) => [team.id, team.name])), [teams.data]);
  const column = createColumnHelper<MemberSummary>();
  const columns = useMemo(() => [
    column.accessor("displayName", { header: () => t("members.name"), cell: (c) => <><Link href={`/members/${c.row.original.id}`}>{c.getValue()}</Link><ConsentBadge id={c.row.original.id} /></> }),
    column.accessor("displayNameKana", { header: () => t("memberFilters.kana"), cell: (c) => c.getValue() ?? "" }),
    column.accessor("externalId", { header: () => t("memberFilters.externalId"), cell: (c) => c.getValue() ?? "" }),
    column.accessor("teamId", { header: () => t("members.team"), cell: (c) => teamName.get(c.getValue()) ?? "—" }),
    column.accessor("channels", { header: () => t("members.channels"), cell: (c) => c.getValue().map((ch) => t(`channels.${ch.kind}`, { defaultValue: ch.kind })).join("、") }),
    column.accessor("plan", { header: () => t("members.plan"), cell: (c) => t("members.planText", { every: t(`members.every.${c.getValue().every}`), at: c.getValue().at }) }),
    column.accessor((m) => (m.pause ? t("members.paused") : m.nextDueAt ? formatDateTime(m.nextDueAt, me.timeZone, lang) : "—"), {
      id: "next", header: () => t("members.next"),
    }),
  ], [column, t, lang, teamName, me.timeZone]);
  const rows = members.data?.members ?? [];
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: (row) => row.id });
  return (
    <div className="members">
      <h1>{t("members.title")}</h1>
      <div className="button-row">
        {me.role === "admin" || me.role === "staff" ? <Link className="button-link primary" href="/members/new">{t("memberFilters.create")}</Link> : null}
        {me.role === "admin" ? <Link className="button-link" href="/members/import">{t("memberFilters.importExport")}</Link> : null}
      </div>
      {mayFind ? (
        <Form role="search" className="search" onSubmit={(e) => { e.preventDefault(); setCursors([]); setQuery(search.trim()); }}>
          <SearchField value={search} onChange={setSearch} onClear={() => { setCursors([]); setQuery(""); }}>
            <Label>{t("members.search")}</Label>
            <Input />
          </SearchField>
          <Button type="submit">{t("members.find")}</Button>
        </Form>
      ) : null}
      <div className="inline-form filters">
        <FieldSelect label={t("memberFilters.team")} value={teamFilter} onChange={filter(setTeamFilter)} visible
          options={[{ id: ANY, name: t("memberFilters.any") }, ...(teams.data?.teams ?? []).map((team) => ({ id: team.id, name: team.name }))]} />
        <FieldSelect label={t("memberFilters.state")} value={stateFilter} onChange={filter(setStateFilter)} visible
          options={[{ id: ANY, name: t("memberFilters.any") }, ...STATES.map((st) => ({ id: st, name: t(`members.states.${st}`) }))]} />
        <FieldSelect label={t("memberFilters.channel")} value={channelFilter} onChange={filter(setChannelFilter)} visible
          options={[{ id: ANY, name: t("memberFilters.any") }, ...CHANNEL_KINDS.map((c) => ({ id: c, name: t(`channels.${c}`) }))]} />
        <Checkbox isSelected={unconfirmed} onChange={(v) => { setCursors([]); setUnconfirmed(v); }}>
          {t("memberFilters.unconfirmedContacts")}
        </Checkbox>
      </div>
      {members.isError ? <ErrorText error={members.error} /> : null}
      {members.isPending ? <p>{t("app.loading")}</p> : null}
      {members.data && rows.length === 0 ? <p className="empty-state">{query ? t("members.noneFound", { query }) : t(me.role === "admin" ? "members.noneAdmin" : me.role === "staff" ? "members.noneStaff" : "members.none")}</p> : null}
      {rows.length ? (
        <ScrollingTable label={query ? t("members.captionFound", { query, page: cursors.length + 1 }) : t("members.caption", { page: cursors.length + 1 })}>
          <table>
            <caption>{query ? t("members.captionFound", { query, page: cursors.length + 1 }) : t("members.caption", { page: cursors.length + 1 })}</caption>
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>{group.headers.map((h) => <th key={h.id} scope="col">{flexRender(h.column.columnDef.header, h.getContext())}</th>)}</tr>
              ))}
            </thead>
            <tbody>
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id}>{row.getVisibleCells().map((cell) => <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}</tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      ) : null}
      <div className="pager">
        <Button isDisabled={cursors.length === 0} onPress={() => setCursors((c) => c.slice(0, -1))}>{t("members.previous")}</Button>
        <Button isDisabled={!members.data?.next} onPress={() => { const next = members.data?.next; if (next) setCursors((c) => [...c, next]); }}>
          {t("members.nextPage")}
        </Button>
      </div>
    </div>
  );
}

function MemberPage({ id, me }: { id: string; me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const canAct = me.role === "admin" || me.role === "staff";
  const member = useQuery({ queryKey: ["member", id], queryFn: () => api<Member>("GET", `/members/${id}`) });
  const history = useQuery({ queryKey: ["member-history", id], queryFn: () => api<History>("GET", `/members/${id}/history?limit=500`) });
  const readsLog = me.role === "admin" || me.role === "auditor";
  const changes = useQuery({
    queryKey: ["member-changes", id],
    queryFn: () => api<{ entries: AuditEntry[] }>("GET", `/audit-log?memberId=${id}&limit=50`),
    enabled: readsLog,
  });
  // Health answers are personal through and through: the API gives them to staff, admins and auditors (each read audited).
  const observations = useQuery({
    queryKey: ["member-observations", id],
    queryFn: () => api<{ observations: Observation[] }>("GET", `/members/${id}/observations?limit=30`),
    enabled: me.role !== "observer",
  });
  // The current terms (設定 → 名称・利用規約): whether this member's agreement is to it; staff record a phone member's.
  const terms = useQuery({ queryKey: ["terms"], queryFn: () => api<{ current: { version: string } | null }>("GET", "/terms") });
  const currentTerms = terms.data?.current?.version;
  const [consentNotice, setConsentNotice] = useState<string | null>(null);
  const recordConsent = useMutation({
    mutationFn: () => api("PATCH", `/members/${id}`, { consent: { termsVersion: currentTerms, at: new Date().toISOString() } }),
    onMutate: () => setConsentNotice(null),
    onSuccess: () => {
      setConsentNotice(t("consent.recorded"));
      void queryClient.invalidateQueries({ queryKey: ["terms"] });
      refresh();
    },
  });
  const [editing, setEditing] = useState(false);
  const [reason, setReason] = useState("travel");
  const [answerNote, setAnswerNote] = useState("");
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["member", id] });
    void queryClient.invalidateQueries({ queryKey: ["member-history", id] });
    void queryClient.invalidateQueries({ queryKey: ["member-changes", id] });
  };
  const pause = useMutation({ mutationFn: () => api("POST", `/members/${id}/pause`, { reason }), onSuccess: refresh });
  const resume = useMutation({ mutationFn: () => api("POST", `/members/${id}/resume`), onSuccess: refresh });
  const answer = useMutation({
    mutationFn: (kind: "ok" | "need_contact") => api("POST", `/members/${id}/answers`, {
      answer: kind, source: "staff", by: me.kind === "person" ? me.person.displayName : t("app.tokenUser"), note: answerNote,
    }),
    onSuccess: () => {
      setAnswerNote("");
      refresh();
    },
  });
  useEffect(() => {
    if (member.data) document.title = `${member.data.displayName} — ${t("app.title")}`;
  }, [member.data, t]);
  if (member.isPending) return <p>{t("app.loading")}</p>;
  if (member.isError) return <ErrorText error={member.error} />;
  const m = member.data;
  return (
    <div className="member-page">
      <p><Link href="/members">{t("members.back")}</Link></p>
      <h1>{m.displayName}</h1>
      {m.displayNameKana ? <p className="kana" lang="ja">{m.displayNameKana}</p> : null}
      <dl className="facts">
        <dt>{t("members.state")}</dt><dd className={`state state-${m.state}`}>{t(`members.states.${m.state}`, { defaultValue: m.state })}</dd>
        <dt>{t("members.plan")}</dt><dd>{t("members.planText", { every: t(`members.every.${m.plan.every}`), at: m.plan.at })}</dd>
        <dt>{t("members.next")}</dt><dd>{m.nextDueAt ? formatDateTime(m.nextDueAt, me.timeZone, lang) : "—"}</dd>
        <dt>{t("members.lastAnswer")}</dt>
        <dd>{m.lastAnswer ? `${t(`members.answers.${m.lastAnswer.answer}`, { defaultValue: m.lastAnswer.answer })} — ${formatDateTime(m.lastAnswer.at, me.timeZone, lang)}` : "—"}</dd>
        <dt>{t("members.channels")}</dt>
        <dd>{m.channels.map((c) => `${t(`channels.${c.kind}`, { defaultValue: c.kind })} ${channelAddress(c)}`).join("、")}</dd>
        {m.fullName ? <><dt>{t("members.fullName")}</dt><dd>{m.fullName}</dd></> : null}
        {m.address ? <><dt>{t("members.address")}</dt><dd>{m.address}</dd></> : null}
        {m.phone ? <><dt>{t("members.phone")}</dt><dd>{formatPhone(m.phone)}</dd></> : null}
        {m.externalId ? <><dt>{t("memberPage.externalId")}</dt><dd>{m.externalId}</dd></> : null}
        {m.birthDate ? <><dt>{t("memberPage.birthDate")}</dt><dd>{m.birthDate}</dd></> : null}
        <dt>{t("memberPage.consent")}</dt>
        <dd data-testid="member-consent">
          {m.consent ? t("memberPage.consentText", { version: m.consent.termsVersion, date: formatDate(m.consent.at, me.timeZone, lang) }) : t("memberPage.noConsent")}
          {currentTerms && m.consent?.termsVersion !== currentTerms
            ? <><br /><span className="consent-outdated">{t("consent.outdated", { version: currentTerms })}</span></>
            : null}
          {canAct && currentTerms && m.consent?.termsVersion !== currentTerms ? (
            <><br /><Button onPress={() => recordConsent.mutate()} isDisabled={recordConsent.isPending}>{t("consent.record", { version: currentTerms })}</Button></>
          ) : null}
          <span role="status">{consentNotice}</span>
          {recordConsent.isError ? <ErrorText error={recordConsent.error} /> : null}
        </dd>
        {m.pause ? <><dt>{t("members.paused")}</dt><dd>{t(`members.reasons.${m.pause.reason}`, { defaultValue: m.pause.reason })}{m.pause.until ? ` (〜${m.pause.until})` : ""}</dd></> : null}
      </dl>

      {canAct && !editing ? <Button onPress={() => setEditing(true)}>{t("memberForm.edit")}</Button> : null}
      {canAct && editing ? (
        <>
          <MemberForm member={m as unknown as EditableMember} timeZone={me.timeZone} onDone={() => { setEditing(false); refresh(); }} />
          <ContactEditor member={m as unknown as EditableMember} />
        </>
      ) : null}
      {canAct ? (
        <section aria-labelledby="actions-heading" className="member-actions">
          <h2 id="actions-heading">{t("members.actions")}</h2>
          {m.pause ? (
            <Button onPress={() => resume.mutate()} isDisabled={resume.isPending}>{t("members.resume")}</Button>
          ) : (
            <Form onSubmit={(e) => { e.preventDefault(); pause.mutate(); }} aria-label={t("members.pause")} className="inline-form">
              <Select selectedKey={reason} onSelectionChange={(key) => setReason(String(key))}>
                <Label>{t("members.pauseReason")}</Label>
                <Button><SelectValue /><span aria-hidden="true"> ▼</span></Button>
                <Popover>
                  <ListBox>
                    {["travel", "hospital", "other"].map((r) => <ListBoxItem key={r} id={r}>{t(`members.reasons.${r}`)}</ListBoxItem>)}
                  </ListBox>
                </Popover>
              </Select>
              <Button type="submit" isDisabled={pause.isPending}>{t("members.pause")}</Button>
            </Form>
          )}
          {pause.isError ? <ErrorText error={pause.error} /> : null}
          {resume.isError ? <ErrorText error={resume.error} /> : null}
          <Form onSubmit={(e) => e.preventDefault()} aria-label={t("members.onBehalf")}>
            <TextField value={answerNote} onChange={setAnswerNote} isRequired>
              <Label>{t("members.onBehalfReason")}</Label>
              <TextArea rows={2} />
            </TextField>
            <div className="button-row">
              <Button isDisabled={!answerNote.trim() || answer.isPending} onPress={() => answer.mutate("ok")}>{t("members.answerOk")}</Button>
              <Button isDisabled={!answerNote.trim() || answer.isPending} onPress={() => answer.mutate("need_contact")}>{t("members.answerNeedContact")}</Button>
            </div>
          </Form>
          {answer.isError ? <ErrorText error={answer.error} /> : null}
        </section>
      ) : null}

      <MemberNotes id={id} me={me} canAct={canAct} />
      <MemberDevices id={id} me={me} />
      <ConsentSection id={id} me={me} displayName={m.displayName} />
      <RegistrationNumbers id={id} me={me} />

      <h2>{t("members.contacts")}</h2>
      {m.contacts.length ? (
        <ul className="plain">
          {m.contacts.map((c) => (
            <li key={c.id}>
              <strong>{c.position}. {c.displayName}</strong> ({c.relation}) — {c.channels.map((ch) => `${t(`channels.${ch.kind}`, { defaultValue: ch.kind })} ${channelAddress(ch)}`).join("、")}
              {" — "}
              <span className={c.confirmed ? "confirmed" : "unconfirmed"}>{c.confirmed ? t("members.confirmed") : t("members.unconfirmed")}</span>
            </li>
          ))}
        </ul>
      ) : <p>{t("members.noContacts")}</p>}

      <h2>{t("members.openIncidents")}</h2>
      {m.openIncidents.length ? (
        <ul className="plain">
          {m.openIncidents.map((i) => (
            <li key={i.id}>
              <Link href="/incidents">{t(`incidents.kinds.${i.kind}`, { defaultValue: i.kind })}</Link> — {t(`incidents.statuses.${i.status}`, { defaultValue: i.status })} — {formatDateTime(i.openedAt, me.timeZone, lang)}
            </li>
          ))}
        </ul>
      ) : <p>{t("members.noIncidents")}</p>}

      {history.data ? <AnswerCalendar checkins={history.data.checkins} answers={history.data.answers} timeZone={m.plan.timeZone} /> : null}

      <h2>{t("memberPage.incidents")}</h2>
      {history.data?.incidents.length ? (
        <ul className="plain">
          {history.data.incidents.map((i) => (
            <li key={i.id}>
              <Link href="/incidents">{t(`incidents.kinds.${i.kind}`, { defaultValue: i.kind })}</Link> — {formatDateTime(i.openedAt, me.timeZone, lang)}
              {" — "}{i.resolvedAt
                ? `${t("memberPage.resolved")} ${formatDateTime(i.resolvedAt, me.timeZone, lang)}${i.outcome ? ` (${t(`incidents.outcomes.${i.outcome}`, { defaultValue: i.outcome })})` : ""}`
                : t(`incidents.statuses.${i.status}`, { defaultValue: i.status })}
              {" "}<IncidentTimeline id={i.id} timeZone={me.timeZone} />
            </li>
          ))}
        </ul>
      ) : history.data ? <p>{t("memberPage.noIncidentHistory")}</p> : null}

      {readsLog ? (
        <>
          <h2>{t("memberPage.history")}</h2>
          {changes.isError ? <ErrorText error={changes.error} /> : null}
          {changes.data?.entries.length ? (
            <ul className="plain">
              {changes.data.entries.map((e) => (
                <li key={e.id}>
                  {formatDateTime(e.at, me.timeZone, lang)} — {actorParts(e.actor).name || "—"} — {t(`audit.actions.${e.action.replaceAll(".", "_")}`, { defaultValue: e.action })}
                  {Array.isArray(e.detail.fields)
                    ? `（${(e.detail.fields as string[]).map((f) => t(`memberPage.fields.${f}`, { defaultValue: f })).join(lang === "ja" ? "、" : ", ")}）` : ""}
                </li>
              ))}
            </ul>
          ) : changes.data ? <p>{t("memberPage.noHistory")}</p> : null}
        </>
      ) : null}

      {me.role !== "observer" ? (
        <>
          <h2>{t("memberPage.observations")}</h2>
          {observations.isError ? <ErrorText error={observations.error} /> : null}
          {observations.data?.observations.length ? (
            <ul className="plain observations">
              {observations.data.observations.map((o) => (
                <li key={`${o.at}-${o.question}`}>
                  {formatDateTime(o.at, me.timeZone, lang)} — {t(`memberPage.questions.${o.question}`, { defaultValue: o.question })}:{" "}
                  <strong>{o.label ?? o.value}</strong>
                  {o.channel ? <span className="muted"> ({t(`channels.${o.channel}`, { defaultValue: o.channel })})</span> : null}
                </li>
              ))}
            </ul>
          ) : observations.data ? <p>{t("memberPage.noObservations")}</p> : null}
        </>
      ) : null}

      <h2>{t("members.recentAnswers")}</h2>
      {history.isError ? <ErrorText error={history.error} /> : null}
      {history.data?.answers.length ? (
        <ul className="plain">
          {history.data.answers.slice(0, 20).map((a) => (
            <li key={a.id}>
              {formatDateTime(a.at, me.timeZone, lang)} — {t(`members.answers.${a.answer}`, { defaultValue: a.answer })}
              {a.by ? ` — ${a.by}` : ""}{a.note ? ` — ${a.note}` : ""}
            </li>
          ))}
        </ul>
      ) : history.data ? <p>{t("members.noAnswers")}</p> : null}
    </div>
  );
}

/** 申し送り: what the next person should know about the member, newest first, with who wrote it; staff add to it. */
function MemberNotes({ id, me, canAct }: { id: string; me: Me; canAct: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [text, setText] = useState("");
  const notes = useQuery({ queryKey: ["member-notes", id], queryFn: () => api<{ notes: MemberNoteView[] }>("GET", `/members/${id}/notes`) });
  const add = useMutation({
    mutationFn: () => api("POST", `/members/${id}/notes`, { note: text }),
    onSuccess: () => {
      setText("");
      void queryClient.invalidateQueries({ queryKey: ["member-notes", id] });
    },
  });
  return (
    <section aria-labelledby="notes-heading" className="member-notes">
      <h2 id="notes-heading">{t("memberPage.notes")}</h2>
      <p className="hint">{t("memberPage.notesLead")}</p>
      {canAct ? (
        <Form onSubmit={(e) => { e.preventDefault(); add.mutate(); }} aria-label={t("memberPage.addNote")}>
          <TextField value={text} onChange={setText} isRequired>
            <Label>{t("memberPage.noteLabel")}</Label>
            <TextArea rows={3} />
          </TextField>
          {add.isError ? <ErrorText error={add.error} /> : null}
          <Button type="submit" isDisabled={!text.trim() || add.isPending}>{t("memberPage.addNote")}</Button>
        </Form>
      ) : null}
      {notes.isError ? <ErrorText error={notes.error} /> : null}
      {notes.data?.notes.length ? (
        <ul className="plain notes">
          {notes.data.notes.map((n) => (
            <li key={n.id}>
              <span className="muted">{formatDateTime(n.createdAt, me.timeZone, lang)} — {actorParts(n.createdBy).name || "—"}</span>
              <p className="note-text">{n.note}</p>
            </li>
          ))}
        </ul>
      ) : notes.data ? <p>{t("memberPage.noNotes")}</p> : null}
    </section>
  );
}

/** An incident's timeline on a member's page, read when asked for. */
function IncidentTimeline({ id, timeZone }: { id: string; timeZone: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const incident = useQuery({ queryKey: ["incident", id], queryFn: () => api<Incident>("GET", `/incidents/${id}`), enabled: open });
  return (
    <>
      <Button className="link-button" aria-expanded={open} onPress={() => setOpen((o) => !o)}>
        {open ? t("memberPage.hideTimeline") : t("memberPage.showTimeline")}
      </Button>
      {open && incident.data ? <Timeline incident={incident.data} timeZone={timeZone} /> : null}
      {open && incident.isError ? <ErrorText error={incident.error} /> : null}
    </>
  );
}

/** YYYY-MM-DD of an instant in a zone. */
const localDay = (iso: string, timeZone: string) => new Intl.DateTimeFormat("sv-SE", { timeZone }).format(new Date(iso));

/**
 * A month of answers, one cell per day in the member's zone: fine, asked to be
 * contacted, no answer (a check-in closed without one), or nothing due. A
 * table (days of the week as column headers), so it reads out cell by cell.
 */
function AnswerCalendar({ checkins, answers, timeZone }: { checkins: History["checkins"]; answers: History["answers"]; timeZone: string }) {
  const { t } = useTranslation();
  const today = localDay(new Date().toISOString(), timeZone);
  // The month of the latest answer or check-in when it is later than the browser's (the sandbox's clock runs ahead).
  const latest = [...checkins.map((c) => c.dueAt), ...answers.map((a) => a.at)].sort().at(-1);
  const latestMonth = latest ? localDay(latest, timeZone).slice(0, 7) : "";
  const lastMonth = [latestMonth, today.slice(0, 7)].sort().at(-1) as string;
  // Until the user turns the page, the month follows the latest answer (one recorded here moves it).
  const [chosen, setMonth] = useState<string | null>(null);
  const month = chosen ?? lastMonth;
  const byDay = useMemo(() => {
    const days = new Map<string, "ok" | "need_contact" | "missed">();
    for (const c of checkins) {
      if (c.status === "open") continue;
      const day = localDay(c.dueAt, timeZone);
      if (!days.has(day)) days.set(day, c.answer === "need_contact" ? "need_contact" : c.answer ? "ok" : "missed");
    }
    // An answer counts on its own day too (a member may answer between check-ins); asking for contact outranks fine.
    for (const a of answers) {
      const day = localDay(a.at, timeZone);
      const was = days.get(day);
      if (a.answer === "need_contact" || !was || was === "missed") days.set(day, a.answer === "need_contact" ? "need_contact" : "ok");
    }
    return days;
  }, [checkins, answers, timeZone]);
  const [year, mon] = month.split("-").map(Number);
  const first = new Date(Date.UTC(year, mon - 1, 1));
  const daysInMonth = new Date(Date.UTC(year, mon, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7;
  const cells: (number | null)[] = [...Array.from({ length: lead }, () => null), ...Array.from({ length: daysInMonth }, (_, i) => i + 1)];
  while (cells.length % 7) cells.push(null);
  const weeks = Array.from({ length: cells.length / 7 }, (_, i) => cells.slice(i * 7, i * 7 + 7));
  const shift = (delta: number) => {
    const d = new Date(Date.UTC(year, mon - 1 + delta, 1));
    setMonth(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`);
  };
  return (
    <section aria-labelledby="calendar-heading" className="calendar">
      <h2 id="calendar-heading">{t("memberPage.calendar")}</h2>
      <div className="button-row">
        <Button onPress={() => shift(-1)}>{t("memberPage.previousMonth")}</Button>
        <Button onPress={() => shift(1)} isDisabled={month >= lastMonth}>{t("memberPage.nextMonth")}</Button>
      </div>
      <table>
        <caption>{t("memberPage.monthCaption", { year, month: mon })}</caption>
        <thead>
          <tr>{["1", "2", "3", "4", "5", "6", "7"].map((d) => <th key={d} scope="col">{t(`memberPage.weekdaysShort.${d}`)}</th>)}</tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr key={week.join("-")}>
              {week.map((day, i) => {
                // biome-ignore lint/suspicious/noArrayIndexKey: an empty cell is its place in the week.
                if (!day) return <td key={`empty-${i}`} />;
                const key = `${month}-${String(day).padStart(2, "0")}`;
                const status = byDay.get(key) ?? "none";
                return (
                  <td key={key} className={`day day-${status}`}>
                    <span className="day-number">{day}</span>
                    <span className="day-status">{status === "none" ? "" : t(`memberPage.dayStatus.${status}`)}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Import and export are for admins: anyone else who opens the address reads why, rather than a list they did not ask for. */
function ImportAdminsOnly({ me }: { me: Me }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${t("imports.title")} — ${t("app.title")}`;
  }, [t]);
  return (
    <div className="import">
      <h1>{t("imports.title")}</h1>
      <p className="error" role="alert">{t(me.role === "auditor" ? "imports.auditorNoExport" : "imports.adminsOnly")}</p>
      <p><Link href="/members">{t("imports.back")}</Link></p>
    </div>
  );
}

export function Members({ me, id }: { me: Me; id: string | null }) {
  const { t } = useTranslation();
  useEffect(() => {
    if (!id || id === "new") document.title = `${id === "new" ? t("memberForm.createTitle") : t("members.title")} — ${t("app.title")}`;
  }, [t, id]);
  if (id === "import") return me.role === "admin" ? <Import /> : <ImportAdminsOnly me={me} />;
  if (id === "new") return me.role === "admin" || me.role === "staff" ? <MemberForm timeZone={me.timeZone} /> : <MemberList me={me} />;
  return id ? <MemberPage id={id} me={me} /> : <MemberList me={me} />;
}
