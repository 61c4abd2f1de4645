/**
 * The directory's rows as Open Referral HSDS 3.1 (issue 14;
 * docs/design/directory-hsds-research.md §1, §6): JSON objects for the API
 * (full and list shapes of service, organization, location, service_at_location,
 * schedule, taxonomy_term, taxonomy, attribute, service_capacity, metadata) and the
 * tabular form (one list of rows per CSV file, columns as the per-file schemas
 * give them, with a Frictionless datapackage.json). Pure: the rows and the context
 * are parameters; the caller (engine) chooses which rows are exportable.
 *
 * HSDS rules followed here:
 * - Fields HSDS types as string are never null: absent values are left out.
 * - schedule: `timezone` is a number (9 for Japan), `opens_at`/`closes_at` carry the
 *   offset ("10:00+09:00"); 24:00 becomes "23:59+09:00" (a time of day cannot be 24:00
 *   in the Frictionless `time` type). HSDS has no one-off event: one is WEEKLY with
 *   count 1 on its date, valid_from = valid_to = that date. HSDS has no "closed on
 *   holidays": it is said in `notes` (upstream's example does so in `description`).
 * - service_capacity: `unit` is an object with an id; one name-based id per unit name.
 * - attribute: how a taxonomy term is attached to a record (link_entity, link_id).
 * - Audience: `public` (the open API and page) leaves out contacts, phones of
 *   contact people, metadata and assurer e-mail (people's data); `staff` (the export
 *   for staff) has them all.
 */
import { type ClosureKind, DIRECTORY_TIME_ZONE, type ScheduleRule, WEEKDAYS } from "./schedule.ts";
import { TAXONOMY_JA, TAXONOMY_JA_NAMESPACE, type TaxonomyTerm } from "./taxonomy-ja.ts";
import { uuidV5 } from "./uuid5.ts";

/** HSDS version answered by `GET /` and written in datapackage.json. */
export const HSDS_VERSION = "3.1";
/** Japan's UTC offset in hours (schedule.json `timezone`) and as a time suffix. */
export const HSDS_TIMEZONE = 9;
const OFFSET = "+09:00";

// ── Rows (as the directory_* tables hold them; dates "YYYY-MM-DD", times "HH:MM") ──

export interface DirectoryOrganizationRow {
  id: string;
  name: string;
  alternate_name: string | null;
  description: string;
  email: string | null;
  website: string | null;
  parent_id: string | null;
}

export interface DirectoryServiceRow {
  id: string;
  directory_organization_id: string;
  name: string;
  alternate_name: string | null;
  description: string;
  url: string | null;
  email: string | null;
  status: "active" | "inactive" | "defunct" | "temporarily closed";
  eligibility_description: string | null;
  minimum_age: number | null;
  maximum_age: number | null;
  fees_description: string | null;
  application_process: string | null;
  alert: string | null;
  assured_date: string | null;
  assurer_email: string | null;
  updated_at: Date;
}

export interface DirectoryLocationRow {
  id: string;
  directory_organization_id: string | null;
  location_type: "physical" | "postal" | "virtual";
  name: string | null;
  alternate_name: string | null;
  description: string | null;
  transportation: string | null;
  latitude: number | null;
  longitude: number | null;
  url: string | null;
  accessibility_description: string | null;
}

export interface DirectoryAddressRow {
  id: string;
  location_id: string;
  address_type: "physical" | "postal" | "virtual";
  attention: string | null;
  address_1: string;
  address_2: string | null;
  city: string;
  region: string | null;
  state_province: string;
  postal_code: string;
  country: string;
}

export interface DirectoryServiceAtLocationRow {
  id: string;
  service_id: string;
  location_id: string;
  description: string | null;
}

export interface DirectoryScheduleRow extends ScheduleRule {
  service_id: string | null;
  location_id: string | null;
  service_at_location_id: string | null;
  description: string | null;
  attending_type: string | null;
  notes: string | null;
}

export interface DirectoryClosureRow {
  id: string;
  directory_organization_id: string | null;
  service_id: string | null;
  kind: ClosureKind;
  starts_on: string;
  ends_on: string;
  reason: string | null;
}

export interface DirectoryServiceAreaRow {
  id: string;
  service_id: string | null;
  service_at_location_id: string | null;
  name: string;
  area_kind: "whole" | "team" | "postal_code" | "town";
  area_value: string | null;
  description: string | null;
}

export interface DirectoryContactRow {
  id: string;
  directory_organization_id: string | null;
  service_id: string | null;
  service_at_location_id: string | null;
  location_id: string | null;
  name: string | null;
  title: string | null;
  department: string | null;
  email: string | null;
}

export interface DirectoryPhoneRow {
  id: string;
  directory_organization_id: string | null;
  service_id: string | null;
  service_at_location_id: string | null;
  location_id: string | null;
  contact_id: string | null;
  number: string;
  extension: string | null;
  type: string | null;
  description: string | null;
  /** ISO 639-1 codes of the languages spoken on the line (migration 2100). */
  languages: readonly string[];
}

export type DirectoryLinkEntity = "organization" | "service" | "location" | "service_at_location";

export interface DirectoryAttributeRow {
  id: string;
  link_entity: DirectoryLinkEntity;
  link_id: string;
  taxonomy_code: string;
  value: string | null;
  label: string | null;
}

export interface DirectoryCapacityRow {
  id: string;
  service_id: string;
  unit: string;
  available: number;
  maximum: number | null;
  description: string | null;
  updated_at: Date;
}

export interface DirectoryMetadataRow {
  id: string;
  resource_type: string;
  resource_id: string;
  action: "create" | "update" | "delete";
  field_name: string;
  previous_value: string | null;
  replacement_value: string | null;
  updated_by: string;
  updated_at: Date;
}

/** The rows to map; any may be a subset (a page's services and what hangs off them). */
export interface DirectoryRows {
  organizations: readonly DirectoryOrganizationRow[];
  services: readonly DirectoryServiceRow[];
  locations: readonly DirectoryLocationRow[];
  addresses: readonly DirectoryAddressRow[];
  serviceAtLocations: readonly DirectoryServiceAtLocationRow[];
  schedules: readonly DirectoryScheduleRow[];
  closures: readonly DirectoryClosureRow[];
  serviceAreas: readonly DirectoryServiceAreaRow[];
  contacts: readonly DirectoryContactRow[];
  phones: readonly DirectoryPhoneRow[];
  attributes: readonly DirectoryAttributeRow[];
  capacities: readonly DirectoryCapacityRow[];
  metadata: readonly DirectoryMetadataRow[];
}

export const EMPTY_DIRECTORY_ROWS: DirectoryRows = {
  organizations: [], services: [], locations: [], addresses: [], serviceAtLocations: [], schedules: [], closures: [],
  serviceAreas: [], contacts: [], phones: [], attributes: [], capacities: [], metadata: [],
};

export type HsdsAudience = "public" | "staff";

export interface HsdsContext {
  /** The tenant: its own taxonomy terms form a taxonomy with a name-based id from it. */
  organisationId: string;
  audience: HsdsAudience;
  /** The tenant's Tokyo date: closures ending on or after it are announced in `alert`. */
  today: string;
  /** The tenant's 年末年始 rule (schedule.ts, the directory's settings), said in schedules' notes. */
  yearEndClosed: boolean;
  /** Its first and last day, MM-DD (default 12-29 to 01-03). */
  yearEnd?: { first: string; last: string } | undefined;
  /** Shipped terms plus the tenant's own (taxonomyWithExtensions). */
  terms: readonly TaxonomyTerm[];
}

type Obj = Record<string, unknown>;

/** Leaves out null and undefined values (HSDS string fields are not nullable). */
function compact<T extends Obj>(o: T): T {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) out[k] = v;
  return out as T;
}

function omit<T extends Obj>(o: T, key: keyof T): Obj {
  const out: Obj = { ...o };
  delete out[key as string];
  return out;
}

function groupBy<T>(rows: readonly T[], key: (r: T) => string | null): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    if (k === null) continue;
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  }
  return m;
}

/** "10:00" → "10:00+09:00"; "24:00" → "23:59+09:00". */
export function hsdsTime(time: string | null): string | undefined {
  if (time === null) return undefined;
  return `${time === "24:00" ? "23:59" : time}${OFFSET}`;
}

/** The taxonomy of the tenant's own terms (HSDS taxonomy). */
export function organisationTaxonomy(organisationId: string) {
  return {
    id: uuidV5(TAXONOMY_JA_NAMESPACE, `organisation-taxonomy:${organisationId}`),
    name: "この団体の独自分類 (organisation's own terms)",
    description: "Mimamori 地域資源分類 (mimamori-ja) に、この団体が加えた分類。 / Terms this organisation added to the mimamori-ja taxonomy.",
    version: "1",
  };
}

/** The id of a capacity unit ("人", "枠"): name-based, the same in every export. */
export function unitId(name: string): string {
  return uuidV5(TAXONOMY_JA_NAMESPACE, `unit:${name}`);
}

const CLOSURE_WORDS: Record<ClosureKind, string> = { year_end: "年末年始休業", holiday: "休業日", ad_hoc: "臨時休業" };

/** Words for the tenant-wide rules of a recurring schedule row (HSDS has no field for them). */
const MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const mdJa = (md: string) => `${Number(md.slice(0, 2))}/${Number(md.slice(3))}`;
const mdEn = (md: string) => `${Number(md.slice(3))} ${MONTHS_EN[Number(md.slice(0, 2)) - 1]}`;

function scheduleNotes(row: DirectoryScheduleRow, yearEndClosed: boolean, yearEnd = { first: "12-29", last: "01-03" }): string | undefined {
  const parts: string[] = [];
  if (row.notes) parts.push(row.notes);
  if (row.freq !== null) {
    if (row.closed_on_holidays) parts.push("祝日は休み (closed on Japanese national holidays)");
    if (yearEndClosed) parts.push(`年末年始 ${mdJa(yearEnd.first)}〜${mdJa(yearEnd.last)} は休み (closed ${mdEn(yearEnd.first)} – ${mdEn(yearEnd.last)})`);
  }
  return parts.length ? parts.join(" / ") : undefined;
}

/** The HSDS schedule object of a row. */
/** `yearEnd`: the tenant's 年末年始 dates (MM-DD), said in the notes when closed. */
export function hsdsSchedule(row: DirectoryScheduleRow, yearEndClosed: boolean, yearEnd?: { first: string; last: string }) {
  const oneOff = row.freq === null && row.dtstart !== null;
  const weekday = oneOff ? WEEKDAYS[(new Date(`${row.dtstart}T00:00:00Z`).getUTCDay() + 6) % 7] : undefined;
  return compact({
    id: row.id,
    service_id: row.service_id,
    location_id: row.location_id,
    service_at_location_id: row.service_at_location_id,
    valid_from: oneOff ? (row.valid_from ?? row.dtstart) : row.valid_from,
    valid_to: oneOff ? (row.valid_to ?? row.dtstart) : row.valid_to,
    dtstart: row.dtstart,
    timezone: HSDS_TIMEZONE,
    until: row.until,
    count: oneOff ? 1 : row.count,
    wkst: row.wkst,
    freq: oneOff ? "WEEKLY" : row.freq,
    interval: row.interval,
    byday: oneOff ? weekday : row.byday?.toUpperCase().replace(/\s+/g, ""),
    bymonthday: row.bymonthday?.replace(/\s+/g, ""),
    description: row.description,
    opens_at: hsdsTime(row.opens_at),
    closes_at: hsdsTime(row.closes_at),
    attending_type: row.attending_type,
    notes: scheduleNotes(row, yearEndClosed, yearEnd),
  });
}

/** An index of the rows, mapping them to HSDS objects. */
export function hsdsDirectory(rows: DirectoryRows, ctx: HsdsContext) {
  const staff = ctx.audience === "staff";
  const orgs = new Map(rows.organizations.map((o) => [o.id, o]));
  const services = new Map(rows.services.map((s) => [s.id, s]));
  const locations = new Map(rows.locations.map((l) => [l.id, l]));
  const addressesOf = groupBy(rows.addresses, (a) => a.location_id);
  const salsOfService = groupBy(rows.serviceAtLocations, (s) => s.service_id);
  const sals = new Map(rows.serviceAtLocations.map((s) => [s.id, s]));
  const schedulesOf = {
    service: groupBy(rows.schedules, (s) => s.service_id),
    location: groupBy(rows.schedules, (s) => s.location_id),
    sal: groupBy(rows.schedules, (s) => s.service_at_location_id),
  };
  const areasOf = { service: groupBy(rows.serviceAreas, (a) => a.service_id), sal: groupBy(rows.serviceAreas, (a) => a.service_at_location_id) };
  const visiblePhones = rows.phones.filter((p) => staff || p.contact_id === null);
  const phonesOf = {
    organization: groupBy(visiblePhones, (p) => p.directory_organization_id),
    service: groupBy(visiblePhones, (p) => p.service_id),
    location: groupBy(visiblePhones, (p) => p.location_id),
    sal: groupBy(visiblePhones, (p) => p.service_at_location_id),
    contact: groupBy(visiblePhones, (p) => p.contact_id),
  };
  const contacts = staff ? rows.contacts : [];
  const contactsOf = {
    organization: groupBy(contacts, (c) => c.directory_organization_id),
    service: groupBy(contacts, (c) => c.service_id),
    location: groupBy(contacts, (c) => c.location_id),
    sal: groupBy(contacts, (c) => c.service_at_location_id),
  };
  const attributesOf = groupBy(rows.attributes, (a) => `${a.link_entity}:${a.link_id}`);
  const capacitiesOf = groupBy(rows.capacities, (c) => c.service_id);
  const metadataOf = groupBy(staff ? rows.metadata : [], (m) => `${m.resource_type}:${m.resource_id}`);
  const closuresOf = {
    organization: groupBy(rows.closures, (c) => c.directory_organization_id),
    service: groupBy(rows.closures, (c) => c.service_id),
    // Neither a provider nor a service: every service of the tenant (its 年末年始).
    everyone: rows.closures.filter((c) => c.directory_organization_id === null && c.service_id === null),
  };
  const terms = new Map(ctx.terms.map((t) => [t.code, t]));
  const ownTaxonomy = organisationTaxonomy(ctx.organisationId);

  function taxonomyTerm(t: TaxonomyTerm) {
    const parent = t.parent_code ? terms.get(t.parent_code) : undefined;
    const mapped = t.mapped_codes.length ? ` (サービス種類コード: ${t.mapped_codes.map((m) => m.code).join(", ")})` : "";
    const shipped = t.source === "shipped";
    return compact({
      id: t.id,
      code: t.code,
      name: t.name,
      description: `${t.description}${mapped}`,
      parent_id: parent?.id,
      taxonomy: shipped ? "mimamori-ja" : "organisation",
      language: "ja",
      taxonomy_id: shipped ? TAXONOMY_JA.id : ownTaxonomy.id,
    });
  }

  function taxonomies() {
    const list: { id: string; name: string; description: string; version: string }[] = [
      { id: TAXONOMY_JA.id, name: TAXONOMY_JA.name, description: TAXONOMY_JA.description, version: TAXONOMY_JA.version },
    ];
    if (ctx.terms.some((t) => t.source === "organisation")) list.push(ownTaxonomy);
    return list;
  }

  /** The attribute with its term, or null when its code is no longer in the taxonomy (nothing to point at). */
  function attribute(a: DirectoryAttributeRow) {
    const term = terms.get(a.taxonomy_code);
    if (!term) return null;
    return compact({
      id: a.id, link_id: a.link_id, taxonomy_term_id: term.id, link_entity: a.link_entity, value: a.value, label: a.label,
      taxonomy_term: taxonomyTerm(term),
    });
  }

  function attributes(entity: DirectoryLinkEntity, id: string) {
    return (attributesOf.get(`${entity}:${id}`) ?? []).map(attribute).filter((a) => a !== null);
  }

  function metadata(type: string, id: string) {
    return (metadataOf.get(`${type}:${id}`) ?? []).map(metadataJson);
  }

  function phone(p: DirectoryPhoneRow) {
    const ext = p.extension && /^\d{1,9}$/.test(p.extension) ? Number(p.extension) : undefined;
    const description = [p.description, p.extension && ext === undefined ? `内線 ${p.extension}` : null].filter(Boolean).join(" / ");
    return compact({
      id: p.id,
      location_id: p.location_id,
      service_id: p.service_id,
      organization_id: p.directory_organization_id,
      contact_id: p.contact_id,
      service_at_location_id: p.service_at_location_id,
      number: p.number,
      extension: ext,
      type: p.type,
      description: description || undefined,
      languages: p.languages.map((code) => phoneLanguage(p, code)),
    });
  }

  function contact(c: DirectoryContactRow) {
    return compact({
      id: c.id,
      organization_id: c.directory_organization_id,
      service_id: c.service_id,
      service_at_location_id: c.service_at_location_id,
      location_id: c.location_id,
      name: c.name,
      title: c.title,
      department: c.department,
      email: c.email,
      phones: (phonesOf.contact.get(c.id) ?? []).map(phone),
    });
  }

  function serviceArea(a: DirectoryServiceAreaRow) {
    // A team is an internal id: its name says enough. Postal codes and towns are text extents.
    const extent = a.area_kind === "postal_code" || a.area_kind === "town" ? a.area_value : null;
    return compact({
      id: a.id, service_id: a.service_id, service_at_location_id: a.service_at_location_id, name: a.name,
      description: a.description, extent, extent_type: extent ? "text" : null,
    });
  }

  function address(a: DirectoryAddressRow) {
    return compact({
      id: a.id, location_id: a.location_id, attention: a.attention, address_1: a.address_1, address_2: a.address_2,
      city: a.city, region: a.region, state_province: a.state_province, postal_code: a.postal_code, country: a.country,
      address_type: a.address_type,
    });
  }

  function accessibility(l: DirectoryLocationRow) {
    return l.accessibility_description
      ? [{ id: uuidV5(TAXONOMY_JA_NAMESPACE, `accessibility:${l.id}`), location_id: l.id, description: l.accessibility_description }]
      : [];
  }

  function locationFlat(l: DirectoryLocationRow) {
    return compact({
      id: l.id, location_type: l.location_type, url: l.url, organization_id: l.directory_organization_id, name: l.name,
      alternate_name: l.alternate_name, description: l.description, transportation: l.transportation,
      latitude: l.latitude, longitude: l.longitude,
    });
  }

  function location(l: DirectoryLocationRow) {
    return compact({
      ...locationFlat(l),
      addresses: (addressesOf.get(l.id) ?? []).map(address),
      contacts: (contactsOf.location.get(l.id) ?? []).map(contact),
      accessibility: accessibility(l),
      phones: (phonesOf.location.get(l.id) ?? []).map(phone),
      schedules: (schedulesOf.location.get(l.id) ?? []).map((s) => hsdsSchedule(s, ctx.yearEndClosed, ctx.yearEnd)),
      attributes: attributes("location", l.id),
      metadata: staff ? metadata("location", l.id) : undefined,
    });
  }

  function organizationFlat(o: DirectoryOrganizationRow) {
    return compact({
      // HSDS requires a description and an empty CSV cell counts as none: the name stands in.
      id: o.id, name: o.name, alternate_name: o.alternate_name, description: o.description || o.name, email: o.email,
      website: o.website, parent_organization_id: o.parent_id,
    });
  }

  function closureAlert(s: DirectoryServiceRow): string | undefined {
    const ahead = [...(closuresOf.service.get(s.id) ?? []), ...(closuresOf.organization.get(s.directory_organization_id) ?? []), ...closuresOf.everyone]
      .filter((c) => c.ends_on >= ctx.today)
      .sort((a, b) => a.starts_on.localeCompare(b.starts_on));
    const words = ahead.map((c) => `${CLOSURE_WORDS[c.kind]} ${c.starts_on}〜${c.ends_on}${c.reason ? `: ${c.reason}` : ""}`);
    const parts = [s.alert, ...words].filter((p): p is string => !!p);
    return parts.length ? parts.join(" / ") : undefined;
  }

  function serviceFlat(s: DirectoryServiceRow) {
    return compact({
      id: s.id,
      organization_id: s.directory_organization_id,
      name: s.name,
      alternate_name: s.alternate_name,
      description: s.description,
      url: s.url,
      email: s.email,
      status: s.status,
      application_process: s.application_process,
      fees_description: s.fees_description,
      eligibility_description: s.eligibility_description,
      minimum_age: s.minimum_age,
      maximum_age: s.maximum_age,
      assured_date: s.assured_date,
      assurer_email: staff ? s.assurer_email : null,
      alert: closureAlert(s),
      last_modified: s.updated_at.toISOString(),
    });
  }

  function serviceAtLocationNested(sal: DirectoryServiceAtLocationRow) {
    const l = locations.get(sal.location_id);
    return compact({
      id: sal.id, service_id: sal.service_id, location_id: sal.location_id, description: sal.description,
      service_areas: (areasOf.sal.get(sal.id) ?? []).map(serviceArea),
      contacts: (contactsOf.sal.get(sal.id) ?? []).map(contact),
      phones: (phonesOf.sal.get(sal.id) ?? []).map(phone),
      schedules: (schedulesOf.sal.get(sal.id) ?? []).map((s) => hsdsSchedule(s, ctx.yearEndClosed, ctx.yearEnd)),
      location: l ? location(l) : undefined,
      attributes: attributes("service_at_location", sal.id),
    });
  }

  function capacity(c: DirectoryCapacityRow) {
    return compact({
      id: c.id, service_id: c.service_id, unit: { id: unitId(c.unit), name: c.unit }, unit_id: unitId(c.unit),
      available: c.available, maximum: c.maximum, description: c.description, updated: c.updated_at.toISOString(),
    });
  }

  /** The fully nested service (`GET /services/{id}`, schema service.json). */
  function service(s: DirectoryServiceRow) {
    const o = orgs.get(s.directory_organization_id);
    return compact({
      ...serviceFlat(s),
      organization: o ? organizationFlat(o) : undefined,
      phones: (phonesOf.service.get(s.id) ?? []).map(phone),
      schedules: (schedulesOf.service.get(s.id) ?? []).map((r) => hsdsSchedule(r, ctx.yearEndClosed, ctx.yearEnd)),
      service_areas: (areasOf.service.get(s.id) ?? []).map(serviceArea),
      service_at_locations: (salsOfService.get(s.id) ?? []).map(serviceAtLocationNested),
      contacts: (contactsOf.service.get(s.id) ?? []).map(contact),
      capacities: (capacitiesOf.get(s.id) ?? []).map(capacity),
      attributes: attributes("service", s.id),
      metadata: staff ? metadata("service", s.id) : undefined,
    });
  }

  /** A `/services` list item (compiled/service_list.json: no child arrays). */
  function serviceListItem(s: DirectoryServiceRow) {
    const o = orgs.get(s.directory_organization_id);
    return compact({ ...serviceFlat(s), organization: o ? organizationFlat(o) : undefined });
  }

  /** The organization with its locations, phones, attributes; `withServices` adds its services, fully nested. */
  function organization(o: DirectoryOrganizationRow, withServices = false) {
    return compact({
      ...organizationFlat(o),
      contacts: (contactsOf.organization.get(o.id) ?? []).map(contact),
      phones: (phonesOf.organization.get(o.id) ?? []).map(phone),
      locations: rows.locations.filter((l) => l.directory_organization_id === o.id).map(location),
      attributes: attributes("organization", o.id),
      metadata: staff ? metadata("organization", o.id) : undefined,
      services: withServices ? rows.services.filter((s) => s.directory_organization_id === o.id).map(service) : undefined,
    });
  }

  /** A `/service_at_locations` list item (compiled/service_at_location_list.json). */
  function serviceAtLocationListItem(sal: DirectoryServiceAtLocationRow) {
    const l = locations.get(sal.location_id);
    const s = services.get(sal.service_id);
    return compact({
      id: sal.id, service_id: sal.service_id, location_id: sal.location_id, description: sal.description,
      location: l ? locationFlat(l) : undefined,
      service: s ? serviceFlat(s) : undefined,
    });
  }

  /** `/service_at_locations/{id}`: nested, with its service. */
  function serviceAtLocation(sal: DirectoryServiceAtLocationRow) {
    const s = services.get(sal.service_id);
    return compact({ ...serviceAtLocationNested(sal), service: s ? serviceListItem(s) : undefined });
  }

  /** The tables of the tabular form, one list of flat records per CSV file (HSDS_TABLES). */
  function tabular(): Record<HsdsTable, Obj[]> {
    const schedule = (s: DirectoryScheduleRow) => hsdsSchedule(s, ctx.yearEndClosed, ctx.yearEnd);
    const units = [...new Set(rows.capacities.map((c) => c.unit))].sort();
    return {
      organization: rows.organizations.map(organizationFlat),
      service: rows.services.map(serviceFlat),
      location: rows.locations.map(locationFlat),
      address: rows.addresses.map(address),
      service_at_location: rows.serviceAtLocations.map((s) => compact({ id: s.id, service_id: s.service_id, location_id: s.location_id, description: s.description })),
      schedule: rows.schedules.map(schedule),
      service_area: rows.serviceAreas.map(serviceArea),
      phone: visiblePhones.map((p) => omit(phone(p), "languages")),
      language: visiblePhones.flatMap((p) => p.languages.map((code) => phoneLanguage(p, code))),
      contact: contacts.map((c) => omit(contact(c), "phones")),
      taxonomy: taxonomies(),
      taxonomy_term: ctx.terms.map(taxonomyTerm),
      attribute: rows.attributes.map(attribute).filter((a) => a !== null).map((a) => omit(a, "taxonomy_term")),
      service_capacity: rows.capacities.map((c) => omit(capacity(c), "unit")),
      unit: units.map((name) => ({ id: unitId(name), name })),
      metadata: staff ? rows.metadata.map(metadataJson) : [],
      accessibility: rows.locations.flatMap(accessibility),
    };
  }

  return {
    service, serviceListItem, organization, organizationListItem: organizationFlat, serviceAtLocation,
    serviceAtLocationListItem, location, taxonomyTerm, taxonomies, tabular,
    serviceById: (id: string) => services.get(id), organizationById: (id: string) => orgs.get(id), serviceAtLocationById: (id: string) => sals.get(id),
  };
}

const LANGUAGE_NAMES = new Intl.DisplayNames(["ja"], { type: "language" });

/**
 * A language spoken on a phone line as HSDS language.json: a name-based id (the
 * phone and the code), the ISO 639-1 code and its Japanese name (日本語, 英語).
 */
export function phoneLanguage(p: Pick<DirectoryPhoneRow, "id">, code: string) {
  let name: string | undefined;
  try {
    name = LANGUAGE_NAMES.of(code);
  } catch {
    name = undefined;
  }
  return compact({ id: uuidV5(TAXONOMY_JA_NAMESPACE, `phone-language:${p.id}:${code}`), phone_id: p.id, name: name ?? code, code });
}

/**
 * What stands for an absent old or new value (a creation has no old value, a
 * deletion no new one): HSDS requires both, and an empty CSV cell counts as missing.
 */
export const NO_VALUE = "(none)";

/** A metadata row as HSDS metadata: the date of the change, its kind, the field, old and new values (NO_VALUE when absent), who (as stored). */
export function metadataJson(m: DirectoryMetadataRow) {
  return {
    id: m.id,
    resource_id: m.resource_id,
    resource_type: m.resource_type,
    last_action_date: tokyoDateOf(m.updated_at),
    last_action_type: m.action,
    field_name: m.field_name,
    previous_value: m.previous_value === null || m.previous_value === "" ? NO_VALUE : m.previous_value,
    replacement_value: m.replacement_value === null || m.replacement_value === "" ? NO_VALUE : m.replacement_value,
    updated_by: m.updated_by,
  };
}

function tokyoDateOf(at: Date): string {
  // Tokyo has no daylight saving time: +9 h is exact.
  return new Date(at.getTime() + HSDS_TIMEZONE * 3_600_000).toISOString().slice(0, 10);
}

// ── Tabular form ──

/**
 * The CSV files written and their columns, with Frictionless types, in the order
 * of the per-file schemas' non-array properties (test/directory/hsds-output.test.ts
 * checks them against the vendored schemas). A type is `string` unless given:
 * uuid/email/uri are string formats; number, date, datetime, time.
 */
export const HSDS_TABLES = {
  organization: { path: "organizations.csv", columns: "id:uuid name alternate_name description email:email website:uri tax_status tax_id year_incorporated:number legal_status logo uri:uri parent_organization_id:uuid" },
  service: { path: "services.csv", columns: "id:uuid organization_id:uuid program_id:uuid name alternate_name description url:uri email:email status interpretation_services application_process fees_description wait_time fees accreditations eligibility_description minimum_age:number maximum_age:number assured_date:date assurer_email:email licenses alert last_modified:datetime" },
  location: { path: "locations.csv", columns: "id:uuid location_type url:uri organization_id:uuid name alternate_name description transportation latitude:number longitude:number external_identifier external_identifier_type" },
  address: { path: "addresses.csv", columns: "id:uuid location_id:uuid attention address_1 address_2 city region state_province postal_code country address_type" },
  service_at_location: { path: "service_at_location.csv", columns: "id:uuid service_id:uuid location_id:uuid description" },
  schedule: { path: "schedules.csv", columns: "id:uuid service_id:uuid location_id:uuid service_at_location_id:uuid valid_from:date valid_to:date dtstart:date timezone:number until:date count:number wkst freq interval:number byday byweekno bymonthday byyearday description opens_at:time closes_at:time schedule_link:uri attending_type notes" },
  service_area: { path: "service_areas.csv", columns: "id:uuid service_id:uuid service_at_location_id:uuid name description extent extent_type uri" },
  phone: { path: "phones.csv", columns: "id:uuid location_id:uuid service_id:uuid organization_id:uuid contact_id:uuid service_at_location_id:uuid number extension:number type description" },
  language: { path: "languages.csv", columns: "id:uuid service_id:uuid location_id:uuid phone_id:uuid name code note" },
  contact: { path: "contacts.csv", columns: "id:uuid organization_id:uuid service_id:uuid service_at_location_id:uuid location_id:uuid name title department email:email" },
  taxonomy: { path: "taxonomies.csv", columns: "id:uuid name description uri:uri version" },
  taxonomy_term: { path: "taxonomy_terms.csv", columns: "id:uuid code name description parent_id:uuid taxonomy language taxonomy_id:uuid term_uri:uri" },
  attribute: { path: "attributes.csv", columns: "id:uuid link_id:uuid taxonomy_term_id:uuid link_type link_entity value label" },
  service_capacity: { path: "service_capacity.csv", columns: "id:uuid service_id:uuid unit_id:uuid available:number maximum:number description updated:datetime" },
  unit: { path: "units.csv", columns: "id:uuid name scheme identifier uri:uri" },
  metadata: { path: "metadata.csv", columns: "id:uuid resource_id:uuid resource_type last_action_date:date last_action_type field_name previous_value replacement_value updated_by" },
  accessibility: { path: "accessibility.csv", columns: "id:uuid location_id:uuid description details url:uri" },
} as const;
export type HsdsTable = keyof typeof HSDS_TABLES;

export interface HsdsColumn {
  name: string;
  type: "string" | "number" | "date" | "datetime" | "time";
  format?: "uuid" | "email" | "uri";
}

/** The columns of a table. */
export function hsdsColumns(table: HsdsTable): HsdsColumn[] {
  return HSDS_TABLES[table].columns.split(" ").map((c) => {
    const [name, t] = c.split(":");
    if (t === "uuid" || t === "email" || t === "uri") return { name, type: "string", format: t };
    return { name, type: (t ?? "string") as HsdsColumn["type"] };
  });
}

/** One record as CSV cells in column order: absent → "", numbers as written by JavaScript. */
export function hsdsCsvCells(table: HsdsTable, record: Obj): string[] {
  return hsdsColumns(table).map(({ name }) => {
    const v = record[name];
    return v === undefined || v === null ? "" : String(v);
  });
}

/**
 * The Frictionless tabular data package descriptor (datapackage.json) of the
 * export: one resource per CSV, fields with their types, `id` the primary key,
 * foreign keys to the parent tables.
 */
export function hsdsDatapackage(title: string, created: Date) {
  const foreign: Partial<Record<HsdsTable, [string, HsdsTable][]>> = {
    service: [["organization_id", "organization"]],
    location: [["organization_id", "organization"]],
    address: [["location_id", "location"]],
    service_at_location: [["service_id", "service"], ["location_id", "location"]],
    schedule: [["service_id", "service"], ["location_id", "location"], ["service_at_location_id", "service_at_location"]],
    service_area: [["service_id", "service"], ["service_at_location_id", "service_at_location"]],
    phone: [["organization_id", "organization"], ["service_id", "service"], ["location_id", "location"], ["contact_id", "contact"], ["service_at_location_id", "service_at_location"]],
    contact: [["organization_id", "organization"], ["service_id", "service"], ["location_id", "location"], ["service_at_location_id", "service_at_location"]],
    language: [["phone_id", "phone"]],
    taxonomy_term: [["taxonomy_id", "taxonomy"], ["parent_id", "taxonomy_term"]],
    attribute: [["taxonomy_term_id", "taxonomy_term"]],
    service_capacity: [["service_id", "service"], ["unit_id", "unit"]],
    accessibility: [["location_id", "location"]],
  };
  return {
    name: "human_services_data",
    title,
    profile: "tabular-data-package",
    version: HSDS_VERSION,
    created: created.toISOString(),
    homepage: "https://openreferral.org/",
    description: `Open Referral HSDS ${HSDS_VERSION} tabular data. Times are in ${DIRECTORY_TIME_ZONE} (UTC+09:00).`,
    resources: (Object.keys(HSDS_TABLES) as HsdsTable[]).map((table) => ({
      name: table,
      path: HSDS_TABLES[table].path,
      profile: "tabular-data-resource",
      format: "csv",
      mediatype: "text/csv",
      encoding: "utf-8",
      schema: {
        fields: hsdsColumns(table),
        primaryKey: "id",
        foreignKeys: (foreign[table] ?? []).map(([field, to]) => ({ fields: field, reference: { resource: to === table ? "" : to, fields: "id" } })),
      },
    })),
  };
}
