/**
 * The words members, contacts and teams receive: Japanese first, then English.
 * Operators will be able to edit them; these are the defaults.
 */
import { DateTime } from "luxon";
import type { Answer } from "./answers.ts";
import { formatPhone } from "./phone.ts";

export const MESSAGE_KINDS = ["prompt", "resend", "alert", "member_answered", "contact_request", "broadcast", "contact_confirm"] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

export function formatLocal(instant: Date, zone: string): string {
  const t = DateTime.fromJSDate(instant, { zone });
  return `${t.month}月${t.day}日 ${t.toFormat("HH:mm")}`;
}

/** The prompt; `lineOfTheDay` is the operator's short note (今日のひとこと), shown last when set. */
export function promptText(displayName: string, lineOfTheDay?: string): string {
  return `${displayName}さん、見守りの確認です。お元気でしたら「OK」を、連絡がほしいときは「連絡がほしい」を押してください。\n` +
    `Hello ${displayName}, this is your check-in. Press OK if you are fine, or "please contact me".` +
    (lineOfTheDay ? `\n${lineOfTheDay}` : "");
}

export function resendText(displayName: string): string {
  return `${displayName}さん、まだ確認ができていません。お元気でしたら「OK」を押してください。\n` +
    `${displayName}, we have not heard from you yet. Please press OK if you are fine.`;
}

export function noAnswerAlertText(displayName: string, since: Date, zone: string): string {
  const when = formatLocal(since, zone);
  return `【見守り】${displayName}さんから ${when} 以降、応答がありません。安否の確認をお願いします。\n` +
    `[Mimamori] ${displayName} has not answered since ${when}. Please check on them.`;
}

export function contactRequestText(displayName: string, at: Date, zone: string): string {
  const when = formatLocal(at, zone);
  return `【見守り】${displayName}さんが「連絡がほしい」と回答しました（${when}）。ご連絡をお願いします。\n` +
    `[Mimamori] ${displayName} asked to be contacted (${when}). Please get in touch.`;
}

export function memberAnsweredText(displayName: string, answer: Answer, at: Date, zone: string): string {
  const when = formatLocal(at, zone);
  const ja = answer === "ok" ? "「OK」" : "「連絡がほしい」";
  const en = answer === "ok" ? "OK" : "please contact me";
  return `【見守り】${displayName}さんから ${when} に${ja}の応答がありました。対応の記録をお願いします。\n` +
    `[Mimamori] ${displayName} answered "${en}" at ${when}. Please record the outcome.`;
}

/**
 * Asks a new contact to confirm the role (contacts often do not know they were
 * registered). `callsFrom` is the organisation's caller id in E.164; people read
 * it in national form (090-1234-5678), as they would see it on their phone.
 */
export function contactConfirmText(contactName: string, memberName: string, callsFrom?: string): string {
  const shown = callsFrom ? formatPhone(callsFrom) : undefined;
  const number = shown ? `見守りのお電話は ${shown} からおかけします。` : "";
  return `【見守り】${contactName}さんが、${memberName}さんの見守りの連絡先として登録されました。応答がないときにご連絡します。${number}お引き受けいただけるか、ご確認をお願いします。\n` +
    `[Mimamori] ${contactName}, you have been registered as a contact for ${memberName}: we will contact you if they stop answering.` +
    `${shown ? ` Our calls come from ${shown}.` : ""} Please confirm.`;
}
