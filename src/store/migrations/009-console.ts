/**
 * The console's Today board (engine/today.ts): the look-ups behind its live
 * fingerprint, each one index walk per organisation — the newest answer, the
 * newest incident event, the newest member change, and the open check-ins with
 * their escalation step.
 */
import type { Migration } from "../migrations.ts";

export const consoleMigration: Migration = {
  id: 9,
  name: "console",
  sql: `
create index answers_org_received on answers (organisation_id, received_at);
create index incident_events_org_at on incident_events (organisation_id, at);
create index members_org_updated on members (organisation_id, updated_at);
create index checkins_org_open on checkins (organisation_id, step_index) where status = 'open';
`,
};
