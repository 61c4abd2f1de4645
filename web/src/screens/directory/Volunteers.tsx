/**
 * 担い手 (生活支援の担い手, the volunteers' registry, issue 14) for coordinators:
 * the list (what they help with, where, on duty or not, open requests against
 * their own limit, when last asked, the staff member who keeps in touch and when
 * next), adding and changing a volunteer, and archiving one (their open requests
 * pass on; restore brings them back). A link leads to their contacts to
 * acknowledge (/volunteers/contacts, VolunteerContacts.tsx), with how many wait. Many volunteers are healthy older people:
 * the form is one column of plainly named fields, the week as rows of a day and
 * two times. Skills come from the directory's taxonomy (the shared KindPicker).
 * Observers read (names hidden by the API); staff write. Reads and writes
 * /directory/volunteers; owners from /directory/owners, logins from
 * /directory/volunteer-logins, teams from /teams.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button, Checkbox, FieldError, Form, Input, Label, Link, Switch, TextArea, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../../api.ts";
import { ErrorText, errorSentence } from "../../ErrorText.tsx";
import { formatDateTime, formatLocalDate, formatPhone, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { navigate } from "../../router.ts";
import { KindPicker, LocalSelect, useTaxonomy } from "./Kinds.tsx";
import { CONTACTS_SUB, contactsQuery, VolunteerContacts } from "./VolunteerContacts.tsx";

/** The console's path of the registry (the screen id in router.ts). */
export const VOLUNTEERS = "/volunteers";
/** What the API shows observers instead of a personal value. */
const REDACTED = "***";
/** src/directory/domain/kinds.ts DIRECTORY_AREA_KINDS. */
const AREA_KINDS = ["whole", "team", "postal_code", "town"] as const;
type AreaKind = (typeof AREA_KINDS)[number];
const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
const NO_ONE = "none";
const ALL = "all";

/** A volunteer as GET /directory/volunteers gives it. */
interface Volunteer {
  id: string; personId: string | null; displayName: string; phone: string | null; skills: string[]; areas: { kind: AreaKind; value: string }[];
  availability: { weekday: number; from: string; to: string }[]; onDuty: boolean; maxOpenRequests: number | null; openRequests: number;
  lastAskedAt: string | null; note: string | null; ownerPersonId: string | null; nextContactOn: string | null; nextContactDue: boolean; archived: boolean;
}
interface Named { id: string; displayName: string }

const canWrite = (me: Me) => me.role === "admin" || me.role === "staff";

export function Volunteers({ me, sub }: { me: Me; sub: string | null }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${t("volunteers.title")} — ${t("app.title")}`;
  }, [t]);
  if (sub === CONTACTS_SUB) return <VolunteerContacts me={me} back={VOLUNTEERS} />;
  return sub ? <VolunteerPage me={me} id={sub} /> : <VolunteerList me={me} />;
}

/** The staff who may own a volunteer (staff only: observers cannot read names) and the teams. */
function usePeople(me: Me) {
  const owners = useQuery({ queryKey: ["directory-owners"], queryFn: () => api<{ owners: Named[] }>("GET", "/directory/owners"), enabled: canWrite(me) });
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<{ teams: { id: string; name: string }[] }>("GET", "/teams") });
  const ownerName = (id: string | null) => (id ? owners.data?.owners.find((o) => o.id === id)?.displayName ?? null : null);
  const teamName = (id: string) => teams.data?.teams.find((x) => x.id === id)?.name ?? id;
  return { owners: owners.data?.owners ?? [], teams: teams.data?.teams ?? [], ownerName, teamName };
}

/** An area in words: 地域全体, a team's name, 〒271…, a town. */
function useAreaWords(me: Me) {
  const { t } = useTranslation();
  const { teamName } = usePeople(me);
  return (a: { kind: AreaKind; value: string }) =>
    a.kind === "whole" ? t("volunteers.areaKinds.whole")
      : a.kind === "team" ? teamName(a.value)
      : a.kind === "postal_code" ? t("volunteers.postalArea", { code: a.value })
      : a.value;
}

function VolunteerList({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [adding, setAdding] = useState(false);
  const [archived, setArchived] = useState(false);
  const [skill, setSkill] = useState(ALL);
  const { terms, nameOf, depth } = useTaxonomy();
  const { ownerName } = usePeople(me);
  const areaWords = useAreaWords(me);
  const list = useQuery({
    queryKey: ["directory-volunteers", archived, skill],
    queryFn: () => api<{ volunteers: Volunteer[] }>("GET", `/directory/volunteers?${new URLSearchParams({
      ...(archived ? { archived: "true" } : {}), ...(skill !== ALL ? { skill } : {}),
    })}`),
    placeholderData: (previous) => previous,
  });
  const rows = list.data?.volunteers ?? [];
  const waiting = useQuery(contactsQuery("unacknowledged"));
  const waitingCount = waiting.data?.contacts.length ?? 0;
  const hidden = (name: string) => (name === REDACTED ? t("volunteers.hidden") : name);
  const sep = t("volunteers.sep");
  return (
    <div className="partners volunteers">
      <h1>{t("volunteers.title")}</h1>
      <p>{t("volunteers.lead")}</p>
      <p>
        <Link href={`${VOLUNTEERS}/${CONTACTS_SUB}`}>
          {waitingCount ? t("volunteers.contacts.openWaiting", { count: waitingCount }) : t("volunteers.contacts.open")}
        </Link>
      </p>
      {canWrite(me) && !adding ? (
        <div className="button-row"><Button className="primary" onPress={() => setAdding(true)}>{t("volunteers.add")}</Button></div>
      ) : null}
      {adding ? <VolunteerForm me={me} onCancel={() => setAdding(false)} onDone={(v) => navigate(`${VOLUNTEERS}/${v.id}`)} /> : null}
      <div className="inline-form filters">
        <LocalSelect label={t("volunteers.skillFilter")} value={skill} onChange={setSkill}
          options={[{ id: ALL, name: t("volunteers.allSkills") }, ...terms.map((term) => ({ id: term.code, name: `${"\u3000".repeat(depth(term.code))}${nameOf(term.code)}` }))]} />
        <Checkbox isSelected={archived} onChange={setArchived}>{t("volunteers.showArchived")}</Checkbox>
      </div>
      {list.isPending ? <p>{t("app.loading")}</p> : null}
      {list.isError ? <ErrorText error={list.error} /> : null}
      {list.data ? <p role="status">{t("volunteers.count", { count: rows.length })}</p> : null}
      {rows.length ? (
        <table className="partner-list volunteer-list">
          <caption className="visually-hidden">{t("volunteers.caption")}</caption>
          <thead>
            <tr>
              {(["name", "skills", "areas", "onDuty", "requests", "lastAsked", "owner", "nextContact"] as const).map((c) => (
                <th key={c} scope="col">{t(`volunteers.columns.${c}`)}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((v) => {
              const due = v.nextContactDue;
              return (
                <tr key={v.id} className={due ? "overdue" : undefined}>
                  <th scope="row">
                    <Link href={`${VOLUNTEERS}/${v.id}`}>{hidden(v.displayName)}</Link>
                    {v.archived ? <> <span className="badge">{t("volunteers.archived")}</span></> : null}
                  </th>
                  <td data-label={t("volunteers.columns.skills")}>{v.skills.map(nameOf).join(sep) || <span className="muted">{t("volunteers.notSet")}</span>}</td>
                  <td data-label={t("volunteers.columns.areas")}>{v.areas.map(areaWords).join(sep) || <span className="muted">{t("volunteers.notSet")}</span>}</td>
                  <td data-label={t("volunteers.columns.onDuty")}>{v.onDuty ? t("volunteers.onDutyYes") : <span className="muted">{t("volunteers.onDutyNo")}</span>}</td>
                  <td data-label={t("volunteers.columns.requests")}>{t("volunteers.openOf", { open: v.openRequests, limit: v.maxOpenRequests ?? 1 })}</td>
                  <td data-label={t("volunteers.columns.lastAsked")}>
                    {v.lastAskedAt ? formatDateTime(v.lastAskedAt, me.timeZone, lang) : <span className="muted">{t("volunteers.neverAsked")}</span>}
                  </td>
                  <td data-label={t("volunteers.columns.owner")}>
                    {v.ownerPersonId ? (ownerName(v.ownerPersonId) ?? t("volunteers.hidden")) : <span className="muted">{t("volunteers.notSet")}</span>}
                  </td>
                  <td data-label={t("volunteers.columns.nextContact")}>
                    {v.nextContactOn ? formatLocalDate(v.nextContactOn, lang) : <span className="muted">{t("volunteers.notSet")}</span>}
                    {due ? <> <span className="badge overdue-badge">{t("volunteers.contactDue")}</span></> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : list.data ? <p>{t("volunteers.none")}</p> : null}
    </div>
  );
}

function VolunteerPage({ me, id }: { me: Me; id: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const volunteer = useQuery({ queryKey: ["directory-volunteer", id], queryFn: () => api<Volunteer>("GET", `/directory/volunteers/${id}`) });
  const v = volunteer.data;
  useEffect(() => {
    if (v) document.title = `${v.displayName} — ${t("volunteers.title")} — ${t("app.title")}`;
  }, [v, t]);
  const refresh = async (next: Volunteer) => {
    queryClient.setQueryData(["directory-volunteer", id], next);
    await queryClient.invalidateQueries({ queryKey: ["directory-volunteers"] });
  };
  const archive = useMutation({
    mutationFn: (archived: boolean) => api<Volunteer>("PATCH", `/directory/volunteers/${id}`, { archived }),
    onSuccess: async (next) => { setNotice(t(next.archived ? "volunteers.archivedNotice" : "volunteers.restoredNotice")); await refresh(next); },
  });
  return (
    <div className="partners volunteers">
      <p><Link href={VOLUNTEERS}>{t("volunteers.back")}</Link></p>
      {volunteer.isPending ? <p>{t("app.loading")}</p> : null}
      {volunteer.isError ? <ErrorText error={volunteer.error} /> : null}
      {v ? (
        <>
          <h1>{v.displayName === REDACTED ? t("volunteers.hidden") : v.displayName}</h1>
          {notice ? <p role="status" className="notice">{notice}</p> : null}
          {v.archived ? <p className="muted">{t("volunteers.archivedLead")}</p> : null}
          {canWrite(me) ? (
            <>
              <VolunteerForm key={`${v.id}-${v.archived}`} me={me} volunteer={v}
                onDone={async (next) => { setNotice(t("volunteers.savedNotice")); await refresh(next); }} />
              <section aria-labelledby="volunteer-archive">
                <h2 id="volunteer-archive">{t(v.archived ? "volunteers.restoreTitle" : "volunteers.archiveTitle")}</h2>
                <p>{t(v.archived ? "volunteers.restoreLead" : "volunteers.archiveLead")}</p>
                <Button onPress={() => archive.mutate(!v.archived)} isDisabled={archive.isPending}>
                  {t(v.archived ? "volunteers.restore" : "volunteers.archive")}
                </Button>
                {archive.isError ? <ErrorText error={archive.error} /> : null}
              </section>
            </>
          ) : <ReadOnly me={me} volunteer={v} />}
        </>
      ) : null}
    </div>
  );
}

/** What an observer reads (no form). */
function ReadOnly({ me, volunteer: v }: { me: Me; volunteer: Volunteer }) {
  const { t, i18n } = useTranslation();
  const { nameOf } = useTaxonomy();
  const areaWords = useAreaWords(me);
  const sep = t("volunteers.sep");
  return (
    <dl className="facts">
      <dt>{t("volunteers.columns.skills")}</dt><dd>{v.skills.map(nameOf).join(sep) || t("volunteers.notSet")}</dd>
      <dt>{t("volunteers.columns.areas")}</dt><dd>{v.areas.map(areaWords).join(sep) || t("volunteers.notSet")}</dd>
      <dt>{t("volunteers.form.availability")}</dt>
      <dd>{v.availability.map((s) => t("volunteers.slotWords", { day: t(`volunteers.weekdays.${s.weekday}`), from: s.from, to: s.to })).join(sep) || t("volunteers.notSet")}</dd>
      <dt>{t("volunteers.columns.onDuty")}</dt><dd>{v.onDuty ? t("volunteers.onDutyYes") : t("volunteers.onDutyNo")}</dd>
      <dt>{t("volunteers.columns.nextContact")}</dt><dd>{v.nextContactOn ? formatLocalDate(v.nextContactOn, i18n.language as Lang) : t("volunteers.notSet")}</dd>
    </dl>
  );
}

interface Draft {
  displayName: string; phone: string; note: string; nextContactOn: string; onDuty: boolean; maxOpenRequests: string; personId: string; ownerPersonId: string;
  skills: string[]; areas: { key: number; kind: AreaKind; value: string }[]; slots: { key: number; weekday: string; from: string; to: string }[];
}

/**
 * Add (no `volunteer`) or change a volunteer. Everything is sent each time (the
 * API takes the whole lists). Refusals are shown at their fields: the API names
 * them (skills.1, areas.0.value, availability.2.to), and the form tells the
 * simple ones itself (a name, a time the wrong way round, an area left empty).
 */
function VolunteerForm({ me, volunteer, onDone, onCancel }: {
  me: Me; volunteer?: Volunteer; onDone: (v: Volunteer) => void | Promise<void>; onCancel?: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { owners, teams } = usePeople(me);
  const logins = useQuery({
    queryKey: ["directory-volunteer-logins"],
    queryFn: () => api<{ logins: { personId: string; displayName: string; volunteerId: string | null }[] }>("GET", "/directory/volunteer-logins"),
  });
  let key = 0;
  const [draft, setDraft] = useState<Draft>(() => ({
    // The API answers E.164 (+819012345678); people edit the number as they write it (090-1234-5678).
    displayName: volunteer?.displayName ?? "", phone: volunteer?.phone ? formatPhone(volunteer.phone) : "", note: volunteer?.note ?? "", nextContactOn: volunteer?.nextContactOn ?? "",
    onDuty: volunteer?.onDuty ?? true, maxOpenRequests: String(volunteer?.maxOpenRequests ?? 1), personId: volunteer?.personId ?? NO_ONE,
    ownerPersonId: volunteer?.ownerPersonId ?? NO_ONE, skills: volunteer?.skills ?? [],
    areas: (volunteer?.areas ?? []).map((a) => ({ key: key++, ...a })),
    slots: (volunteer?.availability ?? []).map((s) => ({ key: key++, weekday: String(s.weekday), from: s.from, to: s.to })),
  }));
  const [nextKey, setNextKey] = useState(1000);
  const [refused, setRefused] = useState<Record<string, string>>({});
  const set = (change: Partial<Draft>, field?: string) => {
    setDraft((d) => ({ ...d, ...change }));
    if (field) setRefused((all) => { const { [field]: _, ...rest } = all; return rest; });
  };
  const required = t("volunteers.refused.required");
  const checks = () => {
    const out: Record<string, string> = {};
    if (!draft.displayName.trim()) out.displayName = required;
    draft.areas.forEach((a, i) => { if (a.kind !== "whole" && !a.value.trim()) out[`area-${i}`] = t(a.kind === "team" ? "volunteers.refused.team" : "volunteers.refused.areaValue"); });
    draft.slots.forEach((s, i) => {
      if (!s.from || !s.to) out[`slot-${i}`] = t("volunteers.refused.times");
      else if (s.from >= s.to) out[`slot-${i}`] = t("volunteers.refused.order");
    });
    return out;
  };
  const body = () => ({
    displayName: draft.displayName.trim(), phone: draft.phone.trim() || null, note: draft.note.trim() || null, nextContactOn: draft.nextContactOn || null,
    onDuty: draft.onDuty, maxOpenRequests: Number(draft.maxOpenRequests), personId: draft.personId === NO_ONE ? null : draft.personId,
    ownerPersonId: draft.ownerPersonId === NO_ONE ? null : draft.ownerPersonId, skills: draft.skills,
    areas: draft.areas.map((a) => ({ kind: a.kind, value: a.kind === "whole" ? "" : a.value.trim() })),
    availability: draft.slots.map((s) => ({ weekday: Number(s.weekday), from: s.from, to: s.to })),
  });
  const save = useMutation({
    mutationFn: () => (volunteer ? api<Volunteer>("PATCH", `/directory/volunteers/${volunteer.id}`, body()) : api<Volunteer>("POST", "/directory/volunteers", body())),
    onError: (error) => {
      if (!(error instanceof ApiFailure) || error.status >= 500) return;
      const list = error.fields.length ? error.fields : error.field ? [{ field: error.field, code: error.code }] : [];
      const words = (code: string) => {
        const k = `volunteers.refused.${code}`;
        const w = t(k);
        return w === k ? errorSentence(t, error) : w;
      };
      setRefused(Object.fromEntries(list.map((f) => {
        const [head, index] = f.field.split(".");
        const field = head === "areas" ? `area-${index}` : head === "availability" ? `slot-${index}` : head ?? f.field;
        return [field, words(f.code)];
      })));
    },
    onSuccess: async (v) => {
      await queryClient.invalidateQueries({ queryKey: ["directory-volunteers"] });
      await queryClient.invalidateQueries({ queryKey: ["directory-volunteer-logins"] });
      await onDone(v);
    },
  });
  const submit = () => {
    const problems = checks();
    setRefused(problems);
    if (!Object.keys(problems).length) save.mutate();
  };
  const text = (name: "displayName" | "phone" | "note", label: string, multiline = false) => (
    <TextField name={name} value={draft[name]} onChange={(v) => set({ [name]: v }, name)} isRequired={name === "displayName"}>
      <Label>{label}</Label>
      {multiline ? <TextArea rows={3} /> : <Input {...(name === "phone" ? { type: "tel", inputMode: "tel" as const } : {})} />}
      <FieldError />
    </TextField>
  );
  const heading = volunteer ? t("volunteers.editTitle") : t("volunteers.addTitle");
  const anyRefused = Object.keys(refused).length > 0;
  const freeLogins = (logins.data?.logins ?? []).filter((l) => l.volunteerId === null || l.volunteerId === volunteer?.id);
  return (
    <Form className="member-form partner-form volunteer-form" aria-label={heading} validationBehavior="aria" validationErrors={refused}
      onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <h2>{heading}</h2>
      {!volunteer ? <p>{t("volunteers.formLead")}</p> : null}
      {anyRefused || save.isError ? <div role="alert" className="error">{anyRefused ? t("volunteers.fixFields") : errorSentence(t, save.error)}</div> : null}
      {text("displayName", t("volunteers.form.displayName"))}
      {text("phone", t("volunteers.form.phone"))}
      <KindPicker legend={t("volunteers.form.skills")} label={t("volunteers.form.addSkill")} codes={draft.skills} onChange={(skills) => set({ skills }, "skills")}
        removeLabel={(name) => t("volunteers.form.removeSkill", { name })} empty={t("volunteers.form.noSkills")} error={refused.skills} />
      <fieldset>
        <legend>{t("volunteers.form.areas")}</legend>
        {draft.areas.map((a, i) => (
          <div key={a.key} className="form-grid area-row">
            <LocalSelect label={t("volunteers.form.areaKind", { n: i + 1 })} value={a.kind}
              onChange={(kind) => set({ areas: draft.areas.map((x, j) => (j === i ? { ...x, kind: kind as AreaKind, value: "" } : x)) }, `area-${i}`)}
              options={AREA_KINDS.map((k) => ({ id: k, name: t(`volunteers.areaKinds.${k}`) }))} />
            {a.kind === "team" ? (
              <LocalSelect label={t("volunteers.form.team")} value={a.value} invalid={refused[`area-${i}`]}
                onChange={(value) => set({ areas: draft.areas.map((x, j) => (j === i ? { ...x, value } : x)) }, `area-${i}`)}
                options={teams.map((x) => ({ id: x.id, name: x.name }))} />
            ) : a.kind !== "whole" ? (
              <TextField name={`area-${i}`} value={a.value} onChange={(value) => set({ areas: draft.areas.map((x, j) => (j === i ? { ...x, value } : x)) }, `area-${i}`)}>
                <Label>{t(a.kind === "postal_code" ? "volunteers.form.postalCode" : "volunteers.form.town")}</Label>
                <Input {...(a.kind === "postal_code" ? { inputMode: "numeric" as const } : {})} />
                <FieldError />
              </TextField>
            ) : <span />}
            <Button onPress={() => set({ areas: draft.areas.filter((_, j) => j !== i) })}>{t("volunteers.form.removeArea", { n: i + 1 })}</Button>
          </div>
        ))}
        <Button onPress={() => { set({ areas: [...draft.areas, { key: nextKey, kind: "town", value: "" }] }); setNextKey((k) => k + 1); }}>
          {t("volunteers.form.addArea")}
        </Button>
      </fieldset>
      <fieldset>
        <legend>{t("volunteers.form.availability")}</legend>
        <p className="muted">{t("volunteers.form.availabilityLead")}</p>
        {draft.slots.map((s, i) => (
          <div key={s.key} className="form-grid slot-row">
            <LocalSelect label={t("volunteers.form.weekday", { n: i + 1 })} value={s.weekday}
              onChange={(weekday) => set({ slots: draft.slots.map((x, j) => (j === i ? { ...x, weekday } : x)) }, `slot-${i}`)}
              options={WEEKDAYS.map((d) => ({ id: String(d), name: t(`volunteers.weekdays.${d}`) }))} />
            <TextField name={`slot-${i}`} type="time" value={s.from} onChange={(from) => set({ slots: draft.slots.map((x, j) => (j === i ? { ...x, from } : x)) }, `slot-${i}`)}>
              <Label>{t("volunteers.form.from")}</Label>
              <Input />
              <FieldError />
            </TextField>
            <TextField type="time" value={s.to} onChange={(to) => set({ slots: draft.slots.map((x, j) => (j === i ? { ...x, to } : x)) }, `slot-${i}`)}>
              <Label>{t("volunteers.form.to")}</Label>
              <Input />
            </TextField>
            <Button onPress={() => set({ slots: draft.slots.filter((_, j) => j !== i) })}>{t("volunteers.form.removeSlot", { n: i + 1 })}</Button>
          </div>
        ))}
        <Button onPress={() => { set({ slots: [...draft.slots, { key: nextKey, weekday: "1", from: "10:00", to: "12:00" }] }); setNextKey((k) => k + 1); }}>
          {t("volunteers.form.addSlot")}
        </Button>
      </fieldset>
      <fieldset>
        <legend>{t("volunteers.form.requests")}</legend>
        <Switch isSelected={draft.onDuty} onChange={(onDuty) => set({ onDuty })}>
          <div className="indicator" aria-hidden="true" />{t("volunteers.form.onDuty")}
        </Switch>
        <p className="muted">{t("volunteers.form.onDutyLead")}</p>
        <LocalSelect label={t("volunteers.form.maxOpenRequests")} value={draft.maxOpenRequests} invalid={refused.maxOpenRequests}
          onChange={(maxOpenRequests) => set({ maxOpenRequests }, "maxOpenRequests")}
          options={[1, 2, 3, 4, 5].map((n) => ({ id: String(n), name: t("volunteers.form.atOnce", { count: n }) }))} />
      </fieldset>
      <fieldset>
        <legend>{t("volunteers.form.contact")}</legend>
        <LocalSelect label={t("volunteers.form.login")} value={draft.personId} invalid={refused.personId} onChange={(personId) => set({ personId }, "personId")}
          options={[{ id: NO_ONE, name: t("volunteers.form.noLogin") }, ...freeLogins.map((l) => ({ id: l.personId, name: l.displayName }))]} />
        <p className="muted">{t("volunteers.form.loginLead")}</p>
        <LocalSelect label={t("volunteers.form.owner")} value={draft.ownerPersonId} invalid={refused.ownerPersonId}
          onChange={(ownerPersonId) => set({ ownerPersonId }, "ownerPersonId")}
          options={[{ id: NO_ONE, name: t("volunteers.form.noOwner") }, ...owners.map((o) => ({ id: o.id, name: o.displayName }))]} />
        <TextField name="nextContactOn" type="date" value={draft.nextContactOn} onChange={(nextContactOn) => set({ nextContactOn }, "nextContactOn")}>
          <Label>{t("volunteers.form.nextContactOn")}</Label>
          <Input />
          <FieldError />
        </TextField>
      </fieldset>
      {text("note", t("volunteers.form.note"), true)}
      <div className="button-row">
        <Button type="submit" className="primary" isDisabled={save.isPending}>{t(volunteer ? "volunteers.save" : "volunteers.create")}</Button>
        {onCancel ? <Button onPress={onCancel}>{t("volunteers.cancel")}</Button> : null}
      </div>
    </Form>
  );
}
