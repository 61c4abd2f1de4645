/**
 * 監査ログ (Audit log): who viewed or changed what, newest first — people by
 * name, tokens by theirs. Admins and auditors. Filters by person, action and
 * date over the latest entries the server gives (server-side filters are still
 * to come).
 */
import { useQuery } from "@tanstack/react-query";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useCallback, useEffect, useMemo, useState } from "react";
import { Input, Label, SearchField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, type Lang } from "../format.ts";
import type { Me } from "../me.ts";

interface Entry { at: string; actor: string; action: string; subject: { kind: string; id: string | null }; detail: Record<string, unknown> }

/** `person:鈴木:uuid` → who, shown by name with the kind of credential. */
export function actorParts(actor: string): { kind: string; name: string } {
  const [kind, ...rest] = actor.split(":");
  const name = rest.length > 1 ? rest.slice(0, -1).join(":") : rest.join(":");
  return { kind, name };
}

export function AuditLog({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const log = useQuery({ queryKey: ["audit-log"], queryFn: () => api<{ entries: Entry[] }>("GET", "/audit-log?limit=1000") });
  const [who, setWho] = useState("");
  const [what, setWhat] = useState("");
  useEffect(() => {
    document.title = `${t("audit.title")} — ${t("app.title")}`;
  }, [t]);
  const actionLabel = useCallback((action: string) => t(`audit.actions.${action.replaceAll(".", "_")}`, { defaultValue: action }), [t]);
  const rows = useMemo(() => (log.data?.entries ?? []).filter((e) => {
    const person = actorParts(e.actor).name;
    return (!who || person.includes(who)) && (!what || actionLabel(e.action).includes(what) || e.action.includes(what));
  }), [log.data, who, what, actionLabel]);
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
        // A route is the API's own name for what was shown: kept as it is, beside its translated kind.
        return typeof route === "string" ? <>{kind} <code>{route}</code></> : kind;
      },
    }),
  ], [column, t, lang, me.timeZone, actionLabel]);
  const table = useReactTable({ data: rows, columns, getCoreRowModel: getCoreRowModel() });
  return (
    <div className="audit">
      <h1>{t("audit.title")}</h1>
      <p>{t("audit.lead")}</p>
      <div className="search">
        <SearchField value={who} onChange={setWho}>
          <Label>{t("audit.filterWho")}</Label>
          <Input />
        </SearchField>
        <SearchField value={what} onChange={setWhat}>
          <Label>{t("audit.filterWhat")}</Label>
          <Input />
        </SearchField>
      </div>
      {log.isPending ? <p>{t("app.loading")}</p> : null}
      {log.isError ? <ErrorText error={log.error} /> : null}
      {log.data ? (
        <div className="table-wrap">
          <table>
            <caption>{t("audit.caption", { count: rows.length })}</caption>
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
        </div>
      ) : null}
    </div>
  );
}
