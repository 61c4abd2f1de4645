/**
 * The directory's settings (migration 2090, engine/settings.ts): whether 年末年始
 * closes every repeating schedule and its dates. Everyone in the organisation
 * who reads the directory reads them; admins change them (audited). Applied
 * wherever schedules are expanded: the public page, the HSDS API and export,
 * the activities calendar, matching.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/auth.ts";
import { audit } from "../../http/audit.ts";
import type { Services } from "../../http/services.ts";
import { type DirectorySettings, directorySettings, setDirectorySettings } from "../engine/settings.ts";

const tags = ["directory"];

/** A day of the year, MM-DD. */
const MonthDay = z.string().regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/, "must be a day of the year MM-DD, e.g. 12-29");

const SettingsView = z.object({
  yearEndClosed: z.boolean().describe("年末年始 closes every repeating schedule (one-off events are kept)"),
  yearEndFirst: z.string().describe("its first day, MM-DD (default 12-29)"),
  yearEndLast: z.string().describe("its last day, MM-DD (default 01-03); before the first: across the new year"),
  updatedBy: z.string().nullable(), updatedAt: z.string().nullable().describe("null: never changed, the defaults"),
}).meta({ id: "DirectorySettings" });

const SettingsPatch = z.strictObject({
  yearEndClosed: z.boolean().optional(), yearEndFirst: MonthDay.optional(), yearEndLast: MonthDay.optional(),
});

const view = (v: DirectorySettings) => ({ ...v, updatedAt: v.updatedAt?.toISOString() ?? null });

export function settingsRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/directory/settings", { schema: { tags, summary: "The directory's settings: whether 年末年始 is closed, and its dates" } },
      async (request) => view(await directorySettings(s.db, request.principal.organisationId)));

    app.patch("/directory/settings", {
      schema: { tags, body: SettingsPatch, summary: "Change the directory's settings (年末年始); fields left out are kept" },
    }, async (request) => {
      const settings = await setDirectorySettings(s.db, request.principal.organisationId, request.body, actorOf(request.principal), s.clock.now());
      await audit(s.db, request, "directory_settings.update", "organisation", request.principal.organisationId, { fields: Object.keys(request.body).sort() });
      return view(settings);
    });
  };
}

export const SETTINGS_ACCESS = {
  "GET /directory/settings": "observer",
  "PATCH /directory/settings": "admin",
} as const;

export const SETTINGS_RESPONSES = {
  "GET /directory/settings": { 200: SettingsView },
  "PATCH /directory/settings": { 200: SettingsView },
};
