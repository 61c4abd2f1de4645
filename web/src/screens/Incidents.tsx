/**
 * 対応 (Incidents): the queue of unresolved incidents, most urgent first, then
 * the longest waiting; names, not ids. Select one to see its timeline (who was
 * told what, when, on which channel, delivered or failed), take it on, add a
 * note, or record the outcome. Several can be taken on at once in a storm.
 * Re-read whenever the server says something moved (the board's event stream).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useEffect, useMemo, useState } from "react";
import {
  Button, Checkbox, CheckboxGroup, Form, Label, Link, ListBox, ListBoxItem, Popover, Select, SelectValue, TextArea, TextField, ToggleButton,
  ToggleButtonGroup,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, followEvents } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, formatPhone, type Lang } from "../format.ts";
import type { Me } from "../me.ts";
import { telHref, type Visit } from "./MyVisits.tsx";
import { ScrollingTable } from "../ScrollingTable.tsx";
import { NEED_AFTER_INCIDENT, NEED_AFTER_VISIT, NeedOffer } from "./directory/NeedOffer.tsx";

export interface TimelineEntry { at: string; type: string; actor: string | null; [key: string]: unknown }
export interface Incident {
  id: string; memberId: string; memberName: string; phone: string | null; visits: Visit[]; kind: string; urgency: string; status: "open" | "acknowledged" | "resolved"; openedAt: string;
  acknowledged: { at: string; by: string | null; via: string | null } | null;
  memberAnsweredAt: string | null;
  resolved: { at: string; outcome: string | null; note: string | null } | null;
  timeline: TimelineEntry[];
}
interface Contact { id: string; displayName: string }

export const OUTCOMES = [
  "visited_fine", "reached_by_phone", "reached_by_line", "reached_by_message", "member_answered", "hospitalised", "emergency_services_called",
  "found_dead", "left_service", "false_alarm", "other",
] as const;
const URGENCY_RANK: Record<string, number> = { urgent: 0, high: 1, low: 2 };
export const CALL_OUTCOMES = ["reached_fine", "reached_needs_help", "no_answer", "busy", "voicemail", "wrong_number"] as const;
/** How soon the visit is due, in minutes from now on the service's clock. */
const DUE_CHOICES = [60, 120, 180, 360, 1440] as const;
interface Watcher { id: string; displayName: string; active: boolean; openVisits: number }

/** The queue's order: urgency, then the longest open first. */
export function queueOrder(a: Incident, b: Incident): number {
  // Ids are time-ordered (UUIDv7): incidents opened in the same instant (a stopped sandbox clock) keep the order they were opened in.
  return (URGENCY_RANK[a.urgency] ?? 2) - (URGENCY_RANK[b.urgency] ?? 2) || a.openedAt.localeCompare(b.openedAt) || a.id.localeCompare(b.id);
}

/** A person named on the timeline ({ id, displayName }), or null. */
const personName = (value: unknown) => (value && typeof value === "object" && "displayName" in value ? String(value.displayName) : null);

/** What raised or joined an incident (domain/concerns.ts CONCERN_SOURCES): a partner's report, a device's rule, a finder's call. */
const CONCERN_SOURCES = ["partner_report", "device_inactive", "finder_call"] as const;
const isConcernSource = (v: unknown): v is (typeof CONCERN_SOURCES)[number] => (CONCERN_SOURCES as readonly unknown[]).includes(v);

/**
 * Who acted, in words: a person's or token's label as the engine wrote it; a
 * partner, a device or a finder (`partner:<id>`, `device:<id>`, `finder`) by kind,
 * since the event's summary already names them.
 */
function actorWords(actor: string, t: (key: string) => string): string {
  const kind = /^(partner|device):[0-9a-f-]{36}$/i.exec(actor)?.[1] ?? (actor === "finder" ? "finder" : null);
  return kind ? t(`incidents.actorKinds.${kind}`) : actor;
}

/** The facts a concern carries on the timeline (`opened`, `concern_joined`): where it came from, its summary, a link to its source. */
function ConcernFacts({ entry }: { entry: TimelineEntry }) {
  const { t } = useTranslation();
  if (!isConcernSource(entry.source)) return null;
  const data = (entry.data ?? {}) as { reportId?: unknown; deviceId?: unknown };
  return (
    <>
      {" "}— {t(`incidents.raisedBy.${entry.source}`)}
      {typeof entry.summary === "string" ? <p className="summary">{entry.summary}</p> : null}
      {typeof data.reportId === "string" ? <p><Link href={`/concerns/${data.reportId}`}>{t("incidents.openReport")}</Link></p> : null}
      {typeof data.deviceId === "string" ? <p><Link href="/devices">{t("incidents.openDevices")}</Link></p> : null}
    </>
  );
}

/** Why a delivery failed, in words (engine/ports.ts DeliveryErrorCode); a console-only recipient with no code has no address. */
function failureCode(entry: TimelineEntry): string | null {
  if (entry.type !== "delivery_failed") return null;
  if (typeof entry.code === "string") return entry.code;
  return entry.channel === "console" ? "no_address" : null;
}

/** An incident's timeline: who was told what, when, on which channel, delivered or not; notes (also on a member's page). */
export function Timeline({ incident, timeZone }: { incident: Incident; timeZone: string }) {
  const { t, i18n } = useTranslation();
  const contacts = useQuery({
    queryKey: ["contacts", incident.memberId],
    queryFn: () => api<{ contacts: Contact[] }>("GET", `/members/${incident.memberId}/contacts`),
  });
  const names = new Map((contacts.data?.contacts ?? []).map((c) => [c.id, c.displayName]));
  const recipientOf = (entry: TimelineEntry) => {
    const r = entry.recipient as { kind?: string; id?: string; displayName?: string } | undefined;
    if (!r?.kind) return null;
    if (r.kind === "contact") return names.get(r.id ?? "") ?? t("incidents.recipient.contact");
    // An on-duty staff member, named on the timeline when told (engine/on-duty.ts).
    if (r.kind === "person") return r.displayName ? t("incidents.recipient.person", { name: r.displayName }) : t("incidents.recipient.other");
    return t(`incidents.recipient.${r.kind === "team" ? "team" : "other"}`);
  };
  return (
    <ol className="timeline">
      {incident.timeline.map((entry, i) => {
        const recipient = recipientOf(entry);
        const typeKey = `incidents.events.${entry.type}`;
        const label = t(typeKey);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: the timeline is append-only; its order is its identity
          <li key={i} className={`event event-${entry.type}`}>
            <span className="when">{formatDateTime(entry.at, timeZone, i18n.language as Lang)}</span>{" "}
            <strong>{label === typeKey ? entry.type : label}</strong>
            {recipient ? <> — {recipient}</> : null}
            {typeof entry.channel === "string" ? <> ({t(`channels.${entry.channel}`, { defaultValue: entry.channel })})</> : null}
            {failureCode(entry) ? <> — {t(`incidents.failures.${failureCode(entry)}`, { defaultValue: String(failureCode(entry)) })}</> : null}
            {entry.type === "delivery_failed" && !failureCode(entry) && typeof entry.error === "string" ? <> — <span lang="en">{entry.error}</span></> : null}
            {entry.actor ? <> — {actorWords(entry.actor, t)}</> : null}
            {entry.type === "urgency_raised" && typeof entry.from === "string" && typeof entry.to === "string"
              ? <> — {t(`incidents.urgencies.${entry.from}`)} → {t(`incidents.urgencies.${entry.to}`)}</> : null}
            {entry.type === "member_answered" && typeof entry.answer === "string" ? <> — {t(`members.answers.${entry.answer}`, { defaultValue: entry.answer })}</> : null}
            {typeof entry.outcome === "string"
              ? <> — {entry.type === "finder_call_ended" ? t(`incidents.finderOutcomes.${entry.outcome}`) : t(`incidents.outcomes.${entry.outcome}`)}</> : null}
            <ConcernFacts entry={entry} />
            {personName(entry.watcher) ? <> — {t("incidents.visit.watcherIs", { name: personName(entry.watcher) })}</> : null}
            {personName(entry.next) ? <> — {t("incidents.visit.nextIs", { name: personName(entry.next) })}</> : null}
            {typeof entry.visitOutcome === "string" ? <> — {t(`visits.outcomes.${entry.visitOutcome}`)}</> : null}
            {typeof entry.callOutcome === "string" ? <> — {t(`incidents.call.outcomes.${entry.callOutcome}`)}</> : null}
            {typeof entry.note === "string" && entry.note ? <p className="note">{entry.note}</p> : null}
          </li>
        );
      })}
    </ol>
  );
}

/** 本人に電話: the member's number as a tel: link, and how the call went, recorded on the timeline. */
function PhoneMember({ incident, canAct, onChanged }: { incident: Incident; canAct: boolean; onChanged: () => void }) {
  const { t } = useTranslation();
  // No preset answer: a call recorded without choosing must not read "did not answer".
  const [outcome, setOutcome] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const call = useMutation({
    mutationFn: () => api("POST", `/incidents/${incident.id}/calls`, { outcome, note }),
    onSuccess: () => {
      setOutcome(null);
      setNote("");
      onChanged();
    },
  });
  return (
    <section className="phone-member" aria-labelledby="phone-heading">
      <h3 id="phone-heading">{t("incidents.call.title")}</h3>
      {incident.phone ? (
        <p><a className="tel big-link" href={telHref(incident.phone)}>{t("incidents.call.dial", { phone: formatPhone(incident.phone) })}</a></p>
      ) : <p>{t("incidents.call.noPhone")}</p>}
      {/* Without a number there is no call to record: the member is reached another way (a visit, a contact). */}
      {canAct && incident.phone ? (
        <Form className="call-form" aria-label={t("incidents.call.record")} onSubmit={(e) => { e.preventDefault(); if (outcome) call.mutate(); }}>
          <Select selectedKey={outcome} onSelectionChange={(key) => setOutcome(String(key))} placeholder={t("incidents.chooseOutcome")}>
            <Label>{t("incidents.call.outcome")}</Label>
            <Button><SelectValue /><span aria-hidden="true"> ▼</span></Button>
            <Popover>
              <ListBox>
                {CALL_OUTCOMES.map((o) => <ListBoxItem key={o} id={o}>{t(`incidents.call.outcomes.${o}`)}</ListBoxItem>)}
              </ListBox>
            </Popover>
          </Select>
          <TextField value={note} onChange={setNote}>
            <Label>{t("incidents.call.note")}</Label>
            <TextArea rows={2} />
          </TextField>
          {call.isError ? <ErrorText error={call.error} /> : null}
          <Button type="submit" isDisabled={call.isPending || !outcome}>{t("incidents.call.record")}</Button>
        </Form>
      ) : null}
    </section>
  );
}

/**
 * The directory's offer to record a need (困りごと) from this incident's outcome
 * once resolved, else from the latest visit's outcome (screens/directory/NeedOffer.tsx,
 * shown only when the server has the directory).
 */
function NeedOfferFor({ incident, canAct }: { incident: Incident; canAct: boolean }) {
  if (!canAct) return null;
  if (incident.status === "resolved") {
    return incident.resolved?.outcome && NEED_AFTER_INCIDENT.includes(incident.resolved.outcome)
      ? <NeedOffer key={incident.id} source="incident" sourceId={incident.id} memberName={incident.memberName} note={incident.resolved.note} /> : null;
  }
  const visit = incident.visits.filter((v) => v.result && NEED_AFTER_VISIT.includes(v.result.outcome)).at(-1);
  return visit ? <NeedOffer key={visit.id} source="visit" sourceId={visit.id} memberName={incident.memberName} note={visit.result?.note ?? null} /> : null;
}

/** The incident's visits (who holds each, due, overdue, what was found) and, when none is under way, the form to assign one. */
function VisitSection({ incident, timeZone, canAct, onChanged }: { incident: Incident; timeZone: string; canAct: boolean; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const active = incident.visits.find((v) => v.state === "offered" || v.state === "accepted");
  const cancel = useMutation({ mutationFn: (id: string) => api("POST", `/visits/${id}/cancel`), onSuccess: onChanged });
  return (
    <section className="visit-section" aria-labelledby="visit-heading">
      <h3 id="visit-heading">{t("incidents.visit.title")}</h3>
      {incident.visits.length === 0 ? <p>{t("incidents.visit.none")}</p> : (
        <ul className="visits">
          {incident.visits.map((v) => (
            <li key={v.id} className={v.overdue ? "overdue" : undefined}>
              <strong>{t(`visits.states.${v.state}`)}</strong>
              {v.overdue ? <> <span className="badge overdue-badge">{t("visits.overdue")}</span></> : null}
              {v.watcher ? <> — {v.watcher.displayName}</> : null}
              {" "}— {t("visits.dueBy", { time: formatDateTime(v.dueAt, timeZone, lang) })}
              {v.result ? <> — {t(`visits.outcomes.${v.result.outcome}`)}{v.result.note ? `（${v.result.note}）` : ""}</> : null}
              {v.candidates.length > 1 ? (
                <span className="order"> — {t("incidents.visit.order")}: {v.candidates.map((c) => `${c.position + 1}. ${c.displayName}${c.declinedAt ? t("incidents.visit.declinedMark") : ""}`).join(" → ")}</span>
              ) : null}
              {canAct && (v.state === "offered" || v.state === "accepted") ? (
                <> <Button onPress={() => cancel.mutate(v.id)} isDisabled={cancel.isPending}>{t("incidents.visit.cancel")}</Button></>
              ) : null}
            </li>
          ))}
        </ul>
      )}
      {cancel.isError ? <ErrorText error={cancel.error} /> : null}
      {canAct && !active && incident.status !== "resolved" ? <AssignVisit incident={incident} onChanged={onChanged} /> : null}
    </section>
  );
}

export function AssignVisit({ incident, onChanged }: { incident: Incident; onChanged: () => void }) {
  const { t } = useTranslation();
  const watchers = useQuery({ queryKey: ["watchers"], queryFn: () => api<{ watchers: Watcher[] }>("GET", "/watchers") });
  // The order in which staff ticked the watchers is the order they are asked in.
  const [order, setOrder] = useState<string[]>([]);
  const [due, setDue] = useState<number>(120);
  const [note, setNote] = useState("");
  const assign = useMutation({
    mutationFn: () => api("POST", `/incidents/${incident.id}/visits`, { watcherIds: order, dueInMinutes: due, note }),
    onSuccess: () => {
      setOrder([]);
      setNote("");
      onChanged();
    },
  });
  const names = new Map((watchers.data?.watchers ?? []).map((w) => [w.id, w.displayName]));
  if (watchers.data && watchers.data.watchers.length === 0) return <p>{t("incidents.visit.noWatchers")}</p>;
  return (
    <Form className="assign-form" aria-label={t("incidents.visit.assign")} onSubmit={(e) => { e.preventDefault(); if (order.length) assign.mutate(); }}>
      <CheckboxGroup value={order} onChange={(values) => setOrder((before) => [...before.filter((id) => values.includes(id)), ...values.filter((id) => !before.includes(id))])}>
        <Label>{t("incidents.visit.pickWatchers")}</Label>
        {(watchers.data?.watchers ?? []).map((w) => (
          <Checkbox key={w.id} value={w.id}>
            {w.displayName}{w.openVisits ? t("incidents.visit.holding", { count: w.openVisits }) : ""}{w.active ? "" : t("incidents.visit.notYetActive")}
          </Checkbox>
        ))}
      </CheckboxGroup>
      {order.length ? <p className="order" aria-live="polite">{t("incidents.visit.order")}: {order.map((id, i) => `${i + 1}. ${names.get(id) ?? ""}`).join(" → ")}</p> : null}
      <Select selectedKey={String(due)} onSelectionChange={(key) => setDue(Number(key))}>
        <Label>{t("incidents.visit.due")}</Label>
        <Button><SelectValue /><span aria-hidden="true"> ▼</span></Button>
        <Popover>
          <ListBox>
            {DUE_CHOICES.map((m) => <ListBoxItem key={m} id={String(m)}>{t("incidents.visit.within", { count: m / 60 })}</ListBoxItem>)}
          </ListBox>
        </Popover>
      </Select>
      <TextField value={note} onChange={setNote}>
        <Label>{t("incidents.visit.note")}</Label>
        <TextArea rows={2} />
      </TextField>
      {assign.isError ? <ErrorText error={assign.error} /> : null}
      <Button type="submit" className="primary" isDisabled={order.length === 0 || assign.isPending}>{t("incidents.visit.assign")}</Button>
    </Form>
  );
}

/** What was just resolved, kept on screen after the incident leaves the queue (the offer of a need follows it). */
interface JustResolved { id: string; memberName: string; outcome: string; note: string | null }

function Detail({ incident, timeZone, canAct, onChanged, onResolved }: {
  incident: Incident; timeZone: string; canAct: boolean; onChanged: () => void; onResolved: (done: JustResolved) => void;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [note, setNote] = useState("");
  // No outcome in advance: a resolution says what a person found, never a default (a stray Enter must not record 無事).
  const [outcome, setOutcome] = useState<string | null>(null);
  const [resolveNote, setResolveNote] = useState("");
  const ack = useMutation({ mutationFn: () => api("POST", `/incidents/${incident.id}/ack`, { via: "console" }), onSuccess: onChanged });
  const addNote = useMutation({
    mutationFn: () => api("POST", `/incidents/${incident.id}/notes`, { note }),
    onSuccess: () => {
      setNote("");
      onChanged();
    },
  });
  const resolve = useMutation({
    mutationFn: () => api("POST", `/incidents/${incident.id}/resolve`, { outcome, note: resolveNote }),
    onSuccess: () => {
      if (outcome) onResolved({ id: incident.id, memberName: incident.memberName, outcome, note: resolveNote.trim() || null });
      onChanged();
    },
  });
  return (
    <section className="incident-detail" aria-labelledby="detail-heading">
      <h2 id="detail-heading">{t("incidents.detailTitle", { name: incident.memberName })}</h2>
      <dl className="facts">
        <dt>{t("incidents.kind")}</dt><dd>{t(`incidents.kinds.${incident.kind}`, { defaultValue: incident.kind })}</dd>
        <dt>{t("incidents.opened")}</dt><dd>{formatDateTime(incident.openedAt, timeZone, lang)}</dd>
        <dt>{t("incidents.status")}</dt><dd>{t(`incidents.statuses.${incident.status}`)}</dd>
        {incident.acknowledged ? <><dt>{t("incidents.takenBy")}</dt><dd>{incident.acknowledged.by ?? "—"}</dd></> : null}
        {incident.memberAnsweredAt ? <><dt>{t("incidents.memberAnswered")}</dt><dd>{formatDateTime(incident.memberAnsweredAt, timeZone, lang)}</dd></> : null}
      </dl>
      {canAct && incident.status === "open" ? (
        <Button className="primary" onPress={() => ack.mutate()} isDisabled={ack.isPending}>{t("incidents.ack")}</Button>
      ) : null}
      {ack.isError ? <ErrorText error={ack.error} /> : null}
      {canAct ? <Form className="note-form" onSubmit={(e) => { e.preventDefault(); if (note.trim()) addNote.mutate(); }} aria-label={t("incidents.addNote")}>
        <TextField value={note} onChange={setNote}>
          <Label>{t("incidents.note")}</Label>
          <TextArea rows={3} />
        </TextField>
        {addNote.isError ? <ErrorText error={addNote.error} /> : null}
        <Button type="submit" isDisabled={addNote.isPending || !note.trim()}>{t("incidents.addNote")}</Button>
      </Form> : null}
      {canAct && incident.status !== "resolved" ? (
        <Form className="resolve-form" onSubmit={(e) => { e.preventDefault(); if (outcome) resolve.mutate(); }} aria-label={t("incidents.resolve")}>
          <Select selectedKey={outcome} onSelectionChange={(key) => setOutcome(String(key))} placeholder={t("incidents.chooseOutcome")}>
            <Label>{t("incidents.outcome")}</Label>
            <Button><SelectValue /><span aria-hidden="true"> ▼</span></Button>
            <Popover>
              <ListBox>
                {OUTCOMES.map((o) => <ListBoxItem key={o} id={o}>{t(`incidents.outcomes.${o}`)}</ListBoxItem>)}
              </ListBox>
            </Popover>
          </Select>
          <TextField value={resolveNote} onChange={setResolveNote}>
            <Label>{t("incidents.resolveNote")}</Label>
            <TextArea rows={2} />
          </TextField>
          {resolve.isError ? <ErrorText error={resolve.error} /> : null}
          <Button type="submit" className="primary" isDisabled={resolve.isPending || !outcome}>{t("incidents.resolve")}</Button>
        </Form>
      ) : null}
      <NeedOfferFor incident={incident} canAct={canAct} />
      <PhoneMember incident={incident} canAct={canAct} onChanged={onChanged} />
      <VisitSection incident={incident} timeZone={timeZone} canAct={canAct} onChanged={onChanged} />
      <h3>{t("incidents.timeline")}</h3>
      <Timeline incident={incident} timeZone={timeZone} />
    </section>
  );
}

export function Incidents({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [view, setView] = useState<"unresolved" | "resolved">("unresolved");
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [justResolved, setJustResolved] = useState<JustResolved | null>(null);
  const canAct = me.role === "admin" || me.role === "staff";
  const incidents = useQuery({
    queryKey: ["incidents", view],
    queryFn: () => api<{ incidents: Incident[] }>("GET", `/incidents?status=${view}&limit=500`),
    select: (data) => (view === "unresolved" ? [...data.incidents].sort(queueOrder) : data.incidents),
  });
  useEffect(() => {
    document.title = `${t("incidents.title")} — ${t("app.title")}`;
  }, [t]);
  useEffect(() => {
    const abort = new AbortController();
    void followEvents("/today/events", abort.signal, (name) => {
      if (name === "board") void queryClient.invalidateQueries({ queryKey: ["incidents"] });
    }, () => {});
    return () => abort.abort();
  }, [queryClient]);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["incidents"] });
  const bulkAck = useMutation({
    // One request for all: the answer says which were taken on and why the others were not (a colleague was quicker).
    mutationFn: (ids: string[]) => api<{ results: { id: string; ok: boolean; code: string | null }[] }>("POST", "/incidents/ack", { ids, via: "console" }),
    onSettled: () => {
      setPicked(new Set());
      refresh();
    },
  });
  const rows = incidents.data ?? [];
  const selected = rows.find((i) => i.id === selectedId) ?? null;

  const column = createColumnHelper<Incident>();
  const columns = useMemo(() => [
    ...(canAct && view === "unresolved" ? [column.display({
      id: "pick",
      header: () => <span className="visually-hidden">{t("incidents.pick")}</span>,
      cell: (c) => (
        <Checkbox
          aria-label={t("incidents.pickOne", { name: c.row.original.memberName })}
          isSelected={picked.has(c.row.original.id)}
          isDisabled={c.row.original.status !== "open"}
          onChange={(on) => setPicked((p) => {
            const next = new Set(p);
            if (on) next.add(c.row.original.id);
            else next.delete(c.row.original.id);
            return next;
          })}
        />
      ),
    })] : []),
    column.accessor("memberName", {
      header: () => t("incidents.member"),
      cell: (c) => (
        <Button className="link-button" aria-pressed={selectedId === c.row.original.id} onPress={() => setSelectedId(c.row.original.id)}>
          {c.getValue()}
        </Button>
      ),
    }),
    column.accessor("kind", { header: () => t("incidents.kind"), cell: (c) => t(`incidents.kinds.${c.getValue()}`, { defaultValue: c.getValue() }) }),
    column.accessor("urgency", {
      header: () => t("incidents.urgency"),
      cell: (c) => <span className={`urgency urgency-${c.getValue()}`}>{t(`incidents.urgencies.${c.getValue()}`, { defaultValue: c.getValue() })}</span>,
    }),
    column.accessor("status", { header: () => t("incidents.status"), cell: (c) => t(`incidents.statuses.${c.getValue()}`) }),
    column.accessor("openedAt", { header: () => t("incidents.opened"), cell: (c) => formatDateTime(c.getValue(), me.timeZone, lang) }),
    column.accessor((i) => i.visits[0], {
      id: "visit",
      header: () => t("incidents.visit.column"),
      cell: (c) => {
        const v = c.getValue();
        if (!v) return "—";
        return (
          <span className={v.overdue ? "overdue-text" : undefined}>
            {t(`visits.states.${v.state}`)}{v.watcher ? `（${v.watcher.displayName}）` : ""}
            {v.overdue ? <> <span className="badge overdue-badge">{t("visits.overdue")}</span></> : null}
          </span>
        );
      },
    }),
    column.accessor((i) => i.acknowledged?.by ?? "", { id: "takenBy", header: () => t("incidents.takenBy"), cell: (c) => c.getValue() || "—" }),
  ], [column, t, lang, me.timeZone, canAct, view, picked, selectedId]);
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: (row) => row.id });

  return (
    <div className="incidents">
      <h1>{t("incidents.title")}</h1>
      <p>{t("incidents.lead")}</p>
      <ToggleButtonGroup aria-label={t("incidents.show")} selectionMode="single" disallowEmptySelection selectedKeys={[view]}
        onSelectionChange={(keys) => { setView([...keys][0] as "unresolved" | "resolved"); setSelectedId(null); setPicked(new Set()); setJustResolved(null); }}
        className="lang">
        <ToggleButton id="unresolved">{t("incidents.unresolved")}</ToggleButton>
        <ToggleButton id="resolved">{t("incidents.resolved")}</ToggleButton>
      </ToggleButtonGroup>
      {canAct && view === "unresolved" ? (
        <p>
          <Button onPress={() => bulkAck.mutate([...picked])} isDisabled={picked.size === 0 || bulkAck.isPending}>
            {t("incidents.ackPicked", { count: picked.size })}
          </Button>
        </p>
      ) : null}
      {bulkAck.isError ? <ErrorText error={bulkAck.error} /> : null}
      {justResolved ? (
        <div className="just-resolved">
          <p role="status">{t("incidents.justResolved", { name: justResolved.memberName, outcome: t(`incidents.outcomes.${justResolved.outcome}`) })}</p>
          {NEED_AFTER_INCIDENT.includes(justResolved.outcome)
            ? <NeedOffer key={justResolved.id} source="incident" sourceId={justResolved.id} memberName={justResolved.memberName} note={justResolved.note} /> : null}
        </div>
      ) : null}
      {bulkAck.data ? (
        <p role="status">{t("incidents.bulkDone", {
          done: bulkAck.data.results.filter((r) => r.ok).length, skipped: bulkAck.data.results.filter((r) => !r.ok).length,
        })}</p>
      ) : null}
      {incidents.isPending ? <p>{t("app.loading")}</p> : null}
      {incidents.isError ? <ErrorText error={incidents.error} /> : null}
      {incidents.data && rows.length === 0 ? <p className="empty-state">{t(view === "unresolved" ? "incidents.noneOpen" : "incidents.noneResolved")}</p> : null}
      {rows.length ? (
        <ScrollingTable label={t("incidents.caption", { count: rows.length })}>
          <table>
            <caption>{t("incidents.caption", { count: rows.length })}</caption>
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>{group.headers.map((h) => <th key={h.id} scope="col">{flexRender(h.column.columnDef.header, h.getContext())}</th>)}</tr>
              ))}
            </thead>
            <tbody>
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} className={[row.original.id === selectedId ? "selected" : "", row.original.visits[0]?.overdue ? "overdue" : ""].join(" ").trim() || undefined}>
                  {row.getVisibleCells().map((cell) => <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      ) : null}
      {selected ? <Detail incident={selected} timeZone={me.timeZone} canAct={canAct} onChanged={refresh} onResolved={setJustResolved} /> : null}
    </div>
  );
}
