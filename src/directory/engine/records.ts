/**
 * How every directory command changes a row: inside the caller's transaction,
 * the row and one `directory_metadata` row per changed field (HSDS metadata:
 * resource, action, field, previous and new value, who, when), so the history
 * survives staff rotating. Field names are the columns' (HSDS's where HSDS has the
 * field). Values are kept as text: dates YYYY-MM-DD, times ISO, booleans
 * true/false, numbers as written, lists and objects as JSON.
 */
import { type Selectable, sql } from "kysely";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import type { DirectoryMetadataAction, DirectoryResourceType } from "../domain/kinds.ts";
import type { DirectoryTables } from "../store/schema.ts";
import "../store/schema.ts";

export type DirectoryTable = keyof DirectoryTables;

/** A table as the engine reads and writes it: which columns are read, which are dates, which are recorded in the history. */
export interface RecordSpec {
  table: DirectoryTable;
  resourceType: DirectoryResourceType;
  /** Every column read back (but `search_text`). */
  columns: readonly string[];
  /** `date` columns, read through to_char as YYYY-MM-DD. */
  dates: readonly string[];
  /** Columns whose changes are history (not ids of the row itself, organisation or timestamps). */
  tracked: readonly string[];
  /** The record a row belongs to, for the history (migration 2001); absent: the row itself. */
  subject?(row: Record<string, unknown>): Subject | undefined;
}

/** The record whose history a change is part of. */
export interface Subject {
  type: DirectoryResourceType;
  id: string;
}

/** A value as the history keeps it (null stays null). */
export function metadataValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** The columns to select: dates through to_char, so both databases answer YYYY-MM-DD text. */
function selection(spec: RecordSpec) {
  return spec.columns.map((c) => (spec.dates.includes(c) ? sql<string | null>`to_char(${sql.ref(c)}, 'YYYY-MM-DD')`.as(c) : sql.ref(c).as(c)));
}

/**
 * Runs `work` in the caller's transaction when `db` is one (a command composed
 * into a larger one, e.g. approving a provider's proposal applies the service
 * update and marks the proposal together), else in a transaction of its own.
 */
export function inDirectoryTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : inTransaction(db, work);
}

/** One row of the organisation by id, optionally locked for the rest of the transaction; undefined when there is none. */
export async function readRecord<T extends DirectoryTable>(
  db: Db, spec: RecordSpec & { table: T }, organisationId: string, id: string, lock = false,
): Promise<Selectable<DirectoryTables[T]> | undefined> {
  let q = (db as Db).selectFrom(spec.table as any).select(selection(spec) as any)
    .where("organisation_id" as any, "=", organisationId).where("id" as any, "=", id);
  if (lock) q = q.forNoKeyUpdate();
  return (await q.executeTakeFirst()) as any;
}

/** A query of the organisation's rows with the spec's columns (dates as text), for the caller to narrow and order. */
export function selectRecords(db: Db, spec: RecordSpec, organisationId: string) {
  return db.selectFrom(spec.table as any).select(selection(spec) as any).where(`${spec.table}.organisation_id` as any, "=", organisationId);
}

/** Rows of the organisation matching `where` (column → value), in `orderBy` order. */
export async function readRecords<T extends DirectoryTable>(
  db: Db, spec: RecordSpec & { table: T }, organisationId: string, where: Record<string, unknown>, orderBy: readonly string[] = ["id"],
): Promise<Selectable<DirectoryTables[T]>[]> {
  let q = db.selectFrom(spec.table as any).select(selection(spec) as any).where("organisation_id" as any, "=", organisationId);
  for (const [column, value] of Object.entries(where)) q = value === null ? q.where(column as any, "is", null) : q.where(column as any, "=", value);
  for (const column of orderBy) q = q.orderBy(column as any);
  return (await q.execute()) as any;
}

/** Writes the history of one change: a row per tracked field whose value differs between `before` and `after` (null: absent). */
export async function recordMetadata(
  tx: Db, organisationId: string, spec: Pick<RecordSpec, "resourceType" | "tracked" | "subject">, resourceId: string, action: DirectoryMetadataAction,
  before: Record<string, unknown> | null, after: Record<string, unknown> | null, by: string, now: Date,
): Promise<number> {
  const rows = metadataRows(organisationId, spec, resourceId, action, before, after, by, now);
  if (rows.length) await tx.insertInto("directory_metadata").values(rows).execute();
  return rows.length;
}

/** The history rows of one change: one per tracked field whose value differs between `before` and `after`. */
function metadataRows(
  organisationId: string, spec: Pick<RecordSpec, "resourceType" | "tracked" | "subject">, resourceId: string, action: DirectoryMetadataAction,
  before: Record<string, unknown> | null, after: Record<string, unknown> | null, by: string, now: Date,
) {
  const subject = spec.subject?.((after ?? before)!) ?? { type: spec.resourceType, id: resourceId };
  return spec.tracked.flatMap((field) => {
    const previous = before ? metadataValue(before[field]) : null;
    const replacement = after ? metadataValue(after[field]) : null;
    return previous === replacement ? [] : [{
      id: newId(), organisation_id: organisationId, resource_type: spec.resourceType, resource_id: resourceId,
      subject_type: subject.type, subject_id: subject.id, action, field_name: field,
      previous_value: previous, replacement_value: replacement, updated_by: by, updated_at: now,
    }];
  });
}

/**
 * Inserts a row (`values`: columns, without id, organisation or timestamps) and
 * its history (`create`, one row per tracked field given). Returns the row as read back.
 */
export async function insertRecord<T extends DirectoryTable>(
  tx: Db, spec: RecordSpec & { table: T }, organisationId: string, values: Record<string, unknown>, by: string, now: Date,
): Promise<Selectable<DirectoryTables[T]>> {
  const id = newId();
  // created_at and updated_at, where the table has them.
  const stamps = Object.fromEntries(["created_at", "updated_at"].filter((c) => spec.columns.includes(c)).map((c) => [c, now]));
  await tx.insertInto(spec.table as any).values({ ...values, ...stamps, id, organisation_id: organisationId } as any).execute();
  const row = (await readRecord(tx, spec, organisationId, id))!;
  await recordMetadata(tx, organisationId, spec, id, "create", null, row as Record<string, unknown>, by, now);
  return row;
}

/** Rows per multi-row statement in `insertRecords`: well under PostgreSQL's 65,535 parameters for the widest table. */
const BULK_ROWS = 500;

/**
 * `insertRecord` for many rows at once (a bulk import): one multi-row insert per
 * BULK_ROWS rows, the rows read back as `insertRecord` reads them, and their
 * history (`create`, the same rows `insertRecord` writes) in multi-row inserts.
 * Returns the rows in the order given.
 */
export async function insertRecords<T extends DirectoryTable>(
  tx: Db, spec: RecordSpec & { table: T }, organisationId: string, values: readonly Record<string, unknown>[], by: string, now: Date,
): Promise<Selectable<DirectoryTables[T]>[]> {
  const stamps = Object.fromEntries(["created_at", "updated_at"].filter((c) => spec.columns.includes(c)).map((c) => [c, now]));
  const rows = values.map((v) => ({ ...v, ...stamps, id: newId(), organisation_id: organisationId }));
  const out: Selectable<DirectoryTables[T]>[] = [];
  for (let i = 0; i < rows.length; i += BULK_ROWS) {
    const chunk = rows.slice(i, i + BULK_ROWS);
    await tx.insertInto(spec.table as any).values(chunk as any).execute();
    const read = new Map((await tx.selectFrom(spec.table as any).select(selection(spec) as any).where("organisation_id" as any, "=", organisationId)
      .where("id" as any, "in", chunk.map((r) => r.id)).execute() as Record<string, unknown>[]).map((r) => [r.id as string, r]));
    const history = chunk.flatMap((r) => metadataRows(organisationId, spec, r.id, "create", null, read.get(r.id)!, by, now));
    for (let k = 0; k < history.length; k += BULK_ROWS * 4) await tx.insertInto("directory_metadata").values(history.slice(k, k + BULK_ROWS * 4)).execute();
    out.push(...chunk.map((r) => read.get(r.id) as Selectable<DirectoryTables[T]>));
  }
  return out;
}

/**
 * Changes the given columns of a row (locked first) and records each field that
 * really changed; a patch that changes nothing writes nothing. Returns the row
 * before and after, or undefined when there is no such row.
 */
export async function updateRecord<T extends DirectoryTable>(
  tx: Db, spec: RecordSpec & { table: T }, organisationId: string, id: string, patch: Record<string, unknown>, by: string, now: Date,
): Promise<{ before: Selectable<DirectoryTables[T]>; after: Selectable<DirectoryTables[T]>; changed: string[] } | undefined> {
  const before = await readRecord(tx, spec, organisationId, id, true);
  if (!before) return undefined;
  const old = before as Record<string, unknown>;
  const changed = Object.keys(patch).filter((c) => patch[c] !== undefined && metadataValue(old[c]) !== metadataValue(patch[c]));
  if (!changed.length) return { before, after: before, changed };
  const set: Record<string, unknown> = Object.fromEntries(changed.map((c) => [c, patch[c]]));
  if (spec.columns.includes("updated_at")) set.updated_at = now;
  await tx.updateTable(spec.table as any).set(set as any).where("organisation_id" as any, "=", organisationId).where("id" as any, "=", id).execute();
  const after = (await readRecord(tx, spec, organisationId, id))!;
  await recordMetadata(tx, organisationId, spec, id, "update", old, after as Record<string, unknown>, by, now);
  return { before, after, changed };
}

/** Deletes a row and records what it held (`delete`); false when there was none. */
export async function deleteRecord(tx: Db, spec: RecordSpec, organisationId: string, id: string, by: string, now: Date): Promise<boolean> {
  const before = await readRecord(tx, spec, organisationId, id, true);
  if (!before) return false;
  await tx.deleteFrom(spec.table as any).where("organisation_id" as any, "=", organisationId).where("id" as any, "=", id).execute();
  await recordMetadata(tx, organisationId, spec, id, "delete", before as Record<string, unknown>, null, by, now);
  return true;
}

/** One change as the history shows it. */
export interface DirectoryChange {
  id: string;
  /** The part changed (the record itself, or one of its schedules, areas…). */
  resourceType: DirectoryResourceType;
  resourceId: string;
  action: DirectoryMetadataAction;
  field: string;
  previous: string | null;
  replacement: string | null;
  by: string;
  at: Date;
}

/**
 * The history of a record, newest first: every change to it and to its parts
 * (a service's schedules, areas, capacities, taxonomy codes, locations), deleted
 * parts included. At most `limit` changes.
 */
export async function directoryHistory(db: Db, organisationId: string, subjectId: string, limit = 500): Promise<DirectoryChange[]> {
  const rows = await db.selectFrom("directory_metadata").selectAll().where("organisation_id", "=", organisationId)
    .where("subject_id", "=", subjectId).orderBy("updated_at", "desc").orderBy("id", "desc").limit(limit).execute();
  return rows.map((r) => ({
    id: r.id, resourceType: r.resource_type, resourceId: r.resource_id, action: r.action, field: r.field_name,
    previous: r.previous_value, replacement: r.replacement_value, by: r.updated_by, at: r.updated_at,
  }));
}

/** Input keys → columns: the columns of the keys given (undefined: not given, left as is). */
export function toColumns(input: Record<string, unknown>, fields: Readonly<Record<string, string>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([key]) => input[key] !== undefined).map(([key, column]) => [column, input[key]]));
}

export type DirectoryResult<T, E extends string = string> = { ok: true; value: T } | { ok: false; error: E; field: string };

/** Whether `personId` is a person of the organisation (an owner, a verifier). */
export async function isPerson(db: Db, organisationId: string, personId: string): Promise<boolean> {
  return !!(await db.selectFrom("people").select("id").where("organisation_id", "=", organisationId).where("id", "=", personId).executeTakeFirst());
}
