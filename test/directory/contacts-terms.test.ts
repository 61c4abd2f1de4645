/**
 * HSDS contacts and phones, and the organisation's own taxonomy terms (issue 14),
 * on both databases: numbers read as people type them and kept in E.164, shown
 * in national form; every change in the record's history; bad input refused
 * naming the field with nothing written; the public page's `tel:` link falls back
 * from the service to its location to its provider; the public HSDS API shows
 * service phones (with languages, schema-valid) and never a contact person;
 * own terms appear in the taxonomy, matching, the HSDS API and the export of their
 * organisation only; a term in use is retired, not deleted.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { REDACTED } from "../../src/http/privacy.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { hsdsValidator } from "../support/hsds-validator.ts";

const v = hsdsValidator();

for (const kind of databaseKinds()) {
  describe(`directory contacts, phones and own terms on ${kind}`, () => {
    let service: TestService;
    let admin: string;
    let staff: string;
    let observer: string;
    let org: string;
    let providerId: string;
    let serviceId: string;
    let locationId: string;
    let other: { token: string; org: string };
    before(async () => {
      service = await startTestService(kind, { MIMAMORI_ENGINE: "0" });
      admin = service.token;
      const token = async (role: string) => (await service.api("POST", "/tokens", { name: role, role })).body.token as string;
      staff = await token("staff");
      observer = await token("observer");
      org = (await service.api("GET", "/organisation")).body.id;
      providerId = (await service.api("POST", "/directory/organizations", { name: "本町社会福祉協議会" }, staff)).body.id;
      const s = await service.api("POST", "/directory/services", { directoryOrganizationId: providerId, name: "買い物支援", description: "同行" }, staff);
      assert.equal(s.status, 201, JSON.stringify(s.body));
      serviceId = s.body.id;
      const l = await service.api("POST", "/directory/locations", { directoryOrganizationId: providerId, locationType: "physical", name: "本町集会所" }, staff);
      locationId = l.body.id;
      assert.equal((await service.api("POST", `/directory/services/${serviceId}/locations`, { locationId }, staff)).status, 201);
      const o = await service.api("POST", "/organisations", { name: "隣の市" });
      other = { token: o.body.adminToken, org: (await service.api("GET", "/organisation", undefined, o.body.adminToken)).body.id };
    });
    after(async () => {
      await service?.close();
    });
    const book = async (query: string, token = staff) => service.api("GET", `/directory/contacts?${query}`, undefined, token);
    const page = async () => (await fetch(`${service.url}/directory/${org}`)).text();

    test("the public page's phone falls back from the provider to the location to the service, in national form as a tel: link", async () => {
      const provider = await service.api("POST", "/directory/phones", { directoryOrganizationId: providerId, number: "０３ー１２３４ー５６７８" }, staff);
      assert.equal(provider.status, 201, JSON.stringify(provider.body));
      assert.equal(provider.body.number, "+81312345678");
      assert.equal(provider.body.national, "03-1234-5678");
      assert.match(await page(), /<a class="tel" href="tel:\+81312345678">03-1234-5678<\/a>/);
      const place = await service.api("POST", "/directory/phones", { locationId, number: "047-123-4567", description: "集会所の電話" }, staff);
      assert.equal(place.status, 201, JSON.stringify(place.body));
      let html = await page();
      assert.match(html, /href="tel:\+81471234567">04-7123-4567<\/a><br>集会所の電話/);
      assert.doesNotMatch(html, /03-1234-5678/);
      const own = await service.api("POST", "/directory/phones", {
        serviceId, number: "090-1234-5678", extension: "12", type: "voice", languages: ["ja", "en"], description: "平日 9時〜17時",
      }, staff);
      assert.equal(own.status, 201, JSON.stringify(own.body));
      html = await page();
      assert.match(html, /href="tel:\+819012345678">090-1234-5678<\/a>（内線 12）<br>平日 9時〜17時/);
      assert.doesNotMatch(html, /04-7123-4567/);
      const list = await book(`serviceId=${serviceId}`);
      assert.deepEqual(list.body.phones.map((p: any) => [p.national, p.extension, p.languages]), [["090-1234-5678", "12", ["ja", "en"]]]);
    });

    test("bad input is refused naming the field and writes nothing", async () => {
      const before = (await book(`serviceId=${serviceId}`)).body;
      const history = (await service.api("GET", `/directory/services/${serviceId}/history`, undefined, staff)).body.changes.length;
      for (const [path, body, field, status] of [
        ["/directory/phones", { serviceId, number: "012-3" }, "number", 400],
        ["/directory/phones", { serviceId, number: "tel:0312345678" }, "number", 400],
        ["/directory/phones", { serviceId, number: "03-1234-5678", languages: ["Japanese"] }, "languages.0", 400],
        ["/directory/phones", { serviceId, number: "03-1234-5678", extension: "内線" }, "extension", 400],
        ["/directory/phones", { number: "03-1234-5678" }, "serviceId", 400],
        ["/directory/phones", { serviceId, locationId, number: "03-1234-5678" }, "serviceId", 400],
        ["/directory/phones", { serviceId: crypto.randomUUID(), number: "03-1234-5678" }, "serviceId", 422],
        ["/directory/contacts", { serviceId, title: "所長", phones: [{ number: "03-1234-5678" }, { number: "99" }] }, "phones.1.number", 400],
        ["/directory/contacts", { serviceId }, "displayName", 400],
        ["/directory/contacts", { serviceId, displayName: "山田", email: "not-mail" }, "email", 400],
      ] as const) {
        const r = await service.api("POST", path, body, staff);
        assert.equal(r.status, status, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.field, field, JSON.stringify(r.body));
      }
      assert.deepEqual((await book(`serviceId=${serviceId}`)).body, before);
      assert.equal((await service.api("GET", `/directory/services/${serviceId}/history`, undefined, staff)).body.changes.length, history);
      const phoneId = before.phones[0].id;
      const patch = await service.api("PATCH", `/directory/phones/${phoneId}`, { number: "12345" }, staff);
      assert.equal(patch.status, 400);
      assert.equal(patch.body.error.field, "number");
      assert.equal((await book(`serviceId=${serviceId}`)).body.phones[0].number, "+819012345678");
    });

    test("contacts with their phones: history says who changed what from what to what; observers see no name and write nothing", async () => {
      const c = await service.api("POST", "/directory/contacts", {
        serviceId, displayName: "山田 花子", title: "生活支援コーディネーター", department: "地域福祉課", email: "hanako@example.jp",
        phones: [{ number: "080-1111-2222", type: "cell" }],
      }, staff);
      assert.equal(c.status, 201, JSON.stringify(c.body));
      assert.equal(c.body.phones[0].number, "+818011112222");
      const changed = await service.api("PATCH", `/directory/contacts/${c.body.id}`, { title: "所長" }, staff);
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal(changed.body.title, "所長");
      assert.equal(changed.body.phones.length, 1);
      const phone = await service.api("PATCH", `/directory/phones/${c.body.phones[0].id}`, { number: "080-3333-4444" }, staff);
      assert.equal(phone.body.national, "080-3333-4444");
      const history = (await service.api("GET", `/directory/services/${serviceId}/history`, undefined, staff)).body.changes;
      const title = history.find((h: any) => h.resourceType === "contact" && h.field === "title" && h.action === "update");
      assert.deepEqual([title.previous, title.replacement], ["生活支援コーディネーター", "所長"]);
      const number = history.find((h: any) => h.resourceType === "phone" && h.field === "number" && h.action === "update");
      assert.deepEqual([number.previous, number.replacement], ["+818011112222", "+818033334444"]);
      assert.ok(history.some((h: any) => h.resourceType === "phone" && h.field === "languages" && h.replacement === '["ja","en"]'));

      const seen = await book(`serviceId=${serviceId}`, observer);
      assert.equal(seen.status, 200);
      assert.equal(seen.body.contacts[0].displayName, REDACTED);
      for (const [method, path, body] of [
        ["POST", "/directory/phones", { serviceId, number: "03-1234-5678" }], ["PATCH", `/directory/contacts/${c.body.id}`, { title: "x" }],
        ["DELETE", `/directory/contacts/${c.body.id}`, undefined],
      ] as const) {
        assert.equal((await service.api(method, path, body, observer)).status, 403, `${method} ${path}`);
      }

      // The public: the service's phone, never the contact person or their phone.
      const hsds = await (await fetch(`${service.url}/api/v1/hsds/${org}/services/${serviceId}`)).json() as any;
      assert.deepEqual(v.validate("service.json", hsds), []);
      assert.deepEqual(hsds.phones.map((p: any) => [p.number, p.extension, p.languages.map((l: any) => l.code)]), [["+819012345678", 12, ["ja", "en"]]]);
      assert.equal(hsds.phones[0].languages[0].name, "日本語");
      assert.deepEqual(hsds.contacts ?? [], []);
      assert.doesNotMatch(JSON.stringify(hsds), /山田|080/);
      assert.doesNotMatch(await page(), /山田|080-3333-4444/);
      // The staff's export has the contact and the languages (schema-valid rows).
      const exported = await (await fetch(`${service.url}/api/v1/directory/export/hsds?format=json`, { headers: { authorization: `Bearer ${admin}` } })).json() as any;
      assert.match(JSON.stringify(exported), /山田 花子/);

      const removed = await service.api("DELETE", `/directory/contacts/${c.body.id}`, undefined, staff);
      assert.equal(removed.status, 200);
      assert.deepEqual((await book(`serviceId=${serviceId}`)).body.contacts, []);
      const after = (await service.api("GET", `/directory/services/${serviceId}/history`, undefined, staff)).body.changes;
      assert.ok(after.some((h: any) => h.resourceType === "phone" && h.action === "delete" && h.previous === "+818033334444"), "the contact's phone's removal is history too");
    });

    test("another organisation never sees or touches the phones and contacts", async () => {
      const mine = (await book(`serviceId=${serviceId}`)).body.phones[0].id;
      assert.equal((await book(`serviceId=${serviceId}`, other.token)).status, 404);
      assert.deepEqual((await service.api("GET", "/directory/contacts", undefined, other.token)).body, { contacts: [], phones: [] });
      const everything = (await service.api("GET", "/directory/contacts", undefined, staff)).body;
      assert.deepEqual(everything.phones.map((p: any) => p.national).sort(), ["03-1234-5678", "04-7123-4567", "090-1234-5678"]);
      assert.equal((await service.api("PATCH", `/directory/phones/${mine}`, { description: "x" }, other.token)).status, 404);
      assert.equal((await service.api("DELETE", `/directory/phones/${mine}`, undefined, other.token)).status, 404);
      const r = await service.api("POST", "/directory/phones", { serviceId, number: "03-1234-5678" }, other.token);
      assert.equal(r.status, 422);
      assert.equal(r.body.error.field, "serviceId");
      const theirPage = await (await fetch(`${service.url}/directory/${other.org}`)).text();
      assert.doesNotMatch(theirPage, /090-1234-5678/);
    });

    test("own taxonomy terms: added by admins under a shipped term, in the taxonomy, matching, HSDS and the export of this organisation only", async () => {
      const bad = [
        [{ code: "Tea Salon", name: "お茶会" }, "code", 400],
        [{ code: "shopping.proxy", name: "買い物代行" }, "code", 409],
        [{ code: "local.tea", name: "お茶会", parentCode: "nothing.here" }, "parentCode", 400],
        [{ code: "local.tea", name: "", parentCode: "kayoi" }, "name", 400],
        [{ code: "local.tea", name: "お茶会", mappedCode: "nope:1" }, "mappedCode", 400],
      ] as const;
      for (const [body, field, status] of bad) {
        const r = await service.api("POST", "/directory/taxonomy/terms", body, admin);
        assert.equal(r.status, status, JSON.stringify(r.body));
        assert.equal(r.body.error.field, field);
      }
      assert.deepEqual((await service.api("GET", "/directory/taxonomy/terms", undefined, admin)).body.terms, []);
      assert.equal((await service.api("POST", "/directory/taxonomy/terms", { code: "local.tea", name: "お茶会" }, staff)).status, 403);

      const term = await service.api("POST", "/directory/taxonomy/terms", { code: "shopping.coop_truck", name: "生協の移動販売", parentCode: "shopping" }, admin);
      assert.equal(term.status, 201, JSON.stringify(term.body));
      assert.equal(term.body.parentName, "買い物支援");
      const top = await service.api("POST", "/directory/taxonomy/terms", { code: "local", name: "地域独自" }, admin);
      assert.equal(top.status, 201);
      assert.equal((await service.api("POST", "/directory/taxonomy/terms", { code: "local", name: "二重" }, admin)).status, 409);
      const taxonomy = (await service.api("GET", "/directory/taxonomy", undefined, staff)).body.terms;
      assert.deepEqual(taxonomy.find((t: any) => t.code === "shopping.coop_truck"),
        { code: "shopping.coop_truck", name: "生協の移動販売", nameEn: "生協の移動販売", parentCode: "shopping", source: "organisation", retired: false });

      // A service carries it; a filter on the parent finds it (matching reads the same taxonomy).
      assert.equal((await service.api("PUT", `/directory/services/${serviceId}/taxonomy`, { codes: ["shopping.coop_truck"] }, staff)).status, 200);
      const found = (await service.api("GET", "/directory/services?taxonomy=shopping", undefined, staff)).body.services.map((s: any) => s.id);
      assert.deepEqual(found, [serviceId]);
      const terms = await (await fetch(`${service.url}/api/v1/hsds/${org}/taxonomy_terms?per_page=200`)).json() as any;
      assert.deepEqual(v.validatePage("taxonomy_term.json", terms), []);
      const own = terms.contents.find((t: any) => t.code === "shopping.coop_truck");
      assert.equal(own?.name, "生協の移動販売");
      const hsdsService = await (await fetch(`${service.url}/api/v1/hsds/${org}/services/${serviceId}`)).json() as any;
      assert.deepEqual(v.validate("service.json", hsdsService), []);
      const zip = await fetch(`${service.url}/api/v1/directory/export/hsds?format=json`, { headers: { authorization: `Bearer ${admin}` } });
      assert.match(await zip.text(), /生協の移動販売/);

      // Another organisation: none of it, and the code is free for them.
      const theirs = (await service.api("GET", "/directory/taxonomy", undefined, other.token)).body.terms;
      assert.ok(!theirs.some((t: any) => t.code === "shopping.coop_truck"));
      const theirTerms = await (await fetch(`${service.url}/api/v1/hsds/${other.org}/taxonomy_terms?per_page=200`)).json() as any;
      assert.ok(!theirTerms.contents.some((t: any) => t.code === "shopping.coop_truck"));
      assert.equal((await fetch(`${service.url}/api/v1/hsds/${other.org}/taxonomy_terms/${term.body.id}`)).status, 404);
      assert.equal((await service.api("PATCH", `/directory/taxonomy/terms/${term.body.id}`, { name: "x" }, other.token)).status, 404);
      assert.equal((await service.api("POST", "/directory/taxonomy/terms", { code: "shopping.coop_truck", name: "別の意味" }, other.token)).status, 201);

      // Rename (history), refuse deleting while used, retire: kept where carried, not given anew.
      const renamed = await service.api("PATCH", `/directory/taxonomy/terms/${term.body.id}`, { name: "移動販売（生協）" }, admin);
      assert.equal(renamed.body.name, "移動販売（生協）");
      const used = await service.api("DELETE", `/directory/taxonomy/terms/${term.body.id}`, undefined, admin);
      assert.equal(used.status, 409);
      assert.equal(used.body.error.code, "directory_term_in_use");
      const retired = await service.api("POST", `/directory/taxonomy/terms/${term.body.id}/retire`, undefined, admin);
      assert.equal(retired.body.retired, true);
      assert.equal((await service.api("PUT", `/directory/services/${serviceId}/taxonomy`, { codes: ["shopping.coop_truck", "shopping"] }, staff)).status, 200);
      const second = await service.api("POST", "/directory/services", { directoryOrganizationId: providerId, name: "別サービス" }, staff);
      const refused = await service.api("PUT", `/directory/services/${second.body.id}/taxonomy`, { codes: ["shopping.coop_truck"] }, staff);
      assert.equal(refused.status, 422);
      assert.equal(refused.body.error.field, "codes.0");
      assert.equal((await service.api("POST", "/directory/taxonomy/terms", { code: "shopping.coop_truck.x", name: "子", parentCode: "shopping.coop_truck" }, admin)).body.error.field, "parentCode");
      const unused = await service.api("DELETE", `/directory/taxonomy/terms/${top.body.id}`, undefined, admin);
      assert.equal(unused.status, 200);
      const list = (await service.api("GET", "/directory/taxonomy/terms", undefined, admin)).body.terms;
      assert.deepEqual(list.map((t: any) => [t.code, t.name, t.retired]), [["shopping.coop_truck", "移動販売（生協）", true]]);
      const history = await service.store.db.selectFrom("directory_metadata").select(["field_name", "previous_value", "replacement_value"])
        .where("organisation_id", "=", org).where("resource_id", "=", term.body.id).where("field_name", "=", "name").where("action", "=", "update").execute();
      assert.deepEqual(history, [{ field_name: "name", previous_value: "生協の移動販売", replacement_value: "移動販売（生協）" }]);
    });
  });
}
