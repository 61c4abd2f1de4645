/**
 * An invitation (/invite#<code>, the code in the fragment so no server log keeps
 * it): the invited person registers a passkey (this device's face, fingerprint
 * or PIN), or installs the authenticator (QR code or the key typed in), chooses
 * a password and proves the authenticator with a current code; then is signed in.
 */
import { useQuery } from "@tanstack/react-query";
import QRCode from "qrcode";
import { useEffect, useState } from "react";
import { Button, FieldError, Form, Input, Label, Text, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, session } from "../api.ts";
import { LanguageSwitch } from "../App.tsx";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, type Lang } from "../format.ts";
import { acceptWithPasskey } from "../passkeys.ts";

interface Invitation {
  organisationName: string;
  timeZone: string;
  displayName: string;
  loginId: string;
  expiresAt: string;
  totp: { secret: string; uri: string };
}

const PASSWORD_MIN = 10;

export function AcceptInvitation({ onSignedIn }: { onSignedIn: () => void }) {
  const { t, i18n } = useTranslation();
  const code = location.hash.slice(1);
  const invitation = useQuery({ queryKey: ["invitation", code], queryFn: () => api<Invitation>("GET", `/invitations/${code}`, undefined, { quiet401: true }), retry: false });
  const [qr, setQr] = useState<string | null>(null);
  const [password, setPassword] = useState("");
  const [again, setAgain] = useState("");
  const [totp, setTotp] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [passkeyName, setPasskeyName] = useState(() => t("passkeys.defaultName"));
  const [passkeyError, setPasskeyError] = useState<unknown>(null);
  useEffect(() => {
    document.title = `${t("invite.title")} — ${t("app.title")}`;
  }, [t]);
  useEffect(() => {
    if (!invitation.data) return;
    void QRCode.toString(invitation.data.totp.uri, { type: "svg", margin: 2 }).then((svg) => setQr(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`));
  }, [invitation.data]);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const signedIn = await api<{ csrfToken: string }>("POST", `/invitations/${code}/accept`, { password, totpCode: totp.trim() }, { quiet401: true });
      session.keepCsrf(signedIn.csrfToken);
      onSignedIn();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const registerPasskey = async () => {
    setBusy(true);
    setPasskeyError(null);
    try {
      session.keepCsrf((await acceptWithPasskey(code, passkeyName.trim() || t("passkeys.defaultName"))).csrfToken);
      onSignedIn();
    } catch (failure) {
      setPasskeyError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main id="main" className="sign-in invite">
      <div className="sign-in-tools"><LanguageSwitch /></div>
      <h1>{t("invite.title")}</h1>
      {invitation.isPending ? <p>{t("app.loading")}</p> : null}
      {invitation.isError ? <ErrorText error={invitation.error} /> : null}
      {invitation.data ? (
        <>
          <p>{t("invite.lead", { name: invitation.data.displayName, organisation: invitation.data.organisationName })}</p>
          <dl className="facts">
            <dt>{t("invite.loginId")}</dt>
            <dd className="login-id">{invitation.data.loginId}</dd>
            <dt>{t("invite.expires")}</dt>
            <dd>{formatDateTime(invitation.data.expiresAt, invitation.data.timeZone, i18n.language as Lang)}</dd>
          </dl>
          <h2>{t("invite.passkeyTitle")}</h2>
          <p>{t("invite.passkeyLead")}</p>
          <Form onSubmit={(e) => { e.preventDefault(); void registerPasskey(); }} aria-label={t("invite.passkeyTitle")}>
            <TextField name="passkeyName" value={passkeyName} onChange={setPasskeyName} maxLength={60}>
              <Label>{t("invite.passkeyName")}</Label>
              <Input />
              <Text slot="description">{t("invite.passkeyNameHelp")}</Text>
            </TextField>
            {passkeyError ? <ErrorText error={passkeyError} /> : null}
            <Button type="submit" isDisabled={busy} className="primary">{t("invite.passkeySubmit")}</Button>
          </Form>
          <h2>{t("invite.passwordTitle")}</h2>
          <h3>{t("invite.step1")}</h3>
          <p>{t("invite.step1Help")}</p>
          {qr ? <img className="qr" src={qr} alt={t("invite.qrAlt")} width={220} height={220} /> : null}
          <p>{t("invite.key")} <code className="totp-secret">{invitation.data.totp.secret}</code></p>
          <h3>{t("invite.step2")}</h3>
          <Form onSubmit={(e) => { e.preventDefault(); void submit(); }} aria-label={t("invite.step2")}>
            <TextField name="password" type="password" isRequired value={password} onChange={setPassword} autoComplete="new-password"
              validate={(v) => (v.length >= PASSWORD_MIN ? null : t("invite.passwordShort", { count: PASSWORD_MIN }))}>
              <Label>{t("invite.password")}</Label>
              <Input />
              <Text slot="description">{t("invite.passwordHelp", { count: PASSWORD_MIN })}</Text>
              <FieldError />
            </TextField>
            <TextField name="again" type="password" isRequired value={again} onChange={setAgain} autoComplete="new-password"
              validate={(v) => (v === password ? null : t("invite.mismatch"))}>
              <Label>{t("invite.again")}</Label>
              <Input />
              <FieldError />
            </TextField>
            <TextField name="totpCode" isRequired value={totp} onChange={setTotp} autoComplete="one-time-code" inputMode="numeric"
              validate={(v) => (/^\d{6}$/.test(v.trim()) ? null : t("signIn.codeFormat"))}>
              <Label>{t("signIn.code")}</Label>
              <Input />
              <Text slot="description">{t("signIn.codeHelp")}</Text>
              <FieldError />
            </TextField>
            {error ? <ErrorText error={error} /> : null}
            <Button type="submit" isDisabled={busy} className="primary">{t("invite.submit")}</Button>
          </Form>
        </>
      ) : null}
    </main>
  );
}
