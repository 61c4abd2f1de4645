/**
 * The directory's part in a member's export and erasure (engine/personal-data.ts
 * in the core explains the hook): its decision table covers EVERY directory table
 * (test/store/personal-data-tables.test.ts reads the live schema).
 *
 * The HSDS tables (migration 2000) describe providers, their services and their
 * own staff's contacts — the organisation's directory, not members — so they are
 * `none`, except the two that keep free text written by people about changes
 * (metadata, a provider's proposed changes), which are `scrub`.
 * `directory_services` must stay out of the scrub: its generated `search_text`
 * cannot be written.
 *
 * Each area of the directory that holds rows about members (needs, referrals,
 * volunteers' contacts, attendance) adds a `DirectoryPersonalDataPart` to
 * DIRECTORY_PERSONAL_DATA_PARTS; the hook composes them.
 */
import type { ExportRow, PersonalDataHook, TableDecision } from "../../engine/personal-data.ts";
import type { Db } from "../../store/db.ts";
import type { DirectoryTables } from "../store/schema.ts";
import { ATTENDANCE_PERSONAL_DATA } from "./attendance-personal-data.ts";
import { NEEDS_PERSONAL_DATA } from "./needs-personal-data.ts";
import { OFFER_LINKS_PERSONAL_DATA } from "./offer-links-personal-data.ts";
import { REFERRAL_LINKS_PERSONAL_DATA } from "./referral-links-personal-data.ts";
import { SETTINGS_PERSONAL_DATA } from "./settings.ts";

/** One area's share of the hook: its tables' decisions and, when it names members, its export and erasure. */
export interface DirectoryPersonalDataPart {
  tables: Readonly<Record<string, TableDecision>>;
  export?(tx: Db, organisationId: string, memberId: string): Promise<Record<string, ExportRow[]>>;
  erase?(tx: Db, organisationId: string, memberId: string): Promise<Record<string, number>>;
  terms?(tx: Db, organisationId: string, memberId: string): Promise<string[]>;
}

const PROVIDERS = "the directory of providers and services: the organisation's, about no member";

/** The HSDS core (migration 2000). */
export const HSDS_PERSONAL_DATA: DirectoryPersonalDataPart = {
  tables: {
    directory_organizations: { erasure: "none", why: `${PROVIDERS} (providers' names, websites, owners among staff)` },
    directory_services: { erasure: "none", why: `${PROVIDERS}; its generated search text cannot be scrubbed` },
    directory_locations: { erasure: "none", why: `${PROVIDERS} (where services are given)` },
    directory_addresses: { erasure: "none", why: `${PROVIDERS} (addresses of providers' premises)` },
    directory_service_at_locations: { erasure: "none", why: `${PROVIDERS} (which service is given where)` },
    directory_schedules: { erasure: "none", why: `${PROVIDERS} (opening hours and events)` },
    directory_closures: { erasure: "none", why: `${PROVIDERS} (holidays and closures)` },
    directory_service_areas: { erasure: "none", why: `${PROVIDERS} (areas served)` },
    directory_contacts: { erasure: "none", why: "providers' own staff as contacts of their services, not members" },
    directory_phones: { erasure: "none", why: "providers' and their staff's phone numbers, not members'" },
    directory_taxonomy_terms: { erasure: "none", why: "the organisation's taxonomy codes and names" },
    directory_attributes: { erasure: "none", why: "taxonomy codes attached to providers, services and locations" },
    directory_capacities: { erasure: "none", why: "counts of places available in services" },
    directory_metadata: { erasure: "scrub", why: "the history of changes keeps previous and new free-text values, which may quote someone" },
    directory_invitations: { erasure: "none", why: "links sent to providers to update their own entry (an e-mail of the provider's)" },
    directory_proposed_changes: { erasure: "scrub", why: "changes a provider proposed, in its own free text, which may quote someone" },
  } satisfies Record<keyof DirectoryTables, TableDecision>,
};

/** Every area's part; append one per area (needs and referrals, volunteers, attendance…). */
export const DIRECTORY_PERSONAL_DATA_PARTS: DirectoryPersonalDataPart[] = [
  HSDS_PERSONAL_DATA, NEEDS_PERSONAL_DATA, ATTENDANCE_PERSONAL_DATA, REFERRAL_LINKS_PERSONAL_DATA, SETTINGS_PERSONAL_DATA, OFFER_LINKS_PERSONAL_DATA,
];

/** The hook the composition root registers (service.ts, through context.ts). */
export const directoryPersonalData: PersonalDataHook = {
  name: "directory",
  get tables() {
    return Object.assign({}, ...DIRECTORY_PERSONAL_DATA_PARTS.map((p) => p.tables)) as Record<string, TableDecision>;
  },
  async terms(tx, organisationId, memberId) {
    const terms: string[] = [];
    for (const part of DIRECTORY_PERSONAL_DATA_PARTS) if (part.terms) terms.push(...await part.terms(tx, organisationId, memberId));
    return terms;
  },
  async export(tx, organisationId, memberId) {
    const sections: Record<string, ExportRow[]> = {};
    for (const part of DIRECTORY_PERSONAL_DATA_PARTS) if (part.export) Object.assign(sections, await part.export(tx, organisationId, memberId));
    return sections;
  },
  async erase(tx, organisationId, memberId) {
    const counts: Record<string, number> = {};
    for (const part of DIRECTORY_PERSONAL_DATA_PARTS) if (part.erase) Object.assign(counts, await part.erase(tx, organisationId, memberId));
    return counts;
  },
};
