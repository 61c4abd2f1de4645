/**
 * The tables of needs, volunteers and referrals (migration 2010), added to the
 * core's typed `Database` by module augmentation as schema.ts does for the HSDS core.
 */
import type { ColumnType } from "kysely";
import type { DirectoryArea, WeeklySlot } from "../domain/matching.ts";
import type { NeedSource, NeedStatus, VolunteerRequestStatus } from "../domain/needs.ts";
import type { ReferralSide, ReferralStatus } from "../domain/referral.ts";

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type Maybe<T> = ColumnType<T | null, T | null | undefined, T | null>;
/** A JSON column with a database default (written as JSON text). */
type JsonDefault<T> = ColumnType<T, string | undefined, string>;
/** A date column (YYYY-MM-DD), read through to_char. */
type DateText = ColumnType<string | null, string | null | undefined, string | null>;
type WithDefault<T> = ColumnType<T, T | undefined, T>;

/** What a referral event records: its creation, a step, a cancel, a reopen, a (soft) delete, a sharing of the member's details. */
export const REFERRAL_EVENT_KINDS = ["create", "step", "cancel", "reopen", "delete", "share"] as const;
export type ReferralEventKind = (typeof REFERRAL_EVENT_KINDS)[number];

export interface DirectoryNeedsTables {
  directory_needs: {
    id: string;
    organisation_id: string;
    member_id: string;
    source: NeedSource;
    source_id: Maybe<string>;
    taxonomy_codes: string[];
    note: WithDefault<string>;
    wanted_at: Maybe<Date>;
    status: WithDefault<NeedStatus>;
    created_by: string;
    created_at: Timestamp;
    updated_at: Timestamp;
    closed_at: Maybe<Date>;
  };
  directory_volunteers: {
    id: string;
    organisation_id: string;
    person_id: Maybe<string>;
    display_name: string;
    phone: Maybe<string>;
    skills: WithDefault<string[]>;
    areas: JsonDefault<DirectoryArea[]>;
    availability: JsonDefault<WeeklySlot[]>;
    on_duty: WithDefault<boolean>;
    max_open_requests: Maybe<number>;
    last_asked_at: Maybe<Date>;
    note: Maybe<string>;
    owner_person_id: Maybe<string>;
    next_contact_on: DateText;
    created_at: Timestamp;
    updated_at: Timestamp;
    archived_at: Maybe<Date>;
  };
  directory_volunteer_requests: {
    id: string;
    organisation_id: string;
    need_id: string;
    volunteer_id: string;
    status: WithDefault<VolunteerRequestStatus>;
    offered_by: string;
    offered_at: Timestamp;
    respond_by: Maybe<Date>;
    answered_at: Maybe<Date>;
    reason: Maybe<string>;
  };
  directory_volunteer_contacts: {
    id: string;
    organisation_id: string;
    volunteer_id: string;
    member_id: Maybe<string>;
    need_id: Maybe<string>;
    contacted_at: Timestamp;
    note: string;
    recorded_by: string;
    recorded_at: Timestamp;
    acknowledged_by: Maybe<string>;
    acknowledged_at: Maybe<Date>;
  };
  directory_referrals: {
    id: string;
    organisation_id: string;
    need_id: Maybe<string>;
    member_id: string;
    to_directory_organization_id: string;
    service_id: Maybe<string>;
    status: WithDefault<ReferralStatus>;
    note: WithDefault<string>;
    shared_fields: WithDefault<string[]>;
    disclosure_id: Maybe<string>;
    created_by: string;
    created_at: Timestamp;
    updated_at: Timestamp;
    deleted_at: Maybe<Date>;
    deleted_by: Maybe<string>;
    delete_reason: Maybe<string>;
  };
  directory_referral_events: {
    id: string;
    organisation_id: string;
    referral_id: string;
    kind: ReferralEventKind;
    from_status: Maybe<ReferralStatus>;
    to_status: Maybe<ReferralStatus>;
    side: ReferralSide;
    actor: string;
    reason: Maybe<string>;
    at: Timestamp;
  };
}

declare module "../../store/schema.ts" {
  interface Database extends DirectoryNeedsTables {}
}
