/**
 * Broadcasts and disaster checks (安否確認): the operator or a team sends a
 * message to all members, a team or a group, optionally asking 無事ですか？ with
 * the answers 無事 (safe) / 助けが必要 (need help).
 *
 * - `safe` is evidence of life: it also counts as an `ok` answer, closing the
 *   member's open check-ins.
 * - `need_help` opens an urgent help-requested incident and alerts the member's
 *   team, unless one is already open for the member (never two at once).
 * - A later answer from the same member replaces the earlier one in the tally;
 *   `need_help` after `safe` still opens the incident, and `safe` after
 *   `need_help` never closes it: a human records the outcome.
 */
import { formatLocal } from "./messages.ts";

export const AUDIENCE_KINDS = ["all", "team", "group"] as const;
export type AudienceKind = (typeof AUDIENCE_KINDS)[number];
export type Audience = { kind: "all" } | { kind: "team"; id: string } | { kind: "group"; id: string };

export const BROADCAST_ANSWERS = ["safe", "need_help"] as const;
export type BroadcastAnswer = (typeof BROADCAST_ANSWERS)[number];

/**
 * Delivery state of one recipient, from their outbox rows: sent when any row was
 * sent, pending while any is pending, failed when every channel failed.
 */
export const DELIVERY_STATES = ["pending", "sent", "failed"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

export const BROADCAST_BUTTONS = { safe: "無事", need_help: "助けが必要" } as const;

export interface BroadcastAnswerPlan {
  /** Also record an `ok` answer (evidence of life). */
  recordOk: boolean;
  /** Open a help-requested incident and alert the team. */
  openHelpIncident: boolean;
  /** The open help-requested incident this answer belongs to (joined, or noted on its timeline). */
  noteOnIncidentId: string | null;
}

/** What an answer does, given the member's open help-requested incident (if any). */
export function planBroadcastAnswer(
  answer: BroadcastAnswer,
  openHelpIncidentId: string | null,
): BroadcastAnswerPlan {
  if (answer === "safe") return { recordOk: true, openHelpIncident: false, noteOnIncidentId: openHelpIncidentId };
  return { recordOk: false, openHelpIncident: openHelpIncidentId === null, noteOnIncidentId: openHelpIncidentId };
}

/** The words a recipient receives: the operator's text, and the question when asked. */
export function broadcastText(text: string, question: boolean): string {
  return question ? `${text}\n\n無事ですか？「無事」か「助けが必要」でお答えください。\nAre you safe? Please answer "safe" or "need help".` : text;
}

/** The team's alert when a member answers "need help". */
export function helpRequestedText(displayName: string, at: Date, zone: string): string {
  const when = formatLocal(at, zone);
  return `【見守り・至急】${displayName}さんが安否確認に「助けが必要」と回答しました（${when}）。至急ご対応ください。\n` +
    `[Mimamori, urgent] ${displayName} answered "need help" to a safety check (${when}). Please act now.`;
}

/** The team hears that a member who asked for help has since answered "safe". */
export function safeAfterHelpText(displayName: string, at: Date, zone: string): string {
  const when = formatLocal(at, zone);
  return `【見守り】助けを求めていた${displayName}さんが安否確認に「無事」と回答しました（${when}）。対応の記録をお願いします。\n` +
    `[Mimamori] ${displayName}, who asked for help, has answered "safe" (${when}). Please record the outcome.`;
}
