/**
 * Notes on an incident (対応メモ): what someone found out or did, as an event of
 * the incident's timeline, with who wrote it. A note changes no state: it may
 * be added at any time, after the resolution too (a follow-up).
 */
import type { Db } from "../store/db.ts";
import { incidentEvent } from "./incident-log.ts";

/** Adds a note by `by` (a label: the person's or token's name); false when the incident is not the organisation's. */
export async function addIncidentNote(db: Db, organisationId: string, incidentId: string, note: string, by: string, now: Date): Promise<boolean> {
  const incident = await db.selectFrom("incidents").select("id").where("id", "=", incidentId).where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!incident) return false;
  await db.insertInto("incident_events").values(incidentEvent(organisationId, incidentId, now, "note", { note }, by)).execute();
  return true;
}
