/**
 * The timeline a policy produces for a sample member who never answers: the
 * escalation policy editor's preview (issue 12, 設定). It is computed by running
 * the very functions the engine schedules with — the scheduler's
 * `startEscalation` / `promptIsCovered`, the sender's `resumeAfterAsked` (a
 * prompt accepted at once), the escalator's `escalate`, the call retries'
 * `callRetryAt`, the acknowledgement follow-up's `ackDeadlines` and the plan's
 * `nextDueAfter` — step by step on a virtual clock, so what the console shows is
 * what the engine does (test/engine/policy-preview.test.ts runs both and compares).
 *
 * Assumptions of the sample, stated so a reader can trust the times:
 * - every message is accepted by its provider the moment it is due (no outage,
 *   no pacing), and a phone call that nobody answers ends at once, so its retry
 *   is `callRetries.interval` after it was placed (the engine counts from the
 *   call's end, a minute or so later);
 * - the member has `contacts` confirmed contacts and `groups` groups; the plan
 *   is daily at the given time, so later days' check-ins are prompted (folded
 *   into the first one's chain, PROMPT_COALESCE_MS) while it runs;
 * - the acknowledgement times are "if someone takes it on when the incident opens".
 */
import { escalate, promptIsCovered, resumeAfterAsked, startEscalation } from "./escalation.ts";
import { ackDeadlines, callRetryAt, DEFAULT_CALL_RETRIES, type Policy, type PolicyKind } from "./policy.ts";
import { nextDueAfter, type Plan } from "./schedule.ts";

/** The channels a sample member is shown on; phone members follow the phone policy. */
export const SAMPLE_CHANNELS = ["line", "voice", "sms", "email"] as const;
export type SampleChannel = (typeof SAMPLE_CHANNELS)[number];

export function policyKindOfChannel(channel: SampleChannel): PolicyKind {
  return channel === "voice" ? "phone" : "standard";
}

export const TIMELINE_KINDS = [
  "prompt", "call_retry", "resend", "incident", "alert_team", "alert_contact", "alert_group", "no_contact_left",
] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

export interface TimelineEntry {
  at: Date;
  kind: TimelineKind;
  /** The policy step that produced it (absent for prompts and call retries). */
  stepIndex?: number;
  /** alert_contact: the contact's 1-based position. */
  contact?: number;
  /** resend: on the member's same channel or their next one. */
  channel?: "same" | "next";
  /** call_retry: which call of the message this is (2 = the first retry). */
  call?: number;
}

export interface Timeline {
  entries: TimelineEntry[];
  /** If whoever is alerted takes the incident on as it opens: the reminder, then the timeout. Null when no incident opens. */
  acknowledgement: { at: Date; remindAt: Date; timeoutAt: Date } | null;
  /** True when the listing was cut at `MAX_ENTRIES`. */
  truncated: boolean;
}

export interface TimelineSample {
  plan: Plan;
  /** The first check-in's due time (a slot of `plan`): the member is prompted then. */
  firstDueAt: Date;
  channel: SampleChannel;
  /** Contacts the member has (confirmed), 0…10. */
  contacts: number;
  groups?: number;
}

export const MAX_ENTRIES = 60;

/**
 * The events of a silent member's check-in on `sample.channel` under `policy`,
 * in time order (at one instant, as the engine's phases run: the escalator's
 * step before the scheduler's prompt).
 */
export function policyTimeline(policy: Policy, sample: TimelineSample): Timeline {
  const entries: TimelineEntry[] = [];
  const contactIds = Array.from({ length: sample.contacts }, (_, i) => `contact:${i + 1}`);
  const groupIds = Array.from({ length: sample.groups ?? 0 }, (_, i) => `group:${i + 1}`);
  const voice = sample.channel === "voice";
  const retries = policy.callRetries ?? DEFAULT_CALL_RETRIES;

  const asked = (at: Date, entry: TimelineEntry) => {
    entries.push(entry);
    if (!voice) return;
    // Each unanswered call is placed again (engine/calls.ts), until the retries are used up.
    let last = at;
    for (let call = 1; call <= retries.attempts + 1; call++) {
      const retryAt = callRetryAt(policy, call, last);
      if (!retryAt) break;
      entries.push({ at: retryAt, kind: "call_retry", call: call + 1, ...(entry.stepIndex !== undefined ? { stepIndex: entry.stepIndex } : {}) });
      last = retryAt;
    }
  };

  let lastPrompted: Date = sample.firstDueAt;
  asked(sample.firstDueAt, { at: sample.firstDueAt, kind: "prompt" });
  // The sender accepts the prompt at once: the chain starts from it.
  let position = resumeAfterAsked(startEscalation(policy), sample.firstDueAt);
  let nextPrompt = nextDueAfter(sample.plan, sample.firstDueAt);
  let incidentAt: Date | null = null;
  let truncated = false;

  while (position.nextActionAt) {
    if (entries.length >= MAX_ENTRIES) {
      truncated = true;
      break;
    }
    const chainAt = position.nextActionAt;
    if (nextPrompt.getTime() < chainAt.getTime()) {
      // A later day's check-in: folded into this chain, prompted unless just covered.
      if (!promptIsCovered(lastPrompted, nextPrompt)) {
        asked(nextPrompt, { at: nextPrompt, kind: "prompt" });
        lastPrompted = nextPrompt;
      }
      nextPrompt = nextDueAfter(sample.plan, nextPrompt);
      continue;
    }
    const now = chainAt;
    const { position: after, effects } = escalate(position, {
      policy, contactIds, teamId: "team", groupIds, memberLastPromptedAt: lastPrompted, hasOpenIncident: incidentAt !== null, now,
    });
    for (const effect of effects) {
      switch (effect.type) {
        case "resend":
          asked(effect.at, { at: effect.at, kind: "resend", stepIndex: effect.stepIndex, channel: effect.channel });
          lastPrompted = effect.at;
          break;
        case "open_incident":
          entries.push({ at: effect.at, kind: "incident" });
          incidentAt ??= effect.at;
          break;
        case "alert":
          entries.push(effect.recipient.kind === "team"
            ? { at: effect.at, kind: "alert_team", stepIndex: effect.stepIndex }
            : effect.recipient.kind === "group"
            ? { at: effect.at, kind: "alert_group", stepIndex: effect.stepIndex }
            : { at: effect.at, kind: "alert_contact", stepIndex: effect.stepIndex, contact: contactIds.indexOf(effect.recipient.id) + 1 });
          break;
        case "no_contact_left":
          entries.push({ at: effect.at, kind: "no_contact_left", stepIndex: effect.stepIndex });
          break;
      }
    }
    // A re-send waits to be accepted, which in the sample is at once.
    position = after.afterAskedMs !== null ? resumeAfterAsked(after, now) : after;
  }
  entries.sort((a, b) => a.at.getTime() - b.at.getTime());
  return {
    entries: entries.slice(0, MAX_ENTRIES),
    acknowledgement: incidentAt ? { at: incidentAt, ...ackDeadlines(policy, incidentAt) } : null,
    truncated: truncated || entries.length > MAX_ENTRIES,
  };
}
