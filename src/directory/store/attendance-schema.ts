/**
 * The tables of activities' attendance (migrations 2030 and 2050), added to the core's
 * typed `Database` by module augmentation as schema.ts does for the HSDS core.
 */
import type { ColumnType } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Maybe<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** A date column (YYYY-MM-DD) written as text; read through to_char. */
type DateColumn = ColumnType<string, string, string>;

/** How an attendance record came: ticked by staff from the list, or keyed in at the door. */
export type AttendanceSource = "list" | "door";

export interface DirectoryAttendanceTables {
  directory_attendance: {
    id: string;
    organisation_id: string;
    schedule_id: string;
    occurs_on: DateColumn;
    member_id: string;
    recorded_by: string;
    recorded_at: Timestamp;
    /** The sign of life it gave (the member agreed), null: none. */
    sign_of_life_at: Maybe<Date>;
    /** How it came: staff ticked the member, or the member keyed their number at the door. */
    source: ColumnType<AttendanceSource, AttendanceSource | undefined, AttendanceSource>;
  };
  directory_attendance_settings: {
    id: string;
    organisation_id: string;
    member_id: string;
    counts_as_sign_of_life: ColumnType<boolean, boolean | undefined, boolean>;
    set_by: string;
    set_at: Timestamp;
  };
  directory_door_links: {
    id: string;
    organisation_id: string;
    schedule_id: string;
    occurs_on: DateColumn;
    /** SHA-256 of the token (hex); the token itself is never stored. */
    token_hash: string;
    created_by: string;
    created_at: Timestamp;
    window_started_at: Maybe<Date>;
    window_attempts: ColumnType<number, number | undefined, number>;
  };
}

declare module "../../store/schema.ts" {
  interface Database extends DirectoryAttendanceTables {}
}
