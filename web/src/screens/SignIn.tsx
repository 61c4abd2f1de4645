/** Sign-in: a person with login id, password and authenticator code; or an API token (the admin token printed at first start). */
import { useState } from "react";
import { Button, Disclosure, DisclosurePanel, FieldError, Form, Heading, Input, Label, Text, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, session } from "../api.ts";
import { LanguageSwitch } from "../App.tsx";
import { ErrorText } from "../ErrorText.tsx";
import { signInWithPasskey } from "../passkeys.ts";

/** A passkey: no login id typed; the browser offers this site's passkeys. */
function PasskeySignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    setError(null);
    session.forget();
    try {
      session.keepCsrf((await signInWithPasskey()).csrfToken);
      onSignedIn();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="passkey-sign-in" aria-labelledby="passkey-sign-in">
      <h3 id="passkey-sign-in" className="visually-hidden">{t("signIn.passkey")}</h3>
      <Button className="primary" onPress={() => void start()} isDisabled={busy} aria-describedby="passkey-sign-in-help">{t("signIn.passkey")}</Button>
      <p id="passkey-sign-in-help" className="hint">{t("signIn.passkeyHelp")}</p>
      {error ? <ErrorText error={error} /> : null}
    </section>
  );
}

function TokenSignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    session.keepToken(token.trim());
    try {
      await api("GET", "/organisation", undefined, { quiet401: true });
      onSignedIn();
    } catch (failure) {
      session.forget();
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Form onSubmit={(e) => { e.preventDefault(); void submit(); }} aria-label={t("signIn.tokenTitle")}>
      <TextField name="token" type="password" isRequired value={token} onChange={setToken} autoComplete="off"
        validate={(v) => (v.trim() ? null : t("signIn.tokenRequired"))}>
        <Label>{t("signIn.token")}</Label>
        <Input />
        <Text slot="description">{t("signIn.tokenHelp")}</Text>
        <FieldError />
      </TextField>
      {error ? <ErrorText error={error} /> : null}
      <Button type="submit" isDisabled={busy}>{t("signIn.tokenSubmit")}</Button>
    </Form>
  );
}

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const [loginId, setLoginId] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    session.forget();
    try {
      const signedIn = await api<{ csrfToken: string }>("POST", "/sessions", { loginId: loginId.trim(), password, totpCode: code.trim() }, { quiet401: true });
      session.keepCsrf(signedIn.csrfToken);
      onSignedIn();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" className="sign-in">
      <div className="sign-in-tools"><LanguageSwitch /></div>
      <h1>{t("app.title")}</h1>
      <h2>{t("signIn.title")}</h2>
      <p>{t("signIn.lead")}</p>
      <PasskeySignIn onSignedIn={onSignedIn} />
      <p className="or" aria-hidden="true">{t("signIn.or")}</p>
      <Form onSubmit={(e) => { e.preventDefault(); void submit(); }} aria-label={t("signIn.title")}>
        <TextField name="loginId" isRequired value={loginId} onChange={setLoginId} autoComplete="username" validate={(v) => (v.trim() ? null : t("signIn.required"))}>
          <Label>{t("signIn.loginId")}</Label>
          <Input />
          <FieldError />
        </TextField>
        <TextField name="password" type="password" isRequired value={password} onChange={setPassword} autoComplete="current-password"
          validate={(v) => (v ? null : t("signIn.required"))}>
          <Label>{t("signIn.password")}</Label>
          <Input />
          <FieldError />
        </TextField>
        <TextField name="totpCode" isRequired value={code} onChange={setCode} autoComplete="one-time-code" inputMode="numeric"
          validate={(v) => (/^\d{6}$/.test(v.trim()) ? null : t("signIn.codeFormat"))}>
          <Label>{t("signIn.code")}</Label>
          <Input />
          <Text slot="description">{t("signIn.codeHelp")}</Text>
          <FieldError />
        </TextField>
        {error ? <ErrorText error={error} /> : null}
        <Button type="submit" isDisabled={busy} className="primary">{t("signIn.submit")}</Button>
      </Form>
      <Disclosure className="token-sign-in">
        <Heading level={3}>
          <Button slot="trigger">{t("signIn.tokenTitle")}</Button>
        </Heading>
        <DisclosurePanel>
          <p>{t("signIn.tokenLead")}</p>
          <TokenSignIn onSignedIn={onSignedIn} />
        </DisclosurePanel>
      </Disclosure>
    </main>
  );
}
