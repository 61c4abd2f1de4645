/**
 * Times as people read them, always in the organisation's time zone (never the
 * browser's): Japanese `2027年1月4日(月) 09:00`, English `Mon 4 Jan 2027, 09:00`.
 * Pure functions over Intl, shared by the screens and unit-tested in Node.
 */
import { parsePhoneNumberFromString } from "libphonenumber-js/min";

export type Lang = "ja" | "en";

function parts(instant: Date, timeZone: string, locale: string): Record<string, string> {
  const format = new Intl.DateTimeFormat(locale, {
    timeZone, year: "numeric", month: "numeric", day: "numeric", weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  return Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
}

const EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** A date and time: `2027年1月4日(月) 09:00` / `Mon 4 Jan 2027, 09:00`. */
export function formatDateTime(iso: string | Date, timeZone: string, lang: Lang): string {
  const instant = typeof iso === "string" ? new Date(iso) : iso;
  if (lang === "ja") {
    const p = parts(instant, timeZone, "ja-JP");
    return `${p.year}年${p.month}月${p.day}日(${p.weekday}) ${p.hour}:${p.minute}`;
  }
  const p = parts(instant, timeZone, "en-GB");
  return `${p.weekday} ${Number(p.day)} ${EN_MONTHS[Number(p.month) - 1]} ${p.year}, ${p.hour}:${p.minute}`;
}

/** A date alone: `2027年1月4日(月)` / `Mon 4 Jan 2027`. */
export function formatDate(iso: string | Date, timeZone: string, lang: Lang): string {
  return formatDateTime(iso, timeZone, lang).replace(/,? \d\d:\d\d$/, "");
}

/** A local calendar date (YYYY-MM-DD, already in the organisation's zone) as a date. */
export function formatLocalDate(date: string, lang: Lang): string {
  // Noon UTC of that date is the same calendar date in UTC, which is the zone used to print it.
  return formatDate(new Date(`${date}T12:00:00Z`), "UTC", lang);
}

/** The calendar date (YYYY-MM-DD) an instant falls on in the zone. */
export function localDateIn(iso: string | Date, timeZone: string): string {
  return new Intl.DateTimeFormat("sv-SE", { timeZone }).format(typeof iso === "string" ? new Date(iso) : iso);
}

/** Today's calendar date (YYYY-MM-DD) in the zone — the default of a date field. */
export function todayIn(timeZone: string): string {
  return localDateIn(new Date(), timeZone);
}

/**
 * The instant a local date (YYYY-MM-DD) starts in the zone, as ISO with the zone's
 * offset (`2027-01-04T00:00:00+09:00`). The one rule for a console date-only field
 * that the API takes as an instant (a consent's date, the terms agreement's date,
 * an audit range): the date counts from its local midnight, never from a UTC time
 * that may still lie in the future.
 */
export function startOfLocalDay(date: string, timeZone: string): string {
  const wallAt = (instant: Date) => new Intl.DateTimeFormat("sv-SE", {
    timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  }).format(instant).replace(" ", "T");
  const utc = new Date(`${date}T00:00:00Z`);
  const instant = new Date(utc.getTime() - (new Date(`${wallAt(utc)}Z`).getTime() - utc.getTime()));
  // The offset at that instant (the same as at UTC midnight but across a DST change on that night).
  const wall = wallAt(instant);
  const offsetMinutes = Math.round((new Date(`${wall}Z`).getTime() - instant.getTime()) / 60_000);
  const sign = offsetMinutes < 0 ? "-" : "+";
  const abs = Math.abs(offsetMinutes);
  return `${wall}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/** The time of day alone, `09:00`, or the full form when not on `today` (YYYY-MM-DD in the zone). */
export function formatTimeOrDate(iso: string, timeZone: string, lang: Lang, today: string): string {
  const p = parts(new Date(iso), timeZone, "en-GB");
  const date = `${p.year}-${p.month.padStart(2, "0")}-${p.day.padStart(2, "0")}`;
  return date === today ? `${p.hour}:${p.minute}` : formatDateTime(iso, timeZone, lang);
}

/** The time of day alone, `09:00`, in the zone. */
export function formatTime(iso: string | Date, timeZone: string): string {
  const p = parts(typeof iso === "string" ? new Date(iso) : iso, timeZone, "en-GB");
  return `${p.hour}:${p.minute}`;
}

const EN_MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** A calendar month (YYYY-MM): `2027年1月` / `January 2027`. */
export function formatMonth(month: string, lang: Lang): string {
  const [year, m] = month.split("-").map(Number);
  return lang === "ja" ? `${year}年${m}月` : `${EN_MONTH_NAMES[m - 1]} ${year}`;
}

/** A share 0…1 as a percentage with one decimal at most: `97.5%`. */
export function formatPercent(share: number, lang: Lang): string {
  return new Intl.NumberFormat(lang === "ja" ? "ja-JP" : "en-GB", { style: "percent", maximumFractionDigits: 1 }).format(share);
}

/**
 * A duration in milliseconds, rounded to the minute, in its two largest units:
 * `1日3時間`, `2時間30分`, `45分` / `1 d 3 h`, `2 h 30 min`, `45 min`.
 */
export function formatDuration(ms: number, lang: Lang): string {
  const minutes = Math.round(ms / 60_000);
  const units: [number, string, string][] = [[Math.floor(minutes / 1440), "日", " d"], [Math.floor(minutes / 60) % 24, "時間", " h"], [minutes % 60, "分", " min"]];
  const first = units.findIndex(([n]) => n > 0);
  if (first === -1) return lang === "ja" ? "0分" : "0 min";
  return units.slice(first, first + 2).filter(([n]) => n > 0).map(([n, ja, en]) => (lang === "ja" ? `${n}${ja}` : `${n}${en}`)).join(lang === "ja" ? "" : " ");
}

/**
 * A phone number as people in Japan write it: `03-1234-5678`, `090-1234-5678`
 * (libphonenumber-js); a foreign number in its international form; what was
 * typed when it cannot be read as a number.
 */
export function formatPhone(phone: string): string {
  const parsed = parsePhoneNumberFromString(phone, "JP");
  if (!parsed?.isValid()) return phone;
  return parsed.country === "JP" ? parsed.formatNational() : parsed.formatInternational();
}
