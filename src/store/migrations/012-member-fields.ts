/**
 * Member fields the way Japanese lists need them (issue 11), and member imports.
 *
 * - `members.display_name_kana`: furigana, hiragana (domain/member-fields.ts);
 *   lists sort by it, then by the name (members without furigana by their name),
 *   through `members_org_sort`, which also walks the list's keyset pages. The
 *   order is by code point (collation "C"): the same on every database, and
 *   hiragana's code points run in 五十音 order.
 * - `members.external_id`: the municipality's own number, unique per
 *   organisation (two organisations may use the same numbers); imports match on it.
 * - `member_imports`: one upload of a member list (CSV or xlsx) and its checks:
 *   the file's header and data rows as read (text), the column mapping, every
 *   problem the dry run found by spreadsheet row, and the outcome of the commit.
 *   The rows are cleared once committed: the list is then the members themselves.
 */
import type { Migration } from "../migrations.ts";

export const memberFieldsMigration: Migration = {
  id: 12,
  name: "member-fields",
  sql: `
alter table members add column display_name_kana text;
alter table members add column external_id text;
create unique index members_org_external on members (organisation_id, external_id) where external_id is not null;
create index members_org_sort on members (organisation_id, (coalesce(display_name_kana, display_name) collate "C"), (display_name collate "C"), id);

create table member_imports (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  created_by text not null,
  file_name text not null,
  format text not null,
  encoding text not null,
  header jsonb not null,
  rows jsonb,
  row_count int not null,
  mapping jsonb,
  options jsonb,
  status text not null,
  processed int not null default 0,
  problems jsonb,
  warnings jsonb,
  summary jsonb,
  failure text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (id, organisation_id)
);
create index member_imports_org on member_imports (organisation_id, created_at);
`,
};
