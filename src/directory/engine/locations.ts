/**
 * Locations (HSDS location: physical, postal or virtual) with their main
 * address, and services at locations (which service is given where). Every
 * change happens here, with its history; an address's and a service at
 * location's changes belong to their location's and service's histories.
 */
import type { Selectable } from "kysely";
import { type Db, inTransaction } from "../../store/db.ts";
import type { DirectoryLocationType } from "../domain/kinds.ts";
import type { DirectoryTables } from "../store/schema.ts";
import { ORGANIZATION_SPEC } from "./organizations.ts";
import {
  deleteRecord, type DirectoryResult, insertRecord, readRecord, readRecords, type RecordSpec, selectRecords, toColumns, updateRecord,
} from "./records.ts";
import { SERVICE_SPEC } from "./services.ts";

export type DirectoryLocationRow = Selectable<DirectoryTables["directory_locations"]>;
export type DirectoryAddressRow = Selectable<DirectoryTables["directory_addresses"]>;
export type DirectoryServiceAtLocationRow = Selectable<DirectoryTables["directory_service_at_locations"]>;

export interface DirectoryAddressInput {
  addressType?: DirectoryLocationType | undefined;
  attention?: string | null | undefined;
  /** 番地・建物 (HSDS address_1). */
  address1: string;
  address2?: string | null | undefined;
  /** 市区町村. */
  city: string;
  /** 町名・地域 (our use of HSDS region). */
  region?: string | null | undefined;
  /** 都道府県. */
  stateProvince: string;
  /** 7 digits. */
  postalCode: string;
  /** ISO 3166-1 alpha-2, default JP. */
  country?: string | undefined;
}

export interface DirectoryLocationInput {
  directoryOrganizationId?: string | null | undefined;
  locationType: DirectoryLocationType;
  name?: string | null | undefined;
  alternateName?: string | null | undefined;
  description?: string | null | undefined;
  transportation?: string | null | undefined;
  latitude?: number | null | undefined;
  longitude?: number | null | undefined;
  url?: string | null | undefined;
  accessibilityDescription?: string | null | undefined;
  /** The location's address (null: remove it). */
  address?: DirectoryAddressInput | null | undefined;
}

export type DirectoryLocationRefusal = "not_found" | "unknown_provider";

const FIELDS = {
  directoryOrganizationId: "directory_organization_id", locationType: "location_type", name: "name", alternateName: "alternate_name",
  description: "description", transportation: "transportation", latitude: "latitude", longitude: "longitude", url: "url",
  accessibilityDescription: "accessibility_description",
} as const satisfies Record<Exclude<keyof DirectoryLocationInput, "address">, string>;

export const LOCATION_SPEC = {
  table: "directory_locations",
  resourceType: "location",
  columns: ["id", "organisation_id", ...Object.values(FIELDS), "created_at", "updated_at", "archived_at"],
  dates: [],
  tracked: [...Object.values(FIELDS), "archived_at"],
} as const satisfies RecordSpec;

const ADDRESS_FIELDS = {
  addressType: "address_type", attention: "attention", address1: "address_1", address2: "address_2", city: "city", region: "region",
  stateProvince: "state_province", postalCode: "postal_code", country: "country",
} as const satisfies Record<keyof DirectoryAddressInput, string>;

export const ADDRESS_SPEC = {
  table: "directory_addresses",
  resourceType: "address",
  columns: ["id", "organisation_id", "location_id", ...Object.values(ADDRESS_FIELDS)],
  dates: [],
  tracked: ["location_id", ...Object.values(ADDRESS_FIELDS)],
  subject: (row) => ({ type: "location", id: row.location_id as string }),
} as const satisfies RecordSpec;

export const SERVICE_AT_LOCATION_SPEC = {
  table: "directory_service_at_locations",
  resourceType: "service_at_location",
  columns: ["id", "organisation_id", "service_id", "location_id", "description", "created_at", "updated_at"],
  dates: [],
  tracked: ["service_id", "location_id", "description"],
  subject: (row) => ({ type: "service", id: row.service_id as string }),
} as const satisfies RecordSpec;

export interface DirectoryLocation extends DirectoryLocationRow {
  address: DirectoryAddressRow | null;
}

async function withAddress(db: Db, organisationId: string, location: DirectoryLocationRow): Promise<DirectoryLocation> {
  const [address] = await readRecords(db, ADDRESS_SPEC, organisationId, { location_id: location.id });
  return { ...location, address: address ?? null };
}

/** Sets, changes or removes (null) a location's address, with history. */
async function putAddress(tx: Db, organisationId: string, locationId: string, input: DirectoryAddressInput | null, by: string, now: Date) {
  const [current] = await readRecords(tx, ADDRESS_SPEC, organisationId, { location_id: locationId });
  if (input === null) {
    if (current) await deleteRecord(tx, ADDRESS_SPEC, organisationId, current.id, by, now);
    return;
  }
  const columns = toColumns({ addressType: "physical", country: "JP", ...input }, ADDRESS_FIELDS);
  if (current) await updateRecord(tx, ADDRESS_SPEC, organisationId, current.id, columns, by, now);
  else await insertRecord(tx, ADDRESS_SPEC, organisationId, { ...columns, location_id: locationId }, by, now);
}

/** Registers a location (and its address). */
export async function createDirectoryLocation(
  db: Db, organisationId: string, input: DirectoryLocationInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryLocation, DirectoryLocationRefusal>> {
  return inTransaction(db, (tx) => createDirectoryLocationIn(tx, organisationId, input, by, now));
}

/** `createDirectoryLocation` inside the caller's transaction `tx`. */
export async function createDirectoryLocationIn(
  tx: Db, organisationId: string, input: DirectoryLocationInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryLocation, DirectoryLocationRefusal>> {
  if (input.directoryOrganizationId && !await readRecord(tx, ORGANIZATION_SPEC, organisationId, input.directoryOrganizationId)) {
    return { ok: false, error: "unknown_provider", field: "directoryOrganizationId" };
  }
  const location = await insertRecord(tx, LOCATION_SPEC, organisationId, toColumns({ ...input }, FIELDS), by, now);
  if (input.address) await putAddress(tx, organisationId, location.id, input.address, by, now);
  return { ok: true, value: await withAddress(tx, organisationId, location) };
}

/** Changes the given fields; `address` replaces the address's given fields (null removes it). */
export async function updateDirectoryLocation(
  db: Db, organisationId: string, id: string, patch: Partial<DirectoryLocationInput>, by: string, now: Date,
): Promise<DirectoryResult<DirectoryLocation, DirectoryLocationRefusal>> {
  return inTransaction(db, async (tx) => {
    if (patch.directoryOrganizationId && !await readRecord(tx, ORGANIZATION_SPEC, organisationId, patch.directoryOrganizationId)) {
      return { ok: false, error: "unknown_provider", field: "directoryOrganizationId" };
    }
    const r = await updateRecord(tx, LOCATION_SPEC, organisationId, id, toColumns({ ...patch }, FIELDS), by, now);
    if (!r) return { ok: false, error: "not_found", field: "id" };
    if (patch.address !== undefined) await putAddress(tx, organisationId, id, patch.address, by, now);
    return { ok: true, value: await withAddress(tx, organisationId, r.after) };
  });
}

/** Archives (or restores) a location. */
export async function archiveDirectoryLocation(
  db: Db, organisationId: string, id: string, archived: boolean, by: string, now: Date,
): Promise<DirectoryResult<DirectoryLocation, "not_found">> {
  return inTransaction(db, async (tx) => {
    const current = await readRecord(tx, LOCATION_SPEC, organisationId, id, true);
    if (!current) return { ok: false, error: "not_found", field: "id" };
    const r = (current.archived_at !== null) === archived ? { after: current }
      : (await updateRecord(tx, LOCATION_SPEC, organisationId, id, { archived_at: archived ? now : null }, by, now))!;
    return { ok: true, value: await withAddress(tx, organisationId, r.after) };
  });
}

export async function getDirectoryLocation(db: Db, organisationId: string, id: string): Promise<DirectoryLocation | undefined> {
  const location = await readRecord(db, LOCATION_SPEC, organisationId, id);
  return location ? withAddress(db, organisationId, location) : undefined;
}

/** Locations by name (a provider's, when given); archived ones only when asked. */
export async function listDirectoryLocations(
  db: Db, organisationId: string, options: { directoryOrganizationId?: string | undefined; includeArchived?: boolean | undefined } = {},
): Promise<DirectoryLocation[]> {
  const locations = (await selectRecords(db, LOCATION_SPEC, organisationId)
    .$if(!options.includeArchived, (q) => q.where("archived_at", "is", null))
    .$if(!!options.directoryOrganizationId, (q) => q.where("directory_organization_id", "=", options.directoryOrganizationId))
    .orderBy("name").orderBy("id").execute()) as DirectoryLocationRow[];
  const addresses = locations.length
    ? (await selectRecords(db, ADDRESS_SPEC, organisationId).where("location_id", "in", locations.map((l) => l.id)).execute()) as DirectoryAddressRow[]
    : [];
  return locations.map((l) => ({ ...l, address: addresses.find((a) => a.location_id === l.id) ?? null }));
}

export type ServiceAtLocationRefusal = "unknown_service" | "unknown_location" | "already_linked";

/** Says a service is given at a location (once per pair). */
export async function linkServiceAtLocation(
  db: Db, organisationId: string, input: { serviceId: string; locationId: string; description?: string | null | undefined }, by: string, now: Date,
): Promise<DirectoryResult<DirectoryServiceAtLocationRow, ServiceAtLocationRefusal>> {
  return inTransaction(db, (tx) => linkServiceAtLocationIn(tx, organisationId, input, by, now));
}

/** `linkServiceAtLocation` inside the caller's transaction `tx`. */
export async function linkServiceAtLocationIn(
  tx: Db, organisationId: string, input: { serviceId: string; locationId: string; description?: string | null | undefined }, by: string, now: Date,
): Promise<DirectoryResult<DirectoryServiceAtLocationRow, ServiceAtLocationRefusal>> {
  if (!await readRecord(tx, SERVICE_SPEC, organisationId, input.serviceId, true)) return { ok: false, error: "unknown_service", field: "serviceId" };
  if (!await readRecord(tx, LOCATION_SPEC, organisationId, input.locationId)) return { ok: false, error: "unknown_location", field: "locationId" };
  // The service row's lock (above) orders two links of the same pair; the unique index is the last word.
  const [existing] = await readRecords(tx, SERVICE_AT_LOCATION_SPEC, organisationId, { service_id: input.serviceId, location_id: input.locationId });
  if (existing) return { ok: false, error: "already_linked", field: "locationId" };
  return {
    ok: true,
    value: await insertRecord(tx, SERVICE_AT_LOCATION_SPEC, organisationId,
      { service_id: input.serviceId, location_id: input.locationId, description: input.description ?? null }, by, now),
  };
}

/** Ends a service at a location (its schedules and areas there go with it); false when there was none. */
export async function unlinkServiceAtLocation(db: Db, organisationId: string, id: string, by: string, now: Date): Promise<boolean> {
  return inTransaction(db, (tx) => deleteRecord(tx, SERVICE_AT_LOCATION_SPEC, organisationId, id, by, now));
}

/** Where a service is given: its services at locations, with the locations. */
export async function serviceLocations(db: Db, organisationId: string, serviceId: string):
  Promise<{ serviceAtLocation: DirectoryServiceAtLocationRow; location: DirectoryLocation }[]> {
  const links = await readRecords(db, SERVICE_AT_LOCATION_SPEC, organisationId, { service_id: serviceId }, ["created_at", "id"]);
  const found = [];
  for (const link of links) {
    const location = await getDirectoryLocation(db, organisationId, link.location_id);
    if (location) found.push({ serviceAtLocation: link, location });
  }
  return found;
}
