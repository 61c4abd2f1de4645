/** Teams (見守りステーション) and their escalation-policy overrides; the organisation's policy. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { DEFAULT_POLICIES, effectivePolicies, type PolicySet, policyProblems } from "../../domain/policy.ts";
import { type PolicyPreview, type PreviewInput, previewPolicies } from "../../engine/policies.ts";
import {
  createTeam, deleteTeam, getTeam, listTeams, organisationPolicies, setOrganisationPolicies, setTeamPolicies, type TeamRow, updateTeam,
} from "../../engine/teams.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { IdParams, PolicyPreviewInput, PolicyPreviewQuery, PolicySetReplace, TeamInput, TeamPatch } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["teams"];

const teamView = (t: TeamRow) => ({
  id: t.id, name: t.name, isDefault: t.is_default, channels: t.channels,
  hasOwnPolicy: t.escalation_policies !== null, createdAt: t.created_at.toISOString(),
});

const previewView = (p: PolicyPreview) => ({
  timeZone: p.timeZone, firstDueAt: p.firstDueAt.toISOString(), policies: p.policies,
  channels: p.channels.map((c) => ({
    channel: c.channel, policyKind: c.policyKind, truncated: c.timeline.truncated,
    entries: c.timeline.entries.map((e) => ({ ...e, at: e.at.toISOString() })),
    acknowledgement: c.timeline.acknowledgement && {
      at: c.timeline.acknowledgement.at.toISOString(), remindAt: c.timeline.acknowledgement.remindAt.toISOString(),
      timeoutAt: c.timeline.acknowledgement.timeoutAt.toISOString(),
    },
  })),
});

/** Refuses policies with every problem of both kinds named (400 invalid_request, each field `invalid`). */
function checkPolicies(body: Partial<PolicySet>) {
  const problems = (["standard", "phone"] as const).flatMap((kind) => {
    const policy = body[kind];
    return policy ? policyProblems(policy, `${kind}.steps`) : [];
  });
  if (problems.length) {
    throw new ApiError(400, "invalid_request", problems[0].message, problems[0].field, problems.map((p) => ({ ...p, code: "invalid" as const })));
  }
}

export function teamRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const team = async (organisationId: string, id: string) => {
      const row = await getTeam(s.db, organisationId, id);
      if (!row) throw notFound("team");
      return row;
    };

    app.get("/teams", { schema: { tags, summary: "List teams" } }, async (request) => {
      return { teams: (await listTeams(s.db, request.principal.organisationId)).map(teamView) };
    });

    app.post("/teams", { schema: { tags, summary: "Create a team", body: TeamInput } }, async (request, reply) => {
      const row = await createTeam(s.db, request.principal.organisationId, request.body, s.clock.now());
      await audit(s.db, request, "team.create", "team", row.id);
      return reply.code(201).send(teamView(row));
    });

    app.get("/teams/:id", { schema: { tags, summary: "A team", params: IdParams } }, async (request) =>
      teamView(await team(request.principal.organisationId, request.params.id)));

    app.patch("/teams/:id", { schema: { tags, summary: "Rename a team or change its alert channels", params: IdParams, body: TeamPatch } },
      async (request) => {
        const row = await updateTeam(s.db, request.principal.organisationId, request.params.id, request.body);
        if (!row) throw notFound("team");
        await audit(s.db, request, "team.update", "team", request.params.id);
        return teamView(row);
      });

    app.delete("/teams/:id", { schema: { tags, summary: "Delete a team that has no members", params: IdParams } }, async (request, reply) => {
      const outcome = await deleteTeam(s.db, request.principal.organisationId, request.params.id);
      if (outcome === "not_found") throw notFound("team");
      if (outcome === "default_team") throw new ApiError(409, "default_team", "the organisation's default team cannot be deleted");
      if (outcome === "team_has_members") throw new ApiError(409, "team_has_members", "move the team's members to another team first");
      await audit(s.db, request, "team.delete", "team", request.params.id);
      return reply.code(204).send();
    });

    app.get("/escalation-policy", { schema: { tags: ["escalation"], summary: "The organisation's escalation policies (standard and phone)" } },
      async (request) => {
        const own = await organisationPolicies(s.db, request.principal.organisationId);
        return { ...effectivePolicies(own, null), defaults: DEFAULT_POLICIES, customised: own !== null };
      });

    app.put("/escalation-policy", { schema: { tags: ["escalation"], summary: "Replace the organisation's escalation policies", body: PolicySetReplace } },
      async (request) => {
        checkPolicies(request.body);
        await setOrganisationPolicies(s.db, request.principal.organisationId, request.body);
        await audit(s.db, request, "policy.update", "organisation", request.principal.organisationId, { policies: request.body });
        return { ...effectivePolicies(request.body, null), defaults: DEFAULT_POLICIES, customised: true };
      });

    app.delete("/escalation-policy", { schema: { tags: ["escalation"], summary: "Return the organisation to the built-in policies" } },
      async (request) => {
        await setOrganisationPolicies(s.db, request.principal.organisationId, null);
        await audit(s.db, request, "policy.delete", "organisation", request.principal.organisationId);
        return { ...DEFAULT_POLICIES, defaults: DEFAULT_POLICIES, customised: false };
      });

    const preview = async (organisationId: string, input: PreviewInput) => {
      const result = await previewPolicies(s.db, organisationId, input, s.clock.now());
      if (!result) throw notFound("team");
      return previewView(result);
    };

    app.get("/escalation-policy/preview", {
      schema: { tags: ["escalation"], summary: "The timeline the saved policies produce for a silent sample member on each channel", querystring: PolicyPreviewQuery },
    }, async (request) => preview(request.principal.organisationId, request.query));

    app.post("/escalation-policy/preview", {
      schema: {
        tags: ["escalation"], summary: "The timeline unsaved policies would produce for a silent sample member on each channel (nothing is saved)",
        body: PolicyPreviewInput,
      },
    }, async (request) => {
      if (request.body.policies) checkPolicies(request.body.policies);
      return preview(request.principal.organisationId, request.body);
    });

    app.get("/teams/:id/escalation-policy", { schema: { tags: ["escalation"], summary: "The policies a team's members follow", params: IdParams } },
      async (request) => {
        const row = await team(request.principal.organisationId, request.params.id);
        const own = await organisationPolicies(s.db, request.principal.organisationId);
        return {
          ...effectivePolicies(own, row.escalation_policies as Partial<PolicySet> | null),
          teamOverride: row.escalation_policies,
        };
      });

    app.put("/teams/:id/escalation-policy", { schema: { tags: ["escalation"], summary: "Override the policies for one team", params: IdParams, body: PolicySetReplace } },
      async (request) => {
        await team(request.principal.organisationId, request.params.id);
        checkPolicies(request.body);
        if (!(await setTeamPolicies(s.db, request.principal.organisationId, request.params.id, request.body))) throw notFound("team");
        await audit(s.db, request, "policy.update", "team", request.params.id, { policies: request.body });
        return { teamOverride: request.body };
      });

    app.delete("/teams/:id/escalation-policy", { schema: { tags: ["escalation"], summary: "Drop a team's override", params: IdParams } },
      async (request, reply) => {
        if (!(await setTeamPolicies(s.db, request.principal.organisationId, request.params.id, null))) throw notFound("team");
        await audit(s.db, request, "policy.delete", "team", request.params.id);
        return reply.code(204).send();
      });
  };
}
