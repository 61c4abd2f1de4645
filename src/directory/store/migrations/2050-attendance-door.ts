/**
 * Attendance at the door (issue 14, part "calendar and attendance"):
 * - directory_attendance.source: how a record came — `list` (staff ticked the
 *   member) or `door` (the member keyed their 見守り番号 on the page a poster's
 *   QR code opens). Existing rows were all ticked by staff.
 * - directory_door_links: the poster's link for one occurrence (a schedule's
 *   Tokyo date). Only the token's SHA-256 hash is kept; the link works on that
 *   date only. `window_started_at`/`window_attempts` count the numbers keyed in
 *   through it in the current window (the page's rate limit).
 * Every PK is (id, organisation_id); every FK includes organisation_id.
 */
import type { Migration } from "../../../store/migrations.ts";

export const attendanceDoorMigration: Migration = {
  id: 2050,
  name: "directory-attendance-door",
  sql: `
alter table directory_attendance add column source text not null default 'list' check (source in ('list', 'door'));
create table directory_door_links (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  schedule_id uuid not null,
  occurs_on date not null,
  token_hash text not null,
  created_by text not null,
  created_at timestamptz not null,
  window_started_at timestamptz,
  window_attempts integer not null default 0,
  primary key (id, organisation_id),
  foreign key (schedule_id, organisation_id) references directory_schedules (id, organisation_id) on delete cascade
);
create index directory_door_links_token on directory_door_links (token_hash);`,
};
