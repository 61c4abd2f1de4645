/**
 * Erasure on request (engine/personal-data.ts): a member erased while incidents
 * within the retention period are kept anonymised stays as a tombstone row —
 * no name, personal fields, channels or numbers — marked `erased_at`, so those
 * incidents and the per-team statistics keep their member and team, and lists,
 * look-ups and exports leave it out.
 */
import type { Migration } from "../migrations.ts";

export const memberErasureMigration: Migration = {
  id: 25,
  name: "member-erasure",
  sql: `alter table members add column erased_at timestamptz`,
};
