/**
 * Groups (つながり) in the engine. A LINE group the bot was added to has its own
 * plan and `next_due_at`; each due slot becomes a round (`group_checkins`) with
 * one prompt to the group, and the round's one deadline, `list_at` (+23 h after
 * the prompt), posts the names of the people seen in the group who have not
 * confirmed. Both are claimed with FOR NO KEY UPDATE SKIP LOCKED in batches, like
 * the member scheduler (NO KEY, so webhook events inserting participants and
 * confirmations that reference the row are not held up by the claim).
 *
 * A confirmation (OK, or "I checked on X") is per person and per round; when the
 * person is also a registered member, it is recorded as their answer (their own
 * OK as source "member", someone else's check as source "group").
 */
import type { MessageKind } from "../domain/messages.ts";
import { type Insertable, type Selectable, sql } from "kysely";
import { type AnswerOutcome, recordAnswersIn } from "./answers.ts";
import {
  DEFAULT_GROUP_PLAN, fallbackName, GROUP_LIST_DELAY_MS, type GroupStatus, groupApprovedText, groupListText, groupPromptText,
  groupWelcomeText, MAX_LIST_CHOICES, type Person, unconfirmedOf,
} from "../domain/group-rounds.ts";
import { nextDueAfter } from "../domain/schedule.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction, preferIndexWalks } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";
import { MissingReference, type PlanInput, planFrom } from "./members.ts";
import { enqueue, type OutboxRow, outboxRow } from "./outbox.ts";

export interface GroupRoundsResult {
  claimed: number;
  prompted: number;
  listed: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: unknown): value is string => typeof value === "string" && UUID.test(value);

/** One engine step for groups: start the rounds that are due, then post the lists that are due. */
export async function groupRoundsDue(db: Db, now: Date, limit: number): Promise<GroupRoundsResult> {
  const dispatched = await dispatchGroupRounds(db, now, limit);
  // A list carries up to 500 names: fewer rounds per transaction.
  const listed = await postGroupLists(db, now, Math.max(1, Math.min(limit, 100)));
  return { claimed: dispatched.claimed + listed.claimed, prompted: dispatched.prompted, listed: listed.listed };
}

/** Claims groups whose round is due, writes the round and its prompt, and moves the group's due time on. */
export async function dispatchGroupRounds(db: Db, now: Date, limit: number): Promise<{ claimed: number; prompted: number }> {
  return inTransaction(db, async (tx) => {
    await preferIndexWalks(tx);
    const due = await tx.selectFrom("groups")
      .select(["id", "organisation_id", "channels", "plan", "status", "line_group_id", "next_due_at"])
      .where("next_due_at", "<=", now).orderBy("next_due_at").limit(limit).forNoKeyUpdate().skipLocked().execute();
    if (due.length === 0) return { claimed: 0, prompted: 0 };

    const rounds: Insertable<Database["group_checkins"]>[] = [];
    const prompts: { roundId: string; row: OutboxRow }[] = [];
    const nextDue: (Date | null)[] = [];
    for (const group of due) {
      const plan = group.plan;
      if (group.status !== "active" || !group.line_group_id || !plan) {
        nextDue.push(null);
        continue;
      }
      const dueAt = group.next_due_at as Date;
      // After downtime: one round for the missed slot, prompted now; the next slot is after now.
      const promptAt = now > dueAt ? now : dueAt;
      nextDue.push(nextDueAfter(plan, promptAt));
      const id = newId();
      rounds.push({
        id, organisation_id: group.organisation_id, group_id: group.id, due_at: dueAt, prompted_at: promptAt,
        list_at: new Date(promptAt.getTime() + GROUP_LIST_DELAY_MS), listed_at: null, unconfirmed: null,
      });
      prompts.push({ roundId: id, row: outboxRow({
        organisationId: group.organisation_id, key: `group_prompt:${id}`, recipient: { kind: "group", id: group.id },
        channels: group.channels as ChannelAddress[], messageKind: "group_prompt", text: groupPromptText(),
        payload: { groupCheckinId: id, groupId: group.id }, dueAt, now,
      }) });
    }
    let written = new Set<string>();
    if (rounds.length) {
      written = new Set((await tx.insertInto("group_checkins").values(rounds)
        .onConflict((oc) => oc.columns(["group_id", "due_at", "organisation_id"]).doNothing()).returning("id").execute()).map((r) => r.id));
    }
    // A slot already recorded (a plan changed onto the same minute) is not prompted twice.
    const sent = prompts.filter((p) => written.has(p.roundId)).map((p) => p.row);
    await enqueue(tx, sent);
    await sql`
      update groups set next_due_at = v.next_due_at
      from (select unnest(${due.map((g) => g.id)}::uuid[]) as id, unnest(${nextDue}::timestamptz[]) as next_due_at) v
      where groups.id = v.id`.execute(tx);
    return { claimed: due.length, prompted: sent.length };
  });
}

/** Claims rounds whose list is due and posts, once, the names of those who have not confirmed. */
export async function postGroupLists(db: Db, now: Date, limit: number): Promise<{ claimed: number; listed: number }> {
  return inTransaction(db, async (tx) => {
    await preferIndexWalks(tx);
    const due = await tx.selectFrom("group_checkins").select(["id", "organisation_id", "group_id", "due_at"])
      .where("list_at", "<=", now).orderBy("list_at").limit(limit).forNoKeyUpdate().skipLocked().execute();
    if (due.length === 0) return { claimed: 0, listed: 0 };
    const groupIds = [...new Set(due.map((r) => r.group_id))];
    const groups = new Map((await tx.selectFrom("groups").select(["id", "status", "channels"])
      .where("id", "in", groupIds).execute()).map((g) => [g.id, g]));
    const participants = await tx.selectFrom("group_participants").select(["group_id", "user_id", "display_name"])
      .where("group_id", "in", groupIds).orderBy("group_id").orderBy("first_seen_at").orderBy("user_id").execute();
    const confirmations = await tx.selectFrom("group_confirmations").select(["group_checkin_id", "user_id"])
      .where("group_checkin_id", "in", due.map((r) => r.id)).execute();

    const lists: OutboxRow[] = [];
    const listedAt: (Date | null)[] = [];
    const snapshots: (string | null)[] = [];
    for (const round of due) {
      const group = groups.get(round.group_id);
      if (group?.status !== "active") {
        // The bot left (or the group is on hold): nothing is posted, the deadline is done.
        listedAt.push(null);
        snapshots.push(null);
        continue;
      }
      const people: Person[] = participants.filter((p) => p.group_id === round.group_id)
        .map((p) => ({ userId: p.user_id, name: p.display_name ?? fallbackName(p.user_id) }));
      const confirmed = confirmations.filter((c) => c.group_checkin_id === round.id).map((c) => c.user_id);
      const unconfirmed = unconfirmedOf(people, confirmed);
      lists.push(outboxRow({
        organisationId: round.organisation_id, key: `group_list:${round.id}`, recipient: { kind: "group", id: group.id },
        channels: group.channels as ChannelAddress[], messageKind: "group_list",
        text: groupListText(unconfirmed, new Set(confirmed).size),
        payload: { groupCheckinId: round.id, groupId: group.id, unconfirmedCount: unconfirmed.length, people: unconfirmed.slice(0, MAX_LIST_CHOICES) },
        dueAt: now, now,
      }));
      listedAt.push(now);
      snapshots.push(JSON.stringify(unconfirmed));
    }
    await enqueue(tx, lists);
    await sql`
      update group_checkins set list_at = null, listed_at = v.listed_at, unconfirmed = v.unconfirmed::jsonb
      from (select unnest(${due.map((r) => r.id)}::uuid[]) as id, unnest(${listedAt}::timestamptz[]) as listed_at,
                   unnest(${snapshots}::text[]) as unconfirmed) v
      where group_checkins.id = v.id`.execute(tx);
    return { claimed: due.length, listed: lists.length };
  });
}

// ---------------------------------------------------------------------------
// Group commands.

const GROUP_COLUMNS = ["id", "organisation_id", "name", "channels", "plan", "status", "line_group_id", "line_event_at", "next_due_at"] as const;
export type GroupRow = Pick<Selectable<Database["groups"]>, (typeof GROUP_COLUMNS)[number]>;

/**
 * A LINE group's row. Join and leave lock it (they change it); taps and messages
 * only read it, so a batch of events from many groups never waits on another.
 */
export async function lineGroup(tx: Db, organisationId: string, lineGroupId: string, lock: boolean): Promise<GroupRow | undefined> {
  const q = tx.selectFrom("groups").select([...GROUP_COLUMNS]).where("organisation_id", "=", organisationId)
    .where("line_group_id", "=", lineGroupId);
  return (lock ? q.forNoKeyUpdate() : q).executeTakeFirst() as Promise<GroupRow | undefined>;
}

function groupMessage(group: Pick<GroupRow, "id" | "organisation_id" | "channels">, key: string, kind: MessageKind, text: string, now: Date,
  payload: Record<string, unknown> = {}): OutboxRow {
  return outboxRow({
    organisationId: group.organisation_id, key, recipient: { kind: "group", id: group.id }, channels: group.channels as ChannelAddress[],
    messageKind: kind, text, payload: { groupId: group.id, ...payload }, dueAt: now, now,
  });
}

/** Say something to a group (a reply to a command typed in it). */
export async function sayToGroupIn(tx: Db, group: Pick<GroupRow, "id" | "organisation_id" | "channels">, key: string, text: string, now: Date) {
  await enqueue(tx, [groupMessage(group, key, "group_reply", text, now)]);
}

export interface JoinInput {
  organisationId: string;
  lineGroupId: string;
  requireApproval: boolean;
  /** LINE's time of the event: a join older than the last join/leave applied changes nothing. */
  eventAt: Date;
  /** The cause, for the welcome's idempotency key. */
  eventKey: string;
}

/**
 * The bot was added to a LINE group (or an event came from a group we did not
 * know): the group is created — or, after a leave, reactivated — active, or
 * awaiting approval when the organisation requires it, and welcomed.
 */
export async function joinLineGroupIn(tx: Db, input: JoinInput, now: Date): Promise<GroupRow | undefined> {
  const status: GroupStatus = input.requireApproval ? "awaiting_approval" : "active";
  const plan = planFrom(DEFAULT_GROUP_PLAN, now);
  const created = await tx.insertInto("groups").values({
    id: newId(), organisation_id: input.organisationId, team_id: null, name: `LINEグループ ${input.lineGroupId.slice(-6)}`,
    channels: JSON.stringify([{ kind: "line", address: input.lineGroupId }]), created_at: now,
    line_group_id: input.lineGroupId, status, plan: JSON.stringify(plan), line_event_at: input.eventAt,
    next_due_at: status === "active" ? nextDueAfter(plan, now) : null,
  }).onConflict((oc) => oc.columns(["organisation_id", "line_group_id"]).where("line_group_id", "is not", null).doNothing())
    .returning("id").executeTakeFirst();
  const group = await lineGroup(tx, input.organisationId, input.lineGroupId, true);
  if (!group) return undefined;
  if (!created) {
    if (group.status !== "left" || (group.line_event_at && group.line_event_at > input.eventAt)) return group;
    const kept = group.plan ?? plan;
    const next = status === "active" ? nextDueAfter(kept, now) : null;
    await tx.updateTable("groups").set({
      status, left_at: null, line_event_at: input.eventAt, plan: JSON.stringify(kept), next_due_at: next,
    }).where("id", "=", group.id).execute();
    Object.assign(group, { status, next_due_at: next, plan: kept, line_event_at: input.eventAt });
  }
  // Set just above when the group was created or re-joined; a group that stayed keeps its own.
  const shown = group.plan ?? plan;
  await enqueue(tx, [groupMessage(group, `group_welcome:${input.eventKey}`, "group_welcome",
    groupWelcomeText(shown, status === "awaiting_approval"), now)]);
  return group;
}

/** The bot was removed from the group: no more prompts or lists. */
export async function leaveLineGroupIn(tx: Db, organisationId: string, lineGroupId: string, eventAt: Date, now: Date): Promise<boolean> {
  const group = await lineGroup(tx, organisationId, lineGroupId, true);
  if (!group || (group.line_event_at && group.line_event_at > eventAt)) return false;
  await tx.updateTable("groups").set({ status: "left", next_due_at: null, left_at: now, line_event_at: eventAt })
    .where("id", "=", group.id).execute();
  await tx.updateTable("group_checkins").set({ list_at: null }).where("group_id", "=", group.id).where("list_at", "is not", null).execute();
  return true;
}

export type ApproveResult = { ok: true } | { ok: false; error: "not_found" | "not_awaiting" };

/** Staff approve a group that waits for approval: its rounds start at its plan's next slot. */
export async function approveGroup(db: Db, organisationId: string, groupId: string, now: Date): Promise<ApproveResult> {
  return inTransaction(db, async (tx) => {
    const group = await tx.selectFrom("groups").select([...GROUP_COLUMNS]).where("id", "=", groupId)
      .where("organisation_id", "=", organisationId).forNoKeyUpdate().executeTakeFirst() as GroupRow | undefined;
    if (!group) return { ok: false, error: "not_found" };
    if (group.status !== "awaiting_approval") return { ok: false, error: "not_awaiting" };
    const plan = group.plan ?? planFrom(DEFAULT_GROUP_PLAN, now);
    await tx.updateTable("groups").set({ status: "active", plan: JSON.stringify(plan), next_due_at: nextDueAfter(plan, now) })
      .where("id", "=", group.id).execute();
    await enqueue(tx, [groupMessage(group, `group_approved:${group.id}:${now.getTime()}`, "group_approved", groupApprovedText(plan), now)]);
    return { ok: true };
  });
}

/** A new plan for a group; an active LINE group's next round moves to the new plan's next slot. */
export async function setGroupPlanIn(tx: Db, group: Pick<GroupRow, "id" | "status" | "line_group_id">, input: PlanInput, now: Date): Promise<void> {
  const plan = planFrom(input, now);
  await tx.updateTable("groups").set({
    plan: JSON.stringify(plan), next_due_at: group.status === "active" && group.line_group_id ? nextDueAfter(plan, now) : null,
  }).where("id", "=", group.id).execute();
}

// ---------------------------------------------------------------------------
// Confirmations.

/**
 * The rounds a confirmation at `at` counts for: the round it names (if it is
 * this group's) and the group's latest round due by then — a tap on yesterday's
 * prompt is evidence of life today too.
 */
export async function roundsFor(tx: Db, groupId: string, namedRoundId: string | null, at: Date): Promise<string[]> {
  const ids = new Set<string>();
  if (namedRoundId && isUuid(namedRoundId)) {
    const named = await tx.selectFrom("group_checkins").select("id").where("id", "=", namedRoundId).where("group_id", "=", groupId).executeTakeFirst();
    if (named) ids.add(named.id);
  }
  const latest = await tx.selectFrom("group_checkins").select("id").where("group_id", "=", groupId).where("due_at", "<=", at)
    .orderBy("due_at", "desc").limit(1).executeTakeFirst();
  if (latest) ids.add(latest.id);
  return [...ids];
}

export interface ConfirmInput {
  organisationId: string;
  group: Pick<GroupRow, "id" | "name">;
  roundIds: string[];
  /** Who is confirmed. */
  person: Person;
  /** Who confirmed: the person themselves (OK) or someone who checked on them. */
  by: Person;
  /** The provider event: answers recorded for it are recorded once. */
  eventKey: string;
  at: Date;
}

export interface ConfirmOutcome {
  /** Rounds in which the person was not confirmed before. */
  newlyConfirmed: number;
  answer?: AnswerOutcome;
}

export async function confirmInGroupIn(tx: Db, input: ConfirmInput, now: Date): Promise<ConfirmOutcome> {
  if (input.roundIds.length === 0) return { newlyConfirmed: 0 };
  const inserted = await tx.insertInto("group_confirmations").values(input.roundIds.map((id) => ({
    group_checkin_id: id, organisation_id: input.organisationId, user_id: input.person.userId, display_name: input.person.name,
    by_user_id: input.by.userId, by_display_name: input.by.name, confirmed_at: now, answer_id: null,
  }))).onConflict((oc) => oc.columns(["group_checkin_id", "user_id", "organisation_id"]).doNothing()).returning("group_checkin_id").execute();
  if (inserted.length === 0) return { newlyConfirmed: 0 };

  const user = await tx.selectFrom("line_users").select("member_id").where("organisation_id", "=", input.organisationId)
    .where("user_id", "=", input.person.userId).executeTakeFirst();
  if (!user?.member_id) return { newlyConfirmed: inserted.length };
  const self = input.person.userId === input.by.userId;
  const [answer] = await recordAnswersIn(tx, [{
    organisationId: input.organisationId, memberId: user.member_id, answer: "ok", channel: "line",
    ...(self
      ? { source: "member" as const, note: `LINE group: ${input.group.name}` }
      : { source: "group" as const, byLabel: `${input.by.name} (${input.group.name})`, note: `LINE group: ${input.group.name}` }),
    idempotencyKey: `line-group:${input.eventKey}:${input.person.userId}`, occurredAt: input.at,
  }], now);
  if (answer.status === "recorded") {
    await tx.updateTable("group_confirmations").set({ answer_id: answer.answerId })
      .where("group_checkin_id", "in", inserted.map((r) => r.group_checkin_id)).where("user_id", "=", input.person.userId).execute();
  }
  return { newlyConfirmed: inserted.length, answer };
}

// ---------------------------------------------------------------------------
// Groups as staff manage them (the API): create, change, delete, read.

/** A group as stored, with its members' ids (a LINE group may have none: its people are participants). */
export type GroupDetail = Selectable<Database["groups"]> & { memberIds: string[] };
/** A member of a group as its page lists them: name and team, in name order. */
export interface GroupMember { id: string; displayName: string; teamId: string }

/**
 * A plan was given to a group that is not a LINE group. Rounds are a LINE group's
 * own: everyone sees the prompt and the list of who has not confirmed in one
 * conversation, and anyone can answer for someone they checked on. A group put
 * together by staff has no such place — its members are asked on their own
 * channels by their own plans — so a plan for it would be a setting that does
 * nothing, and is refused.
 */
export class RoundsNeedLineGroup extends Error {}

export interface GroupInput {
  name: string;
  teamId?: string;
  channels: ChannelAddress[];
  memberIds: string[];
}

/** Make the group's members exactly `memberIds` (duplicates ignored); throws MissingReference (`memberIds`) for a member the organisation does not have. */
async function setMembersIn(tx: Db, organisationId: string, groupId: string, memberIds: string[]): Promise<void> {
  const unique = [...new Set(memberIds)];
  if (unique.length) {
    const found = await tx.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "in", unique).execute();
    if (found.length !== unique.length) throw new MissingReference("memberIds", "no such member in this organisation");
  }
  await tx.deleteFrom("group_members").where("group_id", "=", groupId).execute();
  if (unique.length) {
    await tx.insertInto("group_members").values(unique.map((m) => ({ group_id: groupId, member_id: m, organisation_id: organisationId }))).execute();
  }
}

/**
 * A group staff put together (not a LINE group: no plan, no rounds). Returns its
 * id; throws MissingReference for a team (`teamId`) or a member (`memberIds`) the
 * organisation does not have, and then nothing is written.
 */
export async function createGroup(db: Db, organisationId: string, input: GroupInput, now: Date): Promise<string> {
  const id = newId();
  await inTransaction(db, async (tx) => {
    if (input.teamId) {
      // Held until the group is in: a concurrent deleteTeam waits, then clears the group's team.
      const team = await tx.selectFrom("teams").select("id").where("id", "=", input.teamId).where("organisation_id", "=", organisationId)
        .forKeyShare().executeTakeFirst();
      if (!team) throw new MissingReference("teamId", "no such team in this organisation");
    }
    await tx.insertInto("groups").values({
      id, organisation_id: organisationId, team_id: input.teamId ?? null, name: input.name,
      channels: JSON.stringify(input.channels), created_at: now,
    }).execute();
    await setMembersIn(tx, organisationId, id, input.memberIds);
  });
  return id;
}

export interface GroupPatch {
  name?: string;
  channels?: ChannelAddress[];
  /** Replaces the members. */
  memberIds?: string[];
  /** A LINE group's new plan (see {@link setGroupPlanIn}). */
  plan?: PlanInput;
}

/**
 * Rename a group, replace its channels or members, or give it a new plan, with
 * the group's row locked. False when the organisation has no such group; throws
 * MissingReference (`memberIds`) for an unknown member and RoundsNeedLineGroup for
 * a plan on a group that is not a LINE group, and then nothing changes.
 */
export async function updateGroup(db: Db, organisationId: string, groupId: string, patch: GroupPatch, now: Date): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const group = await tx.selectFrom("groups").select(["id", "status", "line_group_id"]).where("id", "=", groupId)
      .where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
    if (!group) return false;
    if (patch.plan && !group.line_group_id) {
      throw new RoundsNeedLineGroup("only a LINE group runs rounds: add the bot to the members' LINE group, or ask each member on their own plan");
    }
    if (patch.plan) await setGroupPlanIn(tx, group, patch.plan, now);
    const changes: { name?: string; channels?: string } = {};
    if (patch.name !== undefined) changes.name = patch.name;
    if (patch.channels !== undefined) changes.channels = JSON.stringify(patch.channels);
    if (Object.keys(changes).length) await tx.updateTable("groups").set(changes).where("id", "=", group.id).execute();
    if (patch.memberIds) await setMembersIn(tx, organisationId, group.id, patch.memberIds);
    return true;
  });
}

/** Delete a group (its members stay; its rounds and links go by foreign key). False when the organisation has no such group. */
export async function deleteGroup(db: Db, organisationId: string, groupId: string): Promise<boolean> {
  const deleted = await db.deleteFrom("groups").where("id", "=", groupId).where("organisation_id", "=", organisationId).executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}

/** The organisation's groups, oldest first, each with its members' ids. */
export async function listGroups(db: Db, organisationId: string): Promise<GroupDetail[]> {
  const groups = await db.selectFrom("groups").selectAll().where("organisation_id", "=", organisationId).orderBy("created_at").execute();
  return withMemberIds(db, groups);
}

/** One group with its members' ids; undefined when the organisation has no such group. */
export async function getGroup(db: Db, organisationId: string, groupId: string): Promise<GroupDetail | undefined> {
  const group = await db.selectFrom("groups").selectAll().where("id", "=", groupId).where("organisation_id", "=", organisationId)
    .executeTakeFirst();
  return group ? (await withMemberIds(db, [group]))[0] : undefined;
}

/** A group's members with their names and teams, by name (at most 500: a group's limit). */
export async function groupMembers(db: Db, organisationId: string, groupId: string): Promise<GroupMember[]> {
  const rows = await db.selectFrom("group_members").innerJoin("members", "members.id", "group_members.member_id")
    .select(["members.id", "members.display_name", "members.team_id"])
    .where("group_members.group_id", "=", groupId).where("group_members.organisation_id", "=", organisationId)
    .orderBy("members.display_name").orderBy("members.id").execute();
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, teamId: r.team_id }));
}

async function withMemberIds(db: Db, groups: Selectable<Database["groups"]>[]): Promise<GroupDetail[]> {
  const links = groups.length
    ? await db.selectFrom("group_members").select(["group_id", "member_id"]).where("group_id", "in", groups.map((g) => g.id)).execute()
    : [];
  const byGroup = new Map<string, string[]>();
  for (const l of links) byGroup.set(l.group_id, [...(byGroup.get(l.group_id) ?? []), l.member_id]);
  return groups.map((g) => ({ ...g, memberIds: byGroup.get(g.id) ?? [] }));
}

/** One person's state in a round: seen in the group or confirmed, and whether (and by whom) confirmed. */
export interface RoundPerson {
  userId: string;
  displayName: string | null;
  /** The member this LINE user is registered as, if any. */
  memberId: string | null;
  confirmed: boolean;
  confirmedAt: Date | null;
  /** Someone else who confirmed for this person ("I checked on X"); null when they confirmed themselves or not at all. */
  confirmedBy: { userId: string; displayName: string } | null;
  answerId: string | null;
}

export interface RoundView {
  id: string;
  dueAt: Date;
  promptedAt: Date;
  listAt: Date | null;
  listedAt: Date | null;
  /** The names posted as not confirmed; null until the list is posted. */
  listed: { userId: string; displayName: string }[] | null;
  confirmedCount: number;
  /** Participants in the order first seen, then anyone else who confirmed. */
  people: RoundPerson[];
}

/** The latest `limit` rounds of a group, newest first, with every person's confirmation state; undefined when the organisation has no such group. */
export async function groupRounds(db: Db, organisationId: string, groupId: string, limit: number): Promise<RoundView[] | undefined> {
  const g = await db.selectFrom("groups").select("id").where("id", "=", groupId).where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!g) return undefined;
  const rounds = await db.selectFrom("group_checkins").selectAll().where("group_id", "=", groupId).orderBy("due_at", "desc").limit(limit).execute();
  const [confirmations, participants] = await Promise.all([
    rounds.length
      ? db.selectFrom("group_confirmations").selectAll().where("group_checkin_id", "in", rounds.map((r) => r.id)).orderBy("confirmed_at").execute()
      : [],
    db.selectFrom("group_participants").select(["user_id", "display_name"]).where("group_id", "=", groupId)
      .orderBy("first_seen_at").orderBy("user_id").execute(),
  ]);
  const userIds = [...new Set([...participants.map((p) => p.user_id), ...confirmations.map((c) => c.user_id)])];
  const memberOf = new Map(userIds.length
    ? (await db.selectFrom("line_users").select(["user_id", "member_id"]).where("organisation_id", "=", organisationId)
      .where("user_id", "in", userIds).where("member_id", "is not", null).execute()).map((u) => [u.user_id, u.member_id])
    : []);
  return rounds.map((r) => {
    const mine = new Map(confirmations.filter((c) => c.group_checkin_id === r.id).map((c) => [c.user_id, c]));
    const people = [
      ...participants.map((p) => ({ userId: p.user_id, name: p.display_name ?? mine.get(p.user_id)?.display_name ?? null })),
      ...[...mine.values()].filter((c) => !participants.some((p) => p.user_id === c.user_id)).map((c) => ({ userId: c.user_id, name: c.display_name })),
    ].map(({ userId, name }): RoundPerson => {
      const c = mine.get(userId);
      return {
        userId, displayName: name, memberId: memberOf.get(userId) ?? null, confirmed: !!c, confirmedAt: c?.confirmed_at ?? null,
        confirmedBy: c && c.by_user_id !== userId ? { userId: c.by_user_id, displayName: c.by_display_name } : null,
        answerId: c?.answer_id ?? null,
      };
    });
    return {
      id: r.id, dueAt: r.due_at, promptedAt: r.prompted_at, listAt: r.list_at, listedAt: r.listed_at,
      listed: r.unconfirmed?.map((p) => ({ userId: p.userId, displayName: p.name })) ?? null,
      confirmedCount: mine.size, people,
    };
  });
}
