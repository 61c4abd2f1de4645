/**
 * Providers' self-update by invitation (issue 14) on both databases: a link for a
 * provider's entry; the public page (no account) refuses bad input naming the
 * field with nothing stored and an unchanged form; a proposal uses up the link;
 * rejecting changes nothing; an expired link opens nothing; only the token's hash
 * is kept; bad staff input names the field; observers write nothing; another
 * organisation sees nothing; a revoked link refuses as an expired one and takes
 * no proposal (revoking a used link is refused, twice changes nothing); approving
 * is one transaction: a failure after the fields were applied (a trigger refusing
 * the proposal's state) leaves the entry, its history and the proposal unchanged.
 * (The page in a browser: test/web/provider-update.test.ts, console-provenance.test.ts.)
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
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
    const proposals = async () => (await service.api("GET", "/directory/proposed-changes")).body.proposals as { id: string; status: string; resourceId: string }[];

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
      assert.equal(link.expired, false);
      const listed = async () => (await service.api("GET", "/directory/invitations")).body.invitations.find((i: { id: string }) => i.id === link.id);
      assert.equal((await listed()).expired, false, "open by the server's clock");
      await sandbox(service.api).advance("P2D");
      assert.equal((await fetch(`${service.url}${link.path}`)).status, 410);
      assert.equal((await listed()).expired, true, "the server says it has expired (the console lists open links by it, not the browser's clock)");
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
    test("a revoked link refuses as an expired one and takes nothing; a used link cannot be revoked", async () => {
      const expired = (await service.api("POST", "/directory/invitations", { directoryOrganizationId: providerId, days: 1 })).body;
      const link = (await service.api("POST", "/directory/invitations", { directoryOrganizationId: providerId, days: 30 })).body;
      assert.equal((await fetch(`${service.url}${link.path}`)).status, 200);
      assert.equal((await service.api("POST", `/directory/invitations/${link.id}/revoke`, {}, observer)).status, 403);
      const revoked = await service.api("POST", `/directory/invitations/${link.id}/revoke`, {});
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      assert.ok(revoked.body.revokedAt);
      const twice = await service.api("POST", `/directory/invitations/${link.id}/revoke`, {});
      assert.deepEqual([twice.status, twice.body.revokedAt], [200, revoked.body.revokedAt], "revoking twice changes nothing");
      const listed = (await service.api("GET", "/directory/invitations")).body.invitations.find((i: { id: string }) => i.id === link.id);
      assert.equal(listed.revokedAt, revoked.body.revokedAt);

      const before = await proposals();
      const page = await fetch(`${service.url}${link.path}`);
      const sent = await form(link.path, { name: "取り消し後", description: "", email: "", website: "" });
      await sandbox(service.api).advance("P2D");
      const expiredPage = await fetch(`${service.url}${expired.path}`);
      assert.deepEqual([page.status, sent.status], [expiredPage.status, 410]);
      const strip = (html: string) => html.replace(/<title>[^<]*<\/title>/, "");
      assert.equal(strip(await page.text()), strip(await expiredPage.text()), "the same refusal as an expired link");
      await sent.text();
      assert.deepEqual(await proposals(), before, "nothing proposed through a revoked link");
      assert.equal((await service.api("GET", `/directory/organizations/${providerId}`)).body.name, "みなと配食");

      const used = (await service.api("POST", "/directory/invitations", { directoryOrganizationId: providerId })).body;
      assert.equal((await form(used.path, { name: "みなと配食", description: "お弁当と見守り", email: "", website: "" })).status, 200);
      const refused = await service.api("POST", `/directory/invitations/${used.id}/revoke`, {});
      assert.deepEqual([refused.status, refused.body.error.code], [409, "invitation_used"]);
      assert.equal((await service.api("POST", "/directory/invitations/00000000-0000-4000-8000-000000000000/revoke", {})).status, 404);
      const audit = await service.store.db.selectFrom("audit_log").select(["action", "detail"]).where("action", "=", "directory_invitation.revoke").execute();
      assert.equal(audit.length, 2, "each revoke is audited");
    });

    test("approving is one transaction: a failure after the fields were applied leaves everything as it was", async () => {
      const salon = (await service.api("POST", "/directory/services", { directoryOrganizationId: providerId, name: "昼食会", feesDescription: "300円" })).body;
      const link = (await service.api("POST", "/directory/invitations", { serviceId: salon.id })).body;
      const sent = await form(link.path, {
        name: "昼食会", description: "毎月第2火曜", url: "", email: "", eligibilityDescription: "", feesDescription: "500円", applicationProcess: "", alert: "",
      });
      assert.equal(sent.status, 200);
      const p = (await proposals()).find((x) => x.resourceId === salon.id)!;
      const history = async () => (await service.api("GET", `/directory/services/${salon.id}/history`)).body.changes.length as number;
      const historyBefore = await history();
      const db = service.store.db;
      // A trigger refusing the proposal's new state: it fires after the service's fields and history were written in the same transaction.
      await sql`create function mimamori_test_refuse() returns trigger language plpgsql as $$ begin raise exception 'refused for the test'; end $$`.execute(db);
      await sql`create trigger mimamori_test_refuse before update on directory_proposed_changes for each row execute function mimamori_test_refuse()`.execute(db);
      try {
        const failed = await service.api("POST", `/directory/proposed-changes/${p.id}/approve`, {});
        assert.equal(failed.status, 500);
      } finally {
        await sql`drop trigger mimamori_test_refuse on directory_proposed_changes`.execute(db);
        await sql`drop function mimamori_test_refuse()`.execute(db);
      }
      const unchanged = (await service.api("GET", `/directory/services/${salon.id}`)).body;
      assert.deepEqual([unchanged.feesDescription, unchanged.description], ["300円", ""], "no field applied");
      assert.equal(await history(), historyBefore, "no history written");
      assert.equal((await proposals()).find((x) => x.id === p.id)!.status, "pending", "the proposal still pending");

      const approved = await service.api("POST", `/directory/proposed-changes/${p.id}/approve`, {});
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      const changed = (await service.api("GET", `/directory/services/${salon.id}`)).body;
      assert.deepEqual([changed.feesDescription, changed.description], ["500円", "毎月第2火曜"]);
      assert.equal(await history(), historyBefore + 2, "one history row per field");
    });
  });
}
