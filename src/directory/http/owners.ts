/**
 * What staff own and hand over (engine/owners.ts, engine/handover.ts), under
 * /api/v1/directory: the records a staff member owns with their next contact
 * dates (the handover screen shows them before the one action that moves them),
 * the caller's own records whose next contact date has come ("my next
 * contacts"), and the organisation's past handovers (from the audit log the
 * handover route writes). Staff only: volunteers' names are personal
 * (`displayName`, redacted and audited by name as everywhere, privacy.ts).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DEFAULT_TIME_ZONE, localDateOf } from "../../domain/schedule.ts";
import { notFound } from "../../http/errors.ts";
import { IdParams } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { handoverPeople, nextContactsDue, type OwnedRecord, ownedBy, pastHandovers } from "../engine/owners.ts";
import type { DirectoryPorts } from "../engine/ports.ts";
import { isPerson } from "../engine/records.ts";

const tags = ["directory"];

const OwnedView = z.object({
  kind: z.enum(["organization", "service", "volunteer", "partner"]).describe("a provider, service or volunteer of the directory; a partner of the regional network"),
  id: z.string(),
  name: z.string().nullable().describe("a provider's, service's or partner's name (null for a volunteer: see displayName)"),
  displayName: z.string().nullable().describe("a volunteer's name (personal; null for the other kinds)"),
  nextContactOn: z.string().nullable().describe("YYYY-MM-DD (a partner's next review); null: none set"),
  due: z.boolean().describe("the next contact date is today or past (Asia/Tokyo)"),
}).meta({ id: "DirectoryOwnedRecord" });
const OwnedList = z.object({ records: z.array(OwnedView) });
const Person = z.object({ id: z.string(), displayName: z.string() }).nullable();
const HandoverList = z.object({
  handovers: z.array(z.object({
    at: z.string().describe("ISO 8601 date-time, UTC"), by: z.string().describe("who did it, as the audit log names actors"),
    from: Person.describe("the staff member who left (null: no longer known)"), to: Person.describe("their successor"),
    moved: z.record(z.string(), z.number()).describe("what moved, by kind: organizations, services, volunteers, partners"),
  })),
});

const PeopleList = z.object({
  people: z.array(z.object({ id: z.string(), displayName: z.string(), deactivated: z.boolean().describe("may be handed from, not to") })),
});

const view = (today: string) => (r: OwnedRecord) => ({
  kind: r.kind, id: r.id, name: r.kind === "volunteer" ? null : r.name, displayName: r.kind === "volunteer" ? r.name : null,
  nextContactOn: r.nextContactOn, due: r.nextContactOn !== null && r.nextContactOn <= today,
});

export function ownerRoutes(s: Services, ports: DirectoryPorts): FastifyPluginAsyncZod {
  return async (app) => {
    const today = () => localDateOf(s.clock.now(), DEFAULT_TIME_ZONE);
    const others = ports.ownedParts ?? [];

    app.get("/directory/owners/:id/records", {
      schema: { tags, params: IdParams, summary: "What a staff member owns (providers, services, volunteers, the network's partners), next contact first" },
    }, async (request) => {
      // An id that is no person of this organisation (another's included) is unknown here, not someone who owns nothing.
      if (!await isPerson(s.db, request.principal.organisationId, request.params.id)) throw notFound("person");
      return { records: (await ownedBy(s.db, request.principal.organisationId, request.params.id, others)).map(view(today())) };
    });

    app.get("/directory/next-contacts", {
      schema: { tags, summary: "What the signed-in staff member owns whose next contact date has come, most overdue first (a token owns nothing)" },
    }, async (request) => ({
      records: request.principal.kind === "person"
        ? (await nextContactsDue(s.db, request.principal.organisationId, request.principal.tokenId, today(), others)).map(view(today()))
        : [],
    }));

    app.get("/directory/handover/people", {
      schema: { tags, summary: "Staff and admins who may hand over (deactivated ones too) or take over (active ones), active first, by name" },
    }, async (request) => ({ people: await handoverPeople(s.db, request.principal.organisationId) }));

    app.get("/directory/handovers", { schema: { tags, summary: "Past handovers, newest first (at most 50)" } }, async (request) => ({
      handovers: (await pastHandovers(s.db, request.principal.organisationId)).map((h) => ({
        at: h.at.toISOString(), by: h.actor, from: h.from, to: h.to, moved: h.moved,
      })),
    }));
  };
}

export const OWNER_ACCESS = {
  "GET /directory/owners/:id/records": "staff",
  "GET /directory/next-contacts": "staff",
  "GET /directory/handover/people": "staff",
  "GET /directory/handovers": "staff",
} as const;

export const OWNER_RESPONSES = {
  "GET /directory/owners/:id/records": { 200: OwnedList },
  "GET /directory/next-contacts": { 200: OwnedList },
  "GET /directory/handover/people": { 200: PeopleList },
  "GET /directory/handovers": { 200: HandoverList },
};
