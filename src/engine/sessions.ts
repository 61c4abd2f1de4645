/**
 * Server-side sessions of people signed in to the console. The cookie holds a
 * random 256-bit value; only its SHA-256 is stored, so a copy of the database
 * signs nobody in. Each session has a CSRF token that cookie-authenticated
 * writes must echo in a header (http/auth.ts).
 *
 * A session lasts IDLE_MS after its last use and never beyond MAX_MS after it
 * began; revoking it (sign out, sign out everywhere, deactivation, a new
 * password) takes effect on the next request of any process: every request
 * reads its session's row.
 */
import { createHash, randomBytes } from "node:crypto";
import { newId } from "../ids.ts";
import type { Db } from "../store/db.ts";
import type { PersonRole } from "./people.ts";

export const IDLE_MS = 12 * 3_600_000;
export const MAX_MS = 7 * 86_400_000;
/** `last_seen_at` (and the idle expiry) is written at most this often per session. */
const TOUCH_MS = 60_000;

export const hashSessionToken = (token: string) => createHash("sha256").update(token).digest("hex");

export interface SessionPrincipal {
  sessionId: string;
  organisationId: string;
  personId: string;
  displayName: string;
  role: PersonRole;
  csrfToken: string;
  teamIds: string[];
}

/** Opens a session for a person; returns the cookie's value (once) and the CSRF token. */
export async function openSession(
  db: Db, organisationId: string, personId: string, meta: { ip: string | null; userAgent: string | null }, now: Date,
): Promise<{ id: string; token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(24).toString("base64url");
  const id = newId();
  const expiresAt = new Date(now.getTime() + IDLE_MS);
  await db.insertInto("sessions").values({
    id, organisation_id: organisationId, person_id: personId, token_hash: hashSessionToken(token), csrf_token: csrfToken,
    created_at: now, last_seen_at: now, expires_at: expiresAt, revoked_at: null,
    ip: meta.ip, user_agent: meta.userAgent ? meta.userAgent.slice(0, 300) : null,
  }).execute();
  return { id, token, csrfToken, expiresAt };
}

/** The live session of a cookie value, with its person; undefined when unknown, revoked, expired or the person deactivated. */
export async function findSession(db: Db, token: string, now: Date): Promise<SessionPrincipal | undefined> {
  const row = await db.selectFrom("sessions as s")
    .innerJoin("people as p", (j) => j.onRef("p.id", "=", "s.person_id").onRef("p.organisation_id", "=", "s.organisation_id"))
    .select(["s.id", "s.organisation_id", "s.person_id", "s.csrf_token", "s.created_at", "s.last_seen_at", "s.expires_at", "s.revoked_at",
      "p.display_name", "p.role", "p.deactivated_at"])
    .where("s.token_hash", "=", hashSessionToken(token)).executeTakeFirst();
  if (!row || row.revoked_at || row.expires_at <= now || row.deactivated_at) return undefined;
  if (now.getTime() - row.last_seen_at.getTime() >= TOUCH_MS) {
    const expiresAt = new Date(Math.min(now.getTime() + IDLE_MS, row.created_at.getTime() + MAX_MS));
    await db.updateTable("sessions").set({ last_seen_at: now, expires_at: expiresAt })
      .where("id", "=", row.id).where("organisation_id", "=", row.organisation_id).execute();
  }
  const teams = await db.selectFrom("person_teams").select("team_id").where("organisation_id", "=", row.organisation_id)
    .where("person_id", "=", row.person_id).execute();
  return {
    sessionId: row.id, organisationId: row.organisation_id, personId: row.person_id, displayName: row.display_name,
    role: row.role as PersonRole, csrfToken: row.csrf_token, teamIds: teams.map((t) => t.team_id),
  };
}

export interface SessionView { id: string; createdAt: string; lastSeenAt: string; expiresAt: string; ip: string | null; userAgent: string | null; current: boolean }

/** A person's live sessions, newest first; `current` marks the one asking. */
export async function listSessions(db: Db, organisationId: string, personId: string, currentId: string | undefined, now: Date): Promise<SessionView[]> {
  const rows = await db.selectFrom("sessions").select(["id", "created_at", "last_seen_at", "expires_at", "ip", "user_agent"])
    .where("organisation_id", "=", organisationId).where("person_id", "=", personId).where("revoked_at", "is", null).where("expires_at", ">", now)
    .orderBy("created_at", "desc").execute();
  return rows.map((r) => ({
    id: r.id, createdAt: r.created_at.toISOString(), lastSeenAt: r.last_seen_at.toISOString(), expiresAt: r.expires_at.toISOString(),
    ip: r.ip, userAgent: r.user_agent, current: r.id === currentId,
  }));
}

/** Ends sessions of a person: one (`sessionId`), or all. Returns how many ended. */
export async function endSessions(db: Db, organisationId: string, personId: string, now: Date, sessionId?: string): Promise<number> {
  let q = db.updateTable("sessions").set({ revoked_at: now }).where("organisation_id", "=", organisationId).where("person_id", "=", personId)
    .where("revoked_at", "is", null);
  if (sessionId) q = q.where("id", "=", sessionId);
  const result = await q.executeTakeFirst();
  return Number(result.numUpdatedRows);
}
