/**
 * The receiving organisation's private link to a referral (issue 14: both sides
 * see the state). The receiver is usually an external provider without an
 * account: a coordinator makes a link for one referral (the token is shown once;
 * only its SHA-256 hash is kept), it expires (default 30 days) and can be
 * revoked; a new link revokes the one before. With it, the receiver sees the
 * referral — the member's details only those the referral shared under consent,
 * and only while the consent still allows (the port) — and moves it through the
 * states FHIR's Task allows the receiver (domain/referral.ts): received,
 * accepted, rejected (with a reason), in-progress, on-hold, completed. Each move
 * is one referral event with side `receiver` and actor `receiver:link:<linkId>`;
 * the page's routes audit every view and move.
 *
 * Table (migration 2060): directory_referral_links.
 */
import { createHash, randomBytes } from "node:crypto";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import type { ReferralStatus } from "../domain/referral.ts";
import type { MayShareMemberDetails } from "./ports.ts";
import { getReferral, moveReferralIn, type Referral, ReferralError, type ReferralEvent, referralEvents } from "./referrals.ts";
import "../store/referral-links-schema.ts";
import "../store/needs-schema.ts";

/** How long a link works, in days (default), and at most. */
export const REFERRAL_LINK_DAYS = 30;
export const MAX_REFERRAL_LINK_DAYS = 90;

/** The moves the receiver makes on its page (cancelling is the sender's business: the receiver rejects, with a reason). */
export const RECEIVER_MOVES = ["received", "accepted", "rejected", "in-progress", "on-hold", "completed"] as const satisfies readonly ReferralStatus[];
export type ReceiverMove = (typeof RECEIVER_MOVES)[number];

const TOKEN_PATTERN = /^mdr_[A-Za-z0-9_-]{32}$/;
const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface ReferralLink {
  id: string;
  referralId: string;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  revokedBy: string | null;
  lastOpenedAt: Date | null;
}

const COLUMNS = ["id", "organisation_id", "referral_id", "created_by", "created_at", "expires_at", "revoked_at", "revoked_by", "last_opened_at"] as const;
type Row = { id: string; referral_id: string; created_by: string; created_at: Date; expires_at: Date; revoked_at: Date | null; revoked_by: string | null; last_opened_at: Date | null };
const linkOf = (r: Row): ReferralLink => ({
  id: r.id, referralId: r.referral_id, createdBy: r.created_by, createdAt: r.created_at, expiresAt: r.expires_at, revokedAt: r.revoked_at,
  revokedBy: r.revoked_by, lastOpenedAt: r.last_opened_at,
});

/** The actor a receiver's move is recorded as (the referral's history and the audit log). */
export const receiverActor = (linkId: string) => `receiver:link:${linkId}`;

/** The referral's live link (not revoked; it may have expired), if any. */
export async function liveReferralLink(db: Db, organisationId: string, referralId: string): Promise<ReferralLink | undefined> {
  const row = await db.selectFrom("directory_referral_links").select(COLUMNS).where("organisation_id", "=", organisationId)
    .where("referral_id", "=", referralId).where("revoked_at", "is", null).executeTakeFirst();
  return row ? linkOf(row) : undefined;
}

/**
 * Makes a link for the referral's receiver, revoking the one before; returns it
 * with its token (shown once). Errors: ReferralError referral_not_found, deleted.
 */
export async function createReferralLink(
  db: Db, organisationId: string, referralId: string, days: number, by: string, now: Date,
): Promise<{ link: ReferralLink; token: string }> {
  const token = `mdr_${randomBytes(24).toString("base64url")}`;
  const row = await inTransaction(db, async (tx) => {
    const referral = await tx.selectFrom("directory_referrals").select("deleted_at").where("organisation_id", "=", organisationId).where("id", "=", referralId)
      .forUpdate().executeTakeFirst();
    if (!referral) throw new ReferralError("referral_not_found", "no such referral");
    if (referral.deleted_at) throw new ReferralError("deleted", "the referral is deleted");
    await tx.updateTable("directory_referral_links").set({ revoked_at: now, revoked_by: by }).where("organisation_id", "=", organisationId)
      .where("referral_id", "=", referralId).where("revoked_at", "is", null).execute();
    return tx.insertInto("directory_referral_links").values({
      id: newId(), organisation_id: organisationId, referral_id: referralId, token_hash: hashToken(token), created_by: by, created_at: now,
      expires_at: new Date(now.getTime() + days * 86_400_000),
    }).returning(COLUMNS).executeTakeFirstOrThrow();
  });
  return { link: linkOf(row), token };
}

/** Revokes the referral's live link; returns it, or undefined when there was none. */
export async function revokeReferralLink(db: Db, organisationId: string, referralId: string, by: string, now: Date): Promise<ReferralLink | undefined> {
  const row = await db.updateTable("directory_referral_links").set({ revoked_at: now, revoked_by: by }).where("organisation_id", "=", organisationId)
    .where("referral_id", "=", referralId).where("revoked_at", "is", null).returning(COLUMNS).executeTakeFirst();
  return row ? linkOf(row) : undefined;
}

/** Why a link does not open: it names nothing, has expired, or was revoked (or its referral deleted). */
export type ReferralLinkProblem = "unknown" | "expired" | "revoked";

/** What the receiver's page shows: the referral, its history, the sender's name, and the member's details the consent allows now. */
export interface ReceiverView {
  organisationId: string;
  link: ReferralLink;
  referral: Referral;
  events: ReferralEvent[];
  /** The sending organisation's name. */
  senderName: string;
  /** Field → value of the details the referral shared (SHAREABLE_FIELDS), only while the consent allows; empty otherwise. */
  details: { field: string; value: string }[];
  /** The referral's note to the provider, under the same rule (it is written about the member). */
  note: string | null;
  /** Whether the details are hidden because the consent does not allow them (now). */
  withheld: boolean;
}

/** The link a token names, checked at `now`, with its organisation. */
async function findLink(db: Db, token: string, now: Date): Promise<{ organisationId: string; link: ReferralLink } | { problem: ReferralLinkProblem }> {
  // A malformed token is refused before any query: nothing to learn from timing or errors.
  if (!TOKEN_PATTERN.test(token)) return { problem: "unknown" };
  const row = await db.selectFrom("directory_referral_links").select(COLUMNS).where("token_hash", "=", hashToken(token)).executeTakeFirst();
  if (!row) return { problem: "unknown" };
  if (row.revoked_at) return { problem: "revoked" };
  if (row.expires_at <= now) return { problem: "expired" };
  return { organisationId: row.organisation_id, link: linkOf(row) };
}

async function memberDetails(db: Db, organisationId: string, referral: Referral): Promise<Record<string, string | null>> {
  const member = await db.selectFrom("members").select(["display_name", "personal"]).where("organisation_id", "=", organisationId)
    .where("id", "=", referral.memberId).where("erased_at", "is", null).executeTakeFirst();
  if (!member) return {};
  const need = referral.needId
    ? await db.selectFrom("directory_needs").select("note").where("organisation_id", "=", organisationId).where("id", "=", referral.needId).executeTakeFirst()
    : undefined;
  const p = member.personal;
  return {
    displayName: member.display_name, fullName: p.fullName ?? null, address: p.address ?? null, phone: p.phone ?? null, birthDate: p.birthDate ?? null,
    needNote: need?.note || null,
  };
}

/**
 * Opens the receiver's page: the link at `now` (unknown, expired, revoked — a
 * deleted referral's link counts as revoked) or what to show, and notes when
 * it was opened. `mayShare`: the consent port; without it no detail is shown.
 */
export async function openReceiverView(
  db: Db, token: string, mayShare: MayShareMemberDetails | undefined, now: Date,
): Promise<ReceiverView | { problem: ReferralLinkProblem }> {
  const found = await findLink(db, token, now);
  if ("problem" in found) return found;
  const { organisationId, link } = found;
  const referral = await getReferral(db, organisationId, link.referralId);
  if (!referral || referral.deletedAt) return { problem: "revoked" };
  const [events, sender, allowed] = await Promise.all([
    referralEvents(db, organisationId, referral.id),
    db.selectFrom("organisations").select("name").where("id", "=", organisationId).executeTakeFirstOrThrow(),
    mayShare && referral.sharedFields.length + (referral.note ? 1 : 0) > 0 ? mayShare(db, organisationId, referral.memberId, now) : Promise.resolve(false),
  ]);
  const values = allowed ? await memberDetails(db, organisationId, referral) : {};
  const details = allowed
    ? referral.sharedFields.flatMap((field) => (values[field] ? [{ field, value: values[field] as string }] : []))
    : [];
  await db.updateTable("directory_referral_links").set({ last_opened_at: now }).where("organisation_id", "=", organisationId).where("id", "=", link.id).execute();
  return {
    organisationId, link: { ...link, lastOpenedAt: now }, referral, events, senderName: sender.name, details,
    note: allowed && referral.note ? referral.note : null,
    withheld: !allowed && (referral.sharedFields.length > 0 || referral.note !== ""),
  };
}

/**
 * The receiver moves the referral with its link: the link is checked again in
 * the move's transaction (a link revoked or expired meanwhile moves nothing),
 * the move is the domain's (transition as side `receiver`); a rejection needs a
 * reason (the coordinator must know why to look elsewhere). Returns the link's
 * organisation and referral after the move, or the link's problem.
 * Errors: ReferralError with the refusal (not_allowed, same_status,
 * reason_required, deleted…).
 */
export async function receiverMove(
  db: Db, token: string, to: ReceiverMove, reason: string | null, now: Date,
): Promise<{ organisationId: string; link: ReferralLink; referral: Referral } | { problem: ReferralLinkProblem }> {
  if (to === "rejected" && !reason?.trim()) throw new ReferralError("reason_required", "give a reason", "reason");
  const moved = await inTransaction(db, async (tx) => {
    const found = await findLink(tx, token, now);
    if ("problem" in found) return found;
    // Lock the link: a revocation in flight either comes first (and this move sees it) or waits for the move.
    const still = await tx.selectFrom("directory_referral_links").select("id").where("organisation_id", "=", found.organisationId)
      .where("id", "=", found.link.id).where("revoked_at", "is", null).forUpdate().executeTakeFirst();
    if (!still) return { problem: "revoked" as const };
    await moveReferralIn(tx, found.organisationId, found.link.referralId, { to, side: "receiver", reason }, receiverActor(found.link.id), now);
    return found;
  });
  if ("problem" in moved) return moved;
  return { ...moved, referral: (await getReferral(db, moved.organisationId, moved.link.referralId)) as Referral };
}
