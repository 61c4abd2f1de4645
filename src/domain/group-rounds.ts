/**
 * Groups (つながり): 2–500 people in a LINE group confirm each other. Each
 * round the bot asks everyone to press OK; 23 h after the prompt it posts the
 * names of those who have not, and anyone may answer "I checked on X". Pure:
 * texts, who is still unconfirmed, and reading "確認 <name>".
 */
import { intervalLabel } from "./registration.ts";
import type { Interval } from "./schedule.ts";

/** The list of those who have not confirmed follows the prompt after this long. */
export const GROUP_LIST_DELAY_MS = 23 * 3_600_000;
/** The default plan of a group: daily at 09:00 (Asia/Tokyo by default). */
export const DEFAULT_GROUP_PLAN = { every: "1d", at: "09:00" } as const;
export const GROUP_STATUSES = ["active", "awaiting_approval", "left"] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];
/** LINE allows at most 13 quick replies under a message. */
export const MAX_LIST_CHOICES = 13;
/** Names written out in the list before "ほか N 名" (LINE texts stop at 5,000 characters). */
const LIST_TEXT_BUDGET = 3_800;

export interface Person {
  userId: string;
  name: string;
}

/** What a person is called when LINE did not tell us their name (yet). */
export function fallbackName(userId: string): string {
  return `LINEユーザー${userId.slice(-4)}`;
}

const EVERY_EN: Record<Interval, string> = {
  "1d": "every day", "2d": "every 2 days", "3d": "every 3 days", "5d": "every 5 days", "30d": "every 30 days",
  weekly: "every week", biweekly: "every other week",
};

function planLabel(plan: { every: Interval; weekday?: number; at: string }): string {
  return `${intervalLabel(plan.every, plan.weekday)} ${plan.at}`;
}

function planLabelEn(plan: { every: Interval; at: string }): string {
  return `${EVERY_EN[plan.every]} at ${plan.at}`;
}

export function groupWelcomeText(plan: { every: Interval; weekday?: number; at: string }, awaitingApproval: boolean): string {
  if (awaitingApproval) {
    return "見守りグループ（つながり）に追加していただきありがとうございます。運営者の承認後に確認を始めます。\n" +
      "Thank you for adding us. Check-ins start once the operator approves this group.";
  }
  return `見守りグループ（つながり）に参加しました。${planLabel(plan)} に確認のメッセージを送ります。「OK」を押してください。` +
    "23時間たっても確認できていない方のお名前をこのグループでお知らせしますので、お互いに様子を確かめてください。\n" +
    `Hello! ${planLabelEn(plan)} we will ask everyone here to press OK; after 23 hours we post the names of those who have not, ` +
    "so you can look in on each other.";
}

export function groupApprovedText(plan: { every: Interval; weekday?: number; at: string }): string {
  return `見守りグループ（つながり）の利用が承認されました。${planLabel(plan)} に確認のメッセージを送ります。\n` +
    `This group was approved: we will ask everyone to press OK ${planLabelEn(plan)}.`;
}

export function groupPromptText(): string {
  return "みなさん、見守りの確認です。お元気でしたら「OK」を押してください。\n" +
    "Check-in: please press OK if you are fine.";
}

/**
 * Who has not confirmed: the people seen in the group, minus those confirmed, in
 * the order they were first seen.
 */
export function unconfirmedOf(participants: Person[], confirmedUserIds: Iterable<string>): Person[] {
  const confirmed = new Set(confirmedUserIds);
  return participants.filter((p) => !confirmed.has(p.userId));
}

/** The list posted 23 h after the prompt. Every name up to LINE's text limit, then a count. */
export function groupListText(unconfirmed: Person[], confirmedCount: number): string {
  if (unconfirmed.length === 0) {
    return confirmedCount > 0
      ? "【見守り】全員の確認ができました。ありがとうございます。\n[Mimamori] Everyone has confirmed. Thank you."
      : "【見守り】今回はどなたからも「OK」がありませんでした。お互いに様子を確かめてください。\n[Mimamori] Nobody pressed OK this time. Please check on each other.";
  }
  let names = "";
  let shown = 0;
  for (const p of unconfirmed) {
    const next = `${shown ? "、" : ""}${p.name}さん`;
    if (names.length + next.length > LIST_TEXT_BUDGET) break;
    names += next;
    shown++;
  }
  const rest = unconfirmed.length - shown;
  return `【見守り】まだ確認ができていない方（${unconfirmed.length}名）：\n${names}${rest ? ` ほか${rest}名` : ""}\n` +
    "様子が確認できたら、下のボタンか「確認 お名前」で知らせてください。\n" +
    `[Mimamori] Not yet confirmed: ${unconfirmed.length}. When you have checked on someone, tap their name or send "確認 <name>".`;
}

function normalise(name: string): string {
  return name.normalize("NFKC").replace(/\s+/g, "").replace(/(さん|様|さま)$/, "").toLowerCase();
}

/** "確認 山田" / "確認：山田さん" → "山田"; anything else ("確認しました") → null. */
export function parseCheckCommand(text: string): string | null {
  const m = /^確認[\s:：、]+(.+)$/u.exec(text.normalize("NFKC").trim());
  if (!m) return null;
  const name = m[1].trim();
  return name && normalise(name) ? name : null;
}

/** The people a typed name means: an exact match (ignoring さん and spaces), else the unique partial match. */
export function matchPeople(typed: string, people: Person[]): Person[] {
  const wanted = normalise(typed);
  if (!wanted) return [];
  const exact = people.filter((p) => normalise(p.name) === wanted);
  if (exact.length) return exact;
  return people.filter((p) => normalise(p.name).includes(wanted));
}
