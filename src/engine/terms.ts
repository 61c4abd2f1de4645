/**
 * Terms of use with versions (rules: domain/terms.ts; table terms_versions,
 * migration 021). Publishing a version asks every active member who has not
 * agreed to it to agree again, through the outbox (one row per member, key
 * `terms:<versionId>:<memberId>`, on their first channel that can carry an
 * answer: LINE with an 同意する button, SMS or e-mail with a one-tap link).
 * Phone-only members get nothing sent: staff read the terms to them and record
 * the agreement on the member's page (PATCH /members/:id `consent`).
 *
 * Never stop watching someone for paperwork: nothing here pauses, skips or
 * changes a member's check-ins; an agreement missing or to an older version is
 * only shown (the count on the terms section, the version on the member's page).
 */
import { type Selectable, sql } from "kysely";
import { termsAgreedText, termsPostback, termsRequestText } from "../domain/terms.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";
import { enqueue, outboxRow } from "./outbox.ts";

/** Rows per INSERT statement. */
const CHUNK = 1000;
/** Channel kinds a terms request can be answered on (a phone call cannot read terms aloud and take an agreement). */
const ANSWERABLE = new Set(["line", "sms", "email", "sandbox"]);

export type TermsVersionRow = Selectable<Database["terms_versions"]>;

export function termsKey(versionId: string, memberId: string): string {
  return `terms:${versionId}:${memberId}`;
}

/** A version label already published by this organisation. */
export class DuplicateTermsVersion extends Error {}

export interface PublishTermsInput {
  organisationId: string;
  version: string;
  body: string | null;
  url: string | null;
  publishedBy: string;
}

/**
 * Publish a version (it becomes the current one) and queue the requests to agree,
 * all in one transaction. Returns the version's id, how many members were asked
 * and how many (phone only) are left for staff to ask.
 * Throws DuplicateTermsVersion when the label was published before.
 */
export async function publishTerms(db: Db, input: PublishTermsInput, now: Date): Promise<{ id: string; asked: number; byStaff: number }> {
  return inTransaction(db, async (tx) => {
    const taken = await tx.selectFrom("terms_versions").select("id").where("organisation_id", "=", input.organisationId)
      .where("version", "=", input.version).executeTakeFirst();
    if (taken) throw new DuplicateTermsVersion(`version ${input.version} was already published`);
    const id = newId();
    await tx.insertInto("terms_versions").values({
      id, organisation_id: input.organisationId, version: input.version, body: input.body, url: input.url,
      published_at: now, published_by: input.publishedBy,
    }).execute();
    const members = await tx.selectFrom("members").select(["id", "channels"])
      .where("organisation_id", "=", input.organisationId).where("active", "=", true)
      .where((eb) => eb.or([eb("consent", "is", null), eb(sql`consent->>'termsVersion'`, "is distinct from", input.version)]))
      .orderBy("id").execute();
    const text = termsRequestText(input.version, input.url);
    const payload = { termsVersionId: id, choices: [{ label: "同意する", data: termsPostback(id) }] };
    let asked = 0;
    let byStaff = 0;
    const rows = [];
    for (const m of members) {
      const channels = m.channels as ChannelAddress[];
      const index = channels.findIndex((c) => ANSWERABLE.has(c.kind));
      if (index < 0) {
        byStaff++;
        continue;
      }
      asked++;
      rows.push(outboxRow({
        organisationId: input.organisationId, key: termsKey(id, m.id), recipient: { kind: "member", id: m.id },
        channels, channelIndex: index, messageKind: "terms_request", text, payload, dueAt: now, now,
      }));
    }
    for (let i = 0; i < rows.length; i += CHUNK) await enqueue(tx, rows.slice(i, i + CHUNK));
    return { id, asked, byStaff };
  });
}

/** The current version (the latest published), or undefined when none was published. */
export async function currentTerms(db: Db, organisationId: string): Promise<TermsVersionRow | undefined> {
  return db.selectFrom("terms_versions").selectAll().where("organisation_id", "=", organisationId)
    .orderBy("published_at", "desc").orderBy("id", "desc").limit(1).executeTakeFirst();
}

export interface TermsSummary {
  current: TermsVersionRow | null;
  /** Every published version, newest first. */
  versions: TermsVersionRow[];
  /** Active members, and how many of them agreed to the current version. */
  members: number;
  agreed: number;
}

/** The versions and how many active members agreed to the current one. */
export async function termsSummary(db: Db, organisationId: string): Promise<TermsSummary> {
  const versions = await db.selectFrom("terms_versions").selectAll().where("organisation_id", "=", organisationId)
    .orderBy("published_at", "desc").orderBy("id", "desc").limit(100).execute();
  const current = versions[0] ?? null;
  const counts = await db.selectFrom("members")
    .select((eb) => [
      eb.fn.countAll<number>().as("members"),
      sql<number>`count(*) filter (where consent->>'termsVersion' = ${current?.version ?? ""})`.as("agreed"),
    ])
    .where("organisation_id", "=", organisationId).where("active", "=", true).executeTakeFirstOrThrow();
  return { current, versions, members: Number(counts.members), agreed: current ? Number(counts.agreed) : 0 };
}

export type AgreeOutcome =
  | { status: "agreed"; version: string; text: string }
  | { status: "already"; version: string }
  | { status: "not_found" };

/**
 * A member agrees to a version (a LINE tap, a one-tap link): their consent
 * becomes { termsVersion, at }. Inside the caller's transaction; the member's row
 * is locked. An agreement to the version already recorded changes nothing.
 */
export async function agreeToTermsIn(tx: Db, organisationId: string, memberId: string, versionId: string, at: Date): Promise<AgreeOutcome> {
  const version = await tx.selectFrom("terms_versions").select(["version"]).where("id", "=", versionId)
    .where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!version) return { status: "not_found" };
  const member = await tx.selectFrom("members").select(["consent"]).where("id", "=", memberId)
    .where("organisation_id", "=", organisationId).forNoKeyUpdate().executeTakeFirst();
  if (!member) return { status: "not_found" };
  if (member.consent?.termsVersion === version.version) return { status: "already", version: version.version };
  await tx.updateTable("members").set({ consent: JSON.stringify({ termsVersion: version.version, at: at.toISOString() }) })
    .where("id", "=", memberId).where("organisation_id", "=", organisationId).execute();
  return { status: "agreed", version: version.version, text: termsAgreedText(version.version) };
}

/** The version a terms link points at: its label, text and URL (for the link page). */
export async function termsVersionOf(db: Db, organisationId: string, versionId: string): Promise<TermsVersionRow | undefined> {
  return db.selectFrom("terms_versions").selectAll().where("id", "=", versionId).where("organisation_id", "=", organisationId).executeTakeFirst();
}
