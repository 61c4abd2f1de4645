/**
 * わたしの訪問 (My visits): the watcher's own tasks, made for a phone held in
 * one hand — one card per visit, large buttons, the member's address and a
 * tap-to-call number. Accept or decline an offered visit; record what was
 * found (会えた・元気 / 不在 / 救急要請 / その他 with a note). Overdue visits
 * stand out. The API shows a watcher nothing but these (403 for the rest).
 *
 * Also the watcher's view of one member (/members/<id>): the same few facts,
 * or a plain sentence when that member is not assigned to them.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button, Form, Label, Link, Radio, RadioGroup, TextArea, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, formatPhone, type Lang } from "../format.ts";
import type { Me } from "../me.ts";

export const VISIT_OUTCOMES = ["met_fine", "not_home", "ambulance_called", "other"] as const;
export type VisitOutcome = (typeof VISIT_OUTCOMES)[number];

export interface Visit {
  id: string; incidentId: string; incidentKind: string; incidentStatus: string; memberId: string; memberName: string;
  address: string | null; phone: string | null; state: "offered" | "accepted" | "done" | "unassigned" | "cancelled"; overdue: boolean;
  dueAt: string; note: string; watcher: { id: string; displayName: string } | null;
  candidates: { personId: string; displayName: string; position: number; declinedAt: string | null }[];
  result: { outcome: VisitOutcome; note: string | null; at: string } | null;
  by: string; createdAt: string; offeredAt: string | null; acceptedAt: string | null;
}

/** A phone number as a tel: link (digits and a leading + only). */
export const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, "")}`;

function OutcomeForm({ visit, onDone }: { visit: Visit; onDone: () => void }) {
  const { t } = useTranslation();
  const [outcome, setOutcome] = useState<VisitOutcome | null>(null);
  const [note, setNote] = useState("");
  const record = useMutation({ mutationFn: () => api("POST", `/visits/${visit.id}/outcome`, { outcome, note }), onSuccess: onDone });
  const needsNote = outcome === "other" && !note.trim();
  return (
    <Form className="outcome-form" aria-label={t("visits.recordFor", { name: visit.memberName })}
      onSubmit={(e) => { e.preventDefault(); if (outcome && !needsNote) record.mutate(); }}>
      <RadioGroup value={outcome} onChange={(v) => setOutcome(v as VisitOutcome)} className="big-choices" isRequired>
        <Label>{t("visits.whatFound")}</Label>
        {VISIT_OUTCOMES.map((o) => <Radio key={o} value={o} className={`big-choice choice-${o}`}>{t(`visits.outcomes.${o}`)}</Radio>)}
      </RadioGroup>
      <TextField value={note} onChange={setNote} isRequired={outcome === "other"}>
        <Label>{t(outcome === "other" ? "visits.noteRequired" : "visits.note")}</Label>
        <TextArea rows={3} />
      </TextField>
      {record.isError ? <ErrorText error={record.error} /> : null}
      <Button type="submit" className="primary big" isDisabled={!outcome || needsNote || record.isPending}>{t("visits.send")}</Button>
    </Form>
  );
}

function VisitCard({ visit, me, onChanged }: { visit: Visit; me: Me; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState("");
  const accept = useMutation({ mutationFn: () => api("POST", `/visits/${visit.id}/accept`), onSuccess: onChanged });
  const decline = useMutation({ mutationFn: () => api("POST", `/visits/${visit.id}/decline`, { note: reason }), onSuccess: onChanged });
  const open = visit.state === "offered" || visit.state === "accepted";
  const headingId = `visit-${visit.id}`;
  return (
    <article className={`visit-card${visit.overdue ? " overdue" : ""} visit-${visit.state}`} aria-labelledby={headingId}>
      <h2 id={headingId}>{visit.memberName}</h2>
      {visit.overdue ? <p className="badge overdue-badge">{t("visits.overdue")}</p> : null}
      <dl className="facts">
        <dt>{t("visits.state")}</dt><dd>{t(`visits.states.${visit.state}`)}</dd>
        <dt>{t("visits.due")}</dt><dd>{formatDateTime(visit.dueAt, me.timeZone, lang)}</dd>
        {visit.address ? <><dt>{t("visits.address")}</dt><dd>{visit.address}</dd></> : null}
        {visit.phone ? <><dt>{t("visits.phone")}</dt><dd><a className="tel" href={telHref(visit.phone)}>{formatPhone(visit.phone)}</a></dd></> : null}
        <dt>{t("visits.reason")}</dt><dd>{t(`incidents.kinds.${visit.incidentKind}`, { defaultValue: visit.incidentKind })}</dd>
        {visit.note ? <><dt>{t("visits.staffNote")}</dt><dd className="note">{visit.note}</dd></> : null}
        {visit.result ? <><dt>{t("visits.result")}</dt><dd>{t(`visits.outcomes.${visit.result.outcome}`)}{visit.result.note ? ` — ${visit.result.note}` : ""}</dd></> : null}
      </dl>
      {visit.state === "offered" && !declining ? (
        <div className="big-actions">
          <Button className="primary big" onPress={() => accept.mutate()} isDisabled={accept.isPending}>{t("visits.accept")}</Button>
          <Button className="big" onPress={() => setDeclining(true)}>{t("visits.decline")}</Button>
        </div>
      ) : null}
      {accept.isError ? <ErrorText error={accept.error} /> : null}
      {declining ? (
        <Form aria-label={t("visits.declineFor", { name: visit.memberName })} onSubmit={(e) => { e.preventDefault(); decline.mutate(); }}>
          <TextField value={reason} onChange={setReason} autoFocus>
            <Label>{t("visits.declineReason")}</Label>
            <TextArea rows={2} />
          </TextField>
          {decline.isError ? <ErrorText error={decline.error} /> : null}
          <div className="big-actions">
            <Button type="submit" className="primary big" isDisabled={decline.isPending}>{t("visits.declineConfirm")}</Button>
            <Button className="big" onPress={() => setDeclining(false)}>{t("visits.back")}</Button>
          </div>
        </Form>
      ) : null}
      {visit.state === "accepted" ? <OutcomeForm visit={visit} onDone={onChanged} /> : null}
      {open ? <p><Link href={`/members/${visit.memberId}`}>{t("visits.memberPage", { name: visit.memberName })}</Link></p> : null}
    </article>
  );
}

export function MyVisits({ me }: { me: Me }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  // Re-read every minute: a visit becomes overdue by the clock alone, and staff may assign one meanwhile.
  const visits = useQuery({ queryKey: ["my-visits"], queryFn: () => api<{ visits: Visit[] }>("GET", "/visits?limit=100"), refetchInterval: 60_000 });
  useEffect(() => {
    document.title = `${t("visits.title")} — ${t("app.title")}`;
  }, [t]);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["my-visits"] });
  const all = visits.data?.visits ?? [];
  const open = all.filter((v) => v.state === "offered" || v.state === "accepted");
  const finished = all.filter((v) => v.state === "done");
  return (
    <div className="my-visits">
      <h1>{t("visits.title")}</h1>
      <p>{t("visits.lead")}</p>
      {visits.isPending ? <p>{t("app.loading")}</p> : null}
      {visits.isError ? <ErrorText error={visits.error} /> : null}
      {visits.data && open.length === 0 ? <p className="empty-state">{t("visits.none")}</p> : null}
      {open.map((v) => <VisitCard key={v.id} visit={v} me={me} onChanged={refresh} />)}
      {finished.length ? (
        <section aria-labelledby="finished-heading">
          <h2 id="finished-heading">{t("visits.finished")}</h2>
          <ul className="finished">
            {finished.map((v) => (
              <li key={v.id}><strong>{v.memberName}</strong> — {v.result ? t(`visits.outcomes.${v.result.outcome}`) : t(`visits.states.${v.state}`)}</li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}

interface WatcherMemberView { id: string; displayName: string; address: string | null; phone: string | null; state: string; visits: Visit[] }

/** A member as a watcher may see them, or why not (not assigned: a plain sentence, not an empty page). */
export function WatcherMember({ me, id }: { me: Me; id: string }) {
  const { t, i18n } = useTranslation();
  const member = useQuery({ queryKey: ["watcher-member", id], queryFn: () => api<WatcherMemberView>("GET", `/members/${id}`), retry: false });
  useEffect(() => {
    document.title = `${t("visits.memberTitle")} — ${t("app.title")}`;
  }, [t]);
  const notAssigned = member.error instanceof ApiFailure && (member.error.code === "not_assigned" || member.error.code === "not_found");
  return (
    <div className="my-visits">
      <h1>{member.data ? member.data.displayName : t("visits.memberTitle")}</h1>
      {member.isPending ? <p>{t("app.loading")}</p> : null}
      {notAssigned ? <p className="error" role="alert">{t("visits.notAssigned")}</p> : member.isError ? <ErrorText error={member.error} /> : null}
      {member.data ? (
        <dl className="facts">
          <dt>{t("visits.state")}</dt><dd>{t(`members.states.${member.data.state}`, { defaultValue: member.data.state })}</dd>
          {member.data.address ? <><dt>{t("visits.address")}</dt><dd>{member.data.address}</dd></> : null}
          {member.data.phone ? <><dt>{t("visits.phone")}</dt><dd><a className="tel" href={telHref(member.data.phone)}>{formatPhone(member.data.phone)}</a></dd></> : null}
        </dl>
      ) : null}
      {member.data?.visits.filter((v) => v.state === "offered" || v.state === "accepted").map((v) => (
        <p key={v.id}>{t("visits.dueBy", { time: formatDateTime(v.dueAt, me.timeZone, i18n.language as Lang) })}</p>
      ))}
      <p><Link href="/visits">{t("visits.backToList")}</Link></p>
    </div>
  );
}
