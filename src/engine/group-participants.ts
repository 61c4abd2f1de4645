/**
 * The people seen in a LINE group (つながり). LINE does not let ordinary accounts
 * list a group's members, so a group's participants are whoever joined, tapped
 * or posted while the bot was there, named from LINE's profile when it answered.
 * Each runs inside the caller's transaction (the stored webhook event's).
 */
import { fallbackName, type Person } from "../domain/group-rounds.ts";
import type { Db } from "../store/db.ts";
import { isUuid } from "./groups.ts";

/** The names we know for these people of the group: user id → display name (absent: not seen yet, or never named). */
export async function participantNamesIn(tx: Db, groupId: string, userIds: string[]): Promise<Map<string, string | null>> {
  if (userIds.length === 0) return new Map();
  const rows = await tx.selectFrom("group_participants").select(["user_id", "display_name"])
    .where("group_id", "=", groupId).where("user_id", "in", userIds).execute();
  return new Map(rows.map((p) => [p.user_id, p.display_name]));
}

/**
 * Record people as seen in the group at `at`: new ones are added, a name is kept
 * unless a new one is given (null keeps it), and the last time seen only moves on.
 */
export async function recordParticipantsSeenIn(
  tx: Db, group: { id: string; organisation_id: string }, people: { userId: string; name: string | null }[], at: Date,
): Promise<void> {
  if (people.length === 0) return;
  await tx.insertInto("group_participants").values(people.map((p) => ({
    group_id: group.id, organisation_id: group.organisation_id, user_id: p.userId, display_name: p.name, first_seen_at: at, last_seen_at: at,
  }))).onConflict((oc) => oc.columns(["group_id", "user_id", "organisation_id"]).doUpdateSet((eb) => ({
    display_name: eb.fn.coalesce("excluded.display_name", "group_participants.display_name"),
    last_seen_at: eb.fn("greatest", ["excluded.last_seen_at", "group_participants.last_seen_at"]),
  }))).execute();
}

/** People who left the group (memberLeft) are no longer among its participants. */
export async function participantsLeftIn(tx: Db, groupId: string, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  await tx.deleteFrom("group_participants").where("group_id", "=", groupId).where("user_id", "in", userIds).execute();
}

/** Everyone seen in the group, in the order they were first seen, named (a fallback name for the unnamed). */
export async function groupParticipantsIn(tx: Db, groupId: string): Promise<Person[]> {
  const rows = await tx.selectFrom("group_participants").select(["user_id", "display_name"]).where("group_id", "=", groupId)
    .orderBy("first_seen_at").orderBy("user_id").execute();
  return rows.map((p) => ({ userId: p.user_id, name: p.display_name ?? fallbackName(p.user_id) }));
}

/**
 * Someone named in a round's list: as the group knows them now, or as the list
 * named them (they may have left since); null for anyone else, who cannot be
 * confirmed from this group.
 */
export async function knownInGroupIn(tx: Db, groupId: string, userId: string, roundId: string | null): Promise<Person | null> {
  const row = await tx.selectFrom("group_participants").select("display_name").where("group_id", "=", groupId)
    .where("user_id", "=", userId).executeTakeFirst();
  if (row) return { userId, name: row.display_name ?? fallbackName(userId) };
  if (roundId && isUuid(roundId)) {
    const round = await tx.selectFrom("group_checkins").select("unconfirmed").where("id", "=", roundId)
      .where("group_id", "=", groupId).executeTakeFirst();
    const named = round?.unconfirmed?.find((p) => p.userId === userId);
    if (named) return named;
  }
  return null;
}
