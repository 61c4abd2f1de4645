/**
 * Ready to be distributed by organisation (the way Citus shards a table by a
 * tenant column, when one PostgreSQL is no longer enough for a country):
 *
 * - every tenant table carries `organisation_id` (NOT NULL); the three link
 *   tables that lacked it (group_members, group_participants,
 *   group_confirmations) get it from their parent row;
 * - every primary key and unique index includes it — primary keys become
 *   `(id, organisation_id)`, so a look-up by id alone still walks the same
 *   index, and idempotency keys, due times and "one open at a time" rules
 *   are unique per organisation;
 * - every foreign key between tenant tables includes it, so a row can only
 *   ever point at a row of its own organisation, and both sit on one shard.
 *
 * Instance-wide reference tables (organisations, api_tokens, sandbox_clock,
 * schema_migrations) are listed in REFERENCE_TABLES (store/schema.ts) with the
 * reason, and in the README. test/store/distribution.test.ts reads the catalog and holds every
 * other table to these rules.
 */
import type { Migration } from "../migrations.ts";

/** Tenant-to-tenant foreign keys: table, column, parent, on delete. */
const FOREIGN_KEYS: [string, string, string, string][] = [
  ["members", "team_id", "teams", ""],
  ["contacts", "member_id", "members", "cascade"],
  ["groups", "team_id", "teams", ""],
  ["group_members", "group_id", "groups", "cascade"],
  ["group_members", "member_id", "members", "cascade"],
  ["checkins", "member_id", "members", "cascade"],
  ["answers", "member_id", "members", "cascade"],
  ["incidents", "member_id", "members", "cascade"],
  ["incident_events", "incident_id", "incidents", "cascade"],
  ["line_users", "member_id", "members", "set null (member_id)"],
  ["contact_invitations", "contact_id", "contacts", "cascade"],
  ["group_checkins", "group_id", "groups", "cascade"],
  ["group_confirmations", "group_checkin_id", "group_checkins", "cascade"],
  ["group_participants", "group_id", "groups", "cascade"],
  ["broadcast_recipients", "broadcast_id", "broadcasts", "cascade"],
  ["observations", "member_id", "members", "cascade"],
];

/** Primary keys that become (key…, organisation_id). */
const PRIMARY_KEYS: [string, string][] = [
  ["teams", "id"], ["members", "id"], ["contacts", "id"], ["groups", "id"], ["group_members", "group_id, member_id"],
  ["checkins", "id"], ["answers", "id"], ["incidents", "id"], ["incident_events", "id"], ["outbox", "id"], ["inbound", "id"],
  ["audit_log", "id"], ["sandbox_deliveries", "seq"], ["contact_invitations", "code_hash"], ["group_checkins", "id"],
  ["group_confirmations", "group_checkin_id, user_id"], ["group_participants", "group_id, user_id"], ["broadcasts", "id"],
  ["broadcast_recipients", "broadcast_id, member_id"], ["links", "token_hash"], ["observations", "id"],
];

const sqlText = [
  // The link tables take their organisation from the parent row.
  "alter table group_members add column organisation_id uuid",
  "update group_members gm set organisation_id = g.organisation_id from groups g where g.id = gm.group_id",
  "alter table group_members alter column organisation_id set not null",
  "alter table group_participants add column organisation_id uuid",
  "update group_participants gp set organisation_id = g.organisation_id from groups g where g.id = gp.group_id",
  "alter table group_participants alter column organisation_id set not null",
  "alter table group_confirmations add column organisation_id uuid",
  "update group_confirmations gc set organisation_id = c.organisation_id from group_checkins c where c.id = gc.group_checkin_id",
  "alter table group_confirmations alter column organisation_id set not null",
  // Webhook events are always stored under the organisation of their URL.
  "alter table inbound alter column organisation_id set not null",

  // Foreign keys go first: they depend on the primary keys being replaced.
  ...FOREIGN_KEYS.map(([table, column]) => `alter table ${table} drop constraint ${table}_${column}_fkey`),
  ...PRIMARY_KEYS.flatMap(([table, key]) => [
    `alter table ${table} drop constraint ${table}_pkey`,
    `alter table ${table} add primary key (${key}, organisation_id)`,
  ]),
  ...FOREIGN_KEYS.map(([table, column, parent, onDelete]) =>
    `alter table ${table} add constraint ${table}_${column}_fkey foreign key (${column}, organisation_id) ` +
    `references ${parent} (id, organisation_id)${onDelete ? ` on delete ${onDelete}` : ""}`),

  // Unique keys, per organisation. The organisation comes last: look-ups by the key alone (an outbox
  // row by its idempotency key, a member's check-in by due time) walk the same index as before.
  "alter table checkins drop constraint checkins_member_id_due_at_key",
  "alter table checkins add constraint checkins_member_id_due_at_key unique (member_id, due_at, organisation_id)",
  "drop index checkins_one_escalating",
  "create unique index checkins_one_escalating on checkins (member_id, organisation_id) where status = 'open' and escalates",
  "drop index incidents_one_open_per_kind",
  "create unique index incidents_one_open_per_kind on incidents (member_id, kind, organisation_id) where status <> 'resolved'",
  "alter table outbox drop constraint outbox_idempotency_key_key",
  "alter table outbox add constraint outbox_idempotency_key_key unique (idempotency_key, organisation_id)",
  "alter table inbound drop constraint inbound_provider_provider_event_id_key",
  "alter table inbound add constraint inbound_provider_provider_event_id_key unique (provider, provider_event_id, organisation_id)",
  "alter table sandbox_deliveries drop constraint sandbox_deliveries_idempotency_key_key",
  "alter table sandbox_deliveries add constraint sandbox_deliveries_idempotency_key_key unique (idempotency_key, organisation_id)",
  "alter table group_checkins drop constraint group_checkins_group_id_due_at_key",
  "alter table group_checkins add constraint group_checkins_group_id_due_at_key unique (group_id, due_at, organisation_id)",
  "alter table observations drop constraint observations_idempotency_key_key",
  "alter table observations add constraint observations_idempotency_key_key unique (idempotency_key, organisation_id)",
];

export const distributedByOrganisationMigration: Migration = {
  id: 7,
  name: "distributed-by-organisation",
  sql: `${sqlText.join(";\n")};\n`,
};
