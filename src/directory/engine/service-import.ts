/**
 * Registering many services at once (a directory brought in from a list, and
 * the bench's 20,000): each service with its taxonomy codes and areas, written
 * as `createDirectoryService`, `setDirectoryTaxonomyCodes` and
 * `addDirectoryServiceArea` write them one by one (the same rows and the same
 * `create` history, records.ts's `insertRecords`), but in one transaction of a
 * few multi-row statements per batch instead of three transactions per service.
 * All or nothing: a refusal names the item and its field and writes nothing.
 */
import { type Db, inTransaction } from "../../store/db.ts";
import { organisationTaxonomy } from "./matches.ts";
import { ATTRIBUTE_SPEC, type DirectoryServiceAreaInput, SERVICE_AREA_SPEC } from "./parts.ts";
import { type DirectoryResult, insertRecords } from "./records.ts";
import { type DirectoryServiceInput, type DirectoryServiceRow, SERVICE_SPEC, serviceColumns } from "./services.ts";

export interface DirectoryServiceImport {
  service: DirectoryServiceInput;
  /** Taxonomy codes (shipped or the organisation's own), as `setDirectoryTaxonomyCodes` takes them. */
  codes?: readonly string[] | undefined;
  areas?: readonly DirectoryServiceAreaInput[] | undefined;
}

export type DirectoryServiceImportRefusal = "unknown_provider" | "unknown_owner" | "age_range" | "unknown_code" | "unknown_team";

/** The ids of `ids` that are rows of `table` of the organisation. */
async function existing(tx: Db, table: "directory_organizations" | "people" | "teams", organisationId: string, ids: readonly string[]): Promise<Set<string>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Set();
  const rows = await tx.selectFrom(table).select("id").where("organisation_id", "=", organisationId).where("id", "in", wanted).execute();
  return new Set(rows.map((r) => r.id));
}

/**
 * Registers the services with their codes and areas, checked as the single
 * commands check them (a provider of the organisation, an owner among its
 * people, minimum age ≤ maximum, known codes, a team area naming a team); the
 * field of a refusal is `<index>.service.<field>`, `<index>.codes.<n>` or
 * `<index>.areas.<n>.areaValue`. Returns the services in the order given.
 */
export async function importDirectoryServices(
  db: Db, organisationId: string, items: readonly DirectoryServiceImport[], by: string, now: Date,
): Promise<DirectoryResult<DirectoryServiceRow[], DirectoryServiceImportRefusal>> {
  return inTransaction(db, async (tx) => {
    const providers = await existing(tx, "directory_organizations", organisationId, items.map((i) => i.service.directoryOrganizationId));
    const owners = await existing(tx, "people", organisationId, items.flatMap((i) => i.service.ownerPersonId ? [i.service.ownerPersonId] : []));
    const teams = await existing(tx, "teams", organisationId, items.flatMap((i) => (i.areas ?? []).flatMap((a) => a.areaKind === "team" && a.areaValue ? [a.areaValue] : [])));
    const known = new Set((await organisationTaxonomy(tx, organisationId)).map((t) => t.code));
    for (const [n, { service, codes, areas }] of items.entries()) {
      if (!providers.has(service.directoryOrganizationId)) return { ok: false, error: "unknown_provider", field: `${n}.service.directoryOrganizationId` };
      if (service.ownerPersonId && !owners.has(service.ownerPersonId)) return { ok: false, error: "unknown_owner", field: `${n}.service.ownerPersonId` };
      if (service.minimumAge != null && service.maximumAge != null && service.minimumAge > service.maximumAge) {
        return { ok: false, error: "age_range", field: `${n}.service.maximumAge` };
      }
      const unknown = (codes ?? []).findIndex((c) => !known.has(c));
      if (unknown >= 0) return { ok: false, error: "unknown_code", field: `${n}.codes.${unknown}` };
      const team = (areas ?? []).findIndex((a) => a.areaKind === "team" && !teams.has(a.areaValue ?? ""));
      if (team >= 0) return { ok: false, error: "unknown_team", field: `${n}.areas.${team}.areaValue` };
    }
    // The codes as migration 2040's triggers would set them (sorted in byte order), so they find nothing to rewrite.
    const services = await insertRecords(tx, SERVICE_SPEC, organisationId, items.map((i) => ({
      ...serviceColumns(i.service), taxonomy_codes: [...new Set(i.codes ?? [])].sort(),
    })), by, now);
    await insertRecords(tx, ATTRIBUTE_SPEC, organisationId, items.flatMap((item, n) => [...new Set(item.codes ?? [])].map((code) => ({
      link_entity: "service", link_id: services[n]!.id, taxonomy_code: code,
    }))), by, now);
    await insertRecords(tx, SERVICE_AREA_SPEC, organisationId, items.flatMap((item, n) => (item.areas ?? []).map((a) => ({
      service_id: services[n]!.id, name: a.name, area_kind: a.areaKind, area_value: a.areaKind === "whole" ? null : a.areaValue ?? null,
      description: a.description ?? null,
    }))), by, now);
    return { ok: true, value: services };
  });
}
