/**
 * 毎月1日にメールで受け取る (the monthly report by e-mail): who receives last
 * month's report on the 1st of each month at 08:00 — addresses and people —
 * adding an address (or oneself), removing one. Admins only (the API's
 * /reports/subscriptions); the mail names no member.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Button, FieldError, Form, Input, Label, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../api.ts";
import { errorSentence, ErrorText } from "../ErrorText.tsx";
import { formatDateTime, type Lang } from "../format.ts";
import type { Me } from "../me.ts";

interface Subscription {
  id: string;
  email: string | null;
  personId: string | null;
  personName: string | null;
  sendsTo: string | null;
  nextSendAt: string;
  createdAt: string;
}

export function ReportMail({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const list = useQuery({ queryKey: ["report-subscriptions"], queryFn: () => api<{ subscriptions: Subscription[] }>("GET", "/reports/subscriptions") });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["report-subscriptions"] });
  const add = useMutation({
    mutationFn: (body: { email: string } | { personId: string }) => api<Subscription>("POST", "/reports/subscriptions", body),
    onMutate: () => setNotice(null),
    onSuccess: (s) => {
      setEmail("");
      setNotice(t("reportMail.added", { address: s.sendsTo ?? s.personName ?? "" }));
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (s: Subscription) => api("DELETE", `/reports/subscriptions/${s.id}`).then(() => s),
    onMutate: () => setNotice(null),
    onSuccess: (s) => {
      setNotice(t("reportMail.removed", { address: s.sendsTo ?? s.personName ?? "" }));
      refresh();
    },
  });
  const person = me.kind === "person" ? me.person : null;
  const subscriptions = list.data?.subscriptions ?? [];
  const meSubscribed = !!person && subscriptions.some((s) => s.personId === person.id);
  // A refusal the server names by field is shown at that field: the address under its box, "me" beside its button.
  const failure = add.error instanceof ApiFailure ? add.error : null;
  const emailError = failure && failure.field === "email" ? errorSentence(t, failure) : null;
  const meError = failure && failure.field === "personId" ? errorSentence(t, failure) : null;
  return (
    <section className="report-mail no-print" aria-labelledby="report-mail-heading">
      <h2 id="report-mail-heading">{t("reportMail.title")}</h2>
      <p>{t("reportMail.lead")}</p>
      <p role="status" className="notice">{notice}</p>
      {list.isPending ? <p>{t("app.loading")}</p> : null}
      {list.isError ? <ErrorText error={list.error} /> : null}
      {list.data ? (subscriptions.length === 0 ? <p>{t("reportMail.none")}</p> : (
        <ul className="report-mail-list" aria-label={t("reportMail.recipients")}>
          {subscriptions.map((s) => {
            const who = s.personName ? `${s.personName}（${s.sendsTo ?? t("reportMail.noAddress")}）` : (s.email ?? "");
            return (
              <li key={s.id}>
                <span>{who}</span>{" "}
                <span className="hint">{t("reportMail.next", { at: formatDateTime(s.nextSendAt, me.timeZone, lang) })}</span>{" "}
                <Button onPress={() => remove.mutate(s)} isDisabled={remove.isPending} aria-label={t("reportMail.removeOne", { who })}>
                  {t("reportMail.remove")}
                </Button>
              </li>
            );
          })}
        </ul>
      )) : null}
      {remove.isError ? <ErrorText error={remove.error} /> : null}
      <Form className="inline-form" aria-label={t("reportMail.addTitle")} validationErrors={emailError ? { email: emailError } : {}}
        onSubmit={(e) => { e.preventDefault(); add.mutate({ email: email.trim() }); }}>
        <TextField name="email" type="email" isRequired value={email} onChange={setEmail} autoComplete="email"
          validate={(v) => (v.trim() ? null : t("reportMail.addressRequired"))}>
          <Label>{t("reportMail.address")}</Label>
          <Input inputMode="email" />
          <FieldError />
        </TextField>
        <Button type="submit" className="primary" isDisabled={add.isPending}>{t("reportMail.add")}</Button>
      </Form>
      {person && !meSubscribed ? (
        <p>
          <Button onPress={() => add.mutate({ personId: person.id })} isDisabled={add.isPending} aria-describedby={meError ? "report-mail-me-error" : undefined}>
            {t("reportMail.addMe", { address: person.email ?? t("reportMail.noAddress") })}
          </Button>
          {meError ? <span id="report-mail-me-error" className="error" role="alert">{t("reportMail.meField")}: {meError}</span> : null}
        </p>
      ) : null}
      {failure && !emailError && !meError ? <ErrorText error={failure} /> : null}
    </section>
  );
}
