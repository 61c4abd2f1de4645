/**
 * The member's latest sign of life that is not an answer (a device of ICT watching
 * the member chose to count, seed 001): when a check-in falls due and one came
 * within the day before (domain/sign-of-life.ts), the scheduler records the
 * check-in as satisfied by activity and sends no prompt. The core knows only the
 * time and where it came from (`source`, e.g. "device"), never what a device is.
 */
import type { Migration } from "../migrations.ts";

export const signOfLifeMigration: Migration = {
  id: 23,
  name: "sign-of-life",
  sql: `
alter table members add column last_sign_of_life_at timestamptz;
alter table members add column last_sign_of_life_source text`,
};
