/**
 * わたしへの依頼 (My help requests): a volunteer's (生活支援の担い手) own requests,
 * made for a phone like わたしの訪問 — one card per request: what help is asked
 * for, when, until when to answer; accept or decline (a decline passes the need
 * to the next volunteer). Once accepted, whom to help (name, address, a
 * tap-to-call number) and a form to log what was done (the coordinator
 * acknowledges it). The API shows a volunteer their own requests only.
 * At the top, their own on-duty switch (受け付ける / 休む, PUT
 * /directory/my-volunteer/on-duty): going off duty passes the requests they
 * have not answered to the next volunteer, as the coordinator's change does.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Button, Form, Label, Switch, TextArea, TextField } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, ApiFailure } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, formatPhone, type Lang } from "../format.ts";
import type { Me } from "../me.ts";
import { telHref } from "./MyVisits.tsx";

export interface HelpRequest {
  id: string;
  needId: string;
  need: {
    kinds: { code: string; name: string; nameEn: string }[];
    wantedAt: string | null;
    status: string;
    member: { memberName: string; address: string | null; phone: string | null } | null;
  };
  volunteer: { id: string; displayName: string };
  status: "offered" | "accepted" | "declined" | "expired" | "withdrawn";
  offeredAt: string;
  respondBy: string | null;
  answeredAt: string | null;
  reason: string | null;
}

function ContactForm({ request, onDone }: { request: HelpRequest; onDone: () => void }) {
  const { t } = useTranslation();
  const [note, setNote] = useState("");
  const [sent, setSent] = useState(false);
  const log = useMutation({
    mutationFn: () => api("POST", `/directory/volunteers/${request.volunteer.id}/contacts`, {
      needId: request.needId, contactedAt: new Date().toISOString(), note: note.trim(),
    }),
    onSuccess: () => { setNote(""); setSent(true); onDone(); },
  });
  return (
    <Form aria-label={t("help.logFor", { name: request.need.member?.memberName ?? "" })}
      onSubmit={(e) => { e.preventDefault(); if (note.trim()) log.mutate(); }}>
      <TextField value={note} onChange={(v) => { setNote(v); setSent(false); }} isRequired>
        <Label>{t("help.logNote")}</Label>
        <TextArea rows={3} />
      </TextField>
      {log.isError ? <ErrorText error={log.error} /> : null}
      {sent ? <p role="status">{t("help.logged")}</p> : null}
      <Button type="submit" className="primary big" isDisabled={!note.trim() || log.isPending}>{t("help.logSend")}</Button>
    </Form>
  );
}

function RequestCard({ request, me, onChanged }: { request: HelpRequest; me: Me; onChanged: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const [declining, setDeclining] = useState(false);
  const [reason, setReason] = useState("");
  const accept = useMutation({ mutationFn: () => api("POST", `/directory/volunteer-requests/${request.id}/accept`, {}), onSuccess: onChanged });
  const decline = useMutation({ mutationFn: () => api("POST", `/directory/volunteer-requests/${request.id}/decline`, { reason }), onSuccess: onChanged });
  const kinds = request.need.kinds.map((k) => (lang === "en" ? k.nameEn : k.name)).join("・");
  const headingId = `help-${request.id}`;
  const member = request.need.member;
  return (
    <article className={`visit-card help-card help-${request.status}`} aria-labelledby={headingId}>
      <h2 id={headingId}>{kinds}</h2>
      <dl className="facts">
        <dt>{t("help.state")}</dt><dd>{t(`help.states.${request.status}`)}</dd>
        {request.need.wantedAt ? <><dt>{t("help.wantedAt")}</dt><dd>{formatDateTime(request.need.wantedAt, me.timeZone, lang)}</dd></> : null}
        {request.status === "offered" && request.respondBy
          ? <><dt>{t("help.respondBy")}</dt><dd>{formatDateTime(request.respondBy, me.timeZone, lang)}</dd></> : null}
        {member ? <><dt>{t("help.member")}</dt><dd>{member.memberName}</dd></> : null}
        {member?.address ? <><dt>{t("visits.address")}</dt><dd>{member.address}</dd></> : null}
        {member?.phone ? <><dt>{t("visits.phone")}</dt><dd><a className="tel" href={telHref(member.phone)}>{formatPhone(member.phone)}</a></dd></> : null}
      </dl>
      {request.status === "offered" && !declining ? (
        <div className="big-actions">
          <Button className="primary big" onPress={() => accept.mutate()} isDisabled={accept.isPending}>{t("help.accept")}</Button>
          <Button className="big" onPress={() => setDeclining(true)}>{t("help.decline")}</Button>
        </div>
      ) : null}
      {accept.isError ? <ErrorText error={accept.error} /> : null}
      {declining ? (
        <Form aria-label={t("help.declineFor", { kinds })} onSubmit={(e) => { e.preventDefault(); decline.mutate(); }}>
          <TextField value={reason} onChange={setReason} autoFocus>
            <Label>{t("help.declineReason")}</Label>
            <TextArea rows={2} />
          </TextField>
          {decline.isError ? <ErrorText error={decline.error} /> : null}
          <div className="big-actions">
            <Button type="submit" className="primary big" isDisabled={decline.isPending}>{t("help.declineConfirm")}</Button>
            <Button className="big" onPress={() => setDeclining(false)}>{t("visits.back")}</Button>
          </div>
        </Form>
      ) : null}
      {request.status === "accepted" ? <ContactForm request={request} onDone={onChanged} /> : null}
    </article>
  );
}

interface OwnVolunteer { id: string; displayName: string; onDuty: boolean; openRequests: number }

/** The volunteer's own switch: taking requests or resting; what switching off does is said before and after. */
function OwnDuty({ onChanged }: { onChanged: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const own = useQuery({ queryKey: ["my-volunteer"], queryFn: () => api<OwnVolunteer>("GET", "/directory/my-volunteer"), retry: false });
  const toggle = useMutation({
    mutationFn: (onDuty: boolean) => api<OwnVolunteer>("PUT", "/directory/my-volunteer/on-duty", { onDuty }),
    onMutate: () => setNotice(null),
    onSuccess: (v, onDuty) => {
      queryClient.setQueryData(["my-volunteer"], v);
      setNotice(t(onDuty ? "help.nowOn" : "help.nowOff"));
      onChanged();
    },
  });
  const v = own.data;
  if (!v) return null;
  return (
    <section className="duty-state help-duty" aria-labelledby="help-duty-heading">
      <h2 id="help-duty-heading">{t("help.dutyTitle")}</h2>
      <Switch isSelected={v.onDuty} onChange={(on) => toggle.mutate(on)} isDisabled={toggle.isPending} className="react-aria-Switch big-switch">
        <div className="indicator" aria-hidden="true" />
        {t("help.onDuty")}
      </Switch>
      <p className={v.onDuty ? "duty-on" : "duty-off"}>{t(v.onDuty ? "help.onExplained" : "help.offExplained")}</p>
      {v.onDuty && v.openRequests > 0 ? <p className="muted">{t("help.offPassesOn", { count: v.openRequests })}</p> : null}
      <p role="status" className="notice">{notice}</p>
      {toggle.isError ? <ErrorText error={toggle.error} /> : null}
    </section>
  );
}

export function MyHelpRequests({ me }: { me: Me }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const requests = useQuery({
    queryKey: ["my-help-requests"], queryFn: () => api<{ requests: HelpRequest[] }>("GET", "/directory/volunteer-requests?limit=100"),
    refetchInterval: 60_000, retry: false,
  });
  useEffect(() => {
    document.title = `${t("help.title")} — ${t("app.title")}`;
  }, [t]);
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["my-help-requests"] });
  const all = requests.data?.requests ?? [];
  // Accepted ones stay until the coordinator closes the need: the volunteer logs what they did there.
  const open = all.filter((r) => r.status === "offered" || (r.status === "accepted" && r.need.status !== "resolved" && r.need.status !== "withdrawn"));
  const notVolunteer = requests.error instanceof ApiFailure && requests.error.code === "not_assigned";
  return (
    <div className="my-visits my-help">
      <h1>{t("help.title")}</h1>
      <p>{t("help.lead")}</p>
      {notVolunteer ? null : <OwnDuty onChanged={refresh} />}
      {requests.isPending ? <p>{t("app.loading")}</p> : null}
      {notVolunteer ? <p role="alert">{t("help.notVolunteer")}</p> : requests.isError ? <ErrorText error={requests.error} /> : null}
      {requests.data && open.length === 0 ? <p className="empty-state">{t("help.none")}</p> : null}
      {open.map((r) => <RequestCard key={r.id} request={r} me={me} onChanged={refresh} />)}
    </div>
  );
}
