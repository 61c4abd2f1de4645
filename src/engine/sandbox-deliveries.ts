/**
 * The sandbox's inbox: what the sandbox channel delivered, one row per idempotency
 * key, read back by GET /sandbox/deliveries.
 */
import { sql } from "kysely";
import type { Db } from "../store/db.ts";
import type { OutgoingMessage } from "./ports.ts";

/**
 * Deliver messages into the inbox, each arriving at `arrival(message)`. A key
 * delivered before is refused, as a provider that honours keys does; returns how
 * many were refused so.
 */
export async function recordSandboxDeliveries(db: Db, messages: OutgoingMessage[], arrival: (m: OutgoingMessage) => Date): Promise<number> {
  if (messages.length === 0) return 0;
  const inserted = await db
    .insertInto("sandbox_deliveries")
    .values(
      messages.map((m) => ({
        organisation_id: m.organisationId,
        idempotency_key: m.idempotencyKey,
        recipient_kind: m.recipient.kind,
        recipient_id: m.recipient.id,
        channel_kind: m.channel,
        address: m.address,
        message_kind: m.kind,
        text: m.text,
        payload: JSON.stringify(m.payload),
        due_at: m.dueAt,
        delivered_at: arrival(m),
      })),
    )
    .onConflict((oc) => oc.columns(["idempotency_key", "organisation_id"]).doNothing())
    .returning(sql<string>`idempotency_key`.as("key"))
    .execute();
  return messages.length - inserted.length;
}
