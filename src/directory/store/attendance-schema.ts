/**
 * The tables of activities' attendance (migration 2030), added to the core's
 * typed `Database` by module augmentation as schema.ts does for the HSDS core.
 */
import type { ColumnType } from "kysely";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Maybe<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** A date column (YYYY-MM-DD) written as text; read through to_char. */
type DateColumn = ColumnType<string, string, string>;

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
  };
  directory_attendance_settings: {
    id: string;
    organisation_id: string;
    member_id: string;
    counts_as_sign_of_life: ColumnType<boolean, boolean | undefined, boolean>;
    set_by: string;
    set_at: Timestamp;
  };
}

declare module "../../store/schema.ts" {
  interface Database extends DirectoryAttendanceTables {}
}
