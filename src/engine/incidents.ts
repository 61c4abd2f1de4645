/**
 * Incident commands and queries. Human steps on an incident: acknowledge and
 * resolve, each an event on its timeline (passing it on and reporting safe from
 * a message are in responses.ts, and call these). Each cancels the queued messages it made unnecessary (alerts nobody
 * needs any more), and an acknowledgement gets its deadlines: a reminder, then a
 * timeout that re-opens the incident (follow-ups.ts).
 */
import type { Selectable } from "kysely";
import {
  checkAcknowledge, checkResolve, consequenceOf, type IncidentStatus, type Outcome, type TransitionError,
} from "../domain/incident.ts";
import { ackDeadlines } from "../domain/policy.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";
import { cancelQueued } from "./causes.ts";
import { incidentEvent } from "./incident-log.ts";
import { loadPolicies, policyFor } from "./policies.ts";

/** Who takes an incident on: a label for the timeline, the channel, and whom to remind (default: the member's team). */
export interface Acknowledger {
  label: string;
  via: string;
  recipient?: { kind: "contact" | "team" | "person"; id: string };
}

/** Alerts that wait on nobody having taken the incident on. */
const ALERT_KINDS = ["alert", "contact_request", "member_unreachable"] as const;

export type IncidentCommandResult = { ok: true } | { ok: false; error: TransitionError | { code: "not_found"; message: string } };

const notFound = { ok: false as const, error: { code: "not_found" as const, message: "no such incident" } };

export async function acknowledgeIncident(
  db: Db, organisationId: string, incidentId: string, by: Acknowledger, now: Date,
): Promise<IncidentCommandResult> {
  return inTransaction(db, (tx) => acknowledgeIncidentIn(tx, organisationId, incidentId, by, now));
}

/**
 * Acknowledge inside the caller's transaction: the escalation stops, queued
 * alerts are cancelled, and the acknowledgement's reminder is scheduled.
 */
export async function acknowledgeIncidentIn(
  tx: Db, organisationId: string, incidentId: string, by: Acknowledger, now: Date,
): Promise<IncidentCommandResult> {
  const incident = await tx.selectFrom("incidents").innerJoin("members", "members.id", "incidents.member_id")
    .select(["incidents.status", "incidents.member_id", "members.team_id", "members.channels"])
    .where("incidents.id", "=", incidentId).where("incidents.organisation_id", "=", organisationId)
    .forUpdate("incidents").executeTakeFirst();
  if (!incident) return notFound;
  const problem = checkAcknowledge(incident.status as "open");
  if (problem) return { ok: false, error: problem };
  const policy = policyFor((await loadPolicies(tx, [incident.team_id]))(incident.team_id), incident.channels as ChannelAddress[]);
  await tx.updateTable("incidents").set({
    status: "acknowledged", acknowledged_at: now, acknowledged_by: by.label, acknowledged_via: by.via,
    acknowledged_by_kind: by.recipient?.kind ?? null, acknowledged_by_id: by.recipient?.id ?? null,
    ack_check_at: ackDeadlines(policy, now).remindAt, ack_reminded_at: null,
  }).where("id", "=", incidentId).execute();
  // Someone has taken it on: nobody further down the list needs waking.
  await tx.updateTable("checkins").set({ next_action_at: null, after_asked_ms: null })
    .where("incident_id", "=", incidentId).where("status", "=", "open").execute();
  await cancelQueued(tx, { incidentIds: [incidentId], kinds: [...ALERT_KINDS] }, "incident_acknowledged", now);
  await tx.insertInto("incident_events").values(incidentEvent(organisationId, incidentId, now, "acknowledged", { via: by.via }, by.label))
    .execute();
  return { ok: true };
}

export async function resolveIncident(
  db: Db, organisationId: string, incidentId: string, outcome: Outcome, note: string, by: string, now: Date,
): Promise<IncidentCommandResult> {
  return inTransaction(db, (tx) => resolveIncidentIn(tx, organisationId, incidentId, outcome, note, by, now));
}

/** Resolve inside the caller's transaction. */
export async function resolveIncidentIn(
  tx: Db, organisationId: string, incidentId: string, outcome: Outcome, note: string, by: string, now: Date,
): Promise<IncidentCommandResult> {
  const incident = await tx.selectFrom("incidents").select(["status", "member_id"])
    .where("id", "=", incidentId).where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
  if (!incident) return notFound;
  const problem = checkResolve(incident.status as "open");
  if (problem) return { ok: false, error: problem };
  await tx.updateTable("incidents").set({ status: "resolved", resolved_at: now, outcome, note, ack_check_at: null })
    .where("id", "=", incidentId).execute();
  await cancelQueued(tx, { incidentIds: [incidentId], kinds: [...ALERT_KINDS, "ack_reminder"] }, "incident_resolved", now);
  await tx.insertInto("incident_events").values(incidentEvent(organisationId, incidentId, now, "resolved", { outcome, note }, by)).execute();
  // Nobody needs to go and look any more (a visit that settled it is already done).
  await cancelVisitsIn(tx, organisationId, incidentId, by, now);
  // A human has established how the member is: the unanswered check-ins are settled,
  // and the next check-in starts a fresh chain.
  const settled = await tx.updateTable("checkins").set({ status: "resolved", closed_reason: "incident_resolved", next_action_at: null })
    .where("member_id", "=", incident.member_id).where("status", "=", "open").returning("id").execute();
  await cancelQueued(tx, { checkinIds: settled.map((c) => c.id), kinds: ["prompt", "resend"] }, "checkin_closed", now);
  const consequence = consequenceOf(outcome);
  if (consequence === "pause") {
    await tx.updateTable("members").set({ pause: JSON.stringify({ reason: "hospital" }), next_due_at: null, updated_at: now })
      .where("id", "=", incident.member_id).execute();
  } else if (consequence === "leave") {
    await tx.updateTable("members").set({ active: false, next_due_at: null, updated_at: now })
      .where("id", "=", incident.member_id).execute();
  }
  return { ok: true };
}

/** Cancels an incident's visits still to be done, inside the caller's transaction (the incident was resolved some other way). */
export async function cancelVisitsIn(tx: Db, organisationId: string, incidentId: string, by: string | null, now: Date): Promise<void> {
  const cancelled = await tx.updateTable("visits").set({ state: "cancelled", done_at: now })
    .where("organisation_id", "=", organisationId).where("incident_id", "=", incidentId).where("state", "in", ["offered", "accepted"])
    .returning("id").execute();
  if (cancelled.length) {
    await tx.insertInto("incident_events").values(cancelled.map((v) => incidentEvent(organisationId, incidentId, now, "visit_cancelled", { visitId: v.id }, by)))
      .execute();
  }
}

/** The member's phone number to call or to give a watcher: their own phone, else their first phone channel. */
export function phoneOf(personal: Record<string, string>, channels: ChannelAddress[]): string | null {
  return personal.phone ?? channels.find((c) => c.kind === "voice" || c.kind === "sms")?.address ?? null;
}

// ---------------------------------------------------------------- queries

export type IncidentRow = Selectable<Database["incidents"]>;
/** One entry of an incident's timeline; `data` holds what the entry's type records (outcome, note, via…). */
export type TimelineEntry = Pick<Selectable<Database["incident_events"]>, "at" | "type" | "actor" | "data">;
export interface IncidentWithTimeline {
  incident: IncidentRow;
  /** The member's display name (the console shows names, not ids). */
  memberName: string;
  /** The member's phone number (phoneOf), for staff who phone them; null when they have none. */
  phone: string | null;
  /** Oldest first. */
  timeline: TimelineEntry[];
}

/** `unresolved`: open or acknowledged; `incidentIds`: only these (a watcher's, engine/visits.ts incidentsOfWatcher). */
/** `teamIds`: only incidents of members of these teams (a team staff member's scope); none when empty. */
export type IncidentFilter = { status?: IncidentStatus | "unresolved"; memberId?: string; incidentIds?: string[]; teamIds?: string[]; limit: number };

/** The organisation's incidents, newest first, each with its timeline. */
export async function listIncidents(db: Db, organisationId: string, filter: IncidentFilter): Promise<IncidentWithTimeline[]> {
  let q = db.selectFrom("incidents").selectAll().where("organisation_id", "=", organisationId).orderBy("opened_at", "desc").limit(filter.limit);
  if (filter.status === "unresolved") q = q.where("status", "<>", "resolved");
  else if (filter.status) q = q.where("status", "=", filter.status);
  if (filter.memberId) q = q.where("member_id", "=", filter.memberId);
  if (filter.incidentIds) q = filter.incidentIds.length ? q.where("id", "in", filter.incidentIds) : q.where("id", "is", null);
  if (filter.teamIds) {
    const teamIds = filter.teamIds.length ? filter.teamIds : [null];
    q = q.where("member_id", "in", (eb) => eb.selectFrom("members").select("members.id")
      .where("members.organisation_id", "=", organisationId).where("members.team_id", "in", teamIds as string[]));
  }
  return withTimelines(db, await q.execute());
}

/** One incident with its timeline; undefined when the organisation has no such incident. */
export async function getIncident(db: Db, organisationId: string, incidentId: string): Promise<IncidentWithTimeline | undefined> {
  const row = await db.selectFrom("incidents").selectAll().where("id", "=", incidentId).where("organisation_id", "=", organisationId)
    .executeTakeFirst();
  return row ? (await withTimelines(db, [row]))[0] : undefined;
}

async function withTimelines(db: Db, rows: IncidentRow[]): Promise<IncidentWithTimeline[]> {
  const [events, members] = rows.length
    ? await Promise.all([
      db.selectFrom("incident_events").select(["incident_id", "at", "type", "actor", "data"])
        .where("incident_id", "in", rows.map((r) => r.id)).orderBy("at").orderBy("id").execute(),
      db.selectFrom("members").select(["id", "display_name", "personal", "channels"]).where("id", "in", [...new Set(rows.map((r) => r.member_id))]).execute(),
    ])
    : [[], []];
  const byIncident = new Map<string, TimelineEntry[]>();
  for (const { incident_id: id, ...entry } of events) byIncident.set(id, [...(byIncident.get(id) ?? []), entry]);
  const byId = new Map(members.map((m) => [m.id, m]));
  return rows.map((incident) => {
    const member = byId.get(incident.member_id);
    return {
      incident, memberName: member?.display_name ?? "", phone: member ? phoneOf(member.personal, member.channels) : null,
      timeline: byIncident.get(incident.id) ?? [],
    };
  });
}
