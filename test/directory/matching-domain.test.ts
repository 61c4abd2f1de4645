/** Matching a need to services and volunteers, with reasons and caps (src/directory/domain/matching.ts). */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  areaCovers, inWeeklySlot, MATCH_REASON_LABELS, MATCH_REASONS, matchNeed, nextOffers, offersLeft, taxonomyFit,
  type MatchNeed, type ScheduleFit, type ServiceCandidate, type VolunteerCandidate,
} from "../../src/directory/domain/matching.ts";

// Tuesday 2027-01-12 10:30 in Tokyo.
const AT = new Date("2027-01-12T01:30:00Z");
const need: MatchNeed = { taxonomyCodes: ["shopping"], place: { teamId: "team-a", postalCode: "650-0001", town: "神戸市中央区加納町" }, at: AT, memberAge: 82 };

function service(id: string, over: Partial<ServiceCandidate> = {}): ServiceCandidate {
  return { id, name: id, status: "active", taxonomyCodes: ["shopping"], areas: [{ kind: "team", value: "team-a" }], capacity: { available: 2, maximum: 5 }, minimumAge: null, maximumAge: null, ...over };
}
function volunteer(id: string, over: Partial<VolunteerCandidate> = {}): VolunteerCandidate {
  return { id, displayName: id, skills: ["shopping"], areas: [{ kind: "postal_code", value: "650" }], availability: [], onDuty: true, openRequests: 0, maxOpenRequests: null, lastAskedAt: null, askedForThisNeed: false, ...over };
}
const alwaysOpen = (): ScheduleFit => ({ kind: "open_now" });
const codes = (rs: { code: string }[]) => rs.map((r) => r.code);

test("areas: team by id, postal code by prefix, town by containment (width ignored), whole everywhere", () => {
  assert.equal(areaCovers({ kind: "team", value: "team-a" }, need.place), true);
  assert.equal(areaCovers({ kind: "team", value: "team-b" }, need.place), false);
  assert.equal(areaCovers({ kind: "postal_code", value: "６５０" }, need.place), true);
  assert.equal(areaCovers({ kind: "postal_code", value: "651" }, need.place), false);
  assert.equal(areaCovers({ kind: "postal_code", value: "" }, need.place), false, "an empty code covers nothing");
  assert.equal(areaCovers({ kind: "town", value: "中央区" }, need.place), true);
  assert.equal(areaCovers({ kind: "town", value: "東灘区" }, need.place), false);
  assert.equal(areaCovers({ kind: "whole", value: "" }, { teamId: null, postalCode: null, town: null }), true);
  assert.equal(areaCovers({ kind: "town", value: "中央区" }, { teamId: null, postalCode: null, town: null }), false);
});

test("taxonomy: an exact code, or related through the broader code either way, or nothing", () => {
  const broader = (c: string) => ({ shopping: "daily_life", transport: "daily_life" } as Record<string, string | undefined>)[c];
  assert.deepEqual(taxonomyFit(["shopping"], ["meals", "shopping"]), { code: "taxonomy_exact", detail: "shopping" });
  assert.deepEqual(taxonomyFit(["shopping"], ["daily_life"], broader), { code: "taxonomy_related", detail: "daily_life" });
  assert.deepEqual(taxonomyFit(["daily_life"], ["transport"], broader), { code: "taxonomy_related", detail: "transport" });
  assert.equal(taxonomyFit(["shopping"], ["transport"], broader), undefined, "siblings are not related");
  assert.equal(taxonomyFit(["shopping"], ["daily_life"]), undefined, "no hierarchy given");
});

test("weekly slots are read in Tokyo time", () => {
  assert.equal(inWeeklySlot([{ weekday: 2, from: "09:00", to: "12:00" }], AT, "Asia/Tokyo"), true);
  assert.equal(inWeeklySlot([{ weekday: 2, from: "09:00", to: "10:30" }], AT, "Asia/Tokyo"), false, "to is exclusive");
  assert.equal(inWeeklySlot([{ weekday: 1, from: "09:00", to: "12:00" }], AT, "Asia/Tokyo"), false);
  assert.equal(inWeeklySlot([{ weekday: 2, from: "01:00", to: "02:00" }], AT, "Asia/Tokyo"), false, "not UTC");
});

test("services: suggested with why, excluded with why, unrelated not listed, best first", () => {
  const services = [
    service("full", { capacity: { available: 0, maximum: 5 } }),
    service("far", { areas: [{ kind: "town", value: "東灘区" }] }),
    service("closed", { status: "temporarily closed" }),
    service("defunct", { status: "defunct" }),
    service("young", { maximumAge: 64 }),
    service("meals", { taxonomyCodes: ["meals"] }),
    service("best", { minimumAge: 65 }),
    service("unknown", { capacity: null, areas: [] }),
    service("later"),
    service("never", { capacity: { available: 3, maximum: null } }),
  ];
  const schedule = (s: ServiceCandidate): ScheduleFit => s.id === "later" ? { kind: "opens_later", next: new Date("2027-01-13T00:00:00Z") }
    : s.id === "never" ? { kind: "not_open" } : s.id === "unknown" ? { kind: "no_schedule" } : { kind: "open_now" };
  const r = matchNeed(need, services, [], schedule);
  assert.deepEqual(r.services.suggested.map((s) => s.candidate.id), ["best", "later", "unknown"]);
  const best = r.services.suggested[0]!;
  assert.deepEqual(codes(best.reasons), ["taxonomy_exact", "area_team", "has_capacity", "age_eligible", "open_now"]);
  assert.equal(best.reasons.find((x) => x.code === "has_capacity")?.detail, "2");
  assert.deepEqual(r.services.suggested[1]!.reasons.find((x) => x.code === "opens_later"), { code: "opens_later", detail: "2027-01-13T00:00:00.000Z" });
  assert.deepEqual(codes(r.services.suggested[2]!.reasons), ["taxonomy_exact", "area_unstated", "capacity_unknown", "no_schedule"]);
  const excluded = Object.fromEntries(r.services.excluded.map((e) => [e.candidate.id, codes(e.reasons)]));
  assert.deepEqual(excluded, {
    full: ["no_capacity"], far: ["out_of_area"], closed: ["temporarily_closed"], defunct: ["service_inactive"], young: ["age_ineligible"], never: ["not_open"],
  });
  assert.ok(!r.services.suggested.some((s) => s.candidate.id === "meals") && !("meals" in excluded), "unrelated services are not listed");
});

test("a member of unknown age is not excluded by an age limit, but it is said", () => {
  const r = matchNeed({ ...need, memberAge: null }, [service("s", { minimumAge: 65 })], [], alwaysOpen);
  assert.ok(codes(r.services.suggested[0]!.reasons).includes("age_unknown"));
});

test("volunteers: off duty, full and already asked are excluded with reasons; among equals the least recently asked first", () => {
  const vols = [
    volunteer("recent", { lastAskedAt: new Date("2027-01-10T00:00:00Z") }),
    volunteer("older", { lastAskedAt: new Date("2027-01-01T00:00:00Z") }),
    volunteer("never"),
    volunteer("off", { onDuty: false }),
    volunteer("busy", { openRequests: 1 }),
    volunteer("roomy", { openRequests: 1, maxOpenRequests: 2, lastAskedAt: new Date("2027-01-11T00:00:00Z") }),
    volunteer("asked", { askedForThisNeed: true }),
    volunteer("far", { areas: [{ kind: "team", value: "team-b" }] }),
    volunteer("cook", { skills: ["meals"] }),
    volunteer("slot", { availability: [{ weekday: 2, from: "09:00", to: "12:00" }], lastAskedAt: new Date("2027-01-11T12:00:00Z") }),
  ];
  const r = matchNeed(need, [], vols, alwaysOpen);
  assert.deepEqual(r.volunteers.suggested.map((s) => s.candidate.id), ["slot", "never", "older", "recent", "roomy"],
    "available at that time scores higher; then least recently asked");
  assert.deepEqual(codes(r.volunteers.suggested[0]!.reasons), ["taxonomy_exact", "area_postal_code", "available_then"]);
  assert.ok(codes(r.volunteers.suggested[1]!.reasons).includes("never_asked"));
  const excluded = Object.fromEntries(r.volunteers.excluded.map((e) => [e.candidate.id, e.reasons]));
  assert.deepEqual(excluded.off?.map((x) => x.code), ["off_duty"]);
  assert.deepEqual(excluded.busy, [{ code: "full", detail: "1/1" }]);
  assert.deepEqual(excluded.asked?.map((x) => x.code), ["already_asked"]);
  assert.deepEqual(excluded.far?.map((x) => x.code), ["out_of_area"]);
  assert.equal(excluded.cook, undefined, "no matching skill: not listed");
  const perVolunteer2 = matchNeed(need, [], [volunteer("busy", { openRequests: 1 })], alwaysOpen, { perVolunteer: 2 });
  assert.equal(perVolunteer2.volunteers.suggested.length, 1, "the configured default limit applies to a volunteer without their own");
});

test("never more than the per-need cap of open requests: default 3, configurable", () => {
  const vols = ["a", "b", "c", "d", "e"].map((id) => volunteer(id));
  const r = matchNeed(need, [], vols, alwaysOpen);
  assert.deepEqual(nextOffers(r.volunteers.suggested, 0).map((v) => v.id), ["a", "b", "c"]);
  assert.deepEqual(nextOffers(r.volunteers.suggested, 2).map((v) => v.id), ["a"]);
  assert.deepEqual(nextOffers(r.volunteers.suggested, 3), []);
  assert.equal(offersLeft(5), 0);
  assert.deepEqual(nextOffers(r.volunteers.suggested, 0, { perNeed: 1 }).map((v) => v.id), ["a"]);
});

test("every reason has Japanese and English words", () => {
  assert.deepEqual(Object.keys(MATCH_REASON_LABELS).toSorted(), [...MATCH_REASONS].toSorted());
  for (const l of Object.values(MATCH_REASON_LABELS)) assert.ok(l.ja !== "" && l.en !== "");
});
