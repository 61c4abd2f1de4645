/** ログイン中の端末 (my sessions): where I am signed in; sign out everywhere. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../api.ts";
import { signedOut } from "../me.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, type Lang } from "../format.ts";

interface SessionView { id: string; createdAt: string; lastSeenAt: string; expiresAt: string; ip: string | null; userAgent: string | null; current: boolean }

export function Sessions({ timeZone }: { timeZone: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const sessions = useQuery({ queryKey: ["sessions"], queryFn: () => api<{ sessions: SessionView[] }>("GET", "/sessions") });
  const everywhere = useMutation({
    mutationFn: () => api("DELETE", "/sessions"),
    onSuccess: () => signedOut(queryClient),
  });
  useEffect(() => {
    document.title = `${t("sessions.title")} — ${t("app.title")}`;
  }, [t]);
  return (
    <div className="sessions">
      <h1>{t("sessions.title")}</h1>
      <p>{t("sessions.lead")}</p>
      {sessions.isPending ? <p>{t("app.loading")}</p> : null}
      {sessions.isError ? <ErrorText error={sessions.error} /> : null}
      {sessions.data ? (
        <ul className="session-list">
          {sessions.data.sessions.map((s) => (
            <li key={s.id} className="session-item">
              <strong>{s.userAgent ?? t("sessions.unknownDevice")}</strong>
              {s.current ? <span className="badge">{t("sessions.current")}</span> : null}
              <br />
              {t("sessions.since", { time: formatDateTime(s.createdAt, timeZone, lang) })}
              {" · "}
              {t("sessions.lastSeen", { time: formatDateTime(s.lastSeenAt, timeZone, lang) })}
              {s.ip ? ` · ${s.ip}` : null}
            </li>
          ))}
        </ul>
      ) : null}
      {everywhere.isError ? <ErrorText error={everywhere.error} /> : null}
      <Button className="primary" onPress={() => everywhere.mutate()} isDisabled={everywhere.isPending}>{t("sessions.everywhere")}</Button>
    </div>
  );
}
