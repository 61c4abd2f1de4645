/**
 * The public HSDS 3.1 API (/api/v1/hsds/{organisationId}/…) and the staff's
 * export, on PostgreSQL and PGlite: every answer and every CSV row is validated
 * against the vendored HSDS 3.1 schemas with additionalProperties:false
 * (test/support/hsds-validator.ts); only listed entries and nothing about people
 * reach the public; filters, paging and bad parameters behave.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse as parseCsv } from "csv-parse/sync";
import JSZip from "jszip";
import { HSDS_TABLES, type HsdsTable, hsdsColumns } from "../../src/directory/domain/hsds.ts";
import { TAXONOMY_JA, TAXONOMY_JA_TERMS, taxonomyTermId } from "../../src/directory/domain/taxonomy-ja.ts";
import { IDS, sampleDirectoryRows } from "../support/directory-rows.ts";
import { seedDirectory } from "../support/directory-seed.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { hsdsValidator } from "../support/hsds-validator.ts";

const v = hsdsValidator();
const HIDDEN = {
  org: "01900000-0000-7000-8000-0000000001a1",
  service: "01900000-0000-7000-8000-0000000001a2",
  archivedService: "01900000-0000-7000-8000-0000000001a3",
  contact: "01900000-0000-7000-8000-0000000001a4",
  orgService: "01900000-0000-7000-8000-0000000001a5",
};

/** The sample directory plus what the public must not see: an unlisted service, an archived one, an unlisted provider. */
function rows() {
  const r = sampleDirectoryRows();
  const base = r.services[0];
  return {
    ...r,
    organizations: [...r.organizations, { ...r.organizations[1], id: HIDDEN.org, name: "非公開の事業者", parent_id: null }],
    services: [
      ...r.services,
      { ...base, id: HIDDEN.service, name: "非公開のサービス" },
      { ...base, id: HIDDEN.archivedService, name: "廃止したサービス" },
      { ...base, id: HIDDEN.orgService, directory_organization_id: HIDDEN.org, name: "非公開事業者のサービス" },
    ],
    contacts: [...r.contacts, { ...r.contacts[0], id: HIDDEN.contact, service_id: HIDDEN.service, name: "秘密 太郎", email: "himitsu@example.jp" }],
  };
}

for (const kind of databaseKinds()) {
  describe(`the HSDS API on ${kind}`, () => {
    let service: TestService;
    let org: string;
    let base: string;
    const get = async (path: string) => {
      const r = await fetch(`${base}${path}`);
      return { status: r.status, body: await r.json() as any, type: r.headers.get("content-type") };
    };

    before(async () => {
      service = await startTestService(kind);
      org = (await service.api("GET", "/organisation")).body.id;
      assert.match(org, /^[0-9a-f-]{36}$/);
      await seedDirectory(service.store.db, org, rows(), {
        unlisted: [HIDDEN.service, HIDDEN.org], archived: [HIDDEN.archivedService],
        terms: [{ id: IDS.ownTerm, code: "local.shakyo_branch", name: "社協の支所", parent_code: null }],
      });
      base = `${service.url}/api/v1/hsds/${org}`;
    });
    after(async () => {
      await service?.close();
    });

    test("GET / : version 3.1, profile and openapi_url, no token needed", async () => {
      const r = await get("");
      assert.equal(r.status, 200);
      assert.deepEqual(v.validateRoot(r.body), []);
      assert.equal(r.body.version, "3.1");
      assert.equal(r.body.openapi_url, `${service.url}/api/v1/openapi.json`);
    });

    test("/services: a valid Page of listed services only; full=true gives valid full services; nothing about people", async () => {
      const r = await get("/services");
      assert.equal(r.status, 200);
      assert.deepEqual(v.validatePage("compiled/service_list.json", r.body), []);
      assert.deepEqual(r.body.contents.map((s: any) => s.name).sort(), ["ふれあいサロン", "買い物代行"]);
      assert.deepEqual([r.body.total_items, r.body.total_pages, r.body.page_number, r.body.size, r.body.first_page, r.body.last_page, r.body.empty], [2, 1, 1, 2, true, true, false]);
      const full = await get("/services?full=true");
      for (const s of full.body.contents) assert.deepEqual(v.validate("service.json", s), [], s.name);
      const text = JSON.stringify(full.body);
      for (const secret of ["山田 花子", "hanako@", "090-0000-0000", "coordinator@city.example.jp", "買い物お届け便", "秘密", "非公開"]) {
        assert.ok(!text.includes(secret), `public answer must not contain ${secret}`);
      }
      assert.ok(text.includes("078-000-0000"), "the service's own phone is public");
    });

    test("/services filters: search, taxonomy term (with the terms below), taxonomy, provider, modified_after, area; cumulative", async () => {
      const names = async (query: string) => {
        const r = await get(`/services?${query}`);
        assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
        assert.deepEqual(v.validatePage("compiled/service_list.json", r.body), [], query);
        return r.body.contents.map((s: any) => s.name);
      };
      assert.deepEqual(await names(`search=${encodeURIComponent("食料品")}`), ["買い物代行"]);
      assert.deepEqual(await names(`search=${encodeURIComponent("食料品 サロン")}`), []);
      assert.deepEqual(await names(`taxonomy_term_id=${taxonomyTermId("shopping")}`), ["買い物代行"]);
      assert.deepEqual(await names(`taxonomy_term_id=${taxonomyTermId("kayoi")}`), ["ふれあいサロン"]);
      assert.deepEqual(await names(`taxonomy_term_id=${taxonomyTermId("housing")}`), []);
      assert.deepEqual((await names(`taxonomy_id=${TAXONOMY_JA.id}`)).sort(), ["ふれあいサロン", "買い物代行"]);
      assert.deepEqual(await names(`taxonomy_id=${TAXONOMY_JA.id}&taxonomy_term_id=${taxonomyTermId("kayoi.salon")}`), ["ふれあいサロン"]);
      assert.deepEqual((await names(`organization_id=${IDS.org}`)).sort(), ["ふれあいサロン", "買い物代行"]);
      assert.deepEqual(await names(`organization_id=${HIDDEN.org}`), []);
      assert.deepEqual(await names(`modified_after=${encodeURIComponent("2027-01-05T00:00:00Z")}`).then((x) => x.sort()), ["ふれあいサロン", "買い物代行"]);
      assert.deepEqual(await names(`modified_after=${encodeURIComponent("2027-01-05T01:00:00Z")}`), []);
      assert.deepEqual(await names(`area=${encodeURIComponent("650-0001")}`), ["買い物代行"]);
      assert.deepEqual(await names(`area=${encodeURIComponent("〒６５００００１")}`), ["買い物代行"]);
      assert.deepEqual(await names("area=651-0001"), []);
      assert.deepEqual(await names(`area=${encodeURIComponent("加納町")}`), []);
    });

    test("/services paging: per_page 1 gives two pages, the second the last", async () => {
      const first = await get("/services?per_page=1");
      const second = await get("/services?per_page=1&page=2");
      const beyond = await get("/services?per_page=1&page=3");
      for (const p of [first, second, beyond]) assert.deepEqual(v.validatePage("compiled/service_list.json", p.body), []);
      assert.deepEqual([first.body.total_pages, first.body.first_page, first.body.last_page, first.body.size], [2, true, false, 1]);
      assert.deepEqual([second.body.page_number, second.body.first_page, second.body.last_page], [2, false, true]);
      assert.notEqual(first.body.contents[0].id, second.body.contents[0].id);
      assert.deepEqual([beyond.body.empty, beyond.body.size, beyond.body.total_items], [true, 0, 2]);
    });

    test("/services/{id}: the listed service fully nested and valid; unlisted, archived, unknown → 404", async () => {
      const r = await get(`/services/${IDS.service}`);
      assert.equal(r.status, 200);
      assert.deepEqual(v.validate("service.json", r.body), []);
      assert.equal(r.body.service_at_locations[0].location.addresses[0].postal_code, "6500001");
      assert.equal(r.body.service_at_locations[0].schedules[0].opens_at, "09:00+09:00");
      assert.deepEqual(r.body.attributes.map((a: any) => a.taxonomy_term.code), ["shopping.proxy"]);
      assert.equal(r.body.contacts.length, 0);
      assert.equal(r.body.metadata, undefined);
      const salon = await get(`/services/${IDS.salonService}`);
      assert.equal(salon.body.alert, "会場を移転しました / 臨時休業 2027-02-01〜2027-02-02: 改修工事");
      assert.deepEqual(salon.body.schedules.map((x: any) => [x.freq, x.byday, x.timezone]), [["MONTHLY", "2TU", 9], ["WEEKLY", "TU", 9]]);
      for (const id of [HIDDEN.service, HIDDEN.archivedService, HIDDEN.orgService, "01900000-0000-7000-8000-00000000ffff"]) {
        const missing = await get(`/services/${id}`);
        assert.equal(missing.status, 404, id);
        assert.equal(missing.body.error.code, "not_found");
      }
    });

    test("/organizations: listed providers; full_service nests their listed services; /{id}", async () => {
      const list = await get("/organizations");
      assert.deepEqual(v.validatePage("compiled/organization_list.json", list.body), []);
      assert.deepEqual(list.body.contents.map((o: any) => o.name).sort(), ["中央区社会福祉協議会", "市社会福祉協議会"]);
      const full = await get("/organizations?full_service=true");
      for (const o of full.body.contents) assert.deepEqual(v.validate("organization_with_services.json", o), [], o.name);
      const shakyo = full.body.contents.find((o: any) => o.id === IDS.org);
      assert.deepEqual(shakyo.services.map((s: any) => s.name).sort(), ["ふれあいサロン", "買い物代行"]);
      const one = await get(`/organizations/${IDS.org}`);
      assert.deepEqual(v.validate("organization.json", one.body), []);
      assert.equal(one.body.locations[0].name, "福祉センター");
      assert.equal(one.body.parent_organization_id, IDS.parentOrg);
      assert.deepEqual(one.body.attributes.map((a: any) => a.taxonomy_term_id), [IDS.ownTerm]);
      const withServices = await get(`/organizations/${IDS.org}?full_service=true`);
      assert.deepEqual(v.validate("organization_with_services.json", withServices.body), []);
      assert.equal(withServices.body.services.length, 2);
      assert.equal((await get(`/organizations/${HIDDEN.org}`)).status, 404);
      assert.deepEqual((await get(`/organizations?search=${encodeURIComponent("中央区")}`)).body.contents.map((o: any) => o.id), [IDS.org]);
    });

    test("/service_at_locations: list items and full ones valid; postcode filter; /{id}", async () => {
      const list = await get("/service_at_locations");
      assert.deepEqual(v.validatePage("compiled/service_at_location_list.json", list.body), []);
      assert.deepEqual(list.body.contents.map((x: any) => x.id), [IDS.sal]);
      assert.equal(list.body.contents[0].service.name, "買い物代行");
      const full = await get("/service_at_locations?full=true");
      for (const x of full.body.contents) assert.deepEqual(v.validate("service_at_location_with_service.json", x), []);
      assert.equal((await get("/service_at_locations?postcode=6500001")).body.total_items, 1);
      assert.equal((await get("/service_at_locations?postcode=6510001")).body.total_items, 0);
      const one = await get(`/service_at_locations/${IDS.sal}`);
      assert.equal(one.status, 200);
      assert.deepEqual(v.validate("service_at_location_with_service.json", one.body), []);
      assert.equal((await get(`/service_at_locations/${IDS.service}`)).status, 404);
    });

    test("/taxonomy_terms and /taxonomies: the shipped terms and the organisation's own, valid; filters; /{id}", async () => {
      const all = await get("/taxonomy_terms?per_page=200");
      assert.deepEqual(v.validatePage("taxonomy_term.json", all.body), []);
      assert.equal(all.body.total_items, TAXONOMY_JA_TERMS.length + 1);
      const top = await get("/taxonomy_terms?top_only=true&per_page=200");
      assert.ok(top.body.contents.every((t: any) => t.parent_id === undefined));
      assert.ok(top.body.contents.some((t: any) => t.code === "shopping"));
      const below = await get(`/taxonomy_terms?parent_id=${taxonomyTermId("shopping")}`);
      assert.deepEqual(below.body.contents.map((t: any) => t.code), ["shopping.proxy", "shopping.escort", "shopping.mobile_shop", "shopping.delivery"]);
      assert.deepEqual((await get(`/taxonomy_terms?search=${encodeURIComponent("配食")}`)).body.contents.map((t: any) => t.code), ["sogo.life.meals"]);
      const own = await get(`/taxonomy_terms/${IDS.ownTerm}`);
      assert.deepEqual(v.validate("taxonomy_term.json", own.body), []);
      assert.equal(own.body.name, "社協の支所");
      const taxonomies = await get("/taxonomies");
      assert.deepEqual(v.validatePage("taxonomy.json", taxonomies.body), []);
      assert.equal(taxonomies.body.total_items, 2);
      const shipped = await get(`/taxonomies/${TAXONOMY_JA.id}`);
      assert.deepEqual(v.validate("taxonomy.json", shipped.body), []);
      assert.equal((await get(`/taxonomies/${IDS.service}`)).status, 404);
    });

    test("bad parameters are refused in our error shape naming the field; unknown organisations are 404", async () => {
      const cases: [string, string][] = [
        ["/services?per_page=0", "per_page"], ["/services?per_page=201", "per_page"], ["/services?page=0", "page"],
        ["/services?taxonomy_term_id=shopping", "taxonomy_term_id"], ["/services?modified_after=yesterday", "modified_after"],
        ["/services?full=yes", "full"], ["/services?format=ndjson", "format"], ["/services?colour=blue", "colour"],
        ["/organizations?full_service=1", "full_service"], ["/taxonomy_terms?parent_id=x", "parent_id"],
      ];
      for (const [path, field] of cases) {
        const r = await get(path);
        assert.equal(r.status, 400, `${path}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.code, "invalid_request", path);
        assert.ok(String(r.body.error.field).endsWith(field), `${path} names ${field}: ${r.body.error.field}`);
      }
      const badOrg = await fetch(`${service.url}/api/v1/hsds/not-an-id/services`);
      assert.equal(badOrg.status, 400);
      assert.ok(String(((await badOrg.json()) as any).error.field).endsWith("organisationId"));
      const unknown = await fetch(`${service.url}/api/v1/hsds/01900000-0000-7000-8000-00000000fffe/services`);
      assert.equal(unknown.status, 404);
    });

    test("another organisation's path shows its own (empty) directory, never this one's entries", async () => {
      const other = await service.api("POST", "/organisations", { name: "隣の市" });
      assert.equal(other.status, 201, JSON.stringify(other.body));
      const theirs = (await service.api("GET", "/organisation", undefined, other.body.adminToken)).body.id;
      const r = await fetch(`${service.url}/api/v1/hsds/${theirs}/services`);
      const page = await r.json() as any;
      assert.deepEqual(v.validatePage("compiled/service_list.json", page), []);
      assert.equal(page.total_items, 0);
      assert.equal((await fetch(`${service.url}/api/v1/hsds/${theirs}/services/${IDS.service}`)).status, 404);
      assert.equal((await fetch(`${service.url}/api/v1/hsds/${theirs}/organizations/${IDS.org}`)).status, 404);
    });

    test("the staff's zip export: datapackage.json and one CSV per entity, every row valid; unlisted entries and contacts included; audited", async () => {
      const r = await fetch(`${service.url}/api/v1/directory/export/hsds`, { headers: { authorization: `Bearer ${service.token}` } });
      assert.equal(r.status, 200);
      assert.equal(r.headers.get("content-type"), "application/zip");
      assert.match(r.headers.get("content-disposition") ?? "", /attachment; filename="hsds-\d{8}\.zip"/);
      const zip = await JSZip.loadAsync(Buffer.from(await r.arrayBuffer()));
      const datapackage = JSON.parse(await zip.file("datapackage.json")!.async("string"));
      assert.equal(datapackage.profile, "tabular-data-package");
      assert.deepEqual(Object.keys(zip.files).sort(), ["datapackage.json", ...Object.values(HSDS_TABLES).map((t) => t.path)].sort());
      const counts: Record<string, number> = {};
      for (const table of Object.keys(HSDS_TABLES) as HsdsTable[]) {
        const path = HSDS_TABLES[table].path;
        const text = await zip.file(path)!.async("string");
        assert.ok(!text.startsWith("\ufeff"), `${path} has no BOM`);
        const [header] = parseCsv(text, { to_line: 1 }) as string[][];
        assert.deepEqual(header, hsdsColumns(table).map((c) => c.name), path);
        const records = parseCsv(text, { columns: true }) as Record<string, string>[];
        for (const row of records) assert.deepEqual(v.validateCsvRow(path, row), [], `${path}: ${JSON.stringify(row)}`);
        counts[table] = records.length;
        const resource = datapackage.resources.find((x: any) => x.path === path);
        assert.deepEqual(resource.schema.fields.map((f: any) => f.name), header);
      }
      // Unlisted entries are the staff's too; the archived service is not exported.
      assert.equal(counts.service, 4);
      assert.equal(counts.organization, 3);
      assert.equal(counts.contact, 2);
      assert.equal(counts.metadata, 1);
      assert.equal(counts.taxonomy_term, TAXONOMY_JA_TERMS.length + 1);
      const services = await zip.file("services.csv")!.async("string");
      assert.ok(services.includes("非公開のサービス") && !services.includes("廃止したサービス"));
      const log = await service.api("GET", "/audit-log?action=directory.export_hsds");
      assert.equal(log.status, 200);
      assert.equal(log.body.entries?.[0]?.action ?? log.body.items?.[0]?.action, "directory.export_hsds", JSON.stringify(log.body).slice(0, 300));
    });

    test("the staff's JSON export: every organisation with its services, valid; observers may not export", async () => {
      const r = await fetch(`${service.url}/api/v1/directory/export/hsds?format=json`, { headers: { authorization: `Bearer ${service.token}` } });
      assert.equal(r.status, 200);
      const body = await r.json() as any;
      assert.equal(body.version, "3.1");
      for (const o of body.organizations) assert.deepEqual(v.validate("organization_with_services.json", o), [], o.name);
      assert.deepEqual(v.validatePage("taxonomy_term.json", { total_items: 0, total_pages: 0, page_number: 1, size: 0, first_page: true, last_page: true, empty: false, contents: body.taxonomy_terms }), []);
      const shopping = body.organizations.find((o: any) => o.id === IDS.org).services.find((s: any) => s.id === IDS.service);
      assert.equal(shopping.contacts[0].name, "山田 花子");
      assert.equal(shopping.metadata[0].previous_value, "買い物お届け便");
      const observer = (await service.api("POST", "/tokens", { name: "observer", role: "observer" })).body.token;
      const refused = await service.api("GET", "/directory/export/hsds", undefined, observer);
      assert.equal(refused.status, 403);
      const badFormat = await service.api("GET", "/directory/export/hsds?format=csv");
      assert.equal(badFormat.status, 400);
      assert.ok(String(badFormat.body.error.field).endsWith("format"));
    });
  });
}
