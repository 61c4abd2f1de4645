/**
 * Whether a queued message is still needed when its turn comes (DESIGN-NOTES:
 * "everything queued re-checks its cause"). A prompt is for an open check-in of
 * an active, unpaused member; an alert is for an incident nobody has taken on; a
 * reminder is for an acknowledgement still without an outcome; a confirmation
 * request is for a contact who has not confirmed. What is no longer needed is
 * cancelled with the reason, never sent.
 */
import type { CheckinStatus } from "./escalation.ts";
import type { IncidentStatus } from "./incident.ts";
import type { MessageKind } from "./messages.ts";

export const CANCEL_REASONS = [
  "checkin_closed",
  "incident_acknowledged",
  "incident_resolved",
  "no_longer_acknowledged",
  "member_answered",
  "member_paused",
  "member_inactive",
  "recipient_gone",
  "contact_confirmed",
  "group_inactive",
  "off_duty",
  "visit_answered",
  // A device's silence (the regional network's device_silent): the device reported again since, or it was removed.
  "device_reported",
  "device_removed",
  // A bounded context's request to a person (person_message) was answered, withdrawn or ran out before its turn came.
  "request_closed",
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** What the engine knows, at claim time, about a queued message's cause. Absent facts were not asked for. */
export interface CauseFacts {
  /**
   * False when the recipient (contact, team, group, member, a person not deactivated, a
   * subscription to the monthly report whose person, if any, is not deactivated) no longer exists.
   */
  recipientExists: boolean;
  checkinStatus?: CheckinStatus;
  incidentStatus?: IncidentStatus;
  /** The member answered after this message was queued (an alert about their silence is moot). */
  memberAnsweredSinceQueued?: boolean;
  /** The member the message is to or about. */
  member?: { active: boolean; paused: boolean };
  contactConfirmed?: boolean;
  groupActive?: boolean;
  /**
   * For a message sent to a person because they are on duty (a team alert): whether they
   * still are (staff or admin, on duty), and whether they still have the channel it was
   * queued for. Absent for other messages.
   */
  onDutyStill?: boolean;
  dutyChannelExists?: boolean;
  /** For a visit request: whether the visit is still offered to the recipient (not accepted, declined, withdrawn or done). */
  visitOfferedToRecipient?: boolean;
  /**
   * Why a bounded context's own check of the message's cause found it gone
   * (engine/causes.ts `addCauseCheck`: the core does not know a context's tables);
   * absent when its cause still holds or no context checks the kind.
   */
  causeGone?: CancelReason;
}

export type Need = { needed: true } | { needed: false; reason: CancelReason };

const NEEDED: Need = { needed: true };
const cancel = (reason: CancelReason): Need => ({ needed: false, reason });

/** An incident-driven alert waits only while nobody has taken the incident on. */
function untakenIncident(status: IncidentStatus | undefined): Need {
  if (status === "resolved") return cancel("incident_resolved");
  if (status === "acknowledged") return cancel("incident_acknowledged");
  return NEEDED;
}

/** Only the member's silence is urgent: alive and active. */
const forTheMember = (f: CauseFacts): Need => {
  if (f.member && !f.member.active) return cancel("member_inactive");
  if (f.member?.paused) return cancel("member_paused");
  if (f.checkinStatus !== undefined && f.checkinStatus !== "open") return cancel("checkin_closed");
  return NEEDED;
};
const always = (): Need => NEEDED;

/**
 * The rule of each kind of message, one per kind (a new kind does not compile
 * until it has one). Kinds that answer or inform (replies, notices, summaries)
 * are always still needed once queued.
 */
const RULES: Record<MessageKind, (facts: CauseFacts) => Need> = {
  prompt: forTheMember,
  resend: forTheMember,
  alert: (f) => (f.memberAnsweredSinceQueued ? cancel("member_answered") : untakenIncident(f.incidentStatus)),
  contact_request: (f) => untakenIncident(f.incidentStatus),
  member_unreachable: (f) => untakenIncident(f.incidentStatus),
  ack_reminder: (f) => {
    if (f.incidentStatus === "resolved") return cancel("incident_resolved");
    // Re-opened by the timeout (or never acknowledged): the reminder has no promise to recall.
    return f.incidentStatus === "acknowledged" ? NEEDED : cancel("no_longer_acknowledged");
  },
  ack_timeout: (f) => (f.incidentStatus === "resolved" ? cancel("incident_resolved") : NEEDED),
  contact_confirm: (f) => (f.contactConfirmed ? cancel("contact_confirmed") : NEEDED),
  broadcast: (f) => (f.member && !f.member.active ? cancel("member_inactive") : NEEDED),
  group_prompt: (f) => (f.groupActive === false ? cancel("group_inactive") : NEEDED),
  group_list: (f) => (f.groupActive === false ? cancel("group_inactive") : NEEDED),
  member_answered: always,
  group_reply: always,
  group_welcome: always,
  group_approved: always,
  conversation: always,
  channel_lost: always,
  daily_summary: always,
  operator_alert: always,
  // Cancelled with its person (recipient_gone); a newer invitation makes this one's link useless, not harmful.
  person_invitation: always,
  channel_test: always,
  visit_offer: (f) => (f.visitOfferedToRecipient === false ? cancel("visit_answered") : NEEDED),
  // Cancelled with its subscription (recipient_gone: removed, or its person deactivated).
  monthly_report: always,
  terms_request: (f) => (f.member && !f.member.active ? cancel("member_inactive") : NEEDED),
  // A task for the team about a silent device: the network's check (causeGone) drops it once the device reported
  // again or was removed; a member who left is no longer the team's to look after.
  device_silent: (f) => (f.member && !f.member.active ? cancel("member_inactive") : NEEDED),
  // Tells a team what happened about one of its members (a keyholder lookup, a finder's call: src/network/): news,
  // unless the member left meanwhile (the team no longer looks after them: their name is not sent on).
  team_notice: (f) => (f.member && !f.member.active ? cancel("member_inactive") : NEEDED),
  // A context's message to a person: gone with the person (recipient_gone); the rest of its cause is the context's
  // own check (causeGone, engine/causes.ts addCauseCheck), which stillNeeded applies after this rule.
  person_message: always,
};

/**
 * Decide one queued message. Facts about things that do not exist any more
 * (a deleted check-in or incident) count as closed.
 */
export function stillNeeded(kind: MessageKind, facts: CauseFacts): Need {
  if (!facts.recipientExists) return cancel("recipient_gone");
  if (facts.dutyChannelExists === false) return cancel("recipient_gone");
  if (facts.onDutyStill === false) return cancel("off_duty");
  const need = RULES[kind](facts);
  return need.needed && facts.causeGone ? cancel(facts.causeGone) : need;
}
