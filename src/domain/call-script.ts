/**
 * What an automated call says and what each key does (あんしん電話 / げんきです).
 * Pure: the voice webhook asks `step()` what to do with a key press (or silence)
 * at a stage of the call, applies the returned action, and speaks the returned
 * lines. A wrong key or silence repeats the question once; the second time the
 * call says goodbye and counts as not answered.
 */
import { broadcastAnswerReply } from "./broadcasts.ts";
import type { MessageKind } from "./messages.ts";

export type CallScriptKind = "checkin" | "alert" | "confirm_contact" | "broadcast" | "notice";

/** What a key press does, applied by the engine. */
export type CallAction =
  | { type: "answer"; answer: "ok" | "need_contact" }
  | { type: "acknowledge" }
  | { type: "pass" }
  | { type: "confirm_contact" }
  | { type: "broadcast_answer"; answer: "safe" | "need_help" }
  | { type: "observe"; question: string; value: string; label: string };

export interface DailyQuestion {
  key: string;
  /** What the call asks, e.g. 「今日の体調はいかがですか。」 */
  text: string;
  choices: { digit: string; value: string; label: string }[];
}

/** Japan Post's みまもりでんわ asks this one; the others are the seeds' health, sleep, medication and meals. */
export const QUESTION_PRESETS: Record<string, DailyQuestion> = {
  condition: {
    key: "condition", text: "今日のご様子を教えてください。",
    choices: [{ digit: "1", value: "genki", label: "元気" }, { digit: "2", value: "usual", label: "いつも通り" },
      { digit: "3", value: "unwell", label: "元気がない" }],
  },
  health: {
    key: "health", text: "体調はいかがですか。",
    choices: [{ digit: "1", value: "good", label: "良い" }, { digit: "2", value: "fair", label: "ふつう" }, { digit: "3", value: "poor", label: "悪い" }],
  },
  sleep: {
    key: "sleep", text: "昨夜はよく眠れましたか。",
    choices: [{ digit: "1", value: "well", label: "よく眠れた" }, { digit: "2", value: "poorly", label: "あまり眠れなかった" }],
  },
  medication: {
    key: "medication", text: "お薬は飲みましたか。",
    choices: [{ digit: "1", value: "taken", label: "飲んだ" }, { digit: "2", value: "not_yet", label: "まだ" }],
  },
  meals: {
    key: "meals", text: "食事はとれていますか。",
    choices: [{ digit: "1", value: "eating", label: "とれている" }, { digit: "2", value: "not_eating", label: "とれていない" }],
  },
};

/**
 * The question as spoken: its text and each key; `template` is the organisation's
 * daily_questions template (domain/templates.ts) with {question} and {choices}.
 */
export function questionSpeech(q: DailyQuestion, template?: string): string {
  const choices = q.choices.map((c) => `${c.label}は${c.digit}を`).join("、");
  if (template) return template.replaceAll("{question}", q.text).replaceAll("{choices}", choices);
  return `${q.text}${choices}押してください。`;
}

/** Where a call is: the main question, or daily question `n`. */
export type Stage = "main" | `q${number}`;

export interface ScriptContext {
  kind: CallScriptKind;
  /** The main question, already worded (see `mainSpeech`). */
  main: string;
  questions: DailyQuestion[];
  /** The organisation's wording of a daily question (questionSpeech), when it has its own. */
  questionTemplate?: string;
  /** A drill broadcast's call: the answer is acknowledged as a drill's (domain/broadcasts.ts). */
  drill?: boolean;
}

export interface CallStep {
  action?: CallAction;
  /** Lines to speak, in order. */
  say: string[];
  /** Wait for one key at this stage (with this try count); absent = the call ends. */
  gather?: { stage: Stage; tries: number };
  /** The call reached a person who did what it asked. */
  answered?: boolean;
}

const REPEAT_WRONG = "申し訳ありません。もう一度お願いします。";
const REPEAT_SILENT = "ボタンが押されませんでした。もう一度お願いします。";
const GOODBYE_UNANSWERED = "確認ができませんでした。のちほど、あらためてご連絡します。失礼します。";
const THANKS = "ありがとうございました。失礼します。";

/** The keys of the main question, per script. */
function mainKeys(kind: CallScriptKind): Record<string, CallAction> {
  switch (kind) {
    case "checkin":
      return { "1": { type: "answer", answer: "ok" }, "9": { type: "answer", answer: "need_contact" } };
    case "alert":
      return { "1": { type: "acknowledge" }, "2": { type: "pass" } };
    case "confirm_contact":
      return { "1": { type: "confirm_contact" } };
    case "broadcast":
      return { "1": { type: "broadcast_answer", answer: "safe" }, "9": { type: "broadcast_answer", answer: "need_help" } };
    case "notice":
      return {};
  }
}

/** What the call says after the main key was pressed. */
function afterMain(action: CallAction, drill = false): string {
  switch (action.type) {
    case "answer":
      return action.answer === "ok" ? "ありがとうございます。お元気とうかがいました。" : "承知しました。担当者からご連絡します。";
    case "acknowledge":
      return "ありがとうございます。対応をお願いします。";
    case "pass":
      return "承知しました。次の方にご連絡します。";
    case "confirm_contact":
      return "ご登録を確認しました。ありがとうございます。";
    case "broadcast_answer":
      if (drill) return broadcastAnswerReply(action.answer, true).ja.join("");
      return action.answer === "safe" ? "ご無事とうかがいました。" : "承知しました。担当者からご連絡します。";
    case "observe":
      return "";
  }
}

/** The first thing the call says when it is answered. */
export function opening(ctx: ScriptContext): CallStep {
  // A notice is read twice, as 防災無線 does, and asks nothing.
  if (ctx.kind === "notice") return { say: [ctx.main, ctx.main, "失礼します。"], answered: true };
  return { say: [ctx.main], gather: { stage: "main", tries: 0 } };
}

/**
 * One key press (or silence: `digits` undefined) at `stage`. `tries` counts the
 * repeats already made at this stage.
 */
export function step(ctx: ScriptContext, stage: Stage, tries: number, digits: string | undefined): CallStep {
  if (stage === "main") {
    const action = digits ? mainKeys(ctx.kind)[digits] : undefined;
    if (!action) return retry(ctx.main, stage, tries, !digits, { answered: false });
    const said = afterMain(action, ctx.drill);
    // Daily questions follow a member's own answer only.
    if (ctx.kind === "checkin" && ctx.questions.length) {
      return { action, answered: true, say: [said, questionSpeech(ctx.questions[0], ctx.questionTemplate)], gather: { stage: "q0", tries: 0 } };
    }
    return { action, answered: true, say: [said, "失礼します。"] };
  }
  const index = Number(stage.slice(1));
  const question = ctx.questions[index];
  if (!question) return { say: [THANKS], answered: true };
  const choice = digits ? question.choices.find((c) => c.digit === digits) : undefined;
  if (!choice) {
    // A daily question left unanswered is skipped, not a reason to call again.
    if (tries >= 1) return next(ctx, index, []);
    return retry(questionSpeech(question, ctx.questionTemplate), stage, tries, !digits, { answered: true });
  }
  return next(ctx, index, [], { type: "observe", question: question.key, value: choice.value, label: choice.label });
}

function next(ctx: ScriptContext, index: number, say: string[], action?: CallAction): CallStep {
  const following = ctx.questions[index + 1];
  const base = { answered: true, ...(action ? { action } : {}) };
  if (!following) return { ...base, say: [...say, THANKS] };
  return { ...base, say: [...say, questionSpeech(following, ctx.questionTemplate)], gather: { stage: `q${index + 1}`, tries: 0 } };
}

function retry(question: string, stage: Stage, tries: number, silent: boolean, extra: { answered: boolean }): CallStep {
  if (tries >= 1) return { say: [GOODBYE_UNANSWERED], ...extra };
  return { say: [silent ? REPEAT_SILENT : REPEAT_WRONG, question], gather: { stage, tries: tries + 1 }, ...extra };
}

/**
 * The script each kind of message follows on a call (a new kind does not compile
 * until it has one). A broadcast without a question is read as a notice.
 */
const SCRIPT_OF: Record<MessageKind, CallScriptKind> = {
  prompt: "checkin",
  resend: "checkin",
  alert: "alert",
  contact_request: "alert",
  contact_confirm: "confirm_contact",
  broadcast: "broadcast",
  member_answered: "notice",
  member_unreachable: "notice",
  person_invitation: "notice",
  monthly_report: "notice",
  channel_test: "notice",
  visit_offer: "notice",
  // Never queued on a call (engine/terms.ts); after a fail-over it is read as a notice.
  terms_request: "notice",
  team_notice: "notice",
  person_message: "notice",
  ack_reminder: "notice",
  ack_timeout: "notice",
  daily_summary: "notice",
  device_silent: "notice",
  operator_alert: "notice",
  channel_lost: "notice",
  conversation: "notice",
  group_prompt: "notice",
  group_list: "notice",
  group_reply: "notice",
  group_welcome: "notice",
  group_approved: "notice",
};

/** Which script a message follows. */
export function scriptKindOf(messageKind: MessageKind, payload: Record<string, unknown>): CallScriptKind {
  const script = SCRIPT_OF[messageKind];
  return script === "broadcast" && payload.question !== true ? "notice" : script;
}

/** The operator's prompt, or the default; `{name}` is the member's name. */
export const DEFAULT_VOICE_PROMPT = "{name}さん、見守りの確認のお電話です。お元気でしたら1を、連絡がほしいときは9を押してください。";

/**
 * The main question of a call. `japanese` is the message's Japanese line (the
 * first line of its text), used for alerts and notices.
 */
export function mainSpeech(kind: CallScriptKind, p: { name: string; japanese: string; voicePrompt?: string }): string {
  const plain = p.japanese.replace(/^【見守り】/, "見守りからのお知らせです。");
  switch (kind) {
    case "checkin":
      return (p.voicePrompt || DEFAULT_VOICE_PROMPT).replaceAll("{name}", p.name);
    case "alert":
      return `${plain}対応できる場合は1を、次の方に回す場合は2を押してください。`;
    case "confirm_contact":
      return `${plain}お引き受けいただける場合は1を押してください。`;
    case "broadcast":
      return `${plain}ご無事でしたら1を、助けが必要なときは9を押してください。`;
    case "notice":
      return plain;
  }
}
