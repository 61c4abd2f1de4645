/**
 * Who is asking: a bearer API token (machines, and the first admin), or a
 * person signed in to the console (a session cookie, engine/sessions.ts). A
 * credential reaches its own organisation's data and nothing else; the
 * organisation id comes from the credential, never from the request.
 *
 * Cookie-authenticated writes must echo the session's CSRF token in the
 * `x-csrf-token` header (403 `csrf_failed` otherwise): the cookie is also
 * SameSite=Strict, so this is the second of two locks. Bearer tokens are never
 * sent by a browser on its own, so they need none.
 *
 * Every request reads its token's row: a revoked token is refused by every
 * process from the moment DELETE /tokens/:id commits, with no cache to outlive
 * it. Concurrent requests share one lookup (group commit, as answers do), and a
 * lookup only ever serves requests that arrived before it started, so none can
 * be answered from a read older than itself.
 */
import type { FastifyRequest } from "fastify";
import { GroupCommit } from "../engine/group-commit.ts";
import { hashToken, type Role } from "../engine/organisations.ts";
import type { PersonRole } from "../engine/people.ts";
import { findSession } from "../engine/sessions.ts";
import type { Db } from "../store/db.ts";
import { ApiError } from "./errors.ts";

/** Every role a principal can have: a token's (admin, staff, observer) or a person's (admin, staff, watcher, auditor). */
export const PRINCIPAL_ROLES = ["admin", "staff", "observer", "watcher", "auditor"] as const;
export type PrincipalRole = Role | PersonRole;

export interface Principal {
  /** What authenticated the request. */
  kind: "token" | "person";
  /** The token's id, or the person's id. */
  tokenId: string;
  /** The token's name, or the person's display name (the default name of who acknowledged, answered…). */
  tokenName: string;
  organisationId: string;
  role: PrincipalRole;
  /** The instance administrator (see access.ts): creates organisations, moves the sandbox clock. Never a person. */
  instanceAdmin: boolean;
  /** A person's session and the teams they belong to; absent for tokens. */
  session?: { id: string; csrfToken: string; teamIds: string[] };
}

/** How the audit log and other records name a principal: `token:<name>:<id>` or `person:<name>:<id>`. */
export function actorOf(principal: Principal): string {
  return `${principal.kind}:${principal.tokenName}:${principal.tokenId}`;
}

export const SESSION_COOKIE = "mimamori_session";

/** The value of one cookie of a request, or undefined. */
export function cookieOf(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal;
  }
}

type TokenRow = {
  id: string; name: string; organisation_id: string; role: string; instance_admin: boolean;
  token_hash: string; revoked_at: Date | null; expires_at: Date | null; last_used_at: Date | null;
};

/** `last_used_at` is written at most this often per token: it answers "is this token still in use?", not an access log. */
const LAST_USED_RESOLUTION_MS = 60_000;

export class Authenticator {
  readonly #db: Db;
  readonly #now: () => Date;
  readonly #lookup: GroupCommit<string, TokenRow | undefined>;

  /**
   * @param now wall-clock time: token lifetimes are real-world security, so the
   *   sandbox's virtual clock neither expires nor revives a credential.
   */
  constructor(db: Db, now: () => Date) {
    this.#db = db;
    this.#now = now;
    this.#lookup = new GroupCommit(async (hashes) => {
      const rows = await db.selectFrom("api_tokens")
        .select(["id", "name", "organisation_id", "role", "instance_admin", "token_hash", "revoked_at", "expires_at", "last_used_at"])
        .where("token_hash", "in", [...new Set(hashes)]).execute();
      const byHash = new Map(rows.map((r) => [r.token_hash, r as TokenRow]));
      return hashes.map((h) => byHash.get(h));
    });
  }

  /**
   * The principal of a request's bearer token. Errors (401, field
   * `authorization`): `unauthorized` (no token, unknown or revoked),
   * `token_expired` (past its `expiresAt`).
   */
  async authenticate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization ?? "";
    const session = cookieOf(request, SESSION_COOKIE);
    if (!header && session) return this.#person(request, session);
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, "unauthorized", "sign in, or send an API token as 'Authorization: Bearer <token>'", "authorization");
    const row = await this.#lookup.submit(hashToken(match[1]));
    if (!row || row.revoked_at) throw new ApiError(401, "unauthorized", "unknown or revoked API token", "authorization");
    const now = this.#now();
    if (row.expires_at && row.expires_at <= now) {
      throw new ApiError(401, "token_expired", `this API token expired at ${row.expires_at.toISOString()}`, "authorization");
    }
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
      // Once a minute at most per token (the batch shares the row, so one request of it writes), guarded so
      // concurrent processes write it once. A failure here is logged, never a reason to refuse the request.
      row.last_used_at = now;
      await this.#db.updateTable("api_tokens").set({ last_used_at: now }).where("id", "=", row.id)
        .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", new Date(now.getTime() - LAST_USED_RESOLUTION_MS))]))
        .execute().catch((error) => request.log.warn({ err: error }, "could not record the token's last use"));
    }
    return { kind: "token", tokenId: row.id, tokenName: row.name, organisationId: row.organisation_id, role: row.role as Role, instanceAdmin: row.instance_admin };
  }

  /**
   * The principal of a session cookie. Errors: 401 `unauthorized` (unknown,
   * ended or expired session, field `cookie`); 403 `csrf_failed` (a write
   * without the session's CSRF token in `x-csrf-token`).
   */
  async #person(request: FastifyRequest, token: string): Promise<Principal> {
    const found = await findSession(this.#db, token, this.#now());
    if (!found) throw new ApiError(401, "unauthorized", "the session ended or expired: sign in again", "cookie");
    if (!SAFE_METHODS.has(request.method) && request.headers["x-csrf-token"] !== found.csrfToken) {
      throw new ApiError(403, "csrf_failed", "a signed-in write must carry the session's CSRF token in x-csrf-token", "x-csrf-token");
    }
    return {
      kind: "person", tokenId: found.personId, tokenName: found.displayName, organisationId: found.organisationId, role: found.role,
      instanceAdmin: false, session: { id: found.sessionId, csrfToken: found.csrfToken, teamIds: found.teamIds },
    };
  }
}
