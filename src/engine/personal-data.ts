/**
 * A member's personal data on request (APPI arts. 33 and 35: disclosure and
 * erasure): everything held about one member, exported, and erased.
 *
 * - Export: the member, contacts, check-ins, answers, incidents with their
 *   timelines, notes and visits, and every section a context adds through its
 *   hook (the network: consents, disclosures, registration numbers…).
 * - Erasure: one transaction. Incidents opened within the organisation's
 *   retention period (settings.incidentRetentionYears, default
 *   DEFAULT_INCIDENT_RETENTION_YEARS) are KEPT ANONYMISED — kind, urgency, status,
 *   times and outcome stay for the statistics; note, who acknowledged, the
 *   check-in link and every timeline entry's actor and data go. The member row
 *   then stays as a tombstone (migration 025: `erased_at` set; no name, personal
 *   fields, channels, consent, furigana or external number; inactive) because
 *   those incidents and the reports' per-team counts hang on it. Without such
 *   incidents the member row is deleted outright. Everything else about the
 *   member goes: contacts (and their invitations), check-ins, answers,
 *   observations, notes, visits, links, queued and sent messages, LINE users,
 *   group memberships, broadcast answers, and each context's rows (its hook).
 *   The audit log keeps that the erasure happened, with counts, never the data.
 * - Contexts register a hook at the composition root (`addPersonalDataHook`);
 *   the core never imports a context.
 */
import { sql } from "kysely";
import { type Db, inTransaction } from "../store/db.ts";

/** Years an anonymised incident is kept after its member's erasure when the organisation set none (the care-record custom in Japan: 5 years). */
export const DEFAULT_INCIDENT_RETENTION_YEARS = 5;

/** Rows as exported: column → value (dates as ISO strings in JSON). */
export type ExportRow = Record<string, unknown>;

/** A context's part in a member's export and erasure. */
export interface PersonalDataHook {
  /** Registering the same name again replaces the hook. */
  name: string;
  /** Section name → rows, for the member's export (read inside the export's transaction). */
  export(tx: Db, organisationId: string, memberId: string): Promise<Record<string, ExportRow[]>>;
  /** Deletes or anonymises the context's rows about the member, in the erasure's transaction; returns table → rows affected. */
  erase(tx: Db, organisationId: string, memberId: string): Promise<Record<string, number>>;
}

const hooks = new Map<string, PersonalDataHook>();

export function addPersonalDataHook(hook: PersonalDataHook): void {
  hooks.set(hook.name, hook);
}

export interface MemberExport {
  memberId: string;
  exportedAt: string;
  sections: Record<string, ExportRow[]>;
}

/** Everything held about one member, by section; undefined when the organisation has no such member (or it was erased). */
export async function exportMember(db: Db, organisationId: string, memberId: string, now: Date): Promise<MemberExport | undefined> {
  return inTransaction(db, async (tx) => {
    const member = await tx.selectFrom("members").selectAll().where("organisation_id", "=", organisationId).where("id", "=", memberId)
      .where("erased_at", "is", null).executeTakeFirst();
    if (!member) return undefined;
    const incidents = await tx.selectFrom("incidents").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
      .orderBy("opened_at").execute();
    const events = incidents.length
      ? await tx.selectFrom("incident_events").selectAll().where("organisation_id", "=", organisationId)
        .where("incident_id", "in", incidents.map((i) => i.id)).orderBy("at").orderBy("id").execute()
      : [];
    const sections: Record<string, ExportRow[]> = {
      member: [member],
      contacts: await tx.selectFrom("contacts").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("position").execute(),
      checkins: await tx.selectFrom("checkins").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("due_at").execute(),
      answers: await tx.selectFrom("answers").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("received_at").execute(),
      incidents,
      incident_events: events,
      notes: await tx.selectFrom("member_notes").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("created_at").execute(),
      visits: await tx.selectFrom("visits").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("created_at").execute(),
      observations: await tx.selectFrom("observations").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("observed_at").execute(),
    };
    for (const hook of hooks.values()) Object.assign(sections, await hook.export(tx, organisationId, memberId));
    return { memberId, exportedAt: now.toISOString(), sections: jsonSafe(sections) as Record<string, ExportRow[]> };
  });
}

/** Dates as ISO strings, JSON columns parsed (PGlite and node-postgres both hand back objects already). */
function jsonSafe(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

/**
 * The export as one CSV table in long form — section, row number, column, value
 * (objects as JSON) — so every section fits one file a spreadsheet opens.
 */
export function exportRecords(data: MemberExport): string[][] {
  const rows: string[][] = [["section", "row", "field", "value"]];
  for (const [section, list] of Object.entries(data.sections)) {
    list.forEach((row, index) => {
      for (const [field, value] of Object.entries(row)) {
        rows.push([section, String(index + 1), field, value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value) : String(value)]);
      }
    });
  }
  return rows;
}

export interface ErasureResult {
  /** Incidents kept anonymised (within the retention period). */
  incidentsKept: number;
  incidentsDeleted: number;
  /** Whether the member row stays as a tombstone (incidents were kept). */
  tombstone: boolean;
  /** Table → rows deleted or anonymised (the core's and each context's). */
  counts: Record<string, number>;
  retentionYears: number;
}

/** The retention period of anonymised incidents, in years (organisation setting `incidentRetentionYears`). */
export async function incidentRetentionYears(db: Db, organisationId: string): Promise<number> {
  const org = await db.selectFrom("organisations").select("settings").where("id", "=", organisationId).executeTakeFirst();
  const years = org?.settings.incidentRetentionYears;
  return typeof years === "number" && Number.isInteger(years) && years >= 0 ? years : DEFAULT_INCIDENT_RETENTION_YEARS;
}

/**
 * Erase one member's personal data (the module comment says what goes and what
 * stays). Undefined when the organisation has no such member (or it was erased).
 */
export async function eraseMember(db: Db, organisationId: string, memberId: string, now: Date): Promise<ErasureResult | undefined> {
  const retentionYears = await incidentRetentionYears(db, organisationId);
  return inTransaction(db, async (tx) => {
    const member = await tx.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "=", memberId)
      .where("erased_at", "is", null).forUpdate().executeTakeFirst();
    if (!member) return undefined;
    const counts: Record<string, number> = {};
    const count = (table: string, n: bigint | number | undefined) => {
      counts[table] = (counts[table] ?? 0) + Number(n ?? 0);
    };
    const org = (table: string) => sql`${sql.table(table)}.organisation_id = ${organisationId}`;
    const since = new Date(now);
    since.setUTCFullYear(since.getUTCFullYear() - retentionYears);

    // Contexts first: their rows may point at the member's core rows.
    for (const hook of hooks.values()) for (const [table, n] of Object.entries(await hook.erase(tx, organisationId, memberId))) count(table, n);

    const contactIds = (await tx.selectFrom("contacts").select("id").where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
      .execute()).map((c) => c.id);
    const recipients = [memberId, ...contactIds];
    const checkinIds = tx.selectFrom("checkins").select("id").where("organisation_id", "=", organisationId).where("member_id", "=", memberId);
    const incidentIds = tx.selectFrom("incidents").select("id").where("organisation_id", "=", organisationId).where("member_id", "=", memberId);
    // Messages to the member or their contacts, and those about the member to anyone (an alert to the team names
    // the member), with the sandbox's copies and the links sent in them: addresses and texts are personal.
    const messages = (await tx.selectFrom("outbox").select("idempotency_key").where("organisation_id", "=", organisationId)
      .where((eb) => eb.or([eb("recipient_id", "in", recipients), eb("checkin_id", "in", checkinIds), eb("incident_id", "in", incidentIds)]))
      .execute()).map((m) => m.idempotency_key);
    for (let i = 0; i < messages.length; i += 1000) {
      const keys = messages.slice(i, i + 1000);
      count("sandbox_deliveries", (await tx.deleteFrom("sandbox_deliveries").where("organisation_id", "=", organisationId)
        .where("idempotency_key", "in", keys).executeTakeFirst()).numDeletedRows);
      count("outbox", (await tx.deleteFrom("outbox").where("organisation_id", "=", organisationId).where("idempotency_key", "in", keys)
        .executeTakeFirst()).numDeletedRows);
    }
    count("sandbox_deliveries", (await tx.deleteFrom("sandbox_deliveries").where("organisation_id", "=", organisationId)
      .where("recipient_id", "in", recipients).executeTakeFirst()).numDeletedRows);
    count("links", (await tx.deleteFrom("links").where("organisation_id", "=", organisationId)
      .where((eb) => eb.or([eb("member_id", "=", memberId), eb("recipient_id", "in", recipients), eb("incident_id", "in", incidentIds)]))
      .executeTakeFirst()).numDeletedRows);
    count("line_users", (await tx.deleteFrom("line_users").where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
      .executeTakeFirst()).numDeletedRows);
    count("broadcast_recipients", (await tx.deleteFrom("broadcast_recipients").where("organisation_id", "=", organisationId)
      .where("member_id", "=", memberId).executeTakeFirst()).numDeletedRows);

    const incidents = await tx.selectFrom("incidents").select(["id", "opened_at"]).where("organisation_id", "=", organisationId)
      .where("member_id", "=", memberId).execute();
    const kept = incidents.filter((i) => i.opened_at > since).map((i) => i.id);
    const dropped = incidents.filter((i) => i.opened_at <= since).map((i) => i.id);

    if (kept.length === 0) {
      // Nothing to keep: the member goes, and everything with it by foreign key.
      for (const table of ["contacts", "checkins", "answers", "member_notes", "visits", "observations", "group_members"] as const) {
        count(table, Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${org(table)} and member_id = ${memberId}`
          .execute(tx)).rows[0]?.n ?? 0));
      }
      count("incidents", incidents.length);
      await tx.deleteFrom("members").where("organisation_id", "=", organisationId).where("id", "=", memberId).execute();
      count("members", 1);
      return { incidentsKept: 0, incidentsDeleted: incidents.length, tombstone: false, counts, retentionYears };
    }

    if (dropped.length) {
      count("incidents", (await tx.deleteFrom("incidents").where("organisation_id", "=", organisationId).where("id", "in", dropped)
        .executeTakeFirst()).numDeletedRows);
    }
    // Kept incidents: no note, nobody named, no check-in; an unresolved one is closed (nobody is left to watch).
    await tx.updateTable("incidents").set({
      note: null, acknowledged_by: null, acknowledged_via: null, acknowledged_by_id: null, checkin_id: null, ack_check_at: null, ack_reminded_at: null,
    }).where("organisation_id", "=", organisationId).where("id", "in", kept).execute();
    await tx.updateTable("incidents").set({ status: "resolved", resolved_at: now })
      .where("organisation_id", "=", organisationId).where("id", "in", kept).where("status", "<>", "resolved").execute();
    count("incident_events", (await tx.updateTable("incident_events").set({ actor: null, data: "{}" })
      .where("organisation_id", "=", organisationId).where("incident_id", "in", kept).executeTakeFirst()).numUpdatedRows);
    count("incidents", kept.length);
    for (const table of ["visits", "contacts", "checkins", "answers", "member_notes", "observations", "group_members"] as const) {
      count(table, (await tx.deleteFrom(table).where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .executeTakeFirst()).numDeletedRows);
    }
    await tx.updateTable("members").set({
      display_name: "—", personal: "{}", channels: "[]", pause: null, active: false, next_due_at: null, last_prompted_at: null, consent: null,
      last_sign_of_life_at: null, last_sign_of_life_source: null,
      display_name_kana: null, external_id: null, updated_at: now, erased_at: now,
    }).where("organisation_id", "=", organisationId).where("id", "=", memberId).execute();
    count("members", 1);
    return { incidentsKept: kept.length, incidentsDeleted: dropped.length, tombstone: true, counts, retentionYears };
  });
}
