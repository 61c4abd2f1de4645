/**
 * An organisation's message templates (設定 › メッセージの文面, issue 12): the
 * words of one kind of message on one channel, replacing the built-in ones
 * (domain/templates.ts). A slot without a row follows the built-in template;
 * resetting deletes the row.
 */
import type { Migration } from "../migrations.ts";

export const messageTemplatesMigration: Migration = {
  id: 20,
  name: "message-templates",
  sql: `
create table message_templates (
  organisation_id uuid not null references organisations(id) on delete cascade,
  kind text not null,
  channel text not null,
  body text not null,
  updated_at timestamptz not null,
  updated_by text not null,
  primary key (organisation_id, kind, channel)
);
`,
};
