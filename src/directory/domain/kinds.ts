/**
 * The directory's kinds and states (HSDS 3.1 enums and ours), as unions: the
 * tables' check constraints (migration 2000), the engine, the routes and the
 * console share these lists.
 */

/** HSDS service status (service.json `status` enum). */
export const DIRECTORY_SERVICE_STATUSES = ["active", "inactive", "defunct", "temporarily closed"] as const;
export type DirectoryServiceStatus = (typeof DIRECTORY_SERVICE_STATUSES)[number];

/** HSDS location_type and address_type. */
export const DIRECTORY_LOCATION_TYPES = ["physical", "postal", "virtual"] as const;
export type DirectoryLocationType = (typeof DIRECTORY_LOCATION_TYPES)[number];

/** Opening hours, or an event (a salon every second Tuesday, a one-off health talk). */
export const DIRECTORY_SCHEDULE_KINDS = ["opening_hours", "event"] as const;
export type DirectoryScheduleKind = (typeof DIRECTORY_SCHEDULE_KINDS)[number];

/** HSDS 3.1 schedule.json `freq`: only these two. */
export const DIRECTORY_SCHEDULE_FREQS = ["WEEKLY", "MONTHLY"] as const;
export type DirectoryScheduleFreq = (typeof DIRECTORY_SCHEDULE_FREQS)[number];

export const DIRECTORY_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type DirectoryWeekday = (typeof DIRECTORY_WEEKDAYS)[number];

/** 年末年始, a public holiday, or anything else (renovation, illness). */
export const DIRECTORY_CLOSURE_KINDS = ["year_end", "holiday", "ad_hoc"] as const;
export type DirectoryClosureKind = (typeof DIRECTORY_CLOSURE_KINDS)[number];

/** Where a service is offered: everywhere the organisation covers, a team's area, a postal code, a town (町名). */
export const DIRECTORY_AREA_KINDS = ["whole", "team", "postal_code", "town"] as const;
export type DirectoryAreaKind = (typeof DIRECTORY_AREA_KINDS)[number];

/** HSDS phone.json `type`. */
export const DIRECTORY_PHONE_TYPES = ["text", "voice", "fax", "cell", "video", "pager", "textphone"] as const;
export type DirectoryPhoneType = (typeof DIRECTORY_PHONE_TYPES)[number];

/** What an attribute (a taxonomy code) is attached to (HSDS attribute.link_entity). */
export const DIRECTORY_LINK_ENTITIES = ["organization", "service", "location", "service_at_location"] as const;
export type DirectoryLinkEntity = (typeof DIRECTORY_LINK_ENTITIES)[number];

/** The records whose changes directory_metadata keeps (HSDS metadata.resource_type). */
export const DIRECTORY_RESOURCE_TYPES = [
  "organization", "service", "location", "address", "service_at_location", "schedule", "closure", "service_area", "contact", "phone",
  "taxonomy_term", "attribute", "service_capacity",
] as const;
export type DirectoryResourceType = (typeof DIRECTORY_RESOURCE_TYPES)[number];

/** HSDS metadata.last_action_type, as we write it. */
export const DIRECTORY_METADATA_ACTIONS = ["create", "update", "delete"] as const;
export type DirectoryMetadataAction = (typeof DIRECTORY_METADATA_ACTIONS)[number];

export const DIRECTORY_PROPOSAL_STATUSES = ["pending", "approved", "rejected"] as const;
export type DirectoryProposalStatus = (typeof DIRECTORY_PROPOSAL_STATUSES)[number];

