/**
 * What a staff member owns (issue 14, Handover; seed 004: "every staff change
 * loses what the last person knew"): the directory's providers, services and
 * volunteers, and through a port other contexts' records (the network's
 * partners), each with its next contact date — the list a handover shows before
 * moving it all (engine/handover.ts), and a coordinator's "my next contacts"
 * (what they own whose date has come). Archived records are left out (a
 * handover still moves them). Past handovers are read back from the audit log,
 * where the handover route records each one.
 */
import type { Db } from "../../store/db.ts";
import type { OwnedPart, OwnedRecord } from "./ports.ts";

export type { OwnedRecord };

/** The directory's own records a person owns, not archived. */
async function directoryOwned(db: Db, organisationId: string, personId: string): Promise<OwnedRecord[]> {
  const of = async (table: "directory_organizations" | "directory_services" | "directory_volunteers", kind: OwnedRecord["kind"], name: "name" | "display_name") =>
    (await (db as Db).selectFrom(table as "directory_organizations").select(["id", `${name} as name` as "name"])
      .select((eb) => eb.fn<string | null>("to_char", [eb.ref("next_contact_on"), eb.val("YYYY-MM-DD")]).as("next_contact_on"))
      .where("organisation_id", "=", organisationId).where("owner_person_id", "=", personId).where("archived_at", "is", null)
      .orderBy("id").execute()).map((r) => ({ kind, id: r.id, name: r.name, nextContactOn: r.next_contact_on }));
  return [
    ...await of("directory_organizations", "organization", "name"),
    ...await of("directory_services", "service", "name"),
    ...await of("directory_volunteers", "volunteer", "display_name"),
  ];
}

/** Next contact first (dated before undated, then by name), so the earliest due comes first. */
function byNextContact(a: OwnedRecord, b: OwnedRecord): number {
  if (a.nextContactOn !== b.nextContactOn) {
    if (a.nextContactOn === null) return 1;
    if (b.nextContactOn === null) return -1;
    return a.nextContactOn < b.nextContactOn ? -1 : 1;
  }
  return a.name.localeCompare(b.name, "ja") || a.id.localeCompare(b.id);
}

/**
 * Everything `personId` owns: the directory's records and `otherParts`' (ports),
 * next contact first. Unknown people own nothing (an empty list).
 */
export async function ownedBy(db: Db, organisationId: string, personId: string, otherParts: readonly OwnedPart[] = []): Promise<OwnedRecord[]> {
  const all = await directoryOwned(db, organisationId, personId);
  for (const part of otherParts) all.push(...await part(db, organisationId, personId));
  return all.sort(byNextContact);
}

/** What `personId` owns whose next contact date (YYYY-MM-DD) is `today` or earlier, the most overdue first. */
export async function nextContactsDue(db: Db, organisationId: string, personId: string, today: string, otherParts: readonly OwnedPart[] = []): Promise<OwnedRecord[]> {
  return (await ownedBy(db, organisationId, personId, otherParts)).filter((r) => r.nextContactOn !== null && r.nextContactOn <= today);
}

/** A staff member or admin who may hand over or take over (deactivated ones may still be handed from). */
export interface HandoverPerson {
  id: string;
  displayName: string;
  deactivated: boolean;
}

/** The organisation's staff and admins, deactivated ones too (a leaver may be deactivated already), active first, by name. */
export async function handoverPeople(db: Db, organisationId: string): Promise<HandoverPerson[]> {
  const rows = await db.selectFrom("people").select(["id", "display_name", "deactivated_at"]).where("organisation_id", "=", organisationId)
    .where("role", "in", ["staff", "admin"]).orderBy("display_name").orderBy("id").execute();
  return rows.map((p) => ({ id: p.id, displayName: p.display_name, deactivated: p.deactivated_at !== null }))
    .sort((a, b) => Number(a.deactivated) - Number(b.deactivated));
}

/** A past handover as the audit log keeps it (the route writes `directory.handover`). */
export interface PastHandover {
  at: Date;
  /** Who did it, as the audit log names actors (`person:<name>:<id>`, `token:<name>:<id>`). */
  actor: string;
  from: { id: string; displayName: string } | null;
  to: { id: string; displayName: string } | null;
  /** What moved, by kind (organizations, services, volunteers, partners). */
  moved: Record<string, number>;
}

/** The organisation's handovers, newest first (at most `limit`). */
export async function pastHandovers(db: Db, organisationId: string, limit = 50): Promise<PastHandover[]> {
  const rows = await db.selectFrom("audit_log").select(["at", "actor", "subject_id", "detail"]).where("organisation_id", "=", organisationId)
    .where("action", "=", "directory.handover").orderBy("at", "desc").orderBy("id", "desc").limit(limit).execute();
  const details = rows.map((r) => (typeof r.detail === "string" ? JSON.parse(r.detail) : r.detail) as { toPersonId?: string; moved?: Record<string, number> });
  const ids = [...new Set(rows.flatMap((r, i) => [r.subject_id, details[i]!.toPersonId ?? null]).filter((id): id is string => id !== null))];
  const names = new Map(ids.length
    ? (await db.selectFrom("people").select(["id", "display_name"]).where("organisation_id", "=", organisationId).where("id", "in", ids).execute())
      .map((p) => [p.id, p.display_name])
    : []);
  const person = (id: string | null | undefined) => (id && names.has(id) ? { id, displayName: names.get(id)! } : null);
  return rows.map((r, i) => ({ at: r.at, actor: r.actor, from: person(r.subject_id), to: person(details[i]!.toPersonId), moved: details[i]!.moved ?? {} }));
}
