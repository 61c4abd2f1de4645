/**
 * Groups (つながり): members who confirm each other. A LINE group the bot was
 * added to has a status (active / awaiting_approval / left), its own plan and
 * rounds; staff approve waiting groups and read each round's confirmations.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Plan } from "../../domain/schedule.ts";
import { approveGroup, setGroupPlanIn } from "../../engine/groups.ts";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import type { ChannelAddress } from "../../store/schema.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { GroupInput, GroupPatch, IdParams, Limit } from "../schemas.ts";
import type { Services } from "../services.ts";
import { planView } from "../views.ts";

const tags = ["groups"];
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const RoundsQuery = z.strictObject({ limit: Limit(100, 10) });

async function groupView(db: Db, organisationId: string, id: string) {
  const g = await db.selectFrom("groups").selectAll().where("id", "=", id).where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!g) throw notFound("group");
  const members = await db.selectFrom("group_members").select("member_id").where("group_id", "=", id).execute();
  return {
    id: g.id, name: g.name, teamId: g.team_id, channels: g.channels as ChannelAddress[],
    memberIds: members.map((m) => m.member_id), createdAt: g.created_at.toISOString(),
    lineGroupId: g.line_group_id, status: g.status, plan: g.plan ? planView(g.plan as Plan) : null,
    nextDueAt: iso(g.next_due_at), leftAt: iso(g.left_at),
  };
}

/** The latest rounds of a group, each with every person's confirmation state. */
async function roundsView(db: Db, organisationId: string, groupId: string, limit: number) {
  const g = await db.selectFrom("groups").select("id").where("id", "=", groupId).where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!g) throw notFound("group");
  const rounds = await db.selectFrom("group_checkins").selectAll().where("group_id", "=", groupId).orderBy("due_at", "desc").limit(limit).execute();
  const [confirmations, participants] = await Promise.all([
    rounds.length
      ? db.selectFrom("group_confirmations").selectAll().where("group_checkin_id", "in", rounds.map((r) => r.id)).orderBy("confirmed_at").execute()
      : [],
    db.selectFrom("group_participants").select(["user_id", "display_name"]).where("group_id", "=", groupId)
      .orderBy("first_seen_at").orderBy("user_id").execute(),
  ]);
  const userIds = [...new Set([...participants.map((p) => p.user_id), ...confirmations.map((c) => c.user_id)])];
  const memberOf = new Map(userIds.length
    ? (await db.selectFrom("line_users").select(["user_id", "member_id"]).where("organisation_id", "=", organisationId)
      .where("user_id", "in", userIds).where("member_id", "is not", null).execute()).map((u) => [u.user_id, u.member_id])
    : []);
  return {
    rounds: rounds.map((r) => {
      const mine = new Map(confirmations.filter((c) => c.group_checkin_id === r.id).map((c) => [c.user_id, c]));
      const people = [
        ...participants.map((p) => ({ userId: p.user_id, name: p.display_name ?? mine.get(p.user_id)?.display_name ?? null })),
        ...[...mine.values()].filter((c) => !participants.some((p) => p.user_id === c.user_id)).map((c) => ({ userId: c.user_id, name: c.display_name })),
      ].map(({ userId, name }) => {
        const c = mine.get(userId);
        return {
          userId, displayName: name, memberId: memberOf.get(userId) ?? null, confirmed: !!c, confirmedAt: iso(c?.confirmed_at),
          confirmedBy: c && c.by_user_id !== userId ? { userId: c.by_user_id, displayName: c.by_display_name } : null,
          answerId: c?.answer_id ?? null,
        };
      });
      return {
        id: r.id, dueAt: iso(r.due_at), promptedAt: iso(r.prompted_at), listAt: iso(r.list_at), listedAt: iso(r.listed_at),
        listed: (r.unconfirmed as { userId: string; name: string }[] | null)?.map((p) => ({ userId: p.userId, displayName: p.name })) ?? null,
        confirmedCount: mine.size, people,
      };
    }),
  };
}

async function setMembers(tx: Db, organisationId: string, groupId: string, memberIds: string[]) {
  const unique = [...new Set(memberIds)];
  if (unique.length) {
    const found = await tx.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "in", unique).execute();
    if (found.length !== unique.length) throw new ApiError(422, "unknown_reference", "no such member in this organisation", "memberIds");
  }
  await tx.deleteFrom("group_members").where("group_id", "=", groupId).execute();
  if (unique.length) await tx.insertInto("group_members").values(unique.map((m) => ({ group_id: groupId, member_id: m, organisation_id: organisationId }))).execute();
}

export function groupRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/groups", { schema: { tags, summary: "List groups" } }, async (request) => {
      const rows = await s.db.selectFrom("groups").select("id").where("organisation_id", "=", request.principal.organisationId).orderBy("created_at").execute();
      return { groups: await Promise.all(rows.map((r) => groupView(s.db, request.principal.organisationId, r.id))) };
    });

    app.post("/groups", { schema: { tags, summary: "Create a group of 2–500 members", body: GroupInput } }, async (request, reply) => {
      const { organisationId } = request.principal;
      const id = newId();
      await inTransaction(s.db, async (tx) => {
        if (request.body.teamId) {
          const t = await tx.selectFrom("teams").select("id").where("id", "=", request.body.teamId).where("organisation_id", "=", organisationId).executeTakeFirst();
          if (!t) throw new ApiError(422, "unknown_reference", "no such team in this organisation", "teamId");
        }
        await tx.insertInto("groups").values({
          id, organisation_id: organisationId, team_id: request.body.teamId ?? null, name: request.body.name,
          channels: JSON.stringify(request.body.channels), created_at: s.clock.now(),
        }).execute();
        await setMembers(tx, organisationId, id, request.body.memberIds);
      });
      await audit(s.db, request, "group.create", "group", id);
      return reply.code(201).send(await groupView(s.db, organisationId, id));
    });

    app.get("/groups/:id", { schema: { tags, summary: "A group and its members", params: IdParams } }, async (request) =>
      groupView(s.db, request.principal.organisationId, request.params.id));

    app.patch("/groups/:id", { schema: { tags, summary: "Rename a group, replace its members or change its plan", params: IdParams, body: GroupPatch } },
      async (request) => {
        const { organisationId } = request.principal;
        await inTransaction(s.db, async (tx) => {
          const g = await tx.selectFrom("groups").select(["id", "status", "line_group_id"]).where("id", "=", request.params.id)
            .where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
          if (!g) throw notFound("group");
          if (request.body.plan) await setGroupPlanIn(tx, g, request.body.plan, s.clock.now());
          const changes: Record<string, unknown> = {};
          if (request.body.name !== undefined) changes.name = request.body.name;
          if (request.body.channels !== undefined) changes.channels = JSON.stringify(request.body.channels);
          if (Object.keys(changes).length) await tx.updateTable("groups").set(changes).where("id", "=", g.id).execute();
          if (request.body.memberIds) await setMembers(tx, organisationId, g.id, request.body.memberIds);
        });
        await audit(s.db, request, "group.update", "group", request.params.id);
        return groupView(s.db, organisationId, request.params.id);
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
      return groupView(s.db, organisationId, request.params.id);
    });

    app.get("/groups/:id/rounds", {
      schema: { tags, summary: "The latest rounds of a group, with each person's confirmation", params: IdParams, querystring: RoundsQuery },
    }, async (request) => roundsView(s.db, request.principal.organisationId, request.params.id, request.query.limit));

    app.delete("/groups/:id", { schema: { tags, summary: "Delete a group (its members stay)", params: IdParams } }, async (request, reply) => {
      const deleted = await s.db.deleteFrom("groups").where("id", "=", request.params.id)
        .where("organisation_id", "=", request.principal.organisationId).executeTakeFirst();
      if (!deleted.numDeletedRows) throw notFound("group");
      await audit(s.db, request, "group.delete", "group", request.params.id);
      return reply.code(204).send();
    });
  };
}
