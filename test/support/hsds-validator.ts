/**
 * Validates HSDS 3.1 output against the vendored schemas (test/fixtures/hsds-3.1,
 * README there): Ajv 2020-12 with ajv-formats, `strict: false` (the schemas carry
 * non-JSON-Schema keywords: name, constraints, core, example, datapackage_*),
 * and `additionalProperties: false` set on every object schema in memory, as
 * upstream's CI does (`compiletojsonschema --set-additional-properties-false-everywhere`),
 * so a misspelt or invented field fails instead of passing silently.
 *
 * - `validate(name, value)`: a per-file schema ("service.json", whose `$ref`s to
 *   "attribute.json" etc. resolve to the other vendored files), a compiled list
 *   item ("compiled/service_list.json") or "organization_with_services.json"
 *   (organization.json + `services`, what upstream's compiled/organization.json
 *   describes for `/organizations/{id}`) or "service_at_location_with_service.json".
 * - `validatePage(itemSchema, value)`: an API list answer, the Page shape of
 *   openapi.json (every Page field required, as we always send them) with
 *   `contents` items of the given schema.
 * - `validateRoot(value)`: `GET /` (version, profile, openapi_url; all required).
 * - `validateCsvRow(file, row)`: one row of a tabular CSV (all cells text) against
 *   the per-file schema's columns (its non-array, non-object properties), with
 *   `required` + `tabular_required`: empty cells are absent, numbers are parsed.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export const HSDS_DIR = join(import.meta.dirname, "..", "fixtures", "hsds-3.1");
const SCHEMA_DIR = join(HSDS_DIR, "schema");

type Json = Record<string, unknown>;

/** A per-file HSDS schema as published (only the parts read here). */
export interface HsdsFileSchema {
  name: string;
  path: string;
  required?: string[];
  tabular_required?: string[];
  datapackage_metadata?: { order?: number };
  properties: Record<string, { type?: string; format?: string; $ref?: string; items?: unknown; enum?: string[] }>;
}

/** Sets additionalProperties:false on every object schema with properties that does not say otherwise. */
export function closeEverywhere<T>(schema: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== "object") return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node as Json)) {
      // Example values are data, not schemas.
      out[k] = k === "example" || k === "enum" || k === "const" || k === "default" ? v : walk(v);
    }
    if ((out.type === "object" || out.properties) && out.properties && !("additionalProperties" in out)) out.additionalProperties = false;
    return out;
  };
  return walk(schema) as T;
}

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, "utf8")) as Json;
}

/** The per-file schemas by file name ("service.json" → schema), unmodified. */
export function hsdsFileSchemas(): Record<string, HsdsFileSchema> {
  const out: Record<string, HsdsFileSchema> = {};
  for (const f of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith(".json") && f !== "openapi.json")) {
    out[f] = readJson(join(SCHEMA_DIR, f)) as unknown as HsdsFileSchema;
  }
  return out;
}

/** The openapi.json document, unmodified. */
export function hsdsOpenApi(): Json {
  return readJson(join(SCHEMA_DIR, "openapi.json"));
}

/** The columns of a per-file schema's CSV: its properties that are not arrays or objects, in schema order. */
export function csvColumns(schema: HsdsFileSchema): string[] {
  return Object.entries(schema.properties)
    .filter(([, p]) => p.type !== "array" && p.type !== "object" && !p.$ref)
    .map(([name]) => name);
}

export interface HsdsValidator {
  /** Error lines ("/path message"); empty when valid. */
  validate(name: string, value: unknown): string[];
  validatePage(itemSchema: string, value: unknown): string[];
  validateRoot(value: unknown): string[];
  validateCsvRow(file: string, row: Record<string, string>): string[];
  files: Record<string, HsdsFileSchema>;
}

let cached: HsdsValidator | undefined;

/** The validator (built once per process: compiling service.json takes ~0.1 s). */
export function hsdsValidator(): HsdsValidator {
  if (cached) return cached;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const files = hsdsFileSchemas();
  for (const [name, schema] of Object.entries(files)) ajv.addSchema(closeEverywhere(schema), name);
  for (const f of readdirSync(join(SCHEMA_DIR, "compiled"))) {
    ajv.addSchema(closeEverywhere(readJson(join(SCHEMA_DIR, "compiled", f))), `compiled/${f}`);
  }
  // /organizations/{id} answers upstream's compiled/organization.json (3.7 MB): the
  // organisation with its services. The same, built from the per-file schemas.
  const organization = files["organization.json"];
  ajv.addSchema(closeEverywhere({
    ...organization,
    properties: { ...organization.properties, services: { type: "array", items: { $ref: "service.json" } } },
  }), "organization_with_services.json");
  // Likewise compiled/service_at_location.json: the service at a location with its `service`
  // (upstream's leaves the service's own service_at_locations out; here they may appear).
  const serviceAtLocation = files["service_at_location.json"];
  ajv.addSchema(closeEverywhere({
    ...serviceAtLocation,
    properties: { ...serviceAtLocation.properties, service: { $ref: "service.json" } },
  }), "service_at_location_with_service.json");
  const openapi = hsdsOpenApi() as { components: { schemas: { Page: Json } }; paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: Json }> }> } }> };
  const page = openapi.components.schemas.Page as { properties: Json };
  const rootSchema = openapi.paths["/"].get.responses["200"].content["application/json"].schema as { properties: Json };
  ajv.addSchema(closeEverywhere({ ...rootSchema, required: Object.keys(rootSchema.properties) }), "api/root");

  const errorsOf = (validate: ReturnType<typeof ajv.compile>, value: unknown): string[] =>
    validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.keyword === "additionalProperties" ? `: ${JSON.stringify(e.params)}` : ""}`);
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  const get = (key: string, build: () => Json) => {
    let v = compiled.get(key);
    if (!v) {
      v = ajv.compile(build());
      compiled.set(key, v);
    }
    return v;
  };

  cached = {
    files,
    validate(name, value) {
      const v = ajv.getSchema(name);
      if (!v) throw new Error(`no HSDS schema ${name}`);
      return errorsOf(v, value);
    },
    validatePage(itemSchema, value) {
      if (!ajv.getSchema(itemSchema)) throw new Error(`no HSDS schema ${itemSchema}`);
      const v = get(`page:${itemSchema}`, () => ({
        type: "object",
        properties: { ...page.properties, contents: { type: "array", items: { $ref: itemSchema } } },
        required: [...Object.keys(page.properties), "contents"],
        additionalProperties: false,
      }));
      return errorsOf(v, value);
    },
    validateRoot(value) {
      return errorsOf(ajv.getSchema("api/root")!, value);
    },
    validateCsvRow(file, row) {
      const entry = Object.entries(files).find(([, s]) => s.path === file);
      if (!entry) throw new Error(`no HSDS schema for ${file}`);
      const [name, schema] = entry;
      const columns = csvColumns(schema);
      const v = get(`csv:${name}`, () => closeEverywhere({
        type: "object",
        properties: Object.fromEntries(columns.map((c) => [c, schema.properties[c]])),
        required: [...new Set([...(schema.required ?? []), ...(schema.tabular_required ?? [])])].filter((c) => columns.includes(c)),
      }));
      const value: Json = {};
      for (const [k, cell] of Object.entries(row)) {
        if (cell === "") continue;
        const type = schema.properties[k]?.type;
        value[k] = type === "number" || type === "integer" ? (Number.isNaN(Number(cell)) ? cell : Number(cell)) : type === "boolean" ? cell === "true" : cell;
      }
      return errorsOf(v, value);
    },
  };
  return cached;
}
