/**
 * Applying stored inbound events (webhooks are stored first and answered at
 * once; the engine applies them here). A batch is applied in one transaction; if
 * it fails, each event is tried alone so one bad event cannot hold up the rest,
 * and an event that keeps failing is set aside with its error after a few tries.
 */
import type { Insertable } from "kysely";
import type { Db } from "../store/db.ts";
import { inTransaction } from "../store/db.ts";
import type { Database } from "../store/schema.ts";
import { GroupCommit } from "./group-commit.ts";
import type { InboundEvent, InboundHandler } from "./ports.ts";

export const MAX_INBOUND_ATTEMPTS = 5;

type Row = { id: string; organisation_id: string | null; provider: string; provider_event_id: string; payload: unknown; received_at: Date; attempts: number };

async function claim(tx: Db, limit: number, ids?: string[]): Promise<Row[]> {
  let q = tx.selectFrom("inbound").select(["id", "organisation_id", "provider", "provider_event_id", "payload", "received_at", "attempts"])
    .where("processed_at", "is", null).orderBy("received_at").orderBy("id").limit(limit).forUpdate().skipLocked();
  if (ids) q = q.where("id", "in", ids);
  return (await q.execute()) as Row[];
}

function toEvent(row: Row): InboundEvent {
  return { id: row.id, organisationId: row.organisation_id as string, providerEventId: row.provider_event_id, payload: row.payload, receivedAt: row.received_at };
}

async function applyAll(tx: Db, rows: Row[], handlers: Map<string, InboundHandler>, now: Date): Promise<void> {
  const events = rows.map((row) => ({ row, event: toEvent(row), handler: handlers.get(row.provider) }))
    .filter((e) => e.event.organisationId);
  events.sort((a, b) => (a.handler?.order && a.handler === b.handler ? a.handler.order(a.event, b.event) : 0));
  const done = new Set<string>();
  for (const handler of new Set(events.map((e) => e.handler))) {
    const mine = events.filter((e) => e.handler === handler).map((e) => e.event);
    if (handler?.applyBatch) for (const id of await handler.applyBatch(tx, mine, now)) done.add(id);
  }
  for (const { event, handler } of events) {
    if (handler && !done.has(event.id)) await handler.apply(tx, event, now);
  }
  await tx.updateTable("inbound").set({ processed_at: now }).where("id", "in", rows.map((r) => r.id)).execute();
}

export async function processInbound(db: Db, handlers: Map<string, InboundHandler>, now: Date, limit: number): Promise<number> {
  let claimedIds: string[] = [];
  try {
    return await inTransaction(db, async (tx) => {
      const rows = await claim(tx, limit);
      claimedIds = rows.map((r) => r.id);
      if (rows.length) await applyAll(tx, rows, handlers, now);
      return rows.length;
    });
  } catch (batchError) {
    if (claimedIds.length === 0) throw batchError;
    // One at a time, so the good ones go through and the bad one is counted.
    for (const id of claimedIds) {
      try {
        await inTransaction(db, async (tx) => {
          const rows = await claim(tx, 1, [id]);
          if (rows.length) await applyAll(tx, rows, handlers, now);
        });
      } catch (error) {
        const message = String((error as Error)?.message ?? error).slice(0, 1000);
        const row = await db.selectFrom("inbound").select("attempts").where("id", "=", id).executeTakeFirst();
        const attempts = (row?.attempts ?? 0) + 1;
        await db.updateTable("inbound").set({
          attempts, last_error: message, ...(attempts >= MAX_INBOUND_ATTEMPTS ? { processed_at: now } : {}),
        }).where("id", "=", id).execute();
      }
    }
    return claimedIds.length;
  }
}

export type InboundRow = Insertable<Database["inbound"]>;

/**
 * Stores webhook events durably before the webhook answers: concurrent requests
 * share one insert (group commit); a provider event id seen before is dropped.
 */
export class InboundIngest extends GroupCommit<InboundRow[], void> {
  constructor(db: Db) {
    super(async (requests) => {
      const rows = requests.flat();
      for (let i = 0; i < rows.length; i += 1000) {
        await db.insertInto("inbound").values(rows.slice(i, i + 1000))
          .onConflict((oc) => oc.columns(["provider", "provider_event_id", "organisation_id"]).doNothing()).execute();
      }
      return requests.map(() => undefined);
    });
  }
}
