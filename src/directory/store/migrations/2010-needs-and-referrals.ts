/**
 * Needs, volunteers and referrals (issue 14; docs/design/directory-hsds-research.md §3, §4):
 * - directory_needs: a member's 困りごと with taxonomy codes, where it was found
 *   (console, an incident's or a visit's outcome, a partner's report, with that
 *   record's id) and its state. Consent to share is checked at share time (a port).
 * - directory_volunteers: 生活支援の担い手 — skills (taxonomy codes), areas and
 *   weekly slots (JSON), an on-duty switch, their own limit of open requests,
 *   when they were last asked (fairness); a login (person_id) for the mobile view.
 * - directory_volunteer_requests: one offer of a need to a volunteer; respond_by is
 *   the deadline the deciding loop's `volunteer-offers` phase expires.
 * - directory_volunteer_contacts: the volunteers' log of contacts with members, and
 *   a coordinator's acknowledgement.
 * - directory_referrals: to a provider (and a service), FHIR Task states; deleted
 *   softly with a reason; which fields went out under which disclosure.
 * - directory_referral_events: every move, append-only (reopen is a new row).
 * Every PK is (id, organisation_id); every FK and unique key includes organisation_id.
 */
import type { Migration } from "../../../store/migrations.ts";

export const needsAndReferralsMigration: Migration = {
  id: 2010,
  name: "directory-needs-volunteers-referrals",
  sql: `
create table directory_needs (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  member_id uuid not null,
  source text not null check (source in ('console', 'incident', 'visit', 'partner_report')),
  source_id uuid,
  taxonomy_codes text[] not null check (cardinality(taxonomy_codes) between 1 and 20),
  note text not null default '',
  wanted_at timestamptz,
  status text not null default 'open' check (status in ('open', 'matched', 'referred', 'resolved', 'withdrawn')),
  created_by text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  closed_at timestamptz,
  primary key (id, organisation_id),
  check (source = 'console' or source_id is not null),
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade
);
create index directory_needs_member on directory_needs (member_id, organisation_id);
create index directory_needs_status on directory_needs (organisation_id, status, created_at);
create index directory_needs_source on directory_needs (organisation_id, source, source_id) where source_id is not null;
create table directory_volunteers (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  person_id uuid,
  display_name text not null,
  phone text,
  skills text[] not null default '{}',
  areas jsonb not null default '[]',
  availability jsonb not null default '[]',
  on_duty boolean not null default true,
  max_open_requests int check (max_open_requests between 1 and 10),
  last_asked_at timestamptz,
  note text,
  owner_person_id uuid,
  next_contact_on date,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  archived_at timestamptz,
  primary key (id, organisation_id),
  foreign key (person_id, organisation_id) references people (id, organisation_id) on delete set null (person_id),
  foreign key (owner_person_id, organisation_id) references people (id, organisation_id) on delete set null (owner_person_id)
);
create unique index directory_volunteers_person on directory_volunteers (organisation_id, person_id);
create index directory_volunteers_skills on directory_volunteers using gin (skills);
create index directory_volunteers_org on directory_volunteers (organisation_id, on_duty) where archived_at is null;
create table directory_volunteer_requests (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  need_id uuid not null,
  volunteer_id uuid not null,
  status text not null default 'offered' check (status in ('offered', 'accepted', 'declined', 'expired', 'withdrawn')),
  offered_by text not null,
  offered_at timestamptz not null,
  respond_by timestamptz,
  answered_at timestamptz,
  reason text,
  primary key (id, organisation_id),
  check (status = 'offered' or respond_by is null),
  foreign key (need_id, organisation_id) references directory_needs (id, organisation_id) on delete cascade,
  foreign key (volunteer_id, organisation_id) references directory_volunteers (id, organisation_id) on delete cascade
);
create unique index directory_volunteer_requests_pair on directory_volunteer_requests (organisation_id, need_id, volunteer_id);
create index directory_volunteer_requests_volunteer on directory_volunteer_requests (volunteer_id, organisation_id, status);
create index directory_volunteer_requests_due on directory_volunteer_requests (respond_by) where respond_by is not null;
create table directory_volunteer_contacts (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  volunteer_id uuid not null,
  member_id uuid,
  need_id uuid,
  contacted_at timestamptz not null,
  note text not null,
  recorded_by text not null,
  recorded_at timestamptz not null,
  acknowledged_by text,
  acknowledged_at timestamptz,
  primary key (id, organisation_id),
  foreign key (volunteer_id, organisation_id) references directory_volunteers (id, organisation_id) on delete cascade,
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade,
  foreign key (need_id, organisation_id) references directory_needs (id, organisation_id) on delete set null (need_id)
);
create index directory_volunteer_contacts_volunteer on directory_volunteer_contacts (volunteer_id, organisation_id, contacted_at);
create index directory_volunteer_contacts_member on directory_volunteer_contacts (member_id, organisation_id) where member_id is not null;
create index directory_volunteer_contacts_unacknowledged on directory_volunteer_contacts (organisation_id, contacted_at) where acknowledged_at is null;
create table directory_referrals (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  need_id uuid,
  member_id uuid not null,
  to_directory_organization_id uuid not null,
  service_id uuid,
  status text not null default 'requested' check (status in ('requested', 'received', 'accepted', 'rejected', 'cancelled', 'in-progress', 'on-hold', 'completed')),
  note text not null default '',
  shared_fields text[] not null default '{}',
  disclosure_id uuid,
  created_by text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  deleted_at timestamptz,
  deleted_by text,
  delete_reason text,
  primary key (id, organisation_id),
  check ((deleted_at is null) = (delete_reason is null)),
  foreign key (need_id, organisation_id) references directory_needs (id, organisation_id) on delete set null (need_id),
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade,
  foreign key (to_directory_organization_id, organisation_id) references directory_organizations (id, organisation_id) on delete cascade,
  foreign key (service_id, organisation_id) references directory_services (id, organisation_id) on delete set null (service_id)
);
create index directory_referrals_member on directory_referrals (member_id, organisation_id);
create index directory_referrals_need on directory_referrals (need_id, organisation_id) where need_id is not null;
create index directory_referrals_status on directory_referrals (organisation_id, status, updated_at) where deleted_at is null;
create table directory_referral_events (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  referral_id uuid not null,
  kind text not null check (kind in ('create', 'step', 'cancel', 'reopen', 'delete', 'share')),
  from_status text,
  to_status text,
  side text not null check (side in ('sender', 'receiver')),
  actor text not null,
  reason text,
  at timestamptz not null,
  primary key (id, organisation_id),
  foreign key (referral_id, organisation_id) references directory_referrals (id, organisation_id) on delete cascade
);
create index directory_referral_events_referral on directory_referral_events (referral_id, organisation_id, at)`,
};
