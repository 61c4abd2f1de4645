/**
 * The directory's settings per organisation (migration 2090): whether 年末年始
 * closes every repeating schedule (default on) and its dates (12/29–1/3 by
 * default). Read wherever schedules are expanded — the public page, the HSDS
 * API and export, the activities calendar, matching — through
 * `directoryClosureOptions`. No row: the defaults.
 */
import type { TableDecision } from "../../engine/personal-data.ts";
import type { Db } from "../../store/db.ts";
import { type ClosureOptions, YEAR_END_FIRST, YEAR_END_LAST } from "../domain/schedule.ts";
import type { DirectorySettingsTables } from "../store/settings-schema.ts";
import type { DirectoryPersonalDataPart } from "./personal-data.ts";
import "../store/settings-schema.ts";

export interface DirectorySettings {
  yearEndClosed: boolean;
  /** MM-DD. */
  yearEndFirst: string;
  yearEndLast: string;
  /** Who changed them last and when; null: never changed (the defaults). */
  updatedBy: string | null;
  updatedAt: Date | null;
}

export const DEFAULT_DIRECTORY_SETTINGS: DirectorySettings = {
  yearEndClosed: true, yearEndFirst: YEAR_END_FIRST, yearEndLast: YEAR_END_LAST, updatedBy: null, updatedAt: null,
};

/** The organisation's settings (the defaults when never set). */
export async function directorySettings(db: Db, organisationId: string): Promise<DirectorySettings> {
  const row = await db.selectFrom("directory_settings").selectAll().where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!row) return DEFAULT_DIRECTORY_SETTINGS;
  return { yearEndClosed: row.year_end_closed, yearEndFirst: row.year_end_first, yearEndLast: row.year_end_last, updatedBy: row.updated_by, updatedAt: row.updated_at };
}

/** The options schedules are expanded with (domain/schedule.ts), from the settings. */
export function closureOptionsOf(settings: DirectorySettings): Required<Pick<ClosureOptions, "yearEndClosed" | "yearEnd">> {
  return { yearEndClosed: settings.yearEndClosed, yearEnd: { first: settings.yearEndFirst, last: settings.yearEndLast } };
}

/** The organisation's options for expanding schedules (its 年末年始 rule). */
export async function directoryClosureOptions(db: Db, organisationId: string): Promise<Required<Pick<ClosureOptions, "yearEndClosed" | "yearEnd">>> {
  return closureOptionsOf(await directorySettings(db, organisationId));
}

/** Changes the settings given (the others kept); returns them. Dates are MM-DD (checked by the route and the table). */
export async function setDirectorySettings(
  db: Db, organisationId: string, patch: Partial<Pick<DirectorySettings, "yearEndClosed" | "yearEndFirst" | "yearEndLast">>, by: string, now: Date,
): Promise<DirectorySettings> {
  const current = await directorySettings(db, organisationId);
  const next = {
    year_end_closed: patch.yearEndClosed ?? current.yearEndClosed,
    year_end_first: patch.yearEndFirst ?? current.yearEndFirst,
    year_end_last: patch.yearEndLast ?? current.yearEndLast,
    updated_by: by, updated_at: now,
  };
  await db.insertInto("directory_settings").values({ organisation_id: organisationId, ...next })
    .onConflict((oc) => oc.column("organisation_id").doUpdateSet(next)).execute();
  return directorySettings(db, organisationId);
}

/** The settings are the organisation's, about no member. */
export const SETTINGS_PERSONAL_DATA: DirectoryPersonalDataPart = {
  tables: {
    directory_settings: { erasure: "none", why: "the organisation's directory settings (年末年始), about no member" },
  } satisfies Record<keyof DirectorySettingsTables, TableDecision>,
};
