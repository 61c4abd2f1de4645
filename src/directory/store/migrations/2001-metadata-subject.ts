/**
 * The history of a service (or provider, or location) includes its parts'
 * changes — a schedule, a service area, a capacity, a taxonomy code — even after
 * the part is deleted, when its own id can no longer be found from the service.
 * So each metadata row also names the record it belongs to (`subject_type`,
 * `subject_id`: the record itself for a provider's, service's or location's own
 * fields). No foreign key: the history outlives what it describes.
 */
import type { Migration } from "../../../store/migrations.ts";

export const metadataSubjectMigration: Migration = {
  id: 2001,
  name: "directory-metadata-subject",
  sql: `
alter table directory_metadata add column subject_type text, add column subject_id uuid;
update directory_metadata set subject_type = resource_type, subject_id = resource_id;
alter table directory_metadata alter column subject_type set not null, alter column subject_id set not null;
create index directory_metadata_subject on directory_metadata (organisation_id, subject_id, updated_at)`,
};
