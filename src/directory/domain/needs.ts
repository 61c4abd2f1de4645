/**
 * Needs (困りごと), volunteers' requests and their contacts (issue 14): the kinds
 * and states as unions, and the pure rules of an offer's life. The engine
 * (engine/needs.ts, engine/volunteers.ts) writes them; matching.ts chooses whom to ask.
 */

/** Where a need was found: typed in the console, an incident's outcome, a visit's outcome, a partner's report. */
export const NEED_SOURCES = ["console", "incident", "visit", "partner_report"] as const;
export type NeedSource = (typeof NEED_SOURCES)[number];

/**
 * A need's state: `open` (nobody found yet), `matched` (a volunteer accepted),
 * `referred` (a referral to a service is open), `resolved`, `withdrawn`.
 */
export const NEED_STATUSES = ["open", "matched", "referred", "resolved", "withdrawn"] as const;
export type NeedStatus = (typeof NEED_STATUSES)[number];

/** A need that no longer takes offers or referrals. */
export function needClosed(status: NeedStatus): boolean {
  return status === "resolved" || status === "withdrawn";
}

/**
 * A request to a volunteer: `offered` (waiting for an answer until respond_by),
 * `accepted`, `declined`, `expired` (no answer in time), `withdrawn` (the
 * coordinator took it back, or another volunteer accepted first).
 */
export const VOLUNTEER_REQUEST_STATUSES = ["offered", "accepted", "declined", "expired", "withdrawn"] as const;
export type VolunteerRequestStatus = (typeof VOLUNTEER_REQUEST_STATUSES)[number];

/** Hours a volunteer has to answer an offer unless the coordinator says otherwise (a day: volunteers are not on call). */
export const DEFAULT_RESPOND_HOURS = 24;
/** The longest time to answer that may be given (hours). */
export const MAX_RESPOND_HOURS = 24 * 14;

export type AnswerRefusal = "not_offered" | "expired";

/**
 * Whether a volunteer may answer their request now: only an `offered` one
 * (`not_offered` otherwise), and not after its respond_by (`expired`: the
 * deciding loop may not have reached it yet; the answer would race the next volunteer).
 */
export function checkRequestAnswer(status: VolunteerRequestStatus, respondBy: Date | null, now: Date): AnswerRefusal | undefined {
  if (status !== "offered") return "not_offered";
  if (respondBy !== null && respondBy.getTime() <= now.getTime()) return "expired";
  return undefined;
}

/** The member's postal code written in an address ("〒650-0001 神戸市…", "６５０－０００１"), 7 digits, or null. */
export function postalCodeIn(address: string | null | undefined): string | null {
  if (!address) return null;
  const m = /(?<!\d)(\d{3})[-－‐ー]?(\d{4})(?!\d)/.exec(address.normalize("NFKC"));
  return m ? `${m[1]}${m[2]}` : null;
}

/** Whole years between a birth date (YYYY-MM-DD) and a local date (YYYY-MM-DD); null when the birth date is missing or malformed. */
export function ageOn(birthDate: string | null | undefined, today: string): number | null {
  const b = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate ?? "");
  const t = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  if (!b || !t) return null;
  const years = Number(t[1]) - Number(b[1]) - (`${t[2]}-${t[3]}` < `${b[2]}-${b[3]}` ? 1 : 0);
  return years >= 0 && years <= 150 ? years : null;
}

/** Words for needs' sources and states and requests' states, Japanese first (the console). */
export const NEED_SOURCE_LABELS: Readonly<Record<NeedSource, { ja: string; en: string }>> = {
  console: { ja: "職員が記録", en: "Recorded by staff" },
  incident: { ja: "安否確認の結果", en: "An incident's outcome" },
  visit: { ja: "訪問の結果", en: "A visit's outcome" },
  partner_report: { ja: "協力事業者の通報", en: "A partner's report" },
};
export const NEED_STATUS_LABELS: Readonly<Record<NeedStatus, { ja: string; en: string }>> = {
  open: { ja: "未対応", en: "Open" },
  matched: { ja: "担い手決定", en: "Volunteer found" },
  referred: { ja: "紹介中", en: "Referred" },
  resolved: { ja: "解決", en: "Resolved" },
  withdrawn: { ja: "取下げ", en: "Withdrawn" },
};
export const VOLUNTEER_REQUEST_STATUS_LABELS: Readonly<Record<VolunteerRequestStatus, { ja: string; en: string }>> = {
  offered: { ja: "依頼中", en: "Offered" },
  accepted: { ja: "引受け", en: "Accepted" },
  declined: { ja: "辞退", en: "Declined" },
  expired: { ja: "期限切れ", en: "Expired" },
  withdrawn: { ja: "取消", en: "Withdrawn" },
};
