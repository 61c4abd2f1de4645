/**
 * The anchor's triage of partner reports (seed 001, Kobe: 通報はしたが対応が不要だった
 * / 緊急対応になった): staff close an open report with an outcome and notes, and
 * may open it again. Pure rules: which transitions are allowed, the order of the
 * queue, and what the reporter is told (Open311 `status_notes`, public: never a
 * personal detail).
 */

import { ATTRIBUTE_REGISTRATION_NUMBER, REPORT_ATTRIBUTES } from "./reports.ts";

/** How urgent the reporter judged it (見守り keep watching / 相談 please consult / 通報 emergency). */
export const REPORT_URGENCIES = ["watch", "consult", "emergency"] as const;
export type ReportUrgency = (typeof REPORT_URGENCIES)[number];

/** Open311's status: open until the anchor decided, then closed. */
export const REPORT_STATUSES = ["open", "closed"] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/**
 * What the anchor decided (Kobe's categories, with 相談 between them):
 * `no_action` 対応不要 (nothing needed doing), `consulted` 相談対応 (followed up: a call,
 * a visit, a referral), `emergency_response` 緊急対応 (police, fire service, ambulance;
 * with a member, it joins the member's incident).
 */
export const TRIAGE_OUTCOMES = ["no_action", "consulted", "emergency_response"] as const;
export type TriageOutcome = (typeof TRIAGE_OUTCOMES)[number];

/** The queue's order: 通報 first, then 相談, then 見守り (newest first within each). */
export const URGENCY_RANK: Readonly<Record<ReportUrgency, number>> = { emergency: 0, consult: 1, watch: 2 };

/** What the reporter reads once the report is closed with each outcome, unless staff wrote their own. */
export const CLOSED_STATUS_NOTES: Readonly<Record<TriageOutcome, string>> = {
  no_action: "確認しました。ご連絡ありがとうございました。",
  consulted: "担当者が確認し、対応しました。ご連絡ありがとうございました。",
  emergency_response: "関係機関と連携して対応しました。ご連絡ありがとうございました。",
};
/** What a closed report without a stored note reads (the outcome unknown): true of every outcome. */
export const DEFAULT_CLOSED_STATUS_NOTES = "確認しました。ご連絡ありがとうございました。";
/** What the reporter reads once a closed report is opened again. */
export const REOPENED_STATUS_NOTES = "引き続き確認しています。";
/** The longest status note (it is shown on a phone). */
export const MAX_STATUS_NOTES = 500;

export type TriageError =
  | { code: "report_closed"; message: string }
  | { code: "report_open"; message: string };

/** Closing with an outcome is for an open report; a closed one is reopened first (its outcome is then replaced). */
export function checkTriage(status: ReportStatus): TriageError | undefined {
  return status === "closed" ? { code: "report_closed", message: "the report is closed already: reopen it to change its outcome" } : undefined;
}

/** Reopening is for a closed report. */
export function checkReopen(status: ReportStatus): TriageError | undefined {
  return status === "open" ? { code: "report_open", message: "the report is open" } : undefined;
}

/**
 * Whether a report raises a concern on its member when it arrives (seed 001: the
 * anchor acts on 相談 and 通報 at once; one incident per person): a 相談 (consult)
 * or 通報 (emergency) about a matched member does, in the same transaction; a
 * 見守り (keep watching) does not — it waits in the triage queue, the team's to
 * weigh (watching is not surveillance).
 */
export function raisesConcernOnArrival(urgency: ReportUrgency, memberId: string | null): urgency is "consult" | "emergency" {
  return urgency !== "watch" && memberId !== null;
}

/**
 * The key a report's concern is raised with (engine/concerns.ts `raiseConcern`
 * joins a key once per member): one per urgency, so a 通報 raised on arrival and
 * staff's emergency response are the same concern, while a 相談 raised on arrival
 * and staff's later emergency response are two (the second raises the incident's
 * urgency and alerts every contact).
 */
export function reportConcernKey(reportId: string, urgency: "consult" | "emergency"): string {
  return `network_report:${reportId}:${urgency}`;
}

/**
 * Whether closing with `outcome` raises the member's incident: an emergency,
 * about a known member, not yet raised as an emergency for that member (on
 * arrival as a 通報, or by an earlier decision before a reopen).
 */
export function raisesConcern(outcome: TriageOutcome, memberId: string | null, raisedAsEmergency: boolean): boolean {
  return outcome === "emergency_response" && memberId !== null && !raisedAsEmergency;
}

/** The status note the reporter reads after closing: staff's words (trimmed), or the outcome's default (CLOSED_STATUS_NOTES). */
export function closedStatusNotes(given: string | undefined, outcome: TriageOutcome): string {
  const text = given?.trim() ?? "";
  return text === "" ? CLOSED_STATUS_NOTES[outcome] : text;
}

/** A run written as a phone number is (0X-XXXX-XXXX, 090 1111 2222, +81…, full-width folded first): starts with 0 or +. */
const PHONE_RUN = /(?<!\d)[+0][\d\s\-()‐－ー]*\d/g;

/** Whether `text` holds a phone number: a run starting with 0 or + with 10 or more digits (a date such as 2027-01-04 has 8). */
function hasPhoneNumber(text: string): boolean {
  return [...text.normalize("NFKC").matchAll(PHONE_RUN)].some((m) => m[0].replace(/\D/g, "").length >= 10);
}

/** Width, spaces and case folded away, katakana as hiragana (a reading may be written either way). */
function foldForCompare(value: string): string {
  return value.normalize("NFKC").replace(/\s+/g, "").toLowerCase().replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

/** What follows a name used as a name: さん, 様, 氏… (folded, so サン is さん). */
const HONORIFIC = /^(さん|さま|様|氏|くん|君|ちゃん|殿|宅|家)/;

/**
 * Why a status note would tell the reporter something personal, or undefined.
 * `personal` lists values refused whole (addresses, phones, a registration
 * number); `names` lists people's names (the member's display and legal name
 * and reading, the reporter's name), refused whole or by any part of 2+
 * characters: a part is a word of a name written with a space (山田 花子 → 山田,
 * 花子), and of a name written without one (山田花子) a leading or trailing run
 * of 2+ characters used as a name (followed by さん, 様, 氏…), so 「山田さん」
 * is refused but an ordinary word sharing two characters is not. Spaces, width
 * and katakana/hiragana are ignored; one character (an initial) is no name. A
 * phone number is refused too — status notes are public (Open311 GET, the report
 * form's status page).
 */
export function personalInStatusNotes(
  text: string, personal: readonly (string | null | undefined)[], names: readonly (string | null | undefined)[] = [],
): "personal_value" | "phone_number" | undefined {
  const folded = foldForCompare(text);
  const contains = (v: string) => v.length >= 2 && folded.includes(v);
  for (const value of personal) if (value && contains(foldForCompare(value))) return "personal_value";
  for (const name of names) {
    if (!name) continue;
    const parts = name.normalize("NFKC").split(/[\s・]+/).map(foldForCompare).filter((p) => p !== "");
    if (contains(parts.join("")) || parts.some(contains)) return "personal_value";
    if (parts.length === 1 && usedAsName(folded, parts[0]!)) return "personal_value";
  }
  return hasPhoneNumber(text) ? "phone_number" : undefined;
}

/** Whether a leading or trailing run (2+ characters) of an unspaced name stands in `folded` followed by an honorific. */
function usedAsName(folded: string, name: string): boolean {
  for (let n = 2; n < name.length; n++) {
    for (const run of [name.slice(0, n), name.slice(name.length - n)]) {
      for (let at = folded.indexOf(run); at >= 0; at = folded.indexOf(run, at + 1)) {
        if (HONORIFIC.test(folded.slice(at + run.length))) return true;
      }
    }
  }
  return false;
}

/** One answered question of the checklist, as the service definition words it (Japanese `name`, English `en` for the console). */
export interface ChecklistAnswer {
  code: string;
  question: string;
  questionEn: string;
  answers: { key: string; name: string; en: string }[];
}

/**
 * A report's checklist answers (Open311 attributes: code → value key or keys) in
 * the service definition's order and words; a free-text attribute's value is its
 * own answer, an unknown key is shown as sent. The registration number is left
 * out: it is shown (and redacted) on its own.
 */
export function checklistOf(attributes: Readonly<Record<string, string | string[]>>): ChecklistAnswer[] {
  const out: ChecklistAnswer[] = [];
  for (const attribute of [...REPORT_ATTRIBUTES].sort((a, b) => a.order - b.order)) {
    if (attribute.code === ATTRIBUTE_REGISTRATION_NUMBER) continue;
    const given = attributes[attribute.code];
    const keys = given === undefined ? [] : Array.isArray(given) ? given : [given];
    if (keys.length === 0) continue;
    out.push({
      code: attribute.code,
      question: attribute.description,
      questionEn: attribute.en,
      answers: keys.map((key) => {
        const value = attribute.values?.find((v) => v.key === key);
        return value ? { key, name: value.name, en: value.en } : { key, name: key, en: key };
      }),
    });
  }
  return out;
}
