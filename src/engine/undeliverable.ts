/**
 * What happens when nobody could be reached (issue 8: "a screen is not a delivery").
 *
 * - A recipient whose last channel failed is a failed delivery: on the incident's
 *   timeline, in GET /deliveries/failed, counted and logged by the engine.
 * - An alert that reached nobody moves on to the next recipient of the policy at
 *   once: the escalation's next step is pulled forward to now.
 * - A prompt that no channel could deliver leaves the member unwatched: a
 *   `member_unreachable` incident opens for the team at once (one open per
 *   member), and the check-in's chain runs from now, as if they had been asked.
 * - Each channel's health is kept per organisation; credentials a provider
 *   refuses are raised to the team as an operator alert, at most once an hour.
 */
import { type RawBuilder, sql } from "kysely";
import type { DeliveryErrorCode, DeliveryResult } from "./ports.ts";
import { memberUnreachableText, operatorAlertText } from "../domain/messages.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress } from "../store/schema.ts";
import { addEvents, incidentEvent, lockMember, openIncident, unresolvedIncidentOf } from "./incident-log.ts";
import { loadTeamDuty, teamAlertRows } from "./on-duty.ts";
import { enqueue, outboxRow } from "./outbox.ts";

/** How often, at most, the team hears that a provider refuses the organisation's credentials. */
export const OPERATOR_ALERT_INTERVAL_MS = 3_600_000;

/** The outbox columns this module reads of a row that failed for good. */
export interface FailedMessage {
  organisation_id: string;
  recipient_kind: string;
  recipient_id: string;
  channel_kind: string;
  message_kind: string;
  checkin_id: string | null;
  incident_id: string | null;
  due_at: Date;
  /** `fanout`: the team alert this row is one recipient of (engine/on-duty.ts); `personName` for a person's row. */
  payload?: Record<string, unknown>;
}

/**
 * The member's check-ins whose prompt (or re-send) was accepted, or could not be
 * delivered at all: the member counts as asked now, and waiting chains start
 * (next step = now + the delay they were waiting with). The first ask is kept;
 * a check-in closed meanwhile is left as it is. `checkinIds` without repeats.
 *
 * Found by key, with no condition on `status` in the WHERE clause: without column
 * statistics the planner takes `status = 'open'` for 0.5 % of the rows while a whole
 * town's check-ins are open, and joined each batch against every open check-in
 * (~65 ms a batch at 100,000 members, and far worse with index walks preferred;
 * bench 2026-12-02). The open check is made row by row in the SET list instead.
 */
export async function markAsked(tx: Db, checkinIds: string[], now: Date): Promise<void> {
  if (checkinIds.length === 0) return;
  await askedUpdate(checkinIds, now).execute(tx);
}

/** markAsked's statement (test/store/planner.test.ts reads its plan). */
export function askedUpdate(checkinIds: string[], now: Date): RawBuilder<unknown> {
  return sql`update checkins set
      asked_at = case when status = 'open' then coalesce(asked_at, ${now}) else asked_at end,
      next_action_at = case when status = 'open' and after_asked_ms is not null
                            then ${now}::timestamptz + after_asked_ms * interval '1 millisecond' else next_action_at end,
      after_asked_ms = case when status = 'open' then null else after_asked_ms end
    from (select unnest(${checkinIds}::uuid[]) as id) v
    where checkins.id = v.id`;
}

/** The default team of an organisation: where operator alerts go. */
async function defaultTeam(tx: Db, organisationId: string) {
  return tx.selectFrom("teams").select(["id", "channels"]).where("organisation_id", "=", organisationId)
    .where("is_default", "=", true).executeTakeFirst();
}

/**
 * A recipient's last channel failed: record it where people look, and keep the
 * member watched. Runs in the caller's transaction (the row is already marked failed).
 */
export async function undeliverable(tx: Db, row: FailedMessage, error: string, now: Date, code: DeliveryErrorCode | null = null): Promise<void> {
  const personName = typeof row.payload?.personName === "string" ? row.payload.personName : undefined;
  if (row.incident_id) {
    await tx.insertInto("incident_events").values(incidentEvent(row.organisation_id, row.incident_id, now, "delivery_failed", {
      recipient: { kind: row.recipient_kind, id: row.recipient_id, ...(personName ? { displayName: personName } : {}) },
      channel: row.channel_kind, kind: row.message_kind, error,
      // The code says why in words on the console (ports.ts DeliveryErrorCode); the error text is the provider's own.
      ...(row.payload?.nobodyOnDuty === true ? { code: "nobody_on_duty" } : code ? { code } : {}),
    })).execute();
  }
  if (row.message_kind === "alert" && row.incident_id && !(await othersStillTold(tx, row))) await moveOn(tx, row.incident_id, now);
  if ((row.message_kind === "prompt" || row.message_kind === "resend") && row.checkin_id && row.recipient_kind === "member") {
    await memberUnreachable(tx, row, error, now);
  }
}

/**
 * Whether another recipient of the same team alert (the team's address, an
 * on-duty person's channel) was reached or may still be: then this failure does
 * not move the escalation on. Rows of one alert share `payload.fanout`.
 */
async function othersStillTold(tx: Db, row: FailedMessage): Promise<boolean> {
  const fanout = row.payload?.fanout;
  if (typeof fanout !== "string" || !row.incident_id) return false;
  const other = await tx.selectFrom("outbox").select("id").where("incident_id", "=", row.incident_id)
    .where("status", "in", ["pending", "sent"]).where(sql<boolean>`payload->>'fanout' = ${fanout}`).limit(1).executeTakeFirst();
  return !!other;
}

/** Nobody was reached by this alert: the escalation's next step runs now, unless someone already took the incident on. */
async function moveOn(tx: Db, incidentId: string, now: Date): Promise<void> {
  const incident = await tx.selectFrom("incidents").select("status").where("id", "=", incidentId).executeTakeFirst();
  if (incident?.status !== "open") return;
  await tx.updateTable("checkins").set({ next_action_at: now }).where("incident_id", "=", incidentId)
    .where("status", "=", "open").where("next_action_at", ">", now).execute();
}

async function memberUnreachable(tx: Db, row: FailedMessage, error: string, now: Date): Promise<void> {
  const checkinId = row.checkin_id as string;
  await markAsked(tx, [checkinId], now);
  const member = await tx.selectFrom("members").select(["id", "team_id", "display_name", "plan", "active"])
    .where("id", "=", row.recipient_id).executeTakeFirst();
  if (!member?.active) return;
  await lockMember(tx, row.organisation_id, member.id);
  // One incident per person (domain/concerns.ts): unreachable again, or unreachable about a member whose incident is open.
  const open = await unresolvedIncidentOf(tx, row.organisation_id, member.id);
  if (open) {
    await tx.insertInto("incident_events").values(incidentEvent(row.organisation_id, open.id, now, "unreachable_again", { checkinId, error }))
      .execute();
    if (open.kind !== "member_unreachable") {
      await tx.updateTable("checkins").set({ incident_id: open.id }).where("id", "=", checkinId).where("incident_id", "is", null).execute();
    }
    return;
  }
  const incidentId = await openIncident(tx, {
    organisationId: row.organisation_id, memberId: member.id, checkinId, kind: "member_unreachable", at: now, data: { error },
  });
  // The check-in's chain continues on this incident: one incident per person.
  await tx.updateTable("checkins").set({ incident_id: incidentId }).where("id", "=", checkinId).where("incident_id", "is", null).execute();
  const team = await tx.selectFrom("teams").select("channels").where("id", "=", member.team_id).executeTakeFirstOrThrow();
  // The team's addresses and its on-duty people (engine/on-duty.ts).
  const fanout = teamAlertRows({
    organisationId: row.organisation_id, key: `unreachable:${incidentId}`, teamId: member.team_id, incidentId,
    messageKind: "member_unreachable", text: memberUnreachableText(member.display_name, row.due_at, member.plan.timeZone, error.slice(0, 200)),
    payload: { incidentId, memberId: member.id }, dueAt: now, now,
  }, team.channels as ChannelAddress[], (await loadTeamDuty(tx, [member.team_id])).get(member.team_id));
  await enqueue(tx, fanout.rows);
  await addEvents(tx, fanout.events);
}

type Outcome = { row: { organisation_id: string; channel_kind: string }; outcome: DeliveryResult };

/**
 * Keep each (organisation, channel kind)'s last success and last failure, one
 * row each per batch. A provider that refuses our credentials is raised to the
 * organisation's default team as an operator alert, at most once an hour; a
 * later success clears the refusal.
 */
export async function recordChannelHealth(db: Db, outcomes: Outcome[], now: Date): Promise<void> {
  const byKey = new Map<string, { organisationId: string; kind: string; ok: boolean; failure?: { code: DeliveryErrorCode | null; error: string } }>();
  for (const { row, outcome } of outcomes) {
    if (row.channel_kind === "console" || outcome.status === "retry") continue;
    const key = `${row.organisation_id}|${row.channel_kind}`;
    const entry = byKey.get(key) ?? { organisationId: row.organisation_id, kind: row.channel_kind, ok: false };
    if (outcome.status === "sent") entry.ok = true;
    else if (!entry.failure || outcome.code === "credentials_refused") entry.failure = { code: outcome.code ?? null, error: outcome.error };
    byKey.set(key, entry);
  }
  for (const h of byKey.values()) {
    const refused = h.failure?.code === "credentials_refused";
    await inTransaction(db, async (tx) => {
      const current = await tx.insertInto("channel_health").values({
        organisation_id: h.organisationId, kind: h.kind, last_success_at: h.ok ? now : null,
        last_failure_at: h.failure ? now : null, last_error_code: h.failure?.code ?? null, last_error: h.failure?.error ?? null,
        credentials_refused_at: refused ? now : null, operator_alerted_at: null,
      }).onConflict((oc) => oc.columns(["organisation_id", "kind"]).doUpdateSet((eb) => ({
        last_success_at: h.ok ? now : eb.ref("channel_health.last_success_at"),
        last_failure_at: h.failure ? now : eb.ref("channel_health.last_failure_at"),
        last_error_code: h.failure ? (h.failure.code ?? null) : eb.ref("channel_health.last_error_code"),
        last_error: h.failure ? h.failure.error : eb.ref("channel_health.last_error"),
        credentials_refused_at: refused ? now : h.ok ? null : eb.ref("channel_health.credentials_refused_at"),
      }))).returning(["operator_alerted_at"]).executeTakeFirstOrThrow();
      if (!refused) return;
      const last = current.operator_alerted_at;
      if (last && now.getTime() - last.getTime() < OPERATOR_ALERT_INTERVAL_MS) return;
      await tx.updateTable("channel_health").set({ operator_alerted_at: now })
        .where("organisation_id", "=", h.organisationId).where("kind", "=", h.kind).execute();
      const team = await defaultTeam(tx, h.organisationId);
      if (!team) return;
      await enqueue(tx, [outboxRow({
        organisationId: h.organisationId, key: `operator_alert:${h.kind}:credentials_refused:${now.toISOString()}`,
        recipient: { kind: "team", id: team.id }, channels: (team.channels as ChannelAddress[]).filter((c) => c.kind !== h.kind),
        messageKind: "operator_alert", text: operatorAlertText(h.kind, (h.failure?.error ?? "").slice(0, 200)),
        payload: { channelKind: h.kind, code: "credentials_refused" }, dueAt: now, now,
      })]);
    });
  }
}

export interface ChannelHealthView {
  kind: string;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  lastErrorCode: string | null;
  lastError: string | null;
  credentialsRefusedAt: string | null;
}

/** The recorded health of the organisation's channel kinds among `kinds` (those never used are absent). */
export async function channelHealth(db: Db, organisationId: string, kinds: string[]): Promise<ChannelHealthView[]> {
  const rows = await db.selectFrom("channel_health").selectAll().where("organisation_id", "=", organisationId)
    .where("kind", "in", kinds).orderBy("kind").execute();
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return rows.map((r) => ({
    kind: r.kind, lastSuccessAt: iso(r.last_success_at), lastFailureAt: iso(r.last_failure_at),
    lastErrorCode: r.last_error_code, lastError: r.last_error, credentialsRefusedAt: iso(r.credentials_refused_at),
  }));
}
