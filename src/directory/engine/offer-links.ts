/**
 * Private links of offers to volunteers without a login (issue 14; the rules in
 * domain/offer-links.ts). A volunteer who never signs in (many are healthy older
 * people with a phone and no account) is told of an offer by SMS, with a link
 * to a page (http/offer-pages.ts) where they accept or decline, and after
 * accepting see whom to help — only what the signed-in volunteer's view shows
 * (name, address, phone) — and log what they did. As the referral receiver's
 * link (engine/referral-links.ts): the token is random, only its SHA-256 hash is
 * kept, one link names one request; unlike it, nobody makes the link by hand:
 * engine/volunteer-messages.ts makes it with the offer's message, in the
 * offering transaction. Every request through a link counts towards its rate
 * limit; what it does is recorded as `volunteer:link:<linkId>` (the request's
 * answer, the contact's recorded_by, the audit log).
 *
 * Table (migration 2110): directory_offer_links; its tokens: offer-link-tokens.ts.
 */
import { type Db, inTransaction } from "../../store/db.ts";
import type { NeedStatus } from "../domain/needs.ts";
import { type OfferLinkStage, offerLinkHit, offerLinkStage } from "../domain/offer-links.ts";
import { hashOfferToken, OFFER_TOKEN_PATTERN, offerLinkActor } from "./offer-link-tokens.ts";
import { getRequest, logContact, listVolunteerContacts, type VolunteerContact, type VolunteerRequest } from "./volunteers.ts";
import "../store/offer-links-schema.ts";
import "../store/needs-schema.ts";

/** Why a link shows nothing: it names nothing, its offer is over (or the link expired), or it was used too often just now. */
export type OfferLinkProblem = "unknown" | "closed" | "too_many";

/** What the link's page shows: the request (whom to help only once accepted), what it is for now, and the volunteer's contacts logged for it. */
export interface OfferLinkView {
  organisationId: string;
  linkId: string;
  expiresAt: Date;
  stage: Exclude<OfferLinkStage, "closed">;
  request: VolunteerRequest;
  /** The need's member (for the audit log; the page shows whom to help only once accepted, from `request`). */
  memberId: string;
  /** The volunteer's contacts about this need, newest first (only once accepted). */
  contacts: VolunteerContact[];
}

/**
 * Opens the link at `now`: counts the request towards the link's rate limit
 * (`count`, default true; false when re-showing the page after a POST that was
 * counted), then the request's stage. Notes when it was opened.
 */
export async function openOfferLink(db: Db, token: string, now: Date, count = true): Promise<OfferLinkView | { problem: OfferLinkProblem }> {
  // A malformed token is refused before any query.
  if (!OFFER_TOKEN_PATTERN.test(token)) return { problem: "unknown" };
  const found = await inTransaction(db, async (tx) => {
    const link = await tx.selectFrom("directory_offer_links").select(["id", "organisation_id", "request_id", "expires_at", "window_started_at", "window_hits"])
      .where("token_hash", "=", hashOfferToken(token)).forUpdate().executeTakeFirst();
    if (!link) return { problem: "unknown" as const };
    if (count) {
      const hit = offerLinkHit(link.window_started_at, link.window_hits, now);
      if (!hit.allowed) return { problem: "too_many" as const };
      await tx.updateTable("directory_offer_links").set({ window_started_at: hit.windowStartedAt, window_hits: hit.hits, last_opened_at: now })
        .where("organisation_id", "=", link.organisation_id).where("id", "=", link.id).execute();
    }
    return link;
  });
  if ("problem" in found) return found;
  const request = await getRequest(db, found.organisation_id, found.request_id);
  if (!request) return { problem: "closed" };
  const stage = offerLinkStage({ status: request.status, respondBy: request.respondBy, needStatus: request.need.status as NeedStatus, expiresAt: found.expires_at }, now);
  if (stage === "closed") return { problem: "closed" };
  const need = await db.selectFrom("directory_needs").select("member_id").where("organisation_id", "=", found.organisation_id)
    .where("id", "=", request.needId).executeTakeFirstOrThrow();
  const contacts = stage === "accepted"
    ? (await listVolunteerContacts(db, found.organisation_id, { volunteerId: request.volunteerId, limit: 50 })).filter((c) => c.needId === request.needId)
    : [];
  return { organisationId: found.organisation_id, linkId: found.id, expiresAt: found.expires_at, stage, request, memberId: need.member_id, contacts };
}

/**
 * The volunteer logs a contact through the link of an accepted offer: about the
 * need's member, at `now`, recorded as the link. The stage is checked again
 * (a need closed meanwhile takes nothing). Returns the contact, or the problem.
 */
export async function logContactByLink(
  db: Db, view: OfferLinkView, note: string, now: Date,
): Promise<VolunteerContact | { problem: OfferLinkProblem }> {
  const request = await getRequest(db, view.organisationId, view.request.id);
  if (!request || offerLinkStage({ status: request.status, respondBy: request.respondBy, needStatus: request.need.status as NeedStatus, expiresAt: view.expiresAt }, now) !== "accepted") {
    return { problem: "closed" };
  }
  return logContact(db, view.organisationId, request.volunteerId, { needId: request.needId, contactedAt: now, note }, offerLinkActor(view.linkId), now);
}
