/**
 * People's passkeys, their on-duty channels, and a TOTP replay guard (issue 11).
 *
 * - `people.totp_last_step`: the last 30-second TOTP step a person signed in
 *   with; a code of that step or an earlier one is refused (RFC 6238 §5.2: an
 *   OTP is accepted once).
 * - `people.accepted_at`: when the person accepted their (latest) invitation;
 *   null while invited. A person who chose a passkey has no password, so the
 *   password no longer tells.
 * - `people.email`: where an e-mailed invitation goes (optional).
 * - `people.on_duty`: whether a staff member receives their teams' alerts now.
 * - `person_passkeys`: WebAuthn credentials (public key, signature counter);
 *   found by credential id at sign-in, before the organisation is known, through
 *   the plain index, as sessions are.
 * - `webauthn_challenges`: one row per registration or sign-in ceremony, with
 *   its expiry, used once. A reference table: a passkey sign-in's challenge is
 *   made before anyone (and so any organisation) is known.
 * - `person_channels`: the addresses at which a staff member receives team
 *   alerts while on duty (e-mail, SMS, phone, LINE).
 */
import type { Migration } from "../migrations.ts";

export const passkeysMigration: Migration = {
  id: 13,
  name: "passkeys",
  sql: `
alter table people add column totp_last_step int;
alter table people add column accepted_at timestamptz;
update people set accepted_at = created_at where password_hash is not null;
alter table people add column email text;
alter table people add column on_duty boolean not null default false;

create table person_passkeys (
  id uuid not null,
  organisation_id uuid not null,
  person_id uuid not null,
  credential_id text not null,
  public_key text not null,
  counter bigint not null,
  transports jsonb not null default '[]',
  device_type text not null,
  backed_up boolean not null,
  name text not null,
  created_at timestamptz not null,
  last_used_at timestamptz,
  primary key (id, organisation_id),
  foreign key (person_id, organisation_id) references people (id, organisation_id) on delete cascade
);
create unique index person_passkeys_credential on person_passkeys (credential_id, organisation_id);
create index person_passkeys_credential_lookup on person_passkeys (credential_id);
create index person_passkeys_person on person_passkeys (person_id, created_at);

create table webauthn_challenges (
  id uuid primary key,
  challenge text not null,
  purpose text not null,
  organisation_id uuid,
  person_id uuid,
  invitation_hash text,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null
);
create index webauthn_challenges_expiry on webauthn_challenges (expires_at);

create table person_channels (
  id uuid not null,
  organisation_id uuid not null,
  person_id uuid not null,
  kind text not null,
  address text not null,
  created_at timestamptz not null,
  primary key (id, organisation_id),
  foreign key (person_id, organisation_id) references people (id, organisation_id) on delete cascade
);
create unique index person_channels_address on person_channels (person_id, kind, address, organisation_id);
`,
};
