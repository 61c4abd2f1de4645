/**
 * Phone, SMS, e-mail and the web check-in page.
 *
 * - `outbox.provider_id` / `outbox.outcome`: a call or an SMS is accepted by the
 *   provider first and reaches the person (or not) later; the provider's status
 *   callback finds the row by its id and records how it ended.
 * - `outbox.slot_at`: the send slot a paced message (phone calls are capped per
 *   organisation) was given, so it is not given a second one when it comes due.
 * - `send_pacing`: the next free slot per organisation and channel, one row that
 *   every sender process reserves from, so the cap holds across processes.
 * - `links`: one-tap links in SMS and e-mail. Only a hash of the token is kept;
 *   each link is tied to one check-in, incident or contact and does one thing.
 * - `observations`: answers to the organisation's daily questions (体調・睡眠…).
 */
import type { Migration } from "../migrations.ts";

export const phoneAndLinksMigration: Migration = {
  id: 5,
  name: "phone-and-links",
  sql: `
alter table outbox add column provider_id text;
alter table outbox add column outcome text;
alter table outbox add column slot_at timestamptz;
create index outbox_provider on outbox (provider_id) where provider_id is not null;
create index outbox_failed on outbox (organisation_id, created_at desc) where status = 'failed';

create table send_pacing (
  organisation_id uuid not null,
  channel_kind text not null,
  next_free_at timestamptz not null,
  primary key (organisation_id, channel_kind)
);

create table links (
  token_hash text primary key,
  organisation_id uuid not null references organisations(id) on delete cascade,
  purpose text not null check (purpose in ('checkin', 'alert', 'confirm_contact', 'broadcast')),
  member_id uuid,
  checkin_id uuid,
  incident_id uuid,
  contact_id uuid,
  broadcast_id uuid,
  recipient_kind text not null,
  recipient_id text not null,
  channel_kind text not null,
  outbox_key text not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  used_for text,
  created_at timestamptz not null
);
create index links_expired on links (expires_at);

create table observations (
  id uuid primary key,
  organisation_id uuid not null,
  member_id uuid not null references members(id) on delete cascade,
  checkin_id uuid,
  question text not null,
  value text not null,
  label text not null,
  channel text not null,
  observed_at timestamptz not null,
  idempotency_key text not null unique
);
create index observations_member on observations (member_id, observed_at desc);
`,
};
