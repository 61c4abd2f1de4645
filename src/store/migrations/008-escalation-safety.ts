/**
 * The escalation path made safe (nobody unalerted, nobody alarmed by mistake).
 *
 * - `checkins.asked_at` / `after_asked_ms`: a chain waits for the member to be
 *   actually asked. While `after_asked_ms` is set, the check-in's prompt (or
 *   re-send) has not yet been accepted by a provider; when it is (or when no
 *   channel could take it), `next_action_at` becomes that moment plus the delay.
 * - `outbox.cancel_reason`, `outbox.error_code`: a queued message whose cause is
 *   gone is `cancelled` with the reason; a failure carries the provider's code.
 * - `incidents.acknowledged_by_kind/_id`, `ack_check_at`, `ack_reminded_at`: an
 *   acknowledgement is a promise with a deadline (reminder, then timeout).
 * - `teams.next_summary_at`: the daily summary of unresolved incidents is a row.
 * - `channel_health`: per organisation and channel kind, the last success and the
 *   last failure (credentials refused are raised to the team at most hourly).
 */
import type { Migration } from "../migrations.ts";

export const escalationSafetyMigration: Migration = {
  id: 8,
  name: "escalation-safety",
  sql: `
alter table checkins add column asked_at timestamptz;
alter table checkins add column after_asked_ms double precision;
alter table outbox add column cancel_reason text;
alter table outbox add column error_code text;
alter table incidents add column acknowledged_by_kind text;
alter table incidents add column acknowledged_by_id uuid;
alter table incidents add column ack_check_at timestamptz;
alter table incidents add column ack_reminded_at timestamptz;
create index incidents_ack_check on incidents (ack_check_at) where ack_check_at is not null;
alter table teams add column next_summary_at timestamptz;
create index teams_summary on teams (next_summary_at) where next_summary_at is not null;
create index outbox_pending_checkin on outbox (checkin_id) where status = 'pending' and checkin_id is not null;
create index outbox_cancelled on outbox (organisation_id, created_at desc) where status = 'cancelled';

create table channel_health (
  organisation_id uuid not null references organisations(id) on delete cascade,
  kind text not null,
  last_success_at timestamptz,
  last_failure_at timestamptz,
  last_error_code text,
  last_error text,
  credentials_refused_at timestamptz,
  operator_alerted_at timestamptz,
  primary key (organisation_id, kind)
);
`,
};
