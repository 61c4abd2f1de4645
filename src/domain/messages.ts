/**
 * The words members, contacts and teams receive: Japanese first, then English.
 * Operators will be able to edit them; these are the defaults.
 */
import { DateTime } from "luxon";
import type { Answer } from "./answers.ts";
import { formatPhone } from "./phone.ts";

/**
 * Every kind of outgoing message. The sender decides on these codes (whether a
 * queued message is still needed, which call script applies), never on text.
 */
export const MESSAGE_KINDS = [
  "prompt", "resend", "alert", "member_answered", "contact_request", "broadcast", "contact_confirm",
  "group_prompt", "group_list", "group_reply", "group_welcome", "group_approved", "conversation", "channel_lost",
  "member_unreachable", "ack_reminder", "ack_timeout", "daily_summary", "operator_alert", "person_invitation",
  "channel_test", "visit_offer", "monthly_report", "terms_request",
  // A device of ICT watching stopped reporting (the regional network): a task for the team, never for contacts.
  "device_silent", "team_notice",
  // A bounded context's message to a person with a login (e.g. the directory's volunteers): its text, subject
  // (payload.subject) and link to the person's own view (payload.url) are the context's, and so is the check of its
  // cause (engine/causes.ts addCauseCheck → causeGone). The core knows no more of it than that.
  "person_message",
] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * Messages sent to many at once — the day's prompts, broadcasts, group rounds,
 * the daily summaries. The sender claims every other ready message first (a
 * re-send, an alert about one person's silence, a reminder), so a million
 * prompts due in the same minute never hold up an escalation (issue 9 §8: re-sends
 * due with the 09:00 prompts reached their members 21.6 s late at p99).
 * Keep in step with migration 017's index predicate.
 */
export const BULK_KINDS = ["prompt", "broadcast", "group_prompt", "daily_summary"] as const satisfies readonly MessageKind[];

export function isBulk(kind: MessageKind): boolean {
  return (BULK_KINDS as readonly MessageKind[]).includes(kind);
}

/**
 * Who a message is for; "line_user" is someone who is talking to the LINE account but is not (yet)
 * a member; "person" is someone who signs in to the console (an invitation, an on-duty alert);
 * "report_subscription" is a subscription to the monthly report by e-mail (engine/report-mail.ts);
 * "context" is someone a bounded context reaches who is none of these (the directory's volunteer
 * without a login: the id is theirs in that context): the row names its one address, and the
 * context's cause check (payload.context) judges whether it is still needed.
 */
export type RecipientKind = "member" | "contact" | "team" | "group" | "line_user" | "person" | "report_subscription" | "context";

/**
 * Where a queued message stands: waiting (or being sent), accepted by a provider,
 * failed on its channel (a fail-over row may follow), or not sent because its cause was gone.
 */
export type OutboxStatus = "pending" | "sent" | "failed" | "cancelled";

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

/**
 * An alert about a concern (domain/concerns.ts): who noticed (a partner's report,
 * a device) and the concern's one-line summary (cut to 200 characters).
 */
export function concernAlertText(
  displayName: string, source: "partner_report" | "device_inactive" | "finder_call", summary: string, at: Date, zone: string,
): string {
  const when = formatLocal(at, zone);
  const short = summary.length > 200 ? `${summary.slice(0, 199)}…` : summary;
  const [ja, en] = source === "partner_report" ? ["見守り協力事業者から", "A partner reported"]
    : source === "device_inactive" ? ["見守り機器から", "A device reported"] : ["見守りステッカーの番号に電話で", "A finder called about"];
  return `【見守り】${displayName}さんについて${ja}気づきの連絡がありました（${when}）：${short}\n安否の確認をお願いします。\n` +
    `[Mimamori] ${en} a concern about ${displayName} (${when}): ${short}\nPlease check on them.`;
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

/** To the team: no channel could deliver the member's prompt, so nobody is asking them. */
export function memberUnreachableText(displayName: string, at: Date, zone: string, error: string): string {
  const when = formatLocal(at, zone);
  return `【見守り】${displayName}さんへの確認（${when}）をどの手段でも届けられませんでした。連絡先の設定を確認し、ご本人に連絡してください。（${error}）\n` +
    `[Mimamori] The check-in for ${displayName} (${when}) could not be delivered on any channel. Check their channels and reach them. (${error})`;
}

/** To whoever acknowledged: the outcome is still missing. */
export function ackReminderText(displayName: string, acknowledgedAt: Date, zone: string): string {
  const when = formatLocal(acknowledgedAt, zone);
  return `【見守り】${when} に対応を引き受けた${displayName}さんの件は、まだ結果が記録されていません。安否を確認して記録してください。\n` +
    `[Mimamori] You took on ${displayName}'s alert at ${when}, and no outcome has been recorded yet. Please check on them and record it.`;
}

/** To the team: an acknowledgement ran out without an outcome, and the escalation resumes. */
export function ackTimeoutText(displayName: string, acknowledgedBy: string, acknowledgedAt: Date, zone: string): string {
  const when = formatLocal(acknowledgedAt, zone);
  return `【見守り】${displayName}さんの件は ${when} に${acknowledgedBy}さんが引き受けましたが、結果が記録されないまま時間が過ぎました。次の連絡先への連絡を再開します。\n` +
    `[Mimamori] ${acknowledgedBy} took on ${displayName}'s alert at ${when}, but no outcome was recorded in time. The escalation resumes with the next contact.`;
}

/** To the team, once a day while incidents stay unresolved. */
export function dailySummaryText(open: { displayName: string; openedAt: Date; status: string }[], zone: string): string {
  const lines = open.slice(0, 20).map((i) => `・${i.displayName}（${formatLocal(i.openedAt, zone)}〜、${i.status === "acknowledged" ? "対応中" : "未対応"}）`);
  const more = open.length > 20 ? `\n…ほか${open.length - 20}件` : "";
  return `【見守り】未解決の対応が${open.length}件あります。\n${lines.join("\n")}${more}\n` +
    `[Mimamori] ${open.length} incident(s) are still unresolved.`;
}

/** To the team: a provider refuses the organisation's credentials, so its messages fail. */
export function operatorAlertText(channelKind: string, error: string): string {
  return `【見守り】${channelKind} の認証情報が拒否されています。設定を確認してください。この手段のメッセージは届いていません。（${error}）\n` +
    `[Mimamori] ${channelKind} refuses the organisation's credentials: messages on it are not delivered. Check the settings. (${error})`;
}

/** To a person who asked for it: a test of one of their alert channels (nothing to do). */
export function channelTestText(displayName: string, organisationName: string): string {
  return `【見守り】${displayName}さん、${organisationName} の見守りからのテストです。当番中のアラートや訪問のお願いはこの連絡先に届きます。対応は不要です。\n` +
    `[Mimamori] ${displayName}, this is a test from ${organisationName}'s Mimamori: alerts while you are on duty, and visit requests, reach you here. Nothing to do.`;
}

/**
 * A watcher asked to visit (domain/visits.ts): whom, by when (in the
 * organisation's zone), and where to answer. The member's name only: the
 * address and phone are on the watcher's screen, behind their sign-in.
 */
export function visitOfferText(watcherName: string, memberName: string, dueAt: Date, zone: string): string {
  const due = formatLocal(dueAt, zone);
  return `【見守り】${watcherName}さん、${memberName}さんへの訪問のお願いがあります（${due} まで）。見守り管理画面の「わたしの訪問」で、引き受けるかどうかお返事ください。\n` +
    `[Mimamori] ${watcherName}, you are asked to visit ${memberName} (by ${due}). Please answer under "My visits" in the Mimamori console.`;
}

/** An invitation to the console sent by e-mail; the link itself goes in the mail's button (payload.url). */
export function personInvitationText(displayName: string, organisationName: string, loginId: string, expiresAt: Date, zone: string): string {
  const until = formatLocal(expiresAt, zone);
  return `${displayName}さん、${organisationName} の見守り管理画面に招待されています。下のリンクを開き、パスキーまたはパスワードを登録してください（ログインID: ${loginId}、${until} まで有効、1回限り）。\n` +
    `${displayName}, you are invited to ${organisationName}'s Mimamori console. Open the link below and register a passkey or a password ` +
    `(login id: ${loginId}; valid until ${until}, once).`;
}
