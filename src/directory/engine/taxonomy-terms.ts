/**
 * An organisation's own taxonomy terms (issue 14: "an open Japanese taxonomy …
 * extendable per organisation"): added under a shipped term or one of its own,
 * or at the top level; renamed; retired (no longer offered for new use, still
 * shown where a record already carries the code); deleted only while nothing
 * uses them. Codes are unique per organisation and never a shipped code
 * (domain/taxonomy-ja.ts `organisationTermProblems`); a code never changes,
 * because services, needs and volunteers carry it. Each change has its history
 * (records.ts, resource `taxonomy_term`). Another organisation never sees them:
 * every read is by organisation.
 */
import type { Selectable } from "kysely";
import { type Db, inTransaction } from "../../store/db.ts";
import { type OrganisationTermProblem, organisationTermProblems, parseMappedCode, shippedTerm } from "../domain/taxonomy-ja.ts";
import type { DirectoryTables } from "../store/schema.ts";
import { deleteRecord, type DirectoryResult, insertRecord, readRecord, readRecords, type RecordSpec, updateRecord } from "./records.ts";

export type DirectoryTermRecord = Selectable<DirectoryTables["directory_taxonomy_terms"]>;

export const TERM_SPEC = {
  table: "directory_taxonomy_terms",
  resourceType: "taxonomy_term",
  columns: ["id", "organisation_id", "code", "name", "parent_code", "description", "mapped_code", "language", "created_at", "updated_at", "retired_at"],
  dates: [],
  tracked: ["code", "name", "parent_code", "description", "mapped_code", "retired_at"],
} as const satisfies RecordSpec;

export interface DirectoryTermInput {
  /** Lower-case words joined by dots (`local.tea_salon`), unique in the organisation, never a shipped code. */
  code: string;
  /** Japanese name, as the console and the public page show it. */
  name: string;
  /** A shipped term's code or one of the organisation's own; null or absent: top level. */
  parentCode?: string | null | undefined;
  description?: string | undefined;
  /** "kaigo_service_type:A2", or null. */
  mappedCode?: string | null | undefined;
}

export type DirectoryTermPatch = Partial<Pick<DirectoryTermInput, "name" | "description" | "mappedCode">>;

export type TermRefusal = "not_found" | "code_invalid" | "code_taken" | "parent_unknown" | "parent_cycle" | "parent_retired" | "mapped_code_invalid" | "term_in_use";

const PROBLEM_FIELDS: Record<OrganisationTermProblem, string> = {
  code_invalid: "code", code_taken: "code", parent_unknown: "parentCode", parent_cycle: "parentCode", mapped_code_invalid: "mappedCode",
};

/** The organisation's own terms, by code (retired ones included). */
export async function listDirectoryTerms(db: Db, organisationId: string): Promise<DirectoryTermRecord[]> {
  return readRecords(db, TERM_SPEC, organisationId, {}, ["code"]);
}

/** Adds a term; refused on its field when the code is malformed or taken, the parent unknown or retired, the mapped code unknown. */
export async function addDirectoryTerm(
  db: Db, organisationId: string, input: DirectoryTermInput, by: string, now: Date,
): Promise<DirectoryResult<DirectoryTermRecord, TermRefusal>> {
  return inTransaction(db, async (tx) => {
    // One writer of the organisation's terms at a time: two adds of one code never race to the unique index.
    await tx.selectFrom("organisations").select("id").where("id", "=", organisationId).forUpdate().executeTakeFirst();
    const others = await listDirectoryTerms(tx, organisationId);
    const term = { code: input.code, name: input.name, parent_code: input.parentCode ?? null, description: input.description ?? "", mapped_code: input.mappedCode ?? null };
    const [problem] = organisationTermProblems(term, others);
    if (problem) return { ok: false, error: problem, field: PROBLEM_FIELDS[problem] };
    const parent = others.find((o) => o.code === term.parent_code);
    if (parent?.retired_at) return { ok: false, error: "parent_retired", field: "parentCode" };
    return { ok: true, value: await insertRecord(tx, TERM_SPEC, organisationId, term, by, now) };
  });
}

/** Renames a term (its name, description or mapped code); the code and parent stay. */
export async function updateDirectoryTerm(
  db: Db, organisationId: string, id: string, patch: DirectoryTermPatch, by: string, now: Date,
): Promise<DirectoryResult<DirectoryTermRecord, TermRefusal>> {
  if (patch.mappedCode && !parseMappedCode(patch.mappedCode)) return { ok: false, error: "mapped_code_invalid", field: "mappedCode" };
  return inTransaction(db, async (tx) => {
    const r = await updateRecord(tx, TERM_SPEC, organisationId, id, { name: patch.name, description: patch.description, mapped_code: patch.mappedCode }, by, now);
    return r ? { ok: true, value: r.after } : { ok: false, error: "not_found", field: "id" };
  });
}

/** Retires a term (`retired` true) or brings it back (false); what carries its code keeps it. */
export async function retireDirectoryTerm(
  db: Db, organisationId: string, id: string, retired: boolean, by: string, now: Date,
): Promise<DirectoryResult<DirectoryTermRecord, TermRefusal>> {
  return inTransaction(db, async (tx) => {
    const current = await readRecord(tx, TERM_SPEC, organisationId, id, true);
    if (!current) return { ok: false, error: "not_found", field: "id" };
    if (!!current.retired_at === retired) return { ok: true, value: current };
    const r = await updateRecord(tx, TERM_SPEC, organisationId, id, { retired_at: retired ? now : null }, by, now);
    return { ok: true, value: r!.after };
  });
}

/** Whether any service, location, provider, need, volunteer or other term of the organisation uses the code. */
async function termInUse(tx: Db, organisationId: string, code: string): Promise<boolean> {
  const one = async (q: { executeTakeFirst(): Promise<unknown> }) => !!(await q.executeTakeFirst());
  return await one(tx.selectFrom("directory_attributes").select("id").where("organisation_id", "=", organisationId).where("taxonomy_code", "=", code).limit(1))
    || await one(tx.selectFrom("directory_taxonomy_terms").select("id").where("organisation_id", "=", organisationId).where("parent_code", "=", code).limit(1))
    || await one(tx.selectFrom("directory_needs").select("id").where("organisation_id", "=", organisationId)
      .where((eb) => eb(eb.val(code), "=", eb.fn.any("taxonomy_codes"))).limit(1))
    || await one(tx.selectFrom("directory_volunteers").select("id").where("organisation_id", "=", organisationId)
      .where((eb) => eb(eb.val(code), "=", eb.fn.any("skills"))).limit(1));
}

/** Deletes a term nothing uses (else `term_in_use`: retire it instead). */
export async function deleteDirectoryTerm(db: Db, organisationId: string, id: string, by: string, now: Date): Promise<DirectoryResult<true, TermRefusal>> {
  return inTransaction(db, async (tx) => {
    const current = await readRecord(tx, TERM_SPEC, organisationId, id, true);
    if (!current) return { ok: false, error: "not_found", field: "id" };
    if (await termInUse(tx, organisationId, current.code)) return { ok: false, error: "term_in_use", field: "code" };
    await deleteRecord(tx, TERM_SPEC, organisationId, id, by, now);
    return { ok: true, value: true };
  });
}

/** The parent's name for a view: a shipped term's or one of the organisation's. */
export function parentName(code: string | null, own: readonly DirectoryTermRecord[]): string | null {
  if (code === null) return null;
  return shippedTerm(code)?.name ?? own.find((t) => t.code === code)?.name ?? null;
}
