/**
 * Branding and terms of use (issue 12, 設定):
 * - `organisation_logos`: the logo or top image members see on the check-in page
 *   and staff in the console's header; one per organisation, PNG, JPEG or WebP
 *   (checked by its magic bytes), at most 512 KiB, served from our own origin.
 *   The service name members read lives in `organisations.settings.serviceName`.
 * - `terms_versions`: each published version of the terms of use (a version label,
 *   its text and/or URL, when and by whom it was published); the latest published
 *   is the current one. Members' agreement stays in `members.consent`
 *   ({ termsVersion, at }); a new version asks them to agree again.
 * - `links.terms_version_id`: a one-tap link (SMS, e-mail) that asks a member to
 *   agree to a version (purpose `terms`).
 */
import type { Migration } from "../migrations.ts";

export const brandingAndTermsMigration: Migration = {
  id: 21,
  name: "branding-and-terms",
  sql: `
create table organisation_logos (
  organisation_id uuid not null primary key references organisations(id) on delete cascade,
  content_type text not null check (content_type in ('image/png', 'image/jpeg', 'image/webp')),
  bytes bytea not null,
  sha256 text not null,
  updated_at timestamptz not null
);
create table terms_versions (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  version text not null,
  body text,
  url text,
  published_at timestamptz not null,
  published_by text not null,
  primary key (id, organisation_id),
  unique (organisation_id, version)
);
create index terms_versions_latest on terms_versions (organisation_id, published_at);
alter table links add column terms_version_id uuid;
alter table links drop constraint links_purpose_check;
alter table links add constraint links_purpose_check check (purpose in ('checkin', 'alert', 'confirm_contact', 'broadcast', 'terms'))
`,
};
