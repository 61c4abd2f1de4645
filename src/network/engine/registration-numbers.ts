/** Registration numbers: the member a number in use names (reports, keyholder lookups, the finder's call). */
import type { Db } from "../../store/db.ts";
import { normaliseRegistrationNumber } from "../domain/registration-numbers.ts";
import "../store/schema.ts";

/** The member whose number in use this is, in this organisation; undefined when none (or withdrawn). */
export async function memberByRegistrationNumber(db: Db, organisationId: string, number: string): Promise<string | undefined> {
  const row = await db.selectFrom("network_registration_numbers").select("member_id")
    .where("organisation_id", "=", organisationId).where("number", "=", normaliseRegistrationNumber(number))
    .where("withdrawn_at", "is", null).executeTakeFirst();
  return row?.member_id;
}
