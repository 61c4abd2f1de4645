/**
 * A service's parts, each change with its history in the service's (or
 * location's, or provider's) record: schedules (opening hours and events, stored
 * as HSDS RFC 5545 rows; only their shape is checked here, domain/schedule-shape.ts),
 * closures (年末年始, holidays, ad hoc), service areas, capacities (vacancies,
 * HSDS service_capacity) and taxonomy codes (HSDS attributes).
 */
import type { Selectable } from "kysely";
import { type Db, inTransaction } from "../../store/db.ts";
import type { DirectoryAreaKind, DirectoryClosureKind, DirectoryLinkEntity, DirectoryScheduleFreq, DirectoryScheduleKind } from "../domain/kinds.ts";
import { type ScheduleShape, scheduleProblems } from "../domain/schedule-shape.ts";
import type { DirectoryTables } from "../store/schema.ts";
import { LOCATION_SPEC, SERVICE_AT_LOCATION_SPEC } from "./locations.ts";
import { organisationTaxonomy } from "./matches.ts";
import { ORGANIZATION_SPEC } from "./organizations.ts";
import {
  deleteRecord, type DirectoryResult, insertRecord, readRecord, readRecords, type RecordSpec, toColumns, updateRecord,
} from "./records.ts";
import { SERVICE_SPEC } from "./services.ts";

export type DirectoryScheduleRow = Selectable<DirectoryTables["directory_schedules"]>;
export type DirectoryClosureRow = Selectable<DirectoryTables["directory_closures"]>;
export type DirectoryServiceAreaRow = Selectable<DirectoryTables["directory_service_areas"]>;
export type DirectoryCapacityRow = Selectable<DirectoryTables["directory_capacities"]>;
export type DirectoryAttributeRow = Selectable<DirectoryTables["directory_attributes"]>;

// ---------------------------------------------------------------- schedules

/** What a schedule belongs to: exactly one of a service, a location or a service at a location. */
export type ScheduleOwner = { serviceId: string } | { locationId: string } | { serviceAtLocationId: string };

export interface DirectoryScheduleInput extends ScheduleShape {
  kind: DirectoryScheduleKind;
  freq?: DirectoryScheduleFreq | null | undefined;
  wkst?: string | null | undefined;
  description?: string | null | undefined;
  attendingType?: string | null | undefined;
  notes?: string | null | undefined;
  /** Closed on Japanese public holidays (default true). */
  closedOnHolidays?: boolean | undefined;
}

const SCHEDULE_FIELDS = {
  kind: "kind", freq: "freq", interval: "interval", byday: "byday", bymonthday: "bymonthday", count: "count", wkst: "wkst", dtstart: "dtstart",
  until: "until", opensAt: "opens_at", closesAt: "closes_at", validFrom: "valid_from", validTo: "valid_to", description: "description",
  attendingType: "attending_type", notes: "notes", closedOnHolidays: "closed_on_holidays",
} as const satisfies Record<keyof DirectoryScheduleInput, string>;

const SCHEDULE_OWNERS = ["service_id", "location_id", "service_at_location_id"] as const;

export const SCHEDULE_SPEC = {
  table: "directory_schedules",
  resourceType: "schedule",
  columns: ["id", "organisation_id", ...SCHEDULE_OWNERS, ...Object.values(SCHEDULE_FIELDS), "created_at", "updated_at"],
  dates: ["dtstart", "until", "valid_from", "valid_to"],
  tracked: [...SCHEDULE_OWNERS, ...Object.values(SCHEDULE_FIELDS)],
  subject: (row) => row.service_id ? { type: "service", id: row.service_id as string }
    : row.location_id ? { type: "location", id: row.location_id as string }
    : { type: "service_at_location", id: row.service_at_location_id as string },
} as const satisfies RecordSpec;

/** A schedule row's fields as the shape check reads them. */
function shapeOf(row: DirectoryScheduleRow): ScheduleShape {
  return {
    kind: row.kind, freq: row.freq, interval: row.interval, byday: row.byday, bymonthday: row.bymonthday, count: row.count, dtstart: row.dtstart,
    until: row.until, opensAt: row.opens_at, closesAt: row.closes_at, validFrom: row.valid_from, validTo: row.valid_to,
  };
}

export type ScheduleRefusal = "not_found" | "unknown_owner_record" | "invalid_schedule";

async function ownerColumns(tx: Db, organisationId: string, owner: ScheduleOwner):
  Promise<{ columns: Record<string, string> } | { field: string }> {
  if ("serviceId" in owner) {
    return await readRecord(tx, SERVICE_SPEC, organisationId, owner.serviceId) ? { columns: { service_id: owner.serviceId } } : { field: "serviceId" };
  }
  if ("locationId" in owner) {
    return await readRecord(tx, LOCATION_SPEC, organisationId, owner.locationId) ? { columns: { location_id: owner.locationId } } : { field: "locationId" };
  }
  return await readRecord(tx, SERVICE_AT_LOCATION_SPEC, organisationId, owner.serviceAtLocationId)
    ? { columns: { service_at_location_id: owner.serviceAtLocationId } } : { field: "serviceAtLocationId" };
}

/** Adds a schedule (opening hours or an event) to a service, location or service at location; refused when its shape is wrong. */
export async function addDirectorySchedule(
  db: Db, organisationId: string, owner: ScheduleOwner, input: DirectoryScheduleInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryScheduleRow, ScheduleRefusal>> {
  const [problem] = scheduleProblems(input);
  if (problem) return { ok: false, error: "invalid_schedule", field: problem.field };
  return inTransaction(db, async (tx) => {
    const found = await ownerColumns(tx, organisationId, owner);
    if ("field" in found) return { ok: false, error: "unknown_owner_record", field: found.field };
    return { ok: true, value: await insertRecord(tx, SCHEDULE_SPEC, organisationId, { ...found.columns, ...toColumns({ ...input }, SCHEDULE_FIELDS) }, by, now) };
  });
}

/** Changes the given fields of a schedule; the result must still have a valid shape. */
export async function updateDirectorySchedule(
  db: Db, organisationId: string, id: string, patch: Partial<DirectoryScheduleInput>, by: string, now: Date,
): Promise<DirectoryResult<DirectoryScheduleRow, ScheduleRefusal>> {
  return inTransaction(db, async (tx) => {
    const current = await readRecord(tx, SCHEDULE_SPEC, organisationId, id, true);
    if (!current) return { ok: false, error: "not_found", field: "id" };
    const merged = { ...shapeOf(current), ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) } as ScheduleShape;
    const [problem] = scheduleProblems(merged);
    if (problem) return { ok: false, error: "invalid_schedule", field: problem.field };
    const r = await updateRecord(tx, SCHEDULE_SPEC, organisationId, id, toColumns({ ...patch }, SCHEDULE_FIELDS), by, now);
    return { ok: true, value: r!.after };
  });
}

export async function deleteDirectorySchedule(db: Db, organisationId: string, id: string, by: string, now: Date): Promise<boolean> {
  return inTransaction(db, (tx) => deleteRecord(tx, SCHEDULE_SPEC, organisationId, id, by, now));
}

/** A service's schedules (its own, and at its locations), by kind and start. */
export async function serviceSchedules(db: Db, organisationId: string, serviceId: string): Promise<DirectoryScheduleRow[]> {
  const own = await readRecords(db, SCHEDULE_SPEC, organisationId, { service_id: serviceId }, ["kind", "dtstart", "created_at", "id"]);
  const links = await readRecords(db, SERVICE_AT_LOCATION_SPEC, organisationId, { service_id: serviceId });
  const atLocations = [];
  for (const link of links) atLocations.push(...await readRecords(db, SCHEDULE_SPEC, organisationId, { service_at_location_id: link.id }, ["kind", "dtstart", "id"]));
  return [...own, ...atLocations];
}

// ---------------------------------------------------------------- closures

export interface DirectoryClosureInput {
  /** Both absent: the whole directory of the organisation (年末年始). */
  serviceId?: string | undefined;
  directoryOrganizationId?: string | undefined;
  kind: DirectoryClosureKind;
  /** YYYY-MM-DD, inclusive. */
  startsOn: string;
  endsOn: string;
  reason?: string | null | undefined;
}

export const CLOSURE_SPEC = {
  table: "directory_closures",
  resourceType: "closure",
  columns: ["id", "organisation_id", "directory_organization_id", "service_id", "kind", "starts_on", "ends_on", "reason", "created_at"],
  dates: ["starts_on", "ends_on"],
  tracked: ["directory_organization_id", "service_id", "kind", "starts_on", "ends_on", "reason"],
  subject: (row) => row.service_id ? { type: "service", id: row.service_id as string }
    : row.directory_organization_id ? { type: "organization", id: row.directory_organization_id as string } : undefined,
} as const satisfies RecordSpec;

export type ClosureRefusal = "unknown_service" | "unknown_provider" | "order";

/** Adds a closure (a service's, a provider's, or the whole directory's). */
export async function addDirectoryClosure(
  db: Db, organisationId: string, input: DirectoryClosureInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryClosureRow, ClosureRefusal>> {
  if (input.endsOn < input.startsOn) return { ok: false, error: "order", field: "endsOn" };
  return inTransaction(db, async (tx) => {
    if (input.serviceId && !await readRecord(tx, SERVICE_SPEC, organisationId, input.serviceId)) return { ok: false, error: "unknown_service", field: "serviceId" };
    if (input.directoryOrganizationId && !await readRecord(tx, ORGANIZATION_SPEC, organisationId, input.directoryOrganizationId)) {
      return { ok: false, error: "unknown_provider", field: "directoryOrganizationId" };
    }
    return {
      ok: true,
      value: await insertRecord(tx, CLOSURE_SPEC, organisationId, {
        service_id: input.serviceId ?? null, directory_organization_id: input.serviceId ? null : input.directoryOrganizationId ?? null,
        kind: input.kind, starts_on: input.startsOn, ends_on: input.endsOn, reason: input.reason ?? null,
      }, by, now),
    };
  });
}

export async function deleteDirectoryClosure(db: Db, organisationId: string, id: string, by: string, now: Date): Promise<boolean> {
  return inTransaction(db, (tx) => deleteRecord(tx, CLOSURE_SPEC, organisationId, id, by, now));
}

/** Closures that apply to a service: its own, its provider's and the whole directory's, by start. */
export async function serviceClosures(db: Db, organisationId: string, serviceId: string): Promise<DirectoryClosureRow[]> {
  const service = await readRecord(db, SERVICE_SPEC, organisationId, serviceId);
  if (!service) return [];
  return [
    ...await readRecords(db, CLOSURE_SPEC, organisationId, { service_id: serviceId }),
    ...await readRecords(db, CLOSURE_SPEC, organisationId, { service_id: null, directory_organization_id: service.directory_organization_id }),
    ...await readRecords(db, CLOSURE_SPEC, organisationId, { service_id: null, directory_organization_id: null }),
  ].sort((a, b) => a.starts_on.localeCompare(b.starts_on) || a.id.localeCompare(b.id));
}

// ---------------------------------------------------------------- service areas

export interface DirectoryServiceAreaInput {
  name: string;
  areaKind: DirectoryAreaKind;
  /** A team id (`team`), a postal code (`postal_code`, 3–7 digits: a prefix), a town name (`town`); absent for `whole`. */
  areaValue?: string | null | undefined;
  description?: string | null | undefined;
}

export const SERVICE_AREA_SPEC = {
  table: "directory_service_areas",
  resourceType: "service_area",
  columns: ["id", "organisation_id", "service_id", "service_at_location_id", "name", "area_kind", "area_value", "description", "created_at"],
  dates: [],
  tracked: ["service_id", "service_at_location_id", "name", "area_kind", "area_value", "description"],
  subject: (row) => row.service_id ? { type: "service", id: row.service_id as string } : { type: "service_at_location", id: row.service_at_location_id as string },
} as const satisfies RecordSpec;

export type ServiceAreaRefusal = "unknown_service" | "unknown_team";

/** Adds an area a service serves. A team area names a team of the organisation. */
export async function addDirectoryServiceArea(
  db: Db, organisationId: string, serviceId: string, input: DirectoryServiceAreaInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryServiceAreaRow, ServiceAreaRefusal>> {
  return inTransaction(db, async (tx) => {
    if (!await readRecord(tx, SERVICE_SPEC, organisationId, serviceId)) return { ok: false, error: "unknown_service", field: "id" };
    if (input.areaKind === "team" && !await tx.selectFrom("teams").select("id").where("organisation_id", "=", organisationId)
      .where("id", "=", input.areaValue!).executeTakeFirst()) {
      return { ok: false, error: "unknown_team", field: "areaValue" };
    }
    return {
      ok: true,
      value: await insertRecord(tx, SERVICE_AREA_SPEC, organisationId, {
        service_id: serviceId, name: input.name, area_kind: input.areaKind, area_value: input.areaKind === "whole" ? null : input.areaValue ?? null,
        description: input.description ?? null,
      }, by, now),
    };
  });
}

export async function deleteDirectoryServiceArea(db: Db, organisationId: string, id: string, by: string, now: Date): Promise<boolean> {
  return inTransaction(db, (tx) => deleteRecord(tx, SERVICE_AREA_SPEC, organisationId, id, by, now));
}

export async function serviceAreas(db: Db, organisationId: string, serviceId: string): Promise<DirectoryServiceAreaRow[]> {
  return readRecords(db, SERVICE_AREA_SPEC, organisationId, { service_id: serviceId }, ["name", "id"]);
}

// ---------------------------------------------------------------- capacities

export interface DirectoryCapacityInput {
  /** What is counted: 人, 枠, 席 (one capacity per unit). */
  unit: string;
  available: number;
  maximum?: number | null | undefined;
  description?: string | null | undefined;
}

export const CAPACITY_SPEC = {
  table: "directory_capacities",
  resourceType: "service_capacity",
  columns: ["id", "organisation_id", "service_id", "unit", "available", "maximum", "description", "updated_at"],
  dates: [],
  tracked: ["service_id", "unit", "available", "maximum", "description"],
  subject: (row) => ({ type: "service", id: row.service_id as string }),
} as const satisfies RecordSpec;

export type CapacityRefusal = "unknown_service" | "over_maximum";

/**
 * Sets a service's capacity in a unit (creates it the first time): places
 * available now and the maximum; `updated_at` says when it was last told.
 * Telling the same numbers again still moves `updated_at` (it was confirmed).
 */
export async function setDirectoryCapacity(
  db: Db, organisationId: string, serviceId: string, input: DirectoryCapacityInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryCapacityRow, CapacityRefusal>> {
  return inTransaction(db, (tx) => setDirectoryCapacityIn(tx, organisationId, serviceId, input, by, now));
}

/** `setDirectoryCapacity` inside the caller's transaction `tx`. */
export async function setDirectoryCapacityIn(
  tx: Db, organisationId: string, serviceId: string, input: DirectoryCapacityInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryCapacityRow, CapacityRefusal>> {
  if (!await readRecord(tx, SERVICE_SPEC, organisationId, serviceId, true)) return { ok: false, error: "unknown_service", field: "id" };
  const [current] = await readRecords(tx, CAPACITY_SPEC, organisationId, { service_id: serviceId, unit: input.unit });
  const maximum = input.maximum !== undefined ? input.maximum : current?.maximum ?? null;
  if (maximum !== null && input.available > maximum) return { ok: false, error: "over_maximum", field: "available" };
  const columns = { available: input.available, maximum, ...(input.description !== undefined ? { description: input.description } : {}) };
  if (!current) return { ok: true, value: await insertRecord(tx, CAPACITY_SPEC, organisationId, { ...columns, service_id: serviceId, unit: input.unit }, by, now) };
  await updateRecord(tx, CAPACITY_SPEC, organisationId, current.id, columns, by, now);
  await tx.updateTable("directory_capacities").set({ updated_at: now }).where("organisation_id", "=", organisationId).where("id", "=", current.id).execute();
  return { ok: true, value: (await readRecord(tx, CAPACITY_SPEC, organisationId, current.id))! };
}

export async function deleteDirectoryCapacity(db: Db, organisationId: string, id: string, by: string, now: Date): Promise<boolean> {
  return inTransaction(db, (tx) => deleteRecord(tx, CAPACITY_SPEC, organisationId, id, by, now));
}

export async function serviceCapacities(db: Db, organisationId: string, serviceId: string): Promise<DirectoryCapacityRow[]> {
  return readRecords(db, CAPACITY_SPEC, organisationId, { service_id: serviceId }, ["unit", "id"]);
}

// ---------------------------------------------------------------- taxonomy codes (attributes)

export const ATTRIBUTE_SPEC = {
  table: "directory_attributes",
  resourceType: "attribute",
  columns: ["id", "organisation_id", "link_entity", "link_id", "taxonomy_code", "value", "label", "created_at"],
  dates: [],
  tracked: ["link_entity", "link_id", "taxonomy_code", "value", "label"],
  subject: (row) => ({ type: row.link_entity as DirectoryLinkEntity, id: row.link_id as string }),
} as const satisfies RecordSpec;

const LINKED: Record<DirectoryLinkEntity, RecordSpec> = {
  organization: ORGANIZATION_SPEC, service: SERVICE_SPEC, location: LOCATION_SPEC, service_at_location: SERVICE_AT_LOCATION_SPEC,
};

/**
 * Sets the taxonomy codes of a record to exactly `codes` (HSDS attributes):
 * codes not there are added, codes no longer given removed, each with history.
 * Every code must be a term of the shipped Japanese taxonomy or of the
 * organisation's own (domain/taxonomy-ja.ts), not retired unless the record has
 * it already; an unknown one is refused on its field (`codes.<n>`).
 */
export async function setDirectoryTaxonomyCodes(
  db: Db, organisationId: string, linkEntity: DirectoryLinkEntity, linkId: string, codes: readonly string[], by: string, now: Date,
): Promise<DirectoryResult<DirectoryAttributeRow[], "not_found" | "unknown_code">> {
  return inTransaction(db, (tx) => setDirectoryTaxonomyCodesIn(tx, organisationId, linkEntity, linkId, codes, by, now));
}

/** `setDirectoryTaxonomyCodes` inside the caller's transaction `tx`. */
export async function setDirectoryTaxonomyCodesIn(
  tx: Db, organisationId: string, linkEntity: DirectoryLinkEntity, linkId: string, codes: readonly string[], by: string, now: Date,
): Promise<DirectoryResult<DirectoryAttributeRow[], "not_found" | "unknown_code">> {
  if (!await readRecord(tx, LINKED[linkEntity], organisationId, linkId, true)) return { ok: false, error: "not_found", field: "id" };
  const terms = await organisationTaxonomy(tx, organisationId);
  const current = await readRecords(tx, ATTRIBUTE_SPEC, organisationId, { link_entity: linkEntity, link_id: linkId });
  // A retired term stays where it is but is not given anew (engine/taxonomy-terms.ts).
  const had = new Set(current.map((r) => r.taxonomy_code));
  const known = new Set(terms.filter((t) => !t.retired || had.has(t.code)).map((t) => t.code));
  const unknown = codes.findIndex((c) => !known.has(c));
  if (unknown >= 0) return { ok: false, error: "unknown_code", field: `codes.${unknown}` };
  const wanted = new Set(codes);
  for (const row of current) if (!wanted.has(row.taxonomy_code)) await deleteRecord(tx, ATTRIBUTE_SPEC, organisationId, row.id, by, now);
  const have = new Set(current.map((r) => r.taxonomy_code));
  for (const code of wanted) {
    if (!have.has(code)) await insertRecord(tx, ATTRIBUTE_SPEC, organisationId, { link_entity: linkEntity, link_id: linkId, taxonomy_code: code }, by, now);
  }
  return { ok: true, value: await taxonomyCodesOf(tx, organisationId, linkEntity, linkId) };
}

export async function taxonomyCodesOf(db: Db, organisationId: string, linkEntity: DirectoryLinkEntity, linkId: string): Promise<DirectoryAttributeRow[]> {
  return readRecords(db, ATTRIBUTE_SPEC, organisationId, { link_entity: linkEntity, link_id: linkId }, ["taxonomy_code"]);
}
