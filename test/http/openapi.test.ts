/**
 * The OpenAPI document clients rely on: an operationId on every operation, the
 * real success status with its schema, error answers in the one Error schema
 * with every stable code, and the service's own address as server.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { errorCodes } from "../../src/http/errors.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";

for (const kind of databaseKinds()) {
  describe(`the OpenAPI document on ${kind}`, () => {
    let service: TestService;
    let doc: any;
    before(async () => {
      service = await startTestService(kind);
      const r = await fetch(`${service.url}/api/v1/openapi.json`);
      assert.equal(r.status, 200);
      doc = await r.json();
    });
    after(async () => {
      await service?.close();
    });

    const operations = () => Object.entries<Record<string, any>>(doc.paths)
      .flatMap(([path, item]) => Object.entries<any>(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })));

    test("every operation has a unique operationId, a success answer with its schema, and its error answers", () => {
      const ops = operations();
      assert.ok(ops.length >= 60, `${ops.length} operations`);
      const ids = ops.map(({ op }) => op.operationId);
      assert.ok(ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z]+$/.test(id)), JSON.stringify(ids));
      assert.equal(new Set(ids).size, ids.length, "operationIds are unique");
      for (const { key, op } of ops) {
        const success = Object.keys(op.responses).filter((s) => s.startsWith("2"));
        assert.equal(success.length > 0, true, `${key} documents a success answer`);
        for (const status of success) {
          if (status === "204") assert.equal(op.responses[status].content, undefined, `${key} 204 has no body`);
          // JSON everywhere, but for event streams (GET /today/events), documented as text/event-stream.
          else assert.ok(op.responses[status].content?.["application/json"]?.schema ?? op.responses[status].content?.["text/event-stream"]?.schema, `${key} ${status} has a schema`);
        }
        for (const status of ["400", "401", "403", "4XX"]) {
          assert.equal(op.responses[status]?.content?.["application/json"]?.schema?.$ref, "#/components/schemas/Error", `${key} ${status}`);
        }
      }
    });

    test("statuses are the real ones, and the server is this service", () => {
      assert.deepEqual(Object.keys(doc.paths["/api/v1/members"].post.responses).filter((s) => s.startsWith("2")), ["201"]);
      assert.equal(doc.paths["/api/v1/members"].post.responses["201"].content["application/json"].schema.$ref, "#/components/schemas/MemberCreated");
      assert.deepEqual(Object.keys(doc.paths["/api/v1/members/{id}/answers"].post.responses).filter((s) => s.startsWith("2")).sort(), ["200", "201"]);
      assert.ok(doc.paths["/api/v1/members/{id}"].delete.responses["204"]);
      assert.ok(doc.paths["/api/v1/members/{id}"].get.responses["404"]);
      assert.deepEqual(doc.servers, [{ url: service.url, description: "this service" }]);
    });

    test("every error code is in the Error schema and in the README", () => {
      const error = doc.components.schemas.Error;
      assert.deepEqual([...error.properties.error.properties.code.enum].sort(), Object.keys(errorCodes()).sort(), "the core's codes and those of the contexts (the network's)");
      const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
      const api = readme.slice(readme.indexOf("## API"), readme.indexOf("## Tests"));
      for (const code of Object.keys(errorCodes())) assert.ok(api.includes(`\`${code}\``), `README's API section lists ${code}`);
    });

    test("every component schema is used", () => {
      const text = JSON.stringify({ ...doc, components: { ...doc.components, schemas: {} } }) + JSON.stringify(doc.components.schemas);
      assert.ok(Object.keys(doc.components.schemas).length > 10, "the schemas are named components");
      for (const name of Object.keys(doc.components.schemas)) {
        assert.ok(text.includes(`"#/components/schemas/${name}"`), `${name} is referred to`);
      }
    });
  });
}
