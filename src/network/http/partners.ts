/**
 * The partner registry under /api/v1/network/partners: staff register and change
 * partners, issue (rotate) a partner's Open311 key — shown once — and archive
 * them; observers read (contact people's names, phone numbers and e-mail are
 * personal: privacy.ts redacts names and phones by field, the e-mail is redacted
 * here). The form's link and short code are in every answer.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DEFAULT_TIME_ZONE, localDateOf } from "../../domain/schedule.ts";
import { audit } from "../../http/audit.ts";
import type { Principal } from "../../http/auth.ts";
import { ApiError, notFound } from "../../http/errors.ts";
import { REDACTED, seesPersonal } from "../../http/privacy.ts";
import { Id, IdParams, LocalDate, optionalText, phoneAddress, text } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { ownerCandidates, personNames } from "../../engine/people.ts";
import { PARTNER_KINDS, type PartnerContact, reviewOverdue } from "../domain/partners.ts";
import {
  archivePartner, createPartner, getPartner, issuePartnerKey, listPartners, type PartnerInput as EngineInput, type PartnerRow,
  UnknownOwner, updatePartner,
} from "../engine/partners.ts";

const tags = ["network"];

const ContactInput = z.strictObject({
  displayName: text(100).describe("the contact person's name (personal)"),
  role: optionalText(100).optional().describe("their role at the partner, e.g. 店長"),
  phone: phoneAddress.optional().describe("personal; as people type it (090-1234-5678, 03-1234-5678, +81…), stored and answered in E.164"),
  email: z.email({ message: "must be an e-mail address" }).max(254).optional().describe("personal"),
});

const nullableText = (max: number, multiline = false) => optionalText(max, multiline).nullable().optional()
  .transform((v) => (v === "" ? null : v));

const PartnerFields = {
  name: text(200).describe("the business's name"),
  kind: z.enum(PARTNER_KINDS).describe("shop, home_visit (newspapers, delivery, meals, utilities), finance, ict or other"),
  business: nullableText(100).describe("what they do, e.g. 新聞販売店, 配食, ガス"),
  agreementDate: LocalDate.nullable().optional().describe("when the watching agreement (見守り協定) was signed"),
  agreementTerms: nullableText(4000, true).describe("what was agreed"),
  contacts: z.array(ContactInput).max(20).optional().describe("contact people at the partner"),
  ownerPersonId: Id.nullable().optional().describe("the staff member who owns the relationship (a person of the organisation)"),
  nextReviewOn: LocalDate.nullable().optional().describe("when the relationship is next reviewed"),
  listed: z.boolean().optional().describe("shown on the public page of partners"),
};
export const PartnerCreate = z.strictObject(PartnerFields);
export const PartnerPatch = z.strictObject({ ...PartnerFields, name: PartnerFields.name.optional(), kind: PartnerFields.kind.optional() });
const ListQuery = z.strictObject({ archived: z.enum(["true", "false"]).optional().describe("true: archived partners too") });

const Contact = z.object({
  displayName: z.string(), role: z.string().nullable(), phone: z.string().nullable().describe("E.164 (+81…), as members' phones; the console shows the national form"),
  email: z.string().nullable(),
});
export const Partner = z.object({
  id: z.string(), name: z.string(), kind: z.enum(PARTNER_KINDS), business: z.string().nullable(),
  agreementDate: z.string().nullable(), agreementTerms: z.string().nullable(), contacts: z.array(Contact),
  owner: z.object({ id: z.string(), displayName: z.string() }).nullable().describe("the staff member who owns the relationship"),
  nextReviewOn: z.string().nullable(), reviewOverdue: z.boolean().describe("the next review date has passed"),
  listed: z.boolean(), shortCode: z.string().describe("the report form's short code"), reportFormUrl: z.string().describe("the report form's link (/r/{shortCode})"),
  hasApiKey: z.boolean().describe("an Open311 key was issued"), archived: z.boolean(),
  createdAt: z.string(), updatedAt: z.string(), archivedAt: z.string().nullable(),
}).meta({ id: "Partner" });
export const PartnerList = z.object({ partners: z.array(Partner), publicPageUrl: z.string().describe("the public page of the listed partners") });
export const PartnerOwners = z.object({
  owners: z.array(z.object({ id: z.string(), displayName: z.string() })).describe("staff and admins not deactivated, by name"),
}).meta({ id: "PartnerOwners" });
export const PartnerKey = z.object({ key: z.string().describe("the Open311 api_key: shown once, only its hash is kept"), partner: Partner });

function toEngine(body: z.infer<typeof PartnerPatch>): Partial<EngineInput> {
  const { contacts, ...rest } = body;
  return {
    ...rest,
    ...(contacts ? { contacts: contacts.map((c): PartnerContact => ({ name: c.displayName, ...(c.role ? { role: c.role } : {}), ...(c.phone ? { phone: c.phone } : {}), ...(c.email ? { email: c.email } : {}) })) } : {}),
  };
}

export function partnerRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const view = (p: PartnerRow, owners: Map<string, string>, personal: boolean, today: string) => ({
      id: p.id, name: p.name, kind: p.kind, business: p.business, agreementDate: p.agreement_date, agreementTerms: p.agreement_terms,
      contacts: p.contacts.map((c) => ({ displayName: c.name, role: c.role ?? null, phone: c.phone ?? null, email: c.email ? (personal ? c.email : REDACTED) : null })),
      owner: p.owner_person_id ? { id: p.owner_person_id, displayName: owners.get(p.owner_person_id) ?? "" } : null,
      nextReviewOn: p.next_review_on, reviewOverdue: p.archived_at === null && reviewOverdue(p.next_review_on, today),
      listed: p.listed, shortCode: p.short_code, reportFormUrl: `${s.publicUrl()}/r/${p.short_code}`,
      hasApiKey: p.api_key_hash !== null, archived: p.archived_at !== null,
      createdAt: p.created_at.toISOString(), updatedAt: p.updated_at.toISOString(), archivedAt: p.archived_at?.toISOString() ?? null,
    });
    const shape = async (request: { principal: Principal }, rows: PartnerRow[]) => {
      const org = request.principal.organisationId;
      const owners = await personNames(s.db, org, rows.map((r) => r.owner_person_id));
      const today = localDateOf(s.clock.now(), DEFAULT_TIME_ZONE);
      return rows.map((r) => view(r, owners, seesPersonal(request.principal), today));
    };
    const ownerError = (error: unknown): never => {
      if (error instanceof UnknownOwner) throw new ApiError(422, "unknown_reference", error.message, "ownerPersonId");
      throw error;
    };

    app.get("/network/partners", { schema: { tags, summary: "List the partners under a watching agreement (by name)", querystring: ListQuery } }, async (request) => {
      const rows = await listPartners(s.db, request.principal.organisationId, request.query.archived === "true");
      return { partners: await shape(request, rows), publicPageUrl: `${s.publicUrl()}/partners/${request.principal.organisationId}` };
    });

    // Staff choose a relationship's owner without the admin-only people list.
    app.get("/network/partners/owners", { schema: { tags, summary: "The people who may own a partner relationship (staff and admins, by name)" } }, async (request) => ({
      owners: await ownerCandidates(s.db, request.principal.organisationId),
    }));

    app.post("/network/partners", { schema: { tags, summary: "Register a partner (a report-form short code is made for it)", body: PartnerCreate } }, async (request, reply) => {
      const row = await createPartner(s.db, request.principal.organisationId, toEngine(request.body) as EngineInput, s.clock.now()).catch(ownerError);
      await audit(s.db, request, "partner.create", "partner", row.id);
      return reply.code(201).send((await shape(request, [row]))[0]);
    });

    app.get("/network/partners/:id", { schema: { tags, summary: "A partner", params: IdParams } }, async (request) => {
      const row = await getPartner(s.db, request.principal.organisationId, request.params.id);
      if (!row) throw notFound("partner");
      return (await shape(request, [row]))[0];
    });

    app.patch("/network/partners/:id", { schema: { tags, summary: "Change a partner (null clears a field)", params: IdParams, body: PartnerPatch } }, async (request) => {
      const row = await updatePartner(s.db, request.principal.organisationId, request.params.id, toEngine(request.body), s.clock.now()).catch(ownerError);
      if (!row) throw notFound("partner");
      await audit(s.db, request, "partner.update", "partner", row.id, { fields: Object.keys(request.body).sort() });
      return (await shape(request, [row]))[0];
    });

    app.post("/network/partners/:id/key", { schema: { tags, summary: "Issue or rotate the partner's Open311 key (shown once; the earlier key stops working)", params: IdParams } }, async (request) => {
      const issued = await issuePartnerKey(s.db, request.principal.organisationId, request.params.id, s.clock.now());
      if (!issued) throw notFound("partner");
      await audit(s.db, request, "partner.key", "partner", request.params.id);
      return { key: issued.key, partner: (await shape(request, [issued.partner]))[0] };
    });

    for (const [action, archived] of [["archive", true], ["restore", false]] as const) {
      app.post(`/network/partners/:id/${action}`, {
        schema: { tags, summary: archived ? "Archive a partner: its form and key are refused, it leaves the public page" : "Restore an archived partner", params: IdParams },
      }, async (request) => {
        const row = await archivePartner(s.db, request.principal.organisationId, request.params.id, archived, s.clock.now());
        if (!row) throw notFound("partner");
        await audit(s.db, request, `partner.${action}`, "partner", row.id);
        return (await shape(request, [row]))[0];
      });
    }
  };
}

export const PARTNER_ACCESS = {
  "GET /network/partners": "observer",
  "POST /network/partners": "staff",
  // Staff names: only those who choose an owner read them.
  "GET /network/partners/owners": "staff",
  "GET /network/partners/:id": "observer",
  "PATCH /network/partners/:id": "staff",
  "POST /network/partners/:id/key": "staff",
  "POST /network/partners/:id/archive": "staff",
  "POST /network/partners/:id/restore": "staff",
} as const;

export const PARTNER_RESPONSES = {
  "GET /network/partners": { 200: PartnerList },
  "POST /network/partners": { 201: Partner },
  "GET /network/partners/owners": { 200: PartnerOwners },
  "GET /network/partners/:id": { 200: Partner },
  "PATCH /network/partners/:id": { 200: Partner },
  "POST /network/partners/:id/key": { 200: PartnerKey },
  "POST /network/partners/:id/archive": { 200: Partner },
  "POST /network/partners/:id/restore": { 200: Partner },
};
