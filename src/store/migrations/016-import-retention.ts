/**
 * Member imports that die or wait (issue 11).
 *
 * - `member_imports.lease_until`: while a check or commit runs, the process that
 *   runs it renews this (real time) every few seconds. A step whose lease ran out
 *   was cut short (its process stopped): the import reads as failed
 *   (`interrupted`) and can be checked again, rather than "running" for ever.
 * - `member_imports.expires_at`: a file uploaded but never committed holds a list
 *   of personal data; at this instant (7 days after its last step) the engine
 *   removes its rows and it reads as `expired`. Committed imports drop their rows
 *   at once (migration 012).
 */
import type { Migration } from "../migrations.ts";

export const importRetentionMigration: Migration = {
  id: 16,
  name: "import-retention",
  sql: `
alter table member_imports add column lease_until timestamptz;
alter table member_imports add column expires_at timestamptz;
update member_imports set expires_at = updated_at + interval '7 days' where rows is not null;
create index member_imports_expiry on member_imports (expires_at) where rows is not null;
`,
};
