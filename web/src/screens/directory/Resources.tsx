/**
 * 地域資源 (the local-resources directory, issue 14) for coordinators: the list of
 * services with search, filters by taxonomy code and status, and "not verified
 * for 6 months" (oldest first); a service's page with its facts, verification
 * ("確認済みにする"), an edit form and the history of every change (who changed
 * which field from what to what, when — kept because staff rotate). Observers
 * read; staff write, and add a service ("地域資源を登録": an existing provider or a
 * new one, which is created first; kinds and capacity set after). Reads and writes
 * /directory/services and /directory/organizations.
 *
 * The console path is /resources: /directory may be the public directory's.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import {
  Button, Checkbox, FieldError, Form, Input, Label, Link, Radio, RadioGroup, SearchField, TextArea, TextField,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../../api.ts";
import { ErrorText, errorSentence } from "../../ErrorText.tsx";
import { formatDateTime, formatLocalDate, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { navigate } from "../../router.ts";
import { FieldSelect } from "../Import.tsx";

/** The console's path of the directory (the screen id in router.ts). */
export const RESOURCES = "/resources";
/** HSDS service statuses (src/directory/domain/kinds.ts DIRECTORY_SERVICE_STATUSES). */
const STATUSES = ["active", "inactive", "defunct", "temporarily closed"] as const;
type Status = (typeof STATUSES)[number];
/** What the API shows observers instead of a personal value. */
const REDACTED = "***";
/** Fields that only tie a part to its record (ids): the history's reader learns nothing from them. */
const LINK_FIELDS = new Set(["link_id", "link_entity", "directory_organization_id", "service_id", "location_id", "service_at_location_id"]);
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

interface Term { code: string; name: string; nameEn: string; parentCode: string | null }

const canWrite = (me: Me) => me.role === "admin" || me.role === "staff";

/** The taxonomy (GET /directory/taxonomy) and a code's name in the reader's language (the code itself when unknown). */
function useTaxonomy() {
  const { i18n } = useTranslation();
  const terms = useQuery({ queryKey: ["directory-taxonomy"], queryFn: () => api<{ terms: Term[] }>("GET", "/directory/taxonomy") });
  const byCode = new Map((terms.data?.terms ?? []).map((t) => [t.code, t]));
  const nameOf = (code: string) => {
    const term = byCode.get(code);
    return term ? (i18n.language === "en" ? term.nameEn : term.name) : code;
  };
  /** Depth below the top (indentation in the filter). */
  const depth = (code: string) => code.split(".").length - 1;
  return { terms: terms.data?.terms ?? [], nameOf, depth };
}
/** The status as a key of the texts ("temporarily closed" → temporarily_closed). */
const statusKey = (s: Status) => s.replace(" ", "_");

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
    </div>
  );
}

function Fact({ term, children }: { term: string; children: React.ReactNode }) {
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
  // A status in words; any other value as stored, an actor by name.
  const changedValue = (field: string, v: string | null) =>
    v === null ? "—" : field === "status" && (STATUSES as readonly string[]).includes(v) ? t(`resources.statuses.${statusKey(v as (typeof STATUSES)[number])}`) : actorName(v);
  const history = useQuery({ queryKey: ["directory-service-history", id], queryFn: () => api<{ changes: Change[] }>("GET", `/directory/services/${id}/history`) });
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
            <Fact term={t("resources.columns.provider")}>{s.organizationName}</Fact>
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
          <section aria-labelledby="resource-history">
            <h2 id="resource-history">{t("resources.historyTitle")}</h2>
            <p>{t("resources.historyLead")}</p>
            {history.isError ? <ErrorText error={history.error} /> : null}
            {history.data?.changes.length ? (
              <table className="resource-history">
                <caption className="visually-hidden">{t("resources.historyTitle")}</caption>
                <thead>
                  <tr>{(["at", "by", "what", "previous", "replacement"] as const).map((c) => <th key={c} scope="col">{t(`resources.history.${c}`)}</th>)}</tr>
                </thead>
                <tbody>
                  {history.data.changes.filter((c) => !LINK_FIELDS.has(c.field)).map((c) => (
                    <tr key={c.id}>
                      <td>{formatDateTime(c.at, me.timeZone, lang)}</td>
                      <td>{c.by === REDACTED ? t("resources.hidden") : actorName(c.by)}</td>
                      <td>{t(`resources.actions.${c.action}`)}：{c.resourceType === "service" ? "" : `${t(`resources.parts.${c.resourceType}`, c.resourceType)} › `}{t(`resources.fieldNames.${c.field}`, c.field)}</td>
                      <td>{changedValue(c.field, c.previous)}</td>
                      <td>{changedValue(c.field, c.replacement)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
          </section>
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

/** A provider as GET /directory/organizations gives it (the fields this form reads). */
interface Provider { id: string; name: string }
const NEW_PROVIDER = "new";
/** Capacity numbers: whole, 0–100000 (src/directory/http/directory.ts DirectoryCapacityInput). */
const COUNT = /^\d{1,6}$/;
const MAX_COUNT = 100_000;

/** A refused field in words, by the API's per-field code (its `fields[].code`); the error's sentence otherwise. */
function refusalWords(t: (key: string) => string, error: ApiFailure, code: string): string {
  const key = `resources.add.refused.${code}`;
  const words = t(key);
  return words === key ? errorSentence(t, error) : words;
}

/** The API's refusals by field in words, each field renamed to this form's (`rename`; unnamed ones kept). */
function refusalsOf(t: (key: string) => string, error: unknown, rename: Record<string, string>): Record<string, string> {
  if (!(error instanceof ApiFailure) || error.status >= 500) return {};
  const list = error.fields.length ? error.fields : error.field ? [{ field: error.field, code: error.code }] : [];
  return Object.fromEntries(list.map((f) => [rename[f.field] ?? f.field, refusalWords(t, error, f.code)]));
}

/**
 * Add a service: its provider (chosen, or typed and then created first), its facts,
 * kinds (PUT …/taxonomy) and optional places (PUT …/capacity); then its page opens.
 * What the form can tell before sending (a missing name, capacity numbers) is refused
 * here so nothing is created half; the API's refusals are shown at their fields.
 * A provider or service already created is kept (not created twice on a retry).
 */
function AddServiceForm({ onCancel }: { onCancel: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { terms, nameOf } = useTaxonomy();
  const providers = useQuery({ queryKey: ["directory-organizations"], queryFn: () => api<{ organizations: Provider[] }>("GET", "/directory/organizations") });
  const [providerId, setProviderId] = useState<string>("");
  const [mode, setMode] = useState<string>("existing");
  const [values, setValues] = useState({ providerName: "", name: "", description: "", eligibilityDescription: "", feesDescription: "", applicationProcess: "" });
  const [status, setStatus] = useState<Status>("active");
  const [codes, setCodes] = useState<string[]>([]);
  const [capacity, setCapacity] = useState({ capacityAvailable: "", capacityMaximum: "", capacityUnit: t("resources.add.defaultUnit") });
  const [createdService, setCreatedService] = useState<string | null>(null);
  const [refused, setRefused] = useState<Record<string, string>>({});
  const edited = (field: string) => setRefused((all) => {
    if (!(field in all)) return all;
    const { [field]: _, ...rest } = all;
    return rest;
  });
  const required = t("resources.add.refused.required");
  /** The refusals the form can tell itself, by field. */
  const checks = (): Record<string, string> => {
    const out: Record<string, string> = {};
    if (mode === NEW_PROVIDER ? !values.providerName.trim() : !providerId) out[mode === NEW_PROVIDER ? "providerName" : "provider"] = mode === NEW_PROVIDER ? required : t("resources.add.chooseProvider");
    if (!values.name.trim()) out.name = required;
    const { capacityAvailable: a, capacityMaximum: m, capacityUnit: u } = capacity;
    if (a.trim() || m.trim()) {
      if (!COUNT.test(a.trim()) || Number(a) > MAX_COUNT) out.capacityAvailable = t("resources.add.refused.count");
      if (m.trim() && (!COUNT.test(m.trim()) || Number(m) > MAX_COUNT)) out.capacityMaximum = t("resources.add.refused.count");
      else if (m.trim() && !out.capacityAvailable && Number(a) > Number(m)) out.capacityAvailable = t("resources.add.refused.overMaximum");
      if (!u.trim()) out.capacityUnit = required;
    }
    return out;
  };
  const save = useMutation({
    mutationFn: async () => {
      let step = "provider";
      try {
        let serviceId = createdService;
        if (!serviceId) {
          let orgId = providerId;
          if (mode === NEW_PROVIDER) {
            orgId = (await api<Provider>("POST", "/directory/organizations", { name: values.providerName.trim() })).id;
            // Created: a retry uses it rather than making a second provider of the same name.
            setProviderId(orgId);
            setMode("existing");
            await queryClient.invalidateQueries({ queryKey: ["directory-organizations"] });
          }
          step = "service";
          const text = (v: string) => v.trim() || null;
          serviceId = (await api<DirectoryService>("POST", "/directory/services", {
            directoryOrganizationId: orgId, name: values.name.trim(), description: values.description.trim(), status,
            eligibilityDescription: text(values.eligibilityDescription), feesDescription: text(values.feesDescription),
            applicationProcess: text(values.applicationProcess),
          })).id;
          setCreatedService(serviceId);
        }
        step = "taxonomy";
        if (codes.length) await api("PUT", `/directory/services/${serviceId}/taxonomy`, { codes });
        step = "capacity";
        if (capacity.capacityAvailable.trim()) {
          await api("PUT", `/directory/services/${serviceId}/capacity`, {
            unit: capacity.capacityUnit.trim(), available: Number(capacity.capacityAvailable),
            ...(capacity.capacityMaximum.trim() ? { maximum: Number(capacity.capacityMaximum) } : {}),
          });
        }
        return serviceId;
      } catch (error) {
        const rename: Record<string, Record<string, string>> = {
          provider: { name: "providerName" },
          service: { directoryOrganizationId: "provider" },
          taxonomy: { codes: "kinds" },
          capacity: { available: "capacityAvailable", maximum: "capacityMaximum", unit: "capacityUnit" },
        };
        setRefused(refusalsOf(t, error, rename[step] ?? {}));
        throw error;
      }
    },
    onSuccess: async (serviceId) => {
      await queryClient.invalidateQueries({ queryKey: ["directory-services"] });
      navigate(`${RESOURCES}/${serviceId}`);
    },
  });
  const submit = () => {
    const problems = checks();
    setRefused(problems);
    if (!Object.keys(problems).length) save.mutate();
  };
  const field = (name: keyof typeof values, multiline = false) => (
    <TextField name={name} value={values[name]} onChange={(v) => { edited(name); setValues((all) => ({ ...all, [name]: v })); }}
      isRequired={name === "name" || name === "providerName"}>
      <Label>{t(name === "providerName" ? "resources.add.providerName" : `resources.fields.${name}`)}</Label>
      {multiline ? <TextArea rows={3} /> : <Input />}
      <FieldError />
    </TextField>
  );
  const count = (name: keyof typeof capacity) => (
    <TextField name={name} value={capacity[name]} onChange={(v) => { edited(name); setCapacity((all) => ({ ...all, [name]: v })); }}>
      <Label>{t(`resources.add.${name}`)}</Label>
      <Input inputMode={name === "capacityUnit" ? "text" : "numeric"} />
      <FieldError />
    </TextField>
  );
  const anyRefused = Object.keys(refused).length > 0;
  return (
    <Form className="member-form partner-form" aria-labelledby="resource-add-heading" validationBehavior="aria" validationErrors={refused}
      onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <h2 id="resource-add-heading">{t("resources.add.title")}</h2>
      <p>{t("resources.add.lead")}</p>
      {anyRefused || save.isError ? (
        <div role="alert" className="error">
          {createdService ? t("resources.add.partlySaved") : anyRefused ? t("resources.add.fixFields") : errorSentence(t, save.error)}
          {createdService ? <> <Link href={`${RESOURCES}/${createdService}`}>{t("resources.add.openCreated")}</Link></> : null}
        </div>
      ) : null}
      <fieldset>
        <legend>{t("resources.add.provider")}</legend>
        <RadioGroup value={mode} onChange={(v) => { edited("provider"); edited("providerName"); setMode(v); }} aria-label={t("resources.add.provider")}>
          <Radio value="existing">{t("resources.add.existing")}</Radio>
          <Radio value={NEW_PROVIDER}>{t("resources.add.newProvider")}</Radio>
        </RadioGroup>
        {mode === NEW_PROVIDER ? field("providerName") : (
          <>
            <FieldSelect label={t("resources.add.chooseLabel")} value={providerId} visible
              onChange={(v) => { edited("provider"); setProviderId(v); }}
              options={(providers.data?.organizations ?? []).map((o) => ({ id: o.id, name: o.name }))} />
            {refused.provider ? <p className="error" role="alert">{refused.provider}</p> : null}
            {providers.data && providers.data.organizations.length === 0 ? <p className="muted">{t("resources.add.noProviders")}</p> : null}
          </>
        )}
      </fieldset>
      <div className="form-grid">
        {field("name")}
        <FieldSelect label={t("resources.status")} value={status} onChange={(v) => setStatus(v as Status)} visible
          options={STATUSES.map((s) => ({ id: s, name: t(`resources.statuses.${statusKey(s)}`) }))} />
      </div>
      {field("description", true)}
      <fieldset>
        <legend>{t("resources.add.kinds")}</legend>
        <FieldSelect label={t("resources.add.kind")} value="" visible
          onChange={(code) => { edited("kinds"); setCodes((all) => (code && !all.includes(code) ? [...all, code] : all)); }}
          options={terms.map((term) => ({ id: term.code, name: `${"\u3000".repeat(term.code.split(".").length - 1)}${nameOf(term.code)}` }))} />
        {codes.length ? (
          <ul className="chosen-kinds">
            {codes.map((code) => (
              <li key={code}>
                {nameOf(code)}{" "}
                <Button aria-label={t("resources.add.removeKind", { name: nameOf(code) })} onPress={() => setCodes((all) => all.filter((c) => c !== code))}>×</Button>
              </li>
            ))}
          </ul>
        ) : <p className="muted">{t("resources.add.noKinds")}</p>}
        {refused.kinds ? <p className="error" role="alert">{refused.kinds}</p> : null}
      </fieldset>
      {field("eligibilityDescription", true)}
      {field("feesDescription", true)}
      {field("applicationProcess", true)}
      <fieldset>
        <legend>{t("resources.add.capacity")}</legend>
        <p className="muted">{t("resources.add.capacityLead")}</p>
        <div className="form-grid">
          {count("capacityAvailable")}
          {count("capacityMaximum")}
          {count("capacityUnit")}
        </div>
      </fieldset>
      <div className="button-row">
        <Button type="submit" className="primary" isDisabled={save.isPending}>{t("resources.add.submit")}</Button>
        <Button onPress={onCancel}>{t("resources.cancel")}</Button>
      </div>
    </Form>
  );
}
