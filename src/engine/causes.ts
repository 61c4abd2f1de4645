/**
 * Queued messages whose cause is gone: checked when a sender claims them, and
 * cancelled by the transaction that closes a cause. The rule for each kind is
 * `stillNeeded` in domain/causes.ts; this module loads the facts it needs for a
 * whole batch (a query per kind of fact present, never per row) and writes the
 * cancellations, with an event on the incident's timeline where there is one.
 * A bounded context whose kinds have causes in its own tables (the regional
 * network's silent devices) registers a check at the composition root
 * (`addCauseCheck`); the core never imports a context.
 */
import { type RawBuilder, sql } from "kysely";
import { type CancelReason, type CauseFacts, stillNeeded } from "../domain/causes.ts";
import type { MessageKind } from "../domain/messages.ts";
import { isPausedAt } from "../domain/schedule.ts";
import { anyUuid, type Db } from "../store/db.ts";
import { addEvents, incidentEvent } from "./incident-log.ts";
import { DUTY_ROLES } from "./on-duty.ts";
import type { RecipientKind } from "./outbox.ts";

/** The columns of an outbox row that say what caused it. */
export interface QueuedRow {
  id: string;
  organisation_id: string;
  recipient_kind: RecipientKind;
  recipient_id: string;
  message_kind: MessageKind;
  checkin_id: string | null;
  incident_id: string | null;
  payload: Record<string, unknown>;
  created_at: Date;
}

export interface Cancelled {
  row: QueuedRow;
  reason: CancelReason;
}

/**
 * A context's check of its own kinds' causes, run once per claimed batch on the
 * batch's rows of `kinds` (a query per batch, never per row), inside the claim's
 * transaction, before the kind's rule in domain/causes.ts.
 */
export interface CauseCheck {
  /** Registering the same name again replaces the check. */
  name: string;
  kinds: readonly MessageKind[];
  /** Row id → why the row's cause is gone; rows not named still have theirs. */
  gone(tx: Db, rows: QueuedRow[], now: Date): Promise<Map<string, CancelReason>>;
}

const causeChecks = new Map<string, CauseCheck>();

/** Plug a context's check of its kinds' causes into every claim (the composition root calls it once). */
export function addCauseCheck(check: CauseCheck): void {
  causeChecks.set(check.name, check);
}

/** What the registered checks found gone in this batch: row id → reason. */
async function contextCausesGone(tx: Db, rows: QueuedRow[], now: Date): Promise<Map<string, CancelReason>> {
  const gone = new Map<string, CancelReason>();
  for (const check of causeChecks.values()) {
    const mine = rows.filter((r) => check.kinds.includes(r.message_kind));
    if (mine.length === 0) continue;
    for (const [id, reason] of await check.gone(tx, mine, now)) gone.set(id, reason);
  }
  return gone;
}

/** The rows of `ids` by id, loaded only when there are any. */
async function byId<R extends { id: string }>(ids: string[], load: (ids: string[]) => Promise<R[]>): Promise<Map<string, R>> {
  return new Map(ids.length ? (await load(ids)).map((r) => [r.id, r]) : []);
}

/** The member a message is to or about. */
function memberOf(row: QueuedRow): string | undefined {
  if (row.recipient_kind === "member") return row.recipient_id;
  const memberId = row.payload.memberId;
  return typeof memberId === "string" ? memberId : undefined;
}

/** The person's channel a message sent because they are on duty was queued for (engine/on-duty.ts); undefined for any other. */
function dutyChannelOf(row: QueuedRow): string | undefined {
  if (row.recipient_kind !== "person" || row.payload.onDuty !== true) return undefined;
  return typeof row.payload.channelId === "string" ? row.payload.channelId : undefined;
}

/** Whether a visit is still offered to this person (a deleted visit is not). */
function visitOffered(visit: { state: string; watcher_id: string | null } | undefined, personId: string): boolean {
  return visit?.state === "offered" && visit.watcher_id === personId;
}

/** Split a claimed batch into the rows still needed and those to cancel (with the reason). */
export async function checkCauses<T extends QueuedRow>(tx: Db, rows: T[], now: Date): Promise<{ needed: T[]; cancelled: Cancelled[] }> {
  if (rows.length === 0) return { needed: [], cancelled: [] };
  const ids = (pick: (r: T) => string | null | undefined) => [...new Set(rows.map(pick).filter((x): x is string => !!x))];
  const of = (kind: RecipientKind) => ids((r) => (r.recipient_kind === kind ? r.recipient_id : null));
  const checkinIds = ids((r) => r.checkin_id);
  const incidentIds = ids((r) => r.incident_id);
  const memberIds = ids(memberOf);
  const dutyChannelIds = ids(dutyChannelOf);
  const visitIds = ids((r) => (r.message_kind === "visit_offer" && typeof r.payload.visitId === "string" ? r.payload.visitId : null));
  const [causesGone, checkins, incidents, members, contacts, teams, groups, people, dutyChannels, visits, subscriptions] = await Promise.all([
    contextCausesGone(tx, rows, now),
    byId(checkinIds, (ids) => tx.selectFrom("checkins").select(["id", "status"]).where("id", "=", anyUuid(ids)).execute()),
    byId(incidentIds, (ids) => tx.selectFrom("incidents").select(["id", "status", "member_answered_at"]).where("id", "=", anyUuid(ids)).execute()),
    byId(memberIds, (ids) => tx.selectFrom("members").select(["id", "active", "pause", "plan"]).where("id", "=", anyUuid(ids)).execute()),
    byId(of("contact"), (ids) => tx.selectFrom("contacts").select(["id", "confirmed_at"]).where("id", "=", anyUuid(ids)).execute()),
    byId(of("team"), (ids) => tx.selectFrom("teams").select(["id"]).where("id", "=", anyUuid(ids)).execute()),
    byId(of("group"), (ids) => tx.selectFrom("groups").select(["id", "status"]).where("id", "=", anyUuid(ids)).execute()),
    // A deactivated person is gone for messages: nothing more is sent to them.
    byId(of("person"), (ids) => tx.selectFrom("people").select(["id", "on_duty", "role"]).where("id", "=", anyUuid(ids)).where("deactivated_at", "is", null).execute()),
    byId(dutyChannelIds, (ids) => tx.selectFrom("person_channels").select(["id"]).where("id", "=", anyUuid(ids)).execute()),
    byId(visitIds, (ids) => tx.selectFrom("visits").select(["id", "state", "watcher_id"]).where("id", "=", anyUuid(ids)).execute()),
    // A subscription to the monthly report is gone when removed, or when its person is deactivated (or deleted: cascade).
    byId(of("report_subscription"), (ids) => tx.selectFrom("report_subscriptions as s")
      .leftJoin("people as p", (j) => j.onRef("p.id", "=", "s.person_id").onRef("p.organisation_id", "=", "s.organisation_id"))
      .select(["s.id"]).where("s.id", "=", anyUuid(ids)).where((eb) => eb.or([eb("s.person_id", "is", null), eb("p.deactivated_at", "is", null)]))
      .execute()),
  ]);

  const needed: T[] = [];
  const cancelled: Cancelled[] = [];
  for (const row of rows) {
    const memberId = memberOf(row);
    const member = memberId ? members.get(memberId) : undefined;
    const recipients: Partial<Record<string, Map<string, unknown>>> = {
      member: members, contact: contacts, team: teams, group: groups, person: people, report_subscription: subscriptions,
    };
    const facts: CauseFacts = {
      recipientExists: recipients[row.recipient_kind]?.has(row.recipient_id) ?? true,
      // A check-in or incident deleted meanwhile counts as closed.
      ...(row.checkin_id ? { checkinStatus: checkins.get(row.checkin_id)?.status ?? "resolved" } : {}),
      ...(row.incident_id ? {
        incidentStatus: incidents.get(row.incident_id)?.status ?? "resolved",
        memberAnsweredSinceQueued: (incidents.get(row.incident_id)?.member_answered_at ?? 0) > row.created_at,
      } : {}),
      ...(member ? {
        member: {
          active: member.active,
          paused: isPausedAt(member.pause, now, member.plan.timeZone),
        },
      } : {}),
      ...(row.recipient_kind === "contact" ? { contactConfirmed: !!contacts.get(row.recipient_id)?.confirmed_at } : {}),
      ...(row.recipient_kind === "group" ? { groupActive: groups.get(row.recipient_id)?.status === "active" } : {}),
      ...(row.message_kind === "visit_offer" ? { visitOfferedToRecipient: visitOffered(visits.get(String(row.payload.visitId)), row.recipient_id) } : {}),
      ...(dutyChannelOf(row) ? {
        onDutyStill: !!people.get(row.recipient_id)?.on_duty && DUTY_ROLES.some((r) => r === people.get(row.recipient_id)?.role),
        dutyChannelExists: dutyChannels.has(dutyChannelOf(row) as string),
      } : {}),
      ...(causesGone.has(row.id) ? { causeGone: causesGone.get(row.id) } : {}),
    };
    const need = stillNeeded(row.message_kind, facts);
    if (need.needed) needed.push(row);
    else cancelled.push({ row, reason: need.reason });
  }
  return { needed, cancelled };
}

/** Mark rows cancelled with their reasons; messages about an incident say so on its timeline. */
export async function writeCancellations(tx: Db, cancelled: Cancelled[], now: Date): Promise<void> {
  if (cancelled.length === 0) return;
  await cancellationUpdate(cancelled.map((c) => c.row.id), cancelled.map((c) => c.reason)).execute(tx);
  await addEvents(tx, cancelled.filter((c) => c.row.incident_id).map((c) => incidentEvent(
    c.row.organisation_id, c.row.incident_id as string, now, "message_cancelled",
    { recipient: { kind: c.row.recipient_kind, id: c.row.recipient_id }, kind: c.row.message_kind, reason: c.reason },
  )));
}

/**
 * Cancel outbox rows by key (`reasons[i]` for `ids[i]`); a row no longer pending
 * (sent, failed) is left as it is. The pending check is made row by row in the SET
 * list, not in the WHERE clause, where the planner would walk the partial indexes
 * of pending rows, believed few without statistics (engine/undeliverable.ts markAsked).
 */
export function cancellationUpdate(ids: string[], reasons: CancelReason[]): RawBuilder<unknown> {
  return sql`update outbox set
      status = case when outbox.status = 'pending' then 'cancelled' else outbox.status end,
      cancel_reason = case when outbox.status = 'pending' then v.reason else outbox.cancel_reason end,
      locked_until = case when outbox.status = 'pending' then null else outbox.locked_until end
    from (select unnest(${ids}::uuid[]) as id, unnest(${reasons}::text[]) as reason) v
    where outbox.id = v.id`;
}

/** What a closing transaction made unnecessary: queued messages of these kinds for these check-ins or incidents. */
export interface CancelScope {
  checkinIds?: string[];
  incidentIds?: string[];
  /** Messages to this recipient (a removed contact, a confirmed one). */
  recipient?: { kind: RecipientKind; id: string };
  kinds: MessageKind[];
}

/**
 * Cancel the pending messages a closed cause made unnecessary, inside the
 * closing transaction (an answer, an acknowledgement, a pause…). Rows a sender
 * holds right now are cancelled too; the sender checks again before a paced
 * send, and a message already with the provider is recorded as sent.
 */
export async function cancelQueued(tx: Db, scope: CancelScope, reason: CancelReason, now: Date): Promise<number> {
  const { checkinIds = [], incidentIds = [], recipient } = scope;
  if (!checkinIds.length && !incidentIds.length && !recipient) return 0;
  let q = tx.selectFrom("outbox")
    .select(["id", "organisation_id", "recipient_kind", "recipient_id", "message_kind", "checkin_id", "incident_id", "payload", "created_at"])
    .where("status", "=", "pending").where("message_kind", "in", scope.kinds);
  if (checkinIds.length) q = q.where("checkin_id", "=", anyUuid(checkinIds));
  if (incidentIds.length) q = q.where("incident_id", "=", anyUuid(incidentIds));
  if (recipient) q = q.where("recipient_kind", "=", recipient.kind).where("recipient_id", "=", recipient.id);
  const rows = await q.forUpdate().execute();
  await writeCancellations(tx, rows.map((row) => ({ row, reason })), now);
  return rows.length;
}
