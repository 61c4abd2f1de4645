/**
 * Consent and lawful disclosure over HTTP (engine/consents.ts): a member's
 * consents (and as FHIR R4 Consent resources), recording one, the disclosures
 * made and recording one (refused with 422 when neither consent nor a legal basis
 * covers it), the disaster declaration, and the members watched without consent.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/auth.ts";
import { audit } from "../../http/audit.ts";
import { ApiError, notFound } from "../../http/errors.ts";
import { NoContent } from "../../http/responses.ts";
import { DateTime, IdParams, optionalText, text } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import {
  CONSENT_DECISIONS, CONSENT_METHODS, CONSENT_PURPOSES, type ConsentRecord, LEGAL_BASES, toFhirConsent,
} from "../domain/consents.ts";
import {
  BadConsentPeriod, currentDisaster, declareDisaster, type Disclosure, DisclosureRefused, endDisaster, listDisclosures, memberConsents,
  membersWithoutConsent, RECIPIENT_KINDS, recordConsent, recordDisclosure,
} from "../engine/consents.ts";

const tags = ["consent"];

export const ConsentInput = z.strictObject({
  purpose: z.enum(CONSENT_PURPOSES).describe("watching; share_contacts; share_partners; device_monitoring; disaster_support_list"),
  decision: z.enum(CONSENT_DECISIONS).describe("permit, or deny (a withdrawal is a new deny)"),
  method: z.enum(CONSENT_METHODS).describe("how it was given: line, paper, phone, in_person, web"),
  givenAt: DateTime.describe("when the member gave it (the date on the paper, the call)"),
  periodStart: DateTime.optional().describe("when it starts; givenAt when left out"),
  periodEnd: DateTime.nullable().optional().describe("when it ends (exclusive); null or left out: until withdrawn"),
  termsVersion: optionalText(50).optional().describe("the terms version the member was shown"),
  note: optionalText(500, true).optional(),
});

export const DisclosureInput = z.strictObject({
  basis: z.enum(LEGAL_BASES).optional()
    .describe("a legal basis for disclosing without consent: life_body_property (APPI art. 27(1)(ii)) or disaster_support_list (災害対策基本法 49条の11, only while a disaster is declared); left out: the member's consent must cover it"),
  recipient: text(200).describe("who it went to (an organisation or a person)"),
  recipientKind: z.enum(RECIPIENT_KINDS),
  purpose: text(500, true).describe("why it was disclosed"),
  fields: z.array(text(50)).min(1).max(30).describe("what was disclosed (displayName, address, phone, contacts, medicalNotes…)"),
});

export const DisasterInput = z.strictObject({ reason: text(200).describe("which disaster (e.g. 震度6弱 地震, 避難指示)") });

const Time = z.string().describe("ISO 8601 date-time, UTC");
export const ConsentView = z.object({
  id: z.string().describe("a UUID, or terms:<memberId> for the agreement to the terms"),
  purpose: z.enum(CONSENT_PURPOSES), decision: z.enum(CONSENT_DECISIONS), periodStart: Time, periodEnd: Time.nullable(),
  method: z.enum([...CONSENT_METHODS, "terms"]).describe("terms: the member's agreement to the terms, which counts for watching"),
  termsVersion: z.string().nullable(), createdBy: z.string().describe("who recorded it; member for the terms agreement"),
  givenAt: Time, recordedAt: Time, note: z.string().nullable(),
}).meta({ id: "Consent" });
export const MemberConsentsView = z.object({
  watching: z.enum(["recorded", "terms", "denied", "missing"])
    .describe("recorded: a watching permit; terms: only the terms agreement; denied: a watching deny in force; missing: nothing (flagged)"),
  current: z.array(z.object({ purpose: z.enum(CONSENT_PURPOSES), decision: z.enum(["permit", "deny", "none"]), consent: ConsentView.nullable() })),
  history: z.array(ConsentView).describe("newest given first"),
}).meta({ id: "MemberConsents" });
export const FhirBundle = z.object({
  resourceType: z.literal("Bundle"), type: z.literal("collection"), total: z.number().int(),
  entry: z.array(z.object({ fullUrl: z.string(), resource: z.record(z.string(), z.unknown()).describe("an HL7 FHIR R4 Consent") })),
}).meta({ id: "FhirConsentBundle" });
export const DisclosureView = z.object({
  id: z.string(), basis: z.enum(["consent", ...LEGAL_BASES]), consentId: z.string().nullable(), recipient: z.string(),
  recipientKind: z.enum(RECIPIENT_KINDS), purpose: z.string(), fields: z.array(z.string()), createdBy: z.string(), disclosedAt: Time,
}).meta({ id: "Disclosure" });
export const DisclosureList = z.object({ disclosures: z.array(DisclosureView).describe("newest first") });
export const DisasterView = z.object({
  declared: z.boolean(), reason: z.string().nullable(), createdBy: z.string().nullable(), declaredAt: Time.nullable(),
}).meta({ id: "DisasterDeclaration" });
export const WithoutConsent = z.object({ memberIds: z.array(z.string()).describe("active members watched without a record of consent") });

function consentView(r: ConsentRecord) {
  return {
    id: r.id, purpose: r.purpose, decision: r.decision, periodStart: r.periodStart.toISOString(), periodEnd: r.periodEnd?.toISOString() ?? null,
    method: r.method, termsVersion: r.termsVersion, createdBy: r.recordedBy, givenAt: r.givenAt.toISOString(), recordedAt: r.recordedAt.toISOString(),
    note: r.note,
  };
}

function disclosureView(d: Disclosure) {
  return {
    id: d.id, basis: d.basis, consentId: d.consentId, recipient: d.recipient, recipientKind: d.recipientKind as (typeof RECIPIENT_KINDS)[number],
    purpose: d.purpose, fields: d.fields, createdBy: d.disclosedBy, disclosedAt: d.disclosedAt.toISOString(),
  };
}

export const CONSENT_ERROR_CODES = {
  disclosure_not_allowed: "a disclosure neither the member's consent nor a legal basis covers (no consent in force, or a deny): refused, nothing recorded",
  no_disaster_declared: "the disaster support list basis (災害対策基本法 49条の11) applies only while a disaster is declared (POST /disaster-declaration)",
} as const;

export function consentRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/members/:id/consents", {
      schema: { tags, params: IdParams, summary: "A member's consents: whether watching has consent, the decision in force per purpose, the history" },
    }, async (request) => {
      const found = await memberConsents(s.db, request.principal.organisationId, request.params.id, s.clock.now());
      if (!found) throw notFound("member");
      return {
        watching: found.watching,
        current: found.current.map((c) => ({ purpose: c.purpose, decision: c.decision, consent: c.record ? consentView(c.record) : null })),
        history: found.history.map(consentView),
      };
    });

    app.post("/members/:id/consents", {
      schema: {
        tags, params: IdParams, body: ConsentInput,
        summary: "Record a member's decision for one purpose (a withdrawal is a new deny; records are never changed)",
      },
    }, async (request, reply) => {
      const b = request.body;
      let record: ConsentRecord | undefined;
      try {
        record = await recordConsent(s.db, request.principal.organisationId, request.params.id, {
          purpose: b.purpose, decision: b.decision, method: b.method, givenAt: new Date(b.givenAt),
          ...(b.periodStart ? { periodStart: new Date(b.periodStart) } : {}), periodEnd: b.periodEnd ? new Date(b.periodEnd) : null,
          termsVersion: b.termsVersion || null, note: b.note || null,
        }, actorOf(request.principal), s.clock.now());
      } catch (error) {
        if (error instanceof BadConsentPeriod) throw new ApiError(400, "invalid_request", error.message, "periodEnd");
        throw error;
      }
      if (!record) throw notFound("member");
      await audit(s.db, request, "consent.record", "member", request.params.id, { purpose: b.purpose, decision: b.decision, method: b.method });
      return reply.code(201).send(consentView(record));
    });

    app.get("/members/:id/consents/fhir", {
      schema: {
        tags, params: IdParams,
        summary: "A member's consents as HL7 FHIR R4 Consent resources in a collection Bundle (the terms agreement included)",
        description: "Each record is a Consent: status active (the one in force for its purpose) or inactive; scope patient-privacy; category " +
          "LOINC 59284-0; patient and performer Patient/<memberId>; policyRule OPTIN/OPTOUT; policy the terms version; provision type " +
          "permit/deny with its period, purpose (urn:mimamori:consent-purpose) and consentaction codes; extensions: how it was given, who recorded it.",
      },
    }, async (request) => {
      const organisationId = request.principal.organisationId;
      const found = await memberConsents(s.db, organisationId, request.params.id, s.clock.now());
      if (!found) throw notFound("member");
      const active = new Set(found.current.map((c) => c.record?.id).filter(Boolean));
      const resources = found.history.map((r) => toFhirConsent(r, organisationId, active.has(r.id)));
      await audit(s.db, request, "consent.export_fhir", "member", request.params.id, { count: resources.length });
      return {
        resourceType: "Bundle" as const, type: "collection" as const, total: resources.length,
        entry: resources.map((resource) => ({ fullUrl: `urn:uuid:${resource.id}`, resource: resource as unknown as Record<string, unknown> })),
      };
    });

    app.get("/members/:id/disclosures", {
      schema: { tags, params: IdParams, summary: "What of a member's data went to whom, on which basis, by whom (newest first)" },
    }, async (request) => {
      const list = await listDisclosures(s.db, request.principal.organisationId, request.params.id);
      if (!list) throw notFound("member");
      return { disclosures: list.map(disclosureView) };
    });

    app.post("/members/:id/disclosures", {
      schema: {
        tags, params: IdParams, body: DisclosureInput,
        summary: "Record a disclosure of a member's data to someone outside the team; refused (422) unless consent or a legal basis covers it",
        description: "Without `basis`, the member's permit in force for share_contacts (recipientKind contact) or share_partners (any other) " +
          "is needed; the terms agreement does not count. basis life_body_property is accepted on the discloser's judgement and recorded; " +
          "basis disaster_support_list only while a disaster is declared. Recorded with the basis, who and to whom, and in the audit log.",
      },
    }, async (request, reply) => {
      const organisationId = request.principal.organisationId;
      let disclosure: Disclosure;
      try {
        disclosure = await recordDisclosure(s.db, organisationId, request.params.id, request.body, actorOf(request.principal), s.clock.now());
      } catch (error) {
        if (!(error instanceof DisclosureRefused)) throw error;
        if (error.reason === "no_member") throw notFound("member");
        if (error.reason === "no_disaster_declared") {
          throw new ApiError(422, "no_disaster_declared", "no disaster is declared: the disaster support list basis does not apply", "basis");
        }
        throw new ApiError(422, "disclosure_not_allowed", error.reason === "consent_denied"
          ? "the member refused this sharing (a deny is in force), and no legal basis was given"
          : "no consent of the member covers this sharing, and no legal basis was given", "basis");
      }
      await audit(s.db, request, "personal.disclosure", "member", request.params.id, {
        basis: disclosure.basis, consentId: disclosure.consentId, recipient: disclosure.recipient, recipientKind: disclosure.recipientKind,
        fields: disclosure.fields, disclosureId: disclosure.id,
      });
      return reply.code(201).send(disclosureView(disclosure));
    });

    app.get("/disaster-declaration", {
      schema: { tags, summary: "Whether a disaster is declared (the disaster support list may then go out without consent)" },
    }, async (request) => {
      const d = await currentDisaster(s.db, request.principal.organisationId);
      return d
        ? { declared: true, reason: d.reason, createdBy: d.declaredBy, declaredAt: d.declaredAt.toISOString() }
        : { declared: false, reason: null, createdBy: null, declaredAt: null };
    });

    app.post("/disaster-declaration", {
      schema: { tags, body: DisasterInput, summary: "Declare a disaster (災害対策基本法 49条の11 applies until it ends); an open one is answered as is" },
    }, async (request) => {
      const d = await declareDisaster(s.db, request.principal.organisationId, request.body.reason, actorOf(request.principal), s.clock.now());
      await audit(s.db, request, "disaster.declare", "organisation", request.principal.organisationId, { reason: d.reason });
      return { declared: true, reason: d.reason, createdBy: d.declaredBy, declaredAt: d.declaredAt.toISOString() };
    });

    app.delete("/disaster-declaration", { schema: { tags, summary: "End the declared disaster" } }, async (request, reply) => {
      if (!(await endDisaster(s.db, request.principal.organisationId, actorOf(request.principal), s.clock.now()))) throw notFound("disaster declaration");
      await audit(s.db, request, "disaster.end", "organisation", request.principal.organisationId);
      return reply.code(204).send();
    });

    app.get("/consents/missing", {
      schema: { tags, summary: "Active members watched without a record of consent (no terms agreement, no watching permit, or a deny)" },
    }, async (request) => ({ memberIds: await membersWithoutConsent(s.db, request.principal.organisationId, s.clock.now()) }));
  };
}

/** Who may call each consent, disclosure and disaster-declaration route (context.ts composes the network's table). */
export const CONSENT_ACCESS = {
  // Consent: the team reads, staff record; the FHIR export shows who recorded (staff, audited).
  "GET /members/:id/consents": "observer",
  "POST /members/:id/consents": "staff",
  "GET /members/:id/consents/fhir": "staff",
  "GET /members/:id/disclosures": "observer",
  "POST /members/:id/disclosures": "staff",
  "GET /consents/missing": "observer",
  "GET /disaster-declaration": "observer",
  "POST /disaster-declaration": "admin",
  "DELETE /disaster-declaration": "admin",
} as const;

/** The answers of the consent, disclosure and disaster-declaration routes. */
export const CONSENT_RESPONSES = {
  "GET /members/:id/consents": { 200: MemberConsentsView },
  "POST /members/:id/consents": { 201: ConsentView },
  "GET /members/:id/consents/fhir": { 200: FhirBundle },
  "GET /members/:id/disclosures": { 200: DisclosureList },
  "POST /members/:id/disclosures": { 201: DisclosureView },
  "GET /consents/missing": { 200: WithoutConsent },
  "GET /disaster-declaration": { 200: DisasterView },
  "POST /disaster-declaration": { 200: DisasterView },
  "DELETE /disaster-declaration": { 204: NoContent },
};

/** Consent routes acting on one member's records (team scope). */
export const CONSENT_SCOPE = {
  "GET /members/:id/consents": "member",
  "POST /members/:id/consents": "member",
  "GET /members/:id/consents/fhir": "member",
  "GET /members/:id/disclosures": "member",
  "POST /members/:id/disclosures": "member",
} as const;
