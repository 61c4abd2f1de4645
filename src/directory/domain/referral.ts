/**
 * Referrals between organisations (issue 14): the states of FHIR's Task resource
 * (value set http://hl7.org/fhir/task-status) and who may move a referral from
 * one to the next. Pure rules; the engine writes each move as an event row.
 *
 * Sources: base FHIR R4/R5 Task.status definitions; the SDOH Clinical Care IG's
 * SDOHCC-TaskForReferralManagement (requester sets `requested`, responder sets
 * `accepted … completed`, either side `cancelled`); reopening a closed referral
 * as in CareTogether#331. The table is docs/design/directory-hsds-research.md §3.
 * `draft`, `ready`, `failed` and `entered-in-error` are left out: the issue does
 * not name them (deleting is a soft delete with a reason, like entered-in-error).
 */

/** The referral's state, a subset of FHIR Task.status codes (spelled as FHIR spells them). */
export const REFERRAL_STATUSES = [
  "requested", "received", "accepted", "rejected", "cancelled", "in-progress", "on-hold", "completed",
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** Who acts: the organisation that sent the referral or the one that received it. */
export const REFERRAL_SIDES = ["sender", "receiver"] as const;
export type ReferralSide = (typeof REFERRAL_SIDES)[number];

/** States a referral ends in; only a reopen (by the sender, with a reason) leaves them. */
export const CLOSED_REFERRAL_STATUSES = ["rejected", "cancelled", "completed"] as const satisfies readonly ReferralStatus[];
export type ClosedReferralStatus = (typeof CLOSED_REFERRAL_STATUSES)[number];

/** Why a move is refused (codes; the HTTP layer words them). */
export const REFERRAL_REFUSALS = [
  "same_status", // already in that state
  "not_allowed", // no such move from this state (for anybody)
  "wrong_side", // the move exists, but the other side makes it
  "reason_required", // cancelling and reopening need a reason
  "deleted", // a deleted referral moves no more
] as const;
export type ReferralRefusal = (typeof REFERRAL_REFUSALS)[number];

/** What a move is, for the event history: an ordinary step, a cancel, or a reopen (always a new event, never an edit). */
export type ReferralMoveKind = "step" | "cancel" | "reopen";

export type ReferralMove =
  | { ok: true; status: ReferralStatus; kind: ReferralMoveKind }
  | { ok: false; code: ReferralRefusal };

/** The longest reason stored with a cancel, reopen, rejection or delete (characters). */
export const MAX_REFERRAL_REASON = 1000;

/**
 * The ordinary steps (neither cancel nor reopen): from → to → who may make it.
 * `received` may be skipped (SDOHCC leaves it out); `in-progress ↔ on-hold`.
 */
const STEPS: Readonly<Partial<Record<ReferralStatus, Partial<Record<ReferralStatus, ReferralSide>>>>> = {
  requested: { received: "receiver", accepted: "receiver", rejected: "receiver" },
  received: { accepted: "receiver", rejected: "receiver" },
  accepted: { "in-progress": "receiver", completed: "receiver" },
  "in-progress": { "on-hold": "receiver", completed: "receiver" },
  "on-hold": { "in-progress": "receiver", completed: "receiver" },
};

export function isClosedReferral(status: ReferralStatus): status is ClosedReferralStatus {
  return (CLOSED_REFERRAL_STATUSES as readonly ReferralStatus[]).includes(status);
}

function hasReason(reason: string | undefined | null): boolean {
  return (reason?.trim() ?? "") !== "";
}

/**
 * The state after `side` asks to move a referral from `from` to `to`, or why not.
 * - `from` null: a new referral; only the sender creates it, as `requested`.
 * - Ordinary steps follow STEPS (the receiver answers and works on it).
 * - `cancelled`: from any open state, by either side, with a reason.
 * - `requested` from a closed state (rejected, cancelled, completed) is a reopen:
 *   by the sender, with a reason; the engine records it as a new event.
 * - `deleted` true: nothing moves (a deleted referral is kept only as history).
 * Errors are returned, never thrown: `{ ok: false, code }` with a ReferralRefusal.
 */
export function transition(
  from: ReferralStatus | null, to: ReferralStatus, side: ReferralSide,
  options: { reason?: string | null; deleted?: boolean } = {},
): ReferralMove {
  if (options.deleted === true) return { ok: false, code: "deleted" };
  if (from === null) {
    if (to !== "requested") return { ok: false, code: "not_allowed" };
    return side === "sender" ? { ok: true, status: "requested", kind: "step" } : { ok: false, code: "wrong_side" };
  }
  if (from === to) return { ok: false, code: "same_status" };
  if (to === "cancelled") {
    if (isClosedReferral(from)) return { ok: false, code: "not_allowed" };
    return hasReason(options.reason) ? { ok: true, status: "cancelled", kind: "cancel" } : { ok: false, code: "reason_required" };
  }
  if (to === "requested" && isClosedReferral(from)) {
    if (side !== "sender") return { ok: false, code: "wrong_side" };
    return hasReason(options.reason) ? { ok: true, status: "requested", kind: "reopen" } : { ok: false, code: "reason_required" };
  }
  const who = STEPS[from]?.[to];
  if (who === undefined) return { ok: false, code: "not_allowed" };
  return who === side ? { ok: true, status: to, kind: "step" } : { ok: false, code: "wrong_side" };
}

/** The states `side` may move a referral to from `from` (for the console's buttons); cancel and reopen included (they need a reason). */
export function nextStatuses(from: ReferralStatus, side: ReferralSide): ReferralStatus[] {
  return REFERRAL_STATUSES.filter((to) => transition(from, to, side, { reason: "x" }).ok);
}

/** Deleting (a soft delete, history kept) needs a reason; any side's staff may, in any state. Returns the refusal, or undefined. */
export function checkDelete(reason: string | undefined | null, alreadyDeleted: boolean): ReferralRefusal | undefined {
  if (alreadyDeleted) return "deleted";
  return hasReason(reason) ? undefined : "reason_required";
}

/** Words for each state, Japanese first (the console and the receiver's view). */
export const REFERRAL_STATUS_LABELS: Readonly<Record<ReferralStatus, { ja: string; en: string }>> = {
  requested: { ja: "依頼中", en: "Requested" },
  received: { ja: "受付済み", en: "Received" },
  accepted: { ja: "受諾", en: "Accepted" },
  rejected: { ja: "辞退", en: "Rejected" },
  cancelled: { ja: "取消", en: "Cancelled" },
  "in-progress": { ja: "対応中", en: "In progress" },
  "on-hold": { ja: "保留中", en: "On hold" },
  completed: { ja: "完了", en: "Completed" },
};
