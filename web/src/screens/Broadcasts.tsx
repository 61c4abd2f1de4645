/** 一斉配信・安否確認 (broadcasts and disaster checks): compose, send, and watch delivery and answers by team. */
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import type { Me } from "../me.ts";

export function Broadcasts(_props: { me: Me; id: string | null }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${t("broadcasts.title")} — ${t("app.title")}`;
  }, [t]);
  return (
    <div className="broadcasts">
      <h1>{t("broadcasts.title")}</h1>
      <p>{t("broadcasts.lead")}</p>
    </div>
  );
}
