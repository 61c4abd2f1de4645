/**
 * Private links of offers to volunteers without a login (issue 14):
 * engine/offer-links.ts, domain/offer-links.ts.
 * - directory_offer_links: one row per request offered to a volunteer who has
 *   no login, made when the offer's message is queued; only the token's
 *   SHA-256 hash is kept (the token is in the message). It expires with the
 *   offer (its respond_by), is extended when the offer is accepted, and keeps
 *   its rate-limit window (start, count). One link per request (the unique key).
 * Every PK is (id, organisation_id); every FK and unique key includes organisation_id.
 */
import type { Migration } from "../../../store/migrations.ts";

export const volunteerOfferLinksMigration: Migration = {
  id: 2110,
  name: "directory-volunteer-offer-links",
  sql: `
create table directory_offer_links (
  id uuid not null,
  organisation_id uuid not null references organisations(id) on delete cascade,
  request_id uuid not null,
  token_hash text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  last_opened_at timestamptz,
  window_started_at timestamptz,
  window_hits integer not null default 0,
  primary key (id, organisation_id),
  foreign key (request_id, organisation_id) references directory_volunteer_requests (id, organisation_id) on delete cascade
);
create index directory_offer_links_token on directory_offer_links (token_hash);
create unique index directory_offer_links_request on directory_offer_links (request_id, organisation_id);
`,
};
