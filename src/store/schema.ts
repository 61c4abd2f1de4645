/**
 * Row types of the database, as Kysely sees them. Columns that hold one of the
 * domain's unions (statuses, kinds, outcomes) or JSON of a domain type (a plan, a
 * pause, a policy set) carry that type, so what is read needs no cast; what is
 * written is checked against it.
 */
import type { ColumnType, Generated } from "kysely";
import type { Answer, AnswerSource, IncidentKind } from "../domain/answers.ts";
import type { AudienceKind, BroadcastAnswer } from "../domain/broadcasts.ts";
import type { CapFields } from "../domain/cap.ts";
import type { CancelReason } from "../domain/causes.ts";
import type { CheckinStatus } from "../domain/escalation.ts";
import type { GroupStatus } from "../domain/group-rounds.ts";
import type { IncidentEventType, IncidentStatus, Outcome, Urgency } from "../domain/incident.ts";
import type { LinkAction, LinkPurpose } from "../domain/links.ts";
import type { MessageKind, OutboxStatus, RecipientKind } from "../domain/messages.ts";
import type { TemplateChannel, TemplateKind } from "../domain/templates.ts";
import type { PolicySet } from "../domain/policy.ts";
import type { Consent, RegistrationState } from "../domain/registration.ts";
import type { Pause, Plan } from "../domain/schedule.ts";
import type {
  ImportEncoding, ImportFailure, ImportFormat, ImportMapping, ImportOptions, ImportProblem, ImportStatus, ImportSummary, ImportWarning,
} from "../domain/member-import.ts";
import type { VisitOutcome, VisitState } from "../domain/visits.ts";

type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, string, string>;
/** A JSON column with a database default. */
type JsonDefault<T> = ColumnType<T, string | undefined, string>;
/** A text column with a database default. */
type TextDefault = ColumnType<string, string | undefined, string>;
/** A nullable column that inserts may leave out. */
type Maybe<T> = ColumnType<T | null, T | null | undefined, T | null>;

export interface ChannelAddress {
  kind: ChannelKind;
  address: string;
}
export const CHANNEL_KINDS = ["sandbox", "line", "voice", "sms", "email"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * The database the code sees: the core's tables, and those of each bounded
 * context. A context (src/network/, src/directory/) declares its own table set,
 * names prefixed with the context (`network_…`, `directory_…`, so HSDS's
 * organization, contact and schedule never collide with ours), and adds it here
 * from its own folder by module augmentation:
 *
 *   declare module "../store/schema.ts" { interface Database extends NetworkTables {} }
 *
 * so the core never imports a context, and the context's queries are typed.
 */
export interface Database extends CoreTables {}

/** The core's tables: organisations, members, check-ins, incidents, the outbox… */
export interface CoreTables {
  organisations: {
    id: string;
    name: string;
    escalation_policies: Json<Partial<PolicySet>> | null;
    settings: JsonDefault<Record<string, unknown>>;
    created_at: Timestamp;
  };
  api_tokens: {
    id: string;
    organisation_id: string;
    name: string;
    role: string;
    instance_admin: Generated<boolean>;
    token_hash: string;
    created_at: Timestamp;
    revoked_at: Timestamp | null;
    last_used_at: Generated<Date | null>;
    expires_at: Timestamp | null;
  };
  teams: {
    id: string;
    organisation_id: string;
    name: string;
    is_default: Generated<boolean>;
    channels: JsonDefault<ChannelAddress[]>;
    escalation_policies: Json<Partial<PolicySet>> | null;
    created_at: Timestamp;
    /** When the daily summary of unresolved incidents is next due; null while none is open. */
    next_summary_at: Maybe<Date>;
  };
  members: {
    id: string;
    organisation_id: string;
    team_id: string;
    display_name: string;
    personal: JsonDefault<Record<string, string>>;
    channels: Json<ChannelAddress[]>;
    plan: Json<Plan>;
    pause: Json<Pause> | null;
    active: Generated<boolean>;
    next_due_at: Timestamp | null;
    last_prompted_at: Timestamp | null;
    /** The latest sign of life that is not an answer (migration 023); the scheduler honours it (domain/sign-of-life.ts). */
    last_sign_of_life_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    last_sign_of_life_source: ColumnType<string | null, string | null | undefined, string | null>;
    consent: Json<Consent | null> | null;
    created_at: Timestamp;
    updated_at: Timestamp;
    /** Furigana in hiragana (domain/member-fields.ts); lists sort by it, then by the name. */
    display_name_kana: Maybe<string>;
    /** The municipality's own number, unique per organisation; imports match on it. */
    external_id: Maybe<string>;
    /** Set when the member was erased on request and kept as a tombstone for anonymised incidents (migration 025). */
    erased_at: Maybe<Date>;
  };
  contacts: {
    id: string;
    organisation_id: string;
    member_id: string;
    position: number;
    display_name: string;
    relation: string;
    channels: Json<ChannelAddress[]>;
    confirmed_at: Timestamp | null;
    created_at: Timestamp;
  };
  groups: {
    id: string;
    organisation_id: string;
    team_id: string | null;
    name: string;
    channels: Json<ChannelAddress[]>;
    created_at: Timestamp;
    line_group_id: string | null;
    status: Generated<GroupStatus>;
    plan: Json<Plan> | null;
    next_due_at: Timestamp | null;
    /** LINE's time of the last join/leave applied (older ones that arrive late change nothing). */
    line_event_at: Timestamp | null;
    left_at: Timestamp | null;
  };
  group_members: { group_id: string; member_id: string; organisation_id: string };
  group_checkins: {
    id: string;
    organisation_id: string;
    group_id: string;
    due_at: Timestamp;
    prompted_at: Timestamp;
    /** When the list of those who have not confirmed is due; null once written. */
    list_at: Timestamp | null;
    listed_at: Timestamp | null;
    unconfirmed: Json<{ userId: string; name: string }[]> | null;
  };
  group_confirmations: {
    group_checkin_id: string;
    organisation_id: string;
    user_id: string;
    display_name: string;
    by_user_id: string;
    by_display_name: string;
    confirmed_at: Timestamp;
    answer_id: string | null;
  };
  group_participants: {
    group_id: string;
    organisation_id: string;
    user_id: string;
    display_name: string | null;
    first_seen_at: Timestamp;
    last_seen_at: Timestamp;
  };
  checkins: {
    id: string;
    organisation_id: string;
    member_id: string;
    due_at: Timestamp;
    status: CheckinStatus;
    escalates: boolean;
    step_index: Generated<number>;
    next_action_at: Timestamp | null;
    contact_cursor: Generated<number>;
    prompted: boolean;
    incident_id: string | null;
    answer: Answer | null;
    answered_at: Timestamp | null;
    closed_reason: string | null;
    /** When a provider accepted the last prompt or re-send of this check-in (the member was asked). */
    asked_at: Maybe<Date>;
    /** Set while the chain waits for the member to be asked: the next step's delay from that moment. */
    after_asked_ms: Maybe<number>;
  };
  /**
   * Per member, the text a console search narrows by (migration 015): derived, kept by a
   * trigger on members, never written by a command.
   */
  member_search: {
    member_id: string;
    organisation_id: string;
    text: string;
  };
  answers: {
    id: string;
    organisation_id: string;
    member_id: string;
    answer: Answer;
    source: AnswerSource;
    by_contact_id: string | null;
    by_label: string | null;
    channel: string | null;
    note: string | null;
    closed_checkins: number;
    received_at: Timestamp;
    idempotency_key: string | null;
  };
  incidents: {
    id: string;
    organisation_id: string;
    member_id: string;
    checkin_id: string | null;
    kind: IncidentKind;
    urgency: Urgency;
    status: IncidentStatus;
    opened_at: Timestamp;
    acknowledged_at: Timestamp | null;
    acknowledged_by: string | null;
    acknowledged_via: string | null;
    member_answered_at: Timestamp | null;
    resolved_at: Timestamp | null;
    outcome: Outcome | null;
    note: string | null;
    /** Who acknowledged, when it was a recipient we can remind (a contact or a team). */
    acknowledged_by_kind: Maybe<string>;
    acknowledged_by_id: Maybe<string>;
    /** While acknowledged without an outcome: when to remind, then when to time out. */
    ack_check_at: Maybe<Date>;
    ack_reminded_at: Maybe<Date>;
  };
  incident_events: {
    id: string;
    organisation_id: string;
    incident_id: string;
    at: Timestamp;
    type: IncidentEventType;
    actor: string | null;
    data: Json<Record<string, unknown>>;
  };
  outbox: {
    id: string;
    organisation_id: string;
    idempotency_key: string;
    recipient_kind: RecipientKind;
    recipient_id: string;
    channel_index: number;
    channel_kind: string;
    address: string;
    message_kind: MessageKind;
    text: string;
    payload: Json<Record<string, unknown>>;
    checkin_id: string | null;
    incident_id: string | null;
    due_at: Timestamp;
    status: OutboxStatus;
    attempts: Generated<number>;
    next_attempt_at: Timestamp;
    locked_until: Timestamp | null;
    last_error: string | null;
    created_at: Timestamp;
    sent_at: Timestamp | null;
    /** The provider's id (a call's or an SMS's sid). */
    provider_id: string | null;
    /** How it ended, when the provider reports later: answered, no_answer, busy, machine, delivered, undelivered… */
    outcome: string | null;
    /** The pacing slot a rate-capped message was given. */
    slot_at: Timestamp | null;
    /** Why a queued message was not sent: its cause was gone when its turn came. */
    cancel_reason: Maybe<CancelReason>;
    /** The provider's failure, as a code (credentials_refused, no_address…). */
    error_code: Maybe<string>;
  };
  channel_health: {
    organisation_id: string;
    kind: string;
    last_success_at: Timestamp | null;
    last_failure_at: Timestamp | null;
    last_error_code: string | null;
    last_error: string | null;
    credentials_refused_at: Timestamp | null;
    operator_alerted_at: Timestamp | null;
  };
  send_pacing: { organisation_id: string; channel_kind: string; next_free_at: Timestamp };
  links: {
    token_hash: string;
    organisation_id: string;
    purpose: LinkPurpose;
    member_id: string | null;
    checkin_id: string | null;
    incident_id: string | null;
    contact_id: string | null;
    broadcast_id: string | null;
    /** A `terms` link: the version the member is asked to agree to (migration 021). */
    terms_version_id: Generated<string | null>;
    recipient_kind: string;
    recipient_id: string;
    channel_kind: string;
    outbox_key: string;
    expires_at: Timestamp;
    used_at: Timestamp | null;
    used_for: LinkAction | null;
    created_at: Timestamp;
  };
  observations: {
    id: string;
    organisation_id: string;
    member_id: string;
    checkin_id: string | null;
    question: string;
    value: string;
    label: string;
    channel: string;
    observed_at: Timestamp;
    idempotency_key: string;
  };
  inbound: {
    id: string;
    organisation_id: string;
    provider: string;
    provider_event_id: string;
    payload: Json<unknown>;
    received_at: Timestamp;
    processed_at: Timestamp | null;
    attempts: Generated<number>;
    last_error: string | null;
  };
  channel_configs: {
    organisation_id: string;
    kind: string;
    credentials: string;
    settings: JsonDefault<Record<string, unknown>>;
    updated_at: Timestamp;
  };
  line_users: {
    organisation_id: string;
    user_id: string;
    member_id: string | null;
    following: boolean;
    conversation: Json<RegistrationState> | null;
    last_event_at: Timestamp;
  };
  contact_invitations: {
    code_hash: string;
    organisation_id: string;
    contact_id: string;
    expires_at: Timestamp;
    used_at: Timestamp | null;
    created_at: Timestamp;
  };
  audit_log: {
    id: string;
    organisation_id: string;
    at: Timestamp;
    actor: string;
    action: string;
    subject_kind: string;
    subject_id: string | null;
    detail: Json<Record<string, unknown>>;
  };
  broadcasts: {
    id: string;
    organisation_id: string;
    audience_kind: AudienceKind;
    /** The first team or group; null for "all". */
    audience_id: string | null;
    /** Every team or group of the audience (migration 019); empty for "all". */
    audience_ids: string[];
    text: string;
    /** Asks 無事ですか？ with the answers safe / need help. */
    question: boolean;
    /** An exercise (訓練): every message says so, answers kept apart (domain/broadcasts.ts). */
    drill: boolean;
    /** CAP 1.2 info fields (domain/cap.ts); null when composed on the console. */
    cap: Json<CapFields> | null;
    recipient_count: number;
    created_by: string;
    created_at: Timestamp;
  };
  broadcast_recipients: {
    broadcast_id: string;
    member_id: string;
    organisation_id: string;
    /** The idempotency key of the recipient's outbox row (fail-overs add `#n`). */
    outbox_key: string;
    answer: BroadcastAnswer | null;
    answered_at: Timestamp | null;
    /** The help-requested incident a "need help" answer opened (or joined). */
    incident_id: string | null;
  };
  sandbox_clock: { id: number; now: Timestamp; running_since: Timestamp | null };
  sandbox_deliveries: {
    seq: Generated<string>;
    organisation_id: string;
    idempotency_key: string;
    recipient_kind: string;
    recipient_id: string;
    channel_kind: string;
    address: string;
    message_kind: string;
    text: string;
    payload: Json<Record<string, unknown>>;
    due_at: Timestamp;
    delivered_at: Timestamp;
  };
  people: {
    id: string;
    organisation_id: string;
    display_name: string;
    login_id: string;
    /** admin | staff | watcher | auditor (engine/people.ts PERSON_ROLES) */
    role: string;
    /** argon2id, PHC string; null until the invitation is accepted. */
    password_hash: string | null;
    /** Sealed with the SecretBox; null until the invitation is accepted. */
    totp_secret: string | null;
    failed_attempts: Generated<number>;
    locked_until: Timestamp | null;
    deactivated_at: Timestamp | null;
    created_at: Timestamp;
    created_by: string;
    /** The last TOTP step (unix seconds / 30) signed in with: that code and earlier ones are refused. */
    totp_last_step: Generated<number | null>;
    /** When the person accepted an invitation (password or passkey); null while invited. */
    accepted_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
    /** Where an e-mailed invitation goes; optional. */
    email: Generated<string | null>;
    /** Staff only: receives their teams' alerts now (on their person_channels). */
    on_duty: Generated<boolean>;
  };
  person_passkeys: {
    id: string;
    organisation_id: string;
    person_id: string;
    /** The WebAuthn credential id, base64url. */
    credential_id: string;
    /** The COSE public key, base64url. */
    public_key: string;
    /** The authenticator's signature counter (0 for those that keep none); int8, read as a string by pg. */
    counter: ColumnType<string | number, number, number>;
    transports: JsonDefault<string[]>;
    /** singleDevice | multiDevice (a synced passkey). */
    device_type: string;
    backed_up: boolean;
    name: string;
    created_at: Timestamp;
    last_used_at: Timestamp | null;
  };
  webauthn_challenges: {
    id: string;
    challenge: string;
    /** register | sign_in */
    purpose: string;
    organisation_id: string | null;
    person_id: string | null;
    /** A registration at an invitation's acceptance: the invitation's code hash. */
    invitation_hash: string | null;
    expires_at: Timestamp;
    used_at: Timestamp | null;
    created_at: Timestamp;
  };
  person_channels: {
    id: string;
    organisation_id: string;
    person_id: string;
    /** email | sms | voice | line */
    kind: string;
    address: string;
    created_at: Timestamp;
  };
  person_teams: { organisation_id: string; person_id: string; team_id: string };
  person_invitations: {
    code_hash: string;
    organisation_id: string;
    person_id: string;
    /** The sealed TOTP secret the person installs when accepting. */
    totp_secret: string;
    expires_at: Timestamp;
    used_at: Timestamp | null;
    created_at: Timestamp;
  };
  sessions: {
    id: string;
    organisation_id: string;
    person_id: string;
    token_hash: string;
    csrf_token: string;
    created_at: Timestamp;
    last_seen_at: Timestamp;
    expires_at: Timestamp;
    revoked_at: Timestamp | null;
    ip: string | null;
    user_agent: string | null;
  };
  member_imports: {
    id: string;
    organisation_id: string;
    /** Who uploaded the file (an audit actor: `person:<name>:<id>` or `token:<name>:<id>`). */
    created_by: string;
    file_name: string;
    format: ImportFormat;
    encoding: ImportEncoding;
    header: Json<string[]>;
    /** The data rows as read (text cells), row 2 of the sheet first; null once committed. */
    rows: Json<string[][]> | null;
    row_count: number;
    mapping: Json<ImportMapping> | null;
    options: Json<ImportOptions> | null;
    status: ImportStatus;
    /** Rows checked or written so far by the running step. */
    processed: Generated<number>;
    problems: Json<ImportProblem[]> | null;
    warnings: Json<ImportWarning[]> | null;
    summary: Json<ImportSummary> | null;
    failure: ImportFailure | null;
    created_at: Timestamp;
    updated_at: Timestamp;
    /** While a step runs: renewed (real time) by the process running it; past it, the step was cut short. */
    lease_until: Maybe<Date>;
    /** When an uncommitted import's rows (personal data) are removed; null once they are. */
    expires_at: Maybe<Date>;
  };
  visits: {
    id: string;
    organisation_id: string;
    incident_id: string;
    member_id: string;
    state: VisitState;
    /** The watcher who holds the visit now; null once every candidate declined. */
    watcher_id: string | null;
    due_at: Timestamp;
    /** What staff ask the watcher to do or know (free text). */
    instructions: TextDefault;
    outcome: VisitOutcome | null;
    outcome_note: string | null;
    /** Who assigned it (a person's or token's name). */
    assigned_by: string;
    created_at: Timestamp;
    /** When the current watcher was asked. */
    offered_at: Timestamp | null;
    accepted_at: Timestamp | null;
    done_at: Timestamp | null;
  };
  organisation_logos: {
    organisation_id: string;
    content_type: string;
    bytes: Uint8Array;
    sha256: string;
    updated_at: Timestamp;
  };
  terms_versions: {
    id: string;
    organisation_id: string;
    version: string;
    body: string | null;
    url: string | null;
    published_at: Timestamp;
    published_by: string;
  };
  message_templates: {
    organisation_id: string;
    /** domain/templates.ts TEMPLATE_KINDS. */
    kind: TemplateKind;
    /** domain/templates.ts TEMPLATE_CHANNELS. */
    channel: TemplateChannel;
    body: string;
    updated_at: Timestamp;
    /** Who changed it last (an audit actor). */
    updated_by: string;
  };
  member_notes: {
    id: string;
    organisation_id: string;
    member_id: string;
    note: string;
    /** Who wrote it (an audit actor). */
    created_by: string;
    created_at: Timestamp;
  };
  visit_candidates: {
    visit_id: string;
    organisation_id: string;
    /** Staff's order: 0 is asked first. */
    position: number;
    person_id: string;
    declined_at: Timestamp | null;
  };
  /** Who receives the monthly report by e-mail (migration 022): an address or a person, never both. */
  report_subscriptions: {
    id: string;
    organisation_id: string;
    email: string | null;
    person_id: string | null;
    /** Who subscribed them (an audit actor). */
    created_by: string;
    created_at: Timestamp;
    /** The next 1st of a month at 08:00 in the organisation's zone: when the last month's mail is queued. */
    next_send_at: Timestamp;
  };
}

/**
 * Tables that are the instance's, not one organisation's (Citus "reference
 * tables"), and why. Every other table is a tenant table: organisation_id in
 * every row, primary key, unique index and foreign key between tenant tables
 * (migration 007; test/store/distribution.test.ts reads the catalog).
 */
export const REFERENCE_TABLES: Readonly<Record<string, string>> = {
  organisations: "the tenants themselves",
  api_tokens: "a request's token is what tells which organisation it belongs to, so it is found before any organisation is known",
  sandbox_clock: "one virtual time for the whole sandbox instance",
  schema_migrations: "the schema's version, one for the instance",
  webauthn_challenges: "a passkey sign-in's challenge is made before anyone, and so any organisation, is known",
};
