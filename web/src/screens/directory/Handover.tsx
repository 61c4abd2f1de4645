/**
 * 引き継ぎ (issue 14, Handover; seed 004: "every staff change loses what the last
 * person knew"), for staff and admins: choose who is leaving, see everything they
 * own (providers, services, volunteers, the network's partners) with the next
 * contact dates, choose a successor, confirm, and one action hands it all over
 * (POST /directory/handover, one transaction); past handovers are listed below.
 * Also わたしの次の連絡 (MyNextContacts): what the signed-in person owns whose next
 * contact date has come, shown in 地域資源 where a coordinator starts the day.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button, Link } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";
import { ErrorText } from "../../ErrorText.tsx";
import { formatDateTime, formatLocalDate, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { FieldSelect } from "../Import.tsx";

/** A record someone owns, as GET /directory/owners/{id}/records and /directory/next-contacts give it. */
interface Owned {
  kind: "organization" | "service" | "volunteer" | "partner"; id: string; name: string | null; displayName: string | null;
  nextContactOn: string | null; due: boolean;
}
interface HandoverPerson { id: string; displayName: string; deactivated: boolean }
interface PastHandover {
  at: string; by: string; from: { id: string; displayName: string } | null; to: { id: string; displayName: string } | null; moved: Record<string, number>;
}

/** Where a record opens in the console (providers and volunteers have no page of their own yet). */
function hrefOf(r: Owned): string | null {
  if (r.kind === "service") return `/resources/${r.id}`;
  if (r.kind === "partner") return `/partner-registry/${r.id}`;
  return null;
}

/** The records, with kind, name (a link where there is a page) and next contact date; overdue ones marked. */
function OwnedTable({ records, caption }: { records: Owned[]; caption: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  return (
    <table className="resource-history owned-records">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        <tr>{(["kind", "name", "next"] as const).map((c) => <th key={c} scope="col">{t(`handover.columns.${c}`)}</th>)}</tr>
      </thead>
      <tbody>
        {records.map((r) => {
          const name = r.name ?? r.displayName ?? "";
          const href = hrefOf(r);
          return (
            <tr key={`${r.kind}-${r.id}`} className={r.due ? "overdue" : undefined}>
              <td>{t(`provenance.kinds.${r.kind}`)}</td>
              <th scope="row">{href ? <Link href={href}>{name}</Link> : name}</th>
              <td>
                {r.nextContactOn ? formatLocalDate(r.nextContactOn, lang) : <span className="muted">{t("handover.noDate")}</span>}
                {r.due ? <> <span className="badge overdue-badge">{t("handover.due")}</span></> : null}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** わたしの次の連絡: the signed-in staff member's records whose next contact date has come; nothing for a token. */
export function MyNextContacts({ me }: { me: Me }) {
  const { t } = useTranslation();
  const staffLike = me.kind === "person" && (me.role === "admin" || me.role === "staff");
  const due = useQuery({
    queryKey: ["directory-next-contacts"], enabled: staffLike,
    queryFn: () => api<{ records: Owned[] }>("GET", "/directory/next-contacts"),
  });
  if (!staffLike) return null;
  return (
    <section aria-labelledby="my-next-contacts" className="my-next-contacts">
      <h2 id="my-next-contacts">{t("handover.mine.title")}</h2>
      {due.isError ? <ErrorText error={due.error} /> : null}
      {due.data?.records.length
        ? <OwnedTable records={due.data.records} caption={t("handover.mine.title")} />
        : due.data ? <p className="muted">{t("handover.mine.none")}</p> : null}
    </section>
  );
}

/** Staff and admins' names by id (deactivated ones too), for histories that keep an owner's id; empty for observers (who may not ask). */
export function useStaffNames(enabled: boolean): Map<string, string> {
  const people = useQuery({
    queryKey: ["directory-handover-people"], enabled,
    queryFn: () => api<{ people: HandoverPerson[] }>("GET", "/directory/handover/people"),
  });
  return new Map((people.data?.people ?? []).map((p) => [p.id, p.displayName]));
}

/** The order kinds are named in (the database may keep a handover's counts in any order); unknown kinds last. */
const KIND_ORDER = ["organizations", "services", "volunteers", "partners"];
const kindOrder = (kind: string) => (KIND_ORDER.includes(kind) ? KIND_ORDER.indexOf(kind) : KIND_ORDER.length);

const totalOf = (moved: Record<string, number>) => Object.values(moved).reduce((a, b) => a + b, 0);

export function Handover({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  useEffect(() => {
    document.title = `${t("handover.title")} — ${t("app.title")}`;
  }, [t]);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [confirming, setConfirming] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const people = useQuery({ queryKey: ["directory-handover-people"], queryFn: () => api<{ people: HandoverPerson[] }>("GET", "/directory/handover/people") });
  const owned = useQuery({
    queryKey: ["directory-owned", from], enabled: from !== "",
    queryFn: () => api<{ records: Owned[] }>("GET", `/directory/owners/${from}/records`),
  });
  const past = useQuery({ queryKey: ["directory-handovers"], queryFn: () => api<{ handovers: PastHandover[] }>("GET", "/directory/handovers") });
  const nameOf = (id: string) => people.data?.people.find((p) => p.id === id)?.displayName ?? "";
  const records = owned.data?.records ?? [];
  const run = useMutation({
    mutationFn: () => api<{ moved: Record<string, number> }>("POST", "/directory/handover", { fromPersonId: from, toPersonId: to }),
    onSuccess: async (r) => {
      setConfirming(false);
      setNotice(t("handover.done", { from: nameOf(from), to: nameOf(to), count: totalOf(r.moved) }));
      for (const key of ["directory-owned", "directory-handovers", "directory-next-contacts", "directory-services", "directory-service"]) {
        await queryClient.invalidateQueries({ queryKey: [key] });
      }
    },
  });
  const choose = (set: (v: string) => void) => (v: string) => { setConfirming(false); setNotice(null); run.reset(); set(v); };
  const movedWords = (moved: Record<string, number>) =>
    Object.entries(moved).filter(([, n]) => n > 0).sort(([a], [b]) => kindOrder(a) - kindOrder(b)).map(([kind, n]) => t(`handover.moved.${kind}`, { count: n, defaultValue: `${kind} ${n}` })).join(t("handover.separator"))
    || t("handover.movedNothing");
  const person = (p: { displayName: string } | null) => p?.displayName ?? t("handover.unknown");
  return (
    <div className="partners handover">
      <h1>{t("handover.title")}</h1>
      <p>{t("handover.lead")}</p>
      {notice ? <p role="status" className="notice">{notice}</p> : null}
      {people.isError ? <ErrorText error={people.error} /> : null}
      <div className="inline-form">
        <FieldSelect label={t("handover.from")} value={from} onChange={choose(setFrom)} visible
          options={(people.data?.people ?? []).map((p) => ({ id: p.id, name: p.deactivated ? t("handover.deactivated", { name: p.displayName }) : p.displayName }))} />
      </div>
      {from ? (
        <section aria-labelledby="handover-owned">
          <h2 id="handover-owned">{t("handover.owned", { name: nameOf(from), count: records.length })}</h2>
          {owned.isError ? <ErrorText error={owned.error} /> : null}
          {records.length ? <OwnedTable records={records} caption={t("handover.owned", { name: nameOf(from), count: records.length })} />
            : owned.data ? <p className="muted">{t("handover.nothing")}</p> : null}
          <div className="inline-form">
            <FieldSelect label={t("handover.to")} value={to} onChange={choose(setTo)} visible
              options={(people.data?.people ?? []).filter((p) => !p.deactivated && p.id !== from).map((p) => ({ id: p.id, name: p.displayName }))} />
          </div>
          {!confirming ? (
            <div className="button-row">
              <Button className="primary" isDisabled={!to || to === from || !records.length} onPress={() => { setNotice(null); setConfirming(true); }}>
                {t("handover.submit")}
              </Button>
            </div>
          ) : (
            <section className="notice warn" aria-labelledby="handover-confirm">
              <h3 id="handover-confirm">{t("handover.confirmTitle")}</h3>
              <p>{t("handover.confirm", { from: nameOf(from), to: nameOf(to), count: records.length })}</p>
              <div className="button-row">
                <Button className="primary" onPress={() => run.mutate()} isDisabled={run.isPending}>{t("handover.confirmButton")}</Button>
                <Button onPress={() => setConfirming(false)}>{t("handover.cancel")}</Button>
              </div>
            </section>
          )}
          {run.isError ? <ErrorText error={run.error} /> : null}
        </section>
      ) : null}
      <section aria-labelledby="handover-history">
        <h2 id="handover-history">{t("handover.historyTitle")}</h2>
        {past.isError ? <ErrorText error={past.error} /> : null}
        {past.data?.handovers.length ? (
          <table className="resource-history handover-history">
            <caption className="visually-hidden">{t("handover.historyTitle")}</caption>
            <thead>
              <tr>{(["at", "who", "moved"] as const).map((c) => <th key={c} scope="col">{t(`handover.history.${c}`)}</th>)}</tr>
            </thead>
            <tbody>
              {past.data.handovers.map((h) => (
                <tr key={`${h.at}-${h.from?.id}`}>
                  <td>
                    {formatDateTime(h.at, me.timeZone, lang)}
                    <br /><span className="muted">{t("handover.history.by", { name: /^(person|token):/.test(h.by) ? h.by.split(":")[1] : h.by })}</span>
                  </td>
                  <td>{t("handover.history.fromTo", { from: person(h.from), to: person(h.to) })}</td>
                  <td>{movedWords(h.moved)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : past.data ? <p className="muted">{t("handover.historyNone")}</p> : null}
      </section>
    </div>
  );
}
