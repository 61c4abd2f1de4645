/**
 * Member commands: registration (one or in bulk), plan changes, pause and resume.
 * The member's next due time is derived from the plan here, in one place.
 */
import type { Insertable } from "kysely";
import { anchorFor, DEFAULT_TIME_ZONE, type Interval, nextDueOutsidePause, type Pause, type Plan } from "../domain/schedule.ts";
import { contactConfirmText } from "../domain/messages.ts";
import { newId } from "../ids.ts";
import { cancelQueued } from "./causes.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";
import { enqueue, outboxRow } from "./outbox.ts";

export interface PlanInput {
  every: Interval;
  weekday?: number;
  at: string;
  timeZone?: string;
}

export interface ContactInput {
  displayName: string;
  relation: string;
  channels: ChannelAddress[];
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

export function contactRows(organisationId: string, memberId: string, contacts: ContactInput[], now: Date, from = 1) {
  return contacts.map((c, i): Insertable<Database["contacts"]> => ({
    id: newId(), organisation_id: organisationId, member_id: memberId, position: from + i, display_name: c.displayName,
    relation: c.relation, channels: JSON.stringify(c.channels), created_at: now,
  }));
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

async function checkReferences(tx: Db, organisationId: string, inputs: MemberInput[]): Promise<void> {
  const teamIds = [...new Set(inputs.map((m) => m.teamId).filter((t): t is string => !!t))];
  const groupIds = [...new Set(inputs.flatMap((m) => m.groupIds ?? []))];
  const teams = teamIds.length
    ? new Set((await tx.selectFrom("teams").select("id").where("organisation_id", "=", organisationId).where("id", "in", teamIds).execute()).map((t) => t.id))
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

/** Register members all or nothing; returns their ids in input order. */
export async function createMembers(
  db: Db, organisationId: string, inputs: MemberInput[], now: Date, spreadSeconds = 0,
): Promise<string[]> {
  return inTransaction(db, (tx) => createMembersIn(tx, organisationId, inputs, now, spreadSeconds));
}

/** Register members inside the caller's transaction. */
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

/** Channels on which a contact is asked to confirm by message or call (LINE contacts confirm with an invitation code). */
const CONFIRM_BY = new Set(["voice", "sms", "email"]);

/**
 * Ask new contacts to confirm they take the role, on their first channel (a
 * call, an SMS or e-mail with a link). Until someone confirms, the team sees the
 * contact as unconfirmed.
 */
export async function askContactsToConfirm(
  tx: Db, organisationId: string, contacts: Insertable<Database["contacts"]>[], memberNames: Map<string, string>, now: Date,
  /** Distinguishes a repeated request from the first (whose key it would otherwise share). */
  keySuffix = "",
): Promise<number> {
  const asked = contacts.filter((c) => !c.confirmed_at && CONFIRM_BY.has((JSON.parse(c.channels as string) as ChannelAddress[])[0]?.kind ?? ""));
  if (asked.length === 0) return 0;
  const twilio = await tx.selectFrom("channel_configs").select("settings").where("organisation_id", "=", organisationId)
    .where("kind", "=", "twilio").executeTakeFirst();
  const callsFrom = (twilio?.settings as { callerId?: string } | undefined)?.callerId;
  await enqueue(tx, asked.map((c) => outboxRow({
    organisationId, key: `contact_confirm:${c.id}${keySuffix}`, recipient: { kind: "contact", id: c.id as string },
    channels: JSON.parse(c.channels as string) as ChannelAddress[], messageKind: "contact_confirm",
    text: contactConfirmText(c.display_name, memberNames.get(c.member_id) ?? "", callsFrom),
    payload: { memberId: c.member_id }, dueAt: now, now,
  })));
  return asked.length;
}

export interface MemberPatch extends Personal {
  displayName?: string;
  channels?: ChannelAddress[];
  plan?: PlanInput;
  teamId?: string;
}

/** Change a member; a new plan starts counting from now. Returns false if not found. */
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
    if (patch.plan) {
      const plan = planFrom(patch.plan, now, offsetFor(memberId, spreadSeconds));
      changes.plan = JSON.stringify(plan);
      changes.next_due_at = member.active ? nextDueOutsidePause(plan, now, member.pause as Pause | null) : null;
    }
    await tx.updateTable("members").set(changes).where("id", "=", memberId).execute();
    return true;
  });
}

/**
 * Pause check-ins (travel, hospital) until a local date, or until resumed. Check-ins
 * that fall due meanwhile are skipped, never sent late; an unanswered check-in of
 * the member is settled so it does not escalate while they are away.
 */
export async function pauseMember(db: Db, organisationId: string, memberId: string, pause: Pause, now: Date): Promise<boolean> {
  return inTransaction(db, (tx) => pauseMemberIn(tx, organisationId, memberId, pause, now));
}

export async function pauseMemberIn(tx: Db, organisationId: string, memberId: string, pause: Pause, now: Date): Promise<boolean> {
  const member = await tx.selectFrom("members").select(["plan", "active"])
    .where("id", "=", memberId).where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
  if (!member) return false;
  const next = member.active ? nextDueOutsidePause(member.plan as Plan, now, pause) : null;
  await tx.updateTable("members").set({ pause: JSON.stringify(pause), next_due_at: next, updated_at: now }).where("id", "=", memberId).execute();
  const skipped = await tx.updateTable("checkins").set({ status: "skipped", closed_reason: "paused", next_action_at: null })
    .where("member_id", "=", memberId).where("status", "=", "open").returning("id").execute();
  await cancelQueued(tx, { checkinIds: skipped.map((c) => c.id), kinds: ["prompt", "resend"] }, "member_paused", now);
  return true;
}

export async function resumeMember(db: Db, organisationId: string, memberId: string, now: Date): Promise<boolean> {
  return inTransaction(db, (tx) => resumeMemberIn(tx, organisationId, memberId, now));
}

export async function resumeMemberIn(tx: Db, organisationId: string, memberId: string, now: Date): Promise<boolean> {
  const member = await tx.selectFrom("members").select(["plan"])
    .where("id", "=", memberId).where("organisation_id", "=", organisationId).where("active", "=", true).forUpdate().executeTakeFirst();
  if (!member) return false;
  await tx.updateTable("members").set({ pause: null, next_due_at: nextDueOutsidePause(member.plan as Plan, now, null), updated_at: now })
    .where("id", "=", memberId).execute();
  return true;
}
