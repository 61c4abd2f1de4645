/**
 * 地域資源の設定 (the directory's settings, GET/PATCH /directory/settings) on the
 * 地域資源 screen, where the directory is kept: whether 年末年始 closes every
 * repeating schedule, and its first and last day (12/29–1/3 by default). Everyone
 * who reads the directory reads it; admins change it. It applies to the public
 * page, the HSDS API, the activities calendar and matching.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { Button, Checkbox, Form, Input, Label, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";
import { ErrorText } from "../../ErrorText.tsx";
import type { Me } from "../../me.ts";

interface Settings { yearEndClosed: boolean; yearEndFirst: string; yearEndLast: string; updatedBy: string | null; updatedAt: string | null }

/** "12-29" as 12/29. */
const md = (v: string) => `${Number(v.slice(0, 2))}/${Number(v.slice(3))}`;

export function DirectorySettings({ me }: { me: Me }) {
  const { t } = useTranslation();
  const headingId = useId();
  const queryClient = useQueryClient();
  const settings = useQuery({ queryKey: ["directory-settings"], queryFn: () => api<Settings>("GET", "/directory/settings") });
  const [closed, setClosed] = useState(true);
  const [first, setFirst] = useState("12-29");
  const [last, setLast] = useState("01-03");
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (!settings.data) return;
    setClosed(settings.data.yearEndClosed);
    setFirst(settings.data.yearEndFirst);
    setLast(settings.data.yearEndLast);
  }, [settings.data]);
  const save = useMutation({
    mutationFn: () => api<Settings>("PATCH", "/directory/settings", { yearEndClosed: closed, yearEndFirst: first, yearEndLast: last }),
    onSuccess: (data) => {
      queryClient.setQueryData(["directory-settings"], data);
      setSaved(true);
    },
  });
  if (!settings.data) return settings.isError ? <ErrorText error={settings.error} /> : null;
  const now = settings.data;
  return (
    <section className="directory-settings" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("resources.settings.title")}</h2>
      <p>{now.yearEndClosed
        ? t("resources.settings.closed", { first: md(now.yearEndFirst), last: md(now.yearEndLast) })
        : t("resources.settings.open")}</p>
      {me.role === "admin" ? (
        <Form className="inline-form" aria-labelledby={headingId} onSubmit={(e) => { e.preventDefault(); setSaved(false); save.mutate(); }}>
          <Checkbox isSelected={closed} onChange={setClosed}>{t("resources.settings.yearEndClosed")}</Checkbox>
          <TextField value={first} onChange={setFirst} isDisabled={!closed}>
            <Label>{t("resources.settings.first")}</Label>
            <Input inputMode="numeric" size={6} />
          </TextField>
          <TextField value={last} onChange={setLast} isDisabled={!closed}>
            <Label>{t("resources.settings.last")}</Label>
            <Input inputMode="numeric" size={6} />
          </TextField>
          <Button type="submit" isDisabled={save.isPending}>{t("resources.settings.save")}</Button>
          {save.isError ? <ErrorText error={save.error} /> : null}
          {saved ? <p role="status">{t("resources.settings.saved")}</p> : null}
        </Form>
      ) : null}
    </section>
  );
}
