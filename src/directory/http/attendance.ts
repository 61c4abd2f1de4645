/**
 * The calendar of activities (salons, 通いの場) and their attendance under
 * /api/v1/directory (engine/attendance.ts; domain/activities.ts gives the rules):
 * zod-validated, access per route (ATTENDANCE_ACCESS), team scope (attendance
 * and settings belong to their member's team: team staff see and tick their
 * own teams' members only), personal fields by their names (memberName, by:
 * observers see them redacted, privacy.ts; answers that show them are audited,
 * app.ts). No route names a member by :id, so none is in the team-scope table:
 * member ids come in bodies and queries and are checked here.
 *
 * Attendance is ticked by staff from the occurrence's list. A door QR code is
 * not offered: members have no login of their own, so a code at the door could
 * not say who came without a per-member card; recorded as future work.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { teamOf } from "../../engine/team-scope.ts";
import { actorOf } from "../../http/auth.ts";
import { audit } from "../../http/audit.ts";
import { ApiError, notFound } from "../../http/errors.ts";
import { Id, IdParams, LocalDate, Limit } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { checkTeam, teamScope } from "../../http/team-scope.ts";
import { MAX_CALENDAR_DAYS } from "../domain/activities.ts";
import { DIRECTORY_SCHEDULE_KINDS } from "../domain/kinds.ts";
import { tokyoDate } from "../domain/schedule.ts";
import {
  activityCalendar, type Attendance, AttendanceError, type AttendanceSetting, getAttendance, listAttendance, listAttendanceSettings, recordAttendance,
  removeAttendance, setAttendanceSetting,
} from "../engine/attendance.ts";
import { createDoorLink } from "../engine/door.ts";
import type { DirectoryPorts } from "../engine/ports.ts";

const tags = ["directory"];
const Time = z.string().describe("ISO 8601 date-time, UTC");
const DAY_MS = 86_400_000;

const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
const plusDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);

export const CalendarQuery = z.strictObject({
  from: LocalDate.optional().describe("first Tokyo date, inclusive (default today)"),
  to: LocalDate.optional().describe(`last Tokyo date, inclusive (default from + 13 days; at most ${MAX_CALENDAR_DAYS} days after from)`),
});
const AttendanceQuery = z.strictObject({
  scheduleId: Id.optional(), occursOn: LocalDate.optional(), memberId: Id.optional(), limit: Limit(1000, 200),
});
export const AttendanceInput = z.strictObject({
  scheduleId: Id.describe("the activity's schedule (an event, or a schedule of a 通いの場 service)"),
  occursOn: LocalDate.describe("the Tokyo date of the occurrence (today or earlier; it must take place that day)"),
  memberIds: z.array(Id).min(1).max(200).describe("the members seen there (ticked); recording one again changes nothing"),
});
const SettingsQuery = z.strictObject({ memberId: Id.optional() });
export const SettingInput = z.strictObject({
  memberId: Id,
  countsAsSignOfLife: z.boolean().describe("the member agreed that attending counts as that day's sign of life (off by default)"),
});

const OccurrenceView = z.object({
  scheduleId: z.string(), kind: z.enum(DIRECTORY_SCHEDULE_KINDS), serviceId: z.string().nullable(), serviceName: z.string().nullable(),
  locationId: z.string().nullable(), locationName: z.string().nullable(), description: z.string().nullable(),
  date: z.string().describe("Tokyo date"), start: Time, end: Time, allDay: z.boolean(),
  attended: z.number().int().describe("members recorded there (all teams; a count names nobody)"),
}).meta({ id: "DirectoryActivityOccurrence" });
export const CalendarView = z.object({
  from: z.string(), to: z.string(),
  occurrences: z.array(OccurrenceView).describe("occurrences that take place (national holidays, 年末年始 and closures left out), by start"),
}).meta({ id: "DirectoryActivityCalendar" });
const AttendanceView = z.object({
  id: z.string(), scheduleId: z.string(), occursOn: z.string(), memberId: z.string(), memberName: z.string(), teamId: z.string(),
  by: z.string().describe("who recorded it"), recordedAt: Time,
  signOfLifeAt: Time.nullable().describe("the sign of life it gave (the member agreed); null: none"),
  source: z.enum(["list", "door"]).describe("list: ticked by staff; door: the member keyed their 見守り番号 on the poster's page"),
}).meta({ id: "DirectoryAttendance" });
export const AttendanceList = z.object({ attendance: z.array(AttendanceView) });
export const RemovedView = z.object({
  attendance: AttendanceView,
  signOfLifeWithdrawn: z.boolean().describe("the sign of life it gave was taken back (it was still the member's latest)"),
  checkinAnswered: z.boolean().describe("a check-in was already answered by it and stays answered: make sure of the member another way"),
}).meta({ id: "DirectoryAttendanceRemoved" });
export const DoorLinkInput = z.strictObject({
  scheduleId: Id.describe("the activity's schedule"),
  occursOn: LocalDate.describe("the Tokyo date of the occurrence (today or later; it must take place): the link works on that date only"),
});
export const DoorLinkView = z.object({
  id: z.string(), scheduleId: z.string(), occursOn: z.string(), by: z.string(), createdAt: Time,
  token: z.string().describe("shown once; only its hash is kept"),
  path: z.string().describe("the door page: /attend/{token} on this service"),
  url: z.string().describe("the door page's full address, for the poster's QR code"),
}).meta({ id: "DirectoryDoorLink" });
const SettingView = z.object({
  memberId: z.string(), memberName: z.string(), teamId: z.string(), countsAsSignOfLife: z.boolean(),
  by: z.string().nullable().describe("who set it"), setAt: Time.nullable(),
}).meta({ id: "DirectoryAttendanceSetting" });
export const SettingList = z.object({ settings: z.array(SettingView).describe("members with a recorded choice; a member not listed has it off") });

const attendanceView = (a: Attendance) => ({
  id: a.id, scheduleId: a.scheduleId, occursOn: a.occursOn, memberId: a.memberId, memberName: a.memberName, teamId: a.teamId,
  by: a.recordedBy, recordedAt: a.recordedAt.toISOString(), signOfLifeAt: a.signOfLifeAt?.toISOString() ?? null, source: a.source,
});
const settingView = (x: AttendanceSetting) => ({
  memberId: x.memberId, memberName: x.memberName, teamId: x.teamId, countsAsSignOfLife: x.countsAsSignOfLife, by: x.setBy, setAt: x.setAt?.toISOString() ?? null,
});

export const ATTENDANCE_ERROR_CODES = {
  no_occurrence: "the activity does not take place on that date (no occurrence, a national holiday, 年末年始 or a closure)",
  occurrence_not_yet: "the occurrence is still to come: attendance is recorded on its day or after",
  occurrence_past: "the occurrence is over: a door link works on the occurrence's day only",
  door_unavailable: "this service cannot look members up by 見守り番号 (no registration numbers), so it makes no door link",
} as const;

async function attempt<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AttendanceError) {
      if (error.code === "schedule_not_found" || error.code === "member_not_found") throw new ApiError(422, "unknown_reference", error.message, error.field);
      if (error.code === "attendance_not_found") throw notFound("attendance");
      throw new ApiError(422, error.code, error.message, error.field);
    }
    throw error;
  }
}

export function attendanceRoutes(s: Services, ports: DirectoryPorts): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/directory/activities", {
      schema: { tags, querystring: CalendarQuery, summary: "The calendar of salons and 通いの場: their occurrences between two Tokyo dates, with attendance counts" },
    }, async (request) => {
      const from = request.query.from ?? tokyoDate(s.clock.now());
      const to = request.query.to ?? plusDays(from, 13);
      if (days(from, to) < 0) throw new ApiError(400, "invalid_request", "must not be before from", "to");
      if (days(from, to) > MAX_CALENDAR_DAYS) throw new ApiError(400, "invalid_request", `at most ${MAX_CALENDAR_DAYS} days after from`, "to");
      const list = await activityCalendar(s.db, request.principal.organisationId, from, to);
      return {
        from, to,
        occurrences: list.map(({ activity: a, occurrence: o, attended }) => ({
          scheduleId: a.scheduleId, kind: o.kind, serviceId: a.serviceId, serviceName: a.serviceName, locationId: a.locationId, locationName: a.locationName,
          description: a.description, date: o.date, start: o.start.toISOString(), end: o.end.toISOString(), allDay: o.all_day, attended,
        })),
      };
    });

    app.get("/directory/attendance", {
      schema: { tags, querystring: AttendanceQuery, summary: "Attendance at activities, newest date first; team staff see their teams' members only" },
    }, async (request) => {
      const scope = teamScope(request.principal);
      const q = request.query;
      return {
        attendance: (await listAttendance(s.db, request.principal.organisationId, {
          limit: q.limit, ...(q.scheduleId ? { scheduleId: q.scheduleId } : {}), ...(q.occursOn ? { occursOn: q.occursOn } : {}),
          ...(q.memberId ? { memberId: q.memberId } : {}), ...(scope ? { teamIds: scope } : {}),
        })).map(attendanceView),
      };
    });

    app.post("/directory/attendance", {
      schema: {
        tags, body: AttendanceInput,
        summary: "Record the members seen at one occurrence of an activity; a member who agreed gets that day's sign of life (their check-in is answered)",
      },
    }, async (request, reply) => {
      const org = request.principal.organisationId;
      const b = request.body;
      // Team scope before anything is written; an unknown member is the engine's 422.
      for (const [i, memberId] of b.memberIds.entries()) checkTeam(request.principal, await teamOf(s.db, org, "member", memberId), `memberIds.${i}`);
      const list = await attempt(() => recordAttendance(s.db, org, b, actorOf(request.principal), s.clock.now()));
      await audit(s.db, request, "directory_attendance.record", "directory_schedule", b.scheduleId, {
        occursOn: b.occursOn, memberIds: list.map((a) => a.memberId), signsOfLife: list.filter((a) => a.signOfLifeAt !== null).length,
      });
      return reply.code(201).send({ attendance: list.map(attendanceView) });
    });

    app.delete("/directory/attendance/:id", {
      schema: {
        tags, params: IdParams,
        summary: "Un-tick a mistaken attendance (a list's or the door's); the sign of life it gave is taken back while it is still the member's latest",
        description: "A check-in that sign of life already answered stays answered (history is not rewritten): `checkinAnswered` tells staff to make sure of the member another way.",
      },
    }, async (request) => {
      const org = request.principal.organisationId;
      const existing = await getAttendance(s.db, org, request.params.id);
      if (!existing) throw notFound("attendance");
      checkTeam(request.principal, existing.teamId, "id");
      const removed = await attempt(() => removeAttendance(s.db, org, request.params.id, s.clock.now()));
      await audit(s.db, request, "directory_attendance.remove", "directory_schedule", removed.attendance.scheduleId, {
        attendanceId: removed.attendance.id, occursOn: removed.attendance.occursOn, memberId: removed.attendance.memberId, source: removed.attendance.source,
        signOfLifeWithdrawn: removed.signOfLifeWithdrawn, checkinAnswered: removed.checkinAnswered,
      });
      return { attendance: attendanceView(removed.attendance), signOfLifeWithdrawn: removed.signOfLifeWithdrawn, checkinAnswered: removed.checkinAnswered };
    });

    app.post("/directory/door-links", {
      schema: {
        tags, body: DoorLinkInput,
        summary: "Create the link of a door poster for one occurrence: members key in their 見守り番号 on its page (no account); it works on that day only",
      },
    }, async (request, reply) => {
      if (!ports.memberByRegistrationNumber) throw new ApiError(422, "door_unavailable", ATTENDANCE_ERROR_CODES.door_unavailable);
      const org = request.principal.organisationId;
      const { link, token } = await attempt(() => createDoorLink(s.db, org, request.body, actorOf(request.principal), s.clock.now()));
      await audit(s.db, request, "directory_attendance.door_link", "directory_schedule", link.scheduleId, { doorLinkId: link.id, occursOn: link.occursOn });
      const path = `/attend/${token}`;
      return reply.code(201).send({
        id: link.id, scheduleId: link.scheduleId, occursOn: link.occursOn, by: link.createdBy, createdAt: link.createdAt.toISOString(),
        token, path, url: `${s.publicUrl().replace(/\/$/, "")}${path}`,
      });
    });

    app.get("/directory/attendance-settings", {
      schema: { tags, querystring: SettingsQuery, summary: "Members' choices that attending counts as a sign of life (off unless listed on)" },
    }, async (request) => {
      const scope = teamScope(request.principal);
      return {
        settings: (await listAttendanceSettings(s.db, request.principal.organisationId, {
          ...(request.query.memberId ? { memberId: request.query.memberId } : {}), ...(scope ? { teamIds: scope } : {}),
        })).map(settingView),
      };
    });

    app.put("/directory/attendance-settings", {
      schema: { tags, body: SettingInput, summary: "Record a member's choice that attending counts as that day's sign of life (who and when are kept)" },
    }, async (request) => {
      const org = request.principal.organisationId;
      checkTeam(request.principal, await teamOf(s.db, org, "member", request.body.memberId), "memberId");
      const setting = await attempt(() => setAttendanceSetting(s.db, org, request.body.memberId, request.body.countsAsSignOfLife, actorOf(request.principal), s.clock.now()));
      await audit(s.db, request, "directory_attendance.setting", "member", setting.memberId, { countsAsSignOfLife: setting.countsAsSignOfLife });
      return settingView(setting);
    });
  };
}

/** Reads: observers (personal fields redacted); writes: staff. */
export const ATTENDANCE_ACCESS = {
  "GET /directory/activities": "observer",
  "GET /directory/attendance": "observer",
  "POST /directory/attendance": "staff",
  "DELETE /directory/attendance/:id": "staff",
  "POST /directory/door-links": "staff",
  "GET /directory/attendance-settings": "observer",
  "PUT /directory/attendance-settings": "staff",
} as const;

export const ATTENDANCE_RESPONSES = {
  "GET /directory/activities": { 200: CalendarView },
  "GET /directory/attendance": { 200: AttendanceList },
  "POST /directory/attendance": { 201: AttendanceList },
  "DELETE /directory/attendance/:id": { 200: RemovedView },
  "POST /directory/door-links": { 201: DoorLinkView },
  "GET /directory/attendance-settings": { 200: SettingList },
  "PUT /directory/attendance-settings": { 200: SettingView },
};
