/** Contacts: the ordered people told when a member does not answer. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { sql } from "kysely";
import { z } from "zod";
import { inviteContact } from "../../channels/line-events.ts";
import { MESSAGE_KINDS } from "../../domain/messages.ts";
import { cancelQueued } from "../../engine/causes.ts";
import { askContactsToConfirm, contactRows } from "../../engine/members.ts";
import { inTransaction } from "../../store/db.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { ContactInput, ContactPatch, IdParams, Limit } from "../schemas.ts";
import type { Services } from "../services.ts";
import { contactView } from "../views.ts";

const tags = ["contacts"];

export function contactRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const memberOf = async (organisationId: string, memberId: string) => {
      const member = await s.db.selectFrom("members").select("id").where("id", "=", memberId)
        .where("organisation_id", "=", organisationId).executeTakeFirst();
      if (!member) throw notFound("member");
    };

    app.get("/members/:id/contacts", { schema: { tags, summary: "A member's contacts, in order", params: IdParams } }, async (request) => {
      await memberOf(request.principal.organisationId, request.params.id);
      const rows = await s.db.selectFrom("contacts").selectAll().where("member_id", "=", request.params.id).orderBy("position").execute();
      await audit(s.db, request, "contact.list", "member", request.params.id);
      return { contacts: rows.map(contactView) };
    });

    app.get("/contacts", {
      schema: {
        tags, summary: "Contacts across the organisation; confirmed=false lists those who have not confirmed their role yet",
        querystring: z.strictObject({ confirmed: z.enum(["true", "false"]).optional(), limit: Limit(1000, 200) }),
      },
    }, async (request) => {
      let q = s.db.selectFrom("contacts").innerJoin("members", "members.id", "contacts.member_id")
        .selectAll("contacts").select(["members.display_name as member_name"])
        .where("contacts.organisation_id", "=", request.principal.organisationId)
        .orderBy("contacts.created_at").orderBy("contacts.id").limit(request.query.limit);
      if (request.query.confirmed) q = q.where("contacts.confirmed_at", request.query.confirmed === "true" ? "is not" : "is", null);
      const rows = await q.execute();
      await audit(s.db, request, "contact.list", "organisation", request.principal.organisationId, { confirmed: request.query.confirmed ?? null });
      return { contacts: rows.map((r) => ({ ...contactView(r), memberId: r.member_id, memberName: r.member_name })) };
    });

    app.post("/members/:id/contacts", { schema: { tags, summary: "Add a contact at the end of the list", params: IdParams, body: ContactInput } },
      async (request, reply) => {
        const { organisationId } = request.principal;
        const row = await inTransaction(s.db, async (tx) => {
          const member = await tx.selectFrom("members").select(["id", "display_name"]).where("id", "=", request.params.id)
            .where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
          if (!member) throw notFound("member");
          const last = await tx.selectFrom("contacts").select(sql<number>`coalesce(max(position), 0)`.as("max"))
            .where("member_id", "=", request.params.id).executeTakeFirstOrThrow();
          const now = s.clock.now();
          const [contact] = contactRows(organisationId, request.params.id, [request.body], now, Number(last.max) + 1);
          await tx.insertInto("contacts").values(contact).execute();
          await askContactsToConfirm(tx, organisationId, [contact], new Map([[member.id, member.display_name]]), now);
          return tx.selectFrom("contacts").selectAll().where("id", "=", contact.id).executeTakeFirstOrThrow();
        });
        // The confirmation request is queued: the sending loop need not wait out its pause.
        s.engine.nudge();
        await audit(s.db, request, "contact.create", "contact", row.id);
        return reply.code(201).send(contactView(row));
      });

    app.patch("/contacts/:id", { schema: { tags, summary: "Change a contact, move it in the order, or mark it confirmed", params: IdParams, body: ContactPatch } },
      async (request) => {
        const { organisationId } = request.principal;
        const b = request.body;
        const row = await inTransaction(s.db, async (tx) => {
          const contact = await tx.selectFrom("contacts").select(["id", "member_id", "position"]).where("id", "=", request.params.id)
            .where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
          if (!contact) throw notFound("contact");
          const changes: Record<string, unknown> = {};
          if (b.displayName !== undefined) changes.display_name = b.displayName;
          if (b.relation !== undefined) changes.relation = b.relation;
          if (b.channels !== undefined) changes.channels = JSON.stringify(b.channels);
          if (b.confirmed !== undefined) changes.confirmed_at = b.confirmed ? s.clock.now() : null;
          if (b.position !== undefined && b.position !== contact.position) {
            const ids = (await tx.selectFrom("contacts").select("id").where("member_id", "=", contact.member_id)
              .orderBy("position").forUpdate().execute()).map((c) => c.id).filter((id) => id !== contact.id);
            ids.splice(Math.min(b.position - 1, ids.length), 0, contact.id);
            for (const [i, id] of ids.entries()) await tx.updateTable("contacts").set({ position: i + 1 }).where("id", "=", id).execute();
          }
          if (Object.keys(changes).length) await tx.updateTable("contacts").set(changes).where("id", "=", contact.id).execute();
          return tx.selectFrom("contacts").selectAll().where("id", "=", contact.id).executeTakeFirstOrThrow();
        });
        await audit(s.db, request, "contact.update", "contact", row.id, { fields: Object.keys(b) });
        return contactView(row);
      });

    app.post("/contacts/:id/invitation", {
      schema: { tags, summary: "A one-time code the contact sends to the LINE account to confirm they take this role", params: IdParams },
    }, async (request, reply) => {
      const contact = await s.db.selectFrom("contacts").select("id").where("id", "=", request.params.id)
        .where("organisation_id", "=", request.principal.organisationId).executeTakeFirst();
      if (!contact) throw notFound("contact");
      const { code, expiresAt } = await inviteContact(s.db, request.principal.organisationId, contact.id, s.clock.now());
      await audit(s.db, request, "contact.invite", "contact", contact.id);
      return reply.code(201).send({ code, expiresAt: expiresAt.toISOString() });
    });

    app.post("/contacts/:id/confirmation-request", {
      schema: { tags, summary: "Ask the contact again to confirm the role (a call, or an SMS or e-mail with a link)", params: IdParams },
    }, async (request, reply) => {
      const { organisationId } = request.principal;
      const contact = await s.db.selectFrom("contacts").innerJoin("members", "members.id", "contacts.member_id")
        .selectAll("contacts").select("members.display_name as member_name")
        .where("contacts.id", "=", request.params.id).where("contacts.organisation_id", "=", organisationId).executeTakeFirst();
      if (!contact) throw notFound("contact");
      if (contact.confirmed_at) throw new ApiError(409, "already_confirmed", "the contact has already confirmed", "id");
      const { member_name: memberName, ...row } = contact;
      const now = s.clock.now();
      // Keyed by the (virtual) minute: a double click asks once, a later request asks again.
      const asked = await inTransaction(s.db, (tx) => askContactsToConfirm(tx, organisationId,
        [{ ...row, channels: JSON.stringify(row.channels) }], new Map([[row.member_id, memberName]]), now, `:${Math.floor(now.getTime() / 60_000)}`));
      if (!asked) throw new ApiError(400, "invalid_request", "the contact's first channel must be voice, sms or email", "channels");
      s.engine.nudge();
      await audit(s.db, request, "contact.confirmation_request", "contact", contact.id);
      return reply.code(202).send({ requested: true });
    });

    app.delete("/contacts/:id", { schema: { tags, summary: "Remove a contact", params: IdParams } }, async (request, reply) => {
      await inTransaction(s.db, async (tx) => {
        const contact = await tx.selectFrom("contacts").select(["member_id"]).where("id", "=", request.params.id)
          .where("organisation_id", "=", request.principal.organisationId).forUpdate().executeTakeFirst();
        if (!contact) throw notFound("contact");
        await tx.deleteFrom("contacts").where("id", "=", request.params.id).execute();
        await cancelQueued(tx, { recipient: { kind: "contact", id: request.params.id }, kinds: [...MESSAGE_KINDS] }, "recipient_gone",
          s.clock.now());
        const rest = await tx.selectFrom("contacts").select("id").where("member_id", "=", contact.member_id).orderBy("position").execute();
        for (const [i, c] of rest.entries()) await tx.updateTable("contacts").set({ position: i + 1 }).where("id", "=", c.id).execute();
      });
      await audit(s.db, request, "contact.delete", "contact", request.params.id);
      return reply.code(204).send();
    });
  };
}
