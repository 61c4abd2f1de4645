/** Groups (つながり) on LINE: the group's own plan, rounds of confirmations, the people seen in it. */
import type { Migration } from "../migrations.ts";

/**
 * - `groups` gains the LINE group id, a status (active / awaiting_approval /
 *   left), its own plan and `next_due_at` (indexed: the round scheduler claims
 *   due groups like the member scheduler claims due members).
 * - `group_checkins`: one row per round (prompt); `list_at` is the round's one
 *   deadline, +23 h after the prompt, when the names of those who have not
 *   confirmed are posted; it is cleared once the list is written.
 * - `group_confirmations`: who is confirmed in a round, by whom (themselves with
 *   OK, or someone who checked on them).
 * - `group_participants`: the people seen in the group (LINE does not let
 *   ordinary accounts list group members): anyone who tapped, posted or joined.
 */
export const lineGroupsMigration: Migration = {
  id: 3,
  name: "line-groups",
  sql: `
alter table groups add column line_group_id text;
alter table groups add column status text not null default 'active';
alter table groups add column plan jsonb;
alter table groups add column next_due_at timestamptz;
alter table groups add column line_event_at timestamptz;
alter table groups add column left_at timestamptz;
create unique index groups_line_group on groups (organisation_id, line_group_id) where line_group_id is not null;
create index groups_due on groups (next_due_at) where next_due_at is not null;

create table group_checkins (
  id uuid primary key,
  organisation_id uuid not null,
  group_id uuid not null references groups(id) on delete cascade,
  due_at timestamptz not null,
  prompted_at timestamptz not null,
  list_at timestamptz,
  listed_at timestamptz,
  unconfirmed jsonb,
  unique (group_id, due_at)
);
create index group_checkins_list on group_checkins (list_at) where list_at is not null;

create table group_confirmations (
  group_checkin_id uuid not null references group_checkins(id) on delete cascade,
  user_id text not null,
  display_name text not null,
  by_user_id text not null,
  by_display_name text not null,
  confirmed_at timestamptz not null,
  answer_id uuid,
  primary key (group_checkin_id, user_id)
);

create table group_participants (
  group_id uuid not null references groups(id) on delete cascade,
  user_id text not null,
  display_name text,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  primary key (group_id, user_id)
);
`,
};
