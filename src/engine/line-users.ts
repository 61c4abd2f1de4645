/**
 * LINE users as the engine knows them (`line_users`): which member a LINE user
 * is, whether they follow the organisation's account, where their registration
 * conversation stands, and LINE's time of their last follow or unfollow (LINE
 * may deliver those out of order). Also who a LINE user is to an incident: a
 * contact of its member. Each runs inside the caller's transaction (the stored
 * webhook event's).
 */
import type { RegistrationState } from "../domain/registration.ts";
import type { Db } from "../store/db.ts";
import { pauseMemberIn } from "./members.ts";
import { loadTeamDuty, teamAlertRows } from "./on-duty.ts";
import { enqueue } from "./outbox.ts";

export interface LineUser {
  memberId: string | null;
  following: boolean;
  /** The registration conversation's state (domain/registration.ts), null when none is under way. */
  conversation: RegistrationState | null;
  /** LINE's time of the last event that set `following`. */
  lastEventAt: Date;
}

/** The LINE user, locked for the rest of the transaction (one event of one person at a time); undefined when never seen. */
export async function lineUserIn(tx: Db, organisationId: string, userId: string): Promise<LineUser | undefined> {
  const row = await tx.selectFrom("line_users").select(["member_id", "following", "conversation", "last_event_at"])
    .where("organisation_id", "=", organisationId).where("user_id", "=", userId).forUpdate().executeTakeFirst();
  return row && { memberId: row.member_id, following: row.following, conversation: row.conversation, lastEventAt: row.last_event_at };
}

/** Store the LINE user as given (created on first sight). */
export async function saveLineUserIn(tx: Db, organisationId: string, userId: string, user: LineUser): Promise<void> {
  const row = {
    organisation_id: organisationId, user_id: userId, member_id: user.memberId, following: user.following,
    conversation: user.conversation ? JSON.stringify(user.conversation) : null, last_event_at: user.lastEventAt,
  };
  await tx.insertInto("line_users").values(row).onConflict((oc) => oc.columns(["organisation_id", "user_id"]).doUpdateSet({
    member_id: row.member_id, following: row.following, conversation: row.conversation, last_event_at: row.last_event_at,
  })).execute();
}

/**
 * The members these LINE users are, for a batch of events from several
 * organisations: `${organisationId}|${userId}` → member id (users who are no
 * member are absent).
 */
export async function membersOfLineUsers(tx: Db, users: { organisationId: string; userId: string }[]): Promise<Map<string, string>> {
  if (users.length === 0) return new Map();
  const rows = await tx.selectFrom("line_users").select(["organisation_id", "user_id", "member_id"])
    .where("user_id", "in", [...new Set(users.map((u) => u.userId))]).where("member_id", "is not", null).execute();
  return new Map(rows.map((u) => [`${u.organisation_id}|${u.user_id}`, u.member_id as string]));
}

/**
 * The contact of the incident's member who is this LINE user (their contact
 * channels hold the LINE address); null when the incident is not the
 * organisation's or the user is none of its member's contacts.
 */
export async function lineContactOfIncidentIn(tx: Db, organisationId: string, incidentId: string, userId: string): Promise<{ id: string } | null> {
  const incident = await tx.selectFrom("incidents").select(["member_id"]).where("id", "=", incidentId)
    .where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!incident) return null;
  const contacts = await tx.selectFrom("contacts").select(["id", "channels"]).where("member_id", "=", incident.member_id).execute();
  const contact = contacts.find((c) => c.channels.some((ch) => ch.kind === "line" && ch.address === userId));
  return contact ? { id: contact.id } : null;
}

/**
 * A member unfollowed (or blocked) the LINE account: their check-ins pause
 * (`line_unfollowed`), and their team is told at once (`channel_lost`). `key`
 * names the event, so a replay tells nobody twice.
 */
export async function memberLeftLineIn(tx: Db, organisationId: string, memberId: string, key: string, now: Date): Promise<void> {
  await pauseMemberIn(tx, organisationId, memberId, { reason: "line_unfollowed" }, now);
  const member = await tx.selectFrom("members").innerJoin("teams", "teams.id", "members.team_id")
    .select(["members.display_name", "members.team_id", "teams.channels"]).where("members.id", "=", memberId).executeTakeFirst();
  if (!member) return;
  // The team's addresses and its on-duty people (engine/on-duty.ts).
  await enqueue(tx, teamAlertRows({
    organisationId, key: `line-unfollow:${key}`, teamId: member.team_id,
    messageKind: "channel_lost",
    text: `【見守り】${member.display_name}さんが LINE の友だち登録を解除（またはブロック）しました。確認は停止しています。\n` +
      `[Mimamori] ${member.display_name} unfollowed or blocked the LINE account; check-ins are paused.`,
    payload: { memberId }, dueAt: now, now,
  }, member.channels, (await loadTeamDuty(tx, [member.team_id])).get(member.team_id)).rows);
}
