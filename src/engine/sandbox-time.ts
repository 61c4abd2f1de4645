/**
 * Moving the sandbox's virtual clock. Time moves from one due instant to the next,
 * carrying out everything due at each before going on, so a jump of a day sends a
 * prompt at 09:00 and its re-send at 09:00 the next day, each stamped with its own
 * time, exactly as if the day had passed. Sending is part of "carrying out": a
 * chain starts when its prompt is accepted, so each instant's messages are sent at
 * that instant before time moves on.
 *
 * Also the sandbox's inbox: what the sandbox channel (channels/sandbox.ts)
 * delivered, one row per idempotency key, and reading it back (the sandbox
 * contract's outbox).
 */
import { type Selectable, sql } from "kysely";
import { type Db, inTransaction, preferIndexWalks } from "../store/db.ts";
import type { Database } from "../store/schema.ts";
import type { SandboxClock } from "./clock.ts";
import type { Engine } from "./engine.ts";
import { nextDeadline } from "./phases.ts";
import type { OutgoingMessage } from "./ports.ts";

/** Where to move the clock: by a duration (ms, ≥ 0) from the virtual now, or to an instant. */
export type SandboxTarget = { advanceMs: number } | { to: Date };

/**
 * Moves the virtual clock to `target`, carrying out everything due at each deadline
 * on the way; `running` then lets it run in real time. Returns the new virtual now,
 * or "backwards" when `to` lies before the clock (a running clock may have passed it
 * since the request came in).
 */
export async function advanceSandboxClock(
  db: Db, engine: Engine, clock: SandboxClock, target: SandboxTarget, running: boolean,
): Promise<Date | "backwards"> {
  return engine.exclusive(async (control) => {
    await clock.refresh();
    // Read against the clock as it is at this turn: a running clock moved on since the request came in.
    if ("to" in target && target.to.getTime() < clock.now().getTime()) return "backwards";
    // The clock stands still while what is due is carried out; it runs again from the target if asked.
    const at = clock.running ? await clock.stop() : clock.now();
    const to = "to" in target ? new Date(Math.max(target.to.getTime(), at.getTime())) : new Date(at.getTime() + target.advanceMs);
    await control.runUntilIdle();
    for (;;) {
      const next = await nextDeadline(db, engine.deadlines, clock.now(), to);
      if (!next) break;
      await clock.set(next, false);
      await control.runUntilIdle();
    }
    await clock.set(to, running);
    await control.runUntilIdle();
    return clock.now();
  });
}

/**
 * What the sandbox delivered to the organisation, in delivery order: at most
 * `limit` messages after the cursor `since` (a delivery's `seq`, "0" from the start).
 */
export async function sandboxDeliveries(
  db: Db, organisationId: string, since: string, limit: number,
): Promise<Selectable<Database["sandbox_deliveries"]>[]> {
  // In the index's order, stopping at `limit`: without statistics the planner fetched every
  // delivery after the cursor and sorted them, so reading 100,000 in pages of 2,000 read
  // 2.5 million index entries (bench, 2026-12-02).
  return inTransaction(db, async (tx) => {
    await preferIndexWalks(tx);
    return sandboxDeliveriesQuery(tx, organisationId, since, limit).execute();
  });
}

/** The query of sandboxDeliveries, to run inside preferIndexWalks (the planner tests explain it). */
export function sandboxDeliveriesQuery(db: Db, organisationId: string, since: string, limit: number) {
  return db.selectFrom("sandbox_deliveries").selectAll().where("organisation_id", "=", organisationId)
    .where("seq", ">", since).orderBy("seq").limit(limit);
}

/**
 * Deliver messages into the inbox, each arriving at `arrival(message)`. A key
 * delivered before is refused, as a provider that honours keys does; returns how
 * many were refused so.
 */
export async function recordSandboxDeliveries(db: Db, messages: OutgoingMessage[], arrival: (m: OutgoingMessage) => Date): Promise<number> {
  if (messages.length === 0) return 0;
  // Column arrays (unnest): a batch of 2,000 as a VALUES list was 22,000 parameters to bind and parse.
  const col = <T>(pick: (m: OutgoingMessage) => T) => messages.map(pick);
  const inserted = await sql<{ key: string }>`
    insert into sandbox_deliveries (organisation_id, idempotency_key, recipient_kind, recipient_id, channel_kind, address,
      message_kind, text, payload, due_at, delivered_at)
    select organisation_id, idempotency_key, recipient_kind, recipient_id, channel_kind, address, message_kind, text,
      payload::jsonb, due_at, delivered_at
    from unnest(${col((m) => m.organisationId)}::uuid[], ${col((m) => m.idempotencyKey)}::text[],
      ${col((m) => m.recipient.kind)}::text[], ${col((m) => m.recipient.id)}::text[], ${col((m) => m.channel)}::text[],
      ${col((m) => m.address)}::text[], ${col((m) => m.kind)}::text[], ${col((m) => m.text)}::text[],
      ${col((m) => JSON.stringify(m.payload))}::text[], ${col((m) => m.dueAt)}::timestamptz[], ${col(arrival)}::timestamptz[])
      as v(organisation_id, idempotency_key, recipient_kind, recipient_id, channel_kind, address, message_kind, text, payload,
        due_at, delivered_at)
    on conflict (idempotency_key, organisation_id) do nothing
    returning idempotency_key as key`.execute(db);
  return messages.length - inserted.rows.length;
}
