/**
 * Delivery reports that arrive after the provider accepted a message: an SMS
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
