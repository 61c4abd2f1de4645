/**
 * A member's registration and its changes (利用者の登録・変更): name and
 * furigana, the municipality's number, personal details, team, the check-in
 * channel and plan, consent to the terms; at registration one contact; on a
 * member's page their contacts (add, remove, ask to confirm). A likely
 * duplicate is shown after registration (the member is registered all the
 * same: twins and couples sharing a phone exist).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, FieldError, Form, Input, Label, Link, TextArea, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { localDateIn, startOfLocalDay, todayIn } from "../format.ts";
import { navigate } from "../router.ts";
import { FieldSelect } from "./Import.tsx";

const CHANNELS = ["voice", "sms", "email", "line", "sandbox"] as const;
const INTERVALS = ["1d", "2d", "3d", "5d", "30d", "weekly", "biweekly"] as const;

interface Channel { kind: string; address: string }
export interface EditableMember {
  id: string; displayName: string; displayNameKana: string | null; externalId: string | null; teamId: string; channels: Channel[];
  plan: { every: string; weekday?: number; at: string; timeZone: string };
  fullName?: string; address?: string; birthDate?: string; phone?: string; medicalNotes?: string;
  consent: { termsVersion: string; at: string } | null;
  contacts: { id: string; displayName: string; relation: string; channels: Channel[]; confirmed: boolean }[];
}
interface Team { id: string; name: string; isDefault?: boolean }
interface Duplicate { memberId: string; displayName: string; reason: string }

/** A phone typed by a person: mobiles (070/080/090) get texts, others calls. */
const phoneKind = (phone: string) => (/^\+?(81)?0?[789]0/.test(phone.normalize("NFKC").replace(/[^\d+]/g, "")) ? "sms" : "voice");

function Text({ label, value, onChange, required = false, multiline = false, description }: {
  label: string; value: string; onChange: (v: string) => void; required?: boolean; multiline?: boolean; description?: string;
}) {
  const { t } = useTranslation();
  return (
    <TextField value={value} onChange={onChange} isRequired={required} validate={(v) => (required && !v.trim() ? t("memberForm.required") : null)}>
      <Label>{label}</Label>
      {multiline ? <TextArea rows={3} /> : <Input />}
      {description ? <span slot="description">{description}</span> : null}
      <FieldError />
    </TextField>
  );
}


/** Today's date (YYYY-MM-DD) in the organisation's zone. */

export function MemberForm({ member, timeZone, onDone }: { member?: EditableMember; timeZone: string; onDone?: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<{ teams: Team[] }>("GET", "/teams") });
  const [displayName, setDisplayName] = useState(member?.displayName ?? "");
  const [kana, setKana] = useState(member?.displayNameKana ?? "");
  const [externalId, setExternalId] = useState(member?.externalId ?? "");
  const [fullName, setFullName] = useState(member?.fullName ?? "");
  const [birthDate, setBirthDate] = useState(member?.birthDate ?? "");
  const [phone, setPhone] = useState(member?.phone ?? "");
  const [address, setAddress] = useState(member?.address ?? "");
  const [teamId, setTeamId] = useState(member?.teamId ?? "");
  const [channelKind, setChannelKind] = useState(member?.channels[0]?.kind ?? "voice");
  const [channelAddress, setChannelAddress] = useState(member?.channels[0]?.address ?? "");
  const [every, setEvery] = useState(member?.plan.every ?? "1d");
  const [weekday, setWeekday] = useState(String(member?.plan.weekday ?? 1));
  const [at, setAt] = useState(member?.plan.at ?? "09:00");
  const [termsVersion, setTermsVersion] = useState(member?.consent?.termsVersion ?? "");
  const [consentDate, setConsentDate] = useState(member?.consent ? localDateIn(member.consent.at, timeZone) : "");
  const [contactName, setContactName] = useState("");
  const [contactRelation, setContactRelation] = useState("");
  const [contactPhone, setContactPhone] = useState("");
  const [created, setCreated] = useState<{ id: string; name: string; duplicates: Duplicate[] } | null>(null);
  const weekly = every === "weekly" || every === "biweekly";

  const body = () => {
    const address_ = channelAddress.trim() || ((channelKind === "voice" || channelKind === "sms") ? phone.trim() : "");
    const channels = [{ kind: channelKind, address: address_ }, ...(member?.channels.slice(1) ?? [])];
    const plan = { every, at, ...(weekly ? { weekday: Number(weekday) } : {}), ...(member ? { timeZone: member.plan.timeZone } : {}) };
    const planChanged = !member || member.plan.every !== every || member.plan.at !== at || (weekly && member.plan.weekday !== Number(weekday));
    const consent = termsVersion.trim() ? { termsVersion: termsVersion.trim(), at: startOfLocalDay(consentDate || todayIn(timeZone), timeZone) } : null;
    const consentChanged = !member || (member.consent?.termsVersion ?? "") !== termsVersion.trim() || (member.consent ? localDateIn(member.consent.at, timeZone) : "") !== consentDate;
    const personal = member
      ? { fullName, address, phone, birthDate }
      : Object.fromEntries(Object.entries({ fullName, address, phone, birthDate }).filter(([, v]) => v.trim()));
    const full: Record<string, unknown> = {
      displayName, channels, ...(planChanged ? { plan } : {}), ...personal,
      ...(member ? { displayNameKana: kana, externalId } : { ...(kana.trim() ? { displayNameKana: kana } : {}), ...(externalId.trim() ? { externalId } : {}) }),
      ...(teamId ? { teamId } : {}),
      ...(member ? (consentChanged ? { consent } : {}) : consent ? { consent } : {}),
      ...(!member && contactName.trim() && contactPhone.trim()
        ? { contacts: [{ displayName: contactName, relation: contactRelation.trim() || t("memberForm.contactName"), channels: [{ kind: phoneKind(contactPhone), address: contactPhone }] }] }
        : {}),
    };
    if (!member) return full;
    // A change sends only what changed: the audit log then says which fields a person changed.
    const before: Record<string, unknown> = {
      displayName: member.displayName, displayNameKana: member.displayNameKana ?? "", externalId: member.externalId ?? "",
      fullName: member.fullName ?? "", address: member.address ?? "", phone: member.phone ?? "", birthDate: member.birthDate ?? "",
      teamId: member.teamId, channels: member.channels,
    };
    return Object.fromEntries(Object.entries(full).filter(([key, value]) => !(key in before) || JSON.stringify(before[key]) !== JSON.stringify(value)));
  };
  const save = useMutation({
    mutationFn: async () => {
      if (member) return api<{ id: string }>("PATCH", `/members/${member.id}`, body());
      return api<{ id: string; displayName: string; likelyDuplicates: Duplicate[] }>("POST", "/members", body());
    },
    onSuccess: (result) => {
      void queryClient.invalidateQueries({ queryKey: ["members"] });
      if (member) {
        void queryClient.invalidateQueries({ queryKey: ["member", member.id] });
        onDone?.();
        return;
      }
      const r = result as { id: string; displayName: string; likelyDuplicates: Duplicate[] };
      if (r.likelyDuplicates.length) setCreated({ id: r.id, name: r.displayName, duplicates: r.likelyDuplicates });
      else navigate(`/members/${r.id}`);
    },
  });

  if (created) {
    return (
      <div className="member-form">
        <h1>{t("memberForm.createTitle")}</h1>
        <p role="status">{t("memberForm.created", { name: created.name })}</p>
        <div className="notice warn" role="alert">
          <p>{t("memberForm.duplicates")}</p>
          <ul className="plain">
            {created.duplicates.map((d) => (
              <li key={d.memberId}><Link href={`/members/${d.memberId}`}>{d.displayName}</Link>（{t(`memberForm.duplicateReasons.${d.reason}`)}）</li>
            ))}
          </ul>
        </div>
        <p><Link href={`/members/${created.id}`}>{t("memberForm.openMember")}</Link></p>
      </div>
    );
  }

  const teamOptions = (teams.data?.teams ?? []).map((team) => ({ id: team.id, name: team.name }));
  return (
    <Form className="member-form" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}
      aria-labelledby="member-form-heading" validationBehavior="aria">
      {member ? <h2 id="member-form-heading">{t("memberForm.editTitle")}</h2> : <h1 id="member-form-heading">{t("memberForm.createTitle")}</h1>}
      <div className="form-grid">
        <Text label={t("memberForm.displayName")} value={displayName} onChange={setDisplayName} required />
        <Text label={t("memberForm.displayNameKana")} value={kana} onChange={setKana} />
        <Text label={t("memberForm.externalId")} value={externalId} onChange={setExternalId} />
        <Text label={t("memberForm.fullName")} value={fullName} onChange={setFullName} />
        <Text label={t("memberForm.birthDate")} value={birthDate} onChange={setBirthDate} />
        <Text label={t("memberForm.phone")} value={phone} onChange={setPhone} />
        <Text label={t("memberForm.address")} value={address} onChange={setAddress} />
        {teamOptions.length > 1 ? (
          <FieldSelect label={t("memberForm.team")} value={teamId || (teams.data?.teams.find((x) => x.isDefault)?.id ?? teamOptions[0].id)}
            onChange={setTeamId} options={teamOptions} visible />
        ) : null}
        <FieldSelect label={t("memberForm.channelKind")} value={channelKind} onChange={setChannelKind} visible
          options={CHANNELS.map((c) => ({ id: c, name: t(`channels.${c}`) }))} />
        <Text label={t("memberForm.channelAddress")} value={channelAddress} onChange={setChannelAddress} />
        <FieldSelect label={t("memberForm.every")} value={every} onChange={setEvery} visible
          options={INTERVALS.map((i) => ({ id: i, name: t(`members.every.${i}`) }))} />
        {weekly ? (
          <FieldSelect label={t("memberForm.weekday")} value={weekday} onChange={setWeekday} visible
            options={["1", "2", "3", "4", "5", "6", "7"].map((d) => ({ id: d, name: t(`memberForm.weekdays.${d}`) }))} />
        ) : null}
        <Text label={t("memberForm.at")} value={at} onChange={setAt} required />
        <Text label={t("memberForm.termsVersion")} value={termsVersion} onChange={setTermsVersion} />
        <Text label={t("memberForm.consentAt")} value={consentDate} onChange={setConsentDate} />
        {!member ? (
          <>
            <Text label={t("memberForm.contactName")} value={contactName} onChange={setContactName} />
            <Text label={t("memberForm.contactRelation")} value={contactRelation} onChange={setContactRelation} />
            <Text label={t("memberForm.contactPhone")} value={contactPhone} onChange={setContactPhone} />
          </>
        ) : null}
      </div>
      {save.isError ? (
        <>
          <ErrorText error={save.error} />
          {save.error instanceof ApiFailure && save.error.field ? <p className="error">{fieldLabel(t, save.error.field)}</p> : null}
        </>
      ) : null}
      <div className="button-row">
        <Button type="submit" className="primary" isDisabled={save.isPending}>{member ? t("memberForm.save") : t("memberForm.create")}</Button>
        {member ? <Button onPress={() => onDone?.()}>{t("memberForm.cancel")}</Button> : <Link href="/members">{t("memberForm.cancel")}</Link>}
      </div>
    </Form>
  );
}

/** The form's label of the field the API refused (its `field`, e.g. `channels.0.address`). */
function fieldLabel(t: (key: string) => string, field: string): string {
  const labels: Record<string, string> = {
    displayName: "memberForm.displayName", displayNameKana: "memberForm.displayNameKana", externalId: "memberForm.externalId",
    fullName: "memberForm.fullName", birthDate: "memberForm.birthDate", phone: "memberForm.phone", address: "memberForm.address",
    channels: "memberForm.channelAddress", plan: "memberForm.at", consent: "memberForm.termsVersion", contacts: "memberForm.contactPhone",
  };
  const key = labels[field.split(".")[0]];
  return key ? `→ ${t(key)}` : `→ ${field}`;
}

/** A member's contacts on their page: add one, remove one, ask one to confirm. */
export function ContactEditor({ member }: { member: EditableMember }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [relation, setRelation] = useState("");
  const [phone, setPhone] = useState("");
  const [note, setNote] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["member", member.id] });
  const add = useMutation({
    mutationFn: () => api("POST", `/members/${member.id}/contacts`, { displayName: name, relation, channels: [{ kind: phoneKind(phone), address: phone }] }),
    onSuccess: () => {
      setName("");
      setRelation("");
      setPhone("");
      refresh();
    },
  });
  const remove = useMutation({ mutationFn: (id: string) => api("DELETE", `/contacts/${id}`), onSuccess: refresh });
  const ask = useMutation({
    mutationFn: (id: string) => api("POST", `/contacts/${id}/confirmation-request`),
    onSuccess: () => setNote(t("memberForm.confirmRequested")),
  });
  return (
    <section aria-labelledby="contacts-edit-heading">
      <h3 id="contacts-edit-heading">{t("memberForm.contactsTitle")}</h3>
      <ul className="plain">
        {member.contacts.map((c) => (
          <li key={c.id}>
            {c.displayName}（{c.relation}）— {c.confirmed ? t("members.confirmed") : t("members.unconfirmed")}{" "}
            {!c.confirmed ? <Button onPress={() => ask.mutate(c.id)} aria-label={`${t("memberForm.askConfirm")}: ${c.displayName}`}>{t("memberForm.askConfirm")}</Button> : null}{" "}
            <Button onPress={() => remove.mutate(c.id)} aria-label={`${t("memberForm.removeContact")}: ${c.displayName}`}>{t("memberForm.removeContact")}</Button>
          </li>
        ))}
      </ul>
      {note ? <p role="status">{note}</p> : null}
      <Form className="inline-form" onSubmit={(e) => { e.preventDefault(); add.mutate(); }} aria-labelledby="contacts-edit-heading">
        <Text label={t("memberForm.contactName")} value={name} onChange={setName} required />
        <Text label={t("memberForm.contactRelation")} value={relation} onChange={setRelation} required />
        <Text label={t("memberForm.contactPhone")} value={phone} onChange={setPhone} required />
        <Button type="submit" isDisabled={add.isPending}>{t("memberForm.addContact")}</Button>
      </Form>
      {add.isError ? <ErrorText error={add.error} /> : null}
      {remove.isError ? <ErrorText error={remove.error} /> : null}
      {ask.isError ? <ErrorText error={ask.error} /> : null}
    </section>
  );
}
