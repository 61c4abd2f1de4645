/**
 * Passkeys on every database, answered by a software authenticator (real
 * ES256 signatures, verified by @simplewebauthn/server): registering one at an
 * invitation or from one's account, signing in with it, the ceremony's
 * challenge used once and expiring, origins and user verification checked,
 * a cloned authenticator's counter refused, the last credential kept.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SoftAuthenticator } from "../support/authenticator.ts";
import { databaseKinds, startTestService, type TestService, testWallClock } from "../support/harness.ts";
import { invitedPerson, PASSWORD, personClient, totpNow } from "../support/people.ts";

for (const kind of databaseKinds()) {
  describe(`passkeys on ${kind}`, () => {
    let service: TestService;
    let origin: string;
    before(async () => {
      service = await startTestService(kind);
      origin = service.url.replace("127.0.0.1", "localhost");
    });
    after(async () => {
      await service?.close();
    });

    const invite = async (loginId: string, displayName = loginId) => {
      const invited = await service.api("POST", "/people", { displayName, loginId, role: "staff" });
      assert.equal(invited.status, 201, JSON.stringify(invited.body));
      return { code: invited.body.invitation.code as string, id: invited.body.person.id as string };
    };

    /** Accepts an invitation with a passkey of `authenticator`; returns the signed-in client. */
    const acceptWithPasskey = async (code: string, authenticator: SoftAuthenticator) => {
      const client = personClient(service.url);
      const options = await client.call("POST", `/invitations/${code}/passkey/options`);
      assert.equal(options.status, 200, JSON.stringify(options.body));
      const accepted = await client.call("POST", `/invitations/${code}/passkey`, {
        challengeId: options.body.challengeId, response: authenticator.register(options.body.options), name: "この端末",
      });
      return { client, accepted };
    };

    const passkeySignIn = async (authenticator: SoftAuthenticator) => {
      const client = personClient(service.url);
      const options = await client.call("POST", "/sessions/passkey/options");
      assert.equal(options.status, 200);
      const response = authenticator.signIn(options.body.options);
      return { client, signedIn: await client.call("POST", "/sessions/passkey", { challengeId: options.body.challengeId, response }), options, response };
    };

    test("an invited person registers a passkey instead of a password, and signs in with it; a challenge is used once", async () => {
      const { code, id } = await invite("passkey-only", "パスキー 花子");
      const authenticator = new SoftAuthenticator(origin);
      const { client, accepted } = await acceptWithPasskey(code, authenticator);
      assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
      assert.equal(accepted.body.person.status, "active");
      assert.match(accepted.headers.get("set-cookie") ?? "", /^mimamori_session=.*HttpOnly/);
      const options = await personClient(service.url).call("POST", `/invitations/${code}/passkey/options`);
      assert.equal(options.status, 404, "the invitation is used");
      const listed = await client.call("GET", "/passkeys");
      assert.equal(listed.status, 200);
      assert.equal(listed.body.passkeys.length, 1);
      assert.equal(listed.body.passkeys[0].name, "この端末");
      assert.equal(listed.body.passkeys[0].lastUsedAt, null);

      const first = await passkeySignIn(authenticator);
      assert.equal(first.signedIn.status, 201, JSON.stringify(first.signedIn.body));
      assert.equal(first.signedIn.body.person.id, id);
      assert.equal((await first.client.call("GET", "/session")).body.person.displayName, "パスキー 花子");
      const replayed = await personClient(service.url).call("POST", "/sessions/passkey", { challengeId: first.options.body.challengeId, response: first.response });
      assert.equal(replayed.status, 422);
      assert.equal(replayed.body.error.code, "challenge_invalid");
      assert.equal(replayed.body.error.field, "challengeId");
      assert.ok((await first.client.call("GET", "/passkeys")).body.passkeys[0].lastUsedAt, "the last use is kept");
      const noPassword = await personClient(service.url).call("POST", "/sessions", { loginId: "passkey-only", password: PASSWORD, totpCode: "123456" });
      assert.equal(noPassword.status, 401, "no password was ever set");
      const log = (await service.api("GET", "/audit-log?limit=50")).body.entries as { action: string; actor: string }[];
      assert.ok(log.some((e) => e.action === "passkey.register" && e.actor === `person:パスキー 花子:${id}`));
    });

    test("refused: another origin, no user verification, an expired challenge, a cloned authenticator, a deactivated person", async () => {
      const { code, id } = await invite("strict");
      const elsewhere = await acceptWithPasskey(code, new SoftAuthenticator("https://evil.example"));
      assert.equal(elsewhere.accepted.status, 422);
      assert.equal(elsewhere.accepted.body.error.code, "passkey_invalid");
      const unverified = await acceptWithPasskey(code, new SoftAuthenticator(origin, { userVerified: false }));
      assert.equal(unverified.accepted.body.error.code, "passkey_invalid", "user verification is required");

      const authenticator = new SoftAuthenticator(origin);
      const client = personClient(service.url);
      const options = await client.call("POST", `/invitations/${code}/passkey/options`);
      testWallClock.advance(6 * 60_000);
      const late = await client.call("POST", `/invitations/${code}/passkey`, { challengeId: options.body.challengeId, response: authenticator.register(options.body.options) });
      assert.equal(late.status, 422);
      assert.equal(late.body.error.code, "challenge_invalid", "a ceremony lasts 5 minutes");
      assert.equal((await acceptWithPasskey(code, authenticator)).accepted.status, 201, "the invitation is still usable after refusals");

      assert.equal((await passkeySignIn(authenticator)).signedIn.status, 201);
      const credential = authenticator.credentials.at(-1) as (typeof authenticator.credentials)[number];
      credential.counter = 0; // a copy of the key that missed the last use
      const cloned = await passkeySignIn(authenticator);
      assert.equal(cloned.signedIn.status, 401);
      assert.equal(cloned.signedIn.body.error.code, "invalid_credentials");

      const stranger = new SoftAuthenticator(origin);
      stranger.register({ challenge: "eA", rp: { id: "localhost" }, user: { id: "AAAAAAAAAAAAAAAAAAAAAA" } });
      assert.equal((await passkeySignIn(stranger)).signedIn.status, 401, "an unknown passkey");

      credential.counter = 100;
      assert.equal((await service.api("PATCH", `/people/${id}`, { active: false })).status, 200);
      assert.equal((await passkeySignIn(authenticator)).signedIn.status, 401, "a deactivated person");
    });

    test("from one's account: add a passkey, sign in with it, remove it; the last credential stays; a re-invitation resets", async () => {
      const person = await invitedPerson(service.api, service.url, { displayName: "両方 太郎", loginId: "both", role: "staff" });
      const authenticator = new SoftAuthenticator(origin);
      const options = await person.client.call("POST", "/passkeys/options");
      assert.equal(options.status, 200);
      assert.equal(options.body.options.rp.id, "localhost", "a loopback service registers passkeys for localhost");
      assert.equal(options.body.options.authenticatorSelection.residentKey, "required");
      const other = await invitedPerson(service.api, service.url, { displayName: "別人", loginId: "other", role: "staff" });
      const stolen = await other.client.call("POST", "/passkeys", { challengeId: options.body.challengeId, response: authenticator.register(options.body.options) });
      assert.equal(stolen.status, 422, "another person's ceremony");
      assert.equal(stolen.body.error.code, "challenge_invalid");
      const options2 = await person.client.call("POST", "/passkeys/options");
      const noCsrf = await person.client.call("POST", "/passkeys", { challengeId: options2.body.challengeId, response: {} }, { csrf: false });
      assert.equal(noCsrf.status, 403);
      const added = await person.client.call("POST", "/passkeys", { challengeId: options2.body.challengeId, response: authenticator.register(options2.body.options), name: "事務所のPC" });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.equal(added.body.name, "事務所のPC");
      const again = await person.client.call("POST", "/passkeys/options");
      assert.deepEqual(again.body.options.excludeCredentials.map((c: { id: string }) => c.id), [authenticator.credentials.at(-1)?.id], "not registered twice");
      const signedIn = await passkeySignIn(authenticator);
      assert.equal(signedIn.signedIn.body.person.id, person.id);
      assert.equal((await other.client.call("DELETE", `/passkeys/${added.body.id}`)).status, 404, "only one's own");
      assert.equal((await person.client.call("DELETE", `/passkeys/${added.body.id}`)).status, 204, "a person with a password may remove every passkey");
      assert.deepEqual((await person.client.call("GET", "/passkeys")).body.passkeys, []);
      assert.equal((await passkeySignIn(authenticator)).signedIn.status, 401);

      const { code } = await invite("only-key");
      const keyOnly = new SoftAuthenticator(origin);
      const { client } = await acceptWithPasskey(code, keyOnly);
      const [only] = (await client.call("GET", "/passkeys")).body.passkeys;
      const last = await client.call("DELETE", `/passkeys/${only.id}`);
      assert.equal(last.status, 409);
      assert.equal(last.body.error.code, "last_credential");

      // A re-invitation accepted with a password and authenticator ends the passkeys.
      const reinvited = await service.api("POST", `/people/${(await client.call("GET", "/session")).body.person.id}/invitation`);
      const fresh = personClient(service.url);
      const info = await fresh.call("GET", `/invitations/${reinvited.body.code}`);
      assert.equal((await fresh.call("POST", `/invitations/${reinvited.body.code}/accept`, { password: PASSWORD, totpCode: await totpNow(info.body.totp.secret) })).status, 201);
      assert.deepEqual((await fresh.call("GET", "/passkeys")).body.passkeys, []);
      assert.equal((await passkeySignIn(keyOnly)).signedIn.status, 401);
      assert.equal((await client.call("GET", "/session")).status, 401, "the reset ended the sessions");
    });

    test("bad input is a 400 naming the field", async () => {
      const client = personClient(service.url);
      const bad = await client.call("POST", "/sessions/passkey", { challengeId: "nope", response: { id: "x" } });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, "challengeId");
      const options = await client.call("POST", "/sessions/passkey/options");
      const malformed = await client.call("POST", "/sessions/passkey", {
        challengeId: options.body.challengeId, response: { id: "abc", rawId: "abc", type: "public-key", response: { clientDataJSON: "e30" } },
      });
      assert.equal(malformed.status, 401, "an unknown credential, however malformed its answer");
    });
  });
}
