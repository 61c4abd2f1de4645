/**
 * Activities' attendance in a member's export and erasure (the directory's hook
 * composes this part; engine/personal-data.ts explains). Every table of
 * migrations 2030 and 2050 is listed (test/store/personal-data-tables.test.ts).
 */
import type { TableDecision } from "../../engine/personal-data.ts";
import type { DirectoryAttendanceTables } from "../store/attendance-schema.ts";
import type { DirectoryPersonalDataPart } from "./personal-data.ts";
import "../store/attendance-schema.ts";

export const ATTENDANCE_PERSONAL_DATA: DirectoryPersonalDataPart = {
  tables: {
    directory_attendance: { erasure: "delete", why: "where and when the member was seen at salons and 通いの場, and who ticked them", section: "directory_attendance" },
    directory_attendance_settings: {
      erasure: "delete", why: "the member's choice that attending counts as a sign of life, with who set it", section: "directory_attendance_settings",
    },
    directory_door_links: {
      erasure: "none", why: "a poster's link for one occurrence of an activity (its token's hash, who printed it, the rate-limit count): names no member",
    },
  } satisfies Record<keyof DirectoryAttendanceTables, TableDecision>,
  async export(tx, organisationId, memberId) {
    return {
      directory_attendance: await tx.selectFrom("directory_attendance").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("occurs_on").orderBy("recorded_at").execute(),
      directory_attendance_settings: await tx.selectFrom("directory_attendance_settings").selectAll().where("organisation_id", "=", organisationId)
        .where("member_id", "=", memberId).execute(),
    };
  },
  async erase(tx, organisationId, memberId) {
    const counts: Record<string, number> = {};
    // The member row may stay as a tombstone, so nothing relies on its cascade.
    for (const table of ["directory_attendance", "directory_attendance_settings"] as const) {
      const result = await tx.deleteFrom(table).where("organisation_id", "=", organisationId).where("member_id", "=", memberId).executeTakeFirst();
      counts[table] = Number(result.numDeletedRows);
    }
    return counts;
  },
};
