/** A note on an incident's timeline (対応メモ): validate → engine → the incident as GET /incidents/:id shows it. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { addIncidentNote } from "../../engine/incident-notes.ts";
import { audit } from "../audit.ts";
import { notFound } from "../errors.ts";
import { IdParams, NoteInput } from "../schemas.ts";
import type { Services } from "../services.ts";
import { oneIncident } from "./incidents.ts";

export function incidentNoteRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post("/incidents/:id/notes", {
      schema: { tags: ["incidents"], summary: "Add a note to the incident's timeline (who, when, what)", params: IdParams, body: NoteInput },
    }, async (request, reply) => {
      const { organisationId, tokenName } = request.principal;
      if (!(await addIncidentNote(s.db, organisationId, request.params.id, request.body.note, tokenName, s.clock.now()))) throw notFound("incident");
      await audit(s.db, request, "incident.note", "incident", request.params.id);
      return reply.code(201).send(await oneIncident(s, request, request.params.id));
    });
  };
}
