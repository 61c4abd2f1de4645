/**
 * The directory's tables (prefixed `directory_`; migration 2000 and later), added
 * to the core's typed `Database` by module augmentation (store/schema.ts
 * explains), so its queries are typed and the core never imports it. Dates
 * (`date` columns) are read as text YYYY-MM-DD through to_char (the engine's
 * column lists); times of day are text "HH:MM".
 */
import type { ColumnType } from "kysely";
import type {
  DirectoryAreaKind, DirectoryClosureKind, DirectoryLinkEntity, DirectoryLocationType, DirectoryMetadataAction, DirectoryPhoneType,
  DirectoryProposalStatus, DirectoryResourceType, DirectoryScheduleFreq, DirectoryScheduleKind, DirectoryServiceStatus, DirectoryWeekday,
} from "../domain/kinds.ts";

export * from "../domain/kinds.ts";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Maybe<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** A date column (YYYY-MM-DD). Select it through to_char: PGlite parses dates into Date objects, PostgreSQL's driver too. */
type DateText = ColumnType<string | null, string | null | undefined, string | null>;
type NotNullDate = ColumnType<string, string, string>;
/** A column the database computes (never written). */
type Generated<T> = ColumnType<T, never, never>;

/** The HSDS core tables (migration 2000). */
export interface DirectoryTables {
  directory_organizations: {
    id: string;
    organisation_id: string;
    name: string;
    alternate_name: Maybe<string>;
    description: ColumnType<string, string | undefined, string>;
    email: Maybe<string>;
    website: Maybe<string>;
    parent_id: Maybe<string>;
    owner_person_id: Maybe<string>;
    next_contact_on: DateText;
    listed: ColumnType<boolean, boolean | undefined, boolean>;
    created_at: Timestamp;
    updated_at: Timestamp;
    archived_at: Maybe<Date>;
  };
  directory_services: {
    id: string;
    organisation_id: string;
    directory_organization_id: string;
    name: string;
    alternate_name: Maybe<string>;
    description: ColumnType<string, string | undefined, string>;
    url: Maybe<string>;
    email: Maybe<string>;
    status: ColumnType<DirectoryServiceStatus, DirectoryServiceStatus | undefined, DirectoryServiceStatus>;
    eligibility_description: Maybe<string>;
    minimum_age: Maybe<number>;
    maximum_age: Maybe<number>;
    fees_description: Maybe<string>;
    application_process: Maybe<string>;
    alert: Maybe<string>;
    /** When someone last confirmed the entry is right (HSDS assured_date). */
    assured_date: DateText;
    /** Who confirmed it, as the audit log names actors (`person:<name>:<id>`, `token:<name>:<id>`). */
    assured_by: Maybe<string>;
    /** The staff member who confirmed it, when a person did. */
    assured_by_person_id: Maybe<string>;
    assurer_email: Maybe<string>;
    listed: ColumnType<boolean, boolean | undefined, boolean>;
    owner_person_id: Maybe<string>;
    next_contact_on: DateText;
    created_at: Timestamp;
    updated_at: Timestamp;
    archived_at: Maybe<Date>;
    /** lower(name, alternate name, description, eligibility, fees, how to apply), one per line; trigram-indexed. */
    search_text: Generated<string>;
    /** The service's attribute codes, sorted (migration 2040: kept by triggers on directory_attributes). */
    taxonomy_codes: Generated<string[]>;
  };
  directory_locations: {
    id: string;
    organisation_id: string;
    directory_organization_id: Maybe<string>;
    location_type: DirectoryLocationType;
    name: Maybe<string>;
    alternate_name: Maybe<string>;
    description: Maybe<string>;
    transportation: Maybe<string>;
    latitude: Maybe<number>;
    longitude: Maybe<number>;
    url: Maybe<string>;
    accessibility_description: Maybe<string>;
    created_at: Timestamp;
    updated_at: Timestamp;
    archived_at: Maybe<Date>;
  };
  directory_addresses: {
    id: string;
    organisation_id: string;
    location_id: string;
    address_type: DirectoryLocationType;
    attention: Maybe<string>;
    address_1: string;
    address_2: Maybe<string>;
    city: string;
    region: Maybe<string>;
    state_province: string;
    postal_code: string;
    country: ColumnType<string, string | undefined, string>;
  };
  directory_service_at_locations: {
    id: string;
    organisation_id: string;
    service_id: string;
    location_id: string;
    description: Maybe<string>;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  directory_schedules: {
    id: string;
    organisation_id: string;
    service_id: Maybe<string>;
    location_id: Maybe<string>;
    service_at_location_id: Maybe<string>;
    kind: DirectoryScheduleKind;
    freq: Maybe<DirectoryScheduleFreq>;
    interval: Maybe<number>;
    /** RFC 5545 BYDAY list, e.g. "MO,WE" or "2TU" or "-1FR". */
    byday: Maybe<string>;
    /** RFC 5545 BYMONTHDAY list, e.g. "1,15". */
    bymonthday: Maybe<string>;
    count: Maybe<number>;
    wkst: Maybe<DirectoryWeekday>;
    dtstart: DateText;
    until: DateText;
    /** "HH:MM", Asia/Tokyo. */
    opens_at: Maybe<string>;
    closes_at: Maybe<string>;
    valid_from: DateText;
    valid_to: DateText;
    description: Maybe<string>;
    attending_type: Maybe<string>;
    notes: Maybe<string>;
    closed_on_holidays: ColumnType<boolean, boolean | undefined, boolean>;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  directory_closures: {
    id: string;
    organisation_id: string;
    /** Both null: every service of the organisation (年末年始 for the whole directory). */
    directory_organization_id: Maybe<string>;
    service_id: Maybe<string>;
    kind: DirectoryClosureKind;
    starts_on: NotNullDate;
    ends_on: NotNullDate;
    reason: Maybe<string>;
    created_at: Timestamp;
  };
  directory_service_areas: {
    id: string;
    organisation_id: string;
    service_id: Maybe<string>;
    service_at_location_id: Maybe<string>;
    name: string;
    area_kind: DirectoryAreaKind;
    /** A team id, a postal code (7 digits) or a town name; null for `whole`. */
    area_value: Maybe<string>;
    description: Maybe<string>;
    created_at: Timestamp;
  };
  directory_contacts: {
    id: string;
    organisation_id: string;
    directory_organization_id: Maybe<string>;
    service_id: Maybe<string>;
    service_at_location_id: Maybe<string>;
    location_id: Maybe<string>;
    name: Maybe<string>;
    title: Maybe<string>;
    department: Maybe<string>;
    email: Maybe<string>;
    created_at: Timestamp;
  };
  directory_phones: {
    id: string;
    organisation_id: string;
    directory_organization_id: Maybe<string>;
    service_id: Maybe<string>;
    service_at_location_id: Maybe<string>;
    location_id: Maybe<string>;
    contact_id: Maybe<string>;
    number: string;
    extension: Maybe<string>;
    type: Maybe<DirectoryPhoneType>;
    description: Maybe<string>;
    /** ISO 639-1 codes of the languages spoken on the line (migration 2100). */
    languages: ColumnType<string[], string[] | undefined, string[]>;
    created_at: Timestamp;
  };
  /** The organisation's own terms, extending the shipped Japanese taxonomy (code, not a table). */
  directory_taxonomy_terms: {
    id: string;
    organisation_id: string;
    code: string;
    name: string;
    parent_code: Maybe<string>;
    description: ColumnType<string, string | undefined, string>;
    /** The shipped code it corresponds to, if any. */
    mapped_code: Maybe<string>;
    language: ColumnType<string, string | undefined, string>;
    created_at: Timestamp;
    /** Migration 2100: last change; retired terms are no longer offered for new use. */
    updated_at: Timestamp;
    retired_at: Maybe<Date>;
  };
  directory_attributes: {
    id: string;
    organisation_id: string;
    link_entity: DirectoryLinkEntity;
    link_id: string;
    taxonomy_code: string;
    value: Maybe<string>;
    label: Maybe<string>;
    created_at: Timestamp;
  };
  directory_capacities: {
    id: string;
    organisation_id: string;
    service_id: string;
    /** What is counted: 人, 枠, 席. */
    unit: string;
    available: number;
    maximum: Maybe<number>;
    description: Maybe<string>;
    updated_at: Timestamp;
  };
  /** Append-only: one row per changed field, written by the command that changed it (engine/metadata.ts). */
  directory_metadata: {
    id: string;
    organisation_id: string;
    resource_type: DirectoryResourceType;
    resource_id: string;
    /** The record the change belongs to: the resource itself, or the service, provider or location a part belongs to (migration 2001). */
    subject_type: DirectoryResourceType;
    subject_id: string;
    action: DirectoryMetadataAction;
    field_name: string;
    previous_value: Maybe<string>;
    replacement_value: Maybe<string>;
    /** The actor as the audit log names it (`person:<name>:<id>`, `token:<name>:<id>`), or `provider:<invitation id>`. */
    updated_by: string;
    updated_at: Timestamp;
  };
  directory_invitations: {
    id: string;
    organisation_id: string;
    directory_organization_id: Maybe<string>;
    service_id: Maybe<string>;
    email: Maybe<string>;
    token_hash: string;
    created_by: string;
    created_at: Timestamp;
    expires_at: Timestamp;
    used_at: Maybe<Date>;
    revoked_at: Maybe<Date>;
  };
  directory_proposed_changes: {
    id: string;
    organisation_id: string;
    invitation_id: string;
    resource_type: "organization" | "service";
    resource_id: string;
    changes: ColumnType<Record<string, unknown>, string, string>;
    status: ColumnType<DirectoryProposalStatus, DirectoryProposalStatus | undefined, DirectoryProposalStatus>;
    submitted_at: Timestamp;
    decided_by: Maybe<string>;
    decided_at: Maybe<Date>;
    decision_note: Maybe<string>;
  };
}

declare module "../../store/schema.ts" {
  interface Database extends DirectoryTables {}
}
