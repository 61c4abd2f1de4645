/**
 * Visits (訪問): staff ask a watcher (見守り協力者: a welfare commissioner, a
 * neighbourhood watcher) to go and look at a member about an incident.
 *
 * A visit is offered to the watchers staff chose, in the order they chose them
 * (the first is asked first). The watcher who holds the offer accepts or
 * declines; a decline offers the visit to the next watcher of that list who has
 * not declined yet. When everyone on the list has declined, the visit is
 * `unassigned`: the incident's screen says so and staff assign it again (with
 * other watchers). Nobody is ever asked twice about one visit.
 *
 * States: offered (waiting for the current watcher's yes or no) → accepted →
 * done (an outcome recorded); offered → unassigned (everyone declined);
 * offered/accepted → cancelled (the incident was resolved some other way, or
 * staff withdrew it). A visit is overdue while offered or accepted past its due
 * time: a query on the row's `due_at`, never a timer.
 */

export const VISIT_STATES = ["offered", "accepted", "done", "unassigned", "cancelled"] as const;
export type VisitState = (typeof VISIT_STATES)[number];

/** What the watcher found: 会えた・元気 / 不在 / 救急要請 / その他 (a note says what). */
export const VISIT_OUTCOMES = ["met_fine", "not_home", "ambulance_called", "other"] as const;
export type VisitOutcome = (typeof VISIT_OUTCOMES)[number];

/** How a phone call to the member went (the incident screen's 本人に電話): recorded on the timeline. */
export const CALL_OUTCOMES = ["reached_fine", "reached_needs_help", "no_answer", "busy", "voicemail", "wrong_number"] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/** The states in which a visit is still to be done: the watcher sees the member, the due time counts. */
export const ACTIVE_VISIT_STATES = ["offered", "accepted"] as const satisfies readonly VisitState[];

export function isActive(state: VisitState): boolean {
  return state === "offered" || state === "accepted";
}

/** A visit is overdue while it is still to be done and its due time has passed. */
export function isOverdue(state: VisitState, dueAt: Date, now: Date): boolean {
  return isActive(state) && dueAt.getTime() <= now.getTime();
}

export type VisitError =
  | { code: "visit_not_offered"; message: string }
  | { code: "visit_closed"; message: string }
  | { code: "not_your_visit"; message: string };

/** Accepting or declining needs the visit to be offered (to the caller: checked by the engine). */
export function checkAnswer(state: VisitState): VisitError | undefined {
  if (state === "offered") return undefined;
  if (isActive(state)) return { code: "visit_not_offered", message: "the visit is already accepted" };
  return { code: "visit_closed", message: "the visit is no longer open" };
}

/** An outcome can be recorded while the visit is still to be done (offered counts: the watcher went anyway). */
export function checkOutcome(state: VisitState): VisitError | undefined {
  return isActive(state) ? undefined : { code: "visit_closed", message: "the visit is no longer open" };
}

/**
 * Who is asked next after a decline: the first candidate after `position` (the
 * one who declined) in staff's order who has not declined; undefined when
 * everyone has.
 */
export function nextCandidate<C extends { position: number; declined: boolean }>(candidates: C[], position: number): C | undefined {
  return [...candidates].sort((a, b) => a.position - b.position).find((c) => c.position > position && !c.declined);
}

/** Only 会えた・元気 settles the incident by itself (outcome visited_fine); the rest leave it to staff, on the timeline. */
export function resolvesIncident(outcome: VisitOutcome): boolean {
  return outcome === "met_fine";
}
