/**
 * Reading the audit log: filtered by who (part of a person's or token's name,
 * or their id), what (an action, or a family of them: `member.`), which member,
 * and when; newest first, paged by the server; and exported as a file (the
 * export is itself audited by the caller).
 */
import { tableFile } from "./table-files.ts";
import { type Selectable, sql } from "kysely";
import type { Db } from "../store/db.ts";
import type { Database } from "../store/schema.ts";

export interface AuditFilter {
  /** Part of the actor (`person:<name>:<id>`, `token:<name>:<id>`): a name as typed, or an id. */
  actor?: string;
  /** An action (`member.view`), or a family when it ends with a dot (`member.`). */
  action?: string;
  /** Entries about this member. */
  memberId?: string;
  /** ISO date-times: entries at or after `from`, before `to`. */
  from?: string;
  to?: string;
}

export type AuditRow = Selectable<Database["audit_log"]>;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

function filtered(db: Db, organisationId: string, filter: AuditFilter) {
  let q = db.selectFrom("audit_log").selectAll().where("organisation_id", "=", organisationId);
  if (filter.actor) q = q.where("actor", "ilike", `%${escapeLike(filter.actor)}%`);
  if (filter.action) {
    q = filter.action.endsWith(".") ? q.where("action", "like", `${escapeLike(filter.action)}%`) : q.where("action", "=", filter.action);
  }
  if (filter.memberId) q = q.where("subject_kind", "=", "member").where("subject_id", "=", filter.memberId);
  if (filter.from) q = q.where("at", ">=", new Date(filter.from));
  if (filter.to) q = q.where("at", "<", new Date(filter.to));
  return q.orderBy("at", "desc").orderBy("id", "desc");
}

/**
 * A page of the organisation's audit log, newest first: at most `limit`
 * entries matching `filter`, older than the entry `before` (the previous
 * page's last id) when given.
 */
export async function listAuditLog(
  db: Db, organisationId: string, page: { limit: number; before?: string } & AuditFilter,
): Promise<AuditRow[]> {
  let q = filtered(db, organisationId, page).limit(page.limit);
  if (page.before) {
    q = q.where(sql<boolean>`(at, id) < (select b.at, b.id from audit_log b where b.id = ${page.before} and b.organisation_id = ${organisationId})`);
  }
  return q.execute();
}

/** At most this many entries go into one export (narrow the dates for more). */
export const MAX_AUDIT_EXPORT = 100_000;

/** The entries matching `filter`, newest first, as CSV (UTF-8 with BOM, for Excel) or xlsx; with how many. */
export async function exportAuditLog(
  db: Db, organisationId: string, filter: AuditFilter, format: "csv" | "xlsx",
): Promise<{ bytes: Buffer; count: number }> {
  const rows = await filtered(db, organisationId, filter).limit(MAX_AUDIT_EXPORT).execute();
  const header = ["at", "actor", "action", "subject_kind", "subject_id", "detail"];
  const table = rows.map((r) => [r.at.toISOString(), r.actor, r.action, r.subject_kind, r.subject_id ?? "", JSON.stringify(r.detail)]);
  return { bytes: await tableFile("audit-log", header, table, format), count: rows.length };
}
