/** Incident rows and their timeline events, written inside the caller's transaction. */
import { type Insertable, sql } from "kysely";
import { nextSummaryAt, URGENCY } from "../domain/incident.ts";
import { DEFAULT_TIME_ZONE } from "../domain/schedule.ts";
import type { IncidentKind } from "../domain/answers.ts";
import { newId } from "../ids.ts";
import type { Db } from "../store/db.ts";
import type { Database } from "../store/schema.ts";

export type IncidentEventRow = Insertable<Database["incident_events"]>;

export function incidentEvent(
  organisationId: string,
  incidentId: string,
  at: Date,
  type: string,
  data: Record<string, unknown> = {},
  actor: string | null = null,
): IncidentEventRow {
  return { id: newId(), organisation_id: organisationId, incident_id: incidentId, at, type, actor, data: JSON.stringify(data) };
}

export async function openIncident(
  tx: Db,
  p: { organisationId: string; memberId: string; checkinId: string | null; kind: IncidentKind; at: Date; data?: Record<string, unknown> },
): Promise<string> {
  const id = newId();
  await tx.insertInto("incidents").values({
    id,
    organisation_id: p.organisationId,
    member_id: p.memberId,
    checkin_id: p.checkinId,
    kind: p.kind,
    urgency: URGENCY[p.kind],
    status: "open",
    opened_at: p.at,
  }).execute();
  await tx.insertInto("incident_events").values(incidentEvent(p.organisationId, id, p.at, "opened", { kind: p.kind, ...p.data })).execute();
  // While anything stays unresolved, the member's team gets a daily summary (follow-ups.ts).
  await sql`update teams set next_summary_at = ${nextSummaryAt(p.at, DEFAULT_TIME_ZONE)} from members
    where members.id = ${p.memberId} and teams.id = members.team_id and teams.next_summary_at is null`.execute(tx);
  return id;
}

export async function addEvents(tx: Db, events: IncidentEventRow[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    await tx.insertInto("incident_events").values(events.slice(i, i + 1000)).execute();
  }
}
