/**
 * Registering a resource in one step (POST /directory/resources, engine/registration.ts)
 * on both databases: a new provider, the service with ages, URL, e-mail, owner and
 * next contact, its kinds, places and locations (a new one with its address and an
 * existing one) in one request; and every refusal — by the schema or by the engine
 * after the provider and service were already inserted in the transaction — names
 * its field and leaves nothing behind (no provider without its service).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";

const UNKNOWN = "0190d6a0-0000-7000-8000-000000000000";

for (const kind of databaseKinds()) {
  describe(`registering a resource in one step on ${kind}`, () => {
    let service: TestService;
    let staff: string;
    let observer: string;
    let tanaka: string;
    let hallId: string;
    before(async () => {
      service = await startTestService(kind, { MIMAMORI_ENGINE: "0" });
      const token = async (role: string) => (await service.api("POST", "/tokens", { name: role, role })).body.token as string;
      staff = await token("staff");
      observer = await token("observer");
      tanaka = (await service.api("POST", "/people", { displayName: "担当 田中", loginId: "tanaka", role: "staff" })).body.person.id;
      const hall = await service.api("POST", "/directory/locations", { locationType: "physical", name: "本町集会所" }, staff);
      assert.equal(hall.status, 201, JSON.stringify(hall.body));
      hallId = hall.body.id;
    });
    after(async () => {
      await service?.close();
    });

    const counts = async () => ({
      providers: (await service.api("GET", "/directory/organizations?archived=true", undefined, staff)).body.organizations.length as number,
      services: (await service.api("GET", "/directory/services?archived=true&limit=500", undefined, staff)).body.total as number,
      locations: (await service.api("GET", "/directory/locations?archived=true", undefined, staff)).body.locations.length as number,
    });
    const whole = (extra: Record<string, unknown> = {}) => ({
      provider: { name: "みどり配食の会", website: "https://midori.example.jp" },
      service: {
        name: "見守り配食", description: "平日の昼に弁当を届けます", minimumAge: 65, maximumAge: 120, url: "https://midori.example.jp/haishoku",
        email: "haishoku@midori.example.jp", ownerPersonId: tanaka, nextContactOn: "2027-04-01", eligibilityDescription: "一人暮らしの方",
      },
      taxonomyCodes: ["sogo.life.meals", "kayoi.salon"],
      capacity: { unit: "人", available: 3, maximum: 20 },
      locations: [
        { location: { locationType: "physical", name: "みどり厨房", address: { address1: "緑町2-1", city: "松戸市", stateProvince: "千葉県", postalCode: "271-0092" } } },
        { locationId: hallId, description: "第2火曜はここで受け取り" },
      ],
      ...extra,
    });

    test("a new provider, the service and all its parts in one request", async () => {
      const before = await counts();
      const r = await service.api("POST", "/directory/resources", whole(), staff);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const s = r.body;
      assert.equal(s.name, "見守り配食");
      assert.equal(s.organizationName, "みどり配食の会");
      assert.deepEqual([s.minimumAge, s.maximumAge, s.url, s.email, s.nextContactOn], [65, 120, "https://midori.example.jp/haishoku", "haishoku@midori.example.jp", "2027-04-01"]);
      assert.deepEqual(s.owner, { id: tanaka, displayName: "担当 田中" });
      assert.deepEqual(s.taxonomyCodes, ["kayoi.salon", "sogo.life.meals"]);
      assert.deepEqual(s.capacities.map((c: { unit: string; available: number; maximum: number }) => [c.unit, c.available, c.maximum]), [["人", 3, 20]]);
      const places = s.locations.map((l: { location: { name: string; postalAddress: { postalCode: string } | null }; description: string | null }) =>
        [l.location.name, l.location.postalAddress?.postalCode ?? null, l.description]).sort();
      assert.deepEqual(places, [["みどり厨房", "2710092", null], ["本町集会所", null, "第2火曜はここで受け取り"]]);
      assert.deepEqual(await counts(), { providers: before.providers + 1, services: before.services + 1, locations: before.locations + 1 });
      // The history says who made it, as a service made on its own would.
      const history = (await service.api("GET", `/directory/services/${s.id}/history`, undefined, staff)).body.changes as { action: string; field: string }[];
      assert.ok(history.some((c) => c.action === "create" && c.field === "name"), JSON.stringify(history.slice(0, 3)));

      // An existing provider: no second one.
      const again = await service.api("POST", "/directory/resources", {
        directoryOrganizationId: s.directoryOrganizationId, service: { name: "配食（夕食）" },
      }, staff);
      assert.equal(again.status, 201, JSON.stringify(again.body));
      assert.equal(again.body.organizationName, "みどり配食の会");
      assert.deepEqual(await counts(), { providers: before.providers + 1, services: before.services + 2, locations: before.locations + 1 });
    });

    test("any bad part refuses the whole, naming the field; nothing is written", async () => {
      const before = await counts();
      const cases: [string, Record<string, unknown>, string, number, string][] = [
        // Refused by the schema.
        ["both providers", whole({ directoryOrganizationId: UNKNOWN }), "directoryOrganizationId", 400, "invalid_request"],
        ["no provider", whole({ provider: undefined }), "directoryOrganizationId", 400, "invalid_request"],
        ["provider's name too long", whole({ provider: { name: "み".repeat(201) } }), "provider.name", 400, "invalid_request"],
        ["ages the wrong way round", whole({ service: { name: "x", minimumAge: 80, maximumAge: 70 } }), "service.maximumAge", 400, "invalid_request"],
        ["a bad URL", whole({ service: { name: "x", url: "midori" } }), "service.url", 400, "invalid_request"],
        ["more places than the maximum", whole({ capacity: { unit: "人", available: 30, maximum: 20 } }), "capacity.available", 400, "invalid_request"],
        ["a bad postal code", whole({ locations: [{ location: { locationType: "physical", address: { address1: "1", city: "c", stateProvince: "s", postalCode: "12" } } }] }),
          "locations.0.location.address.postalCode", 400, "invalid_request"],
        ["a place with neither", whole({ locations: [{ description: "どこか" }] }), "locations.0.locationId", 400, "invalid_request"],
        // Refused by the engine after the provider and the service were inserted (rolled back).
        ["an unknown owner", whole({ service: { name: "x", ownerPersonId: UNKNOWN } }), "service.ownerPersonId", 422, "unknown_reference"],
        ["an unknown provider", whole({ provider: undefined, directoryOrganizationId: UNKNOWN }), "directoryOrganizationId", 422, "unknown_reference"],
        ["an unknown kind", whole({ taxonomyCodes: ["kayoi.salon", "no.such.kind"] }), "taxonomyCodes.1", 422, "unknown_reference"],
        ["an unknown location, last", whole({ locations: [...whole().locations, { locationId: UNKNOWN }] }), "locations.2.locationId", 422, "unknown_reference"],
        ["the same location twice", whole({ locations: [{ locationId: hallId }, { locationId: hallId }] }), "locations.1.locationId", 409, "directory_already_linked"],
      ];
      for (const [what, body, field, status, code] of cases) {
        const r = await service.api("POST", "/directory/resources", body, staff);
        assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.code, code, what);
        assert.equal(r.body.error.field, field, what);
        assert.deepEqual(await counts(), before, `${what}: nothing written`);
      }
      const read = await service.api("POST", "/directory/resources", whole(), observer);
      assert.equal(read.status, 403);
      assert.deepEqual(await counts(), before);
    });
  });
}
