/**
 * Follow-ups that keep an incident from being forgotten (issue 8; PagerDuty's
 * acknowledgement timeout and daily reminder):
 *
 * - An acknowledgement is a promise: without an outcome, whoever acknowledged is
 *   reminded after the policy's `ackReminderAfter`; at `ackTimeout` the incident
 *   returns to open, the team is told, and the escalation resumes with the next
 *   contact. An answer from the member stops the timeout (answers.ts).
 * - While any incident of a team stays unresolved, the team gets one summary a day.
 *
 * Both deadlines are rows (`incidents.ack_check_at`, `teams.next_summary_at`),
 * claimed with SKIP LOCKED like every other deadline.
 */
import { sql } from "kysely";
import { nextSummaryAt } from "../domain/incident.ts";
import { ackReminderText, ackTimeoutText, dailySummaryText } from "../domain/messages.ts";
import { ackDeadlines } from "../domain/policy.ts";
import { DEFAULT_TIME_ZONE } from "../domain/schedule.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress } from "../store/schema.ts";
import { addEvents, type IncidentEventRow, incidentEvent } from "./incident-log.ts";
import { dutyChannelsOf, loadTeamDuty, teamAlertRows } from "./on-duty.ts";
import { enqueue, type OutboxRow, outboxRow, recipientChannels } from "./outbox.ts";
import { loadPolicies, policyFor } from "./policies.ts";

export interface FollowUpResult {
  claimed: number;
  /** Messages queued (reminders, timeout notices, summaries). */
  queued: number;
}

/** Reminders and timeouts of acknowledgements whose time has come. */
export async function followUpAcknowledgements(db: Db, now: Date, limit: number): Promise<FollowUpResult> {
  return inTransaction(db, async (tx) => {
    const due = await tx.selectFrom("incidents").innerJoin("members", "members.id", "incidents.member_id")
      .select(["incidents.id", "incidents.organisation_id", "incidents.status", "incidents.acknowledged_at", "incidents.acknowledged_by",
        "incidents.acknowledged_by_kind", "incidents.acknowledged_by_id", "incidents.ack_reminded_at",
        "members.id as member_id", "members.team_id", "members.display_name", "members.channels", "members.plan"])
      .where("incidents.ack_check_at", "<=", now).orderBy("incidents.ack_check_at").limit(limit)
      .forUpdate("incidents").skipLocked().execute();
    if (due.length === 0) return { claimed: 0, queued: 0 };
    const policies = await loadPolicies(tx, due.map((d) => d.team_id));
    const outbox: OutboxRow[] = [];
    const events: IncidentEventRow[] = [];
    for (const incident of due) {
      if (incident.status !== "acknowledged" || !incident.acknowledged_at) {
        await tx.updateTable("incidents").set({ ack_check_at: null }).where("id", "=", incident.id).execute();
        continue;
      }
      const ackedAt = incident.acknowledged_at;
      const zone = incident.plan.timeZone;
      const { timeoutAt } = ackDeadlines(policyFor(policies(incident.team_id), incident.channels as ChannelAddress[]), ackedAt);
      const base = { organisationId: incident.organisation_id, incidentId: incident.id, dueAt: now, now };
      const payload = { incidentId: incident.id, memberId: incident.member_id };
      if (!incident.ack_reminded_at && now.getTime() < timeoutAt.getTime()) {
        const recipient = incident.acknowledged_by_kind && incident.acknowledged_by_id
          ? { kind: incident.acknowledged_by_kind as "contact" | "team" | "person", id: incident.acknowledged_by_id }
          : { kind: "team" as const, id: incident.team_id };
        const row = outboxRow({
          ...base, key: `ack_reminder:${incident.id}:${ackedAt.toISOString()}`, recipient,
          // A person who took it on from an on-duty alert is reminded on their first alert channel.
          channels: recipient.kind === "person" ? await dutyChannelsOf(tx, recipient.id) : await recipientChannels(tx, recipient.kind, recipient.id),
          messageKind: "ack_reminder",
          text: ackReminderText(incident.display_name, ackedAt, zone), payload,
        });
        outbox.push(row);
        events.push(incidentEvent(incident.organisation_id, incident.id, now, "ack_reminded", { recipient, channel: row.channel_kind }));
        await tx.updateTable("incidents").set({ ack_reminded_at: now, ack_check_at: timeoutAt }).where("id", "=", incident.id).execute();
        continue;
      }
      // The promise ran out: back to open, the team is told, the escalation resumes.
      await tx.updateTable("incidents").set({
        status: "open", acknowledged_at: null, acknowledged_by: null, acknowledged_via: null, acknowledged_by_kind: null,
        acknowledged_by_id: null, ack_check_at: null, ack_reminded_at: null,
      }).where("id", "=", incident.id).execute();
      const resumed = await tx.updateTable("checkins").set({ next_action_at: now }).where("incident_id", "=", incident.id)
        .where("status", "=", "open").returning("id").execute();
      // The team's addresses and its on-duty people (engine/on-duty.ts).
      const fanout = teamAlertRows({
        organisationId: incident.organisation_id, key: `ack_timeout:${incident.id}:${ackedAt.toISOString()}`, teamId: incident.team_id,
        incidentId: incident.id, messageKind: "ack_timeout", text: ackTimeoutText(incident.display_name, incident.acknowledged_by ?? "", ackedAt, zone),
        payload, dueAt: now, now,
      }, await recipientChannels(tx, "team", incident.team_id), (await loadTeamDuty(tx, [incident.team_id])).get(incident.team_id));
      outbox.push(...fanout.rows);
      events.push(incidentEvent(incident.organisation_id, incident.id, now, "ack_timed_out", {
        acknowledgedBy: incident.acknowledged_by, acknowledgedAt: ackedAt.toISOString(), escalationResumed: resumed.length > 0,
      }));
      events.push(...fanout.events);
    }
    await enqueue(tx, outbox);
    await addEvents(tx, events);
    return { claimed: due.length, queued: outbox.length };
  });
}

/** The daily summary to each team with unresolved incidents; a team with none left stops getting them. */
export async function sendTeamSummaries(db: Db, now: Date, limit: number): Promise<FollowUpResult> {
  return inTransaction(db, async (tx) => {
    const teams = await tx.selectFrom("teams").select(["id", "organisation_id", "channels"])
      .where("next_summary_at", "<=", now).orderBy("next_summary_at").limit(limit).forUpdate().skipLocked().execute();
    if (teams.length === 0) return { claimed: 0, queued: 0 };
    const open = await tx.selectFrom("incidents").innerJoin("members", "members.id", "incidents.member_id")
      .select(["members.team_id", "members.display_name", "incidents.opened_at", "incidents.status"])
      .where("members.team_id", "in", teams.map((t) => t.id)).where("incidents.status", "<>", "resolved")
      .orderBy("incidents.opened_at").execute();
    const outbox: OutboxRow[] = [];
    const next: (Date | null)[] = [];
    const duty = await loadTeamDuty(tx, teams.map((t) => t.id));
    for (const team of teams) {
      const mine = open.filter((i) => i.team_id === team.id);
      next.push(mine.length ? nextSummaryAt(now, DEFAULT_TIME_ZONE) : null);
      if (mine.length === 0) continue;
      // The team's addresses and its on-duty people (engine/on-duty.ts).
      outbox.push(...teamAlertRows({
        organisationId: team.organisation_id, key: `daily_summary:${team.id}:${now.toISOString()}`, teamId: team.id, messageKind: "daily_summary",
        text: dailySummaryText(mine.map((i) => ({ displayName: i.display_name, openedAt: i.opened_at, status: i.status })), DEFAULT_TIME_ZONE),
        payload: { teamId: team.id, unresolved: mine.length }, dueAt: now, now,
      }, team.channels as ChannelAddress[], duty.get(team.id)).rows);
    }
    await enqueue(tx, outbox);
    await sql`update teams set next_summary_at = v.at
      from (select unnest(${teams.map((t) => t.id)}::uuid[]) as id, unnest(${next}::timestamptz[]) as at) v
      where teams.id = v.id`.execute(tx);
    return { claimed: teams.length, queued: outbox.length };
  });
}
