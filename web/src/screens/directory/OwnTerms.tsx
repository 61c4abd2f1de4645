/**
 * 独自の分類 (the organisation's own kinds of help, issue 14) on the 地域資源
 * screen: the terms an organisation adds to the shipped Japanese taxonomy — under
 * a shipped kind (買い物支援 › 生協の移動販売) or at the top — renamed, retired (no
 * longer offered in the kind pickers; services that carry one keep it) or brought
 * back, deleted while nothing uses them. Everyone who reads the directory sees
 * them; admins change them. Uses GET/POST/PATCH/DELETE /directory/taxonomy/terms
 * and its retire/restore.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Button, FieldError, Form, Input, Label, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../../api.ts";
import { ErrorText, errorSentence } from "../../ErrorText.tsx";
import type { Me } from "../../me.ts";
import { LocalSelect, useTaxonomy } from "./Kinds.tsx";

interface OwnTerm { id: string; code: string; name: string; parentCode: string | null; parentName: string | null; retired: boolean }

const TOP = "top";

export function OwnTerms({ me }: { me: Me }) {
  const { t } = useTranslation();
  const headingId = useId();
  const queryClient = useQueryClient();
  const admin = me.role === "admin";
  const own = useQuery({ queryKey: ["directory-own-terms"], queryFn: () => api<{ terms: OwnTerm[] }>("GET", "/directory/taxonomy/terms") });
  const { offered, nameOf, depth } = useTaxonomy();
  const [notice, setNotice] = useState<string | null>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const refresh = async (words: string) => {
    setNotice(words);
    await Promise.all([queryClient.invalidateQueries({ queryKey: ["directory-own-terms"] }), queryClient.invalidateQueries({ queryKey: ["directory-taxonomy"] })]);
  };
  const act = useMutation({
    mutationFn: ({ method, path }: { method: "POST" | "DELETE"; path: string; words: string }) => api(method, path),
    onSuccess: (_, v) => refresh(v.words),
  });
  const terms = own.data?.terms ?? [];
  return (
    <section className="own-terms" aria-labelledby={headingId}>
      <h2 id={headingId}>{t("ownTerms.title")}</h2>
      <p className="muted">{t("ownTerms.lead")}</p>
      {own.isError ? <ErrorText error={own.error} /> : null}
      {act.isError ? <ErrorText error={act.error} /> : null}
      {notice ? <p role="status">{notice}</p> : null}
      {terms.length ? (
        <ul className="part-list">
          {terms.map((term) => (
            <li key={term.id}>
              <strong>{term.name}</strong>{" "}
              <span className="muted">{term.parentName ? t("ownTerms.under", { parent: term.parentName }) : t("ownTerms.topLevel")}</span>
              {term.retired ? <> <span className="badge">{t("ownTerms.retired")}</span></> : null}
              {admin ? (
                <>
                  <Button onPress={() => setRenaming(term.id)} aria-label={t("ownTerms.renameLabel", { name: term.name })}>{t("ownTerms.rename")}</Button>
                  <Button isDisabled={act.isPending} aria-label={t(term.retired ? "ownTerms.restoreLabel" : "ownTerms.retireLabel", { name: term.name })}
                    onPress={() => act.mutate({ method: "POST", path: `/directory/taxonomy/terms/${term.id}/${term.retired ? "restore" : "retire"}`, words: t(term.retired ? "ownTerms.restored" : "ownTerms.retiredDone") })}>
                    {t(term.retired ? "ownTerms.restore" : "ownTerms.retire")}
                  </Button>
                  <Button isDisabled={act.isPending} aria-label={t("ownTerms.deleteLabel", { name: term.name })}
                    onPress={() => act.mutate({ method: "DELETE", path: `/directory/taxonomy/terms/${term.id}`, words: t("ownTerms.deleted") })}>
                    {t("ownTerms.delete")}
                  </Button>
                </>
              ) : null}
              {renaming === term.id ? <RenameForm term={term} onCancel={() => setRenaming(null)} onDone={async () => { setRenaming(null); await refresh(t("ownTerms.renamed")); }} /> : null}
            </li>
          ))}
        </ul>
      ) : <p className="muted">{t("ownTerms.none")}</p>}
      {admin ? <AddTermForm parents={offered.map((x) => ({ id: x.code, name: `${"\u3000".repeat(depth(x.code))}${nameOf(x.code)}` }))} onDone={() => refresh(t("ownTerms.added"))} /> : null}
    </section>
  );
}

/** The API's refusal by field, in words. */
function refusals(t: (key: string) => string, error: unknown): Record<string, string> {
  if (!(error instanceof ApiFailure) || error.status >= 500) return {};
  const list = error.fields.length ? error.fields : error.field ? [{ field: error.field, code: error.code }] : [];
  return Object.fromEntries(list.map((f) => {
    const key = `ownTerms.refused.${error.code}`;
    const words = t(key);
    return [f.field, words === key ? errorSentence(t, error) : words];
  }));
}

function AddTermForm({ parents, onDone }: { parents: { id: string; name: string }[]; onDone: () => Promise<void> }) {
  const { t } = useTranslation();
  const empty = { name: "", code: "", parentCode: TOP };
  const [v, setV] = useState(empty);
  const [refused, setRefused] = useState<Record<string, string>>({});
  const set = (name: keyof typeof empty) => (value: string) => { setV((all) => ({ ...all, [name]: value })); setRefused(({ [name]: _, ...rest }) => rest); };
  const save = useMutation({
    mutationFn: () => api("POST", "/directory/taxonomy/terms", { name: v.name.trim(), code: v.code.trim(), parentCode: v.parentCode === TOP ? null : v.parentCode }),
    onError: (error) => setRefused(refusals(t, error)),
    onSuccess: async () => { setV(empty); setRefused({}); await onDone(); },
  });
  const submit = () => {
    const out: Record<string, string> = {};
    if (!v.name.trim()) out.name = t("resources.add.refused.required");
    if (!/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(v.code.trim())) out.code = t("ownTerms.refused.code");
    setRefused(out);
    if (!Object.keys(out).length) save.mutate();
  };
  return (
    <Form className="member-form partner-form part-form" aria-labelledby="own-term-form" validationBehavior="aria" validationErrors={refused}
      onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <h3 id="own-term-form">{t("ownTerms.add")}</h3>
      {Object.keys(refused).length ? <div role="alert" className="error">{t("serviceParts.fix")}</div>
        : save.error ? <div role="alert" className="error">{errorSentence(t, save.error)}</div> : null}
      <TextField name="name" value={v.name} onChange={set("name")}>
        <Label>{t("ownTerms.name")}</Label>
        <Input />
        <FieldError />
      </TextField>
      <TextField name="code" value={v.code} onChange={set("code")}>
        <Label>{t("ownTerms.code")}</Label>
        <Input autoCapitalize="none" spellCheck={false} />
        <FieldError />
      </TextField>
      <LocalSelect label={t("ownTerms.parent")} value={v.parentCode} onChange={set("parentCode")} invalid={refused.parentCode}
        options={[{ id: TOP, name: t("ownTerms.topLevel") }, ...parents]} />
      <div className="button-row"><Button type="submit" className="primary" isDisabled={save.isPending}>{t("ownTerms.add")}</Button></div>
    </Form>
  );
}

function RenameForm({ term, onDone, onCancel }: { term: OwnTerm; onDone: () => Promise<void>; onCancel: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(term.name);
  const save = useMutation({ mutationFn: () => api("PATCH", `/directory/taxonomy/terms/${term.id}`, { name: name.trim() }), onSuccess: onDone });
  return (
    <Form className="inline-form" aria-labelledby={`rename-${term.id}`} onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <h3 id={`rename-${term.id}`} className="visually-hidden">{t("ownTerms.renameLabel", { name: term.name })}</h3>
      <TextField value={name} onChange={setName} isRequired>
        <Label>{t("ownTerms.newName")}</Label>
        <Input />
      </TextField>
      <Button type="submit" isDisabled={save.isPending || !name.trim()}>{t("ownTerms.save")}</Button>
      <Button onPress={onCancel}>{t("resources.cancel")}</Button>
      {save.isError ? <ErrorText error={save.error} /> : null}
    </Form>
  );
}
