/**
 * Notes on a member (申し送り, issue 11: a record that survives a change of staff):
 * what the next person should know — where the key is kept, who to call first,
 * how the member prefers to be reached. Free text, personal (privacy.ts: `note`,
 * `createdBy`), kept until the member is deleted.
 */
import type { Migration } from "../migrations.ts";

export const memberNotesMigration: Migration = {
  id: 18,
  name: "member-notes",
  sql: `
create table member_notes (
  id uuid not null,
  organisation_id uuid not null,
  member_id uuid not null,
  note text not null,
  created_by text not null,
  created_at timestamptz not null,
  primary key (id, organisation_id),
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade
);
create index member_notes_member on member_notes (member_id, organisation_id, created_at);
`,
};
