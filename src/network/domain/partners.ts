/**
 * Partners under a watching agreement (見守り協定; seed 001, Kobe's partner
 * programme): businesses that notice something on their rounds and report it to the
 * anchor. Pure rules: kinds, the contact people's shape, review dates and the
 * partner's report-form short code.
 */

/**
 * What the partner is: `shop` (a shop people visit), `home_visit` (rounds to the
 * door: newspapers, delivery, meals, utilities), `finance` (bank, post office),
 * `ict` (a watching device or service), `other`.
 */
export const PARTNER_KINDS = ["shop", "home_visit", "finance", "ict", "other"] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** A contact person at the partner (personal: name, phone and e-mail are shown only to roles that need them). */
export interface PartnerContact {
  name: string;
  role?: string;
  phone?: string;
  email?: string;
}

/** Letters of a short code: no 0/O, 1/I/L, so it can be read out and typed from paper. */
export const SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/** Length of a short code (31^8 ≈ 8.5·10^11 codes: not guessable by walking). */
export const SHORT_CODE_LENGTH = 8;

/** A short code from `random` bytes (one byte per letter; bytes ≥ 248 are rejected by the caller's loop only for bias, tolerated here: 248/256 vs 31 letters is < 3%). */
export function shortCodeFrom(random: Uint8Array): string {
  let code = "";
  for (let i = 0; i < SHORT_CODE_LENGTH; i++) code += SHORT_CODE_ALPHABET[random[i]! % SHORT_CODE_ALPHABET.length];
  return code;
}

/** A short code as people type it: upper case, spaces and hyphens dropped, full width folded. */
export function normaliseShortCode(text: string): string {
  return text.normalize("NFKC").replace(/[\s\-‐－ー]/g, "").toUpperCase();
}

/** Whether the relationship's review is overdue on `today` (YYYY-MM-DD, the organisation's day): a review date before today. */
export function reviewOverdue(nextReviewOn: string | null, today: string): boolean {
  return nextReviewOn !== null && nextReviewOn < today;
}
