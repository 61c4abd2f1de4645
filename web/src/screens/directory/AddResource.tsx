/**
 * 地域資源を登録 (issue 14): add a resource from the console in one request
 * (POST /directory/resources) — its provider (chosen, or a new one typed in), the
 * service's facts (who may use it, ages, fees, how to apply, web page and
 * e-mail), its kinds, its owner among the staff and next contact date, its places
 * (capacity) and where it is given (places already registered, or new ones with
 * their address). The API takes all or nothing: when a part is refused nothing is
 * created, and the refusal is shown at its field. What the form can tell itself
 * (a missing name, numbers, ages the wrong way round) is refused before sending.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, FieldError, Form, Input, Label, Radio, RadioGroup, Text, TextArea, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../../api.ts";
import { errorSentence } from "../../ErrorText.tsx";
import { navigate } from "../../router.ts";
import { KindPicker, LocalSelect } from "./Kinds.tsx";
import { type DirectoryService, RESOURCES, STATUSES, type Status, statusKey } from "./Resources.tsx";

/** A provider as GET /directory/organizations gives it (the fields this form reads). */
interface Provider { id: string; name: string }
/** A location as GET /directory/locations gives it (the fields this form reads). */
interface Place { id: string; name: string | null; postalAddress: { city: string; address1: string } | null }
const NEW = "new";
/** The owner picker's "no owner" (ids are UUIDs, so it names none). */
const NO_OWNER = "none";
/** Capacity numbers: whole, 0–100000 (src/directory/http/directory.ts DirectoryCapacityInput). */
const COUNT = /^\d{1,6}$/;
const MAX_COUNT = 100_000;
/** Ages: whole years 0–150 (directory.ts Age). */
const AGE = /^\d{1,3}$/;

type Texts = { providerName: string; name: string; description: string; eligibilityDescription: string; feesDescription: string; applicationProcess: string;
  minimumAge: string; maximumAge: string; url: string; email: string; nextContactOn: string };
/** A place to add: one registered already (`locationId`) or a new one typed in. */
interface PlaceEntry { key: number; mode: string; locationId: string; name: string; postalCode: string; stateProvince: string; city: string; address1: string; accessibility: string }
const ADDRESS = ["postalCode", "stateProvince", "city", "address1"] as const;

/** A refused field in words, by the API's per-field code (its `fields[].code`); the error's sentence otherwise. */
function refusalWords(t: (key: string) => string, error: ApiFailure, code: string): string {
  const key = `resources.add.refused.${code}`;
  const words = t(key);
  return words === key ? errorSentence(t, error) : words;
}

/** The form's field for a field the API names (provider.name → providerName, locations.1.location.address.city → place-1-city). */
function formField(apiField: string, providerIsNew: boolean): string {
  const parts = apiField.split(".");
  if (apiField === "directoryOrganizationId") return providerIsNew ? "providerName" : "provider";
  if (parts[0] === "provider") return "providerName";
  if (parts[0] === "service") return parts[1] === "ownerPersonId" ? "owner" : parts[1] ?? "name";
  if (parts[0] === "taxonomyCodes") return "kinds";
  if (parts[0] === "capacity") return { available: "capacityAvailable", maximum: "capacityMaximum", unit: "capacityUnit" }[parts[1] ?? ""] ?? "capacityAvailable";
  if (parts[0] === "locations") {
    const last = parts[parts.length - 1] ?? "";
    const field = last === "locationId" ? "locationId" : last === "accessibilityDescription" ? "accessibility" : last;
    return `place-${parts[1]}-${field}`;
  }
  return apiField;
}

export function AddServiceForm({ onCancel }: { onCancel: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const providers = useQuery({ queryKey: ["directory-organizations"], queryFn: () => api<{ organizations: Provider[] }>("GET", "/directory/organizations") });
  const owners = useQuery({ queryKey: ["directory-owners"], queryFn: () => api<{ owners: { id: string; displayName: string }[] }>("GET", "/directory/owners") });
  const locations = useQuery({ queryKey: ["directory-locations"], queryFn: () => api<{ locations: Place[] }>("GET", "/directory/locations") });
  const [providerId, setProviderId] = useState<string>("");
  const [mode, setMode] = useState<string>("existing");
  const [values, setValues] = useState<Texts>({
    providerName: "", name: "", description: "", eligibilityDescription: "", feesDescription: "", applicationProcess: "",
    minimumAge: "", maximumAge: "", url: "", email: "", nextContactOn: "",
  });
  const [status, setStatus] = useState<Status>("active");
  const [ownerId, setOwnerId] = useState<string>(NO_OWNER);
  const [codes, setCodes] = useState<string[]>([]);
  const [capacity, setCapacity] = useState({ capacityAvailable: "", capacityMaximum: "", capacityUnit: t("resources.add.defaultUnit") });
  const [places, setPlaces] = useState<PlaceEntry[]>([]);
  const [nextKey, setNextKey] = useState(1);
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
    if (mode === NEW ? !values.providerName.trim() : !providerId) out[mode === NEW ? "providerName" : "provider"] = mode === NEW ? required : t("resources.add.chooseProvider");
    if (!values.name.trim()) out.name = required;
    const { capacityAvailable: a, capacityMaximum: m, capacityUnit: u } = capacity;
    if (a.trim() || m.trim()) {
      if (!COUNT.test(a.trim()) || Number(a) > MAX_COUNT) out.capacityAvailable = t("resources.add.refused.count");
      if (m.trim() && (!COUNT.test(m.trim()) || Number(m) > MAX_COUNT)) out.capacityMaximum = t("resources.add.refused.count");
      else if (m.trim() && !out.capacityAvailable && Number(a) > Number(m)) out.capacityAvailable = t("resources.add.refused.overMaximum");
      if (!u.trim()) out.capacityUnit = required;
    }
    for (const age of ["minimumAge", "maximumAge"] as const) {
      const v = values[age].trim();
      if (v && (!AGE.test(v) || Number(v) > 150)) out[age] = t("resourceForm.refused.age");
    }
    if (!out.minimumAge && !out.maximumAge && values.minimumAge.trim() && values.maximumAge.trim() && Number(values.minimumAge) > Number(values.maximumAge)) {
      out.maximumAge = t("resourceForm.refused.ageOrder");
    }
    places.forEach((p, i) => {
      if (p.mode !== NEW) {
        if (!p.locationId) out[`place-${i}-locationId`] = t("resourceForm.refused.choosePlace");
        return;
      }
      // An address is all of its four parts or none (the API's rule, told here field by field).
      if (ADDRESS.some((f) => p[f].trim())) for (const f of ADDRESS) if (!p[f].trim()) out[`place-${i}-${f}`] = required;
      if (!p.name.trim() && !ADDRESS.some((f) => p[f].trim())) out[`place-${i}-name`] = t("resourceForm.refused.placeName");
    });
    return out;
  };
  const body = () => {
    const text = (v: string) => v.trim() || null;
    const number = (v: string) => (v.trim() ? Number(v) : null);
    return {
      ...(mode === NEW ? { provider: { name: values.providerName.trim() } } : { directoryOrganizationId: providerId }),
      service: {
        name: values.name.trim(), description: values.description.trim(), status,
        eligibilityDescription: text(values.eligibilityDescription), feesDescription: text(values.feesDescription),
        applicationProcess: text(values.applicationProcess), minimumAge: number(values.minimumAge), maximumAge: number(values.maximumAge),
        url: text(values.url), email: text(values.email), ownerPersonId: ownerId === NO_OWNER ? null : ownerId, nextContactOn: text(values.nextContactOn),
      },
      ...(codes.length ? { taxonomyCodes: codes } : {}),
      ...(capacity.capacityAvailable.trim() ? {
        capacity: {
          unit: capacity.capacityUnit.trim(), available: Number(capacity.capacityAvailable),
          ...(capacity.capacityMaximum.trim() ? { maximum: Number(capacity.capacityMaximum) } : {}),
        },
      } : {}),
      ...(places.length ? {
        locations: places.map((p) => (p.mode !== NEW ? { locationId: p.locationId } : {
          location: {
            locationType: "physical", name: text(p.name), accessibilityDescription: text(p.accessibility),
            ...(ADDRESS.some((f) => p[f].trim())
              ? { address: { postalCode: p.postalCode.trim(), stateProvince: p.stateProvince.trim(), city: p.city.trim(), address1: p.address1.trim() } }
              : {}),
          },
        })),
      } : {}),
    };
  };
  const save = useMutation({
    mutationFn: () => api<DirectoryService>("POST", "/directory/resources", body()),
    onError: (error) => {
      if (!(error instanceof ApiFailure) || error.status >= 500) return;
      const list = error.fields.length ? error.fields : error.field ? [{ field: error.field, code: error.code }] : [];
      setRefused(Object.fromEntries(list.map((f) => [formField(f.field, mode === NEW), refusalWords(t, error, f.code)])));
    },
    onSuccess: async (service) => {
      await queryClient.invalidateQueries({ queryKey: ["directory-services"] });
      await queryClient.invalidateQueries({ queryKey: ["directory-organizations"] });
      await queryClient.invalidateQueries({ queryKey: ["directory-locations"] });
      navigate(`${RESOURCES}/${service.id}`);
    },
  });
  const submit = () => {
    const problems = checks();
    setRefused(problems);
    if (!Object.keys(problems).length) save.mutate();
  };
  const field = (name: keyof Texts, label: string, options: { multiline?: boolean; type?: string; description?: string } = {}) => (
    <TextField name={name} value={values[name]} onChange={(v) => { edited(name); setValues((all) => ({ ...all, [name]: v })); }}
      isRequired={name === "name" || name === "providerName"} {...(options.type ? { type: options.type } : {})}>
      <Label>{label}</Label>
      {options.multiline ? <TextArea rows={3} /> : <Input {...(name.endsWith("Age") ? { inputMode: "numeric" as const } : {})} />}
      {options.description ? <Text slot="description" className="muted field-hint">{options.description}</Text> : null}
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
  const setPlace = (i: number, change: Partial<PlaceEntry>) => setPlaces((all) => all.map((p, j) => (j === i ? { ...p, ...change } : p)));
  const placeField = (i: number, name: "name" | "postalCode" | "stateProvince" | "city" | "address1" | "accessibility") => (
    <TextField name={`place-${i}-${name}`} value={places[i]![name]} onChange={(v) => { edited(`place-${i}-${name}`); setPlace(i, { [name]: v }); }}>
      <Label>{t(`resourceForm.place.${name}`)}</Label>
      {name === "accessibility" ? <TextArea rows={2} /> : <Input {...(name === "postalCode" ? { inputMode: "numeric" as const } : {})} />}
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
        <div role="alert" className="error">{anyRefused ? t("resources.add.fixFields") : errorSentence(t, save.error)}</div>
      ) : null}
      <fieldset>
        <legend>{t("resources.add.provider")}</legend>
        <RadioGroup value={mode} onChange={(v) => { edited("provider"); edited("providerName"); setMode(v); }} aria-label={t("resources.add.provider")}>
          <Radio value="existing">{t("resources.add.existing")}</Radio>
          <Radio value={NEW}>{t("resources.add.newProvider")}</Radio>
        </RadioGroup>
        {mode === NEW ? field("providerName", t("resources.add.providerName")) : (
          <>
            <LocalSelect label={t("resources.add.chooseLabel")} value={providerId} invalid={refused.provider}
              onChange={(v) => { edited("provider"); setProviderId(v); }}
              options={(providers.data?.organizations ?? []).map((o) => ({ id: o.id, name: o.name }))} />
            {providers.data && providers.data.organizations.length === 0 ? <p className="muted">{t("resources.add.noProviders")}</p> : null}
          </>
        )}
      </fieldset>
      <div className="form-grid">
        {field("name", t("resources.fields.name"))}
        <LocalSelect label={t("resources.status")} value={status} onChange={(v) => setStatus(v as Status)}
          options={STATUSES.map((s) => ({ id: s, name: t(`resources.statuses.${statusKey(s)}`) }))} />
      </div>
      {field("description", t("resources.fields.description"), { multiline: true })}
      <KindPicker legend={t("resources.add.kinds")} label={t("resources.add.kind")} codes={codes} onChange={(c) => { edited("kinds"); setCodes(c); }}
        removeLabel={(name) => t("resources.add.removeKind", { name })} empty={t("resources.add.noKinds")} error={refused.kinds} />
      <fieldset>
        <legend>{t("resourceForm.who")}</legend>
        {field("eligibilityDescription", t("resources.fields.eligibilityDescription"), { multiline: true })}
        <div className="form-grid">
          {field("minimumAge", t("resourceForm.minimumAge"), { description: t("resourceForm.ageHint") })}
          {field("maximumAge", t("resourceForm.maximumAge"), { description: t("resourceForm.ageHint") })}
        </div>
      </fieldset>
      {field("feesDescription", t("resources.fields.feesDescription"), { multiline: true })}
      {field("applicationProcess", t("resources.fields.applicationProcess"), { multiline: true })}
      <fieldset>
        <legend>{t("resourceForm.contact")}</legend>
        <div className="form-grid">
          {field("url", t("resourceForm.url"), { type: "url", description: t("resourceForm.urlHint") })}
          {field("email", t("resourceForm.email"), { type: "email" })}
          <LocalSelect label={t("resourceForm.owner")} value={ownerId} invalid={refused.owner} onChange={(v) => { edited("owner"); setOwnerId(v); }}
            options={[{ id: NO_OWNER, name: t("resourceForm.noOwner") }, ...(owners.data?.owners ?? []).map((o) => ({ id: o.id, name: o.displayName }))]} />
          {field("nextContactOn", t("resourceForm.nextContactOn"), { type: "date" })}
        </div>
      </fieldset>
      <fieldset>
        <legend>{t("resources.add.capacity")}</legend>
        <p className="muted">{t("resources.add.capacityLead")}</p>
        <div className="form-grid">
          {count("capacityAvailable")}
          {count("capacityMaximum")}
          {count("capacityUnit")}
        </div>
      </fieldset>
      <fieldset className="places">
        <legend>{t("resourceForm.places")}</legend>
        <p className="muted">{t("resourceForm.placesLead")}</p>
        {places.map((p, i) => (
          <fieldset key={p.key} className="place">
            <legend>{t("resourceForm.placeN", { n: i + 1 })}</legend>
            <RadioGroup value={p.mode} onChange={(v) => setPlace(i, { mode: v })} aria-label={t("resourceForm.placeN", { n: i + 1 })}>
              <Radio value="existing">{t("resourceForm.existingPlace")}</Radio>
              <Radio value={NEW}>{t("resourceForm.newPlace")}</Radio>
            </RadioGroup>
            {p.mode !== NEW ? (
              <LocalSelect label={t("resourceForm.choosePlace")} value={p.locationId} invalid={refused[`place-${i}-locationId`]}
                onChange={(v) => { edited(`place-${i}-locationId`); setPlace(i, { locationId: v }); }}
                options={(locations.data?.locations ?? []).map((l) => ({
                  id: l.id, name: [l.name, l.postalAddress ? `${l.postalAddress.city}${l.postalAddress.address1}` : null].filter(Boolean).join(t("resourceForm.sep")) || l.id,
                }))} />
            ) : (
              <>
                {placeField(i, "name")}
                <div className="form-grid">
                  {placeField(i, "postalCode")}
                  {placeField(i, "stateProvince")}
                  {placeField(i, "city")}
                  {placeField(i, "address1")}
                </div>
                {placeField(i, "accessibility")}
              </>
            )}
            <Button onPress={() => { setPlaces((all) => all.filter((_, j) => j !== i)); setRefused({}); }}>{t("resourceForm.removePlace", { n: i + 1 })}</Button>
          </fieldset>
        ))}
        <Button onPress={() => {
          setPlaces((all) => [...all, { key: nextKey, mode: (locations.data?.locations.length ?? 0) > 0 ? "existing" : NEW, locationId: "", name: "", postalCode: "", stateProvince: "", city: "", address1: "", accessibility: "" }]);
          setNextKey((k) => k + 1);
        }}>{t("resourceForm.addPlace")}</Button>
      </fieldset>
      <div className="button-row">
        <Button type="submit" className="primary" isDisabled={save.isPending}>{t("resources.add.submit")}</Button>
        <Button onPress={onCancel}>{t("resources.cancel")}</Button>
      </div>
    </Form>
  );
}
