/**
 * Writes DirectoryRows (test/support/directory-rows.ts) into the directory_*
 * tables of one organisation, straight through the store: the HSDS tests read
 * what the directory's commands would have written, without depending on them.
 */
import type { DirectoryRows } from "../../src/directory/domain/hsds.ts";
import type { Db } from "../../src/store/db.ts";

export interface SeedOptions {
  /** Ids of organisations and services written as not listed. */
  unlisted?: readonly string[];
  /** Ids of organisations, services and locations written as archived. */
  archived?: readonly string[];
  /** The organisation's own taxonomy terms. */
  terms?: { id: string; code: string; name: string; parent_code: string | null }[];
}

/** Inserts the rows for `organisationId`; ids must be fresh in that organisation. */
export async function seedDirectory(db: Db, organisationId: string, rows: DirectoryRows, options: SeedOptions = {}): Promise<void> {
  const at = new Date("2027-01-04T00:00:00Z");
  const listed = (id: string) => !(options.unlisted ?? []).includes(id);
  const archived = (id: string) => ((options.archived ?? []).includes(id) ? at : null);
  const o = { organisation_id: organisationId };
  // Parents first: an organisation's parent must exist when it is inserted.
  const orgs = [...rows.organizations].sort((a, b) => (a.parent_id === null ? -1 : 0) - (b.parent_id === null ? -1 : 0));
  for (const r of orgs) {
    await db.insertInto("directory_organizations").values({ ...o, ...r, listed: listed(r.id), archived_at: archived(r.id), created_at: at, updated_at: at }).execute();
  }
  for (const { updated_at, ...r } of rows.services) {
    await db.insertInto("directory_services").values({ ...o, ...r, listed: listed(r.id), archived_at: archived(r.id), created_at: at, updated_at }).execute();
  }
  for (const r of rows.locations) await db.insertInto("directory_locations").values({ ...o, ...r, archived_at: archived(r.id), created_at: at, updated_at: at }).execute();
  for (const r of rows.addresses) await db.insertInto("directory_addresses").values({ ...o, ...r }).execute();
  for (const r of rows.serviceAtLocations) await db.insertInto("directory_service_at_locations").values({ ...o, ...r, created_at: at, updated_at: at }).execute();
  for (const r of rows.schedules) await db.insertInto("directory_schedules").values({ ...o, ...r, created_at: at, updated_at: at }).execute();
  for (const r of rows.closures) await db.insertInto("directory_closures").values({ ...o, ...r, created_at: at }).execute();
  for (const r of rows.serviceAreas) await db.insertInto("directory_service_areas").values({ ...o, ...r, created_at: at }).execute();
  for (const r of rows.contacts) await db.insertInto("directory_contacts").values({ ...o, ...r, created_at: at }).execute();
  for (const r of rows.phones) {
    await db.insertInto("directory_phones").values({ ...o, ...r, languages: [...r.languages], type: r.type as "voice" | null, created_at: at }).execute();
  }
  for (const t of options.terms ?? []) {
    await db.insertInto("directory_taxonomy_terms").values({ ...o, ...t, description: "", mapped_code: null, created_at: at, updated_at: at }).execute();
  }
  for (const r of rows.attributes) await db.insertInto("directory_attributes").values({ ...o, ...r, created_at: at }).execute();
  for (const r of rows.capacities) await db.insertInto("directory_capacities").values({ ...o, ...r }).execute();
  for (const r of rows.metadata) {
    const type = r.resource_type as "service";
    await db.insertInto("directory_metadata").values({ ...o, ...r, resource_type: type, subject_type: type, subject_id: r.resource_id }).execute();
  }
}
