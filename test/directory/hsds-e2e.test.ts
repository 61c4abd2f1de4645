/**
 * From the staff's routes to HSDS: a provider, a location, a service with its
 * taxonomy, capacity, opening hours, a salon, an area, a closure and a
 * verification, entered through /api/v1/directory (the directory's own commands,
 * which write the change history), then read back through the public HSDS API
 * and the staff's export, every answer and every CSV row validated against the
 * vendored HSDS 3.1 schemas with additionalProperties:false. On PostgreSQL and PGlite.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse as parseCsv } from "csv-parse/sync";
import JSZip from "jszip";
import { HSDS_TABLES, type HsdsTable } from "../../src/directory/domain/hsds.ts";
import { taxonomyTermId } from "../../src/directory/domain/taxonomy-ja.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { hsdsValidator } from "../support/hsds-validator.ts";

const v = hsdsValidator();

for (const kind of databaseKinds()) {
  describe(`the directory's commands to HSDS on ${kind}`, () => {
    let service: TestService;
    let org: string;
    let serviceId: string;
    before(async () => {
      service = await startTestService(kind);
      org = (await service.api("GET", "/organisation")).body.id;
      const ok = async (method: string, path: string, body?: unknown) => {
        const r = await service.api(method, path, body);
        assert.ok(r.status >= 200 && r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body;
      };
      const provider = await ok("POST", "/directory/organizations", { name: "東町ボランティアの会", description: "住民の助けあい", website: "https://higashi.example.jp/" });
      const location = await ok("POST", "/directory/locations", {
        directoryOrganizationId: provider.id, locationType: "physical", name: "東町集会所", transportation: "東町バス停すぐ",
        address: { address1: "東町1-2-3", city: "神戸市東灘区", stateProvince: "兵庫県", postalCode: "658-0001" },
      });
      const created = await ok("POST", "/directory/services", {
        directoryOrganizationId: provider.id, name: "お買い物お手伝い", description: "買い物の代行と付き添い", feesDescription: "無料",
        applicationProcess: "電話で", eligibilityDescription: "東町にお住まいの方",
      });
      serviceId = created.id ?? created.service?.id;
      assert.ok(serviceId, JSON.stringify(created).slice(0, 300));
      await ok("PUT", `/directory/services/${serviceId}/taxonomy`, { codes: ["shopping.proxy", "shopping.escort"] });
      await ok("PUT", `/directory/services/${serviceId}/capacity`, { unit: "人", available: 2, maximum: 5 });
      await ok("POST", `/directory/services/${serviceId}/locations`, { locationId: location.id, description: "集会所で受付" });
      await ok("POST", `/directory/services/${serviceId}/schedules`, { kind: "opening_hours", freq: "WEEKLY", byday: "TU,TH", opensAt: "10:00", closesAt: "15:00" });
      await ok("POST", `/directory/services/${serviceId}/schedules`, { kind: "event", freq: "MONTHLY", byday: "2TU", dtstart: "2027-01-12", opensAt: "13:30", closesAt: "15:00", closedOnHolidays: false });
      await ok("POST", `/directory/services/${serviceId}/areas`, { name: "東町", areaKind: "postal_code", areaValue: "658" });
      await ok("POST", "/directory/closures", { directoryOrganizationId: provider.id, kind: "ad_hoc", startsOn: "2027-02-01", endsOn: "2027-02-03", reason: "会の研修" });
      await ok("POST", `/directory/services/${serviceId}/verify`, { assurerEmail: "higashi@example.jp" });
      await ok("PATCH", `/directory/services/${serviceId}`, { name: "お買い物おてつだい" });
    });
    after(async () => {
      await service?.close();
    });

    test("the public API shows what the commands wrote, valid HSDS 3.1", async () => {
      const base = `${service.url}/api/v1/hsds/${org}`;
      const get = async (path: string) => (await fetch(`${base}${path}`)).json() as Promise<any>;
      const list = await get(`/services?taxonomy_term_id=${taxonomyTermId("shopping")}&area=6580001`);
      assert.deepEqual(v.validatePage("compiled/service_list.json", list), []);
      assert.deepEqual(list.contents.map((s: any) => s.name), ["お買い物おてつだい"]);
      assert.equal(list.contents[0].assured_date, "2027-01-04");
      const full = await get(`/services/${serviceId}`);
      assert.deepEqual(v.validate("service.json", full), []);
      assert.deepEqual(full.attributes.map((a: any) => a.taxonomy_term.code).sort(), ["shopping.escort", "shopping.proxy"]);
      assert.deepEqual(full.capacities.map((c: any) => [c.unit.name, c.available, c.maximum]), [["人", 2, 5]]);
      assert.deepEqual(full.schedules.map((x: any) => [x.freq, x.byday, x.opens_at, x.closes_at]).sort(), [["MONTHLY", "2TU", "13:30+09:00", "15:00+09:00"], ["WEEKLY", "TU,TH", "10:00+09:00", "15:00+09:00"]]);
      assert.equal(full.service_at_locations[0].location.addresses[0].postal_code, "6580001");
      assert.match(full.alert, /臨時休業 2027-02-01〜2027-02-03: 会の研修/);
      assert.equal(full.assurer_email, undefined, "the assurer's e-mail is not public");
      assert.equal(full.metadata, undefined, "the change history is not public");
      for (const path of ["/organizations?full_service=true", "/service_at_locations?full=true"]) {
        const page = await get(path);
        for (const x of page.contents) {
          assert.deepEqual(v.validate(path.startsWith("/organizations") ? "organization_with_services.json" : "service_at_location_with_service.json", x), [], path);
        }
      }
    });

    test("the export holds the history the commands wrote, every CSV row valid", async () => {
      const r = await fetch(`${service.url}/api/v1/directory/export/hsds`, { headers: { authorization: `Bearer ${service.token}` } });
      assert.equal(r.status, 200);
      const zip = await JSZip.loadAsync(Buffer.from(await r.arrayBuffer()));
      for (const table of Object.keys(HSDS_TABLES) as HsdsTable[]) {
        const path = HSDS_TABLES[table].path;
        const records = parseCsv(await zip.file(path)!.async("string"), { columns: true }) as Record<string, string>[];
        for (const row of records) assert.deepEqual(v.validateCsvRow(path, row), [], `${path}: ${JSON.stringify(row)}`);
      }
      const metadata = parseCsv(await zip.file("metadata.csv")!.async("string"), { columns: true }) as Record<string, string>[];
      const rename = metadata.find((m) => m.resource_id === serviceId && m.field_name === "name" && m.last_action_type === "update");
      assert.ok(rename, `the rename is in the history: ${JSON.stringify(metadata.map((m) => [m.resource_type, m.field_name, m.last_action_type]))}`);
      assert.equal(rename.previous_value, "お買い物お手伝い");
      assert.equal(rename.replacement_value, "お買い物おてつだい");
      const services = parseCsv(await zip.file("services.csv")!.async("string"), { columns: true }) as Record<string, string>[];
      assert.equal(services[0].assurer_email, "higashi@example.jp");
    });
  });
}
