/**
 * The sender: claims ready outbox rows under a short lease, hands them to their
 * channel with the idempotency key, then records the result. A crash after the
 * provider accepted a message but before we recorded it leaves the lease to
 * expire; the retry carries the same key, so the provider does not deliver twice.
 */
import { type Selectable, sql } from "kysely";
import type { ChannelRegistry } from "../channels/registry.ts";
import type { Channel, DeliveryResult, OutgoingMessage } from "../channels/channel.ts";
import { type Db, preferIndexWalks } from "../store/db.ts";
import type { ChannelKind, Database } from "../store/schema.ts";
import { incidentEvent } from "./incident-log.ts";
import { outboxRow, recipientChannels, type RecipientKind } from "./outbox.ts";

export const MAX_ATTEMPTS = 12;

export interface SendBatchResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
}

/** Exponential backoff with jitter: 10 s, 20 s, 40 s … capped at one hour. */
export function backoffMs(attempts: number, retryAfterMs?: number): number {
  const exp = Math.min(3_600_000, 10_000 * 2 ** Math.max(0, attempts - 1));
  return Math.max(retryAfterMs ?? 0, exp * (0.8 + Math.random() * 0.4));
}

type Claimed = Pick<Selectable<Database["outbox"]>,
  "id" | "organisation_id" | "idempotency_key" | "recipient_kind" | "recipient_id" | "channel_index" | "channel_kind" | "address" |
  "message_kind" | "text" | "payload" | "checkin_id" | "incident_id" | "due_at" | "attempts" | "next_attempt_at">;

export async function sendReady(
  db: Db, channels: ChannelRegistry, now: Date, limit: number, leaseMs: number,
): Promise<SendBatchResult> {
  const wall = new Date();
  const claimed = await claimReady(db, now, wall, limit, leaseMs);
  const result = { claimed: claimed.length, sent: 0, retried: 0, failed: 0 };
  if (claimed.length === 0) return result;

  // UPDATE … RETURNING does not keep the subquery's order: restore it, so messages
  // due together go out in the order they were written.
  claimed.sort((a, b) => a.due_at.getTime() - b.due_at.getTime() || (a.id < b.id ? -1 : 1));
  const byChannel = new Map<Channel, Claimed[]>();
  for (const row of claimed) {
    const channel = channels.forKind(row.channel_kind);
    const list = byChannel.get(channel) ?? [];
    list.push(row);
    byChannel.set(channel, list);
  }
  const outcomes: { row: Claimed; outcome: DeliveryResult }[] = [];
  await Promise.all([...byChannel].map(async ([channel, rows]) => {
    let results: DeliveryResult[];
    try {
      results = await channel.send(rows.map(toMessage), now);
    } catch (error) {
      results = rows.map(() => ({ status: "retry", error: String((error as Error)?.message ?? error) }));
    }
    for (const [i, row] of rows.entries()) outcomes.push({ row, outcome: results[i] ?? { status: "retry", error: "no result" } });
  }));
  await record(db, outcomes, now, result);
  return result;
}

/** Claim the oldest ready rows under a lease. */
async function claimReady(db: Db, now: Date, wall: Date, limit: number, leaseMs: number): Promise<Claimed[]> {
  return db.transaction().execute(async (tx) => {
    await preferIndexWalks(tx as unknown as Db);
    return (await sql<Claimed>`
    update outbox set locked_until = ${new Date(wall.getTime() + leaseMs)}
    where id in (
      select id from outbox where status = 'pending' and next_attempt_at <= ${now}
        and (locked_until is null or locked_until < ${wall})
      order by next_attempt_at, id limit ${limit} for update skip locked)
    returning id, organisation_id, idempotency_key, recipient_kind, recipient_id, channel_index, channel_kind, address,
      message_kind, text, payload, checkin_id, incident_id, due_at, attempts, next_attempt_at`.execute(tx)).rows;
  });
}

function toMessage(row: Claimed): OutgoingMessage {
  return {
    idempotencyKey: row.idempotency_key,
    organisationId: row.organisation_id,
    recipient: { kind: row.recipient_kind as RecipientKind, id: row.recipient_id },
    channel: row.channel_kind as ChannelKind,
    address: row.address,
    kind: row.message_kind,
    text: row.text,
    payload: row.payload,
    dueAt: row.due_at,
    readyAt: row.next_attempt_at,
  };
}

async function record(db: Db, outcomes: { row: Claimed; outcome: DeliveryResult }[], now: Date, result: SendBatchResult) {
  const sent = outcomes.filter((o) => o.outcome.status === "sent").map((o) => o.row.id);
  if (sent.length) {
    await db.updateTable("outbox").set({ status: "sent", sent_at: now, locked_until: null, attempts: sql`attempts + 1` })
      .where("id", "in", sent).execute();
    result.sent += sent.length;
  }
  // Messages retried together come back together (one jitter per attempt count and
  // wait), so a multicast chunk is re-formed the same and keeps its retry key.
  const retryAt = new Map<string, Date>();
  for (const { row, outcome } of outcomes) {
    if (outcome.status === "sent") continue;
    const attempts = row.attempts + 1;
    if (outcome.status === "retry" && attempts < MAX_ATTEMPTS) {
      const slot = `${attempts}:${outcome.retryAfterMs ?? 0}`;
      const at = retryAt.get(slot) ?? new Date(now.getTime() + backoffMs(attempts, outcome.retryAfterMs));
      retryAt.set(slot, at);
      await db.updateTable("outbox").set({ attempts, last_error: outcome.error, locked_until: null, next_attempt_at: at })
        .where("id", "=", row.id).execute();
      result.retried++;
      continue;
    }
    result.failed++;
    await failOver(db, row, attempts, outcome.error, now);
  }
}

/** A permanent failure moves the message to the recipient's next channel, if any. */
async function failOver(db: Db, row: Claimed, attempts: number, error: string, now: Date) {
  await db.transaction().execute(async (tx) => {
    await tx.updateTable("outbox").set({ status: "failed", attempts, last_error: error, locked_until: null })
      .where("id", "=", row.id).execute();
    const channels = await recipientChannels(tx as unknown as Db, row.recipient_kind as RecipientKind, row.recipient_id);
    const next = row.channel_index + 1;
    if (next < channels.length) {
      await tx.insertInto("outbox").values(outboxRow({
        organisationId: row.organisation_id,
        key: `${row.idempotency_key.split("#")[0]}#${next}`,
        recipient: { kind: row.recipient_kind as RecipientKind, id: row.recipient_id },
        channels,
        channelIndex: next,
        messageKind: row.message_kind,
        text: row.text,
        payload: row.payload,
        checkinId: row.checkin_id,
        incidentId: row.incident_id,
        dueAt: row.due_at,
        now,
      })).onConflict((oc) => oc.column("idempotency_key").doNothing()).execute();
    } else if (row.incident_id) {
      await tx.insertInto("incident_events").values(incidentEvent(row.organisation_id, row.incident_id, now, "delivery_failed", {
        recipient: { kind: row.recipient_kind, id: row.recipient_id }, channel: row.channel_kind, error,
      })).execute();
    }
  });
}
