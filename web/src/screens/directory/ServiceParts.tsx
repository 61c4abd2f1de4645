/**
 * A service's parts on its page in 地域資源 (issue 14): places available
 * (capacity, with when they were told), schedules (opening hours and events, read
 * in words — 毎月 第2火曜 10:00〜12:00 — from the API's `words`, and entered in
 * words: once, every week, every other week, a weekday of the month, a day of
 * the month; the form makes the RFC 5545 fields), closures (its own, its
 * provider's and the whole directory's), service areas and locations. Staff add
 * and remove; observers read. Each change lands in the service's history, which
 * the page shows in words (partValueWords for the parts' values).
 * Uses PUT …/capacity, POST …/schedules, …/areas, …/locations, /directory/closures,
 * /directory/locations and DELETE of schedules, closures, service areas and
 * services at locations.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { Button, Checkbox, CheckboxGroup, FieldError, Form, Input, Label, Radio, RadioGroup, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../../api.ts";
import { ErrorText, errorSentence } from "../../ErrorText.tsx";
import { formatDateTime, formatLocalDate, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { LocalSelect } from "./Kinds.tsx";
import { PartDisclosure } from "./PartDisclosure.tsx";

const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
type Day = (typeof DAYS)[number];
const REPEATS = ["once", "weekly", "biweekly", "monthlyWeekday", "monthlyDay"] as const;
type Repeat = (typeof REPEATS)[number];
const ORDINALS = ["1", "2", "3", "4", "-1"] as const;
const CLOSURE_KINDS = ["ad_hoc", "holiday", "year_end"] as const;
const AREA_KINDS = ["whole", "team", "postal_code", "town"] as const;

interface Schedule {
  id: string; kind: "opening_hours" | "event"; description: string | null; serviceId: string | null; words: { ja: string; en: string };
  freq: "WEEKLY" | "MONTHLY" | null; interval: number | null; byday: string | null; bymonthday: string | null; dtstart: string | null; until: string | null;
  opensAt: string | null; closesAt: string | null; closedOnHolidays: boolean;
}
interface Closure { id: string; serviceId: string | null; directoryOrganizationId: string | null; kind: (typeof CLOSURE_KINDS)[number]; startsOn: string; endsOn: string; reason: string | null }
interface Area { id: string; name: string; areaKind: (typeof AREA_KINDS)[number]; areaValue: string | null; description: string | null }
interface Capacity { id: string; unit: string; available: number; maximum: number | null; updatedAt: string }
interface Address { postalCode: string; stateProvince: string; city: string; address1: string; address2: string | null }
interface Place { id: string; name: string | null; accessibilityDescription: string | null; postalAddress: Address | null }
/** The parts GET /directory/services/:id gives with the service. */
export interface ServiceWithParts {
  id: string; locations: { serviceAtLocationId: string; description: string | null; location: Place }[]; schedules: Schedule[]; closures: Closure[];
  areas: Area[]; capacities: Capacity[];
}

/** "2TU,-1FR" in words (第2火曜・最終金曜 / the 2nd Tue, the last Fri); the value itself when it is not BYDAY. */
function bydayWords(t: (key: string, o?: Record<string, unknown>) => string, byday: string): string {
  const parts = byday.split(",").map((p) => /^(-?\d)?(MO|TU|WE|TH|FR|SA|SU)$/.exec(p.trim()));
  if (parts.some((p) => !p)) return byday;
  return parts.map((p) => {
    const day = t(`serviceParts.days.${p![2]}`);
    return p![1] ? t(`serviceParts.ordinalDay.${p![1]}`, { day }) : day;
  }).join(t("serviceParts.sep"));
}

/**
 * A part's stored value in words for the history (a schedule's repeat, days and
 * kind, a closure's kind, an area's kind, yes or no); null when it reads as stored.
 */
export function partValueWords(t: (key: string, o?: Record<string, unknown>) => string, field: string, value: string): string | null {
  const known = (key: string) => {
    const words = t(key);
    return words === key ? null : words;
  };
  if (field === "byday") return bydayWords(t, value);
  if (field === "freq" || field === "kind" || field === "area_kind") return known(`serviceParts.values.${value}`) ?? known(`serviceParts.closureKinds.${value}`);
  if (value === "true" || value === "false") return known(`serviceParts.values.${value}`);
  return null;
}

/** The API's refusals by field (its names; `rename` maps them to the form's). */
function refusals(t: (key: string) => string, error: unknown, rename: Record<string, string> = {}): Record<string, string> {
  if (!(error instanceof ApiFailure) || error.status >= 500) return {};
  const list = error.fields.length ? error.fields : error.field ? [{ field: error.field, code: error.code }] : [];
  return Object.fromEntries(list.map((f) => {
    const key = `resources.add.refused.${f.code}`;
    const words = t(key);
    return [rename[f.field] ?? f.field, words === key ? errorSentence(t, error) : words];
  }));
}

/** A part (capacity, schedules…), opening on demand on a phone; `summary` shows closed. */
function Section({ id, title, summary, lead, children }: { id: string; title: string; summary?: string | null; lead?: string; children: ReactNode }) {
  return (
    <PartDisclosure id={id} title={title} summary={summary} className="service-part">
      {lead ? <p className="muted">{lead}</p> : null}
      {children}
    </PartDisclosure>
  );
}

/** One text field of a small form; its refusal from `refused` by name. */
function Field({ name, label, value, onChange, type, inputMode }: {
  name: string; label: string; value: string; onChange: (v: string) => void; type?: string; inputMode?: "numeric" | "text";
}) {
  return (
    <TextField name={name} value={value} onChange={onChange} {...(type ? { type } : {})}>
      <Label>{label}</Label>
      <Input {...(inputMode ? { inputMode } : {})} />
      <FieldError />
    </TextField>
  );
}

export function ServiceParts({ me, service, onChanged }: { me: Me; service: ServiceWithParts; onChanged: (notice: string) => Promise<void> }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const write = me.role === "admin" || me.role === "staff";
  const [editing, setEditing] = useState<string | null>(null);
  const remove = useMutation({
    mutationFn: (path: string) => api("DELETE", path),
    onSuccess: () => onChanged(t("serviceParts.removed")),
  });
  const removeButton = (path: string, what: string) => (write ? (
    <Button onPress={() => remove.mutate(path)} isDisabled={remove.isPending} aria-label={t("serviceParts.removeLabel", { what })}>
      {t("serviceParts.remove")}
    </Button>
  ) : null);
  const range = (c: { startsOn: string; endsOn: string }) =>
    c.startsOn === c.endsOn ? formatLocalDate(c.startsOn, lang) : t("serviceParts.range", { from: formatLocalDate(c.startsOn, lang), to: formatLocalDate(c.endsOn, lang) });
  const address = (a: Address | null) => (a ? t("serviceParts.address", { ...a, postalCode: a.postalCode.replace(/^(\d{3})(\d{4})$/, "$1-$2") }) : null);
  const none = <p className="muted">{t("serviceParts.none")}</p>;
  const count = (n: number) => (n ? t("serviceParts.summaryCount", { count: n }) : t("serviceParts.none"));
  const firstCapacity = service.capacities[0];
  return (
    <div className="service-parts">
      {remove.isError ? <ErrorText error={remove.error} /> : null}
      <Section id="part-capacity" title={t("serviceParts.capacity.title")}
        summary={firstCapacity ? (firstCapacity.maximum === null ? t("serviceParts.capacity.words", { available: firstCapacity.available, unit: firstCapacity.unit })
          : t("serviceParts.capacity.wordsOf", { available: firstCapacity.available, maximum: firstCapacity.maximum, unit: firstCapacity.unit })) : t("serviceParts.none")}
        lead={t("serviceParts.capacity.lead")}>
        {service.capacities.length ? (
          <ul className="part-list">
            {service.capacities.map((c) => (
              <li key={c.id}>
                {c.maximum === null ? t("serviceParts.capacity.words", { available: c.available, unit: c.unit })
                  : t("serviceParts.capacity.wordsOf", { available: c.available, maximum: c.maximum, unit: c.unit })}
                <span className="muted">{t("serviceParts.capacity.told", { at: formatDateTime(c.updatedAt, me.timeZone, lang) })}</span>
              </li>
            ))}
          </ul>
        ) : none}
        {write ? <CapacityForm service={service} onDone={onChanged} /> : null}
      </Section>
      <Section id="part-schedules" title={t("serviceParts.schedules.title")} summary={count(service.schedules.length)}>
        {service.schedules.length ? (
          <ul className="part-list">
            {service.schedules.map((s) => (
              <li key={s.id}>
                <span className="badge">{t(`serviceParts.values.${s.kind}`)}</span> {lang === "en" ? s.words.en : s.words.ja}
                {s.description ? <span className="muted">{t("serviceParts.paren", { x: s.description })}</span> : null}
                {s.serviceId === service.id && write ? (
                  <Button onPress={() => setEditing(s.id)} aria-label={t("serviceParts.changeLabel", { what: lang === "en" ? s.words.en : s.words.ja })}>
                    {t("serviceParts.change")}
                  </Button>
                ) : null}
                {s.serviceId === service.id ? removeButton(`/directory/schedules/${s.id}`, lang === "en" ? s.words.en : s.words.ja) : null}
                {editing === s.id ? (
                  <ScheduleForm key={s.id} service={service} editing={s} onCancel={() => setEditing(null)}
                    onDone={async (words) => { setEditing(null); await onChanged(words); }} />
                ) : null}
              </li>
            ))}
          </ul>
        ) : none}
        {write ? <ScheduleForm service={service} onDone={onChanged} /> : null}
      </Section>
      <Section id="part-closures" title={t("serviceParts.closures.title")} summary={count(service.closures.length)} lead={t("serviceParts.closures.lead")}>
        {service.closures.length ? (
          <ul className="part-list">
            {service.closures.map((c) => (
              <li key={c.id}>
                <span className="badge">{t(`serviceParts.closureKinds.${c.kind}`)}</span> {range(c)}
                {c.reason ? <span className="muted">{t("serviceParts.paren", { x: c.reason })}</span> : null}
                {c.serviceId === service.id ? removeButton(`/directory/closures/${c.id}`, range(c))
                  : <span className="muted">{t(c.directoryOrganizationId ? "serviceParts.closures.provider" : "serviceParts.closures.everyone")}</span>}
              </li>
            ))}
          </ul>
        ) : none}
        {write ? <ClosureForm service={service} onDone={onChanged} /> : null}
      </Section>
      <Section id="part-areas" title={t("serviceParts.areas.title")} summary={count(service.areas.length)}>
        <AreaList service={service} removeButton={removeButton} none={none} />
        {write ? <AreaForm service={service} onDone={onChanged} /> : null}
      </Section>
      <Section id="part-locations" title={t("serviceParts.locations.title")} summary={count(service.locations.length)}>
        {service.locations.length ? (
          <ul className="part-list">
            {service.locations.map((l) => (
              <li key={l.serviceAtLocationId}>
                <strong>{l.location.name ?? t("serviceParts.locations.unnamed")}</strong>
                {address(l.location.postalAddress) ? <> {address(l.location.postalAddress)}</> : null}
                {l.location.accessibilityDescription ? <span className="muted">{t("serviceParts.paren", { x: l.location.accessibilityDescription })}</span> : null}
                {removeButton(`/directory/service-at-locations/${l.serviceAtLocationId}`, l.location.name ?? "")}
              </li>
            ))}
          </ul>
        ) : none}
        {write ? <LocationForm service={service} onDone={onChanged} /> : null}
      </Section>
    </div>
  );
}

function AreaList({ service, removeButton, none }: { service: ServiceWithParts; removeButton: (path: string, what: string) => ReactNode; none: ReactNode }) {
  const { t } = useTranslation();
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<{ teams: { id: string; name: string }[] }>("GET", "/teams") });
  const value = (a: Area) => (a.areaKind === "team" ? teams.data?.teams.find((x) => x.id === a.areaValue)?.name ?? a.areaValue : a.areaValue);
  if (!service.areas.length) return <>{none}</>;
  return (
    <ul className="part-list">
      {service.areas.map((a) => (
        <li key={a.id}>
          <strong>{a.name}</strong> <span className="muted">{t(`serviceParts.values.${a.areaKind}`)}{a.areaKind !== "whole" ? t("serviceParts.paren", { x: value(a) }) : ""}</span>
          {removeButton(`/directory/service-areas/${a.id}`, a.name)}
        </li>
      ))}
    </ul>
  );
}

/** A small form of a part: its heading, the refusal's sentence, a submit button. */
function PartForm({ id, title, refused, error, pending, onSubmit, onCancel, children }: {
  id: string; title: string; refused: Record<string, string>; error: unknown; pending: boolean; onSubmit: () => void; onCancel?: () => void; children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Form className="member-form partner-form part-form" aria-labelledby={id} validationBehavior="aria" validationErrors={refused}
      onSubmit={(e) => { e.preventDefault(); onSubmit(); }}>
      <h3 id={id}>{title}</h3>
      {Object.keys(refused).length ? <div role="alert" className="error">{t("serviceParts.fix")}</div>
        : error ? <div role="alert" className="error">{errorSentence(t, error)}</div> : null}
      {children}
      <div className="button-row">
        <Button type="submit" className="primary" isDisabled={pending}>{title}</Button>
        {onCancel ? <Button onPress={onCancel}>{t("resources.cancel")}</Button> : null}
      </div>
    </Form>
  );
}

/** The form's state, its refusals (the form's own or the API's, renamed) and its request. */
function usePartForm<T extends Record<string, string>>(initial: T, send: (v: T) => Promise<unknown>, done: () => Promise<void>,
  check: (v: T) => Record<string, string>, rename: Record<string, string> = {}) {
  const { t } = useTranslation();
  const [values, setValues] = useState<T>(initial);
  const [refused, setRefused] = useState<Record<string, string>>({});
  const save = useMutation({
    mutationFn: () => send(values),
    onError: (error) => setRefused(refusals(t, error, rename)),
    onSuccess: async () => { setValues(initial); setRefused({}); await done(); },
  });
  const set = (name: keyof T) => (v: string) => {
    setValues((all) => ({ ...all, [name]: v }));
    setRefused((all) => { const { [name as string]: _, ...rest } = all; return rest; });
  };
  const submit = () => {
    const problems = check(values);
    setRefused(problems);
    if (!Object.keys(problems).length) save.mutate();
  };
  return { values, set, refused, submit, save };
}

const whole = (v: string) => /^\d{1,6}$/.test(v.trim());

function CapacityForm({ service, onDone }: { service: ServiceWithParts; onDone: (notice: string) => Promise<void> }) {
  const { t } = useTranslation();
  const f = usePartForm({ unit: service.capacities[0]?.unit ?? t("resources.add.defaultUnit"), available: "", maximum: String(service.capacities[0]?.maximum ?? "") },
    (v) => api("PUT", `/directory/services/${service.id}/capacity`, {
      unit: v.unit.trim(), available: Number(v.available), maximum: v.maximum.trim() ? Number(v.maximum) : null,
    }),
    () => onDone(t("serviceParts.capacity.saved")),
    (v) => {
      const out: Record<string, string> = {};
      if (!whole(v.available)) out.available = t("resources.add.refused.count");
      if (v.maximum.trim() && !whole(v.maximum)) out.maximum = t("resources.add.refused.count");
      else if (!out.available && v.maximum.trim() && Number(v.available) > Number(v.maximum)) out.available = t("resources.add.refused.overMaximum");
      if (!v.unit.trim()) out.unit = t("resources.add.refused.required");
      return out;
    });
  return (
    <PartForm id="capacity-form" title={t("serviceParts.capacity.submit")} refused={f.refused} error={f.save.error} pending={f.save.isPending} onSubmit={f.submit}>
      <div className="form-grid">
        <Field name="available" label={t("resources.add.capacityAvailable")} value={f.values.available} onChange={f.set("available")} inputMode="numeric" />
        <Field name="maximum" label={t("resources.add.capacityMaximum")} value={f.values.maximum} onChange={f.set("maximum")} inputMode="numeric" />
        <Field name="unit" label={t("resources.add.capacityUnit")} value={f.values.unit} onChange={f.set("unit")} />
      </div>
    </PartForm>
  );
}

/** A stored schedule as the form's words (which repeat, which days, the times); a new one's defaults: the 2nd Tuesday, 10:00–12:00. */
function scheduleValues(s?: Schedule) {
  const firstDay = /^(-?\d)?(MO|TU|WE|TH|FR|SA|SU)$/.exec(s?.byday?.split(",")[0] ?? "");
  const repeat: Repeat = !s ? "monthlyWeekday" : s.freq === null ? "once" : s.freq === "WEEKLY" ? ((s.interval ?? 1) === 2 ? "biweekly" : "weekly")
    : s.byday ? "monthlyWeekday" : "monthlyDay";
  return {
    kind: s?.kind ?? "event", repeat: repeat as string, days: s?.freq === "WEEKLY" ? s.byday ?? "" : "", date: s?.dtstart ?? "", until: s?.until ?? "",
    ordinal: repeat === "monthlyWeekday" && firstDay?.[1] ? firstDay[1] : "2", weekday: repeat === "monthlyWeekday" && firstDay ? firstDay[2]! : "TU",
    monthday: s?.bymonthday?.split(",")[0] ?? "1", opensAt: s ? s.opensAt ?? "" : "10:00", closesAt: s ? s.closesAt ?? "" : "12:00",
    holidays: String(s?.closedOnHolidays ?? true), description: s?.description ?? "",
  };
}

/** Add a schedule, or change one (`editing`: every RFC 5545 field is sent, those the words leave out as null). */
function ScheduleForm({ service, editing, onDone, onCancel }: {
  service: ServiceWithParts; editing?: Schedule; onDone: (notice: string) => Promise<void>; onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const f = usePartForm(scheduleValues(editing), (v) => {
    const repeat = v.repeat as Repeat;
    const weekly = repeat === "weekly" || repeat === "biweekly";
    const body = {
      kind: v.kind, opensAt: v.opensAt || null, closesAt: v.closesAt || null, closedOnHolidays: v.holidays === "true", description: v.description.trim() || null,
      freq: repeat === "once" ? null : weekly ? "WEEKLY" : "MONTHLY", interval: weekly ? (repeat === "biweekly" ? 2 : 1) : null,
      byday: weekly ? DAYS.filter((d) => v.days.split(",").includes(d)).join(",") : repeat === "monthlyWeekday" ? `${v.ordinal}${v.weekday}` : null,
      bymonthday: repeat === "monthlyDay" ? v.monthday : null, dtstart: repeat === "once" || weekly ? v.date || null : null,
      until: repeat !== "once" ? v.until || null : null,
    };
    return editing ? api("PATCH", `/directory/schedules/${editing.id}`, body) : api("POST", `/directory/services/${service.id}/schedules`, body);
  }, () => onDone(t(editing ? "serviceParts.schedules.changed" : "serviceParts.schedules.saved")), (v) => {
    const out: Record<string, string> = {};
    if ((v.repeat === "once" || v.repeat === "biweekly") && !v.date) out.date = t("serviceParts.refused.date");
    if ((v.repeat === "weekly" || v.repeat === "biweekly") && !v.days) out.days = t("serviceParts.refused.days");
    if (v.closesAt && !v.opensAt) out.opensAt = t("serviceParts.refused.opensAt");
    if (v.closesAt && v.opensAt && v.closesAt <= v.opensAt) out.closesAt = t("serviceParts.refused.order");
    if (v.repeat !== "once" && v.until && v.date && v.until < v.date) out.until = t("serviceParts.refused.endBefore");
    return out;
  }, { dtstart: "date", byday: "days", bymonthday: "monthday" });
  const repeat = f.values.repeat as Repeat;
  return (
    <PartForm id={editing ? `schedule-edit-${editing.id}` : "schedule-form"} title={t(editing ? "serviceParts.schedules.change" : "serviceParts.schedules.submit")}
      refused={f.refused} error={f.save.error} pending={f.save.isPending} onSubmit={f.submit} {...(onCancel ? { onCancel } : {})}>
      <RadioGroup value={f.values.kind} onChange={f.set("kind")} aria-label={t("serviceParts.schedules.kind")}>
        <Label>{t("serviceParts.schedules.kind")}</Label>
        <Radio value="event">{t("serviceParts.values.event")}</Radio>
        <Radio value="opening_hours">{t("serviceParts.values.opening_hours")}</Radio>
      </RadioGroup>
      <LocalSelect label={t("serviceParts.schedules.repeat")} value={repeat} onChange={f.set("repeat")}
        options={REPEATS.map((r) => ({ id: r, name: t(`serviceParts.repeats.${r}`) }))} />
      {repeat === "monthlyWeekday" ? (
        <div className="form-grid">
          <LocalSelect label={t("serviceParts.schedules.ordinal")} value={f.values.ordinal} onChange={f.set("ordinal")}
            options={ORDINALS.map((o) => ({ id: o, name: t(`serviceParts.ordinals.${o}`) }))} />
          <LocalSelect label={t("serviceParts.schedules.weekday")} value={f.values.weekday} onChange={f.set("weekday")}
            options={DAYS.map((d) => ({ id: d, name: t(`serviceParts.daysLong.${d}`) }))} />
        </div>
      ) : null}
      {repeat === "monthlyDay" ? (
        <LocalSelect label={t("serviceParts.schedules.monthday")} value={f.values.monthday} onChange={f.set("monthday")} invalid={f.refused.monthday}
          options={[...Array.from({ length: 31 }, (_, i) => ({ id: String(i + 1), name: t("serviceParts.dayOfMonth", { n: i + 1 }) })), { id: "-1", name: t("serviceParts.lastDay") }]} />
      ) : null}
      {repeat === "weekly" || repeat === "biweekly" ? (
        <CheckboxGroup value={f.values.days ? f.values.days.split(",") : []} onChange={(v) => f.set("days")(v.join(","))} isInvalid={!!f.refused.days} className="weekdays">
          <Label>{t("serviceParts.schedules.days")}</Label>
          {DAYS.map((d) => <Checkbox key={d} value={d as Day}>{t(`serviceParts.daysLong.${d}`)}</Checkbox>)}
          {f.refused.days ? <FieldError>{f.refused.days}</FieldError> : null}
        </CheckboxGroup>
      ) : null}
      {repeat === "once" || repeat === "weekly" || repeat === "biweekly" ? (
        <Field name="date" type="date" value={f.values.date} onChange={f.set("date")}
          label={t(repeat === "once" ? "serviceParts.schedules.date" : repeat === "biweekly" ? "serviceParts.schedules.firstDate" : "serviceParts.schedules.fromDate")} />
      ) : null}
      {repeat !== "once" ? <Field name="until" type="date" label={t("serviceParts.schedules.until")} value={f.values.until} onChange={f.set("until")} /> : null}
      <div className="form-grid">
        <Field name="opensAt" type="time" label={t("serviceParts.schedules.opensAt")} value={f.values.opensAt} onChange={f.set("opensAt")} />
        <Field name="closesAt" type="time" label={t("serviceParts.schedules.closesAt")} value={f.values.closesAt} onChange={f.set("closesAt")} />
      </div>
      <Checkbox isSelected={f.values.holidays === "true"} onChange={(on) => f.set("holidays")(String(on))}>{t("serviceParts.schedules.holidays")}</Checkbox>
      <Field name="description" label={t("serviceParts.schedules.description")} value={f.values.description} onChange={f.set("description")} />
    </PartForm>
  );
}

function ClosureForm({ service, onDone }: { service: ServiceWithParts; onDone: (notice: string) => Promise<void> }) {
  const { t } = useTranslation();
  const f = usePartForm({ kind: "ad_hoc", startsOn: "", endsOn: "", reason: "" },
    (v) => api("POST", "/directory/closures", { serviceId: service.id, kind: v.kind, startsOn: v.startsOn, endsOn: v.endsOn || v.startsOn, reason: v.reason.trim() || null }),
    () => onDone(t("serviceParts.closures.saved")),
    (v) => {
      const out: Record<string, string> = {};
      if (!v.startsOn) out.startsOn = t("serviceParts.refused.date");
      if (v.startsOn && v.endsOn && v.endsOn < v.startsOn) out.endsOn = t("serviceParts.refused.endBefore");
      return out;
    });
  return (
    <PartForm id="closure-form" title={t("serviceParts.closures.submit")} refused={f.refused} error={f.save.error} pending={f.save.isPending} onSubmit={f.submit}>
      <LocalSelect label={t("serviceParts.closures.kind")} value={f.values.kind} onChange={f.set("kind")}
        options={CLOSURE_KINDS.map((k) => ({ id: k, name: t(`serviceParts.closureKinds.${k}`) }))} />
      <div className="form-grid">
        <Field name="startsOn" type="date" label={t("serviceParts.closures.startsOn")} value={f.values.startsOn} onChange={f.set("startsOn")} />
        <Field name="endsOn" type="date" label={t("serviceParts.closures.endsOn")} value={f.values.endsOn} onChange={f.set("endsOn")} />
      </div>
      <Field name="reason" label={t("serviceParts.closures.reason")} value={f.values.reason} onChange={f.set("reason")} />
    </PartForm>
  );
}

function AreaForm({ service, onDone }: { service: ServiceWithParts; onDone: (notice: string) => Promise<void> }) {
  const { t } = useTranslation();
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<{ teams: { id: string; name: string }[] }>("GET", "/teams") });
  const f = usePartForm({ name: "", areaKind: "town", areaValue: "" },
    (v) => api("POST", `/directory/services/${service.id}/areas`, { name: v.name.trim(), areaKind: v.areaKind, ...(v.areaKind !== "whole" ? { areaValue: v.areaValue.trim() } : {}) }),
    () => onDone(t("serviceParts.areas.saved")),
    (v) => {
      const out: Record<string, string> = {};
      if (!v.name.trim()) out.name = t("resources.add.refused.required");
      if (v.areaKind !== "whole" && !v.areaValue.trim()) out.areaValue = t("resources.add.refused.required");
      return out;
    });
  return (
    <PartForm id="area-form" title={t("serviceParts.areas.submit")} refused={f.refused} error={f.save.error} pending={f.save.isPending} onSubmit={f.submit}>
      <div className="form-grid">
        <Field name="name" label={t("serviceParts.areas.name")} value={f.values.name} onChange={f.set("name")} />
        <LocalSelect label={t("serviceParts.areas.kind")} value={f.values.areaKind} onChange={(v) => { f.set("areaKind")(v); f.set("areaValue")(""); }}
          options={AREA_KINDS.map((k) => ({ id: k, name: t(`serviceParts.values.${k}`) }))} />
        {f.values.areaKind === "team" ? (
          <LocalSelect label={t("serviceParts.areas.team")} value={f.values.areaValue} onChange={f.set("areaValue")} invalid={f.refused.areaValue}
            options={(teams.data?.teams ?? []).map((x) => ({ id: x.id, name: x.name }))} />
        ) : f.values.areaKind !== "whole" ? (
          <Field name="areaValue" label={t(f.values.areaKind === "postal_code" ? "serviceParts.areas.postalCode" : "serviceParts.areas.town")}
            value={f.values.areaValue} onChange={f.set("areaValue")} />
        ) : null}
      </div>
    </PartForm>
  );
}

function LocationForm({ service, onDone }: { service: ServiceWithParts; onDone: (notice: string) => Promise<void> }) {
  const { t } = useTranslation();
  const places = useQuery({ queryKey: ["directory-locations"], queryFn: () => api<{ locations: Place[] }>("GET", "/directory/locations") });
  const linked = new Set(service.locations.map((l) => l.location.id));
  const choices = (places.data?.locations ?? []).filter((l) => !linked.has(l.id));
  const [mode, setMode] = useState("existing");
  const f = usePartForm({ locationId: "", name: "", postalCode: "", stateProvince: "", city: "", address1: "", accessibility: "" },
    async (v) => {
      // A new place is registered first, then the service is said to be given there (two requests; a place left
      // unlinked by a refused link is still a valid place of the directory).
      const locationId = mode === "existing" ? v.locationId : (await api<Place>("POST", "/directory/locations", {
        locationType: "physical", name: v.name.trim() || null, accessibilityDescription: v.accessibility.trim() || null,
        ...(v.postalCode.trim() || v.city.trim() || v.address1.trim() || v.stateProvince.trim()
          ? { address: { postalCode: v.postalCode.trim(), stateProvince: v.stateProvince.trim(), city: v.city.trim(), address1: v.address1.trim() } } : {}),
      })).id;
      return api("POST", `/directory/services/${service.id}/locations`, { locationId });
    },
    () => onDone(t("serviceParts.locations.saved")),
    (v) => {
      const out: Record<string, string> = {};
      if (mode === "existing" && !v.locationId) out.locationId = t("resourceForm.refused.choosePlace");
      if (mode !== "existing") {
        const parts = ["postalCode", "stateProvince", "city", "address1"] as const;
        if (parts.some((p) => v[p].trim())) for (const p of parts) if (!v[p].trim()) out[p] = t("resources.add.refused.required");
        if (!v.name.trim() && !parts.some((p) => v[p].trim())) out.name = t("resourceForm.refused.placeName");
      }
      return out;
    }, { "address.postalCode": "postalCode", "address.city": "city", "address.stateProvince": "stateProvince", "address.address1": "address1" });
  return (
    <PartForm id="location-form" title={t("serviceParts.locations.submit")} refused={f.refused} error={f.save.error} pending={f.save.isPending} onSubmit={f.submit}>
      <RadioGroup value={mode} onChange={setMode} aria-label={t("serviceParts.locations.title")}>
        <Radio value="existing">{t("resourceForm.existingPlace")}</Radio>
        <Radio value="new">{t("resourceForm.newPlace")}</Radio>
      </RadioGroup>
      {mode === "existing" ? (
        <LocalSelect label={t("resourceForm.choosePlace")} value={f.values.locationId} onChange={f.set("locationId")} invalid={f.refused.locationId}
          options={choices.map((l) => ({ id: l.id, name: [l.name, l.postalAddress ? `${l.postalAddress.city}${l.postalAddress.address1}` : null].filter(Boolean).join(t("resourceForm.sep")) || l.id }))} />
      ) : (
        <>
          <Field name="name" label={t("resourceForm.place.name")} value={f.values.name} onChange={f.set("name")} />
          <div className="form-grid">
            {(["postalCode", "stateProvince", "city", "address1"] as const).map((p) => (
              <Field key={p} name={p} label={t(`resourceForm.place.${p}`)} value={f.values[p]} onChange={f.set(p)} {...(p === "postalCode" ? { inputMode: "numeric" as const } : {})} />
            ))}
          </div>
          <Field name="accessibility" label={t("resourceForm.place.accessibility")} value={f.values.accessibility} onChange={f.set("accessibility")} />
        </>
      )}
    </PartForm>
  );
}
