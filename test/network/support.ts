/**
 * Partners and their reports for the network's tests: a partner of the test
 * service's organisation, registered through the API as staff do, and reports filed through the report command
 * (src/network/engine/reports.ts `submitReport`), as the report form and Open311 do.
 */
import assert from "node:assert/strict";
import { submitReport } from "../../src/network/engine/reports.ts";
import type { ReportUrgency } from "../../src/network/domain/triage.ts";
import type { TestService } from "../support/harness.ts";

/**
 * A partner under a watching agreement in the service's first organisation,
 * registered as staff do (POST /network/partners with the admin's token: the
 * command, its short code and its audit entry); its id.
 */
export async function makePartner(service: TestService, name: string): Promise<string> {
  const created = await service.api("POST", "/network/partners", { name, kind: "home_visit" });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id as string;
}

export interface TestReport {
  urgency: ReportUrgency;
  address: string | null;
  description: string;
  reporterName: string | null;
  reporterPhone: string | null;
  /** Checklist keys (domain/reports.ts CHECKLIST_VALUES). */
  signs?: string[];
  registrationNumber?: string;
}

/** A report from `partnerId` received at `at` (ISO), through submitReport; its id. */
export async function fileReport(service: TestService, partnerId: string, report: TestReport, at: string): Promise<string> {
  const organisationId = (await service.services.db.selectFrom("network_partners").select("organisation_id").where("id", "=", partnerId)
    .executeTakeFirstOrThrow()).organisation_id;
  const submitted = await submitReport(service.services.db, organisationId, partnerId, {
    serviceCode: "concern", urgency: report.urgency, signs: report.signs ?? [], description: report.description, address: report.address,
    reporterName: report.reporterName, reporterPhone: report.reporterPhone, ...(report.registrationNumber ? { registrationNumber: report.registrationNumber } : {}),
  }, new Date(at));
  return submitted.report.id;
}

/** Checklist answers and how the report's page words them (Japanese). */
export const CHECKLIST_SAMPLE = {
  signs: ["post_piling_up", "stopped_greeting"],
  shown: ["郵便物や新聞がたまっている", "あいさつをしなくなった", "気づいたこと"],
};
