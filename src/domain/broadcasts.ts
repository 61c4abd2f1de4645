/**
 * Broadcasts and disaster checks (安否確認): the operator or a team sends a
 * message to all members, one or more teams or one or more groups, optionally
 * asking 無事ですか？ with the answers 無事 (safe) / 助けが必要 (need help).
 *
 * - `safe` is evidence of life: it also counts as an `ok` answer, closing the
 *   member's open check-ins.
 * - `need_help` opens an urgent help-requested incident and alerts the member's
 *   team, unless one is already open for the member (never two at once).
 * - A later answer from the same member replaces the earlier one in the tally;
 *   `need_help` after `safe` still opens the incident, and `safe` after
 *   `need_help` never closes it: a human records the outcome.
 *
 * Drills (訓練, an exercise such as the city's yearly 総合防災訓練): every message
 * on every channel says so first (LINE and e-mail text, the e-mail subject, the
 * SMS, the words of the call, the link page), and the answers are kept apart:
 * - a drill's `safe` is tallied on the broadcast only; it is not an `ok` answer
 *   and closes no check-in (a drill must not hide a member's real silence);
 * - a drill's `need_help` opens no incident and alerts nobody: the member is
 *   told it was recorded as a drill answer and how to ask for real help (the
 *   daily check-in's 連絡がほしい, the team's number, 119). This follows how
 *   municipal 安否確認訓練 are run (answers counted to test the chain, no
 *   dispatch); staff see the drill's 助けが必要 in its tally and list and can
 *   still call or visit from there;
 * - its tallies are labelled 訓練 in the broadcast views and the monthly report,
 *   and kept out of the report's real totals.
 *
 * What goes out on each channel is rendered here, once: the providers send it
 * and the preview route (POST /broadcasts/preview) shows it, from the same
 * functions (`broadcastText`, `broadcastSms`, `broadcastEmail`, `broadcastSpeech`).
 */
import { formatLocal } from "./messages.ts";

export const AUDIENCE_KINDS = ["all", "team", "group"] as const;
export type AudienceKind = (typeof AUDIENCE_KINDS)[number];
/** Everyone, or the members of one or more teams, or of one or more groups (a member in two is sent one message). */
export type Audience = { kind: "all" } | { kind: "team" | "group"; ids: string[] };

/** At most this many teams or groups in one audience. */
export const MAX_AUDIENCE_IDS = 100;

export const BROADCAST_ANSWERS = ["safe", "need_help"] as const;
export type BroadcastAnswer = (typeof BROADCAST_ANSWERS)[number];

/**
 * Delivery state of one recipient, from their outbox rows: sent when any row was
 * sent, pending while any is pending, failed when every channel failed.
 */
export const DELIVERY_STATES = ["pending", "sent", "failed"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const BROADCAST_BUTTONS = { safe: "無事", need_help: "助けが必要" } as const;

export interface BroadcastAnswerPlan {
  /** Also record an `ok` answer (evidence of life). */
  recordOk: boolean;
  /** Open a help-requested incident and alert the team. */
  openHelpIncident: boolean;
  /** The open help-requested incident this answer belongs to (joined, or noted on its timeline). */
  noteOnIncidentId: string | null;
}

/** What an answer does, given the member's open help-requested incident (if any); a drill's answer does nothing more than be tallied. */
export function planBroadcastAnswer(
  answer: BroadcastAnswer,
  openHelpIncidentId: string | null,
  drill = false,
): BroadcastAnswerPlan {
  if (drill) return { recordOk: false, openHelpIncident: false, noteOnIncidentId: null };
  if (answer === "safe") return { recordOk: true, openHelpIncident: false, noteOnIncidentId: openHelpIncidentId };
  return { recordOk: false, openHelpIncident: openHelpIncidentId === null, noteOnIncidentId: openHelpIncidentId };
}

/** What the operator wrote and asked: the content every channel renders. */
export interface BroadcastContent {
  text: string;
  /** Ask 無事ですか？ (safe / need help). */
  question: boolean;
  /** An exercise (訓練). */
  drill: boolean;
}

/** The first line of every drill message (LINE, e-mail). */
export const DRILL_LINE = "【訓練】これは訓練です。\n[DRILL] This is an exercise.";
const DRILL_JA = "【訓練】これは訓練です。";

/**
 * The words a recipient receives on LINE and in the e-mail's body: the drill's
 * line, the operator's text, and the question when asked (the LINE buttons and
 * the e-mail link follow it).
 */
export function broadcastText(text: string, question: boolean, drill = false): string {
  const body = question
    ? `${text}\n\n無事ですか？「無事」か「助けが必要」でお答えください。${drill ? "（訓練）" : ""}\nAre you safe? Please answer "safe" or "need help".${drill ? " (drill)" : ""}`
    : text;
  return drill ? `${DRILL_LINE}\n\n${body}` : body;
}

/** The broadcast's payload on each outbox row: the content, so each channel renders it with the functions below. */
export type BroadcastPayload = {
  broadcastId: string;
  question: boolean;
  drill: boolean;
  /** The operator's text, as written. */
  body: string;
};

/** The content of a broadcast outbox row's payload; undefined for rows written before migration 019 (rendered as before). */
export function contentOf(payload: Record<string, unknown>): BroadcastContent | undefined {
  return typeof payload.body === "string"
    ? { text: payload.body, question: payload.question === true, drill: payload.drill === true }
    : undefined;
}

/** The labels of the link page's buttons (checkin page) named in SMS and e-mail. */
const LINK_BUTTONS = "「無事です」か「助けが必要」";

/**
 * The SMS: Japanese only (SMS are paid by the segment), the drill's line, the
 * text, how to answer, then the one-tap link (whose page has both buttons).
 */
export function broadcastSms(c: BroadcastContent, link: string | undefined): string {
  const parts = [c.drill ? DRILL_JA : "", c.text];
  if (c.question) parts.push(`無事ですか？下のリンクを開き、${LINK_BUTTONS}を押してください。${c.drill ? "（訓練）" : ""}`);
  if (c.question && link) parts.push(link);
  return parts.filter(Boolean).join("\n");
}

/** The e-mail: subject, plain-text body (the HTML part shows the same), and the link's label. */
export function broadcastEmail(c: BroadcastContent, link: string | undefined): { subject: string; text: string; linkLabel: string | null } {
  const subject = `${c.drill ? "【見守り・訓練】" : "【見守り】"}${c.question ? "安否確認 / Safety check" : "お知らせ / Notice"}${c.drill ? "（訓練 / drill）" : ""}`;
  const linkLabel = c.question && link ? `リンクを開き${LINK_BUTTONS}を押してください / Open the link and press "I'm safe" or "I need help"` : null;
  const body = broadcastText(c.text, c.question, c.drill);
  return { subject, text: linkLabel ? `${body}\n\n${linkLabel}:\n${link}\n` : `${body}\n`, linkLabel };
}

/** The keys a call offers for the question, in the order spoken (call-script.ts applies them). */
export const CALL_KEYS = [{ digit: "1", answer: "safe" }, { digit: "9", answer: "need_help" }] as const;

/**
 * What a call speaks before waiting for a key (the whole text, read as one
 * paragraph); a drill says so first and again with the question.
 */
export function broadcastSpeech(c: BroadcastContent): string {
  const text = c.text.replace(/\s*\n+\s*/g, "。").replace(/。+/g, "。");
  const opening = `${c.drill ? "これは訓練です。" : ""}見守りからのお知らせです。${text}${/[。！？.!?]$/.test(text) ? "" : "。"}`;
  return c.question ? `${opening}${c.drill ? "訓練です。" : ""}ご無事でしたら1を、助けが必要なときは9を押してください。` : opening;
}

/** What the member is told after answering (LINE reply, link page, call), in Japanese and English. */
export function broadcastAnswerReply(answer: BroadcastAnswer, drill: boolean): { ja: string[]; en: string[] } {
  if (drill) {
    return answer === "safe"
      ? { ja: ["訓練の回答「無事」を受け付けました。ご協力ありがとうございました。"], en: ["Your drill answer \"safe\" has been recorded. Thank you for taking part."] }
      : {
        ja: ["これは訓練です。訓練の回答「助けが必要」として記録しました（担当者への緊急の連絡は行いません）。",
          "本当に助けが必要なときは、毎日の確認で「連絡がほしい」を押すか、担当者に電話してください。命にかかわる緊急のときは 119 番へ。"],
        en: ["This is a drill: your answer \"need help\" was recorded as a drill answer (no one is sent to you).",
          "If you really need help, press \"Please contact me\" on your daily check-in or call the staff. In an emergency, call 119."],
      };
  }
  return answer === "safe"
    ? { ja: ["ありがとうございます。無事を確認しました。"], en: ["Thank you: we have noted that you are safe."] }
    : { ja: ["担当者に知らせました。すぐにご連絡します。"], en: ["We have told the staff; they will contact you soon."] };
}

/**
 * SMS segments of a text, as carriers count them: GSM-7 (160 characters, 153
 * per part when split) unless any character is outside it, then UCS-2 (70, 67
 * per part, counted in UTF-16 units). Japanese is always UCS-2.
 */
export function smsSegments(text: string): { encoding: "GSM-7" | "UCS-2"; characters: number; segments: number } {
  const gsm = /^[A-Za-z0-9 @£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~\]|€]*$/.test(text);
  if (gsm) {
    const characters = [...text].reduce((n, ch) => n + ("^{}\\[~]|€".includes(ch) ? 2 : 1), 0);
    return { encoding: "GSM-7", characters, segments: characters <= 160 ? 1 : Math.ceil(characters / 153) };
  }
  const characters = text.length;
  return { encoding: "UCS-2", characters, segments: characters <= 70 ? 1 : Math.ceil(characters / 67) };
}

/** The team's alert when a member answers "need help". */
export function helpRequestedText(displayName: string, at: Date, zone: string): string {
  const when = formatLocal(at, zone);
  return `【見守り・至急】${displayName}さんが安否確認に「助けが必要」と回答しました（${when}）。至急ご対応ください。\n` +
    `[Mimamori, urgent] ${displayName} answered "need help" to a safety check (${when}). Please act now.`;
}

/** The team hears that a member who asked for help has since answered "safe". */
export function safeAfterHelpText(displayName: string, at: Date, zone: string): string {
  const when = formatLocal(at, zone);
  return `【見守り】助けを求めていた${displayName}さんが安否確認に「無事」と回答しました（${when}）。対応の記録をお願いします。\n` +
    `[Mimamori] ${displayName}, who asked for help, has answered "safe" (${when}). Please record the outcome.`;
}
