/**
 * Recording answers. Many concurrent answers share one transaction (group
 * commit): a commit costs about the same for one row as for hundreds, so the
 * answer path scales with batching, not with the number of commits.
 */
import { sql } from "kysely";
import { type Answer, type AnswerSource, planAnswer } from "../domain/answers.ts";
import { contactRequestText, memberAnsweredText } from "../domain/messages.ts";
import type { Plan } from "../domain/schedule.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction, preferIndexWalks } from "../store/db.ts";
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

export type AnswerOutcome =
  | { status: "recorded"; answerId: string; closedCheckins: number; incidentId?: string }
  | { status: "duplicate" }
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
  const members = new Map((await tx.selectFrom("members")
    .select(["id", "organisation_id", "team_id", "display_name", "plan"])
    .where("id", "in", memberIds).execute()).map((m) => [m.id, m]));
  // Idempotency keys are the client's, so they are unique per organisation, never across the instance.
  const scoped = (organisationId: string, key: string) => `${organisationId}\n${key}`;
  const keyed = inputs.filter((i) => i.idempotencyKey);
  const seen = new Set(keyed.length
    ? (await tx.selectFrom("answers").select(["organisation_id", "idempotency_key"])
      .where("organisation_id", "in", [...new Set(keyed.map((i) => i.organisationId))])
      .where("idempotency_key", "in", [...new Set(keyed.map((i) => i.idempotencyKey as string))]).execute())
      .map((r) => scoped(r.organisation_id, r.idempotency_key as string))
    : []);

  const accepted: { index: number; input: AnswerInput }[] = [];
  inputs.forEach((input, index) => {
    const member = members.get(input.memberId);
    if (!member || member.organisation_id !== input.organisationId) return;
    const key = input.idempotencyKey ? scoped(input.organisationId, input.idempotencyKey) : undefined;
    if (key && seen.has(key)) {
      outcomes[index] = { status: "duplicate" };
      return;
    }
    if (key) seen.add(key);
    accepted.push({ index, input });
  });
  if (accepted.length === 0) return outcomes;

  // Evidence of life: every open check-in of the member closes, whichever prompt it came from.
  const acceptedMembers = [...new Set(accepted.map((a) => a.input.memberId))];
  const firstAnswer = new Map<string, Answer>();
  const latestAct = new Map<string, Date>();
  for (const { input } of accepted) {
    if (!firstAnswer.has(input.memberId)) firstAnswer.set(input.memberId, input.answer);
    const at = input.occurredAt && input.occurredAt < now ? input.occurredAt : now;
    const known = latestAct.get(input.memberId);
    if (!known || at > known) latestAct.set(input.memberId, at);
  }
  const closed = (await sql<{ member_id: string }>`
    update checkins set status = 'answered', answer = v.answer, answered_at = ${now}, next_action_at = null, closed_reason = 'answered'
    from (select unnest(${acceptedMembers}::uuid[]) as member_id, unnest(${acceptedMembers.map((m) => firstAnswer.get(m))}::text[]) as answer,
                 unnest(${acceptedMembers.map((m) => latestAct.get(m))}::timestamptz[]) as acted_at) v
    where checkins.member_id = v.member_id and checkins.status = 'open' and checkins.due_at <= v.acted_at
    returning checkins.member_id`.execute(tx)).rows;
  // Prompts and re-sends still queued for these check-ins (a call retry too) are cancelled by the
  // sender when their turn comes (checkin_closed), not here: this is the hottest path, and looking
  // them up per batch cost ~27 ms against a 1,000,000-row outbox (bench, 2026-11-30).
  const closedCount = new Map<string, number>();
  for (const row of closed) closedCount.set(row.member_id, (closedCount.get(row.member_id) ?? 0) + 1);

  const open = await tx.selectFrom("incidents").select(["id", "member_id", "kind"])
    .where("member_id", "in", acceptedMembers).where("status", "<>", "resolved").execute();
  const events: IncidentEventRow[] = [];
  const outbox: OutboxRow[] = [];
  const answerRows = [];
  const contactRequestOpen = new Set(open.filter((i) => i.kind === "contact_requested").map((i) => i.member_id));
  // Members who ask to be contacted may get an incident: lock them (in one order) so no other path opens one meanwhile.
  const asking = [...new Set(accepted.filter((a) => a.input.answer === "need_contact").map((a) => a.input.memberId))].sort();
  if (asking.length) await tx.selectFrom("members").select("id").where("id", "in", asking).orderBy("id").forUpdate().execute();
  const answeredIncidents: { incidentId: string; answerId: string; memberId: string; answer: Answer }[] = [];

  for (const { index, input } of accepted) {
    const member = members.get(input.memberId)!;
    const answerId = newId();
    const plan = planAnswer(input.answer, open.filter((i) => i.member_id === input.memberId)
      .map((i) => ({ id: i.id, kind: i.kind })));
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
    answerRows.push({
      id: answerId, organisation_id: member.organisation_id, member_id: member.id, answer: input.answer, source: input.source,
      by_contact_id: input.byContactId ?? null, by_label: input.byLabel ?? null, channel: input.channel ?? null,
      note: input.note ?? null, closed_checkins: closedCount.get(member.id) ?? 0, received_at: now,
      idempotency_key: input.idempotencyKey ?? null,
    });
    outcomes[index] = { status: "recorded", answerId, closedCheckins: closedCount.get(member.id) ?? 0, ...(incidentId ? { incidentId } : {}) };
    closedCount.delete(member.id); // a second answer in the same batch closed nothing more
  }

  await tx.insertInto("answers").values(answerRows).execute();
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
