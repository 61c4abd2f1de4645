/**
 * 自分の連絡先・当番 (my alert contacts and duty): where team alerts reach me
 * (e-mail, SMS, phone, LINE), a test message to each, and on duty / off duty.
 * Staff and admins; the API refuses the others (engine/on-duty.ts).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button, FieldError, Form, Input, Label, Radio, RadioGroup, Switch, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, formatPhone, type Lang } from "../format.ts";

export const DUTY_CHANNEL_KINDS = ["email", "sms", "voice", "line"] as const;
type Kind = (typeof DUTY_CHANNEL_KINDS)[number];
interface DutyChannel { id: string; kind: Kind; address: string; createdAt: string; lastTest: { at: string; status: string; error: string | null } | null }
interface Duty { personId: string; displayName: string; onDuty: boolean; teamIds: string[]; channels: DutyChannel[] }
interface Team { id: string; name: string }

/** A phone number the way it is dialled here (+81 90… → 090-…, format.ts); other addresses as they are. */
const shownAddress = (kind: string, address: string) => (kind === "sms" || kind === "voice" ? formatPhone(address) : address);

function AddChannel({ onAdded }: { onAdded: (kind: Kind) => void }) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<Kind>("email");
  const [address, setAddress] = useState("");
  const add = useMutation({
    mutationFn: () => api<DutyChannel>("POST", "/me/channels", { kind, address: address.trim() }),
    onSuccess: () => {
      setAddress("");
      onAdded(kind);
    },
  });
  return (
    <Form className="duty-add" onSubmit={(e) => { e.preventDefault(); add.mutate(); }} aria-labelledby="duty-add-heading">
      <h2 id="duty-add-heading">{t("duty.add")}</h2>
      <RadioGroup value={kind} onChange={(v) => setKind(v as Kind)}>
        <Label>{t("duty.kind")}</Label>
        {DUTY_CHANNEL_KINDS.map((k) => <Radio key={k} value={k}>{t(`duty.kinds.${k}`)}</Radio>)}
      </RadioGroup>
      <TextField name="address" isRequired value={address} onChange={setAddress} autoComplete="off"
        type={kind === "sms" || kind === "voice" ? "tel" : "text"} validate={(v) => (v.trim() ? null : t("signIn.required"))}>
        <Label>{t(`duty.addressOf.${kind}`)}</Label>
        <Input inputMode={kind === "email" ? "email" : kind === "line" ? "text" : "tel"} />
        <FieldError />
      </TextField>
      <p className="hint">{t(`duty.hint.${kind}`)}</p>
      {add.isError ? <ErrorText error={add.error} /> : null}
      <Button type="submit" className="primary" isDisabled={add.isPending}>{t("duty.addSubmit")}</Button>
    </Form>
  );
}

/** 自分の連絡先・当番; a watcher keeps channels for visit requests and has no duty (自分の連絡先). */
export function MyDuty({ timeZone, watcher = false }: { timeZone: string; watcher?: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const duty = useQuery({ queryKey: ["duty", "me"], queryFn: () => api<Duty>("GET", "/me/duty") });
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<{ teams: Team[] }>("GET", "/teams"), enabled: !watcher });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["duty"] });
  const toggle = useMutation({
    mutationFn: (onDuty: boolean) => api<Duty>("PUT", "/me/duty", { onDuty }),
    onMutate: () => setNotice(null),
    onSuccess: (d) => {
      setNotice(t(d.onDuty ? "duty.nowOn" : "duty.nowOff"));
      queryClient.setQueryData(["duty", "me"], d);
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api("DELETE", `/me/channels/${id}`),
    onMutate: () => setNotice(null),
    onSuccess: () => {
      setNotice(t("duty.removed"));
      refresh();
    },
  });
  const test = useMutation({
    mutationFn: (id: string) => api("POST", `/me/channels/${id}/test`),
    onMutate: () => setNotice(null),
    onSuccess: () => {
      setNotice(t("duty.testQueued"));
      refresh();
    },
  });
  useEffect(() => {
    document.title = `${t(watcher ? "duty.watcherTitle" : "duty.title")} — ${t("app.title")}`;
  }, [t, watcher]);
  const teamName = new Map((teams.data?.teams ?? []).map((team) => [team.id, team.name]));
  const d = duty.data;
  return (
    <div className="duty">
      <h1>{t(watcher ? "duty.watcherTitle" : "duty.title")}</h1>
      <p>{t(watcher ? "duty.watcherLead" : "duty.lead")}</p>
      <p role="status" className="notice">{notice}</p>
      {duty.isPending ? <p>{t("app.loading")}</p> : null}
      {duty.isError ? <ErrorText error={duty.error} /> : null}
      {d ? (
        <>
          {watcher ? null : <section className="duty-state" aria-labelledby="duty-state-heading">
            <h2 id="duty-state-heading">{t("duty.state")}</h2>
            <Switch isSelected={d.onDuty} onChange={(on) => toggle.mutate(on)} isDisabled={toggle.isPending} className="react-aria-Switch big-switch">
              <div className="indicator" aria-hidden="true" />
              {t("duty.onDuty")}
            </Switch>
            <p className={d.onDuty ? "duty-on" : "duty-off"}>{t(d.onDuty ? "duty.onExplained" : "duty.offExplained")}</p>
            {d.onDuty && d.channels.length === 0 ? <p className="duty-warning" role="alert">{t("duty.noChannels")}</p> : null}
            <p>
              {t("duty.teams")}: {d.teamIds.length ? d.teamIds.map((id) => teamName.get(id) ?? id).join("、") : t("duty.noTeams")}
            </p>
            {toggle.isError ? <ErrorText error={toggle.error} /> : null}
          </section>}
          <section aria-labelledby="duty-channels-heading">
            <h2 id="duty-channels-heading">{t("duty.channels")}</h2>
            {d.channels.length === 0 ? <p>{t("duty.none")}</p> : (
              <ul className="duty-list">
                {d.channels.map((c) => {
                  const shown = shownAddress(c.kind, c.address);
                  return (
                    <li key={c.id} className="duty-item">
                      <strong>{t(`duty.kinds.${c.kind}`)}</strong> <span className="address">{shown}</span>
                      <br />
                      {c.lastTest
                        ? t(`duty.test.${c.lastTest.status}`, { time: formatDateTime(c.lastTest.at, timeZone, lang) })
                        : t("duty.test.never")}
                      <div className="row-actions">
                        <Button onPress={() => test.mutate(c.id)} isDisabled={test.isPending} aria-label={t("duty.testFor", { address: shown })}>
                          {t("duty.sendTest")}
                        </Button>
                        <Button onPress={() => remove.mutate(c.id)} isDisabled={remove.isPending} aria-label={t("duty.removeFor", { address: shown })}>
                          {t("duty.remove")}
                        </Button>
                      </div>
                    </li>
                  );
                })}
              </ul>
            )}
            {test.isError ? <ErrorText error={test.error} /> : null}
            {remove.isError ? <ErrorText error={remove.error} /> : null}
          </section>
          <AddChannel onAdded={() => { setNotice(t("duty.added")); refresh(); }} />
        </>
      ) : null}
    </div>
  );
}
