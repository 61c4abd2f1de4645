/**
 * Registration numbers (seed 001, the keyholder and sticker models): the number on
 * a member's card, keyholder (Ota ward's 見守りキーホルダー) or sticker. Staff look a
 * member up by it when the police, the fire service or a hospital calls; a
 * partner's report names it; a finder keys it on the phone. Unique per
 * organisation while in use; a withdrawn number keeps its row (who had it, when).
 */
import type { Migration } from "../../../store/migrations.ts";

export const registrationNumbersMigration: Migration = {
  id: 1000,
  name: "network-registration-numbers",
  sql: `
create table network_registration_numbers (
  id uuid not null,
  organisation_id uuid not null,
  member_id uuid not null,
  number text not null,
  kind text not null check (kind in ('card', 'keyholder', 'sticker')),
  issued_at timestamptz not null,
  issued_by text not null,
  withdrawn_at timestamptz,
  primary key (id, organisation_id),
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade
);
create unique index network_registration_numbers_in_use on network_registration_numbers (number, organisation_id) where withdrawn_at is null;
create index network_registration_numbers_member on network_registration_numbers (member_id, organisation_id)`,
};
