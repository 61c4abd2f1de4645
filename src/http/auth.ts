/**
 * Bearer API tokens, one set per organisation. A token reaches its own
 * organisation's data and nothing else; the organisation id comes from the token,
 * never from the request.
 */
import type { FastifyRequest } from "fastify";
import { hashToken, type Role } from "../engine/organisations.ts";
import type { Db } from "../store/db.ts";
import { ApiError } from "./errors.ts";

export interface Principal {
  tokenId: string;
  tokenName: string;
  organisationId: string;
  role: Role;
  instanceAdmin: boolean;
}

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal;
  }
}

const CACHE_MS = 10_000;

export class Authenticator {
  readonly #db: Db;
  readonly #cache = new Map<string, { principal: Principal | null; until: number }>();

  constructor(db: Db) {
    this.#db = db;
  }

  async authenticate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new ApiError(401, "unauthorized", "send an API token as 'Authorization: Bearer <token>'", "authorization");
    const hash = hashToken(match[1]);
    const cached = this.#cache.get(hash);
    let principal = cached && cached.until > Date.now() ? cached.principal : undefined;
    if (principal === undefined) {
      const row = await this.#db.selectFrom("api_tokens")
        .select(["id", "name", "organisation_id", "role", "instance_admin"])
        .where("token_hash", "=", hash).where("revoked_at", "is", null).executeTakeFirst();
      principal = row
        ? { tokenId: row.id, tokenName: row.name, organisationId: row.organisation_id, role: row.role as Role, instanceAdmin: row.instance_admin }
        : null;
      if (this.#cache.size > 10_000) this.#cache.clear();
      this.#cache.set(hash, { principal, until: Date.now() + CACHE_MS });
    }
    if (!principal) throw new ApiError(401, "unauthorized", "unknown or revoked API token", "authorization");
    return principal;
  }
}

const RANK: Record<Role, number> = { observer: 0, staff: 1, admin: 2 };

export function requireRole(request: FastifyRequest, role: Role): void {
  if (RANK[request.principal.role] < RANK[role]) {
    throw new ApiError(403, "forbidden", `this needs a token with the ${role} role`);
  }
}

/** Roles that may see a member's personal information (full name, address, medical notes…). */
export function seesPersonal(principal: Principal): boolean {
  return principal.role === "admin" || principal.role === "staff";
}
