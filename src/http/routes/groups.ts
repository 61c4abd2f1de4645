/** Groups (つながり): members who confirm each other. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import type { ChannelAddress } from "../../store/schema.ts";
import { audit } from "../audit.ts";
import { requireRole } from "../auth.ts";
import { ApiError, notFound } from "../errors.ts";
import { GroupInput, GroupPatch, IdParams } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["groups"];

async function groupView(db: Db, organisationId: string, id: string) {
  const g = await db.selectFrom("groups").selectAll().where("id", "=", id).where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!g) throw notFound("group");
  const members = await db.selectFrom("group_members").select("member_id").where("group_id", "=", id).execute();
  return {
    id: g.id, name: g.name, teamId: g.team_id, channels: g.channels as ChannelAddress[],
    memberIds: members.map((m) => m.member_id), createdAt: g.created_at.toISOString(),
  };
}

async function setMembers(tx: Db, organisationId: string, groupId: string, memberIds: string[]) {
  const unique = [...new Set(memberIds)];
  if (unique.length) {
    const found = await tx.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "in", unique).execute();
    if (found.length !== unique.length) throw new ApiError(422, "unknown_reference", "no such member in this organisation", "memberIds");
  }
  await tx.deleteFrom("group_members").where("group_id", "=", groupId).execute();
  if (unique.length) await tx.insertInto("group_members").values(unique.map((m) => ({ group_id: groupId, member_id: m }))).execute();
}

export function groupRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/groups", { schema: { tags, summary: "List groups" } }, async (request) => {
      const rows = await s.db.selectFrom("groups").select("id").where("organisation_id", "=", request.principal.organisationId).orderBy("created_at").execute();
      return { groups: await Promise.all(rows.map((r) => groupView(s.db, request.principal.organisationId, r.id))) };
    });

    app.post("/groups", { schema: { tags, summary: "Create a group of 2–500 members", body: GroupInput } }, async (request, reply) => {
      requireRole(request, "staff");
      const { organisationId } = request.principal;
      const id = newId();
      await inTransaction(s.db, async (tx) => {
        if (request.body.teamId) {
          const t = await tx.selectFrom("teams").select("id").where("id", "=", request.body.teamId).where("organisation_id", "=", organisationId).executeTakeFirst();
          if (!t) throw new ApiError(422, "unknown_reference", "no such team in this organisation", "teamId");
        }
        await tx.insertInto("groups").values({
          id, organisation_id: organisationId, team_id: request.body.teamId ?? null, name: request.body.name,
          channels: JSON.stringify(request.body.channels), created_at: new Date(),
        }).execute();
        await setMembers(tx, organisationId, id, request.body.memberIds);
      });
      await audit(s.db, request, "group.create", "group", id);
      return reply.code(201).send(await groupView(s.db, organisationId, id));
    });

    app.get("/groups/:id", { schema: { tags, summary: "A group and its members", params: IdParams } }, async (request) =>
      groupView(s.db, request.principal.organisationId, request.params.id));

    app.patch("/groups/:id", { schema: { tags, summary: "Rename a group or replace its members", params: IdParams, body: GroupPatch } },
      async (request) => {
        requireRole(request, "staff");
        const { organisationId } = request.principal;
        await inTransaction(s.db, async (tx) => {
          const g = await tx.selectFrom("groups").select("id").where("id", "=", request.params.id).where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
          if (!g) throw notFound("group");
          const changes: Record<string, unknown> = {};
          if (request.body.name !== undefined) changes.name = request.body.name;
          if (request.body.channels !== undefined) changes.channels = JSON.stringify(request.body.channels);
          if (Object.keys(changes).length) await tx.updateTable("groups").set(changes).where("id", "=", g.id).execute();
          if (request.body.memberIds) await setMembers(tx, organisationId, g.id, request.body.memberIds);
        });
        await audit(s.db, request, "group.update", "group", request.params.id);
        return groupView(s.db, organisationId, request.params.id);
      });

    app.delete("/groups/:id", { schema: { tags, summary: "Delete a group (its members stay)", params: IdParams } }, async (request, reply) => {
      requireRole(request, "staff");
      const deleted = await s.db.deleteFrom("groups").where("id", "=", request.params.id)
        .where("organisation_id", "=", request.principal.organisationId).executeTakeFirst();
      if (!deleted.numDeletedRows) throw notFound("group");
      await audit(s.db, request, "group.delete", "group", request.params.id);
      return reply.code(204).send();
    });
  };
}
