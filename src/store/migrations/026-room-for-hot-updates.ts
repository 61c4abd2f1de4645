/**
 * Room on the outbox's pages for the sender's lease (`locked_until`), an update that
 * changes no indexed column, so it can be a HOT (heap-only tuple) update: the new row
 * version stays on its page, no index gets a new entry, and the old version is pruned
 * the next time the page is read, with or without VACUUM (PostgreSQL docs, "Heap-Only
 * Tuples"; autovacuum is off on some servers). On pages packed full (fillfactor 100, the
 * default) each claim moved the row to another page and added an entry to each of the
 * outbox's indexes, the ready indexes included, so every later claim walked past one more
 * dead entry per message claimed (issue 9: 1.65 million dead rows at 1,000,000 members).
 * The check-ins and members are left packed: their updates set an indexed column
 * (`next_action_at`, `next_due_at`, `status`) and cannot be HOT. Applies to pages written from now on.
 */
import type { Migration } from "../migrations.ts";

export const roomForHotUpdatesMigration: Migration = {
  id: 26,
  name: "room-for-hot-updates",
  sql: "alter table outbox set (fillfactor = 70)",
};
