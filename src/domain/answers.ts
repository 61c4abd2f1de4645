/**
 * What an answer from (or for) a member does.
 *
 * - Evidence of life wins: any `ok` or `need_contact`, on any channel or given on
 *   the member's behalf, closes every open check-in and stops its escalation.
 * - It never closes an incident: the incident records "member answered" and
 *   everyone who was alerted about it is told, but a human records the outcome.
 * - `need_contact` is also a request: it opens a contact-requested incident
 *   (urgent, not an emergency) unless one is already open, and tells the team.
 */
export const ANSWERS = ["ok", "need_contact"] as const;
export type Answer = (typeof ANSWERS)[number];

/** Who gave the answer: the member, or someone on their behalf ("I saw her today"). */
export const ANSWER_SOURCES = ["member", "contact", "staff", "group"] as const;
export type AnswerSource = (typeof ANSWER_SOURCES)[number];

export interface OpenIncidentSummary {
  id: string;
  kind: IncidentKind;
}

/**
 * `help_requested`: "need help" (助けが必要) answered to a broadcast's safety question.
 * `member_unreachable`: no channel could deliver the member's prompt, so nobody is asking them.
 * `concern`: someone or something noticed a sign about the member (a partner's report, a silent
 * device; engine/concerns.ts `raiseConcern`).
 */
export type IncidentKind = "no_answer" | "contact_requested" | "help_requested" | "member_unreachable" | "concern";

export interface AnswerPlan {
  /** Incidents that get a "member answered" event and tell their alerted recipients. */
  answeredIncidentIds: string[];
  /** Open a new contact-requested incident and alert the team. */
  openContactRequest: boolean;
}

export function planAnswer(answer: Answer, openIncidents: OpenIncidentSummary[]): AnswerPlan {
  const contactRequestOpen = openIncidents.some((i) => i.kind === "contact_requested");
  return {
    // A concern is answered too: a sign of life is news to everyone alerted about it (the incident stays for a human to close).
    answeredIncidentIds: openIncidents.filter((i) => i.kind === "no_answer" || i.kind === "member_unreachable" || i.kind === "concern")
      .map((i) => i.id),
    openContactRequest: answer === "need_contact" && !contactRequestOpen,
  };
}
