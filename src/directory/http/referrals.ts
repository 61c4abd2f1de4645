/**
 * Referrals under /api/v1/directory/referrals (engine/referrals.ts): staff refer
 * a member (or a need) to a provider, record each move in FHIR Task states for
 * the side that made it (the sender, us; or the receiver, whose answer staff
 * record), reopen a closed one, delete one softly with a reason (in the audit
 * log too), and share the member's details with the provider only under the
 * member's consent (the port). Team scope: a referral is its member's team's.
 */
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { teamOf } from "../../engine/team-scope.ts";
import { actorOf } from "../../http/auth.ts";
import { audit } from "../../http/audit.ts";
import { ApiError, notFound } from "../../http/errors.ts";
import { Id, IdParams, Limit, optionalText, text } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { checkTeam, notInTeam, teamScope } from "../../http/team-scope.ts";
import { nextStatuses, REFERRAL_SIDES, REFERRAL_STATUSES } from "../domain/referral.ts";
import type { ShareMemberDetails } from "../engine/ports.ts";
import { needTeam } from "../engine/needs.ts";
import {
  createReferral, deleteReferral, getReferral, listReferrals, moveReferral, type Referral, ReferralError, type ReferralEvent, referralEvents, shareReferral,
} from "../engine/referrals.ts";
import { REFERRAL_EVENT_KINDS } from "../store/needs-schema.ts";

const tags = ["directory"];
const Time = z.string().describe("ISO 8601 date-time, UTC");

/** The member's details that may be shared with a provider (names as the member's own fields). */
export const SHAREABLE_FIELDS = ["displayName", "fullName", "address", "phone", "birthDate", "needNote"] as const;

export const ReferralCreate = z.strictObject({
  needId: Id.optional().describe("the need it answers (its member is the referral's)"),
  memberId: Id.optional().describe("the member, when no need is named"),
  providerId: Id.describe("the receiving provider (a directory organisation)"),
  serviceId: Id.optional().describe("one of the provider's services"),
  note: optionalText(2000, true).optional().describe("what is asked of the provider (personal)"),
}).refine((b) => b.needId !== undefined || b.memberId !== undefined, { message: "name the need or the member", path: ["memberId"] });
export const ReferralMove = z.strictObject({
  to: z.enum(REFERRAL_STATUSES).describe("the new state (FHIR Task status); requested from a closed state reopens it"),
  side: z.enum(REFERRAL_SIDES).describe("who moves it: sender (us) or receiver (the provider's answer, recorded by staff)"),
  reason: optionalText(1000, true).optional().describe("required to cancel and to reopen"),
});
export const ReferralDelete = z.strictObject({ reason: text(1000, true).describe("why it is deleted (kept with its history and in the audit log)") });
export const ReferralShare = z.strictObject({
  fields: z.array(z.enum(SHAREABLE_FIELDS)).min(1).max(SHAREABLE_FIELDS.length).describe("which of the member's details go to the provider"),
});
const ReferralQuery = z.strictObject({
  status: z.enum(REFERRAL_STATUSES).optional(), memberId: Id.optional(), needId: Id.optional(), providerId: Id.optional(),
  deleted: z.enum(["true", "false"]).optional().describe("true: deleted referrals too"), limit: Limit(500, 100),
});

const EventView = z.object({
  id: z.string(), kind: z.enum(REFERRAL_EVENT_KINDS), fromStatus: z.enum(REFERRAL_STATUSES).nullable(), toStatus: z.enum(REFERRAL_STATUSES).nullable(),
  side: z.enum(REFERRAL_SIDES), actor: z.string(), note: z.string().nullable().describe("the reason given (cancel, reopen, delete), or the fields shared"), at: Time,
});
export const ReferralView = z.object({
  id: z.string(), needId: z.string().nullable(), memberId: z.string(), memberName: z.string(), teamId: z.string(),
  provider: z.object({ id: z.string(), name: z.string() }), service: z.object({ id: z.string(), name: z.string() }).nullable(),
  status: z.enum(REFERRAL_STATUSES), note: z.string(), sharedFields: z.array(z.string()).describe("the member's details shared with the provider, under consent"),
  disclosureId: z.string().nullable(), createdBy: z.string(), createdAt: Time, updatedAt: Time,
  deleted: z.object({ by: z.string(), at: Time, note: z.string() }).nullable().describe("a deleted referral: who, when and why"),
  next: z.object({ sender: z.array(z.enum(REFERRAL_STATUSES)), receiver: z.array(z.enum(REFERRAL_STATUSES)) })
    .describe("the states each side may move it to now (cancel and reopen need a reason)"),
}).meta({ id: "DirectoryReferral" });
export const ReferralDetail = ReferralView.extend({ events: z.array(EventView).describe("its history, oldest first") }).meta({ id: "DirectoryReferralDetail" });
export const ReferralList = z.object({ referrals: z.array(ReferralView) });

const iso = (d: Date | null) => d?.toISOString() ?? null;

function referralView(r: Referral) {
  const deleted = r.deletedAt !== null;
  return {
    id: r.id, needId: r.needId, memberId: r.memberId, memberName: r.memberName, teamId: r.teamId, provider: { id: r.providerId, name: r.providerName },
    service: r.serviceId && r.serviceName ? { id: r.serviceId, name: r.serviceName } : null, status: r.status, note: r.note, sharedFields: r.sharedFields,
    disclosureId: r.disclosureId, createdBy: r.createdBy, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
    deleted: r.deletedAt ? { by: r.deletedBy ?? "", at: r.deletedAt.toISOString(), note: r.deleteReason ?? "" } : null,
    next: { sender: deleted ? [] : nextStatuses(r.status, "sender"), receiver: deleted ? [] : nextStatuses(r.status, "receiver") },
  };
}

const eventView = (e: ReferralEvent) => ({
  id: e.id, kind: e.kind, fromStatus: e.fromStatus, toStatus: e.toStatus, side: e.side, actor: e.actor, note: e.reason, at: iso(e.at) as string,
});

export const REFERRAL_ERROR_CODES = {
  referral_move_refused: "the referral cannot make this move: field `to` (not from this state, or the other side makes it) or `reason` (required)",
  referral_deleted: "the referral is deleted: it moves no more",
  share_unavailable: "sharing a member's details is not available (consent records are not connected)",
  share_not_consented: "the member's consent does not cover sharing their details with providers (share_partners): nothing was shared",
} as const;

function referralErrorToApi(error: unknown): never {
  if (!(error instanceof ReferralError)) throw error;
  switch (error.code) {
    case "referral_not_found": throw notFound("referral");
    case "member_not_found": case "need_not_found": case "provider_not_found": case "service_not_found":
      throw new ApiError(422, "unknown_reference", error.message, error.field);
    case "need_closed": throw new ApiError(409, "need_closed", error.message, error.field);
    case "same_status": case "not_allowed": case "wrong_side": case "reason_required":
      throw new ApiError(409, "referral_move_refused", error.message, error.field);
    case "deleted": throw new ApiError(409, "referral_deleted", error.message);
    case "share_unavailable": throw new ApiError(409, "share_unavailable", error.message);
    case "no_member": throw notFound("member");
    default: throw new ApiError(422, "share_not_consented", `${error.message} (${error.code})`, "fields");
  }
}

/** Runs a referral command, answering its ReferralError as the API's error. */
export async function attempt<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    referralErrorToApi(error);
  }
}

/** The referral, when the principal's teams include its member's (404 / not-in-team otherwise). */
export async function referralInScope(s: Services, request: FastifyRequest, id: string): Promise<Referral> {
  const r = await getReferral(s.db, request.principal.organisationId, id);
  if (!r) throw notFound("referral");
  const scope = teamScope(request.principal);
  if (scope && !scope.includes(r.teamId)) throw notInTeam();
  return r;
}

export function referralRoutes(s: Services, share?: ShareMemberDetails): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/directory/referrals", { schema: { tags, querystring: ReferralQuery, summary: "Referrals, most recently changed first (team staff: their teams' members')" } },
      async (request) => {
        const q = request.query;
        const scope = teamScope(request.principal);
        const list = await listReferrals(s.db, request.principal.organisationId, {
          limit: q.limit, deleted: q.deleted === "true", ...(q.status ? { status: q.status } : {}), ...(q.memberId ? { memberId: q.memberId } : {}),
          ...(q.needId ? { needId: q.needId } : {}), ...(q.providerId ? { providerId: q.providerId } : {}), ...(scope ? { teamIds: scope } : {}),
        });
        return { referrals: list.map(referralView) };
      });

    app.post("/directory/referrals", { schema: { tags, body: ReferralCreate, summary: "Refer a member (or a need) to a provider: a requested referral" } },
      async (request, reply) => {
        const b = request.body;
        const org = request.principal.organisationId;
        if (b.needId) checkTeam(request.principal, await needTeam(s.db, org, b.needId), "needId");
        if (b.memberId) checkTeam(request.principal, await teamOf(s.db, org, "member", b.memberId), "memberId");
        const r = await attempt(() => createReferral(s.db, org, {
          needId: b.needId ?? null, memberId: b.memberId ?? null, providerId: b.providerId, serviceId: b.serviceId ?? null, note: b.note ?? null,
        }, actorOf(request.principal), s.clock.now()));
        await audit(s.db, request, "directory_referral.create", "member", r.memberId, { referralId: r.id, providerId: r.providerId });
        return reply.code(201).send(referralView(r));
      });

    app.get("/directory/referrals/:id", { schema: { tags, params: IdParams, summary: "One referral with its history (deleted ones too)" } }, async (request) => {
      const r = await referralInScope(s, request, request.params.id);
      return { ...referralView(r), events: (await referralEvents(s.db, request.principal.organisationId, r.id)).map(eventView) };
    });

    app.post("/directory/referrals/:id/status", {
      schema: {
        tags, params: IdParams, body: ReferralMove,
        summary: "Move a referral (FHIR Task states) as the sender or the receiver; cancel needs a reason; requested from a closed state reopens it (sender, with a reason)",
      },
    }, async (request) => {
      await referralInScope(s, request, request.params.id);
      const b = request.body;
      const r = await attempt(() => moveReferral(s.db, request.principal.organisationId, request.params.id, { to: b.to, side: b.side, reason: b.reason ?? null },
        actorOf(request.principal), s.clock.now()));
      await audit(s.db, request, "directory_referral.status", "member", r.memberId, { referralId: r.id, to: b.to, side: b.side });
      return referralView(r);
    });

    app.post("/directory/referrals/:id/deletion", {
      schema: { tags, params: IdParams, body: ReferralDelete, summary: "Delete a referral with a reason (a soft delete: its history is kept; the reason is in the audit log)" },
    }, async (request) => {
      await referralInScope(s, request, request.params.id);
      const r = await attempt(() => deleteReferral(s.db, request.principal.organisationId, request.params.id, request.body.reason, actorOf(request.principal),
        s.clock.now()));
      await audit(s.db, request, "directory_referral.delete", "member", r.memberId, { referralId: r.id, reason: request.body.reason });
      return referralView(r);
    });

    app.post("/directory/referrals/:id/share", {
      schema: {
        tags, params: IdParams, body: ReferralShare,
        summary: "Share the member's details with the provider: only when the member's consent to share with partners is in force (recorded as a disclosure)",
      },
    }, async (request) => {
      await referralInScope(s, request, request.params.id);
      const r = await attempt(() => shareReferral(s.db, request.principal.organisationId, request.params.id, request.body.fields, share,
        actorOf(request.principal), s.clock.now()));
      await audit(s.db, request, "directory_referral.share", "member", r.memberId, { referralId: r.id, fields: request.body.fields, disclosureId: r.disclosureId });
      return referralView(r);
    });
  };
}

export const REFERRAL_ACCESS = {
  "GET /directory/referrals": "observer",
  "POST /directory/referrals": "staff",
  "GET /directory/referrals/:id": "observer",
  "POST /directory/referrals/:id/status": "staff",
  "POST /directory/referrals/:id/deletion": "staff",
  "POST /directory/referrals/:id/share": "staff",
} as const;

export const REFERRAL_RESPONSES = {
  "GET /directory/referrals": { 200: ReferralList },
  "POST /directory/referrals": { 201: ReferralView },
  "GET /directory/referrals/:id": { 200: ReferralDetail },
  "POST /directory/referrals/:id/status": { 200: ReferralView },
  "POST /directory/referrals/:id/deletion": { 200: ReferralView },
  "POST /directory/referrals/:id/share": { 200: ReferralView },
};
