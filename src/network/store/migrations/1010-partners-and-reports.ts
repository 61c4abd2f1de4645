/**
 * Partners and their concern reports (seed 001; Kobe's partner programme; Open311
 * GeoReport v2). `network_partners` is the registry staff hand over when they
 * rotate: agreement, contact people, the staff member who owns the relationship and
 * the next review date; `short_code` names the partner's report form (/r/{code}),
 * `api_key_hash` its Open311 key (sha-256 of the key, shown once). `network_reports`
 * are Open311 service requests: the report kind is the service, the 見守り checklist
 * its attributes, urgency and outcome extra fields; `member_id` is the member the
 * report was matched to (by registration number or address, `match`), `incident_id`
 * the incident it joined. The triage queue reads (organisation_id, status, received_at).
 */
import type { Migration } from "../../../store/migrations.ts";

export const partnersAndReportsMigration: Migration = {
  id: 1010,
  name: "network-partners-and-reports",
  sql: `
create table network_partners (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  name text not null,
  kind text not null check (kind in ('shop', 'home_visit', 'finance', 'ict', 'other')),
  business text,
  agreement_date date,
  agreement_terms text,
  contacts jsonb not null default '[]',
  owner_person_id uuid,
  next_review_on date,
  listed boolean not null default false,
  short_code text not null,
  api_key_hash text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  archived_at timestamptz,
  primary key (id, organisation_id),
  foreign key (owner_person_id, organisation_id) references people (id, organisation_id) on delete set null (owner_person_id)
);
create unique index network_partners_short_code on network_partners (short_code, organisation_id);
create unique index network_partners_api_key on network_partners (api_key_hash, organisation_id);
create index network_partners_short_code_lookup on network_partners (short_code);
create index network_partners_api_key_lookup on network_partners (api_key_hash);

create table network_reports (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  partner_id uuid not null,
  service_code text not null,
  urgency text not null check (urgency in ('watch', 'consult', 'emergency')),
  attributes jsonb not null default '{}',
  description text,
  address text,
  lat double precision,
  long double precision,
  registration_number text,
  member_id uuid,
  match text not null check (match in ('number', 'address', 'none')),
  requested_at timestamptz not null,
  received_at timestamptz not null,
  status text not null default 'open' check (status in ('open', 'closed')),
  outcome text check (outcome in ('no_action', 'consulted', 'emergency_response')),
  notes text,
  status_notes text,
  triaged_by text,
  triaged_at timestamptz,
  incident_id uuid,
  reporter_name text,
  reporter_phone text,
  idempotency_key text,
  primary key (id, organisation_id),
  foreign key (partner_id, organisation_id) references network_partners (id, organisation_id) on delete cascade,
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete set null (member_id),
  foreign key (incident_id, organisation_id) references incidents (id, organisation_id) on delete set null (incident_id)
);
create unique index network_reports_idempotency on network_reports (idempotency_key, organisation_id, partner_id);
create index network_reports_queue on network_reports (organisation_id, status, received_at);
create index network_reports_partner on network_reports (partner_id, organisation_id, received_at);
create index network_reports_member on network_reports (member_id, organisation_id)`,
};
