/**
 * Bearer API tokens, one set per organisation. A token reaches its own
 * organisation's data and nothing else; the organisation id comes from the token,
 * never from the request.
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
import type { Db } from "../store/db.ts";
import { ApiError } from "./errors.ts";

export interface Principal {
  tokenId: string;
  tokenName: string;
  organisationId: string;
  role: Role;
  /** The instance administrator (see access.ts): creates organisations, moves the sandbox clock. */
  instanceAdmin: boolean;
}

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
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, "unauthorized", "send an API token as 'Authorization: Bearer <token>'", "authorization");
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
    return { tokenId: row.id, tokenName: row.name, organisationId: row.organisation_id, role: row.role as Role, instanceAdmin: row.instance_admin };
  }
}
