/**
 * 番号照会 (seed 001's 見守りキーホルダー; README "Registration numbers and the
 * keyholder lookup"): staff look a member up by the number on a card or
 * keyholder while the police, the fire service or a hospital is on the phone.
 * One form, keyboard first: the number (full-width digits and hyphens fold in
 * the API), who is calling, why (required), and whether to tell the member's
 * team; Enter looks up. The answer is what the API gives the caller — name,
 * medical notes, contacts — in large type, and says the lookup is recorded.
 * An unknown number says so plainly (the miss is recorded too).
 */
import { useMutation } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { Button, Checkbox, FieldError, Form, Input, Label, Radio, RadioGroup, Text, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { ApiFailure, api } from "../../api.ts";
import { ErrorText, errorSentence } from "../../ErrorText.tsx";
import { formatDateTime, formatPhone, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";

const CALLER_KINDS = ["police", "fire", "hospital", "other"] as const;
type CallerKind = (typeof CALLER_KINDS)[number];

/** The answer of POST /network/registration-numbers/lookup. */
interface KeyholderCard {
  lookupId: string;
  /** When the service recorded the lookup (its clock: the browser's may be wrong). */
  lookedUpAt: string;
  member: { id: string; teamId: string; displayName: string; fullName: string | null; medicalNotes: string | null };
  contacts: { displayName: string; relation: string; phone: string | null }[];
  teamTold: boolean;
}

interface Asked { number: string; callerName: string; callerKind: CallerKind; reason: string }

export function Lookup({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [number, setNumber] = useState("");
  const [callerKind, setCallerKind] = useState<CallerKind>("police");
  const [callerName, setCallerName] = useState("");
  const [organisation, setOrganisation] = useState("");
  const [phone, setPhone] = useState("");
  const [reason, setReason] = useState("");
  const [tellTeam, setTellTeam] = useState(false);
  const numberRef = useRef<HTMLInputElement>(null);
  const answerRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${t("lookup.title")} — ${t("app.title")}`;
  }, [t]);
  const lookup = useMutation({
    mutationFn: async (): Promise<{ card: KeyholderCard | null; asked: Asked }> => {
      const asked: Asked = { number: number.trim(), callerName: callerName.trim(), callerKind, reason: reason.trim() };
      const body = {
        registrationNumber: asked.number, reason: asked.reason, tellTeam,
        caller: { kind: callerKind, name: asked.callerName, ...(organisation.trim() ? { organisation: organisation.trim() } : {}), ...(phone.trim() ? { phone: phone.trim() } : {}) },
      };
      try {
        return { card: await api<KeyholderCard>("POST", "/network/registration-numbers/lookup", body), asked };
      } catch (e) {
        // No number in use matches: an answer to show, not a failure (the API recorded the miss).
        if (e instanceof ApiFailure && e.status === 404 && e.field === "registrationNumber") return { card: null, asked };
        throw e;
      }
    },
  });
  // The answer (or the plain "no such number") takes the focus so a screen reader reads it at once.
  useEffect(() => {
    if (lookup.data) answerRef.current?.focus();
  }, [lookup.data]);
  const next = () => {
    lookup.reset();
    setNumber("");
    setCallerName("");
    setOrganisation("");
    setPhone("");
    setReason("");
    setTellTeam(false);
    setCallerKind("police");
    requestAnimationFrame(() => numberRef.current?.focus());
  };
  // A refusal naming fields is shown at them, until the next change (the form refuses to submit while a field shows an error).
  const failure = lookup.error instanceof ApiFailure ? lookup.error : null;
  const fieldErrors = useMemo(() => {
    const errors: Record<string, string> = {};
    for (const f of failure?.fields.length ? failure.fields : failure?.field ? [{ field: failure.field }] : []) errors[f.field] = errorSentence(t, failure);
    return errors;
  }, [failure, t]);
  const edited = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    if (lookup.isError) lookup.reset();
  };
  const shownAtField = Object.keys(fieldErrors).some((f) => ["registrationNumber", "reason", "caller.name", "caller.organisation", "caller.phone"].includes(f));
  const answer = lookup.data;
  return (
    <div className="lookup">
      <h1>{t("lookup.title")}</h1>
      <p className="lead">{t("lookup.lead")}</p>
      <p className="notice recorded-note" id="lookup-recorded">{t("lookup.recordedNote")}</p>
      <Form onSubmit={(e) => { e.preventDefault(); lookup.mutate(); }} aria-label={t("lookup.formLabel")} className="lookup-form"
        aria-describedby="lookup-recorded" validationErrors={fieldErrors}>
        <TextField name="registrationNumber" value={number} onChange={edited(setNumber)} isRequired autoFocus
          validate={(v) => (v.trim() ? null : t("lookup.numberRequired"))}>
          <Label>{t("lookup.number")}</Label>
          <Input ref={numberRef} className="react-aria-Input number-input lookup-number" autoComplete="off" spellCheck={false} />
          <Text slot="description">{t("lookup.numberHelp")}</Text>
          <FieldError />
        </TextField>
        <fieldset className="caller">
          <legend className="caller-legend">{t("lookup.caller")}</legend>
          <RadioGroup value={callerKind} onChange={(v) => setCallerKind(v as CallerKind)} orientation="horizontal" className="react-aria-RadioGroup inline-radios">
            <Label>{t("lookup.callerKind")}</Label>
            {CALLER_KINDS.map((k) => <Radio key={k} value={k}>{t(`lookup.callerKinds.${k}`)}</Radio>)}
          </RadioGroup>
          <div className="caller-fields">
            <TextField name="caller.name" value={callerName} onChange={edited(setCallerName)} isRequired
              validate={(v) => (v.trim() ? null : t("lookup.callerNameRequired"))}>
              <Label>{t("lookup.callerName")}</Label>
              <Input autoComplete="off" />
              <FieldError />
            </TextField>
            <TextField name="caller.organisation" value={organisation} onChange={edited(setOrganisation)}>
              <Label>{t("lookup.callerOrganisation")}</Label>
              <Input autoComplete="off" />
              <FieldError />
            </TextField>
            <TextField name="caller.phone" value={phone} onChange={edited(setPhone)} type="tel">
              <Label>{t("lookup.callerPhone")}</Label>
              <Input autoComplete="off" inputMode="tel" />
              <FieldError />
            </TextField>
          </div>
        </fieldset>
        <TextField name="reason" value={reason} onChange={edited(setReason)} isRequired validate={(v) => (v.trim() ? null : t("lookup.reasonRequired"))}>
          <Label>{t("lookup.reason")}</Label>
          <Input autoComplete="off" />
          <Text slot="description">{t("lookup.reasonHelp")}</Text>
          <FieldError />
        </TextField>
        <Checkbox isSelected={tellTeam} onChange={setTellTeam}>{t("lookup.tellTeam")}</Checkbox>
        {lookup.isError && !shownAtField ? <ErrorText error={lookup.error} /> : null}
        <div className="button-row">
          <Button type="submit" className="primary big-button" isDisabled={lookup.isPending}>{t("lookup.submit")}</Button>
          {answer || lookup.isError ? <Button onPress={next}>{t("lookup.next")}</Button> : null}
        </div>
      </Form>
      <div aria-live="polite">
        {answer?.card ? (
          <section className="keyholder-card" aria-labelledby="keyholder-answer" data-testid="keyholder-card">
            <h2 id="keyholder-answer" ref={answerRef} tabIndex={-1}>
              {answer.card.member.fullName && answer.card.member.fullName !== answer.card.member.displayName
                ? `${answer.card.member.displayName}（${answer.card.member.fullName}）` : answer.card.member.displayName}
            </h2>
            <h3>{t("lookup.medicalNotes")}</h3>
            <p className="medical-notes" data-testid="medical-notes">{answer.card.member.medicalNotes ?? t("lookup.noMedicalNotes")}</p>
            <h3>{t("lookup.contacts")}</h3>
            {answer.card.contacts.length ? (
              <ol className="lookup-contacts" data-testid="lookup-contacts">
                {answer.card.contacts.map((c) => (
                  <li className="lookup-contact" key={`${c.displayName}|${c.relation}|${c.phone ?? ""}`}>
                    <span className="contact-name">{c.displayName}</span>
                    <span className="contact-relation">{c.relation}</span>
                    {c.phone ? <a className="contact-phone" href={`tel:${c.phone}`}>{formatPhone(c.phone)}</a> : <span className="muted">{t("lookup.noPhone")}</span>}
                  </li>
                ))}
              </ol>
            ) : <p>{t("lookup.noContacts")}</p>}
            <p className="recorded" role="status">
              {t("lookup.recorded", { at: formatDateTime(answer.card.lookedUpAt, me.timeZone, lang), caller: `${t(`lookup.callerKinds.${answer.asked.callerKind}`)} ${answer.asked.callerName}`, reason: answer.asked.reason })}
              {" "}{answer.card.teamTold ? t("lookup.teamTold") : t("lookup.teamNotTold")}
            </p>
          </section>
        ) : answer ? (
          <section className="keyholder-miss" aria-labelledby="keyholder-miss" data-testid="keyholder-miss">
            <h2 id="keyholder-miss" ref={answerRef} tabIndex={-1}>{t("lookup.notFound", { number: answer.asked.number })}</h2>
            <p>{t("lookup.notFoundHelp")}</p>
            <p className="recorded">{t("lookup.missRecorded")}</p>
          </section>
        ) : null}
      </div>
    </div>
  );
}
