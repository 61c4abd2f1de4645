/**
 * Broadcasts and disaster checks: creating one (recipients and their outbox rows
 * in one transaction), recording answers to its question, and reading delivery
 * and answer counts back.
 *
 * - A broadcast reaches the active members of its audience (all, a team, a
 *   group; paused members too: a disaster does not wait for the end of a trip).
 *   Each recipient gets one outbox row on their primary channel with the key
 *   `broadcast:<id>:<memberId>`; the sender's fail-over adds `#n` to that key, so
 *   a recipient's delivery state is read from the rows with those keys.
 * - Rows go in with multi-row inserts of at most 1,000 rows, so 100,000
 *   recipients cost two hundred statements in one commit.
 * - Answers: see domain/broadcasts.ts. An answer locks the member's row, so two
 *   answers for one member (a tap and a phone call at once) are applied one after
 *   the other and never open two help-requested incidents.
 */
import { type Selectable, sql } from "kysely";
import type { AnswerSource } from "../domain/answers.ts";
import {
  type Audience, type BroadcastAnswer, broadcastText, type DeliveryState, helpRequestedText, planBroadcastAnswer, safeAfterHelpText,
} from "../domain/broadcasts.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";
import { recordAnswersIn } from "./answers.ts";
import { addEvents, type IncidentEventRow, incidentEvent, openIncident } from "./incident-log.ts";
import { MissingReference } from "./members.ts";
import { loadTeamDuty, teamAlertRows } from "./on-duty.ts";
import { enqueue, type OutboxRow, outboxRow } from "./outbox.ts";

/** Rows per INSERT statement. */
const CHUNK = 1000;
/** Fail-over keys `<key>#1` … `<key>#9` (a member has at most five channels). */
const FAILOVER_SUFFIXES = Array.from({ length: 9 }, (_, i) => `#${i + 1}`);

export function broadcastKey(broadcastId: string, memberId: string): string {
  return `broadcast:${broadcastId}:${memberId}`;
}

/** The audience has no active member: nothing would be sent. */
export class EmptyAudience extends Error {}

export interface BroadcastInput {
  organisationId: string;
  audience: Audience;
  text: string;
  question: boolean;
  /** Who sent it (the API token, for the record). */
  createdBy: string;
}

/** Create a broadcast, its recipients and one outbox row per recipient, all or nothing. */
export async function createBroadcast(db: Db, input: BroadcastInput, now: Date): Promise<{ id: string; recipients: number }> {
  return inTransaction(db, async (tx) => {
    const { organisationId, audience } = input;
    if (audience.kind !== "all") {
      const table = audience.kind === "team" ? "teams" : "groups";
      const found = await tx.selectFrom(table).select("id").where("id", "=", audience.id)
        .where("organisation_id", "=", organisationId).executeTakeFirst();
      if (!found) throw new MissingReference("audience.id", `no such ${audience.kind} in this organisation`);
    }
    let q = tx.selectFrom("members").select(["members.id", "members.channels"])
      .where("members.organisation_id", "=", organisationId).where("members.active", "=", true);
    if (audience.kind === "team") q = q.where("members.team_id", "=", audience.id);
    if (audience.kind === "group") {
      q = q.innerJoin("group_members", "group_members.member_id", "members.id").where("group_members.group_id", "=", audience.id);
    }
    const members = await q.orderBy("members.id").execute();
    if (members.length === 0) throw new EmptyAudience(`the ${audience.kind === "all" ? "organisation" : audience.kind} has no active members`);

    const id = newId();
    await tx.insertInto("broadcasts").values({
      id, organisation_id: organisationId, audience_kind: audience.kind, audience_id: audience.kind === "all" ? null : audience.id,
      text: input.text, question: input.question, recipient_count: members.length, created_by: input.createdBy, created_at: now,
    }).execute();
    const text = broadcastText(input.text, input.question);
    const payload = { broadcastId: id, question: input.question };
    for (let i = 0; i < members.length; i += CHUNK) {
      const chunk = members.slice(i, i + CHUNK);
      const rows = chunk.map((m) => outboxRow({
        organisationId, key: broadcastKey(id, m.id), recipient: { kind: "member", id: m.id }, channels: m.channels as ChannelAddress[],
        messageKind: "broadcast", text, payload, dueAt: now, now,
      }));
      await insertChunk(tx, id, rows);
    }
    return { id, recipients: members.length };
  });
}

/**
 * One chunk of recipients and their outbox rows, each in one multi-row INSERT.
 * The rows go as one array per column (UNNEST) rather than one parameter per
 * value: a thousand rows bind a handful of parameters instead of twenty
 * thousand, and the text and payload, the same for every recipient, go once.
 */
async function insertChunk(tx: Db, broadcastId: string, rows: OutboxRow[]): Promise<void> {
  const [first] = rows;
  const column = <K extends keyof OutboxRow>(k: K) => rows.map((r) => r[k]);
  await sql`
    insert into broadcast_recipients (broadcast_id, member_id, organisation_id, outbox_key)
    select ${broadcastId}::uuid, r.member_id, ${first.organisation_id}::uuid, r.outbox_key
    from unnest(${column("recipient_id")}::uuid[], ${column("idempotency_key")}::text[]) as r(member_id, outbox_key)`.execute(tx);
  await sql`
    insert into outbox (id, organisation_id, idempotency_key, recipient_kind, recipient_id, channel_index, channel_kind, address,
                        message_kind, text, payload, checkin_id, incident_id, due_at, status, attempts, next_attempt_at, created_at)
    select r.id, ${first.organisation_id}::uuid, r.key, ${first.recipient_kind}, r.recipient_id, r.channel_index, r.channel_kind, r.address,
           ${first.message_kind}, ${first.text}, ${first.payload}::jsonb, null, null, ${first.due_at}::timestamptz, ${first.status}, 0,
           ${first.next_attempt_at}::timestamptz, ${first.created_at}::timestamptz
    from unnest(${column("id")}::uuid[], ${column("idempotency_key")}::text[], ${column("recipient_id")}::text[],
                ${column("channel_index")}::int[], ${column("channel_kind")}::text[], ${column("address")}::text[])
      as r(id, key, recipient_id, channel_index, channel_kind, address)
    on conflict (idempotency_key, organisation_id) do nothing`.execute(tx);
}

export interface BroadcastAnswerInput {
  organisationId: string;
  broadcastId: string;
  memberId: string;
  answer: BroadcastAnswer;
  /** "member" (a tap in LINE) or "staff" (taken by phone or in person). */
  source: AnswerSource;
  byLabel?: string;
  channel: string;
  /** Provider event id or client key for the `ok` answer that `safe` also records. */
  idempotencyKey?: string;
  /** When the member acted; defaults to now. */
  occurredAt?: Date;
}

export type BroadcastAnswerOutcome =
  | { status: "recorded"; answer: BroadcastAnswer; incidentId: string | null; openedIncident: boolean }
  | { status: "broadcast_not_found" }
  | { status: "no_question" }
  | { status: "not_a_recipient" };

export async function recordBroadcastAnswer(db: Db, input: BroadcastAnswerInput, now: Date): Promise<BroadcastAnswerOutcome> {
  return inTransaction(db, (tx) => recordBroadcastAnswerIn(tx, input, now));
}

/** Record an answer to a broadcast's question inside the caller's transaction (LINE taps are applied this way). */
export async function recordBroadcastAnswerIn(tx: Db, input: BroadcastAnswerInput, now: Date): Promise<BroadcastAnswerOutcome> {
  const { organisationId, broadcastId, memberId, answer } = input;
  const broadcast = await tx.selectFrom("broadcasts").select(["id", "question"])
    .where("id", "=", broadcastId).where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!broadcast) return { status: "broadcast_not_found" };
  if (!broadcast.question) return { status: "no_question" };
  // The member first, then the recipient row: the same order as a member's deletion (DELETE /members/:id).
  const member = await tx.selectFrom("members").select(["id", "display_name", "team_id", "plan"])
    .where("id", "=", memberId).where("organisation_id", "=", organisationId).forNoKeyUpdate().executeTakeFirst();
  const recipient = member
    ? await tx.selectFrom("broadcast_recipients").select(["answer", "incident_id"])
      .where("broadcast_id", "=", broadcastId).where("member_id", "=", memberId).forUpdate().executeTakeFirst()
    : undefined;
  if (!member || !recipient) return { status: "not_a_recipient" };

  const at = input.occurredAt && input.occurredAt < now ? input.occurredAt : now;
  const zone = member.plan.timeZone;
  const open = await tx.selectFrom("incidents").select("id").where("member_id", "=", memberId)
    .where("kind", "=", "help_requested").where("status", "<>", "resolved").executeTakeFirst();
  const plan = planBroadcastAnswer(answer, open?.id ?? null);
  const actor = input.source === "member" ? "member" : `${input.source}:${input.byLabel ?? ""}`;
  const events: IncidentEventRow[] = [];
  const outbox: OutboxRow[] = [];
  const team = await tx.selectFrom("teams").select("channels").where("id", "=", member.team_id).executeTakeFirstOrThrow();
  const teamChannels = team.channels as ChannelAddress[];

  let answerId: string | undefined;
  if (plan.recordOk) {
    // Evidence of life: the same as an OK to a check-in.
    const [outcome] = await recordAnswersIn(tx, [{
      organisationId, memberId, answer: "ok", source: input.source, channel: input.channel, note: `broadcast:${broadcastId}`,
      ...(input.byLabel ? { byLabel: input.byLabel } : {}), ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
      ...(input.occurredAt ? { occurredAt: input.occurredAt } : {}),
    }], now);
    if (outcome.status === "recorded") answerId = outcome.answerId;
  }

  let incidentId = plan.noteOnIncidentId;
  if (plan.openHelpIncident) {
    incidentId = await openIncident(tx, {
      organisationId, memberId, checkinId: null, kind: "help_requested", at: now,
      data: { broadcastId, source: input.source, channel: input.channel },
    });
    // The team's addresses and its on-duty people (engine/on-duty.ts).
    const fanout = teamAlertRows({
      organisationId, key: `help_request:${incidentId}:${member.team_id}`, teamId: member.team_id, incidentId,
      messageKind: "alert", text: helpRequestedText(member.display_name, at, zone),
      payload: { incidentId, memberId, broadcastId }, dueAt: now, now,
    }, teamChannels, (await loadTeamDuty(tx, [member.team_id])).get(member.team_id));
    outbox.push(...fanout.rows);
    events.push(...fanout.events);
  } else if (incidentId) {
    // The help request already open hears about this answer too.
    events.push(incidentEvent(organisationId, incidentId, now, "broadcast_answered", {
      broadcastId, answer, source: input.source, channel: input.channel,
    }, actor));
    if (answer === "safe") {
      await tx.updateTable("incidents").set({ member_answered_at: now }).where("id", "=", incidentId).execute();
      outbox.push(outboxRow({
        organisationId, key: `answered:${incidentId}:${answerId ?? newId()}:${member.team_id}`,
        recipient: { kind: "team", id: member.team_id }, channels: teamChannels,
        messageKind: "member_answered", text: safeAfterHelpText(member.display_name, at, zone),
        payload: { incidentId, memberId, broadcastId, answer }, incidentId, dueAt: now, now,
      }));
    }
  }

  await tx.updateTable("broadcast_recipients").set({
    answer, answered_at: at,
    // The help request this member's latest "need help" belongs to; "safe" keeps it on record.
    incident_id: answer === "need_help" ? incidentId : recipient.incident_id,
  }).where("broadcast_id", "=", broadcastId).where("member_id", "=", memberId).execute();
  await addEvents(tx, events);
  await enqueue(tx, outbox);
  return { status: "recorded", answer, incidentId: answer === "need_help" ? incidentId : null, openedIncident: plan.openHelpIncident };
}

// ---------------------------------------------------------------------------
// Reading.

const COLUMNS = ["id", "audience_kind", "audience_id", "text", "question", "recipient_count", "created_by", "created_at"] as const;
/** A broadcast as stored (without its recipients). */
export type BroadcastRow = Pick<Selectable<Database["broadcasts"]>, (typeof COLUMNS)[number]>;

/** The organisation's latest broadcasts, newest first, at most `limit`. */
export async function listBroadcasts(db: Db, organisationId: string, limit: number): Promise<BroadcastRow[]> {
  return db.selectFrom("broadcasts").select([...COLUMNS]).where("organisation_id", "=", organisationId)
    .orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
}

/** One broadcast; undefined when the organisation has no such broadcast. */
export async function getBroadcast(db: Db, organisationId: string, broadcastId: string): Promise<BroadcastRow | undefined> {
  return db.selectFrom("broadcasts").select([...COLUMNS]).where("id", "=", broadcastId)
    .where("organisation_id", "=", organisationId).executeTakeFirst();
}

export interface BroadcastCounts {
  delivery: Record<DeliveryState, number>;
  answers: { safe: number; needHelp: number; none: number };
}

/**
 * The delivery state of each recipient's outbox row: its own status unless it
 * failed, then the best of its fail-over rows (looked up by key, only for those).
 */
const recipientState = sql<DeliveryState>`case
  when o.status is null then 'pending'
  when o.status <> 'failed' then o.status
  else (select case when bool_or(f.status = 'sent') then 'sent' when bool_or(f.status = 'pending') then 'pending' else 'failed' end
        from outbox f where f.idempotency_key = any(array[${sql.join(FAILOVER_SUFFIXES.map((s) => sql`r.outbox_key || ${s}`))}]))
end`;

/** Delivery counts per state and answers tallied, live from the rows. */
export async function broadcastCounts(db: Db, broadcastId: string): Promise<BroadcastCounts> {
  const row = (await sql<{ pending: number; sent: number; failed: number; safe: number; need_help: number; none: number }>`
    select count(*) filter (where state = 'pending')::int as pending,
           count(*) filter (where state = 'sent')::int as sent,
           count(*) filter (where state = 'failed')::int as failed,
           count(*) filter (where answer = 'safe')::int as safe,
           count(*) filter (where answer = 'need_help')::int as need_help,
           count(*) filter (where answer is null)::int as none
    from (select ${recipientState} as state, r.answer
          from broadcast_recipients r left join outbox o on o.idempotency_key = r.outbox_key
          where r.broadcast_id = ${broadcastId}) s`.execute(db)).rows[0];
  return {
    delivery: { pending: row.pending, sent: row.sent, failed: row.failed },
    answers: { safe: row.safe, needHelp: row.need_help, none: row.none },
  };
}

export interface RecipientQuery {
  limit: number;
  /** Cursor: the last member id of the previous page. */
  after?: string;
  answer?: BroadcastAnswer | "none";
}

/** One page of recipients, by member id: delivery state, channel, answer. */
export async function broadcastRecipients(db: Db, broadcastId: string, query: RecipientQuery) {
  let q = db.selectFrom("broadcast_recipients as r")
    .innerJoin("members as m", "m.id", "r.member_id")
    .leftJoin("outbox as o", "o.idempotency_key", "r.outbox_key")
    .select(["r.member_id", "m.display_name", "r.answer", "r.answered_at", "r.incident_id", "o.channel_kind"])
    .select(recipientState.as("state"))
    .where("r.broadcast_id", "=", broadcastId).orderBy("r.member_id").limit(query.limit);
  if (query.after) q = q.where("r.member_id", ">", query.after);
  if (query.answer === "none") q = q.where("r.answer", "is", null);
  else if (query.answer) q = q.where("r.answer", "=", query.answer);
  const rows = await q.execute();
  return rows.map((r) => ({
    memberId: r.member_id,
    displayName: r.display_name,
    delivery: r.state,
    /** The primary channel the broadcast went to first. */
    channel: r.channel_kind,
    answer: r.answer as BroadcastAnswer | null,
    answeredAt: r.answered_at ? r.answered_at.toISOString() : null,
    incidentId: r.incident_id,
  }));
}
