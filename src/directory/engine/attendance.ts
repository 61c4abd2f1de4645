/**
 * The calendar of activities (salons, 通いの場) and their attendance (issue 14;
 * domain/activities.ts gives the rules). Occurrences come from the directory's
 * schedules through domain/schedule.ts (national holidays, 年末年始 and the
 * service's, its provider's and the organisation's closures removed). Recording
 * attendance writes only directory tables; a member who agreed gets a sign of
 * life through the core's command (engine/sign-of-life.ts), in the same
 * transaction — the core's tables are never written here.
 */
import { sql } from "kysely";
import { recordSignOfLife, withdrawSignOfLife } from "../../engine/sign-of-life.ts";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import { ACTIVITY_TAXONOMY_ROOT, ATTENDANCE_SIGN_OF_LIFE_SOURCE, type AttendanceProblem, attendanceProblem, signOfLifeAt } from "../domain/activities.ts";
import { type ClosureOptions, type ScheduleClosure, type ScheduleOccurrence, scheduleOccurrences, type ScheduleRule, tokyoInstant } from "../domain/schedule.ts";
import type { AttendanceSource } from "../store/attendance-schema.ts";
import "../store/attendance-schema.ts";
import { directoryClosureOptions } from "./settings.ts";

/** One activity: a schedule row with what it belongs to. */
export interface Activity {
  scheduleId: string;
  serviceId: string | null;
  serviceName: string | null;
  locationId: string | null;
  locationName: string | null;
  description: string | null;
  rule: ScheduleRule;
  closures: ScheduleClosure[];
  /** The organisation's 年末年始 rule (engine/settings.ts). */
  yearEnd: ClosureOptions;
}

/** One occurrence of an activity that takes place, with how many were seen there. */
export interface ActivityOccurrence {
  activity: Activity;
  occurrence: ScheduleOccurrence;
  attended: number;
}

export type AttendanceErrorCode = AttendanceProblem | "schedule_not_found" | "member_not_found" | "attendance_not_found" | "occurrence_past";

export class AttendanceError extends Error {
  readonly code: AttendanceErrorCode;
  readonly field: string | undefined;
  constructor(code: AttendanceErrorCode, message: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

/** The activities of the organisation (optionally one schedule), with the closures that apply to each from `fromDate` on. */
export async function loadActivities(db: Db, organisationId: string, fromDate: string, scheduleId?: string): Promise<Activity[]> {
  let query = db.selectFrom("directory_schedules as sc")
    .leftJoin("directory_service_at_locations as sal", (j) => j.onRef("sal.id", "=", "sc.service_at_location_id").onRef("sal.organisation_id", "=", "sc.organisation_id"))
    .leftJoin("directory_services as sv", (j) => j.on((eb) => eb(eb.fn.coalesce("sc.service_id", "sal.service_id"), "=", eb.ref("sv.id")))
      .onRef("sv.organisation_id", "=", "sc.organisation_id"))
    .leftJoin("directory_locations as lo", (j) => j.on((eb) => eb(eb.fn.coalesce("sc.location_id", "sal.location_id"), "=", eb.ref("lo.id")))
      .onRef("lo.organisation_id", "=", "sc.organisation_id"))
    .select([
      "sc.id", "sc.kind", "sc.freq", "sc.interval", "sc.byday", "sc.bymonthday", "sc.count", "sc.wkst", "sc.opens_at", "sc.closes_at", "sc.closed_on_holidays",
      "sc.description", "sv.id as service_id", "sv.name as service_name", "sv.directory_organization_id", "lo.id as location_id", "lo.name as location_name",
      sql<string | null>`to_char(sc.dtstart, 'YYYY-MM-DD')`.as("dtstart"), sql<string | null>`to_char(sc.until, 'YYYY-MM-DD')`.as("until"),
      sql<string | null>`to_char(sc.valid_from, 'YYYY-MM-DD')`.as("valid_from"), sql<string | null>`to_char(sc.valid_to, 'YYYY-MM-DD')`.as("valid_to"),
    ])
    .where("sc.organisation_id", "=", organisationId)
    // A service no longer offered has no activities; a location's own events stay.
    .where((eb) => eb.or([eb("sv.id", "is", null), eb.and([eb("sv.archived_at", "is", null), eb("sv.status", "=", "active")])]))
    .where((eb) => eb.or([
      eb("sc.kind", "=", "event"),
      eb.exists(eb.selectFrom("directory_attributes as a").select("a.id").where("a.organisation_id", "=", organisationId)
        .where("a.link_entity", "=", "service").whereRef("a.link_id", "=", "sv.id")
        .where((e) => e.or([e("a.taxonomy_code", "=", ACTIVITY_TAXONOMY_ROOT), e("a.taxonomy_code", "like", `${ACTIVITY_TAXONOMY_ROOT}.%`)]))),
    ]));
  if (scheduleId) query = query.where("sc.id", "=", scheduleId);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const closures = await db.selectFrom("directory_closures").select([
    "id", "kind", "reason", "service_id", "directory_organization_id",
    sql<string>`to_char(starts_on, 'YYYY-MM-DD')`.as("starts_on"), sql<string>`to_char(ends_on, 'YYYY-MM-DD')`.as("ends_on"),
  ]).where("organisation_id", "=", organisationId).where("ends_on", ">=", sql<string>`${fromDate}::date - 1`).execute();
  const yearEnd = await directoryClosureOptions(db, organisationId);
  return rows.map((r) => ({
    scheduleId: r.id, serviceId: r.service_id, serviceName: r.service_name, locationId: r.location_id, locationName: r.location_name, description: r.description,
    rule: {
      id: r.id, kind: r.kind, freq: r.freq, interval: r.interval, byday: r.byday, bymonthday: r.bymonthday, count: r.count, wkst: r.wkst,
      dtstart: r.dtstart, until: r.until, opens_at: r.opens_at, closes_at: r.closes_at, valid_from: r.valid_from, valid_to: r.valid_to,
      closed_on_holidays: r.closed_on_holidays,
    },
    // The service's own closures, its provider's, and the organisation's (as engine/matches.ts reads them).
    closures: closures.filter((c) => (r.service_id !== null && c.service_id === r.service_id)
      || (c.service_id === null && (c.directory_organization_id === null || c.directory_organization_id === r.directory_organization_id)))
      .map((c) => ({ id: c.id, kind: c.kind, starts_on: c.starts_on, ends_on: c.ends_on, reason: c.reason })),
    yearEnd,
  }));
}

/** The occurrences of one activity that take place on Tokyo dates [fromDate, toDate], inclusive. */
export function occurrencesOf(activity: Activity, fromDate: string, toDate: string): ScheduleOccurrence[] {
  return scheduleOccurrences([activity.rule], tokyoInstant(fromDate, "00:00"), tokyoInstant(toDate, "24:00"), { ...activity.yearEnd, closures: activity.closures })
    .filter((o) => o.closed === null && o.date >= fromDate && o.date <= toDate);
}

/**
 * The calendar: every occurrence of the organisation's activities that takes
 * place on Tokyo dates [fromDate, toDate] (inclusive; the caller bounds the
 * length), by start, with the number of members recorded there (all teams: a
 * count names nobody).
 */
export async function activityCalendar(db: Db, organisationId: string, fromDate: string, toDate: string): Promise<ActivityOccurrence[]> {
  const activities = await loadActivities(db, organisationId, fromDate);
  const counts = new Map((await db.selectFrom("directory_attendance")
    .select(["schedule_id", sql<string>`to_char(occurs_on, 'YYYY-MM-DD')`.as("occurs_on"), (eb) => eb.fn.countAll<string>().as("n")])
    .where("organisation_id", "=", organisationId).where("occurs_on", ">=", fromDate).where("occurs_on", "<=", toDate)
    .groupBy(["schedule_id", "occurs_on"]).execute()).map((r) => [`${r.schedule_id}/${r.occurs_on}`, Number(r.n)]));
  return activities.flatMap((activity) => occurrencesOf(activity, fromDate, toDate)
    .map((occurrence) => ({ activity, occurrence, attended: counts.get(`${activity.scheduleId}/${occurrence.date}`) ?? 0 })))
    .sort((a, b) => a.occurrence.start.getTime() - b.occurrence.start.getTime() || a.activity.scheduleId.localeCompare(b.activity.scheduleId));
}

/** One member's attendance at one occurrence. */
export interface Attendance {
  id: string;
  scheduleId: string;
  occursOn: string;
  memberId: string;
  memberName: string;
  teamId: string;
  recordedBy: string;
  recordedAt: Date;
  /** The sign of life it gave, null: none (the member had not agreed). */
  signOfLifeAt: Date | null;
  /** Ticked by staff from the list, or keyed in by the member at the door. */
  source: AttendanceSource;
}

function attendanceQuery(db: Db, organisationId: string) {
  return db.selectFrom("directory_attendance as at")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "at.member_id").onRef("m.organisation_id", "=", "at.organisation_id"))
    .select([
      "at.id", "at.schedule_id", sql<string>`to_char(at.occurs_on, 'YYYY-MM-DD')`.as("occurs_on"), "at.member_id", "m.display_name", "m.team_id",
      "at.recorded_by", "at.recorded_at", "at.sign_of_life_at", "at.source",
    ])
    .where("at.organisation_id", "=", organisationId);
}

type AttendanceRow = Awaited<ReturnType<ReturnType<typeof attendanceQuery>["execute"]>>[number];
const toAttendance = (r: AttendanceRow): Attendance => ({
  id: r.id, scheduleId: r.schedule_id, occursOn: r.occurs_on, memberId: r.member_id, memberName: r.display_name, teamId: r.team_id,
  recordedBy: r.recorded_by, recordedAt: r.recorded_at, signOfLifeAt: r.sign_of_life_at, source: r.source,
});

export interface AttendanceFilter {
  scheduleId?: string;
  occursOn?: string;
  memberId?: string;
  /** Only these teams' members (team staff); undefined: all. */
  teamIds?: string[];
  limit: number;
}

/** Attendance records, newest occurrence first, then by member name. */
export async function listAttendance(db: Db, organisationId: string, f: AttendanceFilter): Promise<Attendance[]> {
  let q = attendanceQuery(db, organisationId);
  if (f.scheduleId) q = q.where("at.schedule_id", "=", f.scheduleId);
  if (f.occursOn) q = q.where("at.occurs_on", "=", f.occursOn);
  if (f.memberId) q = q.where("at.member_id", "=", f.memberId);
  if (f.teamIds) {
    if (f.teamIds.length === 0) return [];
    q = q.where("m.team_id", "in", f.teamIds);
  }
  return (await q.orderBy("at.occurs_on", "desc").orderBy("m.display_name").orderBy("at.id").limit(f.limit).execute()).map(toAttendance);
}

export interface AttendanceInput {
  scheduleId: string;
  occursOn: string;
  memberIds: string[];
}

/**
 * Records the members seen at one occurrence (ticked by staff). Idempotent: a
 * member already recorded there is left as it was. For each new record of a
 * member who agreed (directory_attendance_settings), the core records a sign of
 * life at the instant domain/activities.ts gives. One transaction: all or nothing.
 * Errors (AttendanceError): schedule_not_found (not an activity of the
 * organisation; field scheduleId), no_occurrence / occurrence_not_yet (field
 * occursOn), member_not_found (field memberIds.<i>).
 * Returns the occurrence's records of the members given, in their order.
 */
export async function recordAttendance(db: Db, organisationId: string, input: AttendanceInput, actor: string, now: Date): Promise<Attendance[]> {
  return inTransaction(db, async (tx) => {
    const { activity, occurrence } = await occurrenceToRecord(tx, organisationId, input.scheduleId, input.occursOn, now);
    const ids = [...new Set(input.memberIds)];
    const known = new Set((await tx.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "in", ids).execute()).map((m) => m.id));
    const missing = input.memberIds.findIndex((id) => !known.has(id));
    if (missing >= 0) throw new AttendanceError("member_not_found", "no member with this id", `memberIds.${missing}`);
    return insertAttendance(tx, organisationId, activity.scheduleId, occurrence, ids, actor, "list", now);
  });
}

/**
 * The activity and its occurrence on `occursOn` when attendance may be recorded
 * for it at `now`; errors (AttendanceError): schedule_not_found (field
 * scheduleId), no_occurrence / occurrence_not_yet (field occursOn).
 */
export async function occurrenceToRecord(tx: Db, organisationId: string, scheduleId: string, occursOn: string, now: Date): Promise<{ activity: Activity; occurrence: ScheduleOccurrence }> {
  const [activity] = await loadActivities(tx, organisationId, occursOn, scheduleId);
  if (!activity) throw new AttendanceError("schedule_not_found", "no activity (an event, or a 通いの場's schedule) with this id", "scheduleId");
  const occurrence = occurrencesOf(activity, occursOn, occursOn)[0];
  const problem = attendanceProblem(occurrence, now);
  if (problem === "no_occurrence") throw new AttendanceError(problem, "the activity does not take place on this date (no occurrence, a holiday or a closure)", "occursOn");
  if (problem === "occurrence_not_yet") throw new AttendanceError(problem, "this occurrence is still to come: attendance is recorded on its day or after", "occursOn");
  return { activity, occurrence: occurrence! };
}

/**
 * Inserts the records of members `ids` (known members of the organisation) at
 * one occurrence, leaving a member already recorded there as it was; a member
 * who agreed gets a sign of life through the core. In the caller's transaction.
 * Returns the occurrence's records of those members, in their order.
 */
export async function insertAttendance(
  tx: Db, organisationId: string, scheduleId: string, occurrence: ScheduleOccurrence, ids: string[], actor: string, source: AttendanceSource, now: Date,
): Promise<Attendance[]> {
  const agreed = new Set((await tx.selectFrom("directory_attendance_settings").select("member_id").where("organisation_id", "=", organisationId)
    .where("member_id", "in", ids).where("counts_as_sign_of_life", "=", true).execute()).map((r) => r.member_id));
  const at = signOfLifeAt(occurrence, now);
  const inserted = await tx.insertInto("directory_attendance").values(ids.map((memberId) => ({
    id: newId(), organisation_id: organisationId, schedule_id: scheduleId, occurs_on: occurrence.date, member_id: memberId,
    recorded_by: actor, recorded_at: now, sign_of_life_at: agreed.has(memberId) ? at : null, source,
  }))).onConflict((oc) => oc.columns(["organisation_id", "schedule_id", "occurs_on", "member_id"]).doNothing()).returning(["member_id"]).execute();
  for (const { member_id } of inserted) {
    if (agreed.has(member_id)) await recordSignOfLife(tx, { organisationId, memberId: member_id, at, source: ATTENDANCE_SIGN_OF_LIFE_SOURCE });
  }
  const rows = await attendanceQuery(tx, organisationId).where("at.schedule_id", "=", scheduleId).where("at.occurs_on", "=", occurrence.date)
    .where("at.member_id", "in", ids).execute();
  const byMember = new Map(rows.map((r) => [r.member_id, toAttendance(r)]));
  return ids.map((id) => byMember.get(id)!);
}

/** One attendance record, or undefined (not of this organisation). */
export async function getAttendance(db: Db, organisationId: string, id: string): Promise<Attendance | undefined> {
  const row = await attendanceQuery(db, organisationId).where("at.id", "=", id).executeTakeFirst();
  return row ? toAttendance(row) : undefined;
}

/** What un-ticking did to the member's sign of life. */
export interface RemovedAttendance {
  attendance: Attendance;
  /**
   * The sign of life it gave was taken back (it was still the member's latest:
   * nothing has relied on it yet, or only a check-in that then stays answered).
   */
  signOfLifeWithdrawn: boolean;
  /**
   * A check-in was already answered by this sign of life (closed as `activity`,
   * the member not asked): it stays answered — staff should make sure of the
   * member another way.
   */
  checkinAnswered: boolean;
}

/**
 * Removes an attendance recorded by mistake (un-ticking; a list's or the
 * door's). Its sign of life, if it gave one and it is still the member's latest,
 * is taken back: the member's latest becomes their latest other attendance's
 * sign of life, or none (engine/sign-of-life.ts `withdrawSignOfLife`; an older
 * device's sign of life is not restored — the safe side: the member is asked).
 * A check-in it already answered stays answered (history is not rewritten);
 * `checkinAnswered` says so. Error: attendance_not_found (field id).
 */
export async function removeAttendance(db: Db, organisationId: string, id: string, now: Date): Promise<RemovedAttendance> {
  return inTransaction(db, async (tx) => {
    const row = await attendanceQuery(tx, organisationId).where("at.id", "=", id).forUpdate("at").executeTakeFirst();
    if (!row) throw new AttendanceError("attendance_not_found", "no attendance with this id", "id");
    const attendance = toAttendance(row);
    await tx.deleteFrom("directory_attendance").where("organisation_id", "=", organisationId).where("id", "=", id).execute();
    if (!attendance.signOfLifeAt) return { attendance, signOfLifeWithdrawn: false, checkinAnswered: false };
    const other = await tx.selectFrom("directory_attendance").select((eb) => eb.fn.max("sign_of_life_at").as("at"))
      .where("organisation_id", "=", organisationId).where("member_id", "=", attendance.memberId).where("sign_of_life_at", "<=", now).executeTakeFirst();
    const replacement = other?.at ? new Date(other.at) : null;
    const signOfLifeWithdrawn = await withdrawSignOfLife(tx, {
      organisationId, memberId: attendance.memberId, at: attendance.signOfLifeAt, source: ATTENDANCE_SIGN_OF_LIFE_SOURCE,
    }, replacement && replacement < attendance.signOfLifeAt ? replacement : null);
    const answered = await tx.selectFrom("checkins").select("id").where("organisation_id", "=", organisationId).where("member_id", "=", attendance.memberId)
      .where("closed_reason", "=", "activity").where("answered_at", "=", attendance.signOfLifeAt).executeTakeFirst();
    return { attendance, signOfLifeWithdrawn, checkinAnswered: answered !== undefined };
  });
}

/** A member's choice that attending counts as a sign of life (no row: off, the default). */
export interface AttendanceSetting {
  memberId: string;
  memberName: string;
  teamId: string;
  countsAsSignOfLife: boolean;
  setBy: string | null;
  setAt: Date | null;
}

/** The settings of the members recorded (optionally one member's, or these teams'), by member name. */
export async function listAttendanceSettings(db: Db, organisationId: string, f: { memberId?: string; teamIds?: string[] }): Promise<AttendanceSetting[]> {
  if (f.teamIds?.length === 0) return [];
  let q = db.selectFrom("directory_attendance_settings as st")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "st.member_id").onRef("m.organisation_id", "=", "st.organisation_id"))
    .select(["st.member_id", "m.display_name", "m.team_id", "st.counts_as_sign_of_life", "st.set_by", "st.set_at"])
    .where("st.organisation_id", "=", organisationId);
  if (f.memberId) q = q.where("st.member_id", "=", f.memberId);
  if (f.teamIds) q = q.where("m.team_id", "in", f.teamIds);
  return (await q.orderBy("m.display_name").orderBy("st.member_id").limit(5000).execute()).map((r) => ({
    memberId: r.member_id, memberName: r.display_name, teamId: r.team_id, countsAsSignOfLife: r.counts_as_sign_of_life, setBy: r.set_by, setAt: r.set_at,
  }));
}

/** Sets a member's choice, recording who and when; errors: member_not_found (field memberId). */
export async function setAttendanceSetting(db: Db, organisationId: string, memberId: string, counts: boolean, actor: string, now: Date): Promise<AttendanceSetting> {
  return inTransaction(db, async (tx) => {
    const member = await tx.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "=", memberId).executeTakeFirst();
    if (!member) throw new AttendanceError("member_not_found", "no member with this id", "memberId");
    await tx.insertInto("directory_attendance_settings").values({
      id: newId(), organisation_id: organisationId, member_id: memberId, counts_as_sign_of_life: counts, set_by: actor, set_at: now,
    }).onConflict((oc) => oc.columns(["organisation_id", "member_id"]).doUpdateSet({ counts_as_sign_of_life: counts, set_by: actor, set_at: now })).execute();
    const [setting] = await listAttendanceSettings(tx, organisationId, { memberId });
    return setting!;
  });
}
