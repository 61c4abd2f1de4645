/**
 * Consent records, lawful disclosure and the disaster declaration (rules:
 * domain/consents.ts). Every change happens here, once, in one transaction; the
 * routes (http/consents.ts) validate, call these and audit.
 */
import { sql } from "kysely";
import type { PersonalDataHook, TableDecision } from "../../engine/personal-data.ts";
import type { SetupCheck, SetupCheckSource } from "../../engine/setup-checks.ts";
import { localDateOf } from "../../domain/schedule.ts";
import { organisationTimeZone } from "../../engine/today.ts";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import {
  type ConsentDecision, type ConsentMethod, type ConsentPurpose, type ConsentRecord, type CurrentConsent, currentConsents, type LegalBasis,
  termsConsentRecord, watchingConsent, type WatchingConsent,
} from "../domain/consents.ts";
import type { DisclosureBasis, NetworkTables } from "../store/schema.ts";
import "../store/schema.ts";

declare module "../../engine/setup-checks.ts" {
  interface ContextSetupCheckCodes {
    consent_missing: true;
  }
}

type ConsentRow = {
  id: string; member_id: string; purpose: ConsentPurpose; decision: ConsentDecision; period_start: Date; period_end: Date | null;
  method: Exclude<ConsentMethod, "terms">; terms_version: string | null; recorded_by: string; given_at: Date; recorded_at: Date; note: string | null;
};

function recordOf(row: ConsentRow): ConsentRecord {
  return {
    id: row.id, memberId: row.member_id, purpose: row.purpose, decision: row.decision, periodStart: row.period_start, periodEnd: row.period_end,
    method: row.method, termsVersion: row.terms_version, recordedBy: row.recorded_by, givenAt: row.given_at, recordedAt: row.recorded_at, note: row.note,
  };
}

export interface MemberConsents {
  /** Every record, the terms agreement's derived one included, newest given first. */
  history: ConsentRecord[];
  current: CurrentConsent[];
  watching: WatchingConsent;
}

async function loadConsents(db: Db, organisationId: string, memberId: string, now: Date): Promise<MemberConsents | undefined> {
  const member = await db.selectFrom("members").select(["consent"]).where("organisation_id", "=", organisationId).where("id", "=", memberId)
    .where("erased_at", "is", null).executeTakeFirst();
  if (!member) return undefined;
  const rows = await db.selectFrom("network_consents").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
    .execute();
  const records = rows.map(recordOf);
  const terms = member.consent ? termsConsentRecord(memberId, member.consent) : undefined;
  // The terms agreement stands for `watching` only while no explicit record is in force (watchingConsent).
  const current = currentConsents(records, now, await organisationTimeZone(db, organisationId));
  const history = [...records, ...(terms ? [terms] : [])].sort((a, b) => b.givenAt.getTime() - a.givenAt.getTime() || b.recordedAt.getTime() - a.recordedAt.getTime());
  const watching = watchingConsent(current, !!terms);
  if (watching === "terms" && terms) current[0] = { purpose: "watching", decision: "permit", record: terms };
  return { history, current, watching };
}

/** A member's consents: history, the decision in force per purpose, and whether watching has consent. Undefined: no such member. */
export async function memberConsents(db: Db, organisationId: string, memberId: string, now: Date): Promise<MemberConsents | undefined> {
  return loadConsents(db, organisationId, memberId, now);
}

export interface ConsentInput {
  purpose: ConsentPurpose;
  decision: ConsentDecision;
  method: Exclude<ConsentMethod, "terms">;
  /** When the member gave it; the period starts then unless `periodStart` says otherwise. */
  givenAt: Date;
  periodStart?: Date;
  periodEnd?: Date | null;
  termsVersion?: string | null;
  note?: string | null;
}

/** A period that ends before it starts. */
export class BadConsentPeriod extends Error {}

/**
 * Records one decision (a withdrawal is a `deny`); the member's row is locked so
 * two records of one member are ordered. Undefined: no such member.
 */
export async function recordConsent(
  db: Db, organisationId: string, memberId: string, input: ConsentInput, recordedBy: string, now: Date,
): Promise<ConsentRecord | undefined> {
  const start = input.periodStart ?? input.givenAt;
  if (input.periodEnd && input.periodEnd.getTime() <= start.getTime()) throw new BadConsentPeriod("the period must end after it starts");
  return inTransaction(db, async (tx) => {
    const member = await tx.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "=", memberId)
      .where("erased_at", "is", null).forUpdate().executeTakeFirst();
    if (!member) return undefined;
    const row = await tx.insertInto("network_consents").values({
      id: newId(), organisation_id: organisationId, member_id: memberId, purpose: input.purpose, decision: input.decision,
      period_start: start, period_end: input.periodEnd ?? null, method: input.method, terms_version: input.termsVersion ?? null,
      recorded_by: recordedBy, given_at: input.givenAt, recorded_at: now, note: input.note ?? null,
    }).returningAll().executeTakeFirstOrThrow();
    return recordOf(row);
  });
}

// ---------------------------------------------------------------- disaster declaration

export interface DisasterDeclaration {
  id: string;
  reason: string;
  declaredBy: string;
  declaredAt: Date;
}

/** The disaster declared for the organisation now, if any. */
export async function currentDisaster(db: Db, organisationId: string): Promise<DisasterDeclaration | undefined> {
  const row = await db.selectFrom("network_disaster_declarations").select(["id", "reason", "declared_by", "declared_at"])
    .where("organisation_id", "=", organisationId).where("ended_at", "is", null).executeTakeFirst();
  return row ? { id: row.id, reason: row.reason, declaredBy: row.declared_by, declaredAt: row.declared_at } : undefined;
}

/** Declares a disaster (災害対策基本法 49条の11 applies until it ends); an open declaration is returned as is. */
export async function declareDisaster(db: Db, organisationId: string, reason: string, by: string, now: Date): Promise<DisasterDeclaration> {
  return inTransaction(db, async (tx) => {
    const open = await currentDisaster(tx, organisationId);
    if (open) return open;
    const id = newId();
    await tx.insertInto("network_disaster_declarations").values({ id, organisation_id: organisationId, reason, declared_by: by, declared_at: now }).execute();
    return { id, reason, declaredBy: by, declaredAt: now };
  });
}

/** Ends the open declaration; false when none was open. */
export async function endDisaster(db: Db, organisationId: string, by: string, now: Date): Promise<boolean> {
  const result = await db.updateTable("network_disaster_declarations").set({ ended_at: now, ended_by: by })
    .where("organisation_id", "=", organisationId).where("ended_at", "is", null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

// ---------------------------------------------------------------- may we share?

/** Why sharing is refused: no such member; no consent in force; a `deny` in force; the disaster basis without a declared disaster. */
export type ShareRefusal = "no_member" | "no_consent" | "consent_denied" | "no_disaster_declared";

export type ShareDecision =
  | { allowed: true; because: "consent"; consentId: string }
  | { allowed: true; because: "legal_basis"; basis: LegalBasis }
  | { allowed: false; refused: ShareRefusal };

/**
 * Whether the member's data may go out for `purpose` now: on a legal basis when
 * one is claimed (`life_body_property` always — the person disclosing judges and
 * it is recorded; `disaster_support_list` only while a disaster is declared),
 * otherwise on a `permit` record in force for the purpose. The terms agreement
 * never counts for sharing. Other parts (partner reports, keyholder look-ups)
 * call this before they disclose.
 */
export async function mayShare(
  db: Db, organisationId: string, memberId: string, purpose: ConsentPurpose, now: Date, basis?: LegalBasis,
): Promise<ShareDecision> {
  const consents = await loadConsents(db, organisationId, memberId, now);
  if (!consents) return { allowed: false, refused: "no_member" };
  if (basis === "life_body_property") return { allowed: true, because: "legal_basis", basis };
  if (basis === "disaster_support_list") {
    return (await currentDisaster(db, organisationId))
      ? { allowed: true, because: "legal_basis", basis }
      : { allowed: false, refused: "no_disaster_declared" };
  }
  const current = consents.current.find((c) => c.purpose === purpose);
  if (current?.decision === "permit" && current.record && current.record.method !== "terms") {
    return { allowed: true, because: "consent", consentId: current.record.id };
  }
  return { allowed: false, refused: current?.decision === "deny" ? "consent_denied" : "no_consent" };
}

// ---------------------------------------------------------------- disclosures

export const RECIPIENT_KINDS = ["contact", "partner", "police", "fire", "medical", "municipality", "welfare", "other"] as const;
export type ConsentRecipientKind = (typeof RECIPIENT_KINDS)[number];

export interface DisclosureInput {
  basis?: LegalBasis;
  recipient: string;
  recipientKind: ConsentRecipientKind;
  /** Why (free text, e.g. 安否確認のため消防へ). */
  purpose: string;
  /** Which fields went out (displayName, address, phone, contacts, medicalNotes…). */
  fields: string[];
}

export interface Disclosure {
  id: string;
  memberId: string;
  basis: DisclosureBasis;
  consentId: string | null;
  recipient: string;
  recipientKind: string;
  purpose: string;
  fields: string[];
  disclosedBy: string;
  disclosedAt: Date;
}

export class DisclosureRefused extends Error {
  readonly reason: ShareRefusal;
  constructor(reason: ShareRefusal) {
    super(reason);
    this.reason = reason;
  }
}

/** The consent purpose a disclosure to this kind of recipient needs (without a legal basis). */
export function sharingPurpose(input: Pick<DisclosureInput, "basis" | "recipientKind">): ConsentPurpose {
  if (input.basis === "disaster_support_list") return "disaster_support_list";
  return input.recipientKind === "contact" ? "share_contacts" : "share_partners";
}

/**
 * Records a disclosure after `mayShare` allows it; throws DisclosureRefused
 * otherwise (nothing is written; `no_member` when the organisation has no such member).
 */
export async function recordDisclosure(
  db: Db, organisationId: string, memberId: string, input: DisclosureInput, by: string, now: Date,
): Promise<Disclosure> {
  return inTransaction(db, (tx) => recordDisclosureIn(tx, organisationId, memberId, input, by, now));
}

/** `recordDisclosure` inside the caller's transaction `tx`: the disclosure is kept only if what it went out with is (a referral's share). */
export async function recordDisclosureIn(
  tx: Db, organisationId: string, memberId: string, input: DisclosureInput, by: string, now: Date,
): Promise<Disclosure> {
  const decision = await mayShare(tx, organisationId, memberId, sharingPurpose(input), now, input.basis);
  if (!decision.allowed) throw new DisclosureRefused(decision.refused);
  const row = {
    id: newId(), organisation_id: organisationId, member_id: memberId,
    basis: decision.because === "consent" ? "consent" as const : decision.basis,
    consent_id: decision.because === "consent" ? decision.consentId : null,
    recipient: input.recipient, recipient_kind: input.recipientKind, purpose: input.purpose, fields: input.fields, disclosed_by: by, disclosed_at: now,
  };
  await tx.insertInto("network_disclosures").values(row).execute();
  return disclosureOf(row);
}

function disclosureOf(r: {
  id: string; member_id: string; basis: DisclosureBasis; consent_id: string | null; recipient: string; recipient_kind: string; purpose: string;
  fields: string[]; disclosed_by: string; disclosed_at: Date;
}): Disclosure {
  return {
    id: r.id, memberId: r.member_id, basis: r.basis, consentId: r.consent_id, recipient: r.recipient, recipientKind: r.recipient_kind,
    purpose: r.purpose, fields: r.fields, disclosedBy: r.disclosed_by, disclosedAt: r.disclosed_at,
  };
}

/** A member's disclosures, newest first; undefined: no such member. */
export async function listDisclosures(db: Db, organisationId: string, memberId: string): Promise<Disclosure[] | undefined> {
  const member = await db.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "=", memberId)
    .where("erased_at", "is", null).executeTakeFirst();
  if (!member) return undefined;
  const rows = await db.selectFrom("network_disclosures").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
    .orderBy("disclosed_at", "desc").orderBy("id", "desc").execute();
  return rows.map(disclosureOf);
}

// ---------------------------------------------------------------- watching without consent

/**
 * Active members watched without consent: no terms agreement and no `watching`
 * permit in force, or a `watching` deny in force. Ids in list order.
 */
export async function membersWithoutConsent(db: Db, organisationId: string, now: Date): Promise<string[]> {
  const zone = await organisationTimeZone(db, organisationId);
  const rows = await sql<{ id: string }>`
    select m.id from members m
    left join lateral (
      select c.decision from network_consents c
      where c.organisation_id = m.organisation_id and c.member_id = m.id and c.purpose = 'watching'
        -- counted from the start of its local date, as inForce does
        and (c.period_start at time zone ${zone})::date <= ${localDateOf(now, zone)}::date
        and (c.period_end is null or c.period_end > ${now})
      order by c.given_at desc, c.recorded_at desc limit 1
    ) w on true
    where m.organisation_id = ${organisationId} and m.active and m.erased_at is null
      and (w.decision = 'deny' or (w.decision is null and m.consent is null))
    order by m.id`.execute(db);
  return rows.rows.map((r) => r.id);
}

/** The network's setup check: members watched without a record of consent. */
export const consentSetupChecks: SetupCheckSource = {
  name: "network.consent",
  async checks(db, organisationId, now): Promise<SetupCheck[]> {
    const ids = await membersWithoutConsent(db, organisationId, now);
    if (!ids.length) return [];
    return [{
      code: "consent_missing", count: ids.length,
      message: `同意の記録がないまま見守っている利用者が ${ids.length}人います。利用者のページで同意を記録してください（見守りは続きます）。/ ` +
        `${ids.length} member(s) are watched without a record of consent: record it on the member's page (watching goes on meanwhile).`,
    }];
  },
};

// ---------------------------------------------------------------- export and erasure

/**
 * The network's part in a member's export and erasure (engine/personal-data.ts).
 * EVERY network table that names a member must be listed here (README, The
 * regional network).
 */
export const networkPersonalData: PersonalDataHook = {
  name: "network",
  tables: {
    network_consents: { erasure: "delete", why: "the member's consent records, with notes", section: "consents" },
    network_disclosures: { erasure: "delete", why: "to whom the member's data went, and why", section: "disclosures" },
    network_registration_numbers: { erasure: "delete", why: "the member's card, keyholder and sticker numbers", section: "registration_numbers" },
    network_reports: { erasure: "anonymise", why: "reports about the member stay for the partner's statistics, unlinked, without where, what or notes", section: "partner_reports" },
    network_devices: { erasure: "delete", why: "the member's devices, with their last state (what happens at home)", section: "devices" },
    network_device_rules: { erasure: "delete", why: "follow their device (on delete cascade)" },
    network_finder_calls: { erasure: "delete", why: "calls about the member: who was dialled and what they said", section: "finder_calls" },
    network_partners: { erasure: "none", why: "partners and their own staff's contacts" },
    network_disaster_declarations: { erasure: "scrub", why: "a declaration's reason is the organisation's, but is free text" },
  } satisfies Record<keyof NetworkTables, TableDecision>,
  async terms(tx, organisationId, memberId) {
    return (await tx.selectFrom("network_registration_numbers").select("number").where("organisation_id", "=", organisationId)
      .where("member_id", "=", memberId).execute()).map((r) => r.number);
  },
  async export(tx, organisationId, memberId) {
    return {
      consents: await tx.selectFrom("network_consents").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
        .orderBy("given_at").execute(),
      disclosures: await tx.selectFrom("network_disclosures").selectAll().where("organisation_id", "=", organisationId)
        .where("member_id", "=", memberId).orderBy("disclosed_at").execute(),
      registration_numbers: await tx.selectFrom("network_registration_numbers").selectAll().where("organisation_id", "=", organisationId)
        .where("member_id", "=", memberId).orderBy("issued_at").execute(),
      partner_reports: await tx.selectFrom("network_reports").selectAll().where("organisation_id", "=", organisationId)
        .where("member_id", "=", memberId).orderBy("received_at").execute(),
      // Devices without their token's hash (a credential, not the member's data).
      devices: (await tx.selectFrom("network_devices").selectAll().where("organisation_id", "=", organisationId)
        .where("member_id", "=", memberId).orderBy("created_at").execute()).map(({ token_hash: _, ...device }) => device),
      finder_calls: await tx.selectFrom("network_finder_calls").selectAll().where("organisation_id", "=", organisationId)
        .where("member_id", "=", memberId).execute(),
    };
  },
  async erase(tx, organisationId, memberId) {
    const counts: Record<string, number> = {};
    // Devices go with their rules (network_device_rules: on delete cascade).
    for (const table of ["network_consents", "network_disclosures", "network_registration_numbers", "network_devices", "network_finder_calls"] as const) {
      const result = await tx.deleteFrom(table).where("organisation_id", "=", organisationId).where("member_id", "=", memberId).executeTakeFirst();
      counts[table] = Number(result.numDeletedRows);
    }
    // Partner reports about the member stay for the partner's statistics (service, urgency, checklist, outcome,
    // times), unlinked and without where, what was written or the staff's notes.
    const reports = await tx.updateTable("network_reports").set({
      member_id: null, description: null, address: null, lat: null, long: null, registration_number: null, notes: null, status_notes: null,
    }).where("organisation_id", "=", organisationId).where("member_id", "=", memberId).executeTakeFirst();
    counts.network_reports = Number(reports.numUpdatedRows);
    return counts;
  },
};
