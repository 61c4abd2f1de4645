/**
 * Small time helpers shared by the domain tests. They use only the platform's
 * Date and Intl, never luxon, so expectations are computed independently of the
 * code under test.
 */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An instant from an ISO string with an explicit offset ("2027-06-10T00:00Z"). */
export function at(iso: string): Date {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`bad instant in test: ${iso}`);
  return date;
}

/** `base` plus a number of hours (fractions allowed). */
export function plusHours(base: Date, h: number): Date {
  return new Date(base.getTime() + h * HOUR);
}

/** The wall-clock reading "YYYY-MM-DD HH:mm" of an instant in a zone, via Intl. */
export function wallClock(instant: Date, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

/** Calendar days between two YYYY-MM-DD dates, by plain UTC arithmetic. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00Z`) - Date.parse(`${from}T00:00Z`)) / DAY);
}

/** A YYYY-MM-DD date plus a number of calendar days, by plain UTC arithmetic. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00Z`) + days * DAY).toISOString().slice(0, 10);
}
