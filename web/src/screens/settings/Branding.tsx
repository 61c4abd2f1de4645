/**
 * 設定 → 名称・利用規約: the service name members read, the logo or top image, and
 * the terms of use with their versions (publishing one asks members again; the
 * count of who agreed to the current one). Admins change; auditors read.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button, Form, Input, Label, Link, TextArea, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";
import { ErrorText } from "../../ErrorText.tsx";
import { formatDateTime, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";

export interface BrandingView {
  serviceName: string | null;
  defaultServiceName: { ja: string; en: string };
  logo: { contentType: string; updatedAt: string; path: string } | null;
}
export interface TermsVersion { id: string; version: string; body: string | null; url: string | null; publishedAt: string; publishedBy: string }
export interface TermsView { current: TermsVersion | null; versions: TermsVersion[]; members: number; agreed: number }

/** The file's bytes in base64 (the API takes the logo as JSON). */
function base64Of(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function Branding({ me }: { me: Me }) {
  const { t } = useTranslation();
  const canChange = me.role === "admin";
  const branding = useQuery({ queryKey: ["branding"], queryFn: () => api<BrandingView>("GET", "/branding") });
  return (
    <div className="settings-branding">
      {canChange ? null : <p className="hint">{t("brand.readOnly")}</p>}
      {branding.isPending ? <p>{t("app.loading")}</p> : null}
      {branding.isError ? <ErrorText error={branding.error} /> : null}
      {branding.data ? <ServiceName view={branding.data} canChange={canChange} /> : null}
      {branding.data ? <Logo view={branding.data} canChange={canChange} /> : null}
      <Terms me={me} canChange={canChange} />
    </div>
  );
}

function ServiceName({ view, canChange }: { view: BrandingView; canChange: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [name, setName] = useState(view.serviceName ?? "");
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => setName(view.serviceName ?? ""), [view.serviceName]);
  const save = useMutation({
    mutationFn: () => api<BrandingView>("PUT", "/branding", { serviceName: name.trim() || null }),
    onMutate: () => setNotice(null),
    onSuccess: (v) => {
      queryClient.setQueryData(["branding"], v);
      setNotice(t("brand.nameSaved"));
    },
  });
  return (
    <section aria-labelledby="brand-name-heading">
      <h3 id="brand-name-heading">{t("brand.nameHeading")}</h3>
      <p>{t("brand.nameLead", { ja: view.defaultServiceName.ja })}</p>
      <p data-testid="service-name">{t("brand.current", { name: view.serviceName ?? view.defaultServiceName.ja })}</p>
      {canChange ? (
        <Form onSubmit={(e) => { e.preventDefault(); save.mutate(); }} aria-labelledby="brand-name-heading" className="inline-form">
          <TextField value={name} onChange={setName} maxLength={30}>
            <Label>{t("brand.nameLabel")}</Label>
            <Input />
          </TextField>
          <Button type="submit" className="primary" isDisabled={save.isPending}>{t("brand.nameSave")}</Button>
        </Form>
      ) : null}
      <p role="status" className={notice ? "notice" : undefined}>{notice}</p>
      {save.isError ? <ErrorText error={save.error} /> : null}
    </section>
  );
}

function Logo({ view, canChange }: { view: BrandingView; canChange: boolean }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const name = view.serviceName ?? view.defaultServiceName.ja;
  const upload = useMutation({
    mutationFn: async () => api<BrandingView>("PUT", "/branding/logo", { content: await base64Of(file as File) }),
    onMutate: () => setNotice(null),
    onSuccess: (v) => {
      queryClient.setQueryData(["branding"], v);
      setNotice(t("brand.logoSaved"));
    },
  });
  const remove = useMutation({
    mutationFn: () => api("DELETE", "/branding/logo"),
    onMutate: () => setNotice(null),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["branding"] });
      setNotice(t("brand.logoRemoved"));
    },
  });
  return (
    <section aria-labelledby="brand-logo-heading">
      <h3 id="brand-logo-heading">{t("brand.logoHeading")}</h3>
      <p>{t("brand.logoLead")}</p>
      {view.logo ? <img className="brand-logo-preview" src={view.logo.path} alt={t("brand.logoAlt", { name })} /> : <p>{t("brand.noLogo")}</p>}
      {canChange ? (
        <Form onSubmit={(e) => { e.preventDefault(); if (file) upload.mutate(); }} aria-labelledby="brand-logo-heading">
          <div className="file-field">
            <label htmlFor="logo-file" className="file-field-label">{t("brand.logoFile")}</label>
            <input id="logo-file" className="file-field-input" type="file" accept="image/png,image/jpeg,image/webp" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </div>
          <div className="button-row">
            <Button type="submit" className="primary" isDisabled={!file || upload.isPending}>{t("brand.logoUpload")}</Button>
            {view.logo ? <Button onPress={() => remove.mutate()} isDisabled={remove.isPending}>{t("brand.logoRemove")}</Button> : null}
          </div>
        </Form>
      ) : null}
      <p role="status" className={notice ? "notice" : undefined}>{notice}</p>
      {upload.isError ? <ErrorText error={upload.error} /> : null}
      {remove.isError ? <ErrorText error={remove.error} /> : null}
    </section>
  );
}

function Terms({ me, canChange }: { me: Me; canChange: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const terms = useQuery({ queryKey: ["terms"], queryFn: () => api<TermsView>("GET", "/terms") });
  const [version, setVersion] = useState("");
  const [body, setBody] = useState("");
  const [url, setUrl] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const publish = useMutation({
    mutationFn: () => api<{ version: string; asked: number; byStaff: number }>("POST", "/terms", {
      version: version.trim(), ...(body.trim() ? { body } : {}), ...(url.trim() ? { url: url.trim() } : {}),
    }),
    onMutate: () => setNotice(null),
    onSuccess: (r) => {
      setNotice(t("brand.published", { version: r.version, asked: r.asked, byStaff: r.byStaff }));
      setVersion("");
      setBody("");
      setUrl("");
      void queryClient.invalidateQueries({ queryKey: ["terms"] });
    },
  });
  const d = terms.data;
  return (
    <section aria-labelledby="brand-terms-heading">
      <h3 id="brand-terms-heading">{t("brand.termsHeading")}</h3>
      <p>{t("brand.termsLead")}</p>
      {terms.isError ? <ErrorText error={terms.error} /> : null}
      {d && !d.current ? <p>{t("brand.noTerms")}</p> : null}
      {d?.current ? (
        <>
          <p data-testid="terms-current">
            {t("brand.currentVersion", { version: d.current.version, date: formatDateTime(d.current.publishedAt, me.timeZone, lang), by: d.current.publishedBy })}
          </p>
          <p className="big-figure" data-testid="terms-agreed">{t("brand.agreed", { agreed: d.agreed, members: d.members })}</p>
          {d.current.url ? <p><Link href={d.current.url} target="_blank" rel="noopener noreferrer">{t("brand.openTerms")}</Link></p> : null}
        </>
      ) : null}
      {canChange ? (
        <Form onSubmit={(e) => { e.preventDefault(); publish.mutate(); }} aria-labelledby="terms-publish-heading">
          <h4 id="terms-publish-heading">{t("brand.publishHeading")}</h4>
          <TextField value={version} onChange={setVersion} isRequired maxLength={20}>
            <Label>{t("brand.version")}</Label>
            <Input />
          </TextField>
          <TextField value={body} onChange={setBody}>
            <Label>{t("brand.body")}</Label>
            <TextArea rows={6} />
          </TextField>
          <TextField value={url} onChange={setUrl} type="url">
            <Label>{t("brand.url")}</Label>
            <Input />
          </TextField>
          <Button type="submit" className="primary" isDisabled={!version.trim() || (!body.trim() && !url.trim()) || publish.isPending}>{t("brand.publish")}</Button>
        </Form>
      ) : null}
      <p role="status" className={notice ? "notice" : undefined}>{notice}</p>
      {publish.isError ? <ErrorText error={publish.error} /> : null}
      {d?.versions.length ? (
        <table className="terms-versions">
          <caption>{t("brand.versions")}</caption>
          <thead>
            <tr><th scope="col">{t("brand.versionCol")}</th><th scope="col">{t("brand.publishedCol")}</th><th scope="col">{t("brand.byCol")}</th></tr>
          </thead>
          <tbody>
            {d.versions.map((v) => (
              <tr key={v.id}><td>{v.version}</td><td>{formatDateTime(v.publishedAt, me.timeZone, lang)}</td><td>{v.publishedBy}</td></tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
