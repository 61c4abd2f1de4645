/**
 * Recording a sign of life that is not an answer (an extension point of the core:
 * a context — the regional network's devices — calls it; the core knows only the
 * time and a source code). The scheduler honours it (scheduler.ts, domain/sign-of-life.ts).
 */
import type { Db } from "../store/db.ts";

export interface SignOfLife {
  organisationId: string;
  memberId: string;
  /** When the activity happened. */
  at: Date;
  /** Where it came from, a code ("device"). */
  source: string;
}

/** Keeps the latest sign of life of the member (an older one changes nothing). In the caller's transaction. */
export async function recordSignOfLife(tx: Db, s: SignOfLife): Promise<void> {
  await tx.updateTable("members")
    .set({ last_sign_of_life_at: s.at, last_sign_of_life_source: s.source })
    .where("organisation_id", "=", s.organisationId).where("id", "=", s.memberId)
    .where((eb) => eb.or([eb("last_sign_of_life_at", "is", null), eb("last_sign_of_life_at", "<", s.at)]))
    .execute();
}
