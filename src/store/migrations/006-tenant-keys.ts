/**
 * Client-supplied keys belong to their organisation, and API tokens are
 * listed, revoked and may expire.
 *
 * - `answers.idempotency_key` was unique across the instance: one
 *   organisation's key made another's answer a "duplicate" (nothing recorded,
 *   a `need_contact` silently dropped). It is unique per organisation now.
 * - `api_tokens.last_used_at` (kept to the minute, see http/auth.ts) and
 *   `expires_at` (optional, set at creation).
 */
import type { Migration } from "../migrations.ts";

export const tenantKeysMigration: Migration = {
  id: 6,
  name: "tenant-keys",
  sql: `
alter table answers drop constraint answers_idempotency_key_key;
create unique index answers_org_idempotency on answers (organisation_id, idempotency_key) where idempotency_key is not null;

alter table api_tokens add column last_used_at timestamptz;
alter table api_tokens add column expires_at timestamptz;
create index api_tokens_org on api_tokens (organisation_id, created_at);
`,
};
