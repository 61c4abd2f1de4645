/**
 * Send slots for rate-capped channels (phone calls: Twilio allows one call per
 * second per account unless raised). Slots are reserved from one row per
 * organisation and channel, so every sender process draws from the same
 * sequence and the cap holds however many run. A message that cannot go within
 * the sender's look-ahead keeps its slot (outbox.slot_at) and waits for it,
 * instead of being offered to the provider and dropped.
 */
import { sql } from "kysely";
import type { Db } from "../store/db.ts";

/** Slots a little wider than 1/rate, so network and timer jitter never puts rate + 1 calls in one second. */
export const SLOT_MARGIN = 1.03;

export function slotIntervalMs(ratePerSecond: number): number {
  return (1000 / ratePerSecond) * SLOT_MARGIN;
}

/** Reserve `count` consecutive slots, the first free one not before `now`. */
export async function reserveSlots(
  db: Db, organisationId: string, channelKind: string, count: number, ratePerSecond: number, now: Date,
): Promise<Date[]> {
  const interval = slotIntervalMs(ratePerSecond);
  const span = interval * count;
  const { rows } = await sql<{ next_free_at: Date }>`
    insert into send_pacing (organisation_id, channel_kind, next_free_at)
    values (${organisationId}, ${channelKind}, ${new Date(now.getTime() + span)})
    on conflict (organisation_id, channel_kind) do update
      set next_free_at = greatest(send_pacing.next_free_at, ${now}) + ${span} * interval '1 millisecond'
    returning next_free_at`.execute(db);
  const first = new Date(rows[0].next_free_at).getTime() - span;
  return Array.from({ length: count }, (_, i) => new Date(first + i * interval));
}
