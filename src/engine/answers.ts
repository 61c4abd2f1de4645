/**
 * Recording answers. Many concurrent answers share one transaction (group
 * commit): a commit costs about the same for one row as for hundreds, so the
 * answer path scales with batching, not with the number of commits.
 */
import { sql } from "kysely";
import { jsonArrayFrom } from "kysely/helpers/postgres";
import { type Answer, type AnswerSource, planAnswer } from "../domain/answers.ts";
import { contactRequestText, memberAnsweredText } from "../domain/messages.ts";
import type { Plan } from "../domain/schedule.ts";
import { newId } from "../ids.ts";
import { anyUuid, type Db, inTransaction, preferIndexWalks } from "../store/db.ts";
import type { ChannelAddress } from "../store/schema.ts";
import { cancelQueued } from "./causes.ts";
import { addEvents, type IncidentEventRow, incidentEvent, openIncident, raiseUrgency, unresolvedIncidentOf } from "./incident-log.ts";
import { GroupCommit } from "./group-commit.ts";
import { loadTeamDuty, teamAlertRows } from "./on-duty.ts";
import { enqueue, type OutboxRow, outboxRow } from "./outbox.ts";

export interface AnswerInput {
  organisationId: string;
  memberId: string;
  answer: Answer;
  source: AnswerSource;
  byContactId?: string;
  byLabel?: string;
  channel?: string;
  note?: string;
  /** Provider event id or client key: the same key is recorded once. */
  idempotencyKey?: string;
  /**
   * When the member acted (a provider's event time). The answer settles the
   * check-ins due by then, so a tap on an old prompt that reaches us late never
   * answers a check-in that did not exist yet. Defaults to now.
   */
  occurredAt?: Date;
}

/**
 * `queued`: the answer opened or joined an incident, or queued messages (an all-clear
 * to those alerted): the engine has work now. A plain answer closes check-ins and
 * leaves the engine nothing to do, so its caller need not wake it (at thousands of
 * answers a second, a wake per answer kept every engine loop polling the database).
 */
export type AnswerOutcome =
  | { status: "recorded"; answerId: string; closedCheckins: number; incidentId?: string; queued: boolean }
  | { status: "duplicate" }
  /** The idempotency key was used before for another member or another answer: nothing recorded. */
  | { status: "key_reused" }
  | { status: "member_not_found" };

export async function recordAnswers(db: Db, inputs: AnswerInput[], now: Date): Promise<AnswerOutcome[]> {
  return inTransaction(db, async (tx) => {
    await preferIndexWalks(tx);
    return recordAnswersIn(tx, inputs, now);
  });
}

/** Record answers inside the caller's transaction (webhook events are applied this way). */
export async function recordAnswersIn(tx: Db, inputs: AnswerInput[], now: Date): Promise<AnswerOutcome[]> {
  const outcomes: AnswerOutcome[] = inputs.map(() => ({ status: "member_not_found" }));
  const memberIds = [...new Set(inputs.map((i) => i.memberId))];
  // With each member, their unresolved incidents: one statement, as this runs for every batch of answers.
  const members = new Map((await tx.selectFrom("members")
    .select((eb) => ["id", "organisation_id", "team_id", "display_name", "plan",
      jsonArrayFrom(eb.selectFrom("incidents").select(["incidents.id", "incidents.kind"])
        .whereRef("incidents.member_id", "=", "members.id").where("incidents.status", "<>", "resolved")).as("open_incidents")])
    .where("id", "=", anyUuid(memberIds)).execute()).map((m) => [m.id, m]));
  // Idempotency keys are the client's, so they are unique per organisation, never across the instance.
  const scoped = (organisationId: string, key: string) => `${organisationId}\n${key}`;
  const keyed = inputs.filter((i) => i.idempotencyKey);
  // A key names one request: the same member and answer again is a retry; anything else under it is a client's mistake.
  const seen = new Map<string, { memberId: string; answer: string }>(keyed.length
    ? (await tx.selectFrom("answers").select(["organisation_id", "idempotency_key", "member_id", "answer"])
      .where("organisation_id", "in", [...new Set(keyed.map((i) => i.organisationId))])
      .where("idempotency_key", "in", [...new Set(keyed.map((i) => i.idempotencyKey as string))]).execute())
      .map((r) => [scoped(r.organisation_id, r.idempotency_key as string), { memberId: r.member_id, answer: r.answer }])
    : []);

  const accepted: { index: number; input: AnswerInput }[] = [];
  inputs.forEach((input, index) => {
    const member = members.get(input.memberId);
    if (!member || member.organisation_id !== input.organisationId) return;
    const key = input.idempotencyKey ? scoped(input.organisationId, input.idempotencyKey) : undefined;
    const earlier = key ? seen.get(key) : undefined;
    if (earlier) {
      outcomes[index] = { status: earlier.memberId === input.memberId && earlier.answer === input.answer ? "duplicate" : "key_reused" };
      return;
    }
    if (key) seen.set(key, { memberId: input.memberId, answer: input.answer });
    accepted.push({ index, input });
  });
  if (accepted.length === 0) return outcomes;

  // Evidence of life: every open check-in of the member closes, whichever prompt it came from. The
  // member's first answer in the batch closes them (with the latest moment any of them acted); a
  // second answer in the same batch closes nothing more.
  const latestAct = new Map<string, Date>();
  for (const { input } of accepted) {
    const at = input.occurredAt && input.occurredAt < now ? input.occurredAt : now;
    const known = latestAct.get(input.memberId);
    if (!known || at > known) latestAct.set(input.memberId, at);
  }
  const answering = new Set<string>();
  const answerRows: AnswerRow[] = accepted.map(({ input }) => {
    const first = !answering.has(input.memberId);
    answering.add(input.memberId);
    return {
      id: newId(), organisationId: input.organisationId, memberId: input.memberId, answer: input.answer, source: input.source,
      byContactId: input.byContactId ?? null, byLabel: input.byLabel ?? null, channel: input.channel ?? null, note: input.note ?? null,
      idempotencyKey: input.idempotencyKey ?? null, closesUntil: first ? (latestAct.get(input.memberId) as Date) : null,
    };
  });
  const closedCount = await closeAndRecord(tx, answerRows, now);
  // Prompts and re-sends still queued for these check-ins (a call retry too) are cancelled by the
  // sender when their turn comes (checkin_closed), not here: this is the hottest path, and looking
  // them up per batch cost ~27 ms against a 1,000,000-row outbox (bench, 2026-11-30).

  const events: IncidentEventRow[] = [];
  const outbox: OutboxRow[] = [];
  const contactRequestOpen = new Set([...answering].filter((id) => members.get(id)?.open_incidents.some((i) => i.kind === "contact_requested")));
  // Members who ask to be contacted may get an incident: lock them (in one order) so no other path opens one meanwhile.
  const asking = [...new Set(accepted.filter((a) => a.input.answer === "need_contact").map((a) => a.input.memberId))].sort();
  if (asking.length) await tx.selectFrom("members").select("id").where("id", "in", asking).orderBy("id").forUpdate().execute();
  const answeredIncidents: { incidentId: string; answerId: string; memberId: string; answer: Answer }[] = [];

  for (const [k, { index, input }] of accepted.entries()) {
    const member = members.get(input.memberId)!;
    const answerId = answerRows[k].id;
    const closedCheckins = closedCount.get(answerId) ?? 0;
    const plan = planAnswer(input.answer, member.open_incidents);
    const actor = input.source === "member" ? "member" : `${input.source}:${input.byLabel ?? input.byContactId ?? ""}`;
    for (const incidentId of plan.answeredIncidentIds) {
      events.push(incidentEvent(member.organisation_id, incidentId, now, "member_answered", {
        answer: input.answer, source: input.source, channel: input.channel ?? null, answerId,
      }, actor));
      answeredIncidents.push({ incidentId, answerId, memberId: member.id, answer: input.answer });
    }
    let incidentId: string | undefined;
    if (plan.openContactRequest && !contactRequestOpen.has(member.id)) {
      contactRequestOpen.add(member.id);
      // One incident per person (domain/concerns.ts): the request joins the member's open incident, made urgent.
      const joined = await unresolvedIncidentOf(tx, member.organisation_id, member.id);
      if (joined) {
        incidentId = joined.id;
        events.push(incidentEvent(member.organisation_id, joined.id, now, "contact_requested", { answerId, source: input.source }, actor));
        await raiseUrgency(tx, { ...joined, organisationId: member.organisation_id }, "urgent", now, { answerId }, actor);
      } else {
        incidentId = await openIncident(tx, {
          organisationId: member.organisation_id, memberId: member.id, checkinId: null, kind: "contact_requested", at: now,
          data: { answerId, source: input.source },
        });
      }
      const team = await tx.selectFrom("teams").select("channels").where("id", "=", member.team_id).executeTakeFirstOrThrow();
      // The team's addresses and its on-duty people (engine/on-duty.ts).
      const fanout = teamAlertRows({
        organisationId: member.organisation_id, key: `contact_request:${incidentId}:${member.team_id}`, teamId: member.team_id, incidentId,
        messageKind: "contact_request", text: contactRequestText(member.display_name, now, member.plan.timeZone),
        payload: { incidentId, memberId: member.id }, dueAt: now, now,
      }, team.channels as ChannelAddress[], (await loadTeamDuty(tx, [member.team_id])).get(member.team_id));
      outbox.push(...fanout.rows);
      events.push(...fanout.events);
    }
    const queued = incidentId !== undefined || plan.answeredIncidentIds.length > 0;
    outcomes[index] = {
      status: "recorded", answerId, closedCheckins, ...(incidentId ? { incidentId } : {}), queued,
    };
  }

  if (answeredIncidents.length) {
    // Alerts about the silence still queued are moot; those already sent get the all-clear.
    await cancelQueued(tx, { incidentIds: answeredIncidents.map((a) => a.incidentId), kinds: ["alert"] }, "member_answered", now);
    await tellEveryoneAlerted(tx, answeredIncidents, members, outbox, now);
    // The member answered: an acknowledgement no longer needs reminding or timing out.
    await tx.updateTable("incidents").set({ member_answered_at: now, ack_check_at: null })
      .where("id", "in", answeredIncidents.map((a) => a.incidentId)).execute();
    // An answered check-in needs no more escalation, even on an acknowledged incident.
  }
  await addEvents(tx, events);
  await enqueue(tx, outbox);
  return outcomes;
}

/** An answer as it is written; `closesUntil`: this answer closes the member's open check-ins due by then. */
interface AnswerRow {
  id: string;
  organisationId: string;
  memberId: string;
  answer: Answer;
  source: AnswerSource;
  byContactId: string | null;
  byLabel: string | null;
  channel: string | null;
  note: string | null;
  idempotencyKey: string | null;
  closesUntil: Date | null;
}

/**
 * Close the answered check-ins and write the answers, each with the number of
 * check-ins it closed: one statement, as it runs for every batch of answers (a
 * round trip per batch is a share of the database's time at thousands of answers
 * a second). Returns answer id → check-ins closed.
 */
async function closeAndRecord(tx: Db, rows: AnswerRow[], now: Date): Promise<Map<string, number>> {
  const col = <K extends keyof AnswerRow>(key: K) => rows.map((r) => r[key]);
  const written = await sql<{ id: string; closed_checkins: number }>`
    with v as (
      select * from unnest(${col("id")}::uuid[], ${col("organisationId")}::uuid[], ${col("memberId")}::uuid[], ${col("answer")}::text[],
        ${col("source")}::text[], ${col("byContactId")}::uuid[], ${col("byLabel")}::text[], ${col("channel")}::text[], ${col("note")}::text[],
        ${col("idempotencyKey")}::text[], ${col("closesUntil")}::timestamptz[])
        as v(id, organisation_id, member_id, answer, source, by_contact_id, by_label, channel, note, idempotency_key, closes_until)
    ), closed as (
      update checkins set status = 'answered', answer = v.answer, answered_at = ${now}, next_action_at = null, closed_reason = 'answered'
      from v where v.closes_until is not null and checkins.member_id = v.member_id and checkins.status = 'open'
        and checkins.due_at <= v.closes_until
      returning checkins.member_id
    )
    insert into answers (id, organisation_id, member_id, answer, source, by_contact_id, by_label, channel, note, closed_checkins,
      received_at, idempotency_key)
    select v.id, v.organisation_id, v.member_id, v.answer, v.source, v.by_contact_id, v.by_label, v.channel, v.note,
      case when v.closes_until is null then 0 else (select count(*)::int from closed c where c.member_id = v.member_id) end,
      ${now}, v.idempotency_key
    from v
    returning id, closed_checkins`.execute(tx);
  return new Map(written.rows.map((r) => [r.id, r.closed_checkins]));
}

/** Everyone who was alerted about an incident hears that the member answered. */
async function tellEveryoneAlerted(
  tx: Db,
  answered: { incidentId: string; answerId: string; memberId: string; answer: Answer }[],
  members: Map<string, { display_name: string; organisation_id: string; plan: Plan }>,
  outbox: OutboxRow[],
  now: Date,
) {
  // In the order they were first alerted.
  const alerted = await tx.selectFrom("outbox")
    .select((eb) => ["incident_id", "recipient_kind", "recipient_id", eb.fn.min("created_at").as("first"), eb.fn.min(sql<string>`id::text`).as("first_id")])
    .where("incident_id", "in", answered.map((a) => a.incidentId))
    .where("message_kind", "in", ["alert", "contact_request"]).where("status", "<>", "cancelled")
    .groupBy(["incident_id", "recipient_kind", "recipient_id"]).orderBy("first").orderBy("first_id").execute();
  for (const a of answered) {
    const member = members.get(a.memberId)!;
    for (const r of alerted.filter((x) => x.incident_id === a.incidentId)) {
      const kind = r.recipient_kind;
      const table = kind === "contact" ? "contacts" : kind === "team" ? "teams" : "groups";
      const channels = (await tx.selectFrom(table).select("channels").where("id", "=", r.recipient_id).executeTakeFirst())?.channels;
      outbox.push(outboxRow({
        organisationId: member.organisation_id, key: `answered:${a.incidentId}:${a.answerId}:${r.recipient_id}`,
        recipient: { kind, id: r.recipient_id }, channels: channels ?? [],
        messageKind: "member_answered",
        text: memberAnsweredText(member.display_name, a.answer, now, member.plan.timeZone),
        payload: { incidentId: a.incidentId, memberId: a.memberId, answer: a.answer }, incidentId: a.incidentId, dueAt: now, now,
      }));
    }
  }
}

/** Answers from concurrent requests, recorded together (group commit). */
export class AnswerIngest extends GroupCommit<AnswerInput, AnswerOutcome> {
  constructor(db: Db, now: () => Date, onRecorded?: (count: number) => void) {
    super(async (inputs) => {
      const outcomes = await recordAnswers(db, inputs, now());
      onRecorded?.(inputs.length);
      return outcomes;
    });
  }
}
