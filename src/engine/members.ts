/**
 * Member commands and queries: registration (one or in bulk), changes, plan
 * changes, pause and resume, deletion. Every change to a member happens here,
 * once, whoever asks (the API, LINE's events, an incident's outcome), each in one
 * transaction with the member's row locked. The member's next due time is
 * derived from the plan here, in one place (rules: DESIGN-NOTES.md, "Pauses move
 * due times, not history" and "Time is local to the member").
 */
import { type Insertable, type Selectable, sql } from "kysely";
import {
  anchorFor, dateFromEpochDay, DEFAULT_TIME_ZONE, epochDay, type Interval, localDateOf, nextDueOutsidePause, type Pause, type Plan,
} from "../domain/schedule.ts";
import { newId } from "../ids.ts";
import { cancelQueued } from "./causes.ts";
import { askContactsToConfirm, type ContactInput, contactRows } from "./contacts.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";

export type { ContactInput } from "./contacts.ts";

export interface PlanInput {
  every: Interval;
  weekday?: number;
  at: string;
  timeZone?: string;
}

export const PERSONAL_FIELDS = ["fullName", "address", "birthDate", "phone", "medicalNotes"] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];
export type Personal = Partial<Record<PersonalField, string>>;

export interface MemberInput extends Personal {
  displayName: string;
  channels: ChannelAddress[];
  plan: PlanInput;
  contacts?: ContactInput[];
  teamId?: string;
  groupIds?: string[];
  /** The terms the member accepted, and when (LINE's registration records it; null: asked, none recorded). */
  consent?: { termsVersion: string; at: string } | null;
}

/** Where in the minute a member's slot falls when an operator spreads load (stable per member). */
export function offsetFor(memberId: string, spreadSeconds: number): number {
  if (spreadSeconds <= 0) return 0;
  let h = 0;
  for (const ch of memberId) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h % spreadSeconds;
}

export function planFrom(input: PlanInput, now: Date, offsetSeconds = 0): Plan {
  const base = { every: input.every, at: input.at, timeZone: input.timeZone ?? DEFAULT_TIME_ZONE,
    ...(input.weekday !== undefined ? { weekday: input.weekday } : {}), ...(offsetSeconds ? { offsetSeconds } : {}) };
  return { ...base, anchorDate: anchorFor(base, now) };
}

export function personalOf(input: Personal): Personal {
  const out: Personal = {};
  for (const field of PERSONAL_FIELDS) if (input[field] !== undefined) out[field] = input[field];
  return out;
}

export async function defaultTeamId(tx: Db, organisationId: string): Promise<string> {
  const team = await tx.selectFrom("teams").select("id").where("organisation_id", "=", organisationId)
    .where("is_default", "=", true).executeTakeFirstOrThrow();
  return team.id;
}

/**
 * A reference to another row of the organisation that does not exist. `field` is
 * the first; `fields` every one; `items` says which input each belongs to when
 * several were checked together (a bulk registration reports each failing member).
 */
export class MissingReference extends Error {
  readonly field: string;
  readonly fields: string[];
  readonly items: { index: number; field: string }[];
  constructor(field: string, message: string, fields: string[] = [field], items: { index: number; field: string }[] = []) {
    super(message);
    this.field = field;
    this.fields = fields;
    this.items = items;
  }
}

/**
 * Every team and group the inputs name exists in the organisation, or
 * MissingReference. The teams are held (FOR KEY SHARE) until the caller's
 * transaction ends, so a team deleted meanwhile waits for it and then sees the
 * new members (see deleteTeam in teams.ts).
 */
async function checkReferences(tx: Db, organisationId: string, inputs: MemberInput[]): Promise<void> {
  const teamIds = [...new Set(inputs.map((m) => m.teamId).filter((t): t is string => !!t))];
  const groupIds = [...new Set(inputs.flatMap((m) => m.groupIds ?? []))];
  const teams = teamIds.length
    ? new Set((await tx.selectFrom("teams").select("id").where("organisation_id", "=", organisationId).where("id", "in", teamIds)
      .forKeyShare().execute()).map((t) => t.id))
    : new Set<string>();
  const groups = groupIds.length
    ? new Set((await tx.selectFrom("groups").select("id").where("organisation_id", "=", organisationId).where("id", "in", groupIds).execute()).map((g) => g.id))
    : new Set<string>();
  const missing: { index: number; field: string; message: string }[] = [];
  for (const [index, m] of inputs.entries()) {
    if (m.teamId && !teams.has(m.teamId)) missing.push({ index, field: "teamId", message: "no such team in this organisation" });
    for (const [j, g] of (m.groupIds ?? []).entries()) {
      if (!groups.has(g)) missing.push({ index, field: `groupIds.${j}`, message: "no such group in this organisation" });
    }
  }
  if (missing.length) {
    throw new MissingReference(missing[0].field, missing[0].message, missing.map((m) => m.field), missing.map(({ index, field }) => ({ index, field })));
  }
}

/**
 * Register members all or nothing; returns their ids in input order. Each gets
 * the plan anchored at `now` and its first due time; contacts are asked to
 * confirm (see askContactsToConfirm in contacts.ts). Throws {@link MissingReference}
 * for a team or group the organisation does not have (every one, by input index).
 */
export async function createMembers(
  db: Db, organisationId: string, inputs: MemberInput[], now: Date, spreadSeconds = 0,
): Promise<string[]> {
  return inTransaction(db, (tx) => createMembersIn(tx, organisationId, inputs, now, spreadSeconds));
}

/** {@link createMembers} inside the caller's transaction. */
export async function createMembersIn(
  tx: Db, organisationId: string, inputs: MemberInput[], now: Date, spreadSeconds = 0,
): Promise<string[]> {
  await checkReferences(tx, organisationId, inputs);
  const fallbackTeam = await defaultTeamId(tx, organisationId);
  const members: Insertable<Database["members"]>[] = [];
  const contacts: Insertable<Database["contacts"]>[] = [];
  const groupLinks: { group_id: string; member_id: string; organisation_id: string }[] = [];
  for (const input of inputs) {
    const id = newId();
    const plan = planFrom(input.plan, now, offsetFor(id, spreadSeconds));
    members.push({
      id, organisation_id: organisationId, team_id: input.teamId ?? fallbackTeam, display_name: input.displayName,
      personal: JSON.stringify(personalOf(input)), channels: JSON.stringify(input.channels), plan: JSON.stringify(plan),
      next_due_at: nextDueOutsidePause(plan, now, null), created_at: now, updated_at: now,
      ...(input.consent !== undefined ? { consent: JSON.stringify(input.consent) } : {}),
    });
    contacts.push(...contactRows(organisationId, id, input.contacts ?? [], now));
    for (const g of new Set(input.groupIds ?? [])) groupLinks.push({ group_id: g, member_id: id, organisation_id: organisationId });
  }
  for (let i = 0; i < members.length; i += 1000) await tx.insertInto("members").values(members.slice(i, i + 1000)).execute();
  for (let i = 0; i < contacts.length; i += 1000) await tx.insertInto("contacts").values(contacts.slice(i, i + 1000)).execute();
  await askContactsToConfirm(tx, organisationId, contacts, new Map(members.map((m) => [m.id as string, m.display_name])), now);
  if (groupLinks.length) await tx.insertInto("group_members").values(groupLinks).execute();
  return members.map((m) => m.id);
}

export interface MemberPatch extends Personal {
  displayName?: string;
  channels?: ChannelAddress[];
  plan?: PlanInput;
  teamId?: string;
}

/**
 * Change a member; a new plan starts counting from now (see {@link changePlanIn}).
 * Personal fields set to "" are removed. Returns false when the organisation has
 * no such member; throws {@link MissingReference} (field `teamId`) for an unknown team.
 */
export async function updateMember(
  db: Db, organisationId: string, memberId: string, patch: MemberPatch, now: Date, spreadSeconds = 0,
): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const member = await tx.selectFrom("members").select(["personal", "pause", "active"])
      .where("id", "=", memberId).where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
    if (!member) return false;
    if (patch.teamId) await checkReferences(tx, organisationId, [{ teamId: patch.teamId } as MemberInput]);
    const changes: Record<string, unknown> = { updated_at: now };
    if (patch.displayName !== undefined) changes.display_name = patch.displayName;
    if (patch.channels !== undefined) changes.channels = JSON.stringify(patch.channels);
    if (patch.teamId !== undefined) changes.team_id = patch.teamId;
    const personal = { ...(member.personal as Personal), ...personalOf(patch) };
    for (const field of PERSONAL_FIELDS) if (personal[field] === "") delete personal[field];
    changes.personal = JSON.stringify(personal);
    if (patch.plan) Object.assign(changes, planChange(patch.plan, memberId, member, now, spreadSeconds));
    await tx.updateTable("members").set(changes).where("id", "=", memberId).execute();
    return true;
  });
}

/** The columns a new plan changes: the plan (anchored at `now`) and the next due time (none while the member has left). */
function planChange(input: PlanInput, memberId: string, member: { pause: Pause | null; active: boolean }, now: Date, spreadSeconds: number) {
  const plan = planFrom(input, now, offsetFor(memberId, spreadSeconds));
  return { plan: JSON.stringify(plan), next_due_at: member.active ? nextDueOutsidePause(plan, now, member.pause) : null };
}

/**
 * Give a member a new plan, in the caller's transaction: it counts from `now`
 * (a new anchor date), keeps the member's place in the minute (`spreadSeconds`,
 * see {@link offsetFor}), and moves the next due time; a paused member stays
 * paused, a member who left stays without a due time. Check-ins already open are
 * not touched. Returns false when the organisation has no such member.
 */
export async function changePlanIn(
  tx: Db, organisationId: string, memberId: string, plan: PlanInput, now: Date, spreadSeconds = 0,
): Promise<boolean> {
  const member = await tx.selectFrom("members").select(["pause", "active"])
    .where("id", "=", memberId).where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
  if (!member) return false;
  await tx.updateTable("members").set({ ...planChange(plan, memberId, member, now, spreadSeconds), updated_at: now })
    .where("id", "=", memberId).execute();
  return true;
}

/**
 * A pause as asked for. `until` is the member's local date (YYYY-MM-DD) on which
 * check-ins start again, `forDays` the same counted in days from the member's
 * local today (LINE's 3日間 = 3); neither: until resumed by hand. `reason`:
 * travel, hospital, other (the API's), line_unfollowed (LINE).
 */
export type PauseRequest = { reason: string; note?: string } & ({ until?: string; forDays?: never } | { forDays: number; until?: never });

export type PauseOutcome =
  | { ok: true; pause: Pause }
  | { ok: false; error: "not_found" }
  /** `until` lies before the member's local today (a pause must end today or later). */
  | { ok: false; error: "ends_before_today" };

/** {@link pauseMemberIn} in its own transaction. */
export async function pauseMember(db: Db, organisationId: string, memberId: string, request: PauseRequest, now: Date): Promise<PauseOutcome> {
  return inTransaction(db, (tx) => pauseMemberIn(tx, organisationId, memberId, request, now));
}

/**
 * Pause check-ins (travel, hospital) until a local date, or until resumed, in the
 * caller's transaction. Check-ins that fall due meanwhile are skipped, never
 * sent late; the member's open check-ins are settled (`skipped`, `paused`) and
 * their queued prompts cancelled, so nothing escalates while they are away.
 * "Today" is the member's own calendar day. A member who left gets no due time.
 */
export async function pauseMemberIn(tx: Db, organisationId: string, memberId: string, request: PauseRequest, now: Date): Promise<PauseOutcome> {
  const member = await tx.selectFrom("members").select(["plan", "active"])
    .where("id", "=", memberId).where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
  if (!member) return { ok: false, error: "not_found" };
  const plan = member.plan;
  const today = localDateOf(now, plan.timeZone);
  const until = request.forDays !== undefined ? dateFromEpochDay(epochDay(today) + request.forDays) : request.until;
  if (until && until < today) return { ok: false, error: "ends_before_today" };
  const pause: Pause = { ...(until ? { until } : {}), reason: request.reason, ...(request.note ? { note: request.note } : {}) };
  const next = member.active ? nextDueOutsidePause(plan, now, pause) : null;
  await tx.updateTable("members").set({ pause: JSON.stringify(pause), next_due_at: next, updated_at: now }).where("id", "=", memberId).execute();
  const skipped = await tx.updateTable("checkins").set({ status: "skipped", closed_reason: "paused", next_action_at: null })
    .where("member_id", "=", memberId).where("status", "=", "open").returning("id").execute();
  await cancelQueued(tx, { checkinIds: skipped.map((c) => c.id), kinds: ["prompt", "resend"] }, "member_paused", now);
  return { ok: true, pause };
}

/** {@link resumeMemberIn} in its own transaction. */
export async function resumeMember(db: Db, organisationId: string, memberId: string, now: Date): Promise<boolean> {
  return inTransaction(db, (tx) => resumeMemberIn(tx, organisationId, memberId, now));
}

/**
 * End a pause, in the caller's transaction: the next due time is the plan's next
 * slot after `now` (slots missed while paused are not sent). Resuming a member who
 * is not paused only recomputes that time. Returns false when the organisation has
 * no such member or the member has left (inactive).
 */
export async function resumeMemberIn(tx: Db, organisationId: string, memberId: string, now: Date): Promise<boolean> {
  const member = await tx.selectFrom("members").select(["plan"])
    .where("id", "=", memberId).where("organisation_id", "=", organisationId).where("active", "=", true).forUpdate().executeTakeFirst();
  if (!member) return false;
  await tx.updateTable("members").set({ pause: null, next_due_at: nextDueOutsidePause(member.plan, now, null), updated_at: now })
    .where("id", "=", memberId).execute();
  return true;
}

/**
 * Delete a member and all their data (check-ins, answers, contacts, incidents go
 * by foreign key; broadcast recipients, which carry none, here). Returns false
 * when the organisation has no such member.
 */
export async function deleteMember(db: Db, organisationId: string, memberId: string): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const result = await tx.deleteFrom("members").where("id", "=", memberId).where("organisation_id", "=", organisationId).executeTakeFirst();
    // Broadcast recipients carry no foreign key (see migration 004): they go with the member here.
    await tx.deleteFrom("broadcast_recipients").where("member_id", "=", memberId).where("organisation_id", "=", organisationId).execute();
    return Number(result.numDeletedRows) > 0;
  });
}

// ---------------------------------------------------------------- queries

/** The columns a member's summary and detail show (personal information included: the caller decides who sees it). */
export const MEMBER_COLUMNS = [
  "id", "team_id", "display_name", "channels", "plan", "pause", "active", "next_due_at", "created_at", "updated_at", "personal",
] as const;
export type MemberRow = Pick<Selectable<Database["members"]>, (typeof MEMBER_COLUMNS)[number]>;

/** Whether the organisation has this member. */
export async function memberExists(db: Db, organisationId: string, memberId: string): Promise<boolean> {
  const member = await db.selectFrom("members").select("id").where("id", "=", memberId)
    .where("organisation_id", "=", organisationId).executeTakeFirst();
  return !!member;
}

/** When a member is next asked, under which plan and pause (what LINE's 次回 tells them). */
export interface MemberSchedule {
  plan: Plan;
  pause: Pause | null;
  /** Null while paused until resumed, or after the member left. */
  nextDueAt: Date | null;
}

/** A member's plan, pause and next due time; undefined when the organisation has no such member. */
export async function memberScheduleIn(tx: Db, organisationId: string, memberId: string): Promise<MemberSchedule | undefined> {
  const member = await tx.selectFrom("members").select(["plan", "pause", "next_due_at"]).where("id", "=", memberId)
    .where("organisation_id", "=", organisationId).executeTakeFirst();
  return member && { plan: member.plan, pause: member.pause, nextDueAt: member.next_due_at };
}

/**
 * One page of the organisation's members in id order: at most `limit`, after the
 * id `after` (the previous page's last), only those of `teamId` when given.
 */
/**
 * A page of the organisation's members in id order (registration order), after
 * the cursor `after`. `search`: part of the display name, or of a channel
 * address (a phone number typed the Japanese way, 090-1234-5678, also finds
 * +819012345678); case-insensitive.
 */
export async function listMembers(
  db: Db, organisationId: string, page: { limit: number; after?: string; teamId?: string; search?: string },
): Promise<MemberRow[]> {
  let q = db.selectFrom("members").select([...MEMBER_COLUMNS])
    .where("organisation_id", "=", organisationId).orderBy("id").limit(page.limit);
  if (page.after) q = q.where("id", ">", page.after);
  if (page.teamId) q = q.where("team_id", "=", page.teamId);
  if (page.search) {
    const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const digits = page.search.replace(/[\s()-]/g, "");
    const patterns = [like(page.search)];
    // A domestic number (0 then 9–10 digits) is stored in E.164: +81 without the 0.
    if (/^0\d{9,10}$/.test(digits)) patterns.push(like(`+81${digits.slice(1)}`));
    else if (/^\+?\d{4,}$/.test(digits)) patterns.push(like(digits));
    q = q.where((eb) => eb.or([
      ...patterns.map((p) => eb("display_name", "ilike", p)),
      ...patterns.map((p) => eb(sql`channels::text`, "ilike", p)),
    ]));
  }
  return q.execute();
}

export type ObservationRow = Pick<Selectable<Database["observations"]>, "question" | "value" | "label" | "channel" | "observed_at" | "checkin_id">;

/**
 * A member's answers to the daily questions, newest first, at most `limit`;
 * only `question`'s when given, only those observed at or after `since`.
 * Undefined when the organisation has no such member.
 */
export async function listObservations(
  db: Db, organisationId: string, memberId: string, filter: { limit: number; question?: string; since?: Date },
): Promise<ObservationRow[] | undefined> {
  if (!(await memberExists(db, organisationId, memberId))) return undefined;
  let q = db.selectFrom("observations").select(["question", "value", "label", "channel", "observed_at", "checkin_id"])
    .where("member_id", "=", memberId).orderBy("observed_at", "desc").orderBy("id", "desc").limit(filter.limit);
  if (filter.question) q = q.where("question", "=", filter.question);
  if (filter.since) q = q.where("observed_at", ">=", filter.since);
  return q.execute();
}

/** What a member's page shows, as stored: the member, their open check-ins, unresolved incidents, contacts, last answer, groups. */
export interface MemberDetailRows {
  member: MemberRow;
  /** Oldest due first. */
  openCheckins: Pick<Selectable<Database["checkins"]>, "id" | "due_at" | "asked_at" | "escalates" | "step_index" | "next_action_at" | "incident_id">[];
  /** Open or acknowledged, oldest first. */
  unresolvedIncidents: Pick<Selectable<Database["incidents"]>, "id" | "kind" | "status" | "opened_at">[];
  /** In order. */
  contacts: Selectable<Database["contacts"]>[];
  lastAnswer: Pick<Selectable<Database["answers"]>, "answer" | "received_at" | "source"> | undefined;
  groupIds: string[];
}

/** A member with what their page shows; undefined when the organisation has no such member. */
export async function memberDetail(db: Db, organisationId: string, memberId: string): Promise<MemberDetailRows | undefined> {
  const member = await db.selectFrom("members").select([...MEMBER_COLUMNS])
    .where("id", "=", memberId).where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!member) return undefined;
  const [openCheckins, unresolvedIncidents, contacts, lastAnswer, groups] = await Promise.all([
    db.selectFrom("checkins").select(["id", "due_at", "asked_at", "escalates", "step_index", "next_action_at", "incident_id"])
      .where("member_id", "=", memberId).where("status", "=", "open").orderBy("due_at").execute(),
    db.selectFrom("incidents").select(["id", "kind", "status", "opened_at"])
      .where("member_id", "=", memberId).where("status", "<>", "resolved").orderBy("opened_at").execute(),
    db.selectFrom("contacts").selectAll().where("member_id", "=", memberId).orderBy("position").execute(),
    db.selectFrom("answers").select(["answer", "received_at", "source"]).where("member_id", "=", memberId)
      .orderBy("received_at", "desc").limit(1).executeTakeFirst(),
    db.selectFrom("group_members").select("group_id").where("member_id", "=", memberId).execute(),
  ]);
  return { member, openCheckins, unresolvedIncidents, contacts, lastAnswer, groupIds: groups.map((g) => g.group_id) };
}

/** A member's history, each list newest first and at most `limit` long. */
export interface MemberHistoryRows {
  checkins: Pick<Selectable<Database["checkins"]>,
    "id" | "due_at" | "status" | "escalates" | "prompted" | "answer" | "answered_at" | "closed_reason" | "incident_id">[];
  answers: Pick<Selectable<Database["answers"]>,
    "id" | "answer" | "source" | "by_label" | "by_contact_id" | "channel" | "note" | "received_at" | "closed_checkins">[];
  incidents: Pick<Selectable<Database["incidents"]>, "id" | "kind" | "status" | "opened_at" | "resolved_at" | "outcome">[];
}

/** Check-ins, answers and incidents of a member; undefined when the organisation has no such member. */
export async function memberHistory(db: Db, organisationId: string, memberId: string, limit: number): Promise<MemberHistoryRows | undefined> {
  if (!(await memberExists(db, organisationId, memberId))) return undefined;
  const [checkins, answers, incidents] = await Promise.all([
    db.selectFrom("checkins").select(["id", "due_at", "status", "escalates", "prompted", "answer", "answered_at", "closed_reason", "incident_id"])
      .where("member_id", "=", memberId).where("organisation_id", "=", organisationId).orderBy("due_at", "desc").limit(limit).execute(),
    db.selectFrom("answers").select(["id", "answer", "source", "by_label", "by_contact_id", "channel", "note", "received_at", "closed_checkins"])
      .where("member_id", "=", memberId).where("organisation_id", "=", organisationId).orderBy("received_at", "desc").limit(limit).execute(),
    db.selectFrom("incidents").select(["id", "kind", "status", "opened_at", "resolved_at", "outcome"])
      .where("member_id", "=", memberId).where("organisation_id", "=", organisationId).orderBy("opened_at", "desc").limit(limit).execute(),
  ]);
  return { checkins, answers, incidents };
}

/** A member's channels, in order; undefined when the organisation has no such member. */
export async function memberChannels(db: Db, organisationId: string, memberId: string): Promise<ChannelAddress[] | undefined> {
  const member = await db.selectFrom("members").select(["channels"]).where("id", "=", memberId)
    .where("organisation_id", "=", organisationId).executeTakeFirst();
  return member?.channels;
}
