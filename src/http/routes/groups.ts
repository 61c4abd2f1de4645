/**
 * Groups (つながり): members who confirm each other. A LINE group the bot was
 * added to has a status (active / awaiting_approval / left), its own plan and
 * rounds; staff approve waiting groups and read each round's confirmations.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  approveGroup, createGroup, deleteGroup, type GroupDetail, getGroup, groupMembers, groupRounds, listGroups, RoundsNeedLineGroup, type RoundView,
  updateGroup,
} from "../../engine/groups.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { GroupInput, GroupPatch, IdParams, Limit } from "../schemas.ts";
import type { Services } from "../services.ts";
import { planView } from "../views.ts";

const tags = ["groups"];
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const RoundsQuery = z.strictObject({ limit: Limit(100, 10) });

const groupView = (g: GroupDetail) => ({
  id: g.id, name: g.name, teamId: g.team_id, channels: g.channels,
  memberIds: g.memberIds, createdAt: g.created_at.toISOString(),
  lineGroupId: g.line_group_id, status: g.status, plan: g.plan ? planView(g.plan) : null,
  nextDueAt: iso(g.next_due_at), leftAt: iso(g.left_at),
});

const roundView = (r: RoundView) => ({
  id: r.id, dueAt: iso(r.dueAt), promptedAt: iso(r.promptedAt), listAt: iso(r.listAt), listedAt: iso(r.listedAt), listed: r.listed,
  confirmedCount: r.confirmedCount,
  people: r.people.map((p) => ({ ...p, confirmedAt: iso(p.confirmedAt) })),
});

export function groupRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    /** A group with its members' names and teams (the list shows their ids only). */
    const one = async (organisationId: string, id: string) => {
      const group = await getGroup(s.db, organisationId, id);
      if (!group) throw notFound("group");
      return { ...groupView(group), members: await groupMembers(s.db, organisationId, id) };
    };

    app.get("/groups", { schema: { tags, summary: "List groups" } }, async (request) => {
      return { groups: (await listGroups(s.db, request.principal.organisationId)).map(groupView) };
    });

    app.post("/groups", { schema: { tags, summary: "Create a group of 2–500 members", body: GroupInput } }, async (request, reply) => {
      const { organisationId } = request.principal;
      const id = await createGroup(s.db, organisationId, request.body, s.clock.now());
      await audit(s.db, request, "group.create", "group", id);
      return reply.code(201).send(await one(organisationId, id));
    });

    app.get("/groups/:id", { schema: { tags, summary: "A group and its members", params: IdParams } }, async (request) =>
      one(request.principal.organisationId, request.params.id));

    app.patch("/groups/:id", { schema: { tags, summary: "Rename a group, replace its members or change a LINE group's plan (a plan for any other group is refused: rounds_need_line_group)", params: IdParams, body: GroupPatch } },
      async (request) => {
        const { organisationId } = request.principal;
        let found: boolean;
        try {
          found = await updateGroup(s.db, organisationId, request.params.id, request.body, s.clock.now());
        } catch (error) {
          if (error instanceof RoundsNeedLineGroup) throw new ApiError(422, "rounds_need_line_group", error.message, "plan");
          throw error;
        }
        if (!found) throw notFound("group");
        await audit(s.db, request, "group.update", "group", request.params.id);
        return one(organisationId, request.params.id);
      });

    app.post("/groups/:id/approve", {
      schema: { tags, summary: "Approve a LINE group that waits for approval: its rounds start at its plan's next slot", params: IdParams },
    }, async (request) => {
      const { organisationId } = request.principal;
      const result = await approveGroup(s.db, organisationId, request.params.id, s.clock.now());
      if (!result.ok) {
        if (result.error === "not_found") throw notFound("group");
        throw new ApiError(409, "not_awaiting_approval", "the group is not awaiting approval");
      }
      await audit(s.db, request, "group.approve", "group", request.params.id);
      s.engine.nudge();
      return one(organisationId, request.params.id);
    });

    app.get("/groups/:id/rounds", {
      schema: { tags, summary: "The latest rounds of a group, with each person's confirmation", params: IdParams, querystring: RoundsQuery },
    }, async (request) => {
      const rounds = await groupRounds(s.db, request.principal.organisationId, request.params.id, request.query.limit);
      if (!rounds) throw notFound("group");
      return { rounds: rounds.map(roundView) };
    });

    app.delete("/groups/:id", { schema: { tags, summary: "Delete a group (its members stay)", params: IdParams } }, async (request, reply) => {
      if (!(await deleteGroup(s.db, request.principal.organisationId, request.params.id))) throw notFound("group");
      await audit(s.db, request, "group.delete", "group", request.params.id);
      return reply.code(204).send();
    });
  };
}
