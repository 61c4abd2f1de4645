/**
 * Registration numbers and the keyholder lookup (engine/registration-numbers.ts
 * has the rules): issue, list and withdraw a member's number; look a member up by
 * number when the police, the fire service or a hospital calls. Every lookup —
 * found or not — is in the audit log with who asked, who was calling and why.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/auth.ts";
import { audit } from "../../http/audit.ts";
import { ApiError, notFound } from "../../http/errors.ts";
import { IdParams, optionalText, phoneAddress, text } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { checkTeam, notInTeam, teamScope } from "../../http/team-scope.ts";
import { CALLER_KINDS } from "../domain/lookups.ts";
import { isRegistrationNumber, normaliseRegistrationNumber } from "../domain/registration-numbers.ts";
import {
  getRegistrationNumber, issueRegistrationNumber, keyholderLookup, listRegistrationNumbers, type RegistrationNumber, withdrawRegistrationNumber,
} from "../engine/registration-numbers.ts";
import { REGISTRATION_NUMBER_KINDS } from "../store/schema.ts";

const tags = ["registration numbers"];

const NumberText = z.string().trim().max(40, "at most 40 characters")
  .refine(isRegistrationNumber, "must be 4–16 letters or digits (hyphens and spaces are ignored)");

export const RegistrationNumberInput = z.strictObject({
  registrationNumber: NumberText.describe("as printed on the card, keyholder or sticker; full-width digits, hyphens and spaces fold"),
  kind: z.enum(REGISTRATION_NUMBER_KINDS).default("keyholder"),
});

export const LookupInput = z.strictObject({
  registrationNumber: NumberText,
  caller: z.strictObject({
    kind: z.enum(CALLER_KINDS).describe("police, fire service, hospital, someone else"),
    name: text(100).describe("the caller's name"),
    organisation: optionalText(200).optional().describe("the police station, fire station, hospital"),
    // Read like every phone (E.164): a number that cannot be dialled is refused while the caller is still on the line.
    phone: phoneAddress.optional().describe("a number to call back (090-1234-5678, 03-1234-5678, +81…); stored in E.164"),
  }),
  reason: text(500).describe("why they are calling (recorded in the audit log)"),
  tellTeam: z.boolean().default(false).describe("queue a notice to the member's team"),
});

export const RegistrationNumberView = z.object({
  id: z.string(), memberId: z.string(), registrationNumber: z.string(), kind: z.enum(REGISTRATION_NUMBER_KINDS),
  issuedAt: z.string(), createdBy: z.string().describe("who issued it"), withdrawnAt: z.string().nullable(),
}).meta({ id: "RegistrationNumber" });

export const RegistrationNumberList = z.object({ registrationNumbers: z.array(RegistrationNumberView).describe("in use first, newest first") });

export const KeyholderCard = z.object({
  lookupId: z.string(),
  lookedUpAt: z.string().describe("when the lookup was recorded, by the service's clock (ISO 8601)"),
  member: z.object({
    id: z.string(), teamId: z.string(), displayName: z.string(), fullName: z.string().nullable(), medicalNotes: z.string().nullable(),
  }),
  contacts: z.array(z.object({ displayName: z.string(), relation: z.string(), phone: z.string().nullable() })).describe("in the member's order"),
  teamTold: z.boolean(),
}).meta({ id: "KeyholderCard" });

const view = (n: RegistrationNumber) => ({
  id: n.id, memberId: n.memberId, registrationNumber: n.number, kind: n.kind, issuedAt: n.issuedAt.toISOString(),
  createdBy: n.issuedBy, withdrawnAt: n.withdrawnAt?.toISOString() ?? null,
});

export function registrationNumberRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/members/:id/registration-numbers", {
      schema: { tags, summary: "A member's registration numbers (card, keyholder, sticker), in use first", params: IdParams },
    }, async (request) => {
      const numbers = await listRegistrationNumbers(s.db, request.principal.organisationId, request.params.id);
      if (!numbers) throw notFound("member");
      return { registrationNumbers: numbers.map(view) };
    });

    app.post("/members/:id/registration-numbers", {
      schema: { tags, summary: "Issue a registration number to a member (unique in the organisation while in use)", params: IdParams, body: RegistrationNumberInput },
    }, async (request, reply) => {
      const r = await issueRegistrationNumber(s.db, request.principal.organisationId, request.params.id,
        { number: request.body.registrationNumber, kind: request.body.kind }, actorOf(request.principal), s.clock.now());
      if (!r.ok && r.error === "member_not_found") throw notFound("member");
      if (!r.ok) throw new ApiError(409, "registration_number_taken", "this number is in use (withdraw it first)", "registrationNumber");
      await audit(s.db, request, "registration_number.issue", "member", request.params.id, { registrationNumberId: r.value.id });
      return reply.code(201).send(view(r.value));
    });

    app.delete("/network/registration-numbers/:id", {
      schema: { tags, summary: "Withdraw a registration number (a lost card, a member who left); its record stays", params: IdParams },
    }, async (request) => {
      const organisationId = request.principal.organisationId;
      const existing = await getRegistrationNumber(s.db, organisationId, request.params.id);
      if (!existing) throw notFound("registration number");
      checkTeam(request.principal, existing.teamId, "id");
      const r = await withdrawRegistrationNumber(s.db, organisationId, request.params.id, s.clock.now());
      if (!r.ok && r.error === "not_found") throw notFound("registration number");
      if (!r.ok) throw new ApiError(409, "registration_number_withdrawn", "this number is withdrawn already", "id");
      await audit(s.db, request, "registration_number.withdraw", "member", r.value.memberId, { registrationNumberId: r.value.id });
      return view(r.value);
    });

    app.post("/network/registration-numbers/lookup", {
      schema: {
        tags, body: LookupInput,
        summary: "Look a member up by registration number for a caller (police, fire, hospital): name, medical notes, contacts; audited",
      },
    }, async (request) => {
      const { registrationNumber, caller, reason, tellTeam } = request.body;
      const organisationId = request.principal.organisationId;
      const card = await keyholderLookup(s.db, organisationId, { number: registrationNumber, caller, reason, tellTeam, teams: teamScope(request.principal) },
        s.clock.now());
      const detail = { registrationNumber: normaliseRegistrationNumber(registrationNumber), caller, reason, tellTeam };
      if (card === "not_in_team") {
        await audit(s.db, request, AUDITED_REFUSALS.notInTeam, "registration_number", null, detail);
        throw notInTeam("registrationNumber");
      }
      if (!card) {
        await audit(s.db, request, AUDITED_REFUSALS.miss, "registration_number", null, detail);
        throw new ApiError(404, "not_found", "no registration number in use matches", "registrationNumber");
      }
      await audit(s.db, request, "keyholder.lookup", "member", card.member.id, { ...detail, lookupId: card.lookupId });
      return { ...card, lookedUpAt: card.lookedUpAt.toISOString() };
    });
  };
}

/**
 * Refused lookups that are still written to the audit log: a number that matches
 * nobody, or a member of another team. Who tried which number, and why, is what an
 * investigation of a misused lookup needs (seed 001's keyholder scheme); these are
 * the only rows a refused request writes.
 */
export const AUDITED_REFUSALS = { miss: "keyholder.lookup_miss", notInTeam: "keyholder.lookup_refused" } as const;

/** Error codes of the registration-number routes (context.ts composes the network's). */
export const REGISTRATION_NUMBER_ERROR_CODES = {
  registration_number_taken: "the registration number is in use in this organisation (withdraw it first)",
  registration_number_withdrawn: "the registration number is withdrawn already",
} as const;

/** Who may call each registration-number route: the lookup is staff's (it shows contacts and medical notes, audited). */
export const REGISTRATION_NUMBER_ACCESS = {
  "GET /members/:id/registration-numbers": "observer",
  "POST /members/:id/registration-numbers": "staff",
  "DELETE /network/registration-numbers/:id": "staff",
  "POST /network/registration-numbers/lookup": "staff",
} as const;

/** The answers of the registration-number routes. */
export const REGISTRATION_NUMBER_RESPONSES = {
  "GET /members/:id/registration-numbers": { 200: RegistrationNumberList },
  "POST /members/:id/registration-numbers": { 201: RegistrationNumberView },
  "DELETE /network/registration-numbers/:id": { 200: RegistrationNumberView },
  "POST /network/registration-numbers/lookup": { 200: KeyholderCard },
};

/** Registration-number routes acting on one member's records (team scope). */
export const REGISTRATION_NUMBER_SCOPE = {
  "GET /members/:id/registration-numbers": "member",
  "POST /members/:id/registration-numbers": "member",
} as const;
