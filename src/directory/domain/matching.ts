/**
 * Matching a need (困りごと) to services and volunteers (issue 14): which are
 * suggested, in what order, and why — every suggestion and every exclusion
 * carries reason codes the console puts into words (MATCH_REASON_LABELS).
 * Pure: the engine reads the rows, the schedule is a function passed in (the
 * directory's schedule module computes openings), time is a parameter.
 *
 * Rules (issue 14, docs/design/directory-hsds-research.md §5):
 * - Services: by taxonomy, area, schedule, capacity and eligibility (age).
 * - Volunteers: by skills, area, weekly availability, on duty; among equals the
 *   one asked least recently first (fairness, never nearest-only).
 * - Never more than a few open requests at once: per need (default 3) and per
 *   volunteer (default 1) — volunteers leave when they are flooded (seed 004).
 */
import { DateTime } from "luxon";
import type { DirectoryAreaKind, DirectoryServiceStatus } from "./kinds.ts";

/** Where a service or volunteer works (HSDS service_area, our kinds): a team, a postal code (prefix), a town, or everywhere. */
export interface DirectoryArea { kind: DirectoryAreaKind; value: string }

/** Where the member lives, as far as known: their team, postal code and address (or town) text. */
export interface MemberPlace { teamId: string | null; postalCode: string | null; town: string | null }

export interface MatchNeed {
  /** Taxonomy codes of what is needed (at least one to match anything). */
  taxonomyCodes: readonly string[];
  place: MemberPlace;
  /** When help is wanted (the need's date, or now). */
  at: Date;
  /** The member's age in whole years, when known (eligibility). */
  memberAge: number | null;
}

export interface ServiceCandidate {
  id: string;
  name: string;
  status: DirectoryServiceStatus;
  taxonomyCodes: readonly string[];
  /** Service areas; empty = the service states none. */
  areas: readonly DirectoryArea[];
  /** Vacancies (HSDS service_capacity); null = not tracked. */
  capacity: { available: number; maximum: number | null } | null;
  minimumAge: number | null;
  maximumAge: number | null;
}

/** What the schedule says about a service at a time (from the schedule module, passed in). */
export type ScheduleFit =
  | { kind: "open_now" }
  | { kind: "opens_later"; next: Date }
  | { kind: "no_schedule" }
  | { kind: "not_open" } // it has a schedule but no opening ahead
  | { kind: "unknown" }; // it has a schedule nobody read (no reader plugged in)

export type ScheduleOf<S extends ServiceCandidate = ServiceCandidate> = (service: S, at: Date) => ScheduleFit;

/** A weekly slot a volunteer is available: ISO weekday 1 (Mon) … 7 (Sun), local "HH:MM" from (inclusive) to (exclusive). */
export interface WeeklySlot { weekday: number; from: string; to: string }

export interface VolunteerCandidate {
  id: string;
  displayName: string;
  /** Taxonomy codes of what they can help with. */
  skills: readonly string[];
  areas: readonly DirectoryArea[];
  /** Empty = not stated. */
  availability: readonly WeeklySlot[];
  onDuty: boolean;
  /** Requests offered to them and not yet answered, over all needs. */
  openRequests: number;
  /** Their own limit of open requests, or null for the configured default. */
  maxOpenRequests: number | null;
  lastAskedAt: Date | null;
  /** Already asked for this need (declined, expired, withdrawn or still open). */
  askedForThisNeed: boolean;
}

export interface MatchOptions {
  /** Open volunteer requests at once per need (default 3). */
  perNeed?: number;
  /** Open requests at once per volunteer, unless the volunteer has their own limit (default 1). */
  perVolunteer?: number;
  /** Time zone of volunteers' weekly slots (default Asia/Tokyo). */
  timeZone?: string;
  /** The broader code of a taxonomy code (its parent), if any: a match through it is a related match. */
  broader?: (code: string) => string | undefined;
}

export const DEFAULT_OFFERS_PER_NEED = 3;
export const DEFAULT_OPEN_REQUESTS_PER_VOLUNTEER = 1;

/** Why something is suggested (plus) or left out (exclusion). */
export const MATCH_REASONS = [
  "taxonomy_exact", "taxonomy_related",
  "area_team", "area_postal_code", "area_town", "area_whole", "area_unstated",
  "has_capacity", "capacity_unknown",
  "age_eligible", "age_unknown",
  "open_now", "opens_later", "no_schedule", "schedule_unknown",
  "available_then", "availability_unstated", "other_times",
  "never_asked",
  // exclusions
  "service_inactive", "temporarily_closed", "out_of_area", "no_capacity", "age_ineligible", "not_open",
  "off_duty", "full", "already_asked",
] as const;
export type MatchReasonCode = (typeof MATCH_REASONS)[number];

export interface MatchReason {
  code: MatchReasonCode;
  /** The taxonomy code that matched, the area, the next opening (ISO), the capacity…: shown beside the words. */
  detail?: string;
}

export interface Suggestion<T> {
  candidate: T;
  score: number;
  reasons: MatchReason[];
}

export interface Exclusion<T> {
  candidate: T;
  reasons: MatchReason[];
}

export interface MatchResult<S, V> {
  services: { suggested: Suggestion<S>[]; excluded: Exclusion<S>[] };
  volunteers: { suggested: Suggestion<V>[]; excluded: Exclusion<V>[] };
}

const fold = (s: string): string => s.normalize("NFKC").replace(/\s+/g, "").toLowerCase();
const digits = (s: string): string => s.normalize("NFKC").replace(/\D/g, "");

/**
 * Whether `area` covers the member's place: a team by id; a postal code by prefix
 * of its digits ("650" covers 650-0001); a town by being part of the member's
 * town/address text (width and spaces ignored); `whole` always.
 */
export function areaCovers(area: DirectoryArea, place: MemberPlace): boolean {
  switch (area.kind) {
    case "whole": return true;
    case "team": return place.teamId !== null && area.value === place.teamId;
    case "postal_code": {
      const want = digits(area.value);
      return want !== "" && place.postalCode !== null && digits(place.postalCode).startsWith(want);
    }
    case "town": {
      const want = fold(area.value);
      return want !== "" && place.town !== null && fold(place.town).includes(want);
    }
  }
}

/** The first area that covers the place (most specific kinds first), or undefined. */
function coveringArea(areas: readonly DirectoryArea[], place: MemberPlace): DirectoryArea | undefined {
  const order: DirectoryAreaKind[] = ["team", "postal_code", "town", "whole"];
  return areas.filter((a) => areaCovers(a, place)).toSorted((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind))[0];
}

/** The codes' chain upwards (code, parent, grandparent…), guarded against cycles. */
function ancestry(code: string, broader: MatchOptions["broader"]): string[] {
  const chain = [code];
  for (let c = broader?.(code); c !== undefined && !chain.includes(c) && chain.length < 10; c = broader?.(c)) chain.push(c);
  return chain;
}

/** How the need's codes meet the offered codes: exact (same code), related (one is an ancestor of the other), or none. */
export function taxonomyFit(
  wanted: readonly string[], offered: readonly string[], broader?: MatchOptions["broader"],
): MatchReason | undefined {
  const exact = wanted.find((c) => offered.includes(c));
  if (exact !== undefined) return { code: "taxonomy_exact", detail: exact };
  for (const w of wanted) {
    const up = ancestry(w, broader);
    for (const o of offered) {
      if (up.includes(o) || ancestry(o, broader).includes(w)) return { code: "taxonomy_related", detail: o };
    }
  }
  return undefined;
}

/** Whether `at` falls in one of the weekly slots, read in `timeZone`. */
export function inWeeklySlot(slots: readonly WeeklySlot[], at: Date, timeZone: string): boolean {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const hhmm = local.toFormat("HH:mm");
  return slots.some((s) => s.weekday === local.weekday && s.from <= hhmm && hhmm < s.to);
}

const POINTS = { taxonomy_exact: 50, taxonomy_related: 30, area: 20, has_capacity: 15, open_now: 10, opens_later: 5, age_eligible: 5, available_then: 10 } as const;

/**
 * One service weighed against the need: a suggestion with its score and reasons,
 * an exclusion with the reasons it is left out, or undefined when its taxonomy
 * does not meet the need at all (unrelated services are not listed).
 */
export function weighService<S extends ServiceCandidate>(
  need: MatchNeed, service: S, scheduleOf: ScheduleOf<S>, options: MatchOptions = {},
): { suggested: Suggestion<S> } | { excluded: Exclusion<S> } | undefined {
  const fit = taxonomyFit(need.taxonomyCodes, service.taxonomyCodes, options.broader);
  if (fit === undefined) return undefined;
  const plus: MatchReason[] = [fit];
  const minus: MatchReason[] = [];
  let score = POINTS[fit.code as "taxonomy_exact" | "taxonomy_related"];
  if (service.status === "temporarily closed") minus.push({ code: "temporarily_closed" });
  else if (service.status !== "active") minus.push({ code: "service_inactive", detail: service.status });
  if (service.areas.length === 0) plus.push({ code: "area_unstated" });
  else {
    const area = coveringArea(service.areas, need.place);
    if (area === undefined) minus.push({ code: "out_of_area" });
    else { plus.push({ code: `area_${area.kind}`, detail: area.value }); score += POINTS.area; }
  }
  if (service.capacity === null) plus.push({ code: "capacity_unknown" });
  else if (service.capacity.available > 0) {
    plus.push({ code: "has_capacity", detail: String(service.capacity.available) });
    score += POINTS.has_capacity;
  } else minus.push({ code: "no_capacity" });
  if (service.minimumAge !== null || service.maximumAge !== null) {
    if (need.memberAge === null) plus.push({ code: "age_unknown" });
    else if ((service.minimumAge !== null && need.memberAge < service.minimumAge)
      || (service.maximumAge !== null && need.memberAge > service.maximumAge)) minus.push({ code: "age_ineligible" });
    else { plus.push({ code: "age_eligible" }); score += POINTS.age_eligible; }
  }
  const open = scheduleOf(service, need.at);
  switch (open.kind) {
    case "open_now": plus.push({ code: "open_now" }); score += POINTS.open_now; break;
    case "opens_later": plus.push({ code: "opens_later", detail: open.next.toISOString() }); score += POINTS.opens_later; break;
    case "no_schedule": plus.push({ code: "no_schedule" }); break;
    case "unknown": plus.push({ code: "schedule_unknown" }); break;
    case "not_open": minus.push({ code: "not_open" }); break;
  }
  return minus.length > 0 ? { excluded: { candidate: service, reasons: minus } } : { suggested: { candidate: service, score, reasons: plus } };
}

/** A volunteer's limit of open requests: their own, or the configured default. */
export function volunteerLimit(v: Pick<VolunteerCandidate, "maxOpenRequests">, options: MatchOptions = {}): number {
  return v.maxOpenRequests ?? options.perVolunteer ?? DEFAULT_OPEN_REQUESTS_PER_VOLUNTEER;
}

/** One volunteer weighed against the need, like weighService: undefined when their skills do not meet it. */
export function weighVolunteer<V extends VolunteerCandidate>(
  need: MatchNeed, volunteer: V, options: MatchOptions = {},
): { suggested: Suggestion<V> } | { excluded: Exclusion<V> } | undefined {
  const fit = taxonomyFit(need.taxonomyCodes, volunteer.skills, options.broader);
  if (fit === undefined) return undefined;
  const plus: MatchReason[] = [fit];
  const minus: MatchReason[] = [];
  let score = POINTS[fit.code as "taxonomy_exact" | "taxonomy_related"];
  if (!volunteer.onDuty) minus.push({ code: "off_duty" });
  const limit = volunteerLimit(volunteer, options);
  if (volunteer.openRequests >= limit) minus.push({ code: "full", detail: `${volunteer.openRequests}/${limit}` });
  if (volunteer.askedForThisNeed) minus.push({ code: "already_asked" });
  if (volunteer.areas.length === 0) plus.push({ code: "area_unstated" });
  else {
    const area = coveringArea(volunteer.areas, need.place);
    if (area === undefined) minus.push({ code: "out_of_area" });
    else { plus.push({ code: `area_${area.kind}`, detail: area.value }); score += POINTS.area; }
  }
  if (volunteer.availability.length === 0) plus.push({ code: "availability_unstated" });
  else if (inWeeklySlot(volunteer.availability, need.at, options.timeZone ?? "Asia/Tokyo")) {
    plus.push({ code: "available_then" });
    score += POINTS.available_then;
  } else plus.push({ code: "other_times" });
  if (volunteer.lastAskedAt === null) plus.push({ code: "never_asked" });
  return minus.length > 0 ? { excluded: { candidate: volunteer, reasons: minus } } : { suggested: { candidate: volunteer, score, reasons: plus } };
}

const byScoreThen = <T>(tie: (a: T, b: T) => number) => (a: Suggestion<T>, b: Suggestion<T>): number => b.score - a.score || tie(a.candidate, b.candidate);

/** Least recently asked first (never asked before all), then id for a stable order. */
function fairness(a: VolunteerCandidate, b: VolunteerCandidate): number {
  const ta = a.lastAskedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const tb = b.lastAskedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  return ta === tb ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : ta < tb ? -1 : 1;
}

/**
 * Services and volunteers for a need, suggested best first with their reasons, and
 * those left out with theirs. Services: score, then name, then id. Volunteers:
 * score, then least recently asked (fairness), then id. Candidates whose taxonomy
 * or skills do not meet the need are not listed at all.
 */
export function matchNeed<S extends ServiceCandidate, V extends VolunteerCandidate>(
  need: MatchNeed, services: readonly S[], volunteers: readonly V[], scheduleOf: ScheduleOf<S>, options: MatchOptions = {},
): MatchResult<S, V> {
  const out: MatchResult<S, V> = { services: { suggested: [], excluded: [] }, volunteers: { suggested: [], excluded: [] } };
  for (const s of services) {
    const w = weighService(need, s, scheduleOf, options);
    if (w === undefined) continue;
    if ("suggested" in w) out.services.suggested.push(w.suggested); else out.services.excluded.push(w.excluded);
  }
  for (const v of volunteers) {
    const w = weighVolunteer(need, v, options);
    if (w === undefined) continue;
    if ("suggested" in w) out.volunteers.suggested.push(w.suggested); else out.volunteers.excluded.push(w.excluded);
  }
  out.services.suggested.sort(byScoreThen<S>((a, b) => a.name.localeCompare(b.name, "ja") || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
  out.volunteers.suggested.sort(byScoreThen<V>(fairness));
  return out;
}

/**
 * How many more volunteers may be asked for a need now: the per-need cap (default
 * 3) less the requests still open for it, never below 0.
 */
export function offersLeft(openForNeed: number, options: MatchOptions = {}): number {
  return Math.max(0, (options.perNeed ?? DEFAULT_OFFERS_PER_NEED) - openForNeed);
}

/**
 * The volunteers to ask now: the first `offersLeft` of the suggested (already in
 * order, each of them under their own limit — weighVolunteer excluded the full).
 */
export function nextOffers<V extends VolunteerCandidate>(suggested: readonly Suggestion<V>[], openForNeed: number, options: MatchOptions = {}): V[] {
  return suggested.slice(0, offersLeft(openForNeed, options)).map((s) => s.candidate);
}

/** Words for every reason, Japanese first (the console shows them beside each suggestion). */
export const MATCH_REASON_LABELS: Readonly<Record<MatchReasonCode, { ja: string; en: string }>> = {
  taxonomy_exact: { ja: "困りごとの種類が一致", en: "Same kind of help" },
  taxonomy_related: { ja: "関連する種類", en: "Related kind of help" },
  area_team: { ja: "担当チームの地域", en: "Covers the member's team area" },
  area_postal_code: { ja: "郵便番号の地域内", en: "Covers the postal code" },
  area_town: { ja: "町域内", en: "Covers the town" },
  area_whole: { ja: "全域対応", en: "Covers the whole area" },
  area_unstated: { ja: "対象地域の記載なし", en: "No area stated" },
  has_capacity: { ja: "空きあり", en: "Has vacancies" },
  capacity_unknown: { ja: "空き状況不明", en: "Vacancies unknown" },
  age_eligible: { ja: "年齢条件に合う", en: "Age eligible" },
  age_unknown: { ja: "年齢不明(条件あり)", en: "Age unknown (service has age limits)" },
  open_now: { ja: "開いている時間", en: "Open at that time" },
  opens_later: { ja: "次回の開催あり", en: "Opens later" },
  no_schedule: { ja: "開催日時の記載なし", en: "No schedule stated" },
  schedule_unknown: { ja: "開催日時は要確認", en: "Check the schedule" },
  available_then: { ja: "活動可能な時間帯", en: "Available at that time" },
  availability_unstated: { ja: "活動時間の記載なし", en: "Availability not stated" },
  other_times: { ja: "別の時間帯に活動", en: "Available at other times" },
  never_asked: { ja: "まだ依頼していない方", en: "Not asked before" },
  service_inactive: { ja: "休止・廃止中", en: "Inactive or defunct" },
  temporarily_closed: { ja: "一時休止中", en: "Temporarily closed" },
  out_of_area: { ja: "対象地域外", en: "Outside the area" },
  no_capacity: { ja: "空きなし", en: "No vacancies" },
  age_ineligible: { ja: "年齢条件外", en: "Not age eligible" },
  not_open: { ja: "今後の開催予定なし", en: "No opening ahead" },
  off_duty: { ja: "活動休止中", en: "Off duty" },
  full: { ja: "依頼中の件数が上限", en: "Already has as many requests as they take" },
  already_asked: { ja: "この件で依頼済み", en: "Already asked for this need" },
};
