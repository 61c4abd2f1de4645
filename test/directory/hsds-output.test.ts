/**
 * Rows → HSDS 3.1 (src/directory/domain/hsds.ts), validated against the vendored
 * schemas with additionalProperties:false everywhere (test/support/hsds-validator.ts),
 * and what the public may and may not see.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type HsdsContext,
  type HsdsTable,
  HSDS_TABLES,
  hsdsColumns,
  hsdsCsvCells,
  hsdsDatapackage,
  hsdsDirectory,
  hsdsSchedule,
  metadataJson,
  NO_VALUE,
  organisationTaxonomy,
  unitId,
} from "../../src/directory/domain/hsds.ts";
import { TAXONOMY_JA, TAXONOMY_JA_TERMS, taxonomyTermId, taxonomyWithExtensions } from "../../src/directory/domain/taxonomy-ja.ts";
import { IDS, sampleDirectoryRows } from "../support/directory-rows.ts";
import { csvColumns, hsdsValidator } from "../support/hsds-validator.ts";

const terms = taxonomyWithExtensions([{ id: IDS.ownTerm, code: "local.shakyo_branch", name: "社協の支所", parent_code: null, description: "", mapped_code: null }]);
const ctx = (audience: "public" | "staff"): HsdsContext => ({ organisationId: IDS.tenant, audience, today: "2027-01-20", yearEndClosed: true, terms });
const v = hsdsValidator();

function page(contents: unknown[]) {
  return { total_items: contents.length, total_pages: 1, page_number: 1, size: contents.length, first_page: true, last_page: true, empty: contents.length === 0, contents };
}

describe("JSON objects are valid HSDS 3.1 (additionalProperties:false everywhere)", () => {
  for (const audience of ["public", "staff"] as const) {
    test(`${audience}: full service, list items, organization with services, service at location, terms, taxonomies`, () => {
      const rows = sampleDirectoryRows();
      const d = hsdsDirectory(rows, ctx(audience));
      for (const s of rows.services) assert.deepEqual(v.validate("service.json", d.service(s)), [], s.name);
      assert.deepEqual(v.validatePage("compiled/service_list.json", page(rows.services.map(d.serviceListItem))), []);
      assert.deepEqual(v.validatePage("compiled/organization_list.json", page(rows.organizations.map(d.organizationListItem))), []);
      for (const o of rows.organizations) {
        assert.deepEqual(v.validate("organization.json", d.organization(o)), [], o.name);
        assert.deepEqual(v.validate("organization_with_services.json", d.organization(o, true)), [], o.name);
      }
      assert.deepEqual(v.validatePage("compiled/service_at_location_list.json", page(rows.serviceAtLocations.map(d.serviceAtLocationListItem))), []);
      assert.deepEqual(v.validate("service_at_location_with_service.json", d.serviceAtLocation(rows.serviceAtLocations[0])), []);
      assert.deepEqual(v.validatePage("taxonomy_term.json", page(terms.map(d.taxonomyTerm))), []);
      assert.deepEqual(v.validatePage("taxonomy.json", page(d.taxonomies())), []);
    });
  }

  test("the validator would have caught a null field: HSDS strings are not nullable, so absent values are left out", () => {
    const d = hsdsDirectory(sampleDirectoryRows(), ctx("public"));
    const s = d.service(sampleDirectoryRows().services[1]) as Record<string, unknown>;
    assert.equal("email" in s, false);
    assert.match(v.validate("service.json", { ...s, email: null }).join("\n"), /\/email must be string/);
  });
});

describe("what the objects say", () => {
  test("a full service nests its organisation, location with address and accessibility, schedules, areas, phones, capacity and taxonomy", () => {
    const d = hsdsDirectory(sampleDirectoryRows(), ctx("public"));
    const s = d.service(d.serviceById(IDS.service)!) as Record<string, any>;
    assert.equal(s.organization_id, IDS.org);
    assert.equal(s.organization.name, "中央区社会福祉協議会");
    assert.equal(s.last_modified, "2027-01-05T01:00:00.000Z");
    assert.equal(s.assured_date, "2027-01-04");
    assert.equal(s.minimum_age, 65);
    const sal = s.service_at_locations[0];
    assert.equal(sal.location.addresses[0].postal_code, "6500001");
    assert.equal(sal.location.accessibility[0].description, "車いす用トイレあり");
    assert.deepEqual(sal.schedules.map((x: any) => [x.freq, x.byday, x.opens_at, x.closes_at, x.timezone]), [["WEEKLY", "MO,WE,FR", "09:00+09:00", "17:00+09:00", 9]]);
    assert.deepEqual(s.service_areas.map((a: any) => [a.name, a.extent, a.extent_type]), [["650 地区", "650", "text"]]);
    assert.deepEqual(s.phones.map((p: any) => [p.number, p.extension, p.type]), [["078-000-0000", 12, "voice"]]);
    assert.deepEqual(s.capacities, [{ id: IDS.capacity, service_id: IDS.service, unit: { id: unitId("人"), name: "人" }, unit_id: unitId("人"), available: 3, maximum: 10, description: "今月の受け入れ枠", updated: "2027-01-05T00:30:00.000Z" }]);
    assert.deepEqual(s.attributes.map((a: any) => [a.link_entity, a.link_id, a.taxonomy_term_id, a.taxonomy_term.code]),
      [["service", IDS.service, taxonomyTermId("shopping.proxy"), "shopping.proxy"]], "the attribute of a removed code is left out");
    assert.equal(s.attributes[0].taxonomy_term.parent_id, taxonomyTermId("shopping"));
    assert.equal(s.attributes[0].taxonomy_term.taxonomy_id, TAXONOMY_JA.id);
  });

  test("a closure still ahead is announced in alert after the service's own alert; a past one is not", () => {
    const rows = sampleDirectoryRows();
    const d = hsdsDirectory(rows, ctx("public"));
    assert.equal(d.service(d.serviceById(IDS.salonService)!).alert, "会場を移転しました / 臨時休業 2027-02-01〜2027-02-02: 改修工事");
    const later = hsdsDirectory(rows, { ...ctx("public"), today: "2027-02-03" });
    assert.equal(later.service(later.serviceById(IDS.salonService)!).alert, "会場を移転しました");
    assert.equal(later.service(later.serviceById(IDS.service)!).alert, undefined);
  });

  test("schedules: timezone 9 and offsets; a one-off is WEEKLY count 1 on its weekday within valid_from = valid_to; 24:00 → 23:59; holiday rules in notes", () => {
    const rows = sampleDirectoryRows();
    const [weekly, salon, talk] = rows.schedules;
    assert.deepEqual(hsdsSchedule(talk, true), {
      id: IDS.talk, service_id: IDS.salonService, valid_from: "2027-06-15", valid_to: "2027-06-15", dtstart: "2027-06-15", timezone: 9,
      count: 1, freq: "WEEKLY", byday: "TU", description: "健康講座", opens_at: "14:00+09:00", closes_at: "23:59+09:00",
    });
    const s = hsdsSchedule(salon, false);
    assert.equal(s.byday, "2TU");
    assert.equal(s.notes, "雨天決行");
    assert.equal(hsdsSchedule(salon, true).notes, "雨天決行 / 年末年始 12/29〜1/3 は休み (closed 29 December – 3 January)");
    assert.equal(hsdsSchedule(weekly, false).notes, "祝日は休み (closed on Japanese national holidays)");
  });

  test("the organisation's own term belongs to its own taxonomy; shipped terms to mimamori-ja", () => {
    const d = hsdsDirectory(sampleDirectoryRows(), ctx("public"));
    const own = d.taxonomyTerm(terms.find((t) => t.code === "local.shakyo_branch")!);
    assert.equal(own.taxonomy_id, organisationTaxonomy(IDS.tenant).id);
    assert.equal(own.id, IDS.ownTerm);
    assert.deepEqual(d.taxonomies().map((t) => t.id), [TAXONOMY_JA.id, organisationTaxonomy(IDS.tenant).id]);
    const withoutOwn = hsdsDirectory(sampleDirectoryRows(), { ...ctx("public"), terms: TAXONOMY_JA_TERMS });
    assert.deepEqual(withoutOwn.taxonomies().map((t) => t.id), [TAXONOMY_JA.id]);
    assert.match(d.taxonomyTerm(TAXONOMY_JA_TERMS.find((t) => t.code === "sogo.visit.standard")!).description, /サービス種類コード: A2/);
  });

  test("metadata: a creation's absent old value and a deletion's absent new value are written (none), never empty", () => {
    const base = sampleDirectoryRows().metadata[0];
    assert.equal(metadataJson({ ...base, action: "create", previous_value: null }).previous_value, NO_VALUE);
    assert.equal(metadataJson({ ...base, action: "delete", replacement_value: null }).replacement_value, NO_VALUE);
    assert.equal(metadataJson({ ...base, previous_value: "" }).previous_value, NO_VALUE);
    const row = metadataJson({ ...base, action: "create", previous_value: null });
    const cells = hsdsCsvCells("metadata", row);
    const columns = hsdsColumns("metadata").map((c) => c.name);
    assert.deepEqual(v.validateCsvRow("metadata.csv", Object.fromEntries(columns.map((c, i) => [c, cells[i]]))), []);
    assert.match(v.validateCsvRow("metadata.csv", Object.fromEntries(columns.map((c, i) => [c, c === "previous_value" ? "" : cells[i]]))).join("\n"), /previous_value/,
      "an empty cell would have been refused");
  });

  test("public: no contacts, no contact person's phone, no metadata, no assurer e-mail, no team id; staff: all of them", () => {
    const rows = sampleDirectoryRows();
    const pub = JSON.stringify([rows.services.map(hsdsDirectory(rows, ctx("public")).service), hsdsDirectory(rows, ctx("public")).tabular()]);
    for (const secret of ["山田 花子", "hanako@", "090-0000-0000", "coordinator@city.example.jp", "買い物お届け便", "0000000000ff"]) {
      assert.ok(!pub.includes(secret), `public output must not contain ${secret}`);
    }
    const d = hsdsDirectory(rows, ctx("staff"));
    const s = d.service(d.serviceById(IDS.service)!) as Record<string, any>;
    assert.equal(s.contacts[0].name, "山田 花子");
    assert.deepEqual(s.contacts[0].phones.map((p: any) => [p.number, p.description]), [["090-0000-0000", "内線 内線A"]]);
    assert.equal(s.assurer_email, "coordinator@city.example.jp");
    assert.deepEqual(s.metadata, [{
      id: IDS.meta, resource_id: IDS.service, resource_type: "service", last_action_date: "2027-01-05", last_action_type: "update",
      field_name: "name", previous_value: "買い物お届け便", replacement_value: "買い物代行", updated_by: "staff",
    }]);
  });
});

describe("tabular form", () => {
  test("each table's columns are the per-file schema's non-array properties, in order, with matching types", () => {
    for (const table of Object.keys(HSDS_TABLES) as HsdsTable[]) {
      const schema = Object.values(v.files).find((s) => s.path === HSDS_TABLES[table].path);
      assert.ok(schema, table);
      assert.deepEqual(hsdsColumns(table).map((c) => c.name), csvColumns(schema), table);
      for (const c of hsdsColumns(table)) {
        const p = schema.properties[c.name] as { type?: string; format?: string; datapackage_type?: string };
        const expected = p.datapackage_type ?? (p.format === "date-time" ? "datetime" : p.type);
        assert.equal(c.type, expected, `${table}.${c.name}`);
        if (p.format && p.format !== "date-time") assert.equal(c.format, p.format, `${table}.${c.name} format`);
      }
    }
  });

  for (const audience of ["public", "staff"] as const) {
    test(`${audience}: every row of every table is valid against its schema's columns`, () => {
      const tables = hsdsDirectory(sampleDirectoryRows(), ctx(audience)).tabular();
      let rows = 0;
      for (const [table, records] of Object.entries(tables) as [HsdsTable, Record<string, unknown>[]][]) {
        const columns = hsdsColumns(table).map((c) => c.name);
        for (const record of records) {
          assert.deepEqual(Object.keys(record).filter((k) => !columns.includes(k)), [], `${table}: only its columns`);
          const cells = hsdsCsvCells(table, record);
          const row = Object.fromEntries(columns.map((c, i) => [c, cells[i]]));
          assert.deepEqual(v.validateCsvRow(HSDS_TABLES[table].path, row), [], `${table}: ${JSON.stringify(row)}`);
          rows++;
        }
      }
      assert.equal(tables.contact.length, audience === "staff" ? 1 : 0);
      assert.equal(tables.metadata.length, audience === "staff" ? 1 : 0);
      assert.equal(tables.phone.length, audience === "staff" ? 2 : 1);
      assert.equal(tables.attribute.length, 3, "the removed code's attribute is left out");
      assert.equal(tables.taxonomy_term.length, TAXONOMY_JA_TERMS.length + 1);
      assert.deepEqual(tables.unit, [{ id: unitId("人"), name: "人" }]);
      assert.ok(rows > 80, `rows: ${rows}`);
    });
  }

  test("datapackage.json: a tabular data package with one resource per CSV, typed fields, id keys", () => {
    const dp = hsdsDatapackage("中央区 地域資源", new Date("2027-01-20T00:00:00Z"));
    assert.equal(dp.profile, "tabular-data-package");
    assert.equal(dp.version, "3.1");
    assert.deepEqual(dp.resources.map((r) => r.path), Object.values(HSDS_TABLES).map((t) => t.path));
    const services = dp.resources.find((r) => r.name === "service")!;
    assert.deepEqual(services.schema.fields.find((f) => f.name === "last_modified"), { name: "last_modified", type: "datetime" });
    assert.deepEqual(services.schema.fields[0], { name: "id", type: "string", format: "uuid" });
    assert.deepEqual(services.schema.foreignKeys, [{ fields: "organization_id", reference: { resource: "organization", fields: "id" } }]);
    const terms = dp.resources.find((r) => r.name === "taxonomy_term")!;
    assert.deepEqual(terms.schema.foreignKeys[1], { fields: "parent_id", reference: { resource: "", fields: "id" } });
  });
});
