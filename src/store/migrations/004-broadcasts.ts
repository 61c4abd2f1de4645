/**
 * Broadcasts and disaster checks (無事ですか？): one row per broadcast, one per
 * recipient. A recipient's delivery state is read from the outbox rows with its
 * idempotency key (and that key's fail-over keys `<key>#n`), so it is never
 * stored twice; the answer (safe / need help) and the urgent incident it opened
 * are stored here.
 *
 * `broadcast_recipients.member_id` has no foreign key on purpose: checking one
 * takes a KEY SHARE lock on every member row, and a broadcast to 100,000 members
 * would then hold 100,000 member locks until it commits, stalling the scheduler
 * (which skips locked members) and the escalator (which waits for them). A
 * member's rows here are deleted with the member (DELETE /members/:id).
 */
import type { Migration } from "../migrations.ts";

export const broadcastsMigration: Migration = {
  id: 4,
  name: "broadcasts",
  sql: `
create table broadcasts (
  id uuid primary key,
  organisation_id uuid not null references organisations(id) on delete cascade,
  audience_kind text not null check (audience_kind in ('all', 'team', 'group')),
  audience_id uuid,
  text text not null,
  question boolean not null,
  recipient_count int not null,
  created_by text not null,
  created_at timestamptz not null
);
create index broadcasts_org on broadcasts (organisation_id, created_at desc, id desc);

create table broadcast_recipients (
  broadcast_id uuid not null references broadcasts(id) on delete cascade,
  member_id uuid not null,
  organisation_id uuid not null,
  outbox_key text not null,
  answer text check (answer in ('safe', 'need_help')),
  answered_at timestamptz,
  incident_id uuid,
  primary key (broadcast_id, member_id)
);
create index broadcast_recipients_member on broadcast_recipients (member_id);
`,
};
