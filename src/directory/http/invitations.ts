/**
 * Providers' self-update by invitation (engine/invitations.ts):
 * - staff routes under /api/v1/directory: create a link for a provider or a
 *   service (its token shown once), list links, list proposals with the values
 *   now beside the proposed ones, approve or reject one (zod, access per route,
 *   audited);
 * - the provider's public page outside /api/v1, GET and POST
 *   /provider-update/{token}: no account, no JavaScript, Japanese first, large
 *   type; refused input comes back on the page naming the field (400), nothing
 *   stored; a valid proposal uses up the link.
 * The provider's input is checked with the same schemas as staff's changes
 * (http/directory.ts), so an approved proposal passes the update command.
 */
import type { FastifyInstance } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/auth.ts";
import { audit } from "../../http/audit.ts";
import { ApiError, notFound } from "../../http/errors.ts";
import { Id, IdParams, optionalText } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { DIRECTORY_PROPOSAL_STATUSES } from "../domain/kinds.ts";
import { linkExpired } from "../domain/links.ts";
import {
  createInvitation, currentValues, decideProposal, type ProviderInvitation, ProviderInvitationError, INVITATION_DAYS, listInvitations, listProposals, MAX_INVITATION_DAYS,
  openProviderInvitation, ORGANIZATION_PROPOSAL_FIELDS, type Proposal, type ProposalField, type ProposedValues, revokeInvitation, SERVICE_PROPOSAL_FIELDS, submitProposal,
} from "../engine/invitations.ts";
import { DirectoryOrganizationPatch, DirectoryServicePatch } from "./directory.ts";
import { sendPage } from "../../http/public-pages.ts";
import { privatePageScope } from "./private-pages.ts";
import { type ProposalFieldError, providerUpdateProblemPage, thanksPage, updateFormPage } from "./provider-update-pages.ts";

const tags = ["directory"];
const Time = z.string().describe("ISO 8601 date-time, UTC");

export const InvitationCreate = z.strictObject({
  serviceId: Id.optional().describe("a service's entry"),
  directoryOrganizationId: Id.optional().describe("a provider's entry"),
  email: z.email({ message: "must be an e-mail address" }).max(320).nullable().optional().describe("whom the link is for (the provider's address; sending it is up to you)"),
  days: z.number().int().min(1).max(MAX_INVITATION_DAYS).optional().describe(`days the link works (default ${INVITATION_DAYS})`),
}).superRefine((b, ctx) => {
  if ((b.serviceId === undefined) === (b.directoryOrganizationId === undefined)) {
    ctx.addIssue({ code: "custom", path: ["serviceId"], message: "name exactly one of serviceId and directoryOrganizationId" });
  }
});
const ProposalQuery = z.strictObject({ status: z.enum(DIRECTORY_PROPOSAL_STATUSES).optional() });
export const DecisionInput = z.strictObject({ note: optionalText(1000, true).optional().describe("why (a rejection's reason, shown to staff)") });

const InvitationView = z.object({
  id: z.string(), resourceType: z.enum(["organization", "service"]), resourceId: z.string(), email: z.string().nullable(),
  createdBy: z.string(), createdAt: Time, expiresAt: Time, usedAt: Time.nullable(), revokedAt: Time.nullable(),
  expired: z.boolean().describe("past its expiry by the server's clock (the console lists the open links by it, not by the browser's clock)"),
}).meta({ id: "DirectoryInvitation" });
export const InvitationCreated = InvitationView.extend({
  token: z.string().describe("shown once; only its hash is kept"), path: z.string().describe("the provider's page: /provider-update/{token} on this service"),
}).meta({ id: "DirectoryInvitationCreated" });
export const InvitationList = z.object({ invitations: z.array(InvitationView) });
const Values = z.record(z.string(), z.string().nullable());
const ProposalView = z.object({
  id: z.string(), invitationId: z.string(), resourceType: z.enum(["organization", "service"]), resourceId: z.string(), resourceName: z.string().nullable(),
  changes: Values.describe("field → the provider's value (null: cleared)"), current: Values.nullable().describe("the same fields' values now (null: the entry is gone)"),
  status: z.enum(DIRECTORY_PROPOSAL_STATUSES), submittedAt: Time, by: z.string().nullable().describe("who approved or rejected it"), decidedAt: Time.nullable(), decisionNote: z.string().nullable(),
}).meta({ id: "DirectoryProposal" });
export const ProposalList = z.object({ proposals: z.array(ProposalView) });

/** The audit log's subject kind of an entry. */
const AUDIT_SUBJECT = { service: "directory_service", organization: "directory_organization" } as const;

const iso = (d: Date | null) => d?.toISOString() ?? null;
const invitationView = (i: ProviderInvitation, now: Date) => ({
  id: i.id, resourceType: i.resourceType, resourceId: i.resourceId, email: i.email, createdBy: i.createdBy, createdAt: i.createdAt.toISOString(),
  expiresAt: i.expiresAt.toISOString(), usedAt: iso(i.usedAt), revokedAt: iso(i.revokedAt), expired: linkExpired(i.expiresAt, now),
});
const proposalView = (p: Proposal) => ({
  id: p.id, invitationId: p.invitationId, resourceType: p.resourceType, resourceId: p.resourceId, resourceName: p.resourceName, changes: p.changes,
  current: p.current, status: p.status, submittedAt: p.submittedAt.toISOString(), by: p.decidedBy, decidedAt: iso(p.decidedAt), decisionNote: p.decisionNote,
});

export const INVITATION_ERROR_CODES = {
  invitation_used: "the provider has used this link already: approve or reject its proposal instead",
  proposal_decided: "the provider's proposal was approved or rejected already",
  proposal_refused: "the entry refused the proposed change now (it is gone, or a rule refuses it): reject it, or change the entry yourself",
} as const;

async function attempt<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ProviderInvitationError) {
      if (error.code === "proposal_not_found") throw notFound("proposal");
      if (error.code === "invitation_not_found") throw notFound("invitation");
      if (error.code === "target_not_found") throw new ApiError(422, "unknown_reference", error.message, error.field);
      throw new ApiError(409, error.code, error.message, error.field);
    }
    throw error;
  }
}

export function invitationRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.post("/directory/invitations", {
      schema: { tags, body: InvitationCreate, summary: "Create a link for a provider to propose changes to its entry (the token is shown once)" },
    }, async (request, reply) => {
      const b = request.body;
      const created = await attempt(() => createInvitation(s.db, request.principal.organisationId, {
        resourceType: b.serviceId ? "service" : "organization", resourceId: (b.serviceId ?? b.directoryOrganizationId)!, email: b.email ?? null,
        days: b.days ?? INVITATION_DAYS,
      }, actorOf(request.principal), s.clock.now()));
      await audit(s.db, request, "directory_invitation.create", AUDIT_SUBJECT[created.invitation.resourceType], created.invitation.resourceId, { invitationId: created.invitation.id });
      return reply.code(201).send({ ...invitationView(created.invitation, s.clock.now()), token: created.token, path: `/provider-update/${created.token}` });
    });

    app.get("/directory/invitations", { schema: { tags, summary: "Links sent to providers, newest first" } }, async (request) => ({
      invitations: (await listInvitations(s.db, request.principal.organisationId)).map((i) => invitationView(i, s.clock.now())),
    }));

    app.post("/directory/invitations/:id/revoke", {
      schema: {
        tags, params: IdParams,
        summary: "Withdraw a link the provider has not used: its page then refuses it as an expired one (revoking twice changes nothing)",
      },
    }, async (request) => {
      const invitation = await attempt(() => revokeInvitation(s.db, request.principal.organisationId, request.params.id, s.clock.now()));
      await audit(s.db, request, "directory_invitation.revoke", AUDIT_SUBJECT[invitation.resourceType], invitation.resourceId, { invitationId: invitation.id });
      return invitationView(invitation, s.clock.now());
    });

    app.get("/directory/proposed-changes", {
      schema: { tags, querystring: ProposalQuery, summary: "Providers' proposed changes (status=pending: oldest first), with the values now" },
    }, async (request) => ({ proposals: (await listProposals(s.db, request.principal.organisationId, request.query.status)).map(proposalView) }));

    for (const [verb, decision] of [["approve", "approved"], ["reject", "rejected"]] as const) {
      app.post(`/directory/proposed-changes/:id/${verb}`, {
        schema: {
          tags, params: IdParams, body: DecisionInput,
          summary: verb === "approve" ? "Approve a provider's proposal: its changes are applied, the history naming the provider's link as the source"
            : "Reject a provider's proposal (nothing changes)",
        },
      }, async (request) => {
        const p = await attempt(() => decideProposal(s.db, request.principal.organisationId, request.params.id, decision, request.body?.note ?? null,
          actorOf(request.principal), s.clock.now()));
        const detail = { proposalId: p.id, fields: Object.keys(p.changes) };
        if (decision === "approved") await audit(s.db, request, "directory_proposal.approve", AUDIT_SUBJECT[p.resourceType], p.resourceId, detail);
        else await audit(s.db, request, "directory_proposal.reject", AUDIT_SUBJECT[p.resourceType], p.resourceId, detail);
        return proposalView(p);
      });
    }
  };
}

export const INVITATION_ACCESS = {
  "POST /directory/invitations": "staff",
  "GET /directory/invitations": "observer",
  "POST /directory/invitations/:id/revoke": "staff",
  "GET /directory/proposed-changes": "observer",
  "POST /directory/proposed-changes/:id/approve": "staff",
  "POST /directory/proposed-changes/:id/reject": "staff",
} as const;

export const INVITATION_RESPONSES = {
  "POST /directory/invitations": { 201: InvitationCreated },
  "GET /directory/invitations": { 200: InvitationList },
  "POST /directory/invitations/:id/revoke": { 200: InvitationView },
  "GET /directory/proposed-changes": { 200: ProposalList },
  "POST /directory/proposed-changes/:id/approve": { 200: ProposalView },
  "POST /directory/proposed-changes/:id/reject": { 200: ProposalView },
};

// ---------------------------------------------------------------- the provider's page

const FORM_LIMIT = 32 * 1024;

const NULLABLE: ReadonlySet<string> = new Set(["url", "website", "email", "eligibilityDescription", "feesDescription", "applicationProcess", "alert"]);

/** The changed fields of a sent form, checked with the staff schemas; errors name the field. */
export function readProposal(
  fields: readonly ProposalField[], body: URLSearchParams, current: ProposedValues, resourceType: "organization" | "service",
): { values: ProposedValues; changes: ProposedValues; errors: ProposalFieldError[] } {
  const values: ProposedValues = {};
  const changes: ProposedValues = {};
  for (const f of fields) {
    const raw = (body.get(f) ?? "").replace(/\r\n/g, "\n").trim();
    values[f] = raw;
    const value = raw === "" && NULLABLE.has(f) ? null : raw;
    if ((current[f] ?? null) !== value && !(value === "" && (current[f] ?? "") === "")) changes[f] = value;
  }
  const errors: ProposalFieldError[] = [];
  if (Object.keys(changes).length === 0) errors.push({ field: "", message: "変更がありません。変わったところを直してから送ってください。(Nothing was changed.)" });
  const checked = (resourceType === "service" ? DirectoryServicePatch : DirectoryOrganizationPatch).safeParse(changes);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      const field = String(issue.path[0] ?? "");
      if (!errors.some((e) => e.field === field)) errors.push({ field, message: `入力を確かめてください。(${issue.message})` });
    }
  }
  return { values, changes, errors };
}

export async function providerUpdatePages(app: FastifyInstance, s: Services): Promise<void> {
  await privatePageScope(app, { formLimit: FORM_LIMIT, what: "provider update page", problem: providerUpdateProblemPage }, (scope) => {
    const options = { schema: { hide: true } } as const;

    const open = async (token: string) => {
      await s.clock.refresh();
      const found = await openProviderInvitation(s.db, token, s.clock.now());
      if ("problem" in found) return found;
      const entry = await currentValues(s.db, found.invitation.organisationId, found.invitation.resourceType, found.invitation.resourceId);
      if (!entry) return { problem: "unknown" as const };
      const fields = found.invitation.resourceType === "service" ? SERVICE_PROPOSAL_FIELDS : ORGANIZATION_PROPOSAL_FIELDS;
      return { invitation: found.invitation, entry, fields };
    };

    scope.get<{ Params: { token: string } }>("/provider-update/:token", options, async (request, reply) => {
      const found = await open(request.params.token);
      if ("problem" in found) return sendPage(reply, providerUpdateProblemPage(found.problem));
      return sendPage(reply, updateFormPage(request.params.token, found.invitation.resourceType, found.entry.name, found.fields, found.entry.values));
    });

    scope.post<{ Params: { token: string } }>("/provider-update/:token", options, async (request, reply) => {
      const found = await open(request.params.token);
      if ("problem" in found) return sendPage(reply, providerUpdateProblemPage(found.problem));
      const body = request.body instanceof URLSearchParams ? request.body : new URLSearchParams();
      const { values, changes, errors } = readProposal(found.fields, body, found.entry.values, found.invitation.resourceType);
      if (errors.length > 0) return sendPage(reply, updateFormPage(request.params.token, found.invitation.resourceType, found.entry.name, found.fields, values, errors));
      const stored = await submitProposal(s.db, found.invitation, changes, s.clock.now());
      if ("problem" in stored) return sendPage(reply, providerUpdateProblemPage(stored.problem));
      return sendPage(reply, thanksPage(found.entry.name));
    });
  });
}
