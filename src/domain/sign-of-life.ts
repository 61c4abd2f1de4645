/**
 * A sign of life that is not an answer (a device event a member chose to count,
 * seed 001: "a sensor event satisfies the day's check-in"). When a check-in falls
 * due, a sign of life within the day before its due time (and not after now)
 * satisfies it: the member is not asked that day. The window is a day, not the
 * plan's interval: for a member asked every 3 days, activity 2 days ago does not
 * replace the question (the safer reading of "the day's sign of life").
 */

/** How long before a check-in's due time a sign of life still counts for it, in ms. */
export const SIGN_OF_LIFE_WINDOW_MS = 24 * 3_600_000;

/** Whether the sign of life at `last` satisfies the check-in due at `dueAt`, decided at `now`. */
export function satisfiedBySignOfLife(last: Date | null, dueAt: Date, now: Date): boolean {
  if (!last) return false;
  const t = last.getTime();
  return t > dueAt.getTime() - SIGN_OF_LIFE_WINDOW_MS && t <= now.getTime();
}
