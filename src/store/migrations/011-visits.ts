/**
 * Visits (issue 11, domain/visits.ts): staff ask watchers to go and look at a
 * member about an incident.
 *
 * - `visits`: one per request to visit; `watcher_id` is the watcher who holds it
 *   now (null once everyone declined), `due_at` the time by which someone should
 *   have been there. Overdue visits are found by a query on `due_at` (the partial
 *   index `visits_due` holds only the visits still to be done), never by a timer.
 * - `visit_candidates`: the watchers staff chose, in their order (`position`);
 *   a decline is recorded on the candidate's row, and the visit is offered to the
 *   next one who has not declined.
 * Every key and foreign key includes organisation_id (migration 007's rule).
 */
import type { Migration } from "../migrations.ts";

export const visitsMigration: Migration = {
  id: 11,
  name: "visits",
  sql: `
create table visits (
  id uuid not null,
  organisation_id uuid not null,
  incident_id uuid not null,
  member_id uuid not null,
  state text not null,
  watcher_id uuid,
  due_at timestamptz not null,
  instructions text not null default '',
  outcome text,
  outcome_note text,
  assigned_by text not null,
  created_at timestamptz not null,
  offered_at timestamptz,
  accepted_at timestamptz,
  done_at timestamptz,
  primary key (id, organisation_id),
  foreign key (incident_id, organisation_id) references incidents (id, organisation_id) on delete cascade,
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade,
  foreign key (watcher_id, organisation_id) references people (id, organisation_id)
);
create index visits_incident on visits (incident_id, organisation_id);
create index visits_watcher on visits (watcher_id, organisation_id, state);
create index visits_member_active on visits (member_id, organisation_id) where state in ('offered', 'accepted');
create index visits_due on visits (organisation_id, due_at) where state in ('offered', 'accepted');

create table visit_candidates (
  visit_id uuid not null,
  organisation_id uuid not null,
  position int not null,
  person_id uuid not null,
  declined_at timestamptz,
  primary key (visit_id, position, organisation_id),
  foreign key (visit_id, organisation_id) references visits (id, organisation_id) on delete cascade,
  foreign key (person_id, organisation_id) references people (id, organisation_id) on delete cascade
);
create unique index visit_candidates_once on visit_candidates (visit_id, person_id, organisation_id);
`,
};
