/**
 * The directory's migrations, ids 2000–2999 (store/migrations.ts applies them
 * after the core's and the network's). Each helper file holds one; append in id
 * order. Numbering by area: 2000–2009 the HSDS core, 2010–2019 needs, matching,
 * volunteers and referrals, 2020+ calendar, attendance and the rest, 2040–2049 search and matching at scale, 2100–2109 contacts, phones and own taxonomy terms.
 */
import type { Migration } from "../../store/migrations.ts";
import { hsdsCoreMigration } from "./migrations/2000-hsds-core.ts";
import { metadataSubjectMigration } from "./migrations/2001-metadata-subject.ts";
import { needsAndReferralsMigration } from "./migrations/2010-needs-and-referrals.ts";
import { attendanceMigration } from "./migrations/2030-attendance.ts";
import { serviceTaxonomyCodesMigration } from "./migrations/2040-service-taxonomy-codes.ts";
import { attendanceDoorMigration } from "./migrations/2050-attendance-door.ts";
import { referralLinksMigration } from "./migrations/2060-referral-links.ts";
import { directorySettingsMigration } from "./migrations/2090-directory-settings.ts";
import { phonesOwnTermsMigration } from "./migrations/2100-phones-own-terms.ts";
import { volunteerOfferLinksMigration } from "./migrations/2110-volunteer-offer-links.ts";

export const DIRECTORY_MIGRATIONS: Migration[] = [
  hsdsCoreMigration,
  metadataSubjectMigration,
  needsAndReferralsMigration,
  attendanceMigration,
  serviceTaxonomyCodesMigration,
  attendanceDoorMigration,
  referralLinksMigration,
  directorySettingsMigration,
  phonesOwnTermsMigration,
  volunteerOfferLinksMigration,
];
