/**
 * 協力事業者 (the partner registry, seed 001): the businesses under a watching
 * agreement (見守り協定) and who at the center looks after each relationship, so
 * the next person takes over from the registry. The list puts overdue reviews
 * first; a partner's page shows every field, the contact people (redacted for
 * observers), the report form's link, short code and a printable QR code, its
 * reports in 気づき, and — for staff — the Open311 key (shown once), the edit
 * form, and archive / restore. Reads and writes /network/partners.
 *
 * The console path is /partner-registry: /partners/{organisationId} is the
 * public page of listed partners, served without the console.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import QRCode from "qrcode";
import { type ReactNode, useEffect, useMemo, useState } from "react";
import {
  Button, Checkbox, Dialog, DialogTrigger, FieldError, Form, Heading, Input, Label, Link, Modal, SearchField, Switch, TextArea, TextField,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../../api.ts";
import { ErrorText, errorSentence } from "../../ErrorText.tsx";
import { formatDateTime, formatLocalDate, formatPhone, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { navigate } from "../../router.ts";
import { FieldSelect } from "../Import.tsx";

/** The console's path of the registry (the screen id in router.ts). */
export const REGISTRY = "/partner-registry";
/** The domain's kinds (src/network/domain/partners.ts PARTNER_KINDS). */
const KINDS = ["shop", "home_visit", "finance", "ict", "other"] as const;
/** What the API shows observers instead of a personal value. */
const REDACTED = "***";
const NO_OWNER = "none";

interface Contact { displayName: string; role: string | null; phone: string | null; email: string | null }
/** A partner as GET /network/partners(/:id) gives it. */
export interface Partner {
  id: string; name: string; kind: (typeof KINDS)[number]; business: string | null;
  agreementDate: string | null; agreementTerms: string | null; contacts: Contact[];
  owner: { id: string; displayName: string } | null; nextReviewOn: string | null; reviewOverdue: boolean;
  listed: boolean; shortCode: string; reportFormUrl: string; hasApiKey: boolean; archived: boolean;
  createdAt: string; updatedAt: string; archivedAt: string | null;
}

const canWrite = (me: Me) => me.role === "admin" || me.role === "staff";

/** Whether a link reaches only this computer (MIMAMORI_PUBLIC_URL unset): a partner's phone cannot open it. */
function onThisComputerOnly(url: string): boolean {
  const host = new URL(url).hostname;
  return host === "localhost" || host === "[::1]" || host.startsWith("127.");
}

export function Partners({ me, sub }: { me: Me; sub: string | null }) {
  const { t } = useTranslation();
  const title = sub === "new" ? t("partners.createTitle") : t("partners.title");
  useEffect(() => {
    if (!sub || sub === "new") document.title = `${title} — ${t("app.title")}`;
  }, [t, title, sub]);
  if (sub === "new") {
    return canWrite(me)
      ? <PartnerForm onDone={(p) => navigate(`${REGISTRY}/${p.id}`)} onCancel={() => navigate(REGISTRY)} />
      : <p>{t("partners.readOnly")}</p>;
  }
  return sub ? <PartnerPage me={me} id={sub} /> : <PartnerList me={me} />;
}

/** Overdue reviews first (the longest overdue first), then by name; archived ones last. */
function sortForWork(partners: Partner[]): Partner[] {
  const rank = (p: Partner) => (p.archived ? 2 : p.reviewOverdue ? 0 : 1);
  return [...partners].sort((a, b) => rank(a) - rank(b)
    || (rank(a) === 0 ? (a.nextReviewOn ?? "").localeCompare(b.nextReviewOn ?? "") : 0)
    || a.name.localeCompare(b.name, "ja"));
}

function ReviewDate({ partner, lang }: { partner: Partner; lang: Lang }) {
  const { t } = useTranslation();
  if (!partner.nextReviewOn) return <span className="muted">{t("partners.notSet")}</span>;
  return (
    <>
      {formatLocalDate(partner.nextReviewOn, lang)}
      {partner.reviewOverdue ? <> <span className="badge overdue-badge">{t("partners.overdue")}</span></> : null}
    </>
  );
}

/** A personal value as the reader may see it: the API's mask in words. */
function useShown() {
  const { t } = useTranslation();
  return (value: string) => (value === REDACTED ? t("partners.hidden") : value || t("partners.notSet"));
}

function PartnerList({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const shown = useShown();
  const lang = i18n.language as Lang;
  const [show, setShow] = useState("active");
  const [search, setSearch] = useState("");
  // A person taking over or checking their own relationships; a token has no person to own any.
  const myId = me.kind === "person" ? me.person.id : null;
  const [mine, setMine] = useState(false);
  const list = useQuery({
    queryKey: ["network-partners", "all"],
    queryFn: () => api<{ partners: Partner[]; publicPageUrl: string }>("GET", "/network/partners?archived=true"),
  });
  const all = list.data?.partners ?? [];
  const needle = search.normalize("NFKC").trim().toLowerCase();
  const rows = sortForWork(all.filter((p) => (show === "all" || (show === "archived") === p.archived)
    && (!mine || p.owner?.id === myId)
    && (!needle || `${p.name} ${p.business ?? ""}`.normalize("NFKC").toLowerCase().includes(needle))));
  const overdue = all.filter((p) => p.reviewOverdue).length;
  return (
    <div className="partners">
      <h1>{t("partners.title")}</h1>
      <p>{t("partners.lead")}</p>
      <div className="button-row">
        {canWrite(me) ? <Link className="button-link primary" href={`${REGISTRY}/new`}>{t("partners.create")}</Link> : null}
        {list.data ? <Link href={list.data.publicPageUrl} target="_blank" rel="noopener">{t("partners.publicPage")}</Link> : null}
      </div>
      <div className="inline-form filters">
        <FieldSelect label={t("partners.show")} value={show} onChange={setShow} visible
          options={(["active", "archived", "all"] as const).map((s) => ({ id: s, name: t(`partners.shows.${s}`) }))} />
        <SearchField value={search} onChange={setSearch}>
          <Label>{t("partners.search")}</Label>
          <Input />
        </SearchField>
        {myId ? <Checkbox isSelected={mine} onChange={setMine}>{t("partners.mine")}</Checkbox> : null}
      </div>
      {list.isPending ? <p>{t("app.loading")}</p> : null}
      {list.isError ? <ErrorText error={list.error} /> : null}
      {list.data ? (
        <p role="status" className={overdue ? "overdue-text" : undefined}>
          {overdue ? t("partners.overdueCount", { count: overdue }) : t("partners.noneOverdue")}
        </p>
      ) : null}
      {list.data && rows.length === 0 ? <p>{all.length === 0 ? t("partners.none") : t("partners.noMatch")}</p> : null}
      {rows.length ? (
        <table className="partner-list">
            <caption className="visually-hidden">{t("partners.caption", { count: rows.length })}</caption>
            <thead>
              <tr>
                {(["name", "kind", "agreementDate", "owner", "nextReview", "listed"] as const).map((c) => (
                  <th key={c} scope="col">{t(`partners.columns.${c}`)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.id} className={p.reviewOverdue ? "overdue" : undefined}>
                  <th scope="row">
                    <Link href={`${REGISTRY}/${p.id}`}>{p.name}</Link>
                    {p.archived ? <> <span className="badge">{t("partners.archived")}</span></> : null}
                  </th>
                  <td data-label={t("partners.columns.kind")}>{t(`partners.kinds.${p.kind}`)}{p.business ? <span className="muted">（{p.business}）</span> : null}</td>
                  <td data-label={t("partners.columns.agreementDate")}>{p.agreementDate ? formatLocalDate(p.agreementDate, lang) : <span className="muted">{t("partners.notSet")}</span>}</td>
                  <td data-label={t("partners.columns.owner")}>{p.owner ? shown(p.owner.displayName) : <span className="muted">{t("partners.notSet")}</span>}</td>
                  <td data-label={t("partners.columns.nextReview")}><ReviewDate partner={p} lang={lang} /></td>
                  <td data-label={t("partners.columns.listed")}>{t(p.listed ? "partners.listedYes" : "partners.listedNo")}</td>
                </tr>
              ))}
            </tbody>
        </table>
      ) : null}
    </div>
  );
}

/** A button that copies `text`, saying so (or that the browser refused: select the text instead). */
function CopyButton({ text, label, name }: { text: string; label: string; name: string }) {
  const { t } = useTranslation();
  const [done, setDone] = useState<"copied" | "failed" | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setDone("copied");
    } catch {
      setDone("failed");
    }
  };
  return (
    <>
      <Button onPress={() => void copy()} aria-label={`${label}: ${name}`}>{label}</Button>
      <span role="status" className="hint">{done ? t(`partners.${done}`) : ""}</span>
    </>
  );
}

function Confirm({ label, title, body, confirm, danger, pending, error, onConfirm }: {
  label: string; title: string; body: string; confirm: string; danger?: boolean; pending: boolean; error: unknown; onConfirm: (close: () => void) => void;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  return (
    <DialogTrigger isOpen={open} onOpenChange={setOpen}>
      {/* Plain on the page; the confirming button in the dialog says it is the one that breaks something. */}
      <Button>{label}</Button>
      <Modal isDismissable className="modal">
        <Dialog className="dialog">
          <Heading slot="title">{title}</Heading>
          <p>{body}</p>
          {error ? <ErrorText error={error} /> : null}
          <div className="actions">
            <Button className={danger ? "danger" : "primary"} onPress={() => onConfirm(() => setOpen(false))} isDisabled={pending}>{confirm}</Button>
            <Button slot="close">{t("partners.cancel")}</Button>
          </div>
        </Dialog>
      </Modal>
    </DialogTrigger>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

function PartnerPage({ me, id }: { me: Me; id: string }) {
  const { t, i18n } = useTranslation();
  const shown = useShown();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [key, setKey] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [qr, setQr] = useState<string | null>(null);
  const partner = useQuery({ queryKey: ["network-partner", id], queryFn: () => api<Partner>("GET", `/network/partners/${id}`) });
  const p = partner.data;
  useEffect(() => {
    if (p) document.title = `${p.name} — ${t("partners.title")} — ${t("app.title")}`;
  }, [p, t]);
  useEffect(() => {
    if (!p) return;
    // SVG: sharp at any print size; a data: URL, which the console's CSP allows for images.
    void QRCode.toString(p.reportFormUrl, { type: "svg", margin: 2, errorCorrectionLevel: "M" })
      .then((svg) => setQr(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`));
  }, [p]);
  const changed = (next: Partner) => {
    queryClient.setQueryData(["network-partner", id], next);
    void queryClient.invalidateQueries({ queryKey: ["network-partners"] });
  };
  const issue = useMutation({
    mutationFn: () => api<{ key: string; partner: Partner }>("POST", `/network/partners/${id}/key`),
    onSuccess: (r) => {
      setKey(r.key);
      changed(r.partner);
    },
  });
  const archive = useMutation({
    mutationFn: (archived: boolean) => api<Partner>("POST", `/network/partners/${id}/${archived ? "archive" : "restore"}`),
    onSuccess: (r) => {
      changed(r);
      setNotice(t(r.archived ? "partners.archivedNotice" : "partners.restoredNotice", { name: r.name }));
    },
  });
  if (partner.isPending) return <p>{t("app.loading")}</p>;
  if (!p) return <><p><Link href={REGISTRY}>{t("partners.back")}</Link></p><ErrorText error={partner.error} /></>;
  const write = canWrite(me);
  const redacted = p.contacts.some((c) => c.displayName === REDACTED);
  const notSet = <span className="muted">{t("partners.notSet")}</span>;
  return (
    <div className="partner-page">
      <p className="no-print"><Link href={REGISTRY}>{t("partners.back")}</Link></p>
      <h1>
        {p.name}
        {p.archived ? <> <span className="badge">{t("partners.archived")}</span></> : null}
        {p.reviewOverdue ? <> <span className="badge overdue-badge">{t("partners.reviewOverdue")}</span></> : null}
      </h1>
      <p role="status" className={notice ? "notice no-print" : "no-print"}>{notice}</p>
      {editing ? (
        <PartnerForm partner={p} onDone={(next) => { changed(next); setEditing(false); setNotice(t("partners.saved")); }} onCancel={() => setEditing(false)} />
      ) : (
        <>
          {write ? (
            <div className="button-row no-print">
              <Button className="primary" onPress={() => { setNotice(null); setEditing(true); }}>{t("partners.edit")}</Button>
              <Confirm
                label={t(p.archived ? "partners.restore" : "partners.archive")}
                title={t(p.archived ? "partners.restoreTitle" : "partners.archiveTitle", { name: p.name })}
                body={t(p.archived ? "partners.restoreBody" : "partners.archiveBody")}
                confirm={t(p.archived ? "partners.restoreConfirm" : "partners.archiveConfirm")}
                danger={!p.archived} pending={archive.isPending} error={archive.error}
                onConfirm={(close) => archive.mutate(!p.archived, { onSuccess: close })}
              />
            </div>
          ) : null}
          <section aria-labelledby="partner-facts" className="no-print">
            <h2 id="partner-facts">{t("partners.facts")}</h2>
            <dl className="facts">
              <Fact term={t("partners.fields.kind")}>{t(`partners.kinds.${p.kind}`)}</Fact>
              <Fact term={t("partners.fields.business")}>{p.business ?? notSet}</Fact>
              <Fact term={t("partners.fields.agreementDate")}>{p.agreementDate ? formatLocalDate(p.agreementDate, lang) : notSet}</Fact>
              <Fact term={t("partners.fields.agreementTerms")}>{p.agreementTerms ? <span className="pre-wrap">{p.agreementTerms}</span> : notSet}</Fact>
              <Fact term={t("partners.fields.owner")}>{p.owner ? shown(p.owner.displayName) : notSet}</Fact>
              <Fact term={t("partners.fields.nextReviewOn")}><ReviewDate partner={p} lang={lang} /></Fact>
              <Fact term={t("partners.fields.listed")}>{t(p.listed ? "partners.listedYes" : "partners.listedNo")}</Fact>
              <Fact term={t("partners.registered")}>{formatDateTime(p.createdAt, me.timeZone, lang)}</Fact>
              <Fact term={t("partners.updated")}>{formatDateTime(p.updatedAt, me.timeZone, lang)}</Fact>
              {p.archivedAt ? <Fact term={t("partners.archivedAt")}>{formatDateTime(p.archivedAt, me.timeZone, lang)}</Fact> : null}
            </dl>
          </section>
          <section aria-labelledby="partner-contacts" className="no-print">
            <h2 id="partner-contacts">{t("partners.contactsTitle")}</h2>
            {redacted ? <p className="notice">{t("partners.redacted")}</p> : null}
            {p.contacts.length === 0 ? <p>{t("partners.noContacts")}</p> : (
              <ul className="contact-cards">
                {p.contacts.map((c, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: contacts have no id; their order is the partner's
                  <li key={i}>
                    <strong>{shown(c.displayName)}</strong>
                    {c.role ? <span>（{c.role}）</span> : null}
                    {c.phone && c.phone !== REDACTED ? <> <a className="tel" href={`tel:${c.phone.replace(/[^\d+]/g, "")}`}>{formatPhone(c.phone)}</a></> : null}
                    {c.email && c.email !== REDACTED ? <> <a href={`mailto:${c.email}`}>{c.email}</a></> : null}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
      {editing ? null : (
        <>
        <section aria-labelledby="partner-form-link" className="report-form-card">
          <h2 id="partner-form-link">{t("partners.formTitle")}</h2>
          <p className="no-print">{t(p.archived ? "partners.formArchived" : "partners.formLead")}</p>
          {onThisComputerOnly(p.reportFormUrl) ? <p className="notice warn no-print" data-testid="partner-local-url">{t("partners.localUrl")}</p> : null}
          <div className="qr-block">
            {qr ? <img className="qr" src={qr} width={220} height={220} alt={t("partners.qrAlt", { url: p.reportFormUrl })} data-testid="partner-qr" /> : null}
            <dl className="facts">
              <Fact term={t("partners.formUrl")}><span className="break-anywhere" data-testid="partner-form-url">{p.reportFormUrl}</span></Fact>
              <Fact term={t("partners.shortCode")}><code className="short-code" data-testid="partner-short-code">{p.shortCode}</code></Fact>
            </dl>
          </div>
          <p className="print-only">{t("partners.printHint")}</p>
          <div className="button-row no-print">
            <CopyButton text={p.reportFormUrl} label={t("partners.copyUrl")} name={p.name} />
            <CopyButton text={p.shortCode} label={t("partners.copyCode")} name={p.name} />
            <Button onPress={() => window.print()}>{t("partners.print")}</Button>
          </div>
        </section>
        <section aria-labelledby="partner-reports" className="no-print">
          <h2 id="partner-reports">{t("partners.reportsTitle")}</h2>
          <ul className="plain">
            <li><Link href={`/concerns?partner=${p.id}`}>{t("partners.reportsLink", { name: p.name })}</Link></li>
            <li><Link href="/concerns/statistics">{t("partners.statisticsLink")}</Link></li>
          </ul>
        </section>
        <section aria-labelledby="partner-key" className="no-print">
          <h2 id="partner-key">{t("partners.keyTitle")}</h2>
          <p>{t("partners.keyLead")}</p>
          <p><strong>{t(p.hasApiKey ? "partners.keyIssued" : "partners.keyNone")}</strong></p>
          {key ? (
            <div className="shown-once" role="alert">
              <p><strong>{t("partners.keyOnce")}</strong></p>
              <code className="break-anywhere" data-testid="partner-key">{key}</code>
              <div className="button-row"><CopyButton text={key} label={t("partners.copyKey")} name={p.name} /></div>
            </div>
          ) : null}
          {write && !p.archived ? (
            p.hasApiKey ? (
              <Confirm label={t("partners.rotateKey")} title={t("partners.rotateTitle", { name: p.name })} body={t("partners.rotateBody")}
                confirm={t("partners.rotateConfirm")} danger pending={issue.isPending} error={issue.error}
                onConfirm={(close) => issue.mutate(undefined, { onSuccess: close })} />
            ) : (
              <Button onPress={() => issue.mutate()} isDisabled={issue.isPending}>{t("partners.issueKey")}</Button>
            )
          ) : null}
          {issue.isError && !p.hasApiKey ? <ErrorText error={issue.error} /> : null}
        </section>
        </>
      )}
    </div>
  );
}

interface ContactDraft { key: number; displayName: string; role: string; phone: string; email: string }

/** The API's field names to the form's: `contacts.0.phone` stays as it is (each contact's inputs are named so). */
function problems(t: (key: string, o?: Record<string, unknown>) => string, error: unknown): Record<string, string> {
  if (!(error instanceof ApiFailure) || error.status >= 500) return {};
  const list = error.fields.length ? error.fields : error.field ? [{ field: error.field, code: error.code }] : [];
  const out: Record<string, string> = {};
  for (const f of list) {
    const last = f.field.split(".").at(-1) ?? "";
    const specific = `partners.problems.${f.code === "required" ? "required" : last}`;
    const byCode = `partners.problems.${f.code}`;
    out[f.field] ??= t(specific) !== specific ? t(specific) : t(byCode) !== byCode ? t(byCode) : errorSentence(t, error);
  }
  return out;
}

function Text({ name, label, value, onChange, onEdited, multiline = false, type, description, required = false }: {
  name: string; label: string; value: string; onChange: (v: string) => void; onEdited: (name: string) => void;
  multiline?: boolean; type?: string; description?: string; required?: boolean;
}) {
  return (
    <TextField name={name} value={value} onChange={(v) => { onEdited(name); onChange(v); }} isRequired={required} {...(type ? { type } : {})}>
      <Label>{label}</Label>
      {multiline ? <TextArea rows={4} /> : <Input />}
      {description ? <span slot="description" className="hint">{description}</span> : null}
      <FieldError />
    </TextField>
  );
}

let contactKeys = 0;
const draftOf = (c?: Contact): ContactDraft => ({
  // The API answers E.164 (+819012345678); people edit the number as they write it (090-1234-5678).
  key: ++contactKeys, displayName: c?.displayName ?? "", role: c?.role ?? "", phone: c?.phone ? formatPhone(c.phone) : "", email: c?.email ?? "",
});

/** Register (no `partner`) or change a partner; the API's refusals are shown at their fields. */
function PartnerForm({ partner, onDone, onCancel }: { partner?: Partner; onDone: (p: Partner) => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const owners = useQuery({
    queryKey: ["network-partner-owners"],
    queryFn: () => api<{ owners: { id: string; displayName: string }[] }>("GET", "/network/partners/owners"),
  });
  const [name, setName] = useState(partner?.name ?? "");
  const [kind, setKind] = useState<string>(partner?.kind ?? "shop");
  const [business, setBusiness] = useState(partner?.business ?? "");
  const [agreementDate, setAgreementDate] = useState(partner?.agreementDate ?? "");
  const [agreementTerms, setAgreementTerms] = useState(partner?.agreementTerms ?? "");
  const [owner, setOwner] = useState(partner?.owner?.id ?? NO_OWNER);
  const [nextReviewOn, setNextReviewOn] = useState(partner?.nextReviewOn ?? "");
  const [listed, setListed] = useState(partner?.listed ?? false);
  const [contacts, setContacts] = useState<ContactDraft[]>(() => (partner ? partner.contacts.map(draftOf) : [draftOf()]));
  const setContact = (k: number, field: keyof Omit<ContactDraft, "key">, v: string) =>
    setContacts((all) => all.map((c) => (c.key === k ? { ...c, [field]: v } : c)));
  const ownerOptions = useMemo(() => {
    const list = owners.data?.owners ?? [];
    // The current owner stays choosable when they are no longer staff (or the list cannot be read).
    const current = partner?.owner && !list.some((o) => o.id === partner.owner?.id) ? [partner.owner] : [];
    return [{ id: NO_OWNER, name: t("partners.noOwner") }, ...[...current, ...list].map((o) => ({ id: o.id, name: o.displayName }))];
  }, [owners.data, partner, t]);

  const body = () => {
    const clean = (v: string) => (v.trim() ? v.trim() : null);
    const full: Record<string, unknown> = {
      name: name.trim(), kind, business: clean(business), agreementDate: clean(agreementDate), agreementTerms: clean(agreementTerms),
      ownerPersonId: owner === NO_OWNER ? null : owner, nextReviewOn: clean(nextReviewOn), listed,
      contacts: contacts.filter((c) => c.displayName.trim() || c.role.trim() || c.phone.trim() || c.email.trim()).map((c) => ({
        displayName: c.displayName.trim(),
        ...(c.role.trim() ? { role: c.role.trim() } : {}), ...(c.phone.trim() ? { phone: c.phone.trim() } : {}), ...(c.email.trim() ? { email: c.email.trim() } : {}),
      })),
    };
    if (!partner) return Object.fromEntries(Object.entries(full).filter(([, v]) => v !== null));
    // A change sends only what changed: the audit log then says which fields a person changed.
    const before: Record<string, unknown> = {
      name: partner.name, kind: partner.kind, business: partner.business, agreementDate: partner.agreementDate, agreementTerms: partner.agreementTerms,
      ownerPersonId: partner.owner?.id ?? null, nextReviewOn: partner.nextReviewOn, listed: partner.listed,
      // As the form shows them (draftOf): unchanged contacts are not sent.
      contacts: partner.contacts.map((c) => ({ displayName: c.displayName, ...(c.role ? { role: c.role } : {}), ...(c.phone ? { phone: formatPhone(c.phone) } : {}), ...(c.email ? { email: c.email } : {}) })),
    };
    return Object.fromEntries(Object.entries(full).filter(([k, v]) => JSON.stringify(before[k]) !== JSON.stringify(v)));
  };
  // The API's refusals by field; a field's own goes as soon as it is typed in (not on leaving it, which would move
  // the buttons below under the pointer).
  const [refused, setRefused] = useState<Record<string, string>>({});
  const edited = (field: string) => setRefused((all) => {
    if (!(field in all)) return all;
    const { [field]: _, ...rest } = all;
    return rest;
  });
  const save = useMutation({
    onMutate: () => setRefused({}),
    onError: (error) => setRefused(problems(t, error)),
    mutationFn: () => (partner ? api<Partner>("PATCH", `/network/partners/${partner.id}`, body()) : api<Partner>("POST", "/network/partners", body())),
    onSuccess: onDone,
  });

  const placed = save.isError ? Object.keys(problems(t, save.error)).length : 0;
  const heading = partner ? t("partners.editTitle", { name: partner.name }) : t("partners.createTitle");
  return (
    <Form className="member-form partner-form" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}
      aria-labelledby="partner-form-heading" validationBehavior="aria" validationErrors={refused}>
      {partner ? <h2 id="partner-form-heading">{heading}</h2> : <h1 id="partner-form-heading">{heading}</h1>}
      {!partner ? <p>{t("partners.createLead")}</p> : null}
      {save.isError ? (
        <div role="alert" className="error">
          {placed ? t("partners.fixFields", { count: placed }) : errorSentence(t, save.error)}
        </div>
      ) : null}
      <div className="form-grid">
        <Text onEdited={edited} name="name" label={t("partners.fields.name")} value={name} onChange={setName} required />
        <FieldSelect label={t("partners.fields.kind")} value={kind} onChange={(v) => { edited("kind"); setKind(v); }} visible
          options={KINDS.map((k) => ({ id: k, name: t(`partners.kinds.${k}`) }))} />
        <Text onEdited={edited} name="business" label={t("partners.fields.business")} value={business} onChange={setBusiness} description={t("partners.businessHint")} />
        <Text onEdited={edited} name="agreementDate" label={t("partners.fields.agreementDate")} value={agreementDate} onChange={setAgreementDate} type="date" />
        <FieldSelect label={t("partners.fields.owner")} value={owner} onChange={(v) => { edited("ownerPersonId"); setOwner(v); }} visible options={ownerOptions} />
        <Text onEdited={edited} name="nextReviewOn" label={t("partners.fields.nextReviewOn")} value={nextReviewOn} onChange={setNextReviewOn} type="date"
          description={t("partners.nextReviewHint")} />
      </div>
      {refused.ownerPersonId ? <p className="error" role="alert">{t("partners.fields.owner")}: {refused.ownerPersonId}</p> : null}
      {refused.kind ? <p className="error" role="alert">{t("partners.fields.kind")}: {refused.kind}</p> : null}
      <Text onEdited={edited} name="agreementTerms" label={t("partners.fields.agreementTerms")} value={agreementTerms} onChange={setAgreementTerms} multiline />
      <Switch isSelected={listed} onChange={setListed} className="react-aria-Switch compose-switch">
        <div className="indicator" aria-hidden="true" />
        {t("partners.fields.listedSwitch")}
      </Switch>
      <fieldset className="partner-contacts">
        <legend>{t("partners.contactsTitle")}</legend>
        {contacts.map((c, i) => (
          <fieldset key={c.key} className="contact-draft">
            <legend>{t("partners.contactN", { n: i + 1 })}</legend>
            <div className="form-grid">
              <Text onEdited={edited} name={`contacts.${i}.displayName`} label={t("partners.contact.displayName")} value={c.displayName} onChange={(v) => setContact(c.key, "displayName", v)} />
              <Text onEdited={edited} name={`contacts.${i}.role`} label={t("partners.contact.role")} value={c.role} onChange={(v) => setContact(c.key, "role", v)} />
              <Text onEdited={edited} name={`contacts.${i}.phone`} label={t("partners.contact.phone")} value={c.phone} onChange={(v) => setContact(c.key, "phone", v)} type="tel" />
              <Text onEdited={edited} name={`contacts.${i}.email`} label={t("partners.contact.email")} value={c.email} onChange={(v) => setContact(c.key, "email", v)} type="email" />
            </div>
            <Button onPress={() => { setRefused({}); setContacts((all) => all.filter((x) => x.key !== c.key)); }}>
              {t("partners.removeContact", { n: i + 1 })}
            </Button>
          </fieldset>
        ))}
        {refused.contacts ? <p className="error" role="alert">{refused.contacts}</p> : null}
        <Button onPress={() => setContacts((all) => [...all, draftOf()])} isDisabled={contacts.length >= 20}>{t("partners.addContact")}</Button>
      </fieldset>
      <div className="button-row">
        <Button type="submit" className="primary" isDisabled={save.isPending}>{partner ? t("partners.save") : t("partners.create")}</Button>
        <Button onPress={onCancel}>{t("partners.cancel")}</Button>
      </div>
    </Form>
  );
}
