/**
 * Registration numbers as people read them out and key them in: full-width digits
 * (０１２３) and hyphens or spaces are folded, so "０１２-３４５" and "012345" are one
 * number. Pure.
 */

/** The number as stored and compared: ASCII letters and digits, upper case, no separators. */
export function normaliseRegistrationNumber(text: string): string {
  return text.normalize("NFKC").replace(/[\s\-‐‑‒–—―ー－]/g, "").toUpperCase();
}

/** 4–16 letters or digits once normalised (a keyholder's or a sticker's number). */
export function isRegistrationNumber(text: string): boolean {
  return /^[0-9A-Z]{4,16}$/.test(normaliseRegistrationNumber(text));
}
