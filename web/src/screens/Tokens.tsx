/**
 * APIトークン (machine tokens, issue 6): the organisation's tokens without
 * their secrets — name, role, created, last used, expiry, revoked; create one
 * (its secret shown once); revoke one. Admins change; auditors read.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useEffect, useMemo, useState } from "react";
import { Button, FieldError, Form, Input, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, type Lang } from "../format.ts";
import type { Me } from "../me.ts";
import { ScrollingTable } from "../ScrollingTable.tsx";

interface Token {
  id: string; name: string; role: "admin" | "staff" | "observer"; instanceAdmin: boolean;
  createdAt: string; lastUsedAt: string | null; expiresAt: string | null; revokedAt: string | null;
}
interface Created { id: string; name: string; token: string; expiresAt: string | null }

const ROLES = ["observer", "staff", "admin"] as const;
/** Lifetimes offered, in days; 0: until revoked. */
const LIFETIMES = [0, 30, 90, 365] as const;

function CreateForm({ onCreated }: { onCreated: (created: Created) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [role, setRole] = useState<(typeof ROLES)[number]>("observer");
  const [days, setDays] = useState<(typeof LIFETIMES)[number]>(90);
  const create = useMutation({
    mutationFn: () => api<Created>("POST", "/tokens", {
      name: name.trim(), role, ...(days ? { expiresAt: new Date(Date.now() + days * 86_400_000).toISOString() } : {}),
    }),
    onSuccess: (created) => {
      onCreated(created);
      setName("");
      void queryClient.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  return (
    <Form className="invite-form" onSubmit={(e) => { e.preventDefault(); create.mutate(); }} aria-labelledby="token-create-heading">
      <h2 id="token-create-heading">{t("tokens.create")}</h2>
      <TextField name="name" isRequired value={name} onChange={setName} maxLength={100} validate={(v) => (v.trim() ? null : t("signIn.required"))}>
        <Label>{t("tokens.name")}</Label>
        <Input />
        <FieldError />
      </TextField>
      <Select selectedKey={role} onSelectionChange={(key) => setRole(key as (typeof ROLES)[number])}>
        <Label>{t("tokens.role")}</Label>
        <Button><SelectValue /><span aria-hidden="true"> ▼</span></Button>
        <Popover>
          <ListBox>
            {ROLES.map((r) => <ListBoxItem key={r} id={r}>{t(`roles.${r}`)}</ListBoxItem>)}
          </ListBox>
        </Popover>
      </Select>
      <p className="hint">{t(`tokens.roleHelp.${role}`)}</p>
      <Select selectedKey={String(days)} onSelectionChange={(key) => setDays(Number(key) as (typeof LIFETIMES)[number])}>
        <Label>{t("tokens.lifetime")}</Label>
        <Button><SelectValue /><span aria-hidden="true"> ▼</span></Button>
        <Popover>
          <ListBox>
            {LIFETIMES.map((d) => <ListBoxItem key={d} id={String(d)}>{d ? t("tokens.days", { count: d }) : t("tokens.noExpiry")}</ListBoxItem>)}
          </ListBox>
        </Popover>
      </Select>
      {create.isError ? <ErrorText error={create.error} /> : null}
      <Button type="submit" className="primary" isDisabled={create.isPending}>{t("tokens.createSubmit")}</Button>
    </Form>
  );
}

export function Tokens({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const canChange = me.role === "admin";
  const { timeZone } = me;
  const tokens = useQuery({ queryKey: ["tokens"], queryFn: () => api<{ tokens: Token[] }>("GET", "/tokens") });
  const [shown, setShown] = useState<Created | null>(null);
  const revoke = useMutation({
    mutationFn: (id: string) => api("DELETE", `/tokens/${id}`),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ["tokens"] }),
  });
  useEffect(() => {
    document.title = `${t("tokens.title")} — ${t("app.title")}`;
  }, [t]);
  const column = createColumnHelper<Token>();
  const columns = useMemo(() => {
    const when = (iso: string | null, none: string) => (iso ? formatDateTime(iso, timeZone, lang) : none);
    return [
    column.accessor("name", { header: () => t("tokens.name"), cell: (c) => <strong>{c.getValue()}</strong> }),
    column.accessor("role", { header: () => t("tokens.role"), cell: (c) => t(`roles.${c.getValue()}`) }),
    column.accessor("createdAt", { header: () => t("tokens.created"), cell: (c) => when(c.getValue(), "—") }),
    column.accessor("lastUsedAt", { header: () => t("tokens.lastUsed"), cell: (c) => when(c.getValue(), t("tokens.never")) }),
    column.accessor("expiresAt", { header: () => t("tokens.expires"), cell: (c) => when(c.getValue(), t("tokens.noExpiry")) }),
    column.accessor("revokedAt", {
      header: () => t("tokens.state"),
      cell: (c) => (c.getValue() ? t("tokens.revokedAt", { time: when(c.getValue(), "") }) : t("tokens.active")),
    }),
    ...(canChange ? [column.display({
      id: "actions",
      header: () => t("people.actions"),
      cell: (c) => c.row.original.revokedAt ? "—" : (
        <Button aria-label={t("tokens.revokeFor", { name: c.row.original.name })} onPress={() => revoke.mutate(c.row.original.id)}>
          {t("tokens.revoke")}
        </Button>
      ),
    })] : []),
    ];
  }, [column, t, lang, timeZone, canChange, revoke]);
  const table = useReactTable({ data: tokens.data?.tokens ?? [], columns, getCoreRowModel: getCoreRowModel() });

  return (
    <div className="tokens">
      <h1>{t("tokens.title")}</h1>
      <p>{t("tokens.lead")}</p>
      {shown ? (
        <section className="shown-once" aria-labelledby="token-shown-heading" role="status">
          <h2 id="token-shown-heading">{t("tokens.shownFor", { name: shown.name })}</h2>
          <p>{t("tokens.shownOnce")}</p>
          <p><code className="token-secret">{shown.token}</code></p>
          <Button onPress={() => void navigator.clipboard?.writeText(shown.token)}>{t("tokens.copy")}</Button>
        </section>
      ) : null}
      {revoke.isError ? <ErrorText error={revoke.error} /> : null}
      {tokens.isPending ? <p>{t("app.loading")}</p> : null}
      {tokens.isError ? <ErrorText error={tokens.error} /> : null}
      {tokens.data ? (
        <ScrollingTable label={t("tokens.caption", { count: tokens.data.tokens.length })}>
          <table>
            <caption>{t("tokens.caption", { count: tokens.data.tokens.length })}</caption>
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
      {canChange ? <CreateForm onCreated={setShown} /> : null}
    </div>
  );
}
