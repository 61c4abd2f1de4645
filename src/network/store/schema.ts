/**
 * The regional network's tables (prefixed `network_`), added to the core's typed
 * `Database` by module augmentation (store/schema.ts explains), so its queries are
 * typed and the core never imports it.
 */
import type { ColumnType } from "kysely";
import type { FinderAttempt, FinderDial, FinderOutcome } from "../domain/finder-calls.ts";
import type { DeviceKind, DevicePower, DeviceState as DeviceStateJson } from "../domain/devices.ts";
import type { PartnerContact, PartnerKind } from "../domain/partners.ts";
import type { ConsentDecision, ConsentMethod, ConsentPurpose, LegalBasis } from "../domain/consents.ts";
import type { ReportMatch } from "../domain/reports.ts";
import type { ReportStatus, ReportUrgency, TriageOutcome } from "../domain/triage.ts";

/** Why a disclosure was lawful: the member's consent, or a legal basis (domain/consents.ts). */
export type DisclosureBasis = "consent" | LegalBasis;

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Maybe<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** A JSON column with a database default (written as JSON text). */
type JsonDefault<T> = ColumnType<T, string | undefined, string>;
/** A date column (YYYY-MM-DD), read as text (store/db.ts parses no dates). */
type DateText = ColumnType<string | null, string | null | undefined, string | null>;

/** Card, keyholder (Ota ward) or sticker (seed 001). */
export const REGISTRATION_NUMBER_KINDS = ["card", "keyholder", "sticker"] as const;
export type RegistrationNumberKind = (typeof REGISTRATION_NUMBER_KINDS)[number];

export interface NetworkTables {
  network_consents: {
    id: string;
    organisation_id: string;
    member_id: string;
    purpose: ConsentPurpose;
    decision: ConsentDecision;
    period_start: Timestamp;
    period_end: Maybe<Date>;
    method: Exclude<ConsentMethod, "terms">;
    terms_version: Maybe<string>;
    recorded_by: string;
    given_at: Timestamp;
    recorded_at: Timestamp;
    note: Maybe<string>;
  };
  network_disclosures: {
    id: string;
    organisation_id: string;
    member_id: string;
    basis: DisclosureBasis;
    consent_id: Maybe<string>;
    recipient: string;
    recipient_kind: string;
    purpose: string;
    fields: string[];
    disclosed_by: string;
    disclosed_at: Timestamp;
  };
  network_disaster_declarations: {
    id: string;
    organisation_id: string;
    reason: string;
    declared_by: string;
    declared_at: Timestamp;
    ended_by: Maybe<string>;
    ended_at: Maybe<Date>;
  };
  network_registration_numbers: {
    id: string;
    organisation_id: string;
    member_id: string;
    number: string;
    kind: RegistrationNumberKind;
    issued_at: Timestamp;
    issued_by: string;
    withdrawn_at: Maybe<Date>;
  };
  /** Partners under a watching agreement (migration 1010). */
  network_partners: {
    id: string;
    organisation_id: string;
    name: string;
    kind: PartnerKind;
    business: Maybe<string>;
    agreement_date: DateText;
    agreement_terms: Maybe<string>;
    contacts: JsonDefault<PartnerContact[]>;
    owner_person_id: Maybe<string>;
    next_review_on: DateText;
    listed: ColumnType<boolean, boolean | undefined, boolean>;
    short_code: string;
    api_key_hash: Maybe<string>;
    created_at: Timestamp;
    updated_at: Timestamp;
    archived_at: Maybe<Date>;
  };
  /** Partner reports: Open311 service requests (migration 1010). */
  network_reports: {
    id: string;
    organisation_id: string;
    partner_id: string;
    service_code: string;
    urgency: ReportUrgency;
    /** Checklist attribute code → its value (singlevaluelist, text) or values (multivaluelist). */
    attributes: JsonDefault<Record<string, string | string[]>>;
    description: Maybe<string>;
    address: Maybe<string>;
    lat: Maybe<number>;
    long: Maybe<number>;
    registration_number: Maybe<string>;
    member_id: Maybe<string>;
    match: ReportMatch;
    requested_at: Timestamp;
    received_at: Timestamp;
    status: ColumnType<ReportStatus, ReportStatus | undefined, ReportStatus>;
    outcome: Maybe<TriageOutcome>;
    notes: Maybe<string>;
    status_notes: Maybe<string>;
    triaged_by: Maybe<string>;
    triaged_at: Maybe<Date>;
    incident_id: Maybe<string>;
    reporter_name: Maybe<string>;
    reporter_phone: Maybe<string>;
    idempotency_key: Maybe<string>;
  };
  /** Devices of ICT watching and their inactivity rules (migration 1030). */
  network_devices: {
    id: string;
    organisation_id: string;
    member_id: string;
    kind: DeviceKind;
    name: string;
    power: DevicePower;
    topic: string | null;
    sign_of_life: ColumnType<boolean, boolean | undefined, boolean>;
    token_hash: string;
    last_state: ColumnType<DeviceStateJson | null, string | null | undefined, string | null>;
    last_event_at: Maybe<Date>;
    last_event_id: Maybe<string>;
    last_activity_at: Maybe<Date>;
    last_seen_at: Maybe<Date>;
    availability: Maybe<"online" | "offline">;
    silent_check_at: Maybe<Date>;
    silent_since: Maybe<Date>;
    /** The team told of the current silence (migration 1060); null while not silent or before it. */
    silent_team_id: Maybe<string>;
    created_at: Timestamp;
    created_by: string;
  };
  network_device_rules: {
    id: string;
    organisation_id: string;
    device_id: string;
    hours: number;
    below_watts: number | null;
    check_at: Maybe<Date>;
    fired_at: Maybe<Date>;
  };
  network_finder_calls: {
    id: string;
    organisation_id: string;
    member_id: string;
    call_sid: string;
    incident_id: Maybe<string>;
    dial_list: ColumnType<FinderDial[], string, string>;
    attempts: ColumnType<FinderAttempt[], string | undefined, string>;
    connected_contact_id: Maybe<string>;
    outcome: Maybe<FinderOutcome>;
    started_at: Timestamp;
    ended_at: Maybe<Date>;
  };
}

export type { FinderAttempt, FinderDial, FinderOutcome } from "../domain/finder-calls.ts";

declare module "../../store/schema.ts" {
  interface Database extends NetworkTables {}
}
