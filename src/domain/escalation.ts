/**
 * The check-in cycle: what an unanswered check-in does next.
 *
 * Rules (PRODUCT.md, DESIGN-NOTES.md, issue 8):
 * - Escalation runs from the first unanswered prompt. A member has at most one
 *   escalating check-in; check-ins that fall due while it is open are "folded":
 *   they are recorded and prompted, but do not start a chain of their own, so the
 *   +27 h alert of the first never slides because a newer prompt went out.
 * - Every step is timed from when the member was actually asked: a chain waits
 *   (`afterAskedMs`) until a provider accepted the prompt or re-send, so a prompt
 *   that goes out late (downtime, an outage, the call cap) starts its chain when
 *   it goes out, and nobody is alerted about a member who was never asked.
 * - Steps overdue after an outage never fire together: each step runs at the
 *   moment it is carried out and the next one waits its full delay after that.
 * - A prompt and a re-send that fall on the same moment go out once.
 * - Any notification opens the incident first if none is open, so every alert
 *   has something a human can acknowledge and close.
 */
import { type Policy, type Step, stepDelay } from "./policy.ts";

/** A prompt or re-send within this window of another one (either side) is not sent again. */
export const PROMPT_COALESCE_MS = 60 * 60_000;

export type CheckinStatus = "open" | "answered" | "skipped" | "resolved";

export interface EscalationPosition {
  /** Index of the next policy step to run. */
  stepIndex: number;
  /** When that step is due; null while waiting for the member to be asked, and once the chain has run out. */
  nextActionAt: Date | null;
  /** How many contacts, in list order, have been notified. */
  contactCursor: number;
  /**
   * Set while the chain waits for the member to be asked (a prompt or re-send not
   * yet accepted by a provider): the next step runs this many ms after that moment.
   */
  afterAskedMs: number | null;
}

export interface EscalationContext {
  policy: Policy;
  /** The member's contacts, in order. */
  contactIds: string[];
  teamId: string;
  groupIds: string[];
  /** Last prompt or re-send to the member, whichever check-in it was for. */
  memberLastPromptedAt: Date | null;
  hasOpenIncident: boolean;
  now: Date;
}

export type AlertRecipient = { kind: "team" | "contact" | "group"; id: string };

export type EscalationEffect =
  | { type: "resend"; at: Date; stepIndex: number; channel: "same" | "next" }
  | { type: "open_incident"; at: Date }
  | { type: "alert"; at: Date; stepIndex: number; recipient: AlertRecipient }
  | { type: "no_contact_left"; at: Date; stepIndex: number };

export interface EscalationResult {
  position: EscalationPosition;
  effects: EscalationEffect[];
}

/**
 * The contacts an escalation relies on, in order: those who confirmed their role.
 * While nobody has confirmed yet, all of them, so an alert still reaches someone.
 */
export function reliableContacts<T extends { confirmed: boolean }>(contacts: T[]): T[] {
  const confirmed = contacts.filter((c) => c.confirmed);
  return confirmed.length ? confirmed : contacts;
}

/**
 * Where a new, escalating check-in starts its chain: waiting for its prompt to
 * be accepted by a provider. `askedAt` is given when the member was already
 * asked (a prompt that another one just covered): the chain then runs from it.
 */
export function startEscalation(policy: Policy, askedAt?: Date): EscalationPosition {
  const first = policy.steps[0];
  if (!first) return { stepIndex: 0, nextActionAt: null, contactCursor: 0, afterAskedMs: null };
  return askedAt
    ? { stepIndex: 0, nextActionAt: new Date(askedAt.getTime() + stepDelay(first)), contactCursor: 0, afterAskedMs: null }
    : { stepIndex: 0, nextActionAt: null, contactCursor: 0, afterAskedMs: stepDelay(first) };
}

/** The chain goes on once the member was asked at `askedAt` (or no channel could ask them). */
export function resumeAfterAsked(position: EscalationPosition, askedAt: Date): EscalationPosition {
  if (position.afterAskedMs === null) return position;
  return { ...position, nextActionAt: new Date(askedAt.getTime() + position.afterAskedMs), afterAskedMs: null };
}

/** Whether a prompt due at `at` should be sent, or was just covered by another one. */
export function promptIsCovered(lastPromptedAt: Date | null, at: Date): boolean {
  // Either order: the re-send may run just before or just after the new prompt.
  return !!lastPromptedAt && Math.abs(at.getTime() - lastPromptedAt.getTime()) < PROMPT_COALESCE_MS;
}

/**
 * Run the step due by `ctx.now`, and those after it that are due at once (zero
 * delay). Each runs at `ctx.now`, and the next waits its full delay from then:
 * after an outage the overdue steps are spaced as the policy says, not fired
 * together. A re-send pauses the chain until it is accepted by a provider.
 */
export function escalate(position: EscalationPosition, ctx: EscalationContext): EscalationResult {
  const effects: EscalationEffect[] = [];
  let { stepIndex, nextActionAt, contactCursor } = position;
  let afterAskedMs: number | null = position.afterAskedMs;
  let incidentOpen = ctx.hasOpenIncident;
  let lastPrompted = ctx.memberLastPromptedAt;

  const alert = (at: Date, recipient: AlertRecipient) => {
    if (!incidentOpen) {
      effects.push({ type: "open_incident", at });
      incidentOpen = true;
    }
    effects.push({ type: "alert", at, stepIndex, recipient });
  };

  // Nobody left to tell: the incident still opens, so the team sees the member in its list.
  const noContact = (at: Date) => {
    if (!incidentOpen) {
      effects.push({ type: "open_incident", at });
      incidentOpen = true;
    }
    effects.push({ type: "no_contact_left", at, stepIndex });
  };

  while (nextActionAt && nextActionAt.getTime() <= ctx.now.getTime()) {
    const step = ctx.policy.steps[stepIndex];
    if (!step) {
      nextActionAt = null;
      break;
    }
    const at = ctx.now;
    let repeatAgain = false;
    let waitsForAsk = false;
    switch (step.action) {
      case "resend":
        if (!promptIsCovered(lastPrompted, at)) {
          effects.push({ type: "resend", at, stepIndex, channel: step.channel ?? "same" });
          lastPrompted = at;
          waitsForAsk = true;
        }
        break;
      case "open_incident":
        if (!incidentOpen) {
          effects.push({ type: "open_incident", at });
          incidentOpen = true;
        }
        break;
      case "notify_team":
        alert(at, { kind: "team", id: ctx.teamId });
        break;
      case "post_to_group":
        for (const id of ctx.groupIds) alert(at, { kind: "group", id });
        break;
      case "notify_all_contacts":
        for (const id of ctx.contactIds) alert(at, { kind: "contact", id });
        if (ctx.contactIds.length === 0) noContact(at);
        contactCursor = ctx.contactIds.length;
        break;
      case "notify_contact": {
        const id = ctx.contactIds[(step.contact ?? 1) - 1];
        if (id) {
          alert(at, { kind: "contact", id });
          contactCursor = Math.max(contactCursor, step.contact ?? 1);
        } else {
          noContact(at);
        }
        break;
      }
      case "notify_next_contact": {
        const id = ctx.contactIds[contactCursor];
        if (id) {
          alert(at, { kind: "contact", id });
          contactCursor++;
          repeatAgain = !!step.repeat && contactCursor < ctx.contactIds.length;
        } else {
          noContact(at);
        }
        break;
      }
    }
    const next = repeatAgain ? step : ctx.policy.steps[stepIndex + 1];
    if (!repeatAgain) stepIndex++;
    if (next && waitsForAsk) {
      // The re-send asks the member again: the next step counts from when it is accepted.
      afterAskedMs = stepDelay(next as Step);
      nextActionAt = null;
      break;
    }
    nextActionAt = next ? new Date(at.getTime() + stepDelay(next as Step)) : null;
  }
  return { position: { stepIndex, nextActionAt, contactCursor, afterAskedMs }, effects };
}
