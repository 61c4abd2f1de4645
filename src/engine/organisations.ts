/** Organisations (the operator, the tenant), their default team and API tokens. */
import { createHash, randomBytes } from "node:crypto";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";

export const ROLES = ["admin", "staff", "observer"] as const;
export type Role = (typeof ROLES)[number];

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function generateToken(): string {
  return `mmr_${randomBytes(32).toString("base64url")}`;
}

export async function createToken(
  tx: Db, organisationId: string, name: string, role: Role, now: Date, options: { token?: string; instanceAdmin?: boolean } = {},
): Promise<{ id: string; token: string }> {
  const token = options.token ?? generateToken();
  const id = newId();
  await tx.insertInto("api_tokens").values({
    id, organisation_id: organisationId, name, role, instance_admin: options.instanceAdmin ?? false,
    token_hash: hashToken(token), created_at: now,
  }).execute();
  return { id, token };
}

/** A new organisation with its default team (見守りステーション) and an admin token. */
export async function createOrganisation(
  db: Db, name: string, now: Date, options: { token?: string; instanceAdmin?: boolean } = {},
): Promise<{ organisationId: string; teamId: string; token: string }> {
  return inTransaction(db, async (tx) => {
    const organisationId = newId();
    const teamId = newId();
    await tx.insertInto("organisations").values({ id: organisationId, name, settings: "{}", created_at: now }).execute();
    await tx.insertInto("teams").values({
      id: teamId, organisation_id: organisationId, name: "見守りステーション", is_default: true, channels: "[]", created_at: now,
    }).execute();
    const { token } = await createToken(tx, organisationId, "admin", "admin", now, options);
    return { organisationId, teamId, token };
  });
}
