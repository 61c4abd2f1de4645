/**
 * Which team a record belongs to, for the team staff rule (http/team-scope.ts):
 * a member's team; a contact's, incident's or visit's member's team.
 */
import { sql } from "kysely";
import type { Db } from "../store/db.ts";

export type ScopedKind = "member" | "contact" | "incident" | "visit";

const TABLE: Record<Exclude<ScopedKind, "member">, "contacts" | "incidents" | "visits"> = { contact: "contacts", incident: "incidents", visit: "visits" };

/** The team of the member behind `kind` `id` in the organisation; undefined when there is no such record. */
export async function teamOf(db: Db, organisationId: string, kind: ScopedKind, id: string): Promise<string | undefined> {
  if (kind === "member") {
    const row = await db.selectFrom("members").select("team_id").where("organisation_id", "=", organisationId).where("id", "=", id).executeTakeFirst();
    return row?.team_id;
  }
  const { rows } = await sql<{ team_id: string }>`
    select m.team_id from ${sql.table(TABLE[kind])} r join members m on m.id = r.member_id and m.organisation_id = r.organisation_id
    where r.organisation_id = ${organisationId} and r.id = ${id}`.execute(db);
  return rows[0]?.team_id;
}
