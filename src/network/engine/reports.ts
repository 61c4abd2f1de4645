/**
 * Partner reports: the one command that takes a report in (the report form, the
 * Open311 endpoint), and the queries that read one back. In one transaction it
 * validates, matches the member (registration number first, then a normalised
 * address; only an unambiguous match links a member), stores the report and — for
 * a matched 相談 or 通報 — raises a concern on the member (one incident per person).
 */
import type { Selectable } from "kysely";
import { raiseConcern } from "../../engine/concerns.ts";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import {
  addressParts, normaliseAddress, type RawReport, type ReportFieldError, type ReportInput, type ReportMatch, reportAttributes, reportSummary, sameAddress, validateReport,
} from "../domain/reports.ts";
import { raisesConcernOnArrival, reportConcernKey } from "../domain/triage.ts";
import type { NetworkTables } from "../store/schema.ts";
import "../store/schema.ts";
import { memberByRegistrationNumber } from "./registration-numbers.ts";

export type ReportRow = Selectable<NetworkTables["network_reports"]>;

/** The report was refused: every field at fault (the form shows them all, the API the first). */
export class ReportRefused extends Error {
  readonly errors: ReportFieldError[];
  constructor(errors: ReportFieldError[]) {
    super(errors.map((e) => e.message).join("; "));
    this.errors = errors;
  }
}

/** The partner does not exist in this organisation, or is archived (it no longer reports). */
export class PartnerUnavailable extends Error {
  constructor() {
    super("partner not found");
  }
}

export interface SubmittedReport {
  report: ReportRow;
  /** False when the idempotency key named a report already received (a double submit): that report is returned, nothing changed. */
  created: boolean;
}

/**
 * The member a report is about, and how it was found: the registration number
 * when it names a member in use; else the normalised address when exactly one
 * active member of the organisation lives there (two or more → none: staff decide).
 */
export async function matchMember(db: Db, organisationId: string, where: Pick<ReportInput, "registrationNumber" | "address">): Promise<{ memberId: string | null; match: ReportMatch }> {
  if (where.registrationNumber) {
    const memberId = await memberByRegistrationNumber(db, organisationId, where.registrationNumber);
    if (memberId) return { memberId, match: "number" };
  }
  const address = where.address;
  if (address) {
    // Too short to name one home once the prefecture is set aside (a bare 本町): never matched.
    if (addressParts(normaliseAddress(address)).rest.length >= 4) {
      const rows = await db.selectFrom("members").select(["id", (eb) => eb.ref("personal", "->>").key("address").as("address")])
        .where("organisation_id", "=", organisationId).where("active", "=", true)
        .where((eb) => eb(eb.ref("personal", "->>").key("address"), "is not", null)).execute();
      const found = rows.filter((r) => r.address && sameAddress(r.address, address));
      if (found.length === 1) return { memberId: found[0]!.id, match: "address" };
    }
  }
  return { memberId: null, match: "none" };
}

/**
 * Takes a partner's report in: validates `raw` (ReportRefused naming every field
 * at fault), checks the partner (PartnerUnavailable), matches the member and
 * stores it open, received `now`. A 相談 or 通報 about a matched member raises a
 * concern on the member in the same transaction (core `raiseConcern`, keyed by
 * the report and its urgency) and links the report to the incident. A repeated
 * idempotency key returns the report first received with it, unchanged
 * (`created: false`: nothing raised again).
 */
export async function submitReport(db: Db, organisationId: string, partnerId: string, raw: RawReport, now: Date): Promise<SubmittedReport> {
  const checked = validateReport(raw, now);
  if (!checked.ok) throw new ReportRefused(checked.errors);
  const input = checked.report;
  return inTransaction(db, async (tx) => {
    const partner = await tx.selectFrom("network_partners").select(["id", "name"])
      .where("organisation_id", "=", organisationId).where("id", "=", partnerId).where("archived_at", "is", null).executeTakeFirst();
    if (!partner) throw new PartnerUnavailable();
    if (input.idempotencyKey) {
      const seen = await reportByKey(tx, organisationId, partnerId, input.idempotencyKey);
      if (seen) return { report: seen, created: false };
    }
    const { memberId, match } = await matchMember(tx, organisationId, input);
    const inserted = await tx.insertInto("network_reports").values({
      id: newId(),
      organisation_id: organisationId,
      partner_id: partnerId,
      service_code: input.serviceCode,
      urgency: input.urgency,
      attributes: JSON.stringify(reportAttributes(input)),
      description: input.description,
      address: input.address,
      lat: input.lat,
      long: input.long,
      registration_number: input.registrationNumber,
      member_id: memberId,
      match,
      requested_at: input.requestedAt ?? now,
      received_at: now,
      reporter_name: input.reporterName,
      reporter_phone: input.reporterPhone,
      idempotency_key: input.idempotencyKey,
    }).onConflict((oc) => oc.columns(["idempotency_key", "organisation_id", "partner_id"]).doNothing()).returningAll().executeTakeFirst();
    if (!inserted) {
      // A concurrent double submit won the key: answer with its report.
      const seen = await reportByKey(tx, organisationId, partnerId, input.idempotencyKey!);
      return { report: seen!, created: false };
    }
    if (memberId === null || !raisesConcernOnArrival(input.urgency, memberId)) return { report: inserted, created: true };
    const { incidentId } = await raiseConcern(tx, {
      organisationId, memberId, source: "partner_report", urgency: input.urgency, at: inserted.requested_at,
      summary: reportSummary(input, partner.name), data: { reportId: inserted.id, partnerId, match },
      actor: `partner:${partnerId}`, key: reportConcernKey(inserted.id, input.urgency),
    }, now);
    const linked = await tx.updateTable("network_reports").set({ incident_id: incidentId }).where("organisation_id", "=", organisationId)
      .where("id", "=", inserted.id).returningAll().executeTakeFirstOrThrow();
    return { report: linked, created: true };
  });
}

async function reportByKey(db: Db, organisationId: string, partnerId: string, key: string): Promise<ReportRow | undefined> {
  return db.selectFrom("network_reports").selectAll().where("organisation_id", "=", organisationId)
    .where("partner_id", "=", partnerId).where("idempotency_key", "=", key).executeTakeFirst();
}

/** One report of the organisation (undefined when none). */
export async function reportById(db: Db, organisationId: string, id: string): Promise<ReportRow | undefined> {
  return db.selectFrom("network_reports").selectAll().where("organisation_id", "=", organisationId).where("id", "=", id).executeTakeFirst();
}

/** A partner's reports, newest first: those named (`ids`), or the latest `limit`; optionally only open or closed ones. */
export async function reportsOfPartner(
  db: Db, organisationId: string, partnerId: string, filter: { ids: string[]; status: "open" | "closed" | undefined; limit: number },
): Promise<ReportRow[]> {
  let q = db.selectFrom("network_reports").selectAll().where("organisation_id", "=", organisationId).where("partner_id", "=", partnerId);
  if (filter.ids.length > 0) q = q.where("id", "in", filter.ids);
  if (filter.status) q = q.where("status", "=", filter.status);
  return q.orderBy("received_at", "desc").orderBy("id", "desc").limit(filter.limit).execute();
}
