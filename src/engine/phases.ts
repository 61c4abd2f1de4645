/**
 * The deciding loop's phases: each claims one batch of what is due at `now` in
 * its own transaction and says how much it claimed and queued. The engine runs
 * them in the order given, over and over until none finds work (GoAlert's engine
 * modules); a bounded context (the regional network, the resource directory)
 * adds its phases to the list at the composition root, never by editing the loop.
 *
 * Each phase also names its deadline columns: the sandbox clock stops at every
 * instant one of them holds, so a virtual day carries out each phase's work at
 * its own time (sandbox-time.ts).
 */
import { type RawBuilder, sql } from "kysely";
import type { Db } from "../store/db.ts";
import type { Database } from "../store/schema.ts";
import { escalateDue } from "./escalator.ts";
import { followUpAcknowledgements, sendTeamSummaries } from "./follow-ups.ts";
import { groupRoundsDue } from "./groups.ts";
import { expireImports } from "./member-imports.ts";
import { processInbound } from "./inbound.ts";
import type { Metrics } from "./metrics.ts";
import type { InboundHandler } from "./ports.ts";
import { mailMonthlyReports } from "./report-mail.ts";
import { dispatchDue } from "./scheduler.ts";

/** What one batch of a phase did. */
export interface PhaseOutcome {
  /** Rows claimed; 0 means nothing was due and the phase is idle at this instant. */
  claimed: number;
  /** Outbox rows written: the sending workers are nudged. */
  queued: number;
}

/** A timestamp column that holds deadlines, with the condition under which a row's deadline is live. */
export interface Deadline {
  table: keyof Database & string;
  column: string;
  /** Rows outside it are not waiting (an inactive member, a sent message). */
  where?: RawBuilder<unknown>;
}

export interface DecidingPhase {
  /** For logs: which phase failed. */
  name: string;
  /** One batch at `now`, at most `limit` rows, in a transaction of its own. */
  run(db: Db, now: Date, limit: number): Promise<PhaseOutcome>;
  /**
   * Where its work waits: it claims only rows whose deadline here is at or before
   * `now` (and meets `where`), so with none of them due it is idle and the loop
   * passes it by (duePhases). Empty: work that waits on no deadline (answers that
   * arrived); such a phase runs on every turn.
   */
  deadlines: Deadline[];
  /**
   * Work that may wait behind urgent work (the day's prompts, group rounds, summaries,
   * monthly reports): passed over in a turn in which another phase still claimed a full
   * batch, so re-sends and alerts due in the same minute as a million prompts are not
   * queued behind them. It runs again as soon as the urgent backlog is under a batch.
   */
  bulk?: boolean;
}

/** Messages waiting to be sent (first tries, retries, paced slots): the sending workers' deadline. */
export const SENDING_DEADLINE: Deadline = { table: "outbox", column: "next_attempt_at", where: sql`status = 'pending'` };

/** The core's phases in their order: evidence of life first, then what is due. */
export function corePhases(metrics: Metrics, inbound?: Map<string, InboundHandler>): DecidingPhase[] {
  return [
    ...(inbound?.size ? [{
      // Answers that arrived first: evidence of life wins over the escalation due now.
      name: "inbound",
      deadlines: [],
      run: async (db: Db, now: Date, limit: number) => {
        const applied = await processInbound(db, inbound, now, limit);
        metrics.inboundApplied += applied;
        return { claimed: applied, queued: applied };
      },
    }] : []),
    {
      name: "escalate",
      deadlines: [{ table: "checkins", column: "next_action_at" }],
      run: async (db, now, limit) => {
        const r = await escalateDue(db, now, limit);
        metrics.recordEscalations(r);
        return { claimed: r.claimed, queued: r.resends + r.alerts };
      },
    },
    {
      name: "dispatch",
      bulk: true,
      deadlines: [{ table: "members", column: "next_due_at", where: sql`active` }],
      run: async (db, now, limit) => {
        const r = await dispatchDue(db, now, limit);
        metrics.recordDispatch(r);
        return { claimed: r.claimed, queued: r.prompted };
      },
    },
    {
      // Groups (つながり): rounds that are due, then the lists of who has not confirmed.
      name: "groups",
      bulk: true,
      deadlines: [{ table: "groups", column: "next_due_at" }, { table: "group_checkins", column: "list_at" }],
      run: async (db, now, limit) => {
        const r = await groupRoundsDue(db, now, limit);
        return { claimed: r.claimed, queued: r.prompted + r.listed };
      },
    },
    {
      // Acknowledgements without an outcome.
      name: "acknowledgements",
      deadlines: [{ table: "incidents", column: "ack_check_at" }],
      run: async (db, now, limit) => {
        const r = await followUpAcknowledgements(db, now, limit);
        return { claimed: r.claimed, queued: r.queued };
      },
    },
    {
      // Uploaded member lists (personal data) that waited a week without a commit.
      name: "import-retention",
      deadlines: [{ table: "member_imports", column: "expires_at", where: sql`rows is not null` }],
      run: async (db, now, limit) => ({ claimed: await expireImports(db, now, limit), queued: 0 }),
    },
    {
      // The daily summary of what is unresolved.
      name: "summaries",
      bulk: true,
      deadlines: [{ table: "teams", column: "next_summary_at" }],
      run: async (db, now, limit) => {
        const r = await sendTeamSummaries(db, now, limit);
        return { claimed: r.claimed, queued: r.queued };
      },
    },
  ];
}

/**
 * The monthly report by e-mail (engine/report-mail.ts): subscriptions due on the
 * 1st. `publicUrl`: where the service answers, for the mail's link to the console.
 */
export function reportMailPhase(publicUrl: () => string): DecidingPhase {
  return {
    name: "monthly-reports",
    bulk: true,
    deadlines: [{ table: "report_subscriptions", column: "next_send_at" }],
    run: async (db, now, limit) => mailMonthlyReports(db, now, limit, publicUrl),
  };
}

/**
 * The phases with work at `now`, in their order: one round trip that walks each
 * deadline column's index to its first due row, instead of a transaction per idle
 * phase per turn (at 100,000 members the sandbox's minute of dispatch spent more
 * round trips on idle phases than on the prompts). A phase without deadlines is
 * always due.
 */
export async function duePhases(db: Db, phases: DecidingPhase[], now: Date): Promise<DecidingPhase[]> {
  const probed = phases.filter((p) => p.deadlines.length > 0);
  if (probed.length === 0) return phases;
  const probes = probed.map((p, i) => sql`(${dueProbe(p.deadlines, now)}) as ${sql.ref(`p${i}`)}`);
  const row = (await sql<Record<string, boolean>>`select ${sql.join(probes)}`.execute(db)).rows[0] ?? {};
  const idle = new Set(probed.filter((_, i) => !row[`p${i}`]));
  return phases.filter((p) => !idle.has(p));
}

/** Whether any of `deadlines` holds a live deadline at or before `at`: one index walk each, one round trip. */
export async function anyDue(db: Db, deadlines: Deadline[], at: Date): Promise<boolean> {
  if (deadlines.length === 0) return false;
  return !!(await sql<{ due: boolean }>`select ${dueProbe(deadlines, at)} as due`.execute(db)).rows[0]?.due;
}

/**
 * True when one of `deadlines` is at or before `at`. min(), not exists(): the planner
 * answers min() by walking the column's index to its first row, with or without
 * statistics; without them it guessed a third of a table due and answered exists()
 * by reading every row of an idle table.
 */
function dueProbe(deadlines: Deadline[], at: Date): RawBuilder<boolean> {
  return sql<boolean>`(${sql.join(deadlines.map((d) => sql`(select min(${sql.ref(d.column)}) from ${sql.table(d.table)}
    where ${sql.ref(d.column)} <= ${at}${d.where ? sql` and ${d.where}` : sql``}) is not null`), sql` or `)})`;
}

/** The first live deadline after `after` and at or before `until`, over all `deadlines`; null when there is none. */
export async function nextDeadline(db: Db, deadlines: Deadline[], after: Date, until: Date): Promise<Date | null> {
  if (deadlines.length === 0) return null;
  const earliest = deadlines.map((d) => sql`(select min(${sql.ref(d.column)}) from ${sql.table(d.table)}
    where ${sql.ref(d.column)} > ${after} and ${sql.ref(d.column)} <= ${until}${d.where ? sql` and ${d.where}` : sql``})`);
  const row = await sql<{ at: Date | null }>`select least(${sql.join(earliest)}) as at`.execute(db);
  return row.rows[0]?.at ?? null;
}
