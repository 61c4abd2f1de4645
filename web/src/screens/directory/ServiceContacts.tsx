/**
 * 連絡先 (Contacts) on a service's page in 地域資源 (issue 14): the service's
 * phones — the one the public page shows as a large `tel:` link — and its
 * contacts (a person or a desk: name, title, department, e-mail, a phone). Staff
 * add and remove; observers read (a contact person's name comes masked). Numbers
 * are typed as people know them (090-1234-5678) and shown in national form; the
 * API refuses a number that is not one, naming the field. Each change lands in
 * the service's history. Uses GET/POST /directory/contacts, POST /directory/phones
 * and DELETE of contacts and phones.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, FieldError, Form, Input, Label, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { PartDisclosure } from "./PartDisclosure.tsx";
import { api, ApiFailure } from "../../api.ts";
import { ErrorText, errorSentence } from "../../ErrorText.tsx";
import type { Me } from "../../me.ts";
import { LocalSelect } from "./Kinds.tsx";

const PHONE_TYPES = ["voice", "cell", "fax", "text", "textphone", "video", "pager"] as const;
const LANGUAGES = ["ja", "en", "zh", "ko", "vi", "pt", "es", "tl", "ne", "id"] as const;
const REDACTED = "***";

interface Phone { id: string; national: string; extension: string | null; type: string | null; description: string | null; languages: string[] }
interface Contact { id: string; displayName: string | null; title: string | null; department: string | null; email: string | null; phones: Phone[] }

/** A text field of the small forms; its refusal (the API's, by field) under it. */
function Field({ name, label, value, onChange, type, inputMode, autoComplete }: {
  name: string; label: string; value: string; onChange: (v: string) => void; type?: string; inputMode?: "tel" | "numeric" | "email"; autoComplete?: string;
}) {
  return (
    <TextField name={name} value={value} onChange={onChange} {...(type ? { type } : {})}>
      <Label>{label}</Label>
      <Input {...(inputMode ? { inputMode } : {})} {...(autoComplete ? { autoComplete } : {})} />
      <FieldError />
    </TextField>
  );
}

/** The API's refusal by field (`rename`: its field names to the form's), in words. */
function refusals(t: (key: string) => string, error: unknown, rename: Record<string, string> = {}): Record<string, string> {
  if (!(error instanceof ApiFailure) || error.status >= 500) return {};
  const list = error.fields.length ? error.fields : error.field ? [{ field: error.field, code: error.code }] : [];
  return Object.fromEntries(list.map((f) => [rename[f.field] ?? f.field, f.field.endsWith("number") ? t("serviceContacts.refused.number") : errorSentence(t, error)]));
}

export function ServiceContacts({ me, serviceId, onChanged }: { me: Me; serviceId: string; onChanged: (notice: string) => Promise<void> }) {
  const { t } = useTranslation();
  const write = me.role === "admin" || me.role === "staff";
  const queryClient = useQueryClient();
  const key = ["directory-contacts", serviceId];
  const book = useQuery({ queryKey: key, queryFn: () => api<{ contacts: Contact[]; phones: Phone[] }>("GET", `/directory/contacts?serviceId=${serviceId}`) });
  const changed = async (notice: string) => {
    await queryClient.invalidateQueries({ queryKey: key });
    await onChanged(notice);
  };
  const remove = useMutation({ mutationFn: (path: string) => api("DELETE", path), onSuccess: () => changed(t("serviceParts.removed")) });
  const removeButton = (path: string, what: string) => (write ? (
    <Button onPress={() => remove.mutate(path)} isDisabled={remove.isPending} aria-label={t("serviceParts.removeLabel", { what })}>{t("serviceParts.remove")}</Button>
  ) : null);
  const phoneWords = (p: Phone) => [
    p.extension ? t("serviceContacts.extensionWords", { extension: p.extension }) : null,
    p.type && p.type !== "voice" ? t(`serviceContacts.types.${p.type}`) : null,
    p.languages.length ? p.languages.map((l) => t(`serviceContacts.languages.${l}`, l)).join(t("serviceParts.sep")) : null,
    p.description,
  ].filter(Boolean).join(t("serviceContacts.sep"));
  const phoneLine = (p: Phone) => (
    <>
      <a href={`tel:${p.national.replace(/[^\d+]/g, "")}`} className="tel-link">{p.national}</a>
      {phoneWords(p) ? <span className="muted">{t("serviceParts.paren", { x: phoneWords(p) })}</span> : null}
    </>
  );
  const data = book.data;
  return (
    <section aria-labelledby="part-contacts" className="service-part">
      <h2 id="part-contacts">{t("serviceContacts.title")}</h2>
      <p className="muted">{t("serviceContacts.lead")}</p>
      {book.isError ? <ErrorText error={book.error} /> : null}
      {remove.isError ? <ErrorText error={remove.error} /> : null}
      <h3>{t("serviceContacts.phones")}</h3>
      {data?.phones.length ? (
        <ul className="part-list">
          {data.phones.map((p) => <li key={p.id}>{phoneLine(p)}{removeButton(`/directory/phones/${p.id}`, p.national)}</li>)}
        </ul>
      ) : <p className="muted">{t("serviceContacts.noPhone")}</p>}
      {write ? (
        // The forms open on demand (closed at first on a phone): the numbers to call stay in view.
        <PartDisclosure id="part-contacts-phone-form" level={3} title={t("serviceContacts.addPhone")}>
          <PhoneForm serviceId={serviceId} onDone={changed} />
        </PartDisclosure>
      ) : null}
      <PartDisclosure id="part-contacts-people" level={3} title={t("serviceContacts.people")}
        summary={data ? t("serviceParts.summaryCount", { count: data.contacts.length }) : null}>
      {data?.contacts.length ? (
        <ul className="part-list">
          {data.contacts.map((c) => {
            const name = c.displayName === REDACTED ? t("resources.hidden") : c.displayName;
            const label = [name, c.title, c.department].filter(Boolean).join(t("serviceContacts.sep"));
            return (
              <li key={c.id}>
                <strong>{label || c.email}</strong>
                {c.email ? <> <a href={`mailto:${c.email}`}>{c.email}</a></> : null}
                {c.phones.map((p) => <span key={p.id}> {phoneLine(p)}</span>)}
                {removeButton(`/directory/contacts/${c.id}`, label || c.email || "")}
              </li>
            );
          })}
        </ul>
      ) : <p className="muted">{t("serviceParts.none")}</p>}
      {write ? <ContactForm serviceId={serviceId} onDone={changed} /> : null}
      </PartDisclosure>
    </section>
  );
}

function PhoneForm({ serviceId, onDone }: { serviceId: string; onDone: (notice: string) => Promise<void> }) {
  const { t } = useTranslation();
  const empty = { number: "", extension: "", type: "voice", language: "", description: "" };
  const [v, setV] = useState(empty);
  const [refused, setRefused] = useState<Record<string, string>>({});
  const set = (name: keyof typeof empty) => (value: string) => { setV((all) => ({ ...all, [name]: value })); setRefused(({ [name]: _, ...rest }) => rest); };
  const save = useMutation({
    mutationFn: () => api("POST", "/directory/phones", {
      serviceId, number: v.number, type: v.type, ...(v.extension.trim() ? { extension: v.extension.trim() } : {}),
      ...(v.description.trim() ? { description: v.description.trim() } : {}), ...(v.language ? { languages: ["ja", v.language].filter((x, i, a) => a.indexOf(x) === i) } : {}),
    }),
    onError: (error) => setRefused(refusals(t, error)),
    onSuccess: async () => { setV(empty); setRefused({}); await onDone(t("serviceContacts.phoneSaved")); },
  });
  const submit = () => {
    if (!v.number.trim()) return setRefused({ number: t("resources.add.refused.required") });
    if (v.extension.trim() && !/^\d{1,9}$/.test(v.extension.trim())) return setRefused({ extension: t("serviceContacts.refused.extension") });
    save.mutate();
  };
  return (
    <Form className="member-form partner-form part-form" aria-labelledby="phone-form" validationBehavior="aria" validationErrors={refused}
      onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <h3 id="phone-form">{t("serviceContacts.addPhone")}</h3>
      {Object.keys(refused).length ? <div role="alert" className="error">{t("serviceParts.fix")}</div>
        : save.error ? <div role="alert" className="error">{errorSentence(t, save.error)}</div> : null}
      <div className="form-grid">
        <Field name="number" label={t("serviceContacts.number")} value={v.number} onChange={set("number")} type="tel" inputMode="tel" />
        <Field name="extension" label={t("serviceContacts.extension")} value={v.extension} onChange={set("extension")} inputMode="numeric" />
        <LocalSelect label={t("serviceContacts.type")} value={v.type} onChange={set("type")} options={PHONE_TYPES.map((x) => ({ id: x, name: t(`serviceContacts.types.${x}`) }))} />
        <LocalSelect label={t("serviceContacts.language")} value={v.language} onChange={set("language")} placeholder={t("serviceContacts.japaneseOnly")}
          options={LANGUAGES.filter((l) => l !== "ja").map((l) => ({ id: l, name: t(`serviceContacts.languages.${l}`) }))} />
      </div>
      <Field name="description" label={t("serviceContacts.description")} value={v.description} onChange={set("description")} />
      <div className="button-row"><Button type="submit" className="primary" isDisabled={save.isPending}>{t("serviceContacts.addPhone")}</Button></div>
    </Form>
  );
}

function ContactForm({ serviceId, onDone }: { serviceId: string; onDone: (notice: string) => Promise<void> }) {
  const { t } = useTranslation();
  const empty = { displayName: "", title: "", department: "", email: "", number: "" };
  const [v, setV] = useState(empty);
  const [refused, setRefused] = useState<Record<string, string>>({});
  const set = (name: keyof typeof empty) => (value: string) => { setV((all) => ({ ...all, [name]: value })); setRefused(({ [name]: _, ...rest }) => rest); };
  const text = (x: string) => (x.trim() ? x.trim() : undefined);
  const save = useMutation({
    mutationFn: () => api("POST", "/directory/contacts", {
      serviceId, displayName: text(v.displayName), title: text(v.title), department: text(v.department), email: text(v.email),
      ...(v.number.trim() ? { phones: [{ number: v.number }] } : {}),
    }),
    onError: (error) => setRefused(refusals(t, error, { "phones.0.number": "number" })),
    onSuccess: async () => { setV(empty); setRefused({}); await onDone(t("serviceContacts.contactSaved")); },
  });
  const submit = () => {
    if (!v.displayName.trim() && !v.title.trim() && !v.department.trim() && !v.email.trim()) return setRefused({ displayName: t("serviceContacts.refused.empty") });
    save.mutate();
  };
  return (
    <Form className="member-form partner-form part-form" aria-labelledby="contact-form" validationBehavior="aria" validationErrors={refused}
      onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <h3 id="contact-form">{t("serviceContacts.addContact")}</h3>
      {Object.keys(refused).length ? <div role="alert" className="error">{t("serviceParts.fix")}</div>
        : save.error ? <div role="alert" className="error">{errorSentence(t, save.error)}</div> : null}
      <div className="form-grid">
        <Field name="displayName" label={t("serviceContacts.name")} value={v.displayName} onChange={set("displayName")} autoComplete="off" />
        <Field name="title" label={t("serviceContacts.jobTitle")} value={v.title} onChange={set("title")} />
        <Field name="department" label={t("serviceContacts.department")} value={v.department} onChange={set("department")} />
        <Field name="email" label={t("serviceContacts.email")} value={v.email} onChange={set("email")} type="email" inputMode="email" />
        <Field name="number" label={t("serviceContacts.contactNumber")} value={v.number} onChange={set("number")} type="tel" inputMode="tel" />
      </div>
      <div className="button-row"><Button type="submit" className="primary" isDisabled={save.isPending}>{t("serviceContacts.addContact")}</Button></div>
    </Form>
  );
}
