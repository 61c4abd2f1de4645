/**
 * One incident per person (issue 13; domain/concerns.ts): a member has at most one
 * unresolved incident, whatever its kind — a missed check-in, a request to be
 * contacted, a call for help, a partner's report or a silent device about a
 * member whose incident is open joins it as a timeline event. The unique index
 * per (member, kind) becomes one per member.
 *
 * A database from before may hold several unresolved incidents of one member (of
 * different kinds): the oldest stays, and each later one is resolved as merged
 * into it (outcome `other`, the note and a `resolved` event naming the incident it
 * was merged into, at the time of its own last event), so the index can be made.
 */
import type { Migration } from "../migrations.ts";

export const oneIncidentPerMemberMigration: Migration = {
  id: 24,
  name: "one-incident-per-member",
  sql: `
with ranked as (
  select id, organisation_id, opened_at,
    first_value(id) over w as kept,
    row_number() over w as n
  from incidents where status <> 'resolved'
  window w as (partition by member_id, organisation_id order by opened_at, id)
), merged as (
  select r.id, r.organisation_id, r.kept,
    coalesce((select max(e.at) from incident_events e where e.incident_id = r.id), r.opened_at) as at
  from ranked r where r.n > 1
), events as (
  insert into incident_events (id, organisation_id, incident_id, at, type, actor, data)
  select gen_random_uuid(), organisation_id, id, at, 'resolved', 'migration:024',
    jsonb_build_object('outcome', 'other', 'note', 'merged into ' || kept::text, 'mergedInto', kept)
  from merged
  returning id
)
update incidents set status = 'resolved', resolved_at = merged.at, outcome = 'other', note = 'merged into ' || merged.kept::text,
  ack_check_at = null
from merged where incidents.id = merged.id;
drop index incidents_one_open_per_kind;
create unique index incidents_one_open_per_member on incidents (member_id, organisation_id) where status <> 'resolved'`,
};
