/**
 * Providers' self-update by invitation (issue 14) on both databases: a link for a
 * provider's entry; the public page (no account) refuses bad input naming the
 * field with nothing stored and an unchanged form; a proposal uses up the link;
 * rejecting changes nothing; an expired link opens nothing; only the token's hash
 * is kept; bad staff input names the field; observers write nothing; another
 * organisation sees nothing. (The page in a browser: test/web/provider-update.test.ts.)
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { hashInvitationToken } from "../../src/directory/engine/invitations.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { sandbox } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`providers' self-update on ${kind}`, () => {
    let service: TestService;
    let observer: string;
    let providerId: string;
    before(async () => {
      service = await startTestService(kind, { MIMAMORI_ENGINE: "0" });
      observer = (await service.api("POST", "/tokens", { name: "observer", role: "observer" })).body.token;
      providerId = (await service.api("POST", "/directory/organizations", { name: "みなと配食", description: "お弁当の宅配" })).body.id;
    });
    after(async () => {
      await service?.close();
    });

    const form = (path: string, fields: Record<string, string>) => fetch(`${service.url}${path}`, {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString(), redirect: "manual",
    });
    const proposals = async () => (await service.api("GET", "/directory/proposed-changes")).body.proposals as { id: string; status: string }[];

    test("bad staff input names the field; observers create no link", async () => {
      for (const [body, field] of [
        [{}, "serviceId"], [{ serviceId: providerId, directoryOrganizationId: providerId }, "serviceId"], [{ directoryOrganizationId: providerId, days: 0 }, "days"],
        [{ directoryOrganizationId: providerId, email: "nobody" }, "email"], [{ serviceId: "00000000-0000-4000-8000-000000000000" }, "serviceId"],
      ] as const) {
        const r = await service.api("POST", "/directory/invitations", body);
        assert.ok(r.status === 400 || r.status === 422, JSON.stringify(r.body));
        assert.equal(r.body.error.field, field, JSON.stringify(body));
      }
      assert.equal((await service.api("POST", "/directory/invitations", { directoryOrganizationId: providerId }, observer)).status, 403);
      assert.deepEqual((await service.api("GET", "/directory/invitations")).body.invitations, []);
    });

    test("the provider's page: bad input refused with nothing stored; a proposal uses the link; rejecting changes nothing", async () => {
      const link = await service.api("POST", "/directory/invitations", { directoryOrganizationId: providerId, email: "info@example.jp" });
      assert.equal(link.status, 201, JSON.stringify(link.body));
      const stored = await service.store.db.selectFrom("directory_invitations").select("token_hash").where("id", "=", link.body.id).executeTakeFirstOrThrow();
      assert.equal(stored.token_hash, hashInvitationToken(link.body.token));
      assert.ok(!JSON.stringify(await service.api("GET", "/directory/invitations")).includes(link.body.token), "the token is shown once");

      const page = await fetch(`${service.url}${link.body.path}`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /value="みなと配食"/);
      assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'/);

      const empty = await form(link.body.path, { name: "", description: "お弁当の宅配", email: "", website: "" });
      assert.equal(empty.status, 400);
      assert.match(await empty.text(), /id="name-error"/);
      const same = await form(link.body.path, { name: "みなと配食", description: "お弁当の宅配", email: "", website: "" });
      assert.equal(same.status, 400, "nothing changed is refused");
      const badMail = await form(link.body.path, { name: "みなと配食", description: "お弁当の宅配", email: "not-mail", website: "" });
      assert.equal(badMail.status, 400);
      assert.match(await badMail.text(), /id="email-error"/);
      assert.deepEqual(await proposals(), [], "nothing stored");

      const sent = await form(link.body.path, { name: "みなと配食サービス", description: "お弁当の宅配", email: "info@example.jp", website: "" });
      assert.equal(sent.status, 200);
      const again = await form(link.body.path, { name: "別名", description: "", email: "", website: "" });
      assert.equal(again.status, 410, "the link is used up");
      const [p] = await proposals();
      assert.ok(p);
      assert.equal((await service.api("POST", `/directory/proposed-changes/${p.id}/approve`, {}, observer)).status, 403);
      const rejected = await service.api("POST", `/directory/proposed-changes/${p.id}/reject`, { note: "名称は変えない" });
      assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
      assert.deepEqual([rejected.body.status, rejected.body.decisionNote], ["rejected", "名称は変えない"]);
      assert.match(rejected.body.by, /^token:/);
      const provider = (await service.api("GET", `/directory/organizations/${providerId}`)).body;
      assert.deepEqual([provider.name, provider.email], ["みなと配食", null], "a rejected proposal changes nothing");
      const unknown = await service.api("POST", "/directory/proposed-changes/00000000-0000-4000-8000-000000000000/approve", {});
      assert.equal(unknown.status, 404);
    });

    test("an expired link opens nothing; another organisation sees no link nor proposal", async () => {
      const link = (await service.api("POST", "/directory/invitations", { directoryOrganizationId: providerId, days: 1 })).body;
      await sandbox(service.api).advance("P2D");
      assert.equal((await fetch(`${service.url}${link.path}`)).status, 410);
      assert.equal((await form(link.path, { name: "期限切れ" })).status, 410);
      assert.equal((await fetch(`${service.url}/provider-update/nonsense`)).status, 404);

      const other = (await service.api("POST", "/organisations", { name: "隣の市" })).body.adminToken as string;
      assert.deepEqual((await service.api("GET", "/directory/invitations", undefined, other)).body.invitations, []);
      assert.deepEqual((await service.api("GET", "/directory/proposed-changes", undefined, other)).body.proposals, []);
      const theirs = await service.api("POST", "/directory/invitations", { directoryOrganizationId: providerId }, other);
      assert.deepEqual([theirs.status, theirs.body.error.field], [422, "directoryOrganizationId"]);
      const [p] = await proposals();
      assert.equal((await service.api("POST", `/directory/proposed-changes/${p!.id}/approve`, {}, other)).status, 404);
    });
  });
}
