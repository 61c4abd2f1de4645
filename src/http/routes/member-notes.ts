/** Notes on a member (申し送り): validate → engine → the note as the list shows it. */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { addMemberNote, listMemberNotes, type MemberNote } from "../../engine/member-notes.ts";
import { actorOf } from "../auth.ts";
import { audit } from "../audit.ts";
import { notFound } from "../errors.ts";
import { IdParams, Limit, NoteInput } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["members"];
const view = (n: MemberNote) => ({ id: n.id, note: n.note, createdBy: n.createdBy, createdAt: n.createdAt.toISOString() });

export function memberNoteRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/members/:id/notes", {
      schema: { tags, summary: "Notes on a member (申し送り), newest first", params: IdParams, querystring: z.strictObject({ limit: Limit(500, 100) }) },
    }, async (request) => {
      const notes = await listMemberNotes(s.db, request.principal.organisationId, request.params.id, request.query.limit);
      if (!notes) throw notFound("member");
      return { notes: notes.map(view) };
    });

    app.post("/members/:id/notes", {
      schema: { tags, summary: "Add a note on a member for whoever comes next (申し送り)", params: IdParams, body: NoteInput },
    }, async (request, reply) => {
      const note = await addMemberNote(s.db, request.principal.organisationId, request.params.id, request.body.note, actorOf(request.principal), s.clock.now());
      if (!note) throw notFound("member");
      await audit(s.db, request, "member.note", "member", request.params.id);
      return reply.code(201).send(view(note));
    });
  };
}
