/** Human steps on an incident: acknowledge and resolve, each an event on its timeline. */
import { checkAcknowledge, checkResolve, consequenceOf, type Outcome, type TransitionError } from "../domain/incident.ts";
import { type Db, inTransaction } from "../store/db.ts";
import { incidentEvent } from "./incident-log.ts";

export type IncidentCommandResult = { ok: true } | { ok: false; error: TransitionError | { code: "not_found"; message: string } };

const notFound = { ok: false as const, error: { code: "not_found" as const, message: "no such incident" } };

export async function acknowledgeIncident(
  db: Db, organisationId: string, incidentId: string, by: string, via: string, now: Date,
): Promise<IncidentCommandResult> {
  return inTransaction(db, (tx) => acknowledgeIncidentIn(tx, organisationId, incidentId, by, via, now));
}

/** Acknowledge inside the caller's transaction. */
export async function acknowledgeIncidentIn(
  tx: Db, organisationId: string, incidentId: string, by: string, via: string, now: Date,
): Promise<IncidentCommandResult> {
  const incident = await tx.selectFrom("incidents").select(["status", "member_id"])
    .where("id", "=", incidentId).where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
  if (!incident) return notFound;
  const problem = checkAcknowledge(incident.status as "open");
  if (problem) return { ok: false, error: problem };
  await tx.updateTable("incidents").set({ status: "acknowledged", acknowledged_at: now, acknowledged_by: by, acknowledged_via: via })
    .where("id", "=", incidentId).execute();
  // Someone has taken it on: nobody further down the list needs waking.
  await tx.updateTable("checkins").set({ next_action_at: null })
    .where("incident_id", "=", incidentId).where("status", "=", "open").execute();
  await tx.insertInto("incident_events").values(incidentEvent(organisationId, incidentId, now, "acknowledged", { via }, by)).execute();
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
  await tx.updateTable("incidents").set({ status: "resolved", resolved_at: now, outcome, note }).where("id", "=", incidentId).execute();
  await tx.insertInto("incident_events").values(incidentEvent(organisationId, incidentId, now, "resolved", { outcome, note }, by)).execute();
  // A human has established how the member is: the unanswered check-ins are settled,
  // and the next check-in starts a fresh chain.
  await tx.updateTable("checkins").set({ status: "resolved", closed_reason: "incident_resolved", next_action_at: null })
    .where("member_id", "=", incident.member_id).where("status", "=", "open").execute();
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
