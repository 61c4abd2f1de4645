/**
 * The sender: claims ready outbox rows under a short lease, re-checks that each
 * is still needed (its cause may have closed since it was queued), hands the rest
 * to their channel with the idempotency key, then records the result. A crash
 * after the provider accepted a message but before we recorded it leaves the
 * lease to expire; the retry carries the same key, so the provider does not
 * deliver twice.
 *
 * A message counts as sent only when a provider accepted it. A prompt accepted
 * means the member was asked: its check-in's chain starts then. A recipient no
 * channel could reach is a failed delivery that moves on at once (issue 8).
 */
import { type RawBuilder, type Selectable, sql } from "kysely";
import { isBulk } from "../domain/messages.ts";
import { URGENT_OUTBOX_PREDICATE } from "../store/migrations/017-urgent-outbox.ts";
import { type Db, inTransaction, preferIndexWalks } from "../store/db.ts";
import type { ChannelKind, Database } from "../store/schema.ts";
import { checkCauses, writeCancellations } from "./causes.ts";
import { baseKey, outboxRow, recipientChannels, type RecipientKind } from "./outbox.ts";
import { reserveSlots, SLOT_MARGIN, slotIntervalMs } from "./pacing.ts";
import type { Channel, ChannelRegistry, DeliveryErrorCode, DeliveryResult, OutgoingMessage } from "./ports.ts";
import { markAsked, recordChannelHealth, undeliverable } from "./undeliverable.ts";

/**
 * A passing failure (a provider's 5xx, a timeout, a rate limit) is retried until
 * the message is this old, so a provider outage of several hours delays a message
 * but does not lose it; after that it fails on this channel and moves on.
 */
export const RETRY_WINDOW_MS = 12 * 3_600_000;

export interface SendBatchResult {
  claimed: number;
  sent: number;
  retried: number;
  /** Failed on a channel (the recipient's next channel is tried). */
  failed: number;
  /** Not sent: their cause was gone. */
  cancelled: number;
  /** Recipients no channel could reach (after the last channel failed), for the log. */
  undeliverable: UndeliverableNote[];
}

/** A recipient nobody could reach: logged at warn by the engine. */
export interface UndeliverableNote {
  organisationId: string;
  recipient: { kind: string; id: string };
  kind: string;
  channel: string;
  code: DeliveryErrorCode | null;
  error: string;
}

const emptyResult = (): SendBatchResult => ({ claimed: 0, sent: 0, retried: 0, failed: 0, cancelled: 0, undeliverable: [] });

/** Add a later part of a batch (capped messages sent at their slots) to its result. */
function addResults(a: SendBatchResult, b: SendBatchResult): SendBatchResult {
  return {
    claimed: a.claimed + b.claimed, sent: a.sent + b.sent, retried: a.retried + b.retried, failed: a.failed + b.failed,
    cancelled: a.cancelled + b.cancelled, undeliverable: [...a.undeliverable, ...b.undeliverable],
  };
}

/** Exponential backoff with jitter: 10 s, 20 s, 40 s … capped at 15 minutes, so an outage's end is noticed soon. */
export function backoffMs(attempts: number, retryAfterMs?: number): number {
  const exp = Math.min(900_000, 10_000 * 2 ** Math.max(0, attempts - 1));
  return Math.max(retryAfterMs ?? 0, exp * (0.8 + Math.random() * 0.4));
}

/** How far ahead a sender claims messages that have a send slot, and waits for the slot itself. */
export const SLOT_LOOKAHEAD_MS = 1000;
/** How long before a capped message's slot the sender checks it was not cancelled meanwhile. */
const CAUSE_CHECK_AHEAD_MS = 50;
/** Time given to set a capped message off (timers, the provider client) before its slot. */
const SLOT_SETUP_MS = 20;

type Claimed = Pick<Selectable<Database["outbox"]>,
  "id" | "organisation_id" | "idempotency_key" | "recipient_kind" | "recipient_id" | "channel_index" | "channel_kind" | "address" |
  "message_kind" | "text" | "payload" | "checkin_id" | "incident_id" | "due_at" | "attempts" | "next_attempt_at" | "slot_at" |
  "created_at">;

/** A claimed row and, for a rate-capped channel, the instant it may go and the cap. */
type Ready = { row: Claimed; sendAt?: Date; rate?: number };

/** This process's latest hand-overs per capped organisation and channel (wall ms, oldest first). */
const handedOver = new Map<string, number[]>();

/**
 * Wait until one more hand-over keeps at most n = ⌊rate⌋ (at least 1) within any
 * window of n/rate seconds widened by half the slot margin. A message on time for
 * its slot never waits here (slots are a whole margin apart). One whose slot passed
 * while the sender was busy (a slow batch, a pause of the event loop) would
 * otherwise go at once, bunched with the next ones, and the provider would see more
 * than the cap within a second; the other half of the margin lets a late sequence
 * catch up and absorbs network jitter.
 */
async function capGuard(key: string, rate: number): Promise<void> {
  const n = Math.max(1, Math.floor(rate));
  const window = ((n * 1000) / rate) * (1 + SLOT_MARGIN) / 2;
  const recent = handedOver.get(key) ?? [];
  handedOver.set(key, recent);
  // And never two closer than half a slot: late messages are let out spaced, not in a burst.
  const minGap = slotIntervalMs(rate) / 2;
  for (;;) {
    // wall-clock: the provider's rate cap counts real seconds between hand-overs.
    const full = recent.length < n ? 0 : recent[recent.length - n] + window - Date.now();
    const close = recent.length ? (recent.at(-1) as number) + minGap - Date.now() : 0;
    const wait = Math.max(full, close);
    if (wait <= 0) break;
    await new Promise((r) => setTimeout(r, wait));
  }
  // wall-clock: the hand-over's real instant, for the rate cap above.
  recent.push(Date.now());
  if (recent.length > n) recent.splice(0, recent.length - n);
}

export interface Pacing {
  /**
   * Capped messages whose slot is further away are released to wait for it. A
   * frozen sandbox clock never reaches a slot, so it passes Infinity and the batch
   * waits out its slots in real time instead.
   */
  lookaheadMs: number;
  /**
   * Hand capped messages waiting for their slot to the caller to track, and return
   * without waiting for them, so the next batch is claimed while they wait and no
   * slot is missed because a batch was still busy. They record their own results.
   */
  inBackground?: (sending: Promise<SendBatchResult>) => void;
}

/**
 * Runs a claim when no other claim of this process is running. The engine's two
 * sending loops wake together (a nudge): claiming at the same instant, SKIP LOCKED
 * split the ready messages between them, and a broadcast to 1,200 LINE members went
 * as four multicasts instead of three (the CI run of 2026-12-02). In turn, the first
 * takes a whole batch and the second the rest. Other processes still claim beside it.
 */
export type ClaimTurn = <T>(claim: () => Promise<T>) => Promise<T>;

/** A ClaimTurn for the sending loops of one process: each claim starts when the one before it has settled. */
export function claimsInTurn(): ClaimTurn {
  let last: Promise<unknown> = Promise.resolve();
  return (claim) => {
    const turn = last.then(claim, claim);
    last = turn.catch(() => undefined);
    return turn;
  };
}

export async function sendReady(
  db: Db, channels: ChannelRegistry, now: Date, limit: number, leaseMs: number, pacing: Pacing = { lookaheadMs: SLOT_LOOKAHEAD_MS },
  inTurn: ClaimTurn = (claim) => claim(),
): Promise<SendBatchResult> {
  const { wall, all } = await inTurn(async () => {
    // wall-clock: leases and slot waits are real time (a lease must expire even while the sandbox clock stands still).
    const wall = new Date();
    return { wall, all: await claimReady(db, now, wall, limit, leaseMs) };
  });
  const result = { ...emptyResult(), claimed: all.length };
  if (all.length === 0) return result;
  const claimed = await keepNeeded(db, all, now, result);

  // UPDATE … RETURNING does not keep the subquery's order: restore it, urgent first, so
  // messages due together go out in the order they were written.
  claimed.sort((a, b) => Number(isBulk(a.message_kind)) - Number(isBulk(b.message_kind)) ||
    a.due_at.getTime() - b.due_at.getTime() || (a.id < b.id ? -1 : 1));
  const ready = await pace(db, channels, claimed, now, wall, pacing.lookaheadMs);
  const sendAt = (i: Ready) => (i.sendAt as Date).getTime() - now.getTime() + wall.getTime();
  const uncapped = ready.filter((i) => !i.sendAt);
  const capped = ready.filter((i) => i.sendAt).sort((a, b) => sendAt(a) - sendAt(b));
  const timed = sendCapped(db, channels, capped, sendAt, now);
  const outcomes: { row: Claimed; outcome: DeliveryResult }[] = [];
  await Promise.all([...groupByChannel(channels, uncapped)].map(([channel, rows]) => deliver(channel, rows, now, outcomes)));
  await record(db, outcomes, now, result);
  if (pacing.inBackground && capped.length) {
    pacing.inBackground(timed);
    return result;
  }
  return addResults(result, await timed);
}

/**
 * The claimed rows whose cause still holds; the others are cancelled (counted in
 * `result.cancelled`) in the same transaction. The facts are read by index: a batch
 * of 2,000 ids is a large share of a town's members, and the planner's sequential
 * scan of `members` for it took ~35 ms at 100,000 members against a few ms by key.
 */
async function keepNeeded(db: Db, rows: Claimed[], now: Date, result: SendBatchResult): Promise<Claimed[]> {
  return inTransaction(db, async (tx) => {
    await preferIndexWalks(tx);
    const { needed, cancelled } = await checkCauses(tx, rows, now);
    if (cancelled.length) await writeCancellations(tx, cancelled, now);
    result.cancelled = cancelled.length;
    return needed;
  });
}

function groupByChannel(channels: ChannelRegistry, items: Ready[]): Map<Channel, Claimed[]> {
  const byChannel = new Map<Channel, Claimed[]>();
  for (const { row } of items) {
    const channel = channels.forKind(row.channel_kind);
    const list = byChannel.get(channel) ?? [];
    list.push(row);
    byChannel.set(channel, list);
  }
  return byChannel;
}

/**
 * Each capped message goes at its own slot (in wall time: claiming and pacing
 * took a while), never bunched with others, and its result is recorded.
 */
async function sendCapped(
  db: Db, channels: ChannelRegistry, capped: Ready[], sendAt: (i: Ready) => number, now: Date,
): Promise<SendBatchResult> {
  const result = emptyResult();
  if (capped.length === 0) return result;
  const outcomes: { row: Claimed; outcome: DeliveryResult }[] = [];
  const until = async (at: number) => {
    // wall-clock: sleeping until a slot is real time (slots are converted to wall time when claimed).
    const wait = at - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  };
  await Promise.all(capped.map(async (i) => {
    // Its cause may have closed while it waited for its slot (an answer, an acknowledgement):
    // looked up just ahead of the slot, so the look-up does not make the call late.
    await until(sendAt(i) - CAUSE_CHECK_AHEAD_MS);
    if (!(await stillPending(db, i.row.id))) {
      result.cancelled++;
      return;
    }
    await until(sendAt(i));
    if (i.rate) await capGuard(`${i.row.organisation_id}|${i.row.channel_kind}`, i.rate);
    await deliver(channels.forKind(i.row.channel_kind), [i.row], now, outcomes);
  }));
  await record(db, outcomes, now, result);
  return result;
}

async function deliver(channel: Channel, rows: Claimed[], now: Date, outcomes: { row: Claimed; outcome: DeliveryResult }[]) {
  if (rows.length === 0) return;
  let results: DeliveryResult[];
  try {
    results = await channel.send(rows.map(toMessage), now);
  } catch (error) {
    results = rows.map(() => ({ status: "retry", error: String((error as Error)?.message ?? error) }));
  }
  for (const [i, row] of rows.entries()) outcomes.push({ row, outcome: results[i] ?? { status: "retry", error: "no result" } });
}

/**
 * Give rows of rate-capped channels their send slots. Those whose slot falls
 * within the look-ahead go in this batch; the rest are released to wait for
 * their slot (not an attempt), so other messages due now are not held up.
 */
async function pace(
  db: Db, channels: ChannelRegistry, claimed: Claimed[], now: Date, wall: Date, lookaheadMs: number,
): Promise<Ready[]> {
  const ready: Ready[] = [];
  const toSlot = new Map<string, { kind: string; organisationId: string; rate: number; rows: Claimed[] }>();
  const rates = new Map<string, number | undefined>();
  for (const row of claimed) {
    const channel = channels.forKind(row.channel_kind);
    const key = `${row.organisation_id}|${row.channel_kind}`;
    if (!rates.has(key)) rates.set(key, await channel.ratePerSecond?.(row.organisation_id));
    const rate = rates.get(key);
    if (row.slot_at) {
      ready.push({ row, sendAt: row.slot_at, ...(rate ? { rate } : {}) });
      continue;
    }
    if (!rate) {
      ready.push({ row });
      continue;
    }
    const group = toSlot.get(key) ?? { kind: row.channel_kind, organisationId: row.organisation_id, rate, rows: [] };
    group.rows.push(row);
    toSlot.set(key, group);
  }
  const waiting: { id: string; slot: Date }[] = [];
  for (const group of toSlot.values()) {
    // The first free slot is counted from the time it is now (claiming and pacing take a
    // while), so the first messages are not late for their slots and bunched.
    // wall-clock: the real time spent since the claim, added to the decision's `now`.
    const from = new Date(now.getTime() + (Date.now() - wall.getTime()) + SLOT_SETUP_MS);
    const slots = await reserveSlots(db, group.organisationId, group.kind, group.rows.length, group.rate, from);
    for (const [i, row] of group.rows.entries()) {
      if (slots[i].getTime() <= now.getTime() + lookaheadMs) ready.push({ row, sendAt: slots[i], rate: group.rate });
      else waiting.push({ id: row.id, slot: slots[i] });
    }
  }
  if (waiting.length) {
    await sql`update outbox set slot_at = v.slot, next_attempt_at = v.slot, locked_until = null
      from (select unnest(${waiting.map((w) => w.id)}::uuid[]) as id, unnest(${waiting.map((w) => w.slot)}::timestamptz[]) as slot) v
      where outbox.id = v.id`.execute(db);
  }
  return ready;
}

/** Whether a claimed row is still to be sent (not cancelled by a closing transaction meanwhile). */
async function stillPending(db: Db, id: string): Promise<boolean> {
  const row = await db.selectFrom("outbox").select("status").where("id", "=", id).executeTakeFirst();
  return row?.status === "pending";
}

/**
 * Claim up to `limit` ready rows under a lease: the urgent ones first (every
 * kind but BULK_KINDS, through their own index), then the oldest of the rest.
 */
async function claimReady(db: Db, now: Date, wall: Date, limit: number, leaseMs: number): Promise<Claimed[]> {
  return db.transaction().execute(async (tx) => {
    await preferIndexWalks(tx as unknown as Db);
    const urgent = await claimWhere(tx as unknown as Db, sql.raw(URGENT_OUTBOX_PREDICATE), now, wall, limit, leaseMs);
    if (urgent.length >= limit) return urgent;
    // The urgent rows just claimed hold a lease now: the second claim passes over them.
    return [...urgent, ...await claimWhere(tx as unknown as Db, sql`status = 'pending'`, now, wall, limit - urgent.length, leaseMs)];
  });
}

async function claimWhere(tx: Db, ready: RawBuilder<unknown>, now: Date, wall: Date, limit: number, leaseMs: number): Promise<Claimed[]> {
  return (await sql<Claimed>`
    update outbox set locked_until = ${new Date(wall.getTime() + leaseMs)}
    where id in (
      select id from outbox where ${ready} and next_attempt_at <= ${new Date(now.getTime() + SLOT_LOOKAHEAD_MS)}
        and (next_attempt_at <= ${now} or slot_at is not null)
        and (locked_until is null or locked_until < ${wall})
      order by next_attempt_at, id limit ${limit} for update skip locked)
    returning id, organisation_id, idempotency_key, recipient_kind, recipient_id, channel_index, channel_kind, address,
      message_kind, text, payload, checkin_id, incident_id, due_at, attempts, next_attempt_at, slot_at, created_at`.execute(tx)).rows;
}

function toMessage(row: Claimed): OutgoingMessage {
  return {
    outboxId: row.id,
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
  const sent = outcomes.filter((o) => o.outcome.status === "sent");
  if (sent.length) {
    const providerIds = sent.map((o) => (o.outcome.status === "sent" ? o.outcome.providerId ?? null : null));
    // A prompt or re-send accepted: the member was asked, and its chain starts now.
    const asked = sent.filter((o) => o.row.checkin_id && (o.row.message_kind === "prompt" || o.row.message_kind === "resend"))
      .map((o) => o.row.checkin_id as string);
    await inTransaction(db, async (tx) => {
      // By key, row by row: the outbox and check-ins grow faster than their statistics, and
      // without them the planner hash-joined each batch against a sequential scan of the
      // whole table (~130 ms per batch of 1,600 at 100,000 members, bench 2026-12-02).
      await preferIndexWalks(tx);
      await sentUpdate(sent.map((o) => o.row.id), providerIds, now).execute(tx);
      await markAsked(tx, [...new Set(asked)], now);
    });
    result.sent += sent.length;
  }
  await recordChannelHealth(db, outcomes, now);
  // Messages retried together come back together (one jitter per attempt count and
  // wait), so a multicast chunk is re-formed the same and keeps its retry key.
  const retryAt = new Map<string, Date>();
  for (const { row, outcome } of outcomes) {
    if (outcome.status === "sent") continue;
    const attempts = row.attempts + 1;
    if (outcome.status === "retry" && now.getTime() - row.created_at.getTime() < RETRY_WINDOW_MS) {
      const slot = `${attempts}:${outcome.retryAfterMs ?? 0}`;
      const at = retryAt.get(slot) ?? new Date(now.getTime() + backoffMs(attempts, outcome.retryAfterMs));
      retryAt.set(slot, at);
      // A capped message waits for a new slot when its retry comes due.
      await db.updateTable("outbox").set({ attempts, last_error: outcome.error, locked_until: null, next_attempt_at: at, slot_at: null })
        .where("id", "=", row.id).execute();
      result.retried++;
      continue;
    }
    result.failed++;
    const code = outcome.status === "failed" ? outcome.code ?? null : null;
    const last = await inTransaction(db, async (tx) => {
      await tx.updateTable("outbox").set({ status: "failed", attempts, last_error: outcome.error, error_code: code, locked_until: null })
        .where("id", "=", row.id).execute();
      return failOver(tx, row, outcome.error, now, code);
    });
    if (last) {
      result.undeliverable.push({
        organisationId: row.organisation_id, recipient: { kind: row.recipient_kind, id: row.recipient_id }, kind: row.message_kind,
        channel: row.channel_kind, code, error: outcome.error,
      });
    }
  }
}

/** Mark outbox rows sent, with each one's provider id where the provider gave one (`providerIds[i]` for `ids[i]`). */
export function sentUpdate(ids: string[], providerIds: (string | null)[], now: Date): RawBuilder<unknown> {
  return sql`update outbox set status = 'sent', sent_at = ${now}, locked_until = null, attempts = attempts + 1,
      provider_id = coalesce(v.provider_id, outbox.provider_id)
    from (select unnest(${ids}::uuid[]) as id, unnest(${providerIds}::text[]) as provider_id) v
    where outbox.id = v.id`;
}

export type FailedRow = Pick<Selectable<Database["outbox"]>,
  "organisation_id" | "idempotency_key" | "recipient_kind" | "recipient_id" | "channel_index" | "channel_kind" |
  "message_kind" | "text" | "payload" | "checkin_id" | "incident_id" | "due_at">;

/**
 * A message that cannot reach its recipient on this channel (refused, bounced,
 * undelivered, a call nobody answered) moves to the recipient's next channel; with
 * none left, the recipient is undeliverable (see undeliverable.ts): on the
 * timeline, the alert moves on at once, an unreachable member is raised to the team.
 * Runs inside the caller's transaction (the row is already marked failed).
 * `code` (ports.ts DeliveryErrorCode), when the channel gave one, goes on the timeline's `delivery_failed`.
 * Returns true when no channel was left.
 */
export async function failOver(tx: Db, row: FailedRow, error: string, now: Date, code: DeliveryErrorCode | null = null): Promise<boolean> {
  const channels = await recipientChannels(tx, row.recipient_kind as RecipientKind, row.recipient_id);
  const next = row.channel_index + 1;
  if (next < channels.length) {
    await tx.insertInto("outbox").values(outboxRow({
      organisationId: row.organisation_id,
      key: `${baseKey(row.idempotency_key)}#${next}`,
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
    })).onConflict((oc) => oc.columns(["idempotency_key", "organisation_id"]).doNothing()).execute();
    return false;
  }
  await undeliverable(tx, row, error, now, code);
  return true;
}
