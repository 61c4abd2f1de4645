/**
 * Incidents: open → acknowledged (who, through which channel) → resolved with an
 * outcome. Every step is an event on the incident's timeline.
 */
import type { IncidentKind } from "./answers.ts";
import { dateFromEpochDay, epochDay, instantOf, localDateOf } from "./schedule.ts";

/**
 * How an incident ended. The `reached_by_*` outcomes say which channel reached the
 * member (the monthly report counts phone contact apart): a call, a LINE message, or
 * an SMS or e-mail (with the page its link opens).
 */
export const OUTCOMES = [
  "member_answered",
  "reached_by_phone",
  "reached_by_line",
  "reached_by_message",
  "visited_fine",
  "hospitalised",
  "found_dead",
  "emergency_services_called",
  "left_service",
  "false_alarm",
  "other",
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/**
 * The outcome recorded when someone alerted reports the member safe with a key or a
 * tap, from the channel that carried it: `voice` → reached_by_phone, `line` →
 * reached_by_line; `sms`, `email` and `sandbox` (whose links open the check-in page)
 * → reached_by_message. Staff resolving through the API choose the outcome themselves.
 */
export function reportedSafeOutcome(via: string): Outcome {
  switch (via) {
    case "voice":
      return "reached_by_phone";
    case "line":
      return "reached_by_line";
    default:
      return "reached_by_message";
  }
}

export type IncidentStatus = "open" | "acknowledged" | "resolved";

/**
 * What an entry of an incident's timeline records (the API shows it as `type`):
 * opened; someone notified, or a message to them failed or was cancelled; the
 * member answered (or answered a broadcast); the next step found nobody left, or
 * the member silent or unreachable again; acknowledged, reminded, timed out,
 * passed on; a note someone wrote (POST /incidents/:id/notes); resolved;
 * a visit (domain/visits.ts) assigned, accepted, declined (and offered to the
 * next watcher), left with nobody, cancelled, and what the watcher found
 * (`visit_reported`); a phone call to the member and how it went (`call`).
 * One incident per person (domain/concerns.ts): what happens about a member who
 * already has an unresolved incident joins it — a concern (`concern_joined`), a
 * missed check-in (`checkin_missed`), a request to be contacted
 * (`contact_requested`), a call for help (`help_requested`) — and a more urgent
 * signal raises the incident's urgency (`urgency_raised`, data `{ from, to }`).
 * A finder's call on the member's sticker number (src/network/) ends with
 * `finder_call_ended` (data `{ outcome, attempts }`).
 */
export const INCIDENT_EVENT_TYPES = [
  "opened", "notified", "delivery_failed", "message_cancelled", "member_answered", "broadcast_answered", "no_contact_left",
  "no_answer_again", "unreachable_again", "acknowledged", "ack_reminded", "ack_timed_out", "passed", "note", "resolved",
  "visit_assigned", "visit_accepted", "visit_declined", "visit_unassigned", "visit_cancelled", "visit_reported", "call",
  "concern_joined", "checkin_missed", "contact_requested", "help_requested", "urgency_raised", "finder_call_ended",
] as const;
export type IncidentEventType = (typeof INCIDENT_EVENT_TYPES)[number];

/** `low`: a concern to keep watching (見守り) — the team looks, nobody else is alerted (domain/concerns.ts). */
export type Urgency = "low" | "high" | "urgent";
/** The urgency an incident of each kind opens with; a concern's own comes from its report (domain/concerns.ts). */
export const URGENCY: Record<IncidentKind, Urgency> = {
  no_answer: "high",
  contact_requested: "urgent",
  help_requested: "urgent",
  member_unreachable: "high",
  concern: "high",
};
const URGENCY_ORDER: Urgency[] = ["low", "high", "urgent"];

/** The urgency an incident at `current` rises to when a signal at `incoming` joins it; undefined when it stays. */
export function raisedUrgency(current: Urgency, incoming: Urgency): Urgency | undefined {
  return URGENCY_ORDER.indexOf(incoming) > URGENCY_ORDER.indexOf(current) ? incoming : undefined;
}

export type TransitionError = { code: "incident_resolved" | "already_acknowledged"; message: string };

export function checkAcknowledge(status: IncidentStatus): TransitionError | undefined {
  if (status === "resolved") return { code: "incident_resolved", message: "the incident is already resolved" };
  if (status === "acknowledged") return { code: "already_acknowledged", message: "the incident is already acknowledged" };
  return undefined;
}

export function checkResolve(status: IncidentStatus): TransitionError | undefined {
  if (status === "resolved") return { code: "incident_resolved", message: "the incident is already resolved" };
  return undefined;
}

/** What an outcome means for the member's plan. */
export type MemberConsequence = "none" | "pause" | "leave";

export function consequenceOf(outcome: Outcome): MemberConsequence {
  switch (outcome) {
    case "hospitalised":
      return "pause"; // no prompts into a hospital bed; staff resume the plan on discharge
    case "found_dead":
    case "left_service":
      return "leave";
    default:
      return "none";
  }
}

/** The daily summary of unresolved incidents goes to the team at this local time (issue 8). */
export const DAILY_SUMMARY_AT = "09:00";
/** A first summary never comes sooner than this after an incident opened (the alert itself just went out). */
const FIRST_SUMMARY_GAP_MS = 12 * 3_600_000;

/**
 * When a team's next daily summary is due: the first DAILY_SUMMARY_AT, local to
 * `zone`, at least FIRST_SUMMARY_GAP_MS after `now`.
 */
export function nextSummaryAt(now: Date, zone: string): Date {
  const earliest = new Date(now.getTime() + FIRST_SUMMARY_GAP_MS);
  const today = epochDay(localDateOf(earliest, zone));
  for (let day = today; ; day++) {
    const at = instantOf(dateFromEpochDay(day), DAILY_SUMMARY_AT, zone);
    if (at.getTime() >= earliest.getTime()) return at;
  }
}
