/**
 * The private link of an offer to a volunteer without a login (issue 14: a
 * request is accepted or declined, whoever the volunteer is). Pure rules: what
 * the link's page may do at a time, and its rate limit. engine/offer-links.ts
 * keeps the links; http/offer-pages.ts is the page.
 *
 * A link names one request (one offer) only. While the offer is open (offered,
 * before its respond_by) it answers it; once the volunteer accepted, it shows
 * whom to help and takes their log of contacts, for ACCEPTED_LINK_DAYS or
 * until the need is closed (resolved, withdrawn). Otherwise it is closed: a
 * declined, expired or withdrawn offer, a closed need or a link past its
 * expiry shows nothing at all.
 */
import { needClosed, type NeedStatus, type VolunteerRequestStatus } from "./needs.ts";

/** Days an accepted offer's link keeps working (whom to help, logging contacts), unless the need closes first. */
export const ACCEPTED_LINK_DAYS = 14;

/** What the link's page is for now: `answer` (accept or decline), `accepted` (details and contacts), or `closed`. */
export type OfferLinkStage = "answer" | "accepted" | "closed";

/**
 * The stage of a link at `now`, from its request (status, respond_by), its
 * need's status and the link's own expiry. A link past `expiresAt` is closed
 * whatever the request says.
 */
export function offerLinkStage(
  f: { status: VolunteerRequestStatus; respondBy: Date | null; needStatus: NeedStatus; expiresAt: Date }, now: Date,
): OfferLinkStage {
  if (f.expiresAt.getTime() <= now.getTime()) return "closed";
  if (f.status === "offered") return f.respondBy !== null && f.respondBy.getTime() <= now.getTime() ? "closed" : "answer";
  if (f.status === "accepted") return needClosed(f.needStatus) ? "closed" : "accepted";
  return "closed";
}

/** Length of an offer link's rate-limit window, in ms. */
export const OFFER_LINK_WINDOW_MS = 10 * 60_000;
/**
 * Requests (views and posts) through one offer link per window: far more than
 * a volunteer reading, answering and logging needs, few enough that a link
 * passed around or scripted does not become a feed of a member's details.
 */
export const OFFER_LINK_HITS_PER_WINDOW = 30;

/**
 * One more request through an offer link, given its window (start, count) at
 * `now`: whether it is served, and the window to store. A window older than
 * OFFER_LINK_WINDOW_MS starts afresh; a refused request leaves it as it was.
 */
export function offerLinkHit(windowStartedAt: Date | null, hits: number, now: Date): { allowed: boolean; windowStartedAt: Date; hits: number } {
  if (!windowStartedAt || now.getTime() - windowStartedAt.getTime() >= OFFER_LINK_WINDOW_MS) return { allowed: true, windowStartedAt: now, hits: 1 };
  if (hits >= OFFER_LINK_HITS_PER_WINDOW) return { allowed: false, windowStartedAt, hits };
  return { allowed: true, windowStartedAt, hits: hits + 1 };
}
