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
import { type DuplicateProbe, type DuplicateReason, duplicateReason, normalizeKana, phonesOf } from "../domain/member-fields.ts";
import type { MemberState } from "../domain/member-state.ts";
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
  /** Furigana, normalised to hiragana (domain/member-fields.ts normalizeKana). */
  displayNameKana?: string;
  /** The municipality's own number, unique per organisation. */
  externalId?: string;
}

/**
 * An external number another member of the organisation already has. `items`:
 * which inputs (by index) when several were registered together.
 */
export class ExternalIdTaken extends Error {
  readonly field: string;
  readonly items: { index: number; externalId: string }[];
  constructor(field: string, items: { index: number; externalId: string }[]) {
    super(`another member of this organisation has the external number ${items[0]?.externalId ?? ""}`);
    this.field = field;
    this.items = items;
  }
}

/**
 * Refuses with {@link ExternalIdTaken} external numbers the organisation
 * already gives another member (or two inputs share). `except`: the member
 * being changed, whose own number is no conflict.
 */
async function checkExternalIds(tx: Db, organisationId: string, ids: (string | undefined)[], except?: string): Promise<void> {
  const wanted = ids.map((id, index) => ({ id, index })).filter((x): x is { id: string; index: number } => !!x.id);
  if (!wanted.length) return;
  const seen = new Map<string, number>();
  const taken: { index: number; externalId: string }[] = [];
  for (const w of wanted) {
    if (seen.has(w.id)) taken.push({ index: w.index, externalId: w.id });
    seen.set(w.id, w.index);
  }
  let q = tx.selectFrom("members").select("external_id").where("organisation_id", "=", organisationId)
    .where("external_id", "in", [...seen.keys()]);
  if (except) q = q.where("id", "<>", except);
  for (const row of await q.execute()) taken.push({ index: seen.get(row.external_id as string) as number, externalId: row.external_id as string });
  if (taken.length) throw new ExternalIdTaken("externalId", taken.sort((a, b) => a.index - b.index));
}

/** Whether an error is PostgreSQL's unique violation of the external-number index (a concurrent registration won). */
export function isExternalIdConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | null;
  return !!e && e.code === "23505" && (e.constraint === "members_org_external" || !!e.message?.includes("members_org_external"));
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
  await checkExternalIds(tx, organisationId, inputs.map((m) => m.externalId));
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
      display_name_kana: input.displayNameKana || null, external_id: input.externalId || null,
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
  /** "" removes it. */
  displayNameKana?: string;
  /** "" removes it. */
  externalId?: string;
  /** The terms the member accepted and when; null: none recorded. */
  consent?: { termsVersion: string; at: string } | null;
}

/**
 * Change a member; a new plan starts counting from now (see {@link changePlanIn}).
 * Personal fields set to "" are removed. Returns false when the organisation has
 * no such member; throws {@link MissingReference} (field `teamId`) for an unknown
 * team, {@link ExternalIdTaken} for another member's external number.
 */
export async function updateMember(
  db: Db, organisationId: string, memberId: string, patch: MemberPatch, now: Date, spreadSeconds = 0,
): Promise<boolean> {
  return inTransaction(db, (tx) => updateMemberIn(tx, organisationId, memberId, patch, now, spreadSeconds));
}

/** {@link updateMember} inside the caller's transaction. */
export async function updateMemberIn(
  tx: Db, organisationId: string, memberId: string, patch: MemberPatch, now: Date, spreadSeconds = 0,
): Promise<boolean> {
  const member = await tx.selectFrom("members").select(["personal", "pause", "active"])
    .where("id", "=", memberId).where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
  if (!member) return false;
  if (patch.teamId) await checkReferences(tx, organisationId, [{ teamId: patch.teamId } as MemberInput]);
  if (patch.externalId) await checkExternalIds(tx, organisationId, [patch.externalId], memberId);
  const changes: Record<string, unknown> = { updated_at: now };
  if (patch.displayName !== undefined) changes.display_name = patch.displayName;
  if (patch.channels !== undefined) changes.channels = JSON.stringify(patch.channels);
  if (patch.teamId !== undefined) changes.team_id = patch.teamId;
  if (patch.displayNameKana !== undefined) changes.display_name_kana = patch.displayNameKana || null;
  if (patch.externalId !== undefined) changes.external_id = patch.externalId || null;
  if (patch.consent !== undefined) changes.consent = JSON.stringify(patch.consent);
  const personal = { ...(member.personal as Personal), ...personalOf(patch) };
  for (const field of PERSONAL_FIELDS) if (personal[field] === "") delete personal[field];
  changes.personal = JSON.stringify(personal);
  if (patch.plan) Object.assign(changes, planChange(patch.plan, memberId, member, now, spreadSeconds));
  await tx.updateTable("members").set(changes).where("id", "=", memberId).execute();
  return true;
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
  "display_name_kana", "external_id", "consent",
] as const;
export type MemberRow = Pick<Selectable<Database["members"]>, (typeof MEMBER_COLUMNS)[number]>;

/** Whether the organisation has this member (an erased member's tombstone is none). */
export async function memberExists(db: Db, organisationId: string, memberId: string): Promise<boolean> {
  const member = await db.selectFrom("members").select("id").where("id", "=", memberId)
    .where("organisation_id", "=", organisationId).where("erased_at", "is", null).executeTakeFirst();
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

/** What a member list can be narrowed to (all optional, combined with AND). */
export interface MemberFilter {
  teamId?: string;
  /** Only members of these teams (a team staff member's scope); none when empty. */
  teamIds?: string[];
  /** Part of the name or furigana (either kana), the external number, a phone number as typed, a channel address, or the member's id. */
  search?: string;
  state?: MemberState;
  /** Members who have a channel of this kind. */
  channel?: ChannelAddress["kind"];
  /** Members with at least one contact who has not confirmed yet. */
  unconfirmedContacts?: boolean;
}

const SORT_KEY = sql`coalesce(members.display_name_kana, members.display_name) collate "C"`;
const SORT_NAME = sql`members.display_name collate "C"`;

/**
 * A page of the organisation's members in list order — furigana, then name
 * (a member without furigana by their name), then id — after the member
 * `after` (the previous page's last id), narrowed by `filter`. The search is
 * case-insensitive; a phone number typed the Japanese way (090-1234-5678) also
 * finds +819012345678; katakana finds hiragana furigana.
 */
export async function listMembers(
  db: Db, organisationId: string, page: { limit: number; after?: string } & MemberFilter,
): Promise<MemberRow[]> {
  return memberListQuery(db, organisationId, page).execute();
}

/** A search as listMembers compares it: `like` patterns (escaped, with their % ends). */
interface SearchPatterns {
  /** The text as typed, and a phone number as stored (+81…) or its digits. */
  patterns: string[];
  /** Furigana, as stored (hiragana), when the text is kana. */
  kana?: string;
  /** NFKC-folded, for the external number. */
  folded: string;
  /** The member's id, when the text is one. */
  id?: string;
  /**
   * What narrows the search through member_search's trigram index (migration 015), lower-cased in
   * SQL the way ilike lowers: every condition implies the member's search text contains one of them. Absent
   * when one has fewer than 3 characters (no trigram: the index would be read whole, and so short
   * a text matches so many members that walking the list's order to the first page is quicker).
   */
  narrowing?: string[];
}

function searchPatterns(search: string): SearchPatterns {
  const like = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const digits = search.normalize("NFKC").replace(/[\s()ー‐-]/g, "");
  const patterns = [like(search)];
  // A domestic number (0 then 9–10 digits) is stored in E.164: +81 without the 0.
  if (/^0\d{9,10}$/.test(digits)) patterns.push(like(`+81${digits.slice(1)}`));
  else if (/^\+?\d{4,}$/.test(digits)) patterns.push(like(digits));
  const kana = normalizeKana(search);
  const folded = like(search.normalize("NFKC"));
  const asId = search.trim().toLowerCase();
  const id = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(asId) ? asId : undefined;
  const narrowing = [...new Set([...patterns, ...(kana ? [like(kana)] : []), folded])];
  const long = narrowing.every((p) => [...p.replace(/\\(.)/g, "$1")].length >= 5);
  return { patterns, ...(kana ? { kana: like(kana) } : {}), folded, ...(id ? { id } : {}), ...(long ? { narrowing } : {}) };
}

/** listMembers' statement, not run (tests read its plan). */
export function memberListQuery(db: Db, organisationId: string, page: { limit: number; after?: string } & MemberFilter) {
  const search = page.search ? searchPatterns(page.search) : undefined;
  let q = db.selectFrom("members").select(MEMBER_COLUMNS.map((c) => `members.${c}` as const))
    // A search narrowed through member_search names the organisation here in a form no index matches, so
    // the members are found from the narrowing: without statistics (autovacuum off) the planner takes
    // organisation_id = X for 1 member in 200 and reads every member through that index instead.
    .where(search?.narrowing ? sql<boolean>`(members.organisation_id = ${organisationId}) is true` : sql<boolean>`members.organisation_id = ${organisationId}`)
    // Erased members (engine/personal-data.ts) stay only as tombstones for anonymised incidents.
    .where("members.erased_at", "is", null)
    .orderBy(SORT_KEY).orderBy(SORT_NAME).orderBy("members.id").limit(page.limit);
  if (page.after) {
    q = q.where(sql<boolean>`(${SORT_KEY}, ${SORT_NAME}, members.id) > (select coalesce(a.display_name_kana, a.display_name) collate "C",
      a.display_name collate "C", a.id from members a where a.id = ${page.after} and a.organisation_id = ${organisationId})`);
  }
  if (page.teamId) q = q.where("members.team_id", "=", page.teamId);
  if (page.teamIds) q = page.teamIds.length ? q.where("members.team_id", "in", page.teamIds) : q.where(sql<boolean>`false`);
  if (page.channel) q = q.where(sql<boolean>`members.channels @> ${JSON.stringify([{ kind: page.channel }])}::jsonb`);
  if (page.unconfirmedContacts) {
    q = q.where((eb) => eb.exists(eb.selectFrom("contacts").select("contacts.id").whereRef("contacts.member_id", "=", "members.id")
      .whereRef("contacts.organisation_id", "=", "members.organisation_id").where("contacts.confirmed_at", "is", null)));
  }
  if (page.state) {
    const state = page.state;
    q = q.where((eb) => {
      const incident = eb.exists(eb.selectFrom("incidents").select("incidents.id").whereRef("incidents.member_id", "=", "members.id")
        .whereRef("incidents.organisation_id", "=", "members.organisation_id").where("incidents.status", "<>", "resolved"));
      const escalatingCheckin = eb.exists(eb.selectFrom("checkins").select("checkins.id").whereRef("checkins.member_id", "=", "members.id")
        .whereRef("checkins.organisation_id", "=", "members.organisation_id").where("checkins.status", "=", "open")
        .where("checkins.escalates", "=", true).where("checkins.step_index", ">", 0));
      const openCheckin = eb.exists(eb.selectFrom("checkins").select("checkins.id").whereRef("checkins.member_id", "=", "members.id")
        .whereRef("checkins.organisation_id", "=", "members.organisation_id").where("checkins.status", "=", "open"));
      const active = eb("members.active", "=", true);
      const escalating = eb.or([incident, escalatingCheckin]);
      // The same precedence as domain/member-state.ts: inactive, escalating, paused, awaiting_answer, scheduled.
      switch (state) {
        case "inactive": return eb("members.active", "=", false);
        case "escalating": return eb.and([active, escalating]);
        case "paused": return eb.and([active, eb.not(escalating), eb("members.pause", "is not", null)]);
        case "awaiting_answer": return eb.and([active, eb.not(escalating), eb("members.pause", "is", null), openCheckin]);
        case "scheduled": return eb.and([active, eb.not(escalating), eb("members.pause", "is", null), eb.not(openCheckin)]);
      }
    });
  }
  if (search) {
    if (search.narrowing) {
      const narrowing = search.narrowing;
      q = q.where((eb) => eb.or([
        eb("members.id", "in", eb.selectFrom("member_search").select("member_search.member_id")
          .where("member_search.organisation_id", "=", organisationId)
          .where((s) => s.or(narrowing.map((p) => s("member_search.text", "like", sql<string>`lower(${p})`))))),
        ...(search.id ? [eb("members.id", "=", search.id)] : []),
      ]));
    }
    q = q.where((eb) => eb.or([
      ...search.patterns.map((p) => eb("members.display_name", "ilike", p)),
      ...search.patterns.map((p) => eb(sql`members.channels::text`, "ilike", p)),
      ...search.patterns.map((p) => eb(sql`members.personal->>'phone'`, "ilike", p)),
      ...(search.kana ? [eb("members.display_name_kana", "like", search.kana)] : []),
      eb("members.external_id", "ilike", search.folded),
      ...(search.id ? [eb("members.id", "=", search.id)] : []),
    ]));
  }
  return q;
}

/** A registered member a new registration likely duplicates, and why. */
export interface LikelyDuplicate {
  memberId: string;
  displayName: string;
  reason: DuplicateReason;
}

/**
 * Members of the organisation a registration likely duplicates (same name and
 * birth date, or a phone number in common; domain/member-fields.ts), at most 10.
 * `except`: the member's own id (an edit, or the one just registered).
 */
export async function likelyDuplicates(db: Db, organisationId: string, probe: DuplicateProbe, except?: string): Promise<LikelyDuplicate[]> {
  if (!probe.birthDate && !probe.phones.length) return [];
  let q = db.selectFrom("members").select(["id", "display_name", "personal", "channels"]).where("organisation_id", "=", organisationId)
    .where((eb) => eb.or([
      ...(probe.birthDate ? [eb(sql`personal->>'birthDate'`, "=", probe.birthDate)] : []),
      ...probe.phones.flatMap((p) => [
        eb(sql`personal->>'phone'`, "=", p),
        eb(sql<boolean>`channels @> ${JSON.stringify([{ address: p }])}::jsonb`, "=", true),
      ]),
    ]))
    .limit(50);
  if (except) q = q.where("id", "<>", except);
  const found: LikelyDuplicate[] = [];
  for (const row of await q.execute()) {
    const personal = row.personal as Personal;
    const reason = duplicateReason(probe, {
      displayName: row.display_name, fullName: personal.fullName, birthDate: personal.birthDate, phones: phonesOf(personal.phone, row.channels),
    });
    if (reason) found.push({ memberId: row.id, displayName: row.display_name, reason });
  }
  return found.slice(0, 10);
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
    .where("id", "=", memberId).where("organisation_id", "=", organisationId).where("erased_at", "is", null).executeTakeFirst();
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
