/** The audit log: every view or export of personal information, and every change, by whom. */
import type { FastifyRequest } from "fastify";
import { newId } from "../ids.ts";
import type { Db } from "../store/db.ts";
import { actorOf } from "./auth.ts";

const audited = new WeakSet<FastifyRequest>();

/** Whether this request already wrote an audit entry (then its answer needs no `personal.view` entry). */
export function wasAudited(request: FastifyRequest): boolean {
  return audited.has(request);
}

async function write(
  db: Db, organisationId: string, actor: string, action: string, subjectKind: string, subjectId: string | null, detail: Record<string, unknown>,
): Promise<void> {
  await db.insertInto("audit_log").values({
    id: newId(),
    organisation_id: organisationId,
    // wall-clock: the audit log records when a person really acted, not the sandbox's virtual time.
    at: new Date(),
    actor,
    action,
    subject_kind: subjectKind,
    subject_id: subjectId,
    detail: JSON.stringify(detail),
  }).execute();
}

/** Writes one audit entry for the request's principal (`token:<name>:<id>` or `person:<name>:<id>`). */
export async function audit(
  db: Db, request: FastifyRequest, action: string, subjectKind: string, subjectId: string | null, detail: Record<string, unknown> = {},
): Promise<void> {
  await write(db, request.principal.organisationId, actorOf(request.principal), action, subjectKind, subjectId, { ip: request.ip, ...detail });
  audited.add(request);
}

/**
 * An audit entry for a request that has no principal (signing in, accepting an
 * invitation): the organisation and the actor are given.
 */
export async function auditAs(
  db: Db, request: FastifyRequest, organisationId: string, actor: string, action: string, subjectKind: string, subjectId: string | null,
  detail: Record<string, unknown> = {},
): Promise<void> {
  await write(db, organisationId, actor, action, subjectKind, subjectId, { ip: request.ip, userAgent: request.headers["user-agent"] ?? null, ...detail });
  audited.add(request);
}
