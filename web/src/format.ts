/**
 * Times as people read them, always in the organisation's time zone (never the
 * browser's): Japanese `2027年1月4日(月) 09:00`, English `Mon 4 Jan 2027, 09:00`.
 * Pure functions over Intl, shared by the screens and unit-tested in Node.
 */
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
