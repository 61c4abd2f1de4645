/**
 * The finder's call (domain/finder-calls.ts has the rules): the commands the
 * Twilio webhook (providers/finder-call.ts) calls when a number is keyed and when
 * a contact's leg ends. Every call goes on the member's one incident (a
 * `finder_call` concern, engine/concerns.ts: the team is alerted, the family is
 * being rung anyway), ends with `finder_call_ended` on its timeline, and the team
 * is told how it ended (`team_notice`); a call nobody in the family took raises
 * the incident to high urgency. The route writes the audit entries.
 */
import { raiseConcern } from "../../engine/concerns.ts";
import { addEvents, incidentEvent, raiseUrgency, unresolvedIncidentOf } from "../../engine/incident-log.ts";
import { loadTeamDuty, teamAlertRows } from "../../engine/on-duty.ts";
import { enqueue } from "../../engine/outbox.ts";
import { formatLocal } from "../../domain/messages.ts";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import type { ChannelAddress } from "../../store/schema.ts";
import { finderOutcomeText, keyedNumber, nextLeg, withAttempt } from "../domain/finder-calls.ts";
import type { FinderDial, FinderOutcome } from "../store/schema.ts";
import { memberByRegistrationNumber } from "./registration-numbers.ts";

export type FinderStep =
  | { type: "wrong_number" }
  | { type: "dial"; callId: string; memberId: string; index: number; dial: FinderDial }
  | { type: "ended"; callId: string; memberId: string; outcome: FinderOutcome }
  /** The call is over already (a late or repeated callback). */
  | { type: "over" };

/** A confirmed contact's number to ring: their voice channel, else their SMS one (a mobile phone). */
function phoneOf(channels: ChannelAddress[]): string | undefined {
  return channels.find((c) => c.kind === "voice")?.address ?? channels.find((c) => c.kind === "sms")?.address;
}

/**
 * The finder keyed `digits` on call `callSid`: the first contact to ring, or a
 * wrong number, or the end when the member has no confirmed contact with a phone.
 * Twilio retrying the same webhook finds the same call.
 */
export async function startFinderCall(db: Db, organisationId: string, callSid: string, digits: string, now: Date): Promise<FinderStep> {
  return inTransaction(db, async (tx) => {
    const existing = await tx.selectFrom("network_finder_calls").selectAll().where("organisation_id", "=", organisationId)
      .where("call_sid", "=", callSid).forUpdate().executeTakeFirst();
    if (existing) {
      if (existing.outcome) return { type: "over" };
      const index = existing.attempts.length;
      const dial = existing.dial_list[index];
      return dial ? { type: "dial", callId: existing.id, memberId: existing.member_id, index, dial } : { type: "over" };
    }
    const number = keyedNumber(digits);
    const memberId = number ? await memberByRegistrationNumber(tx, organisationId, number) : undefined;
    if (!memberId) return { type: "wrong_number" };

    const contacts = await tx.selectFrom("contacts").select(["id", "channels"]).where("member_id", "=", memberId)
      .where("organisation_id", "=", organisationId).where("confirmed_at", "is not", null).orderBy("position").execute();
    const dialList: FinderDial[] = contacts.flatMap((c) => {
      const phone = phoneOf(c.channels as ChannelAddress[]);
      return phone ? [{ contactId: c.id, phone }] : [];
    });
    const callId = newId();
    const { incidentId } = await raiseConcern(tx, {
      organisationId, memberId, source: "finder_call", urgency: "watch", at: now,
      summary: "見守りステッカーの番号に、発見者から電話がありました / a finder called the sticker number",
      data: { finderCallId: callId, callSid }, actor: "finder", key: `finder:${callSid}`,
    }, now);
    await tx.insertInto("network_finder_calls").values({
      id: callId, organisation_id: organisationId, member_id: memberId, call_sid: callSid, incident_id: incidentId,
      dial_list: JSON.stringify(dialList), attempts: "[]", started_at: now,
    }).execute();
    const [first] = dialList;
    if (first) return { type: "dial", callId, memberId, index: 0, dial: first };
    await finish(tx, organisationId, callId, "no_contact", null, now);
    return { type: "ended", callId, memberId, outcome: "no_contact" };
  });
}

/** Leg `index` of call `callId` ended with Twilio's DialCallStatus: the next contact, or the end. */
export async function finderLegEnded(db: Db, organisationId: string, callId: string, index: number, status: string, now: Date): Promise<FinderStep> {
  return inTransaction(db, async (tx) => {
    const call = await tx.selectFrom("network_finder_calls").selectAll().where("organisation_id", "=", organisationId)
      .where("id", "=", callId).forUpdate().executeTakeFirst();
    if (!call || call.outcome) return { type: "over" };
    const current = call.dial_list[index];
    if (!current || index > call.attempts.length) return { type: "over" };
    if (index < call.attempts.length) {
      // Twilio retrying a leg's callback: the same answer as the first time, nothing recorded again.
      const again = nextLeg(call.dial_list, index, call.attempts[index].status);
      return again.type === "dial" ? { type: "dial", callId, memberId: call.member_id, index: again.index, dial: again.dial } : { type: "over" };
    }
    const attempts = withAttempt(call.attempts, index, current.contactId, status, now);
    await tx.updateTable("network_finder_calls").set({ attempts: JSON.stringify(attempts) })
      .where("id", "=", callId).where("organisation_id", "=", organisationId).execute();
    const next = nextLeg(call.dial_list, index, status);
    if (next.type === "dial") return { type: "dial", callId, memberId: call.member_id, index: next.index, dial: next.dial };
    const outcome: FinderOutcome = next.type === "connected" ? "connected" : "nobody_answered";
    await finish(tx, organisationId, callId, outcome, next.type === "connected" ? next.contactId : null, now);
    return { type: "ended", callId, memberId: call.member_id, outcome };
  });
}

/** Record how the call ended, on the row and the incident's timeline, and tell the team. */
async function finish(tx: Db, organisationId: string, callId: string, outcome: FinderOutcome, contactId: string | null, now: Date): Promise<void> {
  const call = await tx.updateTable("network_finder_calls").set({ outcome, connected_contact_id: contactId, ended_at: now })
    .where("id", "=", callId).where("organisation_id", "=", organisationId).returning(["member_id", "incident_id", "attempts"]).executeTakeFirstOrThrow();
  const member = await tx.selectFrom("members").select(["team_id", "display_name", "plan"]).where("id", "=", call.member_id)
    .where("organisation_id", "=", organisationId).executeTakeFirstOrThrow();
  const relation = contactId
    ? (await tx.selectFrom("contacts").select("relation").where("id", "=", contactId).where("organisation_id", "=", organisationId).executeTakeFirst())?.relation ?? null
    : null;
  if (call.incident_id) {
    await addEvents(tx, [incidentEvent(organisationId, call.incident_id, now, "finder_call_ended", {
      outcome, contactId, attempts: call.attempts, finderCallId: callId,
    }, "finder")]);
    const open = await unresolvedIncidentOf(tx, organisationId, call.member_id);
    if (outcome !== "connected" && open?.id === call.incident_id) {
      await raiseUrgency(tx, { ...open, organisationId }, "high", now, { finderCallId: callId }, "finder");
    }
  }
  const team = await tx.selectFrom("teams").select("channels").where("id", "=", member.team_id).executeTakeFirstOrThrow();
  const fanout = teamAlertRows({
    organisationId, key: `finder:${callId}:ended:${member.team_id}`, teamId: member.team_id,
    messageKind: "team_notice", text: finderOutcomeText(member.display_name, outcome, relation, formatLocal(now, member.plan.timeZone)),
    payload: { memberId: call.member_id, finderCallId: callId, outcome, incidentId: call.incident_id }, dueAt: now, now,
  }, team.channels as ChannelAddress[], (await loadTeamDuty(tx, [member.team_id])).get(member.team_id));
  await enqueue(tx, fanout.rows);
}
