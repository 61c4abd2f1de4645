/**
 * 困りごと (needs, issue 14) for coordinators: the list of needs (open ones
 * first, by status), recording one for a member, and a need's page — the
 * services and volunteers matching suggests with the reasons in words (and those
 * left out, with why), asking volunteers (the API caps how many at once and its
 * refusal is shown in words), the requests' answers, referring to a service's
 * provider, each referral's FHIR Task state with the steps each side may take now
 * (a reason asked for cancelling and reopening), its history, and sharing the
 * member's details (refused in words without their consent), and the receiver's
 * private link (ReceiverLink.tsx; the receiver's own moves show in the history). Observers read
 * (names come masked from the API) and see no buttons.
 * Reads and writes /directory/needs, /directory/referrals, /directory/taxonomy.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import {
  Button, Checkbox, CheckboxGroup, Form, Input, Label, Link, Radio, RadioGroup, SearchField, TextArea, TextField,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../../api.ts";
import { errorSentence } from "../../ErrorText.tsx";
import { formatDateTime, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { navigate } from "../../router.ts";
import { FieldSelect } from "../Import.tsx";
import { KindPicker, useTaxonomy } from "./Kinds.tsx";
import { ReceiverLink } from "./ReceiverLink.tsx";

/** The console's path of this screen (router.ts). */
export const NEEDS = "/needs";
const REDACTED = "***";
const ALL = "all";
const NEED_STATUSES = ["open", "matched", "referred", "resolved", "withdrawn"] as const;
type NeedStatus = (typeof NEED_STATUSES)[number];
/** Still being worked on: listed first. */
const ACTIVE: readonly NeedStatus[] = ["open", "matched", "referred"];
type ReferralStatus = "requested" | "received" | "accepted" | "rejected" | "cancelled" | "in-progress" | "on-hold" | "completed";
const CLOSED_REFERRAL: readonly ReferralStatus[] = ["rejected", "cancelled", "completed"];
/** src/directory/http/referrals.ts SHAREABLE_FIELDS. */
const SHAREABLE = ["displayName", "fullName", "address", "phone", "birthDate", "needNote"] as const;

interface Need {
  id: string; memberId: string; memberName: string; source: "console" | "incident" | "visit" | "partner_report"; sourceId: string | null;
  taxonomyCodes: string[]; note: string; wantedAt: string | null; status: NeedStatus; createdAt: string; closedAt: string | null;
}
interface VolunteerRequest {
  id: string; volunteer: { id: string; displayName: string }; status: string; offeredAt: string; respondBy: string | null; answeredAt: string | null; reason: string | null;
}
interface Reason { code: string; detail: string | null }
interface Matches {
  services: {
    suggested: { id: string; name: string; providerId: string; providerName: string; reasons: Reason[] }[];
    excluded: { id: string; name: string; providerName: string; reasons: Reason[] }[];
  };
  volunteers: { suggested: { id: string; displayName: string; reasons: Reason[] }[]; excluded: { id: string; displayName: string; reasons: Reason[] }[] };
  offersLeft: number;
}
interface Referral {
  id: string; needId: string | null; memberName: string; provider: { id: string; name: string }; service: { id: string; name: string } | null;
  status: ReferralStatus; sharedFields: string[]; deleted: { by: string; at: string; note: string } | null; next: { sender: ReferralStatus[]; receiver: ReferralStatus[] };
}
interface ReferralEvent { id: string; kind: string; fromStatus: ReferralStatus | null; toStatus: ReferralStatus | null; side: "sender" | "receiver"; actor: string; note: string | null; at: string }
interface MemberHit { id: string; displayName: string; externalId: string | null }

const canWrite = (me: Me) => me.role === "admin" || me.role === "staff";

/** An API refusal in words: this screen's codes first (needs.errors.*), then the console's. */
function refusal(t: (key: string) => string, error: unknown): string {
  if (error instanceof ApiFailure) {
    const key = `needs.errors.${error.code}`;
    const own = t(key);
    if (own !== key) return own;
  }
  return errorSentence(t, error);
}

export function Refusal({ error }: { error: unknown }) {
  const { t } = useTranslation();
  return <p className="error" role="alert">{refusal(t, error)}</p>;
}


const shown = (t: (key: string) => string, name: string) => (name === REDACTED ? t("needs.hidden") : name);

export function Needs({ me, sub }: { me: Me; sub: string | null }) {
  const { t } = useTranslation();
  useEffect(() => {
    if (!sub) document.title = `${t("needs.title")} — ${t("app.title")}`;
  }, [t, sub]);
  return sub ? <NeedPage me={me} id={sub} /> : <NeedList me={me} />;
}

/** Whole days since `iso` by the browser's clock (0 when in the future). */
function ageDays(iso: string): number {
  return Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 86_400_000));
}

function NeedList({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [status, setStatus] = useState<string>(ALL);
  const [adding, setAdding] = useState(false);
  const { nameOf } = useTaxonomy();
  const query = new URLSearchParams({ limit: "500" });
  if (status !== ALL) query.set("status", status);
  const list = useQuery({
    queryKey: ["directory-needs", query.toString()],
    queryFn: () => api<{ needs: Need[] }>("GET", `/directory/needs?${query}`),
    placeholderData: (previous) => previous,
  });
  // Open ones first (open, matched, referred), newest first within each part (the API's order).
  const rows = (list.data?.needs ?? []).toSorted((a, b) => Number(!ACTIVE.includes(a.status)) - Number(!ACTIVE.includes(b.status)));
  return (
    <div className="partners needs">
      <h1>{t("needs.title")}</h1>
      <p>{t("needs.lead")}</p>
      {canWrite(me) && !adding ? <div className="button-row"><Button className="primary" onPress={() => setAdding(true)}>{t("needs.newNeed")}</Button></div> : null}
      {adding ? <NeedForm onCancel={() => setAdding(false)} /> : null}
      <div className="inline-form filters">
        <FieldSelect label={t("needs.status")} value={status} onChange={setStatus} visible
          options={[{ id: ALL, name: t("needs.allStatuses") }, ...NEED_STATUSES.map((s) => ({ id: s, name: t(`needs.statuses.${s}`) }))]} />
      </div>
      {list.isPending ? <p>{t("app.loading")}</p> : null}
      {list.isError ? <Refusal error={list.error} /> : null}
      {list.data ? <p role="status">{t("needs.count", { count: rows.length })}</p> : null}
      {rows.length ? (
        <table className="partner-list need-list">
          <caption className="visually-hidden">{t("needs.caption")}</caption>
          <thead>
            <tr>{(["member", "kinds", "source", "status", "age"] as const).map((c) => <th key={c} scope="col">{t(`needs.columns.${c}`)}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((n) => {
              const days = ageDays(n.createdAt);
              return (
                <tr key={n.id}>
                  <th scope="row"><Link href={`${NEEDS}/${n.id}`}>{shown(t, n.memberName)}</Link></th>
                  <td data-label={t("needs.columns.kinds")}>{n.taxonomyCodes.map(nameOf).join(t("needs.sep"))}</td>
                  <td data-label={t("needs.columns.source")}>{t(`needs.sources.${n.source}`)}</td>
                  <td data-label={t("needs.columns.status")}>{t(`needs.statuses.${n.status}`)}</td>
                  <td data-label={t("needs.columns.age")}>
                    {days === 0 ? t("needs.ageToday") : t("needs.ageDays", { count: days })}
                    <span className="muted">{t("needs.paren", { x: formatDateTime(n.createdAt, me.timeZone, lang) })}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : list.data ? <p>{t("needs.none")}</p> : null}
    </div>
  );
}

/** Record a need from the console: a member found by search, one or more kinds from the taxonomy, the description. */
function NeedForm({ onCancel }: { onCancel: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState("");
  const [query, setQuery] = useState("");
  const [memberId, setMemberId] = useState<string | null>(null);
  const [codes, setCodes] = useState<string[]>([]);
  const [note, setNote] = useState("");
  const [tried, setTried] = useState(false);
  const hits = useQuery({
    queryKey: ["member-search", query],
    queryFn: () => api<{ members: MemberHit[] }>("GET", `/members?q=${encodeURIComponent(query)}&limit=10`),
    enabled: query.length > 0,
  });
  const save = useMutation({
    mutationFn: () => api<Need>("POST", "/directory/needs", { source: "console", memberId, taxonomyCodes: codes, ...(note.trim() ? { note } : {}) }),
    onSuccess: async (need) => {
      await queryClient.invalidateQueries({ queryKey: ["directory-needs"] });
      navigate(`${NEEDS}/${need.id}`);
    },
  });
  const submit = () => {
    setTried(true);
    if (memberId && codes.length) save.mutate();
  };
  return (
    <Form className="need-form" aria-labelledby="need-form-heading" onSubmit={(e) => { e.preventDefault(); submit(); }}>
      <h2 id="need-form-heading">{t("needs.form.title")}</h2>
      <fieldset className="member-link">
        <legend>{t("needs.form.member")}</legend>
        <SearchField value={search} onChange={setSearch} onSubmit={() => setQuery(search.trim())}>
          <Label>{t("needs.form.searchMember")}</Label>
          <Input />
        </SearchField>
        <Button onPress={() => setQuery(search.trim())}>{t("needs.form.search")}</Button>
        {hits.data?.members.length ? (
          <RadioGroup value={memberId} onChange={setMemberId} aria-label={t("needs.form.member")}>
            {hits.data.members.map((m) => <Radio key={m.id} value={m.id}>{m.displayName}{m.externalId ? `（${m.externalId}）` : ""}</Radio>)}
          </RadioGroup>
        ) : null}
        {query && hits.data && hits.data.members.length === 0 ? <p role="status">{t("needs.form.noHits")}</p> : null}
        {tried && !memberId ? <p className="error" role="alert">{t("needs.form.chooseMember")}</p> : null}
      </fieldset>
      <KindPicker legend={t("needs.form.kinds")} label={t("needs.form.kind")} codes={codes} onChange={setCodes}
        removeLabel={(name) => t("needs.form.removeKind", { name })} error={tried && !codes.length ? t("needs.form.noKinds") : null} />
      <TextField value={note} onChange={setNote}>
        <Label>{t("needs.form.note")}</Label>
        <TextArea rows={3} />
      </TextField>
      {save.isError ? <Refusal error={save.error} /> : null}
      <div className="button-row">
        <Button type="submit" className="primary" isDisabled={save.isPending}>{t("needs.form.submit")}</Button>
        <Button onPress={onCancel}>{t("needs.form.cancel")}</Button>
      </div>
    </Form>
  );
}

function Fact({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </>
  );
}

/**
 * Reasons as words, with the detail (the matching code, area, vacancies…) beside
 * them: the next opening (an instant) in the organisation's zone, a service's
 * status in words — never a raw code or timestamp.
 */
function Reasons({ reasons, nameOf, timeZone }: { reasons: Reason[]; nameOf: (code: string) => string; timeZone: string }) {
  const { t, i18n } = useTranslation();
  const detail = (r: Reason) => {
    if (!r.detail) return "";
    if (r.code.startsWith("taxonomy_")) return t("needs.paren", { x: nameOf(r.detail) });
    if (r.code === "area_team") return "";
    if (r.code === "opens_later") return t("needs.paren", { x: formatDateTime(r.detail, timeZone, i18n.language as Lang) });
    if (r.code === "service_inactive") return t("needs.paren", { x: t(`resources.statuses.${r.detail.replace(" ", "_")}`, r.detail) });
    return t("needs.paren", { x: r.detail });
  };
  return (
    <ul className="reasons">
      {reasons.map((r) => <li key={`${r.code}-${r.detail ?? ""}`}>{t(`needs.matchReasons.${r.code}`, r.code)}{detail(r)}</li>)}
    </ul>
  );
}

function NeedPage({ me, id }: { me: Me; id: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const { nameOf } = useTaxonomy();
  const [notice, setNotice] = useState<string | null>(null);
  const need = useQuery({ queryKey: ["directory-need", id], queryFn: () => api<Need & { requests: VolunteerRequest[] }>("GET", `/directory/needs/${id}`) });
  const matches = useQuery({ queryKey: ["directory-need-matches", id], queryFn: () => api<Matches>("GET", `/directory/needs/${id}/matches`) });
  const referrals = useQuery({
    queryKey: ["directory-need-referrals", id], queryFn: () => api<{ referrals: Referral[] }>("GET", `/directory/referrals?needId=${encodeURIComponent(id)}&deleted=true`),
  });
  const n = need.data;
  useEffect(() => {
    if (n) document.title = `${shown(t, n.memberName)} — ${t("needs.title")} — ${t("app.title")}`;
  }, [n, t]);
  const refresh = async () => {
    for (const key of ["directory-need", "directory-need-matches", "directory-need-referrals"]) await queryClient.invalidateQueries({ queryKey: [key, id] });
    await queryClient.invalidateQueries({ queryKey: ["directory-needs"] });
  };
  const setStatus = useMutation({
    mutationFn: (status: NeedStatus) => api<Need>("PATCH", `/directory/needs/${id}`, { status }),
    onSuccess: async (updated) => { setNotice(t("needs.statusChanged", { status: t(`needs.statuses.${updated.status}`) })); await refresh(); },
  });
  const refer = useMutation({
    mutationFn: (s: { providerId: string; serviceId: string; providerName: string }) =>
      api<Referral>("POST", "/directory/referrals", { needId: id, providerId: s.providerId, serviceId: s.serviceId }),
    onSuccess: async (r) => { setNotice(t("needs.referred", { provider: r.provider.name })); await refresh(); },
  });
  const write = canWrite(me);
  return (
    <div className="partners needs need-page">
      <p><Link href={NEEDS}>{t("needs.back")}</Link></p>
      {need.isPending ? <p>{t("app.loading")}</p> : null}
      {need.isError ? <Refusal error={need.error} /> : null}
      {n ? (
        <>
          <h1>{t("needs.pageTitle", { name: shown(t, n.memberName) })}</h1>
          <div role="status">{notice ? <p className="notice">{notice}</p> : null}</div>
          <dl className="facts">
            <Fact term={t("needs.facts.member")}>
              {n.memberName === REDACTED ? t("needs.hidden") : <Link href={`/members/${n.memberId}`}>{n.memberName}</Link>}
            </Fact>
            <Fact term={t("needs.facts.kinds")}>{n.taxonomyCodes.map(nameOf).join(t("needs.sep"))}</Fact>
            <Fact term={t("needs.facts.status")}>{t(`needs.statuses.${n.status}`)}</Fact>
            <Fact term={t("needs.facts.source")}>{t(`needs.sources.${n.source}`)}</Fact>
            <Fact term={t("needs.facts.note")}>{n.note === REDACTED ? t("needs.hidden") : n.note || "—"}</Fact>
            <Fact term={t("needs.facts.recorded")}>{formatDateTime(n.createdAt, me.timeZone, lang)}</Fact>
            {n.wantedAt ? <Fact term={t("needs.facts.wantedAt")}>{formatDateTime(n.wantedAt, me.timeZone, lang)}</Fact> : null}
          </dl>
          {write ? (
            <div className="button-row">
              {ACTIVE.includes(n.status) ? (
                <>
                  <Button onPress={() => setStatus.mutate("resolved")} isDisabled={setStatus.isPending}>{t("needs.resolve")}</Button>
                  <Button onPress={() => setStatus.mutate("withdrawn")} isDisabled={setStatus.isPending}>{t("needs.withdraw")}</Button>
                </>
              ) : <Button onPress={() => setStatus.mutate("open")} isDisabled={setStatus.isPending}>{t("needs.reopen")}</Button>}
            </div>
          ) : null}
          {setStatus.isError ? <Refusal error={setStatus.error} /> : null}

          <section aria-labelledby="need-matches">
            <h2 id="need-matches">{t("needs.matchesTitle")}</h2>
            <p>{t("needs.matchesLead")}</p>
            {matches.isError ? <Refusal error={matches.error} /> : null}
            {matches.data ? (
              <>
                <h3>{t("needs.servicesTitle")}</h3>
                {matches.data.services.suggested.length ? (
                  <ul className="match-list">
                    {matches.data.services.suggested.map((s) => (
                      <li key={s.id} className="match-card">
                        <p className="match-name"><Link href={`/resources/${s.id}`}>{s.name}</Link>{t("needs.paren", { x: `${t("needs.provider")}: ${s.providerName}` })}</p>
                        <Reasons reasons={s.reasons} nameOf={nameOf} timeZone={me.timeZone} />
                        {write ? (
                          <Button onPress={() => refer.mutate({ providerId: s.providerId, serviceId: s.id, providerName: s.providerName })} isDisabled={refer.isPending}>
                            {t("needs.refer", { provider: `${s.providerName}${t("needs.paren", { x: s.name })}` })}
                          </Button>
                        ) : null}
                      </li>
                    ))}
                  </ul>
                ) : <p>{t("needs.servicesNone")}</p>}
                {refer.isError ? <Refusal error={refer.error} /> : null}
                {matches.data.services.excluded.length ? (
                  <details>
                    <summary>{t("needs.excludedServices", { count: matches.data.services.excluded.length })}</summary>
                    <ul className="match-list">
                      {matches.data.services.excluded.map((s) => (
                        <li key={s.id} className="match-card excluded">
                          <p className="match-name">{s.name}{t("needs.paren", { x: `${t("needs.provider")}: ${s.providerName}` })}</p>
                          <Reasons reasons={s.reasons} nameOf={nameOf} timeZone={me.timeZone} />
                        </li>
                      ))}
                    </ul>
                  </details>
                ) : null}
                <h3>{t("needs.volunteersTitle")}</h3>
                <Volunteers me={me} needId={id} matches={matches.data} nameOf={nameOf} onDone={refresh} />
              </>
            ) : null}
          </section>

          <section aria-labelledby="need-requests">
            <h2 id="need-requests">{t("needs.requestsTitle")}</h2>
            {n.requests.length ? (
              <table className="partner-list request-list">
                <caption className="visually-hidden">{t("needs.requestsTitle")}</caption>
                <thead>
                  <tr>{(["volunteer", "status", "offeredAt", "respondBy", "reason"] as const).map((c) => <th key={c} scope="col">{t(`needs.requestColumns.${c}`)}</th>)}</tr>
                </thead>
                <tbody>
                  {n.requests.map((r) => (
                    <tr key={r.id}>
                      <th scope="row">{shown(t, r.volunteer.displayName)}</th>
                      <td data-label={t("needs.requestColumns.status")}>{t(`needs.requestStatuses.${r.status}`, r.status)}</td>
                      <td data-label={t("needs.requestColumns.offeredAt")}>{formatDateTime(r.offeredAt, me.timeZone, lang)}</td>
                      <td data-label={t("needs.requestColumns.respondBy")}>{r.respondBy ? formatDateTime(r.respondBy, me.timeZone, lang) : "—"}</td>
                      <td data-label={t("needs.requestColumns.reason")}>
                        {r.reason ? (r.reason === REDACTED ? t("needs.hidden") : t(`needs.requestReasons.${r.reason}`, r.reason)) : "—"}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : <p>{t("needs.requestsNone")}</p>}
          </section>

          <section aria-labelledby="need-referrals">
            <h2 id="need-referrals">{t("needs.referralsTitle")}</h2>
            {referrals.isError ? <Refusal error={referrals.error} /> : null}
            {referrals.data?.referrals.length
              ? referrals.data.referrals.map((r) => <ReferralCard key={r.id} me={me} referral={r} onDone={refresh} />)
              : referrals.data ? <p>{t("needs.referralsNone")}</p> : null}
          </section>
        </>
      ) : null}
    </div>
  );
}

/** Suggested volunteers to choose and ask (the API refuses more than the cap, shown in words), and those left out with why. */
function Volunteers({ me, needId, matches, nameOf, onDone }: {
  me: Me; needId: string; matches: Matches; nameOf: (code: string) => string; onDone: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const [chosen, setChosen] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const offer = useMutation({
    mutationFn: () => api<{ requests: VolunteerRequest[] }>("POST", `/directory/needs/${needId}/offers`, chosen.length ? { volunteerIds: chosen } : {}),
    onSuccess: async (r) => {
      setChosen([]);
      setDone(r.requests.length ? t("needs.offered", { count: r.requests.length }) : t("needs.offeredNone"));
      await onDone();
    },
  });
  const { suggested, excluded } = matches.volunteers;
  return (
    <>
      <p>{t("needs.offersLeft", { count: matches.offersLeft })}</p>
      {suggested.length ? (
        canWrite(me) ? (
          <Form onSubmit={(e) => { e.preventDefault(); setDone(null); offer.mutate(); }}>
            <CheckboxGroup value={chosen} onChange={setChosen} className="volunteer-choice">
              <Label>{t("needs.chooseVolunteers")}</Label>
              {suggested.map((v) => (
                <div key={v.id} className="match-card">
                  <Checkbox value={v.id}>{shown(t, v.displayName)}</Checkbox>
                  <Reasons reasons={v.reasons} nameOf={nameOf} timeZone={me.timeZone} />
                </div>
              ))}
            </CheckboxGroup>
            <div className="button-row">
              <Button type="submit" className="primary" isDisabled={offer.isPending || chosen.length === 0}>{t("needs.offer")}</Button>
            </div>
          </Form>
        ) : (
          <ul className="match-list">
            {suggested.map((v) => <li key={v.id} className="match-card"><p className="match-name">{shown(t, v.displayName)}</p><Reasons reasons={v.reasons} nameOf={nameOf} timeZone={me.timeZone} /></li>)}
          </ul>
        )
      ) : <p>{t("needs.volunteersNone")}</p>}
      <div role="status">{done ? <p className="notice">{done}</p> : null}</div>
      {offer.isError ? <Refusal error={offer.error} /> : null}
      {excluded.length ? (
        <details>
          <summary>{t("needs.excludedVolunteers", { count: excluded.length })}</summary>
          <ul className="match-list">
            {excluded.map((v) => (
              <li key={v.id} className="match-card excluded"><p className="match-name">{shown(t, v.displayName)}</p><Reasons reasons={v.reasons} nameOf={nameOf} timeZone={me.timeZone} /></li>
            ))}
          </ul>
        </details>
      ) : null}
    </>
  );
}

/** A move that needs a reason: cancelling, and reopening (requested from a closed state). */
const needsReason = (from: ReferralStatus, to: ReferralStatus) => to === "cancelled" || (to === "requested" && CLOSED_REFERRAL.includes(from));

/** One referral: its state, the steps each side may take now as buttons (a reason asked where required), sharing, and its history. */
function ReferralCard({ me, referral, onDone }: { me: Me; referral: Referral; onDone: () => Promise<void> }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [asking, setAsking] = useState<{ to: ReferralStatus; side: "sender" | "receiver" } | null>(null);
  const [reason, setReason] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [fields, setFields] = useState<string[]>([]);
  const [deleting, setDeleting] = useState(false);
  const [deleteReason, setDeleteReason] = useState("");
  const detail = useQuery({
    queryKey: ["directory-referral", referral.id],
    queryFn: () => api<Referral & { events: ReferralEvent[] }>("GET", `/directory/referrals/${referral.id}`),
  });
  const after = async () => {
    await queryClient.invalidateQueries({ queryKey: ["directory-referral", referral.id] });
    await onDone();
  };
  const move = useMutation({
    mutationFn: (m: { to: ReferralStatus; side: "sender" | "receiver"; reason?: string }) =>
      api<Referral>("POST", `/directory/referrals/${referral.id}/status`, { to: m.to, side: m.side, ...(m.reason ? { reason: m.reason } : {}) }),
    onSuccess: async (r) => {
      setAsking(null);
      setReason("");
      setNotice(t("needs.moved", { status: t(`needs.referralStatuses.${r.status}`) }));
      await after();
    },
  });
  const share = useMutation({
    mutationFn: () => api<Referral>("POST", `/directory/referrals/${referral.id}/share`, { fields }),
    onSuccess: async () => { setFields([]); await after(); },
  });
  const remove = useMutation({
    mutationFn: () => api<Referral>("POST", `/directory/referrals/${referral.id}/deletion`, { reason: deleteReason }),
    onSuccess: async () => { setDeleting(false); await after(); },
  });
  const r = referral;
  const label = (to: ReferralStatus) => (to === "requested" && CLOSED_REFERRAL.includes(r.status) ? t("needs.reopenTo") : t("needs.moveTo", { status: t(`needs.referralStatuses.${to}`) }));
  const press = (to: ReferralStatus, side: "sender" | "receiver") => {
    setNotice(null);
    if (needsReason(r.status, to)) {
      setAsking({ to, side });
      setReason("");
    } else move.mutate({ to, side });
  };
  // A share event's note lists the fields shared (codes): in words.
  const sharedWords = (note: string) => note.split(/[,、\s]+/).filter(Boolean).map((f) => t(`needs.shareFields.${f}`, f)).join(t("needs.sep"));
  const headingId = `referral-${r.id}`;
  const write = canWrite(me) && !r.deleted;
  return (
    <article className="referral-card" aria-labelledby={headingId}>
      <h3 id={headingId}>{t("needs.referralTo", { provider: r.service ? `${r.provider.name}${t("needs.paren", { x: r.service.name })}` : r.provider.name })}</h3>
      <p>{t("needs.referralState")}: <strong className="badge referral-status">{t(`needs.referralStatuses.${r.status}`)}</strong></p>
      <div role="status">{notice ? <p className="notice">{notice}</p> : null}</div>
      {r.deleted ? (
        <p className="notice warn">
          {t("needs.deletedNote", { at: formatDateTime(r.deleted.at, me.timeZone, lang), reason: r.deleted.note === REDACTED ? t("needs.hidden") : r.deleted.note })}
        </p>
      ) : null}
      {write ? (
        (["sender", "receiver"] as const).map((side) => (
          <div key={side} className="referral-steps">
            <h4>{t(side === "sender" ? "needs.senderSteps" : "needs.receiverSteps")}</h4>
            {r.next[side].length ? (
              <div className="button-row">
                {r.next[side].map((to) => (
                  <Button key={to} onPress={() => press(to, side)} isDisabled={move.isPending}>{label(to)}</Button>
                ))}
              </div>
            ) : <p className="muted">{t("needs.noSteps")}</p>}
          </div>
        ))
      ) : null}
      {asking ? (
        <Form className="reason-form" onSubmit={(e) => { e.preventDefault(); move.mutate({ ...asking, reason }); }}>
          <TextField value={reason} onChange={setReason} isRequired autoFocus>
            <Label>{t("needs.reasonFor", { status: t(`needs.referralStatuses.${asking.to}`) })}</Label>
            <TextArea rows={2} />
          </TextField>
          <div className="button-row">
            <Button type="submit" className="primary" isDisabled={move.isPending || !reason.trim()}>
              {t("needs.confirmMove", { status: t(`needs.referralStatuses.${asking.to}`) })}
            </Button>
            <Button onPress={() => setAsking(null)}>{t("needs.form.cancel")}</Button>
          </div>
        </Form>
      ) : null}
      {move.isError ? <Refusal error={move.error} /> : null}
      {r.deleted ? null : <ReceiverLink me={me} referralId={r.id} write={write} />}

      <h4>{t("needs.shareTitle")}</h4>
      <p>{t("needs.shareLead")}</p>
      <p>{r.sharedFields.length ? t("needs.shared", { fields: r.sharedFields.map((f) => t(`needs.shareFields.${f}`, f)).join(t("needs.sep")) }) : t("needs.sharedNone")}</p>
      {write ? (
        <Form onSubmit={(e) => { e.preventDefault(); share.mutate(); }}>
          <CheckboxGroup value={fields} onChange={setFields} className="share-fields">
            <Label>{t("needs.shareTitle")}</Label>
            {SHAREABLE.map((f) => <Checkbox key={f} value={f}>{t(`needs.shareFields.${f}`)}</Checkbox>)}
          </CheckboxGroup>
          <div className="button-row">
            <Button type="submit" isDisabled={share.isPending || fields.length === 0}>{t("needs.share")}</Button>
          </div>
        </Form>
      ) : null}
      {share.isError ? <Refusal error={share.error} /> : null}
      {write && !deleting ? <div className="button-row"><Button onPress={() => { setDeleting(true); setDeleteReason(""); }}>{t("needs.delete")}</Button></div> : null}
      {deleting ? (
        <Form className="reason-form" onSubmit={(e) => { e.preventDefault(); remove.mutate(); }}>
          <TextField value={deleteReason} onChange={setDeleteReason} isRequired autoFocus>
            <Label>{t("needs.deleteReason")}</Label>
            <TextArea rows={2} />
          </TextField>
          <div className="button-row">
            <Button type="submit" className="primary" isDisabled={remove.isPending || !deleteReason.trim()}>{t("needs.confirmDelete")}</Button>
            <Button onPress={() => setDeleting(false)}>{t("needs.form.cancel")}</Button>
          </div>
        </Form>
      ) : null}
      {remove.isError ? <Refusal error={remove.error} /> : null}

      <h4>{t("needs.historyTitle")}</h4>
      {detail.data?.events.length ? (
        <table className="partner-list referral-history">
          <caption className="visually-hidden">{t("needs.historyTitle")}</caption>
          <thead>
            <tr>{(["at", "side", "what", "actor", "note"] as const).map((c) => <th key={c} scope="col">{t(`needs.history.${c}`)}</th>)}</tr>
          </thead>
          <tbody>
            {detail.data.events.map((e) => (
              <tr key={e.id}>
                <td data-label={t("needs.history.at")}>{formatDateTime(e.at, me.timeZone, lang)}</td>
                <td data-label={t("needs.history.side")}>{t(`needs.sides.${e.side}`)}</td>
                <td data-label={t("needs.history.what")}>
                  {t(`needs.eventKinds.${e.kind}`, e.kind)}
                  {e.toStatus && e.kind !== "share"
                    ? `${t("needs.colon")}${e.fromStatus ? `${t(`needs.referralStatuses.${e.fromStatus}`)} → ` : ""}${t(`needs.referralStatuses.${e.toStatus}`)}` : ""}
                </td>
                <td data-label={t("needs.history.actor")}>{e.actor === REDACTED ? t("needs.hidden")
                  : e.actor.startsWith("receiver:link:") ? t("needs.receiverLink.actor") : e.actor.split(":")[1] ?? e.actor}</td>
                <td data-label={t("needs.history.note")}>{e.note ? (e.note === REDACTED ? t("needs.hidden") : e.kind === "share" ? sharedWords(e.note) : e.note) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </article>
  );
}
