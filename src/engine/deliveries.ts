/**
 * Deliveries: the list of messages that did not go out, and delivery reports
 * that arrive after the provider accepted a message: an SMS
 * that was undelivered, an e-mail that bounced later. The message is marked
 * failed and moves to the recipient's next channel (and, for an alert with no
 * channel left, the incident's timeline says so). Repeated reports change
 * nothing more.
 */
import type { Selectable } from "kysely";
import { type Db, inTransaction } from "../store/db.ts";
import type { Database } from "../store/schema.ts";
import { failOver } from "./sender.ts";

type OutboxRow = Selectable<Database["outbox"]>;

async function markFailedIn(tx: Db, row: OutboxRow, outcome: string, error: string, now: Date): Promise<void> {
  if (row.status === "failed") return;
  await tx.updateTable("outbox").set({ status: "failed", outcome, last_error: error }).where("id", "=", row.id).execute();
  await failOver(tx, row, error, now);
}

/** Twilio's SMS status callback, for the outbox row its address names. */
export async function smsStatus(
  db: Db, organisationId: string, outboxId: string, input: { status: string; errorCode?: string }, now: Date,
): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const row = await tx.selectFrom("outbox").selectAll().where("id", "=", outboxId).where("organisation_id", "=", organisationId)
      .forUpdate().executeTakeFirst();
    if (!row) return false;
    if (input.status === "delivered") {
      if (row.status === "sent") await tx.updateTable("outbox").set({ outcome: "delivered" }).where("id", "=", row.id).execute();
    } else if (input.status === "failed" || input.status === "undelivered") {
      await markFailedIn(tx, row, input.status, `sms ${input.status}${input.errorCode ? ` (${input.errorCode})` : ""}`, now);
    }
    return true;
  });
}

/** A bounce reported later (by the mail server's DSN, or a mail provider's webhook), by the mail's Message-ID. */
export async function emailBounced(
  db: Db, organisationId: string, messageId: string, reason: string, now: Date,
): Promise<"failed" | "not_found"> {
  return inTransaction(db, async (tx) => {
    const row = await tx.selectFrom("outbox").selectAll().where("organisation_id", "=", organisationId)
      .where("provider_id", "=", messageId).where("channel_kind", "=", "email").forUpdate().executeTakeFirst();
    if (!row) return "not_found";
    await markFailedIn(tx, row, "bounced", `email bounced: ${reason}`.slice(0, 500), now);
    return "failed";
  });
}

/** A message that ended failed or cancelled, with what says why. */
export type EndedDelivery = Pick<OutboxRow,
  "id" | "recipient_kind" | "recipient_id" | "channel_kind" | "message_kind" | "outcome" | "last_error" | "error_code" | "cancel_reason" |
  "attempts" | "created_at" | "incident_id" | "checkin_id" | "payload">;

/**
 * The organisation's messages in one end state, newest first, at most `limit`:
 * `failed` (with the provider's code) or `cancelled` (with the reason). With
 * `memberId`, only those to that member or about them (an alert names its member).
 */
export async function listEnded(
  db: Db, organisationId: string, status: "failed" | "cancelled", filter: { limit: number; memberId?: string },
): Promise<EndedDelivery[]> {
  let q = db.selectFrom("outbox")
    .select(["id", "recipient_kind", "recipient_id", "channel_kind", "message_kind", "outcome", "last_error", "error_code",
      "cancel_reason", "attempts", "created_at", "incident_id", "checkin_id", "payload"])
    .where("organisation_id", "=", organisationId).where("status", "=", status)
    .orderBy("created_at", "desc").orderBy("id", "desc").limit(filter.limit);
  const { memberId } = filter;
  if (memberId) {
    q = q.where((eb) => eb.or([
      eb.and([eb("recipient_kind", "=", "member"), eb("recipient_id", "=", memberId)]),
      eb(eb.ref("payload", "->>").key("memberId" as never), "=", memberId),
    ]));
  }
  return q.execute();
}
