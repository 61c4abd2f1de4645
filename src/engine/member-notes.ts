/**
 * Notes on a member (申し送り): what the next person on duty should know, with who
 * wrote it and when. A note changes no state; notes are listed newest first.
 */
import { newId } from "../ids.ts";
import type { Db } from "../store/db.ts";

export interface MemberNote {
  id: string;
  note: string;
  /** Who wrote it: an audit actor (`person:<name>:<id>` or `token:<name>:<id>`). */
  createdBy: string;
  createdAt: Date;
}

async function memberExists(db: Db, organisationId: string, memberId: string): Promise<boolean> {
  const member = await db.selectFrom("members").select("id").where("id", "=", memberId).where("organisation_id", "=", organisationId).executeTakeFirst();
  return member !== undefined;
}

/** Adds a note by `by` (an actor); undefined when the member is not the organisation's. */
export async function addMemberNote(db: Db, organisationId: string, memberId: string, note: string, by: string, now: Date): Promise<MemberNote | undefined> {
  if (!(await memberExists(db, organisationId, memberId))) return undefined;
  const row = { id: newId(), organisation_id: organisationId, member_id: memberId, note, created_by: by, created_at: now };
  await db.insertInto("member_notes").values(row).execute();
  return { id: row.id, note, createdBy: by, createdAt: now };
}

/** A member's notes, newest first, at most `limit`; undefined when the member is not the organisation's. */
export async function listMemberNotes(db: Db, organisationId: string, memberId: string, limit: number): Promise<MemberNote[] | undefined> {
  if (!(await memberExists(db, organisationId, memberId))) return undefined;
  const rows = await db.selectFrom("member_notes").select(["id", "note", "created_by", "created_at"])
    .where("member_id", "=", memberId).where("organisation_id", "=", organisationId)
    .orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
  return rows.map((r) => ({ id: r.id, note: r.note, createdBy: r.created_by, createdAt: r.created_at }));
}
