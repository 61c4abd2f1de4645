/**
 * The monthly report (domain/reports.ts says what each figure counts): read from
 * the recorded rows, per team and month of the organisation's time zone. A member
 * is counted in the team they belong to now (members move rarely; the report of a
 * past month after a move shows them in their new team).
 */
import { type RawBuilder, sql } from "kysely";
import type { Outcome } from "../domain/incident.ts";
import {
  emptyCounts, figuresOf, type Month, monthBounds, poolCounts, REPORT_COLUMNS, REPORT_HEADERS, REPORT_TOTAL, type ReportCounts, type ReportFigures,
  reportRow,
} from "../domain/reports.ts";
import { type Db, inTransaction, preferHashJoins } from "../store/db.ts";
import { tableFile, type TableFormat } from "./table-files.ts";

export interface TeamMonth {
  teamId: string;
  teamName: string;
  figures: ReportFigures;
}

/** A broadcast sent in the month, tallied over the report's teams' members. */
export interface BroadcastTally {
  id: string;
  sentAt: Date;
  text: string;
  /** Asked 無事ですか？ (safe / need help). */
  question: boolean;
  /** An exercise (訓練): labelled, and kept out of the teams' figures and the total. */
  drill: boolean;
  recipients: number;
  safe: number;
  needHelp: number;
}

export interface ReportMonth {
  month: Month;
  teams: TeamMonth[];
  broadcasts: BroadcastTally[];
  /** Every team of the report pooled (the organisation's row, or the caller's teams'). */
  total: ReportFigures;
}

export interface MonthlyReport {
  timeZone: string;
  months: ReportMonth[];
}

export interface ReportScope {
  organisationId: string;
  /** The months, in order (domain/reports.ts monthsBetween). */
  months: Month[];
  timeZone: string;
  /** Only these teams (team staff); every team when undefined. */
  teamIds?: string[];
}

type Keyed = { team_id: string; month: Month };

/**
 * Every figure of `scope`'s months for each team (teams with nothing to count
 * included, so a quiet team shows zeros rather than vanishing), and the total.
 * One read transaction, so the figures agree with each other.
 */
export async function monthlyReport(db: Db, scope: ReportScope): Promise<MonthlyReport> {
  return inTransaction(db, (tx) => readMonthlyReport(tx, scope));
}

/** monthlyReport inside the caller's transaction `tx` (the monthly mail reads it where it claims its subscriptions). */
export async function readMonthlyReport(tx: Db, scope: ReportScope): Promise<MonthlyReport> {
  const start = monthBounds(scope.months[0], scope.timeZone).start;
  const end = monthBounds(scope.months[scope.months.length - 1], scope.timeZone).end;
  const rows = await (async () => {
    await preferHashJoins(tx);
    const q = new ReportQueries(tx, scope, start, end);
    return {
      teams: await q.teams(),
      checkins: await q.checkins(),
      answers: await q.answers(),
      opened: await q.opened(),
      resolved: await q.durations("resolved_at"),
      acknowledged: await q.durations("acknowledged_at"),
      visits: await q.confirmedByVisit(),
      broadcasts: await q.broadcasts(),
    };
  })();

  const counts = new Map<string, ReportCounts>();
  const at = (r: Keyed) => {
    const key = `${r.month}|${r.team_id}`;
    const found = counts.get(key);
    if (found) return found;
    const fresh = emptyCounts();
    counts.set(key, fresh);
    return fresh;
  };
  for (const r of rows.checkins) Object.assign(at(r), { members: r.members, checkinsAsked: r.asked, checkinsAnswered: r.answered });
  for (const r of rows.answers) Object.assign(at(r), { fine: r.fine, contactRequested: r.contact_requested });
  for (const r of rows.opened) Object.assign(at(r), { incidentsOpened: r.opened, silentTwice: r.silent_twice });
  for (const r of rows.resolved) {
    const c = at(r);
    if (r.outcome) c.resolvedByOutcome[r.outcome] = (c.resolvedByOutcome[r.outcome] ?? 0) + 1;
    c.resolveMs.push(r.ms);
  }
  for (const r of rows.acknowledged) at(r).acknowledgeMs.push(r.ms);
  for (const r of rows.visits) at(r).confirmedByVisit = r.confirmed;
  // A drill's tallies are listed (labelled) but never counted in the real figures.
  for (const r of rows.broadcasts.filter((b) => !b.drill)) {
    const c = at(r);
    c.broadcastRecipients += r.recipients;
    c.broadcastSafe += r.safe;
    c.broadcastNeedHelp += r.need_help;
  }

  return {
    timeZone: scope.timeZone,
    months: scope.months.map((month) => {
      const teams = rows.teams.map((t) => ({ team: t, counts: counts.get(`${month}|${t.id}`) ?? emptyCounts() }));
      return {
        month,
        teams: teams.map(({ team, counts: c }) => ({ teamId: team.id, teamName: team.name, figures: figuresOf(c) })),
        broadcasts: broadcastTallies(rows.broadcasts.filter((r) => r.month === month)),
        total: figuresOf(poolCounts(teams.map((t) => t.counts))),
      };
    }),
  };
}

/** One tally per broadcast, over its rows per team, oldest first. */
function broadcastTallies(rows: BroadcastRow[]): BroadcastTally[] {
  const byId = new Map<string, BroadcastTally>();
  for (const r of rows) {
    const t = byId.get(r.id) ?? {
      id: r.id, sentAt: r.created_at, text: r.text, question: r.question, drill: r.drill, recipients: 0, safe: 0, needHelp: 0,
    };
    t.recipients += r.recipients;
    t.safe += r.safe;
    t.needHelp += r.need_help;
    byId.set(r.id, t);
  }
  return [...byId.values()].sort((a, b) => a.sentAt.getTime() - b.sentAt.getTime() || (a.id < b.id ? -1 : 1));
}

type BroadcastRow = Keyed & {
  id: string; created_at: Date; text: string; question: boolean; drill: boolean; recipients: number; safe: number; need_help: number;
};

/** The report's reads; each groups by the member's team and the month of its instant. */
class ReportQueries {
  private readonly tx: Db;
  private readonly scope: ReportScope;
  private readonly start: Date;
  private readonly end: Date;
  constructor(tx: Db, scope: ReportScope, start: Date, end: Date) {
    this.tx = tx;
    this.scope = scope;
    this.start = start;
    this.end = end;
  }

  /** The month of a timestamp column in the organisation's zone, "YYYY-MM". */
  private month(column: string): RawBuilder<string> {
    return sql<string>`to_char(${sql.ref(column)} at time zone ${this.scope.timeZone}, 'YYYY-MM')`;
  }

  /** Members of the organisation, of the scope's teams. */
  private members(alias: string): RawBuilder<boolean> {
    const { organisationId, teamIds } = this.scope;
    const m = sql.table(alias);
    return teamIds
      ? sql<boolean>`${m}.organisation_id = ${organisationId} and ${m}.team_id in (${sql.join(teamIds.length ? teamIds : [""])})`
      : sql<boolean>`${m}.organisation_id = ${organisationId}`;
  }

  async teams(): Promise<{ id: string; name: string }[]> {
    let query = this.tx.selectFrom("teams").select(["id", "name"]).where("organisation_id", "=", this.scope.organisationId);
    if (this.scope.teamIds) query = query.where("id", "in", this.scope.teamIds.length ? this.scope.teamIds : [""]);
    return query.orderBy("is_default", "desc").orderBy("name").orderBy("id").execute();
  }

  /** Check-ins that fell due and were asked (skipped ones — paused members — were not). */
  async checkins() {
    const { rows } = await sql<Keyed & { members: number; asked: number; answered: number }>`
      select m.team_id, ${this.month("c.due_at")} as month, count(distinct c.member_id)::int as members,
        count(*)::int as asked, count(c.answered_at)::int as answered
      from checkins c join members m on m.id = c.member_id and m.organisation_id = c.organisation_id
      where ${this.members("m")} and c.organisation_id = ${this.scope.organisationId}
        and c.due_at >= ${this.start} and c.due_at < ${this.end} and c.status <> 'skipped'
      group by 1, 2`.execute(this.tx);
    return rows;
  }

  async answers() {
    const { rows } = await sql<Keyed & { fine: number; contact_requested: number }>`
      select m.team_id, ${this.month("a.received_at")} as month,
        count(*) filter (where a.answer = 'ok')::int as fine,
        count(*) filter (where a.answer = 'need_contact')::int as contact_requested
      from answers a join members m on m.id = a.member_id and m.organisation_id = a.organisation_id
      where ${this.members("m")} and a.organisation_id = ${this.scope.organisationId}
        and a.received_at >= ${this.start} and a.received_at < ${this.end}
      group by 1, 2`.execute(this.tx);
    return rows;
  }

  async opened() {
    const { rows } = await sql<Keyed & { opened: number; silent_twice: number }>`
      select m.team_id, ${this.month("i.opened_at")} as month, count(*)::int as opened,
        count(*) filter (where i.kind = 'no_answer')::int as silent_twice
      from incidents i join members m on m.id = i.member_id and m.organisation_id = i.organisation_id
      where ${this.members("m")} and i.organisation_id = ${this.scope.organisationId}
        and i.opened_at >= ${this.start} and i.opened_at < ${this.end}
      group by 1, 2`.execute(this.tx);
    return rows;
  }

  /**
   * One row per incident that reached `step` (resolved or acknowledged) in the range:
   * its outcome and how long after its opening (ms).
   */
  async durations(step: "resolved_at" | "acknowledged_at") {
    const at = sql.ref(`i.${step}`);
    const { rows } = await sql<Keyed & { outcome: Outcome | null; ms: number }>`
      select m.team_id, ${this.month(`i.${step}`)} as month, i.outcome,
        (extract(epoch from ${at} - i.opened_at) * 1000)::float8 as ms
      from incidents i join members m on m.id = i.member_id and m.organisation_id = i.organisation_id
      where ${this.members("m")} and i.organisation_id = ${this.scope.organisationId}
        and ${at} >= ${this.start} and ${at} < ${this.end}`.execute(this.tx);
    return rows;
  }

  /** Each broadcast of the range, per team of its recipients: how many it went to and how they answered. */
  async broadcasts() {
    const { rows } = await sql<BroadcastRow>`
      select m.team_id, ${this.month("b.created_at")} as month, b.id, b.created_at, b.text, b.question, b.drill,
        count(*)::int as recipients,
        count(*) filter (where r.answer = 'safe')::int as safe,
        count(*) filter (where r.answer = 'need_help')::int as need_help
      from broadcasts b
        join broadcast_recipients r on r.broadcast_id = b.id and r.organisation_id = b.organisation_id
        join members m on m.id = r.member_id and m.organisation_id = r.organisation_id
      where ${this.members("m")} and b.organisation_id = ${this.scope.organisationId}
        and b.created_at >= ${this.start} and b.created_at < ${this.end}
      group by m.team_id, 2, b.id, b.created_at, b.text, b.question, b.drill`.execute(this.tx);
    return rows;
  }

  /**
   * Incidents a visit settled the member's state of (domain/reports.ts), counted in
   * the month of the first such record: a watcher's 会えた・元気 or 救急要請, or a
   * resolution as visited_fine.
   */
  async confirmedByVisit() {
    const { organisationId } = this.scope;
    const { rows } = await sql<Keyed & { confirmed: number }>`
      with confirmations as (
        select v.incident_id, v.done_at as at from visits v
        where v.organisation_id = ${organisationId} and v.state = 'done' and v.outcome in ('met_fine', 'ambulance_called')
          and v.done_at < ${this.end}
        union all
        select i.id, i.resolved_at from incidents i
        where i.organisation_id = ${organisationId} and i.outcome = 'visited_fine' and i.resolved_at < ${this.end}
      ), firsts as (
        select incident_id, min(at) as at from confirmations group by incident_id
      )
      select m.team_id, ${this.month("f.at")} as month, count(*)::int as confirmed
      from firsts f
        join incidents i on i.id = f.incident_id and i.organisation_id = ${organisationId}
        join members m on m.id = i.member_id and m.organisation_id = i.organisation_id
      where ${this.members("m")} and f.at >= ${this.start}
      group by 1, 2`.execute(this.tx);
    return rows;
  }
}

/**
 * The report as a file (CSV UTF-8 with BOM, CSV Shift_JIS, or xlsx): per month,
 * a row per team and the total's row; headers in `lang`.
 */
export async function reportFile(report: MonthlyReport, format: TableFormat, lang: "ja" | "en"): Promise<Buffer> {
  const rows = report.months.flatMap((m) => [
    ...m.teams.map((t) => reportRow(m.month, t.teamName, t.figures)),
    reportRow(m.month, REPORT_TOTAL[lang], m.total),
  ]);
  return tableFile(lang === "ja" ? "月次報告" : "Monthly report", REPORT_COLUMNS.map((c) => REPORT_HEADERS[lang][c]), rows, format);
}
