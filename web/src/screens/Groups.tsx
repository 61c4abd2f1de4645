/** つながり (groups): each group's members, its current round and who has not confirmed, its history; approval. */
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import type { Me } from "../me.ts";

export function Groups(_props: { me: Me; id: string | null }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${t("groups.title")} — ${t("app.title")}`;
  }, [t]);
  return (
    <div className="groups">
      <h1>{t("groups.title")}</h1>
      <p>{t("groups.lead")}</p>
    </div>
  );
}
