/**
 * Broadcasts, issue 12: drills (訓練), audiences of several teams or groups, and
 * the CAP 1.2 fields of an alert a broadcast came from or is exported as.
 *
 * - `drill`: an exercise; every message says so and its answers are kept apart
 *   from real ones (domain/broadcasts.ts).
 * - `audience_ids`: every team or group of the audience (one or more; empty for
 *   "all"); `audience_id` keeps the first, as before, for older readers.
 * - `cap`: the CAP `info` fields (event, category, urgency, severity, certainty,
 *   headline, instruction) and the source alert's identifier and sender when the
 *   broadcast was imported from a CAP alert; null when composed on the console.
 */
import type { Migration } from "../migrations.ts";

export const broadcastDrillsMigration: Migration = {
  id: 19,
  name: "broadcast-drills",
  sql: `
alter table broadcasts add column drill boolean not null default false;
alter table broadcasts add column audience_ids uuid[] not null default '{}';
update broadcasts set audience_ids = array[audience_id] where audience_id is not null;
alter table broadcasts add column cap jsonb
`,
};
