/**
 * An Open311 GeoReport v2 client exercise, with plain fetch as a GeoReport client
 * would: discover the services, fetch a definition, POST a request form-encoded
 * (attribute[code]=value) and as JSON, read its status; a wrong key is 403 in
 * GeoReport's error shape; reads never show the member, the address or the reporter.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`Open311 GeoReport v2 on ${kind}`, () => {
    let service: TestService;
    let base: string;
    let key: string;
    let partnerId: string;
    let shortCode: string;
    let memberId: string;
    before(async () => {
      service = await startTestService(kind);
      base = `${service.url}/open311/v2`;
      const member = await service.api("POST", "/members", memberBody({ address: "東京都大田区本町二丁目3番地4号" }));
      assert.equal(member.status, 201, JSON.stringify(member.body));
      memberId = member.body.id;
      const partner = (await service.api("POST", "/network/partners", { name: "本町新聞販売所", kind: "home_visit" })).body;
      partnerId = partner.id;
      shortCode = partner.shortCode;
      key = (await service.api("POST", `/network/partners/${partnerId}/key`)).body.key;
    });
    after(async () => {
      await service?.close();
    });

    const form = (fields: [string, string][]) => new URLSearchParams(fields).toString();

    test("a client discovers the services, reads a definition, posts form-encoded and JSON, and reads the status", async () => {
      const services = await (await fetch(`${base}/services.json`)).json() as any;
      assert.ok(Array.isArray(services));
      const concern = services.find((x: { service_code: string }) => x.service_code === "concern");
      assert.equal(concern.metadata, true);
      const definition = await (await fetch(`${base}/services/concern.json`)).json() as any;
      assert.equal(definition.service_code, "concern");
      const urgency = definition.attributes.find((a: { code: string }) => a.code === "urgency");
      assert.equal(urgency.datatype, "singlevaluelist");
      assert.equal(urgency.required, true);
      assert.deepEqual(urgency.values.map((v: { key: string }) => v.key), ["watch", "consult", "emergency"]);
      const signs = definition.attributes.find((a: { code: string }) => a.code === "signs");
      assert.equal(signs.datatype, "multivaluelist");
      assert.ok(signs.values.some((v: { key: string }) => v.key === "post_piling_up"));

      const posted = await fetch(`${base}/requests.json`, {
        method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form([["api_key", key], ["service_code", "concern"], ["attribute[urgency]", "watch"], ["attribute[signs][]", "post_piling_up"],
          ["attribute[signs][]", "lights_daytime"], ["address_string", "東京都大田区本町2-3-4"], ["description", "新聞が3日分たまっています"], ["first_name", "配達員"]]),
      });
      assert.equal(posted.status, 201, await posted.clone().text());
      const [created] = await posted.json() as any;
      assert.match(created.service_request_id, /^[0-9a-f-]{36}$/);

      const json = await fetch(`${base}/requests.json`, {
        method: "POST", headers: { "content-type": "application/json", "idempotency-key": "abc-1" },
        body: JSON.stringify({ api_key: key, service_code: "unwell", attribute: { urgency: "consult", signs: ["no_answer"], registration_number: "999999" }, lat: "35.56", long: "139.71" }),
      });
      assert.equal(json.status, 201, await json.clone().text());
      const [second] = await json.json() as any;
      const retry = await fetch(`${base}/requests.json`, {
        method: "POST", headers: { "content-type": "application/json", "idempotency-key": "abc-1" },
        body: JSON.stringify({ api_key: key, service_code: "unwell", attribute: { urgency: "consult" }, lat: "35.56", long: "139.71" }),
      });
      assert.equal(retry.status, 200);
      assert.equal(((await retry.json()) as any)[0].service_request_id, second.service_request_id);

      const read = await fetch(`${base}/requests/${created.service_request_id}.json?api_key=${encodeURIComponent(key)}`);
      assert.equal(read.status, 200);
      const [request] = await read.json() as any;
      assert.equal(request.status, "open");
      assert.equal(request.service_code, "concern");
      assert.deepEqual(request.extended_attributes, { urgency: "watch", outcome: null });
      const text = JSON.stringify(request);
      for (const personal of ["山田花子", "本町", "配達員", "新聞が3日分", memberId]) assert.ok(!text.includes(personal), `no ${personal} in ${text}`);

      const list = await (await fetch(`${base}/requests.json?api_key=${encodeURIComponent(key)}&service_request_id=${created.service_request_id},${second.service_request_id}`)).json() as any;
      assert.equal(list.length, 2);
      const open = await (await fetch(`${base}/requests.json?api_key=${encodeURIComponent(key)}&status=closed`)).json();
      assert.deepEqual(open, []);

      // The report was matched to the member by the normalised address, which the partner never sees.
      const stored = await service.store.db.selectFrom("network_reports").select(["member_id", "match", "reporter_name"]).where("id", "=", created.service_request_id).executeTakeFirstOrThrow();
      assert.deepEqual(stored, { member_id: memberId, match: "address", reporter_name: "配達員" });

      // Staff decide: the reporter reads "handled, thank you" — over GeoReport and on the form's status page — and nothing personal.
      const decided = await service.api("POST", `/network/reports/${created.service_request_id}/triage`, { outcome: "no_action", note: "山田花子さんは旅行中" });
      assert.equal(decided.status, 200, JSON.stringify(decided.body));
      const [closed] = await (await fetch(`${base}/requests/${created.service_request_id}.json?api_key=${encodeURIComponent(key)}`)).json() as any;
      assert.deepEqual([closed.status, closed.status_notes, closed.extended_attributes.outcome], ["closed", "確認しました。ご連絡ありがとうございました。", "no_action"]);
      const page = await (await fetch(`${service.url}/r/${shortCode}/s/${created.service_request_id}`)).text();
      assert.ok(page.includes("確認しました。ご連絡ありがとうございました。"), page);
      for (const personal of ["山田花子", "旅行中", "本町2-3-4", "配達員"]) {
        assert.ok(!JSON.stringify(closed).includes(personal), `no ${personal} over GeoReport`);
        assert.ok(!page.includes(personal), `no ${personal} on the status page`);
      }
    });

    test("a missing or wrong key is 403, bad input 400 naming the field, unknown 404 — in GeoReport's error shape, and nothing is stored", async () => {
      const count = async () => (await service.store.db.selectFrom("network_reports").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;
      const before = Number(await count());
      const post = (body: string, type = "application/x-www-form-urlencoded") => fetch(`${base}/requests.json`, { method: "POST", headers: { "content-type": type }, body });
      const cases: [Response, number, RegExp][] = [
        [await post(form([["service_code", "concern"], ["attribute[urgency]", "watch"], ["address_string", "x町1-1"]])), 403, /api_key/],
        [await post(form([["api_key", "o311_wrongwrongwrong"], ["service_code", "concern"], ["attribute[urgency]", "watch"], ["address_string", "x町1-1"]])), 403, /api_key/],
        [await post(form([["api_key", key], ["service_code", "concern"], ["attribute[urgency]", "soon"], ["address_string", "x町1-1"]])), 400, /attribute\[urgency\]/],
        [await post(form([["api_key", key], ["service_code", "potholes"], ["attribute[urgency]", "watch"], ["address_string", "x町1-1"]])), 400, /service_code/],
        [await post(form([["api_key", key], ["service_code", "concern"], ["attribute[urgency]", "watch"]])), 400, /address_string/],
        [await post("{not json", "application/json"), 400, /JSON/],
        [await fetch(`${base}/services/potholes.json`), 404, /service_code/],
        [await fetch(`${base}/requests/0190d6a0-0000-7000-8000-000000000000.json?api_key=${encodeURIComponent(key)}`), 404, /request/],
        [await fetch(`${base}/requests.json`), 403, /api_key/],
        // Text no field takes, in JSON (a NUL, a lone surrogate) or in a form (a line break in a one-line field): 400 naming the field.
        ...await Promise.all(([["description", "a\u0000b"], ["first_name", "\ud800"], ["address_string", "x\udc00"], ["service_code", "con\u0000cern"]] as const)
          .map(async ([field, value]): Promise<[Response, number, RegExp]> => [
            await post(`{"api_key":${JSON.stringify(key)},"service_code":"concern","attribute":{"urgency":"watch"},"address_string":"x町1-1","${field}":${JSON.stringify(value)}}`, "application/json"),
            400, new RegExp(`^${field.replace(/[[\]]/g, "\\$&")}: `)])),
        [await post(form([["api_key", key], ["service_code", "concern"], ["attribute[urgency]", "watch"], ["address_string", "x町1-1"], ["first_name", "配達\t員"]])), 400, /first_name/],
        [await post(form([["api_key", key], ["service_code", "concern"], ["attribute[urgency]", "watch"], ["address_string", "x町\n1-1"]])), 400, /address_string/],
        [await post(JSON.stringify({ api_key: key, service_code: "concern", attribute: { urgency: "watch" }, address_string: "x町1-1", requested_datetime: "0000-01-01T00:00:00Z" }), "application/json"), 400, /requested_datetime/],
        [await post(JSON.stringify({ api_key: key, service_code: "concern", attribute: { urgency: "watch" }, address_string: "x町1-1", requested_datetime: "1899-12-31T23:59:59Z" }), "application/json"), 400, /requested_datetime/],
      ];
      for (const [response, status, description] of cases) {
        assert.equal(response.status, status, response.url);
        const body = await response.json() as any;
        assert.ok(Array.isArray(body) && body[0].code === status, JSON.stringify(body));
        assert.match(body[0].description, description);
      }
      assert.equal(Number(await count()), before);
    });

    test("another partner's key does not read this partner's requests; a rotated key stops working", async () => {
      const other = (await service.api("POST", "/network/partners", { name: "別の店", kind: "shop" })).body.id;
      const otherKey = (await service.api("POST", `/network/partners/${other}/key`)).body.key;
      const [mine] = await (await fetch(`${base}/requests.json`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ api_key: key, service_code: "lost", attribute: { urgency: "watch" }, address_string: "どこか1-1" }),
      })).json() as any;
      const read = await fetch(`${base}/requests/${mine.service_request_id}.json?api_key=${encodeURIComponent(otherKey)}`);
      assert.equal(read.status, 404);
      const rotated = (await service.api("POST", `/network/partners/${partnerId}/key`)).body.key;
      assert.equal((await fetch(`${base}/requests.json?api_key=${encodeURIComponent(key)}`)).status, 403);
      assert.equal((await fetch(`${base}/requests.json?api_key=${encodeURIComponent(rotated)}`)).status, 200);
      key = rotated;
    });
  });
}
