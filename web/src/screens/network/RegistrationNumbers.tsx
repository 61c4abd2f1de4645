/**
 * 登録番号 on a member's page (the regional network, seed 001's 見守りキーホルダー;
 * README "Registration numbers and the keyholder lookup"): the member's card,
 * keyholder and sticker numbers — in use first, then the withdrawn ones — and
 * for staff issuing a number (the API folds full-width digits and hyphens) and
 * withdrawing one after a confirmation. A number in use elsewhere is refused at
 * the field. Observers see the numbers redacted and change nothing.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { Button, FieldError, Form, Input, Label, Radio, RadioGroup, Text, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { ApiFailure, api } from "../../api.ts";
import { ErrorText, errorSentence } from "../../ErrorText.tsx";
import { formatDate, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { ScrollingTable } from "../../ScrollingTable.tsx";

const KINDS = ["keyholder", "card", "sticker"] as const;
type Kind = (typeof KINDS)[number];

/** A number as GET /members/:id/registration-numbers gives it. */
interface RegistrationNumber {
  id: string; memberId: string; registrationNumber: string; kind: Kind; issuedAt: string; createdBy: string; withdrawnAt: string | null;
}

export function RegistrationNumbers({ id, me }: { id: string; me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const canAct = me.role === "admin" || me.role === "staff";
  const list = useQuery({
    queryKey: ["member-registration-numbers", id],
    queryFn: () => api<{ registrationNumbers: RegistrationNumber[] }>("GET", `/members/${id}/registration-numbers`),
  });
  const [number, setNumber] = useState("");
  const [kind, setKind] = useState<Kind>("keyholder");
  const [notice, setNotice] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["member-registration-numbers", id] });
  const issue = useMutation({
    mutationFn: () => api<RegistrationNumber>("POST", `/members/${id}/registration-numbers`, { registrationNumber: number.trim(), kind }),
    onMutate: () => setNotice(null),
    onSuccess: (issued) => {
      setNotice(t("registrationNumbers.issued", { number: issued.registrationNumber }));
      setNumber("");
      refresh();
    },
  });
  const withdraw = useMutation({
    mutationFn: (n: RegistrationNumber) => api<RegistrationNumber>("DELETE", `/network/registration-numbers/${n.id}`),
    onMutate: () => setNotice(null),
    onSuccess: (n) => {
      setConfirming(null);
      setNotice(t("registrationNumbers.withdrawn", { number: n.registrationNumber }));
      refresh();
    },
  });
  // A refusal naming the number is shown under the number's box; any other failure below the form.
  const failure = issue.error instanceof ApiFailure ? issue.error : null;
  // Cleared as soon as the number is changed (the form refuses to submit while a field shows an error).
  const numberError = failure?.field === "registrationNumber" ? errorSentence(t, failure) : null;
  const validationErrors = useMemo((): Record<string, string> => (numberError ? { registrationNumber: numberError } : {}), [numberError]);
  const numbers = list.data?.registrationNumbers ?? [];
  return (
    <section aria-labelledby="registration-numbers-heading" className="registration-numbers" data-testid="registration-numbers">
      <h2 id="registration-numbers-heading">{t("registrationNumbers.heading")}</h2>
      <p className="hint">{t("registrationNumbers.lead")}</p>
      {list.isError ? <ErrorText error={list.error} /> : null}
      {numbers.length ? (
        <ScrollingTable label={t("registrationNumbers.caption", { count: numbers.filter((n) => !n.withdrawnAt).length })}>
          <table className="registration-number-list">
            <caption>{t("registrationNumbers.caption", { count: numbers.filter((n) => !n.withdrawnAt).length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("registrationNumbers.numberAndKind")}</th>
                <th scope="col">{t("registrationNumbers.state")}</th>
                {canAct ? <th scope="col">{t("registrationNumbers.actions")}</th> : null}
              </tr>
            </thead>
            <tbody>
              {numbers.map((n) => (
                <tr key={n.id} data-state={n.withdrawnAt ? "withdrawn" : "in_use"}>
                  <th scope="row">
                    <span className="registration-number">{n.registrationNumber}</span>
                    <span className="muted registration-kind">{t(`registrationNumbers.kinds.${n.kind}`)}</span>
                  </th>
                  <td>
                    {n.withdrawnAt ? <span>{t("registrationNumbers.withdrawnState")}</span> : <strong>{t("registrationNumbers.inUse")}</strong>}
                    <span className="muted registration-dates">
                      {t("registrationNumbers.issuedOn", { date: formatDate(n.issuedAt, me.timeZone, lang) })}
                      {n.withdrawnAt ? ` · ${t("registrationNumbers.withdrawnOn", { date: formatDate(n.withdrawnAt, me.timeZone, lang) })}` : ""}
                    </span>
                  </td>
                  {canAct ? (
                    <td>
                      {n.withdrawnAt ? null : confirming === n.id ? (
                        <div className="row-actions">
                          <span className="warning-text">{t("registrationNumbers.confirmWithdraw", { number: n.registrationNumber })}</span>
                          <Button className="danger" autoFocus onPress={() => withdraw.mutate(n)} isDisabled={withdraw.isPending}>
                            {t("registrationNumbers.withdrawYes")}
                          </Button>
                          <Button onPress={() => setConfirming(null)}>{t("registrationNumbers.withdrawNo")}</Button>
                        </div>
                      ) : (
                        <div className="row-actions">
                          <Button onPress={() => setConfirming(n.id)} aria-label={t("registrationNumbers.withdrawOne", { number: n.registrationNumber })}>
                            {t("registrationNumbers.withdraw")}
                          </Button>
                        </div>
                      )}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      ) : list.data ? <p>{t("registrationNumbers.none")}</p> : null}
      {withdraw.isError ? <ErrorText error={withdraw.error} /> : null}
      <p role="status" className={notice ? "notice" : undefined}>{notice}</p>
      {canAct ? (
        <Form onSubmit={(e) => { e.preventDefault(); issue.mutate(); }} aria-label={t("registrationNumbers.issue")} className="registration-number-form"
          validationErrors={validationErrors}>
          <TextField name="registrationNumber" value={number} onChange={(v) => { setNumber(v); if (issue.isError) issue.reset(); }} isRequired
            validate={(v) => (v.trim() ? null : t("registrationNumbers.numberRequired"))}>
            <Label>{t("registrationNumbers.number")}</Label>
            <Input autoComplete="off" spellCheck={false} className="react-aria-Input number-input" />
            <Text slot="description">{t("registrationNumbers.numberHelp")}</Text>
            <FieldError />
          </TextField>
          <RadioGroup value={kind} onChange={(v) => setKind(v as Kind)} orientation="horizontal" className="react-aria-RadioGroup inline-radios">
            <Label>{t("registrationNumbers.kind")}</Label>
            {KINDS.map((k) => <Radio key={k} value={k}>{t(`registrationNumbers.kinds.${k}`)}</Radio>)}
          </RadioGroup>
          {issue.isError && !numberError ? <ErrorText error={issue.error} /> : null}
          <Button type="submit" className="primary" isDisabled={issue.isPending}>{t("registrationNumbers.issue")}</Button>
        </Form>
      ) : null}
    </section>
  );
}
