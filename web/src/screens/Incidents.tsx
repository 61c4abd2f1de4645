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
  Button, Checkbox, Form, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, TextArea, TextField, ToggleButton, ToggleButtonGroup,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, followEvents } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, type Lang } from "../format.ts";
import type { Me } from "../me.ts";

export interface TimelineEntry { at: string; type: string; actor: string | null; [key: string]: unknown }
export interface Incident {
  id: string; memberId: string; memberName: string; kind: string; urgency: string; status: "open" | "acknowledged" | "resolved"; openedAt: string;
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
const URGENCY_RANK: Record<string, number> = { urgent: 0, high: 1 };

/** The queue's order: urgency, then the longest open first. */
export function queueOrder(a: Incident, b: Incident): number {
  return (URGENCY_RANK[a.urgency] ?? 2) - (URGENCY_RANK[b.urgency] ?? 2) || a.openedAt.localeCompare(b.openedAt);
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
    const r = entry.recipient as { kind?: string; id?: string } | undefined;
    if (!r?.kind) return null;
    if (r.kind === "contact") return names.get(r.id ?? "") ?? t("incidents.recipient.contact");
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
            {entry.actor ? <> — {entry.actor}</> : null}
            {typeof entry.outcome === "string" ? <> — {t(`incidents.outcomes.${entry.outcome}`)}</> : null}
            {typeof entry.note === "string" && entry.note ? <p className="note">{entry.note}</p> : null}
          </li>
        );
      })}
    </ol>
  );
}

function Detail({ incident, timeZone, canAct, onChanged }: { incident: Incident; timeZone: string; canAct: boolean; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [note, setNote] = useState("");
  const [outcome, setOutcome] = useState<string>("visited_fine");
  const [resolveNote, setResolveNote] = useState("");
  const ack = useMutation({ mutationFn: () => api("POST", `/incidents/${incident.id}/ack`, { via: "console" }), onSuccess: onChanged });
  const addNote = useMutation({
    mutationFn: () => api("POST", `/incidents/${incident.id}/notes`, { note }),
    onSuccess: () => {
      setNote("");
      onChanged();
    },
  });
  const resolve = useMutation({ mutationFn: () => api("POST", `/incidents/${incident.id}/resolve`, { outcome, note: resolveNote }), onSuccess: onChanged });
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
        <Form className="resolve-form" onSubmit={(e) => { e.preventDefault(); resolve.mutate(); }} aria-label={t("incidents.resolve")}>
          <Select selectedKey={outcome} onSelectionChange={(key) => setOutcome(String(key))}>
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
          <Button type="submit" className="primary" isDisabled={resolve.isPending}>{t("incidents.resolve")}</Button>
        </Form>
      ) : null}
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
    mutationFn: async (ids: string[]) => {
      const failures: unknown[] = [];
      for (const id of ids) await api("POST", `/incidents/${id}/ack`, { via: "console" }).catch((e: unknown) => failures.push(e));
      if (failures.length) throw failures[0];
    },
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
    column.accessor((i) => i.acknowledged?.by ?? "", { id: "takenBy", header: () => t("incidents.takenBy"), cell: (c) => c.getValue() || "—" }),
  ], [column, t, lang, me.timeZone, canAct, view, picked, selectedId]);
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel(), getRowId: (row) => row.id });

  return (
    <div className="incidents">
      <h1>{t("incidents.title")}</h1>
      <p>{t("incidents.lead")}</p>
      <ToggleButtonGroup aria-label={t("incidents.show")} selectionMode="single" disallowEmptySelection selectedKeys={[view]}
        onSelectionChange={(keys) => { setView([...keys][0] as "unresolved" | "resolved"); setSelectedId(null); setPicked(new Set()); }} className="lang">
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
      {incidents.isPending ? <p>{t("app.loading")}</p> : null}
      {incidents.isError ? <ErrorText error={incidents.error} /> : null}
      {incidents.data && rows.length === 0 ? <p className="empty-state">{t(view === "unresolved" ? "incidents.noneOpen" : "incidents.noneResolved")}</p> : null}
      {rows.length ? (
        <div className="table-wrap">
          <table>
            <caption>{t("incidents.caption", { count: rows.length })}</caption>
            <thead>
              {table.getHeaderGroups().map((group) => (
                <tr key={group.id}>{group.headers.map((h) => <th key={h.id} scope="col">{flexRender(h.column.columnDef.header, h.getContext())}</th>)}</tr>
              ))}
            </thead>
            <tbody>
              {table.getRowModel().rows.map((row) => (
                <tr key={row.id} className={row.original.id === selectedId ? "selected" : undefined}>
                  {row.getVisibleCells().map((cell) => <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>)}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {selected ? <Detail incident={selected} timeZone={me.timeZone} canAct={canAct} onChanged={refresh} /> : null}
    </div>
  );
}
