/**
 * Broadcasts and disaster checks: creating one (recipients and their outbox rows
 * in one transaction), recording answers to its question, and reading delivery
 * and answer counts back.
 *
 * - A broadcast reaches the active members of its audience (all, one or more
 *   teams, one or more groups; a member in two of them once; paused members
 *   too: a disaster does not wait for the end of a trip).
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
  type Audience, type BroadcastAnswer, type BroadcastPayload, broadcastText, type DeliveryState, helpRequestedText, planBroadcastAnswer,
  safeAfterHelpText,
} from "../domain/broadcasts.ts";
import type { CapFields } from "../domain/cap.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";
import { recordAnswersIn } from "./answers.ts";
import { addEvents, type IncidentEventRow, incidentEvent, openIncident, raiseUrgency, unresolvedIncidentOf } from "./incident-log.ts";
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
  /** An exercise (訓練): see domain/broadcasts.ts. */
  drill?: boolean;
  /** CAP fields (an imported alert's); null when composed. */
  cap?: CapFields | null;
  /** Who sent it (the API token, for the record). */
  createdBy: string;
}

/** Create a broadcast, its recipients and one outbox row per recipient, all or nothing. */
export async function createBroadcast(db: Db, input: BroadcastInput, now: Date): Promise<{ id: string; recipients: number }> {
  return inTransaction(db, async (tx) => {
    const { organisationId, audience } = input;
    const ids = audience.kind === "all" ? [] : [...new Set(audience.ids)];
    const members = await audienceMembers(tx, organisationId, audience);
    if (members.length === 0) {
      throw new EmptyAudience(`the ${audience.kind === "all" ? "organisation" : ids.length > 1 ? `${audience.kind}s` : audience.kind} ${ids.length > 1 ? "have" : "has"} no active members`);
    }

    const id = newId();
    await tx.insertInto("broadcasts").values({
      id, organisation_id: organisationId, audience_kind: audience.kind, audience_id: ids[0] ?? null, audience_ids: ids,
      text: input.text, question: input.question, drill: input.drill ?? false, cap: input.cap ? JSON.stringify(input.cap) : null,
      recipient_count: members.length, created_by: input.createdBy, created_at: now,
    }).execute();
    const text = broadcastText(input.text, input.question, input.drill ?? false);
    // Each channel renders the content itself (domain/broadcasts.ts), from the payload.
    const payload: BroadcastPayload = { broadcastId: id, question: input.question, drill: input.drill ?? false, body: input.text };
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

/** The active members an audience reaches, by id (a member in two of its teams or groups once); MissingReference names an unknown one. */
async function audienceMembers(tx: Db, organisationId: string, audience: Audience) {
  const ids = audience.kind === "all" ? [] : [...new Set(audience.ids)];
  if (audience.kind !== "all") {
    const table = audience.kind === "team" ? "teams" : "groups";
    const found = await tx.selectFrom(table).select("id").where("id", "in", ids)
      .where("organisation_id", "=", organisationId).execute();
    const known = new Set(found.map((r) => r.id));
    const missing = ids.findIndex((id) => !known.has(id));
    if (missing >= 0) throw new MissingReference(`audience.ids.${missing}`, `no such ${audience.kind} in this organisation`);
  }
  let q = tx.selectFrom("members").select(["members.id", "members.channels"])
    .where("members.organisation_id", "=", organisationId).where("members.active", "=", true);
  if (audience.kind === "team") q = q.where("members.team_id", "in", ids);
  if (audience.kind === "group") {
    // A member in two of the groups is sent one message.
    q = q.where((eb) => eb.exists(eb.selectFrom("group_members").select("group_members.member_id")
      .whereRef("group_members.member_id", "=", "members.id").where("group_members.group_id", "in", ids)));
  }
  return q.orderBy("members.id").execute();
}

/** How many members an audience reaches, by the channel each is sent on first (the preview's counts). */
export async function audienceReach(db: Db, organisationId: string, audience: Audience): Promise<{ recipients: number; channels: Record<string, number> }> {
  const members = await audienceMembers(db, organisationId, audience);
  const channels: Record<string, number> = {};
  for (const m of members) {
    const first = (m.channels as ChannelAddress[])[0]?.kind ?? "none";
    channels[first] = (channels[first] ?? 0) + 1;
  }
  return { recipients: members.length, channels };
}

export type FollowUpOutcome =
  | { status: "ok"; incidentId: string; opened: boolean }
  | { status: "broadcast_not_found" }
  | { status: "not_a_recipient" }
  | { status: "drill" };

/**
 * The incident a visit to a recipient goes on (visits need one, engine/visits.ts):
 * the member's open incident if any (a help request from this broadcast, a
 * check-in's silence…), else a new `no_answer` incident tied to the broadcast
 * (data.broadcastId), which the member's own answer (無事, or any check-in
 * answer) closes as every no_answer incident is closed. A drill's silence opens
 * nothing (`drill`): drills keep real incidents clean; staff call instead.
 */
export async function followUpIncident(db: Db, organisationId: string, broadcastId: string, memberId: string, now: Date): Promise<FollowUpOutcome> {
  return inTransaction(db, async (tx) => {
    const broadcast = await tx.selectFrom("broadcasts").select(["id", "drill"])
      .where("id", "=", broadcastId).where("organisation_id", "=", organisationId).executeTakeFirst();
    if (!broadcast) return { status: "broadcast_not_found" };
    const member = await tx.selectFrom("members").select(["id"])
      .where("id", "=", memberId).where("organisation_id", "=", organisationId).forNoKeyUpdate().executeTakeFirst();
    const recipient = member
      ? await tx.selectFrom("broadcast_recipients").select(["answer"]).where("broadcast_id", "=", broadcastId)
        .where("member_id", "=", memberId).where("organisation_id", "=", organisationId).executeTakeFirst()
      : undefined;
    if (!member || !recipient) return { status: "not_a_recipient" };
    const open = await tx.selectFrom("incidents").select("id").where("member_id", "=", memberId).where("organisation_id", "=", organisationId)
      .where("status", "<>", "resolved").orderBy("opened_at", "desc").executeTakeFirst();
    if (open) return { status: "ok", incidentId: open.id, opened: false };
    if (broadcast.drill) return { status: "drill" };
    const incidentId = await openIncident(tx, {
      organisationId, memberId, checkinId: null, kind: "no_answer", at: now, data: { broadcastId, followUp: true },
    });
    return { status: "ok", incidentId, opened: true };
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
  | { status: "recorded"; answer: BroadcastAnswer; incidentId: string | null; openedIncident: boolean; drill: boolean }
  | { status: "broadcast_not_found" }
  | { status: "no_question" }
  | { status: "not_a_recipient" };

export async function recordBroadcastAnswer(db: Db, input: BroadcastAnswerInput, now: Date): Promise<BroadcastAnswerOutcome> {
  return inTransaction(db, (tx) => recordBroadcastAnswerIn(tx, input, now));
}

/** Record an answer to a broadcast's question inside the caller's transaction (LINE taps are applied this way). */
export async function recordBroadcastAnswerIn(tx: Db, input: BroadcastAnswerInput, now: Date): Promise<BroadcastAnswerOutcome> {
  const { organisationId, broadcastId, memberId, answer } = input;
  const broadcast = await tx.selectFrom("broadcasts").select(["id", "question", "drill"])
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
  // One incident per person (domain/concerns.ts): a call for help joins whatever incident the member has open.
  const unresolved = await unresolvedIncidentOf(tx, organisationId, memberId);
  const askedForHelp = unresolved && (unresolved.kind === "help_requested" || !!await tx.selectFrom("incident_events").select("id")
    .where("incident_id", "=", unresolved.id).where("organisation_id", "=", organisationId).where("type", "=", "help_requested").executeTakeFirst());
  const open = askedForHelp ? unresolved : undefined;
  const plan = planBroadcastAnswer(answer, open?.id ?? null, broadcast.drill);
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
  if (plan.openHelpIncident && unresolved) {
    incidentId = unresolved.id;
    events.push(incidentEvent(organisationId, incidentId, now, "help_requested", { broadcastId, source: input.source, channel: input.channel }, actor));
    await raiseUrgency(tx, { ...unresolved, organisationId }, "urgent", now, { broadcastId }, actor);
  } else if (plan.openHelpIncident) {
    incidentId = await openIncident(tx, {
      organisationId, memberId, checkinId: null, kind: "help_requested", at: now,
      data: { broadcastId, source: input.source, channel: input.channel },
    });
  }
  if (plan.openHelpIncident && incidentId) {
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
    incident_id: answer === "need_help" && !broadcast.drill ? incidentId : recipient.incident_id,
  }).where("broadcast_id", "=", broadcastId).where("member_id", "=", memberId).execute();
  await addEvents(tx, events);
  await enqueue(tx, outbox);
  return {
    status: "recorded", answer, incidentId: answer === "need_help" ? incidentId : null, openedIncident: plan.openHelpIncident, drill: broadcast.drill,
  };
}

// ---------------------------------------------------------------------------
// Reading.

const COLUMNS = [
  "id", "audience_kind", "audience_id", "audience_ids", "text", "question", "drill", "cap", "recipient_count", "created_by", "created_at",
] as const;
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

export interface TeamTally {
  teamId: string;
  teamName: string;
  recipients: number;
  delivery: Record<DeliveryState, number>;
  answers: { safe: number; needHelp: number; none: number };
}

/** Delivery and answers per team of the recipients (the team each member is in now), by team name. */
export async function broadcastTeamCounts(db: Db, broadcastId: string): Promise<TeamTally[]> {
  const { rows } = await sql<{ team_id: string; team_name: string; pending: number; sent: number; failed: number; safe: number; need_help: number; none: number }>`
    select s.team_id, t.name as team_name,
           count(*) filter (where state = 'pending')::int as pending,
           count(*) filter (where state = 'sent')::int as sent,
           count(*) filter (where state = 'failed')::int as failed,
           count(*) filter (where answer = 'safe')::int as safe,
           count(*) filter (where answer = 'need_help')::int as need_help,
           count(*) filter (where answer is null)::int as none
    from (select ${recipientState} as state, r.answer, m.team_id, m.organisation_id
          from broadcast_recipients r
            join members m on m.id = r.member_id and m.organisation_id = r.organisation_id
            left join outbox o on o.idempotency_key = r.outbox_key
          where r.broadcast_id = ${broadcastId}) s
      join teams t on t.id = s.team_id and t.organisation_id = s.organisation_id
    group by s.team_id, t.name
    order by t.name, s.team_id`.execute(db);
  return rows.map((r) => ({
    teamId: r.team_id, teamName: r.team_name, recipients: r.pending + r.sent + r.failed,
    delivery: { pending: r.pending, sent: r.sent, failed: r.failed },
    answers: { safe: r.safe, needHelp: r.need_help, none: r.none },
  }));
}

export interface RecipientQuery {
  limit: number;
  /** Only the members of this team. */
  teamId?: string;
  /** Cursor: the last member id of the previous page. */
  after?: string;
  answer?: BroadcastAnswer | "none";
}

/** One page of recipients, by member id: delivery state, channel, answer. */
export async function broadcastRecipients(db: Db, broadcastId: string, query: RecipientQuery) {
  let q = db.selectFrom("broadcast_recipients as r")
    .innerJoin("members as m", "m.id", "r.member_id")
    .leftJoin("outbox as o", "o.idempotency_key", "r.outbox_key")
    .innerJoin("teams as t", (j) => j.onRef("t.id", "=", "m.team_id").onRef("t.organisation_id", "=", "m.organisation_id"))
    .select(["r.member_id", "m.display_name", "m.personal", "m.channels", "m.team_id", "t.name as team_name", "r.answer", "r.answered_at",
      "r.incident_id", "o.channel_kind"])
    .select(recipientState.as("state"))
    .where("r.broadcast_id", "=", broadcastId).orderBy("r.member_id").limit(query.limit);
  if (query.after) q = q.where("r.member_id", ">", query.after);
  if (query.teamId) q = q.where("m.team_id", "=", query.teamId);
  if (query.answer === "none") q = q.where("r.answer", "is", null);
  else if (query.answer) q = q.where("r.answer", "=", query.answer);
  const rows = await q.execute();
  return rows.map((r) => ({
    memberId: r.member_id,
    displayName: r.display_name,
    teamId: r.team_id,
    teamName: r.team_name,
    /** The number to call: the member's phone, else their first voice or SMS channel (E.164); null when none. */
    phone: phoneOf(r.personal, r.channels as ChannelAddress[]),
    delivery: r.state,
    /** The primary channel the broadcast went to first. */
    channel: r.channel_kind,
    answer: r.answer as BroadcastAnswer | null,
    answeredAt: r.answered_at ? r.answered_at.toISOString() : null,
    incidentId: r.incident_id,
  }));
}

function phoneOf(personal: Record<string, string>, channels: ChannelAddress[]): string | null {
  if (personal.phone) return personal.phone;
  return channels.find((c) => c.kind === "voice" || c.kind === "sms")?.address ?? null;
}
