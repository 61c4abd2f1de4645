/**
 * Providers update their own entry by invitation (issue 14): a coordinator
 * creates a link for one provider (directory organization) or one service; the
 * provider opens it without an account (the token is in the URL, kept only as
 * its SHA-256 hash, single use, expiring) and proposes changes; a coordinator
 * approves them — applied through the directory's own update commands
 * (engine/services.ts, engine/organizations.ts), so the history of changes
 * (directory_metadata.updated_by) names the provider's invitation as the source,
 * `provider:invitation:<id>` — or rejects them with a note.
 *
 * Tables (migration 2000): directory_invitations, directory_proposed_changes.
 */
import { createHash, randomBytes } from "node:crypto";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import type { DirectoryProposalStatus } from "../domain/kinds.ts";
import { getDirectoryOrganization, updateDirectoryOrganization } from "./organizations.ts";
import { getDirectoryService, updateDirectoryService } from "./services.ts";

/** How long a link works, in days (default), and at most. */
export const INVITATION_DAYS = 14;
export const MAX_INVITATION_DAYS = 60;

/** What a provider may change of a service, and of a provider (the public facts; never owners, status or listing). */
export const SERVICE_PROPOSAL_FIELDS = ["name", "description", "url", "email", "eligibilityDescription", "feesDescription", "applicationProcess", "alert"] as const;
export const ORGANIZATION_PROPOSAL_FIELDS = ["name", "description", "email", "website"] as const;
export type ProposalField = (typeof SERVICE_PROPOSAL_FIELDS)[number] | (typeof ORGANIZATION_PROPOSAL_FIELDS)[number];

const COLUMN: Record<ProposalField, string> = {
  name: "name", description: "description", url: "url", email: "email", eligibilityDescription: "eligibility_description",
  feesDescription: "fees_description", applicationProcess: "application_process", alert: "alert", website: "website",
};

export type ProposalResource = "organization" | "service";
/** The proposed values, field → new value (null: cleared). */
export type ProposedValues = Partial<Record<ProposalField, string | null>>;

export const hashInvitationToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface ProviderInvitation {
  id: string;
  organisationId: string;
  resourceType: ProposalResource;
  resourceId: string;
  email: string | null;
  createdBy: string;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

type InvitationRow = {
  id: string; organisation_id: string; directory_organization_id: string | null; service_id: string | null; email: string | null;
  created_by: string; created_at: Date; expires_at: Date; used_at: Date | null; revoked_at: Date | null;
};
const toInvitation = (r: InvitationRow): ProviderInvitation => ({
  id: r.id, organisationId: r.organisation_id, resourceType: r.service_id ? "service" : "organization", resourceId: (r.service_id ?? r.directory_organization_id)!,
  email: r.email, createdBy: r.created_by, createdAt: r.created_at, expiresAt: r.expires_at, usedAt: r.used_at, revokedAt: r.revoked_at,
});
const INVITATION_COLUMNS = ["id", "organisation_id", "directory_organization_id", "service_id", "email", "created_by", "created_at", "expires_at", "used_at", "revoked_at"] as const;

export class ProviderInvitationError extends Error {
  readonly code: "target_not_found" | "invitation_not_found" | "invitation_used" | "proposal_not_found" | "proposal_decided" | "proposal_refused";
  readonly field: string | undefined;
  constructor(code: ProviderInvitationError["code"], message: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

/** The current values of the fields a provider may change (the form shows them). */
export async function currentValues(db: Db, organisationId: string, resourceType: ProposalResource, resourceId: string): Promise<{ name: string; values: ProposedValues } | undefined> {
  const row = resourceType === "service" ? await getDirectoryService(db, organisationId, resourceId) : await getDirectoryOrganization(db, organisationId, resourceId);
  if (!row) return undefined;
  const fields = resourceType === "service" ? SERVICE_PROPOSAL_FIELDS : ORGANIZATION_PROPOSAL_FIELDS;
  const r = row as unknown as Record<string, string | null>;
  return { name: String(r.name), values: Object.fromEntries(fields.map((f) => [f, r[COLUMN[f]] ?? null])) };
}

/**
 * Creates a link for a provider or a service; returns it with its token (shown
 * once; only its hash is kept). Error: target_not_found (field serviceId or
 * directoryOrganizationId).
 */
export async function createInvitation(
  db: Db, organisationId: string, target: { resourceType: ProposalResource; resourceId: string; email: string | null; days: number }, by: string, now: Date,
): Promise<{ invitation: ProviderInvitation; token: string }> {
  if (!await currentValues(db, organisationId, target.resourceType, target.resourceId)) {
    throw new ProviderInvitationError("target_not_found", "no such provider or service", target.resourceType === "service" ? "serviceId" : "directoryOrganizationId");
  }
  const token = `mdp_${randomBytes(24).toString("base64url")}`;
  const row = await db.insertInto("directory_invitations").values({
    id: newId(), organisation_id: organisationId, directory_organization_id: target.resourceType === "organization" ? target.resourceId : null,
    service_id: target.resourceType === "service" ? target.resourceId : null, email: target.email, token_hash: hashInvitationToken(token),
    created_by: by, created_at: now, expires_at: new Date(now.getTime() + target.days * 86_400_000),
  }).returning(INVITATION_COLUMNS).executeTakeFirstOrThrow();
  return { invitation: toInvitation(row as InvitationRow), token };
}

export async function listInvitations(db: Db, organisationId: string): Promise<ProviderInvitation[]> {
  return (await db.selectFrom("directory_invitations").select(INVITATION_COLUMNS).where("organisation_id", "=", organisationId)
    .orderBy("created_at", "desc").orderBy("id").limit(500).execute()).map((r) => toInvitation(r as InvitationRow));
}

/** Why a link does not open: it names nothing, has expired, was used or was revoked. */
export type LinkProblem = "unknown" | "expired" | "used" | "revoked";

/** The invitation a token opens at `now`, or the problem. */
export async function openProviderInvitation(db: Db, token: string, now: Date): Promise<{ invitation: ProviderInvitation } | { problem: LinkProblem }> {
  if (!/^mdp_[A-Za-z0-9_-]{32}$/.test(token)) return { problem: "unknown" };
  const row = await db.selectFrom("directory_invitations").select(INVITATION_COLUMNS).where("token_hash", "=", hashInvitationToken(token)).executeTakeFirst();
  if (!row) return { problem: "unknown" };
  const invitation = toInvitation(row as InvitationRow);
  if (invitation.revokedAt) return { problem: "revoked" };
  if (invitation.usedAt) return { problem: "used" };
  if (invitation.expiresAt <= now) return { problem: "expired" };
  return { invitation };
}

/**
 * Stores the provider's proposal (only fields whose value differs from the
 * current one; the caller has validated them) and uses up the link, in one
 * transaction; a second submit of the same link finds it used.
 */
export async function submitProposal(db: Db, invitation: ProviderInvitation, changes: ProposedValues, now: Date): Promise<{ id: string } | { problem: LinkProblem }> {
  return inTransaction(db, async (tx) => {
    const used = await tx.updateTable("directory_invitations").set({ used_at: now }).where("organisation_id", "=", invitation.organisationId)
      .where("id", "=", invitation.id).where("used_at", "is", null).where("revoked_at", "is", null).where("expires_at", ">", now).returning("id").executeTakeFirst();
    if (!used) return { problem: "used" as const };
    const id = newId();
    await tx.insertInto("directory_proposed_changes").values({
      id, organisation_id: invitation.organisationId, invitation_id: invitation.id, resource_type: invitation.resourceType, resource_id: invitation.resourceId,
      changes: JSON.stringify(changes), submitted_at: now,
    }).execute();
    return { id };
  });
}

export interface Proposal {
  id: string;
  invitationId: string;
  resourceType: ProposalResource;
  resourceId: string;
  resourceName: string | null;
  changes: ProposedValues;
  /** The values now, for the fields proposed (null: the entry is gone). */
  current: ProposedValues | null;
  status: DirectoryProposalStatus;
  submittedAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
}

const PROPOSAL_COLUMNS = ["id", "invitation_id", "resource_type", "resource_id", "changes", "status", "submitted_at", "decided_by", "decided_at", "decision_note"] as const;

async function toProposal(db: Db, organisationId: string, r: Record<string, unknown>): Promise<Proposal> {
  const changes = (typeof r.changes === "string" ? JSON.parse(r.changes) : r.changes) as ProposedValues;
  const now = await currentValues(db, organisationId, r.resource_type as ProposalResource, r.resource_id as string);
  return {
    id: r.id as string, invitationId: r.invitation_id as string, resourceType: r.resource_type as ProposalResource, resourceId: r.resource_id as string,
    resourceName: now?.name ?? null, changes,
    current: now ? Object.fromEntries(Object.keys(changes).map((k) => [k, now.values[k as ProposalField] ?? null])) : null,
    status: r.status as DirectoryProposalStatus, submittedAt: r.submitted_at as Date, decidedBy: r.decided_by as string | null,
    decidedAt: r.decided_at as Date | null, decisionNote: r.decision_note as string | null,
  };
}

/** Proposals, oldest pending first (or of one status, newest first). */
export async function listProposals(db: Db, organisationId: string, status?: DirectoryProposalStatus): Promise<Proposal[]> {
  let q = db.selectFrom("directory_proposed_changes").select(PROPOSAL_COLUMNS).where("organisation_id", "=", organisationId);
  q = status ? q.where("status", "=", status) : q;
  const rows = await q.orderBy("submitted_at", status === "pending" ? "asc" : "desc").orderBy("id").limit(500).execute();
  const out: Proposal[] = [];
  for (const r of rows) out.push(await toProposal(db, organisationId, r as Record<string, unknown>));
  return out;
}

/**
 * Approves (the changes applied through the update command, recorded as the
 * provider's) or rejects a pending proposal, with the coordinator and a note.
 * One transaction: the proposal is locked and checked pending, every proposed
 * field applied with its history (directory_metadata), and the proposal marked —
 * any failure part-way leaves the entry, its history and the proposal as they were.
 * Errors: proposal_not_found, proposal_decided (not pending any more),
 * proposal_refused (the entry refused the change now: gone, or a rule; field names it).
 */
export async function decideProposal(
  db: Db, organisationId: string, id: string, decision: "approved" | "rejected", note: string | null, by: string, now: Date,
): Promise<Proposal> {
  const row = await inTransaction(db, async (tx) => {
    const locked = await tx.selectFrom("directory_proposed_changes").select(PROPOSAL_COLUMNS).where("organisation_id", "=", organisationId).where("id", "=", id)
      .forUpdate().executeTakeFirst();
    if (!locked) throw new ProviderInvitationError("proposal_not_found", "no such proposal");
    if (locked.status !== "pending") throw new ProviderInvitationError("proposal_decided", "this proposal was approved or rejected already");
    if (decision === "approved") {
      const changes = (typeof locked.changes === "string" ? JSON.parse(locked.changes) : locked.changes) as Record<string, string | null> & { name?: string };
      const source = `provider:invitation:${locked.invitation_id}`;
      // The update commands join this transaction (records.ts inDirectoryTransaction), so a later failure undoes the fields too.
      const result = locked.resource_type === "service"
        ? await updateDirectoryService(tx, organisationId, locked.resource_id, changes, source, now)
        : await updateDirectoryOrganization(tx, organisationId, locked.resource_id, changes, source, now);
      if (!result.ok) throw new ProviderInvitationError("proposal_refused", `the entry refused the change (${result.error})`, result.field);
    }
    return tx.updateTable("directory_proposed_changes").set({ status: decision, decided_by: by, decided_at: now, decision_note: note })
      .where("organisation_id", "=", organisationId).where("id", "=", id).returning(PROPOSAL_COLUMNS).executeTakeFirstOrThrow();
  });
  return toProposal(db, organisationId, row as Record<string, unknown>);
}

/**
 * Withdraws a link before the provider uses it: the page then refuses it as it
 * refuses an expired one, and nothing can be proposed through it. Revoking a
 * revoked link changes nothing. Errors: invitation_not_found, invitation_used
 * (the provider has sent its proposal already: reject that instead).
 */
export async function revokeInvitation(db: Db, organisationId: string, id: string, now: Date): Promise<ProviderInvitation> {
  return inTransaction(db, async (tx) => {
    const row = await tx.selectFrom("directory_invitations").select(INVITATION_COLUMNS).where("organisation_id", "=", organisationId).where("id", "=", id)
      .forUpdate().executeTakeFirst();
    if (!row) throw new ProviderInvitationError("invitation_not_found", "no such link");
    const invitation = toInvitation(row as InvitationRow);
    if (invitation.usedAt) throw new ProviderInvitationError("invitation_used", "the provider has used this link already; approve or reject its proposal");
    if (invitation.revokedAt) return invitation;
    const revoked = await tx.updateTable("directory_invitations").set({ revoked_at: now }).where("organisation_id", "=", organisationId).where("id", "=", id)
      .returning(INVITATION_COLUMNS).executeTakeFirstOrThrow();
    return toInvitation(revoked as InvitationRow);
  });
}
