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
] as const;
export type CancelReason = (typeof CANCEL_REASONS)[number];

/** What the engine knows, at claim time, about a queued message's cause. Absent facts were not asked for. */
export interface CauseFacts {
  /** False when the recipient (contact, team, group, member) no longer exists. */
  recipientExists: boolean;
  checkinStatus?: CheckinStatus;
  incidentStatus?: IncidentStatus;
  /** The member answered after this message was queued (an alert about their silence is moot). */
  memberAnsweredSinceQueued?: boolean;
  /** The member the message is to or about. */
  member?: { active: boolean; paused: boolean };
  contactConfirmed?: boolean;
  groupActive?: boolean;
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

/**
 * Decide one queued message. Facts about things that do not exist any more
 * (a deleted check-in or incident) count as closed.
 */
export function stillNeeded(kind: MessageKind, facts: CauseFacts): Need {
  if (!facts.recipientExists) return cancel("recipient_gone");
  switch (kind) {
    case "prompt":
    case "resend":
      if (facts.member && !facts.member.active) return cancel("member_inactive");
      if (facts.member?.paused) return cancel("member_paused");
      if (facts.checkinStatus !== undefined && facts.checkinStatus !== "open") return cancel("checkin_closed");
      return NEEDED;
    case "alert":
      if (facts.memberAnsweredSinceQueued) return cancel("member_answered");
      return untakenIncident(facts.incidentStatus);
    case "contact_request":
    case "member_unreachable":
      return untakenIncident(facts.incidentStatus);
    case "ack_reminder":
      if (facts.incidentStatus === "resolved") return cancel("incident_resolved");
      // Re-opened by the timeout (or never acknowledged): the reminder has no promise to recall.
      return facts.incidentStatus === "acknowledged" ? NEEDED : cancel("no_longer_acknowledged");
    case "ack_timeout":
      return facts.incidentStatus === "resolved" ? cancel("incident_resolved") : NEEDED;
    case "contact_confirm":
      return facts.contactConfirmed ? cancel("contact_confirmed") : NEEDED;
    case "broadcast":
      return facts.member && !facts.member.active ? cancel("member_inactive") : NEEDED;
    case "group_prompt":
    case "group_list":
      return facts.groupActive === false ? cancel("group_inactive") : NEEDED;
    case "member_answered":
    case "group_reply":
    case "group_welcome":
    case "group_approved":
    case "conversation":
    case "channel_lost":
    case "daily_summary":
    case "operator_alert":
      return NEEDED;
  }
}
