/**
 * Passkeys (WebAuthn, @simplewebauthn/server): a person registers one at their
 * invitation (instead of a password and an authenticator app) or later from
 * their account, signs in with it without typing a login id (a discoverable
 * credential), and sees and removes their passkeys.
 *
 * Every ceremony starts with a challenge stored as a row (webauthn_challenges)
 * that expires after CHALLENGE_TTL_MS and is used once: finishing claims it with
 * a guarded write, so a replayed answer, or two racing ones, find it spent.
 * User verification (the phone's or computer's PIN, face or fingerprint) is
 * required, so a passkey alone is two factors.
 *
 * Accepting an invitation with a passkey replaces the person's credentials (a
 * re-invitation is a reset: the old password, authenticator and passkeys end),
 * as accepting it with a password does.
 */
import type {
  AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { RelyingParty } from "../config.ts";
import { newId } from "../ids.ts";
import { onFirstUse } from "../lazy-import.ts";
import { type Db, inTransaction } from "../store/db.ts";
import { hashCode } from "./people.ts";

/** @simplewebauthn/server (with its ASN.1 and X.509 parsers, some 25 MB), loaded at the first passkey ceremony (src/lazy-import.ts). */
const webauthn = onFirstUse(() => import("@simplewebauthn/server"));

/** A ceremony must be finished within this time (the browser's own prompt gives up after 60 s). */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/**
 * The signature algorithms offered: EdDSA, ES256, RS256 (COSE ids), what
 * every platform authenticator signs with. Named, rather than the library's
 * default, which probes Node's experimental post-quantum algorithms and warns.
 */
const ALGORITHMS = [-8, -7, -257];
/** Passkeys a person may hold. */
export const MAX_PASSKEYS = 20;

export interface PasskeyView {
  id: string;
  name: string;
  /** multiDevice: synced between the person's devices (iCloud Keychain, Google Password Manager…); singleDevice: one device or key. */
  deviceType: "singleDevice" | "multiDevice";
  backedUp: boolean;
  createdAt: string;
  lastUsedAt: string | null;
}

export type PasskeyError =
  | { code: "challenge_invalid"; field: "challengeId"; message: string }
  | { code: "passkey_invalid"; field: "response"; message: string }
  | { code: "invitation_invalid"; field: "code"; message: string }
  | { code: "invalid_credentials"; field: "response"; message: string }
  | { code: "too_many_passkeys"; field: "response"; message: string }
  | { code: "not_found"; field: "id"; message: string }
  | { code: "last_credential"; field: "id"; message: string };

const challengeInvalid: PasskeyError = { code: "challenge_invalid", field: "challengeId", message: "this passkey request is unknown, used or expired: start again" };
const invitationInvalid: PasskeyError = { code: "invitation_invalid", field: "code", message: "this invitation is unknown, used or expired: ask an administrator for a new one" };
const signInRefused: PasskeyError = { code: "invalid_credentials", field: "response", message: "this passkey does not sign anyone in here" };

/** A person's id (a UUID) as the 16 bytes WebAuthn keeps as the user handle. */
function userHandle(personId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(personId.replaceAll("-", ""), "hex"));
}

function view(row: { id: string; name: string; device_type: string; backed_up: boolean; created_at: Date; last_used_at: Date | null }): PasskeyView {
  return {
    id: row.id, name: row.name, deviceType: row.device_type === "multiDevice" ? "multiDevice" : "singleDevice", backedUp: row.backed_up,
    createdAt: row.created_at.toISOString(), lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
}

async function newChallenge(
  db: Db, challenge: string, purpose: "register" | "sign_in", who: { organisationId?: string; personId?: string; invitationHash?: string }, now: Date,
): Promise<string> {
  // Spent and expired ceremonies are of no use to anyone: dropped as new ones begin (an index on the expiry keeps this cheap).
  await db.deleteFrom("webauthn_challenges").where("expires_at", "<", new Date(now.getTime() - CHALLENGE_TTL_MS)).execute();
  const id = newId();
  await db.insertInto("webauthn_challenges").values({
    id, challenge, purpose, organisation_id: who.organisationId ?? null, person_id: who.personId ?? null, invitation_hash: who.invitationHash ?? null,
    expires_at: new Date(now.getTime() + CHALLENGE_TTL_MS), used_at: null, created_at: now,
  }).execute();
  return id;
}

/** Claims a live challenge once: the row is marked used only if it was unused and unexpired. */
async function claimChallenge(db: Db, id: string, purpose: "register" | "sign_in", now: Date) {
  return db.updateTable("webauthn_challenges").set({ used_at: now })
    .where("id", "=", id).where("purpose", "=", purpose).where("used_at", "is", null).where("expires_at", ">", now)
    .returning(["challenge", "organisation_id", "person_id", "invitation_hash"]).executeTakeFirst();
}

async function liveInvitation(db: Db, code: string, now: Date) {
  const row = await db.selectFrom("person_invitations as i")
    .innerJoin("people as p", (j) => j.onRef("p.id", "=", "i.person_id").onRef("p.organisation_id", "=", "i.organisation_id"))
    .select(["i.code_hash", "i.organisation_id", "i.person_id", "i.expires_at", "i.used_at", "p.deactivated_at", "p.display_name", "p.login_id"])
    .where("i.code_hash", "=", hashCode(code)).executeTakeFirst();
  return row && !row.used_at && row.expires_at > now && !row.deactivated_at ? row : undefined;
}

/**
 * Begins registering a passkey, for a signed-in person (`personId`) or at an
 * invitation (`invitationCode`). Returns the options for the browser's
 * navigator.credentials.create() and the ceremony's id. Errors:
 * `invitation_invalid`, `not_found` (no such person).
 */
export async function beginRegistration(
  db: Db, rp: RelyingParty, who: { organisationId: string; personId: string } | { invitationCode: string }, now: Date,
): Promise<{ ok: true; challengeId: string; options: PublicKeyCredentialCreationOptionsJSON } | { ok: false; error: PasskeyError }> {
  let person: { organisationId: string; personId: string; displayName: string; loginId: string; invitationHash?: string };
  if ("invitationCode" in who) {
    const invitation = await liveInvitation(db, who.invitationCode, now);
    if (!invitation) return { ok: false, error: invitationInvalid };
    person = {
      organisationId: invitation.organisation_id, personId: invitation.person_id, displayName: invitation.display_name, loginId: invitation.login_id,
      invitationHash: invitation.code_hash,
    };
  } else {
    const row = await db.selectFrom("people").select(["display_name", "login_id"]).where("organisation_id", "=", who.organisationId)
      .where("id", "=", who.personId).executeTakeFirst();
    if (!row) return { ok: false, error: { code: "not_found", field: "id", message: "no such person" } };
    person = { ...who, displayName: row.display_name, loginId: row.login_id };
  }
  // At an invitation the person's old passkeys will end: none is excluded then.
  const existing = "invitationCode" in who ? [] : await db.selectFrom("person_passkeys").select(["credential_id", "transports"])
    .where("organisation_id", "=", person.organisationId).where("person_id", "=", person.personId).execute();
  const options = await (await webauthn()).generateRegistrationOptions({
    rpName: rp.rpName, rpID: rp.rpId, userName: person.loginId, userDisplayName: person.displayName, userID: userHandle(person.personId),
    attestationType: "none", timeout: CHALLENGE_TTL_MS, supportedAlgorithmIDs: ALGORITHMS,
    excludeCredentials: existing.map((c) => ({ id: c.credential_id, transports: c.transports })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
  const challengeId = await newChallenge(db, options.challenge, "register",
    { organisationId: person.organisationId, personId: person.personId, ...(person.invitationHash ? { invitationHash: person.invitationHash } : {}) }, now);
  return { ok: true, challengeId, options };
}

/**
 * Finishes a registration: checks the authenticator's answer against the
 * ceremony's challenge, the relying party and its origins, and keeps the
 * passkey. At an invitation (`invitationCode`), the invitation is used, the
 * person's earlier credentials end and so do their sessions. Errors:
 * `challenge_invalid` (unknown, spent, expired, or another person's),
 * `passkey_invalid` (the answer does not verify), `invitation_invalid`,
 * `too_many_passkeys`.
 */
export async function finishRegistration(
  db: Db, rp: RelyingParty,
  input: { challengeId: string; response: RegistrationResponseJSON; name: string },
  who: { organisationId: string; personId: string } | { invitationCode: string }, now: Date,
): Promise<{ ok: true; organisationId: string; personId: string; passkey: PasskeyView } | { ok: false; error: PasskeyError }> {
  return inTransaction(db, async (tx) => {
    const challenge = await claimChallenge(tx, input.challengeId, "register", now);
    if (!challenge?.organisation_id || !challenge.person_id) return { ok: false, error: challengeInvalid };
    const organisationId = challenge.organisation_id;
    const personId = challenge.person_id;
    if ("invitationCode" in who) {
      const invitation = await liveInvitation(tx, who.invitationCode, now);
      if (!invitation) return { ok: false, error: invitationInvalid };
      if (challenge.invitation_hash !== invitation.code_hash) return { ok: false, error: challengeInvalid };
    } else if (challenge.invitation_hash || organisationId !== who.organisationId || personId !== who.personId) {
      return { ok: false, error: challengeInvalid };
    }
    let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
    try {
      verified = await (await webauthn()).verifyRegistrationResponse({
        response: input.response, expectedChallenge: challenge.challenge, expectedOrigin: rp.origins, expectedRPID: rp.rpId, requireUserVerification: true,
        supportedAlgorithmIDs: ALGORITHMS,
      });
    } catch (error) {
      return { ok: false, error: { code: "passkey_invalid", field: "response", message: `the passkey could not be verified: ${(error as Error).message}` } };
    }
    if (!verified.verified) return { ok: false, error: { code: "passkey_invalid", field: "response", message: "the passkey could not be verified" } };
    const { credential, credentialDeviceType, credentialBackedUp } = verified.registrationInfo;
    if ("invitationCode" in who) {
      await tx.updateTable("person_invitations").set({ used_at: now }).where("organisation_id", "=", organisationId)
        .where("code_hash", "=", challenge.invitation_hash as string).execute();
      await tx.updateTable("people").set({ password_hash: null, totp_secret: null, totp_last_step: null, failed_attempts: 0, locked_until: null, accepted_at: now })
        .where("organisation_id", "=", organisationId).where("id", "=", personId).execute();
      await tx.deleteFrom("person_passkeys").where("organisation_id", "=", organisationId).where("person_id", "=", personId).execute();
      await tx.updateTable("sessions").set({ revoked_at: now }).where("organisation_id", "=", organisationId).where("person_id", "=", personId)
        .where("revoked_at", "is", null).execute();
    } else {
      const held = await tx.selectFrom("person_passkeys").select((eb) => eb.fn.countAll<string>().as("n"))
        .where("organisation_id", "=", organisationId).where("person_id", "=", personId).executeTakeFirstOrThrow();
      if (Number(held.n) >= MAX_PASSKEYS) {
        return { ok: false, error: { code: "too_many_passkeys", field: "response", message: `a person holds at most ${MAX_PASSKEYS} passkeys: remove one first` } };
      }
    }
    const taken = await tx.selectFrom("person_passkeys").select("id").where("credential_id", "=", credential.id).executeTakeFirst();
    if (taken) return { ok: false, error: { code: "passkey_invalid", field: "response", message: "this passkey is already registered" } };
    const id = newId();
    await tx.insertInto("person_passkeys").values({
      id, organisation_id: organisationId, person_id: personId, credential_id: credential.id, public_key: Buffer.from(credential.publicKey).toString("base64url"),
      counter: credential.counter, transports: JSON.stringify(credential.transports ?? []), device_type: credentialDeviceType, backed_up: credentialBackedUp,
      name: input.name, created_at: now, last_used_at: null,
    }).execute();
    return {
      ok: true, organisationId, personId,
      passkey: view({ id, name: input.name, device_type: credentialDeviceType, backed_up: credentialBackedUp, created_at: now, last_used_at: null }),
    };
  });
}

/** Begins a passkey sign-in: options for navigator.credentials.get() (any passkey of this site: nobody is named yet). */
export async function beginSignIn(db: Db, rp: RelyingParty, now: Date): Promise<{ challengeId: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  const options = await (await webauthn()).generateAuthenticationOptions({ rpID: rp.rpId, userVerification: "required", timeout: CHALLENGE_TTL_MS });
  return { challengeId: await newChallenge(db, options.challenge, "sign_in", {}, now), options };
}

/**
 * Finishes a passkey sign-in: finds the passkey by its credential id, checks
 * the signature over the ceremony's challenge (with user verification) and the
 * signature counter, and names the person. Errors: `challenge_invalid`;
 * `invalid_credentials` (unknown passkey, a deactivated person, a signature or
 * user handle that does not match — one error, as for passwords).
 */
export async function finishSignIn(
  db: Db, rp: RelyingParty, input: { challengeId: string; response: AuthenticationResponseJSON }, now: Date,
): Promise<{ ok: true; organisationId: string; personId: string } | { ok: false; error: PasskeyError }> {
  return inTransaction(db, async (tx) => {
    const challenge = await claimChallenge(tx, input.challengeId, "sign_in", now);
    if (!challenge) return { ok: false, error: challengeInvalid };
    const passkey = await tx.selectFrom("person_passkeys as k")
      .innerJoin("people as p", (j) => j.onRef("p.id", "=", "k.person_id").onRef("p.organisation_id", "=", "k.organisation_id"))
      .select(["k.id", "k.organisation_id", "k.person_id", "k.credential_id", "k.public_key", "k.counter", "k.transports", "p.deactivated_at"])
      .where("k.credential_id", "=", String(input.response.id)).forUpdate("k").executeTakeFirst();
    if (!passkey || passkey.deactivated_at) return { ok: false, error: signInRefused };
    const handle = input.response.response?.userHandle;
    if (handle && handle !== Buffer.from(userHandle(passkey.person_id)).toString("base64url")) return { ok: false, error: signInRefused };
    let newCounter: number;
    try {
      const verified = await (await webauthn()).verifyAuthenticationResponse({
        response: input.response, expectedChallenge: challenge.challenge, expectedOrigin: rp.origins, expectedRPID: rp.rpId, requireUserVerification: true,
        credential: {
          id: passkey.credential_id, publicKey: new Uint8Array(Buffer.from(passkey.public_key, "base64url")), counter: Number(passkey.counter),
          transports: passkey.transports as never,
        },
      });
      if (!verified.verified) return { ok: false, error: signInRefused };
      newCounter = verified.authenticationInfo.newCounter;
    } catch {
      // A bad signature, a counter that went backwards (a cloned authenticator), another origin: refused alike.
      return { ok: false, error: signInRefused };
    }
    await tx.updateTable("person_passkeys").set({ counter: newCounter, last_used_at: now })
      .where("organisation_id", "=", passkey.organisation_id).where("id", "=", passkey.id).execute();
    return { ok: true, organisationId: passkey.organisation_id, personId: passkey.person_id };
  });
}

/** A person's passkeys, oldest first. */
export async function listPasskeys(db: Db, organisationId: string, personId: string): Promise<PasskeyView[]> {
  const rows = await db.selectFrom("person_passkeys").select(["id", "name", "device_type", "backed_up", "created_at", "last_used_at"])
    .where("organisation_id", "=", organisationId).where("person_id", "=", personId).orderBy("created_at").orderBy("id").execute();
  return rows.map(view);
}

/**
 * Removes one of a person's passkeys. Errors: `not_found`; `last_credential`
 * (it is their only way to sign in: no password, no other passkey — an admin's
 * re-invitation is the way to change it).
 */
export async function removePasskey(db: Db, organisationId: string, personId: string, passkeyId: string): Promise<{ ok: true } | { ok: false; error: PasskeyError }> {
  return inTransaction(db, async (tx) => {
    const person = await tx.selectFrom("people").select(["password_hash"]).where("organisation_id", "=", organisationId).where("id", "=", personId)
      .forUpdate().executeTakeFirst();
    const keys = await tx.selectFrom("person_passkeys").select("id").where("organisation_id", "=", organisationId).where("person_id", "=", personId).execute();
    if (!person || !keys.some((k) => k.id === passkeyId)) return { ok: false, error: { code: "not_found", field: "id", message: "no such passkey of yours" } };
    if (!person.password_hash && keys.length === 1) {
      return { ok: false, error: { code: "last_credential", field: "id", message: "this passkey is your only way to sign in: add another one first" } };
    }
    await tx.deleteFrom("person_passkeys").where("organisation_id", "=", organisationId).where("id", "=", passkeyId).execute();
    return { ok: true };
  });
}
