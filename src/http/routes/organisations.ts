/** The organisation itself, its API tokens, new organisations (instance admin), and the audit log. */
import { incidentRetentionYears as retentionYears } from "../../engine/personal-data.ts";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { type DailyQuestion, QUESTION_PRESETS } from "../../domain/call-script.ts";
import {
  createOrganisation, createToken, defaultTeamChannels, getOrganisation, listTokens, revokeToken, updateOrganisation,
} from "../../engine/organisations.ts";
import { setupChecks, setupEnvironment } from "../../engine/setup-checks.ts";
import { organisationTimeZone } from "../../engine/today.ts";
import { isValidTimeZone } from "../../domain/schedule.ts";
import { audit } from "../audit.ts";
import { listAuditLog } from "../../engine/audit-log.ts";
import { ApiError, notFound } from "../errors.ts";
import { AuditQuery, IdParams, OrganisationInput, optionalText, safeString, TokenInput, text } from "../schemas.ts";
import type { Services } from "../services.ts";

const DailyQuestionInput = z.union([
  z.enum(Object.keys(QUESTION_PRESETS) as [string, ...string[]]),
  z.strictObject({
    key: safeString().regex(/^[a-z][a-z0-9_]{0,30}$/, "lower-case letters, digits and _"),
    text: text(200).min(2),
    choices: z.array(z.strictObject({
      digit: safeString().regex(/^[0-9]$/, "one key, 0–9"),
      value: safeString().regex(/^[a-z][a-z0-9_]{0,30}$/),
      label: text(30),
    })).min(2).max(9).refine((c) => new Set(c.map((x) => x.digit)).size === c.length, "each choice needs its own key"),
  }),
]);

export function organisationRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    /** Token lifetimes are real-world time, whatever the sandbox's virtual clock says (see http/auth.ts). */
    const { wallClock } = s;
    app.get("/organisation", { schema: { tags: ["organisation"], summary: "The organisation this token belongs to" } }, async (request) => {
      const org = await getOrganisation(s.db, request.principal.organisationId);
      return {
        id: org.id, name: org.name, createdAt: org.created_at.toISOString(), timeZone: await organisationTimeZone(s.db, org.id), role: request.principal.role,
      };
    });

    app.get("/organisation/setup-checks", {
      schema: { tags: ["organisation"], summary: "What will make alerts fail: unreachable teams, unconfigured channels, refused credentials" },
    }, async (request) => ({
      checks: await setupChecks(s.db, request.principal.organisationId, setupEnvironment(s.config), s.clock.now()),
    }));

    app.patch("/organisation", {
      schema: {
        tags: ["organisation"], summary: "Rename the organisation, set its time zone, or the line of the day shown under each prompt (今日のひとこと)",
        body: z.strictObject({
          name: text(200).optional(),
          lineOfTheDay: optionalText(200).optional(),
          dailyQuestions: z.array(DailyQuestionInput).max(5).optional()
            .describe("Asked on check-in calls after the member's answer: preset names (condition, health, sleep, medication, meals) or your own questions; [] for none"),
          timeZone: safeString().refine(isValidTimeZone, "must be an IANA time zone such as Asia/Tokyo").optional()
            .describe("IANA time zone of the console's times and of the board's day (members' plans keep their own)"),
          incidentRetentionYears: z.number().int().min(0).max(30).optional()
            .describe("years an erased member's incidents are kept anonymised for the statistics (default 5; 0: none kept)"),
        }),
      },
    }, async (request) => {
      const { name, lineOfTheDay, dailyQuestions, timeZone, incidentRetentionYears } = request.body;
      let questions: DailyQuestion[] | undefined;
      if (dailyQuestions !== undefined) {
        questions = dailyQuestions.map((q) => (typeof q === "string" ? QUESTION_PRESETS[q] : q));
        const keys = questions.map((q) => q.key);
        const repeated = keys.findIndex((k, i) => keys.indexOf(k) !== i);
        if (repeated >= 0) throw new ApiError(400, "invalid_request", "each question needs its own key", `dailyQuestions.${repeated}`);
      }
      const updated = await updateOrganisation(s.db, request.principal.organisationId, {
        ...(name !== undefined ? { name } : {}), ...(lineOfTheDay !== undefined ? { lineOfTheDay } : {}),
        ...(questions !== undefined ? { dailyQuestions: questions } : {}), ...(timeZone !== undefined ? { timeZone } : {}),
        ...(incidentRetentionYears !== undefined ? { incidentRetentionYears } : {}),
      });
      await audit(s.db, request, "organisation.update", "organisation", request.principal.organisationId, { fields: Object.keys(request.body) });
      const stored = updated.settings as { lineOfTheDay?: string; dailyQuestions?: DailyQuestion[] };
      return {
        id: updated.id, name: updated.name, lineOfTheDay: stored.lineOfTheDay ?? null, dailyQuestions: stored.dailyQuestions ?? [],
        timeZone: await organisationTimeZone(s.db, updated.id), incidentRetentionYears: await retentionYears(s.db, updated.id),
      };
    });

    app.post("/organisations", {
      schema: { tags: ["organisation"], summary: "Create another organisation (instance administrators only)", body: OrganisationInput },
    }, async (request, reply) => {
      const created = await createOrganisation(s.db, request.body.name, s.clock.now(), { teamChannels: defaultTeamChannels(s.config.sandbox) });
      await audit(s.db, request, "organisation.create", "organisation", created.organisationId);
      return reply.code(201).send({ id: created.organisationId, name: request.body.name, defaultTeamId: created.teamId, adminToken: created.token });
    });

    app.post("/tokens", { schema: { tags: ["organisation"], summary: "Create an API token (shown once)", body: TokenInput } },
      async (request, reply) => {
        const { name, role } = request.body;
        const now = wallClock.now();
        const expiresAt = request.body.expiresAt ? new Date(request.body.expiresAt) : undefined;
        if (expiresAt && expiresAt <= now) throw new ApiError(400, "invalid_request", "must be in the future", "expiresAt");
        const { id, token } = await createToken(s.db, request.principal.organisationId, name, role, now, expiresAt ? { expiresAt } : {});
        await audit(s.db, request, "token.create", "token", id, { name, role, expiresAt: expiresAt?.toISOString() ?? null });
        return reply.code(201).send({ id, name, role, token, createdAt: now.toISOString(), expiresAt: expiresAt?.toISOString() ?? null });
      });

    app.get("/tokens", { schema: { tags: ["organisation"], summary: "The organisation's API tokens, without their secrets" } }, async (request) => {
      const rows = await listTokens(s.db, request.principal.organisationId);
      const iso = (d: Date | null) => d?.toISOString() ?? null;
      return {
        tokens: rows.map((t) => ({
          id: t.id, name: t.name, role: t.role, instanceAdmin: t.instance_admin, createdAt: t.created_at.toISOString(),
          lastUsedAt: iso(t.last_used_at), expiresAt: iso(t.expires_at), revokedAt: iso(t.revoked_at),
        })),
      };
    });

    app.delete("/tokens/:id", { schema: { tags: ["organisation"], summary: "Revoke a token at once, in every process", params: IdParams } },
      async (request, reply) => {
        const outcome = await revokeToken(s.db, request.principal.organisationId, request.params.id, wallClock.now());
        if (outcome === "not_found") throw notFound("token");
        if (outcome === "last_admin_token") {
          throw new ApiError(409, "last_admin_token", "this is the organisation's last admin token: create another admin token first", "id");
        }
        // A repeated revocation (a retry) answers the same and changes nothing, so the log keeps the one that did.
        if (outcome === "revoked") await audit(s.db, request, "token.revoke", "token", request.params.id);
        return reply.code(204).send();
      });

    app.get("/audit-log", {
      schema: { tags: ["organisation"], summary: "Who viewed or changed what, newest first, filtered by who, what, which member and when", querystring: AuditQuery },
    }, async (request) => {
      const { limit, before, actor, action, memberId, from, to } = request.query;
      const rows = await listAuditLog(s.db, request.principal.organisationId, {
        limit, ...(before ? { before } : {}), ...(actor ? { actor } : {}), ...(action ? { action } : {}), ...(memberId ? { memberId } : {}),
        ...(from ? { from } : {}), ...(to ? { to } : {}),
      });
      return {
        entries: rows.map((r) => ({
          id: r.id, at: r.at.toISOString(), actor: r.actor, action: r.action, subject: { kind: r.subject_kind, id: r.subject_id }, detail: r.detail,
        })),
        next: rows.length === limit ? rows[rows.length - 1].id : null,
      };
    });
  };
}
