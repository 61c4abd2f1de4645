/**
 * The directory for staff (/api/v1/directory, issue 14) on both databases:
 * providers, services, locations and a service's parts; every change kept in the
 * history with who, what and when; verification and the list of services not
 * verified for 6 months; handover of everything a person owns (the network's
 * partners included) in one step; bad input refused naming the field with
 * nothing changed; observers read but never write; another organisation sees
 * nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { REDACTED } from "../../src/http/privacy.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";

for (const kind of databaseKinds()) {
  describe(`the directory for staff on ${kind}`, () => {
    let service: TestService;
    let staff: string;
    let observer: string;
    let tanaka: string;
    let suzuki: string;
    let providerId: string;
    before(async () => {
      service = await startTestService(kind, { MIMAMORI_ENGINE: "0" });
      const token = async (role: string) => (await service.api("POST", "/tokens", { name: role, role })).body.token as string;
      staff = await token("staff");
      observer = await token("observer");
      tanaka = (await service.api("POST", "/people", { displayName: "担当 田中", loginId: "tanaka", role: "staff" })).body.person.id;
      suzuki = (await service.api("POST", "/people", { displayName: "後任 鈴木", loginId: "suzuki", role: "staff" })).body.person.id;
      const provider = await service.api("POST", "/directory/organizations", {
        name: "本町社会福祉協議会", description: "地域の支え合い", website: "https://example.jp/shakyo", ownerPersonId: tanaka, nextContactOn: "2027-03-01",
      }, staff);
      assert.equal(provider.status, 201, JSON.stringify(provider.body));
      providerId = provider.body.id;
    });
    after(async () => {
      await service?.close();
    });

    const serviceBody = (extra: Record<string, unknown> = {}) => ({
      directoryOrganizationId: providerId, name: "買い物支援", description: "週1回 スーパーへの同行", status: "active",
      eligibilityDescription: "65歳以上のひとり暮らし", minimumAge: 65, feesDescription: "1回300円", ownerPersonId: tanaka, ...extra,
    });
    const create = async (extra: Record<string, unknown> = {}) => {
      const r = await service.api("POST", "/directory/services", serviceBody(extra), staff);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };

    test("staff register a provider and a service with its parts; the detail shows them", async () => {
      const s = await create();
      assert.equal(s.organizationName, "本町社会福祉協議会");
      assert.equal(s.status, "active");
      assert.deepEqual(s.owner, { id: tanaka, displayName: "担当 田中" });
      assert.deepEqual(s.verification, { date: null, by: null, personId: null, assurerEmail: null, due: true });

      const location = await service.api("POST", "/directory/locations", {
        directoryOrganizationId: providerId, locationType: "physical", name: "本町集会所", accessibilityDescription: "段差なし",
        address: { address1: "本町1-2-3", city: "松戸市", stateProvince: "千葉県", postalCode: "271-0091" },
      }, staff);
      assert.equal(location.status, 201, JSON.stringify(location.body));
      assert.equal(location.body.postalAddress.postalCode, "2710091");
      assert.equal(location.body.postalAddress.country, "JP");
      const link = await service.api("POST", `/directory/services/${s.id}/locations`, { locationId: location.body.id }, staff);
      assert.equal(link.status, 201, JSON.stringify(link.body));
      const again = await service.api("POST", `/directory/services/${s.id}/locations`, { locationId: location.body.id }, staff);
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, "directory_already_linked");

      const salon = await service.api("POST", `/directory/services/${s.id}/schedules`, {
        kind: "event", freq: "MONTHLY", byday: "2TU", opensAt: "10:00", closesAt: "12:00", dtstart: "2027-01-12", description: "第2火曜サロン",
      }, staff);
      assert.equal(salon.status, 201, JSON.stringify(salon.body));
      assert.equal(salon.body.closedOnHolidays, true);
      // The schedule in words for the console, Japanese and English (domain/schedule-text.ts).
      assert.deepEqual(salon.body.words, {
        ja: "毎月 第2火曜 10:00〜12:00（祝日は休み・年末年始は休み）",
        en: "Every month on the 2nd Tue, 10:00–12:00 (closed on public holidays; closed over the New Year)",
      });
      const hours = await service.api("POST", `/directory/services/${s.id}/schedules`, {
        kind: "opening_hours", freq: "WEEKLY", byday: "MO,WE,FR", opensAt: "09:00", closesAt: "17:00",
      }, staff);
      assert.equal(hours.status, 201, JSON.stringify(hours.body));
      const talk = await service.api("POST", `/directory/services/${s.id}/schedules`, { kind: "event", dtstart: "2027-02-10", opensAt: "14:00" }, staff);
      assert.equal(talk.status, 201, JSON.stringify(talk.body));
      const area = await service.api("POST", `/directory/services/${s.id}/areas`, { name: "本町", areaKind: "postal_code", areaValue: "271" }, staff);
      assert.equal(area.status, 201, JSON.stringify(area.body));
      const capacity = await service.api("PUT", `/directory/services/${s.id}/capacity`, { unit: "人", available: 3, maximum: 10 }, staff);
      assert.equal(capacity.status, 200, JSON.stringify(capacity.body));
      const taxonomy = (await service.api("GET", "/directory/taxonomy", undefined, observer)).body.terms as { code: string; name: string; parentCode: string | null }[];
      assert.deepEqual(taxonomy.find((t) => t.code === "shopping.escort")?.parentCode, "shopping");
      assert.ok(taxonomy.find((t) => t.code === "shopping")?.name, "the shipped terms carry names");
      const codes = await service.api("PUT", `/directory/services/${s.id}/taxonomy`, { codes: ["shopping", "transport"] }, staff);
      assert.deepEqual(codes.body.taxonomyCodes, ["shopping", "transport"]);
      const closure = await service.api("POST", "/directory/closures", { kind: "year_end", startsOn: "2027-12-29", endsOn: "2028-01-03" }, staff);
      assert.equal(closure.status, 201, JSON.stringify(closure.body));

      const detail = (await service.api("GET", `/directory/services/${s.id}`, undefined, staff)).body;
      assert.equal(detail.locations.length, 1);
      assert.equal(detail.locations[0].location.name, "本町集会所");
      assert.deepEqual(detail.schedules.map((x: { kind: string; byday: string | null }) => [x.kind, x.byday]).sort(),
        [["event", null], ["event", "2TU"], ["opening_hours", "MO,WE,FR"]]);
      assert.deepEqual(detail.areas.map((a: { areaValue: string }) => a.areaValue), ["271"]);
      assert.deepEqual(detail.capacities.map((c: { available: number; maximum: number }) => [c.available, c.maximum]), [[3, 10]]);
      assert.deepEqual(detail.taxonomyCodes, ["shopping", "transport"]);
      assert.deepEqual(detail.closures.map((c: { kind: string }) => c.kind), ["year_end"]);
    });

    test("every change is kept in the history (field, previous, new, who, when), across edits and deleted parts", async () => {
      const s = await create({ name: "配食サービス" });
      const first = await service.api("PATCH", `/directory/services/${s.id}`, { name: "配食サービス（昼）", status: "temporarily closed" }, staff);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.equal(first.body.status, "temporarily closed");
      await service.api("POST", "/sandbox/clock", { advance: "PT1H" });
      const second = await service.api("PATCH", `/directory/services/${s.id}`, { name: "配食サービス（昼・夕）", alert: null, feesDescription: "1食500円" }, staff);
      assert.equal(second.status, 200);
      // Unchanged fields write nothing.
      await service.api("PATCH", `/directory/services/${s.id}`, { name: "配食サービス（昼・夕）" }, staff);
      await service.api("PUT", `/directory/services/${s.id}/capacity`, { unit: "食", available: 20 }, staff);
      await service.api("PUT", `/directory/services/${s.id}/capacity`, { unit: "食", available: 18 }, staff);
      await service.api("PUT", `/directory/services/${s.id}/taxonomy`, { codes: ["sogo.life.meals"] }, staff);
      await service.api("PUT", `/directory/services/${s.id}/taxonomy`, { codes: [] }, staff);
      const area = (await service.api("POST", `/directory/services/${s.id}/areas`, { name: "全域", areaKind: "whole" }, staff)).body;
      assert.equal((await service.api("DELETE", `/directory/service-areas/${area.id}`, undefined, staff)).status, 200);

      const history = await service.api("GET", `/directory/services/${s.id}/history`, undefined, staff);
      assert.equal(history.status, 200);
      const changes = history.body.changes as { resourceType: string; action: string; field: string; previous: string | null; replacement: string | null; by: string; at: string }[];
      const names = changes.filter((c) => c.resourceType === "service" && c.field === "name").map((c) => [c.action, c.previous, c.replacement]);
      assert.deepEqual(names, [
        ["update", "配食サービス（昼）", "配食サービス（昼・夕）"], ["update", "配食サービス", "配食サービス（昼）"], ["create", null, "配食サービス"],
      ], "newest first, nothing for the patch that changed nothing");
      assert.deepEqual(changes.filter((c) => c.field === "status").map((c) => c.replacement), ["temporarily closed", "active"]);
      assert.ok(changes.every((c) => c.by.startsWith("token:staff:")), "who changed it");
      const statusChange = changes.find((c) => c.field === "status" && c.action === "update")!;
      const feesChange = changes.find((c) => c.field === "fees_description" && c.action === "update")!;
      assert.equal(new Date(feesChange.at).getTime() - new Date(statusChange.at).getTime(), 3_600_000, "when: the clock's time of each change");
      assert.deepEqual(changes.filter((c) => c.resourceType === "service_capacity" && c.field === "available").map((c) => [c.previous, c.replacement]),
        [["20", "18"], [null, "20"]]);
      assert.deepEqual(changes.filter((c) => c.resourceType === "attribute" && c.field === "taxonomy_code").map((c) => [c.action, c.previous, c.replacement]),
        [["delete", "sogo.life.meals", null], ["create", null, "sogo.life.meals"]]);
      assert.deepEqual(changes.filter((c) => c.resourceType === "service_area" && c.field === "name").map((c) => c.action), ["delete", "create"],
        "a deleted area's history stays with the service");
      // The provider's history is its own.
      const providerHistory = (await service.api("GET", `/directory/organizations/${providerId}/history`, undefined, staff)).body.changes;
      assert.ok(providerHistory.some((c: { field: string; replacement: string }) => c.field === "name" && c.replacement === "本町社会福祉協議会"));
      assert.ok(!providerHistory.some((c: { replacement: string }) => c.replacement === "配食サービス"));
    });

    test("search and filters by taxonomy, status and provider", async () => {
      const walk = await create({ name: "ふれあい体操教室", description: "椅子に座ってできる体操" });
      await service.api("PUT", `/directory/services/${walk.id}/taxonomy`, { codes: ["kayoi.exercise"] }, staff);
      const closed = await create({ name: "体操サロン（休止中）", status: "inactive" });
      const list = async (query: string) => (await service.api("GET", `/directory/services?${query}`, undefined, observer)).body;
      const found = await list(`search=${encodeURIComponent("体操")}`);
      assert.deepEqual(found.services.map((x: { id: string }) => x.id).sort(), [walk.id, closed.id].sort());
      assert.equal(found.total, 2);
      assert.deepEqual((await list(`search=${encodeURIComponent("椅子に座って")}`)).services.map((x: { id: string }) => x.id), [walk.id]);
      assert.deepEqual((await list("taxonomy=kayoi.exercise,unknown")).services.map((x: { id: string }) => x.id), [walk.id]);
      assert.deepEqual((await list("taxonomy=kayoi")).services.map((x: { id: string }) => x.id), [walk.id], "a broader code finds the narrower ones");
      assert.equal((await list("taxonomy=kayoi.salon")).total, 0);
      assert.deepEqual((await list(`search=${encodeURIComponent("体操")}&status=inactive`)).services.map((x: { id: string }) => x.id), [closed.id]);
      assert.equal((await list("search=%25")).total, 0, "% is taken literally");
      const paged = await list("limit=1");
      assert.equal(paged.services.length, 1);
      assert.ok(paged.total >= 3);
      await service.api("POST", `/directory/services/${closed.id}/archive`, {}, staff);
      assert.deepEqual((await list(`search=${encodeURIComponent("体操")}`)).services.map((x: { id: string }) => x.id), [walk.id], "archived services leave the list");
      assert.equal((await list(`search=${encodeURIComponent("体操")}&archived=true`)).total, 2);
    });

    test("verification and the list of services not verified for 6 months", async () => {
      const never = await create({ name: "検証テスト 未確認" });
      const old = await create({ name: "検証テスト 半年前" });
      const verified = await service.api("POST", `/directory/services/${old.id}/verify`, { assurerEmail: "info@example.jp" }, staff);
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      assert.equal(verified.body.verification.date, "2027-01-04");
      assert.equal(verified.body.verification.assurerEmail, "info@example.jp");
      assert.equal(verified.body.verification.due, false);
      assert.match(verified.body.verification.by, /^token:staff:/);
      const stale = async () => (await service.api("GET", `/directory/services?notVerified=true&search=${encodeURIComponent("検証テスト")}`, undefined, staff)).body;
      assert.deepEqual((await stale()).services.map((x: { id: string }) => x.id), [never.id]);
      assert.equal((await stale()).notVerifiedAfterMonths, 6);
      // 2027-01-04 + 182 days = 2027-07-05: the January verification is six months old.
      assert.equal((await service.api("POST", "/sandbox/clock", { advance: "P182D" })).status, 200);
      const recent = await create({ name: "検証テスト 最近" });
      await service.api("POST", `/directory/services/${recent.id}/verify`, {}, staff);
      const list = await stale();
      assert.deepEqual(list.services.map((x: { id: string }) => x.id), [never.id, old.id], "never verified first, then the oldest");
      assert.equal(list.services[1].verification.due, true);
      const history = (await service.api("GET", `/directory/services/${old.id}/history`, undefined, staff)).body.changes;
      assert.ok(history.some((c: { field: string; replacement: string }) => c.field === "assured_date" && c.replacement === "2027-01-04"));
    });

    test("bad input is refused naming the field, and changes nothing", async () => {
      const s = await create({ name: "不正入力テスト" });
      const snapshot = async () => JSON.stringify([
        (await service.api("GET", `/directory/services/${s.id}`, undefined, staff)).body,
        (await service.api("GET", `/directory/services/${s.id}/history`, undefined, staff)).body,
        (await service.api("GET", "/directory/services?limit=500", undefined, staff)).body.total,
      ]);
      const before = await snapshot();
      const cases: [string, string, unknown, string, number][] = [
        ["POST", "/directory/services", serviceBody({ status: "closed" }), "status", 400],
        ["POST", "/directory/services", serviceBody({ name: "" }), "name", 400],
        ["POST", "/directory/services", serviceBody({ minimumAge: 80, maximumAge: 70 }), "maximumAge", 400],
        ["POST", "/directory/services", serviceBody({ directoryOrganizationId: "0190d6a0-0000-7000-8000-000000000000" }), "directoryOrganizationId", 422],
        ["POST", "/directory/services", serviceBody({ ownerPersonId: "0190d6a0-0000-7000-8000-000000000000" }), "ownerPersonId", 422],
        ["POST", "/directory/services", serviceBody({ extra: 1 }), "extra", 400],
        ["PATCH", `/directory/services/${s.id}`, { maximumAge: 50 }, "maximumAge", 400],
        ["PATCH", `/directory/services/${s.id}`, { nextContactOn: "2027-02-30" }, "nextContactOn", 400],
        ["PATCH", `/directory/services/${s.id}`, { url: "javascript:alert(1)" }, "url", 400],
        ["POST", `/directory/services/${s.id}/schedules`, { kind: "opening_hours", freq: "DAILY", byday: "MO" }, "freq", 400],
        ["POST", `/directory/services/${s.id}/schedules`, { kind: "opening_hours", freq: "WEEKLY", byday: "2TU" }, "byday", 400],
        ["POST", `/directory/services/${s.id}/schedules`, { kind: "event", freq: "MONTHLY", byday: "2TU", bymonthday: "1" }, "bymonthday", 400],
        ["POST", `/directory/services/${s.id}/schedules`, { kind: "event", byday: "MO" }, "dtstart", 400],
        ["POST", `/directory/services/${s.id}/schedules`, { kind: "event", dtstart: "2027-03-01", opensAt: "14:00", closesAt: "13:00" }, "closesAt", 400],
        ["POST", `/directory/services/${s.id}/schedules`, { kind: "event", dtstart: "2027-03-01", opensAt: "25:00" }, "opensAt", 400],
        ["PUT", `/directory/services/${s.id}/capacity`, { unit: "人", available: 5, maximum: 3 }, "available", 400],
        ["PUT", `/directory/services/${s.id}/capacity`, { unit: "人", available: -1 }, "available", 400],
        ["PUT", `/directory/services/${s.id}/taxonomy`, { codes: ["a b"] }, "codes.0", 400],
        ["PUT", `/directory/services/${s.id}/taxonomy`, { codes: ["shopping", "no.such_code"] }, "codes.1", 422],
        ["POST", `/directory/services/${s.id}/areas`, { name: "x", areaKind: "postal_code", areaValue: "abc" }, "areaValue", 400],
        ["POST", `/directory/services/${s.id}/areas`, { name: "x", areaKind: "team", areaValue: "0190d6a0-0000-7000-8000-000000000000" }, "areaValue", 422],
        ["POST", "/directory/closures", { kind: "ad_hoc", startsOn: "2027-03-02", endsOn: "2027-03-01" }, "endsOn", 400],
        ["POST", "/directory/closures", { kind: "ad_hoc", startsOn: "2027-03-01", endsOn: "2027-03-01", serviceId: "0190d6a0-0000-7000-8000-000000000000" }, "serviceId", 422],
        ["POST", "/directory/locations", { locationType: "physical", address: { address1: "x", city: "x", stateProvince: "x", postalCode: "12" } }, "address.postalCode", 400],
        ["POST", "/directory/handover", { fromPersonId: tanaka, toPersonId: tanaka }, "toPersonId", 400],
        ["POST", "/directory/handover", { fromPersonId: tanaka, toPersonId: "0190d6a0-0000-7000-8000-000000000000" }, "toPersonId", 422],
      ];
      for (const [method, path, body, field, status] of cases) {
        const r = await service.api(method, path, body, staff);
        assert.equal(r.status, status, `${method} ${path} ${field}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.field, field, `${method} ${path}: ${JSON.stringify(r.body)}`);
      }
      // A schedule patch that would break the shape is refused too.
      const schedule = (await service.api("POST", `/directory/services/${s.id}/schedules`, { kind: "event", dtstart: "2027-03-01" }, staff)).body;
      const afterSchedule = await snapshot();
      const bad = await service.api("PATCH", `/directory/schedules/${schedule.id}`, { freq: "WEEKLY" }, staff);
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.equal(bad.body.error.field, "byday");
      assert.equal(await snapshot(), afterSchedule, "the refused patch changed nothing");
      assert.notEqual(before, afterSchedule, "the snapshot sees a change");
    });

    test("observers read, with owners' names redacted, and may not write", async () => {
      const s = await create({ name: "閲覧テスト" });
      const seen = await service.api("GET", `/directory/services/${s.id}`, undefined, observer);
      assert.equal(seen.status, 200);
      assert.equal(seen.body.owner.displayName, REDACTED);
      assert.equal(seen.body.name, "閲覧テスト");
      const history = await service.api("GET", `/directory/services/${s.id}/history`, undefined, observer);
      assert.ok(history.body.changes.every((c: { by: string }) => c.by === REDACTED));
      for (const [method, path, body] of [
        ["POST", "/directory/services", serviceBody()], ["PATCH", `/directory/services/${s.id}`, { name: "x" }],
        ["POST", `/directory/services/${s.id}/verify`, {}], ["POST", "/directory/handover", { fromPersonId: tanaka, toPersonId: suzuki }],
        ["POST", "/directory/organizations", { name: "x" }],
      ] as const) {
        assert.equal((await service.api(method, path, body, observer)).status, 403, `${method} ${path}`);
      }
      assert.equal((await service.api("GET", `/directory/services/${s.id}`, undefined, staff)).body.name, "閲覧テスト");
    });

    test("a handover gives everything one person owns to a successor in one step, with history and an audit entry", async () => {
      const leaving = (await service.api("POST", "/people", { displayName: "退職 佐藤", loginId: "sato", role: "staff" })).body.person.id;
      const provider = (await service.api("POST", "/directory/organizations", { name: "ボランティア会", ownerPersonId: leaving }, staff)).body;
      const a = await create({ name: "引継ぎ A", ownerPersonId: leaving });
      const b = await create({ name: "引継ぎ B", ownerPersonId: leaving });
      const kept = await create({ name: "引継ぎ 対象外", ownerPersonId: tanaka });
      const partner = await service.api("POST", "/network/partners", { name: "新聞販売所", kind: "home_visit", ownerPersonId: leaving }, staff);
      assert.equal(partner.status, 201, JSON.stringify(partner.body));
      const volunteer = await service.api("POST", "/directory/volunteers", {
        displayName: "担い手 山本", skills: ["shopping"], areas: [], availability: [], ownerPersonId: leaving, nextContactOn: "2027-02-01",
      }, staff);
      assert.equal(volunteer.status, 201, JSON.stringify(volunteer.body));
      assert.deepEqual([volunteer.body.ownerPersonId, volunteer.body.nextContactOn], [leaving, "2027-02-01"]);
      // The next contact is due once its date has come (the service's clock, Asia/Tokyo), not while archived.
      const contactDue = async (nextContactOn: string, archived = false) => {
        const v = await service.api("POST", "/directory/volunteers", { displayName: `担い手 ${nextContactOn}`, skills: [], areas: [], availability: [], nextContactOn }, staff);
        if (!archived) return v.body.nextContactDue as boolean;
        return (await service.api("PATCH", `/directory/volunteers/${v.body.id}`, { archived: true }, staff)).body.nextContactDue as boolean;
      };
      assert.deepEqual([await contactDue("2000-01-01"), await contactDue("2099-12-31"), await contactDue("2000-01-01", true)], [true, false, false]);
      const unknownOwner = await service.api("POST", "/directory/volunteers", {
        displayName: "担い手 x", skills: [], areas: [], availability: [], ownerPersonId: "0190d6a0-0000-7000-8000-000000000000",
      }, staff);
      assert.deepEqual([unknownOwner.status, unknownOwner.body.error?.field], [422, "ownerPersonId"], JSON.stringify(unknownOwner.body));
      const r = await service.api("POST", "/directory/handover", { fromPersonId: leaving, toPersonId: suzuki }, staff);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.moved, { organizations: 1, services: 2, volunteers: 1, partners: 1 });
      const moved = (await service.api("GET", `/directory/volunteers/${volunteer.body.id}`, undefined, staff)).body;
      assert.deepEqual([moved.ownerPersonId, moved.nextContactOn], [suzuki, "2027-02-01"], "the successor keeps the date to call");
      for (const id of [a.id, b.id]) {
        assert.equal((await service.api("GET", `/directory/services/${id}`, undefined, staff)).body.owner.id, suzuki);
        const changes = (await service.api("GET", `/directory/services/${id}/history`, undefined, staff)).body.changes;
        assert.deepEqual(changes.filter((c: { field: string; action: string }) => c.field === "owner_person_id" && c.action === "update")
          .map((c: { previous: string; replacement: string }) => [c.previous, c.replacement]), [[leaving, suzuki]]);
      }
      assert.equal((await service.api("GET", `/directory/organizations/${provider.id}`, undefined, staff)).body.owner.id, suzuki);
      assert.equal((await service.api("GET", `/directory/services/${kept.id}`, undefined, staff)).body.owner.id, tanaka);
      assert.equal((await service.api("GET", `/network/partners/${partner.body.id}`, undefined, staff)).body.owner.id, suzuki);
      const audit = (await service.api("GET", "/audit-log?action=directory.handover")).body;
      const entries = audit.entries as { action: string; subject: { id: string }; detail: { toPersonId: string; moved: Record<string, number> } }[];
      assert.ok(entries.some((e) => e.action === "directory.handover" && e.subject.id === leaving && e.detail.toPersonId === suzuki && e.detail.moved.services === 2),
        JSON.stringify(audit).slice(0, 500));
      // Nothing left to hand over: a second run moves nothing.
      assert.deepEqual((await service.api("POST", "/directory/handover", { fromPersonId: leaving, toPersonId: suzuki }, staff)).body.moved,
        { organizations: 0, services: 0, volunteers: 0, partners: 0 });
    });

    test("another organisation sees none of it and cannot touch it", async () => {
      const s = await create({ name: "他組織テスト" });
      const other = await service.api("POST", "/organisations", { name: "隣の市" });
      assert.equal(other.status, 201);
      const theirs = other.body.adminToken as string;
      assert.equal((await service.api("GET", "/directory/services", undefined, theirs)).body.total, 0);
      assert.deepEqual((await service.api("GET", "/directory/organizations", undefined, theirs)).body.organizations, []);
      for (const [method, path, body] of [
        ["GET", `/directory/services/${s.id}`, undefined], ["PATCH", `/directory/services/${s.id}`, { name: "x" }],
        ["GET", `/directory/services/${s.id}/history`, undefined], ["POST", `/directory/services/${s.id}/verify`, {}],
        ["GET", `/directory/organizations/${providerId}`, undefined], ["PUT", `/directory/services/${s.id}/capacity`, { unit: "人", available: 1 }],
      ] as const) {
        assert.equal((await service.api(method, path, body, theirs)).status, 404, `${method} ${path}`);
      }
      const theirService = await service.api("POST", "/directory/services", serviceBody(), theirs);
      assert.equal(theirService.status, 422, "our provider is unknown to them");
      assert.equal(theirService.body.error.field, "directoryOrganizationId");
      assert.equal((await service.api("GET", `/directory/services/${s.id}`, undefined, staff)).body.name, "他組織テスト");
    });
  });
}
