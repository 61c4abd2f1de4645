/**
 * 地域資源の設定 (the directory's settings, GET/PATCH /directory/settings) on the
 * 地域資源 screen, where the directory is kept: whether 年末年始 closes every
 * repeating schedule, and its first and last day (12/29–1/3 by default). Everyone
 * who reads the directory reads it; admins change it. It applies to the public
 * page, the HSDS API, the activities calendar and matching.
 *
 * Also 公開ページとHSDS API: the full addresses of the residents' page and the
 * HSDS API with the organisation id (GET /directory/public-links: the server
 * makes them from its public URL; the browser's own address may be an internal one).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { Button, Checkbox, Form, Input, Label, Link, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";
import { ErrorText } from "../../ErrorText.tsx";
import type { Me } from "../../me.ts";

interface PublicLinks { organisationId: string; publicPage: string; hsdsApi: string }

/** The directory's public page and HSDS API as links, each with a copy button. */
export function DirectoryPublicLinks() {
  const { t } = useTranslation();
  const headingId = useId();
  const [copied, setCopied] = useState<string | null>(null);
  const links = useQuery({ queryKey: ["directory-public-links"], queryFn: () => api<PublicLinks>("GET", "/directory/public-links"), staleTime: Infinity });
  if (!links.data) return links.isError ? <ErrorText error={links.error} /> : null;
  const rows = [["publicPage", links.data.publicPage], ["hsdsApi", links.data.hsdsApi]] as const;
  return (
    <section className="directory-public-links" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("resources.publicLinks.title")}</h2>
      <p>{t("resources.publicLinks.lead")}</p>
      <dl className="public-links">
        {rows.map(([key, url]) => {
          const what = t(`resources.publicLinks.${key}`);
          return (
            <div key={key}>
              <dt>{what}</dt>
              <dd>
                <Link href={url} target="_blank" rel="noopener" className="url">{url}</Link>{" "}
                <Button className="small" aria-label={t("resources.publicLinks.copy", { what })}
                  onPress={() => void navigator.clipboard?.writeText(url).then(() => setCopied(t("resources.publicLinks.copied", { what })))}>
                  {t("resources.publicLinks.copyButton")}
                </Button>
              </dd>
            </div>
          );
        })}
        <div>
          <dt>{t("resources.publicLinks.organisationId")}</dt>
          <dd><code>{links.data.organisationId}</code></dd>
        </div>
      </dl>
      {copied ? <p role="status">{copied}</p> : null}
    </section>
  );
}

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
