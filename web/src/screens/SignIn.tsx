/** Sign-in with an API token (the admin token printed at first start). */
import { useState } from "react";
import { Button, FieldError, Form, Input, Label, Text, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, session } from "../api.ts";
import { LanguageSwitch } from "../App.tsx";
import { ErrorText } from "../ErrorText.tsx";

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const [token, setToken] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(null);
    session.signIn(token.trim());
    try {
      await api("GET", "/organisation");
      onSignedIn();
    } catch (failure) {
      session.signOut();
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
      <Form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <TextField name="token" type="password" isRequired value={token} onChange={setToken} autoComplete="current-password"
          validate={(v) => (v.trim() ? null : t("signIn.required"))}>
          <Label>{t("signIn.token")}</Label>
          <Input />
          <Text slot="description">{t("signIn.tokenHelp")}</Text>
          <FieldError />
        </TextField>
        {error ? <ErrorText error={error} /> : null}
        <Button type="submit" isDisabled={busy} className="primary">{t("signIn.submit")}</Button>
      </Form>
    </main>
  );
}
