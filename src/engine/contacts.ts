/**
 * Contact commands and queries: the ordered people told when a member does not
 * answer. Every change to a member's contacts happens here, once, whoever asks
 * (the API, LINE's events, a link or a call), each inside one transaction.
 *
 * Rules kept here (PRODUCT.md, contacts):
 * - Positions are 1…n without gaps, in the order contacts are told. Adding,
 *   moving and removing lock the member's row (adding) or the member's contacts
 *   (moving, removing), so concurrent changes never give two contacts one position.
 * - A new contact whose first channel is a call, an SMS or an e-mail is asked to
 *   confirm the role there; LINE contacts confirm by sending an invitation code.
 * - A removed contact's queued messages are cancelled (`recipient_gone`); a
 *   confirmed contact's queued confirmation requests are cancelled.
 */
import { createHash, randomInt } from "node:crypto";
import { type Insertable, type Selectable, sql } from "kysely";
import { contactConfirmText, MESSAGE_KINDS } from "../domain/messages.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";
import { cancelQueued } from "./causes.ts";
import { enqueue, outboxRow } from "./outbox.ts";

/** A contact as stored (`channels` parsed, `confirmed_at` null until they confirmed the role). */
export type ContactRow = Selectable<Database["contacts"]>;

export interface ContactInput {
  displayName: string;
  /** Free text: daughter, neighbour, 民生委員… */
  relation: string;
  /** In the order they are tried; may be empty (an invited contact gets its address when it accepts). */
  channels: ChannelAddress[];
}

/** How long an invitation code can be accepted, in hours. */
export const INVITATION_HOURS = 72;
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/** The name and relation of a contact created by the member's own invitation, until the invitee accepts. */
const INVITED = { displayName: "招待中の連絡先", relation: "invited" };
/** The name an invited contact gets when accepting over LINE, unless staff named them meanwhile. */
const ACCEPTED_NAME = "LINEの連絡先";

/** A six-character code without look-alike characters (no 0/O, 1/I). */
export function invitationCode(): string {
  return Array.from({ length: 6 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join("");
}

/** Only this hash of an invitation code is stored; codes are compared case-insensitively. */
export function hashCode(code: string): string {
  return createHash("sha256").update(code.toUpperCase()).digest("hex");
}

/** Insertable rows for new contacts of one member, at positions `from`, `from + 1`… */
export function contactRows(organisationId: string, memberId: string, contacts: ContactInput[], now: Date, from = 1) {
  return contacts.map((c, i): Insertable<Database["contacts"]> => ({
    id: newId(), organisation_id: organisationId, member_id: memberId, position: from + i, display_name: c.displayName,
    relation: c.relation, channels: JSON.stringify(c.channels), created_at: now,
  }));
}

/** Channels on which a contact is asked to confirm by message or call (LINE contacts confirm with an invitation code). */
const CONFIRM_BY = new Set(["voice", "sms", "email"]);

/**
 * Ask contacts to confirm they take the role, on their first channel (a call, an
 * SMS or e-mail with a link); contacts already confirmed, or whose first channel
 * is not one of those, are left out. Until someone confirms, the team sees the
 * contact as unconfirmed. Runs in the caller's transaction; returns how many were asked.
 * `keySuffix` distinguishes a repeated request from the first (whose outbox key it would otherwise share).
 */
export async function askContactsToConfirm(
  tx: Db, organisationId: string, contacts: Insertable<Database["contacts"]>[], memberNames: Map<string, string>, now: Date,
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

// ---------------------------------------------------------------- queries

/** A member's contacts in order; undefined when the organisation has no such member. */
export async function listContacts(db: Db, organisationId: string, memberId: string): Promise<ContactRow[] | undefined> {
  const member = await db.selectFrom("members").select("id").where("id", "=", memberId)
    .where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!member) return undefined;
  return db.selectFrom("contacts").selectAll().where("member_id", "=", memberId).orderBy("position").execute();
}

/** A contact with the name of the member it watches over. */
export type ContactWithMember = ContactRow & { member_name: string };

/**
 * Contacts across the organisation, oldest first, at most `limit`.
 * `confirmed`: true only those who confirmed the role, false only those who have not, undefined all.
 */
export async function listOrganisationContacts(
  db: Db, organisationId: string, options: { confirmed?: boolean; limit: number; teamIds?: string[] },
): Promise<ContactWithMember[]> {
  let q = db.selectFrom("contacts").innerJoin("members", "members.id", "contacts.member_id")
    .selectAll("contacts").select(["members.display_name as member_name"])
    .where("contacts.organisation_id", "=", organisationId)
    .orderBy("contacts.created_at").orderBy("contacts.id").limit(options.limit);
  if (options.confirmed !== undefined) q = q.where("contacts.confirmed_at", options.confirmed ? "is not" : "is", null);
  if (options.teamIds) q = q.where("members.team_id", "in", options.teamIds.length ? options.teamIds : [null as unknown as string]);
  return q.execute();
}

// ---------------------------------------------------------------- commands

/** {@link addContactIn} in its own transaction. */
export async function addContact(db: Db, organisationId: string, memberId: string, input: ContactInput, now: Date): Promise<ContactRow | undefined> {
  return inTransaction(db, (tx) => addContactIn(tx, organisationId, memberId, input, now));
}

/**
 * Add a contact at the end of a member's list, in the caller's transaction, and
 * ask them to confirm the role if their first channel allows (a queued message:
 * nudge the engine afterwards). The member's row is locked first, so two
 * additions at once take consecutive positions. Returns the stored contact, or
 * undefined when the organisation has no such member.
 */
export async function addContactIn(tx: Db, organisationId: string, memberId: string, input: ContactInput, now: Date): Promise<ContactRow | undefined> {
  const member = await tx.selectFrom("members").select(["id", "display_name"]).where("id", "=", memberId)
    .where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
  if (!member) return undefined;
  const last = await tx.selectFrom("contacts").select(sql<number>`coalesce(max(position), 0)`.as("max"))
    .where("member_id", "=", memberId).executeTakeFirstOrThrow();
  const [contact] = contactRows(organisationId, memberId, [input], now, Number(last.max) + 1);
  await tx.insertInto("contacts").values(contact).execute();
  await askContactsToConfirm(tx, organisationId, [contact], new Map([[member.id, member.display_name]]), now);
  return tx.selectFrom("contacts").selectAll().where("id", "=", contact.id as string).executeTakeFirstOrThrow();
}

/** What {@link updateContact} changes; fields left out stay as they are. */
export interface ContactPatch {
  displayName?: string;
  relation?: string;
  channels?: ChannelAddress[];
  /** 1-based place in the member's list; beyond the end means last. The others close up around it. */
  position?: number;
  /** true records the role as confirmed now (a staff member's word), false clears it. */
  confirmed?: boolean;
}

/**
 * Change a contact, move it in its member's order, or mark it confirmed. The
 * contact and, when it moves, all of the member's contacts are locked.
 * Returns the stored contact, or undefined when the organisation has no such contact.
 */
export async function updateContact(
  db: Db, organisationId: string, contactId: string, patch: ContactPatch, now: Date,
): Promise<ContactRow | undefined> {
  return inTransaction(db, async (tx) => {
    const contact = await tx.selectFrom("contacts").select(["id", "member_id", "position"]).where("id", "=", contactId)
      .where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
    if (!contact) return undefined;
    const changes: Record<string, unknown> = {};
    if (patch.displayName !== undefined) changes.display_name = patch.displayName;
    if (patch.relation !== undefined) changes.relation = patch.relation;
    if (patch.channels !== undefined) changes.channels = JSON.stringify(patch.channels);
    if (patch.confirmed !== undefined) changes.confirmed_at = patch.confirmed ? now : null;
    if (patch.position !== undefined && patch.position !== contact.position) {
      const ids = (await tx.selectFrom("contacts").select("id").where("member_id", "=", contact.member_id)
        .orderBy("position").forUpdate().execute()).map((c) => c.id).filter((id) => id !== contact.id);
      ids.splice(Math.min(patch.position - 1, ids.length), 0, contact.id);
      await renumber(tx, ids);
    }
    if (Object.keys(changes).length) await tx.updateTable("contacts").set(changes).where("id", "=", contact.id).execute();
    return tx.selectFrom("contacts").selectAll().where("id", "=", contact.id).executeTakeFirstOrThrow();
  });
}

/** Positions 1…n in the given order. */
async function renumber(tx: Db, ids: string[]): Promise<void> {
  for (const [i, id] of ids.entries()) await tx.updateTable("contacts").set({ position: i + 1 }).where("id", "=", id).execute();
}

/**
 * Remove a contact: its queued messages are cancelled (`recipient_gone`) and the
 * contacts after it move up. Returns false when the organisation has no such contact.
 */
export async function removeContact(db: Db, organisationId: string, contactId: string, now: Date): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const contact = await tx.selectFrom("contacts").select(["member_id"]).where("id", "=", contactId)
      .where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
    if (!contact) return false;
    await tx.deleteFrom("contacts").where("id", "=", contactId).execute();
    await cancelQueued(tx, { recipient: { kind: "contact", id: contactId }, kinds: [...MESSAGE_KINDS] }, "recipient_gone", now);
    const rest = await tx.selectFrom("contacts").select("id").where("member_id", "=", contact.member_id).orderBy("position").execute();
    await renumber(tx, rest.map((c) => c.id));
    return true;
  });
}

export type ConfirmationRequestOutcome = "requested" | "not_found" | "already_confirmed" | "no_confirm_channel";

/**
 * Ask a contact again to confirm the role, on their first channel (which must be
 * voice, sms or email: `no_confirm_channel` otherwise). The request's key holds
 * the minute of `now`, so a double click asks once and a later request asks again.
 * A queued message: nudge the engine afterwards.
 */
export async function requestConfirmation(db: Db, organisationId: string, contactId: string, now: Date): Promise<ConfirmationRequestOutcome> {
  return inTransaction(db, async (tx) => {
    const contact = await tx.selectFrom("contacts").innerJoin("members", "members.id", "contacts.member_id")
      .selectAll("contacts").select("members.display_name as member_name")
      .where("contacts.id", "=", contactId).where("contacts.organisation_id", "=", organisationId).executeTakeFirst();
    if (!contact) return "not_found";
    if (contact.confirmed_at) return "already_confirmed";
    const { member_name: memberName, ...row } = contact;
    const asked = await askContactsToConfirm(tx, organisationId, [{ ...row, channels: JSON.stringify(row.channels) }],
      new Map([[row.member_id, memberName]]), now, `:${Math.floor(now.getTime() / 60_000)}`);
    return asked ? "requested" : "no_confirm_channel";
  });
}

/**
 * Record that a contact took the role (a link's button, a key on a call), in the
 * caller's transaction; their queued confirmation requests are cancelled.
 * `already` when they had confirmed before (nothing changes), `missing` when the
 * organisation has no such contact.
 */
export async function confirmContactIn(tx: Db, organisationId: string, contactId: string, now: Date): Promise<"confirmed" | "already" | "missing"> {
  const updated = await tx.updateTable("contacts").set({ confirmed_at: now }).where("id", "=", contactId)
    .where("organisation_id", "=", organisationId).where("confirmed_at", "is", null).executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) {
    await cancelQueued(tx, { recipient: { kind: "contact", id: contactId }, kinds: ["contact_confirm"] }, "contact_confirmed", now);
    return "confirmed";
  }
  const exists = await tx.selectFrom("contacts").select("id").where("id", "=", contactId)
    .where("organisation_id", "=", organisationId).executeTakeFirst();
  return exists ? "already" : "missing";
}

export interface Invitation {
  contactId: string;
  /** To pass on to the invitee, who sends it to the LINE account; stored only as a hash. */
  code: string;
  /** `now` + {@link INVITATION_HOURS}. */
  expiresAt: Date;
}

/**
 * A one-time invitation code for an existing contact, valid {@link INVITATION_HOURS}
 * hours. Returns undefined when the organisation has no such contact.
 */
export async function inviteContact(db: Db, organisationId: string, contactId: string, now: Date): Promise<Invitation | undefined> {
  return inTransaction(db, async (tx) => {
    const contact = await tx.selectFrom("contacts").select("id").where("id", "=", contactId)
      .where("organisation_id", "=", organisationId).executeTakeFirst();
    return contact ? invitationFor(tx, organisationId, contact.id, now) : undefined;
  });
}

async function invitationFor(tx: Db, organisationId: string, contactId: string, now: Date): Promise<Invitation> {
  const code = invitationCode();
  const expiresAt = new Date(now.getTime() + INVITATION_HOURS * 3_600_000);
  await tx.insertInto("contact_invitations").values({
    code_hash: hashCode(code), organisation_id: organisationId, contact_id: contactId, expires_at: expiresAt, created_at: now,
  }).execute();
  return { contactId, code, expiresAt };
}

/**
 * A member invites someone to watch over them (LINE's 連絡先), in the caller's
 * transaction: a placeholder contact (招待中の連絡先, no channels yet) is added at
 * the end of the list, under the member lock of {@link addContactIn}, with an
 * invitation code for it. Undefined when the organisation has no such member.
 */
export async function inviteNewContactIn(tx: Db, organisationId: string, memberId: string, now: Date): Promise<Invitation | undefined> {
  const contact = await addContactIn(tx, organisationId, memberId, { ...INVITED, channels: [] }, now);
  return contact ? invitationFor(tx, organisationId, contact.id, now) : undefined;
}

export type AcceptOutcome =
  | { status: "unknown" }
  /** The code was used before or is past its expiry: nothing changes. */
  | { status: "used_or_expired" }
  | { status: "accepted"; contactId: string; memberId: string; memberName: string };

/**
 * The invitee sends the code from `address` (their LINE user): the code is used
 * up, the address becomes the contact's first channel (replacing any other of
 * its kind), and the role counts as confirmed. A placeholder name becomes
 * LINEの連絡先. In the caller's transaction; `unknown` for a code this
 * organisation never issued (the caller may read the text as something else).
 */
export async function acceptInvitationIn(
  tx: Db, organisationId: string, code: string, address: ChannelAddress, now: Date,
): Promise<AcceptOutcome> {
  const invitation = await tx.selectFrom("contact_invitations").select(["contact_id", "expires_at", "used_at"])
    .where("code_hash", "=", hashCode(code)).where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
  if (!invitation) return { status: "unknown" };
  if (invitation.used_at || invitation.expires_at < now) return { status: "used_or_expired" };
  await tx.updateTable("contact_invitations").set({ used_at: now }).where("code_hash", "=", hashCode(code)).execute();
  const contact = await tx.selectFrom("contacts").select(["channels", "display_name", "member_id"])
    .where("id", "=", invitation.contact_id).executeTakeFirstOrThrow();
  const others = contact.channels.filter((c) => c.kind !== address.kind);
  await tx.updateTable("contacts").set({
    channels: JSON.stringify([address, ...others]), confirmed_at: now,
    ...(contact.display_name === INVITED.displayName ? { display_name: ACCEPTED_NAME } : {}),
  }).where("id", "=", invitation.contact_id).execute();
  const member = await tx.selectFrom("members").select("display_name").where("id", "=", contact.member_id).executeTakeFirstOrThrow();
  return { status: "accepted", contactId: invitation.contact_id, memberId: contact.member_id, memberName: member.display_name };
}

/** Whether `contactId` is a contact of this member in this organisation (an answer given on a member's behalf names one). */
export async function isContactOf(db: Db, organisationId: string, memberId: string, contactId: string): Promise<boolean> {
  const contact = await db.selectFrom("contacts").select("id").where("id", "=", contactId)
    .where("member_id", "=", memberId).where("organisation_id", "=", organisationId).executeTakeFirst();
  return !!contact;
}
