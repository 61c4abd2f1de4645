/** An API failure as a sentence in the reader's language, chosen by its stable code. */
import { useTranslation } from "react-i18next";
import { ApiFailure } from "./api.ts";

export function errorSentence(t: (key: string) => string, error: unknown): string {
  const code = error instanceof ApiFailure ? error.code : "generic";
  const key = `errors.${code}`;
  const sentence = t(key);
  return sentence === key ? t("errors.generic") : sentence;
}

export function ErrorText({ error }: { error: unknown }) {
  const { t } = useTranslation();
  return <p className="error" role="alert">{errorSentence(t, error)}</p>;
}
