/**
 * Walks every operation of the OpenAPI document with generated bad input
 * (fast-check): broken path parameters, query values and bodies built from each
 * operation's own schemas with wrong types, control characters, lone surrogates,
 * out-of-range numbers, dates and durations, unknown fields, wrong content types.
 * Every answer must be below 500, in our error shape with a documented code and
 * a documented status, and a refused request must leave every table as it was.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import fc from "fast-check";
import { sql } from "kysely";
import { ERROR_CODES } from "../../src/http/errors.ts";
import { AUDITED_REFUSALS } from "../../src/network/http/registration-numbers.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";

type Schema = {
  $ref?: string; type?: string | string[]; properties?: Record<string, Schema>; items?: Schema; enum?: unknown[]; const?: unknown;
  format?: string; minimum?: number; maximum?: number; anyOf?: Schema[]; oneOf?: Schema[]; default?: unknown; required?: string[];
};
type Operation = {
  method: string; path: string; operationId: string; query: Record<string, Schema>; body: Schema | undefined; statuses: string[];
};
type Sent = { method: string; url: string; body?: string | Uint8Array; contentType?: string; token?: string | null };

/** Runs per database: a few hundred requests, each checked against the data before and after. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 250);

const MISSING = "00000000-0000-4000-8000-000000000000";
/** In JSON text: an escaped C0 control other than tab, LF and CR, a C1 control, or an escaped lone surrogate. */
const UNTAKEABLE = /\\u00(?:0[0-8bcef]|1[0-9a-f])|[\u007f-\u009f]|\\ud[89a-f][0-9a-f]{2}/i;

// Characters no text field takes, beside ordinary ones, to build strings from.
const nasty = fc.constantFrom("\u0000", "\u0001", "\t", "\n", "\r", "\u007f", "\u0085", "\u009f", "\ud800", "\udc00", "\ufffe", "\u2028");
const ordinary = fc.constantFrom("a", "Z", "0", " ", "-", ":", "+", "%", "/", ".", "é", "字", "😀", "\\", "\"", "<", "'");
const some = fc.string({ unit: ordinary, maxLength: 6 });
const badText = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(some, nasty, fc.string({ unit: fc.oneof(nasty, ordinary), maxLength: 6 })).map((p) => p.join("")) },
  fc.constantFrom("", " ", "a".repeat(5000), "\u0000", "t\ud800", "\udc00", "null", "1e400", "-1", "__proto__", "constructor"),
);
const badDate = fc.constantFrom(
  "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1899-12-31T23:59:59Z", "2201-01-01T00:00:00Z", "-000001-01-01T00:00:00Z",
  "2027-02-30T00:00:00Z", "2027-01-05", "0000-01-01", "2300-01-01", "1800-01-01", "2027-13-01", "+275760-09-13T00:00:00Z",
);
const badDuration = fc.constantFrom("P99999999999D", "PT99999999999999999999H", "P401D", "PT0.0000001S", "P", "PT", "-PT1H", "P1Y", "P1W");
const badNumber = fc.constantFrom(-1, 0, 1.5, 1e308, -1e308, 2 ** 53, 2 ** 63, -0, 1e20, 6);
const wrongType = fc.constantFrom<unknown>(null, true, 1, "x", [], {}, [[]], { a: { b: { c: {} } } });
const badScalar = fc.oneof(badText, badDate, badDuration, badNumber, wrongType);

function resolveSchema(doc: { components?: { schemas?: Record<string, Schema> } }, schema: Schema | undefined): Schema | undefined {
  let s = schema;
  for (let i = 0; s?.$ref && i < 10; i++) s = doc.components?.schemas?.[s.$ref.split("/").at(-1) as string];
  return s;
}

function operationsOf(doc: any): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(item)) {
      const query = Object.fromEntries((op.parameters ?? []).filter((p: any) => p.in === "query").map((p: any) => [p.name, p.schema as Schema]));
      const body = resolveSchema(doc, op.requestBody?.content?.["application/json"]?.schema);
      ops.push({ method: method.toUpperCase(), path, operationId: op.operationId, query, body, statuses: Object.keys(op.responses ?? {}) });
    }
  }
  return ops;
}

for (const kind of databaseKinds()) {
  describe(`bad input over every operation on ${kind}`, () => {
    let service: TestService;
    let doc: any;
    let ids: string[] = [];
    let tables: string[] = [];
    before(async () => {
      service = await startTestService(kind);
      doc = await (await fetch(`${service.url}/api/v1/openapi.json`)).json();
      // Something to aim at: real ids of every kind, so bad input reaches past "no such member".
      const member = (await service.api("POST", "/members", memberBody())).body;
      const other = (await service.api("POST", "/members", memberBody())).body;
      const team = (await service.api("POST", "/teams", { name: "班" })).body;
      const group = (await service.api("POST", "/groups", { name: "組", memberIds: [member.id, other.id] })).body;
      const answer = (await service.api("POST", `/members/${other.id}/answers`, { answer: "need_contact" })).body;
      const broadcast = (await service.api("POST", "/broadcasts", { audience: { kind: "all" }, text: "地震です", question: true })).body;
      ids = [member.id, member.contacts[0].id, team.id, group.id, answer.incidentId, broadcast.id];
      assert.ok(ids.every((id) => typeof id === "string"), JSON.stringify(ids));
      // Let the engine finish what the seeding caused, so only requests change data from here on.
      assert.equal((await service.api("POST", "/sandbox/clock", { advance: "PT0S" })).status, 200);
      const r = await sql<{ name: string }>`select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(service.store.db);
      // Token rows may record their last use; everything else changes only when a request succeeds.
      tables = r.rows.map((t) => t.name).filter((t) => t !== "api_tokens");
      assert.ok(tables.includes("members") && tables.includes("audit_log"));
    });
    after(async () => {
      await service?.close();
    });

    /** One digest of every row of every table. */
    const snapshot = async () => {
      // A refused keyholder lookup is audited on purpose (who tried which number); nothing else a refusal may write.
      const refusals = Object.values(AUDITED_REFUSALS);
      const parts = tables.map((t) => sql`select ${t} as t, count(*)::int as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h
        from ${sql.table(t)} x ${t === "audit_log" ? sql`where x.action not in (${sql.join(refusals)})` : sql``}`);
      const r = await sql<{ t: string; n: number; h: string }>`${sql.join(parts, sql` union all `)}`.execute(service.store.db);
      return Object.fromEntries(r.rows.map((row) => [row.t, `${row.n}:${row.h}`]));
    };

    // Values that fields of these names take, so the rest of a body passes and the bad field is what is tested.
    const BY_NAME: Record<string, string> = {
      at: "09:00", timeZone: "Asia/Tokyo", after: "PT1H", interval: "PT10M", until: "2027-02-01", birthDate: "1950-01-01",
      advance: "PT1M", to: "2027-01-05T09:00:00+09:00", from: "a@example.jp", address: "sato", text: "お元気ですか", host: "smtp.example.jp",
    };
    const plausible = (schema: Schema | undefined, depth = 0, name = ""): fc.Arbitrary<unknown> => {
      const s = resolveSchema(doc, schema);
      if (!s || depth > 4) return fc.constant("x");
      if (s.enum) return fc.constantFrom(...s.enum);
      if (s.const !== undefined) return fc.constant(s.const);
      const variants = s.anyOf ?? s.oneOf;
      if (variants) return fc.oneof(...variants.map((v) => plausible(v, depth + 1)));
      const type = Array.isArray(s.type) ? s.type[0] : s.type;
      if (type === "object" && s.properties) {
        return fc.record(Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, plausible(v, depth + 1, k)])), { requiredKeys: s.required ?? [] });
      }
      if (type === "array") return fc.array(plausible(s.items, depth + 1), { maxLength: 2 });
      if (type === "integer" || type === "number") {
        const min = Math.ceil(s.minimum ?? 0);
        return fc.integer({ min, max: Math.max(min, Math.min(Math.floor(s.maximum ?? 10), 10)) });
      }
      if (type === "boolean") return fc.boolean();
      if (s.format === "uuid") return fc.constantFrom(...ids, MISSING);
      if (s.format === "date-time") return fc.constant("2027-01-05T09:00:00+09:00");
      return BY_NAME[name] !== undefined ? fc.constant(BY_NAME[name]) : fc.constantFrom("ok", "見守り班", "sandbox");
    };

    /** An object for `schema` where at least one field (at any depth) is bad, sometimes with an unknown field. */
    const badBody = (schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> => {
      const s = resolveSchema(doc, schema);
      const type = s && (Array.isArray(s.type) ? s.type[0] : s.type);
      if (!s || depth > 3) return badScalar;
      // Text fields mostly get bad text, so it reaches the database when nothing else is wrong.
      if (type === "string" && !s.enum && !s.format) return fc.oneof({ weight: 4, arbitrary: badText }, { weight: 1, arbitrary: badScalar });
      if (type === "array") return fc.oneof(badScalar, fc.array(badBody(s.items, depth + 1), { minLength: 1, maxLength: 3 }));
      if (type !== "object" || !s.properties || !Object.keys(s.properties).length) return badScalar;
      const props = s.properties;
      const names = Object.keys(props);
      return fc.tuple(
        fc.constantFrom(...names),
        fc.record(Object.fromEntries(names.map((k) => [k, plausible(props[k], depth + 1, k)])), { requiredKeys: s.required ?? [] }),
        fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.tuple(badText.filter((k) => k !== "__proto__"), badScalar) }),
      ).chain(([target, rest, unknown]) => badBody(props[target], depth + 1).map((bad) => ({
        ...rest, [target]: bad, ...(unknown ? { [unknown[0]]: unknown[1] } : {}),
      })));
    };

    const pathValue = () => fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...ids) },
      fc.constantFrom(MISSING, "not-an-id", "a".repeat(101), "a".repeat(2000), "%ED%A0%80", "%00", "%", "%zz", "..", "%2F", "null", "%C0%AF", "%F0%9F%98"),
      badText.map((t) => encodeURIComponent(t.toWellFormed())),
    );
    const queryValue = fc.oneof(
      badText.map((t) => encodeURIComponent(t.toWellFormed())),
      badText.filter((t) => !t.isWellFormed()).map(() => "%ED%A0%80"),
      badDate.map(encodeURIComponent), badDuration.map(encodeURIComponent), badNumber.map(String),
      fc.constantFrom("99999999999999999999999", "9223372036854775808", "-1", "0", "", "%00", "1e400", "NaN", "Infinity", "0x10", "true"),
    );

    const request = (op: Operation): fc.Arbitrary<Sent> => {
      const segments = op.path.split("/").map((part) => (part.startsWith("{") ? pathValue() : fc.constant(part)));
      const url = fc.tuple(...segments).map((parts) => parts.join("/"));
      const queryNames = [...Object.keys(op.query), "unknownParam"];
      const query = fc.oneof(
        { weight: 2, arbitrary: fc.constant([] as [string, string][]) },
        { weight: 1, arbitrary: fc.array(fc.tuple(fc.constantFrom(...queryNames), queryValue), { minLength: 1, maxLength: 3 }) },
      ).map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join("&")}` : ""));
      const json = (op.body ? badBody(op.body) : fc.oneof(badScalar, fc.constant({ x: 1 }))).map((v) => JSON.stringify(v) ?? "null");
      const body: fc.Arbitrary<Pick<Sent, "body" | "contentType">> = ["GET"].includes(op.method)
        ? fc.constant({})
        : fc.oneof(
          { weight: 6, arbitrary: json.map((b) => ({ body: b, contentType: "application/json" })) },
          { weight: 1, arbitrary: fc.constantFrom("", "{", "{\"a\":", "[1,]", "nul", "{\"__proto__\":{\"x\":1}}", "{\"constructor\":{\"prototype\":{}}}", "\"\\ud800\"")
            .map((b) => ({ body: b, contentType: "application/json" })) },
          { weight: 1, arbitrary: fc.tuple(json, fc.constantFrom("text/plain", "application/x-www-form-urlencoded", "application/xml", "application/json; charset=latin1"))
            .map(([b, contentType]) => ({ body: b, contentType })) },
          { weight: 1, arbitrary: fc.constant({ body: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), contentType: "application/json" }) },
        );
      const token = fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(null, "wrong", "a\u0085b") });
      return fc.tuple(url, query, body, token).map(([u, q, b, t]) => ({ method: op.method, url: `${u}${q}`, ...b, token: t }));
    };

    test(`generated bad requests (at least ${RUNS}, three per operation) over every operation: no 5xx, our error shape, nothing changed`, async () => {
      const ops = operationsOf(doc);
      // Operations are drawn at random: three draws per operation reach about 95% of them (1 − e⁻³), whatever their number.
      const runs = Math.max(RUNS, ops.length * 3);
      assert.ok(ops.length >= 60, `every operation is walked (${ops.length})`);
      assert.ok(ops.every((op) => op.operationId), "every operation has an operationId");
      const walked = new Set<string>();
      const statuses = new Map<number, number>();
      let baseline = await snapshot();
      await fc.assert(fc.asyncProperty(fc.constantFrom(...ops).chain((op) => request(op).map((sent) => ({ op, sent }))), async ({ op, sent }) => {
        walked.add(op.operationId);
        const headers: Record<string, string> = {};
        if (sent.token !== null) headers.authorization = `Bearer ${sent.token ?? service.token}`;
        if (sent.contentType) headers["content-type"] = sent.contentType;
        const response = await fetch(`${service.url}${sent.url}`, { method: sent.method, headers, ...(sent.body !== undefined ? { body: sent.body } : {}) });
        // An event stream that was accepted stays open: what matters is that it was accepted, not its endless body.
        const stream = response.headers.get("content-type")?.startsWith("text/event-stream");
        if (stream) await response.body?.cancel();
        const text = stream ? "" : await response.text();
        const what = `${sent.method} ${sent.url} ${typeof sent.body === "string" ? sent.body.slice(0, 300) : sent.body ? "<bytes>" : ""} → ${response.status} ${text.slice(0, 400)}`;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        assert.ok(response.status < 500, what);
        // No field takes NUL, other control characters (tab and line breaks aside) or lone surrogates.
        if (typeof sent.body === "string" && UNTAKEABLE.test(sent.body)) assert.ok(response.status >= 400, `accepted text no field takes: ${what}`);
        if (response.status >= 400) {
          const body = JSON.parse(text);
          assert.ok(body.error && typeof body.error.message === "string", what);
          assert.ok(body.error.code in ERROR_CODES, `undocumented code: ${what}`);
          assert.ok(body.error.field === undefined || typeof body.error.field === "string", what);
          assert.ok(body.error.fields === undefined || (Array.isArray(body.error.fields) && body.error.fields.length > 0), what);
          const status = String(response.status);
          // A path that names no operation (a broken id segment can split it) answers 404 from the router.
          if (response.status !== 404) assert.ok(op.statuses.includes(status) || op.statuses.includes(`${status[0]}XX`), `undocumented status: ${what}`);
          assert.deepEqual(await snapshot(), baseline, `a refused request changed data: ${what}`);
        } else {
          // What an accepted request queued (a message, a dispatch) the engine carries out meanwhile: let it finish first.
          assert.equal((await service.api("POST", "/sandbox/clock", { advance: "PT0S" })).status, 200);
          baseline = await snapshot();
        }
      }), { numRuns: runs, seed: process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined, endOnFailure: true });
      // Most operations were reached, and most requests were refused (the generator makes bad input; a bare GET is fine).
      assert.ok(walked.size >= Math.min(ops.length, runs) * 0.8, `walked ${walked.size} of ${ops.length} operations`);
      const refused = [...statuses].filter(([s]) => s >= 400).reduce((n, [, c]) => n + c, 0);
      assert.ok(refused >= runs * 0.6, `refused ${refused} of ${runs}: ${JSON.stringify([...statuses])}`);
    });
  });
}
