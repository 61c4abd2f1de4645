/**
 * The partner registry API (/api/v1/network/partners): staff register, change,
 * key and archive partners; observers read with contact people redacted; bad
 * input is refused naming the field; another organisation's partner is not found.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { REDACTED } from "../../src/http/privacy.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";

for (const kind of databaseKinds()) {
  describe(`the partner registry on ${kind}`, () => {
    let service: TestService;
    let staff: string;
    let observer: string;
    let owner: string;
    before(async () => {
      service = await startTestService(kind);
      const token = async (role: string) => (await service.api("POST", "/tokens", { name: role, role })).body.token as string;
      staff = await token("staff");
      observer = await token("observer");
      owner = (await service.api("POST", "/people", { displayName: "担当 田中", loginId: "tanaka", role: "staff" })).body.person.id;
    });
    after(async () => {
      await service?.close();
    });

    const body = () => ({
      name: "本町新聞販売所", kind: "home_visit", business: "新聞販売店", agreementDate: "2026-04-01", agreementTerms: "配達時に気づいたら連絡",
      contacts: [{ displayName: "店長 山本", role: "店長", phone: "03-1111-2222", email: "yamamoto@example.jp" }],
      ownerPersonId: owner, nextReviewOn: "2026-12-01", listed: true,
    });

    test("staff register a partner with a short code and link; its review is overdue once the date has passed", async () => {
      const created = await service.api("POST", "/network/partners", body(), staff);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const p = created.body;
      assert.match(p.shortCode, /^[2-9A-HJKMNP-Z]{8}$/);
      assert.ok(p.reportFormUrl.endsWith(`/r/${p.shortCode}`));
      assert.deepEqual(p.owner, { id: owner, displayName: "担当 田中" });
      assert.equal(p.hasApiKey, false);
      // The sandbox starts on 2027-01-04: a review due 2026-12-01 is overdue.
      assert.equal(p.reviewOverdue, true);
      const later = await service.api("PATCH", `/network/partners/${p.id}`, { nextReviewOn: "2027-06-01", business: null }, staff);
      assert.equal(later.status, 200, JSON.stringify(later.body));
      assert.equal(later.body.reviewOverdue, false);
      assert.equal(later.body.business, null);
      assert.equal(later.body.name, "本町新聞販売所");
      const list = await service.api("GET", "/network/partners", undefined, staff);
      assert.ok(list.body.partners.some((x: { id: string }) => x.id === p.id));
      assert.ok(list.body.publicPageUrl.includes("/partners/"));
    });

    test("observers read with the contact people redacted and may not write", async () => {
      const p = (await service.api("POST", "/network/partners", { ...body(), name: "observer test" }, staff)).body;
      const seen = await service.api("GET", `/network/partners/${p.id}`, undefined, observer);
      assert.equal(seen.status, 200);
      assert.deepEqual(seen.body.contacts, [{ displayName: REDACTED, role: "店長", phone: REDACTED, email: REDACTED }]);
      assert.equal(seen.body.owner.displayName, REDACTED);
      const byStaff = await service.api("GET", `/network/partners/${p.id}`, undefined, staff);
      assert.equal(byStaff.body.contacts[0].email, "yamamoto@example.jp");
      for (const [method, path, b] of [["POST", "/network/partners", body()], ["PATCH", `/network/partners/${p.id}`, { listed: false }], ["POST", `/network/partners/${p.id}/key`, undefined]] as const) {
        const refused = await service.api(method, path, b, observer);
        assert.equal(refused.status, 403, `${method} ${path}`);
      }
    });

    test("bad input is refused naming the field, and changes nothing", async () => {
      const cases: [Record<string, unknown>, string, number][] = [
        [{ ...body(), kind: "bank" }, "kind", 400],
        [{ ...body(), agreementDate: "2026-13-01" }, "agreementDate", 400],
        [{ ...body(), name: "" }, "name", 400],
        [{ ...body(), contacts: [{ displayName: "x", email: "not-mail" }] }, "contacts.0.email", 400],
        [{ ...body(), ownerPersonId: "0190d6a0-0000-7000-8000-000000000000" }, "ownerPersonId", 422],
        [{ ...body(), extra: 1 }, "extra", 400],
      ];
      const before = (await service.api("GET", "/network/partners", undefined, staff)).body.partners.length;
      for (const [b, field, status] of cases) {
        const r = await service.api("POST", "/network/partners", b, staff);
        assert.equal(r.status, status, `${field}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.field, field);
      }
      assert.equal((await service.api("GET", "/network/partners", undefined, staff)).body.partners.length, before);
    });

    test("the Open311 key is shown once and rotates; archiving hides a partner from the list", async () => {
      const p = (await service.api("POST", "/network/partners", { ...body(), name: "鍵テスト" }, staff)).body;
      const first = await service.api("POST", `/network/partners/${p.id}/key`, undefined, staff);
      assert.equal(first.status, 200, JSON.stringify(first.body));
      assert.match(first.body.key, /^o311_/);
      assert.equal(first.body.partner.hasApiKey, true);
      const again = await service.api("GET", `/network/partners/${p.id}`, undefined, staff);
      assert.ok(!JSON.stringify(again.body).includes(first.body.key), "the key is not shown again");
      const second = await service.api("POST", `/network/partners/${p.id}/key`, undefined, staff);
      assert.notEqual(second.body.key, first.body.key);
      const archived = await service.api("POST", `/network/partners/${p.id}/archive`, undefined, staff);
      assert.equal(archived.body.archived, true);
      const list = (await service.api("GET", "/network/partners", undefined, staff)).body.partners;
      assert.ok(!list.some((x: { id: string }) => x.id === p.id));
      const all = (await service.api("GET", "/network/partners?archived=true", undefined, staff)).body.partners;
      assert.ok(all.some((x: { id: string }) => x.id === p.id));
      assert.equal((await service.api("POST", `/network/partners/${p.id}/restore`, undefined, staff)).body.archived, false);
    });

    test("staff read who may own a relationship (staff and admins, not watchers); observers may not", async () => {
      await service.api("POST", "/people", { displayName: "見守り 協力員", loginId: "volunteer", role: "watcher" });
      const owners = await service.api("GET", "/network/partners/owners", undefined, staff);
      assert.equal(owners.status, 200, JSON.stringify(owners.body));
      const names = owners.body.owners.map((o: { displayName: string }) => o.displayName);
      assert.ok(names.includes("担当 田中"), JSON.stringify(names));
      assert.ok(!names.includes("見守り 協力員"), "a watcher owns no partner relationship");
      assert.equal((await service.api("GET", "/network/partners/owners", undefined, observer)).status, 403);
    });

    test("another organisation's partner is not found there", async () => {
      const p = (await service.api("POST", "/network/partners", { ...body(), name: "他組織" }, staff)).body;
      const org = await service.api("POST", "/organisations", { name: "別の組織" });
      const otherAdmin = org.body.adminToken ?? org.body.token;
      assert.ok(otherAdmin, JSON.stringify(org.body));
      for (const [method, path, b] of [["GET", `/network/partners/${p.id}`, undefined], ["PATCH", `/network/partners/${p.id}`, { listed: false }], ["POST", `/network/partners/${p.id}/key`, undefined], ["POST", `/network/partners/${p.id}/archive`, undefined]] as const) {
        const r = await service.api(method, path, b, otherAdmin);
        assert.equal(r.status, 404, `${method} ${path}`);
      }
      assert.equal((await service.api("GET", "/network/partners", undefined, otherAdmin)).body.partners.length, 0);
    });
  });
}
