/** Teams (見守りステーション) and their escalation-policy overrides; the organisation's policy. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { checkPolicy, DEFAULT_POLICIES, effectivePolicies, type PolicySet } from "../../domain/policy.ts";
import { newId } from "../../ids.ts";
import type { ChannelAddress } from "../../store/schema.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { IdParams, PolicySetInput, TeamInput, TeamPatch } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["teams"];

type TeamRow = { id: string; name: string; is_default: boolean; channels: unknown; escalation_policies: unknown; created_at: Date };
const teamView = (t: TeamRow) => ({
  id: t.id, name: t.name, isDefault: t.is_default, channels: t.channels as ChannelAddress[],
  hasOwnPolicy: t.escalation_policies !== null, createdAt: t.created_at.toISOString(),
});

function checkPolicies(body: Partial<PolicySet>) {
  for (const kind of ["standard", "phone"] as const) {
    const policy = body[kind];
    const problem = policy && checkPolicy(policy, `${kind}.steps`);
    if (problem) throw new ApiError(400, "invalid_request", problem.message, problem.field);
  }
}

export function teamRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const team = async (organisationId: string, id: string) => {
      const row = await s.db.selectFrom("teams").selectAll().where("id", "=", id).where("organisation_id", "=", organisationId).executeTakeFirst();
      if (!row) throw notFound("team");
      return row;
    };

    app.get("/teams", { schema: { tags, summary: "List teams" } }, async (request) => {
      const rows = await s.db.selectFrom("teams").selectAll().where("organisation_id", "=", request.principal.organisationId).orderBy("created_at").execute();
      return { teams: rows.map(teamView) };
    });

    app.post("/teams", { schema: { tags, summary: "Create a team", body: TeamInput } }, async (request, reply) => {
      const id = newId();
      await s.db.insertInto("teams").values({
        id, organisation_id: request.principal.organisationId, name: request.body.name,
        channels: JSON.stringify(request.body.channels), created_at: s.clock.now(),
      }).execute();
      await audit(s.db, request, "team.create", "team", id);
      return reply.code(201).send(teamView(await team(request.principal.organisationId, id)));
    });

    app.get("/teams/:id", { schema: { tags, summary: "A team", params: IdParams } }, async (request) =>
      teamView(await team(request.principal.organisationId, request.params.id)));

    app.patch("/teams/:id", { schema: { tags, summary: "Rename a team or change its alert channels", params: IdParams, body: TeamPatch } },
      async (request) => {
        await team(request.principal.organisationId, request.params.id);
        const changes: Record<string, unknown> = {};
        if (request.body.name !== undefined) changes.name = request.body.name;
        if (request.body.channels !== undefined) changes.channels = JSON.stringify(request.body.channels);
        if (Object.keys(changes).length) await s.db.updateTable("teams").set(changes).where("id", "=", request.params.id).execute();
        await audit(s.db, request, "team.update", "team", request.params.id);
        return teamView(await team(request.principal.organisationId, request.params.id));
      });

    app.delete("/teams/:id", { schema: { tags, summary: "Delete a team that has no members", params: IdParams } }, async (request, reply) => {
      const row = await team(request.principal.organisationId, request.params.id);
      if (row.is_default) throw new ApiError(409, "default_team", "the organisation's default team cannot be deleted");
      const used = await s.db.selectFrom("members").select("id").where("team_id", "=", row.id).limit(1).executeTakeFirst();
      if (used) throw new ApiError(409, "team_has_members", "move the team's members to another team first");
      await s.db.updateTable("groups").set({ team_id: null }).where("team_id", "=", row.id).execute();
      await s.db.deleteFrom("teams").where("id", "=", row.id).execute();
      await audit(s.db, request, "team.delete", "team", row.id);
      return reply.code(204).send();
    });

    app.get("/escalation-policy", { schema: { tags: ["escalation"], summary: "The organisation's escalation policies (standard and phone)" } },
      async (request) => {
        const org = await s.db.selectFrom("organisations").select("escalation_policies")
          .where("id", "=", request.principal.organisationId).executeTakeFirstOrThrow();
        const own = org.escalation_policies as Partial<PolicySet> | null;
        return { ...effectivePolicies(own, null), defaults: DEFAULT_POLICIES, customised: own !== null };
      });

    app.put("/escalation-policy", { schema: { tags: ["escalation"], summary: "Replace the organisation's escalation policies", body: PolicySetInput } },
      async (request) => {
        checkPolicies(request.body);
        await s.db.updateTable("organisations").set({ escalation_policies: JSON.stringify(request.body) })
          .where("id", "=", request.principal.organisationId).execute();
        await audit(s.db, request, "policy.update", "organisation", request.principal.organisationId, { policies: request.body });
        return { ...effectivePolicies(request.body, null), defaults: DEFAULT_POLICIES, customised: true };
      });

    app.get("/teams/:id/escalation-policy", { schema: { tags: ["escalation"], summary: "The policies a team's members follow", params: IdParams } },
      async (request) => {
        const row = await team(request.principal.organisationId, request.params.id);
        const org = await s.db.selectFrom("organisations").select("escalation_policies")
          .where("id", "=", request.principal.organisationId).executeTakeFirstOrThrow();
        return {
          ...effectivePolicies(org.escalation_policies as Partial<PolicySet> | null, row.escalation_policies as Partial<PolicySet> | null),
          teamOverride: row.escalation_policies,
        };
      });

    app.put("/teams/:id/escalation-policy", { schema: { tags: ["escalation"], summary: "Override the policies for one team", params: IdParams, body: PolicySetInput } },
      async (request) => {
        await team(request.principal.organisationId, request.params.id);
        checkPolicies(request.body);
        await s.db.updateTable("teams").set({ escalation_policies: JSON.stringify(request.body) }).where("id", "=", request.params.id).execute();
        await audit(s.db, request, "policy.update", "team", request.params.id, { policies: request.body });
        return { teamOverride: request.body };
      });

    app.delete("/teams/:id/escalation-policy", { schema: { tags: ["escalation"], summary: "Drop a team's override", params: IdParams } },
      async (request, reply) => {
        await team(request.principal.organisationId, request.params.id);
        await s.db.updateTable("teams").set({ escalation_policies: null }).where("id", "=", request.params.id).execute();
        await audit(s.db, request, "policy.delete", "team", request.params.id);
        return reply.code(204).send();
      });
  };
}
