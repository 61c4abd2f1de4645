/** The audit log: every view or export of personal information, and every change, by whom. */
import type { FastifyRequest } from "fastify";
import { newId } from "../ids.ts";
import type { Db } from "../store/db.ts";

const audited = new WeakSet<FastifyRequest>();

/** Whether this request already wrote an audit entry (then its answer needs no `personal.view` entry). */
export function wasAudited(request: FastifyRequest): boolean {
  return audited.has(request);
}

/** Writes one audit entry for the request's token. */
export async function audit(
  db: Db, request: FastifyRequest, action: string, subjectKind: string, subjectId: string | null, detail: Record<string, unknown> = {},
): Promise<void> {
  await db.insertInto("audit_log").values({
    id: newId(),
    organisation_id: request.principal.organisationId,
    // wall-clock: the audit log records when a person really acted, not the sandbox's virtual time.
    at: new Date(),
    actor: `token:${request.principal.tokenName}:${request.principal.tokenId}`,
    action,
    subject_kind: subjectKind,
    subject_id: subjectId,
    detail: JSON.stringify({ ip: request.ip, ...detail }),
  }).execute();
  audited.add(request);
}
