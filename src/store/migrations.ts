/**
 * Schema migrations, applied in order inside one transaction under an advisory
 * lock, so several processes starting together migrate once. The same SQL runs on
 * PGlite and PostgreSQL.
 */
import { type Kysely, sql } from "kysely";
import type { Database } from "./schema.ts";
import { broadcastsMigration } from "./migrations/004-broadcasts.ts";
import { lineGroupsMigration } from "./migrations/003-line-groups.ts";
import { phoneAndLinksMigration } from "./migrations/005-phone-and-links.ts";
import { tenantKeysMigration } from "./migrations/006-tenant-keys.ts";
import { distributedByOrganisationMigration } from "./migrations/007-distributed-by-organisation.ts";
import { escalationSafetyMigration } from "./migrations/008-escalation-safety.ts";
import { consoleMigration } from "./migrations/009-console.ts";
import { peopleMigration } from "./migrations/010-people.ts";
import { visitsMigration } from "./migrations/011-visits.ts";
import { memberFieldsMigration } from "./migrations/012-member-fields.ts";
import { passkeysMigration } from "./migrations/013-passkeys.ts";
import { memberSearchMigration } from "./migrations/015-member-search.ts";
import { importRetentionMigration } from "./migrations/016-import-retention.ts";
import { urgentOutboxMigration } from "./migrations/017-urgent-outbox.ts";
import { memberNotesMigration } from "./migrations/018-member-notes.ts";
import { broadcastDrillsMigration } from "./migrations/019-broadcast-drills.ts";
import { messageTemplatesMigration } from "./migrations/020-message-templates.ts";
import { brandingAndTermsMigration } from "./migrations/021-branding-and-terms.ts";
import { reportSubscriptionsMigration } from "./migrations/022-report-subscriptions.ts";
import { signOfLifeMigration } from "./migrations/023-sign-of-life.ts";
import { oneIncidentPerMemberMigration } from "./migrations/024-one-incident-per-member.ts";
import { memberErasureMigration } from "./migrations/025-member-erasure.ts";
import { roomForHotUpdatesMigration } from "./migrations/026-room-for-hot-updates.ts";

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

const MIGRATIONS: Migration[] = [
  {
    id: 1,
    name: "initial",
    sql: `
create table organisations (
  id uuid primary key,
  name text not null,
  escalation_policies jsonb,
  settings jsonb not null default '{}',
  created_at timestamptz not null
);

create table api_tokens (
  id uuid primary key,
  organisation_id uuid not null references organisations(id) on delete cascade,
  name text not null,
  role text not null,
  instance_admin boolean not null default false,
  token_hash text not null unique,
  created_at timestamptz not null,
  revoked_at timestamptz
);

create table teams (
  id uuid primary key,
  organisation_id uuid not null references organisations(id) on delete cascade,
  name text not null,
  is_default boolean not null default false,
  channels jsonb not null default '[]',
  escalation_policies jsonb,
  created_at timestamptz not null
);
create index teams_org on teams (organisation_id);
create unique index teams_one_default on teams (organisation_id) where is_default;

create table members (
  id uuid primary key,
  organisation_id uuid not null references organisations(id) on delete cascade,
  team_id uuid not null references teams(id),
  display_name text not null,
  personal jsonb not null default '{}',
  channels jsonb not null,
  plan jsonb not null,
  pause jsonb,
  active boolean not null default true,
  next_due_at timestamptz,
  last_prompted_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
) with (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_cost_delay = 0);
create index members_org on members (organisation_id, id);
create index members_team on members (team_id);
create index members_due on members (next_due_at) where next_due_at is not null;

create table contacts (
  id uuid primary key,
  organisation_id uuid not null references organisations(id) on delete cascade,
  member_id uuid not null references members(id) on delete cascade,
  position int not null,
  display_name text not null,
  relation text not null,
  channels jsonb not null,
  confirmed_at timestamptz,
  created_at timestamptz not null
);
create index contacts_member on contacts (member_id, position);

create table groups (
  id uuid primary key,
  organisation_id uuid not null references organisations(id) on delete cascade,
  team_id uuid references teams(id),
  name text not null,
  channels jsonb not null default '[]',
  created_at timestamptz not null
);
create index groups_org on groups (organisation_id);

create table group_members (
  group_id uuid not null references groups(id) on delete cascade,
  member_id uuid not null references members(id) on delete cascade,
  primary key (group_id, member_id)
);
create index group_members_member on group_members (member_id);

create table checkins (
  id uuid primary key,
  organisation_id uuid not null,
  member_id uuid not null references members(id) on delete cascade,
  due_at timestamptz not null,
  status text not null,
  escalates boolean not null,
  step_index int not null default 0,
  next_action_at timestamptz,
  contact_cursor int not null default 0,
  prompted boolean not null,
  incident_id uuid,
  answer text,
  answered_at timestamptz,
  closed_reason text,
  unique (member_id, due_at)
) with (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_cost_delay = 0);
create index checkins_next_action on checkins (next_action_at) where next_action_at is not null;
create index checkins_member_open on checkins (member_id) where status = 'open';
create unique index checkins_one_escalating on checkins (member_id) where status = 'open' and escalates;

create table answers (
  id uuid primary key,
  organisation_id uuid not null,
  member_id uuid not null references members(id) on delete cascade,
  answer text not null,
  source text not null,
  by_contact_id uuid,
  by_label text,
  channel text,
  note text,
  closed_checkins int not null,
  received_at timestamptz not null,
  idempotency_key text unique
);
create index answers_member on answers (member_id, received_at);

create table incidents (
  id uuid primary key,
  organisation_id uuid not null,
  member_id uuid not null references members(id) on delete cascade,
  checkin_id uuid,
  kind text not null,
  urgency text not null,
  status text not null,
  opened_at timestamptz not null,
  acknowledged_at timestamptz,
  acknowledged_by text,
  acknowledged_via text,
  member_answered_at timestamptz,
  resolved_at timestamptz,
  outcome text,
  note text
);
create index incidents_org_status on incidents (organisation_id, status, opened_at);
create index incidents_member_unresolved on incidents (member_id) where status <> 'resolved';
create unique index incidents_one_open_per_kind on incidents (member_id, kind) where status <> 'resolved';

create table incident_events (
  id uuid primary key,
  organisation_id uuid not null,
  incident_id uuid not null references incidents(id) on delete cascade,
  at timestamptz not null,
  type text not null,
  actor text,
  data jsonb not null default '{}'
);
create index incident_events_incident on incident_events (incident_id, at, id);

create table outbox (
  id uuid primary key,
  organisation_id uuid not null,
  idempotency_key text not null unique,
  recipient_kind text not null,
  recipient_id text not null,
  channel_index int not null,
  channel_kind text not null,
  address text not null,
  message_kind text not null,
  text text not null,
  payload jsonb not null default '{}',
  checkin_id uuid,
  incident_id uuid,
  due_at timestamptz not null,
  status text not null,
  attempts int not null default 0,
  next_attempt_at timestamptz not null,
  locked_until timestamptz,
  last_error text,
  created_at timestamptz not null,
  sent_at timestamptz
) with (fillfactor = 70, autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_cost_delay = 0);
create index outbox_ready on outbox (next_attempt_at, id) where status = 'pending';
create index outbox_incident on outbox (incident_id) where incident_id is not null;

create table inbound (
  id uuid primary key,
  organisation_id uuid,
  provider text not null,
  provider_event_id text not null,
  payload jsonb not null,
  received_at timestamptz not null,
  processed_at timestamptz,
  unique (provider, provider_event_id)
);
create index inbound_unprocessed on inbound (received_at) where processed_at is null;

create table audit_log (
  id uuid primary key,
  organisation_id uuid not null,
  at timestamptz not null,
  actor text not null,
  action text not null,
  subject_kind text not null,
  subject_id text,
  detail jsonb not null default '{}'
);
create index audit_log_org on audit_log (organisation_id, at);

create table sandbox_clock (
  id int primary key,
  now timestamptz not null,
  running_since timestamptz
);

create table sandbox_deliveries (
  seq bigserial primary key,
  organisation_id uuid not null,
  idempotency_key text not null unique,
  recipient_kind text not null,
  recipient_id text not null,
  channel_kind text not null,
  address text not null,
  message_kind text not null,
  text text not null,
  payload jsonb not null,
  due_at timestamptz not null,
  delivered_at timestamptz not null
);
create index sandbox_deliveries_org on sandbox_deliveries (organisation_id, seq);
`,
  },
  {
    id: 2,
    name: "line",
    sql: `
create table channel_configs (
  organisation_id uuid not null references organisations(id) on delete cascade,
  kind text not null,
  credentials text not null,
  settings jsonb not null default '{}',
  updated_at timestamptz not null,
  primary key (organisation_id, kind)
);

create table line_users (
  organisation_id uuid not null references organisations(id) on delete cascade,
  user_id text not null,
  member_id uuid references members(id) on delete set null,
  following boolean not null,
  conversation jsonb,
  last_event_at timestamptz not null,
  primary key (organisation_id, user_id)
);
create index line_users_member on line_users (member_id) where member_id is not null;

create table contact_invitations (
  code_hash text primary key,
  organisation_id uuid not null references organisations(id) on delete cascade,
  contact_id uuid not null references contacts(id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null
);
create index contact_invitations_contact on contact_invitations (contact_id);

alter table inbound add column attempts int not null default 0;
alter table inbound add column last_error text;
alter table members add column consent jsonb;
`,
  },
  lineGroupsMigration,
  broadcastsMigration,
  phoneAndLinksMigration,
  tenantKeysMigration,
  distributedByOrganisationMigration,
  escalationSafetyMigration,
  consoleMigration,
  peopleMigration,
  visitsMigration,
  memberFieldsMigration,
  passkeysMigration,
  memberSearchMigration,
  importRetentionMigration,
  urgentOutboxMigration,
  memberNotesMigration,
  broadcastDrillsMigration,
  messageTemplatesMigration,
  brandingAndTermsMigration,
  reportSubscriptionsMigration,
  signOfLifeMigration,
  oneIncidentPerMemberMigration,
  memberErasureMigration,
  roomForHotUpdatesMigration,
];

/** Applies the migrations not applied yet, in order (up to `upTo`, an id, when given: tests of an upgrade). */
/**
 * A bounded context's migrations take ids from 1000 up (the network 1000–1999, the
 * directory 2000–2999): they follow the core's, and may rely on every core table.
 */
export const CONTEXT_MIGRATION_IDS = 1000;

/**
 * Applies what is not applied yet: the core's migrations up to `upTo`, then the
 * contexts' (passed by the composition root; ids ≥ CONTEXT_MIGRATION_IDS, or it throws).
 */
export async function migrate(db: Kysely<Database>, upTo = Number.POSITIVE_INFINITY, contexts: Migration[] = []): Promise<void> {
  const wrong = contexts.filter((m) => m.id < CONTEXT_MIGRATION_IDS);
  if (wrong.length) throw new Error(`context migrations take ids from ${CONTEXT_MIGRATION_IDS}: ${wrong.map((m) => m.id).join(", ")}`);
  const all = [...MIGRATIONS, ...(Number.isFinite(upTo) ? [] : [...contexts].sort((a, b) => a.id - b.id))];
  await db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(7419331)`.execute(tx);
    await sql`create table if not exists schema_migrations (id int primary key, name text not null, applied_at timestamptz not null)`.execute(tx);
    const done = await sql<{ id: number }>`select id from schema_migrations`.execute(tx);
    const applied = new Set(done.rows.map((r) => Number(r.id)));
    for (const m of all) {
      if (applied.has(m.id) || m.id > upTo) continue;
      for (const statement of m.sql.split(/;\s*\n/)) {
        if (statement.trim()) await sql.raw(statement).execute(tx);
      }
      // wall-clock: when the schema really changed (migrations run before any Clock exists).
      await sql`insert into schema_migrations (id, name, applied_at) values (${m.id}, ${m.name}, ${new Date()})`.execute(tx);
    }
  });
}
