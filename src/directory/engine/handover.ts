/**
 * Handover (issue 14; seed 004: "every staff change loses what the last person
 * knew"): when a coordinator leaves, one action gives everything they own — the
 * directory's providers, services and volunteers, and through ports other contexts' records
 * (the network's partners) — to a successor, in one transaction, each move with
 * its history row (owner_person_id from → to). The route writes the audit entry.
 */
import { type Db, inTransaction } from "../../store/db.ts";
import { ORGANIZATION_SPEC } from "./organizations.ts";
import type { HandoverPart } from "./ports.ts";
import { type DirectoryResult, type RecordSpec, updateRecord } from "./records.ts";
import { SERVICE_SPEC } from "./services.ts";
import { volunteersHandover } from "./volunteers.ts";

/** Moves owner_person_id on every row of `spec`'s table owned by `from`, with history. */
function ownedRows(spec: RecordSpec & { table: "directory_organizations" | "directory_services" }, kind: string): HandoverPart {
  return async (tx, organisationId, from, to, by, now) => {
    const rows = await tx.selectFrom(spec.table).select("id").where("organisation_id", "=", organisationId).where("owner_person_id", "=", from)
      .orderBy("id").forNoKeyUpdate().execute();
    for (const { id } of rows) await updateRecord(tx, spec, organisationId, id, { owner_person_id: to }, by, now);
    return { [kind]: rows.length };
  };
}

/** The directory's own shares of a handover: providers, services and volunteers. */
export const DIRECTORY_HANDOVER_PARTS: HandoverPart[] = [
  ownedRows(ORGANIZATION_SPEC, "organizations"),
  ownedRows(SERVICE_SPEC, "services"),
  volunteersHandover,
];

export type HandoverRefusal = "unknown_person" | "inactive_successor" | "same_person";

/**
 * Gives everything `from` owns to `to` (a person of the organisation, not
 * deactivated; `from` may be deactivated already). One transaction over the
 * directory's parts and `otherParts` (ports); returns the counts by kind.
 */
export async function handOver(
  db: Db, organisationId: string, input: { fromPersonId: string; toPersonId: string }, by: string, now: Date, otherParts: readonly HandoverPart[] = [],
): Promise<DirectoryResult<Record<string, number>, HandoverRefusal>> {
  if (input.fromPersonId === input.toPersonId) return { ok: false, error: "same_person", field: "toPersonId" };
  return inTransaction(db, async (tx) => {
    const people = await tx.selectFrom("people").select(["id", "deactivated_at"]).where("organisation_id", "=", organisationId)
      .where("id", "in", [input.fromPersonId, input.toPersonId]).execute();
    if (!people.some((p) => p.id === input.fromPersonId)) return { ok: false, error: "unknown_person", field: "fromPersonId" };
    const successor = people.find((p) => p.id === input.toPersonId);
    if (!successor) return { ok: false, error: "unknown_person", field: "toPersonId" };
    if (successor.deactivated_at) return { ok: false, error: "inactive_successor", field: "toPersonId" };
    const counts: Record<string, number> = {};
    for (const part of [...DIRECTORY_HANDOVER_PARTS, ...otherParts]) {
      Object.assign(counts, await part(tx, organisationId, input.fromPersonId, input.toPersonId, by, now));
    }
    return { ok: true, value: counts };
  });
}
