/**
 * Escalation policies: what happens, and when, after a check-in goes unanswered.
 * Each step's `after` counts from the previous step's scheduled time (the first
 * from the check-in's due time), so a late worker never makes the chain drift.
 */
import { parseDuration } from "./duration.ts";

export const ACTIONS = [
  "resend",
  "open_incident",
  "notify_team",
  "notify_contact",
  "notify_next_contact",
  "notify_all_contacts",
  "post_to_group",
] as const;
export type Action = (typeof ACTIONS)[number];

export interface Step {
  after: string;
  action: Action;
  /** resend: on the same channel (default) or the member's next channel. */
  channel?: "same" | "next";
  /** notify_contact: 1-based position of the contact in the member's list. */
  contact?: number;
  /** notify_next_contact: keep going, one contact each `after`, until none is left. */
  repeat?: boolean;
}

export interface Policy {
  steps: Step[];
  /**
   * An acknowledgement without an outcome reminds whoever acknowledged after this
   * long (ISO-8601 duration; default PT2H), and at `ackTimeout` (default PT6H)
   * the incident returns to open, the team is told and the escalation resumes with
   * the next contact (PagerDuty's acknowledgement timeout; issue 8).
   */
  ackReminderAfter?: string;
  ackTimeout?: string;
  /** A call nobody answered (busy, no answer, answering machine) is tried again this often before it counts as unanswered. */
  callRetries?: CallRetries;
}

export interface CallRetries {
  /** More calls after the first. */
  attempts: number;
  /** Between the end of one call and the next. */
  interval: string;
}

/** あんしん電話: two more calls, ten minutes apart. */
export const DEFAULT_CALL_RETRIES: CallRetries = { attempts: 2, interval: "PT10M" };

/**
 * When to call again after call number `callNumber` (1 = the first) went
 * unanswered at `endedAt`; null once the retries are used up.
 */
export function callRetryAt(policy: Policy, callNumber: number, endedAt: Date): Date | null {
  const retries = policy.callRetries ?? DEFAULT_CALL_RETRIES;
  if (callNumber > retries.attempts) return null;
  return new Date(endedAt.getTime() + (parseDuration(retries.interval) ?? 600_000));
}

export const DEFAULT_ACK_REMINDER_AFTER = "PT2H";
export const DEFAULT_ACK_TIMEOUT = "PT6H";

/** When an acknowledgement made at `at` is followed up: the reminder, then the timeout (ms durations resolved). */
export function ackDeadlines(policy: Policy, at: Date): { remindAt: Date; timeoutAt: Date } {
  const remind = parseDuration(policy.ackReminderAfter ?? DEFAULT_ACK_REMINDER_AFTER) ?? 7_200_000;
  const timeout = parseDuration(policy.ackTimeout ?? DEFAULT_ACK_TIMEOUT) ?? 21_600_000;
  return { remindAt: new Date(at.getTime() + Math.min(remind, timeout)), timeoutAt: new Date(at.getTime() + timeout) };
}

/** Which policy a member follows: phone plans call again the next day instead. */
export type PolicyKind = "standard" | "phone";

export interface PolicySet {
  standard: Policy;
  phone: Policy;
}

/** Once an incident is open: the team and the first contact at once, then one contact an hour. */
const ALERT_STEPS: Step[] = [
  { after: "PT0S", action: "notify_team" },
  { after: "PT0S", action: "notify_contact", contact: 1 },
  { after: "PT1H", action: "notify_next_contact", repeat: true },
];

/** The seeds' default (見守りサービス / 安否通知): re-send after 24 h, team and first contact 3 h later. */
export const STANDARD_POLICY: Policy = {
  steps: [{ after: "PT24H", action: "resend" }, { after: "PT3H", action: "open_incident" }, ...ALERT_STEPS],
};

/** あんしん電話: no answer → call again the next day → no answer two days running → incident. */
export const PHONE_POLICY: Policy = {
  steps: [{ after: "PT24H", action: "resend" }, { after: "PT1H", action: "open_incident" }, ...ALERT_STEPS],
};

export const DEFAULT_POLICIES: PolicySet = { standard: STANDARD_POLICY, phone: PHONE_POLICY };

/** A problem with a policy, naming the offending field. */
export interface PolicyProblem {
  field: string;
  message: string;
}

/** The first of {@link policyProblems}, or undefined when the policy is valid. */
export function checkPolicy(policy: Policy, field = "steps"): PolicyProblem | undefined {
  return policyProblems(policy, field)[0];
}

/**
 * Every problem of a policy, in field order (a request is refused naming all of
 * them at once); empty when the policy is valid. `field` is where the policy's
 * steps are in the request (`standard.steps`); the other fields are named beside it.
 */
export function policyProblems(policy: Policy, field = "steps"): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const beside = (name: string) => field.replace(/steps$/, name);
  if (policy.steps.length > 50) problems.push({ field, message: "at most 50 steps" });
  if (policy.callRetries) {
    const ms = parseDuration(policy.callRetries.interval);
    if (ms === undefined || ms < 60_000 || ms > 86_400_000) {
      problems.push({ field: beside("callRetries.interval"), message: "must be an ISO-8601 duration from PT1M to P1D" });
    }
  }
  const durationsValid = (["ackReminderAfter", "ackTimeout"] as const).map((name) => {
    const value = policy[name];
    if (value === undefined) return true;
    const ms = parseDuration(value);
    if (ms !== undefined && ms >= 60_000 && ms <= 7 * 86_400_000) return true;
    problems.push({ field: beside(name), message: "must be an ISO-8601 duration from PT1M to P7D" });
    return false;
  });
  if (durationsValid.every(Boolean) && policy.ackReminderAfter && policy.ackTimeout &&
    (parseDuration(policy.ackReminderAfter) as number) >= (parseDuration(policy.ackTimeout) as number)) {
    problems.push({ field: beside("ackReminderAfter"), message: "must be shorter than ackTimeout" });
  }
  for (const [i, step] of policy.steps.entries()) problems.push(...stepProblems(step, `${field}.${i}`));
  return problems;
}

function stepProblems(step: Step, at: string): PolicyProblem[] {
  const ms = parseDuration(step.after);
  const problems: PolicyProblem[] = [];
  if (ms === undefined) problems.push({ field: `${at}.after`, message: "must be an ISO-8601 duration such as PT3H" });
  else if (ms > 90 * 86_400_000) problems.push({ field: `${at}.after`, message: "must be at most 90 days" });
  if (step.action === "notify_contact" && !(step.contact && step.contact >= 1)) {
    problems.push({ field: `${at}.contact`, message: "notify_contact needs contact ≥ 1" });
  }
  if (step.repeat && step.action !== "notify_next_contact") problems.push({ field: `${at}.repeat`, message: "only notify_next_contact can repeat" });
  if (step.repeat && ms === 0) problems.push({ field: `${at}.after`, message: "a repeating step needs a positive delay" });
  return problems;
}

/** Team policies override the organisation's, which override the built-in defaults. */
export function effectivePolicies(
  organisation: Partial<PolicySet> | null,
  team: Partial<PolicySet> | null,
): PolicySet {
  return {
    standard: team?.standard ?? organisation?.standard ?? STANDARD_POLICY,
    phone: team?.phone ?? organisation?.phone ?? PHONE_POLICY,
  };
}

export function stepDelay(step: Step): number {
  return parseDuration(step.after) ?? 0;
}
