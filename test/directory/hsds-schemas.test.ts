/**
 * The HSDS 3.1 validator (test/support/hsds-validator.ts) on upstream's own
 * examples: they pass with additionalProperties:false everywhere, and the
 * validator fails on what it must catch (an invented field, a bad enum, a
 * non-UUID id, a CSV row missing a tabular-required column), so the tests that
 * use it to check our output can fail.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parse as parseCsv } from "csv-parse/sync";
import { csvColumns, HSDS_DIR, hsdsValidator } from "../support/hsds-validator.ts";

const example = (name: string) => JSON.parse(readFileSync(join(HSDS_DIR, "examples", name), "utf8"));

test("upstream's full examples are valid; an invented field, a bad status and a non-UUID id are not", () => {
  const v = hsdsValidator();
  assert.deepEqual(v.validate("service.json", example("service_full.json")), []);
  assert.deepEqual(v.validate("organization_with_services.json", example("organization_full.json")), []);
  assert.match(v.validate("organization.json", example("organization_full.json")).join("\n"), /services/, "the per-file schema has no services");
  assert.deepEqual(v.validate("service_at_location_with_service.json", example("service_at_location_full.json")), []);
  assert.deepEqual(v.validate("taxonomy_term.json", example("taxonomy_term.json")), []);
  assert.deepEqual(v.validate("taxonomy.json", example("taxonomy.json")), []);

  const service = example("service_full.json");
  assert.match(v.validate("service.json", { ...service, colour: "blue" }).join("\n"), /must NOT have additional properties.*colour/);
  // Closed in nested objects too: a schedule inside the service.
  const nested = structuredClone(service);
  nested.schedules[0].opens = "10:00";
  assert.match(v.validate("service.json", nested).join("\n"), /\/schedules\/0 must NOT have additional properties/);
  assert.match(v.validate("service.json", { ...service, status: "open" }).join("\n"), /\/status must be equal to one of the allowed values/);
  assert.match(v.validate("service.json", { ...service, id: "svc-1" }).join("\n"), /\/id must match format "uuid"/);
  const noName = { ...service };
  delete noName.name;
  assert.match(v.validate("service.json", noName).join("\n"), /must have required property 'name'/);
});

test("upstream's list pages are valid Pages of list items; a child array in a list item or a missing Page field is not", () => {
  const v = hsdsValidator();
  assert.deepEqual(v.validatePage("compiled/service_list.json", example("service_list.json")), []);
  assert.deepEqual(v.validatePage("compiled/organization_list.json", example("organization_list.json")), []);
  assert.deepEqual(v.validatePage("compiled/service_at_location_list.json", example("service_at_location_list.json")), []);
  assert.deepEqual(v.validatePage("taxonomy_term.json", example("taxonomy_term_list.json")), []);
  assert.deepEqual(v.validatePage("taxonomy.json", example("taxonomy_list.json")), []);
  const page = example("service_list.json");
  assert.match(v.validatePage("compiled/service_list.json", { ...page, contents: [{ ...page.contents[0], schedules: [] }] }).join("\n"),
    /\/contents\/0 must NOT have additional properties/);
  const noEmpty = { ...page };
  delete noEmpty.empty;
  assert.match(v.validatePage("compiled/service_list.json", noEmpty).join("\n"), /must have required property 'empty'/);
});

test("GET / : version, profile and openapi_url, all required, URIs", () => {
  const v = hsdsValidator();
  assert.deepEqual(v.validateRoot(example("base.json")), []);
  assert.match(v.validateRoot({ version: "3.1", profile: "not a uri", openapi_url: "https://x.example/openapi.json" }).join("\n"), /\/profile must match format "uri"/);
  assert.match(v.validateRoot({ version: "3.1", profile: "https://x.example/" }).join("\n"), /openapi_url/);
});

test("upstream's example CSVs: every row is valid; their headers are the schemas' columns in order", () => {
  const v = hsdsValidator();
  const csvDir = join(HSDS_DIR, "examples", "csv");
  let rows = 0;
  for (const file of readdirSync(csvDir).filter((f) => f.endsWith(".csv"))) {
    const schema = Object.values(v.files).find((s) => s.path === file);
    assert.ok(schema, `a schema for ${file}`);
    const text = readFileSync(join(csvDir, file), "utf8");
    const records = parseCsv(text, { columns: true, bom: true }) as Record<string, string>[];
    const header = (parseCsv(text, { to_line: 1 }) as string[][])[0];
    // Upstream's url.csv leaves out its two last columns; the rest are exactly the schema's, in order.
    assert.deepEqual(header, csvColumns(schema).slice(0, header.length), file);
    for (const r of records) {
      assert.deepEqual(v.validateCsvRow(file, r), [], `${file}: ${JSON.stringify(r)}`);
      rows++;
    }
  }
  assert.ok(rows >= 20, `rows checked: ${rows}`);
  // What a CSV row must not pass.
  const [service] = parseCsv(readFileSync(join(csvDir, "services.csv"), "utf8"), { columns: true }) as Record<string, string>[];
  assert.match(v.validateCsvRow("services.csv", { ...service, organization_id: "" }).join("\n"), /required property 'organization_id'/);
  assert.match(v.validateCsvRow("services.csv", { ...service, minimum_age: "twelve" }).join("\n"), /\/minimum_age must be number/);
  assert.match(v.validateCsvRow("services.csv", { ...service, schedules: "[]" }).join("\n"), /additional properties/);
});
