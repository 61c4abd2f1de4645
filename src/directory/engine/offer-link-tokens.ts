/**
 * The tokens of offers' private links (engine/offer-links.ts explains the
 * links): made with the offer's message (engine/volunteer-messages.ts), kept as
 * their SHA-256 hash, extended when the offer is accepted (engine/volunteers.ts).
 * Apart so that the commands that make and extend them need nothing of the page's.
 */
import { createHash, randomBytes } from "node:crypto";
import { newId } from "../../ids.ts";
import type { Db } from "../../store/db.ts";
import { ACCEPTED_LINK_DAYS } from "../domain/offer-links.ts";
import "../store/offer-links-schema.ts";

/** A token's shape: mdv_ and 24 random bytes in base64url. */
export const OFFER_TOKEN_PATTERN = /^mdv_[A-Za-z0-9_-]{32}$/;
export const hashOfferToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** The actor what a link does is recorded as. */
export const offerLinkActor = (linkId: string) => `volunteer:link:${linkId}`;

/** The page of an offer's link on this service (`publicUrl`: where the service answers). */
export const offerPageUrl = (publicUrl: string, token: string) => `${publicUrl.replace(/\/+$/, "")}/offer/${token}`;

/**
 * Makes the link of request `requestId`, working until `expiresAt` (the offer's
 * respond_by), inside the offering transaction; returns its token (to be put in
 * the message), or undefined when the request has a link already (its message
 * was queued then: a phase or a call that runs again writes nothing twice).
 */
export async function makeOfferLink(tx: Db, organisationId: string, requestId: string, expiresAt: Date, now: Date): Promise<string | undefined> {
  const token = `mdv_${randomBytes(24).toString("base64url")}`;
  const made = await tx.insertInto("directory_offer_links").values({
    id: newId(), organisation_id: organisationId, request_id: requestId, token_hash: hashOfferToken(token), created_at: now, expires_at: expiresAt,
  }).onConflict((oc) => oc.columns(["request_id", "organisation_id"]).doNothing()).returning("id").executeTakeFirst();
  return made ? token : undefined;
}

/**
 * An offer was accepted (by its volunteer, through the link or not, or by a
 * coordinator for them): its link keeps working for ACCEPTED_LINK_DAYS, to show
 * whom to help and take contacts. In the accepting transaction.
 */
export async function extendOfferLink(tx: Db, organisationId: string, requestId: string, now: Date): Promise<void> {
  await tx.updateTable("directory_offer_links").set({ expires_at: new Date(now.getTime() + ACCEPTED_LINK_DAYS * 86_400_000) })
    .where("organisation_id", "=", organisationId).where("request_id", "=", requestId).execute();
}

