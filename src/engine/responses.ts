/**
 * What a person can do in reply to a message: a key pressed on a call, a button
 * on the check-in page or under a LINE message. One place for the rules,
 * whichever channel carried the reply, each run inside the caller's transaction.
 *
 * - A member answers their check-in (1 = fine, 9 = please contact me).
 * - Whoever was alerted takes the incident on (acknowledge), reports the member
 *   safe (resolve), or passes it on: the next step of the escalation, which tells
 *   the next contact, is pulled forward to now.
 * - A contact confirms they take the role.
 */
import type { Answer } from "../domain/answers.ts";
import type { BroadcastAnswer } from "../domain/broadcasts.ts";
import { reportedSafeOutcome } from "../domain/incident.ts";
import type { Db } from "../store/db.ts";
import { type AnswerOutcome, recordAnswersIn } from "./answers.ts";
import { type BroadcastAnswerOutcome, recordBroadcastAnswerIn } from "./broadcasts.ts";
import { confirmContactIn as confirmContact } from "./contacts.ts";
import { incidentEvent } from "./incident-log.ts";
import { acknowledgeIncidentIn, type IncidentCommandResult, resolveIncidentIn } from "./incidents.ts";

/** Who acted: the recipient of the message they replied to. */
export interface Responder {
  organisationId: string;
  kind: string;
  id: string;
  /** The channel the reply came through: voice, sms, email, web, line. */
  via: string;
}

/** How a channel is named on the timeline where its kind alone would not read well. */
const VIA_NAMES: Record<string, string> = { line: "LINE" };
const viaName = (via: string) => VIA_NAMES[via] ?? via;

export async function answerCheckinIn(
  tx: Db, r: Responder, memberId: string, answer: Answer, key: string, now: Date,
): Promise<AnswerOutcome> {
  const [outcome] = await recordAnswersIn(tx, [{
    organisationId: r.organisationId, memberId, answer, source: "member", channel: r.via, idempotencyKey: key,
  }], now);
  return outcome;
}

export async function answerBroadcastIn(
  tx: Db, r: Responder, broadcastId: string, memberId: string, answer: BroadcastAnswer, key: string, now: Date,
): Promise<BroadcastAnswerOutcome> {
  return recordBroadcastAnswerIn(tx, {
    organisationId: r.organisationId, broadcastId, memberId, answer, source: "member", channel: r.via, idempotencyKey: key,
  }, now);
}

/** How the responder is named on the incident's timeline: "<name> (<channel>)". */
async function responderLabel(tx: Db, r: Responder): Promise<string> {
  if (r.kind === "person") {
    const person = await tx.selectFrom("people").select("display_name").where("id", "=", r.id).where("organisation_id", "=", r.organisationId).executeTakeFirst();
    return `${person?.display_name ?? r.kind} (${viaName(r.via)})`;
  }
  const table = r.kind === "contact" ? "contacts" : r.kind === "team" ? "teams" : undefined;
  if (!table) return `${r.kind} (${viaName(r.via)})`;
  const row = table === "contacts"
    ? await tx.selectFrom("contacts").select("display_name as name").where("id", "=", r.id).executeTakeFirst()
    : await tx.selectFrom("teams").select("name").where("id", "=", r.id).executeTakeFirst();
  return `${row?.name ?? r.kind} (${viaName(r.via)})`;
}

export async function acknowledgeAlertIn(tx: Db, r: Responder, incidentId: string, now: Date): Promise<IncidentCommandResult> {
  const recipient = r.kind === "contact" || r.kind === "team" || r.kind === "person"
    ? { kind: r.kind as "contact" | "team" | "person", id: r.id } : undefined;
  return acknowledgeIncidentIn(tx, r.organisationId, incidentId, { label: await responderLabel(tx, r), via: r.via, recipient }, now);
}

export async function reportSafeIn(tx: Db, r: Responder, incidentId: string, now: Date): Promise<IncidentCommandResult> {
  return resolveIncidentIn(tx, r.organisationId, incidentId, reportedSafeOutcome(r.via), `${viaName(r.via)}: 連絡がとれた・無事`,
    await responderLabel(tx, r), now);
}

/**
 * Pass the incident on: recorded on the timeline, and the escalation's next step
 * (the next contact) runs now instead of at its scheduled time. Later steps keep
 * their spacing from this moment.
 */
export async function passAlertIn(tx: Db, r: Responder, incidentId: string, now: Date): Promise<IncidentCommandResult> {
  const incident = await tx.selectFrom("incidents").select(["status"]).where("id", "=", incidentId)
    .where("organisation_id", "=", r.organisationId).executeTakeFirst();
  if (!incident) return { ok: false, error: { code: "not_found", message: "no such incident" } };
  if (incident.status === "resolved") return { ok: false, error: { code: "incident_resolved", message: "the incident is already resolved" } };
  const chain = await tx.selectFrom("checkins").select(["id", "next_action_at"]).where("incident_id", "=", incidentId)
    .where("status", "=", "open").where("next_action_at", "is not", null).orderBy("due_at").forUpdate().executeTakeFirst();
  if (chain?.next_action_at && chain.next_action_at > now) {
    await tx.updateTable("checkins").set({ next_action_at: now }).where("id", "=", chain.id).execute();
  }
  await tx.insertInto("incident_events").values(incidentEvent(r.organisationId, incidentId, now, "passed", {
    via: r.via, nextStepPulledForward: !!chain,
  }, await responderLabel(tx, r))).execute();
  return { ok: true };
}

/** Confirm a contact's role (see {@link confirmContact}); says whether it was already confirmed or the contact is gone. */
export async function confirmContactIn(tx: Db, r: Responder, contactId: string, now: Date): Promise<"confirmed" | "already" | "missing"> {
  return confirmContact(tx, r.organisationId, contactId, now);
}
