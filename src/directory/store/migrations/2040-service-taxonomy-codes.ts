/**
 * A service's taxonomy codes as an array on the service (`taxonomy_codes`, sorted,
 * byte order), with a GIN index, so that finding the services of some codes is a
 * filter on one table (`taxonomy_codes && $codes`) instead of a join to
 * `directory_attributes`. Why: without table statistics (right after a bulk load,
 * or with autovacuum off) PostgreSQL planned that join as a nested loop that read
 * every service's attributes once per service: 2.5 s for a need's matches at 2,000
 * services and over 90 s at 20,000, 1.4 ms after ANALYZE (bench/directory.ts,
 * 2026-12-01). A filter on one table is linear whatever plan is chosen.
 *
 * `directory_attributes` stays the record (HSDS attributes, with their history);
 * statement triggers keep the array equal to the service's attribute codes after
 * every insert, update and delete, and write nothing when it is already equal (the
 * bulk import, engine/service-import.ts, inserts services with their codes set).
 */
import type { Migration } from "../../../store/migrations.ts";

/** The codes of the services named by the rows of `changed` (a transition table), written where they differ. */
const refresh = (changed: string) =>
  `update directory_services s set taxonomy_codes = c.codes from (select k.organisation_id, k.link_id, coalesce((select array_agg(a.taxonomy_code order by a.taxonomy_code collate "C") from directory_attributes a where a.organisation_id = k.organisation_id and a.link_entity = 'service' and a.link_id = k.link_id), '{}') as codes from (select distinct organisation_id, link_id from ${changed} where link_entity = 'service') k) c where s.id = c.link_id and s.organisation_id = c.organisation_id and s.taxonomy_codes is distinct from c.codes;`;

export const serviceTaxonomyCodesMigration: Migration = {
  id: 2040,
  name: "directory-service-taxonomy-codes",
  // One line per statement for function bodies: the runner splits at a semicolon that ends a line.
  sql: `
alter table directory_services add column taxonomy_codes text[] not null default '{}';
update directory_services s set taxonomy_codes = c.codes from (select organisation_id, link_id, array_agg(taxonomy_code order by taxonomy_code collate "C") as codes from directory_attributes where link_entity = 'service' group by organisation_id, link_id) c where s.id = c.link_id and s.organisation_id = c.organisation_id;
create index directory_services_taxonomy on directory_services using gin (taxonomy_codes);
create function directory_service_codes_keep() returns trigger language plpgsql as $f$ begin if tg_op in ('INSERT', 'UPDATE') then ${refresh("changed_new")} end if; if tg_op in ('DELETE', 'UPDATE') then ${refresh("changed_old")} end if; return null; end $f$;
create trigger directory_attributes_codes_insert after insert on directory_attributes referencing new table as changed_new for each statement execute function directory_service_codes_keep();
create trigger directory_attributes_codes_update after update on directory_attributes referencing old table as changed_old new table as changed_new for each statement execute function directory_service_codes_keep();
create trigger directory_attributes_codes_delete after delete on directory_attributes referencing old table as changed_old for each statement execute function directory_service_codes_keep()`,
};
