/**
 * 一斉配信・安否確認 (broadcasts and disaster checks): the list (drills labelled),
 * compose with the audience and a preview per channel rendered by the server's
 * own functions (POST /broadcasts/preview), send after a confirmation, and the
 * detail page /broadcasts/<id>: delivery and answers by team, refreshed every
 * few seconds, who has not answered with a call or a visit, CAP export. A CAP
 * alert can be read into the compose form (POST /broadcasts/cap-draft).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import {
  Button, Checkbox, CheckboxGroup, Dialog, DialogTrigger, Form, Heading, Label, Link, Modal, Radio, RadioGroup, Switch, TextArea, TextField,
} from "react-aria-components";
import { useTranslation } from "react-i18next";
import { api, download } from "../api.ts";
import { ErrorText } from "../ErrorText.tsx";
import { formatDateTime, formatPhone, type Lang } from "../format.ts";
import type { Me } from "../me.ts";
import { navigate } from "../router.ts";
import { AssignVisit, type Incident } from "./Incidents.tsx";
import { telHref } from "./MyVisits.tsx";
import { useSettled } from "../settled.ts";
import { ScrollingTable } from "../ScrollingTable.tsx";

type Tally = { safe: number; needHelp: number; none: number };
interface Broadcast {
  id: string;
  audience: { kind: "all" | "team" | "group"; id?: string; ids?: string[] };
  text: string;
  question: boolean;
  drill: boolean;
  recipients: number;
  createdAt: string;
  cap: unknown;
}
interface Detail extends Broadcast {
  delivery: Record<string, number>;
  answers: Tally | null;
  teams: { teamId: string; teamName: string; recipients: number; delivery: Record<string, number>; answers: Tally | null }[];
}
interface Recipient { memberId: string; displayName: string; teamName: string; phone: string | null; channel: string | null; delivery: string }
interface Preview {
  reach: { recipients: number; channels: Record<string, number> } | null;
  line: { text: string; buttons: string[] };
  sms: { text: string; encoding: string; characters: number; segments: number };
  email: { subject: string; text: string; link: string | null; pageButtons: string[] };
  voice: { speech: string; keys: { digit: string; answer: string; label: string }[] };
}
type AudienceKind = "all" | "team" | "group";

/** How often the detail page asks for the tally again. */
const REFRESH_MS = 3000;
const firstLine = (text: string) => text.split("\n").find((l) => l.trim()) ?? "";

export function Broadcasts({ me, id }: { me: Me; id: string | null }) {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${t("broadcasts.title")} — ${t("app.title")}`;
  }, [t]);
  const canSend = me.role === "admin" || me.role === "staff";
  return (
    <div className="broadcasts">
      {id ? <BroadcastDetail id={id} me={me} canAct={canSend} /> : (
        <>
          <h1>{t("broadcasts.title")}</h1>
          <p>{t("broadcasts.lead")}</p>
          {canSend ? <Compose /> : null}
          <BroadcastList me={me} />
        </>
      )}
    </div>
  );
}

function DrillBadge() {
  const { t } = useTranslation();
  return <span className="badge drill">{t("broadcasts.drillBadge")}</span>;
}

function BroadcastList({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const list = useQuery({ queryKey: ["broadcasts"], queryFn: () => api<{ broadcasts: Broadcast[] }>("GET", "/broadcasts?limit=100") });
  return (
    <section aria-labelledby="broadcast-list">
      <h2 id="broadcast-list">{t("broadcasts.list")}</h2>
      {list.isError ? <ErrorText error={list.error} /> : null}
      {list.data && list.data.broadcasts.length === 0 ? <p>{t("broadcasts.none")}</p> : null}
      {list.data?.broadcasts.length ? (
        <ScrollingTable label={t("broadcasts.list")}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t("broadcasts.sentAt")}</th>
                <th scope="col">{t("broadcasts.message")}</th>
                <th scope="col">{t("broadcasts.recipients")}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.broadcasts.map((b) => (
                <tr key={b.id}>
                  <td>{formatDateTime(b.createdAt, me.timeZone, i18n.language as Lang)}</td>
                  <th scope="row">
                    <Link href={`/broadcasts/${b.id}`} onPress={() => navigate(`/broadcasts/${b.id}`)}>{firstLine(b.text)}</Link>
                    {b.drill ? <> <DrillBadge /></> : null}
                    {b.question ? <> <span className="badge">{t("broadcasts.askedBadge")}</span></> : null}
                  </th>
                  <td>{b.recipients}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollingTable>
      ) : null}
    </section>
  );
}


function Compose() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [text, setText] = useState("");
  const [question, setQuestion] = useState(true);
  const [drill, setDrill] = useState(false);
  const [kind, setKind] = useState<AudienceKind>("all");
  const [ids, setIds] = useState<string[]>([]);
  const [cap, setCap] = useState<unknown>(undefined);
  const [capXml, setCapXml] = useState("");
  const [confirmOpen, setConfirmOpen] = useState(false);
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<{ teams: { id: string; name: string }[] }>("GET", "/teams") });
  const groups = useQuery({ queryKey: ["groups"], queryFn: () => api<{ groups: { id: string; name: string }[] }>("GET", "/groups") });
  const audience = kind === "all" ? { kind } : { kind, ids };
  const audienceReady = kind === "all" || ids.length > 0;
  const body = { audience, text, question, drill };
  const settled = useSettled(JSON.stringify(body));
  const preview = useQuery({
    queryKey: ["broadcast-preview", settled],
    queryFn: () => api<Preview>("POST", "/broadcasts/preview", JSON.parse(settled)),
    enabled: text.trim() !== "" && audienceReady,
  });
  const send = useMutation({
    mutationFn: () => api<{ id: string; recipients: number }>("POST", "/broadcasts", { ...body, ...(cap ? { cap } : {}) }),
    onSuccess: (created) => {
      setConfirmOpen(false);
      void client.invalidateQueries({ queryKey: ["broadcasts"] });
      navigate(`/broadcasts/${created.id}`);
    },
  });
  const importCap = useMutation({
    mutationFn: () => api<{ text: string; question: boolean; drill: boolean; cap: unknown }>("POST", "/broadcasts/cap-draft", { xml: capXml }),
    onSuccess: (draft) => {
      setText(draft.text);
      setQuestion(draft.question);
      setDrill(draft.drill);
      setCap(draft.cap);
      setCapXml("");
    },
  });
  const choices = kind === "team" ? teams.data?.teams ?? [] : kind === "group" ? groups.data?.groups ?? [] : [];
  const ready = text.trim() !== "" && audienceReady;

  return (
    <section aria-labelledby="compose-heading" className="compose">
      <h2 id="compose-heading">{t("broadcasts.compose")}</h2>
      <Form className="compose-form" aria-labelledby="compose-heading" onSubmit={(e) => { e.preventDefault(); if (ready) setConfirmOpen(true); }}>
        <TextField value={text} onChange={(v) => { setText(v); }} isRequired maxLength={2000}>
          <Label>{t("broadcasts.text")}</Label>
          <TextArea rows={5} />
        </TextField>
        <Switch isSelected={question} onChange={setQuestion} className="react-aria-Switch compose-switch">
          <div className="indicator" aria-hidden="true" />
          {t("broadcasts.question")}
        </Switch>
        <Switch isSelected={drill} onChange={setDrill} className="react-aria-Switch compose-switch">
          <div className="indicator" aria-hidden="true" />
          {t("broadcasts.drill")}
        </Switch>
        <RadioGroup value={kind} onChange={(v) => { setKind(v as AudienceKind); setIds([]); }}>
          <Label>{t("broadcasts.audience")}</Label>
          {(["all", "team", "group"] as const).map((k) => <Radio key={k} value={k}>{t(`broadcasts.audiences.${k}`)}</Radio>)}
        </RadioGroup>
        {kind !== "all" ? (
          <CheckboxGroup value={ids} onChange={setIds}>
            <Label>{t(kind === "team" ? "broadcasts.pickTeams" : "broadcasts.pickGroups")}</Label>
            {choices.map((c) => <Checkbox key={c.id} value={c.id}>{c.name}</Checkbox>)}
            {choices.length === 0 ? <p>{t("broadcasts.noChoices")}</p> : null}
          </CheckboxGroup>
        ) : null}
        {cap ? <p role="status">{t("broadcasts.fromCap")}</p> : null}
        <Button type="submit" className="primary" isDisabled={!ready || send.isPending}>{t("broadcasts.send")}</Button>
      </Form>
      <DialogTrigger isOpen={confirmOpen} onOpenChange={setConfirmOpen}>
        <Modal isDismissable className="modal">
          <Dialog className="dialog">
            <Heading slot="title">{t(drill ? "broadcasts.confirmDrillTitle" : "broadcasts.confirmTitle")}</Heading>
            <p>{t("broadcasts.confirmBody", { count: preview.data?.reach?.recipients ?? 0 })}</p>
            <p className="message">{text}</p>
            {send.isError ? <ErrorText error={send.error} /> : null}
            <div className="actions">
              <Button className="primary" onPress={() => send.mutate()} isDisabled={send.isPending}>{t("broadcasts.confirmSend")}</Button>
              <Button slot="close">{t("broadcasts.cancel")}</Button>
            </div>
          </Dialog>
        </Modal>
      </DialogTrigger>
      {ready ? <PreviewPanel preview={preview.data} error={preview.error} /> : null}
      <section aria-labelledby="cap-import" className="cap-import">
        <h3 id="cap-import">{t("broadcasts.capImport")}</h3>
        <Form onSubmit={(e) => { e.preventDefault(); if (capXml.trim()) importCap.mutate(); }} aria-labelledby="cap-import">
          <TextField value={capXml} onChange={setCapXml}>
            <Label>{t("broadcasts.capXml")}</Label>
            <TextArea rows={4} />
          </TextField>
          {importCap.isError ? <ErrorText error={importCap.error} /> : null}
          <Button type="submit" isDisabled={!capXml.trim() || importCap.isPending}>{t("broadcasts.capRead")}</Button>
        </Form>
      </section>
    </section>
  );
}

function PreviewPanel({ preview, error }: { preview: Preview | undefined; error: unknown }) {
  const { t } = useTranslation();
  if (error) return <ErrorText error={error} />;
  if (!preview) return null;
  const reach = preview.reach;
  return (
    <section aria-labelledby="preview-heading" className="preview" aria-live="polite">
      <h3 id="preview-heading">{t("broadcasts.preview")}</h3>
      {reach ? (
        <p>{t("broadcasts.reach", { count: reach.recipients })}{" "}
          {Object.entries(reach.channels).map(([c, n]) => t("broadcasts.reachChannel", { channel: t(`broadcasts.channels.${c}`, { defaultValue: c }), count: n })).join(t("broadcasts.separator"))}
        </p>
      ) : null}
      <div className="preview-grid">
        <article aria-labelledby="pv-line">
          <h4 id="pv-line">LINE</h4>
          <p className="message">{preview.line.text}</p>
          {preview.line.buttons.length ? <ul className="buttons">{preview.line.buttons.map((b) => <li key={b}>{b}</li>)}</ul> : null}
        </article>
        <article aria-labelledby="pv-sms">
          <h4 id="pv-sms">SMS</h4>
          <p className="message">{preview.sms.text}</p>
          <p>{t("broadcasts.segments", { count: preview.sms.segments, characters: preview.sms.characters, encoding: preview.sms.encoding })}</p>
        </article>
        <article aria-labelledby="pv-email">
          <h4 id="pv-email">{t("broadcasts.channels.email")}</h4>
          <p><strong>{t("broadcasts.subject")}</strong> {preview.email.subject}</p>
          <p className="message">{preview.email.text}</p>
          {preview.email.pageButtons.length ? <p>{t("broadcasts.pageButtons", { buttons: preview.email.pageButtons.join(" / ") })}</p> : null}
        </article>
        <article aria-labelledby="pv-voice">
          <h4 id="pv-voice">{t("broadcasts.channels.voice")}</h4>
          <p className="message">{preview.voice.speech}</p>
          {preview.voice.keys.length ? (
            <ul>{preview.voice.keys.map((k) => <li key={k.digit}>{t("broadcasts.press", { digit: k.digit, label: k.label })}</li>)}</ul>
          ) : null}
        </article>
      </div>
    </section>
  );
}

function BroadcastDetail({ id, me, canAct }: { id: string; me: Me; canAct: boolean }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const detail = useQuery({ queryKey: ["broadcast", id], queryFn: () => api<Detail>("GET", `/broadcasts/${id}`), refetchInterval: REFRESH_MS });
  const silent = useQuery({
    queryKey: ["broadcast-silent", id],
    queryFn: () => api<{ recipients: Recipient[] }>("GET", `/broadcasts/${id}/recipients?answer=none&limit=200`),
    refetchInterval: REFRESH_MS,
    enabled: detail.data?.question === true,
  });
  const [exported, setExported] = useState<string | null>(null);
  const exportCap = useMutation({ mutationFn: () => download(`/broadcasts/${id}/cap`), onSuccess: setExported });
  useEffect(() => {
    if (detail.data) document.title = `${firstLine(detail.data.text)} — ${t("broadcasts.title")} — ${t("app.title")}`;
  }, [detail.data, t]);
  if (detail.isError) return <ErrorText error={detail.error} />;
  const b = detail.data;
  if (!b) return <p role="status">{t("broadcasts.loading")}</p>;
  return (
    <>
      <p><Link href="/broadcasts" onPress={() => navigate("/broadcasts")}>{t("broadcasts.back")}</Link></p>
      <h1>{firstLine(b.text)}{b.drill ? <> <DrillBadge /></> : null}</h1>
      <p>{formatDateTime(b.createdAt, me.timeZone, lang)} — {t("broadcasts.recipientsCount", { count: b.recipients })}</p>
      <p className="message">{b.text}</p>
      <ScrollingTable label={t(b.drill ? "broadcasts.tallyDrillCaption" : "broadcasts.tallyCaption")}>
        <table className="tally">
          <caption>{t(b.drill ? "broadcasts.tallyDrillCaption" : "broadcasts.tallyCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("broadcasts.team")}</th>
              <th scope="col">{t("broadcasts.recipients")}</th>
              {(["pending", "sent", "failed"] as const).map((k) => <th key={k} scope="col">{t(`broadcasts.delivery.${k}`)}</th>)}
              {b.question ? (["safe", "needHelp", "none"] as const).map((k) => <th key={k} scope="col">{t(`broadcasts.answers.${k}`)}</th>) : null}
            </tr>
          </thead>
          <tbody>
            {b.teams.map((row) => (
              <tr key={row.teamId}>
                <th scope="row">{row.teamName}</th>
                <td>{row.recipients}</td>
                {(["pending", "sent", "failed"] as const).map((k) => <td key={k}>{row.delivery[k] ?? 0}</td>)}
                {row.answers ? (["safe", "needHelp", "none"] as const).map((k) => <td key={k}>{row.answers?.[k]}</td>) : null}
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t("broadcasts.total")}</th>
              <td>{b.recipients}</td>
              {(["pending", "sent", "failed"] as const).map((k) => <td key={k}>{b.delivery[k] ?? 0}</td>)}
              {b.answers ? (["safe", "needHelp", "none"] as const).map((k) => <td key={k}>{b.answers?.[k]}</td>) : null}
            </tr>
          </tfoot>
        </table>
      </ScrollingTable>
      {b.question ? (
        <section aria-labelledby="silent-heading">
          <h2 id="silent-heading">{t("broadcasts.silent")}</h2>
          {silent.data && silent.data.recipients.length === 0 ? <p>{t("broadcasts.allAnswered")}</p> : null}
          <ul className="silent-list">
            {(silent.data?.recipients ?? []).map((r) => <SilentRow key={r.memberId} r={r} broadcastId={id} drill={b.drill} canAct={canAct} />)}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="cap-heading">
        <h2 id="cap-heading">{t("broadcasts.capExport")}</h2>
        <p>{t(b.drill ? "broadcasts.capExerciseLead" : "broadcasts.capActualLead")}</p>
        <Button onPress={() => exportCap.mutate()} isDisabled={exportCap.isPending}>{t("broadcasts.capDownload")}</Button>
        {exported ? <p role="status">{t("broadcasts.exported", { name: exported })}</p> : null}
        {exportCap.isError ? <ErrorText error={exportCap.error} /> : null}
      </section>
    </>
  );
}

function SilentRow({ r, broadcastId, drill, canAct }: { r: Recipient; broadcastId: string; drill: boolean; canAct: boolean }) {
  const { t } = useTranslation();
  const headingId = useId();
  const [incidentId, setIncidentId] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const followUp = useMutation({
    mutationFn: () => api<{ incidentId: string }>("POST", `/broadcasts/${broadcastId}/follow-up`, { memberId: r.memberId }),
    onSuccess: (x) => setIncidentId(x.incidentId),
  });
  // An observer sees "***" in place of the number: no link to call.
  const phone = r.phone && r.phone !== "***" ? r.phone : null;
  return (
    <li aria-labelledby={headingId}>
      <span id={headingId} className="name">{r.displayName}</span>（{r.teamName}）{" "}
      <span>{t(`broadcasts.delivery.${r.delivery}`, { defaultValue: r.delivery })}</span>{" "}
      {phone && canAct ? <a className="tel" href={telHref(phone)} aria-label={t("broadcasts.callLabel", { name: r.displayName, phone: formatPhone(phone) })}>{t("broadcasts.call", { phone: formatPhone(phone) })}</a> : null}{" "}
      {canAct && !drill && !incidentId ? (
        <Button onPress={() => followUp.mutate()} isDisabled={followUp.isPending} aria-label={t("broadcasts.visitLabel", { name: r.displayName })}>{t("broadcasts.visit")}</Button>
      ) : null}
      {followUp.isError ? <ErrorText error={followUp.error} /> : null}
      {incidentId && !sent ? <AssignVisit incident={{ id: incidentId } as Incident} onChanged={() => setSent(true)} /> : null}
      {sent ? <p role="status">{t("broadcasts.visitAsked")}</p> : null}
    </li>
  );
}
