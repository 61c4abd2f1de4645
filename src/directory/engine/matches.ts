/**
 * Suggesting services and volunteers for a need (domain/matching.ts decides):
 * reads the need's member (team, address, birth date), the services whose
 * taxonomy meets the need (attributes) with their areas and capacities, and the
 * volunteers whose skills meet it with their open requests. The schedule of
 * services is read by a `ServiceScheduleReader` the context is given (the
 * directory's schedule module); without one, a service with schedule rows is
 * `unknown` and one without is `no_schedule`.
 */
import { sql } from "kysely";
import { localDateOf } from "../../domain/schedule.ts";
import { organisationTimeZone } from "../../engine/today.ts";
import type { Db } from "../../store/db.ts";
import {
  type DirectoryArea, type MatchNeed, type MatchOptions, type MatchResult, matchNeed, type ScheduleFit, type ServiceCandidate, type VolunteerCandidate,
} from "../domain/matching.ts";
import { ageOn, postalCodeIn } from "../domain/needs.ts";
import type { Need } from "./needs.ts";
import { getNeed } from "./needs.ts";
import "../store/schema.ts";
import "../store/needs-schema.ts";

/** What the schedule says about each service at `at` (service id → fit); services left out are `no_schedule`. */
export type ServiceScheduleReader = (db: Db, organisationId: string, serviceIds: string[], at: Date) => Promise<Map<string, ScheduleFit>>;

/** Without a reader: services with schedule rows are `unknown` (somebody must look), the others `no_schedule`. */
export const unreadSchedules: ServiceScheduleReader = async (db, organisationId, serviceIds) => {
  if (serviceIds.length === 0) return new Map();
  const rows = await db.selectFrom("directory_schedules").select("service_id").distinct().where("organisation_id", "=", organisationId)
    .where("service_id", "in", serviceIds).execute();
  return new Map(rows.flatMap((r) => (r.service_id ? [[r.service_id, { kind: "unknown" } as ScheduleFit]] : [])));
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
export async function matchFacts(db: Db, organisationId: string, need: Need, now: Date): Promise<MatchNeed> {
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

/** Codes to look candidates up by: the need's and, through `broader`, their ancestors (a related match). */
function lookupCodes(codes: readonly string[], options: MatchOptions | undefined): string[] {
  const all = new Set(codes);
  for (const c of codes) for (let up = options?.broader?.(c), n = 0; up !== undefined && n < 10; up = options?.broader?.(up), n++) all.add(up);
  return [...all];
}

/** Services (not archived) carrying one of the codes, with their codes, areas and capacity. */
export async function serviceCandidates(db: Db, organisationId: string, codes: string[]): Promise<ServiceMatch[]> {
  if (codes.length === 0) return [];
  const services = await db.selectFrom("directory_services as s")
    .innerJoin("directory_organizations as o", (j) => j.onRef("o.id", "=", "s.directory_organization_id").onRef("o.organisation_id", "=", "s.organisation_id"))
    .select(["s.id", "s.name", "s.status", "s.minimum_age", "s.maximum_age", "o.id as provider_id", "o.name as provider_name"])
    .where("s.organisation_id", "=", organisationId).where("s.archived_at", "is", null).where("o.archived_at", "is", null)
    .where(({ exists, selectFrom }) => exists(selectFrom("directory_attributes as a").select("a.id")
      .whereRef("a.organisation_id", "=", "s.organisation_id").whereRef("a.link_id", "=", "s.id").where("a.link_entity", "=", "service")
      .where("a.taxonomy_code", "in", codes)))
    .execute();
  if (services.length === 0) return [];
  const ids = services.map((s) => s.id);
  const [attributes, areas, capacities] = await Promise.all([
    db.selectFrom("directory_attributes").select(["link_id", "taxonomy_code"]).where("organisation_id", "=", organisationId)
      .where("link_entity", "=", "service").where("link_id", "in", ids).execute(),
    db.selectFrom("directory_service_areas").select(["service_id", "area_kind", "area_value"]).where("organisation_id", "=", organisationId)
      .where("service_id", "in", ids).execute(),
    db.selectFrom("directory_capacities").select(["service_id", "available", "maximum"]).where("organisation_id", "=", organisationId)
      .where("service_id", "in", ids).execute(),
  ]);
  return services.map((s) => {
    const caps = capacities.filter((c) => c.service_id === s.id);
    return {
      id: s.id, name: s.name, status: s.status, minimumAge: s.minimum_age, maximumAge: s.maximum_age, providerId: s.provider_id, providerName: s.provider_name,
      taxonomyCodes: attributes.filter((a) => a.link_id === s.id).map((a) => a.taxonomy_code),
      areas: areas.filter((a) => a.service_id === s.id).map((a): DirectoryArea => ({ kind: a.area_kind, value: a.area_value ?? "" })),
      // Several units (人, 枠) are summed: any vacancy counts; a maximum only when every unit states one.
      capacity: caps.length === 0 ? null : {
        available: caps.reduce((n, c) => n + c.available, 0),
        maximum: caps.every((c) => c.maximum !== null) ? caps.reduce((n, c) => n + (c.maximum ?? 0), 0) : null,
      },
    };
  });
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

/** The suggestions for a need, with reasons (domain/matching.ts); undefined when there is no such need. */
export async function suggestMatches(
  db: Db, organisationId: string, needId: string, now: Date, deps: MatchDeps = {},
): Promise<{ need: Need; result: MatchResult<ServiceMatch, VolunteerMatch> } | undefined> {
  const need = await getNeed(db, organisationId, needId);
  if (!need) return undefined;
  const facts = await matchFacts(db, organisationId, need, now);
  const codes = lookupCodes(need.taxonomyCodes, deps.options);
  const services = await serviceCandidates(db, organisationId, codes);
  const volunteers = await volunteerCandidates(db, organisationId, codes, need.id);
  const fits = await (deps.schedules ?? unreadSchedules)(db, organisationId, services.map((s) => s.id), facts.at);
  const result = matchNeed(facts, services, volunteers, (s) => fits.get(s.id) ?? { kind: "no_schedule" }, deps.options);
  return { need, result };
}
