/**
 * The scheduler: claims members whose next check-in is due, writes the check-in
 * and its prompt, and moves the member's due time on, all in one transaction.
 * An escalating check-in's chain waits until its prompt is accepted by a provider
 * (the sender starts it): a member is never alerted about before being asked.
 */
import { type Insertable, type RawBuilder, sql } from "kysely";
import { promptIsCovered, startEscalation } from "../domain/escalation.ts";
import { promptText } from "../domain/messages.ts";
import { satisfiedBySignOfLife } from "../domain/sign-of-life.ts";
import { isPausedAt, latestSlotBy, nextDueOutsidePause, type Pause, type Plan } from "../domain/schedule.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction, preferIndexWalks } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";
import { enqueue, type OutboxRow, outboxRow } from "./outbox.ts";
import { loadPolicies, policyFor } from "./policies.ts";
import { composer, loadWords } from "./templates.ts";

/** The columns the scheduler writes of a new check-in. */
type NewCheckin = Required<Pick<Insertable<Database["checkins"]>,
  "id" | "organisation_id" | "member_id" | "due_at" | "status" | "escalates" | "step_index" | "next_action_at" | "after_asked_ms" |
  "contact_cursor" | "prompted">> & Pick<Insertable<Database["checkins"]>, "answer" | "answered_at" | "closed_reason">;

export interface DispatchResult {
  claimed: number;
  prompted: number;
}

export async function dispatchDue(db: Db, now: Date, limit: number): Promise<DispatchResult> {
  return inTransaction(db, async (tx) => {
    await preferIndexWalks(tx);
    const due = await tx.selectFrom("members")
      .select(["id", "organisation_id", "team_id", "display_name", "channels", "plan", "pause", "next_due_at", "last_prompted_at",
        "last_sign_of_life_at"])
      .where("next_due_at", "<=", now).where("active", "=", true)
      .orderBy("next_due_at").limit(limit).forUpdate().skipLocked().execute();
    if (due.length === 0) return { claimed: 0, prompted: 0 };

    const ids = due.map((m) => m.id);
    const escalating = await escalatingOf(tx, ids);
    const policies = await loadPolicies(tx, due.map((m) => m.team_id));
    // The organisations' templates and line of the day, read with the batch (engine/templates.ts).
    const words = await loadWords(tx, due.map((m) => m.organisation_id));

    const checkins: NewCheckin[] = [];
    const prompts: OutboxRow[] = [];
    const nextDue: (Date | null)[] = [];
    const lastPrompted: (Date | null)[] = [];

    for (const member of due) {
      const plan = member.plan as Plan;
      const pause = member.pause as Pause | null;
      const channels = member.channels as ChannelAddress[];
      // After downtime, one check-in for the latest missed slot (the others fold into
      // it), prompted now; the next slot is after now.
      const dueAt = latestSlotBy(plan, member.next_due_at as Date, now, pause);
      nextDue.push(nextDueOutsidePause(plan, now > dueAt ? now : dueAt, pause));
      if (isPausedAt(pause, dueAt, plan.timeZone)) {
        lastPrompted.push(member.last_prompted_at);
        continue;
      }
      const checkinId = newId();
      if (satisfiedBySignOfLife(member.last_sign_of_life_at, dueAt, now)) {
        // A sign of life within the day (a device the member chose to count): satisfied, nobody is asked.
        checkins.push({
          id: checkinId, organisation_id: member.organisation_id, member_id: member.id, due_at: dueAt, status: "answered", escalates: false,
          step_index: 0, next_action_at: null, after_asked_ms: null, contact_cursor: 0, prompted: false,
          answer: "ok", answered_at: member.last_sign_of_life_at, closed_reason: "activity",
        });
        lastPrompted.push(member.last_prompted_at);
        continue;
      }
      const escalates = !escalating.has(member.id);
      const prompted = !promptIsCovered(member.last_prompted_at, now);
      const policy = policyFor(policies(member.team_id), channels);
      // Prompted: the chain waits for the provider to accept it. Covered by a prompt
      // that just went out: the member was asked, so it runs from now.
      const position = escalates
        ? startEscalation(policy, prompted ? undefined : now)
        : { stepIndex: 0, nextActionAt: null, contactCursor: 0, afterAskedMs: null };
      checkins.push({
        id: checkinId,
        organisation_id: member.organisation_id,
        member_id: member.id,
        due_at: dueAt,
        status: "open",
        escalates,
        step_index: position.stepIndex,
        next_action_at: position.nextActionAt,
        after_asked_ms: position.afterAskedMs,
        contact_cursor: position.contactCursor,
        prompted,
      });
      if (prompted) {
        prompts.push(outboxRow({
          organisationId: member.organisation_id,
          key: `prompt:${checkinId}`,
          recipient: { kind: "member", id: member.id },
          channels,
          messageKind: "prompt",
          text: promptText(member.display_name, words(member.organisation_id).lineOfTheDay),
          textFor: composer(words(member.organisation_id), "prompt", { name: member.display_name }),
          payload: { checkinId },
          checkinId,
          dueAt,
          now,
        }));
      }
      lastPrompted.push(prompted ? now : member.last_prompted_at);
    }

    let written = new Set<string>();
    if (checkins.length) {
      // A slot already recorded (a plan changed onto the same minute) is not prompted twice.
      written = new Set((await insertCheckins(tx, checkins)).map((r) => r.id));
    }
    await enqueue(tx, prompts.filter((p) => written.has(p.checkin_id as string)));
    await sql`
      update members set next_due_at = v.next_due_at, last_prompted_at = v.last_prompted_at, updated_at = ${now}
      from (select unnest(${ids}::uuid[]) as id, unnest(${nextDue}::timestamptz[]) as next_due_at,
                   unnest(${lastPrompted}::timestamptz[]) as last_prompted_at) v
      where members.id = v.id`.execute(tx);
    return { claimed: due.length, prompted: prompts.length };
  });
}

/** The members of `ids` that have an escalating check-in open (escalatingQuery). */
async function escalatingOf(tx: Db, ids: string[]): Promise<Set<string>> {
  return new Set((await escalatingQuery(ids).execute(tx)).rows.map((r) => r.id));
}

/**
 * Of `ids` (member ids), those with an escalating check-in open, as rows `{ id }`: one
 * probe per member by member id (checkins_member_open). Asked as `member_id = any(…)`,
 * the planner without statistics (a dispatch outruns the vacuum's analyze, and it takes
 * the table for ten pages) walked every open check-in of the organisation through
 * `checkins_org_open` for each batch: 6.4 million index entries read to dispatch 100,000
 * members (bench, 2026-12-02). With the member id a parameter of each probe, walking a whole
 * index per member costs the planner more than a look-up by member id, statistics or not.
 */
export function escalatingQuery(ids: string[]): RawBuilder<{ id: string }> {
  return sql<{ id: string }>`
    select v.id from unnest(${ids}::uuid[]) as v(id)
    cross join lateral (select 1 from checkins c where c.member_id = v.id and c.status = 'open' and c.escalates limit 1) e`;
}

/** One statement of column arrays; a slot already recorded is skipped. Returns the ids written. */
async function insertCheckins(tx: Db, rows: NewCheckin[]): Promise<{ id: string }[]> {
  const col = <K extends keyof NewCheckin>(key: K) => rows.map((r) => r[key]);
  return (await sql<{ id: string }>`
    insert into checkins (id, organisation_id, member_id, due_at, status, escalates, step_index, next_action_at, after_asked_ms,
      contact_cursor, prompted, answer, answered_at, closed_reason)
    select * from unnest(${col("id")}::uuid[], ${col("organisation_id")}::uuid[], ${col("member_id")}::uuid[],
      ${col("due_at")}::timestamptz[], ${col("status")}::text[], ${col("escalates")}::bool[], ${col("step_index")}::int[],
      ${col("next_action_at")}::timestamptz[], ${col("after_asked_ms")}::float8[], ${col("contact_cursor")}::int[],
      ${col("prompted")}::bool[], ${rows.map((r) => r.answer ?? null)}::text[], ${rows.map((r) => r.answered_at ?? null)}::timestamptz[],
      ${rows.map((r) => r.closed_reason ?? null)}::text[])
    on conflict (member_id, due_at, organisation_id) do nothing
    returning id`.execute(tx)).rows;
}
