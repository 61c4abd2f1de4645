/**
 * Receivers' links to referrals in a member's export and erasure (the
 * directory's hook composes this part; engine/personal-data.ts explains). Every
 * table of migration 2060 is listed (test/store/personal-data-tables.test.ts).
 */
import type { TableDecision } from "../../engine/personal-data.ts";
import type { DirectoryReferralLinkTables } from "../store/referral-links-schema.ts";
import type { DirectoryPersonalDataPart } from "./personal-data.ts";
import "../store/referral-links-schema.ts";

export const REFERRAL_LINKS_PERSONAL_DATA: DirectoryPersonalDataPart = {
  tables: {
    directory_referral_links: {
      erasure: "delete", why: "links given to the receiver of one of the member's referrals (when made, opened, revoked); they follow the referral (on delete cascade)",
      section: "directory_referral_links",
    },
  } satisfies Record<keyof DirectoryReferralLinkTables, TableDecision>,
  async export(tx, organisationId, memberId) {
    // The token's hash is a credential's: never exported.
    return {
      directory_referral_links: await tx.selectFrom("directory_referral_links as l")
        .innerJoin("directory_referrals as r", (j) => j.onRef("r.id", "=", "l.referral_id").onRef("r.organisation_id", "=", "l.organisation_id"))
        .select(["l.id", "l.referral_id", "l.created_by", "l.created_at", "l.expires_at", "l.revoked_at", "l.revoked_by", "l.last_opened_at"])
        .where("l.organisation_id", "=", organisationId).where("r.member_id", "=", memberId).orderBy("l.created_at").execute(),
    };
  },
};
