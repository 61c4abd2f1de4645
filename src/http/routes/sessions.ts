/**
 * People signing in: invitations (open, accept), sessions (sign in, who am I,
 * sign out, sign out everywhere), passkeys (register, sign in, list, remove).
 * Validate → engine → shape; the rules are engine/people.ts,
 * engine/sessions.ts and engine/passkeys.ts. Times are the wall clock's: sessions,
 * lock-outs and authenticator codes are real-world security.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { totpUri } from "../../engine/credentials.ts";
import { getOrganisation } from "../../engine/organisations.ts";
import { acceptInvitation, checkSignIn, getPerson, openInvitation } from "../../engine/people.ts";
import {
  beginRegistration, beginSignIn, finishRegistration, finishSignIn, listPasskeys, type PasskeyError, removePasskey,
} from "../../engine/passkeys.ts";
import { relyingParty } from "../../config.ts";
import { endSessions, IDLE_MS, listSessions, openSession } from "../../engine/sessions.ts";
import { SignInThrottle, type ThrottleKey } from "../../engine/sign-in-throttle.ts";
import { organisationTimeZone } from "../../engine/today.ts";
import { audit, auditAs } from "../audit.ts";
import { SESSION_COOKIE } from "../auth.ts";
import { ApiError } from "../errors.ts";
import { AcceptInput, IdParams, InvitationParams, PasskeyRegistration, PasskeySignIn, SignInInput } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["people"];

export function sessionRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const { wallClock } = s;
    const throttle = new SignInThrottle();
    /** Refuses quickly (429, before any password hash) when these keys failed too often; otherwise runs `check` counted. */
    const throttled = async <T extends { ok: boolean }>(reply: FastifyReply, keys: ThrottleKey[], field: string, check: () => Promise<T>, failed: (result: T) => boolean) => {
      const gate = throttle.begin(keys, wallClock.now());
      if (!gate.ok) {
        reply.header("retry-after", String(Math.max(1, Math.ceil(gate.retryAfterMs / 1000))));
        throw new ApiError(429, "too_many_requests", "too many failed attempts from this address or for this login id: wait a while and retry", field);
      }
      let result: T;
      try {
        result = await check();
      } finally {
        gate.release();
      }
      if (failed(result)) throttle.fail(keys, wallClock.now());
      return result;
    };
    /** Secure whenever the service is reached over TLS (directly, or per MIMAMORI_PUBLIC_URL behind a proxy). */
    const secure = (request: FastifyRequest) => request.protocol === "https" || (s.config.publicUrl?.startsWith("https://") ?? false);
    const setCookie = (request: FastifyRequest, reply: FastifyReply, value: string, maxAgeSeconds: number) => {
      reply.header("set-cookie", `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure(request) ? "; Secure" : ""}`);
    };

    /** Opens a session for a person who just proved who they are; the answer of sign-in and of accepting an invitation. */
    const signedIn = async (request: FastifyRequest, reply: FastifyReply, organisationId: string, personId: string, accepted = false) => {
      const now = wallClock.now();
      const person = await getPerson(s.db, organisationId, personId, now);
      if (!person) throw new ApiError(401, "invalid_credentials", "the login id, password or code is wrong");
      const actor = `person:${person.displayName}:${person.id}`;
      if (accepted) await auditAs(s.db, request, organisationId, actor, "person.accept_invitation", "person", person.id);
      const session = await openSession(s.db, organisationId, personId, { ip: request.ip, userAgent: request.headers["user-agent"] ?? null }, now);
      await auditAs(s.db, request, organisationId, actor, "session.open", "session", session.id);
      setCookie(request, reply, session.token, Math.floor(IDLE_MS / 1000));
      return reply.code(201).send({ person, csrfToken: session.csrfToken, expiresAt: session.expiresAt.toISOString() });
    };

    app.post("/sessions", {
      schema: { tags, summary: "Sign in with login id, password and authenticator code; sets the session cookie", body: SignInInput, security: [] },
    }, async (request, reply) => {
      const keys: ThrottleKey[] = [{ kind: "login", value: request.body.loginId }, { kind: "address", value: request.ip }];
      const result = await throttled(reply, keys, "loginId", () => checkSignIn(s.db, s.secrets, request.body, wallClock.now()),
        (r) => !r.ok && r.error.code !== "organisation_required");
      if (result.ok) throttle.succeed(request.body.loginId);
      if (!result.ok) {
        const { error } = result;
        if (error.code === "account_locked") throw new ApiError(423, "account_locked", `${error.message} (until ${error.lockedUntil})`, "loginId");
        if (error.code === "organisation_required") throw new ApiError(409, "organisation_required", error.message, "organisationId");
        throw new ApiError(401, "invalid_credentials", error.message);
      }
      return signedIn(request, reply, result.organisationId, result.personId);
    });

    app.get("/session", { schema: { tags, summary: "The signed-in person, their role, teams and the CSRF token for writes" } }, async (request) => {
      const { principal } = request;
      const person = await getPerson(s.db, principal.organisationId, principal.tokenId, wallClock.now());
      const organisation = await getOrganisation(s.db, principal.organisationId);
      return {
        person, organisationId: principal.organisationId, organisationName: organisation.name, timeZone: await organisationTimeZone(s.db, principal.organisationId),
        sessionId: principal.session?.id, csrfToken: principal.session?.csrfToken,
      };
    });

    app.delete("/session", { schema: { tags, summary: "Sign out: ends this session and clears its cookie" } }, async (request, reply) => {
      const { principal } = request;
      await endSessions(s.db, principal.organisationId, principal.tokenId, wallClock.now(), principal.session?.id);
      await audit(s.db, request, "session.close", "session", principal.session?.id ?? null);
      setCookie(request, reply, "", 0);
      return reply.code(204).send();
    });

    app.get("/sessions", { schema: { tags, summary: "The signed-in person's open sessions, newest first" } }, async (request) => {
      const { principal } = request;
      return { sessions: await listSessions(s.db, principal.organisationId, principal.tokenId, principal.session?.id, wallClock.now()) };
    });

    app.delete("/sessions", { schema: { tags, summary: "Sign out everywhere: ends every session of the signed-in person" } }, async (request, reply) => {
      const { principal } = request;
      const ended = await endSessions(s.db, principal.organisationId, principal.tokenId, wallClock.now());
      await audit(s.db, request, "session.close_all", "person", principal.tokenId, { ended });
      setCookie(request, reply, "", 0);
      return reply.send({ ended });
    });

    app.get("/invitations/:code", {
      schema: { tags, summary: "An invitation: who is invited, and the authenticator secret to install", params: InvitationParams, security: [] },
    }, async (request) => {
      const found = await openInvitation(s.db, s.secrets, request.params.code, wallClock.now());
      if (!found.ok) throw new ApiError(404, "invitation_invalid", found.error.message, "code");
      const { totpSecret, ...rest } = found;
      return { ...rest, totp: { secret: totpSecret, uri: totpUri(totpSecret, `Mimamori (${found.organisationName})`, found.loginId) } };
    });

    app.post("/invitations/:code/accept", {
      schema: {
        tags, summary: "Accept an invitation: set the password, prove the authenticator, and sign in", params: InvitationParams, body: AcceptInput, security: [],
      },
    }, async (request, reply) => {
      const result = await throttled(reply, [{ kind: "address", value: request.ip }], "code",
        () => acceptInvitation(s.db, s.secrets, request.params.code, request.body.password, request.body.totpCode, wallClock.now()), (r) => !r.ok);
      if (!result.ok) {
        if (result.error.code === "totp_invalid") throw new ApiError(422, "totp_invalid", result.error.message, "totpCode");
        throw new ApiError(404, "invitation_invalid", result.error.message, "code");
      }
      return signedIn(request, reply, result.organisationId, result.personId, true);
    });

    // Passkeys. The relying party follows the public URL, known once the server listens.
    const rp = () => relyingParty(s.config, s.publicUrl());
    const passkeyRefusal = (error: PasskeyError): ApiError => {
      switch (error.code) {
        case "invalid_credentials":
          return new ApiError(401, "invalid_credentials", error.message, error.field);
        case "invitation_invalid":
          return new ApiError(404, "invitation_invalid", error.message, error.field);
        case "not_found":
          return new ApiError(404, "not_found", error.message, error.field);
        case "last_credential":
        case "too_many_passkeys":
          return new ApiError(409, error.code, error.message, error.field);
        case "challenge_invalid":
        case "passkey_invalid":
          return new ApiError(422, error.code, error.message, error.field);
      }
    };

    app.post("/sessions/passkey/options", {
      schema: { tags, summary: "Begin signing in with a passkey: options for navigator.credentials.get()", security: [] },
    }, async () => beginSignIn(s.db, rp(), wallClock.now()));

    app.post("/sessions/passkey", {
      schema: { tags, summary: "Sign in with a passkey (the browser's answer to the options); sets the session cookie", body: PasskeySignIn, security: [] },
    }, async (request, reply) => {
      const result = await throttled(reply, [{ kind: "address", value: request.ip }], "response",
        () => finishSignIn(s.db, rp(), request.body as never, wallClock.now()), (r) => !r.ok);
      if (!result.ok) throw passkeyRefusal(result.error);
      return signedIn(request, reply, result.organisationId, result.personId);
    });

    app.post("/invitations/:code/passkey/options", {
      schema: { tags, summary: "Begin registering a passkey at an invitation (instead of a password and an authenticator app)", params: InvitationParams, security: [] },
    }, async (request) => {
      const result = await beginRegistration(s.db, rp(), { invitationCode: request.params.code }, wallClock.now());
      if (!result.ok) throw passkeyRefusal(result.error);
      return { challengeId: result.challengeId, options: result.options };
    });

    app.post("/invitations/:code/passkey", {
      schema: {
        tags, summary: "Accept an invitation with a passkey, and sign in: it becomes the person's only credential", params: InvitationParams,
        body: PasskeyRegistration, security: [],
      },
    }, async (request, reply) => {
      const result = await throttled(reply, [{ kind: "address", value: request.ip }], "code",
        () => finishRegistration(s.db, rp(), request.body as never, { invitationCode: request.params.code }, wallClock.now()), (r) => !r.ok);
      if (!result.ok) throw passkeyRefusal(result.error);
      const person = await getPerson(s.db, result.organisationId, result.personId, wallClock.now());
      await auditAs(s.db, request, result.organisationId, `person:${person?.displayName ?? ""}:${result.personId}`, "passkey.register", "passkey", result.passkey.id);
      return signedIn(request, reply, result.organisationId, result.personId, true);
    });

    app.get("/passkeys", { schema: { tags, summary: "The signed-in person's passkeys" } }, async (request) =>
      ({ passkeys: await listPasskeys(s.db, request.principal.organisationId, request.principal.tokenId) }));

    app.post("/passkeys/options", {
      schema: { tags, summary: "Begin registering another passkey for the signed-in person: options for navigator.credentials.create()" },
    }, async (request) => {
      const result = await beginRegistration(s.db, rp(), { organisationId: request.principal.organisationId, personId: request.principal.tokenId }, wallClock.now());
      if (!result.ok) throw passkeyRefusal(result.error);
      return { challengeId: result.challengeId, options: result.options };
    });

    app.post("/passkeys", {
      schema: { tags, summary: "Register a passkey for the signed-in person (the browser's answer to the options)", body: PasskeyRegistration },
    }, async (request, reply) => {
      const { principal } = request;
      const result = await finishRegistration(s.db, rp(), request.body as never, { organisationId: principal.organisationId, personId: principal.tokenId }, wallClock.now());
      if (!result.ok) throw passkeyRefusal(result.error);
      await audit(s.db, request, "passkey.register", "passkey", result.passkey.id);
      return reply.code(201).send(result.passkey);
    });

    app.delete("/passkeys/:id", { schema: { tags, summary: "Remove one of the signed-in person's passkeys", params: IdParams } }, async (request, reply) => {
      const { principal } = request;
      const result = await removePasskey(s.db, principal.organisationId, principal.tokenId, request.params.id);
      if (!result.ok) throw passkeyRefusal(result.error);
      await audit(s.db, request, "passkey.remove", "passkey", request.params.id);
      return reply.code(204).send();
    });
  };
}
