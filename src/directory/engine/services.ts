/**
 * Services (HSDS service): what a provider offers — a salon, meal delivery,
 * shopping help, a consultation window. Every change happens here, with its
 * history (engine/records.ts). Status is HSDS's union (active, inactive, defunct,
 * temporarily closed). Provenance: `verifyDirectoryService` records the date
 * (Asia/Tokyo) and who confirmed the entry (HSDS assured_date); the list of
 * services not verified for NOT_VERIFIED_AFTER_MONTHS (domain/verification.ts)
 * is `listDirectoryServices({ notVerified: true })`.
 */
import { type Selectable, sql } from "kysely";
import { DEFAULT_TIME_ZONE, localDateOf } from "../../domain/schedule.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import type { DirectoryServiceStatus } from "../domain/kinds.ts";
import { NOT_VERIFIED_AFTER_MONTHS, staleOnOrBefore } from "../domain/verification.ts";
import type { DirectoryTables } from "../store/schema.ts";
import { codeWithDescendants } from "../domain/taxonomy-ja.ts";
import { organisationTaxonomy } from "./matches.ts";
import { ORGANIZATION_SPEC } from "./organizations.ts";
import { type DirectoryResult, inDirectoryTransaction, insertRecord, isPerson, readRecord, type RecordSpec, selectRecords, toColumns, updateRecord } from "./records.ts";

export type DirectoryServiceRow = Omit<Selectable<DirectoryTables["directory_services"]>, "search_text" | "taxonomy_codes">;

export interface DirectoryServiceInput {
  /** The provider (directory organization) offering it. */
  directoryOrganizationId: string;
  name: string;
  alternateName?: string | null | undefined;
  description?: string | undefined;
  url?: string | null | undefined;
  email?: string | null | undefined;
  status?: DirectoryServiceStatus | undefined;
  eligibilityDescription?: string | null | undefined;
  /** Whole years, 0–150. */
  minimumAge?: number | null | undefined;
  maximumAge?: number | null | undefined;
  feesDescription?: string | null | undefined;
  applicationProcess?: string | null | undefined;
  /** A short notice shown with the service (閉所中, 定員に達しました). */
  alert?: string | null | undefined;
  listed?: boolean | undefined;
  ownerPersonId?: string | null | undefined;
  /** YYYY-MM-DD. */
  nextContactOn?: string | null | undefined;
}

/** Refusals of a service command; `field` names the input field. */
export type DirectoryServiceRefusal = "not_found" | "unknown_owner" | "unknown_provider" | "age_range";

const FIELDS = {
  directoryOrganizationId: "directory_organization_id", name: "name", alternateName: "alternate_name", description: "description", url: "url",
  email: "email", status: "status", eligibilityDescription: "eligibility_description", minimumAge: "minimum_age", maximumAge: "maximum_age",
  feesDescription: "fees_description", applicationProcess: "application_process", alert: "alert", listed: "listed", ownerPersonId: "owner_person_id",
  nextContactOn: "next_contact_on",
} as const satisfies Record<keyof DirectoryServiceInput, string>;

/** The service's columns of the fields given (the import writes services as `createDirectoryService` does). */
export const serviceColumns = (input: Partial<DirectoryServiceInput>) => toColumns({ ...input }, FIELDS);

const PROVENANCE = ["assured_date", "assured_by", "assured_by_person_id", "assurer_email"] as const;

export const SERVICE_SPEC = {
  table: "directory_services",
  resourceType: "service",
  columns: ["id", "organisation_id", ...Object.values(FIELDS), ...PROVENANCE, "created_at", "updated_at", "archived_at"],
  dates: ["next_contact_on", "assured_date"],
  tracked: [...Object.values(FIELDS), ...PROVENANCE, "archived_at"],
} as const satisfies RecordSpec;

async function refusal(db: Db, organisationId: string, input: Partial<DirectoryServiceInput>, current?: DirectoryServiceRow):
  Promise<{ error: DirectoryServiceRefusal; field: string } | undefined> {
  if (input.directoryOrganizationId && !await readRecord(db, ORGANIZATION_SPEC, organisationId, input.directoryOrganizationId)) {
    return { error: "unknown_provider", field: "directoryOrganizationId" };
  }
  if (input.ownerPersonId && !await isPerson(db, organisationId, input.ownerPersonId)) return { error: "unknown_owner", field: "ownerPersonId" };
  const min = input.minimumAge !== undefined ? input.minimumAge : current?.minimum_age ?? null;
  const max = input.maximumAge !== undefined ? input.maximumAge : current?.maximum_age ?? null;
  if (min !== null && max !== null && min > max) return { error: "age_range", field: input.maximumAge !== undefined ? "maximumAge" : "minimumAge" };
  return undefined;
}

/** Registers a service of a provider; `by` names the actor as the audit log does. */
export async function createDirectoryService(
  db: Db, organisationId: string, input: DirectoryServiceInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryServiceRow, DirectoryServiceRefusal>> {
  return inTransaction(db, (tx) => createDirectoryServiceIn(tx, organisationId, input, by, now));
}

/** `createDirectoryService` inside the caller's transaction `tx` (a registration of several records at once). */
export async function createDirectoryServiceIn(
  tx: Db, organisationId: string, input: DirectoryServiceInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryServiceRow, DirectoryServiceRefusal>> {
  const refused = await refusal(tx, organisationId, input);
  if (refused) return { ok: false, ...refused };
  return { ok: true, value: await insertRecord(tx, SERVICE_SPEC, organisationId, toColumns({ ...input }, FIELDS), by, now) };
}

/** Changes the given fields (undefined: left as is; null: cleared); each changed field is history. */
export async function updateDirectoryService(
  db: Db, organisationId: string, id: string, patch: Partial<DirectoryServiceInput>, by: string, now: Date,
): Promise<DirectoryResult<DirectoryServiceRow, DirectoryServiceRefusal>> {
  return inDirectoryTransaction(db, async (tx) => {
    const current = await readRecord(tx, SERVICE_SPEC, organisationId, id, true);
    if (!current) return { ok: false, error: "not_found", field: "id" };
    const refused = await refusal(tx, organisationId, patch, current);
    if (refused) return { ok: false, ...refused };
    const r = await updateRecord(tx, SERVICE_SPEC, organisationId, id, toColumns({ ...patch }, FIELDS), by, now);
    return { ok: true, value: r!.after };
  });
}

/** Archives (or restores) a service: out of lists, matching and the public directory, kept with its history. */
export async function archiveDirectoryService(
  db: Db, organisationId: string, id: string, archived: boolean, by: string, now: Date,
): Promise<DirectoryResult<DirectoryServiceRow, "not_found">> {
  return inTransaction(db, async (tx) => {
    const current = await readRecord(tx, SERVICE_SPEC, organisationId, id, true);
    if (!current) return { ok: false, error: "not_found", field: "id" };
    if ((current.archived_at !== null) === archived) return { ok: true, value: current };
    const r = await updateRecord(tx, SERVICE_SPEC, organisationId, id, { archived_at: archived ? now : null }, by, now);
    return { ok: true, value: r!.after };
  });
}

/**
 * Records that the entry was checked with the provider today (Asia/Tokyo):
 * assured_date, who (`by`, and the person when a person did it) and optionally
 * the provider's e-mail who confirmed it (HSDS assurer_email).
 */
export async function verifyDirectoryService(
  db: Db, organisationId: string, id: string, verifier: { by: string; personId: string | null; assurerEmail?: string | null | undefined }, now: Date,
): Promise<DirectoryResult<DirectoryServiceRow, "not_found">> {
  return inTransaction(db, async (tx) => {
    const r = await updateRecord(tx, SERVICE_SPEC, organisationId, id, {
      assured_date: localDateOf(now, DEFAULT_TIME_ZONE), assured_by: verifier.by, assured_by_person_id: verifier.personId,
      ...(verifier.assurerEmail !== undefined ? { assurer_email: verifier.assurerEmail } : {}),
    }, verifier.by, now);
    return r ? { ok: true, value: r.after } : { ok: false, error: "not_found", field: "id" };
  });
}

export async function getDirectoryService(db: Db, organisationId: string, id: string): Promise<DirectoryServiceRow | undefined> {
  return readRecord(db, SERVICE_SPEC, organisationId, id);
}

export interface DirectoryServiceQuery {
  /** Words to find in the name, other name, description, eligibility, fees or how to apply (case-insensitive). */
  search?: string | undefined;
  /** Services carrying any of these taxonomy codes or a narrower one ("shopping" finds "shopping.proxy"). */
  taxonomyCodes?: readonly string[] | undefined;
  statuses?: readonly DirectoryServiceStatus[] | undefined;
  directoryOrganizationId?: string | undefined;
  /** Only services never verified or verified `notVerifiedMonths` or more months ago (default NOT_VERIFIED_AFTER_MONTHS). */
  notVerified?: boolean | undefined;
  notVerifiedMonths?: number | undefined;
  includeArchived?: boolean | undefined;
  /** Default 50, at most 500. */
  limit?: number | undefined;
  offset?: number | undefined;
}

/** `like` with the pattern's own % and _ taken literally. */
const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Services matching every condition given, by name; with the total (for
 * paging). The not-verified list is oldest verification first (never verified
 * first). `now` gives today in Asia/Tokyo.
 */
export async function listDirectoryServices(
  db: Db, organisationId: string, query: DirectoryServiceQuery, now: Date,
): Promise<{ services: DirectoryServiceRow[]; total: number }> {
  const t = "directory_services";
  const terms = query.taxonomyCodes?.length ? await organisationTaxonomy(db, organisationId) : [];
  const codes = [...new Set((query.taxonomyCodes ?? []).flatMap((c) => codeWithDescendants(terms, c)))];
  const filtered = <Q extends { where: any }>(q: Q): Q => {
    let r: any = q;
    if (!query.includeArchived) r = r.where(`${t}.archived_at`, "is", null);
    if (query.search?.trim()) r = r.where(`${t}.search_text`, "like", `%${escapeLike(query.search.trim().toLowerCase())}%`);
    if (query.statuses?.length) r = r.where(`${t}.status`, "in", query.statuses);
    if (query.directoryOrganizationId) r = r.where(`${t}.directory_organization_id`, "=", query.directoryOrganizationId);
    if (query.taxonomyCodes?.length) {
      // Codes no term knows still match themselves (codeWithDescendants keeps the code asked for).
      // The service's own codes (migration 2040, GIN-indexed): a filter on one table, whatever the statistics say.
      r = r.where(sql<boolean>`${sql.ref(`${t}.taxonomy_codes`)} && ${codes}::text[]`);
    }
    if (query.notVerified) {
      const stale = staleOnOrBefore(localDateOf(now, DEFAULT_TIME_ZONE), query.notVerifiedMonths ?? NOT_VERIFIED_AFTER_MONTHS);
      r = r.where((eb: any) => eb.or([eb(`${t}.assured_date`, "is", null), eb(`${t}.assured_date`, "<=", stale)]));
    }
    return r;
  };
  // The page and the total in one pass over the matching rows (a window count); a page past the end has no row to carry it.
  let q: any = filtered(selectRecords(db, SERVICE_SPEC, organisationId).select(sql<number>`count(*) over ()`.as("total_matching")));
  q = query.notVerified ? q.orderBy(sql`${sql.ref(`${t}.assured_date`)} asc nulls first`).orderBy(`${t}.name`) : q.orderBy(`${t}.name`);
  const rows: (DirectoryServiceRow & { total_matching: number })[] = await q.orderBy(`${t}.id`).limit(Math.min(query.limit ?? 50, 500))
    .offset(query.offset ?? 0).execute();
  const total = rows.length > 0 ? Number(rows[0]!.total_matching)
    : Number((await filtered(db.selectFrom(t).select(sql<number>`count(*)`.as("n")).where(`${t}.organisation_id`, "=", organisationId))
      .executeTakeFirstOrThrow()).n);
  const services = rows.map(({ total_matching: _, ...row }) => row as DirectoryServiceRow);
  return { services, total };
}
