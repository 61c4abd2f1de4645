/** Counters the engine keeps for /metrics (Prometheus text format), and the gauges read from the rows. */
import { sql } from "kysely";
import type { Db } from "../store/db.ts";
import type { EscalationBatchResult } from "./escalator.ts";
import type { DispatchResult } from "./scheduler.ts";
import type { SendBatchResult } from "./sender.ts";

export class Metrics {
  checkinsDispatched = 0;
  promptsQueued = 0;
  escalationsRun = 0;
  resendsQueued = 0;
  alertsQueued = 0;
  incidentsOpened = 0;
  messagesSent = 0;
  sendRetries = 0;
  sendFailures = 0;
  undeliverable = 0;
  messagesCancelled = 0;
  answersRecorded = 0;
  inboundApplied = 0;
  engineErrors = 0;
  /** PGlite on disk: the store's fsync count (undefined elsewhere: PostgreSQL flushes on its own). */
  databaseFlushes: (() => number) | undefined;

  recordEscalations(escalated: EscalationBatchResult): void {
    this.escalationsRun += escalated.claimed;
    this.resendsQueued += escalated.resends;
    this.alertsQueued += escalated.alerts;
    this.incidentsOpened += escalated.incidentsOpened;
  }

  recordDispatch(dispatched: DispatchResult): void {
    this.checkinsDispatched += dispatched.claimed;
    this.promptsQueued += dispatched.prompted;
  }

  recordSends(sent: SendBatchResult): void {
    this.messagesSent += sent.sent;
    this.sendRetries += sent.retried;
    this.sendFailures += sent.failed;
    this.undeliverable += sent.undeliverable.length;
    this.messagesCancelled += sent.cancelled;
  }

  counters(): Record<string, [number, string]> {
    return {
      mimamori_checkins_dispatched_total: [this.checkinsDispatched, "Check-ins created by the scheduler"],
      mimamori_prompts_queued_total: [this.promptsQueued, "Prompts written to the outbox"],
      mimamori_escalations_total: [this.escalationsRun, "Escalation steps run on check-ins"],
      mimamori_resends_total: [this.resendsQueued, "Re-sent prompts"],
      mimamori_alerts_total: [this.alertsQueued, "Alerts to teams, contacts and groups"],
      mimamori_incidents_opened_total: [this.incidentsOpened, "No-answer incidents opened"],
      mimamori_messages_sent_total: [this.messagesSent, "Messages a provider accepted"],
      mimamori_send_retries_total: [this.sendRetries, "Sends scheduled for retry"],
      mimamori_send_errors_total: [this.sendFailures, "Sends that failed permanently on a channel"],
      mimamori_undeliverable_total: [this.undeliverable, "Messages no channel of their recipient could deliver (nobody was told)"],
      mimamori_messages_cancelled_total: [this.messagesCancelled, "Queued messages the sender found no longer needed when their turn came (those cancelled by an answer or acknowledgement as it happened are listed at /deliveries/cancelled)"],
      mimamori_answers_total: [this.answersRecorded, "Answers recorded"],
      mimamori_inbound_applied_total: [this.inboundApplied, "Webhook events applied"],
      mimamori_engine_errors_total: [this.engineErrors, "Engine ticks that failed"],
      ...(this.databaseFlushes
        ? { mimamori_database_flushes_total: [this.databaseFlushes(), "fsync calls of the embedded database (one per commit)"] as [number, string] }
        : {}),
    };
  }
}

/** Whether the database answers a query (readiness). */
export async function databaseAnswers(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/** Counts of rows, across organisations, for /metrics; "due" compares with `now` (the Clock's), never the database's. */
export interface Gauges {
  /** Members whose check-in is due and not yet dispatched. */
  due_backlog: number;
  /** Check-ins whose next escalation step is due. */
  escalations_due: number;
  /** Messages waiting to be sent. */
  outbox_depth: number;
  /** Messages that failed on their last channel. */
  outbox_failed: number;
  /** Incidents not yet resolved. */
  open_incidents: number;
}

export async function gauges(db: Db, now: Date): Promise<Gauges> {
  const result = await sql<Gauges>`
    select
      (select count(*)::int from members where active and next_due_at <= ${now}) as due_backlog,
      (select count(*)::int from checkins where next_action_at <= ${now}) as escalations_due,
      (select count(*)::int from outbox where status = 'pending') as outbox_depth,
      (select count(*)::int from outbox where status = 'failed') as outbox_failed,
      (select count(*)::int from incidents where status <> 'resolved') as open_incidents`.execute(db);
  return result.rows[0];
}
