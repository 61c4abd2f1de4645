/**
 * Issue 14, what the acceptance review found missing:
 * - A phone's languages (HSDS 3.1 phone.json `languages`: the languages spoken
 *   on that line), ISO 639-1 codes ("ja", "en", "zh"), in the order given.
 * - The organisation's own taxonomy terms can be retired (no longer offered for
 *   new use, still shown where a record already carries the code) and say when
 *   they last changed; a term in use is retired, never deleted
 *   (engine/taxonomy-terms.ts).
 */
import type { Migration } from "../../../store/migrations.ts";

export const phonesOwnTermsMigration: Migration = {
  id: 2100,
  name: "directory-phones-own-terms",
  sql: `
alter table directory_phones add column languages text[] not null default '{}';
alter table directory_taxonomy_terms add column retired_at timestamptz, add column updated_at timestamptz;
update directory_taxonomy_terms set updated_at = created_at;
alter table directory_taxonomy_terms alter column updated_at set not null`,
};
