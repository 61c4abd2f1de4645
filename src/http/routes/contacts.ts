/** Contacts: the ordered people told when a member does not answer. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import {
  addContact, inviteContact, listContacts, listOrganisationContacts, removeContact, requestConfirmation, updateContact,
} from "../../engine/contacts.ts";
import { audit } from "../audit.ts";
import { ApiError, notFound } from "../errors.ts";
import { teamScope } from "../team-scope.ts";
import { ContactInput, ContactPatch, IdParams, Limit } from "../schemas.ts";
import type { Services } from "../services.ts";
import { contactView } from "../views.ts";

const tags = ["contacts"];

export function contactRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/members/:id/contacts", { schema: { tags, summary: "A member's contacts, in order", params: IdParams } }, async (request) => {
      const rows = await listContacts(s.db, request.principal.organisationId, request.params.id);
      if (!rows) throw notFound("member");
      await audit(s.db, request, "contact.list", "member", request.params.id);
      return { contacts: rows.map(contactView) };
    });

    app.get("/contacts", {
      schema: {
        tags, summary: "Contacts across the organisation; confirmed=false lists those who have not confirmed their role yet",
        querystring: z.strictObject({ confirmed: z.enum(["true", "false"]).optional(), limit: Limit(1000, 200) }),
      },
    }, async (request) => {
      const { confirmed, limit } = request.query;
      const teamIds = teamScope(request.principal);
      const rows = await listOrganisationContacts(s.db, request.principal.organisationId,
        { limit, ...(confirmed ? { confirmed: confirmed === "true" } : {}), ...(teamIds ? { teamIds } : {}) });
      await audit(s.db, request, "contact.list", "organisation", request.principal.organisationId, { confirmed: request.query.confirmed ?? null });
      return { contacts: rows.map((r) => ({ ...contactView(r), memberId: r.member_id, memberName: r.member_name })) };
    });

    app.post("/members/:id/contacts", { schema: { tags, summary: "Add a contact at the end of the list", params: IdParams, body: ContactInput } },
      async (request, reply) => {
        const row = await addContact(s.db, request.principal.organisationId, request.params.id, request.body, s.clock.now());
        if (!row) throw notFound("member");
        // The confirmation request is queued: the sending loop need not wait out its pause.
        s.engine.nudge();
        await audit(s.db, request, "contact.create", "contact", row.id);
        return reply.code(201).send(contactView(row));
      });

    app.patch("/contacts/:id", { schema: { tags, summary: "Change a contact, move it in the order, or mark it confirmed", params: IdParams, body: ContactPatch } },
      async (request) => {
        const b = request.body;
        const row = await updateContact(s.db, request.principal.organisationId, request.params.id, b, s.clock.now());
        if (!row) throw notFound("contact");
        await audit(s.db, request, "contact.update", "contact", row.id, { fields: Object.keys(b) });
        return contactView(row);
      });

    app.post("/contacts/:id/invitation", {
      schema: { tags, summary: "A one-time code the contact sends to the LINE account to confirm they take this role", params: IdParams },
    }, async (request, reply) => {
      const invitation = await inviteContact(s.db, request.principal.organisationId, request.params.id, s.clock.now());
      if (!invitation) throw notFound("contact");
      const { contactId, code, expiresAt } = invitation;
      await audit(s.db, request, "contact.invite", "contact", contactId);
      return reply.code(201).send({ code, expiresAt: expiresAt.toISOString() });
    });

    app.post("/contacts/:id/confirmation-request", {
      schema: { tags, summary: "Ask the contact again to confirm the role (a call, or an SMS or e-mail with a link)", params: IdParams },
    }, async (request, reply) => {
      const outcome = await requestConfirmation(s.db, request.principal.organisationId, request.params.id, s.clock.now());
      if (outcome === "not_found") throw notFound("contact");
      if (outcome === "already_confirmed") throw new ApiError(409, "already_confirmed", "the contact has already confirmed", "id");
      if (outcome === "no_confirm_channel") {
        throw new ApiError(400, "invalid_request", "the contact's first channel must be voice, sms or email", "channels");
      }
      s.engine.nudge();
      await audit(s.db, request, "contact.confirmation_request", "contact", request.params.id);
      return reply.code(202).send({ requested: true });
    });

    app.delete("/contacts/:id", { schema: { tags, summary: "Remove a contact", params: IdParams } }, async (request, reply) => {
      if (!(await removeContact(s.db, request.principal.organisationId, request.params.id, s.clock.now()))) throw notFound("contact");
      await audit(s.db, request, "contact.delete", "contact", request.params.id);
      return reply.code(204).send();
    });
  };
}
