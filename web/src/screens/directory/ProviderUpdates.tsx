/**
 * Providers update their own entry (issue 14, Provenance), in 地域資源:
 * - 更新を依頼 on a service's page: staff create a link for the provider
 *   (POST /directory/invitations; the link is shown once, to copy or to send from
 *   their own mail program), see the links not used yet with their expiry, and
 *   withdraw one (POST /directory/invitations/{id}/revoke);
 * - 提供主体からの変更提案: the proposals waiting for a coordinator, each field
 *   in words as 変更前 → 変更後; approve (applied in one step, the history naming
 *   the provider's link) or reject with a reason (nothing changes).
 * Observers see both lists without the buttons.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, Input, Label, Link, TextArea, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";
import { ErrorText } from "../../ErrorText.tsx";
import { formatDateTime, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { FieldSelect } from "../Import.tsx";
import { PartDisclosure } from "./PartDisclosure.tsx";

/** A link as GET /directory/invitations gives it. */
interface Invitation {
  id: string; resourceType: "organization" | "service"; resourceId: string; email: string | null;
  createdAt: string; expiresAt: string; usedAt: string | null; revokedAt: string | null;
  /** Past its expiry by the server's clock (never this browser's). */
  expired: boolean;
}
interface Created extends Invitation { token: string; path: string }
/** A proposal as GET /directory/proposed-changes gives it. */
interface Proposal {
  id: string; resourceType: "organization" | "service"; resourceId: string; resourceName: string | null;
  changes: Record<string, string | null>; current: Record<string, string | null> | null; status: "pending" | "approved" | "rejected"; submittedAt: string;
}

/** Days a link may work (src/directory/engine/invitations.ts INVITATION_DAYS, MAX_INVITATION_DAYS). */
const DAY_CHOICES = ["7", "14", "30", "60"];
const DEFAULT_DAYS = "14";
const canWrite = (me: Me) => me.role === "admin" || me.role === "staff";
const INVITATIONS = ["directory-invitations"];
const PROPOSALS = ["directory-proposals"];

/** 更新を依頼: a link for one service's (or provider's) entry, and the open links with their expiry. */
export function InviteProvider({ me, resourceType, resourceId, name }: { me: Me; resourceType: "organization" | "service"; resourceId: string; name: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [days, setDays] = useState(DEFAULT_DAYS);
  const [created, setCreated] = useState<Created | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useQuery({ queryKey: INVITATIONS, queryFn: () => api<{ invitations: Invitation[] }>("GET", "/directory/invitations") });
  // Open: not used, not withdrawn, not expired (the server says which, by its clock: a browser's may be wrong).
  const open = (list.data?.invitations ?? []).filter((i) => i.resourceId === resourceId && !i.usedAt && !i.revokedAt && !i.expired);
  const create = useMutation({
    mutationFn: () => api<Created>("POST", "/directory/invitations", {
      [resourceType === "service" ? "serviceId" : "directoryOrganizationId"]: resourceId, days: Number(days), ...(email.trim() ? { email: email.trim() } : {}),
    }),
    onSuccess: async (c) => { setCreated(c); setNotice(null); await queryClient.invalidateQueries({ queryKey: INVITATIONS }); },
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api<Invitation>("POST", `/directory/invitations/${id}/revoke`, {}),
    onSuccess: async (i) => {
      if (created?.id === i.id) setCreated(null);
      setNotice(t("provenance.invite.revoked"));
      await queryClient.invalidateQueries({ queryKey: INVITATIONS });
    },
  });
  const url = created ? `${location.origin}${created.path}` : "";
  const expiry = created ? formatDateTime(created.expiresAt, me.timeZone, lang) : "";
  const mailto = created
    ? `mailto:${encodeURIComponent(created.email ?? "")}?subject=${encodeURIComponent(t("provenance.invite.mailSubject", { name }))}&body=${
      encodeURIComponent(t("provenance.invite.mailBody", { name, date: expiry, url }))}`
    : "";
  return (
    <PartDisclosure id="provider-invite" className="provider-invite" title={t("provenance.invite.title")}
      summary={list.data ? t("provenance.invite.openCount", { count: open.length }) : null}>
      <p>{t("provenance.invite.lead")}</p>
      {notice ? <p role="status" className="notice">{notice}</p> : null}
      {canWrite(me) ? (
        <form className="inline-form" onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <TextField value={email} onChange={setEmail} type="email">
            <Label>{t("provenance.invite.email")}</Label>
            <Input autoComplete="off" />
          </TextField>
          <FieldSelect label={t("provenance.invite.days")} value={days} onChange={setDays} visible
            options={DAY_CHOICES.map((d) => ({ id: d, name: t("provenance.invite.dayCount", { count: Number(d) }) }))} />
          <Button type="submit" className="primary" isDisabled={create.isPending}>{t("provenance.invite.create")}</Button>
        </form>
      ) : null}
      {create.isError ? <ErrorText error={create.error} /> : null}
      {created ? (
        <div className="notice created-link" role="status">
          <p>{t("provenance.invite.created", { date: expiry })}</p>
          <TextField value={url} isReadOnly>
            <Label>{t("provenance.invite.link")}</Label>
            <Input />
          </TextField>
          <div className="button-row">
            <Button onPress={() => void navigator.clipboard?.writeText(url).then(() => setNotice(t("provenance.invite.copied")))}>{t("provenance.invite.copy")}</Button>
            <Link href={mailto} className="button-link">{t("provenance.invite.mail")}</Link>
          </div>
        </div>
      ) : null}
      <h3>{t("provenance.invite.openTitle")}</h3>
      {list.isError ? <ErrorText error={list.error} /> : null}
      {open.length ? (
        <table className="resource-history invitation-list">
          <caption className="visually-hidden">{t("provenance.invite.openTitle")}</caption>
          <thead>
            <tr>{(["email", "expires"] as const).map((c) => <th key={c} scope="col">{t(`provenance.invite.columns.${c}`)}</th>)}
              {canWrite(me) ? <th scope="col">{t("provenance.invite.columns.action")}</th> : null}</tr>
          </thead>
          <tbody>
            {open.map((i) => (
              <tr key={i.id}>
                <td>{i.email ?? <span className="muted">{t("provenance.invite.noEmail")}</span>}</td>
                <td>{formatDateTime(i.expiresAt, me.timeZone, lang)}</td>
                {canWrite(me) ? (
                  <td>
                    <Button onPress={() => revoke.mutate(i.id)} isDisabled={revoke.isPending}
                      aria-label={t("provenance.invite.revokeLabel", { date: formatDateTime(i.createdAt, me.timeZone, lang) })}>
                      {t("provenance.invite.revoke")}
                    </Button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : list.data ? <p className="muted">{t("provenance.invite.none")}</p> : null}
      {revoke.isError ? <ErrorText error={revoke.error} /> : null}
    </PartDisclosure>
  );
}

/** A proposed value in words: empty as 空欄. */
function Value({ v }: { v: string | null | undefined }) {
  const { t } = useTranslation();
  return v ? v : <span className="muted">{t("provenance.proposals.empty")}</span>;
}

/**
 * The proposals waiting for a coordinator (of one entry when `resourceId` is
 * given, else all); nothing at all when there are none and no entry is named.
 * `onDecided` runs after an approval or rejection (the page refreshes the entry).
 */
export function Proposals({ me, resourceId, onDecided }: { me: Me; resourceId?: string; onDecided?: () => Promise<void> | void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const list = useQuery({
    queryKey: PROPOSALS, queryFn: () => api<{ proposals: Proposal[] }>("GET", "/directory/proposed-changes?status=pending"),
  });
  const pending = (list.data?.proposals ?? []).filter((p) => !resourceId || p.resourceId === resourceId);
  const decided = async (words: string) => {
    setNotice(words);
    await queryClient.invalidateQueries({ queryKey: PROPOSALS });
    await onDecided?.();
  };
  if (!resourceId && !pending.length && !notice) return list.isError ? <ErrorText error={list.error} /> : null;
  return (
    <section aria-labelledby={resourceId ? "proposals-of-entry" : "proposals-all"} className="proposals">
      <h2 id={resourceId ? "proposals-of-entry" : "proposals-all"}>{t("provenance.proposals.title")}</h2>
      <p>{t("provenance.proposals.lead")}</p>
      {notice ? <p role="status" className="notice">{notice}</p> : null}
      {list.isError ? <ErrorText error={list.error} /> : null}
      {pending.length ? pending.map((p) => (
        <ProposalCard key={p.id} me={me} proposal={p} lang={lang} showName={!resourceId} onDecided={decided} />
      )) : list.data ? <p className="muted">{t("provenance.proposals.none")}</p> : null}
    </section>
  );
}

function ProposalCard({ me, proposal: p, lang, showName, onDecided }: {
  me: Me; proposal: Proposal; lang: Lang; showName: boolean; onDecided: (words: string) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState("");
  const decide = useMutation({
    mutationFn: (verb: "approve" | "reject") => api("POST", `/directory/proposed-changes/${p.id}/${verb}`, verb === "reject" ? { note: reason.trim() } : {}),
    onSuccess: (_r, verb) => onDecided(t(verb === "approve" ? "provenance.proposals.approved" : "provenance.proposals.rejected")),
  });
  const heading = `proposal-${p.id}`;
  const name = p.resourceName ?? t("provenance.proposals.gone");
  return (
    <article className="proposal" aria-labelledby={heading}>
      <h3 id={heading}>
        {showName && p.resourceType === "service" && p.resourceName ? <Link href={`/resources/${p.resourceId}`}>{name}</Link> : showName ? name : null}
        {showName ? "：" : null}{t("provenance.proposals.submitted", { kind: t(`provenance.kinds.${p.resourceType}`), date: formatDateTime(p.submittedAt, me.timeZone, lang) })}
      </h3>
      <table className="resource-history proposal-changes">
        <caption className="visually-hidden">{t("provenance.proposals.caption", { name })}</caption>
        <thead>
          <tr>{(["field", "before", "after"] as const).map((c) => <th key={c} scope="col">{t(`provenance.proposals.${c}`)}</th>)}</tr>
        </thead>
        <tbody>
          {Object.entries(p.changes).map(([field, after]) => (
            <tr key={field}>
              <th scope="row">{t(`provenance.fields.${field}`, field)}</th>
              <td><Value v={p.current?.[field]} /></td>
              <td><span aria-hidden="true">→ </span><Value v={after} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {canWrite(me) ? (
        <div className="proposal-decision">
          <div className="button-row">
            <Button className="primary" onPress={() => decide.mutate("approve")} isDisabled={decide.isPending || p.current === null}>
              {t("provenance.proposals.approve")}
            </Button>
          </div>
          <TextField value={reason} onChange={setReason}>
            <Label>{t("provenance.proposals.reason")}</Label>
            <TextArea rows={2} />
          </TextField>
          <div className="button-row">
            <Button onPress={() => decide.mutate("reject")} isDisabled={decide.isPending || !reason.trim()}>{t("provenance.proposals.reject")}</Button>
          </div>
        </div>
      ) : null}
      {decide.isError ? <ErrorText error={decide.error} /> : null}
    </article>
  );
}
