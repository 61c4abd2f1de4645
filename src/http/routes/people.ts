/**
 * People (admin): invite, list, change role, teams or activity, a new
 * invitation, sign someone out everywhere. Validate → engine → shape.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import {
  getPerson, type Invitation, type InvitationDelivery, invitePerson, listPeople, type PeopleError, reinvite, updatePerson,
} from "../../engine/people.ts";
import { endSessions } from "../../engine/sessions.ts";
import { audit } from "../audit.ts";
import { actorOf } from "../auth.ts";
import { ApiError, notFound } from "../errors.ts";
import { IdParams, PersonCreate, PersonPatch, ReinviteInput } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["people"];

function refusal(error: PeopleError): ApiError {
  switch (error.code) {
    case "not_found":
      return notFound("person");
    case "login_taken":
      return new ApiError(409, "login_taken", error.message, error.field);
    case "last_admin":
      return new ApiError(409, "last_admin", error.message, error.field);
    case "unknown_reference":
      return new ApiError(422, "unknown_reference", error.message, error.field, [{ field: error.field, code: "unknown_reference", message: error.message }]);
    case "email_required":
      return new ApiError(400, "invalid_request", error.message, error.field, [{ field: error.field, code: "required", message: error.message }]);
  }
}

export function peopleRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const { wallClock } = s;
    /** Where an invitation is opened: the console's page, the code in the fragment so no server log keeps it. */
    const link = (code: string) => `${s.publicUrl()}/invite#${code}`;

    app.get("/people", { schema: { tags, summary: "The organisation's people: name, login id, role, teams, status" } }, async (request) =>
      ({ people: await listPeople(s.db, request.principal.organisationId, wallClock.now()) }));

    app.get("/people/:id", { schema: { tags, summary: "A person", params: IdParams } }, async (request) => {
      const person = await getPerson(s.db, request.principal.organisationId, request.params.id, wallClock.now());
      if (!person) throw notFound("person");
      return person;
    });

    /** What the admin is shown: the link (once) when it is theirs to hand over; only where it went when it was e-mailed. */
    const shown = (invitation: Invitation) => invitation.sentTo
      ? { expiresAt: invitation.expiresAt, sentTo: invitation.sentTo, code: null, url: null }
      : { expiresAt: invitation.expiresAt, sentTo: null, code: invitation.code, url: link(invitation.code) };
    const deliveryOf = (by: "link" | "email", email?: string): InvitationDelivery =>
      by === "email" ? { by, ...(email ? { email } : {}), url: link, queuedAt: s.clock.now() } : { by: "link" };

    app.post("/people", {
      schema: { tags, summary: "Invite a person: the invitation link is shown once to hand over, or e-mailed to them", body: PersonCreate },
    }, async (request, reply) => {
      const { delivery, ...input } = request.body;
      const result = await invitePerson(s.db, s.secrets, request.principal.organisationId, input, actorOf(request.principal), wallClock.now(),
        deliveryOf(delivery));
      if (!result.ok) throw refusal(result.error);
      await audit(s.db, request, "person.invite", "person", result.person.id, { role: result.person.role, loginId: result.person.loginId, delivery });
      return reply.code(201).send({ person: result.person, invitation: shown(result.invitation) });
    });

    app.patch("/people/:id", {
      schema: { tags, summary: "Change a person's name, role, teams, or deactivate them", params: IdParams, body: PersonPatch },
    }, async (request) => {
      const result = await updatePerson(s.db, request.principal.organisationId, request.params.id, request.body, wallClock.now());
      if (!result.ok) throw refusal(result.error);
      await audit(s.db, request, "person.update", "person", request.params.id, { fields: Object.keys(request.body) });
      return result.person;
    });

    app.post("/people/:id/invitation", {
      schema: {
        tags, summary: "A new invitation (forgotten password, new phone): ends the earlier ones; accepting it replaces every credential",
        params: IdParams, body: ReinviteInput,
      },
    }, async (request, reply) => {
      const delivery = request.body?.delivery ?? "link";
      const result = await reinvite(s.db, s.secrets, request.principal.organisationId, request.params.id, wallClock.now(),
        deliveryOf(delivery, request.body?.email));
      if (!result.ok) throw refusal(result.error);
      await audit(s.db, request, "person.reinvite", "person", request.params.id, { delivery });
      return reply.code(201).send(shown(result.invitation));
    });

    app.delete("/people/:id/sessions", { schema: { tags, summary: "Sign a person out everywhere", params: IdParams } }, async (request) => {
      const { organisationId } = request.principal;
      if (!(await getPerson(s.db, organisationId, request.params.id, wallClock.now()))) throw notFound("person");
      const ended = await endSessions(s.db, organisationId, request.params.id, wallClock.now());
      await audit(s.db, request, "person.sign_out_everywhere", "person", request.params.id, { ended });
      return { ended };
    });
  };
}
