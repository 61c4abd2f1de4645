/**
 * 設定 → 連絡手段: the organisation's LINE, Twilio (calls and SMS) and e-mail
 * settings in forms. Secrets are write-only: the API never returns them, the
 * form leaves them empty (typed only to change them). Beside each form: the
 * channel's health (last success, last failure, credentials refused: the
 * channel_health the sender keeps) and "send a test to myself" on the signed-in
 * person's own addresses of that kind (POST /me/channels/:id/test, 自分の連絡先).
 * Admins change; auditors read.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";
import { Button, Checkbox, Form, Input, Label, Link, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";
import { ErrorText } from "../../ErrorText.tsx";
import { formatDateTime, formatPhone, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";

type Provider = "line" | "twilio" | "email";
interface Health { kind: string; lastSuccessAt: string | null; lastFailureAt: string | null; lastErrorCode: string | null; lastError: string | null; credentialsRefusedAt: string | null }
interface ChannelView { kind: Provider; configured: boolean; settings?: Record<string, unknown>; webhookPath?: string; webhookBase?: string; health?: Health[] }
interface DutyChannel { id: string; kind: string; address: string; lastTest: { at: string; status: string; error: string | null } | null }

/** Which of a person's alert channel kinds each provider carries. */
const KINDS_OF: Record<Provider, string[]> = { line: ["line"], twilio: ["sms", "voice"], email: ["email"] };

const str = (v: unknown) => (typeof v === "string" ? v : "");

export function Channels({ me }: { me: Me }) {
  const { t } = useTranslation();
  const canChange = me.role === "admin";
  return (
    <div className="settings-channels">
      <p>{t("channelSettings.lead")}</p>
      {canChange ? null : <p className="hint">{t("brand.readOnly")}</p>}
      {(["line", "twilio", "email"] as const).map((p) => <ProviderSection key={p} provider={p} me={me} canChange={canChange} />)}
    </div>
  );
}

function ProviderSection({ provider, me, canChange }: { provider: Provider; me: Me; canChange: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const view = useQuery({ queryKey: ["channel", provider], queryFn: () => api<ChannelView>("GET", `/channels/${provider}`) });
  const [notice, setNotice] = useState<string | null>(null);
  const title = t(`channelSettings.${provider}.title`);
  const remove = useMutation({
    mutationFn: () => api("DELETE", `/channels/${provider}`),
    onMutate: () => setNotice(null),
    onSuccess: () => {
      setNotice(t("channelSettings.removed", { name: title }));
      void queryClient.invalidateQueries({ queryKey: ["channel", provider] });
    },
  });
  const saved = (v: ChannelView) => {
    setNotice(t("channelSettings.saved", { name: title }));
    queryClient.setQueryData(["channel", provider], v);
    void queryClient.invalidateQueries({ queryKey: ["channel", provider] });
  };
  const headingId = `channel-${provider}-heading`;
  const d = view.data;
  return (
    <section aria-labelledby={headingId} className="channel-settings" data-provider={provider}>
      <h3 id={headingId}>{title} <span className={d?.configured ? "badge ok" : "badge"}>{d ? t(d.configured ? "channelSettings.configured" : "channelSettings.notConfigured") : ""}</span></h3>
      {view.isError ? <ErrorText error={view.error} /> : null}
      {d && canChange ? (
        <>
          {provider === "line" ? <LineForm view={d} onSaved={saved} onStart={() => setNotice(null)} /> : null}
          {provider === "twilio" ? <TwilioForm view={d} onSaved={saved} onStart={() => setNotice(null)} /> : null}
          {provider === "email" ? <EmailForm view={d} onSaved={saved} onStart={() => setNotice(null)} /> : null}
          {d.configured ? <Button onPress={() => remove.mutate()} isDisabled={remove.isPending}>{t("channelSettings.remove")}</Button> : null}
        </>
      ) : null}
      {d && !canChange && d.settings ? (
        <dl className="facts">
          {Object.entries(d.settings).map(([k, v]) => <FragmentRow key={k} term={k}>{String(v)}</FragmentRow>)}
        </dl>
      ) : null}
      {d && provider === "line" && d.webhookPath ? <p>{t("channelSettings.line.webhook", { url: `${window.location.origin}${d.webhookPath}` })}</p> : null}
      <p role="status" className={notice ? "notice" : undefined}>{notice}</p>
      {remove.isError ? <ErrorText error={remove.error} /> : null}
      {d ? <HealthList health={d.health ?? []} me={me} provider={provider} /> : null}
      <TestToMyself provider={provider} me={me} />
    </section>
  );
}

function FragmentRow({ term, children }: { term: string; children: ReactNode }) {
  return <><dt>{term}</dt><dd>{children}</dd></>;
}

function HealthList({ health, me, provider }: { health: Health[]; me: Me; provider: Provider }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const time = (iso: string | null) => (iso ? formatDateTime(iso, me.timeZone, lang) : t("channelSettings.never"));
  return (
    <div className="channel-health" data-testid={`health-${provider}`}>
      <h4>{t("channelSettings.health")}</h4>
      {health.length === 0 ? <p>{t("channelSettings.healthNone")}</p> : (
        <ul>
          {health.map((h) => (
            <li key={h.kind}>
              <strong>{t(`channels.${h.kind}`, { defaultValue: h.kind })}</strong>{" "}
              {t("channelSettings.lastSuccess", { time: time(h.lastSuccessAt) })}
              {h.lastFailureAt ? <>{" "}{t("channelSettings.lastFailure", { time: time(h.lastFailureAt), error: h.lastErrorCode ?? h.lastError ?? "" })}</> : null}
              {h.credentialsRefusedAt ? <strong className="refused" role="alert">{" "}{t("channelSettings.refused", { time: time(h.credentialsRefusedAt) })}</strong> : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The signed-in person's own addresses of the provider's kinds, each with a test button (自分の連絡先's test). */
function TestToMyself({ provider, me }: { provider: Provider; me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const person = me.kind === "person" && (me.role === "admin" || me.role === "staff");
  const duty = useQuery({
    queryKey: ["duty", "me"], queryFn: () => api<{ channels: DutyChannel[] }>("GET", "/me/duty"), enabled: person,
    refetchInterval: (q) => (q.state.data?.channels.some((c) => c.lastTest?.status === "pending") ? 1000 : false),
  });
  const [notice, setNotice] = useState<string | null>(null);
  const test = useMutation({
    mutationFn: (id: string) => api("POST", `/me/channels/${id}/test`),
    onMutate: () => setNotice(null),
    onSuccess: () => {
      setNotice(t("channelSettings.testQueued"));
      void queryClient.invalidateQueries({ queryKey: ["duty"] });
    },
  });
  const headingId = `test-${provider}-heading`;
  const mine = (duty.data?.channels ?? []).filter((c) => KINDS_OF[provider].includes(c.kind));
  const shown = (c: DutyChannel) => `${t(`channels.${c.kind}`, { defaultValue: c.kind })} ${c.kind === "sms" || c.kind === "voice" ? formatPhone(c.address) : c.address}`;
  return (
    <div className="channel-test">
      <h4 id={headingId}>{t("channelSettings.testHeading")}</h4>
      {!person ? <p>{t("channelSettings.testOnlyPeople")}</p> : null}
      {person && duty.data && mine.length === 0 ? (
        <p>{t("channelSettings.testNoChannel")} <Link href="/duty">{t("channelSettings.testRegister")}</Link></p>
      ) : null}
      {mine.length ? (
        <>
          <p>{t("channelSettings.testLead")}</p>
          <ul>
            {mine.map((c) => (
              <li key={c.id}>
                <Button onPress={() => test.mutate(c.id)} isDisabled={test.isPending}>{t("channelSettings.sendTest", { address: shown(c) })}</Button>
                {c.lastTest ? (
                  <span className={`test-status test-${c.lastTest.status}`} data-testid={`test-status-${c.id}`}>
                    {" "}{t(`channelSettings.testStatus.${c.lastTest.status}`, {
                      address: shown(c), time: formatDateTime(c.lastTest.at, me.timeZone, lang), error: c.lastTest.error ?? "",
                    })}
                  </span>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p role="status" className={notice ? "notice" : undefined}>{notice}</p>
      {test.isError ? <ErrorText error={test.error} /> : null}
    </div>
  );
}

interface FormProps { view: ChannelView; onSaved: (v: ChannelView) => void; onStart: () => void }

function useSave(provider: Provider, { onSaved, onStart }: FormProps, body: () => unknown) {
  return useMutation({ mutationFn: () => api<ChannelView>("PUT", `/channels/${provider}`, body()), onMutate: onStart, onSuccess: onSaved });
}

function Field({ label, value, onChange, secret, kept, type, isRequired }: {
  label: string; value: string; onChange: (v: string) => void; secret?: boolean; kept?: boolean; type?: string; isRequired?: boolean;
}) {
  const { t } = useTranslation();
  return (
    <TextField value={value} onChange={onChange} type={secret ? "password" : (type ?? "text")} isRequired={isRequired} autoComplete={secret ? "new-password" : "off"}>
      <Label>{label}</Label>
      <Input placeholder={secret && kept ? t("channelSettings.secretKept") : undefined} />
    </TextField>
  );
}

function LineForm(props: FormProps) {
  const { t } = useTranslation();
  const s = props.view.settings ?? {};
  const [channelSecret, setSecret] = useState("");
  const [channelAccessToken, setToken] = useState("");
  const [approval, setApproval] = useState(s.requireGroupApproval === true);
  useEffect(() => setApproval(s.requireGroupApproval === true), [s.requireGroupApproval]);
  const save = useSave("line", props, () => ({
    ...(channelSecret.trim() ? { channelSecret: channelSecret.trim() } : {}),
    ...(channelAccessToken.trim() ? { channelAccessToken: channelAccessToken.trim() } : {}),
    termsVersion: str(s.termsVersion) || "1", ...(str(s.termsUrl) ? { termsUrl: str(s.termsUrl) } : {}),
    requireGroupApproval: approval,
  }));
  return (
    <Form onSubmit={(e) => { e.preventDefault(); save.mutate(undefined, { onSuccess: () => { setSecret(""); setToken(""); } }); }} aria-label={t("channelSettings.line.title")}>
      <Field label={t("channelSettings.line.channelSecret")} value={channelSecret} onChange={setSecret} secret kept={props.view.configured} />
      <Field label={t("channelSettings.line.channelAccessToken")} value={channelAccessToken} onChange={setToken} secret kept={props.view.configured} />
      <Checkbox isSelected={approval} onChange={setApproval}>{t("channelSettings.line.requireGroupApproval")}</Checkbox>
      <Button type="submit" className="primary" isDisabled={save.isPending}>{t("channelSettings.save")}</Button>
      {save.isError ? <ErrorText error={save.error} /> : null}
    </Form>
  );
}

function TwilioForm(props: FormProps) {
  const { t } = useTranslation();
  const s = props.view.settings ?? {};
  const [accountSid, setSid] = useState("");
  const [authToken, setToken] = useState("");
  const [callerId, setCaller] = useState(str(s.callerId));
  const [smsFrom, setSmsFrom] = useState(str(s.smsFrom));
  useEffect(() => {
    setCaller(str(s.callerId));
    setSmsFrom(str(s.smsFrom));
  }, [s.callerId, s.smsFrom]);
  const save = useSave("twilio", props, () => ({
    ...(accountSid.trim() ? { accountSid: accountSid.trim() } : {}),
    ...(authToken.trim() ? { authToken: authToken.trim() } : {}),
    callerId: callerId.trim(), ...(smsFrom.trim() ? { smsFrom: smsFrom.trim() } : {}),
    ...(typeof s.callsPerSecond === "number" ? { callsPerSecond: s.callsPerSecond } : {}),
    ...(typeof s.messagesPerSecond === "number" ? { messagesPerSecond: s.messagesPerSecond } : {}),
    ...(typeof s.machineDetection === "boolean" ? { machineDetection: s.machineDetection } : {}),
    ...(str(s.voicePrompt) ? { voicePrompt: str(s.voicePrompt) } : {}),
  }));
  return (
    <Form onSubmit={(e) => { e.preventDefault(); save.mutate(undefined, { onSuccess: () => { setSid(""); setToken(""); } }); }} aria-label={t("channelSettings.twilio.title")}>
      <Field label={t("channelSettings.twilio.accountSid")} value={accountSid} onChange={setSid} secret kept={props.view.configured} />
      <Field label={t("channelSettings.twilio.authToken")} value={authToken} onChange={setToken} secret kept={props.view.configured} />
      <Field label={t("channelSettings.twilio.callerId")} value={callerId} onChange={setCaller} type="tel" isRequired />
      <Field label={t("channelSettings.twilio.smsFrom")} value={smsFrom} onChange={setSmsFrom} type="tel" />
      <Button type="submit" className="primary" isDisabled={save.isPending}>{t("channelSettings.save")}</Button>
      {save.isError ? <ErrorText error={save.error} /> : null}
    </Form>
  );
}

function EmailForm(props: FormProps) {
  const { t } = useTranslation();
  const s = props.view.settings ?? {};
  const [host, setHost] = useState(str(s.host));
  const [port, setPort] = useState(typeof s.port === "number" ? String(s.port) : "587");
  const [secure, setSecure] = useState(s.secure === true);
  const [user, setUser] = useState("");
  const [pass, setPass] = useState("");
  const [from, setFrom] = useState(str(s.from));
  const [fromName, setFromName] = useState(str(s.fromName));
  useEffect(() => {
    setHost(str(s.host));
    setPort(typeof s.port === "number" ? String(s.port) : "587");
    setSecure(s.secure === true);
    setFrom(str(s.from));
    setFromName(str(s.fromName));
  }, [s.host, s.port, s.secure, s.from, s.fromName]);
  const save = useSave("email", props, () => ({
    host: host.trim(), port: Number(port), secure, from: from.trim(),
    ...(fromName.trim() ? { fromName: fromName.trim() } : {}),
    ...(user.trim() ? { user: user.trim() } : {}), ...(pass ? { pass } : {}),
  }));
  return (
    <Form onSubmit={(e) => { e.preventDefault(); save.mutate(undefined, { onSuccess: () => { setUser(""); setPass(""); } }); }} aria-label={t("channelSettings.email.title")}>
      <Field label={t("channelSettings.email.host")} value={host} onChange={setHost} isRequired />
      <Field label={t("channelSettings.email.port")} value={port} onChange={setPort} type="number" isRequired />
      <Checkbox isSelected={secure} onChange={setSecure}>{t("channelSettings.email.secure")}</Checkbox>
      <Field label={t("channelSettings.email.user")} value={user} onChange={setUser} secret kept={props.view.configured} />
      <Field label={t("channelSettings.email.pass")} value={pass} onChange={setPass} secret kept={props.view.configured} />
      <Field label={t("channelSettings.email.from")} value={from} onChange={setFrom} type="email" isRequired />
      <Field label={t("channelSettings.email.fromName")} value={fromName} onChange={setFromName} />
      <Button type="submit" className="primary" isDisabled={save.isPending}>{t("channelSettings.save")}</Button>
      {save.isError ? <ErrorText error={save.error} /> : null}
    </Form>
  );
}
