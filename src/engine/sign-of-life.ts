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

/**
 * Takes back a sign of life recorded by mistake (an attendance un-ticked): when
 * the member's latest sign of life is still exactly `s` (same instant and
 * source), it becomes `replacement` (an earlier one from the same source that
 * stands, or none). A later sign of life from anywhere is left alone. A check-in
 * already satisfied by it stays answered: the scheduler decided at its due time
 * and history is not rewritten (the caller tells staff). In the caller's
 * transaction; returns whether it was taken back.
 */
export async function withdrawSignOfLife(tx: Db, s: SignOfLife, replacement: Date | null): Promise<boolean> {
  const result = await tx.updateTable("members")
    .set({ last_sign_of_life_at: replacement, last_sign_of_life_source: replacement ? s.source : null })
    .where("organisation_id", "=", s.organisationId).where("id", "=", s.memberId)
    .where("last_sign_of_life_at", "=", s.at).where("last_sign_of_life_source", "=", s.source)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
