/**
 * Building outbox rows. Every outgoing message is a row with a deterministic
 * idempotency key derived from its cause, written in the same transaction as the
 * state change that caused it.
 */
import { type Insertable, sql } from "kysely";
import type { MessageKind, RecipientKind } from "../domain/messages.ts";
import { type TemplateChannel, templateChannelOf } from "../domain/templates.ts";
import { newId } from "../ids.ts";
import type { Db } from "../store/db.ts";
import type { ChannelAddress, Database } from "../store/schema.ts";

export type { RecipientKind } from "../domain/messages.ts";
export type OutboxRow = Insertable<Database["outbox"]>;

export interface OutboxMessage {
  organisationId: string;
  key: string;
  recipient: { kind: RecipientKind; id: string };
  channels: ChannelAddress[];
  channelIndex?: number;
  messageKind: MessageKind;
  /** The text, or the fallback of `textFor` (a channel without a template: the console, a phone prompt). */
  text: string;
  /**
   * The text for the channel the row goes out on, from the organisation's templates
   * (engine/templates.ts `composer`); undefined where that channel has no template.
   * A row moved to the recipient's next channel keeps the text of the first.
   */
  textFor?: (channel: TemplateChannel) => string | undefined;
  payload?: Record<string, unknown>;
  checkinId?: string | null;
  incidentId?: string | null;
  dueAt: Date;
  now: Date;
}

/** The address at `index`, or the console when the recipient has none. */
export function addressAt(channels: ChannelAddress[], index: number): { kind: string; address: string; index: number } {
  if (channels.length === 0) return { kind: "console", address: "", index: 0 };
  const i = Math.min(Math.max(index, 0), channels.length - 1);
  return { kind: channels[i].kind, address: channels[i].address, index: i };
}

export function outboxRow(m: OutboxMessage): OutboxRow {
  const target = addressAt(m.channels, m.channelIndex ?? 0);
  const channel = m.textFor ? templateChannelOf(target.kind) : null;
  const worded = channel && m.textFor ? m.textFor(channel) : undefined;
  // An SMS written as an SMS is sent whole, with its link (providers/twilio/sms.ts smsBody).
  const payload = worded !== undefined && channel === "sms" ? { ...(m.payload ?? {}), smsText: true } : (m.payload ?? {});
  return {
    id: newId(),
    organisation_id: m.organisationId,
    idempotency_key: m.key,
    recipient_kind: m.recipient.kind,
    recipient_id: m.recipient.id,
    channel_index: target.index,
    channel_kind: target.kind,
    address: target.address,
    message_kind: m.messageKind,
    text: worded ?? m.text,
    payload: JSON.stringify(payload),
    checkin_id: m.checkinId ?? null,
    incident_id: m.incidentId ?? null,
    due_at: m.dueAt,
    status: "pending",
    attempts: 0,
    next_attempt_at: m.now,
    created_at: m.now,
  };
}

/**
 * The key of a message without its delivery suffixes: `#n` (moved to the
 * recipient's n-th channel) and `~n` (the n-th call of an unanswered call).
 */
export function baseKey(key: string): string {
  return key.split("#")[0].split("~")[0];
}

/**
 * Insert outbox rows; a key written before is not written again. One statement
 * of column arrays (`unnest`) however many rows: a thousand prompts are 18
 * parameters, not 18,000 for the server to parse and bind.
 */
export async function enqueue(tx: Db, rows: OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof OutboxRow>(key: K) => rows.map((r) => r[key] ?? null);
  await sql`insert into outbox (id, organisation_id, idempotency_key, recipient_kind, recipient_id, channel_index, channel_kind,
      address, message_kind, text, payload, checkin_id, incident_id, due_at, status, attempts, next_attempt_at, created_at)
    select id, organisation_id, idempotency_key, recipient_kind, recipient_id, channel_index, channel_kind, address, message_kind, text,
      payload::jsonb, checkin_id, incident_id, due_at, status, attempts, next_attempt_at, created_at
    from unnest(${col("id")}::uuid[], ${col("organisation_id")}::uuid[], ${col("idempotency_key")}::text[],
      ${col("recipient_kind")}::text[], ${col("recipient_id")}::text[], ${col("channel_index")}::int[], ${col("channel_kind")}::text[],
      ${col("address")}::text[], ${col("message_kind")}::text[], ${col("text")}::text[],
      ${rows.map((r) => (typeof r.payload === "string" ? r.payload : JSON.stringify(r.payload ?? {})))}::text[],
      ${col("checkin_id")}::uuid[], ${col("incident_id")}::uuid[], ${col("due_at")}::timestamptz[], ${col("status")}::text[],
      ${rows.map((r) => r.attempts ?? 0)}::int[], ${col("next_attempt_at")}::timestamptz[], ${col("created_at")}::timestamptz[])
      as v(id, organisation_id, idempotency_key, recipient_kind, recipient_id, channel_index, channel_kind, address, message_kind, text,
        payload, checkin_id, incident_id, due_at, status, attempts, next_attempt_at, created_at)
    on conflict (idempotency_key, organisation_id) do nothing`.execute(tx);
}

/** Channels of recipients, looked up by kind and id. */
export async function recipientChannels(tx: Db, kind: RecipientKind, id: string): Promise<ChannelAddress[]> {
  if (kind === "line_user") return [{ kind: "line", address: id }];
  if (kind === "person" || kind === "report_subscription" || kind === "context") {
    // A person's messages name their one channel each (an invitation's e-mail, one on-duty channel): no fail-over among them.
    // A monthly report goes to the subscription's one address; a context's recipient has the one address its row names.
    return [];
  }
  const table = kind === "member" ? "members" : kind === "contact" ? "contacts" : kind === "team" ? "teams" : "groups";
  const row = await tx.selectFrom(table).select("channels").where("id", "=", id).executeTakeFirst();
  return (row?.channels as ChannelAddress[] | undefined) ?? [];
}
