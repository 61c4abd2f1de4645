/**
 * The receiving organisation's private link to a referral (issue 14: both sides
 * see the state): engine/referral-links.ts.
 * - directory_referral_links: one row per link a coordinator made for a
 *   referral; only the token's SHA-256 hash is kept; it expires and can be
 *   revoked; a new link for the same referral revokes the one before (one live
 *   link per referral, the partial unique index). `last_opened_at` shows the
 *   coordinator that the receiver looked.
 * Every PK is (id, organisation_id); every FK and unique key includes organisation_id.
 */
import type { Migration } from "../../../store/migrations.ts";

export const referralLinksMigration: Migration = {
  id: 2060,
  name: "directory-referral-links",
  sql: `
create table directory_referral_links (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  referral_id uuid not null,
  token_hash text not null,
  created_by text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  revoked_by text,
  last_opened_at timestamptz,
  primary key (id, organisation_id),
  foreign key (referral_id, organisation_id) references directory_referrals (id, organisation_id) on delete cascade
);
create index directory_referral_links_token on directory_referral_links (token_hash);
create unique index directory_referral_links_live on directory_referral_links (referral_id, organisation_id) where revoked_at is null;
`,
};
