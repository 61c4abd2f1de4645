/**
 * Phone numbers: what a voice or SMS address is, and how people see one.
 *
 * Numbers are stored and handed to Twilio in E.164 (`+819012345678`). People
 * type them as they know them — `090-1234-5678`, `03-1234-5678`, `0312345678`,
 * or with a Japanese keyboard `＋８１９０…` — so input is read with Google's
 * libphonenumber rules (the `libphonenumber-js` port, full metadata: a number
 * must match its country's real numbering plan, not only its length), with
 * Japan as the region of numbers written without a country code. Texts read by
 * people show the national form (`090-1234-5678`), the way it is dialled here.
 * An SMS address must also be a number that can receive a text (a mobile):
 * {@link parseSmsPhone}.
 */
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/max";

/** Where a number written without `+` and country code belongs. */
export const DEFAULT_PHONE_REGION: CountryCode = "JP";

/** The forms we accept, for error messages (people correct a number by example). */
export const PHONE_EXPECTED = "must be a phone number such as 090-1234-5678, 03-1234-5678 or +819012345678";

export type PhoneParse = { ok: true; e164: string } | { ok: false; message: string };

/**
 * Reads a typed phone number into E.164.
 *
 * Accepts full-width digits, `＋` and the hyphens, dashes, spaces and brackets
 * people put between groups (NFKC folds full-width forms; libphonenumber drops
 * the punctuation). A number without `+` is read as dialled in `region`.
 * Refuses, with {@link PHONE_EXPECTED}, anything that is not a valid number of
 * its country (wrong length, unassigned prefix, letters, an extension).
 */
export function parsePhone(input: string, region: CountryCode = DEFAULT_PHONE_REGION): PhoneParse {
  // The long-vowel mark "ー" is the hyphen a Japanese IME often gives; NFKC keeps it.
  const folded = input.normalize("NFKC").replace(/[ー‐‑‒–—―−]/g, "-").trim();
  // Only digits, one leading plus and separators: libphonenumber would otherwise
  // read "tel:" prefixes, letters (vanity numbers) and extensions.
  if (!/^\+?[0-9\-\s().]+$/.test(folded)) return { ok: false, message: PHONE_EXPECTED };
  const phone = parsePhoneNumberFromString(folded, region);
  if (!phone?.isValid() || phone.ext) return { ok: false, message: PHONE_EXPECTED };
  return { ok: true, e164: phone.number };
}

/**
 * The number as people of its country write it: `+819012345678` → `090-1234-5678`,
 * a foreign number in international form (`+1 202 555 0123`). Something that is
 * not a number (an old row) is shown as stored.
 */
export function formatPhone(e164: string, region: CountryCode = DEFAULT_PHONE_REGION): string {
  const phone = parsePhoneNumberFromString(e164, region);
  if (!phone) return e164;
  return phone.country === region ? phone.formatNational() : phone.formatInternational();
}

/** Why an SMS address was refused: people correct it by example, and learn why a landline will not do. */
export const SMS_EXPECTED = "an SMS goes to a mobile number (070, 080 or 090…, e.g. 090-1234-5678): a fixed line (03-…, 06-…), 050, 0120 or 0570 number cannot receive one";

/**
 * Whether a text sent to this E.164 number can arrive: its numbering plan says
 * mobile, or fixed-line-or-mobile (the US and Canada do not tell them apart).
 * Fixed lines, toll-free, premium-rate, shared-cost and VoIP (050) numbers
 * cannot; Twilio would accept the message and the carrier drop it, so nobody
 * would be told. A valid number whose type the metadata does not know (some
 * foreign plans) is given the benefit of the doubt.
 */
export function receivesSms(e164: string): boolean {
  const type = parsePhoneNumberFromString(e164)?.getType();
  return type === undefined || type === "MOBILE" || type === "FIXED_LINE_OR_MOBILE";
}

/**
 * {@link parsePhone} for an address that gets SMS: the same reading, then a
 * number that cannot receive a text ({@link receivesSms}) is refused with
 * {@link SMS_EXPECTED} — at input, where a person can give their mobile instead.
 */
export function parseSmsPhone(input: string, region: CountryCode = DEFAULT_PHONE_REGION): PhoneParse {
  const phone = parsePhone(input, region);
  if (phone.ok && !receivesSms(phone.e164)) return { ok: false, message: SMS_EXPECTED };
  return phone;
}
