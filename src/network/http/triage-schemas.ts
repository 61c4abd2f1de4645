/** Requests and answers of the triage queue and the partner statistics (zod: validation and the OpenAPI document from one source). */
import { z } from "zod";
import { Id, Limit, MonthlyReportExportQuery, MonthlyReportQuery, optionalText } from "../../http/schemas.ts";
import { MAX_STATUS_NOTES, REPORT_STATUSES, REPORT_URGENCIES, TRIAGE_OUTCOMES } from "../domain/triage.ts";

export const ReportListQuery = z.strictObject({
  status: z.enum(REPORT_STATUSES).optional().describe("open: the queue still to be decided; closed: decided"),
  partnerId: Id.optional().describe("only this partner's reports"),
  urgency: z.enum(REPORT_URGENCIES).optional().describe("watch 見守り, consult 相談, emergency 通報"),
  limit: Limit(200, 50),
  after: Id.optional().describe("cursor: the last report id of the previous page"),
});

export const TriageInput = z.strictObject({
  outcome: z.enum(TRIAGE_OUTCOMES)
    .describe("no_action 対応不要, consulted 相談対応, emergency_response 緊急対応 (with a member: joins the member's incident)"),
  note: optionalText(2000, true).default("").describe("staff's notes: never shown to the reporter"),
  statusNotes: optionalText(MAX_STATUS_NOTES, true).optional()
    .describe("what the reporter is told (public: no names or parts of names, addresses or phone numbers); by default the outcome's own note (no_action: 確認しました。ご連絡ありがとうございました。)"),
  memberId: Id.nullable().optional().describe("link the report to this member, or correct its match; null unlinks; absent keeps it"),
});

export const StatisticsQuery = MonthlyReportQuery.extend({
  from: MonthlyReportQuery.shape.from.describe("the first month, YYYY-MM; by default April of `to`'s fiscal year (年度)"),
  to: MonthlyReportQuery.shape.to.describe("the last month, YYYY-MM (at most 24 months after from); by default March closing the current fiscal year"),
});
export const StatisticsExportQuery = MonthlyReportExportQuery.extend({ from: StatisticsQuery.shape.from, to: StatisticsQuery.shape.to });

const Time = z.string().describe("ISO 8601 date-time, UTC");
const Uuid = z.string().describe("UUID");

export const TriageReportOut = z.object({
  id: Uuid,
  partnerId: Uuid,
  partnerName: z.string(),
  serviceCode: z.string().describe("the Open311 service the report was made for"),
  urgency: z.enum(REPORT_URGENCIES),
  attributes: z.record(z.string(), z.union([z.string(), z.array(z.string())])).describe("the checklist's answers: attribute code → value key(s)"),
  checklist: z.array(z.object({
    code: z.string(), question: z.string().describe("as the service definition asks it (Japanese)"), questionEn: z.string(),
    answers: z.array(z.object({ key: z.string(), name: z.string().describe("Japanese"), en: z.string() })),
  })).describe("the checklist's answers as the service definition words them, in its order (the registration number apart)"),
  description: z.string().describe("the reporter's words (observers: ***)"),
  address: z.string().nullable(),
  lat: z.number().nullable(),
  long: z.number().nullable(),
  registrationNumber: z.string().nullable().describe("as the reporter gave it (observers: ***)"),
  match: z.enum(["number", "address", "none"]).describe("how the report found its member when it arrived"),
  linkedBy: z.enum(["number", "address", "staff"]).nullable()
    .describe("how the linked member is linked: as it arrived (number, address) or by staff in triage (staff); null without a member"),
  member: z.object({ id: Uuid, displayName: z.string(), teamId: Uuid }).nullable(),
  requestedAt: Time,
  receivedAt: Time,
  status: z.enum(REPORT_STATUSES),
  outcome: z.enum(TRIAGE_OUTCOMES).nullable(),
  note: z.string().describe("staff's notes"),
  statusNotes: z.string().nullable().describe("what the reporter is told (Open311 status_notes)"),
  triagedBy: z.string().nullable(),
  triagedAt: Time.nullable(),
  incidentId: Uuid.nullable().describe("the member's incident the report joined"),
  reporter: z.object({ fullName: z.string().nullable(), phone: z.string().nullable() }).describe("who reported (personal)"),
}).meta({ id: "PartnerReport" });

export const TriageReportList = z.object({ reports: z.array(TriageReportOut), next: Uuid.nullable().describe("cursor for ?after=") });

export const TriageAnswer = z.object({
  report: TriageReportOut,
  incident: z.object({ id: Uuid, joined: z.boolean().describe("true: an incident of the member was open and the report joined it") }).nullable(),
});

const Shares = z.object({ noAction: z.number().int(), consulted: z.number().int(), emergencyResponse: z.number().int() })
  .nullable().describe("whole percent of the decided reports (adding up to 100); null when none is decided");
export const StatisticsFigures = z.object({
  reports: z.number().int(), watch: z.number().int(), consult: z.number().int(), emergency: z.number().int(),
  noAction: z.number().int(), consulted: z.number().int(), emergencyResponse: z.number().int(), untriaged: z.number().int(), shares: Shares,
}).meta({ id: "PartnerReportFigures" });
const MonthFigures = z.object({ month: z.string().describe("YYYY-MM"), figures: StatisticsFigures });
export const StatisticsOut = z.object({
  timeZone: z.string(),
  months: z.array(z.string()),
  partners: z.array(z.object({ partnerId: Uuid, partnerName: z.string(), months: z.array(MonthFigures), total: StatisticsFigures })),
  monthTotals: z.array(MonthFigures),
  total: StatisticsFigures,
}).meta({ id: "PartnerReportStatistics" });
export const StatisticsFile = z.string().describe("the file's bytes (text/csv or xlsx), as an attachment");
