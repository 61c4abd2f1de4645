/**
 * Devices of ICT watching (seed 001): a member's light bulb, door and fridge-door
 * sensors, power meters. Each has a token (stored hashed) for events over HTTP and
 * an MQTT topic name (the Zigbee2MQTT friendly name) for events over MQTT.
 *
 * Deadlines (phases read them; the sandbox clock stops at them):
 * - `network_devices.silent_check_at`: when the device counts as silent if it says
 *   nothing more (last report + 10 min mains / 25 h battery; now when it says it is
 *   offline); the `device-silent` phase marks it (`silent_since`) and tells the team.
 * - `network_device_rules.check_at`: when an inactivity rule fires if no activity
 *   comes (last activity + hours); the `device-inactivity` phase raises a concern.
 *   Null while fired (until the next activity) or suspended (the device is silent).
 */
import type { Migration } from "../../../store/migrations.ts";

export const devicesMigration: Migration = {
  id: 1030,
  name: "network-devices",
  sql: `
create table network_devices (
  id uuid not null,
  organisation_id uuid not null,
  member_id uuid not null,
  kind text not null check (kind in ('light_bulb', 'door', 'fridge_door', 'motion', 'power_meter', 'smart_speaker', 'other')),
  name text not null,
  power text not null check (power in ('battery', 'mains')),
  topic text,
  sign_of_life boolean not null default false,
  token_hash text not null,
  last_state jsonb,
  last_event_at timestamptz,
  last_event_id text,
  last_activity_at timestamptz,
  last_seen_at timestamptz,
  availability text check (availability in ('online', 'offline')),
  silent_check_at timestamptz,
  silent_since timestamptz,
  created_at timestamptz not null,
  created_by text not null,
  primary key (id, organisation_id),
  foreign key (member_id, organisation_id) references members (id, organisation_id) on delete cascade
);
create unique index network_devices_token on network_devices (token_hash, organisation_id);
create unique index network_devices_topic on network_devices (topic, organisation_id) where topic is not null;
create index network_devices_member on network_devices (member_id, organisation_id);
create index network_devices_silent_check on network_devices (silent_check_at) where silent_check_at is not null;

create table network_device_rules (
  id uuid not null,
  organisation_id uuid not null,
  device_id uuid not null,
  hours int not null check (hours between 1 and 720),
  below_watts double precision,
  check_at timestamptz,
  fired_at timestamptz,
  primary key (id, organisation_id),
  foreign key (device_id, organisation_id) references network_devices (id, organisation_id) on delete cascade
);
create index network_device_rules_device on network_device_rules (device_id, organisation_id);
create index network_device_rules_check on network_device_rules (check_at) where check_at is not null`,
};
