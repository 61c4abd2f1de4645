/**
 * The directory's settings (migration 2090, engine/settings.ts): whether 年末年始
 * closes every repeating schedule and its dates. Everyone in the organisation
 * who reads the directory reads them; admins change them (audited). Applied
 * wherever schedules are expanded: the public page, the HSDS API and export,
 * the activities calendar, matching.
 *
 * Also the directory's public addresses (GET /directory/public-links): the
 * residents' page /directory/{organisationId} and the HSDS API
 * /api/v1/hsds/{organisationId}, made from the service's public URL
 * (MIMAMORI_PUBLIC_URL) so the console never guesses them from its own address.
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

const PublicLinks = z.object({
  organisationId: z.string().describe("the id the public addresses name"),
  publicPage: z.string().describe("the residents' directory page, full URL: {public URL}/directory/{organisationId}"),
  hsdsApi: z.string().describe("the public, read-only HSDS API, full URL: {public URL}/api/v1/hsds/{organisationId}"),
}).meta({ id: "DirectoryPublicLinks" });

/** The public addresses of an organisation's directory under the service's public URL (no trailing slash kept). */
export function publicLinks(publicUrl: string, organisationId: string) {
  const base = publicUrl.replace(/\/+$/, "");
  return { organisationId, publicPage: `${base}/directory/${organisationId}`, hsdsApi: `${base}/api/v1/hsds/${organisationId}` };
}

const view = (v: DirectorySettings) => ({ ...v, updatedAt: v.updatedAt?.toISOString() ?? null });

export function settingsRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get("/directory/settings", { schema: { tags, summary: "The directory's settings: whether 年末年始 is closed, and its dates" } },
      async (request) => view(await directorySettings(s.db, request.principal.organisationId)));

    app.get("/directory/public-links", { schema: { tags, summary: "The directory's public page and HSDS API, as full URLs under the service's public URL" } },
      async (request) => publicLinks(s.publicUrl(), request.principal.organisationId));

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
  "GET /directory/public-links": "observer",
  "PATCH /directory/settings": "admin",
} as const;

export const SETTINGS_RESPONSES = {
  "GET /directory/settings": { 200: SettingsView },
  "GET /directory/public-links": { 200: PublicLinks },
  "PATCH /directory/settings": { 200: SettingsView },
};
