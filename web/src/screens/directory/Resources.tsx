/**
 * 地域資源 (the local-resources directory, issue 14) for coordinators: the list of
 * services with search, filters by taxonomy code and status, and "not verified
 * for 6 months" (oldest first); a service's page with its facts, verification
 * ("確認済みにする"), an edit form and the history of every change (who changed
 * which field from what to what, when — kept because staff rotate). Observers
 * read; staff write, and add a service ("地域資源を登録", AddResource.tsx: its
 * provider, facts, kinds, places and locations in one request). Reads and writes
 * /directory/services and /directory/organizations.
 *
 * The console path is /resources: /directory may be the public directory's.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import {
  Button, Checkbox, FieldError, Form, Input, Label, Link, SearchField, TextArea, TextField,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../../api.ts";
import { ErrorText, errorSentence } from "../../ErrorText.tsx";
import { ScrollingTable } from "../../ScrollingTable.tsx";
import { formatDateTime, formatLocalDate, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { FieldSelect } from "../Import.tsx";
import { AddServiceForm } from "./AddResource.tsx";
import { useTaxonomy } from "./Kinds.tsx";
import { partValueWords, ServiceParts, type ServiceWithParts } from "./ServiceParts.tsx";
import { DirectoryPublicLinks, DirectorySettings } from "./DirectorySettings.tsx";
import { OwnTerms } from "./OwnTerms.tsx";
import { ServiceContacts } from "./ServiceContacts.tsx";
import { MyNextContacts, useStaffNames } from "./Handover.tsx";
import { InviteProvider, Proposals } from "./ProviderUpdates.tsx";
import { PartDisclosure } from "./PartDisclosure.tsx";

/** The console's path of the directory (the screen id in router.ts). */
export const RESOURCES = "/resources";
/** HSDS service statuses (src/directory/domain/kinds.ts DIRECTORY_SERVICE_STATUSES). */
export const STATUSES = ["active", "inactive", "defunct", "temporarily closed"] as const;
export type Status = (typeof STATUSES)[number];
/** What the API shows observers instead of a personal value. */
const REDACTED = "***";
/** Fields that only tie a part to its record (ids): the history's reader learns nothing from them. */
const LINK_FIELDS = new Set(["link_id", "link_entity", "directory_organization_id", "service_id", "location_id", "service_at_location_id", "contact_id"]);
/** An actor written as `kind:name:id` (a person, a token, a provider's link) is shown by its name. */
const actorName = (v: string) => (/^(person|token|provider):/.test(v) ? v.split(":")[1] || v : v);
const ALL = "all";

/** A service as GET /directory/services(/:id) gives it (the fields this screen reads). */
export interface DirectoryService {
  id: string; directoryOrganizationId: string; organizationName: string; name: string; alternateName: string | null; description: string;
  url: string | null; email: string | null; status: Status; eligibilityDescription: string | null; minimumAge: number | null; maximumAge: number | null;
  feesDescription: string | null; applicationProcess: string | null; alert: string | null; listed: boolean;
  owner: { id: string; displayName: string } | null; nextContactOn: string | null; nextContactDue: boolean;
  verification: { date: string | null; by: string | null; personId: string | null; assurerEmail: string | null; due: boolean };
  taxonomyCodes: string[]; archived: boolean; updatedAt: string;
}
interface Change { id: string; resourceType: string; action: string; field: string; previous: string | null; replacement: string | null; by: string; at: string }

const canWrite = (me: Me) => me.role === "admin" || me.role === "staff";

/** The status as a key of the texts ("temporarily closed" → temporarily_closed). */
export const statusKey = (s: Status) => s.replace(" ", "_");

export function Resources({ me, sub }: { me: Me; sub: string | null }) {
  const { t } = useTranslation();
  useEffect(() => {
    if (!sub) document.title = `${t("resources.title")} — ${t("app.title")}`;
  }, [t, sub]);
  return sub ? <ServicePage me={me} id={sub} /> : <ServiceList me={me} />;
}

/** "確認: 2027年1月4日" or "未確認", with a badge when due. */
function Verified({ service, lang }: { service: DirectoryService; lang: Lang }) {
  const { t } = useTranslation();
  return (
    <>
      {service.verification.date ? formatLocalDate(service.verification.date, lang) : <span className="muted">{t("resources.neverVerified")}</span>}
      {service.verification.due ? <> <span className="badge overdue-badge">{t("resources.verificationDue")}</span></> : null}
    </>
  );
}

function ServiceList({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const [adding, setAdding] = useState(false);
  const lang = i18n.language as Lang;
  const [search, setSearch] = useState("");
  const [taxonomy, setTaxonomy] = useState<string>(ALL);
  const { terms, nameOf, depth } = useTaxonomy();
  const [status, setStatus] = useState<string>(ALL);
  const [notVerified, setNotVerified] = useState(() => new URLSearchParams(location.search).get("notVerified") === "true");
  const query = new URLSearchParams({ limit: "200" });
  if (search.trim()) query.set("search", search.trim());
  if (taxonomy !== ALL) query.set("taxonomy", taxonomy);
  if (status !== ALL) query.set("status", status);
  if (notVerified) query.set("notVerified", "true");
  const list = useQuery({
    queryKey: ["directory-services", query.toString()],
    queryFn: () => api<{ services: DirectoryService[]; total: number; notVerifiedAfterMonths: number }>("GET", `/directory/services?${query}`),
    placeholderData: (previous) => previous,
  });
  const rows = list.data?.services ?? [];
  return (
    <div className="partners resources">
      <h1>{t("resources.title")}</h1>
      <p>{t("resources.lead")}</p>
      {canWrite(me) && !adding ? (
        <div className="button-row"><Button className="primary" onPress={() => setAdding(true)}>{t("resources.add.open")}</Button></div>
      ) : null}
      {adding ? <AddServiceForm onCancel={() => setAdding(false)} /> : null}
      <MyNextContacts me={me} />
      <Proposals me={me} />
      <div className="inline-form filters">
        <SearchField value={search} onChange={setSearch}>
          <Label>{t("resources.search")}</Label>
          <Input />
        </SearchField>
        <FieldSelect label={t("resources.taxonomy")} value={taxonomy} onChange={setTaxonomy} visible
          options={[{ id: ALL, name: t("resources.allTaxonomy") }, ...terms.map((term) => ({ id: term.code, name: `${"\u3000".repeat(depth(term.code))}${nameOf(term.code)}` }))]} />
        <FieldSelect label={t("resources.status")} value={status} onChange={setStatus} visible
          options={[{ id: ALL, name: t("resources.allStatuses") }, ...STATUSES.map((s) => ({ id: s, name: t(`resources.statuses.${statusKey(s)}`) }))]} />
        <Checkbox isSelected={notVerified} onChange={setNotVerified}>
          {t("resources.notVerified", { months: list.data?.notVerifiedAfterMonths ?? 6 })}
        </Checkbox>
      </div>
      {list.isPending ? <p>{t("app.loading")}</p> : null}
      {list.isError ? <ErrorText error={list.error} /> : null}
      {list.data ? (
        <p role="status">
          {notVerified
            ? t("resources.notVerifiedCount", { count: list.data.total, months: list.data.notVerifiedAfterMonths })
            : t("resources.count", { count: list.data.total })}
        </p>
      ) : null}
      {rows.length ? (
        <table className="partner-list resource-list">
          <caption className="visually-hidden">{t("resources.caption", { count: rows.length })}</caption>
          <thead>
            <tr>
              {(["name", "provider", "status", "taxonomy", "verified", "owner"] as const).map((c) => (
                <th key={c} scope="col">{t(`resources.columns.${c}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((s) => (
              <tr key={s.id} className={s.verification.due ? "overdue" : undefined}>
                <th scope="row"><Link href={`${RESOURCES}/${s.id}`}>{s.name}</Link></th>
                <td data-label={t("resources.columns.provider")}>{s.organizationName}</td>
                <td data-label={t("resources.columns.status")}>{t(`resources.statuses.${statusKey(s.status)}`)}</td>
                <td data-label={t("resources.columns.taxonomy")}>{s.taxonomyCodes.map(nameOf).join("、") || <span className="muted">{t("resources.notSet")}</span>}</td>
                <td data-label={t("resources.columns.verified")}><Verified service={s} lang={lang} /></td>
                <td data-label={t("resources.columns.owner")}>
                  {s.owner ? (s.owner.displayName === REDACTED ? t("resources.hidden") : s.owner.displayName) : <span className="muted">{t("resources.notSet")}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : list.data ? <p>{t("resources.none")}</p> : null}
      <DirectoryPublicLinks />
      <DirectorySettings me={me} />
      <OwnTerms me={me} />
    </div>
  );
}

/** One term and its value in a facts list (<dl>). */
export function Fact({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

function ServicePage({ me, id }: { me: Me; id: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const { nameOf } = useTaxonomy();
  const service = useQuery({ queryKey: ["directory-service", id], queryFn: () => api<DirectoryService>("GET", `/directory/services/${id}`) });
  const s = service.data;
  useEffect(() => {
    if (s) document.title = `${s.name} — ${t("resources.title")} — ${t("app.title")}`;
  }, [s, t]);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ["directory-service", id] });
    await queryClient.invalidateQueries({ queryKey: ["directory-service-history", id] });
    await queryClient.invalidateQueries({ queryKey: ["directory-services"] });
  };
  const verify = useMutation({
    mutationFn: () => api<DirectoryService>("POST", `/directory/services/${id}/verify`, {}),
    onSuccess: async () => { setNotice(t("resources.verifiedNotice")); await refresh(); },
  });
  const write = canWrite(me);
  const text = (v: string | null | undefined) => (v ? v : <span className="muted">{t("resources.notSet")}</span>);
  return (
    <div className="partners resources">
      <p><Link href={RESOURCES}>{t("resources.back")}</Link></p>
      {service.isPending ? <p>{t("app.loading")}</p> : null}
      {service.isError ? <ErrorText error={service.error} /> : null}
      {s ? (
        <>
          <h1>{s.name}</h1>
          {notice ? <p role="status" className="notice">{notice}</p> : null}
          {s.alert ? <p className="overdue-text">{s.alert}</p> : null}
          <dl className="facts">
            <Fact term={t("resources.columns.provider")}><Link href={`/providers/${s.directoryOrganizationId}`}>{s.organizationName}</Link></Fact>
            <Fact term={t("resources.columns.status")}>{t(`resources.statuses.${statusKey(s.status)}`)}</Fact>
            <Fact term={t("resources.fields.description")}>{text(s.description)}</Fact>
            <Fact term={t("resources.fields.eligibilityDescription")}>{text(s.eligibilityDescription)}</Fact>
            <Fact term={t("resources.fields.feesDescription")}>{text(s.feesDescription)}</Fact>
            <Fact term={t("resources.fields.applicationProcess")}>{text(s.applicationProcess)}</Fact>
            <Fact term={t("resources.columns.taxonomy")}>{text(s.taxonomyCodes.map(nameOf).join("、"))}</Fact>
            <Fact term={t("resources.columns.owner")}>{s.owner ? (s.owner.displayName === REDACTED ? t("resources.hidden") : s.owner.displayName) : text(null)}</Fact>
            <Fact term={t("resources.columns.verified")}><Verified service={s} lang={lang} /></Fact>
          </dl>
          {write ? (
            <div className="button-row">
              <Button className="primary" onPress={() => verify.mutate()} isDisabled={verify.isPending}>{t("resources.verify")}</Button>
              {!editing ? <Button onPress={() => { setNotice(null); setEditing(true); }}>{t("resources.edit")}</Button> : null}
            </div>
          ) : null}
          {verify.isError ? <ErrorText error={verify.error} /> : null}
          {editing ? (
            <ServiceForm service={s} onCancel={() => setEditing(false)}
              onDone={async () => { setEditing(false); setNotice(t("resources.savedNotice")); await refresh(); }} />
          ) : null}
          <ServiceParts me={me} service={s as unknown as ServiceWithParts} onChanged={async (words) => { setNotice(words); await refresh(); }} />
          <ServiceContacts me={me} serviceId={s.id} onChanged={async (words) => { setNotice(words); await refresh(); }} />
          <Proposals me={me} resourceId={s.id} onDecided={refresh} />
          <InviteProvider me={me} resourceType="service" resourceId={s.id} name={s.name} />
          <ChangeHistory me={me} path={`/directory/services/${id}/history`} queryKey={["directory-service-history", id]} ownResource="service" />
        </>
      ) : null}
    </div>
  );
}

/**
 * 変更の履歴 of a service or a provider (GET …/history), in words: who changed
 * which field from what to what, when; a status or an owner by name, an actor by
 * its name, a provider's link as such. Opens on demand on a phone.
 */
export function ChangeHistory({ me, path, queryKey, ownResource }: { me: Me; path: string; queryKey: readonly unknown[]; ownResource: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const staffNames = useStaffNames(canWrite(me));
  // The history keeps instants as ISO (archived_at) and dates as YYYY-MM-DD: people read them in the organisation's zone.
  const whenWords = (v: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) ? formatDateTime(v, me.timeZone, lang)
    : /^\d{4}-\d{2}-\d{2}$/.test(v) ? formatLocalDate(v, lang) : null;
  // A status in words; an owner by name (a handover's history); a time or date in words; any other value as stored, an actor by name.
  const changedValue = (field: string, v: string | null) =>
    v === null ? "—" : (field === "owner_person_id" || field === "assured_by_person_id") && staffNames.has(v) ? staffNames.get(v)!
      : field === "status" && (STATUSES as readonly string[]).includes(v) ? t(`resources.statuses.${statusKey(v as (typeof STATUSES)[number])}`)
      : partValueWords(t, field, v) ?? whenWords(v) ?? actorName(v);
  const history = useQuery({ queryKey, queryFn: () => api<{ changes: Change[] }>("GET", path) });
  return (
    <PartDisclosure id="resource-history" title={t("resources.historyTitle")}
      summary={history.data ? t("serviceParts.summaryCount", { count: history.data.changes.filter((c) => !LINK_FIELDS.has(c.field)).length }) : null}>
      <p>{t("resources.historyLead")}</p>
      {history.isError ? <ErrorText error={history.error} /> : null}
      {history.data?.changes.length ? (
        <ScrollingTable label={t("resources.historyTitle")}>
        <table className="resource-history">
          <caption className="visually-hidden">{t("resources.historyTitle")}</caption>
          <thead>
            <tr>{(["at", "by", "what", "previous", "replacement"] as const).map((c) => <th key={c} scope="col">{t(`resources.history.${c}`)}</th>)}</tr>
          </thead>
          <tbody>
            {history.data.changes.filter((c) => !LINK_FIELDS.has(c.field)).map((c) => (
              <tr key={c.id}>
                <td>{formatDateTime(c.at, me.timeZone, lang)}</td>
                <td>{c.by === REDACTED ? t("resources.hidden") : c.by.startsWith("provider:invitation:") ? t("provenance.byProvider") : actorName(c.by)}</td>
                <td>{t(`resources.actions.${c.action}`)}：{c.resourceType === ownResource ? "" : `${t(`resources.parts.${c.resourceType}`, c.resourceType)} › `}{t(`resources.fieldNames.${c.field}`, { defaultValue: t(`serviceParts.fieldNames.${c.field}`, c.field) })}</td>
                <td>{changedValue(c.field, c.previous)}</td>
                <td>{changedValue(c.field, c.replacement)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </ScrollingTable>
      ) : null}
    </PartDisclosure>
  );
}

/** The API's refusals by field, in words. */
function problems(t: (key: string) => string, error: unknown): Record<string, string> {
  if (!(error instanceof ApiFailure) || error.status >= 500) return {};
  const list = error.fields.length ? error.fields : error.field ? [{ field: error.field, code: error.code }] : [];
  return Object.fromEntries(list.map((f) => [f.field, errorSentence(t, error)]));
}

/** Change a service's main fields; only what changed is sent (its history then says which fields a person changed). */
function ServiceForm({ service, onDone, onCancel }: { service: DirectoryService; onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [values, setValues] = useState({
    name: service.name, description: service.description, eligibilityDescription: service.eligibilityDescription ?? "",
    feesDescription: service.feesDescription ?? "", applicationProcess: service.applicationProcess ?? "", alert: service.alert ?? "",
  });
  const [status, setStatus] = useState<string>(service.status);
  const [refused, setRefused] = useState<Record<string, string>>({});
  // A field's refusal goes as soon as it is typed in (a form with a standing refusal is not submitted).
  const edited = (field: string) => setRefused((all) => {
    if (!(field in all)) return all;
    const { [field]: _, ...rest } = all;
    return rest;
  });
  const body = () => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(values)) {
      const before = (service as unknown as Record<string, string | null>)[k] ?? "";
      if (v.trim() !== before) out[k] = k === "name" || k === "description" ? v.trim() : v.trim() || null;
    }
    if (status !== service.status) out.status = status;
    return out;
  };
  const save = useMutation({
    onMutate: () => setRefused({}),
    onError: (error) => setRefused(problems(t, error)),
    mutationFn: () => api("PATCH", `/directory/services/${service.id}`, body()),
    onSuccess: onDone,
  });
  const field = (name: keyof typeof values, multiline = false) => (
    <TextField name={name} value={values[name]} onChange={(v) => { edited(name); setValues((all) => ({ ...all, [name]: v })); }} isRequired={name === "name"}>
      <Label>{t(`resources.fields.${name}`)}</Label>
      {multiline ? <TextArea rows={3} /> : <Input />}
      <FieldError />
    </TextField>
  );
  return (
    <Form className="member-form partner-form" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}
      aria-labelledby="resource-form-heading" validationBehavior="aria" validationErrors={refused}>
      <h2 id="resource-form-heading">{t("resources.editTitle", { name: service.name })}</h2>
      {save.isError ? <div role="alert" className="error">{errorSentence(t, save.error)}</div> : null}
      <div className="form-grid">
        {field("name")}
        <FieldSelect label={t("resources.status")} value={status} onChange={setStatus} visible
          options={STATUSES.map((s) => ({ id: s, name: t(`resources.statuses.${statusKey(s)}`) }))} />
        {field("alert")}
      </div>
      {field("description", true)}
      {field("eligibilityDescription", true)}
      {field("feesDescription", true)}
      {field("applicationProcess", true)}
      <div className="button-row">
        <Button type="submit" className="primary" isDisabled={save.isPending}>{t("resources.save")}</Button>
        <Button onPress={onCancel}>{t("resources.cancel")}</Button>
      </div>
    </Form>
  );
}
