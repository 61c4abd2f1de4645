/**
 * Invitations by e-mail on every database: the link goes through the outbox
 * (one row per invitation, keyed by it) and the organisation's SMTP server — a
 * real one here (test/support/smtp-server.ts) — and works when followed; a
 * re-invitation by e-mail ends the earlier link; an e-mailed invitation needs an
 * address, and nothing is written without one.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitationLinkOf, PASSWORD, personClient, totpNow } from "../support/people.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";


for (const kind of databaseKinds()) {
  describe(`invitations by e-mail on ${kind}`, () => {
    let service: TestService;
    let smtp: TestSmtpServer;
    before(async () => {
      smtp = await startSmtpServer();
      service = await startTestService(kind);
      const configured = await service.api("PUT", "/channels/email", { host: smtp.host, port: smtp.port, secure: false, from: "mimamori@city.example.jp", fromName: "見守り" });
      assert.equal(configured.status, 200, JSON.stringify(configured.body));
    });
    after(async () => {
      await service?.close();
      await smtp?.close();
    });

    test("an admin invites by e-mail: the mail carries the link once, which registers the person", async () => {
      const invited = await service.api("POST", "/people", { displayName: "佐藤 恵", loginId: "megumi", role: "staff", email: "megumi@city.example.jp", delivery: "email" });
      assert.equal(invited.status, 201, JSON.stringify(invited.body));
      assert.equal(invited.body.invitation.sentTo, "megumi@city.example.jp");
      assert.equal(invited.body.invitation.code, null, "an e-mailed invitation is not shown to the admin");
      assert.equal(invited.body.invitation.url, null);
      assert.equal(invited.body.person.email, "megumi@city.example.jp");
      const mail = await smtp.waitFor((m) => m.to.includes("megumi@city.example.jp"));
      assert.match(mail.subject ?? "", /管理画面へのご招待/);
      assert.match(mail.text ?? "", /佐藤 恵さん、Mimamori の見守り管理画面に招待されています/);
      assert.match(mail.text ?? "", /ログインID: megumi/);
      const link = invitationLinkOf(mail.text);
      assert.ok(link, mail.text ?? "");
      assert.ok(mail.html?.includes(link[0]), "the link is the mail's button too");
      const rows = await service.store.db.selectFrom("outbox").select(["idempotency_key", "recipient_kind", "status"])
        .where("message_kind", "=", "person_invitation").where("recipient_id", "=", invited.body.person.id).execute();
      assert.equal(rows.length, 1);
      assert.match(rows[0].idempotency_key, /^person_invitation:[0-9a-f]{64}$/);
      assert.equal(rows[0].recipient_kind, "person");

      const client = personClient(service.url);
      const info = await client.call("GET", `/invitations/${link[1]}`);
      assert.equal(info.status, 200);
      assert.equal(info.body.loginId, "megumi");
      const accepted = await client.call("POST", `/invitations/${link[1]}/accept`, { password: PASSWORD, totpCode: await totpNow(info.body.totp.secret) });
      assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
      const log = (await service.api("GET", "/audit-log?limit=20")).body.entries as { action: string; detail: Record<string, unknown> }[];
      assert.equal(log.find((e) => e.action === "person.invite")?.detail.delivery, "email");
    });

    test("a re-invitation by e-mail goes to the kept (or a new) address and ends the earlier link", async () => {
      const invited = await service.api("POST", "/people", { displayName: "高橋", loginId: "takahashi", role: "watcher", email: "old@city.example.jp", delivery: "email" });
      const first = invitationLinkOf((await smtp.waitFor((m) => m.to.includes("old@city.example.jp"))).text);
      assert.ok(first);
      const again = await service.api("POST", `/people/${invited.body.person.id}/invitation`, { delivery: "email", email: "new@city.example.jp" });
      assert.equal(again.status, 201, JSON.stringify(again.body));
      assert.equal(again.body.sentTo, "new@city.example.jp");
      const second = invitationLinkOf((await smtp.waitFor((m) => m.to.includes("new@city.example.jp"))).text);
      assert.ok(second);
      assert.notEqual(second[1], first[1]);
      assert.equal((await personClient(service.url).call("GET", `/invitations/${first[1]}`)).status, 404, "the earlier link ended");
      assert.equal((await personClient(service.url).call("GET", `/invitations/${second[1]}`)).status, 200);
      assert.equal((await service.api("GET", `/people/${invited.body.person.id}`)).body.email, "new@city.example.jp");
      const shown = await service.api("POST", `/people/${invited.body.person.id}/invitation`);
      assert.equal(shown.status, 201, "no body: a link to hand over, as before");
      assert.match(shown.body.url, /\/invite#/);
    });

    test("an e-mailed invitation needs an address: 400 naming the field, nobody created", async () => {
      const refused = await service.api("POST", "/people", { displayName: "無し", loginId: "nomail", role: "staff", delivery: "email" });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.field, "email");
      const people = (await service.api("GET", "/people")).body.people as { loginId: string }[];
      assert.ok(!people.some((p) => p.loginId === "nomail"), "nothing half-written");
      const badAddress = await service.api("POST", "/people", { displayName: "誤り", loginId: "badmail", role: "staff", email: "not-an-address", delivery: "email" });
      assert.equal(badAddress.status, 400);
      assert.equal(badAddress.body.error.field, "email");
      const linkOnly = await service.api("POST", "/people", { displayName: "リンク", loginId: "linkonly", role: "staff" });
      const noAddress = await service.api("POST", `/people/${linkOnly.body.person.id}/invitation`, { delivery: "email" });
      assert.equal(noAddress.status, 400);
      assert.equal(noAddress.body.error.field, "email");
    });
  });
}
