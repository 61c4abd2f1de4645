/**
 * Moving the sandbox's virtual clock. Time moves from one due instant to the next,
 * carrying out everything due at each before going on, so a jump of a day sends a
 * prompt at 09:00 and its re-send at 09:00 the next day, each stamped with its own
 * time, exactly as if the day had passed. Sending is part of "carrying out": a
 * chain starts when its prompt is accepted, so each instant's messages are sent at
 * that instant before time moves on.
 *
 * Also: reading back what the sandbox delivered (the sandbox contract's outbox).
 */
import type { Selectable } from "kysely";
import type { Db } from "../store/db.ts";
import type { Database } from "../store/schema.ts";
import type { SandboxClock } from "./clock.ts";
import type { Engine } from "./engine.ts";
import { nextDeadline } from "./phases.ts";

export async function advanceSandboxClock(db: Db, engine: Engine, clock: SandboxClock, target: Date, running: boolean): Promise<Date> {
  return engine.exclusive(async (control) => {
    await clock.refresh();
    if (target.getTime() < clock.now().getTime()) throw new RangeError("the sandbox clock never goes backwards");
    await control.runUntilIdle();
    for (;;) {
      const next = await nextDeadline(db, engine.deadlines, clock.now(), target);
      if (!next) break;
      await clock.set(next, false);
      await control.runUntilIdle();
    }
    await clock.set(target, running);
    await control.runUntilIdle();
    return clock.now();
  });
}

/**
 * What the sandbox delivered to the organisation, in delivery order: at most
 * `limit` messages after the cursor `since` (a delivery's `seq`, "0" from the start).
 */
export async function sandboxDeliveries(
  db: Db, organisationId: string, since: string, limit: number,
): Promise<Selectable<Database["sandbox_deliveries"]>[]> {
  return db.selectFrom("sandbox_deliveries").selectAll().where("organisation_id", "=", organisationId)
    .where("seq", ">", since).orderBy("seq").limit(limit).execute();
}
