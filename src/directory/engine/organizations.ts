/**
 * Providers (HSDS organization): the bodies that offer services — a 社会福祉協議会,
 * a shop that delivers, a volunteer group. Every change happens here, with its
 * history (engine/records.ts). Each has an owner among the staff and a next
 * contact date (handover: engine/handover.ts). Archiving hides a provider from
 * lists and keeps it and its history.
 */
import type { Selectable } from "kysely";
import { type Db, inTransaction } from "../../store/db.ts";
import type { DirectoryTables } from "../store/schema.ts";
import { type DirectoryResult, inDirectoryTransaction, insertRecord, isPerson, readRecord, type RecordSpec, selectRecords, toColumns, updateRecord } from "./records.ts";

export type DirectoryOrganizationRow = Selectable<DirectoryTables["directory_organizations"]>;

export interface DirectoryOrganizationInput {
  name: string;
  alternateName?: string | null | undefined;
  description?: string | undefined;
  email?: string | null | undefined;
  website?: string | null | undefined;
  /** A provider this one belongs to (a branch of a 社協). */
  parentId?: string | null | undefined;
  /** The staff member who owns the relationship. */
  ownerPersonId?: string | null | undefined;
  /** YYYY-MM-DD: when the owner next contacts them. */
  nextContactOn?: string | null | undefined;
  /** Shown in the public directory (default true). */
  listed?: boolean | undefined;
}

/** Refusals of a provider command; `field` names the input field. */
export type DirectoryOrganizationRefusal = "not_found" | "unknown_owner" | "unknown_parent";

const FIELDS = {
  name: "name", alternateName: "alternate_name", description: "description", email: "email", website: "website", parentId: "parent_id",
  ownerPersonId: "owner_person_id", nextContactOn: "next_contact_on", listed: "listed",
} as const satisfies Record<keyof DirectoryOrganizationInput, string>;

export const ORGANIZATION_SPEC = {
  table: "directory_organizations",
  resourceType: "organization",
  columns: ["id", "organisation_id", ...Object.values(FIELDS), "created_at", "updated_at", "archived_at"],
  dates: ["next_contact_on"],
  tracked: [...Object.values(FIELDS), "archived_at"],
} as const satisfies RecordSpec;

async function refusal(db: Db, organisationId: string, id: string | null, input: Partial<DirectoryOrganizationInput>):
  Promise<{ error: DirectoryOrganizationRefusal; field: string } | undefined> {
  if (input.ownerPersonId && !await isPerson(db, organisationId, input.ownerPersonId)) return { error: "unknown_owner", field: "ownerPersonId" };
  if (input.parentId && (input.parentId === id || !await readRecord(db, ORGANIZATION_SPEC, organisationId, input.parentId))) {
    return { error: "unknown_parent", field: "parentId" };
  }
  return undefined;
}

/** Registers a provider; `by` names the actor as the audit log does. */
export async function createDirectoryOrganization(
  db: Db, organisationId: string, input: DirectoryOrganizationInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryOrganizationRow, DirectoryOrganizationRefusal>> {
  return inTransaction(db, (tx) => createDirectoryOrganizationIn(tx, organisationId, input, by, now));
}

/** `createDirectoryOrganization` inside the caller's transaction `tx` (a registration of several records at once). */
export async function createDirectoryOrganizationIn(
  tx: Db, organisationId: string, input: DirectoryOrganizationInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryOrganizationRow, DirectoryOrganizationRefusal>> {
  const refused = await refusal(tx, organisationId, null, input);
  if (refused) return { ok: false, ...refused };
  return { ok: true, value: await insertRecord(tx, ORGANIZATION_SPEC, organisationId, toColumns({ ...input }, FIELDS), by, now) };
}

/** Changes the given fields (undefined: left as is; null: cleared); each changed field is history. */
export async function updateDirectoryOrganization(
  db: Db, organisationId: string, id: string, patch: Partial<DirectoryOrganizationInput>, by: string, now: Date,
): Promise<DirectoryResult<DirectoryOrganizationRow, DirectoryOrganizationRefusal>> {
  return inDirectoryTransaction(db, async (tx) => {
    const refused = await refusal(tx, organisationId, id, patch);
    if (refused) return { ok: false, ...refused };
    const r = await updateRecord(tx, ORGANIZATION_SPEC, organisationId, id, toColumns({ ...patch }, FIELDS), by, now);
    return r ? { ok: true, value: r.after } : { ok: false, error: "not_found", field: "id" };
  });
}

/** Archives (or restores) a provider: out of lists and the public directory, kept with its history. */
export async function archiveDirectoryOrganization(
  db: Db, organisationId: string, id: string, archived: boolean, by: string, now: Date,
): Promise<DirectoryResult<DirectoryOrganizationRow, "not_found">> {
  return inTransaction(db, async (tx) => {
    const current = await readRecord(tx, ORGANIZATION_SPEC, organisationId, id, true);
    if (!current) return { ok: false, error: "not_found", field: "id" };
    if ((current.archived_at !== null) === archived) return { ok: true, value: current };
    const r = await updateRecord(tx, ORGANIZATION_SPEC, organisationId, id, { archived_at: archived ? now : null }, by, now);
    return { ok: true, value: r!.after };
  });
}

export async function getDirectoryOrganization(db: Db, organisationId: string, id: string): Promise<DirectoryOrganizationRow | undefined> {
  return readRecord(db, ORGANIZATION_SPEC, organisationId, id);
}

/** Providers' names by id, in one query (a page of services names a few providers); archived ones too. */
export async function providerNames(db: Db, organisationId: string, ids: readonly string[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom("directory_organizations").select(["id", "name"]).where("organisation_id", "=", organisationId).where("id", "in", wanted).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The organisation's providers by name; archived ones only when asked. */
export async function listDirectoryOrganizations(db: Db, organisationId: string, includeArchived = false): Promise<DirectoryOrganizationRow[]> {
  return (await selectRecords(db, ORGANIZATION_SPEC, organisationId).$if(!includeArchived, (q) => q.where("archived_at", "is", null))
    .orderBy("name").orderBy("id").execute()) as DirectoryOrganizationRow[];
}
