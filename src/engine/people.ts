/**
 * People (the humans who sign in to the console) and their invitations.
 *
 * Roles (enforced by the API, http/access.ts):
 * - `admin` (operator admin): everything in the organisation;
 * - `staff` (team staff): runs the watch; the Today board shows their own teams;
 * - `watcher` (見守り協力者): only their own tasks — refused (403) every route of
 *   members, incidents and the rest until visits assign them members;
 * - `auditor` (監査担当): reads everything, the audit log included; writes nothing.
 *
 * An admin invites a person: a one-time code (shown once, as a link) with which
 * they set a password (argon2id) and install a TOTP second factor, then sign in.
 * Repeated failures lock the account for a while (LOCK_AFTER, LOCK_FOR_MS).
 */
import { createHash, randomBytes } from "node:crypto";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { SecretBox } from "../store/secrets.ts";
import { hashPassword, newTotpSecret, verifyPassword, verifyTotp } from "./credentials.ts";
import { organisationTimeZone } from "./today.ts";
import { personInvitationText } from "../domain/messages.ts";
import { enqueue, outboxRow } from "./outbox.ts";

export const PERSON_ROLES = ["admin", "staff", "watcher", "auditor"] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/** An invitation is valid this long. */
export const INVITATION_TTL_MS = 7 * 86_400_000;
/** Consecutive failed sign-ins that lock the account… */
export const LOCK_AFTER = 5;
/** …for this long (a correct password during the lock is refused too). */
export const LOCK_FOR_MS = 15 * 60_000;
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

export const hashCode = (code: string) => createHash("sha256").update(code).digest("hex");

export interface PersonView {
  id: string;
  displayName: string;
  loginId: string;
  /** Where e-mailed invitations go; null when none is known. */
  email: string | null;
  role: PersonRole;
  teamIds: string[];
  /** invited: has not accepted yet; active; locked: too many failures, until lockedUntil; deactivated. */
  status: "invited" | "active" | "locked" | "deactivated";
  /** Staff and admins: whether team alerts reach them now (engine/on-duty.ts); always false for other roles. */
  onDuty: boolean;
  lockedUntil: string | null;
  createdAt: string;
  createdBy: string;
}

type PersonRow = {
  id: string; organisation_id: string; display_name: string; login_id: string; role: string; password_hash: string | null;
  locked_until: Date | null; deactivated_at: Date | null; created_at: Date; created_by: string; accepted_at: Date | null; email: string | null;
  on_duty: boolean;
};

const PERSON_COLUMNS = ["id", "organisation_id", "display_name", "login_id", "role", "password_hash", "locked_until", "deactivated_at", "created_at", "created_by", "accepted_at", "email", "on_duty"] as const;

function view(p: PersonRow, teamIds: string[], now: Date): PersonView {
  const status = p.deactivated_at ? "deactivated" : !p.accepted_at ? "invited" : p.locked_until && p.locked_until > now ? "locked" : "active";
  return {
    id: p.id, displayName: p.display_name, loginId: p.login_id, email: p.email, role: p.role as PersonRole, teamIds, status,
    onDuty: p.on_duty && (p.role === "staff" || p.role === "admin"),
    lockedUntil: status === "locked" ? (p.locked_until as Date).toISOString() : null, createdAt: p.created_at.toISOString(), createdBy: p.created_by,
  };
}

async function teamsOf(db: Db, organisationId: string, personIds: string[]): Promise<Map<string, string[]>> {
  const byPerson = new Map<string, string[]>(personIds.map((id) => [id, []]));
  if (!personIds.length) return byPerson;
  const rows = await db.selectFrom("person_teams").select(["person_id", "team_id"]).where("organisation_id", "=", organisationId)
    .where("person_id", "in", personIds).orderBy("team_id").execute();
  for (const r of rows) byPerson.get(r.person_id)?.push(r.team_id);
  return byPerson;
}

/** The organisation's people, by name. */
export async function listPeople(db: Db, organisationId: string, now: Date): Promise<PersonView[]> {
  const rows = await db.selectFrom("people").select([...PERSON_COLUMNS]).where("organisation_id", "=", organisationId).orderBy("display_name").orderBy("id").execute();
  const teams = await teamsOf(db, organisationId, rows.map((r) => r.id));
  return rows.map((r) => view(r, teams.get(r.id) ?? [], now));
}

export async function getPerson(db: Db, organisationId: string, id: string, now: Date): Promise<PersonView | undefined> {
  const row = await db.selectFrom("people").select([...PERSON_COLUMNS]).where("organisation_id", "=", organisationId).where("id", "=", id).executeTakeFirst();
  if (!row) return undefined;
  return view(row, (await teamsOf(db, organisationId, [id])).get(id) ?? [], now);
}

/**
 * The people who may own something the organisation keeps track of (a partner,
 * a directory entry, a volunteer), by name: staff and admins not deactivated,
 * ordered by name then id. The forms' choice; the commands still accept any
 * person of the organisation, so an owner who left stays readable until changed.
 */
export async function ownerCandidates(db: Db, organisationId: string): Promise<{ id: string; displayName: string }[]> {
  const rows = await db.selectFrom("people").select(["id", "display_name"]).where("organisation_id", "=", organisationId)
    .where("role", "in", ["staff", "admin"]).where("deactivated_at", "is", null).orderBy("display_name").orderBy("id").execute();
  return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
}

/** Display names of the people named (ids repeated or null are fine), by person id; an id of no person of the organisation is absent. */
export async function personNames(db: Db, organisationId: string, ids: readonly (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => !!id))];
  if (wanted.length === 0) return new Map();
  const rows = await db.selectFrom("people").select(["id", "display_name"]).where("organisation_id", "=", organisationId).where("id", "in", wanted).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

export type PeopleError =
  | { code: "login_taken"; field: string; message: string }
  | { code: "unknown_reference"; field: string; message: string }
  | { code: "not_found"; field: string; message: string }
  | { code: "last_admin"; field: string; message: string }
  | { code: "email_required"; field: "email"; message: string };

/** A new invitation; `sentTo` when it went by e-mail (through the outbox), else the code is to be handed over. */
export interface Invitation { code: string; expiresAt: string; sentTo: string | null }

/** How an invitation reaches the person: shown once to the admin (`link`), or e-mailed (`email`) through the outbox. */
export type InvitationDelivery =
  | { by: "link" }
  /** `queuedAt`: the engine's clock (the sandbox's virtual time there), on which the outbox runs. */
  | { by: "email"; email?: string; url: (code: string) => string; queuedAt: Date };

const emailRequired: PeopleError = { code: "email_required", field: "email", message: "an e-mailed invitation needs the person's e-mail address" };

/**
 * Queues the invitation's e-mail in the caller's transaction. The key is the
 * invitation's (its code's hash): a retried request or a crashed sender sends
 * it once.
 */
async function mailInvitation(
  tx: Db, organisationId: string, person: { id: string; displayName: string; loginId: string }, email: string, code: string, expiresAt: Date,
  url: string, queuedAt: Date,
): Promise<void> {
  const organisation = await tx.selectFrom("organisations").select("name").where("id", "=", organisationId).executeTakeFirstOrThrow();
  const zone = await organisationTimeZone(tx, organisationId);
  await enqueue(tx, [outboxRow({
    organisationId, key: `person_invitation:${hashCode(code)}`, recipient: { kind: "person", id: person.id }, channels: [{ kind: "email", address: email }],
    messageKind: "person_invitation", text: personInvitationText(person.displayName, organisation.name, person.loginId, expiresAt, zone),
    payload: { url }, dueAt: queuedAt, now: queuedAt,
  })]);
}

async function checkTeams(tx: Db, organisationId: string, teamIds: string[]): Promise<PeopleError | undefined> {
  if (!teamIds.length) return undefined;
  const found = await tx.selectFrom("teams").select("id").where("organisation_id", "=", organisationId).where("id", "in", teamIds).execute();
  const known = new Set(found.map((t) => t.id));
  const missing = teamIds.findIndex((id) => !known.has(id));
  return missing >= 0 ? { code: "unknown_reference", field: `teamIds.${missing}`, message: "no such team in this organisation" } : undefined;
}

async function newInvitation(
  tx: Db, secrets: SecretBox, organisationId: string, personId: string, now: Date, delivery: InvitationDelivery = { by: "link" },
): Promise<Invitation | undefined> {
  let email: string | null = null;
  let person: { id: string; displayName: string; loginId: string } | undefined;
  if (delivery.by === "email") {
    const row = await tx.selectFrom("people").select(["id", "display_name", "login_id", "email"]).where("organisation_id", "=", organisationId)
      .where("id", "=", personId).executeTakeFirstOrThrow();
    email = delivery.email ?? row.email;
    if (!email) return undefined;
    if (delivery.email && delivery.email !== row.email) {
      await tx.updateTable("people").set({ email: delivery.email }).where("organisation_id", "=", organisationId).where("id", "=", personId).execute();
    }
    person = { id: row.id, displayName: row.display_name, loginId: row.login_id };
  }
  const code = randomBytes(24).toString("base64url");
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  // One live invitation per person: a new one ends the ones before it.
  await tx.updateTable("person_invitations").set({ used_at: now }).where("organisation_id", "=", organisationId)
    .where("person_id", "=", personId).where("used_at", "is", null).execute();
  await tx.insertInto("person_invitations").values({
    code_hash: hashCode(code), organisation_id: organisationId, person_id: personId, totp_secret: secrets.seal(newTotpSecret()),
    expires_at: expiresAt, used_at: null, created_at: now,
  }).execute();
  if (delivery.by === "email" && email && person) await mailInvitation(tx, organisationId, person, email, code, expiresAt, delivery.url(code), delivery.queuedAt);
  return { code, expiresAt: expiresAt.toISOString(), sentTo: email };
}

/**
 * Invites a person: creates them (status `invited`) and a one-time invitation
 * code, returned once, and e-mailed through the outbox when `delivery` says so.
 * Errors: `login_taken` (409), `unknown_reference` (a team), `email_required`
 * (an e-mailed invitation without an address). Nothing is written on an error.
 */
export async function invitePerson(
  db: Db, secrets: SecretBox, organisationId: string,
  input: { displayName: string; loginId: string; role: PersonRole; teamIds?: string[]; email?: string }, createdBy: string, now: Date,
  delivery: InvitationDelivery = { by: "link" },
): Promise<{ ok: true; person: PersonView; invitation: Invitation } | { ok: false; error: PeopleError }> {
  if (delivery.by === "email" && !input.email && !delivery.email) return { ok: false, error: emailRequired };
  return inTransaction(db, async (tx) => {
    const teamIds = [...new Set(input.teamIds ?? [])];
    const bad = await checkTeams(tx, organisationId, teamIds);
    if (bad) return { ok: false, error: bad };
    const taken = await tx.selectFrom("people").select("id").where("organisation_id", "=", organisationId).where("login_id", "=", input.loginId).executeTakeFirst();
    if (taken) return { ok: false, error: { code: "login_taken", field: "loginId", message: "another person of this organisation has this login id" } };
    const id = newId();
    await tx.insertInto("people").values({
      id, organisation_id: organisationId, display_name: input.displayName, login_id: input.loginId, role: input.role,
      password_hash: null, totp_secret: null, locked_until: null, deactivated_at: null, created_at: now, created_by: createdBy, email: input.email ?? null,
    }).execute();
    if (teamIds.length) await tx.insertInto("person_teams").values(teamIds.map((team_id) => ({ organisation_id: organisationId, person_id: id, team_id }))).execute();
    const invitation = await newInvitation(tx, secrets, organisationId, id, now, delivery) as Invitation;
    return { ok: true, person: (await getPerson(tx, organisationId, id, now)) as PersonView, invitation };
  });
}

/**
 * A new invitation for a person (ends the earlier ones); for a forgotten
 * password or a lost phone too: accepting it replaces every credential. E-mailed
 * to `delivery.email` or the person's address when `delivery.by` is `email`.
 * Errors: `not_found`, `email_required`.
 */
export async function reinvite(
  db: Db, secrets: SecretBox, organisationId: string, personId: string, now: Date, delivery: InvitationDelivery = { by: "link" },
): Promise<{ ok: true; invitation: Invitation } | { ok: false; error: PeopleError }> {
  return inTransaction(db, async (tx) => {
    const person = await tx.selectFrom("people").select("id").where("organisation_id", "=", organisationId).where("id", "=", personId).executeTakeFirst();
    if (!person) return { ok: false, error: { code: "not_found", field: "id", message: "no such person in this organisation" } };
    const invitation = await newInvitation(tx, secrets, organisationId, personId, now, delivery);
    return invitation ? { ok: true, invitation } : { ok: false, error: emailRequired };
  });
}

/** Whether an organisation would keep an active admin if `personId` stopped being one. */
async function keepsAnAdmin(tx: Db, organisationId: string, personId: string): Promise<boolean> {
  const others = await tx.selectFrom("people").select("id").where("organisation_id", "=", organisationId).where("role", "=", "admin")
    .where("deactivated_at", "is", null).where("id", "<>", personId).limit(1).execute();
  if (others.length) return true;
  // API admin tokens also administer the organisation.
  const tokens = await tx.selectFrom("api_tokens").select("id").where("organisation_id", "=", organisationId).where("role", "=", "admin")
    .where("revoked_at", "is", null).limit(1).execute();
  return tokens.length > 0;
}

/**
 * Changes a person's name, role, teams or activity. Deactivating ends their
 * sessions. Errors: `not_found`, `unknown_reference` (a team), `last_admin` (the
 * organisation would have no admin left, person or token).
 */
export async function updatePerson(
  db: Db, organisationId: string, personId: string,
  patch: { displayName?: string; role?: PersonRole; teamIds?: string[]; active?: boolean; email?: string | null }, now: Date,
): Promise<{ ok: true; person: PersonView } | { ok: false; error: PeopleError }> {
  return inTransaction(db, async (tx) => {
    const person = await tx.selectFrom("people").select(["id", "role", "deactivated_at"]).where("organisation_id", "=", organisationId)
      .where("id", "=", personId).forUpdate().executeTakeFirst();
    if (!person) return { ok: false, error: { code: "not_found", field: "id", message: "no such person in this organisation" } };
    const losesAdmin = person.role === "admin" && !person.deactivated_at && ((patch.role && patch.role !== "admin") || patch.active === false);
    if (losesAdmin && !(await keepsAnAdmin(tx, organisationId, personId))) {
      return { ok: false, error: { code: "last_admin", field: patch.active === false ? "active" : "role", message: "the organisation's last admin must stay an admin" } };
    }
    if (patch.teamIds) {
      const teamIds = [...new Set(patch.teamIds)];
      const bad = await checkTeams(tx, organisationId, teamIds);
      if (bad) return { ok: false, error: bad };
      await tx.deleteFrom("person_teams").where("organisation_id", "=", organisationId).where("person_id", "=", personId).execute();
      if (teamIds.length) await tx.insertInto("person_teams").values(teamIds.map((team_id) => ({ organisation_id: organisationId, person_id: personId, team_id }))).execute();
    }
    const set: { display_name?: string; role?: string; deactivated_at?: Date | null; email?: string | null } = {};
    if (patch.email !== undefined) set.email = patch.email;
    if (patch.displayName !== undefined) set.display_name = patch.displayName;
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.active === false && !person.deactivated_at) set.deactivated_at = now;
    if (patch.active === true) set.deactivated_at = null;
    if (Object.keys(set).length) await tx.updateTable("people").set(set).where("organisation_id", "=", organisationId).where("id", "=", personId).execute();
    if (patch.active === false) {
      await tx.updateTable("sessions").set({ revoked_at: now }).where("organisation_id", "=", organisationId).where("person_id", "=", personId)
        .where("revoked_at", "is", null).execute();
    }
    return { ok: true, person: (await getPerson(tx, organisationId, personId, now)) as PersonView };
  });
}

export type InvitationError = { code: "invitation_invalid"; message: string };

/** What an invitation's page shows: who is invited, to which organisation, and the second factor to install. */
export async function openInvitation(db: Db, secrets: SecretBox, code: string, now: Date):
  Promise<{ ok: true; organisationName: string; timeZone: string; displayName: string; loginId: string; totpSecret: string; expiresAt: string } | { ok: false; error: InvitationError }> {
  const row = await db.selectFrom("person_invitations as i")
    .innerJoin("people as p", (j) => j.onRef("p.id", "=", "i.person_id").onRef("p.organisation_id", "=", "i.organisation_id"))
    .innerJoin("organisations as o", "o.id", "i.organisation_id")
    .select(["i.totp_secret", "i.expires_at", "i.used_at", "i.organisation_id", "p.display_name", "p.login_id", "p.deactivated_at", "o.name"])
    .where("i.code_hash", "=", hashCode(code)).executeTakeFirst();
  if (!row || row.used_at || row.expires_at <= now || row.deactivated_at) {
    return { ok: false, error: { code: "invitation_invalid", message: "this invitation is unknown, used or expired: ask an administrator for a new one" } };
  }
  return {
    ok: true, organisationName: row.name, timeZone: await organisationTimeZone(db, row.organisation_id), displayName: row.display_name, loginId: row.login_id,
    totpSecret: secrets.open<string>(row.totp_secret), expiresAt: row.expires_at.toISOString(),
  };
}

export type AcceptError = InvitationError | { code: "totp_invalid"; field: "totpCode"; message: string };

/**
 * Accepts an invitation: the password (hashed with argon2id) and the TOTP
 * secret of the invitation become the person's, proven by a current code from
 * their authenticator app. Ends any lock-out. Errors: `invitation_invalid`,
 * `totp_invalid` (the code does not match: nothing changes, the invitation stays usable).
 */
export async function acceptInvitation(db: Db, secrets: SecretBox, code: string, password: string, totpCode: string, now: Date):
  Promise<{ ok: true; organisationId: string; personId: string } | { ok: false; error: AcceptError }> {
  const hash = await hashPassword(password);
  return inTransaction(db, async (tx) => {
    const row = await tx.selectFrom("person_invitations as i")
      .innerJoin("people as p", (j) => j.onRef("p.id", "=", "i.person_id").onRef("p.organisation_id", "=", "i.organisation_id"))
      .select(["i.code_hash", "i.organisation_id", "i.person_id", "i.totp_secret", "i.expires_at", "i.used_at", "p.deactivated_at"])
      .where("i.code_hash", "=", hashCode(code)).forUpdate().executeTakeFirst();
    if (!row || row.used_at || row.expires_at <= now || row.deactivated_at) {
      return { ok: false, error: { code: "invitation_invalid", message: "this invitation is unknown, used or expired: ask an administrator for a new one" } };
    }
    const secret = secrets.open<string>(row.totp_secret);
    const step = await verifyTotp(secret, totpCode, now);
    if (step === null) {
      return { ok: false, error: { code: "totp_invalid", field: "totpCode", message: "the code does not match: enter the 6 digits your authenticator app shows now" } };
    }
    await tx.updateTable("person_invitations").set({ used_at: now }).where("code_hash", "=", row.code_hash).where("organisation_id", "=", row.organisation_id).execute();
    await tx.updateTable("people").set({ password_hash: hash, totp_secret: row.totp_secret, totp_last_step: step, failed_attempts: 0, locked_until: null, accepted_at: now })
      .where("id", "=", row.person_id).where("organisation_id", "=", row.organisation_id).execute();
    // Accepting an invitation is a reset: the password and authenticator above are now the only credentials.
    await tx.deleteFrom("person_passkeys").where("organisation_id", "=", row.organisation_id).where("person_id", "=", row.person_id).execute();
    // A new password ends every session opened with the old one.
    await tx.updateTable("sessions").set({ revoked_at: now }).where("organisation_id", "=", row.organisation_id).where("person_id", "=", row.person_id)
      .where("revoked_at", "is", null).execute();
    return { ok: true, organisationId: row.organisation_id, personId: row.person_id };
  });
}

export type SignInError =
  | { code: "invalid_credentials"; message: string }
  | { code: "account_locked"; message: string; lockedUntil: string }
  | { code: "organisation_required"; message: string };

/** A hash that never verifies, checked when no person matches, so an unknown login id costs as long as a wrong password. */
let decoy: Promise<string> | undefined;

/**
 * Checks a sign-in: login id, password and TOTP code. A code is accepted once
 * (its time step is remembered; that step and earlier ones are refused after).
 * A failure counts against
 * the person; the LOCK_AFTER-th in a row locks the account for LOCK_FOR_MS
 * (`account_locked`, even with the right password); success resets the count.
 * Unknown login, wrong password, wrong code and deactivated account are one
 * error, `invalid_credentials`, so nothing tells which was wrong. The same login
 * id in two organisations needs `organisationId` (`organisation_required`).
 */
export async function checkSignIn(
  db: Db, secrets: SecretBox, input: { loginId: string; password: string; totpCode: string; organisationId?: string }, now: Date,
): Promise<{ ok: true; organisationId: string; personId: string } | { ok: false; error: SignInError }> {
  const invalid: SignInError = { code: "invalid_credentials", message: "the login id, password or code is wrong" };
  let q = db.selectFrom("people").select(["id", "organisation_id", "password_hash", "totp_secret", "totp_last_step", "failed_attempts", "locked_until", "deactivated_at"])
    .where("login_id", "=", input.loginId).where("password_hash", "is not", null);
  if (input.organisationId) q = q.where("organisation_id", "=", input.organisationId);
  const candidates = await q.execute();
  if (candidates.length > 1) return { ok: false, error: { code: "organisation_required", message: "this login id exists in several organisations: choose one" } };
  const person = candidates[0];
  if (!person) {
    decoy ??= hashPassword(randomBytes(16).toString("hex"));
    await verifyPassword(await decoy, input.password);
    return { ok: false, error: invalid };
  }
  if (person.locked_until && person.locked_until > now) {
    return { ok: false, error: { code: "account_locked", message: "too many failed sign-ins: try again later, or ask an administrator", lockedUntil: person.locked_until.toISOString() } };
  }
  const passwordOk = await verifyPassword(person.password_hash as string, input.password);
  const step = passwordOk && person.totp_secret ? await verifyTotp(secrets.open<string>(person.totp_secret), input.totpCode, now, person.totp_last_step) : null;
  const where = { id: person.id, organisation_id: person.organisation_id };
  // The step is claimed with a guarded write, so two sign-ins racing with one code cannot both pass.
  const claimed = step !== null && !person.deactivated_at && Number((await db.updateTable("people").set({ totp_last_step: step })
    .where("id", "=", where.id).where("organisation_id", "=", where.organisation_id)
    .where((eb) => eb.or([eb("totp_last_step", "is", null), eb("totp_last_step", "<", step)])).executeTakeFirst()).numUpdatedRows) === 1;
  if (!claimed) {
    // Counted in the database, so concurrent guesses each count.
    const updated = await db.updateTable("people").set((eb) => ({ failed_attempts: eb("failed_attempts", "+", 1) }))
      .where("id", "=", where.id).where("organisation_id", "=", where.organisation_id).returning("failed_attempts").executeTakeFirstOrThrow();
    if (updated.failed_attempts >= LOCK_AFTER) {
      const lockedUntil = new Date(now.getTime() + LOCK_FOR_MS);
      await db.updateTable("people").set({ locked_until: lockedUntil, failed_attempts: 0 })
        .where("id", "=", where.id).where("organisation_id", "=", where.organisation_id).execute();
      return { ok: false, error: { code: "account_locked", message: "too many failed sign-ins: try again later, or ask an administrator", lockedUntil: lockedUntil.toISOString() } };
    }
    return { ok: false, error: invalid };
  }
  if (person.failed_attempts > 0) {
    await db.updateTable("people").set({ failed_attempts: 0 }).where("id", "=", where.id).where("organisation_id", "=", where.organisation_id).execute();
  }
  return { ok: true, organisationId: person.organisation_id, personId: person.id };
}
