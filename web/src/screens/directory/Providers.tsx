/**
 * 提供者 (Providers, issue 14): the directory's providers (HSDS organization —
 * a 社会福祉協議会, a shop that delivers, a volunteer group), not one service.
 * The list with search; a provider's page with its details, its services (each
 * linking to its page in 地域資源), owner and next contact, an edit form,
 * 更新を依頼 (a link for the provider to propose changes to its own entry: the
 * same links and proposals as a service's, ProviderUpdates.tsx), the proposals
 * waiting, and the history in words. Observers read; staff and admins write.
 * Reads and writes /directory/organizations, /directory/services?organization=.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button, FieldError, Form, Input, Label, Link, SearchField, TextArea, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../../api.ts";
import { ErrorText, errorSentence } from "../../ErrorText.tsx";
import { formatLocalDate, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { FieldSelect } from "../Import.tsx";
import { InviteProvider, Proposals } from "./ProviderUpdates.tsx";
import { ChangeHistory, type DirectoryService, Fact, RESOURCES, type STATUSES, statusKey } from "./Resources.tsx";

/** The console's path of the providers (the screen id in router.ts). */
export const PROVIDERS = "/providers";
/** What the API shows observers instead of a personal value. */
const REDACTED = "***";
const NO_OWNER = "none";

/** A provider as GET /directory/organizations(/:id) gives it. */
export interface DirectoryProvider {
  id: string; name: string; alternateName: string | null; description: string; email: string | null; website: string | null;
  parentId: string | null; owner: { id: string; displayName: string } | null; nextContactOn: string | null; nextContactDue: boolean;
  listed: boolean; archived: boolean; updatedAt: string;
}

const canWrite = (me: Me) => me.role === "admin" || me.role === "staff";

export function Providers({ me, sub }: { me: Me; sub: string | null }) {
  const { t } = useTranslation();
  useEffect(() => {
    if (!sub) document.title = `${t("providers.title")} — ${t("app.title")}`;
  }, [t, sub]);
  return sub ? <ProviderPage me={me} id={sub} /> : <ProviderList me={me} />;
}

function OwnerName({ owner }: { owner: DirectoryProvider["owner"] }) {
  const { t } = useTranslation();
  if (!owner) return <span className="muted">{t("resources.notSet")}</span>;
  return <>{owner.displayName === REDACTED ? t("resources.hidden") : owner.displayName}</>;
}

/** The next contact date, with 要連絡 when it has come. */
function NextContact({ provider, lang }: { provider: DirectoryProvider; lang: Lang }) {
  const { t } = useTranslation();
  if (!provider.nextContactOn) return <span className="muted">{t("resources.notSet")}</span>;
  return (
    <>
      {formatLocalDate(provider.nextContactOn, lang)}
      {provider.nextContactDue ? <> <span className="badge overdue-badge">{t("providers.contactDue")}</span></> : null}
    </>
  );
}

function ProviderList({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [search, setSearch] = useState("");
  const list = useQuery({
    queryKey: ["directory-organizations"],
    queryFn: () => api<{ organizations: DirectoryProvider[] }>("GET", "/directory/organizations"),
  });
  // A few hundred providers at most: searched here, by any of their words.
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const rows = (list.data?.organizations ?? []).filter((o) => {
    const text = [o.name, o.alternateName, o.description, o.email, o.website].filter(Boolean).join(" ").toLowerCase();
    return words.every((w) => text.includes(w));
  });
  return (
    <div className="partners resources providers">
      <h1>{t("providers.title")}</h1>
      <p>{t("providers.lead")}</p>
      <div className="inline-form filters">
        <SearchField value={search} onChange={setSearch}>
          <Label>{t("providers.search")}</Label>
          <Input />
        </SearchField>
      </div>
      {list.isPending ? <p>{t("app.loading")}</p> : null}
      {list.isError ? <ErrorText error={list.error} /> : null}
      {list.data ? <p role="status">{t("providers.count", { count: rows.length })}</p> : null}
      {rows.length ? (
        <table className="partner-list provider-list">
          <caption className="visually-hidden">{t("providers.caption")}</caption>
          <thead>
            <tr>{(["name", "owner", "nextContact"] as const).map((c) => <th key={c} scope="col">{t(`providers.columns.${c}`)}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <tr key={o.id} className={o.nextContactDue ? "overdue" : undefined}>
                <th scope="row"><Link href={`${PROVIDERS}/${o.id}`}>{o.name}</Link></th>
                <td data-label={t("providers.columns.owner")}><OwnerName owner={o.owner} /></td>
                <td data-label={t("providers.columns.nextContact")}><NextContact provider={o} lang={lang} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : list.data ? <p>{t("providers.none")}</p> : null}
      {canWrite(me) ? <p className="muted">{t("providers.addHint")}</p> : null}
    </div>
  );
}

function ProviderPage({ me, id }: { me: Me; id: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const provider = useQuery({ queryKey: ["directory-organization", id], queryFn: () => api<DirectoryProvider>("GET", `/directory/organizations/${id}`) });
  const services = useQuery({
    queryKey: ["directory-services", `organization=${id}`],
    queryFn: () => api<{ services: DirectoryService[]; total: number }>("GET", `/directory/services?organization=${encodeURIComponent(id)}&limit=200`),
  });
  const o = provider.data;
  useEffect(() => {
    if (o) document.title = `${o.name} — ${t("providers.title")} — ${t("app.title")}`;
  }, [o, t]);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ["directory-organization", id] });
    await queryClient.invalidateQueries({ queryKey: ["directory-organization-history", id] });
    await queryClient.invalidateQueries({ queryKey: ["directory-organizations"] });
  };
  const text = (v: string | null | undefined) => (v ? v : <span className="muted">{t("resources.notSet")}</span>);
  return (
    <div className="partners resources providers">
      <p><Link href={PROVIDERS}>{t("providers.back")}</Link></p>
      {provider.isPending ? <p>{t("app.loading")}</p> : null}
      {provider.isError ? <ErrorText error={provider.error} /> : null}
      {o ? (
        <>
          <h1>{o.name}</h1>
          {notice ? <p role="status" className="notice">{notice}</p> : null}
          <dl className="facts">
            {o.alternateName ? <Fact term={t("providers.fields.alternateName")}>{o.alternateName}</Fact> : null}
            <Fact term={t("providers.fields.description")}>{text(o.description)}</Fact>
            <Fact term={t("providers.fields.email")}>{o.email ? <Link href={`mailto:${o.email}`}>{o.email}</Link> : text(null)}</Fact>
            <Fact term={t("providers.fields.website")}>{o.website ? <Link href={o.website} target="_blank" rel="noopener" className="url">{o.website}</Link> : text(null)}</Fact>
            <Fact term={t("providers.columns.owner")}><OwnerName owner={o.owner} /></Fact>
            <Fact term={t("providers.columns.nextContact")}><NextContact provider={o} lang={lang} /></Fact>
            <Fact term={t("providers.fields.listed")}>{t(o.listed ? "providers.listedYes" : "providers.listedNo")}</Fact>
          </dl>
          {canWrite(me) && !editing ? (
            <div className="button-row"><Button onPress={() => { setNotice(null); setEditing(true); }}>{t("resources.edit")}</Button></div>
          ) : null}
          {editing ? (
            <ProviderForm provider={o} onCancel={() => setEditing(false)}
              onDone={async () => { setEditing(false); setNotice(t("resources.savedNotice")); await refresh(); }} />
          ) : null}
          <section aria-labelledby="provider-services">
            <h2 id="provider-services">{t("providers.servicesTitle", { count: services.data?.total ?? 0 })}</h2>
            {services.isError ? <ErrorText error={services.error} /> : null}
            {services.data?.services.length ? (
              <ul className="part-list provider-services">
                {services.data.services.map((s) => (
                  <li key={s.id}>
                    <Link href={`${RESOURCES}/${s.id}`}>{s.name}</Link>
                    <span className="muted">{t("serviceParts.paren", { x: t(`resources.statuses.${statusKey(s.status as (typeof STATUSES)[number])}`) })}</span>
                    {s.verification.due ? <> <span className="badge overdue-badge">{t("resources.verificationDue")}</span></> : null}
                  </li>
                ))}
              </ul>
            ) : services.data ? <p className="muted">{t("providers.noServices")}</p> : null}
          </section>
          <Proposals me={me} resourceId={o.id} onDecided={refresh} />
          <InviteProvider me={me} resourceType="organization" resourceId={o.id} name={o.name} />
          <ChangeHistory me={me} path={`/directory/organizations/${id}/history`} queryKey={["directory-organization-history", id]} ownResource="organization" />
        </>
      ) : null}
    </div>
  );
}

/** The API's refusals by field, in words. */
function problems(t: (key: string) => string, error: unknown): Record<string, string> {
  if (!(error instanceof ApiFailure) || error.status >= 500) return {};
  const list = error.fields.length ? error.fields : error.field ? [{ field: error.field, code: error.code }] : [];
  return Object.fromEntries(list.map((f) => [f.field, errorSentence(t, error)]));
}

/** Change a provider's details, owner and next contact; only what changed is sent (its history then names those fields). */
function ProviderForm({ provider, onDone, onCancel }: { provider: DirectoryProvider; onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const owners = useQuery({ queryKey: ["directory-owners"], queryFn: () => api<{ owners: { id: string; displayName: string }[] }>("GET", "/directory/owners") });
  const [values, setValues] = useState({
    name: provider.name, description: provider.description, email: provider.email ?? "", website: provider.website ?? "", nextContactOn: provider.nextContactOn ?? "",
  });
  const [ownerId, setOwnerId] = useState(provider.owner?.id ?? NO_OWNER);
  const [refused, setRefused] = useState<Record<string, string>>({});
  const body = () => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) {
      const before = (provider as unknown as Record<string, string | null>)[k] ?? "";
      if (v.trim() !== before) out[k] = k === "name" || k === "description" ? v.trim() : v.trim() || null;
    }
    const owner = ownerId === NO_OWNER ? null : ownerId;
    if (owner !== (provider.owner?.id ?? null)) out.ownerPersonId = owner;
    return out;
  };
  const save = useMutation({
    onMutate: () => setRefused({}),
    onError: (error) => setRefused(problems(t, error)),
    mutationFn: () => api("PATCH", `/directory/organizations/${provider.id}`, body()),
    onSuccess: onDone,
  });
  const field = (name: keyof typeof values, options: { multiline?: boolean; type?: string } = {}) => (
    <TextField name={name} value={values[name]} onChange={(v) => setValues((all) => ({ ...all, [name]: v }))} isRequired={name === "name"}
      {...(options.type ? { type: options.type } : {})}>
      <Label>{t(name === "nextContactOn" ? "providers.columns.nextContact" : `providers.fields.${name}`)}</Label>
      {options.multiline ? <TextArea rows={3} /> : <Input />}
      <FieldError />
    </TextField>
  );
  return (
    <Form className="member-form partner-form" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}
      aria-labelledby="provider-form-heading" validationBehavior="aria" validationErrors={refused}>
      <h2 id="provider-form-heading">{t("providers.editTitle", { name: provider.name })}</h2>
      {save.isError ? <div role="alert" className="error">{errorSentence(t, save.error)}</div> : null}
      <div className="form-grid">
        {field("name")}
        {field("email", { type: "email" })}
        {field("website", { type: "url" })}
        <FieldSelect label={t("providers.columns.owner")} value={ownerId} onChange={setOwnerId} visible
          options={[{ id: NO_OWNER, name: t("resourceForm.noOwner") }, ...(owners.data?.owners ?? []).map((p) => ({ id: p.id, name: p.displayName }))]} />
        {field("nextContactOn", { type: "date" })}
      </div>
      {field("description", { multiline: true })}
      <div className="button-row">
        <Button type="submit" className="primary" isDisabled={save.isPending}>{t("resources.save")}</Button>
        <Button onPress={onCancel}>{t("resources.cancel")}</Button>
      </div>
    </Form>
  );
}
