/**
 * The receiving organisation's private link to a referral (engine/referral-links.ts):
 * - staff routes under /api/v1/directory/referrals/{id}/receiver-link: make a
 *   link (its token shown once; a new one revokes the one before), see the live
 *   one (when made, until when, when last opened), revoke it — team-scoped,
 *   audited;
 * - the receiver's page outside /api/v1, GET and POST /referral/{token}: no
 *   account, no JavaScript, Japanese first; the referral with the member's
 *   details only as the consent allows; a button per move the receiver may make.
 *   Every view and move is audited as the link (`receiver:link:<id>`); a forged,
 *   expired or revoked token gets a page saying so, with no effect and nothing
 *   about any referral.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { organisationTimeZone } from "../../engine/today.ts";
import { actorOf } from "../../http/auth.ts";
import { audit, auditAs } from "../../http/audit.ts";
import { notFound } from "../../http/errors.ts";
import { IdParams, textProblem } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import type { MayShareMemberDetails } from "../engine/ports.ts";
import {
  createReferralLink, liveReferralLink, MAX_REFERRAL_LINK_DAYS, openReceiverView, RECEIVER_MOVES, type ReceiverMove, receiverActor, receiverMove,
  REFERRAL_LINK_DAYS, type ReferralLink, revokeReferralLink,
} from "../engine/referral-links.ts";
import { ReferralError } from "../engine/referrals.ts";
import { type ReceiverOutcome, receiverPage, receiverProblemPage } from "./referral-receiver-pages.ts";
import { sendPage } from "../../http/public-pages.ts";
import { privatePageScope } from "./private-pages.ts";
import { attempt, referralInScope } from "./referrals.ts";
import { linkExpired } from "../domain/links.ts";

const tags = ["directory"];
const Time = z.string().describe("ISO 8601 date-time, UTC");

export const ReferralLinkCreate = z.strictObject({
  days: z.number().int().min(1).max(MAX_REFERRAL_LINK_DAYS).optional().describe(`days the link works (default ${REFERRAL_LINK_DAYS})`),
});
const ReferralLinkView = z.object({
  id: z.string(), referralId: z.string(), createdBy: z.string(), createdAt: Time, expiresAt: Time,
  lastOpenedAt: Time.nullable().describe("when the receiver last opened the page"),
  revokedAt: Time.nullable(), revokedBy: z.string().nullable(),
  expired: z.boolean().describe("past its expiry by the server's clock"),
}).meta({ id: "DirectoryReferralLink" });
export const ReferralLinkCreated = ReferralLinkView.extend({
  token: z.string().describe("shown once; only its hash is kept"), path: z.string().describe("the receiver's page: /referral/{token} on this service"),
}).meta({ id: "DirectoryReferralLinkCreated" });
export const ReferralLinkState = z.object({ link: ReferralLinkView.nullable().describe("the live link (null: none; it may have expired)") });

const iso = (d: Date | null) => d?.toISOString() ?? null;
const linkView = (l: ReferralLink, now: Date) => ({
  id: l.id, referralId: l.referralId, createdBy: l.createdBy, createdAt: l.createdAt.toISOString(), expiresAt: l.expiresAt.toISOString(),
  lastOpenedAt: iso(l.lastOpenedAt), revokedAt: iso(l.revokedAt), revokedBy: l.revokedBy, expired: linkExpired(l.expiresAt, now),
});

export function referralLinkRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post("/directory/referrals/:id/receiver-link", {
      schema: {
        tags, params: IdParams, body: ReferralLinkCreate,
        summary: "Make the receiver's private link to the referral (its page shows the referral and lets the receiver move it); the token is shown once; a new link revokes the one before",
      },
    }, async (request, reply) => {
      const r = await referralInScope(s, request, request.params.id);
      const created = await attempt(() => createReferralLink(s.db, request.principal.organisationId, r.id, request.body?.days ?? REFERRAL_LINK_DAYS,
        actorOf(request.principal), s.clock.now()));
      await audit(s.db, request, "directory_referral.link_create", "member", r.memberId, { referralId: r.id, linkId: created.link.id });
      return reply.code(201).send({ ...linkView(created.link, s.clock.now()), token: created.token, path: `/referral/${created.token}` });
    });

    app.get("/directory/referrals/:id/receiver-link", {
      schema: { tags, params: IdParams, summary: "The referral's live receiver link (when made, until when, when last opened), or null" },
    }, async (request) => {
      const r = await referralInScope(s, request, request.params.id);
      const link = await liveReferralLink(s.db, request.principal.organisationId, r.id);
      return { link: link ? linkView(link, s.clock.now()) : null };
    });

    app.delete("/directory/referrals/:id/receiver-link", {
      schema: { tags, params: IdParams, summary: "Revoke the referral's receiver link: its page opens no more" },
    }, async (request) => {
      const r = await referralInScope(s, request, request.params.id);
      const revoked = await revokeReferralLink(s.db, request.principal.organisationId, r.id, actorOf(request.principal), s.clock.now());
      if (!revoked) throw notFound("link");
      await audit(s.db, request, "directory_referral.link_revoke", "member", r.memberId, { referralId: r.id, linkId: revoked.id });
      return linkView(revoked, s.clock.now());
    });
  };
}

export const REFERRAL_LINK_ACCESS = {
  "POST /directory/referrals/:id/receiver-link": "staff",
  "GET /directory/referrals/:id/receiver-link": "observer",
  "DELETE /directory/referrals/:id/receiver-link": "staff",
} as const;

export const REFERRAL_LINK_RESPONSES = {
  "POST /directory/referrals/:id/receiver-link": { 201: ReferralLinkCreated },
  "GET /directory/referrals/:id/receiver-link": { 200: ReferralLinkState },
  "DELETE /directory/referrals/:id/receiver-link": { 200: ReferralLinkView },
};

// ---------------------------------------------------------------- the receiver's page

const FORM_LIMIT = 16 * 1024;
const isMove = (to: string | null): to is ReceiverMove => (RECEIVER_MOVES as readonly string[]).includes(to ?? "");

/** The receiver's page; `mayShare` is the consent port (without it, none of the member's details is shown). */
export function referralReceiverPages(mayShare: MayShareMemberDetails | undefined) {
  return async (app: FastifyInstance, s: Services): Promise<void> => {
    await privatePageScope(app, { formLimit: FORM_LIMIT, what: "referral receiver page", problem: receiverProblemPage }, (scope) => {
      const options = { schema: { hide: true } } as const;

      /** The page as it stands, audited as a view by the link. */
      const show = async (request: FastifyRequest, reply: FastifyReply, token: string, outcome?: ReceiverOutcome) => {
        const view = await openReceiverView(s.db, token, mayShare, s.clock.now());
        if ("problem" in view) return sendPage(reply, receiverProblemPage(view.problem));
        await auditAs(s.db, request, view.organisationId, receiverActor(view.link.id), "directory_referral.receiver_view", "member", view.referral.memberId, {
          referralId: view.referral.id, fields: view.details.map((d) => d.field),
        });
        return sendPage(reply, receiverPage(token, view, await organisationTimeZone(s.db, view.organisationId), outcome));
      };

      scope.get<{ Params: { token: string } }>("/referral/:token", options, async (request, reply) => {
        await s.clock.refresh();
        return show(request, reply, request.params.token);
      });

      scope.post<{ Params: { token: string } }>("/referral/:token", options, async (request, reply) => {
        await s.clock.refresh();
        const body = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
        const to = body.get("to");
        const reason = (body.get("reason") ?? "").replace(/\r\n/g, "\n").trim().slice(0, 1000) || null;
        if (!isMove(to)) return show(request, reply, request.params.token, { refused: "not_allowed" });
        // The one text rule of every input (no control characters, no lone surrogates): refused like a missing reason, nothing stored.
        if (reason !== null && textProblem(reason, true)) return show(request, reply, request.params.token, { refused: "reason_required" });
        let moved: Awaited<ReturnType<typeof receiverMove>>;
        try {
          moved = await receiverMove(s.db, request.params.token, to, reason, s.clock.now());
        } catch (error) {
          if (!(error instanceof ReferralError)) throw error;
          if (error.code === "deleted" || error.code === "referral_not_found") return sendPage(reply, receiverProblemPage("revoked"));
          return show(request, reply, request.params.token, { refused: error.code === "reason_required" ? "reason_required" : "not_allowed" });
        }
        if ("problem" in moved) return sendPage(reply, receiverProblemPage(moved.problem));
        await auditAs(s.db, request, moved.organisationId, receiverActor(moved.link.id), "directory_referral.receiver_status", "member", moved.referral.memberId, {
          referralId: moved.referral.id, to,
        });
        return show(request, reply, request.params.token, { done: to });
      });
    });
  };
}
