/**
 * The sender claims urgent messages first (domain/messages.ts BULK_KINDS): an
 * index of the ready rows that are not bulk, so that claim walks only them.
 * Its predicate is the claim's own, literally (PostgreSQL uses a partial index
 * only when the query's condition implies it).
 */
import type { Migration } from "../migrations.ts";

export const URGENT_OUTBOX_PREDICATE = "status = 'pending' and message_kind not in ('prompt', 'broadcast', 'group_prompt', 'daily_summary')";

export const urgentOutboxMigration: Migration = {
  id: 17,
  name: "urgent-outbox",
  sql: `create index outbox_ready_urgent on outbox (next_attempt_at, id) where ${URGENT_OUTBOX_PREDICATE};`,
};
