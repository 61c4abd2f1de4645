/**
 * The directory's settings per organisation (issue 14 follow-up): whether
 * 年末年始 closes every repeating schedule, and its first and last day (MM-DD;
 * 12-29 to 01-03 by default, the closing days of public offices). No row: the
 * defaults (closed, 12/29–1/3). Who changed it last and when.
 * The PK is the organisation; no other tenant table refers to it.
 */
import type { Migration } from "../../../store/migrations.ts";

export const directorySettingsMigration: Migration = {
  id: 2090,
  name: "directory-settings",
  sql: `
create table directory_settings (
  organisation_id uuid not null primary key references organisations(id) on delete cascade,
  year_end_closed boolean not null default true,
  year_end_first text not null default '12-29' check (year_end_first ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
  year_end_last text not null default '01-03' check (year_end_last ~ '^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'),
  updated_by text not null,
  updated_at timestamptz not null
);`,
};
