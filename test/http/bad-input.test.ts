/**
 * Bad input of every kind gets a 4xx in our shape and changes nothing: text with
 * NUL, control characters or lone surrogates, out-of-range dates, durations and
 * cursors, broken URLs, over-long parameters, bodies where none belongs, and
 * Fastify's own errors (content type, size, empty or broken JSON).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { LINE_SECRET, startLineFixture } from "../support/line-fixture.ts";
import { postWebhook, text } from "../support/line-webhook.ts";
import { memberBody } from "../support/sandbox.ts";

const MISSING = "00000000-0000-4000-8000-000000000000";

for (const kind of databaseKinds()) {
  describe(`bad input on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    /** A request with a raw body (JSON text written by the test, so escapes like \udc00 reach the server as sent). */
    const raw = async (method: string, path: string, body?: string, contentType = "application/json") => {
      const response = await fetch(`${service.url}${path.startsWith("/api") || path.startsWith("/webhooks") ? "" : "/api/v1"}${path}`, {
        method,
        headers: { authorization: `Bearer ${service.token}`, ...(body !== undefined ? { "content-type": contentType } : {}) },
        ...(body !== undefined ? { body } : {}),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    };
    const counts = async () => {
      const r = await sql<{ teams: number; members: number; channel_configs: number }>`select
        (select count(*)::int from teams) as teams, (select count(*)::int from members) as members,
        (select count(*)::int from channel_configs) as channel_configs`.execute(service.store.db);
      return r.rows[0];
    };
    const assertError = (r: { status: number; body: any }, status: number, code: string, field?: string, fieldCode?: string) => {
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.error.code, code, JSON.stringify(r.body));
      assert.equal(typeof r.body.error.message, "string");
      if (field !== undefined) assert.equal(r.body.error.field, field, JSON.stringify(r.body));
      if (fieldCode !== undefined) assert.equal(r.body.error.fields[0].code, fieldCode, JSON.stringify(r.body));
    };

    test("text with NUL, other control characters or lone surrogates is refused naming the field; nothing is stored", async () => {
      const before = await counts();
      assertError(await raw("POST", "/teams", '{"name":"a\\u0000b"}'), 400, "invalid_request", "name", "control_character");
      assertError(await raw("POST", "/teams", '{"name":"t\\ud800"}'), 400, "invalid_request", "name", "lone_surrogate");
      assertError(await raw("POST", "/teams", '{"name":"a\\tb"}'), 400, "invalid_request", "name", "control_character");
      assertError(await raw("POST", "/teams", '{"name":"a\\u0085b"}'), 400, "invalid_request", "name", "control_character");
      const member = JSON.stringify(memberBody()).replace(/}$/, ',"medicalNotes":"\\udc00"}');
      assertError(await raw("POST", "/members", member), 400, "invalid_request", "medicalNotes", "lone_surrogate");
      // Credentials with NUL never reach the sealed store.
      assertError(await raw("PUT", "/channels/line", '{"channelSecret":"abcdefgh\\u0000","channelAccessToken":"abcdefghijk"}'), 400,
        "invalid_request", "channelSecret", "control_character");
      // Unknown keys holding NUL are refused without echoing them.
      assertError(await raw("POST", "/teams", '{"name":"a","x\\u0000":1}'), 400, "invalid_request", "<key>", "control_character");
      // Query strings and path parameters too.
      assertError(await raw("GET", "/incidents?status=%00"), 400, "invalid_request", "querystring.status", "control_character");
      assertError(await raw("GET", "/members/%00"), 400, "invalid_request", "params.id", "control_character");
      assert.deepEqual(await counts(), before);
    });

    test("multi-line fields keep their line breaks; single-line text is trimmed", async () => {
      const team = await service.api("POST", "/teams", { name: "  見守り班\n" });
      assert.equal(team.status, 201, JSON.stringify(team.body));
      assert.equal(team.body.name, "見守り班");
      const member = await service.api("POST", "/members", memberBody({ medicalNotes: "糖尿病\n\t朝食後に服薬" }));
      assert.equal(member.status, 201, JSON.stringify(member.body));
      assert.equal(member.body.medicalNotes, "糖尿病\n\t朝食後に服薬");
    });

    test("dates, durations, cursors and numbers out of range get 400 naming the field", async () => {
      const member = (await service.api("POST", "/members", memberBody())).body;
      const cases: [string, string, string | undefined, string, string][] = [
        ["GET", "/sandbox/outbox?since=99999999999999999999999", undefined, "querystring.since", "out_of_range"],
        ["GET", "/sandbox/outbox?since=9223372036854775808", undefined, "querystring.since", "out_of_range"],
        ["GET", "/sandbox/outbox?since=-1", undefined, "querystring.since", "invalid_format"],
        ["POST", "/sandbox/clock", '{"advance":"P99999999999D"}', "advance", "out_of_range"],
        ["POST", "/sandbox/clock", '{"advance":"P401D"}', "advance", "out_of_range"],
        ["POST", "/sandbox/clock", '{"to":"9999-01-01T00:00:00Z"}', "to", "out_of_range"],
        ["GET", `/members/${member.id}/observations?since=0000-01-01T00:00:00Z`, undefined, "querystring.since", "out_of_range"],
        ["POST", `/members/${member.id}/pause`, '{"reason":"travel","until":"2300-01-01"}', "until", "out_of_range"],
        ["PATCH", `/members/${member.id}`, '{"birthDate":"1899-12-31"}', "birthDate", "out_of_range"],
        ["PUT", "/escalation-policy", '{"standard":{"steps":[{"after":"P500D","action":"resend"}]}}', "standard.steps.0.after", "out_of_range"],
        ["GET", "/members?limit=100000", undefined, "querystring.limit", "too_big"],
        // An outbox page is built in memory: at most 2,000 messages (issue 9 §8, service RSS).
        ["GET", "/sandbox/outbox?limit=2001", undefined, "querystring.limit", "too_big"],
        ["GET", "/members?limit=1e400", undefined, "querystring.limit", "invalid_type"],
        ["GET", "/members?limit=0", undefined, "querystring.limit", "too_small"],
      ];
      const before = await counts();
      for (const [method, path, body, field, code] of cases) {
        assertError(await raw(method, path, body), 400, "invalid_request", field, code);
      }
      assert.deepEqual(await counts(), before);
      const clock = await service.api("GET", "/sandbox/clock");
      assert.equal(clock.body.now, "2027-01-03T23:00:00.000Z", "the refused clock moves moved nothing");
      const observations = await raw("GET", `/members/${member.id}/observations?since=1900-01-01T00:00:00Z`);
      assert.equal(observations.status, 200, JSON.stringify(observations.body));
    });

    test("every failing field is reported, and every failing member of a bulk request", async () => {
      const empty = await service.api("POST", "/members", {});
      assertError(empty, 400, "invalid_request");
      assert.deepEqual(empty.body.error.fields.map((f: { field: string }) => f.field).sort(), ["channels", "displayName", "plan"]);
      assert.ok(empty.body.error.fields.every((f: { code: string }) => f.code === "required"));
      const members = [{ ...memberBody(), displayName: "" }, memberBody(), { ...memberBody(), plan: { every: "1d", at: "9am" }, colour: "red" }];
      const bulk = await service.api("POST", "/members/bulk", { members });
      assertError(bulk, 400, "invalid_request", "members.0.displayName", "too_small");
      assert.deepEqual(bulk.body.error.fields.map((f: { field: string; code: string }) => `${f.field}:${f.code}`).sort(),
        ["members.0.displayName:too_small", "members.2.colour:unknown_field", "members.2.plan.at:invalid"]);
      const before = await counts();
      const missing = await service.api("POST", "/members/bulk", {
        members: [{ ...memberBody(), teamId: MISSING }, memberBody(), { ...memberBody(), groupIds: [MISSING] }],
      });
      assertError(missing, 422, "unknown_reference", "members.0.teamId");
      assert.deepEqual(missing.body.error.fields.map((f: { field: string }) => f.field), ["members.0.teamId", "members.2.groupIds.0"]);
      assert.deepEqual(await counts(), before);
    });

    test("operations without a body take none or {}, and refuse anything else", async () => {
      const member = (await service.api("POST", "/members", memberBody())).body;
      assert.equal((await raw("POST", `/members/${member.id}/resume`)).status, 200);
      assert.equal((await raw("POST", `/members/${member.id}/resume`, "{}")).status, 200);
      assert.equal((await raw("POST", `/members/${member.id}/resume`, "")).status, 200, "an empty JSON body is no body");
      assertError(await raw("POST", `/members/${member.id}/resume`, '{"a":1}'), 400, "body_not_allowed", "body");
      assertError(await raw("POST", `/members/${member.id}/resume`, "[]"), 400, "body_not_allowed", "body");
      const team = (await service.api("POST", "/teams", { name: "空の班" })).body;
      assertError(await raw("DELETE", `/teams/${team.id}`, '{"force":true}'), 400, "body_not_allowed");
      assert.equal((await service.api("GET", `/teams/${team.id}`)).status, 200, "the refused delete deleted nothing");

      const answer = await service.api("POST", `/members/${member.id}/answers`, { answer: "need_contact", note: "二行の\nメモ" });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      const ack = await raw("POST", `/incidents/${answer.body.incidentId}/ack`);
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      assert.equal(ack.body.status, "acknowledged");
    });

    test("a PUT or PATCH without a body is refused and changes nothing; a PUT of no policy at all too", async () => {
      const member = (await service.api("POST", "/members", memberBody())).body;
      const team = (await service.api("POST", "/teams", { name: "方針の班" })).body;
      const custom = { standard: { steps: [{ after: "PT12H", action: "resend" }] } };
      assert.equal((await service.api("PUT", "/escalation-policy", custom)).status, 200);
      assert.equal((await service.api("PUT", `/teams/${team.id}/escalation-policy`, custom)).status, 200);
      for (const [method, path] of [["PUT", "/escalation-policy"], ["PUT", `/teams/${team.id}/escalation-policy`], ["PATCH", `/members/${member.id}`],
        ["PATCH", `/teams/${team.id}`], ["PATCH", "/organisation"]]) {
        assertError(await raw(method, path), 400, "invalid_request", "body", "required");
        assertError(await raw(method, path, ""), 400, "invalid_request", "body", "required");
      }
      // `{}` would return both kinds to the built-ins without saying so: DELETE is the way.
      assertError(await raw("PUT", "/escalation-policy", "{}"), 400, "invalid_request", "standard", "invalid");
      assertError(await raw("PUT", `/teams/${team.id}/escalation-policy`, "{}"), 400, "invalid_request", "standard");
      const saved = await service.api("GET", "/escalation-policy");
      assert.equal(saved.body.customised, true);
      assert.deepEqual(saved.body.standard.steps, custom.standard.steps, "the refused PUTs left the saved policy");
      assert.deepEqual((await service.api("GET", `/teams/${team.id}/escalation-policy`)).body.teamOverride, custom);
    });

    test("a policy's every bad field is named at once, each with a documented field code", async () => {
      const r = await raw("PUT", "/escalation-policy", '{"standard":{"ackReminderAfter":"soon","ackTimeout":"P30D"},"phone":{"steps":[{"after":"PT1H","action":"notify_contact"}]}}');
      assertError(r, 400, "invalid_request");
      const named = r.body.error.fields.map((f: { field: string; code: string }) => `${f.field}:${f.code}`).sort();
      assert.deepEqual(named, ["standard.ackReminderAfter:invalid_format", "standard.ackTimeout:out_of_range", "standard.steps:required"]);
      // Rules across fields are checked once the fields are well-formed, every problem named.
      const cross = await service.api("PUT", "/escalation-policy", {
        standard: { steps: [{ after: "PT1H", action: "notify_contact" }], ackReminderAfter: "PT8H", ackTimeout: "PT6H" },
        phone: { steps: [{ after: "PT1H", action: "resend", repeat: true }] },
      });
      assertError(cross, 400, "invalid_request");
      assert.deepEqual(cross.body.error.fields.map((f: { field: string; code: string }) => `${f.field}:${f.code}`),
        ["standard.ackReminderAfter:invalid", "standard.steps.0.contact:invalid", "phone.steps.0.repeat:invalid"]);
      // A refusal naming one field without its own code uses `invalid`, never the request's code.
      const documented = new Set(["required", "invalid_type", "too_small", "too_big", "invalid_format", "invalid_value", "unknown_field",
        "control_character", "lone_surrogate", "out_of_range", "unknown_reference", "invalid"]);
      const single = await service.api("POST", "/members/bulk", { members: [] });
      for (const f of [...r.body.error.fields, ...cross.body.error.fields, ...(single.body.error?.fields ?? [])]) assert.ok(documented.has(f.code), f.code);
    });

    test("a GET with a body is refused; so is a query string with broken percent-encoding", async () => {
      const { request } = await import("node:http");
      const getWithBody = (path: string, body: string) => new Promise<{ status: number; body: any }>((resolve, reject) => {
        const req = request(`${service.url}/api/v1${path}`, {
          method: "GET", headers: { authorization: `Bearer ${service.token}`, "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        }, (res) => {
          let text = "";
          res.on("data", (d) => { text += d; });
          res.on("end", () => resolve({ status: res.statusCode as number, body: JSON.parse(text) }));
        });
        req.on("error", reject);
        req.end(body);
      });
      assertError(await getWithBody("/members", '{"q":"x"}'), 400, "body_not_allowed", "body");
      assertError(await getWithBody("/teams", "{not json"), 400, "body_not_allowed", "body");
      assertError(await getWithBody("/teams", "x".repeat(1024 * 1024)), 400, "body_not_allowed", "body");
      for (const q of ["%E0%A4%A", "%zz", "%ED%A0%80", "%C0%AF"]) {
        const r = await raw("GET", `/members?q=${q}`);
        assertError(r, 400, "invalid_url", "querystring.q", "invalid_format");
        assertError(await raw("GET", `/audit-log?actor=${q}`), 400, "invalid_url", "querystring.actor");
      }
      assertError(await raw("GET", "/members?q=ok&limit=%zz"), 400, "invalid_url", "querystring.limit");
      // Well-formed encodings still read as they always did: UTF-8 text, + as a space, repeated names.
      const found = await raw("GET", `/members?q=${encodeURIComponent("山田 花子")}`);
      assert.equal(found.status, 200, JSON.stringify(found.body));
      assert.equal((await raw("GET", "/members?q=a+b")).status, 200);
    });

    test("single-line text refuses the Unicode line and paragraph separators; multi-line text keeps them", async () => {
      const before = await counts();
      assertError(await raw("POST", "/teams", '{"name":"a\u2028b"}'), 400, "invalid_request", "name", "control_character");
      assertError(await raw("POST", "/teams", '{"name":"a\u2029b"}'), 400, "invalid_request", "name", "control_character");
      assert.deepEqual(await counts(), before);
      const member = await service.api("POST", "/members", memberBody({ medicalNotes: "一行目\u2028二行目" }));
      assert.equal(member.status, 201, JSON.stringify(member.body));
    });

    test("Fastify's own refusals come in our shape", async () => {
      const before = await counts();
      assertError(await raw("GET", "/api/v1/members/%ED%A0%80"), 400, "invalid_url");
      assertError(await raw("GET", `/members/${"a".repeat(101)}`), 400, "invalid_request", "params.id", "invalid_format");
      assertError(await raw("GET", `/members/${"a".repeat(1001)}`), 414, "path_too_long");
      assertError(await raw("POST", "/teams", "{not json"), 400, "invalid_json");
      assertError(await raw("POST", "/teams", '{"__proto__":{"x":1},"name":"a"}'), 400, "invalid_json");
      assertError(await raw("POST", "/teams", ""), 400, "invalid_request", "name", "required");
      const media = await raw("POST", "/teams", "name=a", "text/plain");
      assertError(media, 415, "unsupported_media_type");
      assert.match(media.body.error.message, /application\/json/);
      assertError(await raw("POST", "/teams", '{"name":"caf\u00e9"}', "application/json; charset=latin1"), 415, "unsupported_media_type", "content-type");
      // A webhook outside the API is not told to send JSON: it takes its provider's form encoding.
      const webhook = await raw("POST", `/webhooks/twilio/${MISSING}/voice`, "{}");
      assertError(webhook, 415, "unsupported_media_type");
      assert.doesNotMatch(webhook.body.error.message, /send the body as application\/json/);
      assertError(await raw("POST", "/teams", JSON.stringify({ name: "x".repeat(9 * 1024 * 1024) })), 413, "body_too_large");
      assertError(await raw("GET", "/nowhere"), 404, "not_found");
      // Refused by Node's HTTP parser before Fastify: still our shape.
      const huge = await fetch(`${service.url}/api/v1/members`, { headers: { authorization: `Bearer ${service.token}`, "x-pad": "a".repeat(64 * 1024) } });
      assertError({ status: huge.status, body: await huge.json() }, 431, "headers_too_large");
      const { connect } = await import("node:net");
      const url = new URL(service.url);
      const reply = await new Promise<string>((resolve) => {
        let text = "";
        const socket = connect(Number(url.port), url.hostname, () => socket.write("GET /api/v1/members HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"));
        socket.on("data", (d) => { text += d.toString(); });
        // The server closes the connection after its answer (a reset may follow it).
        socket.on("close", () => resolve(text));
        socket.on("error", () => resolve(text));
      });
      assert.match(reply, /^HTTP\/1\.1 400 /);
      assert.equal(JSON.parse(reply.slice(reply.indexOf("\r\n\r\n") + 4)).error.code, "bad_request");
      assert.deepEqual(await counts(), before);
      assert.equal((await raw("POST", "/teams", '{"name":"utf8の班"}', "application/json; charset=UTF-8")).status, 201, "UTF-8 declared is read");
    });
  });

  test(`a signed LINE message holding NUL and a lone surrogate is stored with U+FFFD, not refused (${kind})`, async () => {
    const fixture = await startLineFixture(kind);
    try {
      const r = await postWebhook(fixture.service.url, fixture.organisationId, LINE_SECRET, [text("U0123456789abcdef0123456789abcdef", "a\u0000b\udc00c")]);
      assert.equal(r.status, 200, await r.text());
      const rows = await sql<{ payload: { event: { message: { text: string } } } }>`select payload from inbound`.execute(fixture.service.store.db);
      assert.equal(rows.rows.length, 1);
      assert.equal(rows.rows[0].payload.event.message.text, "a\ufffdb\ufffdc");
    } finally {
      await fixture.close();
    }
  });
}
