/**
 * The directory for staff under /api/v1/directory (issue 14): providers,
 * services, locations and a service's parts (schedules, closures, areas,
 * capacities, taxonomy codes), verification, the list of services not verified
 * for NOT_VERIFIED_AFTER_MONTHS, the history of every record and the handover of
 * everything a staff member owns. Observers read; staff write; every write is in
 * the audit log. Our own JSON shapes (the public HSDS-shaped API is elsewhere).
 * Owners' and verifiers' names are personal by field name (privacy.ts): an
 * observer sees them redacted.
 */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { DEFAULT_TIME_ZONE, localDateOf } from "../../domain/schedule.ts";
import { audit } from "../../http/audit.ts";
import { actorOf, type Principal } from "../../http/auth.ts";
import { ApiError, notFound } from "../../http/errors.ts";
import { personalAs } from "../../http/privacy.ts";
import { Id, IdParams, LocalDate, optionalText, safeString, text } from "../../http/schemas.ts";
import type { Services } from "../../http/services.ts";
import { ownerCandidates, personNames } from "../../engine/people.ts";
import {
  DIRECTORY_AREA_KINDS, DIRECTORY_CLOSURE_KINDS, DIRECTORY_LOCATION_TYPES, DIRECTORY_METADATA_ACTIONS, DIRECTORY_RESOURCE_TYPES,
  DIRECTORY_SCHEDULE_FREQS, DIRECTORY_SCHEDULE_KINDS, DIRECTORY_SERVICE_STATUSES, DIRECTORY_WEEKDAYS,
} from "../domain/kinds.ts";
import type { ScheduleRule } from "../domain/schedule.ts";
import { scheduleProblems } from "../domain/schedule-shape.ts";
import { describeSchedule, describeScheduleEn } from "../domain/schedule-text.ts";
import { TAXONOMY_CODE_PATTERN } from "../domain/taxonomy-ja.ts";
import { NOT_VERIFIED_AFTER_MONTHS, verificationDue } from "../domain/verification.ts";
import { handOver } from "../engine/handover.ts";
import { organisationTaxonomy, servicesTaxonomyCodes } from "../engine/matches.ts";
import {
  archiveDirectoryLocation, createDirectoryLocation, type DirectoryLocation, getDirectoryLocation, linkServiceAtLocation, listDirectoryLocations,
  serviceLocations, unlinkServiceAtLocation, updateDirectoryLocation,
} from "../engine/locations.ts";
import {
  archiveDirectoryOrganization, createDirectoryOrganization, type DirectoryOrganizationRow, getDirectoryOrganization, listDirectoryOrganizations,
  providerNames, updateDirectoryOrganization,
} from "../engine/organizations.ts";
import {
  addDirectoryClosure, addDirectoryServiceArea, addDirectorySchedule, deleteDirectoryClosure, deleteDirectoryServiceArea, deleteDirectorySchedule,
  type DirectoryCapacityRow, type DirectoryClosureRow, type DirectoryScheduleRow, type DirectoryServiceAreaRow, serviceAreas, serviceCapacities,
  serviceClosures, serviceSchedules, setDirectoryCapacity, setDirectoryTaxonomyCodes, taxonomyCodesOf, updateDirectorySchedule,
} from "../engine/parts.ts";
import type { DirectoryPorts } from "../engine/ports.ts";
import { contactPhoneIds } from "../engine/contacts.ts";
import { contactHistoryField } from "./contacts.ts";
import { directoryHistory } from "../engine/records.ts";
import { registerDirectoryResource } from "../engine/registration.ts";
import {
  archiveDirectoryService, createDirectoryService, type DirectoryServiceRow, getDirectoryService, listDirectoryServices, updateDirectoryService,
  verifyDirectoryService,
} from "../engine/services.ts";

const tags = ["directory"];

/** A service's columns in its history that name a person, as the field the service's answer shows them in (`verification`). */
const SERVICE_PERSONAL_HISTORY: Readonly<Record<string, string>> = { assured_by: "by", assurer_email: "assurerEmail" };

// ---------------------------------------------------------------- input

/** Optional text that may be cleared: null or "" clears it. */
const nullableText = (max: number, multiline = false) => optionalText(max, multiline).nullable().optional()
  .transform((v) => (v === "" ? null : v));
const Url = safeString().trim().max(2000, "at most 2000 characters").refine((v) => /^https?:\/\/\S+$/.test(v), "must be an http(s) URL");
const Email = z.email({ message: "must be an e-mail address" }).max(254);
const Age = z.number().int("must be whole years").min(0).max(150);
const TaxonomyCode = safeString().trim().min(1, "must not be empty").max(64, "at most 64 characters")
  .regex(TAXONOMY_CODE_PATTERN, "must be a taxonomy code: lower-case letters, digits and _, parts joined by dots (shopping.proxy)");

const OrganizationFields = {
  name: text(200).describe("the provider's name"),
  alternateName: nullableText(200),
  description: optionalText(4000, true).optional(),
  email: Email.nullable().optional(),
  website: Url.nullable().optional(),
  parentId: Id.nullable().optional().describe("the provider this one belongs to"),
  ownerPersonId: Id.nullable().optional().describe("the staff member who owns the relationship"),
  nextContactOn: LocalDate.nullable().optional().describe("when the owner next contacts them (YYYY-MM-DD)"),
  listed: z.boolean().optional().describe("shown in the public directory (default true)"),
};
export const DirectoryOrganizationCreate = z.strictObject(OrganizationFields);
export const DirectoryOrganizationPatch = z.strictObject({ ...OrganizationFields, name: OrganizationFields.name.optional() });

const ServiceFields = {
  directoryOrganizationId: Id.describe("the provider offering it"),
  name: text(200),
  alternateName: nullableText(200),
  description: optionalText(4000, true).optional(),
  url: Url.nullable().optional(),
  email: Email.nullable().optional(),
  status: z.enum(DIRECTORY_SERVICE_STATUSES).optional().describe("HSDS status (default active)"),
  eligibilityDescription: nullableText(2000, true).describe("who may use it"),
  minimumAge: Age.nullable().optional(),
  maximumAge: Age.nullable().optional(),
  feesDescription: nullableText(2000, true),
  applicationProcess: nullableText(2000, true).describe("how to apply"),
  alert: nullableText(500).describe("a short notice shown with the service"),
  listed: z.boolean().optional().describe("shown in the public directory (default true)"),
  ownerPersonId: Id.nullable().optional().describe("the staff member who owns the entry"),
  nextContactOn: LocalDate.nullable().optional().describe("when the owner next contacts the provider (YYYY-MM-DD)"),
};
const ageOrder = (v: { minimumAge?: number | null | undefined; maximumAge?: number | null | undefined }, ctx: z.RefinementCtx) => {
  if (v.minimumAge != null && v.maximumAge != null && v.minimumAge > v.maximumAge) {
    ctx.addIssue({ code: "custom", path: ["maximumAge"], message: "must not be below minimumAge" });
  }
};
export const DirectoryServiceCreate = z.strictObject(ServiceFields).superRefine(ageOrder);
export const DirectoryServicePatch = z.strictObject({
  ...ServiceFields, directoryOrganizationId: ServiceFields.directoryOrganizationId.optional(), name: ServiceFields.name.optional(),
}).superRefine(ageOrder);

const ServiceListQuery = z.strictObject({
  search: optionalText(200).optional().describe("words in the name, description, eligibility, fees or how to apply"),
  taxonomy: optionalText(1000).optional().describe("taxonomy codes, comma-separated: services with any of them"),
  status: optionalText(200).optional().describe("statuses, comma-separated"),
  organization: Id.optional().describe("one provider's services"),
  notVerified: z.enum(["true", "false"]).optional().describe(`true: only services never verified or verified ${NOT_VERIFIED_AFTER_MONTHS}+ months ago, oldest first`),
  archived: z.enum(["true", "false"]).optional().describe("true: archived services too"),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
}).superRefine((q, ctx) => {
  for (const s of q.status?.split(",").filter(Boolean) ?? []) {
    if (!(DIRECTORY_SERVICE_STATUSES as readonly string[]).includes(s)) {
      ctx.addIssue({ code: "custom", path: ["status"], message: `must be statuses among ${DIRECTORY_SERVICE_STATUSES.join(", ")}` });
    }
  }
});
const ArchivedQuery = z.strictObject({ archived: z.enum(["true", "false"]).optional().describe("true: archived ones too") });

const AddressInput = z.strictObject({
  addressType: z.enum(DIRECTORY_LOCATION_TYPES).optional(),
  attention: nullableText(200),
  address1: text(200).describe("番地・建物"),
  address2: nullableText(200),
  city: text(100).describe("市区町村"),
  region: nullableText(100).describe("町名・地域"),
  stateProvince: text(100).describe("都道府県"),
  postalCode: safeString().trim().transform((v) => v.replace(/[-‐－ー\s]/g, "")).pipe(z.string().regex(/^\d{7}$/, "must be 7 digits (123-4567)")),
  country: z.string().regex(/^[A-Z]{2}$/, "must be an ISO 3166 country code (JP)").optional(),
});
const LocationFields = {
  directoryOrganizationId: Id.nullable().optional(),
  locationType: z.enum(DIRECTORY_LOCATION_TYPES),
  name: nullableText(200),
  alternateName: nullableText(200),
  description: nullableText(4000, true),
  transportation: nullableText(1000, true).describe("how to get there"),
  latitude: z.number().min(-90).max(90).nullable().optional(),
  longitude: z.number().min(-180).max(180).nullable().optional(),
  url: Url.nullable().optional(),
  accessibilityDescription: nullableText(2000, true).describe("steps, lift, toilets"),
  address: AddressInput.nullable().optional(),
};
export const DirectoryLocationCreate = z.strictObject(LocationFields);
export const DirectoryLocationPatch = z.strictObject({ ...LocationFields, locationType: LocationFields.locationType.optional() });

const HHMM = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, "must be a time HH:MM (24:00 allowed)");
const ScheduleFields = {
  kind: z.enum(DIRECTORY_SCHEDULE_KINDS).describe("opening hours, or an event (a salon, a health talk)"),
  freq: z.enum(DIRECTORY_SCHEDULE_FREQS).nullable().optional().describe("absent: a one-off on dtstart"),
  interval: z.number().int().min(1).max(52).nullable().optional(),
  byday: z.string().max(100).nullable().optional().describe("RFC 5545 BYDAY: MO,WE (weekly), 2TU or -1FR (monthly)"),
  bymonthday: z.string().max(100).nullable().optional().describe("RFC 5545 BYMONTHDAY: 1,15 or -1"),
  count: z.number().int().min(1).max(1000).nullable().optional(),
  wkst: z.enum(DIRECTORY_WEEKDAYS).nullable().optional(),
  dtstart: LocalDate.nullable().optional(),
  until: LocalDate.nullable().optional(),
  opensAt: HHMM.nullable().optional().describe("Asia/Tokyo"),
  closesAt: HHMM.nullable().optional(),
  validFrom: LocalDate.nullable().optional(),
  validTo: LocalDate.nullable().optional(),
  description: nullableText(1000, true),
  attendingType: nullableText(100),
  notes: nullableText(1000, true),
  closedOnHolidays: z.boolean().optional().describe("closed on Japanese public holidays (default true)"),
};
/** The shape rules (domain/schedule-shape.ts), each problem on its field. */
const scheduleShape = (v: z.infer<z.ZodObject<typeof ScheduleFields>>, ctx: z.RefinementCtx) => {
  for (const p of scheduleProblems(v)) ctx.addIssue({ code: "custom", path: [p.field], message: p.message });
};
export const DirectoryScheduleCreate = z.strictObject(ScheduleFields).superRefine(scheduleShape);
export const DirectorySchedulePatch = z.strictObject({ ...ScheduleFields, kind: ScheduleFields.kind.optional() });

export const DirectoryClosureCreate = z.strictObject({
  serviceId: Id.optional().describe("a service's closure"),
  directoryOrganizationId: Id.optional().describe("a provider's closure (all its services); neither: the whole directory"),
  kind: z.enum(DIRECTORY_CLOSURE_KINDS),
  startsOn: LocalDate,
  endsOn: LocalDate,
  reason: nullableText(500),
}).superRefine((v, ctx) => {
  if (v.endsOn < v.startsOn) ctx.addIssue({ code: "custom", path: ["endsOn"], message: "must not be before startsOn" });
  if (v.serviceId && v.directoryOrganizationId) ctx.addIssue({ code: "custom", path: ["directoryOrganizationId"], message: "give serviceId or directoryOrganizationId, not both" });
});

export const DirectoryServiceAreaCreate = z.strictObject({
  name: text(200),
  areaKind: z.enum(DIRECTORY_AREA_KINDS),
  areaValue: optionalText(200).optional().describe("a team id, a postal code (3–7 digits, a prefix) or a town; absent for whole"),
  description: nullableText(1000, true),
}).superRefine((v, ctx) => {
  const value = v.areaValue ?? "";
  const problem = v.areaKind === "whole" ? (value ? "not taken for the whole area" : undefined)
    : !value ? "required"
    : v.areaKind === "postal_code" && !/^\d{3,7}$/.test(value) ? "must be 3–7 digits"
    : v.areaKind === "team" && !z.uuid().safeParse(value).success ? "must be a team id" : undefined;
  if (problem) ctx.addIssue({ code: "custom", path: ["areaValue"], message: problem });
});

export const DirectoryCapacityInput = z.strictObject({
  unit: text(20).describe("what is counted: 人, 枠, 席"),
  available: z.number().int().min(0).max(100_000),
  maximum: z.number().int().min(0).max(100_000).nullable().optional(),
  description: nullableText(500),
}).superRefine((v, ctx) => {
  if (v.maximum != null && v.available > v.maximum) ctx.addIssue({ code: "custom", path: ["available"], message: "must not exceed maximum" });
});

export const DirectoryTaxonomyInput = z.strictObject({ codes: z.array(TaxonomyCode).max(50).describe("the service's taxonomy codes, exactly") });
export const DirectoryVerifyInput = z.strictObject({ assurerEmail: Email.nullable().optional().describe("the provider's e-mail who confirmed it") });
export const DirectoryServiceAtLocationInput = z.strictObject({ locationId: Id, description: nullableText(1000, true) });
/** A service's fields but its provider, which a registration gives once for all its parts. */
const { directoryOrganizationId: _provider, ...RegisteredServiceFields } = ServiceFields;
/**
 * A resource registered in one step (POST /directory/resources): a provider
 * (an existing one by id, or a new one), the service, its kinds, its places and
 * where it is given. Refused as a whole, naming the field, when any part is bad.
 */
export const DirectoryRegistrationInput = z.strictObject({
  directoryOrganizationId: Id.optional().describe("an existing provider (or give `provider`)"),
  provider: DirectoryOrganizationCreate.optional().describe("a new provider, created with the service (or give `directoryOrganizationId`)"),
  service: z.strictObject(RegisteredServiceFields).superRefine(ageOrder)
    .describe("the service's fields (its provider is the registration's)"),
  taxonomyCodes: z.array(TaxonomyCode).max(50).optional().describe("the service's taxonomy codes"),
  capacity: DirectoryCapacityInput.optional().describe("places available now (and the maximum) in a unit"),
  locations: z.array(z.strictObject({
    locationId: Id.optional().describe("an existing location (or give `location`)"),
    location: DirectoryLocationCreate.optional().describe("a new location and its address (or give `locationId`)"),
    description: nullableText(1000, true),
  })).max(20).optional().describe("where the service is given"),
}).superRefine((v, ctx) => {
  if (!v.provider === !v.directoryOrganizationId) {
    ctx.addIssue({ code: "custom", path: ["directoryOrganizationId"], message: "give directoryOrganizationId or provider, exactly one" });
  }
  for (const [i, place] of (v.locations ?? []).entries()) {
    if (!place.location === !place.locationId) ctx.addIssue({ code: "custom", path: ["locations", i, "locationId"], message: "give locationId or location, exactly one" });
  }
});
export const DirectoryHandoverInput = z.strictObject({
  fromPersonId: Id.describe("the staff member leaving"), toPersonId: Id.describe("their successor"),
}).refine((v) => v.fromPersonId !== v.toPersonId, { path: ["toPersonId"], message: "must differ from fromPersonId" });

// ---------------------------------------------------------------- answers

const Owner = z.object({ id: z.string(), displayName: z.string() }).nullable().describe("the staff member who owns it");
export const DirectoryOrganization = z.object({
  id: z.string(), name: z.string(), alternateName: z.string().nullable(), description: z.string(), email: z.string().nullable(),
  website: z.string().nullable(), parentId: z.string().nullable(), owner: Owner, nextContactOn: z.string().nullable(),
  nextContactDue: z.boolean().describe("the next contact date has come"), listed: z.boolean(), archived: z.boolean(),
  createdAt: z.string(), updatedAt: z.string(), archivedAt: z.string().nullable(),
}).meta({ id: "DirectoryOrganization" });
const Verification = z.object({
  date: z.string().nullable().describe("when it was last confirmed (YYYY-MM-DD, HSDS assured_date)"),
  by: z.string().nullable().describe("who confirmed it"), personId: z.string().nullable(), assurerEmail: z.string().nullable(),
  due: z.boolean().describe(`never verified, or ${NOT_VERIFIED_AFTER_MONTHS}+ months ago`),
});
export const DirectoryService = z.object({
  id: z.string(), directoryOrganizationId: z.string(), organizationName: z.string(), name: z.string(), alternateName: z.string().nullable(),
  description: z.string(), url: z.string().nullable(), email: z.string().nullable(), status: z.enum(DIRECTORY_SERVICE_STATUSES),
  eligibilityDescription: z.string().nullable(), minimumAge: z.number().nullable(), maximumAge: z.number().nullable(),
  feesDescription: z.string().nullable(), applicationProcess: z.string().nullable(), alert: z.string().nullable(), listed: z.boolean(),
  owner: Owner, nextContactOn: z.string().nullable(), nextContactDue: z.boolean(), verification: Verification,
  taxonomyCodes: z.array(z.string()), archived: z.boolean(), createdAt: z.string(), updatedAt: z.string(), archivedAt: z.string().nullable(),
}).meta({ id: "DirectoryService" });
const Address = z.object({
  id: z.string(), addressType: z.enum(DIRECTORY_LOCATION_TYPES), attention: z.string().nullable(), address1: z.string(), address2: z.string().nullable(),
  city: z.string(), region: z.string().nullable(), stateProvince: z.string(), postalCode: z.string(), country: z.string(),
});
export const DirectoryLocationView = z.object({
  id: z.string(), directoryOrganizationId: z.string().nullable(), locationType: z.enum(DIRECTORY_LOCATION_TYPES), name: z.string().nullable(),
  alternateName: z.string().nullable(), description: z.string().nullable(), transportation: z.string().nullable(), latitude: z.number().nullable(),
  longitude: z.number().nullable(), url: z.string().nullable(), accessibilityDescription: z.string().nullable(),
  postalAddress: Address.nullable().describe("the location's address (a provider's premises)"),
  archived: z.boolean(), createdAt: z.string(), updatedAt: z.string(),
}).meta({ id: "DirectoryLocation" });
export const DirectorySchedule = z.object({
  id: z.string(), serviceId: z.string().nullable(), locationId: z.string().nullable(), serviceAtLocationId: z.string().nullable(),
  kind: z.enum(DIRECTORY_SCHEDULE_KINDS), freq: z.enum(DIRECTORY_SCHEDULE_FREQS).nullable(), interval: z.number().nullable(),
  byday: z.string().nullable(), bymonthday: z.string().nullable(), count: z.number().nullable(), wkst: z.string().nullable(),
  dtstart: z.string().nullable(), until: z.string().nullable(), opensAt: z.string().nullable(), closesAt: z.string().nullable(),
  validFrom: z.string().nullable(), validTo: z.string().nullable(), description: z.string().nullable(), attendingType: z.string().nullable(),
  notes: z.string().nullable(), closedOnHolidays: z.boolean(),
  words: z.object({ ja: z.string(), en: z.string() }).describe("the schedule in words (毎月 第2火曜 10:00〜12:00 / Every month on the 2nd Tue, 10:00–12:00)"),
}).meta({ id: "DirectorySchedule" });
export const DirectoryClosure = z.object({
  id: z.string(), serviceId: z.string().nullable(), directoryOrganizationId: z.string().nullable(), kind: z.enum(DIRECTORY_CLOSURE_KINDS),
  startsOn: z.string(), endsOn: z.string(), reason: z.string().nullable(),
}).meta({ id: "DirectoryClosure" });
export const DirectoryServiceArea = z.object({
  id: z.string(), name: z.string(), areaKind: z.enum(DIRECTORY_AREA_KINDS), areaValue: z.string().nullable(), description: z.string().nullable(),
}).meta({ id: "DirectoryServiceArea" });
export const DirectoryCapacity = z.object({
  id: z.string(), unit: z.string(), available: z.number(), maximum: z.number().nullable(), description: z.string().nullable(), updatedAt: z.string(),
}).meta({ id: "DirectoryCapacity" });
export const DirectoryServiceDetail = DirectoryService.extend({
  locations: z.array(z.object({ serviceAtLocationId: z.string(), description: z.string().nullable(), location: DirectoryLocationView })),
  schedules: z.array(DirectorySchedule), closures: z.array(DirectoryClosure).describe("its own, its provider's and the whole directory's"),
  areas: z.array(DirectoryServiceArea), capacities: z.array(DirectoryCapacity),
}).meta({ id: "DirectoryServiceDetail" });
export const DirectoryHistory = z.object({
  changes: z.array(z.object({
    id: z.string(), resourceType: z.enum(DIRECTORY_RESOURCE_TYPES), resourceId: z.string(), action: z.enum(DIRECTORY_METADATA_ACTIONS),
    field: z.string(), previous: z.string().nullable(), replacement: z.string().nullable(), by: z.string().describe("who changed it"), at: z.string(),
  })).describe("newest first: the record's own changes and its parts' (schedules, areas, capacities, taxonomy codes, locations)"),
}).meta({ id: "DirectoryHistory" });
const ServiceAtLocation = z.object({ id: z.string(), serviceId: z.string(), locationId: z.string(), description: z.string().nullable() });
const Deleted = z.object({ deleted: z.literal(true) });

// ---------------------------------------------------------------- views

const owner = (id: string | null, names: Map<string, string>) => (id ? { id, displayName: names.get(id) ?? "" } : null);
const due = (date: string | null, today: string) => date !== null && date <= today;

const organizationView = (o: DirectoryOrganizationRow, names: Map<string, string>, today: string) => ({
  id: o.id, name: o.name, alternateName: o.alternate_name, description: o.description, email: o.email, website: o.website, parentId: o.parent_id,
  owner: owner(o.owner_person_id, names), nextContactOn: o.next_contact_on, nextContactDue: o.archived_at === null && due(o.next_contact_on, today),
  listed: o.listed, archived: o.archived_at !== null, createdAt: o.created_at.toISOString(), updatedAt: o.updated_at.toISOString(),
  archivedAt: o.archived_at?.toISOString() ?? null,
});

const locationView = (l: DirectoryLocation) => ({
  id: l.id, directoryOrganizationId: l.directory_organization_id, locationType: l.location_type, name: l.name, alternateName: l.alternate_name,
  description: l.description, transportation: l.transportation, latitude: l.latitude, longitude: l.longitude, url: l.url,
  accessibilityDescription: l.accessibility_description,
  postalAddress: l.address ? {
    id: l.address.id, addressType: l.address.address_type, attention: l.address.attention, address1: l.address.address_1, address2: l.address.address_2,
    city: l.address.city, region: l.address.region, stateProvince: l.address.state_province, postalCode: l.address.postal_code, country: l.address.country,
  } : null,
  archived: l.archived_at !== null, createdAt: l.created_at.toISOString(), updatedAt: l.updated_at.toISOString(),
});

const scheduleView = (r: DirectoryScheduleRow) => ({
  id: r.id, serviceId: r.service_id, locationId: r.location_id, serviceAtLocationId: r.service_at_location_id, kind: r.kind, freq: r.freq,
  interval: r.interval, byday: r.byday, bymonthday: r.bymonthday, count: r.count, wkst: r.wkst, dtstart: r.dtstart, until: r.until,
  opensAt: r.opens_at, closesAt: r.closes_at, validFrom: r.valid_from, validTo: r.valid_to, description: r.description,
  attendingType: r.attending_type, notes: r.notes, closedOnHolidays: r.closed_on_holidays,
  words: { ja: describeSchedule(r as ScheduleRule), en: describeScheduleEn(r as ScheduleRule) },
});
const closureView = (r: DirectoryClosureRow) => ({
  id: r.id, serviceId: r.service_id, directoryOrganizationId: r.directory_organization_id, kind: r.kind, startsOn: r.starts_on, endsOn: r.ends_on,
  reason: r.reason,
});
const areaView = (r: DirectoryServiceAreaRow) => ({ id: r.id, name: r.name, areaKind: r.area_kind, areaValue: r.area_value, description: r.description });
const capacityView = (r: DirectoryCapacityRow) => ({
  id: r.id, unit: r.unit, available: r.available, maximum: r.maximum, description: r.description, updatedAt: r.updated_at.toISOString(),
});

/** A refusal of the engine as our error: the path's record missing 404, unknown rows named in the body 422, shape problems 400, conflicts 409. */
function refused(r: { error: string; field: string }): never {
  // The record the path names (`:id`) is not there: 404, whatever the engine called it.
  if (r.field === "id") throw notFound("directory record");
  switch (r.error) {
    case "not_found":
      throw notFound("directory record");
    case "already_linked":
      throw new ApiError(409, "directory_already_linked", "the service is at this location already", r.field);
    case "inactive_successor":
      throw new ApiError(422, "directory_inactive_successor", "the successor is deactivated", r.field);
    case "age_range": case "order": case "over_maximum": case "invalid_schedule": case "same_person": case "provider_required":
      throw new ApiError(400, "invalid_request", `${r.field} is not valid here (${r.error})`, r.field, [{ field: r.field, code: "invalid", message: r.error }]);
    default:
      throw new ApiError(422, "unknown_reference", `${r.field} names nothing of this organisation`, r.field);
  }
}
function value<T>(r: { ok: true; value: T } | { ok: false; error: string; field: string }): T {
  if (!r.ok) refused(r);
  return r.value;
}

export function directoryRoutes(ports: DirectoryPorts): (s: Services) => FastifyPluginAsyncZod {
  return (s) => async (app) => {
    const org = (request: { principal: Principal }) => request.principal.organisationId;
    const by = (request: { principal: Principal }) => actorOf(request.principal);
    const today = () => localDateOf(s.clock.now(), DEFAULT_TIME_ZONE);

    const organizations = async (organisationId: string, rows: DirectoryOrganizationRow[]) => {
      const names = await personNames(s.db, organisationId, rows.map((r) => r.owner_person_id));
      return rows.map((r) => organizationView(r, names, today()));
    };
    const services = async (organisationId: string, rows: DirectoryServiceRow[]) => {
      const names = await personNames(s.db, organisationId, rows.map((r) => r.owner_person_id));
      // One query for the page's providers (it was one per provider).
      const providers = await providerNames(s.db, organisationId, rows.map((r) => r.directory_organization_id));
      const codes = await servicesTaxonomyCodes(s.db, organisationId, rows.map((r) => r.id));
      const day = today();
      return rows.map((r) => ({
        id: r.id, directoryOrganizationId: r.directory_organization_id, organizationName: providers.get(r.directory_organization_id) ?? "", name: r.name,
        alternateName: r.alternate_name, description: r.description, url: r.url, email: r.email, status: r.status,
        eligibilityDescription: r.eligibility_description, minimumAge: r.minimum_age, maximumAge: r.maximum_age, feesDescription: r.fees_description,
        applicationProcess: r.application_process, alert: r.alert, listed: r.listed, owner: owner(r.owner_person_id, names),
        nextContactOn: r.next_contact_on, nextContactDue: r.archived_at === null && due(r.next_contact_on, day),
        verification: {
          date: r.assured_date, by: r.assured_by, personId: r.assured_by_person_id, assurerEmail: r.assurer_email, due: verificationDue(r.assured_date, day),
        },
        taxonomyCodes: codes.get(r.id) ?? [], archived: r.archived_at !== null, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
        archivedAt: r.archived_at?.toISOString() ?? null,
      }));
    };
    const serviceDetail = async (organisationId: string, row: DirectoryServiceRow) => {
      const [base] = await services(organisationId, [row]);
      return {
        ...base!,
        locations: (await serviceLocations(s.db, organisationId, row.id)).map((l) => ({
          serviceAtLocationId: l.serviceAtLocation.id, description: l.serviceAtLocation.description, location: locationView(l.location),
        })),
        schedules: (await serviceSchedules(s.db, organisationId, row.id)).map(scheduleView),
        closures: (await serviceClosures(s.db, organisationId, row.id)).map(closureView),
        areas: (await serviceAreas(s.db, organisationId, row.id)).map(areaView),
        capacities: (await serviceCapacities(s.db, organisationId, row.id)).map(capacityView),
      };
    };
    // A change's values are personal when the field changed is (a contact's name, a contact person's phone,
    // who verified a service and their e-mail): marked for privacy.ts, which cannot tell by the key `previous`.
    const history = async (organisationId: string, id: string) => {
      const changes = await directoryHistory(s.db, organisationId, id);
      const contactPhones = await contactPhoneIds(s.db, organisationId, [...new Set(changes.filter((c) => c.resourceType === "phone").map((c) => c.resourceId))]);
      return {
        changes: changes.map((c) => {
          const view = { ...c, at: c.at.toISOString() };
          const field = contactHistoryField(c, contactPhones) ?? (c.resourceType === "service" ? SERVICE_PERSONAL_HISTORY[c.field] : undefined);
          return field ? personalAs(view, { previous: field, replacement: field }) : view;
        }),
      };
    };

    // ------------------------------------------------------------ providers

    app.get("/directory/organizations", { schema: { tags, summary: "The directory's providers, by name", querystring: ArchivedQuery } }, async (request) => ({
      organizations: await organizations(org(request), await listDirectoryOrganizations(s.db, org(request), request.query.archived === "true")),
    }));
    app.post("/directory/organizations", { schema: { tags, summary: "Register a provider", body: DirectoryOrganizationCreate } }, async (request, reply) => {
      const row = value(await createDirectoryOrganization(s.db, org(request), request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.create", "directory_organization", row.id);
      return reply.code(201).send((await organizations(org(request), [row]))[0]);
    });
    app.get("/directory/organizations/:id", { schema: { tags, summary: "A provider", params: IdParams } }, async (request) => {
      const row = await getDirectoryOrganization(s.db, org(request), request.params.id);
      if (!row) throw notFound("provider");
      return (await organizations(org(request), [row]))[0];
    });
    app.patch("/directory/organizations/:id", {
      schema: { tags, summary: "Change a provider (null clears a field); each change is kept in its history", params: IdParams, body: DirectoryOrganizationPatch },
    }, async (request) => {
      const row = value(await updateDirectoryOrganization(s.db, org(request), request.params.id, request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.update", "directory_organization", row.id, { fields: Object.keys(request.body).sort() });
      return (await organizations(org(request), [row]))[0];
    });
    for (const archived of [true, false]) {
      app.post(`/directory/organizations/:id/${archived ? "archive" : "restore"}`, {
        schema: { tags, summary: archived ? "Archive a provider (kept with its history)" : "Restore an archived provider", params: IdParams },
      }, async (request) => {
        const row = value(await archiveDirectoryOrganization(s.db, org(request), request.params.id, archived, by(request), s.clock.now()));
        await audit(s.db, request, archived ? "directory.archive" : "directory.restore", "directory_organization", row.id);
        return (await organizations(org(request), [row]))[0];
      });
    }
    app.get("/directory/organizations/:id/history", { schema: { tags, summary: "A provider's history of changes, newest first", params: IdParams } }, async (request) => {
      if (!await getDirectoryOrganization(s.db, org(request), request.params.id)) throw notFound("provider");
      return history(org(request), request.params.id);
    });

    // ------------------------------------------------------------ services

    app.get("/directory/services", {
      schema: { tags, summary: "Services matching every filter given (search, taxonomy, status, provider, not verified), by name", querystring: ServiceListQuery },
    }, async (request) => {
      const q = request.query;
      const list = await listDirectoryServices(s.db, org(request), {
        search: q.search, taxonomyCodes: q.taxonomy?.split(",").map((c) => c.trim()).filter(Boolean),
        statuses: q.status?.split(",").filter(Boolean) as (typeof DIRECTORY_SERVICE_STATUSES)[number][] | undefined,
        directoryOrganizationId: q.organization, notVerified: q.notVerified === "true", includeArchived: q.archived === "true", limit: q.limit, offset: q.offset,
      }, s.clock.now());
      return { services: await services(org(request), list.services), total: list.total, notVerifiedAfterMonths: NOT_VERIFIED_AFTER_MONTHS };
    });
    app.post("/directory/services", { schema: { tags, summary: "Register a service of a provider", body: DirectoryServiceCreate } }, async (request, reply) => {
      const row = value(await createDirectoryService(s.db, org(request), request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.create", "directory_service", row.id);
      return reply.code(201).send(await serviceDetail(org(request), row));
    });
    app.post("/directory/resources", {
      schema: {
        tags, body: DirectoryRegistrationInput,
        summary: "Register a resource in one step: a provider (existing or new), its service, kinds, places and locations; all or nothing",
      },
    }, async (request, reply) => {
      const { directoryOrganizationId, provider, service, taxonomyCodes, capacity, locations } = request.body;
      const made = value(await registerDirectoryResource(s.db, org(request), {
        ...(directoryOrganizationId ? { directoryOrganizationId } : {}), ...(provider ? { provider } : {}), service, taxonomyCodes, capacity,
        locations: locations?.map(({ location, locationId, description }) => (location ? { location, description } : { locationId: locationId!, description })),
      }, by(request), s.clock.now()));
      if (made.providerCreated) await audit(s.db, request, "directory.create", "directory_organization", made.directoryOrganizationId);
      for (const id of made.locationIds) await audit(s.db, request, "directory.create", "directory_location", id);
      await audit(s.db, request, "directory.create", "directory_service", made.service.id, { fields: Object.keys(request.body).sort() });
      return reply.code(201).send(await serviceDetail(org(request), made.service));
    });
    app.get("/directory/services/:id", {
      schema: { tags, summary: "A service with its locations, schedules, closures, areas and capacities", params: IdParams },
    }, async (request) => {
      const row = await getDirectoryService(s.db, org(request), request.params.id);
      if (!row) throw notFound("service");
      return serviceDetail(org(request), row);
    });
    app.patch("/directory/services/:id", {
      schema: { tags, summary: "Change a service (null clears a field); each change is kept in its history", params: IdParams, body: DirectoryServicePatch },
    }, async (request) => {
      const row = value(await updateDirectoryService(s.db, org(request), request.params.id, request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.update", "directory_service", row.id, { fields: Object.keys(request.body).sort() });
      return serviceDetail(org(request), row);
    });
    for (const archived of [true, false]) {
      app.post(`/directory/services/:id/${archived ? "archive" : "restore"}`, {
        schema: { tags, summary: archived ? "Archive a service (kept with its history)" : "Restore an archived service", params: IdParams },
      }, async (request) => {
        const row = value(await archiveDirectoryService(s.db, org(request), request.params.id, archived, by(request), s.clock.now()));
        await audit(s.db, request, archived ? "directory.archive" : "directory.restore", "directory_service", row.id);
        return serviceDetail(org(request), row);
      });
    }
    app.post("/directory/services/:id/verify", {
      schema: { tags, summary: "Record that the entry was confirmed with the provider today (HSDS assured_date)", params: IdParams, body: DirectoryVerifyInput },
    }, async (request) => {
      const row = value(await verifyDirectoryService(s.db, org(request), request.params.id, {
        by: by(request), personId: request.principal.kind === "person" ? request.principal.tokenId : null, assurerEmail: request.body.assurerEmail,
      }, s.clock.now()));
      await audit(s.db, request, "directory.verify", "directory_service", row.id);
      return serviceDetail(org(request), row);
    });
    app.get("/directory/services/:id/history", {
      schema: { tags, summary: "A service's history of changes, its parts' included, newest first", params: IdParams },
    }, async (request) => {
      if (!await getDirectoryService(s.db, org(request), request.params.id)) throw notFound("service");
      return history(org(request), request.params.id);
    });
    app.put("/directory/services/:id/taxonomy", {
      schema: { tags, summary: "Set a service's taxonomy codes (exactly these)", params: IdParams, body: DirectoryTaxonomyInput },
    }, async (request) => {
      value(await setDirectoryTaxonomyCodes(s.db, org(request), "service", request.params.id, request.body.codes, by(request), s.clock.now()));
      await audit(s.db, request, "directory.update", "directory_service", request.params.id, { fields: ["taxonomyCodes"] });
      return { taxonomyCodes: (await taxonomyCodesOf(s.db, org(request), "service", request.params.id)).map((a) => a.taxonomy_code) };
    });
    app.put("/directory/services/:id/capacity", {
      schema: { tags, summary: "Set a service's places available (and maximum) in a unit; the time it was told is kept", params: IdParams, body: DirectoryCapacityInput },
    }, async (request) => {
      const row = value(await setDirectoryCapacity(s.db, org(request), request.params.id, request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.update", "directory_service", request.params.id, { fields: ["capacity"], unit: row.unit });
      return capacityView(row);
    });
    app.post("/directory/services/:id/areas", {
      schema: { tags, summary: "Add an area the service serves", params: IdParams, body: DirectoryServiceAreaCreate },
    }, async (request, reply) => {
      const row = value(await addDirectoryServiceArea(s.db, org(request), request.params.id, request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.update", "directory_service", request.params.id, { fields: ["areas"] });
      return reply.code(201).send(areaView(row));
    });
    app.post("/directory/services/:id/schedules", {
      schema: { tags, summary: "Add opening hours or an event to a service (RFC 5545 fields, HSDS 3.1)", params: IdParams, body: DirectoryScheduleCreate },
    }, async (request, reply) => {
      const row = value(await addDirectorySchedule(s.db, org(request), { serviceId: request.params.id }, request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.update", "directory_service", request.params.id, { fields: ["schedules"] });
      return reply.code(201).send(scheduleView(row));
    });
    app.post("/directory/services/:id/locations", {
      schema: { tags, summary: "Say the service is given at a location", params: IdParams, body: DirectoryServiceAtLocationInput },
    }, async (request, reply) => {
      const row = value(await linkServiceAtLocation(s.db, org(request), { serviceId: request.params.id, ...request.body }, by(request), s.clock.now()));
      await audit(s.db, request, "directory.update", "directory_service", request.params.id, { fields: ["locations"] });
      return reply.code(201).send({ id: row.id, serviceId: row.service_id, locationId: row.location_id, description: row.description });
    });

    // ------------------------------------------------------------ parts by id

    app.patch("/directory/schedules/:id", {
      schema: { tags, summary: "Change a schedule; the result must keep a valid shape", params: IdParams, body: DirectorySchedulePatch },
    }, async (request) => {
      const row = value(await updateDirectorySchedule(s.db, org(request), request.params.id, request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.update", "directory_schedule", row.id, { fields: Object.keys(request.body).sort() });
      return scheduleView(row);
    });
    const deletions = [
      ["schedules", "directory_schedule", deleteDirectorySchedule],
      ["service-areas", "directory_service_area", deleteDirectoryServiceArea],
      ["closures", "directory_closure", deleteDirectoryClosure],
      ["service-at-locations", "directory_service_at_location", unlinkServiceAtLocation],
    ] as const;
    for (const [path, subject, remove] of deletions) {
      app.delete(`/directory/${path}/:id`, { schema: { tags, summary: `Delete a ${subject.slice("directory_".length).replaceAll("_", " ")} (kept in the history)`, params: IdParams } },
        async (request) => {
          if (!await remove(s.db, org(request), request.params.id, by(request), s.clock.now())) throw notFound("directory record");
          await audit(s.db, request, "directory.delete", subject, request.params.id);
          return { deleted: true as const };
        });
    }

    // ------------------------------------------------------------ closures

    app.post("/directory/closures", {
      schema: { tags, summary: "Add a closure (年末年始, a holiday, ad hoc) of a service, a provider or the whole directory", body: DirectoryClosureCreate },
    }, async (request, reply) => {
      const row = value(await addDirectoryClosure(s.db, org(request), request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.create", "directory_closure", row.id);
      return reply.code(201).send(closureView(row));
    });

    // ------------------------------------------------------------ locations

    app.get("/directory/locations", { schema: { tags, summary: "The directory's locations, by name", querystring: ArchivedQuery } }, async (request) => ({
      locations: (await listDirectoryLocations(s.db, org(request), { includeArchived: request.query.archived === "true" })).map(locationView),
    }));
    app.post("/directory/locations", { schema: { tags, summary: "Register a location (and its address)", body: DirectoryLocationCreate } }, async (request, reply) => {
      const row = value(await createDirectoryLocation(s.db, org(request), request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.create", "directory_location", row.id);
      return reply.code(201).send(locationView(row));
    });
    app.get("/directory/locations/:id", { schema: { tags, summary: "A location", params: IdParams } }, async (request) => {
      const row = await getDirectoryLocation(s.db, org(request), request.params.id);
      if (!row) throw notFound("location");
      return locationView(row);
    });
    app.patch("/directory/locations/:id", {
      schema: { tags, summary: "Change a location (address: its fields replace the address; null removes it)", params: IdParams, body: DirectoryLocationPatch },
    }, async (request) => {
      const row = value(await updateDirectoryLocation(s.db, org(request), request.params.id, request.body, by(request), s.clock.now()));
      await audit(s.db, request, "directory.update", "directory_location", row.id, { fields: Object.keys(request.body).sort() });
      return locationView(row);
    });
    for (const archived of [true, false]) {
      app.post(`/directory/locations/:id/${archived ? "archive" : "restore"}`, {
        schema: { tags, summary: archived ? "Archive a location (kept with its history)" : "Restore an archived location", params: IdParams },
      }, async (request) => {
        const row = value(await archiveDirectoryLocation(s.db, org(request), request.params.id, archived, by(request), s.clock.now()));
        await audit(s.db, request, archived ? "directory.archive" : "directory.restore", "directory_location", row.id);
        return locationView(row);
      });
    }
    app.get("/directory/locations/:id/history", { schema: { tags, summary: "A location's history of changes, newest first", params: IdParams } }, async (request) => {
      if (!await getDirectoryLocation(s.db, org(request), request.params.id)) throw notFound("location");
      return history(org(request), request.params.id);
    });

    // ------------------------------------------------------------ taxonomy

    app.get("/directory/taxonomy", {
      schema: { tags, summary: "The taxonomy services are coded with: the shipped Japanese terms, then the organisation's own" },
    }, async (request) => ({
      terms: (await organisationTaxonomy(s.db, org(request))).map((t) => ({
        code: t.code, name: t.name, nameEn: t.name_en, parentCode: t.parent_code, source: t.source, retired: t.retired,
      })),
    }));

    // ------------------------------------------------------------ owners and handover

    app.get("/directory/owners", { schema: { tags, summary: "The people who may own directory entries (staff and admins, not deactivated, by name)" } }, async (request) => ({
      owners: await ownerCandidates(s.db, org(request)),
    }));
    app.post("/directory/handover", {
      schema: {
        tags, body: DirectoryHandoverInput,
        summary: "Give everything a staff member owns (providers, services, the network's partners) to a successor, in one step, with history",
      },
    }, async (request) => {
      const moved = value(await handOver(s.db, org(request), request.body, by(request), s.clock.now(), ports.handoverParts ?? []));
      await audit(s.db, request, "directory.handover", "person", request.body.fromPersonId, { toPersonId: request.body.toPersonId, moved });
      return { moved };
    });
  };
}

/** Error codes of the directory's staff routes (context.ts composes the directory's). */
export const DIRECTORY_STAFF_ERROR_CODES = {
  directory_already_linked: "the service is at this location already",
  directory_inactive_successor: "a handover's successor is deactivated",
} as const;

/** Who may call each route: observers read, staff write. */
export const DIRECTORY_STAFF_ACCESS = {
  "GET /directory/organizations": "observer",
  "POST /directory/organizations": "staff",
  "GET /directory/organizations/:id": "observer",
  "PATCH /directory/organizations/:id": "staff",
  "POST /directory/organizations/:id/archive": "staff",
  "POST /directory/organizations/:id/restore": "staff",
  "GET /directory/organizations/:id/history": "observer",
  "GET /directory/services": "observer",
  "POST /directory/services": "staff",
  "POST /directory/resources": "staff",
  "GET /directory/services/:id": "observer",
  "PATCH /directory/services/:id": "staff",
  "POST /directory/services/:id/archive": "staff",
  "POST /directory/services/:id/restore": "staff",
  "POST /directory/services/:id/verify": "staff",
  "GET /directory/services/:id/history": "observer",
  "PUT /directory/services/:id/taxonomy": "staff",
  "PUT /directory/services/:id/capacity": "staff",
  "POST /directory/services/:id/areas": "staff",
  "POST /directory/services/:id/schedules": "staff",
  "POST /directory/services/:id/locations": "staff",
  "PATCH /directory/schedules/:id": "staff",
  "DELETE /directory/schedules/:id": "staff",
  "DELETE /directory/service-areas/:id": "staff",
  "DELETE /directory/closures/:id": "staff",
  "DELETE /directory/service-at-locations/:id": "staff",
  "POST /directory/closures": "staff",
  "GET /directory/locations": "observer",
  "POST /directory/locations": "staff",
  "GET /directory/locations/:id": "observer",
  "PATCH /directory/locations/:id": "staff",
  "POST /directory/locations/:id/archive": "staff",
  "POST /directory/locations/:id/restore": "staff",
  "GET /directory/locations/:id/history": "observer",
  "GET /directory/taxonomy": "observer",
  // Staff names: only those who choose an owner read them.
  "GET /directory/owners": "staff",
  "POST /directory/handover": "staff",
} as const;

const OrganizationList = z.object({ organizations: z.array(DirectoryOrganization) });
const ServiceList = z.object({
  services: z.array(DirectoryService), total: z.number().describe("services matching, over all pages"),
  notVerifiedAfterMonths: z.number().describe("months after which a service counts as not verified"),
});
const LocationList = z.object({ locations: z.array(DirectoryLocationView) });

/** The answers of the routes. */
export const DIRECTORY_STAFF_RESPONSES = {
  "GET /directory/organizations": { 200: OrganizationList },
  "POST /directory/organizations": { 201: DirectoryOrganization },
  "GET /directory/organizations/:id": { 200: DirectoryOrganization },
  "PATCH /directory/organizations/:id": { 200: DirectoryOrganization },
  "POST /directory/organizations/:id/archive": { 200: DirectoryOrganization },
  "POST /directory/organizations/:id/restore": { 200: DirectoryOrganization },
  "GET /directory/organizations/:id/history": { 200: DirectoryHistory },
  "GET /directory/services": { 200: ServiceList },
  "POST /directory/services": { 201: DirectoryServiceDetail },
  "POST /directory/resources": { 201: DirectoryServiceDetail },
  "GET /directory/services/:id": { 200: DirectoryServiceDetail },
  "PATCH /directory/services/:id": { 200: DirectoryServiceDetail },
  "POST /directory/services/:id/archive": { 200: DirectoryServiceDetail },
  "POST /directory/services/:id/restore": { 200: DirectoryServiceDetail },
  "POST /directory/services/:id/verify": { 200: DirectoryServiceDetail },
  "GET /directory/services/:id/history": { 200: DirectoryHistory },
  "PUT /directory/services/:id/taxonomy": { 200: z.object({ taxonomyCodes: z.array(z.string()) }) },
  "PUT /directory/services/:id/capacity": { 200: DirectoryCapacity },
  "POST /directory/services/:id/areas": { 201: DirectoryServiceArea },
  "POST /directory/services/:id/schedules": { 201: DirectorySchedule },
  "POST /directory/services/:id/locations": { 201: ServiceAtLocation },
  "PATCH /directory/schedules/:id": { 200: DirectorySchedule },
  "DELETE /directory/schedules/:id": { 200: Deleted },
  "DELETE /directory/service-areas/:id": { 200: Deleted },
  "DELETE /directory/closures/:id": { 200: Deleted },
  "DELETE /directory/service-at-locations/:id": { 200: Deleted },
  "POST /directory/closures": { 201: DirectoryClosure },
  "GET /directory/locations": { 200: LocationList },
  "POST /directory/locations": { 201: DirectoryLocationView },
  "GET /directory/locations/:id": { 200: DirectoryLocationView },
  "PATCH /directory/locations/:id": { 200: DirectoryLocationView },
  "POST /directory/locations/:id/archive": { 200: DirectoryLocationView },
  "POST /directory/locations/:id/restore": { 200: DirectoryLocationView },
  "GET /directory/locations/:id/history": { 200: DirectoryHistory },
  "GET /directory/taxonomy": {
    200: z.object({
      terms: z.array(z.object({
        code: z.string(), name: z.string(), nameEn: z.string(), parentCode: z.string().nullable(), source: z.enum(["shipped", "organisation"]),
        retired: z.boolean().describe("an own term no longer offered for new use (records that carry it keep it)"),
      })).describe("shipped terms first, then the organisation's own by code"),
    }).meta({ id: "DirectoryTaxonomy" }),
  },
  "GET /directory/owners": { 200: z.object({ owners: z.array(z.object({ id: z.string(), displayName: z.string() })) }) },
  "POST /directory/handover": { 200: z.object({ moved: z.record(z.string(), z.number()).describe("what moved, by kind: organizations, services, volunteers, partners") }) },
};
