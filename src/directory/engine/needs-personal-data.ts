/**
 * Needs, volunteers and referrals in a member's export and erasure (the
 * directory's hook composes this part; engine/personal-data.ts explains). Every
 * table of migration 2010 is listed (test/store/personal-data-tables.test.ts).
 */
import type { TableDecision } from "../../engine/personal-data.ts";
import type { DirectoryNeedsTables } from "../store/needs-schema.ts";
import type { DirectoryPersonalDataPart } from "./personal-data.ts";
import "../store/needs-schema.ts";

export const NEEDS_PERSONAL_DATA: DirectoryPersonalDataPart = {
  tables: {
    directory_needs: { erasure: "delete", why: "the member's needs (困りごと), with staff's notes and where they were found", section: "directory_needs" },
    directory_volunteer_requests: { erasure: "delete", why: "requests to volunteers about the member's needs follow their need (on delete cascade)" },
    directory_volunteer_contacts: { erasure: "delete", why: "volunteers' contacts with the member, with notes", section: "directory_volunteer_contacts" },
    directory_referrals: { erasure: "delete", why: "the member's referrals to providers, with notes and what was shared", section: "directory_referrals" },
    directory_referral_events: { erasure: "delete", why: "a referral's history follows its referral (on delete cascade)" },
    directory_volunteers: { erasure: "scrub", why: "volunteers are not members, but their note is free text that may name one" },
  } satisfies Record<keyof DirectoryNeedsTables, TableDecision>,
  async export(tx, organisationId, memberId) {
    const needs = await tx.selectFrom("directory_needs").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
      .orderBy("created_at").execute();
    const referrals = await tx.selectFrom("directory_referrals").selectAll().where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
      .orderBy("created_at").execute();
    return {
      directory_needs: needs,
      directory_volunteer_requests: needs.length === 0 ? [] : await tx.selectFrom("directory_volunteer_requests").selectAll()
        .where("organisation_id", "=", organisationId).where("need_id", "in", needs.map((n) => n.id)).orderBy("offered_at").execute(),
      directory_volunteer_contacts: await tx.selectFrom("directory_volunteer_contacts").selectAll().where("organisation_id", "=", organisationId)
        .where("member_id", "=", memberId).orderBy("contacted_at").execute(),
      directory_referrals: referrals,
      directory_referral_events: referrals.length === 0 ? [] : await tx.selectFrom("directory_referral_events").selectAll()
        .where("organisation_id", "=", organisationId).where("referral_id", "in", referrals.map((r) => r.id)).orderBy("at").execute(),
    };
  },
  async erase(tx, organisationId, memberId) {
    const counts: Record<string, number> = {};
    // Needs take their requests (cascade); referrals take their events. The member row may stay as a tombstone, so nothing relies on its cascade.
    for (const table of ["directory_referrals", "directory_volunteer_contacts", "directory_needs"] as const) {
      const result = await tx.deleteFrom(table).where("organisation_id", "=", organisationId).where("member_id", "=", memberId).executeTakeFirst();
      counts[table] = Number(result.numDeletedRows);
    }
    return counts;
  },
};
