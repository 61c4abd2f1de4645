/**
 * The directory's settings table (migration 2090), added to the core's typed
 * `Database` by module augmentation as schema.ts does for the HSDS core.
 */
import type { ColumnType } from "kysely";

export interface DirectorySettingsTables {
  directory_settings: {
    organisation_id: string;
    year_end_closed: ColumnType<boolean, boolean | undefined, boolean>;
    /** MM-DD. */
    year_end_first: ColumnType<string, string | undefined, string>;
    year_end_last: ColumnType<string, string | undefined, string>;
    updated_by: string;
    updated_at: ColumnType<Date, Date | string, Date | string>;
  };
}

declare module "../../store/schema.ts" {
  interface Database extends DirectorySettingsTables {}
}
