/**
 * Team commands and queries: teams (見守りステーション) with their alert
 * channels, and the escalation policies of the organisation and of each team.
 * Every change to a team happens here, once, in one transaction.
 *
 * Rules kept here (PRODUCT.md, teams): the organisation's default team is never
 * deleted, nor a team that still has members (its members move first); a deleted
 * team's groups keep existing without a team. A team's policy overrides the
 * organisation's per kind (standard, phone); see domain/policy.ts.
 */
import type { Selectable } from "kysely";
import type { PolicySet } from "../domain/policy.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";

export type TeamRow = Selectable<Database["teams"]>;

export interface TeamInput {
  name: string;
  /** Where the team's alerts go, in the order tried; may be empty until staff register theirs. */
  channels: ChannelAddress[];
}

/** The organisation's teams, oldest first. */
export async function listTeams(db: Db, organisationId: string): Promise<TeamRow[]> {
  return db.selectFrom("teams").selectAll().where("organisation_id", "=", organisationId).orderBy("created_at").execute();
}

/** One team of the organisation; undefined when it has no such team. */
export async function getTeam(db: Db, organisationId: string, teamId: string): Promise<TeamRow | undefined> {
  return db.selectFrom("teams").selectAll().where("id", "=", teamId).where("organisation_id", "=", organisationId).executeTakeFirst();
}

/** A new team without its own policy (it follows the organisation's). */
export async function createTeam(db: Db, organisationId: string, input: TeamInput, now: Date): Promise<TeamRow> {
  const id = newId();
  await db.insertInto("teams").values({
    id, organisation_id: organisationId, name: input.name, channels: JSON.stringify(input.channels), created_at: now,
  }).execute();
  return db.selectFrom("teams").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}

/** Rename a team or replace its alert channels; fields left out stay. Undefined when the organisation has no such team. */
export async function updateTeam(
  db: Db, organisationId: string, teamId: string, patch: Partial<TeamInput>,
): Promise<TeamRow | undefined> {
  return inTransaction(db, async (tx) => {
    const team = await tx.selectFrom("teams").select("id").where("id", "=", teamId).where("organisation_id", "=", organisationId)
      .forNoKeyUpdate().executeTakeFirst();
    if (!team) return undefined;
    const changes: { name?: string; channels?: string } = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.channels !== undefined) changes.channels = JSON.stringify(patch.channels);
    if (Object.keys(changes).length) await tx.updateTable("teams").set(changes).where("id", "=", teamId).execute();
    return tx.selectFrom("teams").selectAll().where("id", "=", teamId).executeTakeFirstOrThrow();
  });
}

export type DeleteTeamOutcome = "deleted" | "not_found" | "default_team" | "team_has_members";

/**
 * Delete a team that has no members; its groups stay, without a team. The
 * check and the delete are one transaction holding the team's row FOR UPDATE:
 * a registration or move into the team holds the row FOR KEY SHARE (its check,
 * then its foreign key) until it commits, so the delete waits for it and then
 * sees its members; one that starts later waits for the delete and finds no team.
 */
export async function deleteTeam(db: Db, organisationId: string, teamId: string): Promise<DeleteTeamOutcome> {
  return inTransaction(db, async (tx) => {
    const team = await tx.selectFrom("teams").select(["id", "is_default"]).where("id", "=", teamId)
      .where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
    if (!team) return "not_found";
    if (team.is_default) return "default_team";
    const used = await tx.selectFrom("members").select("id").where("team_id", "=", teamId).limit(1).executeTakeFirst();
    if (used) return "team_has_members";
    await tx.updateTable("groups").set({ team_id: null }).where("team_id", "=", teamId).execute();
    await tx.deleteFrom("teams").where("id", "=", teamId).execute();
    return "deleted";
  });
}

/** The organisation's own policies (null: it follows the defaults). */
export async function organisationPolicies(db: Db, organisationId: string): Promise<Partial<PolicySet> | null> {
  const org = await db.selectFrom("organisations").select("escalation_policies").where("id", "=", organisationId).executeTakeFirstOrThrow();
  return org.escalation_policies as Partial<PolicySet> | null;
}

/** Replace the organisation's policies (checked by the caller with domain/policy.ts's checkPolicy); null: back to the defaults. */
export async function setOrganisationPolicies(db: Db, organisationId: string, policies: Partial<PolicySet> | null): Promise<void> {
  await db.updateTable("organisations").set({ escalation_policies: policies === null ? null : JSON.stringify(policies) })
    .where("id", "=", organisationId).execute();
}

/**
 * Replace a team's override (checked by the caller), or drop it with null: the
 * team then follows the organisation's. False when the organisation has no such team.
 */
export async function setTeamPolicies(db: Db, organisationId: string, teamId: string, policies: Partial<PolicySet> | null): Promise<boolean> {
  const result = await db.updateTable("teams").set({ escalation_policies: policies === null ? null : JSON.stringify(policies) })
    .where("id", "=", teamId).where("organisation_id", "=", organisationId).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
