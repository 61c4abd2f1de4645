/**
 * Activities' attendance (issue 14, part "calendar and attendance"):
 * - directory_attendance: a member seen at one occurrence (a schedule's date) of
 *   a salon or 通いの場, ticked by staff; whether it was counted as the member's
 *   sign of life that day (the member's setting when it was recorded).
 * - directory_attendance_settings: a member's own choice, off by default (no
 *   row: off), that attending counts as that day's sign of life, with who set it
 *   and when.
 * Every PK is (id, organisation_id); every FK and unique key includes organisation_id.
 */
import type { Migration } from "../../../store/migrations.ts";

export const attendanceMigration: Migration = {
  id: 2030,
  name: "directory-attendance",
  sql: `
create table directory_attendance (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  schedule_id uuid not null,
  occurs_on date not null,
  member_id uuid not null,
  recorded_by text not null,
  recorded_at timestamptz not null,
  sign_of_life_at timestamptz,
  primary key (id, organisation_id),
  unique (organisation_id, schedule_id, occurs_on, member_id),
  foreign key (schedule_id, organisation_id) references directory_schedules (id, organisation_id) on delete cascade,
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade
);
create index directory_attendance_member on directory_attendance (member_id, organisation_id);
create index directory_attendance_day on directory_attendance (organisation_id, occurs_on);
create table directory_attendance_settings (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  member_id uuid not null,
  counts_as_sign_of_life boolean not null default false,
  set_by text not null,
  set_at timestamptz not null,
  primary key (id, organisation_id),
  unique (organisation_id, member_id),
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade
);`,
};
