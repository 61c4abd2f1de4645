/**
 * 同意と個人情報 on a member's page (the regional network, README "Consent and
 * personal information"): whether watching has consent (flagged when not), the
 * decision in force per purpose, the history, recording a new decision (staff),
 * the disclosures made; and for admins the member's data on request — export as
 * JSON or CSV, and erasure after typing the member's name.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, Form, Input, Label, ListBox, ListBoxItem, Popover, Select, SelectValue, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, download } from "../../api.ts";
import { ErrorText } from "../../ErrorText.tsx";
import { formatDate, formatDateTime, type Lang, startOfLocalDay, todayIn } from "../../format.ts";
import type { Me } from "../../me.ts";
import { navigate } from "../../router.ts";

const PURPOSES = ["watching", "share_contacts", "share_partners", "device_monitoring", "disaster_support_list"] as const;
const METHODS = ["paper", "in_person", "phone", "line", "web"] as const;

interface ConsentView {
  id: string; purpose: string; decision: "permit" | "deny"; periodStart: string; periodEnd: string | null; method: string;
  termsVersion: string | null; createdBy: string; givenAt: string; recordedAt: string; note: string | null;
}
interface MemberConsents {
  watching: "recorded" | "terms" | "denied" | "missing";
  current: { purpose: string; decision: "permit" | "deny" | "none"; consent: ConsentView | null }[];
  history: ConsentView[];
}
interface DisclosureView { id: string; basis: string; recipient: string; recipientKind: string; purpose: string; fields: string[]; disclosedAt: string }

function Choice({ label, value, onChange, options, prefix }: {
  label: string; value: string; onChange: (v: string) => void; options: readonly string[]; prefix: string;
}) {
  const { t } = useTranslation();
  return (
    <Select selectedKey={value} onSelectionChange={(key) => onChange(String(key))}>
      <Label>{label}</Label>
      <Button><SelectValue /><span aria-hidden="true"> ▼</span></Button>
      <Popover>
        <ListBox>
          {options.map((o) => <ListBoxItem key={o} id={o}>{t(`${prefix}.${o}`)}</ListBoxItem>)}
        </ListBox>
      </Popover>
    </Select>
  );
}

export function ConsentSection({ id, me, displayName }: { id: string; me: Me; displayName: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const canAct = me.role === "admin" || me.role === "staff";
  const consents = useQuery({ queryKey: ["member-consents", id], queryFn: () => api<MemberConsents>("GET", `/members/${id}/consents`) });
  const disclosures = useQuery({
    queryKey: ["member-disclosures", id], queryFn: () => api<{ disclosures: DisclosureView[] }>("GET", `/members/${id}/disclosures`),
  });
  const today = todayIn(me.timeZone);
  const [purpose, setPurpose] = useState<string>("watching");
  const [decision, setDecision] = useState<string>("permit");
  const [method, setMethod] = useState<string>("paper");
  const [givenOn, setGivenOn] = useState(today);
  const [termsVersion, setTermsVersion] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const record = useMutation({
    mutationFn: () => api("POST", `/members/${id}/consents`, {
      purpose, decision, method, givenAt: startOfLocalDay(givenOn, me.timeZone), ...(termsVersion.trim() ? { termsVersion: termsVersion.trim() } : {}),
    }),
    onMutate: () => setNotice(null),
    onSuccess: () => {
      setNotice(t("consentSection.recorded"));
      void queryClient.invalidateQueries({ queryKey: ["member-consents", id] });
    },
  });
  const c = consents.data;
  return (
    <section aria-labelledby="consent-heading" className="member-consents" data-testid="consent-section">
      <h2 id="consent-heading">{t("consentSection.heading")}</h2>
      {consents.isError ? <ErrorText error={consents.error} /> : null}
      {c ? (
        <p className={c.watching === "missing" || c.watching === "denied" ? "consent-flag warning" : "consent-flag"} data-testid="consent-flag" data-state={c.watching}>
          {t(`consentSection.watching.${c.watching}`)}
        </p>
      ) : null}
      {c ? (
        <table className="consent-current">
          <caption>{t("consentSection.current")}</caption>
          <thead>
            <tr><th scope="col">{t("consentSection.purpose")}</th><th scope="col">{t("consentSection.decision")}</th><th scope="col">{t("consentSection.since")}</th></tr>
          </thead>
          <tbody>
            {c.current.map((row) => (
              <tr key={row.purpose}>
                <th scope="row">{t(`consentSection.purposes.${row.purpose}`)}</th>
                <td>{t(`consentSection.decisions.${row.decision}`)}</td>
                <td>{row.consent ? `${formatDate(row.consent.givenAt, me.timeZone, lang)} (${t(`consentSection.methods.${row.consent.method}`)})` : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {canAct ? (
        <Form onSubmit={(e) => { e.preventDefault(); record.mutate(); }} aria-label={t("consentSection.record")} className="consent-form">
          <Choice label={t("consentSection.purpose")} value={purpose} onChange={setPurpose} options={PURPOSES} prefix="consentSection.purposes" />
          <Choice label={t("consentSection.decision")} value={decision} onChange={setDecision} options={["permit", "deny"]} prefix="consentSection.decisions" />
          <Choice label={t("consentSection.method")} value={method} onChange={setMethod} options={METHODS} prefix="consentSection.methods" />
          <TextField value={givenOn} onChange={setGivenOn} isRequired>
            <Label>{t("consentSection.givenOn")}</Label>
            <Input type="date" />
          </TextField>
          <TextField value={termsVersion} onChange={setTermsVersion}>
            <Label>{t("consentSection.termsVersion")}</Label>
            <Input />
          </TextField>
          {record.isError ? <ErrorText error={record.error} /> : null}
          <Button type="submit" isDisabled={!givenOn || record.isPending}>{t("consentSection.record")}</Button>
          <span role="status">{notice}</span>
        </Form>
      ) : null}
      <h3>{t("consentSection.history")}</h3>
      {c?.history.length ? (
        <ul className="plain consent-history">
          {c.history.map((h) => (
            <li key={h.id}>
              {formatDate(h.givenAt, me.timeZone, lang)} — {t(`consentSection.purposes.${h.purpose}`)}: <strong>{t(`consentSection.decisions.${h.decision}`)}</strong>
              {" "}({t(`consentSection.methods.${h.method}`)}{h.termsVersion ? `, ${t("consentSection.termsShort", { version: h.termsVersion })}` : ""})
              {h.periodEnd ? ` 〜${formatDate(h.periodEnd, me.timeZone, lang)}` : ""}
            </li>
          ))}
        </ul>
      ) : c ? <p>{t("consentSection.noHistory")}</p> : null}
      <h3>{t("consentSection.disclosures")}</h3>
      {disclosures.isError ? <ErrorText error={disclosures.error} /> : null}
      {disclosures.data?.disclosures.length ? (
        <ul className="plain disclosures">
          {disclosures.data.disclosures.map((d) => (
            <li key={d.id}>
              {formatDateTime(d.disclosedAt, me.timeZone, lang)} — {d.recipient} — {t(`consentSection.bases.${d.basis}`)} — {d.fields.join(", ")}
            </li>
          ))}
        </ul>
      ) : disclosures.data ? <p>{t("consentSection.noDisclosures")}</p> : null}
      {me.role === "admin" ? <PersonalData id={id} displayName={displayName} /> : null}
    </section>
  );
}

/** The member's data on request: export (JSON, CSV) and erasure, the latter after typing the member's name. */
function PersonalData({ id, displayName }: { id: string; displayName: string }) {
  const { t } = useTranslation();
  const [exported, setExported] = useState<string | null>(null);
  const exportFile = useMutation({ mutationFn: (format: string) => download(`/members/${id}/export?format=${format}`), onSuccess: setExported });
  const [typed, setTyped] = useState("");
  const [reason, setReason] = useState("");
  const erase = useMutation({
    mutationFn: () => api("POST", `/members/${id}/erasure`, { reason: reason.trim() }),
    onSuccess: () => navigate("/members"),
  });
  const confirmed = typed.trim() === displayName.trim() && reason.trim() !== "";
  return (
    <div className="personal-data" data-testid="personal-data">
      <h3>{t("consentSection.personalData")}</h3>
      <p className="hint">{t("consentSection.exportLead")}</p>
      <div className="button-row">
        <Button onPress={() => exportFile.mutate("json")} isDisabled={exportFile.isPending}>{t("consentSection.exportJson")}</Button>
        <Button onPress={() => exportFile.mutate("csv")} isDisabled={exportFile.isPending}>{t("consentSection.exportCsv")}</Button>
      </div>
      {exported ? <p role="status">{t("consentSection.exported", { name: exported })}</p> : null}
      {exportFile.isError ? <ErrorText error={exportFile.error} /> : null}
      <Form onSubmit={(e) => { e.preventDefault(); if (confirmed) erase.mutate(); }} aria-label={t("consentSection.erase")} className="erasure-form">
        <p className="warning">{t("consentSection.eraseLead")}</p>
        <TextField value={reason} onChange={setReason} isRequired>
          <Label>{t("consentSection.eraseReason")}</Label>
          <Input />
        </TextField>
        <TextField value={typed} onChange={setTyped} isRequired>
          <Label>{t("consentSection.eraseConfirm", { name: displayName })}</Label>
          <Input autoComplete="off" />
        </TextField>
        {erase.isError ? <ErrorText error={erase.error} /> : null}
        <Button type="submit" className="danger" isDisabled={!confirmed || erase.isPending}>{t("consentSection.erase")}</Button>
      </Form>
    </div>
  );
}

/** A mark beside a member's name in the list when they are watched without a record of consent (one query for the whole list). */
export function ConsentBadge({ id }: { id: string }) {
  const { t } = useTranslation();
  const missing = useQuery({
    queryKey: ["consents-missing"], queryFn: () => api<{ memberIds: string[] }>("GET", "/consents/missing"), staleTime: 60_000,
    select: (data) => new Set(data.memberIds),
  });
  return missing.data?.has(id) ? <> <span className="badge consent-badge" data-testid="consent-badge">{t("consentSection.badge")}</span></> : null;
}
