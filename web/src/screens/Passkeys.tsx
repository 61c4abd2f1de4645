/** パスキー (my passkeys): the signed-in person's passkeys; register this device; remove one. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button, Form, Input, Label, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, type Lang } from "../format.ts";
import { addPasskey } from "../passkeys.ts";

interface PasskeyView { id: string; name: string; deviceType: "singleDevice" | "multiDevice"; backedUp: boolean; createdAt: string; lastUsedAt: string | null }

export function Passkeys({ timeZone }: { timeZone: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [name, setName] = useState(() => t("passkeys.defaultName"));
  const [notice, setNotice] = useState<string | null>(null);
  const passkeys = useQuery({ queryKey: ["passkeys"], queryFn: () => api<{ passkeys: PasskeyView[] }>("GET", "/passkeys") });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["passkeys"] });
  const add = useMutation({
    mutationFn: () => addPasskey(name.trim() || t("passkeys.defaultName")),
    onMutate: () => setNotice(null),
    onSuccess: () => {
      setNotice(t("passkeys.added"));
      refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (id: string) => api("DELETE", `/passkeys/${id}`),
    onMutate: () => setNotice(null),
    onSuccess: () => {
      setNotice(t("passkeys.removed"));
      refresh();
    },
  });
  useEffect(() => {
    document.title = `${t("passkeys.title")} — ${t("app.title")}`;
  }, [t]);
  return (
    <div className="passkeys">
      <h1>{t("passkeys.title")}</h1>
      <p>{t("passkeys.lead")}</p>
      <p role="status" className="notice">{notice}</p>
      {passkeys.isPending ? <p>{t("app.loading")}</p> : null}
      {passkeys.isError ? <ErrorText error={passkeys.error} /> : null}
      {passkeys.data && passkeys.data.passkeys.length === 0 ? <p>{t("passkeys.none")}</p> : null}
      {passkeys.data && passkeys.data.passkeys.length > 0 ? (
        <ul className="passkey-list">
          {passkeys.data.passkeys.map((p) => (
            <li key={p.id} className="passkey-item">
              <strong>{p.name}</strong> <span className="badge">{p.deviceType === "multiDevice" ? t("passkeys.synced") : t("passkeys.device")}</span>
              <br />
              {t("passkeys.created")}: {formatDateTime(p.createdAt, timeZone, lang)}
              {" · "}
              {t("passkeys.lastUsed")}: {p.lastUsedAt ? formatDateTime(p.lastUsedAt, timeZone, lang) : t("passkeys.never")}
              <Button onPress={() => remove.mutate(p.id)} isDisabled={remove.isPending} aria-label={t("passkeys.removeLabel", { name: p.name })}>
                {t("passkeys.remove")}
              </Button>
            </li>
          ))}
        </ul>
      ) : null}
      {remove.isError ? <ErrorText error={remove.error} /> : null}
      <Form onSubmit={(e) => { e.preventDefault(); add.mutate(); }} aria-label={t("passkeys.add")}>
        <TextField name="name" value={name} onChange={setName} maxLength={60}>
          <Label>{t("passkeys.newName")}</Label>
          <Input />
        </TextField>
        {add.isError ? <ErrorText error={add.error} /> : null}
        <Button type="submit" className="primary" isDisabled={add.isPending}>{t("passkeys.add")}</Button>
      </Form>
    </div>
  );
}
