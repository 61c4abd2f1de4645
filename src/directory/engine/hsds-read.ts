/**
 * Reading the directory for HSDS output (domain/hsds.ts): the listed entries for
 * the public API, filtered and paged in SQL, and the rows that hang off a set of
 * services or organisations; the whole directory for the staff export.
 *
 * - Listed: a service is public when it is listed and not archived and its
 *   provider (directory organisation) is listed and not archived; an organisation
 *   when it is listed and not archived; a location when not archived. Everything
 *   else is never read for the public audience.
 * - Dates come back as text "YYYY-MM-DD" (to_char), times "HH:MM".
 * - Filters are cumulative (HSDS API reference): text search over the service's
 *   generated search text (lower-cased, trigram-indexed), a taxonomy term (with the
 *   terms below it), a taxonomy, a provider, changed after an instant, and our
 *   `area` extension (a postal code or a town, matched against service areas).
 */
import { type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { Db } from "../../store/db.ts";
import type { Database } from "../../store/schema.ts";
import {
  type DirectoryAttributeRow, type DirectoryClosureRow, type DirectoryContactRow, type DirectoryLocationRow, type DirectoryMetadataRow,
  type DirectoryOrganizationRow, type DirectoryPhoneRow, type DirectoryRows, type DirectoryScheduleRow, type DirectoryServiceRow, EMPTY_DIRECTORY_ROWS,
  type HsdsAudience,
} from "../domain/hsds.ts";
import { codeWithDescendants, type OrganisationTermRow, type TaxonomyTerm, taxonomyWithExtensions } from "../domain/taxonomy-ja.ts";

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The tenant's taxonomy: the shipped terms and its own (directory_taxonomy_terms). */
export async function directoryTerms(db: Db, organisationId: string): Promise<TaxonomyTerm[]> {
  const rows: OrganisationTermRow[] = await db.selectFrom("directory_taxonomy_terms")
    .select(["id", "code", "name", "parent_code", "description", "mapped_code", "retired_at"])
    .where("organisation_id", "=", organisationId).orderBy("code").execute();
  return taxonomyWithExtensions(rows);
}

type ServicesEb = ExpressionBuilder<Database, "directory_services">;

/** A listed service of a listed provider (both not archived). */
function listedService(eb: ServicesEb) {
  return eb.and([
    eb("directory_services.listed", "=", true),
    eb("directory_services.archived_at", "is", null),
    eb.exists(eb.selectFrom("directory_organizations as o").select(sql`1`.as("one"))
      .whereRef("o.id", "=", "directory_services.directory_organization_id")
      .whereRef("o.organisation_id", "=", "directory_services.organisation_id")
      .where("o.listed", "=", true).where("o.archived_at", "is", null)),
  ]);
}

export interface ServiceFilter {
  /** Words in the name, other name, description, eligibility, fees or how to apply (all must appear). */
  search?: string;
  /** Taxonomy codes: the service carries one of them (a term's code and those below it). */
  taxonomyCodes?: readonly string[];
  organizationId?: string;
  modifiedAfter?: Date;
  /** A postal code ("650-0001", 3 to 7 digits) or a town name. */
  area?: string;
}

/** Digits of a postal code, or null if the text is not one. */
export function postalDigits(text: string): string | null {
  const digits = text.normalize("NFKC").replace(/[〒\s-]/g, "");
  return /^\d{3,7}$/.test(digits) ? digits : null;
}

function serviceWhere(eb: ServicesEb, organisationId: string, filter: ServiceFilter) {
  const conditions = [eb("directory_services.organisation_id", "=", organisationId), listedService(eb)];
  for (const word of (filter.search ?? "").normalize("NFKC").toLowerCase().split(/\s+/).filter((w) => w !== "")) {
    conditions.push(eb("directory_services.search_text", "like", `%${escapeLike(word)}%`));
  }
  if (filter.taxonomyCodes) {
    const codes = [...filter.taxonomyCodes];
    // The service's own codes (migration 2040, GIN-indexed): a filter on one table, whatever the statistics say.
    conditions.push(codes.length === 0 ? eb.val(false) : eb.and([sql<SqlBool>`directory_services.taxonomy_codes && ${codes}::text[]`]));
  }
  if (filter.organizationId) conditions.push(eb("directory_services.directory_organization_id", "=", filter.organizationId));
  if (filter.modifiedAfter) conditions.push(eb("directory_services.updated_at", ">", filter.modifiedAfter));
  if (filter.area !== undefined) {
    const digits = postalDigits(filter.area);
    const town = filter.area.normalize("NFKC").trim();
    // A scalar subquery with LIMIT 1, not EXISTS: PostgreSQL turns EXISTS into a semi join, which without statistics it
    // planned as a nested loop reading every area of the tenant once per service (11.6 s at 5,000 services); a scalar
    // subquery stays a lookup of this service's own areas (index directory_service_areas_service) per service.
    conditions.push(eb(sql`coalesce(${eb.selectFrom("directory_service_areas as sa").select(sql<boolean>`true`.as("covers"))
      .whereRef("sa.organisation_id", "=", "directory_services.organisation_id")
      .whereRef("sa.service_id", "=", "directory_services.id")
      .where((x) => x.or([
        x("sa.area_kind", "=", "whole"),
        // A service area's postal code covers every code it begins (650 covers 650-0001).
        ...(digits ? [x.and([x("sa.area_kind", "=", "postal_code"), x(sql.val(digits), "like", sql<string>`replace(sa.area_value, '-', '') || '%'`)])] : []),
        // A town area covers an address within it: 加納町 covers 加納町6丁目.
        ...(town && !digits ? [x.and([x("sa.area_kind", "=", "town"), x(sql.val(town), "like", sql<string>`'%' || sa.area_value || '%'`)])] : []),
      ])).limit(1)}, false)`, "=", true));
  }
  return eb.and(conditions);
}

export interface PageRequest {
  page: number;
  perPage: number;
}

/** The listed services matching the filter, by name then id, one page, and how many match in all. */
export async function listedServicePage(db: Db, organisationId: string, filter: ServiceFilter, page: PageRequest): Promise<{ ids: string[]; total: number }> {
  const base = db.selectFrom("directory_services").where((eb) => serviceWhere(eb, organisationId, filter));
  // The page and the total in one pass (a window count); a page past the end has no row to carry it.
  const rows = await base.select(["directory_services.id", sql<number>`count(*) over ()`.as("total")]).orderBy("directory_services.name")
    .orderBy("directory_services.id").limit(page.perPage).offset((page.page - 1) * page.perPage).execute();
  const total = rows.length > 0 ? Number(rows[0]!.total) : (await base.select(sql<number>`count(*)::int`.as("n")).executeTakeFirstOrThrow()).n;
  return { ids: rows.map((r) => r.id), total };
}

/** Whether the service is listed (public). */
export async function isListedService(db: Db, organisationId: string, id: string): Promise<boolean> {
  const row = await db.selectFrom("directory_services").select("id")
    .where((eb) => eb.and([eb("directory_services.organisation_id", "=", organisationId), eb("directory_services.id", "=", id), listedService(eb)]))
    .executeTakeFirst();
  return row !== undefined;
}

/** Whether the organisation (a provider) is listed and not archived. */
export async function isListedOrganization(db: Db, organisationId: string, id: string): Promise<boolean> {
  const row = await db.selectFrom("directory_organizations").select("id")
    .where("organisation_id", "=", organisationId).where("id", "=", id).where("listed", "=", true).where("archived_at", "is", null).executeTakeFirst();
  return row !== undefined;
}

/** The services of these services at locations (distinct). */
export async function servicesOfServiceAtLocations(db: Db, organisationId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom("directory_service_at_locations").select("service_id")
    .where("organisation_id", "=", organisationId).where("id", "in", [...ids]).execute();
  return [...new Set(rows.map((r) => r.service_id))];
}

type OrgsEb = ExpressionBuilder<Database, "directory_organizations">;

export interface OrganizationFilter {
  search?: string;
  taxonomyCodes?: readonly string[];
}

function organizationWhere(eb: OrgsEb, organisationId: string, filter: OrganizationFilter) {
  const conditions = [
    eb("directory_organizations.organisation_id", "=", organisationId),
    eb("directory_organizations.listed", "=", true),
    eb("directory_organizations.archived_at", "is", null),
  ];
  for (const word of (filter.search ?? "").normalize("NFKC").toLowerCase().split(/\s+/).filter((w) => w !== "")) {
    const like = `%${escapeLike(word)}%`;
    conditions.push(eb.or([
      eb(sql`lower(directory_organizations.name)`, "like", like),
      eb(sql`lower(coalesce(directory_organizations.alternate_name, ''))`, "like", like),
      eb(sql`lower(directory_organizations.description)`, "like", like),
    ]));
  }
  if (filter.taxonomyCodes) {
    const codes = [...filter.taxonomyCodes];
    conditions.push(codes.length === 0 ? eb.val(false) : eb.exists(eb.selectFrom("directory_attributes as a").select(sql`1`.as("one"))
      .whereRef("a.organisation_id", "=", "directory_organizations.organisation_id").where("a.link_entity", "=", "organization")
      .whereRef("a.link_id", "=", "directory_organizations.id").where("a.taxonomy_code", "in", codes)));
  }
  return eb.and(conditions);
}

/** The listed organisations matching the filter, by name then id, one page, and how many in all. */
export async function listedOrganizationPage(db: Db, organisationId: string, filter: OrganizationFilter, page: PageRequest): Promise<{ ids: string[]; total: number }> {
  const base = db.selectFrom("directory_organizations").where((eb) => organizationWhere(eb, organisationId, filter));
  const [{ n }] = await base.select(sql<number>`count(*)::int`.as("n")).execute();
  const rows = await base.select("directory_organizations.id").orderBy("directory_organizations.name").orderBy("directory_organizations.id")
    .limit(page.perPage).offset((page.page - 1) * page.perPage).execute();
  return { ids: rows.map((r) => r.id), total: n };
}

export interface ServiceAtLocationFilter extends ServiceFilter {
  /** The location's address has this postal code (HSDS `postcode`). */
  postcode?: string;
}

/** The services at locations of listed services (location not archived), by service name, one page. */
export async function listedServiceAtLocationPage(db: Db, organisationId: string, filter: ServiceAtLocationFilter, page: PageRequest): Promise<{ ids: string[]; total: number }> {
  const digits = filter.postcode !== undefined ? postalDigits(filter.postcode) : undefined;
  const base = db.selectFrom("directory_service_at_locations as sal")
    .innerJoin("directory_services", (j) => j.onRef("directory_services.id", "=", "sal.service_id").onRef("directory_services.organisation_id", "=", "sal.organisation_id"))
    .innerJoin("directory_locations as l", (j) => j.onRef("l.id", "=", "sal.location_id").onRef("l.organisation_id", "=", "sal.organisation_id"))
    .where("sal.organisation_id", "=", organisationId)
    .where("l.archived_at", "is", null)
    .where((eb) => serviceWhere(eb as unknown as ServicesEb, organisationId, filter))
    .$if(filter.postcode !== undefined, (q) => q.where((eb) => digits === null ? eb.val(false) : eb.exists(eb.selectFrom("directory_addresses as ad").select(sql`1`.as("one"))
      .whereRef("ad.organisation_id", "=", "sal.organisation_id").whereRef("ad.location_id", "=", "sal.location_id")
      .where(sql`replace(ad.postal_code, '-', '')`, "=", digits ?? ""))));
  const [{ n }] = await base.select(sql<number>`count(*)::int`.as("n")).execute();
  const rows = await base.select("sal.id").orderBy("directory_services.name").orderBy("sal.id")
    .limit(page.perPage).offset((page.page - 1) * page.perPage).execute();
  return { ids: rows.map((r) => r.id), total: n };
}

/** The taxonomy codes a term id stands for: the term's and those below it; [] if no term has the id. */
export function codesOfTermId(terms: readonly TaxonomyTerm[], termId: string): string[] {
  const term = terms.find((t) => t.id === termId);
  return term ? codeWithDescendants(terms, term.code) : [];
}

const date = (column: string) => sql<string | null>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`;

export interface RowScope {
  /** Services to read, with their providers, locations (through services at locations) and all that hangs off them. */
  serviceIds?: readonly string[];
  /** Organisations to read with their own locations, phones, contacts and attributes (not their services). */
  organizationIds?: readonly string[];
  /** Every row of the tenant (the export). */
  all?: boolean;
  /** Public: only listed entries (the ids given must be listed ones) and no people's data; staff: everything. */
  audience: HsdsAudience;
}

/**
 * The rows domain/hsds.ts maps, for the given services and organisations (or the
 * whole directory). Contacts, contact people's phones and metadata are read for
 * staff only; archived organisations, services and locations are never read.
 */
export async function directoryRows(db: Db, organisationId: string, scope: RowScope): Promise<DirectoryRows> {
  const all = scope.all === true;
  const staff = scope.audience === "staff";
  const serviceIds = [...(scope.serviceIds ?? [])];
  if (!all && serviceIds.length === 0 && (scope.organizationIds ?? []).length === 0) return EMPTY_DIRECTORY_ROWS;
  const tenant = <T extends { where: (...a: any[]) => T }>(q: T, column = "organisation_id") => q.where(column, "=", organisationId);

  const allServices: DirectoryServiceRow[] = all || serviceIds.length
    ? await tenant(db.selectFrom("directory_services").select([
      "id", "directory_organization_id", "name", "alternate_name", "description", "url", "email", "status", "eligibility_description",
      "minimum_age", "maximum_age", "fees_description", "application_process", "alert", date("assured_date").as("assured_date"), "assurer_email", "updated_at",
    ])).$if(!all, (q) => q.where("id", "in", serviceIds)).where("archived_at", "is", null).orderBy("name").orderBy("id").execute()
    : [];
  const orgIds = [...new Set([...allServices.map((s) => s.directory_organization_id), ...(scope.organizationIds ?? [])])];
  const organizations: DirectoryOrganizationRow[] = all || orgIds.length
    ? await tenant(db.selectFrom("directory_organizations").select(["id", "name", "alternate_name", "description", "email", "website", "parent_id"]))
      .$if(!all, (q) => q.where("id", "in", orgIds)).where("archived_at", "is", null).orderBy("name").orderBy("id").execute()
    : [];
  const oIds = organizations.map((o) => o.id);
  const visible = new Set(oIds);
  // A parent is named only if the audience may see it (not archived; listed, for the public).
  const parents = [...new Set(organizations.map((o) => o.parent_id).filter((p): p is string => p !== null && !visible.has(p)))];
  const shownParents = new Set(parents.length === 0 ? [] : (await tenant(db.selectFrom("directory_organizations").select("id"))
    .where("id", "in", parents).where("archived_at", "is", null).$if(!staff, (q) => q.where("listed", "=", true)).execute()).map((p) => p.id));
  for (const o of organizations) if (o.parent_id && !visible.has(o.parent_id) && !shownParents.has(o.parent_id)) o.parent_id = null;
  // A service of an archived provider goes with it.
  const services = allServices.filter((s) => visible.has(s.directory_organization_id));
  const sIds = services.map((s) => s.id);
  const serviceAtLocations = all || sIds.length
    ? await tenant(db.selectFrom("directory_service_at_locations").select(["id", "service_id", "location_id", "description"]))
      .$if(!all, (q) => q.where("service_id", "in", sIds)).orderBy("id").execute()
    : [];
  const wantedLocations = [...new Set(serviceAtLocations.map((s) => s.location_id))];
  const locations: DirectoryLocationRow[] = all || wantedLocations.length || oIds.length
    ? await tenant(db.selectFrom("directory_locations").select([
      "id", "directory_organization_id", "location_type", "name", "alternate_name", "description", "transportation", "latitude", "longitude", "url",
      "accessibility_description",
    ])).$if(!all, (q) => q.where((eb) => eb.or([
      ...(wantedLocations.length ? [eb("id", "in", wantedLocations)] : []),
      ...(oIds.length ? [eb("directory_organization_id", "in", oIds)] : []),
    ]))).where("archived_at", "is", null).orderBy("id").execute()
    : [];
  const lIds = locations.map((l) => l.id);
  const visibleSals = serviceAtLocations.filter((s) => lIds.includes(s.location_id));
  const salIds = visibleSals.map((s) => s.id);
  const owned = (eb: ExpressionBuilder<any, any>, pairs: [string, string[]][]) =>
    eb.or([...pairs.filter(([, ids]) => ids.length > 0).map(([column, ids]) => eb(sql.ref(column), "in", ids)), eb.val(false)]);
  const ownersOf = (columns: { service?: string; sal?: string; location?: string; organization?: string; contact?: string[] }) => (eb: ExpressionBuilder<any, any>) =>
    owned(eb, [
      ...(columns.service ? [[columns.service, sIds] as [string, string[]]] : []),
      ...(columns.sal ? [[columns.sal, salIds] as [string, string[]]] : []),
      ...(columns.location ? [[columns.location, lIds] as [string, string[]]] : []),
      ...(columns.organization ? [[columns.organization, oIds] as [string, string[]]] : []),
      ...(columns.contact ? [["contact_id", columns.contact] as [string, string[]]] : []),
    ]);

  const addresses = lIds.length
    ? await tenant(db.selectFrom("directory_addresses").select([
      "id", "location_id", "address_type", "attention", "address_1", "address_2", "city", "region", "state_province", "postal_code", "country",
    ])).where("location_id", "in", lIds).orderBy("id").execute()
    : [];
  const schedules: DirectoryScheduleRow[] = await tenant(db.selectFrom("directory_schedules").select([
    "id", "kind", "service_id", "location_id", "service_at_location_id", "freq", "interval", "byday", "bymonthday", "count", "wkst",
    date("dtstart").as("dtstart"), date("until").as("until"), "opens_at", "closes_at", date("valid_from").as("valid_from"), date("valid_to").as("valid_to"),
    "description", "attending_type", "notes", "closed_on_holidays",
  ])).$if(!all, (q) => q.where(ownersOf({ service: "service_id", sal: "service_at_location_id", location: "location_id" }))).orderBy("id").execute();
  const closures: DirectoryClosureRow[] = await tenant(db.selectFrom("directory_closures").select([
    "id", "directory_organization_id", "service_id", "kind", date("starts_on").as("starts_on"), date("ends_on").as("ends_on"), "reason",
  ])).where((eb) => eb.or([
    eb.and([eb("service_id", "is", null), eb("directory_organization_id", "is", null)]),
    ...(all ? [eb.val(true)] : [ownersOf({ service: "service_id", organization: "directory_organization_id" })(eb)]),
  ])).orderBy("starts_on").orderBy("id").execute() as DirectoryClosureRow[];
  const serviceAreas = await tenant(db.selectFrom("directory_service_areas").select(["id", "service_id", "service_at_location_id", "name", "area_kind", "area_value", "description"]))
    .$if(!all, (q) => q.where(ownersOf({ service: "service_id", sal: "service_at_location_id" }))).orderBy("id").execute();
  const contacts: DirectoryContactRow[] = staff
    ? await tenant(db.selectFrom("directory_contacts").select(["id", "directory_organization_id", "service_id", "service_at_location_id", "location_id", "name", "title", "department", "email"]))
      .$if(!all, (q) => q.where(ownersOf({ service: "service_id", sal: "service_at_location_id", location: "location_id", organization: "directory_organization_id" })))
      .orderBy("id").execute()
    : [];
  const phones: DirectoryPhoneRow[] = await tenant(db.selectFrom("directory_phones").select([
    "id", "directory_organization_id", "service_id", "service_at_location_id", "location_id", "contact_id", "number", "extension", "type", "description", "languages",
  ])).$if(!staff, (q) => q.where("contact_id", "is", null))
    .$if(!all, (q) => q.where(ownersOf({
      service: "service_id", sal: "service_at_location_id", location: "location_id", organization: "directory_organization_id", contact: contacts.map((c) => c.id),
    }))).orderBy("id").execute();
  const attributes: DirectoryAttributeRow[] = await tenant(db.selectFrom("directory_attributes").select(["id", "link_entity", "link_id", "taxonomy_code", "value", "label"]))
    .$if(!all, (q) => q.where("link_id", "in", [...sIds, ...oIds, ...lIds, ...salIds, "00000000-0000-0000-0000-000000000000"])).orderBy("id").execute();
  const capacities = sIds.length || all
    ? await tenant(db.selectFrom("directory_capacities").select(["id", "service_id", "unit", "available", "maximum", "description", "updated_at"]))
      .$if(!all, (q) => q.where("service_id", "in", sIds)).orderBy("id").execute()
    : [];
  const metadata: DirectoryMetadataRow[] = staff
    ? await tenant(db.selectFrom("directory_metadata").select(["id", "resource_type", "resource_id", "action", "field_name", "previous_value", "replacement_value", "updated_by", "updated_at"]))
      .$if(!all, (q) => q.where("resource_id", "in", [...sIds, ...oIds, ...lIds, "00000000-0000-0000-0000-000000000000"])).orderBy("updated_at").orderBy("id").execute()
    : [];
  return {
    organizations, services, locations, addresses, serviceAtLocations: visibleSals, schedules, closures, serviceAreas, contacts, phones,
    attributes, capacities, metadata,
  };
}
