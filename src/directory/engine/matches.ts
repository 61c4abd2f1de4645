/**
 * Suggesting services and volunteers for a need (domain/matching.ts decides):
 * reads the need's member (team, address, birth date), the services whose
 * taxonomy meets the need (attributes) with their areas and capacities, and the
 * volunteers whose skills meet it with their open requests. The schedule of
 * services is read by a `ServiceScheduleReader` the context is given (the
 * directory's schedule module, directorySchedules, unless another is given).
 * Taxonomy codes match exactly or through the shipped and the organisation's
 * hierarchy (shopping meets shopping.proxy).
 */
import { sql } from "kysely";
import { localDateOf } from "../../domain/schedule.ts";
import { organisationTimeZone } from "../../engine/today.ts";
import type { Db } from "../../store/db.ts";
import {
  type DirectoryArea, type MatchNeed, type MatchOptions, type MatchResult, matchNeed, type ScheduleFit, type ServiceCandidate, type VolunteerCandidate,
} from "../domain/matching.ts";
import { ageOn, postalCodeIn } from "../domain/needs.ts";
import { nextOpen, openAt, type ScheduleClosure, type ScheduleRule } from "../domain/schedule.ts";
import { broaderOf, codeWithDescendants, type TaxonomyTerm, taxonomyWithExtensions } from "../domain/taxonomy-ja.ts";
import type { DirectoryNeed } from "./needs.ts";
import { getNeed } from "./needs.ts";
import { directoryClosureOptions } from "./settings.ts";
import "../store/schema.ts";
import "../store/needs-schema.ts";

/**
 * Rows grouped by their service, once: filtering a list per service is quadratic
 * in the schedules of thousands of candidates (a broad code at 20,000 services).
 */
function byService<T extends { service_id: string | null }>(rows: readonly T[]): Map<string, T[]> {
  const by = new Map<string, T[]>();
  for (const r of rows) {
    if (r.service_id === null) continue;
    const list = by.get(r.service_id);
    if (list) list.push(r);
    else by.set(r.service_id, [r]);
  }
  return by;
}

/** What the schedule says about each service at `at` (service id → fit); services left out are `no_schedule`. */
export type ServiceScheduleReader = (db: Db, organisationId: string, serviceIds: string[], at: Date) => Promise<Map<string, ScheduleFit>>;

/**
 * The directory's schedules read with domain/schedule.ts: a service's own rows
 * (opening hours and events) with its own and its provider's closures, national
 * holidays and 年末年始 closed: `open_now` when an occurrence runs at `at`,
 * `opens_later` with the next start, `not_open` when none within 400 days,
 * `no_schedule` without rows.
 */
export const directorySchedules: ServiceScheduleReader = async (db, organisationId, serviceIds, at) => {
  const fits = new Map<string, ScheduleFit>();
  if (serviceIds.length === 0) return fits;
  const rows = await db.selectFrom("directory_schedules").select([
    "id", "service_id", "kind", "freq", "interval", "byday", "bymonthday", "count", "wkst", "opens_at", "closes_at", "closed_on_holidays",
    sql<string | null>`to_char(dtstart, 'YYYY-MM-DD')`.as("dtstart"), sql<string | null>`to_char(until, 'YYYY-MM-DD')`.as("until"),
    sql<string | null>`to_char(valid_from, 'YYYY-MM-DD')`.as("valid_from"), sql<string | null>`to_char(valid_to, 'YYYY-MM-DD')`.as("valid_to"),
  ]).where("organisation_id", "=", organisationId).where("service_id", "in", serviceIds).execute();
  if (rows.length === 0) return fits;
  const providers = new Map((await db.selectFrom("directory_services").select(["id", "directory_organization_id"]).where("organisation_id", "=", organisationId)
    .where("id", "in", serviceIds).execute()).map((r) => [r.id, r.directory_organization_id]));
  const closures = await db.selectFrom("directory_closures").select([
    "id", "kind", "reason", "service_id", "directory_organization_id",
    sql<string>`to_char(starts_on, 'YYYY-MM-DD')`.as("starts_on"), sql<string>`to_char(ends_on, 'YYYY-MM-DD')`.as("ends_on"),
  ]).where("organisation_id", "=", organisationId).where("ends_on", ">=", sql<string>`${at.toISOString().slice(0, 10)}::date - 1`).execute();
  const yearEnd = await directoryClosureOptions(db, organisationId);
  const rowsOf = byService(rows);
  const closuresOf = byService(closures);
  const shared = closures.filter((c) => c.service_id === null);
  for (const [id, own] of rowsOf) {
    const rules: ScheduleRule[] = own.map((r) => ({
      id: r.id, kind: r.kind, freq: r.freq, interval: r.interval, byday: r.byday, bymonthday: r.bymonthday, count: r.count, wkst: r.wkst,
      dtstart: r.dtstart, until: r.until, opens_at: r.opens_at, closes_at: r.closes_at, valid_from: r.valid_from, valid_to: r.valid_to,
      closed_on_holidays: r.closed_on_holidays,
    }));
    // The service's own closures, its provider's and the whole directory's (which of them closes a day does not change the fit).
    const closed: ScheduleClosure[] = [...(closuresOf.get(id) ?? []),
      ...shared.filter((c) => c.directory_organization_id === null || c.directory_organization_id === providers.get(id))]
      .map((c) => ({ id: c.id, kind: c.kind, starts_on: c.starts_on, ends_on: c.ends_on, reason: c.reason }));
    const options = { ...yearEnd, closures: closed };
    if (openAt(rules, at, options)) fits.set(id, { kind: "open_now" });
    else {
      const next = nextOpen(rules, at, options);
      fits.set(id, next ? { kind: "opens_later", next: next.start } : { kind: "not_open" });
    }
  }
  return fits;
};

export interface MatchDeps {
  schedules?: ServiceScheduleReader;
  options?: MatchOptions;
}

export interface ServiceMatch extends ServiceCandidate {
  providerId: string;
  providerName: string;
}

export interface VolunteerMatch extends VolunteerCandidate {
  personId: string | null;
}

/** The need as matching sees it: codes, the member's place and age, when. */
export async function matchFacts(db: Db, organisationId: string, need: DirectoryNeed, now: Date): Promise<MatchNeed> {
  const member = await db.selectFrom("members").select(["team_id", "personal"]).where("organisation_id", "=", organisationId)
    .where("id", "=", need.memberId).executeTakeFirstOrThrow();
  const address = member.personal.address ?? null;
  const zone = await organisationTimeZone(db, organisationId);
  return {
    taxonomyCodes: need.taxonomyCodes, at: need.wantedAt && need.wantedAt > now ? need.wantedAt : now,
    place: { teamId: member.team_id, postalCode: postalCodeIn(address), town: address },
    memberAge: ageOn(member.personal.birthDate, localDateOf(now, zone)),
  };
}

/** The shipped taxonomy with the organisation's own terms (directory_taxonomy_terms). */
export async function organisationTaxonomy(db: Db, organisationId: string): Promise<TaxonomyTerm[]> {
  const rows = await db.selectFrom("directory_taxonomy_terms").select(["id", "code", "name", "parent_code", "description", "mapped_code", "retired_at"])
    .where("organisation_id", "=", organisationId).execute();
  return taxonomyWithExtensions(rows);
}

/** Codes to look candidates up by: the need's, their ancestors and their descendants (related matches either way). */
export function lookupCodes(codes: readonly string[], terms: readonly TaxonomyTerm[], broader: (code: string) => string | undefined): string[] {
  const all = new Set<string>();
  for (const c of codes) {
    for (const d of codeWithDescendants(terms, c)) all.add(d);
    for (let up = broader(c), n = 0; up !== undefined && n < 16; up = broader(up), n++) all.add(up);
  }
  return [...all];
}

/** The taxonomy codes of several services at once (for a list), by service id, each list in code order; a service without codes is absent. */
export async function servicesTaxonomyCodes(db: Db, organisationId: string, serviceIds: readonly string[]): Promise<Map<string, string[]>> {
  const codes = new Map<string, string[]>();
  if (serviceIds.length === 0) return codes;
  const rows = await db.selectFrom("directory_attributes").select(["link_id", "taxonomy_code"]).where("organisation_id", "=", organisationId)
    .where("link_entity", "=", "service").where("link_id", "in", [...new Set(serviceIds)]).orderBy("taxonomy_code").execute();
  for (const a of rows) codes.set(a.link_id, [...(codes.get(a.link_id) ?? []), a.taxonomy_code]);
  return codes;
}

/** Services (not archived) carrying one of the codes, with their codes, areas and capacity. */
export async function serviceCandidates(db: Db, organisationId: string, codes: string[]): Promise<ServiceMatch[]> {
  if (codes.length === 0) return [];
  const services = await db.selectFrom("directory_services as s")
    .innerJoin("directory_organizations as o", (j) => j.onRef("o.id", "=", "s.directory_organization_id").onRef("o.organisation_id", "=", "s.organisation_id"))
    .select(["s.id", "s.name", "s.status", "s.minimum_age", "s.maximum_age", "o.id as provider_id", "o.name as provider_name", "s.taxonomy_codes"])
    // Each candidate's areas and capacities (summed over units) looked up by its own id in the same query: one round
    // trip instead of three, and no list of a thousand ids for a broad code to send, parse and plan.
    .select([
      sql<{ kind: DirectoryArea["kind"]; value: string | null }[]>`(select coalesce(json_agg(json_build_object('kind', sa.area_kind, 'value', sa.area_value)), '[]')
        from directory_service_areas sa where sa.service_id = s.id and sa.organisation_id = s.organisation_id)`.as("areas"),
      sql<{ units: number; available: number; maximum: number | null }>`(select json_build_object('units', count(*), 'available', coalesce(sum(c.available), 0),
        'maximum', case when bool_and(c.maximum is not null) then sum(c.maximum) end)
        from directory_capacities c where c.service_id = s.id and c.organisation_id = s.organisation_id)`.as("capacity"),
    ])
    .where("s.organisation_id", "=", organisationId).where("s.archived_at", "is", null).where("o.archived_at", "is", null)
    // One table's filter through its GIN index (migration 2040), never a join whose plan needs statistics.
    .where(sql<boolean>`s.taxonomy_codes && ${codes}::text[]`)
    .execute();
  return services.map((s) => ({
    id: s.id, name: s.name, status: s.status, minimumAge: s.minimum_age, maximumAge: s.maximum_age, providerId: s.provider_id, providerName: s.provider_name,
    taxonomyCodes: s.taxonomy_codes,
    areas: s.areas.map((a): DirectoryArea => ({ kind: a.kind, value: a.value ?? "" })),
    // Several units (人, 枠) are summed: any vacancy counts; a maximum only when every unit states one.
    capacity: Number(s.capacity.units) === 0 ? null : {
      available: Number(s.capacity.available), maximum: s.capacity.maximum === null ? null : Number(s.capacity.maximum),
    },
  }));
}

/** Volunteers (not archived) with one of the codes among their skills, with their open requests and whether this need asked them. */
export async function volunteerCandidates(db: Db, organisationId: string, codes: string[], needId: string | null): Promise<VolunteerMatch[]> {
  if (codes.length === 0) return [];
  const rows = await db.selectFrom("directory_volunteers as v")
    .select(["v.id", "v.person_id", "v.display_name", "v.skills", "v.areas", "v.availability", "v.on_duty", "v.max_open_requests", "v.last_asked_at"])
    .select((eb) => [
      eb.selectFrom("directory_volunteer_requests as r").select(eb.fn.countAll<string>().as("n")).whereRef("r.organisation_id", "=", "v.organisation_id")
        .whereRef("r.volunteer_id", "=", "v.id").where("r.status", "=", "offered").as("open_requests"),
      eb.selectFrom("directory_volunteer_requests as r").select(eb.fn.countAll<string>().as("n")).whereRef("r.organisation_id", "=", "v.organisation_id")
        .whereRef("r.volunteer_id", "=", "v.id").where("r.need_id", "=", needId ?? "00000000-0000-0000-0000-000000000000").as("asked"),
    ])
    .where("v.organisation_id", "=", organisationId).where("v.archived_at", "is", null)
    .where(sql<boolean>`v.skills && ${codes}::text[]`)
    .execute();
  return rows.map((v) => ({
    id: v.id, personId: v.person_id, displayName: v.display_name, skills: v.skills, areas: v.areas, availability: v.availability, onDuty: v.on_duty,
    openRequests: Number(v.open_requests ?? 0), maxOpenRequests: v.max_open_requests, lastAskedAt: v.last_asked_at, askedForThisNeed: Number(v.asked ?? 0) > 0,
  }));
}

/** The matching options with the organisation's taxonomy's `broader` (unless given), and the terms. */
export async function matchOptions(db: Db, organisationId: string, given: MatchOptions = {}): Promise<{ match: MatchOptions; terms: TaxonomyTerm[] }> {
  const terms = await organisationTaxonomy(db, organisationId);
  return { terms, match: { broader: broaderOf(terms), ...given } };
}

/** Codes of a need or a volunteer's skills that are neither shipped nor the organisation's own, in the order given. */
export async function unknownCodes(db: Db, organisationId: string, codes: readonly string[]): Promise<string[]> {
  const known = new Set((await organisationTaxonomy(db, organisationId)).map((t) => t.code));
  return codes.filter((c) => !known.has(c));
}

/** The suggestions for a need, with reasons (domain/matching.ts); undefined when there is no such need. */
export async function suggestMatches(
  db: Db, organisationId: string, needId: string, now: Date, deps: MatchDeps = {},
): Promise<{ need: DirectoryNeed; result: MatchResult<ServiceMatch, VolunteerMatch> } | undefined> {
  const need = await getNeed(db, organisationId, needId);
  if (!need) return undefined;
  const facts = await matchFacts(db, organisationId, need, now);
  const options = await matchOptions(db, organisationId, deps.options);
  const codes = lookupCodes(need.taxonomyCodes, options.terms, options.match.broader ?? (() => undefined));
  const services = await serviceCandidates(db, organisationId, codes);
  const volunteers = await volunteerCandidates(db, organisationId, codes, need.id);
  const fits = await (deps.schedules ?? directorySchedules)(db, organisationId, services.map((s) => s.id), facts.at);
  const result = matchNeed(facts, services, volunteers, (s) => fits.get(s.id) ?? { kind: "no_schedule" }, options.match);
  return { need, result };
}
