/**
 * Organisations (the operator, the tenant): their settings, default team, API
 * tokens and the reading of their audit log.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Selectable } from "kysely";
import type { DailyQuestion } from "../domain/call-script.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";

export const ROLES = ["admin", "staff", "observer"] as const;
export type Role = (typeof ROLES)[number];

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function generateToken(): string {
  return `mmr_${randomBytes(32).toString("base64url")}`;
}

/**
 * A new API token; only its SHA-256 is stored, so the token itself is returned
 * once and never again. `expiresAt` (optional) ends it without a revocation.
 */
export async function createToken(
  tx: Db, organisationId: string, name: string, role: Role, now: Date,
  options: { token?: string; instanceAdmin?: boolean; expiresAt?: Date } = {},
): Promise<{ id: string; token: string }> {
  const token = options.token ?? generateToken();
  const id = newId();
  await tx.insertInto("api_tokens").values({
    id, organisation_id: organisationId, name, role, instance_admin: options.instanceAdmin ?? false,
    token_hash: hashToken(token), created_at: now, expires_at: options.expiresAt ?? null,
  }).execute();
  return { id, token };
}

export type RevokeOutcome = "revoked" | "already_revoked" | "not_found" | "last_admin_token";

/**
 * Revokes one of the organisation's tokens (idempotent: revoking a revoked token
 * changes nothing and is "already_revoked", its first time kept). The organisation's last usable admin
 * token is kept, so nobody locks the organisation out of its own settings.
 */
export async function revokeToken(db: Db, organisationId: string, tokenId: string, now: Date): Promise<RevokeOutcome> {
  return inTransaction(db, async (tx) => {
    // Lock the organisation's tokens so two revocations cannot each leave "the other" admin token.
    const tokens = await tx.selectFrom("api_tokens").select(["id", "role", "revoked_at", "expires_at"])
      .where("organisation_id", "=", organisationId).forUpdate().execute();
    const token = tokens.find((t) => t.id === tokenId);
    if (!token) return "not_found";
    if (token.revoked_at) return "already_revoked";
    const usable = (t: (typeof tokens)[number]) => !t.revoked_at && (!t.expires_at || t.expires_at > now);
    if (token.role === "admin" && usable(token) && tokens.filter((t) => t.role === "admin" && usable(t)).length === 1) return "last_admin_token";
    await tx.updateTable("api_tokens").set({ revoked_at: now }).where("id", "=", tokenId).where("organisation_id", "=", organisationId).execute();
    return "revoked";
  });
}

/** In sandbox mode a new organisation's default team has a sandbox address, so a trial sees team alerts in the outbox. */
export function defaultTeamChannels(sandbox: boolean): ChannelAddress[] {
  return sandbox ? [{ kind: "sandbox", address: "team" }] : [];
}

/**
 * A new organisation with its default team (見守りステーション) and an admin token.
 * `teamChannels`: the default team's addresses (in sandbox mode, a sandbox one,
 * so a trial sees team alerts; elsewhere none until staff register theirs).
 */
export async function createOrganisation(
  db: Db, name: string, now: Date, options: { token?: string; instanceAdmin?: boolean; teamChannels?: ChannelAddress[] } = {},
): Promise<{ organisationId: string; teamId: string; token: string }> {
  return inTransaction(db, (tx) => insertOrganisation(tx, name, now, options));
}

/** {@link createOrganisation} inside the caller's transaction `tx`. */
export async function insertOrganisation(
  tx: Db, name: string, now: Date, options: { token?: string; instanceAdmin?: boolean; teamChannels?: ChannelAddress[] } = {},
): Promise<{ organisationId: string; teamId: string; token: string }> {
  const organisationId = newId();
  const teamId = newId();
  await tx.insertInto("organisations").values({ id: organisationId, name, settings: "{}", created_at: now }).execute();
  await tx.insertInto("teams").values({
    id: teamId, organisation_id: organisationId, name: "見守りステーション", is_default: true,
    channels: JSON.stringify(options.teamChannels ?? []), created_at: now,
  }).execute();
  const { token } = await createToken(tx, organisationId, "admin", "admin", now, options);
  return { organisationId, teamId, token };
}

export type OrganisationRow = Pick<Selectable<Database["organisations"]>, "id" | "name" | "settings" | "created_at">;

/** The organisation (it exists: the caller's token belongs to it). */
export async function getOrganisation(db: Db, organisationId: string): Promise<OrganisationRow> {
  return db.selectFrom("organisations").select(["id", "name", "settings", "created_at"]).where("id", "=", organisationId).executeTakeFirstOrThrow();
}

/** What staff set for the whole organisation; fields left out stay. */
export interface OrganisationPatch {
  name?: string;
  /** Shown under each prompt (今日のひとこと); "" removes it. */
  lineOfTheDay?: string;
  /** Asked on check-in calls after the answer, in order; [] for none. Keys must differ (the caller checks). */
  dailyQuestions?: DailyQuestion[];
  /**
   * The IANA zone in which the console shows times and the board counts "today"
   * (the caller validates it). Members' own plans keep their own zones.
   */
  timeZone?: string;
  /** Years an erased member's incidents are kept anonymised (engine/personal-data.ts). */
  incidentRetentionYears?: number;
}

/** Rename the organisation or change its settings, with its row locked; returns it as stored. */
export async function updateOrganisation(db: Db, organisationId: string, patch: OrganisationPatch): Promise<OrganisationRow> {
  return inTransaction(db, async (tx) => {
    const org = await tx.selectFrom("organisations").select(["settings"]).where("id", "=", organisationId).forUpdate().executeTakeFirstOrThrow();
    const settings = { ...org.settings };
    if (patch.lineOfTheDay !== undefined) {
      if (patch.lineOfTheDay) settings.lineOfTheDay = patch.lineOfTheDay;
      else delete settings.lineOfTheDay;
    }
    if (patch.dailyQuestions !== undefined) settings.dailyQuestions = patch.dailyQuestions;
    if (patch.timeZone !== undefined) settings.timeZone = patch.timeZone;
    if (patch.incidentRetentionYears !== undefined) settings.incidentRetentionYears = patch.incidentRetentionYears;
    await tx.updateTable("organisations").set({ ...(patch.name ? { name: patch.name } : {}), settings: JSON.stringify(settings) })
      .where("id", "=", organisationId).execute();
    return tx.selectFrom("organisations").select(["id", "name", "settings", "created_at"]).where("id", "=", organisationId).executeTakeFirstOrThrow();
  });
}

export type TokenRow = Pick<Selectable<Database["api_tokens"]>,
  "id" | "name" | "role" | "instance_admin" | "created_at" | "last_used_at" | "expires_at" | "revoked_at">;

/** The organisation's API tokens, oldest first, without their hashes. */
export async function listTokens(db: Db, organisationId: string): Promise<TokenRow[]> {
  return db.selectFrom("api_tokens")
    .select(["id", "name", "role", "instance_admin", "created_at", "last_used_at", "expires_at", "revoked_at"])
    .where("organisation_id", "=", organisationId).orderBy("created_at").orderBy("id").execute();
}

