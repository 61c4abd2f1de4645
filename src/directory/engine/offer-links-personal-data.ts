/**
 * Offers' private links in a member's export and erasure (the directory's hook
 * composes this part; engine/personal-data.ts explains). Every table of
 * migration 2110 is listed (test/store/personal-data-tables.test.ts).
 */
import type { TableDecision } from "../../engine/personal-data.ts";
import type { DirectoryOfferLinkTables } from "../store/offer-links-schema.ts";
import type { DirectoryPersonalDataPart } from "./personal-data.ts";
import "../store/offer-links-schema.ts";
import "../store/needs-schema.ts";

export const OFFER_LINKS_PERSONAL_DATA: DirectoryPersonalDataPart = {
  tables: {
    directory_offer_links: {
      erasure: "delete",
      why: "links sent to volunteers without a login for requests about the member's needs (when made, opened, until when); they follow the request (on delete cascade)",
      section: "directory_offer_links",
    },
  } satisfies Record<keyof DirectoryOfferLinkTables, TableDecision>,
  async export(tx, organisationId, memberId) {
    // The token's hash is a credential's: never exported.
    return {
      directory_offer_links: await tx.selectFrom("directory_offer_links as l")
        .innerJoin("directory_volunteer_requests as r", (j) => j.onRef("r.id", "=", "l.request_id").onRef("r.organisation_id", "=", "l.organisation_id"))
        .innerJoin("directory_needs as n", (j) => j.onRef("n.id", "=", "r.need_id").onRef("n.organisation_id", "=", "r.organisation_id"))
        .select(["l.id", "l.request_id", "l.created_at", "l.expires_at", "l.last_opened_at"])
        .where("l.organisation_id", "=", organisationId).where("n.member_id", "=", memberId).orderBy("l.created_at").execute(),
    };
  },
};
