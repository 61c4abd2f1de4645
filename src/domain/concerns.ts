/**
 * Concerns and one incident per person (issue 13, "One incident per person"): a
 * partner's report, a silent device and a missed check-in about the same member
 * within the same days are ONE incident with all of them on its timeline, not
 * several incidents alerting the same people several times. Pure rules; the
 * command is engine/concerns.ts `raiseConcern`.
 *
 * Rules:
 * - A member has at most one unresolved incident (core migration 024's unique
 *   index). Whatever happens about a member who has one joins it as a timeline
 *   event; only a member without one gets a new incident.
 * - A concern's urgency (the partner report's 見守り / 相談 / 通報) maps to the
 *   incident's: watch → low, consult → high, emergency → urgent. A more urgent
 *   signal joining an incident raises its urgency (`urgency_raised`), never lowers it.
 * - Who is alerted about a concern, at once (a concern has no chain of steps of
 *   its own; it is not a silence that waits for re-sends):
 *     watch (見守り, keep watching): the team only. Seed 001 warns that watching
 *       turns into surveillance: a "keep an eye on it" observation is the team's
 *       to weigh, not the family's phone to ring.
 *     consult (相談): the team and the contacts the member's escalation policy
 *       alerts first — its alert steps up to and including the first step that
 *       names a contact (with the default policy: the team and contact 1). The
 *       rest follow from the team's decision, or from a missed check-in's chain.
 *     emergency (通報): the team and every contact, at once.
 *   Contacts are the reliable ones (escalation.ts `reliableContacts`: confirmed,
 *   or all while nobody confirmed).
 * - Alerted once: a recipient already told about the incident (a "notified"
 *   event) is not alerted again when another signal joins it.
 */
import type { AlertRecipient } from "./escalation.ts";
import type { Urgency } from "./incident.ts";
import type { Policy } from "./policy.ts";

/** A partner's report, a device's inactivity rule, a finder's call on a member's sticker number (src/network/). */
export const CONCERN_SOURCES = ["partner_report", "device_inactive", "finder_call"] as const;
export type ConcernSource = (typeof CONCERN_SOURCES)[number];

/** 見守り / 相談 / 通報 (seed 001's report urgencies). */
export const CONCERN_URGENCIES = ["watch", "consult", "emergency"] as const;
export type ConcernUrgency = (typeof CONCERN_URGENCIES)[number];

/** The incident urgency a concern's urgency maps to. */
export function incidentUrgencyOf(urgency: ConcernUrgency): Urgency {
  return urgency === "watch" ? "low" : urgency === "consult" ? "high" : "urgent";
}

/** Whom a concern at `urgency` alerts at once, in order (the rules above); contacts are the reliable ones, in list order. */
export function concernRecipients(
  urgency: ConcernUrgency,
  policy: Policy,
  who: { teamId: string; contactIds: string[] },
): AlertRecipient[] {
  const team: AlertRecipient = { kind: "team", id: who.teamId };
  const contact = (id: string): AlertRecipient => ({ kind: "contact", id });
  if (urgency === "watch") return [team];
  if (urgency === "emergency") return [team, ...who.contactIds.map(contact)];
  const out: AlertRecipient[] = [team];
  for (const step of policy.steps) {
    if (step.action === "notify_contact") {
      const id = who.contactIds[(step.contact ?? 1) - 1];
      if (id) out.push(contact(id));
      break;
    }
    if (step.action === "notify_next_contact" || step.action === "notify_all_contacts") {
      const ids = step.action === "notify_all_contacts" ? who.contactIds : who.contactIds.slice(0, 1);
      out.push(...ids.map(contact));
      break;
    }
  }
  return out;
}

/** Whether `recipient` was told about the incident already, from its "notified" events' recipients. */
export function alreadyNotified(recipient: AlertRecipient, notified: { kind?: unknown; id?: unknown; teamId?: unknown }[]): boolean {
  return notified.some((n) => (n.kind === recipient.kind && n.id === recipient.id) ||
    (recipient.kind === "team" && n.kind === "person" && n.teamId === recipient.id));
}
