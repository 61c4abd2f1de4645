/**
 * The local-resources directory in the Open Referral HSDS 3.1 model (issue 14;
 * docs/design/directory-hsds-research.md §1, §4): organisations that provide
 * services, their services, locations with addresses, services at locations,
 * schedules (RFC 5545 rows: opening hours and events), closures (holidays,
 * 年末年始), service areas, contacts and phones (HSDS's, not the core's
 * `contacts`), the organisation's own taxonomy terms, attributes (a taxonomy code
 * on any record), capacities (vacancies), metadata (who changed which field from
 * what to what, when: every change is kept because staff rotate), invitations for
 * a provider to update its own entry and the changes it proposes.
 *
 * - Every table is a tenant table: PK (id, organisation_id); every FK and unique
 *   key includes organisation_id (test/store/distribution.test.ts).
 * - Organisations and services have an owner among the staff and a next contact
 *   date (handover, engine/handover.ts).
 * - `directory_services.search_text` is a generated column (name, other name,
 *   description, eligibility, fees, how to apply; lower-cased, one per line) with a
 *   trigram index, as in core migration 015 (pg_trgm is loaded on PGlite too).
 * - Times of day are text "HH:MM" (Asia/Tokyo; 24:00 allowed as a closing time)
 *   and dates are `date`; both databases read them back as text through to_char.
 * - Schedules and closures are rows only here; their occurrences are computed in
 *   src/directory/domain/ (Dev B).
 */
import type { Migration } from "../../../store/migrations.ts";

const TIME = (column: string) => `${column} text check (${column} ~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$')`;

export const hsdsCoreMigration: Migration = {
  id: 2000,
  name: "directory-hsds-core",
  // One line per statement for do-blocks: the runner splits at a semicolon that ends a line.
  sql: `
create table directory_organizations (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  name text not null,
  alternate_name text,
  description text not null default '',
  email text,
  website text,
  parent_id uuid,
  owner_person_id uuid,
  next_contact_on date,
  listed boolean not null default true,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  archived_at timestamptz,
  primary key (id, organisation_id),
  foreign key (parent_id, organisation_id) references directory_organizations (id, organisation_id) on delete set null (parent_id),
  foreign key (owner_person_id, organisation_id) references people (id, organisation_id) on delete set null (owner_person_id)
);
create index directory_organizations_name on directory_organizations (organisation_id, name);
create index directory_organizations_owner on directory_organizations (owner_person_id, organisation_id) where owner_person_id is not null;

create table directory_services (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  directory_organization_id uuid not null,
  name text not null,
  alternate_name text,
  description text not null default '',
  url text,
  email text,
  status text not null default 'active' check (status in ('active', 'inactive', 'defunct', 'temporarily closed')),
  eligibility_description text,
  minimum_age int check (minimum_age between 0 and 150),
  maximum_age int check (maximum_age between 0 and 150),
  fees_description text,
  application_process text,
  alert text,
  assured_date date,
  assured_by text,
  assured_by_person_id uuid,
  assurer_email text,
  listed boolean not null default true,
  owner_person_id uuid,
  next_contact_on date,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  archived_at timestamptz,
  search_text text not null generated always as (lower(name || E'\\n' || coalesce(alternate_name, '') || E'\\n' || description || E'\\n' || coalesce(eligibility_description, '') || E'\\n' || coalesce(fees_description, '') || E'\\n' || coalesce(application_process, ''))) stored,
  primary key (id, organisation_id),
  check (minimum_age is null or maximum_age is null or minimum_age <= maximum_age),
  foreign key (directory_organization_id, organisation_id) references directory_organizations (id, organisation_id) on delete cascade,
  foreign key (assured_by_person_id, organisation_id) references people (id, organisation_id) on delete set null (assured_by_person_id),
  foreign key (owner_person_id, organisation_id) references people (id, organisation_id) on delete set null (owner_person_id)
);
create index directory_services_provider on directory_services (directory_organization_id, organisation_id);
create index directory_services_assured on directory_services (organisation_id, assured_date);
create index directory_services_modified on directory_services (organisation_id, updated_at);
create index directory_services_owner on directory_services (owner_person_id, organisation_id) where owner_person_id is not null;
do $$ begin execute format('create index directory_services_search on directory_services using gin (search_text %I.gin_trgm_ops)', (select n.nspname from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm')); end $$;

create table directory_locations (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  directory_organization_id uuid,
  location_type text not null check (location_type in ('physical', 'postal', 'virtual')),
  name text,
  alternate_name text,
  description text,
  transportation text,
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  url text,
  accessibility_description text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  archived_at timestamptz,
  primary key (id, organisation_id),
  foreign key (directory_organization_id, organisation_id) references directory_organizations (id, organisation_id) on delete cascade
);
create index directory_locations_provider on directory_locations (directory_organization_id, organisation_id);

create table directory_addresses (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  location_id uuid not null,
  address_type text not null check (address_type in ('physical', 'postal', 'virtual')),
  attention text,
  address_1 text not null,
  address_2 text,
  city text not null,
  region text,
  state_province text not null,
  postal_code text not null,
  country text not null default 'JP',
  primary key (id, organisation_id),
  foreign key (location_id, organisation_id) references directory_locations (id, organisation_id) on delete cascade
);
create index directory_addresses_location on directory_addresses (location_id, organisation_id);
create index directory_addresses_postal_code on directory_addresses (organisation_id, postal_code);

create table directory_service_at_locations (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  service_id uuid not null,
  location_id uuid not null,
  description text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (id, organisation_id),
  foreign key (service_id, organisation_id) references directory_services (id, organisation_id) on delete cascade,
  foreign key (location_id, organisation_id) references directory_locations (id, organisation_id) on delete cascade
);
create unique index directory_service_at_locations_pair on directory_service_at_locations (organisation_id, service_id, location_id);
create index directory_service_at_locations_location on directory_service_at_locations (location_id, organisation_id);

create table directory_schedules (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  service_id uuid,
  location_id uuid,
  service_at_location_id uuid,
  kind text not null check (kind in ('opening_hours', 'event')),
  freq text check (freq in ('WEEKLY', 'MONTHLY')),
  "interval" int check ("interval" between 1 and 52),
  byday text,
  bymonthday text,
  count int check (count between 1 and 1000),
  wkst text check (wkst in ('MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU')),
  dtstart date,
  until date,
  ${TIME("opens_at")},
  ${TIME("closes_at")},
  valid_from date,
  valid_to date,
  description text,
  attending_type text,
  notes text,
  closed_on_holidays boolean not null default true,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (id, organisation_id),
  check (num_nonnulls(service_id, location_id, service_at_location_id) = 1),
  check (freq is not null or dtstart is not null),
  check (valid_from is null or valid_to is null or valid_from <= valid_to),
  foreign key (service_id, organisation_id) references directory_services (id, organisation_id) on delete cascade,
  foreign key (location_id, organisation_id) references directory_locations (id, organisation_id) on delete cascade,
  foreign key (service_at_location_id, organisation_id) references directory_service_at_locations (id, organisation_id) on delete cascade
);
create index directory_schedules_service on directory_schedules (service_id, organisation_id) where service_id is not null;
create index directory_schedules_location on directory_schedules (location_id, organisation_id) where location_id is not null;
create index directory_schedules_service_at_location on directory_schedules (service_at_location_id, organisation_id) where service_at_location_id is not null;

create table directory_closures (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  directory_organization_id uuid,
  service_id uuid,
  kind text not null check (kind in ('year_end', 'holiday', 'ad_hoc')),
  starts_on date not null,
  ends_on date not null,
  reason text,
  created_at timestamptz not null,
  primary key (id, organisation_id),
  check (starts_on <= ends_on),
  foreign key (directory_organization_id, organisation_id) references directory_organizations (id, organisation_id) on delete cascade,
  foreign key (service_id, organisation_id) references directory_services (id, organisation_id) on delete cascade
);
create index directory_closures_dates on directory_closures (organisation_id, ends_on);

create table directory_service_areas (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  service_id uuid,
  service_at_location_id uuid,
  name text not null,
  area_kind text not null check (area_kind in ('whole', 'team', 'postal_code', 'town')),
  area_value text,
  description text,
  created_at timestamptz not null,
  primary key (id, organisation_id),
  check (num_nonnulls(service_id, service_at_location_id) = 1),
  check ((area_kind = 'whole') = (area_value is null)),
  foreign key (service_id, organisation_id) references directory_services (id, organisation_id) on delete cascade,
  foreign key (service_at_location_id, organisation_id) references directory_service_at_locations (id, organisation_id) on delete cascade
);
create index directory_service_areas_service on directory_service_areas (service_id, organisation_id) where service_id is not null;
create index directory_service_areas_value on directory_service_areas (organisation_id, area_kind, area_value);

create table directory_contacts (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  directory_organization_id uuid,
  service_id uuid,
  service_at_location_id uuid,
  location_id uuid,
  name text,
  title text,
  department text,
  email text,
  created_at timestamptz not null,
  primary key (id, organisation_id),
  check (num_nonnulls(directory_organization_id, service_id, service_at_location_id, location_id) = 1),
  foreign key (directory_organization_id, organisation_id) references directory_organizations (id, organisation_id) on delete cascade,
  foreign key (service_id, organisation_id) references directory_services (id, organisation_id) on delete cascade,
  foreign key (service_at_location_id, organisation_id) references directory_service_at_locations (id, organisation_id) on delete cascade,
  foreign key (location_id, organisation_id) references directory_locations (id, organisation_id) on delete cascade
);

create table directory_phones (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  directory_organization_id uuid,
  service_id uuid,
  service_at_location_id uuid,
  location_id uuid,
  contact_id uuid,
  number text not null,
  extension text,
  type text check (type in ('text', 'voice', 'fax', 'cell', 'video', 'pager', 'textphone')),
  description text,
  created_at timestamptz not null,
  primary key (id, organisation_id),
  check (num_nonnulls(directory_organization_id, service_id, service_at_location_id, location_id, contact_id) = 1),
  foreign key (directory_organization_id, organisation_id) references directory_organizations (id, organisation_id) on delete cascade,
  foreign key (service_id, organisation_id) references directory_services (id, organisation_id) on delete cascade,
  foreign key (service_at_location_id, organisation_id) references directory_service_at_locations (id, organisation_id) on delete cascade,
  foreign key (location_id, organisation_id) references directory_locations (id, organisation_id) on delete cascade,
  foreign key (contact_id, organisation_id) references directory_contacts (id, organisation_id) on delete cascade
);

create table directory_taxonomy_terms (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  code text not null,
  name text not null,
  parent_code text,
  description text not null default '',
  mapped_code text,
  language text not null default 'ja',
  created_at timestamptz not null,
  primary key (id, organisation_id)
);
create unique index directory_taxonomy_terms_code on directory_taxonomy_terms (organisation_id, code);

create table directory_attributes (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  link_entity text not null check (link_entity in ('organization', 'service', 'location', 'service_at_location')),
  link_id uuid not null,
  taxonomy_code text not null,
  value text,
  label text,
  created_at timestamptz not null,
  primary key (id, organisation_id)
);
create unique index directory_attributes_link on directory_attributes (organisation_id, link_entity, link_id, taxonomy_code);
create index directory_attributes_code on directory_attributes (organisation_id, taxonomy_code, link_entity);

create table directory_capacities (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  service_id uuid not null,
  unit text not null,
  available int not null check (available >= 0),
  maximum int check (maximum >= 0),
  description text,
  updated_at timestamptz not null,
  primary key (id, organisation_id),
  check (maximum is null or available <= maximum),
  foreign key (service_id, organisation_id) references directory_services (id, organisation_id) on delete cascade
);
create unique index directory_capacities_unit on directory_capacities (organisation_id, service_id, unit);

create table directory_metadata (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  resource_type text not null,
  resource_id uuid not null,
  action text not null check (action in ('create', 'update', 'delete')),
  field_name text not null,
  previous_value text,
  replacement_value text,
  updated_by text not null,
  updated_at timestamptz not null,
  primary key (id, organisation_id)
);
create index directory_metadata_resource on directory_metadata (organisation_id, resource_type, resource_id, updated_at);

create table directory_invitations (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  directory_organization_id uuid,
  service_id uuid,
  email text,
  token_hash text not null,
  created_by text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz,
  primary key (id, organisation_id),
  check (num_nonnulls(directory_organization_id, service_id) = 1),
  foreign key (directory_organization_id, organisation_id) references directory_organizations (id, organisation_id) on delete cascade,
  foreign key (service_id, organisation_id) references directory_services (id, organisation_id) on delete cascade
);
create index directory_invitations_token on directory_invitations (token_hash);

create table directory_proposed_changes (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  invitation_id uuid not null,
  resource_type text not null check (resource_type in ('organization', 'service')),
  resource_id uuid not null,
  changes jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected')),
  submitted_at timestamptz not null,
  decided_by text,
  decided_at timestamptz,
  decision_note text,
  primary key (id, organisation_id),
  foreign key (invitation_id, organisation_id) references directory_invitations (id, organisation_id) on delete cascade
);
create index directory_proposed_changes_pending on directory_proposed_changes (organisation_id, status, submitted_at)`,
};
