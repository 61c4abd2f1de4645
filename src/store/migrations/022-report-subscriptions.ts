/**
 * Who receives the monthly report by e-mail on the 1st of each month (issue 12,
 * Reports: "The operator can have the report e-mailed on the first of each
 * month"). A subscription is either an address (`email`) or a person of the
 * organisation (`person_id`: the mail goes to their e-mail address as it is when
 * the month's mail is queued). `next_send_at` is the row's deadline: the engine's
 * `monthly-reports` phase claims due rows, queues the month's mail (one outbox
 * row per subscription and month) and moves it to the next 1st at 08:00 in the
 * organisation's time zone (domain/report-mail.ts).
 */
import type { Migration } from "../migrations.ts";

export const reportSubscriptionsMigration: Migration = {
  id: 22,
  name: "report-subscriptions",
  sql: `
create table report_subscriptions (
  id uuid not null,
  organisation_id uuid not null,
  email text,
  person_id uuid,
  created_by text not null,
  created_at timestamptz not null,
  next_send_at timestamptz not null,
  primary key (id, organisation_id),
  check ((email is null) <> (person_id is null)),
  foreign key (person_id, organisation_id) references people (id, organisation_id) on delete cascade
);
create unique index report_subscriptions_email on report_subscriptions (organisation_id, lower(email)) where email is not null;
create unique index report_subscriptions_person on report_subscriptions (organisation_id, person_id) where person_id is not null;
create index report_subscriptions_due on report_subscriptions (next_send_at);
`,
};
