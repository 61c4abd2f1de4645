/**
 * The partner registry: every change to a partner happens here, once (the API
 * calls these). A partner gets a random short code for its report form at
 * creation; its Open311 key is issued (or rotated) on request and kept only as a
 * SHA-256 hash, so the key is shown once. Lookups by short code and by key cross
 * organisations (the form and the GeoReport endpoint name no organisation): both
 * are random enough to be unique in practice, and an ambiguous one finds nothing.
 */
import { createHash, randomBytes } from "node:crypto";
import { type Selectable, sql } from "kysely";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import { normaliseShortCode, type PartnerContact, type PartnerKind, shortCodeFrom } from "../domain/partners.ts";
import type { NetworkTables } from "../store/schema.ts";
import "../store/schema.ts";

export type PartnerRow = Selectable<NetworkTables["network_partners"]>;

export interface PartnerInput {
  name: string;
  kind: PartnerKind;
  business?: string | null | undefined;
  /** YYYY-MM-DD. */
  agreementDate?: string | null | undefined;
  agreementTerms?: string | null | undefined;
  contacts?: PartnerContact[] | undefined;
  ownerPersonId?: string | null | undefined;
  /** YYYY-MM-DD. */
  nextReviewOn?: string | null | undefined;
  listed?: boolean | undefined;
}

/** The owner named is not a person of this organisation (field `ownerPersonId`). */
export class UnknownOwner extends Error {
  constructor() {
    super("ownerPersonId names no person of this organisation");
  }
}

/** Columns of a partner; the dates as text (YYYY-MM-DD) on both databases. */
function partnerColumns(db: Db) {
  return db.selectFrom("network_partners").select([
    "id", "organisation_id", "name", "kind", "business", "agreement_terms", "contacts", "owner_person_id", "listed", "short_code",
    "api_key_hash", "created_at", "updated_at", "archived_at",
    sql<string | null>`to_char(agreement_date, 'YYYY-MM-DD')`.as("agreement_date"),
    sql<string | null>`to_char(next_review_on, 'YYYY-MM-DD')`.as("next_review_on"),
  ]);
}

/**
 * A handover (the directory's engine/handover.ts, through the port service.ts
 * passes): every partner `from` owns, archived ones too, goes to `to` in the
 * caller's transaction. The route's audit entry records it. Returns `{ partners: n }`.
 */
export async function handOverPartners(tx: Db, organisationId: string, from: string, to: string, _by: string, now: Date): Promise<Record<string, number>> {
  const r = await tx.updateTable("network_partners").set({ owner_person_id: to, updated_at: now })
    .where("organisation_id", "=", organisationId).where("owner_person_id", "=", from).executeTakeFirst();
  return { partners: Number(r.numUpdatedRows) };
}

/**
 * The partners a person owns, not archived, with their next review date (the
 * directory's handover screen and "my next contacts", through the port service.ts passes).
 */
export async function partnersOwnedBy(db: Db, organisationId: string, personId: string): Promise<{ kind: "partner"; id: string; name: string; nextContactOn: string | null }[]> {
  const rows = await partnerColumns(db).where("organisation_id", "=", organisationId).where("owner_person_id", "=", personId).where("archived_at", "is", null)
    .orderBy("name").orderBy("id").execute();
  return rows.map((r) => ({ kind: "partner" as const, id: r.id, name: r.name, nextContactOn: r.next_review_on }));
}

/** The organisation's partners, by name; archived ones only when asked. */
export async function listPartners(db: Db, organisationId: string, includeArchived = false): Promise<PartnerRow[]> {
  let q = partnerColumns(db).where("organisation_id", "=", organisationId);
  if (!includeArchived) q = q.where("archived_at", "is", null);
  return q.orderBy("name").orderBy("id").execute();
}

export async function getPartner(db: Db, organisationId: string, id: string): Promise<PartnerRow | undefined> {
  return partnerColumns(db).where("organisation_id", "=", organisationId).where("id", "=", id).executeTakeFirst();
}

/** The listed, not archived partners of an organisation (the public page), by name. */
export async function listedPartners(db: Db, organisationId: string): Promise<PartnerRow[]> {
  return partnerColumns(db).where("organisation_id", "=", organisationId).where("listed", "=", true).where("archived_at", "is", null)
    .orderBy("name").orderBy("id").execute();
}

/** The partner (not archived) whose report form this short code opens; undefined when none or ambiguous. */
export async function partnerByShortCode(db: Db, code: string): Promise<PartnerRow | undefined> {
  const rows = await partnerColumns(db).where("short_code", "=", normaliseShortCode(code)).where("archived_at", "is", null).limit(2).execute();
  return rows.length === 1 ? rows[0] : undefined;
}

/** The Open311 key's stored form: SHA-256, hex. */
export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** The partner (not archived) holding this Open311 key; undefined when none. */
export async function partnerByApiKey(db: Db, key: string): Promise<PartnerRow | undefined> {
  if (key.length < 10 || key.length > 200) return undefined;
  const rows = await partnerColumns(db).where("api_key_hash", "=", hashApiKey(key)).where("archived_at", "is", null).limit(2).execute();
  return rows.length === 1 ? rows[0] : undefined;
}

async function checkOwner(db: Db, organisationId: string, personId: string | null | undefined): Promise<void> {
  if (!personId) return;
  const found = await db.selectFrom("people").select("id").where("organisation_id", "=", organisationId).where("id", "=", personId).executeTakeFirst();
  if (!found) throw new UnknownOwner();
}

const orNull = <T>(v: T | null | undefined): T | null => (v === undefined ? null : v);

/** Registers a partner with a fresh short code (UnknownOwner when the owner is not a person here). */
export async function createPartner(db: Db, organisationId: string, input: PartnerInput, now: Date): Promise<PartnerRow> {
  return inTransaction(db, async (tx) => {
    await checkOwner(tx, organisationId, input.ownerPersonId);
    const id = newId();
    for (let attempt = 0; ; attempt++) {
      const code = shortCodeFrom(randomBytes(16));
      const taken = await tx.selectFrom("network_partners").select("id").where("short_code", "=", code).executeTakeFirst();
      if (taken && attempt < 5) continue;
      await tx.insertInto("network_partners").values({
        id, organisation_id: organisationId, name: input.name, kind: input.kind, business: orNull(input.business),
        agreement_date: orNull(input.agreementDate), agreement_terms: orNull(input.agreementTerms),
        contacts: JSON.stringify(input.contacts ?? []), owner_person_id: orNull(input.ownerPersonId),
        next_review_on: orNull(input.nextReviewOn), listed: input.listed ?? false, short_code: code, created_at: now, updated_at: now,
      }).execute();
      break;
    }
    return (await getPartner(tx, organisationId, id))!;
  });
}

/** Changes the fields given (null clears); undefined when no such partner. */
export async function updatePartner(db: Db, organisationId: string, id: string, patch: Partial<PartnerInput>, now: Date): Promise<PartnerRow | undefined> {
  return inTransaction(db, async (tx) => {
    await checkOwner(tx, organisationId, patch.ownerPersonId);
    const set: Record<string, unknown> = { updated_at: now };
    if (patch.name !== undefined) set.name = patch.name;
    if (patch.kind !== undefined) set.kind = patch.kind;
    if (patch.business !== undefined) set.business = patch.business;
    if (patch.agreementDate !== undefined) set.agreement_date = patch.agreementDate;
    if (patch.agreementTerms !== undefined) set.agreement_terms = patch.agreementTerms;
    if (patch.contacts !== undefined) set.contacts = JSON.stringify(patch.contacts);
    if (patch.ownerPersonId !== undefined) set.owner_person_id = patch.ownerPersonId;
    if (patch.nextReviewOn !== undefined) set.next_review_on = patch.nextReviewOn;
    if (patch.listed !== undefined) set.listed = patch.listed;
    const done = await tx.updateTable("network_partners").set(set).where("organisation_id", "=", organisationId).where("id", "=", id).executeTakeFirst();
    if (Number(done.numUpdatedRows) === 0) return undefined;
    return getPartner(tx, organisationId, id);
  });
}

/** Archives (`archived: true`: no more reports, off the public page, key and form refused) or restores a partner; undefined when none. */
export async function archivePartner(db: Db, organisationId: string, id: string, archived: boolean, now: Date): Promise<PartnerRow | undefined> {
  const done = await db.updateTable("network_partners").set({ archived_at: archived ? now : null, updated_at: now })
    .where("organisation_id", "=", organisationId).where("id", "=", id).executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0) return undefined;
  return getPartner(db, organisationId, id);
}

/**
 * Issues the partner's Open311 key, replacing any earlier one (which stops
 * working at once): the key is returned once and only its hash is kept.
 * Undefined when no such partner.
 */
export async function issuePartnerKey(db: Db, organisationId: string, id: string, now: Date): Promise<{ key: string; partner: PartnerRow } | undefined> {
  const key = `o311_${randomBytes(24).toString("base64url")}`;
  const done = await db.updateTable("network_partners").set({ api_key_hash: hashApiKey(key), updated_at: now })
    .where("organisation_id", "=", organisationId).where("id", "=", id).executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0) return undefined;
  return { key, partner: (await getPartner(db, organisationId, id))! };
}
