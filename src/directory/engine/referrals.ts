/**
 * Referrals to providers (issue 14): created by the sender (us) as `requested`,
 * moved through FHIR Task states by the side allowed to (domain/referral.ts),
 * each move one event row (a reopen too: never an edit), deleted softly with a
 * reason (the route writes it to the audit log as well), and the member's
 * details shared with the receiving provider only under the member's consent,
 * through the port the composition root passes (engine/ports.ts).
 * The receiving provider has no login here: staff record its answers as the
 * receiver's side, or the provider moves it itself through the private link a
 * coordinator gives it (engine/referral-links.ts); the state is the same for both.
 */
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import { needClosed } from "../domain/needs.ts";
import { checkDelete, type ReferralRefusal, type ReferralSide, type ReferralStatus, transition } from "../domain/referral.ts";
import type { ReferralEventKind } from "../store/needs-schema.ts";
import type { ShareMemberDetails, ShareRefusal } from "./ports.ts";
import "../store/schema.ts";
import "../store/needs-schema.ts";

export const REFERRAL_ERRORS = [
  "referral_not_found", "member_not_found", "need_not_found", "provider_not_found", "service_not_found", "need_closed", "share_unavailable",
] as const;
export type ReferralErrorCode = (typeof REFERRAL_ERRORS)[number] | ReferralRefusal | ShareRefusal;

export class ReferralError extends Error {
  readonly code: ReferralErrorCode;
  readonly field: string | undefined;
  constructor(code: ReferralErrorCode, message: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

export interface ReferralEvent {
  id: string;
  kind: ReferralEventKind;
  fromStatus: ReferralStatus | null;
  toStatus: ReferralStatus | null;
  side: ReferralSide;
  actor: string;
  reason: string | null;
  at: Date;
}

export interface Referral {
  id: string;
  needId: string | null;
  memberId: string;
  memberName: string;
  teamId: string;
  providerId: string;
  providerName: string;
  serviceId: string | null;
  serviceName: string | null;
  status: ReferralStatus;
  note: string;
  sharedFields: string[];
  disclosureId: string | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
  deletedBy: string | null;
  deleteReason: string | null;
}

function referralQuery(db: Db, organisationId: string) {
  return db.selectFrom("directory_referrals as r")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "r.member_id").onRef("m.organisation_id", "=", "r.organisation_id"))
    .innerJoin("directory_organizations as o", (j) => j.onRef("o.id", "=", "r.to_directory_organization_id").onRef("o.organisation_id", "=", "r.organisation_id"))
    .leftJoin("directory_services as s", (j) => j.onRef("s.id", "=", "r.service_id").onRef("s.organisation_id", "=", "r.organisation_id"))
    .select(["r.id", "r.need_id", "r.member_id", "m.display_name", "m.team_id", "o.id as provider_id", "o.name as provider_name", "r.service_id",
      "s.name as service_name", "r.status", "r.note", "r.shared_fields", "r.disclosure_id", "r.created_by", "r.created_at", "r.updated_at", "r.deleted_at",
      "r.deleted_by", "r.delete_reason"])
    .where("r.organisation_id", "=", organisationId);
}

function referralOf(r: Awaited<ReturnType<ReturnType<typeof referralQuery>["executeTakeFirstOrThrow"]>>): Referral {
  return {
    id: r.id, needId: r.need_id, memberId: r.member_id, memberName: r.display_name, teamId: r.team_id, providerId: r.provider_id, providerName: r.provider_name,
    serviceId: r.service_id, serviceName: r.service_name, status: r.status, note: r.note, sharedFields: r.shared_fields, disclosureId: r.disclosure_id,
    createdBy: r.created_by, createdAt: r.created_at, updatedAt: r.updated_at, deletedAt: r.deleted_at, deletedBy: r.deleted_by, deleteReason: r.delete_reason,
  };
}

export async function getReferral(db: Db, organisationId: string, id: string): Promise<Referral | undefined> {
  const row = await referralQuery(db, organisationId).where("r.id", "=", id).executeTakeFirst();
  return row ? referralOf(row) : undefined;
}

/** A referral's history, oldest first. */
export async function referralEvents(db: Db, organisationId: string, id: string): Promise<ReferralEvent[]> {
  const rows = await db.selectFrom("directory_referral_events").selectAll().where("organisation_id", "=", organisationId).where("referral_id", "=", id)
    .orderBy("at").orderBy("id").execute();
  return rows.map((e) => ({ id: e.id, kind: e.kind, fromStatus: e.from_status, toStatus: e.to_status, side: e.side, actor: e.actor, reason: e.reason, at: e.at }));
}

export interface ReferralFilter {
  status?: ReferralStatus;
  memberId?: string;
  needId?: string;
  providerId?: string;
  /** Deleted referrals too (their history is kept). */
  deleted?: boolean;
  teamIds?: string[];
  limit: number;
}

/** Referrals, most recently changed first. */
export async function listReferrals(db: Db, organisationId: string, filter: ReferralFilter): Promise<Referral[]> {
  if (filter.teamIds?.length === 0) return [];
  let q = referralQuery(db, organisationId);
  if (!filter.deleted) q = q.where("r.deleted_at", "is", null);
  if (filter.status) q = q.where("r.status", "=", filter.status);
  if (filter.memberId) q = q.where("r.member_id", "=", filter.memberId);
  if (filter.needId) q = q.where("r.need_id", "=", filter.needId);
  if (filter.providerId) q = q.where("r.to_directory_organization_id", "=", filter.providerId);
  if (filter.teamIds) q = q.where("m.team_id", "in", filter.teamIds);
  return (await q.orderBy("r.updated_at", "desc").orderBy("r.id", "desc").limit(filter.limit).execute()).map(referralOf);
}

async function addEvent(
  tx: Db, organisationId: string, referralId: string, kind: ReferralEventKind, from: ReferralStatus | null, to: ReferralStatus | null, side: ReferralSide,
  actor: string, reason: string | null, at: Date,
): Promise<void> {
  await tx.insertInto("directory_referral_events").values({
    id: newId(), organisation_id: organisationId, referral_id: referralId, kind, from_status: from, to_status: to, side, actor, reason, at,
  }).execute();
}

export interface ReferralInput {
  /** The need it answers (its member is the referral's); or `memberId` alone. */
  needId?: string | null;
  memberId?: string | null;
  providerId: string;
  serviceId?: string | null;
  note?: string | null;
}

/**
 * The sender refers a member (or a need) to a provider, optionally to one of its
 * services: a `requested` referral and its first event; an open or matched need
 * becomes `referred`. Errors: ReferralError (need_not_found, member_not_found,
 * provider_not_found, service_not_found — a service of another provider too —, need_closed).
 */
export async function createReferral(db: Db, organisationId: string, input: ReferralInput, by: string, now: Date): Promise<Referral> {
  const id = newId();
  await inTransaction(db, async (tx) => {
    let memberId = input.memberId ?? null;
    if (input.needId) {
      const need = await tx.selectFrom("directory_needs").select(["member_id", "status"]).where("organisation_id", "=", organisationId)
        .where("id", "=", input.needId).forUpdate().executeTakeFirst();
      if (!need) throw new ReferralError("need_not_found", "no such need", "needId");
      if (memberId && memberId !== need.member_id) throw new ReferralError("member_not_found", "the need is about another member", "memberId");
      if (needClosed(need.status)) throw new ReferralError("need_closed", `the need is ${need.status}`, "needId");
      memberId = need.member_id;
      await tx.updateTable("directory_needs").set({ status: "referred", updated_at: now }).where("organisation_id", "=", organisationId)
        .where("id", "=", input.needId).execute();
    }
    if (!memberId) throw new ReferralError("member_not_found", "name the need or the member", "memberId");
    const member = await tx.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "=", memberId)
      .where("erased_at", "is", null).executeTakeFirst();
    if (!member) throw new ReferralError("member_not_found", "no such member", "memberId");
    const provider = await tx.selectFrom("directory_organizations").select("id").where("organisation_id", "=", organisationId)
      .where("id", "=", input.providerId).where("archived_at", "is", null).executeTakeFirst();
    if (!provider) throw new ReferralError("provider_not_found", "no such provider", "providerId");
    if (input.serviceId) {
      const service = await tx.selectFrom("directory_services").select("id").where("organisation_id", "=", organisationId).where("id", "=", input.serviceId)
        .where("directory_organization_id", "=", input.providerId).executeTakeFirst();
      if (!service) throw new ReferralError("service_not_found", "no such service of this provider", "serviceId");
    }
    const created = transition(null, "requested", "sender");
    if (!created.ok) throw new ReferralError(created.code, "cannot create");
    await tx.insertInto("directory_referrals").values({
      id, organisation_id: organisationId, need_id: input.needId ?? null, member_id: memberId, to_directory_organization_id: input.providerId,
      service_id: input.serviceId ?? null, status: created.status, note: input.note?.trim() ?? "", created_by: by, created_at: now, updated_at: now,
    }).execute();
    await addEvent(tx, organisationId, id, "create", null, created.status, "sender", by, null, now);
  });
  return (await getReferral(db, organisationId, id)) as Referral;
}

/**
 * Moves a referral to `to` as `side` (domain/referral.ts `transition`): the new
 * state and one event with the reason. Errors: ReferralError referral_not_found,
 * or the refusal's code (same_status, not_allowed, wrong_side, reason_required, deleted).
 */
export async function moveReferral(
  db: Db, organisationId: string, id: string, move: { to: ReferralStatus; side: ReferralSide; reason?: string | null }, by: string, now: Date,
): Promise<Referral> {
  await inTransaction(db, (tx) => moveReferralIn(tx, organisationId, id, move, by, now));
  return (await getReferral(db, organisationId, id)) as Referral;
}

/** moveReferral inside the caller's transaction (the receiver's link checks itself in the same one). Errors as moveReferral. */
export async function moveReferralIn(
  tx: Db, organisationId: string, id: string, move: { to: ReferralStatus; side: ReferralSide; reason?: string | null }, by: string, now: Date,
): Promise<void> {
  const r = await tx.selectFrom("directory_referrals").select(["status", "deleted_at"]).where("organisation_id", "=", organisationId).where("id", "=", id)
    .forUpdate().executeTakeFirst();
  if (!r) throw new ReferralError("referral_not_found", "no such referral");
  const next = transition(r.status, move.to, move.side, { reason: move.reason ?? null, deleted: r.deleted_at !== null });
  if (!next.ok) throw new ReferralError(next.code, refusalMessage(next.code, r.status, move.to, move.side), next.code === "reason_required" ? "reason" : "to");
  await tx.updateTable("directory_referrals").set({ status: next.status, updated_at: now }).where("organisation_id", "=", organisationId).where("id", "=", id)
    .execute();
  await addEvent(tx, organisationId, id, next.kind, r.status, next.status, move.side, by, move.reason?.trim() || null, now);
}

function refusalMessage(code: ReferralRefusal, from: ReferralStatus, to: ReferralStatus, side: ReferralSide): string {
  switch (code) {
    case "same_status": return `the referral is ${from} already`;
    case "not_allowed": return `a referral cannot go from ${from} to ${to}`;
    case "wrong_side": return `the ${side === "sender" ? "receiver" : "sender"} makes this move, not the ${side}`;
    case "reason_required": return "give a reason";
    case "deleted": return "the referral is deleted";
  }
}

/** Deletes a referral softly with a reason (history kept; the route audits it). Errors: referral_not_found, reason_required, deleted. */
export async function deleteReferral(db: Db, organisationId: string, id: string, reason: string, by: string, now: Date): Promise<Referral> {
  await inTransaction(db, async (tx) => {
    const r = await tx.selectFrom("directory_referrals").select(["status", "deleted_at"]).where("organisation_id", "=", organisationId).where("id", "=", id)
      .forUpdate().executeTakeFirst();
    if (!r) throw new ReferralError("referral_not_found", "no such referral");
    const refusal = checkDelete(reason, r.deleted_at !== null);
    if (refusal) throw new ReferralError(refusal, refusal === "deleted" ? "the referral is deleted already" : "give a reason", "reason");
    await tx.updateTable("directory_referrals").set({ deleted_at: now, deleted_by: by, delete_reason: reason.trim(), updated_at: now })
      .where("organisation_id", "=", organisationId).where("id", "=", id).execute();
    await addEvent(tx, organisationId, id, "delete", r.status, null, "sender", by, reason.trim(), now);
  });
  return (await getReferral(db, organisationId, id)) as Referral;
}

/**
 * Shares the member's details (`fields`) with the referral's provider, only when
 * the member's consent allows (the port: the network records the disclosure).
 * The referral keeps which fields went out and the disclosure's id; an event
 * says so — all in one transaction with the disclosure, the referral locked, so
 * a share the referral refuses (deleted meanwhile) or fails to record leaves no
 * disclosure behind. Errors: referral_not_found, deleted, share_unavailable (no port), or
 * the port's refusal (no_consent, consent_denied…).
 */
export async function shareReferral(
  db: Db, organisationId: string, id: string, fields: string[], share: ShareMemberDetails | undefined, by: string, now: Date,
): Promise<Referral> {
  await inTransaction(db, async (tx) => {
    await tx.selectFrom("directory_referrals").select("id").where("organisation_id", "=", organisationId).where("id", "=", id).forUpdate().executeTakeFirst();
    const r = await getReferral(tx, organisationId, id);
    if (!r) throw new ReferralError("referral_not_found", "no such referral");
    if (r.deletedAt) throw new ReferralError("deleted", "the referral is deleted");
    if (!share) throw new ReferralError("share_unavailable", "sharing is not available: consent records are not connected");
    const purpose = `紹介: ${r.serviceName ?? r.providerName}`;
    const decision = await share(tx, organisationId, r.memberId, { recipient: r.providerName, purpose, fields }, by, now);
    if (!decision.allowed) throw new ReferralError(decision.refused, "the member's consent does not cover sharing with this provider", "fields");
    await tx.updateTable("directory_referrals").set({ shared_fields: [...new Set([...r.sharedFields, ...fields])], disclosure_id: decision.disclosureId, updated_at: now })
      .where("organisation_id", "=", organisationId).where("id", "=", id).execute();
    await addEvent(tx, organisationId, id, "share", r.status, r.status, "sender", by, fields.join(","), now);
  });
  return (await getReferral(db, organisationId, id)) as Referral;
}
