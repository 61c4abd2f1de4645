/** i18next with Japanese first and English; the choice is kept in the browser and set on <html lang>. */
import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import type { Lang } from "./format.ts";
import { en } from "./locales/en.ts";
import { ja } from "./locales/ja.ts";

const KEY = "mimamori.lang";

export function storedLang(): Lang {
  const stored = globalThis.localStorage?.getItem(KEY);
  return stored === "en" ? "en" : "ja";
}

export async function initI18n(): Promise<void> {
  const lng = storedLang();
  await i18next.use(initReactI18next).init({
    lng,
    fallbackLng: "ja",
    resources: { ja: { translation: ja }, en: { translation: en } },
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  document.documentElement.lang = lng;
  document.title = i18next.t("app.title");
}

export async function setLang(lang: Lang): Promise<void> {
  localStorage.setItem(KEY, lang);
  await i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
  document.title = i18next.t("app.title");
}
