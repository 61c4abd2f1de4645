/**
 * People (職員・協力者): who may sign in, with which role and teams; invite a
 * person (the link shown once, to hand over, or e-mailed to them); change a
 * person's role, teams and address; a new invitation (a reset), sign-out
 * everywhere, deactivation. Admins change; auditors read.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from "@tanstack/react-table";
import { useEffect, useMemo, useState } from "react";
import {
  Button, Checkbox, CheckboxGroup, FieldError, Form, Input, Label, ListBox, ListBoxItem, Popover, Radio, RadioGroup, Select, SelectValue, TextField,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, type Lang } from "../format.ts";
import type { Me, Person } from "../me.ts";
import { ScrollingTable } from "../ScrollingTable.tsx";

interface Team { id: string; name: string }
/** An invitation as the API answers it: the link (shown once), or where it was e-mailed. */
interface InvitationLink { code: string | null; url: string | null; sentTo: string | null; expiresAt: string }

const ROLES = ["admin", "staff", "watcher", "auditor"] as const;

interface DutyTeam { teamId: string; staff: number; onDuty: { personId: string; displayName: string; channels: number }[] }

/** チームごとの当番: who is on duty in each team (and whether alerts can reach them). */
function DutyBoard({ teams }: { teams: Team[] }) {
  const { t } = useTranslation();
  const board = useQuery({ queryKey: ["duty", "board"], queryFn: () => api<{ teams: DutyTeam[] }>("GET", "/duty") });
  const teamName = new Map(teams.map((team) => [team.id, team.name]));
  return (
    <section className="duty-board" aria-labelledby="duty-board-heading">
      <h2 id="duty-board-heading">{t("duty.board")}</h2>
      {board.isError ? <ErrorText error={board.error} /> : null}
      {board.data ? (
        <dl>
          {board.data.teams.map((team) => (
            <div key={team.teamId}>
              <dt><strong>{teamName.get(team.teamId) ?? team.teamId}</strong> ({t("duty.boardStaff", { count: team.staff })})</dt>
              <dd>
                {team.staff === 0 ? t("duty.boardNoStaff") : team.onDuty.length === 0 ? <span className="warning-text">{t("duty.boardNobody")}</span> : (
                  <ul className="duty-names">
                    {team.onDuty.map((p) => <li key={p.personId}>{p.displayName}{p.channels === 0 ? ` ${t("duty.boardNoChannel")}` : ""}</li>)}
                  </ul>
                )}
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
    </section>
  );
}

function InviteForm({ teams, onInvited }: { teams: Team[]; onInvited: (name: string, link: InvitationLink) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [displayName, setDisplayName] = useState("");
  const [loginId, setLoginId] = useState("");
  const [role, setRole] = useState<(typeof ROLES)[number]>("staff");
  const [teamIds, setTeamIds] = useState<string[]>([]);
  const [email, setEmail] = useState("");
  const [delivery, setDelivery] = useState<"link" | "email">("link");
  const invite = useMutation({
    mutationFn: () => api<{ person: Person; invitation: InvitationLink }>("POST", "/people", {
      displayName, loginId, role, teamIds, delivery, ...(email.trim() ? { email: email.trim() } : {}),
    }),
    onSuccess: (result) => {
      onInvited(result.person.displayName, result.invitation);
      setDisplayName("");
      setLoginId("");
      setTeamIds([]);
      setEmail("");
      void queryClient.invalidateQueries({ queryKey: ["people"] });
    },
  });
  return (
    <Form className="invite-form" onSubmit={(e) => { e.preventDefault(); invite.mutate(); }} aria-labelledby="invite-heading">
      <h2 id="invite-heading">{t("people.invite")}</h2>
      <TextField name="displayName" isRequired value={displayName} onChange={setDisplayName} validate={(v) => (v.trim() ? null : t("signIn.required"))}>
        <Label>{t("people.name")}</Label>
        <Input />
        <FieldError />
      </TextField>
      <TextField name="loginId" isRequired value={loginId} onChange={setLoginId} autoComplete="off"
        validate={(v) => (/^[A-Za-z0-9._@+-]{3,100}$/.test(v.trim()) ? null : t("people.loginIdFormat"))}>
        <Label>{t("people.loginId")}</Label>
        <Input />
        <FieldError />
      </TextField>
      <TextField name="email" type="email" value={email} onChange={setEmail} autoComplete="off" isRequired={delivery === "email"}
        validate={(v) => (delivery === "email" && !v.trim() ? t("people.emailRequired") : null)}>
        <Label>{t("people.email")}</Label>
        <Input />
        <FieldError />
      </TextField>
      <RadioGroup value={delivery} onChange={(v) => setDelivery(v as "link" | "email")}>
        <Label className="group-label">{t("people.delivery")}</Label>
        <Radio value="link">{t("people.byLink")}</Radio>
        <Radio value="email">{t("people.byEmail")}</Radio>
      </RadioGroup>
      <Select selectedKey={role} onSelectionChange={(key) => setRole(key as (typeof ROLES)[number])}>
        <Label>{t("people.role")}</Label>
        <Button><SelectValue /><span aria-hidden="true"> ▼</span></Button>
        <Popover>
          <ListBox>
            {ROLES.map((r) => <ListBoxItem key={r} id={r}>{t(`roles.${r}`)}</ListBoxItem>)}
          </ListBox>
        </Popover>
      </Select>
      <p className="hint">{t(`roleHelp.${role}`)}</p>
      {teams.length ? (
        <CheckboxGroup value={teamIds} onChange={setTeamIds}>
          <Label className="group-label">{t("people.teams")}</Label>
          {teams.map((team) => <Checkbox key={team.id} value={team.id}>{team.name}</Checkbox>)}
        </CheckboxGroup>
      ) : null}
      {role === "staff" && teamIds.length === 0 ? <p className="hint warning">{t("people.noTeamWarning")}</p> : null}
      {invite.isError ? <ErrorText error={invite.error} /> : null}
      <Button type="submit" className="primary" isDisabled={invite.isPending}>{t(delivery === "email" ? "people.inviteByEmail" : "people.inviteSubmit")}</Button>
    </Form>
  );
}

/** Changing a person: name, role, teams, e-mail address. */
function EditForm({ person, teams, onDone }: { person: Person; teams: Team[]; onDone: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [displayName, setDisplayName] = useState(person.displayName);
  const [role, setRole] = useState<(typeof ROLES)[number]>(person.role);
  const [teamIds, setTeamIds] = useState<string[]>(person.teamIds);
  const [email, setEmail] = useState(person.email ?? "");
  const save = useMutation({
    mutationFn: () => api("PATCH", `/people/${person.id}`, {
      ...(displayName.trim() !== person.displayName ? { displayName: displayName.trim() } : {}), role, teamIds, email: email.trim() || null,
    }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["people"] });
      // One's own name shows in the header.
      void queryClient.invalidateQueries({ queryKey: ["me"] });
      onDone();
    },
  });
  return (
    <Form className="invite-form" onSubmit={(e) => { e.preventDefault(); save.mutate(); }} aria-labelledby="edit-heading">
      <h2 id="edit-heading">{t("people.editTitle", { name: person.displayName })}</h2>
      <TextField name="displayName" isRequired value={displayName} onChange={setDisplayName} validate={(v) => (v.trim() ? null : t("signIn.required"))}>
        <Label>{t("people.name")}</Label>
        <Input />
        <FieldError />
      </TextField>
      <Select selectedKey={role} onSelectionChange={(key) => setRole(key as (typeof ROLES)[number])}>
        <Label>{t("people.role")}</Label>
        <Button><SelectValue /><span aria-hidden="true"> ▼</span></Button>
        <Popover>
          <ListBox>
            {ROLES.map((r) => <ListBoxItem key={r} id={r}>{t(`roles.${r}`)}</ListBoxItem>)}
          </ListBox>
        </Popover>
      </Select>
      <p className="hint">{t(`roleHelp.${role}`)}</p>
      {teams.length ? (
        <CheckboxGroup value={teamIds} onChange={setTeamIds}>
          <Label className="group-label">{t("people.teams")}</Label>
          {teams.map((team) => <Checkbox key={team.id} value={team.id}>{team.name}</Checkbox>)}
        </CheckboxGroup>
      ) : null}
      <TextField name="email" type="email" value={email} onChange={setEmail} autoComplete="off">
        <Label>{t("people.email")}</Label>
        <Input />
      </TextField>
      {save.isError ? <ErrorText error={save.error} /> : null}
      <div className="row-actions">
        <Button type="submit" className="primary" isDisabled={save.isPending}>{t("people.save")}</Button>
        <Button onPress={onDone}>{t("people.cancel")}</Button>
      </div>
    </Form>
  );
}

export function People({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const canChange = me.role === "admin";
  const { timeZone } = me;
  const people = useQuery({ queryKey: ["people"], queryFn: () => api<{ people: Person[] }>("GET", "/people") });
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<{ teams: Team[] }>("GET", "/teams") });
  const [shown, setShown] = useState<{ name: string; link: InvitationLink } | null>(null);
  const [editing, setEditing] = useState<Person | null>(null);
  useEffect(() => {
    document.title = `${t("people.title")} — ${t("app.title")}`;
  }, [t]);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["people"] });
  const action = useMutation({
    mutationFn: async ({ kind, person }: { kind: "link" | "mail" | "signOut" | "deactivate" | "reactivate"; person: Person }) => {
      if (kind === "link") setShown({ name: person.displayName, link: await api<InvitationLink>("POST", `/people/${person.id}/invitation`) });
      if (kind === "mail") {
        setShown({ name: person.displayName, link: await api<InvitationLink>("POST", `/people/${person.id}/invitation`, { delivery: "email" }) });
      }
      if (kind === "signOut") await api("DELETE", `/people/${person.id}/sessions`);
      if (kind === "deactivate" || kind === "reactivate") await api("PATCH", `/people/${person.id}`, { active: kind === "reactivate" });
    },
    onSettled: refresh,
  });
  const teamName = useMemo(() => new Map((teams.data?.teams ?? []).map((team) => [team.id, team.name])), [teams.data]);

  const column = createColumnHelper<Person>();
  const columns = useMemo(() => [
    column.accessor("displayName", { header: () => t("people.name"), cell: (c) => <strong>{c.getValue()}</strong> }),
    column.accessor("loginId", { header: () => t("people.loginId") }),
    column.accessor("role", { header: () => t("people.role"), cell: (c) => t(`roles.${c.getValue()}`) }),
    column.accessor("teamIds", { header: () => t("people.teams"), cell: (c) => c.getValue().map((id) => teamName.get(id) ?? id).join("、") || "—" }),
    column.accessor("onDuty", { header: () => t("people.onDuty"), cell: (c) => (c.getValue() ? <strong className="duty-on">{t("people.onDutyYes")}</strong> : t("people.onDutyNo")) }),
    column.accessor("status", {
      header: () => t("people.status"),
      cell: (c) => c.getValue() === "locked" && c.row.original.lockedUntil
        ? t("people.lockedUntil", { time: formatDateTime(c.row.original.lockedUntil, timeZone, lang) })
        : t(`status.${c.getValue()}`),
    }),
    ...(canChange ? [column.display({
      id: "actions",
      header: () => t("people.actions"),
      cell: (c) => {
        const person = c.row.original;
        const label = (key: string) => t(key, { name: person.displayName });
        return (
          <div className="row-actions">
            <Button aria-label={label("people.editFor")} onPress={() => setEditing(person)}>{t("people.edit")}</Button>
            {person.email
              ? <Button aria-label={label("people.newMailFor")} onPress={() => action.mutate({ kind: "mail", person })}>{t("people.newMail")}</Button>
              : null}
            <Button aria-label={label("people.newLinkFor")} onPress={() => action.mutate({ kind: "link", person })}>{t("people.newLink")}</Button>
            <Button aria-label={label("people.signOutFor")} onPress={() => action.mutate({ kind: "signOut", person })}>{t("people.signOut")}</Button>
            {person.status === "deactivated"
              ? <Button aria-label={label("people.reactivateFor")} onPress={() => action.mutate({ kind: "reactivate", person })}>{t("people.reactivate")}</Button>
              : <Button aria-label={label("people.deactivateFor")} onPress={() => action.mutate({ kind: "deactivate", person })}>{t("people.deactivate")}</Button>}
          </div>
        );
      },
    })] : []),
  ], [column, t, lang, teamName, canChange, action, timeZone]);
  const table = useReactTable({ data: people.data?.people ?? [], columns, getCoreRowModel: getCoreRowModel() });

  return (
    <div className="people">
      <h1>{t("people.title")}</h1>
      <p>{t("people.lead")}</p>
      {shown?.link.sentTo ? (
        <section className="shown-once" aria-labelledby="shown-heading" role="status">
          <h2 id="shown-heading">{t("people.mailedFor", { name: shown.name })}</h2>
          <p>{t("people.mailed", { email: shown.link.sentTo, time: formatDateTime(shown.link.expiresAt, timeZone, lang) })}</p>
        </section>
      ) : null}
      {shown?.link.url ? (
        <section className="shown-once" aria-labelledby="shown-heading" role="status">
          <h2 id="shown-heading">{t("people.linkFor", { name: shown.name })}</h2>
          <p>{t("people.linkOnce", { time: formatDateTime(shown.link.expiresAt, timeZone, lang) })}</p>
          <p><code className="invitation-url">{shown.link.url}</code></p>
          <Button onPress={() => void navigator.clipboard?.writeText(shown.link.url as string)}>{t("people.copy")}</Button>
        </section>
      ) : null}
      {action.isError ? <ErrorText error={action.error} /> : null}
      {people.isPending ? <p>{t("app.loading")}</p> : null}
      {people.isError ? <ErrorText error={people.error} /> : null}
      {people.data ? (
        <ScrollingTable label={t("people.caption", { count: people.data.people.length })}>
          <table>
            <caption>{t("people.caption", { count: people.data.people.length })}</caption>
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
      <DutyBoard teams={teams.data?.teams ?? []} />
      {canChange && editing
        ? <EditForm key={editing.id} person={editing} teams={teams.data?.teams ?? []} onDone={() => setEditing(null)} />
        : null}
      {canChange ? <InviteForm teams={teams.data?.teams ?? []} onInvited={(name, link) => setShown({ name, link })} /> : null}
    </div>
  );
}
