/**
 * 設定 › エスカレーション: the escalation policy editor (GET/PUT/DELETE
 * /escalation-policy, /teams/:id/escalation-policy) and beside it the timeline
 * the edited policy produces for a silent sample member on each channel
 * (POST /escalation-policy/preview, computed by the engine's own scheduling
 * code), updated as the operator types, before saving. Auditors read the saved
 * policies and their timeline (GET …/preview); only admins change them.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { ApiFailure, api } from "../../api.ts";
import { ErrorText } from "../../ErrorText.tsx";
import { formatDateTime, type Lang } from "../../format.ts";
import type { Me } from "../../me.ts";
import { useSettled } from "../../settled.ts";

export const ACTIONS = ["resend", "open_incident", "notify_team", "notify_contact", "notify_next_contact", "notify_all_contacts", "post_to_group"] as const;
type Action = (typeof ACTIONS)[number];
interface Step { after: string; action: Action; channel?: "same" | "next"; contact?: number; repeat?: boolean }
interface Policy { steps: Step[]; ackReminderAfter?: string; ackTimeout?: string; callRetries?: { attempts: number; interval: string } }
type Kind = "standard" | "phone";
type PolicySet = Record<Kind, Policy>;
interface PoliciesAnswer extends PolicySet { defaults?: PolicySet; customised?: boolean; teamOverride?: Partial<PolicySet> | null }
interface Team { id: string; name: string; hasOwnPolicy: boolean }
interface Entry { at: string; kind: string; stepIndex?: number; contact?: number; channel?: "same" | "next"; call?: number }
interface Preview {
  timeZone: string;
  firstDueAt: string;
  channels: { channel: string; policyKind: Kind; entries: Entry[]; truncated: boolean; acknowledgement: { at: string; remindAt: string; timeoutAt: string } | null }[];
}

const KINDS: Kind[] = ["standard", "phone"];
const DEFAULT_ACK_REMINDER = "PT2H";
const DEFAULT_ACK_TIMEOUT = "PT6H";
const DEFAULT_RETRIES = { attempts: 2, interval: "PT10M" };

/** ISO-8601 duration (as the API keeps it: P1DT2H30M) → whole minutes; null when it is not one. */
export function durationMinutes(text: string): number | null {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return null;
  return Number(m[1] ?? 0) * 1440 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) + Math.round(Number(m[4] ?? 0) / 60);
}

/** Minutes → the API's duration ("PT27H30M"; "PT0S" for none). */
export function minutesDuration(minutes: number): string {
  if (minutes <= 0) return "PT0S";
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `PT${h ? `${h}H` : ""}${m ? `${m}M` : ""}`;
}

/** What the API says about one field, as the reader's sentence. */
function problemSentence(t: (key: string) => string, field: string, code: string): string {
  const last = field.split(".").at(-1) ?? "";
  const key = `policy.problems.${last}`;
  const specific = t(key);
  if (specific !== key) return specific;
  const general = `policy.problems.${code}`;
  return t(general) === general ? t("errors.invalid_request") : t(general);
}

/** Hours and minutes for a duration; `path` names the field as the API does (standard.steps.0.after). */
function DurationField(props: {
  label: string; value: string; onChange: (v: string) => void; readOnly: boolean; path: string; problem: string | undefined;
}) {
  const { t } = useTranslation();
  const id = useId();
  const total = durationMinutes(props.value) ?? 0;
  const hours = Math.floor(total / 60);
  const minutes = total % 60;
  const set = (h: number, m: number) => props.onChange(minutesDuration(Math.max(0, h) * 60 + Math.max(0, m)));
  const errorId = `${id}-error`;
  const described = props.problem ? { "aria-describedby": errorId, "aria-invalid": true as const } : {};
  return (
    <fieldset className="duration" data-field={props.path}>
      <legend>{props.label}</legend>
      <label>
        <input type="number" min={0} max={2160} inputMode="numeric" value={hours} readOnly={props.readOnly} {...described}
          onChange={(e) => set(Number(e.target.value || 0), minutes)} />
        <span>{t("policy.hours")}</span>
      </label>
      <label>
        <input type="number" min={0} max={59} inputMode="numeric" value={minutes} readOnly={props.readOnly} {...described}
          onChange={(e) => set(hours, Number(e.target.value || 0))} />
        <span>{t("policy.minutes")}</span>
      </label>
      {props.problem ? <span className="error" id={errorId}>{props.problem}</span> : null}
    </fieldset>
  );
}

function StepEditor(props: {
  step: Step; index: number; count: number; kind: Kind; readOnly: boolean; problemOf: (path: string) => string | undefined;
  onChange: (s: Step) => void; onRemove: () => void; onMove: (by: number) => void;
}) {
  const { t } = useTranslation();
  const { step, index, kind, readOnly } = props;
  const path = `${kind}.steps.${index}`;
  const set = (patch: Partial<Step>) => props.onChange({ ...step, ...patch });
  const setAction = (action: Action) => {
    const next: Step = { after: step.after, action };
    if (action === "resend") next.channel = step.channel ?? "same";
    if (action === "notify_contact") next.contact = step.contact ?? 1;
    if (action === "notify_next_contact" && step.repeat) next.repeat = true;
    props.onChange(next);
  };
  const contactProblem = props.problemOf(`${path}.contact`);
  const repeatProblem = props.problemOf(`${path}.repeat`);
  return (
    <li className="policy-step">
      <fieldset>
        <legend>{t("policy.step", { n: index + 1 })}</legend>
        <DurationField label={t(index === 0 ? "policy.afterFirst" : "policy.after")} value={step.after} readOnly={readOnly}
          onChange={(after) => set({ after })} path={`${path}.after`} problem={props.problemOf(`${path}.after`)} />
        <label className="field">
          <span>{t("policy.action")}</span>
          <select value={step.action} disabled={readOnly} onChange={(e) => setAction(e.target.value as Action)}>
            {ACTIONS.map((a) => <option key={a} value={a}>{t(`policy.actions.${a}`)}</option>)}
          </select>
        </label>
        {step.action === "resend" ? (
          <label className="field">
            <span>{t("policy.channel")}</span>
            <select value={step.channel ?? "same"} disabled={readOnly} onChange={(e) => set({ channel: e.target.value as "same" | "next" })}>
              <option value="same">{t("policy.channels.same")}</option>
              <option value="next">{t("policy.channels.next")}</option>
            </select>
          </label>
        ) : null}
        {step.action === "notify_contact" ? (
          <label className="field">
            <span>{t("policy.contact")}</span>
            <input type="number" min={1} max={10} value={step.contact ?? 1} readOnly={readOnly}
              aria-invalid={contactProblem ? true : undefined} onChange={(e) => set({ contact: Number(e.target.value || 1) })} />
            {contactProblem ? <span className="error">{contactProblem}</span> : null}
          </label>
        ) : null}
        {step.action === "notify_next_contact" ? (
          <label className="check">
            <input type="checkbox" checked={!!step.repeat} disabled={readOnly} onChange={(e) => set(e.target.checked ? { repeat: true } : { repeat: undefined })} />
            <span>{t("policy.repeat")}</span>
            {repeatProblem ? <span className="error">{repeatProblem}</span> : null}
          </label>
        ) : null}
        {readOnly ? null : (
          <div className="row-actions">
            <Button onPress={() => props.onMove(-1)} isDisabled={index === 0}>{t("policy.up", { n: index + 1 })}</Button>
            <Button onPress={() => props.onMove(1)} isDisabled={index === props.count - 1}>{t("policy.down", { n: index + 1 })}</Button>
            <Button onPress={props.onRemove}>{t("policy.remove", { n: index + 1 })}</Button>
          </div>
        )}
      </fieldset>
    </li>
  );
}

function PolicyEditor(props: {
  kind: Kind; policy: Policy; readOnly: boolean; problemOf: (path: string) => string | undefined; onChange: (p: Policy) => void;
}) {
  const { t } = useTranslation();
  const { kind, policy, readOnly } = props;
  const steps = policy.steps;
  const setSteps = (next: Step[]) => props.onChange({ ...policy, steps: next });
  const retries = policy.callRetries ?? DEFAULT_RETRIES;
  const stepsProblem = props.problemOf(`${kind}.steps`);
  // Both times are saved once either is changed: what the form shows is what the policy holds.
  const ack = { ackReminderAfter: policy.ackReminderAfter ?? DEFAULT_ACK_REMINDER, ackTimeout: policy.ackTimeout ?? DEFAULT_ACK_TIMEOUT };
  return (
    <section className="policy-editor" aria-labelledby={`policy-${kind}`}>
      <h3 id={`policy-${kind}`}>{t(`policy.kinds.${kind}`)}</h3>
      <p className="hint">{t(`policy.kindHint.${kind}`)}</p>
      {stepsProblem ? <p className="error">{stepsProblem}</p> : null}
      <ol className="policy-steps">
        {steps.map((step, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a step is its place in the policy (fully controlled fields, no state of their own).
          <StepEditor key={`${kind}-${i}`} step={step} index={i} count={steps.length} kind={kind} readOnly={readOnly} problemOf={props.problemOf}
            onChange={(s) => setSteps(steps.map((x, j) => (j === i ? s : x)))}
            onRemove={() => setSteps(steps.filter((_, j) => j !== i))}
            onMove={(by) => {
              const next = [...steps];
              const [moved] = next.splice(i, 1);
              next.splice(i + by, 0, moved);
              setSteps(next);
            }} />
        ))}
      </ol>
      {readOnly ? null : (
        <Button onPress={() => setSteps([...steps, { after: "PT1H", action: "notify_next_contact" }])} isDisabled={steps.length >= 50}>
          {t("policy.addStep")}
        </Button>
      )}
      <fieldset className="policy-ack">
        <legend>{t("policy.ack")}</legend>
        <DurationField label={t("policy.ackReminderAfter")} value={policy.ackReminderAfter ?? DEFAULT_ACK_REMINDER} readOnly={readOnly}
          onChange={(v) => props.onChange({ ...policy, ...ack, ackReminderAfter: v })} path={`${kind}.ackReminderAfter`}
          problem={props.problemOf(`${kind}.ackReminderAfter`)} />
        <DurationField label={t("policy.ackTimeout")} value={policy.ackTimeout ?? DEFAULT_ACK_TIMEOUT} readOnly={readOnly}
          onChange={(v) => props.onChange({ ...policy, ...ack, ackTimeout: v })} path={`${kind}.ackTimeout`} problem={props.problemOf(`${kind}.ackTimeout`)} />
      </fieldset>
      <fieldset className="policy-retries">
        <legend>{t("policy.callRetries")}</legend>
        <label className="field">
          <span>{t("policy.attempts")}</span>
          <input type="number" min={0} max={5} value={retries.attempts} readOnly={readOnly}
            onChange={(e) => props.onChange({ ...policy, callRetries: { ...retries, attempts: Number(e.target.value || 0) } })} />
          {props.problemOf(`${kind}.callRetries.attempts`) ? <span className="error">{props.problemOf(`${kind}.callRetries.attempts`)}</span> : null}
        </label>
        <DurationField label={t("policy.interval")} value={retries.interval} readOnly={readOnly}
          onChange={(v) => props.onChange({ ...policy, callRetries: { ...retries, interval: v } })} path={`${kind}.callRetries.interval`}
          problem={props.problemOf(`${kind}.callRetries.interval`)} />
      </fieldset>
    </section>
  );
}

function entryText(t: (key: string, o?: Record<string, unknown>) => string, e: Entry): string {
  const base = t(`policy.timeline.${e.kind}`, { contact: e.contact, call: e.call });
  return e.kind === "resend" && e.channel === "next" ? `${base}${t("policy.timeline.onNext")}` : base;
}

/** The timelines beside the editor: one list per channel of the sample member. */
function Timelines({ preview, lang, pending }: { preview: Preview | undefined; lang: Lang; pending: boolean }) {
  const { t } = useTranslation();
  if (!preview) return <p>{t("app.loading")}</p>;
  const when = (iso: string) => formatDateTime(iso, preview.timeZone, lang);
  return (
    <div className="policy-preview" aria-busy={pending}>
      <p className="hint">{t("policy.previewLead", { time: when(preview.firstDueAt) })}</p>
      {preview.channels.map((c) => (
        <section key={c.channel} aria-labelledby={`timeline-${c.channel}`} className="timeline" data-channel={c.channel}>
          <h4 id={`timeline-${c.channel}`}>{t(`policy.sample.${c.channel}`)}</h4>
          <ol>
            {c.entries.map((e, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the timeline is computed in order; its order is its identity.
              <li key={`${e.at}-${i}`} data-kind={e.kind}><time dateTime={e.at}>{when(e.at)}</time> {entryText(t, e)}</li>
            ))}
          </ol>
          {c.truncated ? <p className="hint">{t("policy.truncated")}</p> : null}
          {c.acknowledgement ? (
            <p className="hint">{t("policy.ackPreview", { remind: when(c.acknowledgement.remindAt), timeout: when(c.acknowledgement.timeoutAt) })}</p>
          ) : <p className="hint">{t("policy.noIncident")}</p>}
        </section>
      ))}
    </div>
  );
}


export function PolicySettings({ me }: { me: Me }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language as Lang;
  const queryClient = useQueryClient();
  const canEdit = me.role === "admin";
  const [scope, setScope] = useState<string>("organisation");
  const [draft, setDraft] = useState<PolicySet | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const teams = useQuery({ queryKey: ["teams"], queryFn: () => api<{ teams: Team[] }>("GET", "/teams") });
  const path = scope === "organisation" ? "/escalation-policy" : `/teams/${scope}/escalation-policy`;
  const saved = useQuery({ queryKey: ["escalation-policy", scope], queryFn: () => api<PoliciesAnswer>("GET", path) });
  useEffect(() => {
    if (saved.data) setDraft({ standard: saved.data.standard, phone: saved.data.phone });
  }, [saved.data]);
  const settledDraft = useSettled(draft, 250);
  const teamId = scope === "organisation" ? undefined : scope;
  const preview = useQuery({
    queryKey: ["escalation-policy-preview", scope, canEdit ? settledDraft : null],
    queryFn: () => canEdit && settledDraft
      ? api<Preview>("POST", "/escalation-policy/preview", { policies: settledDraft, ...(teamId ? { teamId } : {}) })
      : api<Preview>("GET", `/escalation-policy/preview${teamId ? `?teamId=${teamId}` : ""}`),
    enabled: !canEdit || settledDraft !== null,
    placeholderData: (previous) => previous,
    retry: false,
  });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: ["escalation-policy"] });
    void queryClient.invalidateQueries({ queryKey: ["escalation-policy-preview"] });
    void queryClient.invalidateQueries({ queryKey: ["teams"] });
  };
  const save = useMutation({
    mutationFn: () => api("PUT", path, draft),
    onMutate: () => setNotice(null),
    onSuccess: () => {
      setNotice(t("policy.saved"));
      refresh();
    },
  });
  const reset = useMutation({
    mutationFn: () => api("DELETE", path),
    onMutate: () => setNotice(null),
    onSuccess: () => {
      setNotice(t(scope === "organisation" ? "policy.resetDone" : "policy.teamResetDone"));
      refresh();
    },
  });
  // The save's refusal, else the preview's (the same checks): each field's problem beside it.
  const failure = [save.error, preview.error].find((e) => e instanceof ApiFailure && e.status < 500) as ApiFailure | undefined;
  const problems = new Map<string, string>();
  if (failure) {
    const list = failure.fields.length ? failure.fields : failure.field ? [{ field: failure.field, code: failure.code }] : [];
    for (const f of list) {
      const field = f.field.replace(/^policies\./, "");
      if (!problems.has(field)) problems.set(field, problemSentence(t, field, f.code));
    }
  }
  const problemOf = (p: string) => problems.get(p);
  const team = teams.data?.teams.find((x) => x.id === scope);
  const customised = scope === "organisation" ? saved.data?.customised : team?.hasOwnPolicy;
  return (
    <div className="policy-settings">
      <p>{t("policy.lead")}</p>
      <label className="field">
        <span>{t("policy.scope")}</span>
        <select value={scope} onChange={(e) => { setScope(e.target.value); setDraft(null); save.reset(); }}>
          <option value="organisation">{t("policy.organisation")}</option>
          {(teams.data?.teams ?? []).map((x) => <option key={x.id} value={x.id}>{t("policy.teamScope", { name: x.name })}</option>)}
        </select>
      </label>
      <p className="hint">
        {scope === "organisation"
          ? t(customised ? "policy.orgCustomised" : "policy.orgDefault")
          : t(customised ? "policy.teamCustomised" : "policy.teamFollows")}
      </p>
      {canEdit ? null : <p className="notice">{t("policy.readOnly")}</p>}
      <p role="status" className={notice ? "notice" : undefined}>{notice}</p>
      {saved.isError ? <ErrorText error={saved.error} /> : null}
      {draft ? (
        <div className="policy-layout">
          <form className="policy-form" onSubmit={(e) => { e.preventDefault(); if (canEdit) save.mutate(); }} aria-label={t("policy.formLabel")}>
            {KINDS.map((kind) => (
              <PolicyEditor key={kind} kind={kind} policy={draft[kind]} readOnly={!canEdit} problemOf={problemOf}
                onChange={(p) => setDraft({ ...draft, [kind]: p })} />
            ))}
            {failure ? <ErrorText error={failure} /> : null}
            {canEdit ? (
              <div className="row-actions">
                <Button type="submit" className="primary" isDisabled={save.isPending}>{t("policy.save")}</Button>
                <Button onPress={() => reset.mutate()} isDisabled={reset.isPending || !customised}>
                  {t(scope === "organisation" ? "policy.reset" : "policy.teamReset")}
                </Button>
              </div>
            ) : null}
          </form>
          <section className="policy-timelines" aria-labelledby="policy-preview-heading">
            <h3 id="policy-preview-heading">{t("policy.preview")}</h3>
            <Timelines preview={preview.data} lang={lang} pending={preview.isFetching} />
          </section>
        </div>
      ) : <p>{t("app.loading")}</p>}
    </div>
  );
}
