/**
 * The anchor's triage queue (seed 001: every report reaches the support center,
 * which decides 見守り / 相談 / 通報 and follows up): partner reports read newest
 * urgent first, and the staff commands that close a report with an outcome
 * (domain/triage.ts says which transitions are allowed) or open it again. A 相談 or
 * 通報 about a matched member raised its concern on arrival (engine/reports.ts);
 * closing as an emergency response about a member joins the member's incident
 * (engine/concerns.ts `raiseConcern`: one incident per person).
 */
import { type Expression, type SqlBool, sql } from "kysely";
import { raiseConcern } from "../../engine/concerns.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import { ATTRIBUTE_SIGNS, type ReportMatch, reportSummary } from "../domain/reports.ts";
import {
  type ChecklistAnswer, checklistOf, checkReopen, checkTriage, closedStatusNotes, personalInStatusNotes, raisesConcern, REOPENED_STATUS_NOTES, reportConcernKey,
  type ReportStatus,
  type ReportUrgency, type TriageError, type TriageOutcome,
} from "../domain/triage.ts";
import "../store/schema.ts";

/** A report as the queue and its page show it (personal fields included: the route shapes them for the caller's role). */
export interface TriageReport {
  id: string;
  partnerId: string;
  partnerName: string;
  serviceCode: string;
  urgency: ReportUrgency;
  /** The checklist's answers (Open311 attributes): code → the value's key, or keys for a multivaluelist. */
  attributes: Record<string, string | string[]>;
  /** The same answers as the service definition words them. */
  checklist: ChecklistAnswer[];
  description: string;
  address: string | null;
  lat: number | null;
  long: number | null;
  registrationNumber: string | null;
  match: ReportMatch;
  /**
   * How the linked member is linked, for the queue: as it arrived (`number`,
   * `address`) or by staff (`staff`: a report that arrived unmatched and was linked
   * in triage); null without a member. A report re-linked by staff from its
   * arrival match to another member still reads as its arrival match (the row
   * keeps no record of the original member).
   */
  linkedBy: ReportMatch | "staff" | null;
  member: { id: string; displayName: string; teamId: string } | null;
  requestedAt: Date;
  receivedAt: Date;
  status: ReportStatus;
  outcome: TriageOutcome | null;
  /** Staff's notes: never shown to the reporter. */
  note: string;
  /** What the reporter is told (Open311 status_notes): public. */
  statusNotes: string | null;
  triagedBy: string | null;
  triagedAt: Date | null;
  incidentId: string | null;
  reporter: { fullName: string | null; phone: string | null };
}

export interface ReportFilter {
  status?: ReportStatus;
  partnerId?: string;
  urgency?: ReportUrgency;
  /** The last id of the previous page. */
  after?: string;
  limit: number;
  /** Team staff: reports about their teams' members, and those about no known member. */
  teamIds?: string[];
}

/** 通報 0, 相談 1, 見守り 2 (domain/triage.ts URGENCY_RANK, as SQL). */
const rankOf = (table: "r" | "a") => sql<number>`case ${sql.ref(`${table}.urgency`)} when 'emergency' then 0 when 'consult' then 1 else 2 end`;

function reportsQuery(db: Db, organisationId: string) {
  return db.selectFrom("network_reports as r")
    .innerJoin("network_partners as p", (j) => j.onRef("p.id", "=", "r.partner_id").onRef("p.organisation_id", "=", "r.organisation_id"))
    .leftJoin("members as m", (j) => j.onRef("m.id", "=", "r.member_id").onRef("m.organisation_id", "=", "r.organisation_id"))
    .select([
      "r.id", "r.partner_id", "p.name as partner_name", "r.service_code", "r.urgency", "r.attributes", "r.description", "r.address", "r.lat", "r.long",
      "r.registration_number", "r.match", "r.member_id", "m.display_name as member_name", "m.team_id as member_team_id", "r.requested_at",
      "r.received_at", "r.status", "r.outcome", "r.notes", "r.status_notes", "r.triaged_by", "r.triaged_at", "r.incident_id", "r.reporter_name",
      "r.reporter_phone",
    ])
    .where("r.organisation_id", "=", organisationId);
}

type ReportRow = Awaited<ReturnType<ReturnType<typeof reportsQuery>["executeTakeFirstOrThrow"]>>;

function reportOf(r: ReportRow): TriageReport {
  return {
    id: r.id,
    partnerId: r.partner_id,
    partnerName: r.partner_name,
    serviceCode: r.service_code,
    urgency: r.urgency as ReportUrgency,
    attributes: r.attributes ?? {},
    checklist: checklistOf(r.attributes ?? {}),
    description: r.description ?? "",
    address: r.address ?? null,
    lat: r.lat === null || r.lat === undefined ? null : Number(r.lat),
    long: r.long === null || r.long === undefined ? null : Number(r.long),
    registrationNumber: r.registration_number ?? null,
    match: r.match as ReportMatch,
    linkedBy: r.member_id ? (r.match === "none" ? "staff" : r.match as ReportMatch) : null,
    member: r.member_id && r.member_name && r.member_team_id ? { id: r.member_id, displayName: r.member_name, teamId: r.member_team_id } : null,
    requestedAt: r.requested_at,
    receivedAt: r.received_at,
    status: r.status as ReportStatus,
    outcome: (r.outcome ?? null) as TriageOutcome | null,
    note: r.notes ?? "",
    statusNotes: r.status_notes ?? null,
    triagedBy: r.triaged_by ?? null,
    triagedAt: r.triaged_at ?? null,
    incidentId: r.incident_id ?? null,
    reporter: { fullName: r.reporter_name ?? null, phone: r.reporter_phone ?? null },
  };
}

/**
 * One page of the queue: 通報 first, then 相談, then 見守り, newest received first
 * within each (then by id); `after` continues from a report of the previous page
 * (a report that is not this organisation's gives an empty page).
 */
export async function listReports(db: Db, organisationId: string, filter: ReportFilter): Promise<{ reports: TriageReport[]; next: string | null }> {
  let q = reportsQuery(db, organisationId);
  if (filter.status) q = q.where("r.status", "=", filter.status);
  if (filter.partnerId) q = q.where("r.partner_id", "=", filter.partnerId);
  if (filter.urgency) q = q.where("r.urgency", "=", filter.urgency);
  if (filter.teamIds) {
    const teams = filter.teamIds;
    q = q.where((eb) => (teams.length ? eb.or([eb("r.member_id", "is", null), eb("m.team_id", "in", teams)]) : eb("r.member_id", "is", null)));
  }
  if (filter.after) {
    // Row comparison, (rank, a.received_at, id) > (a's rank, received_at, a.id): a higher rank, or the same and
    // received earlier, or the same instant and a later id. Compared in SQL, at the database's precision.
    const after: Expression<SqlBool> = sql<SqlBool>`exists (select 1 from network_reports a where a.organisation_id = ${organisationId}
      and a.id = ${filter.after} and (${rankOf("r")}, a.received_at, r.id) > (${rankOf("a")}, r.received_at, a.id))`;
    q = q.where(after);
  }
  const rows = await q.orderBy(rankOf("r")).orderBy("r.received_at", "desc").orderBy("r.id").limit(filter.limit + 1).execute();
  const page = rows.slice(0, filter.limit).map(reportOf);
  return { reports: page, next: rows.length > filter.limit ? page[page.length - 1].id : null };
}

/** One report of the organisation; undefined when there is none. */
export async function getReport(db: Db, organisationId: string, reportId: string): Promise<TriageReport | undefined> {
  const row = await reportsQuery(db, organisationId).where("r.id", "=", reportId).executeTakeFirst();
  return row ? reportOf(row) : undefined;
}

/**
 * A report as the directory takes it over when staff record a need from it
 * (the directory's PartnerReportOf port, wired in service.ts): the member it is
 * linked to and what the partner saw — their description, else the checklist's
 * signs in Japanese words joined with 、. Undefined when the organisation has no
 * such report.
 */
export async function reportForNeed(db: Db, organisationId: string, reportId: string): Promise<{ memberId: string | null; text: string } | undefined> {
  const report = await getReport(db, organisationId, reportId);
  if (!report) return undefined;
  const signs = report.checklist.find((a) => a.code === ATTRIBUTE_SIGNS)?.answers.map((a) => a.name) ?? [];
  return { memberId: report.member?.id ?? null, text: report.description.trim() || signs.join("、") };
}

export interface TriageInput {
  organisationId: string;
  reportId: string;
  outcome: TriageOutcome;
  /** Staff's notes (never shown to the reporter). */
  note: string;
  /** What the reporter is told; empty or absent: the outcome's default (domain/triage.ts CLOSED_STATUS_NOTES). */
  statusNotes?: string;
  /** Link (or correct) the member the report is about; null unlinks; absent keeps the report's. */
  memberId?: string | null;
  /** Team staff: the member linked must be one of these teams'. */
  teamIds?: string[];
  /** Who decided, as the audit log names a principal. */
  actor: string;
}

export type TriageCommandError =
  | TriageError
  | { code: "not_found"; message: string }
  | { code: "unknown_reference" | "not_in_team"; message: string; field: "memberId" }
  | { code: "personal_in_status_notes"; message: string; field: "statusNotes" };

export type TriageResult =
  | { ok: true; report: TriageReport; incident: { id: string; joined: boolean } | null }
  | { ok: false; error: TriageCommandError };

const notFound = { ok: false as const, error: { code: "not_found" as const, message: "no such report" } };

/** Whether a concern keyed `key` was raised on the member already (an "opened" or "concern_joined" event carrying it). */
async function concernRaised(tx: Db, organisationId: string, memberId: string, key: string): Promise<boolean> {
  const seen = await tx.selectFrom("incident_events").innerJoin("incidents", "incidents.id", "incident_events.incident_id").select("incident_events.id")
    .where("incidents.organisation_id", "=", organisationId).where("incidents.member_id", "=", memberId)
    .where("incident_events.type", "in", ["opened", "concern_joined"]).where(sql<string>`incident_events.data->>'concernKey'`, "=", key).executeTakeFirst();
  return seen !== undefined;
}

/**
 * Closes an open report with `outcome`, staff's note and the reporter's status
 * note, in one transaction. With an emergency response about a member not yet
 * raised as an emergency (a 通報 raised it on arrival), the member's incident is
 * raised or joined as 通報 (raiseConcern, keyed by the report, so a retry or a
 * re-decision after a reopen adds nothing) and linked to the report.
 */
export async function triageReport(db: Db, input: TriageInput, now: Date): Promise<TriageResult> {
  return inTransaction(db, async (tx): Promise<TriageResult> => {
    const report = await tx.selectFrom("network_reports").selectAll().where("organisation_id", "=", input.organisationId)
      .where("id", "=", input.reportId).forUpdate().executeTakeFirst();
    if (!report) return notFound;
    const problem = checkTriage(report.status as ReportStatus);
    if (problem) return { ok: false, error: problem };
    const memberId = input.memberId === undefined ? (report.member_id ?? null) : input.memberId;
    const member = memberId === null ? undefined : await tx.selectFrom("members").select(["id", "team_id", "display_name", "display_name_kana", "personal"])
      .where("organisation_id", "=", input.organisationId).where("id", "=", memberId).executeTakeFirst();
    if (memberId !== null && !member) {
      return { ok: false, error: { code: "unknown_reference", message: "no such member in this organisation", field: "memberId" } };
    }
    if (member && input.memberId !== undefined && input.teamIds && !input.teamIds.includes(member.team_id)) {
      return { ok: false, error: { code: "not_in_team", message: "the member belongs to a team you are not a member of", field: "memberId" } };
    }
    const statusNotes = closedStatusNotes(input.statusNotes, input.outcome);
    const names = member ? [member.display_name, member.personal.fullName, member.display_name_kana] : [];
    const personal = member ? [member.personal.address, member.personal.phone] : [];
    const leak = personalInStatusNotes(statusNotes, [...personal, report.address, report.reporter_phone, report.registration_number], [...names, report.reporter_name]);
    if (leak) {
      return {
        ok: false,
        error: {
          code: "personal_in_status_notes", field: "statusNotes",
          message: leak === "phone_number" ? "the reporter's status note is public: leave out phone numbers" : "the reporter's status note is public: leave out names and addresses",
        },
      };
    }
    let incident: { id: string; joined: boolean } | null = null;
    const key = reportConcernKey(report.id, "emergency");
    if (member && raisesConcern(input.outcome, member.id, await concernRaised(tx, input.organisationId, member.id, key))) {
      // Staff decided it is an emergency: the concern is raised as 通報 (the team and every contact at once), whatever the reporter chose.
      const partner = await tx.selectFrom("network_partners").select("name").where("organisation_id", "=", input.organisationId)
        .where("id", "=", report.partner_id).executeTakeFirstOrThrow();
      const signs = report.attributes[ATTRIBUTE_SIGNS];
      const summary = `${reportSummary({ serviceCode: report.service_code, urgency: report.urgency, signs: Array.isArray(signs) ? signs : signs ? [signs] : [] }, partner.name)}（緊急対応）`;
      const raised = await raiseConcern(tx, {
        organisationId: input.organisationId, memberId: member.id, source: "partner_report", urgency: "emergency",
        at: report.received_at, summary, data: { reportId: report.id, partnerId: report.partner_id, outcome: input.outcome },
        actor: input.actor, key,
      }, now);
      incident = { id: raised.incidentId, joined: raised.joined };
    }
    await tx.updateTable("network_reports").set({
      status: "closed", outcome: input.outcome, notes: input.note, status_notes: statusNotes, member_id: member?.id ?? null,
      triaged_by: input.actor, triaged_at: now, ...(incident ? { incident_id: incident.id } : {}),
    }).where("organisation_id", "=", input.organisationId).where("id", "=", report.id).execute();
    const updated = await reportsQuery(tx, input.organisationId).where("r.id", "=", report.id).executeTakeFirstOrThrow();
    return { ok: true, report: reportOf(updated), incident };
  });
}

/**
 * Opens a closed report again: its outcome is cleared (it is counted as not yet
 * triaged, who decided it is cleared: the audit log keeps it), staff's notes and a
 * linked incident are kept, and the reporter reads REOPENED_STATUS_NOTES.
 */
export async function reopenReport(
  db: Db, organisationId: string, reportId: string,
): Promise<{ ok: true; report: TriageReport } | { ok: false; error: TriageError | { code: "not_found"; message: string } }> {
  return inTransaction(db, async (tx) => {
    const report = await tx.selectFrom("network_reports").select(["id", "status"]).where("organisation_id", "=", organisationId)
      .where("id", "=", reportId).forUpdate().executeTakeFirst();
    if (!report) return notFound;
    const problem = checkReopen(report.status as ReportStatus);
    if (problem) return { ok: false as const, error: problem };
    await tx.updateTable("network_reports").set({
      status: "open", outcome: null, status_notes: REOPENED_STATUS_NOTES, triaged_by: null, triaged_at: null,
    }).where("organisation_id", "=", organisationId).where("id", "=", reportId).execute();
    return { ok: true as const, report: reportOf(await reportsQuery(tx, organisationId).where("r.id", "=", reportId).executeTakeFirstOrThrow()) };
  });
}
