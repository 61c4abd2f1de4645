/**
 * Attendance at the door (issue 14): staff print a poster for one occurrence of
 * a salon or 通いの場; its QR code opens /attend/{token}, where a member keys in
 * their 見守り番号 (the registration number on their keyholder or card, kept by
 * the regional network: the directory asks through its port, engine/ports.ts).
 *
 * Rules (domain/activities.ts gives the pure ones):
 * - The token is shown once, in the poster; only its SHA-256 hash is stored (as
 *   directory invitations). A link works on its occurrence's Tokyo date only,
 *   and only while that occurrence still takes place (a closure added later
 *   ends it).
 * - Every number keyed in counts towards the link's rate limit, matched or not;
 *   the page answers alike either way, so it tells nobody which numbers exist.
 * - A matched member is recorded with source `door` as staff's ticks are
 *   (engine/attendance.ts `insertAttendance`): a sign of life only for a member
 *   who agreed; staff see the source in the list and may un-tick it.
 */
import { createHash, randomBytes } from "node:crypto";
import { sql } from "kysely";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import { doorAttempt, doorLinkProblem, type DoorLinkProblem } from "../domain/activities.ts";
import { type ScheduleOccurrence, tokyoDate } from "../domain/schedule.ts";
import { type Activity, type Attendance, AttendanceError, loadActivities, insertAttendance, occurrencesOf } from "./attendance.ts";
import type { MemberByRegistrationNumber } from "./ports.ts";
import "../store/attendance-schema.ts";

/** SHA-256 (hex) of a door token: what is stored and looked up. */
export const hashDoorToken = (token: string) => createHash("sha256").update(token).digest("hex");
const TOKEN_SHAPE = /^mda_[A-Za-z0-9_-]{32}$/;

/** A poster's link, without its token. */
export interface DoorLink {
  id: string;
  organisationId: string;
  scheduleId: string;
  occursOn: string;
  createdBy: string;
  createdAt: Date;
}

/** The occurrence a door link is for, as the page shows it. */
export interface DoorOccurrence {
  link: DoorLink;
  activity: Activity;
  occurrence: ScheduleOccurrence;
}

/** Why a door link does not open: not known (or forged), a day still to come or gone, or the occurrence no longer takes place. */
export type DoorProblem = "unknown" | DoorLinkProblem | "cancelled";

/**
 * Creates a poster's link for the occurrence of `scheduleId` on `occursOn`
 * (today or later, and it must take place). Returns it with its token (shown
 * once). Errors (AttendanceError): schedule_not_found (field scheduleId),
 * no_occurrence, occurrence_past (field occursOn).
 */
export async function createDoorLink(
  db: Db, organisationId: string, input: { scheduleId: string; occursOn: string }, actor: string, now: Date,
): Promise<{ link: DoorLink; token: string }> {
  const [activity] = await loadActivities(db, organisationId, input.occursOn, input.scheduleId);
  if (!activity) throw new AttendanceError("schedule_not_found", "no activity (an event, or a 通いの場's schedule) with this id", "scheduleId");
  if (occurrencesOf(activity, input.occursOn, input.occursOn).length === 0) {
    throw new AttendanceError("no_occurrence", "the activity does not take place on this date (no occurrence, a holiday or a closure)", "occursOn");
  }
  if (input.occursOn < tokyoDate(now)) throw new AttendanceError("occurrence_past", "this occurrence is over: a door link works on its day only", "occursOn");
  const token = `mda_${randomBytes(24).toString("base64url")}`;
  const link: DoorLink = { id: newId(), organisationId, scheduleId: activity.scheduleId, occursOn: input.occursOn, createdBy: actor, createdAt: now };
  await db.insertInto("directory_door_links").values({
    id: link.id, organisation_id: organisationId, schedule_id: link.scheduleId, occurs_on: link.occursOn, token_hash: hashDoorToken(token),
    created_by: actor, created_at: now,
  }).execute();
  return { link, token };
}

async function findLink(db: Db, token: string, lock: boolean) {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  let q = db.selectFrom("directory_door_links")
    .select(["id", "organisation_id", "schedule_id", sql<string>`to_char(occurs_on, 'YYYY-MM-DD')`.as("occurs_on"), "created_by", "created_at", "window_started_at", "window_attempts"])
    .where("token_hash", "=", hashDoorToken(token));
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** What a token opens at `now`: the link's occurrence, or the problem. Reads only. */
export async function openDoorLink(db: Db, token: string, now: Date): Promise<DoorOccurrence | { problem: DoorProblem }> {
  return openWith(db, await findLink(db, token, false), now);
}

type LinkRow = NonNullable<Awaited<ReturnType<typeof findLink>>>;

async function openWith(db: Db, row: LinkRow | undefined, now: Date): Promise<DoorOccurrence | { problem: DoorProblem }> {
  if (!row) return { problem: "unknown" };
  const occursOn = row.occurs_on;
  const problem = doorLinkProblem(occursOn, now);
  if (problem) return { problem };
  const [activity] = await loadActivities(db, row.organisation_id, occursOn, row.schedule_id);
  const occurrence = activity ? occurrencesOf(activity, occursOn, occursOn)[0] : undefined;
  if (!activity || !occurrence) return { problem: "cancelled" };
  return {
    link: { id: row.id, organisationId: row.organisation_id, scheduleId: row.schedule_id, occursOn, createdBy: row.created_by, createdAt: row.created_at },
    activity, occurrence,
  };
}

/** What keying a number in did: recorded (a member matched), no_match, or too_many (the link's rate limit; nothing tried). */
export type DoorOutcome = "recorded" | "no_match" | "too_many";

/**
 * A number keyed in at the door through `token` at `now`: counts towards the
 * link's rate limit, looks the member up through the port, and records a
 * matched member's attendance (source `door`). One transaction (the link's row
 * locked, so the count holds under concurrent arrivals).
 */
export async function attendAtDoor(
  db: Db, token: string, number: string, lookup: MemberByRegistrationNumber, now: Date,
): Promise<{ problem: DoorProblem } | { door: DoorOccurrence; outcome: DoorOutcome; attendance?: Attendance }> {
  return inTransaction(db, async (tx) => {
    const row = await findLink(tx, token, true);
    const door = await openWith(tx, row, now);
    if ("problem" in door) return door;
    const attempt = doorAttempt(row!.window_started_at, row!.window_attempts, now);
    if (!attempt.allowed) return { door, outcome: "too_many" as const };
    await tx.updateTable("directory_door_links").set({ window_started_at: attempt.windowStartedAt, window_attempts: attempt.attempts })
      .where("organisation_id", "=", door.link.organisationId).where("id", "=", door.link.id).execute();
    const memberId = await lookup(tx, door.link.organisationId, number);
    if (!memberId) return { door, outcome: "no_match" as const };
    const [attendance] = await insertAttendance(tx, door.link.organisationId, door.link.scheduleId, door.occurrence, [memberId], `door:${door.link.id}`, "door", now);
    return { door, outcome: "recorded" as const, attendance: attendance! };
  });
}
