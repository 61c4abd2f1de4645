/**
 * The calendar of activities (salons, 通いの場) and what attending one means
 * (issue 14; seed 004). Pure: instants are parameters.
 *
 * - An activity is a schedule row that is an event (any service or location), or
 *   any schedule row of a service whose taxonomy is a 通いの場 kind (`kayoi` or
 *   a code under it, domain/taxonomy-ja.ts).
 * - Attendance is recorded for one occurrence that takes place (holidays,
 *   年末年始 and closures removed by domain/schedule.ts) and has begun on its
 *   Tokyo date or earlier: a member is not ticked for a day still to come.
 * - A member who agreed (their setting, off by default) has attending count as a
 *   sign of life (src/engine/sign-of-life.ts). Its instant is when they were
 *   surely there: the time of recording while the occurrence runs (or before it,
 *   on its day: they came early), its start when ticked afterwards (a list
 *   written up later). The core's rule then decides which check-in it satisfies
 *   (the one falling due within a day after it, domain/sign-of-life.ts).
 */
import type { ScheduleOccurrence } from "./schedule.ts";
import { tokyoDate } from "./schedule.ts";

/** The taxonomy code of 通いの場; it and the codes under it make a service's schedules activities. */
export const ACTIVITY_TAXONOMY_ROOT = "kayoi";

/** The source code the core's sign of life records for attendance. */
export const ATTENDANCE_SIGN_OF_LIFE_SOURCE = "attendance";

/** Longest calendar asked for at once, in days (a quarter). */
export const MAX_CALENDAR_DAYS = 92;

/**
 * An activity's name as people read it (the door page and poster; the console's
 * calendar words it the same way, web/src/screens/directory/Activities.tsx): the
 * schedule row's own name (its description, e.g. 健康講座) with its service
 * beside it — 「健康講座（いきいきサロン）」 — else the service's, the place's, or
 * `fallback`.
 */
export function activityTitle(a: { serviceName: string | null; description: string | null; locationName: string | null }, fallback: string): string {
  const event = a.description?.trim();
  if (event && a.serviceName && event !== a.serviceName) return `${event}（${a.serviceName}）`;
  return event || (a.serviceName ?? a.locationName ?? fallback);
}

/** Whether a taxonomy code is 通いの場 or a kind of it. */
export function isActivityCode(code: string): boolean {
  return code === ACTIVITY_TAXONOMY_ROOT || code.startsWith(`${ACTIVITY_TAXONOMY_ROOT}.`);
}

/** Why attendance cannot be recorded for a date: no occurrence takes place then, or it is still to come. */
export type AttendanceProblem = "no_occurrence" | "occurrence_not_yet";

/**
 * Whether attendance may be recorded for `occurrence` (the one of its schedule on
 * the date asked, or undefined) at `now`: null when it may, else the problem.
 */
export function attendanceProblem(occurrence: ScheduleOccurrence | undefined, now: Date): AttendanceProblem | null {
  if (!occurrence || occurrence.closed !== null) return "no_occurrence";
  if (occurrence.date > tokyoDate(now)) return "occurrence_not_yet";
  return null;
}

/** The instant attendance counts as a sign of life: now while the occurrence has not ended, else its start (see the module's rules). */
export function signOfLifeAt(occurrence: ScheduleOccurrence, now: Date): Date {
  return now < occurrence.end ? now : occurrence.start;
}

/**
 * The door (a poster's QR code): a link for one occurrence works on that
 * occurrence's Tokyo date only — not before (a poster put up early), not after
 * (an old poster left on the wall).
 */
export type DoorLinkProblem = "not_yet" | "expired";

/** Whether a door link for Tokyo date `occursOn` works at `now`: null when it does, else why not. */
export function doorLinkProblem(occursOn: string, now: Date): DoorLinkProblem | null {
  const today = tokyoDate(now);
  if (occursOn > today) return "not_yet";
  if (occursOn < today) return "expired";
  return null;
}

/** Length of the door page's rate-limit window, in ms. */
export const DOOR_WINDOW_MS = 10 * 60_000;

/**
 * Numbers keyed in through one door link per window, matched or not: enough for
 * a salon's arrivals at the door, few enough that nobody walks the numbers to
 * mark others as seen (a false sign of life would spare them a check-in).
 */
export const DOOR_ATTEMPTS_PER_WINDOW = 30;

/**
 * One more number keyed in through a door link, given its window (start, count)
 * at `now`: whether it may be tried, and the window to store. A window older
 * than DOOR_WINDOW_MS starts afresh; a refused attempt leaves the window as it was.
 */
export function doorAttempt(windowStartedAt: Date | null, attempts: number, now: Date): { allowed: boolean; windowStartedAt: Date; attempts: number } {
  if (!windowStartedAt || now.getTime() - windowStartedAt.getTime() >= DOOR_WINDOW_MS) return { allowed: true, windowStartedAt: now, attempts: 1 };
  if (attempts >= DOOR_ATTEMPTS_PER_WINDOW) return { allowed: false, windowStartedAt, attempts };
  return { allowed: true, windowStartedAt, attempts: attempts + 1 };
}
