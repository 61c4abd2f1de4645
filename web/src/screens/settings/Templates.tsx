/**
 * 設定 › メッセージの文面: the organisation's message templates per kind and
 * channel (GET /message-templates), each with its placeholders as insert
 * buttons, the limits of its channel (characters; SMS segments) counted as the
 * operator types, and a live preview filled with sample values
 * (POST /message-templates/preview). Saving a template that breaks a limit or
 * uses an unknown placeholder is refused with the reason shown beside it.
 * Auditors read the templates; only admins change them.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState } from "react";
import { Button } from "react-aria-components";
import { useTranslation } from "react-i18next";
import { ApiFailure, api } from "../../api.ts";
import { errorSentence } from "../../ErrorText.tsx";
import type { Me } from "../../me.ts";
import { useSettled } from "../../settled.ts";

const KINDS = ["prompt", "resend", "alert", "call_script", "daily_questions", "line_of_the_day"] as const;
type Kind = (typeof KINDS)[number];
interface Sample { text: string; chars: number; limit: number; sms: { encoding: string; units: number; segments: number; maxSegments: number } | null }
interface Template {
  kind: Kind; channel: string; text: string; defaultText: string; customised: boolean; updatedAt: string | null; placeholders: string[]; sample: Sample;
}
interface Preview { sample: Sample; problem: { code: string; field: string; message: string } | null }


function Limits({ sample }: { sample: Sample }) {
  const { t } = useTranslation();
  if (sample.sms) {
    const over = sample.sms.segments > sample.sms.maxSegments;
    return (
      <p className={over ? "error" : "hint"} data-limit="sms">
        {t("templates.smsSize", { segments: sample.sms.segments, max: sample.sms.maxSegments, units: sample.sms.units, encoding: sample.sms.encoding })}
      </p>
    );
  }
  const over = sample.chars > sample.limit;
  return <p className={over ? "error" : "hint"} data-limit="chars">{t("templates.chars", { n: sample.chars, limit: sample.limit })}</p>;
}

function TemplateEditor({ template, canEdit, onSaved }: { template: Template; canEdit: boolean; onSaved: (notice: string) => void }) {
  const { t } = useTranslation();
  const id = useId();
  const [text, setText] = useState(template.text);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => setText(template.text), [template.text]);
  const settled = useSettled(text, 200);
  const preview = useQuery({
    queryKey: ["template-preview", template.kind, template.channel, settled],
    queryFn: () => api<Preview>("POST", "/message-templates/preview", { kind: template.kind, channel: template.channel, text: settled }),
    enabled: canEdit,
    placeholderData: (previous) => previous,
    retry: false,
  });
  const save = useMutation({
    mutationFn: () => api<Template>("PUT", `/message-templates/${template.kind}/${template.channel}`, { text }),
    onSuccess: () => onSaved(t("templates.saved", { channel: t(`templates.channels.${template.channel}`) })),
  });
  const reset = useMutation({
    mutationFn: () => api<Template>("DELETE", `/message-templates/${template.kind}/${template.channel}`),
    onSuccess: (v) => {
      setText(v.text);
      onSaved(t("templates.resetDone", { channel: t(`templates.channels.${template.channel}`) }));
    },
  });
  const insert = (name: string) => {
    const el = area.current;
    const token = `{${name}}`;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + token + text.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  };
  const sample = canEdit ? (preview.data?.sample ?? template.sample) : template.sample;
  const saveFailure = save.error instanceof ApiFailure ? save.error : null;
  const problem = saveFailure
    ? errorSentence(t, saveFailure)
    : preview.data?.problem && settled === text ? errorSentence(t, new ApiFailure(422, preview.data.problem.code, "")) : null;
  const channelName = t(`templates.channels.${template.channel}`);
  return (
    <section className="template" data-channel={template.channel} aria-labelledby={`${id}-h`}>
      <h4 id={`${id}-h`}>{channelName}{template.customised ? t("templates.own") : t("templates.builtIn")}</h4>
      <label htmlFor={`${id}-text`} className="template-label">{t("templates.textOf", { channel: channelName })}</label>
      <textarea id={`${id}-text`} ref={area} value={text} readOnly={!canEdit} rows={Math.min(8, text.split("\n").length + 2)}
        onChange={(e) => { setText(e.target.value); save.reset(); }}
        aria-describedby={`${id}-limit ${id}-problem`} aria-invalid={problem ? true : undefined} />
      <div id={`${id}-limit`}><Limits sample={sample} /></div>
      <p id={`${id}-problem`} className="error" role={problem ? "alert" : undefined}>{problem}</p>
      {canEdit ? (
        <fieldset className="template-insert">
          <legend>{t("templates.insertGroup", { channel: channelName })}</legend>
          <div className="row-actions">
            {template.placeholders.map((p) => (
              <Button key={p} onPress={() => insert(p)} aria-label={t("templates.insert", { placeholder: `{${p}}`, meaning: t(`templates.placeholders.${p}`) })}>
                {`{${p}}`}
              </Button>
            ))}
          </div>
        </fieldset>
      ) : (
        <p className="hint">{t("templates.placeholderList", { list: template.placeholders.map((p) => `{${p}}`).join("、") })}</p>
      )}
      <figure className="template-figure">
        <figcaption className="template-preview-label">{t("templates.previewOf", { channel: channelName })}</figcaption>
        <pre className="template-preview">{sample.text}</pre>
      </figure>
      {canEdit ? (
        <div className="row-actions">
          <Button className="primary" onPress={() => save.mutate()} isDisabled={save.isPending}>{t("templates.save", { channel: channelName })}</Button>
          <Button onPress={() => reset.mutate()} isDisabled={reset.isPending || !template.customised}>{t("templates.reset", { channel: channelName })}</Button>
        </div>
      ) : null}
    </section>
  );
}

export function TemplateSettings({ me }: { me: Me }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const canEdit = me.role === "admin";
  const [kind, setKind] = useState<Kind>("prompt");
  const [notice, setNotice] = useState<string | null>(null);
  const list = useQuery({ queryKey: ["message-templates"], queryFn: () => api<{ templates: Template[] }>("GET", "/message-templates") });
  const shown = (list.data?.templates ?? []).filter((x) => x.kind === kind);
  return (
    <div className="template-settings">
      <p>{t("templates.lead")}</p>
      {canEdit ? null : <p className="notice">{t("templates.readOnly")}</p>}
      <label className="field">
        <span>{t("templates.kind")}</span>
        <select value={kind} onChange={(e) => { setKind(e.target.value as Kind); setNotice(null); }}>
          {KINDS.map((k) => <option key={k} value={k}>{t(`templates.kinds.${k}`)}</option>)}
        </select>
      </label>
      <p className="hint">{t(`templates.kindHint.${kind}`)}</p>
      <p role="status" className={notice ? "notice" : undefined}>{notice}</p>
      {list.isError ? <p className="error" role="alert">{errorSentence(t, list.error)}</p> : null}
      {list.isPending ? <p>{t("app.loading")}</p> : null}
      <div className="template-grid">
        {shown.map((x) => (
          <TemplateEditor key={`${x.kind}-${x.channel}`} template={x} canEdit={canEdit} onSaved={(n) => {
            setNotice(n);
            void queryClient.invalidateQueries({ queryKey: ["message-templates"] });
          }} />
        ))}
      </div>
    </div>
  );
}
