/**
 * Needs, matches, volunteers, their requests and contacts under /api/v1/directory
 * (engine/needs.ts, engine/matches.ts, engine/volunteers.ts): zod-validated,
 * access per route (NEEDS_ACCESS), team scope (a need belongs to its member's
 * team: team staff reach their own teams' needs only), personal fields by their
 * names (memberName, displayName, phone, note, createdBy, by: observers see them
 * redacted, privacy.ts), and every answer that shows them audited (app.ts).
 * A volunteer who signs in (a watcher person linked to their record) reaches
 * their own requests only (`task` routes).
 */
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DEFAULT_TIME_ZONE, localDateOf } from "../../domain/schedule.ts";
import { teamOf } from "../../engine/team-scope.ts";
import { actorOf } from "../../http/auth.ts";
import { audit } from "../../http/audit.ts";
import { ApiError, notFound } from "../../http/errors.ts";
import { DateTime, Id, IdParams, Limit, LocalDate, optionalText, phoneAddress, safeString, text } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { checkTeam, notInTeam, teamScope } from "../../http/team-scope.ts";
import { DIRECTORY_AREA_KINDS } from "../domain/kinds.ts";
import { MATCH_REASONS, type MatchReason, offersLeft } from "../domain/matching.ts";
import { MAX_RESPOND_HOURS, NEED_SOURCES, NEED_STATUSES, VOLUNTEER_REQUEST_STATUSES } from "../domain/needs.ts";
import { TAXONOMY_CODE_PATTERN } from "../domain/taxonomy-ja.ts";
import { type MatchDeps, organisationTaxonomy, suggestMatches, unknownCodes } from "../engine/matches.ts";
import { getNeed, listNeeds, type DirectoryNeed, NeedError, needSource, needTeam, recordNeed, setNeedStatus } from "../engine/needs.ts";
import type { PartnerReportOf } from "../engine/ports.ts";
import {
  acknowledgeContact, answerRequest, createVolunteer, getContact, getRequest, getVolunteer, listVolunteerContacts, listRequests, listVolunteers, logContact,
  offerNeed, updateVolunteer, type Volunteer, type VolunteerContact, VolunteerError, type VolunteerRequest, volunteerLogins, volunteerOfPerson,
} from "../engine/volunteers.ts";

const tags = ["directory"];
const Time = z.string().describe("ISO 8601 date-time, UTC");

/** A taxonomy code (the shipped Japanese taxonomy's or the organisation's own). */
export const TaxonomyCode = safeString().min(1, "is required").max(64, "at most 64 characters")
  .regex(TAXONOMY_CODE_PATTERN, "must be a taxonomy code (lower-case words joined by dots, e.g. shopping.proxy)");
const Area = z.strictObject({
  kind: z.enum(DIRECTORY_AREA_KINDS).describe("whole, team (a team id), postal_code (a prefix of digits), town (part of the address)"),
  value: safeString().max(100, "at most 100 characters").describe("the team id, postal code or town; empty for whole"),
});
const HHMM = z.string().regex(/^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$/, "must be a time HH:MM");
const Slot = z.strictObject({
  weekday: z.number().int().min(1).max(7).describe("ISO weekday: 1 Monday … 7 Sunday"),
  from: HHMM, to: HHMM,
}).refine((s) => s.from < s.to, { message: "from must be before to", path: ["to"] });

export const NeedCreate = z.strictObject({
  source: z.enum(NEED_SOURCES).describe(
    "console; incident or visit (its outcome becomes the need: sourceId names it); partner_report (sourceId: the network's report, linked to a member; its words become the note)",
  ),
  sourceId: Id.optional().describe("the incident, visit or partner report (required unless console)"),
  memberId: Id.optional().describe("the member (required for console; taken from the incident, visit or partner report otherwise, and must be theirs when given)"),
  taxonomyCodes: z.array(TaxonomyCode).min(1).max(20).describe("what kind of help is needed (e.g. the shopping-help code)"),
  note: optionalText(2000, true).optional().describe("staff's words; for an incident or visit, its outcome note when left out; for a partner report, its words"),
  wantedAt: DateTime.optional().describe("when help is wanted (matching reads schedules and volunteers' slots at this time)"),
}).superRefine((b, ctx) => {
  if (b.source !== "console" && !b.sourceId) ctx.addIssue({ code: "custom", path: ["sourceId"], message: "is required for this source" });
  if (b.source === "console" && !b.memberId) ctx.addIssue({ code: "custom", path: ["memberId"], message: "is required for this source" });
});
export const NeedPatch = z.strictObject({ status: z.enum(["open", "resolved", "withdrawn"]).describe("resolve or withdraw a need (its open offers are withdrawn), or open it again") });
const NeedQuery = z.strictObject({
  status: z.enum(NEED_STATUSES).optional(), memberId: Id.optional(), limit: Limit(500, 100),
});
export const OfferInput = z.strictObject({
  volunteerIds: z.array(Id).min(1).max(10).optional().describe("ask these volunteers (each must be suggested now); left out: the next ones in order"),
  respondHours: z.number().int().min(1).max(MAX_RESPOND_HOURS).optional().describe("hours to answer (default 24); an offer not answered in time passes to the next volunteer"),
});

const VolunteerFields = {
  displayName: text(100).describe("the volunteer's name (personal)"),
  phone: phoneAddress.nullable().optional().describe("personal; as people type it (090-1234-5678, 03-1234-5678, +81…), stored and answered in E.164"),
  personId: Id.nullable().optional().describe("their login (a person of the organisation, usually a watcher) for their own view"),
  skills: z.array(TaxonomyCode).max(30).describe("taxonomy codes of what they help with"),
  areas: z.array(Area).max(20).describe("where they help"),
  availability: z.array(Slot).max(50).describe("weekly slots, Asia/Tokyo"),
  onDuty: z.boolean().optional().describe("off duty: asked for nothing (their open requests pass on)"),
  maxOpenRequests: z.number().int().min(1).max(10).nullable().optional().describe("their own limit of open requests at once (default 1)"),
  note: optionalText(2000, true).nullable().optional(),
  ownerPersonId: Id.nullable().optional().describe("the staff member who keeps in touch with them (a handover moves it)"),
  nextContactOn: LocalDate.nullable().optional().describe("when the owner next contacts them (YYYY-MM-DD)"),
};
export const VolunteerCreate = z.strictObject(VolunteerFields);
export const VolunteerPatch = z.strictObject({
  ...VolunteerFields, displayName: VolunteerFields.displayName.optional(), skills: VolunteerFields.skills.optional(), areas: VolunteerFields.areas.optional(),
  availability: VolunteerFields.availability.optional(), archived: z.boolean().optional().describe("archive (their open requests pass on) or restore"),
});
const VolunteerQuery = z.strictObject({ archived: z.enum(["true", "false"]).optional(), skill: TaxonomyCode.optional() });
const RequestQuery = z.strictObject({
  volunteerId: Id.optional(), needId: Id.optional(), status: z.enum(VOLUNTEER_REQUEST_STATUSES).optional(), limit: Limit(500, 100),
});
export const RequestAnswerInput = z.strictObject({ reason: optionalText(500, true).optional().describe("why (a decline's reason)") });
export const VolunteerContactInput = z.strictObject({
  memberId: Id.optional().describe("the member contacted"), needId: Id.optional().describe("the need it was about (its member is the contact's)"),
  contactedAt: DateTime, note: text(2000, true).describe("what happened (personal)"),
});
const ContactQuery = z.strictObject({
  volunteerId: Id.optional(), memberId: Id.optional(), unacknowledged: z.enum(["true", "false"]).optional(),
  acknowledged: z.enum(["true", "false"]).optional().describe("true: only those a coordinator has acknowledged, the latest acknowledged first"),
  limit: Limit(500, 100),
});
export const OwnDutyInput = z.strictObject({
  onDuty: z.boolean().describe("false: asked for nothing until back on duty; the volunteer's open unanswered requests pass to the next volunteer"),
});

// ---------------------------------------------------------------- answers

const RequestView = z.object({
  id: z.string(), needId: z.string(),
  need: z.object({
    kinds: z.array(z.object({ code: z.string(), name: z.string(), nameEn: z.string() })).describe("what help is asked for (taxonomy terms)"),
    wantedAt: Time.nullable(), status: z.enum(NEED_STATUSES),
    member: z.object({ memberName: z.string(), address: z.string().nullable(), phone: z.string().nullable() }).nullable()
      .describe("whom to help: shown once the request is accepted"),
  }),
  volunteer: z.object({ id: z.string(), displayName: z.string() }),
  status: z.enum(VOLUNTEER_REQUEST_STATUSES), createdBy: z.string().describe("who offered it (system: passed on by itself)"),
  offeredAt: Time, respondBy: Time.nullable(), answeredAt: Time.nullable(), reason: z.string().nullable().describe("a code (no_answer, another_accepted…) or the volunteer's words"),
}).meta({ id: "DirectoryVolunteerRequest" });
export const NeedView = z.object({
  id: z.string(), memberId: z.string(), memberName: z.string(), teamId: z.string(), source: z.enum(NEED_SOURCES), sourceId: z.string().nullable(),
  taxonomyCodes: z.array(z.string()), note: z.string(), wantedAt: Time.nullable(), status: z.enum(NEED_STATUSES), createdBy: z.string(),
  createdAt: Time, updatedAt: Time, closedAt: Time.nullable(),
}).meta({ id: "DirectoryNeed" });
export const NeedDetail = NeedView.extend({ requests: z.array(RequestView).describe("requests to volunteers, oldest first") }).meta({ id: "DirectoryNeedDetail" });
export const NeedList = z.object({ needs: z.array(NeedView).describe("newest first") });
const Reason = z.object({ code: z.enum(MATCH_REASONS), detail: z.string().nullable() });
export const MatchesView = z.object({
  needId: z.string(),
  services: z.object({
    suggested: z.array(z.object({ id: z.string(), name: z.string(), providerId: z.string(), providerName: z.string(), score: z.number(), reasons: z.array(Reason) })),
    excluded: z.array(z.object({ id: z.string(), name: z.string(), providerId: z.string(), providerName: z.string(), reasons: z.array(Reason) })),
  }),
  volunteers: z.object({
    suggested: z.array(z.object({ id: z.string(), displayName: z.string(), score: z.number(), reasons: z.array(Reason) })),
    excluded: z.array(z.object({ id: z.string(), displayName: z.string(), reasons: z.array(Reason) })),
  }),
  offersLeft: z.number().int().describe("how many more volunteers may be asked now (the per-need cap less the open requests)"),
}).meta({ id: "DirectoryMatches" });
export const OfferResult = z.object({ requests: z.array(RequestView).describe("the new requests (empty: nobody left to ask now)") });
export const VolunteerView = z.object({
  id: z.string(), personId: z.string().nullable(), displayName: z.string(),
  phone: z.string().nullable().describe("E.164 (+81…), as members' phones; the console shows the national form"), skills: z.array(z.string()),
  areas: z.array(z.object({ kind: z.enum(DIRECTORY_AREA_KINDS), value: z.string() })),
  availability: z.array(z.object({ weekday: z.number().int(), from: z.string(), to: z.string() })), onDuty: z.boolean(),
  maxOpenRequests: z.number().int().nullable(), openRequests: z.number().int(), lastAskedAt: Time.nullable(), note: z.string().nullable(),
  ownerPersonId: z.string().nullable(), nextContactOn: z.string().nullable(),
  nextContactDue: z.boolean().describe("the next contact date has come (Asia/Tokyo)"), createdAt: Time, updatedAt: Time, archived: z.boolean(),
}).meta({ id: "DirectoryVolunteer" });
export const VolunteerList = z.object({ volunteers: z.array(VolunteerView) });
export const RequestList = z.object({ requests: z.array(RequestView) });
export const ContactView = z.object({
  id: z.string(), volunteer: z.object({ id: z.string(), displayName: z.string() }), memberId: z.string().nullable(), memberName: z.string().nullable(),
  needId: z.string().nullable(), contactedAt: Time, note: z.string(), createdBy: z.string(), recordedAt: Time,
  acknowledged: z.object({ by: z.string(), at: Time }).nullable(),
}).meta({ id: "DirectoryVolunteerContact" });
export const VolunteerContactList = z.object({ contacts: z.array(ContactView) });
export const OwnVolunteerView = z.object({
  id: z.string(), displayName: z.string(), onDuty: z.boolean(), openRequests: z.number().int().describe("requests offered to them and not answered yet"),
}).meta({ id: "DirectoryOwnVolunteer" });

const iso = (d: Date | null) => d?.toISOString() ?? null;
const reasonView = (r: MatchReason) => ({ code: r.code, detail: r.detail ?? null });

function needView(n: DirectoryNeed) {
  return {
    id: n.id, memberId: n.memberId, memberName: n.memberName, teamId: n.teamId, source: n.source, sourceId: n.sourceId, taxonomyCodes: n.taxonomyCodes,
    note: n.note, wantedAt: iso(n.wantedAt), status: n.status, createdBy: n.createdBy, createdAt: n.createdAt.toISOString(),
    updatedAt: n.updatedAt.toISOString(), closedAt: iso(n.closedAt),
  };
}

type Terms = ReadonlyMap<string, { name: string; name_en: string }>;

function requestView(r: VolunteerRequest, terms: Terms) {
  return {
    id: r.id, needId: r.needId,
    need: {
      kinds: r.need.taxonomyCodes.map((code) => ({ code, name: terms.get(code)?.name ?? code, nameEn: terms.get(code)?.name_en ?? code })),
      wantedAt: iso(r.need.wantedAt), status: r.need.status as DirectoryNeed["status"],
      member: r.need.member ? { memberName: r.need.member.name, address: r.need.member.address, phone: r.need.member.phone } : null,
    },
    volunteer: { id: r.volunteerId, displayName: r.volunteerName }, status: r.status,
    createdBy: r.offeredBy, offeredAt: r.offeredAt.toISOString(), respondBy: iso(r.respondBy), answeredAt: iso(r.answeredAt), reason: r.reason,
  };
}

/** A volunteer as the API shows them; `today` (YYYY-MM-DD, Asia/Tokyo) tells whether the next contact is due. */
function volunteerView(v: Volunteer, today: string) {
  return {
    id: v.id, personId: v.personId, displayName: v.displayName, phone: v.phone, skills: v.skills, areas: v.areas, availability: v.availability,
    onDuty: v.onDuty, maxOpenRequests: v.maxOpenRequests, openRequests: v.openRequests, lastAskedAt: iso(v.lastAskedAt), note: v.note,
    ownerPersonId: v.ownerPersonId, nextContactOn: v.nextContactOn,
    nextContactDue: v.archivedAt === null && v.nextContactOn !== null && v.nextContactOn <= today, createdAt: v.createdAt.toISOString(), updatedAt: v.updatedAt.toISOString(), archived: v.archivedAt !== null,
  };
}

function contactView(c: VolunteerContact) {
  return {
    id: c.id, volunteer: { id: c.volunteerId, displayName: c.volunteerName }, memberId: c.memberId, memberName: c.memberName, needId: c.needId,
    contactedAt: c.contactedAt.toISOString(), note: c.note, createdBy: c.recordedBy, recordedAt: c.recordedAt.toISOString(),
    acknowledged: c.acknowledgedAt && c.acknowledgedBy ? { by: c.acknowledgedBy, at: c.acknowledgedAt.toISOString() } : null,
  };
}

export const NEEDS_ERROR_CODES = {
  need_closed: "the need is resolved, withdrawn or already has a volunteer: it takes no more offers or referrals",
  offer_cap: "more volunteers than may be asked at once for this need (the per-need cap, default 3, less the open requests)",
  volunteer_not_eligible: "a chosen volunteer cannot be asked now (off duty, full, out of area or asked already: GET the matches for why)",
  not_offered: "the request was answered, expired or withdrawn already",
  offer_expired: "the time to answer has passed: the need went to the next volunteer",
  person_taken: "this person is another volunteer's login already",
  source_member_mismatch: "the incident, visit, partner report or need named is about another member",
  source_without_member: "the partner report is not linked to a member yet: link it in triage first",
  unknown_taxonomy_code: "a taxonomy code that is neither in the shipped Japanese taxonomy nor the organisation's own terms",
} as const;

/** 422 unknown_taxonomy_code naming the first unknown code's field (e.g. taxonomyCodes.1). */
async function checkCodes(s: Services, organisationId: string, codes: readonly string[] | undefined, field: string): Promise<void> {
  if (!codes?.length) return;
  const [first] = await unknownCodes(s.db, organisationId, codes);
  if (first !== undefined) throw new ApiError(422, "unknown_taxonomy_code", `unknown taxonomy code: ${first}`, `${field}.${codes.indexOf(first)}`);
}

/** A refused engine command as our error: a missing row named in the body is 422 unknown_reference, a rule's refusal 409. */
export function needErrorToApi(error: unknown): never {
  if (error instanceof NeedError) {
    if (error.code === "need_not_found" && !error.field) throw notFound("need");
    if (error.code === "member_not_found" || error.code === "source_not_found" || error.code === "need_not_found") {
      throw new ApiError(422, "unknown_reference", error.message, error.field);
    }
    throw new ApiError(error.code === "source_member_mismatch" || error.code === "source_without_member" ? 422 : 409, error.code, error.message, error.field);
  }
  if (error instanceof VolunteerError) {
    if (error.code === "volunteer_not_found") throw notFound("volunteer");
    if (error.code === "request_not_found") throw notFound("volunteer request");
    if (error.code === "person_not_found") throw new ApiError(422, "unknown_reference", error.message, error.field);
    if (error.code === "not_your_request") throw new ApiError(403, "not_assigned", error.message);
    if (error.code === "offer_cap" || error.code === "volunteer_not_eligible" || error.code === "person_taken") {
      throw new ApiError(422, error.code, error.message, error.field);
    }
    throw new ApiError(409, error.code, error.message, error.field);
  }
  throw error;
}

async function attempt<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    needErrorToApi(error);
  }
}

/** The teams a request may reach (undefined: all). */
function scopeOf(request: FastifyRequest): string[] | undefined {
  return teamScope(request.principal);
}

/** 404 for a need that does not exist, 403 not_in_team for another team's. */
async function needInScope(s: Services, request: FastifyRequest, needId: string): Promise<DirectoryNeed> {
  const need = await getNeed(s.db, request.principal.organisationId, needId);
  if (!need) throw notFound("need");
  const scope = scopeOf(request);
  if (scope && !scope.includes(need.teamId)) throw notInTeam();
  return need;
}

/** The volunteer a watcher person is (their own requests and contacts), or 403 not_assigned. */
async function ownVolunteer(s: Services, request: FastifyRequest): Promise<Volunteer | undefined> {
  if (request.principal.role !== "watcher") return undefined;
  const mine = await volunteerOfPerson(s.db, request.principal.organisationId, request.principal.tokenId);
  if (!mine) throw new ApiError(403, "not_assigned", "you are not registered as a volunteer");
  return mine;
}

/** The needs' routes; `partnerReport` is the network's port (a need from a partner report). */
export function needRoutes(s: Services, deps: MatchDeps = {}, partnerReport?: PartnerReportOf): FastifyPluginAsyncZod {
  const termsOf = async (organisationId: string): Promise<Terms> => new Map((await organisationTaxonomy(s.db, organisationId)).map((t) => [t.code, t]));
  const today = () => localDateOf(s.clock.now(), DEFAULT_TIME_ZONE);
  return async (app) => {
    // ------------------------------------------------ needs
    app.get("/directory/needs", { schema: { tags, querystring: NeedQuery, summary: "Needs (困りごと), newest first; team staff see their teams' members' only" } },
      async (request) => {
        const q = request.query;
        const scope = scopeOf(request);
        return { needs: (await listNeeds(s.db, request.principal.organisationId, { ...q, ...(scope ? { teamIds: scope } : {}) })).map(needView) };
      });

    app.post("/directory/needs", {
      schema: {
        tags, body: NeedCreate,
        summary: "Record a need: from the console, an incident's or a visit's outcome (its note becomes the need's unless given), or a partner's report",
      },
    }, async (request, reply) => {
      const b = request.body;
      const org = request.principal.organisationId;
      // Team scope before anything is written: the member's, the incident's, the visit's or the partner report's member's team.
      if (b.source === "partner_report") {
        const { memberId } = await attempt(() => needSource(s.db, org, { source: b.source, sourceId: b.sourceId ?? null, memberId: b.memberId ?? null }, partnerReport));
        checkTeam(request.principal, await teamOf(s.db, org, "member", memberId), "sourceId");
      } else {
        const kind = b.source === "incident" ? "incident" : b.source === "visit" ? "visit" : "member";
        const id = kind === "member" ? b.memberId : b.sourceId;
        if (id) checkTeam(request.principal, await teamOf(s.db, org, kind, id), kind === "member" ? "memberId" : "sourceId");
      }
      await checkCodes(s, org, b.taxonomyCodes, "taxonomyCodes");
      const need = await attempt(() => recordNeed(s.db, org, {
        source: b.source, sourceId: b.sourceId ?? null, memberId: b.memberId ?? null, taxonomyCodes: b.taxonomyCodes, note: b.note ?? null,
        wantedAt: b.wantedAt ? new Date(b.wantedAt) : null,
      }, actorOf(request.principal), s.clock.now(), partnerReport));
      await audit(s.db, request, "directory_need.create", "member", need.memberId, { needId: need.id, source: need.source, taxonomyCodes: need.taxonomyCodes });
      return reply.code(201).send(needView(need));
    });

    app.get("/directory/needs/:id", { schema: { tags, params: IdParams, summary: "One need with its requests to volunteers" } }, async (request) => {
      const need = await needInScope(s, request, request.params.id);
      const requests = await listRequests(s.db, request.principal.organisationId, { needId: need.id, limit: 500 });
      const terms = await termsOf(request.principal.organisationId);
      return { ...needView(need), requests: requests.toReversed().map((r) => requestView(r, terms)) };
    });

    app.patch("/directory/needs/:id", { schema: { tags, params: IdParams, body: NeedPatch, summary: "Resolve, withdraw or reopen a need" } },
      async (request) => {
        await needInScope(s, request, request.params.id);
        const need = await attempt(() => setNeedStatus(s.db, request.principal.organisationId, request.params.id, request.body.status, s.clock.now()));
        await audit(s.db, request, "directory_need.status", "member", need.memberId, { needId: need.id, status: need.status });
        return needView(need);
      });

    app.get("/directory/needs/:id/matches", {
      schema: {
        tags, params: IdParams,
        summary: "Services and volunteers suggested for a need, best first, with the reasons for each, and those left out with theirs",
      },
    }, async (request) => {
      await needInScope(s, request, request.params.id);
      const found = await suggestMatches(s.db, request.principal.organisationId, request.params.id, s.clock.now(), deps);
      if (!found) throw notFound("need");
      const { result } = found;
      const open = (await listRequests(s.db, request.principal.organisationId, { needId: request.params.id, status: "offered", limit: 500 })).length;
      const service = (x: { candidate: { id: string; name: string; providerId: string; providerName: string }; reasons: MatchReason[] }) => ({
        id: x.candidate.id, name: x.candidate.name, providerId: x.candidate.providerId, providerName: x.candidate.providerName, reasons: x.reasons.map(reasonView),
      });
      const volunteer = (x: { candidate: { id: string; displayName: string }; reasons: MatchReason[] }) => ({
        id: x.candidate.id, displayName: x.candidate.displayName, reasons: x.reasons.map(reasonView),
      });
      return {
        needId: request.params.id,
        services: { suggested: result.services.suggested.map((x) => ({ ...service(x), score: x.score })), excluded: result.services.excluded.map(service) },
        volunteers: { suggested: result.volunteers.suggested.map((x) => ({ ...volunteer(x), score: x.score })), excluded: result.volunteers.excluded.map(volunteer) },
        offersLeft: ["open", "referred"].includes(found.need.status) ? offersLeft(open, deps.options) : 0,
      };
    });

    app.post("/directory/needs/:id/offers", {
      schema: {
        tags, params: IdParams, body: OfferInput,
        summary: "Ask volunteers to help with a need: the chosen ones, or the next in matching's order, never more than the cap at once",
      },
    }, async (request, reply) => {
      const need = await needInScope(s, request, request.params.id);
      const requests = await attempt(() => offerNeed(s.db, request.principal.organisationId, need.id, {
        ...(request.body.volunteerIds ? { volunteerIds: request.body.volunteerIds } : {}),
        ...(request.body.respondHours ? { respondHours: request.body.respondHours } : {}),
        ...(deps.options ? { match: deps.options } : {}),
      }, actorOf(request.principal), s.clock.now(), s.publicUrl()));
      await audit(s.db, request, "directory_need.offer", "member", need.memberId, { needId: need.id, volunteerIds: requests.map((r) => r.volunteerId) });
      const terms = await termsOf(request.principal.organisationId);
      return reply.code(201).send({ requests: requests.map((r) => requestView(r, terms)) });
    });

    // ------------------------------------------------ volunteers
    app.get("/directory/volunteers", { schema: { tags, querystring: VolunteerQuery, summary: "Volunteers (生活支援の担い手), by name" } }, async (request) => ({
      volunteers: (await listVolunteers(s.db, request.principal.organisationId, {
        archived: request.query.archived === "true", ...(request.query.skill ? { skill: request.query.skill } : {}),
      })).map((v) => volunteerView(v, today())),
    }));

    app.post("/directory/volunteers", { schema: { tags, body: VolunteerCreate, summary: "Register a volunteer" } }, async (request, reply) => {
      const b = request.body;
      await checkCodes(s, request.principal.organisationId, b.skills, "skills");
      const v = await attempt(() => createVolunteer(s.db, request.principal.organisationId, {
        displayName: b.displayName, phone: b.phone ?? null, personId: b.personId ?? null, skills: b.skills, areas: b.areas, availability: b.availability,
        ...(b.onDuty !== undefined ? { onDuty: b.onDuty } : {}), maxOpenRequests: b.maxOpenRequests ?? null, note: b.note ?? null,
        ownerPersonId: b.ownerPersonId ?? null, nextContactOn: b.nextContactOn ?? null,
      }, s.clock.now()));
      await audit(s.db, request, "directory_volunteer.create", "directory_volunteer", v.id);
      return reply.code(201).send(volunteerView(v, today()));
    });

    app.get("/directory/volunteer-logins", {
      schema: { tags, summary: "The logins a volunteer may be linked to (watchers, by name), each with the volunteer linked to it already" },
    }, async (request) => ({ logins: await volunteerLogins(s.db, request.principal.organisationId) }));

    app.get("/directory/volunteers/:id", { schema: { tags, params: IdParams, summary: "One volunteer" } }, async (request) => {
      const v = await getVolunteer(s.db, request.principal.organisationId, request.params.id);
      if (!v) throw notFound("volunteer");
      return volunteerView(v, today());
    });

    app.patch("/directory/volunteers/:id", {
      schema: { tags, params: IdParams, body: VolunteerPatch, summary: "Change a volunteer: skills, areas, slots, on duty (off duty passes their open requests on), archive" },
    }, async (request) => {
      const { phone, personId, maxOpenRequests, note, ...rest } = request.body;
      await checkCodes(s, request.principal.organisationId, rest.skills, "skills");
      const v = await attempt(() => updateVolunteer(s.db, request.principal.organisationId, request.params.id, {
        ...rest, ...(phone !== undefined ? { phone } : {}), ...(personId !== undefined ? { personId } : {}),
        ...(maxOpenRequests !== undefined ? { maxOpenRequests } : {}), ...(note !== undefined ? { note } : {}),
      }, s.clock.now(), s.publicUrl()));
      await audit(s.db, request, "directory_volunteer.update", "directory_volunteer", v.id, { fields: Object.keys(request.body) });
      return volunteerView(v, today());
    });

    // ------------------------------------------------ requests (a volunteer's own, or any for the coordinators)
    app.get("/directory/volunteer-requests", {
      schema: { tags, querystring: RequestQuery, summary: "Requests to volunteers, newest first; a volunteer signed in sees their own" },
    }, async (request) => {
      const mine = await ownVolunteer(s, request);
      const q = request.query;
      const list = await listRequests(s.db, request.principal.organisationId, { ...q, ...(mine ? { volunteerId: mine.id } : {}) });
      const terms = await termsOf(request.principal.organisationId);
      return { requests: list.map((r) => requestView(r, terms)) };
    });

    const answer = (kind: "accept" | "decline") => async (request: FastifyRequest<{ Params: { id: string }; Body: { reason?: string | undefined } }>) => {
      const mine = await ownVolunteer(s, request);
      const org = request.principal.organisationId;
      const before = await getRequest(s.db, org, request.params.id);
      if (!before) throw notFound("volunteer request");
      if (!mine) {
        const scope = scopeOf(request);
        const team = await needTeam(s.db, org, before.needId);
        if (scope && team !== undefined && !scope.includes(team)) throw notInTeam();
      }
      const r = await attempt(() => answerRequest(s.db, org, request.params.id, kind, request.body?.reason?.trim() || null, s.clock.now(),
        s.publicUrl(), mine ? request.principal.tokenId : undefined));
      const detail = { requestId: r.id, needId: r.needId };
      if (kind === "accept") await audit(s.db, request, "directory_request.accept", "directory_volunteer", r.volunteerId, detail);
      else await audit(s.db, request, "directory_request.decline", "directory_volunteer", r.volunteerId, detail);
      return requestView(r, await termsOf(org));
    };
    app.post("/directory/volunteer-requests/:id/accept", {
      schema: { tags, params: IdParams, body: RequestAnswerInput, summary: "Accept a request (the volunteer, or a coordinator for them): the need is matched, its other offers withdrawn" },
    }, answer("accept"));
    app.post("/directory/volunteer-requests/:id/decline", {
      schema: { tags, params: IdParams, body: RequestAnswerInput, summary: "Decline a request: the need passes to the next volunteer" },
    }, answer("decline"));

    // ------------------------------------------------ a volunteer's own switch (わたしへの依頼)
    const self = async (request: FastifyRequest): Promise<Volunteer> => {
      const mine = request.principal.kind === "person"
        ? await volunteerOfPerson(s.db, request.principal.organisationId, request.principal.tokenId) : undefined;
      if (!mine || mine.archivedAt) throw new ApiError(403, "not_assigned", "you are not registered as a volunteer");
      return mine;
    };
    const ownView = (v: Volunteer) => ({ id: v.id, displayName: v.displayName, onDuty: v.onDuty, openRequests: v.openRequests });
    app.get("/directory/my-volunteer", {
      schema: { tags, summary: "The signed-in person's own volunteer record: on duty or not, open requests (403 not_assigned: not a volunteer)" },
    }, async (request) => ownView(await self(request)));

    app.put("/directory/my-volunteer/on-duty", {
      schema: {
        tags, body: OwnDutyInput,
        summary: "A volunteer switches themselves on or off duty; going off duty passes their open unanswered requests to the next volunteer (as staff's change does)",
      },
    }, async (request) => {
      const mine = await self(request);
      const v = await attempt(() => updateVolunteer(s.db, request.principal.organisationId, mine.id, { onDuty: request.body.onDuty }, s.clock.now(), s.publicUrl()));
      await audit(s.db, request, "directory_volunteer.update", "directory_volunteer", v.id, { fields: ["onDuty"], onDuty: v.onDuty, self: true });
      return ownView(v);
    });

    // ------------------------------------------------ contacts
    app.get("/directory/volunteer-contacts", {
      schema: { tags, querystring: ContactQuery, summary: "Volunteers' contacts with members, newest first (unacknowledged=true: those a coordinator has not acknowledged)" },
    }, async (request) => {
      const mine = await ownVolunteer(s, request);
      const scope = scopeOf(request);
      const q = request.query;
      const list = await listVolunteerContacts(s.db, request.principal.organisationId, {
        limit: q.limit, ...(q.memberId ? { memberId: q.memberId } : {}), unacknowledged: q.unacknowledged === "true", acknowledged: q.acknowledged === "true",
        ...(mine ? { volunteerId: mine.id } : q.volunteerId ? { volunteerId: q.volunteerId } : {}), ...(scope ? { teamIds: scope } : {}),
      });
      return { contacts: list.map(contactView) };
    });

    app.post("/directory/volunteers/:id/contacts", {
      schema: { tags, params: IdParams, body: VolunteerContactInput, summary: "Log a volunteer's contact with a member (the volunteer, or a coordinator for them)" },
    }, async (request, reply) => {
      const mine = await ownVolunteer(s, request);
      if (mine && mine.id !== request.params.id) throw new ApiError(403, "not_assigned", "you log your own contacts");
      const org = request.principal.organisationId;
      const b = request.body;
      if (!mine && b.memberId) checkTeam(request.principal, await teamOf(s.db, org, "member", b.memberId), "memberId");
      if (!mine && b.needId) checkTeam(request.principal, await needTeam(s.db, org, b.needId), "needId");
      const c = await attempt(() => logContact(s.db, org, request.params.id, {
        memberId: b.memberId ?? null, needId: b.needId ?? null, contactedAt: new Date(b.contactedAt), note: b.note,
      }, actorOf(request.principal), s.clock.now()));
      await audit(s.db, request, "directory_contact.log", c.memberId ? "member" : "directory_volunteer", c.memberId ?? c.volunteerId, { contactId: c.id });
      return reply.code(201).send(contactView(c));
    });

    app.post("/directory/volunteer-contacts/:id/acknowledge", {
      schema: { tags, params: IdParams, summary: "A coordinator acknowledges a volunteer's logged contact (once)" },
    }, async (request) => {
      const org = request.principal.organisationId;
      const found = await getContact(s.db, org, request.params.id);
      if (!found) throw notFound("volunteer contact");
      checkTeam(request.principal, found.teamId ?? undefined, "id");
      const c = await acknowledgeContact(s.db, org, request.params.id, actorOf(request.principal), s.clock.now());
      if (!c) throw notFound("volunteer contact");
      await audit(s.db, request, "directory_contact.acknowledge", "directory_volunteer", c.volunteerId, { contactId: c.id });
      return contactView(c);
    });
  };
}

/** Who may call each route. Reads: observers (personal fields redacted); writes: staff; a volunteer's own requests and contacts: `task`. */
export const NEEDS_ACCESS = {
  "GET /directory/needs": "observer",
  "POST /directory/needs": "staff",
  "GET /directory/needs/:id": "observer",
  "PATCH /directory/needs/:id": "staff",
  "GET /directory/needs/:id/matches": "observer",
  "POST /directory/needs/:id/offers": "staff",
  "GET /directory/volunteers": "observer",
  "POST /directory/volunteers": "staff",
  "GET /directory/volunteers/:id": "observer",
  // Names of people: only those who link a volunteer to a login read them.
  "GET /directory/volunteer-logins": "staff",
  "PATCH /directory/volunteers/:id": "staff",
  "GET /directory/volunteer-requests": "task",
  "POST /directory/volunteer-requests/:id/accept": "task",
  "POST /directory/volunteer-requests/:id/decline": "task",
  // A person signed in (a watcher, or staff who also volunteer): their own record only.
  "GET /directory/my-volunteer": "duty",
  "PUT /directory/my-volunteer/on-duty": "duty",
  "GET /directory/volunteer-contacts": "task",
  "POST /directory/volunteers/:id/contacts": "task",
  "POST /directory/volunteer-contacts/:id/acknowledge": "staff",
} as const;

export const NEEDS_RESPONSES = {
  "GET /directory/needs": { 200: NeedList },
  "POST /directory/needs": { 201: NeedView },
  "GET /directory/needs/:id": { 200: NeedDetail },
  "PATCH /directory/needs/:id": { 200: NeedView },
  "GET /directory/needs/:id/matches": { 200: MatchesView },
  "POST /directory/needs/:id/offers": { 201: OfferResult },
  "GET /directory/volunteers": { 200: VolunteerList },
  "POST /directory/volunteers": { 201: VolunteerView },
  "GET /directory/volunteers/:id": { 200: VolunteerView },
  "GET /directory/volunteer-logins": {
    200: z.object({ logins: z.array(z.object({ personId: z.string(), displayName: z.string(), volunteerId: z.string().nullable().describe("the volunteer linked to it, if any") })) }),
  },
  "PATCH /directory/volunteers/:id": { 200: VolunteerView },
  "GET /directory/volunteer-requests": { 200: RequestList },
  "POST /directory/volunteer-requests/:id/accept": { 200: RequestView },
  "POST /directory/volunteer-requests/:id/decline": { 200: RequestView },
  "GET /directory/my-volunteer": { 200: OwnVolunteerView },
  "PUT /directory/my-volunteer/on-duty": { 200: OwnVolunteerView },
  "GET /directory/volunteer-contacts": { 200: VolunteerContactList },
  "POST /directory/volunteers/:id/contacts": { 201: ContactView },
  "POST /directory/volunteer-contacts/:id/acknowledge": { 200: ContactView },
};
