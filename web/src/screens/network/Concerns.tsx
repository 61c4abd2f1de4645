/**
 * 気づき (partner reports): the anchor's triage queue. Reports from partners under a
 * watching agreement, 通報 first, then 相談, then 見守り, newest first within each;
 * filtered by state, urgency and partner. A report's page shows the checklist's
 * answers, the member it matched (a link to their page), who reported, and — for
 * staff — the outcome form: 対応不要 / 相談対応 / 緊急対応, notes, and what the
 * reporter is told. The statistics per partner and month are beside it
 * (/concerns/statistics). Reads GET /network/reports; writes POST …/triage, …/reopen.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useEffect, useState } from "react";
import {
  Button, Form, Input, Label, Link, ListBox, ListBoxItem, Popover, Radio, RadioGroup, SearchField, Select, SelectValue, TextArea, TextField,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";
import { ErrorText } from "../../ErrorText.tsx";
import { formatDateTime, formatPhone, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { ScrollingTable } from "../../ScrollingTable.tsx";
import { NeedOffer } from "../directory/NeedOffer.tsx";
import { ConcernStatistics } from "./ConcernStatistics.tsx";

export const URGENCIES = ["emergency", "consult", "watch"] as const;
export const TRIAGE_OUTCOMES = ["no_action", "consulted", "emergency_response"] as const;
export type Urgency = (typeof URGENCIES)[number];

export interface PartnerReport {
  id: string;
  partnerId: string;
  partnerName: string;
  serviceCode: string;
  urgency: Urgency;
  attributes: Record<string, string | string[]>;
  /** The checklist's answers as the service definition words them (Japanese `name`, English `en`). */
  checklist: { code: string; question: string; questionEn: string; answers: { key: string; name: string; en: string }[] }[];
  description: string;
  address: string | null;
  registrationNumber: string | null;
  match: "number" | "address" | "none";
  linkedBy: "number" | "address" | "staff" | null;
  member: { id: string; displayName: string; teamId: string } | null;
  requestedAt: string;
  receivedAt: string;
  status: "open" | "closed";
  outcome: (typeof TRIAGE_OUTCOMES)[number] | null;
  note: string;
  statusNotes: string | null;
  triagedBy: string | null;
  triagedAt: string | null;
  incidentId: string | null;
  reporter: { fullName: string | null; phone: string | null };
}

/** The partners to filter by: every partner the statistics list (they name no member). */
function usePartners() {
  return useQuery({
    queryKey: ["network-partners-for-filter"],
    queryFn: () => api<{ partners: { partnerId: string; partnerName: string }[] }>("GET", "/network/reports/statistics"),
    select: (data) => data.partners,
  });
}

/** The person part of an actor (`person:山田:<id>` → 山田). */
const actorName = (actor: string | null) => (actor ? (actor.split(":")[1] ?? actor) : "—");

export function Concerns({ me, sub }: { me: Me; sub: string | null }) {
  const { t } = useTranslation();
  const section = sub === "statistics" ? "statistics" : "queue";
  useEffect(() => {
    document.title = `${t(section === "statistics" ? "concerns.statistics.title" : "concerns.title")} — ${t("app.title")}`;
  }, [t, section]);
  return (
    <div className="concerns">
      <h1>{t("concerns.title")}</h1>
      <p>{t("concerns.lead")}</p>
      <nav aria-label={t("concerns.sections")} className="subnav">
        <ul>
          <li><Link href="/concerns" aria-current={section === "queue" && !sub ? "page" : undefined}>{t("concerns.queue")}</Link></li>
          <li><Link href="/concerns/statistics" aria-current={section === "statistics" ? "page" : undefined}>{t("concerns.statistics.title")}</Link></li>
        </ul>
      </nav>
      {section === "statistics" ? <ConcernStatistics me={me} /> : sub ? <ReportPage me={me} id={sub} /> : <Queue me={me} />}
    </div>
  );
}

function FilterSelect({ label, value, onChange, options }: {
  label: string; value: string; onChange: (v: string) => void; options: { id: string; name: string }[];
}) {
  return (
    <Select selectedKey={value} onSelectionChange={(key) => onChange(String(key))}>
      <Label>{label}</Label>
      <Button><SelectValue /><span aria-hidden="true"> ▼</span></Button>
      <Popover>
        <ListBox>
          {options.map((o) => <ListBoxItem key={o.id} id={o.id}>{o.name}</ListBoxItem>)}
        </ListBox>
      </Popover>
    </Select>
  );
}

function Queue({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [urgency, setUrgency] = useState("all");
  // A partner's page (協力事業者) links here with ?partner=<id>: its reports, every state.
  const [partner, setPartner] = useState(() => new URLSearchParams(location.search).get("partner") ?? "all");
  const [status, setStatus] = useState(() => (new URLSearchParams(location.search).has("partner") ? "all" : "open"));
  const partners = usePartners();
  const params = new URLSearchParams();
  if (status !== "all") params.set("status", status);
  if (urgency !== "all") params.set("urgency", urgency);
  if (partner !== "all") params.set("partnerId", partner);
  const filter = params.toString();
  const reports = useInfiniteQuery({
    queryKey: ["network-reports", filter],
    queryFn: ({ pageParam }) => api<{ reports: PartnerReport[]; next: string | null }>(
      "GET", `/network/reports?${filter}${filter ? "&" : ""}limit=50${pageParam ? `&after=${pageParam}` : ""}`,
    ),
    initialPageParam: "",
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const rows = reports.data?.pages.flatMap((p) => p.reports) ?? [];
  return (
    <section aria-labelledby="queue-heading">
      <h2 id="queue-heading">{t("concerns.queue")}</h2>
      <fieldset className="inline-form filters">
        <legend className="visually-hidden">{t("concerns.filters")}</legend>
        <FilterSelect label={t("concerns.status")} value={status} onChange={setStatus}
          options={[{ id: "open", name: t("concerns.statuses.open") }, { id: "closed", name: t("concerns.statuses.closed") }, { id: "all", name: t("concerns.all") }]} />
        <FilterSelect label={t("concerns.urgency")} value={urgency} onChange={setUrgency}
          options={[{ id: "all", name: t("concerns.all") }, ...URGENCIES.map((u) => ({ id: u, name: t(`concerns.urgencies.${u}`) }))]} />
        <FilterSelect label={t("concerns.partner")} value={partner} onChange={setPartner}
          options={[{ id: "all", name: t("concerns.all") }, ...(partners.data ?? []).map((p) => ({ id: p.partnerId, name: p.partnerName }))]} />
      </fieldset>
      {reports.isPending ? <p>{t("app.loading")}</p> : null}
      {reports.isError ? <ErrorText error={reports.error} /> : null}
      {reports.data && rows.length === 0 ? <p role="status">{t(status === "open" ? "concerns.emptyOpen" : "concerns.empty")}</p> : null}
      {rows.length ? (
        <ScrollingTable label={t("concerns.caption", { count: rows.length })}>
          <table className="concern-queue">
            <caption>{t("concerns.caption", { count: rows.length })}</caption>
            <thead>
              <tr>
                {(["urgency", "received", "partner", "about", "checklist", "state"] as const).map((k) => <th key={k} scope="col">{t(`concerns.columns.${k}`)}</th>)}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} className={`urgency-row-${r.urgency}`}>
                  <td><UrgencyBadge urgency={r.urgency} /></td>
                  <th scope="row">
                    <Link href={`/concerns/${r.id}`} aria-label={t("concerns.open", { time: formatDateTime(r.receivedAt, me.timeZone, lang), partner: r.partnerName })}>
                      {formatDateTime(r.receivedAt, me.timeZone, lang)}
                    </Link>
                  </th>
                  <td>{r.partnerName}</td>
                  <td>{r.member ? r.member.displayName : r.address ?? t("concerns.unknownPlace")}</td>
                  <td>{r.checklist.filter((a) => a.code !== "urgency").flatMap((a) => a.answers.map((v) => (lang === "ja" ? v.name : v.en))).join(lang === "ja" ? "、" : ", ") || "—"}</td>
                  <td>{r.outcome ? t(`concerns.outcomes.${r.outcome}`) : t(`concerns.statuses.${r.status}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      ) : null}
      {reports.hasNextPage ? (
        <Button onPress={() => void reports.fetchNextPage()} isDisabled={reports.isFetchingNextPage}>{t("concerns.more")}</Button>
      ) : null}
    </section>
  );
}

function UrgencyBadge({ urgency }: { urgency: Urgency }) {
  const { t } = useTranslation();
  return <span className={`urgency-badge urgency-${urgency}`}>{t(`concerns.urgencies.${urgency}`)}</span>;
}

function ReportPage({ me, id }: { me: Me; id: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const report = useQuery({ queryKey: ["network-report", id], queryFn: () => api<PartnerReport>("GET", `/network/reports/${id}`) });
  const canAct = me.role === "admin" || me.role === "staff";
  const changed = () => {
    void queryClient.invalidateQueries({ queryKey: ["network-report", id] });
    void queryClient.invalidateQueries({ queryKey: ["network-reports"] });
    void queryClient.invalidateQueries({ queryKey: ["network-statistics"] });
  };
  const reopen = useMutation({ mutationFn: () => api("POST", `/network/reports/${id}/reopen`), onSuccess: changed });
  if (report.isPending) return <p>{t("app.loading")}</p>;
  if (report.isError) return <ErrorText error={report.error} />;
  const r = report.data;
  return (
    <section aria-labelledby="report-heading" className="concern-report">
      <p><Link href="/concerns">{t("concerns.back")}</Link></p>
      <h2 id="report-heading">{t("concerns.reportTitle", { partner: r.partnerName, time: formatDateTime(r.receivedAt, me.timeZone, lang) })}</h2>
      <p><UrgencyBadge urgency={r.urgency} /></p>
      <dl className="facts">
        <dt>{t("concerns.fields.partner")}</dt><dd>{r.partnerName}</dd>
        <dt>{t("concerns.fields.requested")}</dt><dd>{formatDateTime(r.requestedAt, me.timeZone, lang)}</dd>
        <dt>{t("concerns.fields.received")}</dt><dd>{formatDateTime(r.receivedAt, me.timeZone, lang)}</dd>
        <dt>{t("concerns.fields.address")}</dt><dd>{r.address ?? "—"}</dd>
        <dt>{t("concerns.fields.registrationNumber")}</dt><dd>{r.registrationNumber ?? "—"}</dd>
        <dt>{t("concerns.fields.member")}</dt>
        <dd>
          {r.member ? <Link href={`/members/${r.member.id}`}>{r.member.displayName}</Link> : t("concerns.noMember")}
          {r.member && r.linkedBy ? ` （${t(`concerns.linkedBy.${r.linkedBy}`)}）` : null}
        </dd>
        <dt>{t("concerns.fields.reporter")}</dt>
        <dd>{r.reporter.fullName ?? "—"}{r.reporter.phone ? ` ${formatPhone(r.reporter.phone)}` : ""}</dd>
        <dt>{t("concerns.fields.description")}</dt><dd className="note">{r.description || "—"}</dd>
        <dt>{t("concerns.fields.state")}</dt>
        <dd>{r.outcome ? t(`concerns.outcomes.${r.outcome}`) : t(`concerns.statuses.${r.status}`)}</dd>
        {r.triagedAt ? <><dt>{t("concerns.fields.triaged")}</dt><dd>{formatDateTime(r.triagedAt, me.timeZone, lang)} — {actorName(r.triagedBy)}</dd></> : null}
        {r.note ? <><dt>{t("concerns.fields.note")}</dt><dd className="note">{r.note}</dd></> : null}
        <dt>{t("concerns.fields.statusNotes")}</dt><dd>{r.statusNotes ?? "—"}</dd>
        {r.incidentId ? <><dt>{t("concerns.fields.incident")}</dt><dd><Link href="/incidents">{t("concerns.incidentLinked")}</Link></dd></> : null}
      </dl>
      <h3>{t("concerns.checklist")}</h3>
      {r.checklist.length ? (
        <dl className="facts checklist">
          {r.checklist.map((a) => (
            <Fragment key={a.code}>
              <dt><span lang="ja">{a.question}</span>{lang === "en" ? <span className="translation"> ({a.questionEn})</span> : null}</dt>
              <dd>
                <ul className="answers">
                  {a.answers.map((v) => (
                    <li key={v.key}><span lang="ja">{v.name}</span>{lang === "en" ? <span className="translation"> ({v.en})</span> : null}</li>
                  ))}
                </ul>
              </dd>
            </Fragment>
          ))}
        </dl>
      ) : <p>{t("concerns.noChecklist")}</p>}
      {/* A report about a member may show a need (困りごと): the directory's offer, shown only when the directory answers. */}
      {canAct && r.member ? <NeedOffer key={r.id} source="partner_report" sourceId={r.id} memberName={r.member.displayName} note={r.description || null} /> : null}
      {canAct && r.status === "open" ? <TriageForm report={r} onDone={changed} /> : null}
      {canAct && r.status === "closed" ? (
        <div className="button-row">
          <Button onPress={() => reopen.mutate()} isDisabled={reopen.isPending}>{t("concerns.reopen")}</Button>
          {reopen.isError ? <ErrorText error={reopen.error} /> : null}
        </div>
      ) : null}
    </section>
  );
}

interface MemberHit { id: string; displayName: string; externalId: string | null }

/** The outcome form: outcome (no default: a stray Enter records nothing), notes, the reporter's status note, and the member to link. */
function TriageForm({ report, onDone }: { report: PartnerReport; onDone: () => void }) {
  const { t } = useTranslation();
  const [outcome, setOutcome] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [statusNotes, setStatusNotes] = useState("");
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [memberId, setMemberId] = useState<string>("keep");
  const hits = useQuery({
    queryKey: ["member-search", query],
    queryFn: () => api<{ members: MemberHit[] }>("GET", `/members?q=${encodeURIComponent(query)}&limit=10`),
    enabled: query.length > 0,
  });
  const triage = useMutation({
    mutationFn: () => api("POST", `/network/reports/${report.id}/triage`, {
      outcome, note, ...(statusNotes.trim() ? { statusNotes } : {}), ...(memberId !== "keep" ? { memberId: memberId === "none" ? null : memberId } : {}),
    }),
    onSuccess: onDone,
  });
  return (
    <Form className="triage-form" aria-labelledby="triage-heading" onSubmit={(e) => { e.preventDefault(); if (outcome) triage.mutate(); }}>
      <h3 id="triage-heading">{t("concerns.triage.title")}</h3>
      <RadioGroup value={outcome} onChange={setOutcome} isRequired>
        <Label>{t("concerns.triage.outcome")}</Label>
        {TRIAGE_OUTCOMES.map((o) => <Radio key={o} value={o}>{t(`concerns.outcomes.${o}`)}</Radio>)}
      </RadioGroup>
      {outcome === "emergency_response" ? (
        <p className="hint">{report.member ? t("concerns.triage.joinsIncident") : t("concerns.triage.noMemberNoIncident")}</p>
      ) : null}
      <TextField value={note} onChange={setNote}>
        <Label>{t("concerns.triage.note")}</Label>
        <TextArea rows={3} />
      </TextField>
      <TextField value={statusNotes} onChange={setStatusNotes}>
        <Label>{t("concerns.triage.statusNotes")}</Label>
        <Input placeholder={t(`concerns.triage.statusNotesDefault.${outcome ?? "no_action"}`)} />
      </TextField>
      <p className="hint">{t("concerns.triage.statusNotesHelp", { text: t(`concerns.triage.statusNotesDefault.${outcome ?? "no_action"}`) })}</p>
      <fieldset className="member-link">
        <legend>{t("concerns.triage.member")}</legend>
        <SearchField value={search} onChange={setSearch} onSubmit={() => setQuery(search.trim())}>
          <Label>{t("concerns.triage.searchMember")}</Label>
          <Input />
        </SearchField>
        <Button onPress={() => setQuery(search.trim())}>{t("concerns.triage.search")}</Button>
        <RadioGroup value={memberId} onChange={setMemberId} aria-label={t("concerns.triage.member")}>
          <Radio value="keep">{report.member ? t("concerns.triage.keep", { name: report.member.displayName }) : t("concerns.triage.keepNone")}</Radio>
          {report.member ? <Radio value="none">{t("concerns.triage.unlink")}</Radio> : null}
          {(hits.data?.members ?? []).filter((m) => m.id !== report.member?.id).map((m) => (
            <Radio key={m.id} value={m.id}>{m.displayName}{m.externalId ? `（${m.externalId}）` : ""}</Radio>
          ))}
        </RadioGroup>
        {query && hits.data && hits.data.members.length === 0 ? <p role="status">{t("concerns.triage.noHits")}</p> : null}
      </fieldset>
      {triage.isError ? <ErrorText error={triage.error} /> : null}
      <Button type="submit" className="primary" isDisabled={!outcome || triage.isPending}>{t("concerns.triage.submit")}</Button>
    </Form>
  );
}
