/**
 * Provenance (issue 14): each service records when someone last confirmed it is
 * right (HSDS `assured_date`); services not verified for a while are listed so a
 * coordinator calls the provider. Pure: `today` is a parameter (YYYY-MM-DD in the
 * organisation's zone).
 */
import { DateTime } from "luxon";

/**
 * After how many months an entry counts as not verified (issue 14: "a list of
 * services not verified for 6 months"). The one place this is set: the engine's
 * list and the console's filter read it.
 */
export const NOT_VERIFIED_AFTER_MONTHS = 6;

/**
 * The latest verification date that is already stale on `today`: `today` minus
 * `months` calendar months (2027-08-31 − 6 → 2027-02-28). YYYY-MM-DD in, out.
 */
export function staleOnOrBefore(today: string, months: number = NOT_VERIFIED_AFTER_MONTHS): string {
  return DateTime.fromISO(today, { zone: "UTC" }).minus({ months }).toISODate()!;
}

/**
 * Whether an entry verified on `assuredDate` (null: never) is due on `today`:
 * never verified, or `months` full months have passed (verified 2026-06-01 is due
 * from 2026-12-01).
 */
export function verificationDue(assuredDate: string | null, today: string, months: number = NOT_VERIFIED_AFTER_MONTHS): boolean {
  return assuredDate === null || assuredDate <= staleOnOrBefore(today, months);
}
