/** Incident rows and their timeline events, written inside the caller's transaction. */
import { type Insertable, sql } from "kysely";
import { type IncidentEventType, nextSummaryAt, raisedUrgency, URGENCY, type Urgency } from "../domain/incident.ts";
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
  type: IncidentEventType,
  data: Record<string, unknown> = {},
  actor: string | null = null,
): IncidentEventRow {
  return { id: newId(), organisation_id: organisationId, incident_id: incidentId, at, type, actor, data: JSON.stringify(data) };
}

/** An incident about to be opened: its id is chosen before it is written, so a batch can refer to it. */
export interface NewIncident {
  id: string;
  organisationId: string;
  memberId: string;
  checkinId: string | null;
  kind: IncidentKind;
  /** Defaults to the kind's (domain/incident.ts URGENCY); a concern's comes from its report. */
  urgency?: Urgency;
  at: Date;
  data?: Record<string, unknown>;
}

/** The "opened" event that starts an incident's timeline. */
export function openedEvent(p: NewIncident): IncidentEventRow {
  return incidentEvent(p.organisationId, p.id, p.at, "opened", { kind: p.kind, ...p.data });
}

/**
 * Write incidents (their "opened" events are the caller's: see `openedEvent`);
 * while anything stays unresolved, each member's team gets a daily summary (follow-ups.ts).
 */
export async function insertIncidents(tx: Db, incidents: NewIncident[]): Promise<void> {
  if (incidents.length === 0) return;
  await tx.insertInto("incidents").values(incidents.map((p) => ({
    id: p.id,
    organisation_id: p.organisationId,
    member_id: p.memberId,
    checkin_id: p.checkinId,
    kind: p.kind,
    urgency: p.urgency ?? URGENCY[p.kind],
    status: "open",
    opened_at: p.at,
  }))).execute();
  // Incidents opened together are opened at one instant: one summary time.
  const at = new Date(Math.min(...incidents.map((p) => p.at.getTime())));
  await sql`update teams set next_summary_at = ${nextSummaryAt(at, DEFAULT_TIME_ZONE)} from members
    where members.id in (select unnest(${incidents.map((p) => p.memberId)}::uuid[])) and teams.id = members.team_id
      and teams.next_summary_at is null`.execute(tx);
}

/** Open one incident with its "opened" event; returns its id. */
export async function openIncident(tx: Db, p: Omit<NewIncident, "id">): Promise<string> {
  const incident = { id: newId(), ...p };
  await insertIncidents(tx, [incident]);
  await addEvents(tx, [openedEvent(incident)]);
  return incident.id;
}

export async function addEvents(tx: Db, events: IncidentEventRow[]): Promise<void> {
  for (let i = 0; i < events.length; i += 1000) {
    await tx.insertInto("incident_events").values(events.slice(i, i + 1000)).execute();
  }
}

/** A member's unresolved incident as the joining paths read it (one per member: domain/concerns.ts). */
export interface UnresolvedIncident {
  id: string;
  kind: IncidentKind;
  urgency: Urgency;
  status: "open" | "acknowledged";
}

/**
 * The member's unresolved incident, if any (the oldest, should an old database
 * hold more than one). Lock the member row first (`for update`) where a new one
 * may be opened, so two paths never open two.
 */
export async function unresolvedIncidentOf(tx: Db, organisationId: string, memberId: string): Promise<UnresolvedIncident | undefined> {
  const row = await tx.selectFrom("incidents").select(["id", "kind", "urgency", "status"])
    .where("organisation_id", "=", organisationId).where("member_id", "=", memberId).where("status", "<>", "resolved")
    .orderBy("opened_at").orderBy("id").executeTakeFirst();
  return row as UnresolvedIncident | undefined;
}

/**
 * Raise an incident's urgency when a more urgent signal joins it (never lowers it);
 * the `urgency_raised` event records from and to. Returns the urgency afterwards.
 */
export async function raiseUrgency(
  tx: Db, incident: UnresolvedIncident & { organisationId: string }, to: Urgency, at: Date, data: Record<string, unknown>, actor: string | null,
): Promise<Urgency> {
  const raised = raisedUrgency(incident.urgency, to);
  if (!raised) return incident.urgency;
  await tx.updateTable("incidents").set({ urgency: raised }).where("id", "=", incident.id).where("organisation_id", "=", incident.organisationId).execute();
  await addEvents(tx, [incidentEvent(incident.organisationId, incident.id, at, "urgency_raised", { from: incident.urgency, to: raised, ...data }, actor)]);
  return raised;
}

/** Locks the member's row for the rest of the transaction (serialises the paths that open incidents); false when absent. */
export async function lockMember(tx: Db, organisationId: string, memberId: string): Promise<boolean> {
  const row = await tx.selectFrom("members").select("id").where("id", "=", memberId).where("organisation_id", "=", organisationId)
    .forUpdate().executeTakeFirst();
  return !!row;
}
