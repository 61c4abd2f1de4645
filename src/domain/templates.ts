/**
 * Message templates (設定 › メッセージの文面, issue 12): the words of the messages
 * the watch sends, per kind and channel, with `{placeholder}`s filled in when a
 * message is composed. An organisation's own template replaces the built-in one
 * (domain/messages.ts, domain/call-script.ts), which is what the defaults render.
 *
 * Kinds and the channels each has:
 * - prompt, resend: the check-in and its re-send on LINE, SMS and e-mail (a phone
 *   member hears the call script instead);
 * - alert: to the team and contacts when a member stays silent, on every channel
 *   (on the phone: the sentence spoken before "press 1 … press 2");
 * - call_script: the question a check-in call asks (phone);
 * - daily_questions: how each daily question is spoken after the member's answer (phone);
 * - line_of_the_day: how the operator's 今日のひとこと is shown under the prompt.
 *
 * Limits (refused with the reason, `checkTemplate`): a template is rendered with
 * sample values (`SAMPLE_VALUES`: a ten-character name, the longest date, the
 * organisation's name, the current line of the day) and must fit its channel:
 * - LINE: a text message holds at most 5,000 characters (Messaging API);
 * - SMS: at most `MAX_SMS_SEGMENTS` (4) segments including the one-tap link
 *   (`SMS_LINK_SAMPLE`). Text with any character outside GSM-7 (all Japanese) is
 *   sent as UCS-2: 70 characters in one segment, 67 per segment once split; GSM-7
 *   is 160 / 153. Four segments (268 Japanese characters) keep a message one
 *   that phones join and carriers bill as a few, and leave room for the link;
 * - phone: at most `MAX_SPOKEN_CHARS` (200) characters, about 40 seconds of
 *   Japanese speech (~5 characters a second): the member must still remember
 *   the question when asked to press a key;
 * - e-mail: at most 10,000 characters (no provider limit; a sanity bound).
 * Every template: no unknown `{placeholder}`, not empty, no control characters
 * except line breaks.
 */
import { DEFAULT_VOICE_PROMPT, type DailyQuestion } from "./call-script.ts";

export const TEMPLATE_KINDS = ["prompt", "resend", "alert", "call_script", "daily_questions", "line_of_the_day"] as const;
export type TemplateKind = (typeof TEMPLATE_KINDS)[number];

export const TEMPLATE_CHANNELS = ["line", "sms", "email", "voice"] as const;
export type TemplateChannel = (typeof TEMPLATE_CHANNELS)[number];

/** The channels each kind is written for. */
export const TEMPLATE_SLOTS: Record<TemplateKind, readonly TemplateChannel[]> = {
  prompt: ["line", "sms", "email"],
  resend: ["line", "sms", "email"],
  alert: ["line", "sms", "email", "voice"],
  call_script: ["voice"],
  daily_questions: ["voice"],
  line_of_the_day: ["line", "sms", "email"],
};

/** The placeholders each kind may use. */
export const PLACEHOLDERS: Record<TemplateKind, readonly string[]> = {
  prompt: ["name", "organisation", "lineOfTheDay"],
  resend: ["name", "organisation"],
  alert: ["name", "since", "organisation"],
  call_script: ["name", "organisation"],
  daily_questions: ["question", "choices"],
  line_of_the_day: ["line"],
};

export const LINE_TEXT_LIMIT = 5000;
export const EMAIL_TEXT_LIMIT = 10_000;
export const MAX_SMS_SEGMENTS = 4;
export const MAX_SPOKEN_CHARS = 200;
/** A one-tap link as the SMS carries it (https://…/c/<token>), for the segment count. */
export const SMS_LINK_SAMPLE = `https://mimamori.example.jp/c/${"x".repeat(32)}`;

const JA_PROMPT = "{name}さん、見守りの確認です。お元気でしたら「OK」を、連絡がほしいときは「連絡がほしい」を押してください。";
const EN_PROMPT = 'Hello {name}, this is your check-in. Press OK if you are fine, or "please contact me".';
const JA_RESEND = "{name}さん、まだ確認ができていません。お元気でしたら「OK」を押してください。";
const EN_RESEND = "{name}, we have not heard from you yet. Please press OK if you are fine.";
const JA_ALERT = "【見守り】{name}さんから {since} 以降、応答がありません。安否の確認をお願いします。";
const EN_ALERT = "[Mimamori] {name} has not answered since {since}. Please check on them.";

/**
 * The built-in templates: what domain/messages.ts says (the SMS carries the
 * Japanese line, as it always did, followed by its link). The line of the day is
 * added under the prompt unless the prompt places `{lineOfTheDay}` itself.
 */
export const DEFAULT_TEMPLATES: Record<TemplateKind, Partial<Record<TemplateChannel, string>>> = {
  prompt: { line: `${JA_PROMPT}\n${EN_PROMPT}`, email: `${JA_PROMPT}\n${EN_PROMPT}`, sms: JA_PROMPT },
  resend: { line: `${JA_RESEND}\n${EN_RESEND}`, email: `${JA_RESEND}\n${EN_RESEND}`, sms: JA_RESEND },
  alert: { line: `${JA_ALERT}\n${EN_ALERT}`, email: `${JA_ALERT}\n${EN_ALERT}`, sms: JA_ALERT, voice: JA_ALERT },
  call_script: { voice: DEFAULT_VOICE_PROMPT },
  daily_questions: { voice: "{question}{choices}押してください。" },
  line_of_the_day: { line: "{line}", sms: "{line}", email: "{line}" },
};

export function hasSlot(kind: TemplateKind, channel: TemplateChannel): boolean {
  return TEMPLATE_SLOTS[kind].includes(channel);
}

export function defaultTemplate(kind: TemplateKind, channel: TemplateChannel): string {
  return DEFAULT_TEMPLATES[kind][channel] ?? "";
}

/** The template channel of a delivery channel: the sandbox stands in for LINE; the console has none. */
export function templateChannelOf(kind: string): TemplateChannel | null {
  if (kind === "sandbox" || kind === "line") return "line";
  return (TEMPLATE_CHANNELS as readonly string[]).includes(kind) ? (kind as TemplateChannel) : null;
}

/** An organisation's own templates, by kind and channel. */
export type TemplateSet = Partial<Record<TemplateKind, Partial<Record<TemplateChannel, string>>>>;

/** The organisation's template for a slot, else the built-in one. */
export function templateFor(set: TemplateSet | undefined, kind: TemplateKind, channel: TemplateChannel): string {
  return set?.[kind]?.[channel] ?? defaultTemplate(kind, channel);
}

const PLACEHOLDER = /\{([A-Za-z][A-Za-z0-9]*)\}/g;

/** The placeholders a template uses, in order of first use. */
export function placeholdersIn(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/** Fills `{placeholder}`s from `values`; one without a value is left as written (checkTemplate refuses unknown ones). */
export function render(template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (Object.hasOwn(values, name) ? values[name] : whole));
}

/**
 * A prompt's text: its template, with the line of the day (itself through the
 * line_of_the_day template) where the template places `{lineOfTheDay}`, else
 * on a line of its own at the end when there is one.
 */
export function renderPrompt(set: TemplateSet | undefined, channel: TemplateChannel, values: { name: string; organisation: string; lineOfTheDay?: string }): string {
  const template = templateFor(set, "prompt", channel);
  const line = values.lineOfTheDay ? render(templateFor(set, "line_of_the_day", channel), { line: values.lineOfTheDay }) : "";
  const text = render(template, { name: values.name, organisation: values.organisation, lineOfTheDay: line });
  return template.includes("{lineOfTheDay}") || !line ? text : `${text}\n${line}`;
}

/** GSM 03.38's basic set (and its extension table, two septets each): SMS text in it is 7-bit. */
const GSM7 = new Set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà");
const GSM7_EXTENDED = new Set("^{}\\[~]|€");

export interface SmsSize {
  encoding: "GSM-7" | "UCS-2";
  /** Characters as the encoding counts them (UCS-2: UTF-16 code units; GSM-7: septets). */
  units: number;
  segments: number;
}

/** How many SMS segments `text` takes: GSM-7 160 / 153 per segment, UCS-2 70 / 67. */
export function smsSize(text: string): SmsSize {
  let septets = 0;
  let gsm = true;
  for (const ch of text) {
    if (GSM7.has(ch)) septets += 1;
    else if (GSM7_EXTENDED.has(ch)) septets += 2;
    else {
      gsm = false;
      break;
    }
  }
  if (gsm) return { encoding: "GSM-7", units: septets, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  const units = text.length;
  return { encoding: "UCS-2", units, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}

/** Characters as a person counts them (code points: an emoji is one). */
export function charCount(text: string): number {
  return [...text].length;
}

/** Sample values a template is checked and previewed with (the longest date; a ten-character name). */
export function sampleValues(kind: TemplateKind, context: { organisation: string; lineOfTheDay?: string }): Record<string, string> {
  switch (kind) {
    case "prompt":
    case "resend":
    case "call_script":
      return { name: "見守花子さくら太郎", organisation: context.organisation, lineOfTheDay: context.lineOfTheDay ?? "" };
    case "alert":
      return { name: "見守花子さくら太郎", since: "12月31日 23:59", organisation: context.organisation };
    case "daily_questions":
      return { question: SAMPLE_QUESTION.text, choices: choicesSpeech(SAMPLE_QUESTION) };
    case "line_of_the_day":
      return { line: context.lineOfTheDay || "今日は敬老の日です。いつもありがとうございます。" };
  }
}

/** The spoken keys of a daily question: 「元気は1を、いつも通りは2を、元気がないは3を」. */
export function choicesSpeech(q: DailyQuestion): string {
  return q.choices.map((c) => `${c.label}は${c.digit}を`).join("、");
}

const SAMPLE_QUESTION: DailyQuestion = {
  key: "condition", text: "今日のご様子を教えてください。",
  choices: [{ digit: "1", value: "genki", label: "元気" }, { digit: "2", value: "usual", label: "いつも通り" },
    { digit: "3", value: "unwell", label: "元気がない" }],
};

/** What a rendered template measures against its channel's limit. */
export interface TemplateMeasure {
  text: string;
  chars: number;
  limit: number;
  sms?: SmsSize & { maxSegments: number };
}

/** The sample rendering of a template and its size against the channel's limit (SMS: with the one-tap link). */
export function measure(kind: TemplateKind, channel: TemplateChannel, template: string, context: { organisation: string; lineOfTheDay?: string }): TemplateMeasure {
  const values = sampleValues(kind, context);
  const text = kind === "prompt"
    ? renderPrompt({ prompt: { [channel]: template } }, channel, { name: values.name, organisation: values.organisation, lineOfTheDay: context.lineOfTheDay })
    : render(template, values);
  const chars = charCount(text);
  switch (channel) {
    case "line":
      return { text, chars, limit: LINE_TEXT_LIMIT };
    case "email":
      return { text, chars, limit: EMAIL_TEXT_LIMIT };
    case "voice":
      return { text, chars, limit: MAX_SPOKEN_CHARS };
    case "sms": {
      const withLink = kind === "line_of_the_day" ? text : `${text}\n${SMS_LINK_SAMPLE}`;
      return { text, chars, limit: MAX_SMS_SEGMENTS, sms: { ...smsSize(withLink), maxSegments: MAX_SMS_SEGMENTS } };
    }
  }
}

export const TEMPLATE_PROBLEMS = ["unknown_placeholder", "template_too_long", "template_empty", "no_such_template"] as const;
export type TemplateProblemCode = (typeof TEMPLATE_PROBLEMS)[number];

export interface TemplateProblem {
  code: TemplateProblemCode;
  /** The request field it is about: "text". */
  field: string;
  message: string;
}

/** Why a template cannot be used on its channel, or undefined when it can. */
export function checkTemplate(
  kind: TemplateKind, channel: TemplateChannel, template: string, context: { organisation: string; lineOfTheDay?: string },
): TemplateProblem | undefined {
  if (!hasSlot(kind, channel)) {
    return { code: "no_such_template", field: "channel", message: `${kind} has no ${channel} template; it has ${TEMPLATE_SLOTS[kind].join(", ")}` };
  }
  if (!template.trim()) return { code: "template_empty", field: "text", message: "a template needs some text" };
  const unknown = placeholdersIn(template).filter((p) => !PLACEHOLDERS[kind].includes(p));
  if (unknown.length) {
    return {
      code: "unknown_placeholder", field: "text",
      message: `unknown placeholder {${unknown[0]}}; ${kind} may use ${PLACEHOLDERS[kind].map((p) => `{${p}}`).join(", ")}`,
    };
  }
  const m = measure(kind, channel, template, context);
  if (m.sms && m.sms.segments > m.sms.maxSegments) {
    return {
      code: "template_too_long", field: "text",
      message: `the SMS takes ${m.sms.segments} segments (${m.sms.encoding}, ${m.sms.units} characters with the link); at most ${m.sms.maxSegments}`,
    };
  }
  if (!m.sms && m.chars > m.limit) {
    return { code: "template_too_long", field: "text", message: `${m.chars} characters on ${channel}; at most ${m.limit}` };
  }
  return undefined;
}
