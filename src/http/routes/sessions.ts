/**
 * People signing in: invitations (open, accept), sessions (sign in, who am I,
 * sign out, sign out everywhere). Validate → engine → shape; the rules are
 * engine/people.ts and engine/sessions.ts. Times are the wall clock's: sessions,
 * lock-outs and authenticator codes are real-world security.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { totpUri } from "../../engine/credentials.ts";
import { getOrganisation } from "../../engine/organisations.ts";
import { acceptInvitation, checkSignIn, getPerson, openInvitation } from "../../engine/people.ts";
import { endSessions, IDLE_MS, listSessions, openSession } from "../../engine/sessions.ts";
import { SignInThrottle, type ThrottleKey } from "../../engine/sign-in-throttle.ts";
import { organisationTimeZone } from "../../engine/today.ts";
import { audit, auditAs } from "../audit.ts";
import { SESSION_COOKIE } from "../auth.ts";
import { ApiError } from "../errors.ts";
import { AcceptInput, InvitationParams, SignInInput } from "../schemas.ts";
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
  };
}
