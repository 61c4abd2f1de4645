/**
 * Member fields the way Japanese lists need them, pure: furigana, the
 * municipality's own number, birth dates as offices write them (西暦 and 和暦),
 * and what makes two registrations likely the same person.
 */
import { parsePhone } from "./phone.ts";

/**
 * Furigana as stored: NFKC (half-width ｶﾅ → full-width), katakana folded to
 * hiragana (lists sort the same whichever a clerk typed), spaces collapsed.
 * Undefined when what remains is not kana (hiragana, katakana, ー, ・, spaces).
 */
export function normalizeKana(input: string): string | undefined {
  const folded = input.normalize("NFKC").replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60))
    .replace(/\s+/g, " ").trim();
  if (folded === "") return "";
  return /^[\u3041-\u3096\u309d\u309e\u30fc\u30fb ]+$/.test(folded) ? folded : undefined;
}

/**
 * The municipality's number as stored: NFKC (full-width digits from a
 * spreadsheet become ASCII) and trimmed; at most 50 characters, no control
 * characters. Undefined when it is not acceptable.
 */
export function normalizeExternalId(input: string): string | undefined {
  const folded = input.normalize("NFKC").trim();
  if (folded.length > 50 || /[\p{Cc}\p{Cf}]/u.test(folded)) return undefined;
  return folded;
}

/** A name reduced to what two spellings of it share: NFKC, no spaces at all (山田 花子 = 山田花子 = 山田　花子). */
export function nameKey(name: string): string {
  return name.normalize("NFKC").replace(/\s+/g, "");
}

const ERAS: Record<string, number> = {
  明治: 1867, 大正: 1911, 昭和: 1925, 平成: 1988, 令和: 2018, M: 1867, T: 1911, S: 1925, H: 1988, R: 2018,
};

function isoDate(year: number, month: number, day: number): string | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined;
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/**
 * A birth date as it appears in municipal lists → YYYY-MM-DD; undefined when
 * it is not a real date. Reads 1940-01-02, 1940/1/2, 1940.1.2, 1940年1月2日,
 * 19400102, and the Japanese eras: 昭和15年1月2日, 昭和元年…, S15.1.2, S15/1/2
 * (明治 M, 大正 T, 昭和 S, 平成 H, 令和 R), full-width digits included.
 */
export function parseBirthDate(input: string): string | undefined {
  const s = input.normalize("NFKC").replace(/\s+/g, "").replace(/元年/, "1年");
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
  if (m) return isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) return isoDate(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(明治|大正|昭和|平成|令和|[MTSHRmtshr])(\d{1,2})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s);
  if (m) {
    const base = ERAS[m[1].toUpperCase()] ?? ERAS[m[1]];
    return isoDate(base + Number(m[2]), Number(m[3]), Number(m[4]));
  }
  return undefined;
}

/** What duplicate detection knows of a member (registered, or a row about to be). */
export interface DuplicateProbe {
  displayName: string;
  fullName?: string | undefined;
  birthDate?: string | undefined;
  /** Phone numbers in E.164: the personal phone and every voice or SMS channel. */
  phones: string[];
}

export type DuplicateReason = "name_and_birth_date" | "phone";

/**
 * Why `a` and `b` are likely the same person, or undefined: the same name
 * (display or full, spaces ignored) and the same birth date; or a phone number
 * in common. A shared landline of a couple is reported too: it is a warning,
 * never a refusal.
 */
export function duplicateReason(a: DuplicateProbe, b: DuplicateProbe): DuplicateReason | undefined {
  if (a.birthDate && a.birthDate === b.birthDate) {
    const names = new Set([a.displayName, a.fullName].filter((n): n is string => !!n).map(nameKey));
    if ([b.displayName, b.fullName].some((n) => n && names.has(nameKey(n)))) return "name_and_birth_date";
  }
  if (a.phones.some((p) => b.phones.includes(p))) return "phone";
  return undefined;
}

/** The E.164 numbers of a member: the personal phone and the voice and SMS channels' addresses. */
export function phonesOf(personalPhone: string | undefined, channels: { kind: string; address: string }[]): string[] {
  const phones = new Set<string>();
  if (personalPhone) {
    const p = parsePhone(personalPhone);
    phones.add(p.ok ? p.e164 : personalPhone);
  }
  for (const c of channels) if (c.kind === "voice" || c.kind === "sms") phones.add(c.address);
  return [...phones];
}
