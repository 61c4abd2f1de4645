/**
 * The finder's call (seed 001, the sticker model; issue 13): a caller on the
 * organisation's Twilio number keys a member's registration number and is put
 * through to the member's confirmed contacts in order. One row per call (its
 * CallSid, unique per organisation, so Twilio's retries find the same call): the
 * member, the incident it went on, the numbers to try in order (`dial_list`,
 * [{contactId, phone}], taken when the number was keyed), each attempt's result
 * (`attempts`, [{contactId, status, at}] in order) and how it ended (`outcome`:
 * connected, nobody_answered, no_contact).
 */
import type { Migration } from "../../../store/migrations.ts";

export const finderCallsMigration: Migration = {
  id: 1040,
  name: "network-finder-calls",
  sql: `
create table network_finder_calls (
  id uuid not null,
  organisation_id uuid not null,
  member_id uuid not null,
  call_sid text not null,
  incident_id uuid,
  dial_list jsonb not null default '[]',
  attempts jsonb not null default '[]',
  connected_contact_id uuid,
  outcome text check (outcome in ('connected', 'nobody_answered', 'no_contact')),
  started_at timestamptz not null,
  ended_at timestamptz,
  primary key (id, organisation_id),
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade
);
create unique index network_finder_calls_sid on network_finder_calls (call_sid, organisation_id);
create index network_finder_calls_member on network_finder_calls (member_id, organisation_id)`,
};
