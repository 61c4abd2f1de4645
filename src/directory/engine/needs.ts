/**
 * Needs (困りごと): recorded from the console, from an incident's outcome, a
 * visit's outcome or a partner's report, always linked to a member; listed, read
 * with their volunteer requests, and closed. Every change happens here, once;
 * the routes (http/needs.ts) validate, check the team and audit.
 *
 * An incident's or a visit's outcome becomes a need through this command (the
 * console offers it after resolving): the need takes the member from the
 * incident or visit and, unless staff wrote their own words, its outcome note
 * ("買い物が難しい") as its note; the record's id is kept as `source_id`. The core
 * is not changed for this (it never imports the directory). A partner's report
 * belongs to the network, which the directory never imports: it is read through
 * a port (ports.ts PartnerReportOf, wired in service.ts) and taken over the same
 * way — its member, and its words as the note.
 */
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import { needClosed, type NeedSource, type NeedStatus } from "../domain/needs.ts";
import type { PartnerReportOf } from "./ports.ts";
import { tellWithdrawn } from "./volunteer-messages.ts";
import "../store/needs-schema.ts";

export interface NeedInput {
  source: NeedSource;
  /** The incident, visit or partner report it came from (required unless `console`). */
  sourceId?: string | null;
  /** Required for `console`; for an incident, a visit or a partner report, it must be theirs when given. */
  memberId?: string | null;
  taxonomyCodes: string[];
  /** Staff's words; for an incident or visit, its outcome note when left out or blank; for a partner report, the report's words. */
  note?: string | null;
  wantedAt?: Date | null;
}

export const NEED_ERRORS = ["member_not_found", "source_not_found", "source_member_mismatch", "source_without_member", "need_not_found", "need_closed"] as const;
export type NeedErrorCode = (typeof NEED_ERRORS)[number];

/** A refused need command: the code and the input field it concerns. */
export class NeedError extends Error {
  readonly code: NeedErrorCode;
  readonly field: string | undefined;
  constructor(code: NeedErrorCode, message: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

export interface DirectoryNeed {
  id: string;
  memberId: string;
  memberName: string;
  teamId: string;
  source: NeedSource;
  sourceId: string | null;
  taxonomyCodes: string[];
  note: string;
  wantedAt: Date | null;
  status: NeedStatus;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

/**
 * Where a need's member and default note come from: the member named (console),
 * or the incident's, visit's or partner report's (read through the port
 * `partnerReport`; without it every report is unknown). Errors: NeedError
 * source_not_found (sourceId: none in this organisation), source_without_member
 * (sourceId: a report not linked to a member yet — link it in triage),
 * source_member_mismatch (memberId: another member than the source's),
 * member_not_found (memberId: none named for the console).
 */
export async function needSource(
  tx: Db, organisationId: string, input: Pick<NeedInput, "source" | "sourceId" | "memberId">, partnerReport?: PartnerReportOf,
): Promise<{ memberId: string; note: string }> {
  if (input.source === "partner_report") {
    const report = partnerReport && input.sourceId ? await partnerReport(tx, organisationId, input.sourceId) : undefined;
    if (!report) throw new NeedError("source_not_found", "no such partner report", "sourceId");
    if (!report.memberId) throw new NeedError("source_without_member", "the report is not linked to a member: link it in triage first", "sourceId");
    if (input.memberId && input.memberId !== report.memberId) {
      throw new NeedError("source_member_mismatch", "the partner report is about another member", "memberId");
    }
    return { memberId: report.memberId, note: report.text };
  }
  if (input.source === "incident" || input.source === "visit") {
    const row = input.source === "incident"
      ? await tx.selectFrom("incidents").select(["member_id", "note"]).where("organisation_id", "=", organisationId)
        .where("id", "=", input.sourceId ?? "").executeTakeFirst()
      : await tx.selectFrom("visits").select(["member_id", "outcome_note as note"]).where("organisation_id", "=", organisationId)
        .where("id", "=", input.sourceId ?? "").executeTakeFirst();
    if (!row) throw new NeedError("source_not_found", `no such ${input.source}`, "sourceId");
    if (input.memberId && input.memberId !== row.member_id) {
      throw new NeedError("source_member_mismatch", `the ${input.source} is about another member`, "memberId");
    }
    return { memberId: row.member_id, note: row.note ?? "" };
  }
  if (!input.memberId) throw new NeedError("member_not_found", "name the member the need is about", "memberId");
  return { memberId: input.memberId, note: "" };
}

/**
 * Records a need: the member (or the source's) must exist and not be erased.
 * Taxonomy codes are stored once each, in the order given; `partnerReport`
 * reads a partner report's member and words (needSource). Errors: NeedError
 * (member_not_found, source_not_found, source_without_member, source_member_mismatch).
 */
export async function recordNeed(db: Db, organisationId: string, input: NeedInput, by: string, now: Date, partnerReport?: PartnerReportOf): Promise<DirectoryNeed> {
  const id = await inTransaction(db, async (tx) => {
    const { memberId, note } = await needSource(tx, organisationId, input, partnerReport);
    const member = await tx.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "=", memberId)
      .where("erased_at", "is", null).executeTakeFirst();
    if (!member) throw new NeedError("member_not_found", "no such member", "memberId");
    const id = newId();
    await tx.insertInto("directory_needs").values({
      id, organisation_id: organisationId, member_id: memberId, source: input.source, source_id: input.source === "console" ? null : input.sourceId ?? null,
      taxonomy_codes: [...new Set(input.taxonomyCodes)], note: input.note?.trim() ? input.note.trim() : note, wanted_at: input.wantedAt ?? null,
      created_by: by, created_at: now, updated_at: now,
    }).execute();
    return id;
  });
  return (await getNeed(db, organisationId, id)) as DirectoryNeed;
}

function needQuery(db: Db, organisationId: string) {
  return db.selectFrom("directory_needs as n")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "n.member_id").onRef("m.organisation_id", "=", "n.organisation_id"))
    .select(["n.id", "n.member_id", "m.display_name", "m.team_id", "n.source", "n.source_id", "n.taxonomy_codes", "n.note", "n.wanted_at", "n.status",
      "n.created_by", "n.created_at", "n.updated_at", "n.closed_at"])
    .where("n.organisation_id", "=", organisationId);
}

type NeedRow = Awaited<ReturnType<ReturnType<typeof needQuery>["executeTakeFirstOrThrow"]>>;

function needOf(r: NeedRow): DirectoryNeed {
  return {
    id: r.id, memberId: r.member_id, memberName: r.display_name, teamId: r.team_id, source: r.source, sourceId: r.source_id,
    taxonomyCodes: r.taxonomy_codes, note: r.note, wantedAt: r.wanted_at, status: r.status, createdBy: r.created_by, createdAt: r.created_at,
    updatedAt: r.updated_at, closedAt: r.closed_at,
  };
}

/** One need, or undefined. */
export async function getNeed(db: Db, organisationId: string, needId: string): Promise<DirectoryNeed | undefined> {
  const row = await needQuery(db, organisationId).where("n.id", "=", needId).executeTakeFirst();
  return row ? needOf(row) : undefined;
}

/** The team of a need's member (team scope), or undefined when there is no such need. */
export async function needTeam(db: Db, organisationId: string, needId: string): Promise<string | undefined> {
  return (await needQuery(db, organisationId).where("n.id", "=", needId).executeTakeFirst())?.team_id;
}

export interface NeedFilter {
  status?: NeedStatus;
  memberId?: string;
  /** Only these teams' members (a team staff's scope); undefined: every team. */
  teamIds?: string[];
  limit: number;
}

/** Needs, newest first. */
export async function listNeeds(db: Db, organisationId: string, filter: NeedFilter): Promise<DirectoryNeed[]> {
  if (filter.teamIds?.length === 0) return [];
  let q = needQuery(db, organisationId);
  if (filter.status) q = q.where("n.status", "=", filter.status);
  if (filter.memberId) q = q.where("n.member_id", "=", filter.memberId);
  if (filter.teamIds) q = q.where("m.team_id", "in", filter.teamIds);
  return (await q.orderBy("n.created_at", "desc").orderBy("n.id", "desc").limit(filter.limit).execute()).map(needOf);
}

/**
 * Closes a need (resolved or withdrawn) or opens a closed one again. Closing
 * withdraws its open offers (volunteers are not left waiting; those told of one are told it is no longer needed). Errors: NeedError
 * need_not_found. Returns the need as it is afterwards.
 */
export async function setNeedStatus(
  db: Db, organisationId: string, needId: string, status: "open" | "resolved" | "withdrawn", now: Date,
): Promise<DirectoryNeed> {
  await inTransaction(db, async (tx) => {
    const need = await tx.selectFrom("directory_needs").select(["status"]).where("organisation_id", "=", organisationId).where("id", "=", needId)
      .forUpdate().executeTakeFirst();
    if (!need) throw new NeedError("need_not_found", "no such need");
    if (need.status === status) return;
    await tx.updateTable("directory_needs").set({ status, updated_at: now, closed_at: needClosed(status) ? now : null })
      .where("organisation_id", "=", organisationId).where("id", "=", needId).execute();
    if (needClosed(status)) {
      const withdrawn = await tx.updateTable("directory_volunteer_requests").set({ status: "withdrawn", respond_by: null, answered_at: now, reason: `need_${status}` })
        .where("organisation_id", "=", organisationId).where("need_id", "=", needId).where("status", "=", "offered").returning("id").execute();
      // Volunteers told about an offer hear it is no longer needed (engine/volunteer-messages.ts).
      await tellWithdrawn(tx, organisationId, withdrawn.map((w) => w.id), `need_${status}`, now);
    }
  });
  return (await getNeed(db, organisationId, needId)) as DirectoryNeed;
}
