/**
 * The directory in Open Referral HSDS 3.1 (issue 14):
 *
 * - The public, read-only HSDS API of one organisation, under
 *   /api/v1/hsds/{organisationId} (the organisation in the path, as its logo and
 *   its public page of partners are): `GET /` (version, profile, openapi_url),
 *   `/services` (paged; filters search, taxonomy_term_id, taxonomy_id,
 *   organization_id, modified_after, and our `area`: a postal code or a town),
 *   `/services/{id}` fully nested, `/organizations` (+ `/{id}`),
 *   `/service_at_locations` (+ `/{id}`), `/taxonomy_terms` (+ `/{id}`),
 *   `/taxonomies` (+ `/{id}`). Only listed entries, nothing about people (no
 *   contacts, no change history, no assurer e-mail). Lists answer HSDS's Page
 *   shape; filters are cumulative; a taxonomy term covers the terms below it. Bad
 *   parameters are refused (400, our error shape, naming the field); an unknown
 *   organisation or entry is 404.
 * - The staff's export of the whole directory, GET /api/v1/directory/export/hsds:
 *   `format=zip` (default; datapackage.json and one CSV per entity, HSDS's tabular
 *   form) or `format=json`. It holds provider contacts and the change history:
 *   audited, and refused to the auditor (who reads but takes nothing away).
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { getOrganisation } from "../../engine/organisations.ts";
import type { Access } from "../../http/access.ts";
import { audit } from "../../http/audit.ts";
import { notFound } from "../../http/errors.ts";
import { DateTime, Id, safeString } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { HSDS_VERSION, hsdsDirectory, organisationTaxonomy } from "../domain/hsds.ts";
import { tokyoDate } from "../domain/schedule.ts";
import { directoryClosureOptions } from "../engine/settings.ts";
import { TAXONOMY_JA, type TaxonomyTerm } from "../domain/taxonomy-ja.ts";
import { exportHsds } from "../engine/hsds-export.ts";
import {
  codesOfTermId, directoryRows, directoryTerms, isListedOrganization, isListedService, listedOrganizationPage, listedServiceAtLocationPage,
  listedServicePage, type PageRequest, type ServiceFilter, servicesOfServiceAtLocations,
} from "../engine/hsds-read.ts";

const tags = ["hsds"];
const BASE = "/hsds/:organisationId";

/** HSDS's own documentation: the profile we follow is the core one. */
export const HSDS_PROFILE_URL = "https://docs.openreferral.org/en/3.1/";

export const HSDS_ACCESS: Readonly<Record<string, Access>> = {
  [`GET ${BASE}`]: "public",
  [`GET ${BASE}/services`]: "public",
  [`GET ${BASE}/services/:id`]: "public",
  [`GET ${BASE}/organizations`]: "public",
  [`GET ${BASE}/organizations/:id`]: "public",
  [`GET ${BASE}/service_at_locations`]: "public",
  [`GET ${BASE}/service_at_locations/:id`]: "public",
  [`GET ${BASE}/taxonomy_terms`]: "public",
  [`GET ${BASE}/taxonomy_terms/:id`]: "public",
  [`GET ${BASE}/taxonomies`]: "public",
  [`GET ${BASE}/taxonomies/:id`]: "public",
  // The whole directory with provider contacts and history; staff and admins (the auditor is refused in the route).
  "GET /directory/export/hsds": "staff",
};

const HsdsObject = z.record(z.string(), z.unknown()).describe("an HSDS 3.1 object (schema in the summary)");
const HsdsRoot = z.object({
  version: z.literal(HSDS_VERSION), profile: z.string().describe("URI"), openapi_url: z.string().describe("URI of this API's OpenAPI document"),
}).meta({ id: "HsdsRoot" });
const HsdsPage = z.object({
  total_items: z.number().int(), total_pages: z.number().int(), page_number: z.number().int(), size: z.number().int(),
  first_page: z.boolean(), last_page: z.boolean(), empty: z.boolean(), contents: z.array(HsdsObject),
}).meta({ id: "HsdsPage" });
const File = z.string().describe("the file's bytes (application/zip or application/json), as an attachment");

export const HSDS_RESPONSES: Readonly<Record<string, Record<number, z.ZodType>>> = {
  [`GET ${BASE}`]: { 200: HsdsRoot },
  ...Object.fromEntries(["services", "organizations", "service_at_locations", "taxonomy_terms", "taxonomies"].flatMap((p) => [
    [`GET ${BASE}/${p}`, { 200: HsdsPage }],
    [`GET ${BASE}/${p}/:id`, { 200: HsdsObject }],
  ])),
  "GET /directory/export/hsds": { 200: File },
};

const OrgParams = z.strictObject({ organisationId: Id.describe("the organisation whose directory this is") });
const OrgIdParams = z.strictObject({ organisationId: Id.describe("the organisation whose directory this is"), id: Id });

const Flag = z.enum(["true", "false"]).optional();
const PageFields = {
  page: z.coerce.number().int("must be a whole number").min(1, "must be at least 1").max(1_000_000, "at most 1000000").default(1).describe("1-based"),
  per_page: z.coerce.number().int("must be a whole number").min(1, "must be at least 1").max(200, "at most 200").default(50),
  format: z.enum(["json"]).optional().describe("json only (ndjson is not offered)"),
};
const Search = safeString().max(200, "at most 200 characters").optional().describe("words that must all appear (name, description, eligibility, fees, how to apply)");
const ServiceFilterFields = {
  search: Search,
  taxonomy_term_id: Id.optional().describe("a term (its id): services with it or a term below it"),
  taxonomy_id: Id.optional().describe("a taxonomy (its id): services with any of its terms"),
  organization_id: Id.optional().describe("the providing organisation"),
  modified_after: DateTime.optional().describe("changed after this instant"),
  area: safeString().max(100, "at most 100 characters").optional()
    .describe("our extension: a postal code (650-0001) or a town (加納町): services whose service areas cover it (or the whole area)"),
};
const ServicesQuery = z.strictObject({
  ...PageFields, ...ServiceFilterFields,
  full: Flag.describe("true: each service fully nested, as /services/{id}"),
  minimal: Flag.describe("accepted; list items are already minimal"),
});
const OrganizationsQuery = z.strictObject({
  ...PageFields,
  search: safeString().max(200, "at most 200 characters").optional().describe("words in the name, other name or description"),
  taxonomy_term_id: ServiceFilterFields.taxonomy_term_id, taxonomy_id: ServiceFilterFields.taxonomy_id,
  full: Flag.describe("true: each organisation with its locations, phones and taxonomy"),
  full_service: Flag.describe("true: each organisation with its listed services, fully nested"),
});
const OrganizationQuery = z.strictObject({ full_service: Flag.describe("true: with its listed services, fully nested") });
const ServiceAtLocationsQuery = z.strictObject({
  ...PageFields, ...ServiceFilterFields,
  postcode: safeString().max(10, "at most 10 characters").optional().describe("the location's postal code"),
  full: Flag.describe("true: each fully nested, as /service_at_locations/{id}"),
});
const TermsQuery = z.strictObject({
  ...PageFields,
  search: safeString().max(100, "at most 100 characters").optional().describe("text in the term's name or code"),
  taxonomy_id: Id.optional(),
  top_only: Flag.describe("true: terms without a parent"),
  parent_id: Id.optional().describe("terms directly below this one"),
});
const TaxonomiesQuery = z.strictObject(PageFields);
const ExportQuery = z.strictObject({ format: z.enum(["zip", "json"]).default("zip").describe("zip: HSDS tabular data (datapackage.json + CSVs); json: nested") });

/** HSDS's Page of `contents` (page numbers from 1). */
function page<T>(contents: T[], total: number, request: PageRequest) {
  const totalPages = Math.ceil(total / request.perPage);
  return {
    total_items: total, total_pages: totalPages, page_number: request.page, size: contents.length,
    first_page: request.page === 1, last_page: request.page >= totalPages, empty: contents.length === 0, contents,
  };
}

function pageOf<T>(all: T[], request: PageRequest) {
  return page(all.slice((request.page - 1) * request.perPage, request.page * request.perPage), all.length, request);
}

/** The codes a term id and a taxonomy id allow together (both filters apply), or undefined when neither is given. */
function taxonomyCodes(terms: readonly TaxonomyTerm[], organisationId: string, termId?: string, taxonomyId?: string): string[] | undefined {
  let codes: string[] | undefined;
  if (termId) codes = codesOfTermId(terms, termId);
  if (taxonomyId) {
    const own = organisationTaxonomy(organisationId).id;
    const inTaxonomy = terms.filter((t) => (t.source === "shipped" ? TAXONOMY_JA.id : own) === taxonomyId).map((t) => t.code);
    codes = codes ? codes.filter((c) => inTaxonomy.includes(c)) : inTaxonomy;
  }
  return codes;
}

export function hsdsRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    /** The organisation of the path, or 404; its taxonomy and the mapper's context (public). */
    const context = async (organisationId: string) => {
      const organisation = await getOrganisation(s.db, organisationId).catch(() => undefined);
      if (!organisation) throw notFound("organisation");
      const terms = await directoryTerms(s.db, organisationId);
      const yearEnd = await directoryClosureOptions(s.db, organisationId);
      return { organisation, terms, ctx: { organisationId, audience: "public" as const, today: tokyoDate(s.clock.now()), ...yearEnd, terms } };
    };
    const security: never[] = [];

    app.get(BASE, {
      schema: { tags, summary: "HSDS 3.1: about this API (public)", params: OrgParams, security },
    }, async (request) => {
      await context(request.params.organisationId);
      return { version: HSDS_VERSION, profile: HSDS_PROFILE_URL, openapi_url: `${s.publicUrl()}/api/v1/openapi.json` };
    });

    const serviceFilter = (q: z.infer<typeof ServicesQuery> | z.infer<typeof ServiceAtLocationsQuery>, terms: readonly TaxonomyTerm[], organisationId: string): ServiceFilter => ({
      search: q.search, organizationId: q.organization_id, modifiedAfter: q.modified_after ? new Date(q.modified_after) : undefined, area: q.area,
      taxonomyCodes: taxonomyCodes(terms, organisationId, q.taxonomy_term_id, q.taxonomy_id),
    });

    app.get(`${BASE}/services`, {
      schema: { tags, summary: "HSDS 3.1: the listed services, paged (items: compiled/service_list.json, or service.json with full=true; public)", params: OrgParams, querystring: ServicesQuery, security },
    }, async (request) => {
      const { organisationId } = request.params;
      const { terms, ctx } = await context(organisationId);
      const q = request.query;
      const paging = { page: q.page, perPage: q.per_page };
      const { ids, total } = await listedServicePage(s.db, organisationId, serviceFilter(q, terms, organisationId), paging);
      const d = hsdsDirectory(await directoryRows(s.db, organisationId, { serviceIds: ids, audience: "public" }), ctx);
      const services = ids.map((id) => d.serviceById(id)).filter((x) => x !== undefined);
      return page(services.map(q.full === "true" ? d.service : d.serviceListItem), total, paging);
    });

    app.get(`${BASE}/services/:id`, {
      schema: { tags, summary: "HSDS 3.1: a listed service, fully nested (service.json; public)", params: OrgIdParams, security },
    }, async (request) => {
      const { organisationId, id } = request.params;
      const { ctx } = await context(organisationId);
      if (!(await isListedService(s.db, organisationId, id))) throw notFound("service");
      const d = hsdsDirectory(await directoryRows(s.db, organisationId, { serviceIds: [id], audience: "public" }), ctx);
      const service = d.serviceById(id);
      if (!service) throw notFound("service");
      return d.service(service);
    });

    /** The listed services of these providers (for full_service). */
    const servicesOf = async (organisationId: string, organizationIds: string[]) => {
      const ids: string[] = [];
      for (const organizationId of organizationIds) {
        ids.push(...(await listedServicePage(s.db, organisationId, { organizationId }, { page: 1, perPage: 1000 })).ids);
      }
      return ids;
    };

    app.get(`${BASE}/organizations`, {
      schema: { tags, summary: "HSDS 3.1: the listed organisations that provide services, paged (items: compiled/organization_list.json; public)", params: OrgParams, querystring: OrganizationsQuery, security },
    }, async (request) => {
      const { organisationId } = request.params;
      const { terms, ctx } = await context(organisationId);
      const q = request.query;
      const paging = { page: q.page, perPage: q.per_page };
      const { ids, total } = await listedOrganizationPage(s.db, organisationId, {
        search: q.search, taxonomyCodes: taxonomyCodes(terms, organisationId, q.taxonomy_term_id, q.taxonomy_id),
      }, paging);
      const withServices = q.full_service === "true";
      const rows = await directoryRows(s.db, organisationId, {
        organizationIds: ids, serviceIds: withServices ? await servicesOf(organisationId, ids) : [], audience: "public",
      });
      const d = hsdsDirectory(rows, ctx);
      const orgs = ids.map((id) => d.organizationById(id)).filter((x) => x !== undefined);
      return page(orgs.map((o) => (withServices || q.full === "true" ? d.organization(o, withServices) : d.organizationListItem(o))), total, paging);
    });

    app.get(`${BASE}/organizations/:id`, {
      schema: { tags, summary: "HSDS 3.1: a listed organisation with its locations (and its listed services with full_service=true; public)", params: OrgIdParams, querystring: OrganizationQuery, security },
    }, async (request) => {
      const { organisationId, id } = request.params;
      const { ctx } = await context(organisationId);
      if (!(await isListedOrganization(s.db, organisationId, id))) throw notFound("organization");
      const withServices = request.query.full_service === "true";
      const rows = await directoryRows(s.db, organisationId, {
        organizationIds: [id], serviceIds: withServices ? await servicesOf(organisationId, [id]) : [], audience: "public",
      });
      const d = hsdsDirectory(rows, ctx);
      const org = d.organizationById(id);
      if (!org) throw notFound("organization");
      return d.organization(org, withServices);
    });

    app.get(`${BASE}/service_at_locations`, {
      schema: { tags, summary: "HSDS 3.1: where the listed services are offered, paged (items: compiled/service_at_location_list.json; public)", params: OrgParams, querystring: ServiceAtLocationsQuery, security },
    }, async (request) => {
      const { organisationId } = request.params;
      const { terms, ctx } = await context(organisationId);
      const q = request.query;
      const paging = { page: q.page, perPage: q.per_page };
      const { ids, total } = await listedServiceAtLocationPage(s.db, organisationId, { ...serviceFilter(q, terms, organisationId), postcode: q.postcode }, paging);
      const serviceIds = await servicesOfServiceAtLocations(s.db, organisationId, ids);
      const d = hsdsDirectory(await directoryRows(s.db, organisationId, { serviceIds, audience: "public" }), ctx);
      const found = ids.map((id) => d.serviceAtLocationById(id)).filter((x) => x !== undefined);
      return page(found.map(q.full === "true" ? d.serviceAtLocation : d.serviceAtLocationListItem), total, paging);
    });

    app.get(`${BASE}/service_at_locations/:id`, {
      schema: { tags, summary: "HSDS 3.1: a listed service at a location, nested, with its service (public)", params: OrgIdParams, security },
    }, async (request) => {
      const { organisationId, id } = request.params;
      const { ctx } = await context(organisationId);
      const [serviceId] = await servicesOfServiceAtLocations(s.db, organisationId, [id]);
      if (!serviceId || !(await isListedService(s.db, organisationId, serviceId))) throw notFound("service_at_location");
      const d = hsdsDirectory(await directoryRows(s.db, organisationId, { serviceIds: [serviceId], audience: "public" }), ctx);
      const found = d.serviceAtLocationById(id);
      if (!found) throw notFound("service_at_location");
      return d.serviceAtLocation(found);
    });

    app.get(`${BASE}/taxonomy_terms`, {
      schema: { tags, summary: "HSDS 3.1: the taxonomy terms (the shipped Japanese taxonomy and the organisation's own), paged (taxonomy_term.json; public)", params: OrgParams, querystring: TermsQuery, security },
    }, async (request) => {
      const { organisationId } = request.params;
      const { terms, ctx } = await context(organisationId);
      const d = hsdsDirectory({ ...(await directoryRows(s.db, organisationId, { audience: "public" })) }, ctx);
      const q = request.query;
      const words = (q.search ?? "").normalize("NFKC").toLowerCase().split(/\s+/).filter((w) => w !== "");
      const parentCode = q.parent_id ? terms.find((t) => t.id === q.parent_id)?.code ?? "\u0000" : undefined;
      const chosen = terms.map(d.taxonomyTerm).filter((t, i) => {
        const term = terms[i];
        if (q.taxonomy_id && t.taxonomy_id !== q.taxonomy_id) return false;
        if (q.top_only === "true" && term.parent_code !== null) return false;
        if (parentCode !== undefined && term.parent_code !== parentCode) return false;
        const haystack = `${term.code} ${term.name} ${term.name_en}`.toLowerCase();
        return words.every((w) => haystack.includes(w));
      });
      return pageOf(chosen, { page: q.page, perPage: q.per_page });
    });

    app.get(`${BASE}/taxonomy_terms/:id`, {
      schema: { tags, summary: "HSDS 3.1: a taxonomy term (public)", params: OrgIdParams, security },
    }, async (request) => {
      const { organisationId, id } = request.params;
      const { terms, ctx } = await context(organisationId);
      const term = terms.find((t) => t.id === id);
      if (!term) throw notFound("taxonomy_term");
      return hsdsDirectory({ ...(await directoryRows(s.db, organisationId, { audience: "public" })) }, ctx).taxonomyTerm(term);
    });

    app.get(`${BASE}/taxonomies`, {
      schema: { tags, summary: "HSDS 3.1: the taxonomies (mimamori-ja, and the organisation's own terms if any), paged (public)", params: OrgParams, querystring: TaxonomiesQuery, security },
    }, async (request) => {
      const { organisationId } = request.params;
      const { ctx } = await context(organisationId);
      const d = hsdsDirectory(await directoryRows(s.db, organisationId, { audience: "public" }), ctx);
      return pageOf(d.taxonomies(), { page: request.query.page, perPage: request.query.per_page });
    });

    app.get(`${BASE}/taxonomies/:id`, {
      schema: { tags, summary: "HSDS 3.1: a taxonomy (public)", params: OrgIdParams, security },
    }, async (request) => {
      const { organisationId, id } = request.params;
      const { ctx } = await context(organisationId);
      const found = hsdsDirectory(await directoryRows(s.db, organisationId, { audience: "public" }), ctx).taxonomies().find((t) => t.id === id);
      if (!found) throw notFound("taxonomy");
      return found;
    });

    app.get("/directory/export/hsds", {
      schema: {
        tags, summary: "The whole directory as HSDS 3.1: zip (datapackage.json and one CSV per entity) or nested JSON; with provider contacts and history; audited",
        querystring: ExportQuery,
      },
    }, async (request, reply) => {
      const { organisationId } = request.principal;
      const organisation = await getOrganisation(s.db, organisationId);
      const now = s.clock.now();
      const file = await exportHsds(s.db, organisationId, organisation.name, request.query.format, now);
      await audit(s.db, request, "directory.export_hsds", "directory", null, { format: request.query.format, services: file.services, organizations: file.organizations });
      const stamp = tokyoDate(now).replaceAll("-", "");
      return reply.type(request.query.format === "zip" ? "application/zip" : "application/json; charset=utf-8")
        .header("content-disposition", `attachment; filename="hsds-${stamp}.${request.query.format}"`)
        .header("cache-control", "no-store")
        .send(file.bytes);
    });
  };
}
