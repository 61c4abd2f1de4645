/**
 * What a start finds in the database, decided once under an advisory lock so
 * that any number of processes starting together on an empty database create
 * one organisation and one admin token, and a sandbox never mixes with
 * production data.
 */
import { sql } from "kysely";
import { type Db, inTransaction } from "../store/db.ts";
import { defaultTeamChannels, hashToken, insertOrganisation } from "./organisations.ts";

/** The key of the first-start advisory lock (the migrations hold 7419331). */
const FIRST_START_LOCK = 7419332;

/** A start that must not go on; its message is one line for the operator. */
export class StartRefused extends Error {}

export interface FirstStartOptions {
  sandbox: boolean;
  /** Sandbox only: where virtual time starts on a database new to the sandbox. */
  sandboxStart: Date;
  /** MIMAMORI_ADMIN_TOKEN, when preset. */
  adminToken: string | undefined;
  /** The system clock's time; in the sandbox the organisation is created at the virtual clock's stored instant instead. */
  now: Date;
}

/**
 * Checks the database against the mode and creates the first organisation when
 * there is none. Runs in one transaction holding a PostgreSQL advisory lock
 * (PGlite has one connection, so it holds trivially), so a second process sees
 * the first one's organisation, never an empty database.
 *
 * Rules (README, Operations):
 * - A database marked as the sandbox's (its virtual clock row) refuses a
 *   production start; a database with organisations but no sandbox mark refuses
 *   a sandbox start. A new database in sandbox mode gets its mark here.
 * - A preset admin token is accepted when it is already a token of this
 *   database, or on an empty database (where it becomes the first
 *   organisation's admin token); otherwise the start is refused, so a preset
 *   token never silently creates a second organisation.
 *
 * Returns the admin token this start created, or undefined when the database
 * already had an organisation. Throws {@link StartRefused}.
 */
export async function firstStart(db: Db, options: FirstStartOptions): Promise<string | undefined> {
  return inTransaction(db, async (tx) => {
    await sql`select pg_advisory_xact_lock(${FIRST_START_LOCK})`.execute(tx);
    const marked = (await tx.selectFrom("sandbox_clock").select("id").limit(1).executeTakeFirst()) !== undefined;
    const populated = (await tx.selectFrom("organisations").select("id").limit(1).executeTakeFirst()) !== undefined;
    if (!options.sandbox && marked) {
      throw new StartRefused("this database holds sandbox data: start it with MIMAMORI_SANDBOX=1, or give production its own database (MIMAMORI_DATA_DIR, DATABASE_URL or MIMAMORI_DB_SCHEMA)");
    }
    if (options.sandbox && populated && !marked) {
      throw new StartRefused("this database holds production data: the sandbox needs its own (by default MIMAMORI_DATA_DIR ./data-sandbox; on PostgreSQL another database or MIMAMORI_DB_SCHEMA)");
    }
    if (options.sandbox && !marked) {
      await tx.insertInto("sandbox_clock").values({ id: 1, now: options.sandboxStart }).execute();
    }
    if (options.adminToken) {
      const known = await tx.selectFrom("api_tokens").select("id").where("token_hash", "=", hashToken(options.adminToken)).executeTakeFirst();
      if (known) return undefined;
      if (populated) {
        throw new StartRefused("MIMAMORI_ADMIN_TOKEN is not a token of this database, which already has an organisation: unset it, or set it to an existing token");
      }
    } else if (populated) {
      return undefined;
    }
    // The first start precedes the service's Clock: in the sandbox, read its stored instant directly.
    const virtual = options.sandbox ? await tx.selectFrom("sandbox_clock").select("now").where("id", "=", 1).executeTakeFirst() : undefined;
    const { token } = await insertOrganisation(tx, "Mimamori", virtual?.now ?? options.now, {
      token: options.adminToken, instanceAdmin: true, teamChannels: defaultTeamChannels(options.sandbox),
    });
    return token;
  });
}
