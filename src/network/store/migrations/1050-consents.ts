/**
 * Consent and lawful disclosure (network/domain/consents.ts explains):
 * - network_consents: one row per decision a member gave (FHIR Consent's shape);
 *   never updated — a withdrawal is a new `deny` row, so the history stays;
 * - network_disclosures: each time a member's data went to someone outside the
 *   team, on which basis (`consent` with the record, or a legal basis), to whom,
 *   for what, which fields, by whom;
 * - network_disaster_declarations: while one is open (ended_at null) a disaster is
 *   declared for the organisation and the disaster support list may be disclosed
 *   without consent (災害対策基本法 49条の11).
 * All go with the member (on delete cascade); erasure (engine/erasure.ts) deletes
 * them through the network's personal-data hook.
 */
import type { Migration } from "../../../store/migrations.ts";

export const consentsMigration: Migration = {
  id: 1050,
  name: "network-consents",
  sql: `
create table network_consents (
  id uuid not null,
  organisation_id uuid not null,
  member_id uuid not null,
  purpose text not null check (purpose in ('watching', 'share_contacts', 'share_partners', 'device_monitoring', 'disaster_support_list')),
  decision text not null check (decision in ('permit', 'deny')),
  period_start timestamptz not null,
  period_end timestamptz,
  method text not null check (method in ('line', 'paper', 'phone', 'in_person', 'web')),
  terms_version text,
  recorded_by text not null,
  given_at timestamptz not null,
  recorded_at timestamptz not null,
  note text,
  primary key (id, organisation_id),
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade,
  check (period_end is null or period_end > period_start)
);
create index network_consents_member on network_consents (member_id, organisation_id);
create table network_disclosures (
  id uuid not null,
  organisation_id uuid not null,
  member_id uuid not null,
  basis text not null check (basis in ('consent', 'life_body_property', 'disaster_support_list')),
  consent_id uuid,
  recipient text not null,
  recipient_kind text not null,
  purpose text not null,
  fields text[] not null,
  disclosed_by text not null,
  disclosed_at timestamptz not null,
  primary key (id, organisation_id),
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade
);
create index network_disclosures_member on network_disclosures (member_id, organisation_id);
create table network_disaster_declarations (
  id uuid not null,
  organisation_id uuid not null,
  reason text not null,
  declared_by text not null,
  declared_at timestamptz not null,
  ended_by text,
  ended_at timestamptz,
  primary key (id, organisation_id)
);
create unique index network_disaster_declarations_open on network_disaster_declarations (organisation_id) where ended_at is null`,
};
