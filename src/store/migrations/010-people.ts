/**
 * People's accounts (issue 11): the humans who sign in to the console, as
 * opposed to API tokens, which stay for machines.
 *
 * - `people`: one per person and organisation; `login_id` is unique per
 *   organisation (sign-in finds a person by it across organisations through the
 *   plain index, and asks which organisation only when two match). The
 *   password is an argon2id hash; the TOTP secret is sealed with the service's
 *   secret key. `failed_attempts`/`locked_until`: lock-out after repeated failures.
 * - `person_teams`: the teams a staff member belongs to.
 * - `person_invitations`: a one-time code (only its SHA-256 stored) with which
 *   an invited person sets their password and second factor; the TOTP secret it
 *   will install is generated with it, sealed.
 * - `sessions`: server-side sessions behind an HttpOnly cookie; only the
 *   SHA-256 of the cookie's value is stored, with the CSRF token that writes
 *   must echo.
 */
import type { Migration } from "../migrations.ts";

export const peopleMigration: Migration = {
  id: 10,
  name: "people",
  sql: `
create table people (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  display_name text not null,
  login_id text not null,
  role text not null,
  password_hash text,
  totp_secret text,
  failed_attempts int not null default 0,
  locked_until timestamptz,
  deactivated_at timestamptz,
  created_at timestamptz not null,
  created_by text not null,
  primary key (id, organisation_id)
);
create unique index people_org_login on people (organisation_id, login_id);
create index people_login on people (login_id);

create table person_teams (
  organisation_id uuid not null,
  person_id uuid not null,
  team_id uuid not null,
  primary key (person_id, team_id, organisation_id),
  foreign key (person_id, organisation_id) references people (id, organisation_id) on delete cascade,
  foreign key (team_id, organisation_id) references teams (id, organisation_id) on delete cascade
);

create table person_invitations (
  code_hash text not null,
  organisation_id uuid not null,
  person_id uuid not null,
  totp_secret text not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null,
  primary key (code_hash, organisation_id),
  foreign key (person_id, organisation_id) references people (id, organisation_id) on delete cascade
);
create index person_invitations_code on person_invitations (code_hash);

create table sessions (
  id uuid not null,
  organisation_id uuid not null,
  person_id uuid not null,
  token_hash text not null,
  csrf_token text not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  ip text,
  user_agent text,
  primary key (id, organisation_id),
  foreign key (person_id, organisation_id) references people (id, organisation_id) on delete cascade
);
create unique index sessions_token on sessions (token_hash, organisation_id);
create index sessions_token_lookup on sessions (token_hash);
create index sessions_person on sessions (person_id, created_at);
`,
};
