/**
 * The LINE messages we send, by outbox kind, and the postback data their buttons
 * carry (one format shared by the messages and the webhook's event mapping):
 *
 * - Check-in prompts and re-sends are Flex messages with two postback buttons
 *   (OK / 連絡がほしい); alerts carry 対応します / 連絡がとれた・無事; a group's
 *   round prompt has one OK (`a=gok&r=<round>`), and its list of who has not
 *   confirmed offers "<name>さんを確認しました" quick replies (`a=gchk&r=&u=`).
 *   Any other kind is plain text; its `payload.choices` ({label, data}[]), if any,
 *   become quick-reply postback buttons.
 * - A broadcast that asks 無事ですか？ (payload.question) carries the buttons 無事 /
 *   助けが必要 (`a=bc&b=<broadcastId>&v=safe|need_help`).
 */
import type { messagingApi } from "@line/bot-sdk";
import { BROADCAST_BUTTONS } from "../../domain/broadcasts.ts";
import type { OutgoingMessage } from "../../engine/ports.ts";

export type LineMessage = messagingApi.Message;

/** LINE's limits (Messaging API reference). */
export const MAX_TEXT_LENGTH = 5000;
export const MAX_ALT_TEXT_LENGTH = 1500;
export const MAX_POSTBACK_DATA_LENGTH = 300;
export const MULTICAST_LIMIT = 500;
export const MAX_QUICK_REPLIES = 13;
export const MAX_QUICK_REPLY_LABEL = 20;

export const CHECKIN_BUTTONS = { ok: "OK（元気です）", need_contact: "連絡がほしい" } as const;
export const ALERT_BUTTONS = { ack: "対応します", safe: "連絡がとれた・無事" } as const;

// ---------------------------------------------------------------------------
// Postback data: the one format shared by the messages and the webhook.

export type LinePostback =
  | { action: "ok" | "need_contact"; checkinId: string }
  | { action: "ack" | "safe"; incidentId: string }
  | { action: string; params: Record<string, string> };

/** `a=ok&c=<checkinId>`, `a=ack&i=<incidentId>`, … (URL-encoded, ≤ 300 characters). */
export function postbackData(action: string, params: Record<string, string>): string {
  return new URLSearchParams({ a: action, ...params }).toString();
}

export function parsePostback(data: string): LinePostback | null {
  if (typeof data !== "string" || data.length === 0 || data.length > MAX_POSTBACK_DATA_LENGTH) return null;
  const search = new URLSearchParams(data);
  const action = search.get("a");
  if (!action) return null;
  if (action === "ok" || action === "need_contact") {
    const checkinId = search.get("c");
    return checkinId ? { action, checkinId } : null;
  }
  if (action === "ack" || action === "safe") {
    const incidentId = search.get("i");
    return incidentId ? { action, incidentId } : null;
  }
  const params: Record<string, string> = {};
  for (const [key, value] of search) if (key !== "a") params[key] = value;
  return { action, params };
}

// ---------------------------------------------------------------------------
// Building LINE messages.

const graphemes = new Intl.Segmenter("ja", { granularity: "grapheme" });

/**
 * At most `max` UTF-16 code units, cut between graphemes (never inside a
 * surrogate pair or an emoji sequence), with "…" when something was cut.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = "";
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > max - 1) break;
    out += segment;
  }
  return `${out}…`;
}

function firstLine(text: string): string {
  const line = text.split("\n").find((l) => l.trim() !== "") ?? "";
  return truncate(line.trim() || "見守り / Mimamori", MAX_ALT_TEXT_LENGTH);
}

/** A tap-to-answer choice under a message (`payload.choices` of conversation messages). */
export interface LineChoice {
  label: string;
  data: string;
}

/** Plain text, with the choices (if any) as quick-reply postback buttons. */
export function textMessage(text: string, choices: LineChoice[] = []): messagingApi.TextMessage {
  const message: messagingApi.TextMessage = { type: "text", text: truncate(text.trim() === "" ? " " : text, MAX_TEXT_LENGTH) };
  const items = choices
    .filter((c) => c.label && c.data && c.data.length <= MAX_POSTBACK_DATA_LENGTH)
    .slice(0, MAX_QUICK_REPLIES)
    .map((c): messagingApi.QuickReplyItem => {
      const label = truncate(c.label, MAX_QUICK_REPLY_LABEL);
      return { type: "action", action: { type: "postback", label, data: c.data, displayText: truncate(c.label, 300) } };
    });
  if (items.length > 0) message.quickReply = { items };
  return message;
}

function choicesOf(payload: Record<string, unknown>): LineChoice[] {
  const choices = payload.choices;
  if (!Array.isArray(choices)) return [];
  return choices.filter((c): c is LineChoice =>
    !!c && typeof c === "object" && typeof (c as LineChoice).label === "string" && typeof (c as LineChoice).data === "string");
}

interface Button {
  label: string;
  data: string;
  style: "primary" | "secondary";
}

/** A bubble: the Japanese first line large, the rest (English) smaller below, then the buttons. */
function buttonsMessage(text: string, buttons: Button[]): messagingApi.FlexMessage {
  const [head, ...rest] = text.split("\n");
  const tail = rest.join("\n").trim();
  const contents: messagingApi.FlexComponent[] = [
    { type: "text", text: truncate(head.trim() || text.trim() || " ", 2000), wrap: true, size: "md", weight: "bold" },
  ];
  if (tail) contents.push({ type: "text", text: truncate(tail, 2000), wrap: true, size: "sm", color: "#666666" });
  for (const [i, b] of buttons.entries()) {
    contents.push({
      type: "button",
      style: b.style,
      height: b.style === "primary" ? "md" : "sm",
      margin: i === 0 ? "xl" : "md",
      action: { type: "postback", label: b.label, data: b.data, displayText: b.label },
    });
  }
  return {
    type: "flex",
    altText: firstLine(text),
    contents: { type: "bubble", body: { type: "box", layout: "vertical", spacing: "md", contents } },
  };
}

/** The check-in prompt (and its re-send): OK large and first, 連絡がほしい smaller. */
export function checkinMessage(text: string, checkinId: string): messagingApi.FlexMessage {
  return buttonsMessage(text, [
    { label: CHECKIN_BUTTONS.ok, data: postbackData("ok", { c: checkinId }), style: "primary" },
    { label: CHECKIN_BUTTONS.need_contact, data: postbackData("need_contact", { c: checkinId }), style: "secondary" },
  ]);
}

/** An alert to a contact or team: acknowledge, or report the member safe. */
export function alertMessage(text: string, incidentId: string): messagingApi.FlexMessage {
  return buttonsMessage(text, [
    { label: ALERT_BUTTONS.ack, data: postbackData("ack", { i: incidentId }), style: "primary" },
    { label: ALERT_BUTTONS.safe, data: postbackData("safe", { i: incidentId }), style: "secondary" },
  ]);
}

/** A broadcast that asks 無事ですか？: the operator's text, then 無事 large and first, 助けが必要 below. */
export function broadcastQuestionMessage(text: string, broadcastId: string): messagingApi.FlexMessage {
  // Up to 2,000 characters from the operator plus the question's words: well inside a bubble's 30 KB.
  const contents: messagingApi.FlexComponent[] = [{ type: "text", text: truncate(text.trim() || " ", 2500), wrap: true, size: "md" }];
  for (const [i, [answer, style]] of ([["safe", "primary"], ["need_help", "secondary"]] as const).entries()) {
    const label = BROADCAST_BUTTONS[answer];
    contents.push({
      type: "button", style, height: "md", margin: i === 0 ? "xl" : "md",
      action: { type: "postback", label, data: postbackData("bc", { b: broadcastId, v: answer }), displayText: label },
    });
  }
  return {
    type: "flex",
    altText: firstLine(text),
    contents: { type: "bubble", body: { type: "box", layout: "vertical", spacing: "md", contents } },
  };
}

export function payloadOf(message: Pick<OutgoingMessage, "payload">): Record<string, unknown> {
  const p: unknown = message.payload;
  if (typeof p === "string") {
    try {
      return JSON.parse(p) ?? {};
    } catch {
      return {};
    }
  }
  return (p && typeof p === "object" ? p : {}) as Record<string, unknown>;
}

/** An id that fits in postback data, or null. */
function idFrom(payload: Record<string, unknown>, field: string): string | null {
  const value = payload[field];
  return typeof value === "string" && value !== "" && value.length <= 200 ? value : null;
}

export const GROUP_OK_BUTTON = "OK";

/** A group's round prompt: one OK button, tapped by each person for themselves. */
export function groupPromptMessage(text: string, roundId: string): messagingApi.FlexMessage {
  return buttonsMessage(text, [{ label: GROUP_OK_BUTTON, data: postbackData("gok", { r: roundId }), style: "primary" }]);
}

/** The list of who has not confirmed: a quick reply per person (up to 13) to say "I checked on them". */
export function groupListMessage(text: string, roundId: string, people: unknown): messagingApi.TextMessage {
  const choices = (Array.isArray(people) ? people : [])
    .filter((p): p is { userId: string; name: string } =>
      !!p && typeof p === "object" && typeof p.userId === "string" && typeof p.name === "string" && p.userId.length <= 100)
    .slice(0, MAX_QUICK_REPLIES)
    .map((p) => ({ label: `${p.name}さんを確認しました`, data: postbackData("gchk", { r: roundId, u: p.userId }) }));
  return textMessage(text, choices);
}

/** The LINE messages for one outbox message, by its kind. */
export function buildLineMessages(message: Pick<OutgoingMessage, "kind" | "text" | "payload">): LineMessage[] {
  const payload = payloadOf(message);
  if (message.kind === "group_prompt" || message.kind === "group_list") {
    const roundId = idFrom(payload, "groupCheckinId");
    if (roundId && message.kind === "group_prompt") return [groupPromptMessage(message.text, roundId)];
    if (roundId) return [groupListMessage(message.text, roundId, payload.people)];
  }
  if (message.kind === "prompt" || message.kind === "resend") {
    const checkinId = idFrom(payload, "checkinId");
    if (checkinId) return [checkinMessage(message.text, checkinId)];
  }
  if (message.kind === "alert" || message.kind === "contact_request") {
    const incidentId = idFrom(payload, "incidentId");
    if (incidentId) return [alertMessage(message.text, incidentId)];
  }
  if (message.kind === "broadcast" && payload.question === true) {
    const broadcastId = idFrom(payload, "broadcastId");
    if (broadcastId) return [broadcastQuestionMessage(message.text, broadcastId)];
  }
  return [textMessage(message.text, choicesOf(payload))];
}
