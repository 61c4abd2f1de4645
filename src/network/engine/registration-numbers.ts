/**
 * Registration numbers (seed 001: Ota ward's 見守りキーホルダー, the sticker model):
 * issue and withdraw a member's number, and the keyholder lookup — staff look a
 * member up by number when the police, the fire service or a hospital calls.
 *
 * Rules:
 * - A number is unique per organisation while in use (migration 1000's index);
 *   a withdrawn number keeps its row (who had it, when) and may be issued again.
 * - The lookup shows only what a caller needs: the member's name (and full name),
 *   medical notes, and the contacts' names, relationship and phone numbers — not
 *   the address, birth date or check-in history. The route records who asked,
 *   for whom, who was calling and why in the audit log (`keyholder.lookup`).
 * - `tellTeam` queues a `team_notice` to the member's team through the outbox
 *   (key `keyholder:<lookup id>:<team>`), with who called and why.
 */
import { sql } from "kysely";
import type { ChannelAddress } from "../../store/schema.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import { newId } from "../../ids.ts";
import { loadTeamDuty, teamAlertRows } from "../../engine/on-duty.ts";
import { enqueue } from "../../engine/outbox.ts";
import { keyholderLookupText, type LookupCaller } from "../domain/lookups.ts";
import { normaliseRegistrationNumber } from "../domain/registration-numbers.ts";
import type { RegistrationNumberKind } from "../store/schema.ts";
import "../store/schema.ts";

/** The member whose number in use this is, in this organisation; undefined when none (or withdrawn). */
export async function memberByRegistrationNumber(db: Db, organisationId: string, number: string): Promise<string | undefined> {
  const row = await db.selectFrom("network_registration_numbers").select("member_id")
    .where("organisation_id", "=", organisationId).where("number", "=", normaliseRegistrationNumber(number))
    .where("withdrawn_at", "is", null).executeTakeFirst();
  return row?.member_id;
}

export interface RegistrationNumber {
  id: string;
  memberId: string;
  number: string;
  kind: RegistrationNumberKind;
  issuedAt: Date;
  issuedBy: string;
  withdrawnAt: Date | null;
}

const COLUMNS = ["id", "member_id", "number", "kind", "issued_at", "issued_by", "withdrawn_at"] as const;
const view = (r: { id: string; member_id: string; number: string; kind: RegistrationNumberKind; issued_at: Date; issued_by: string; withdrawn_at: Date | null }):
  RegistrationNumber => ({
  id: r.id, memberId: r.member_id, number: r.number, kind: r.kind, issuedAt: r.issued_at, issuedBy: r.issued_by, withdrawnAt: r.withdrawn_at,
});

export type IssueResult = { ok: true; value: RegistrationNumber } | { ok: false; error: "member_not_found" | "number_taken" };

/** Issue `number` (normalised) to the member; refused while another member's (or theirs) is in use. */
export async function issueRegistrationNumber(
  db: Db, organisationId: string, memberId: string, input: { number: string; kind: RegistrationNumberKind }, issuedBy: string, now: Date,
): Promise<IssueResult> {
  return inTransaction(db, async (tx) => {
    const member = await tx.selectFrom("members").select("id").where("id", "=", memberId).where("organisation_id", "=", organisationId)
      .forNoKeyUpdate().executeTakeFirst();
    if (!member) return { ok: false, error: "member_not_found" };
    const number = normaliseRegistrationNumber(input.number);
    // The partial unique index decides under concurrency: a second issue of the same number inserts nothing.
    const inserted = await sql<{ id: string }>`insert into network_registration_numbers (id, organisation_id, member_id, number, kind, issued_at, issued_by)
      values (${newId()}, ${organisationId}, ${memberId}, ${number}, ${input.kind}, ${now}, ${issuedBy})
      on conflict (number, organisation_id) where withdrawn_at is null do nothing returning id`.execute(tx);
    const id = inserted.rows[0]?.id;
    if (!id) return { ok: false, error: "number_taken" };
    const row = await tx.selectFrom("network_registration_numbers").select(COLUMNS).where("id", "=", id)
      .where("organisation_id", "=", organisationId).executeTakeFirstOrThrow();
    return { ok: true, value: view(row) };
  });
}

/** A member's numbers, those in use first, newest first; undefined when there is no such member. */
export async function listRegistrationNumbers(db: Db, organisationId: string, memberId: string): Promise<RegistrationNumber[] | undefined> {
  const member = await db.selectFrom("members").select("id").where("id", "=", memberId).where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!member) return undefined;
  const rows = await db.selectFrom("network_registration_numbers").select(COLUMNS)
    .where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
    .orderBy(sql`withdrawn_at is null`, "desc").orderBy("issued_at", "desc").orderBy("id", "desc").execute();
  return rows.map(view);
}

/** The number's row (any state), for the route's team check; undefined when none. */
export async function getRegistrationNumber(db: Db, organisationId: string, id: string): Promise<(RegistrationNumber & { teamId: string }) | undefined> {
  const row = await db.selectFrom("network_registration_numbers as n")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "n.member_id").onRef("m.organisation_id", "=", "n.organisation_id"))
    .select(["n.id", "n.member_id", "n.number", "n.kind", "n.issued_at", "n.issued_by", "n.withdrawn_at", "m.team_id"])
    .where("n.organisation_id", "=", organisationId).where("n.id", "=", id).executeTakeFirst();
  return row ? { ...view(row), teamId: row.team_id } : undefined;
}

export type WithdrawResult = { ok: true; value: RegistrationNumber } | { ok: false; error: "not_found" | "already_withdrawn" };

/** Withdraw a number in use (a lost card, a member who left); the row stays. */
export async function withdrawRegistrationNumber(db: Db, organisationId: string, id: string, now: Date): Promise<WithdrawResult> {
  return inTransaction(db, async (tx) => {
    const row = await tx.selectFrom("network_registration_numbers").select(COLUMNS).where("id", "=", id)
      .where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
    if (!row) return { ok: false, error: "not_found" };
    if (row.withdrawn_at) return { ok: false, error: "already_withdrawn" };
    await tx.updateTable("network_registration_numbers").set({ withdrawn_at: now }).where("id", "=", id)
      .where("organisation_id", "=", organisationId).execute();
    return { ok: true, value: view({ ...row, withdrawn_at: now }) };
  });
}

/** What a keyholder lookup shows (the rules above). */
export interface KeyholderCard {
  lookupId: string;
  /** When the lookup was recorded (the service's clock, not the browser's). */
  lookedUpAt: Date;
  member: { id: string; teamId: string; displayName: string; fullName: string | null; medicalNotes: string | null };
  contacts: { displayName: string; relation: string; phone: string | null }[];
  teamTold: boolean;
}

/**
 * Look a member up by number for a caller; undefined when no number in use matches.
 * With `tellTeam`, the member's team is told through the outbox in the same transaction.
 * `teams`: the caller's teams when limited to some (team staff); a member of another
 * team is "not_in_team", and nothing is shown or queued.
 */
export async function keyholderLookup(
  db: Db, organisationId: string, input: { number: string; caller: LookupCaller; reason: string; tellTeam: boolean; teams?: string[] }, now: Date,
): Promise<KeyholderCard | "not_in_team" | undefined> {
  return inTransaction(db, async (tx) => {
    const memberId = await memberByRegistrationNumber(tx, organisationId, input.number);
    if (!memberId) return undefined;
    const member = await tx.selectFrom("members").select(["id", "team_id", "display_name", "personal", "plan"])
      .where("id", "=", memberId).where("organisation_id", "=", organisationId).executeTakeFirstOrThrow();
    if (input.teams && !input.teams.includes(member.team_id)) return "not_in_team";
    const contacts = await tx.selectFrom("contacts").select(["display_name", "relation", "channels"])
      .where("member_id", "=", memberId).where("organisation_id", "=", organisationId).orderBy("position").execute();
    const personal = (member.personal ?? {}) as Record<string, string>;
    const lookupId = newId();
    if (input.tellTeam) {
      const team = await tx.selectFrom("teams").select("channels").where("id", "=", member.team_id).executeTakeFirstOrThrow();
      const fanout = teamAlertRows({
        organisationId, key: `keyholder:${lookupId}:${member.team_id}`, teamId: member.team_id,
        messageKind: "team_notice", text: keyholderLookupText(member.display_name, input.caller, input.reason, now, member.plan.timeZone),
        payload: { memberId, lookupId, caller: input.caller.kind }, dueAt: now, now,
      }, team.channels as ChannelAddress[], (await loadTeamDuty(tx, [member.team_id])).get(member.team_id));
      await enqueue(tx, fanout.rows);
    }
    return {
      lookupId,
      lookedUpAt: now,
      member: {
        id: member.id, teamId: member.team_id, displayName: member.display_name,
        fullName: personal.fullName ?? null, medicalNotes: personal.medicalNotes ?? null,
      },
      contacts: contacts.map((c) => ({
        displayName: c.display_name, relation: c.relation,
        phone: (c.channels as ChannelAddress[]).find((ch) => ch.kind === "voice" || ch.kind === "sms")?.address ?? null,
      })),
      teamTold: input.tellTeam,
    };
  });
}
