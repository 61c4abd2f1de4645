/**
 * 担い手の活動の記録 (issue 14: volunteers' contacts are logged and a coordinator
 * acknowledges them), reached from 担い手 (/volunteers/contacts): the contacts not
 * acknowledged yet — volunteer, member, when, what — each with 確認しました, and
 * the acknowledged history (who acknowledged, when). Made for a phone as for a
 * desk: one card per contact. Observers read (the API hides names and notes);
 * staff acknowledge. Reads GET /directory/volunteer-contacts (unacknowledged=true,
 * acknowledged=true), writes POST /directory/volunteer-contacts/{id}/acknowledge.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button, Link } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api } from "../../api.ts";
import { ErrorText } from "../../ErrorText.tsx";
import { formatDateTime, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";

/** What the API shows observers instead of a personal value. */
const REDACTED = "***";
export const CONTACTS_SUB = "contacts";

/** A contact as GET /directory/volunteer-contacts gives it. */
export interface VolunteerContact {
  id: string; volunteer: { id: string; displayName: string }; memberId: string | null; memberName: string | null; needId: string | null;
  contactedAt: string; note: string; createdBy: string; recordedAt: string; acknowledged: { by: string; at: string } | null;
}

const canWrite = (me: Me) => me.role === "admin" || me.role === "staff";

/** The name in an actor (`person:山田:id` → 山田); a redacted or other actor as it reads. */
function actorName(actor: string): string {
  const [kind, name] = actor.split(":");
  return kind === "person" && name ? name : actor.includes(REDACTED) ? REDACTED : actor;
}

export const contactsQuery = (which: "unacknowledged" | "acknowledged") => ({
  queryKey: ["volunteer-contacts", which],
  queryFn: () => api<{ contacts: VolunteerContact[] }>("GET", `/directory/volunteer-contacts?${which}=true&limit=100`),
});

export function VolunteerContacts({ me, back }: { me: Me; back: string }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  useEffect(() => {
    document.title = `${t("volunteers.contacts.title")} — ${t("app.title")}`;
  }, [t]);
  const waiting = useQuery(contactsQuery("unacknowledged"));
  const history = useQuery(contactsQuery("acknowledged"));
  const acknowledge = useMutation({
    mutationFn: (c: VolunteerContact) => api<VolunteerContact>("POST", `/directory/volunteer-contacts/${c.id}/acknowledge`),
    onMutate: () => setNotice(null),
    onSuccess: async (c) => {
      setNotice(t("volunteers.contacts.done", { volunteer: hidden(c.volunteer.displayName) }));
      await queryClient.invalidateQueries({ queryKey: ["volunteer-contacts"] });
    },
  });
  const hidden = (value: string | null) => (value === REDACTED ? t("volunteers.hidden") : value ?? t("volunteers.contacts.noMember"));
  const when = (iso: string) => formatDateTime(iso, me.timeZone, lang);

  const card = (c: VolunteerContact, done: boolean) => {
    const headingId = `contact-${c.id}`;
    return (
      <li key={c.id}>
        <article className="visit-card contact-card" aria-labelledby={headingId}>
          <h3 id={headingId}>{t("volunteers.contacts.itemTitle", { volunteer: hidden(c.volunteer.displayName), member: hidden(c.memberName) })}</h3>
          <dl className="facts">
            <dt>{t("volunteers.contacts.volunteer")}</dt>
            <dd>{hidden(c.volunteer.displayName)}{c.createdBy.startsWith("volunteer:link:") ? <> <span className="muted">（{t("volunteers.contacts.byLink")}）</span></> : null}</dd>
            <dt>{t("volunteers.contacts.member")}</dt><dd>{hidden(c.memberName)}</dd>
            <dt>{t("volunteers.contacts.when")}</dt><dd>{when(c.contactedAt)}</dd>
            <dt>{t("volunteers.contacts.what")}</dt><dd className="pre-wrap">{c.note === REDACTED ? t("volunteers.hidden") : c.note}</dd>
            {done && c.acknowledged ? <>
              <dt>{t("volunteers.contacts.acknowledgedBy")}</dt>
              <dd>{t("volunteers.contacts.acknowledgedWords", { who: hidden(actorName(c.acknowledged.by)), when: when(c.acknowledged.at) })}</dd>
            </> : null}
          </dl>
          {!done && canWrite(me) ? (
            <Button className="primary big" onPress={() => acknowledge.mutate(c)} isDisabled={acknowledge.isPending}
              aria-label={t("volunteers.contacts.acknowledgeFor", { volunteer: hidden(c.volunteer.displayName), when: when(c.contactedAt) })}>
              {t("volunteers.contacts.acknowledge")}
            </Button>
          ) : null}
        </article>
      </li>
    );
  };

  return (
    <div className="partners volunteers volunteer-contacts">
      <p><Link href={back}>{t("volunteers.contacts.back")}</Link></p>
      <h1>{t("volunteers.contacts.title")}</h1>
      <p>{t("volunteers.contacts.lead")}</p>
      {!canWrite(me) ? <p className="muted">{t("volunteers.contacts.readOnly")}</p> : null}
      <p role="status" className={notice ? "notice" : undefined}>{notice}</p>
      {acknowledge.isError ? <ErrorText error={acknowledge.error} /> : null}
      <section aria-labelledby="contacts-waiting">
        <h2 id="contacts-waiting">{t("volunteers.contacts.waiting")}</h2>
        {waiting.isPending ? <p>{t("app.loading")}</p> : null}
        {waiting.isError ? <ErrorText error={waiting.error} /> : null}
        {waiting.data && waiting.data.contacts.length === 0 ? <p className="empty-state">{t("volunteers.contacts.none")}</p> : null}
        {waiting.data?.contacts.length ? <ul className="plain-list">{waiting.data.contacts.map((c) => card(c, false))}</ul> : null}
      </section>
      <section aria-labelledby="contacts-history">
        <h2 id="contacts-history">{t("volunteers.contacts.history")}</h2>
        {history.isError ? <ErrorText error={history.error} /> : null}
        {history.data && history.data.contacts.length === 0 ? <p>{t("volunteers.contacts.noHistory")}</p> : null}
        {history.data?.contacts.length ? <ul className="plain-list">{history.data.contacts.map((c) => card(c, true))}</ul> : null}
      </section>
    </div>
  );
}
