/**
 * 監査ログ (Audit log): who viewed or changed what, newest first — people by
 * name, tokens by theirs. Admins and auditors. Filtered by the server: by
 * person, kind of action, member and dates (days in the organisation's zone),
 * paged; exported as CSV with the same filters (the export is audited too).
 */
import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useCallback, useEffect, useMemo, useState } from "react";
import { Button, Form, Input, Label, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, download } from "../api.ts";
import { AUDIT_FAMILIES, routeParts } from "../audit-actions.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, type Lang, startOfLocalDay } from "../format.ts";
import type { Me } from "../me.ts";
import { FieldSelect } from "./Import.tsx";
import { ScrollingTable } from "../ScrollingTable.tsx";

interface Entry { at: string; actor: string; action: string; subject: { kind: string; id: string | null }; detail: Record<string, unknown> }

/** `person:鈴木:uuid` → who, shown by name with the kind of credential. */
export function actorParts(actor: string): { kind: string; name: string } {
  const [kind, ...rest] = actor.split(":");
  const name = rest.length > 1 ? rest.slice(0, -1).join(":") : rest.join(":");
  return { kind, name };
}

const ANY = "__any";

const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));

export function AuditLog({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [who, setWho] = useState("");
  const [family, setFamily] = useState<string>(ANY);
  const [memberId, setMemberId] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [applied, setApplied] = useState("");
  const [exported, setExported] = useState(false);
  const filterQuery = () => {
    const params = new URLSearchParams();
    if (who.trim()) params.set("actor", who.trim());
    if (family !== ANY) params.set("action", `${family}.`);
    if (/^[0-9a-f-]{36}$/i.test(memberId.trim())) params.set("memberId", memberId.trim().toLowerCase());
    if (isDate(from)) params.set("from", startOfLocalDay(from, me.timeZone));
    if (isDate(to)) params.set("to", startOfLocalDay(nextDay(to), me.timeZone));
    return params.toString();
  };
  const log = useInfiniteQuery({
    queryKey: ["audit-log", applied],
    queryFn: ({ pageParam }) => api<{ entries: Entry[]; next: string | null }>("GET",
      `/audit-log?limit=100${applied ? `&${applied}` : ""}${pageParam ? `&before=${pageParam}` : ""}`),
    initialPageParam: "",
    getNextPageParam: (last) => last.next ?? undefined,
  });
  const exportLog = useMutation({
    mutationFn: () => download(`/audit-log/export?format=csv${applied ? `&${applied}` : ""}`),
    onSuccess: () => setExported(true),
  });
  useEffect(() => {
    document.title = `${t("audit.title")} — ${t("app.title")}`;
  }, [t]);
  const actionLabel = useCallback((action: string) => t(`audit.actions.${action.replaceAll(".", "_")}`, { defaultValue: action }), [t]);
  const rows = useMemo(() => (log.data?.pages ?? []).flatMap((p) => p.entries), [log.data]);
  const column = createColumnHelper<Entry>();
  const columns = useMemo(() => [
    column.accessor("at", { header: () => t("audit.at"), cell: (c) => formatDateTime(c.getValue(), me.timeZone, lang) }),
    column.accessor("actor", {
      header: () => t("audit.who"),
      cell: (c) => {
        const { kind, name } = actorParts(c.getValue());
        return <>{name || "—"} <span className="muted">({t(`audit.kinds.${kind}`, { defaultValue: kind })})</span></>;
      },
    }),
    column.accessor("action", { header: () => t("audit.what"), cell: (c) => actionLabel(c.getValue()) }),
    column.accessor((e) => e.subject.kind, {
      id: "subject",
      header: () => t("audit.subject"),
      cell: (c) => {
        const route = c.row.original.detail.route;
        const kind = t(`audit.subjects.${c.getValue()}`, { defaultValue: c.getValue() });
        if (typeof route !== "string") return kind;
        // What was shown, in words (利用者 › 同意); the API's own route stays beside it, muted, for the exact record.
        const words = routeParts(route).map((part) => t(`audit.paths.${part.replaceAll("-", "_")}`, { defaultValue: part })).join(" › ");
        return <>{words || kind} <code className="muted">{route}</code></>;
      },
    }),
  ], [column, t, lang, me.timeZone, actionLabel]);
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel() });
  return (
    <div className="audit">
      <h1>{t("audit.title")}</h1>
      <p>{t("audit.lead")}</p>
      <Form className="inline-form filters" onSubmit={(e) => { e.preventDefault(); setExported(false); setApplied(filterQuery()); }}
        aria-label={t("auditFilters.apply")}>
        <TextField value={who} onChange={setWho}>
          <Label>{t("auditFilters.who")}</Label>
          <Input />
        </TextField>
        <FieldSelect label={t("auditFilters.action")} value={family} onChange={setFamily} visible
          options={[{ id: ANY, name: t("auditFilters.anyAction") }, ...AUDIT_FAMILIES.map((f) => ({ id: f, name: t(`audit.subjects.${f}`, { defaultValue: f }) }))]} />
        <TextField value={memberId} onChange={setMemberId}>
          <Label>{t("auditFilters.memberId")}</Label>
          <Input />
        </TextField>
        <TextField value={from} onChange={setFrom}>
          <Label>{t("auditFilters.from")}</Label>
          <Input />
        </TextField>
        <TextField value={to} onChange={setTo}>
          <Label>{t("auditFilters.to")}</Label>
          <Input />
        </TextField>
        <Button type="submit" className="primary">{t("auditFilters.apply")}</Button>
        <Button onPress={() => { setWho(""); setFamily(ANY); setMemberId(""); setFrom(""); setTo(""); setApplied(""); }}>{t("auditFilters.clear")}</Button>
      </Form>
      <div className="button-row">
        <Button onPress={() => exportLog.mutate()} isDisabled={exportLog.isPending}>{t("auditFilters.export")}</Button>
      </div>
      {exported ? <p role="status">{t("auditFilters.exported")}</p> : null}
      {exportLog.isError ? <ErrorText error={exportLog.error} /> : null}
      {log.isPending ? <p>{t("app.loading")}</p> : null}
      {log.isError ? <ErrorText error={log.error} /> : null}
      {log.data ? (
        <ScrollingTable label={t("auditFilters.caption", { count: rows.length })}>
          <table>
            <caption>{t("auditFilters.caption", { count: rows.length })}</caption>
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
      {log.hasNextPage ? (
        <Button onPress={() => void log.fetchNextPage()} isDisabled={log.isFetchingNextPage}>{t("auditFilters.more")}</Button>
      ) : null}
    </div>
  );
}
