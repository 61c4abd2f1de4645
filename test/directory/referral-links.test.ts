/**
 * The receiving organisation's private link to a referral (issue 14: both sides
 * see the state), on every database, through HTTP and the engine:
 * - staff make a link (token shown once, only its hash stored), see the live one
 *   and revoke it; a new link revokes the one before; team staff of another team
 *   are refused; every step audited;
 * - the receiver's page (no account) shows the referral, the member's details
 *   only as far as the referral shared them AND the consent allows now (a
 *   consent withdrawn hides them again), noindex and no script;
 * - the receiver's moves follow the FHIR Task rules for the receiver (received,
 *   accepted, rejected with a reason, in-progress, on-hold, completed), each an
 *   event with side receiver and the link as actor, audited; the coordinator's
 *   view shows them;
 * - forged, expired and revoked tokens are refused with no effect; a move the
 *   state does not allow (or a rejection without a reason) changes nothing;
 * - the member's export lists the links (never the token's hash); erasure removes them.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createHash } from "node:crypto";
import { openReceiverView, receiverMove } from "../../src/directory/engine/referral-links.ts";
import { newId } from "../../src/ids.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson } from "../support/people.ts";
import { memberBody } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`the receiver's link to a referral on ${kind}`, () => {
    let service: TestService;
    let memberId: string;
    let south: string;
    let referralId: string;

    /** The receiver's page: status and HTML (no redirects followed). */
    async function page(path: string, form?: Record<string, string>) {
      const response = await fetch(`${service.url}${path}`, form
        ? { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString(), redirect: "manual" }
        : { redirect: "manual" });
      return { status: response.status, html: await response.text(), headers: response.headers };
    }
    const referral = async () => (await service.api("GET", `/directory/referrals/${referralId}`)).body;
    const auditActions = async () => ((await service.api("GET", "/audit-log?limit=100")).body.entries as { action: string; actor: string }[]);

    before(async () => {
      service = await startTestService(kind);
      const north = (await service.api("POST", "/teams", { name: "北地区" })).body.id;
      south = (await service.api("POST", "/teams", { name: "南地区" })).body.id;
      const member = await service.api("POST", "/members", memberBody({ teamId: north, address: "神戸市中央区加納町1-2-3", displayName: "山田花子", phone: "090-1234-5678" }));
      assert.equal(member.status, 201, JSON.stringify(member.body));
      memberId = member.body.id;
      const org = (await service.store.db.selectFrom("members").select("organisation_id").where("id", "=", memberId).executeTakeFirstOrThrow()).organisation_id;
      const provider = newId();
      const now = new Date("2027-01-01T00:00:00Z");
      await service.store.db.insertInto("directory_organizations").values({ id: provider, organisation_id: org, name: "灘区配食サービス", created_at: now, updated_at: now })
        .execute();
      const created = await service.api("POST", "/directory/referrals", { memberId, providerId: provider, note: "週3回の夕食配達をお願いします" });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      referralId = created.body.id;
    });
    after(async () => {
      await service?.close();
    });

    let token: string;

    test("staff make, see and replace the link; only its hash is kept; another team's staff are refused", async () => {
      assert.deepEqual((await service.api("GET", `/directory/referrals/${referralId}/receiver-link`)).body, { link: null });
      const first = await service.api("POST", `/directory/referrals/${referralId}/receiver-link`, {});
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.match(first.body.token, /^mdr_[A-Za-z0-9_-]{32}$/);
      assert.equal(first.body.path, `/referral/${first.body.token}`);
      assert.equal(Date.parse(first.body.expiresAt) - Date.parse(first.body.createdAt), 30 * 86_400_000, "30 days by default");
      const stored = await service.store.db.selectFrom("directory_referral_links").selectAll().execute();
      assert.equal(stored.length, 1);
      assert.equal(stored[0].token_hash, createHash("sha256").update(first.body.token).digest("hex"));
      assert.ok(!JSON.stringify(stored).includes(first.body.token), "the token itself is not stored");

      const second = await service.api("POST", `/directory/referrals/${referralId}/receiver-link`, { days: 7 });
      assert.equal(second.status, 201);
      token = second.body.token;
      const live = (await service.api("GET", `/directory/referrals/${referralId}/receiver-link`)).body.link;
      assert.equal(live.id, second.body.id, "the new link is the live one");
      assert.deepEqual([second.body.expired, live.expired], [false, false], "open by the server's clock");
      assert.equal((await page(`/referral/${first.body.token}`)).status, 410, "the link before is revoked");

      const bad = await service.api("POST", `/directory/referrals/${referralId}/receiver-link`, { days: 0 });
      assert.deepEqual([bad.status, bad.body.error.field], [400, "days"]);
      const other = await invitedPerson(service.api, service.url, { displayName: "南の職員", loginId: "south-staff", role: "staff", teamIds: [south] });
      const refused = await other.client.call("POST", `/directory/referrals/${referralId}/receiver-link`, {});
      assert.deepEqual([refused.status, refused.body.error.code], [403, "not_in_team"]);
      assert.equal((await service.store.db.selectFrom("directory_referral_links").selectAll().execute()).length, 2, "nothing made for the refused one");
      const actions = (await auditActions()).map((e) => e.action);
      assert.equal(actions.filter((a) => a === "directory_referral.link_create").length, 2);
    });

    test("the page shows the referral, the details shared only while the consent allows; noindex, no script", async () => {
      let shown = await page(`/referral/${token}`);
      assert.equal(shown.status, 200);
      assert.match(shown.headers.get("content-security-policy") ?? "", /default-src 'none'/);
      assert.equal(shown.headers.get("x-robots-tag"), "noindex");
      assert.ok(shown.html.includes('<meta name="robots" content="noindex">'));
      assert.ok(!shown.html.includes("<script"), "no JavaScript");
      assert.ok(shown.html.includes("灘区配食サービス") && shown.html.includes("依頼中"), "the provider and the state");
      assert.ok(!shown.html.includes("山田花子") && !shown.html.includes("加納町") && !shown.html.includes("夕食配達"),
        "nothing about the member, nor the note about them, before anything is shared under consent");
      assert.ok(shown.html.includes("ご本人の同意が確認できないため"), "the note says why nothing is shown");

      assert.equal((await service.api("POST", `/members/${memberId}/consents`,
        { purpose: "share_partners", decision: "permit", method: "paper", givenAt: "2027-01-04T07:00:00+09:00" })).status, 201);
      assert.equal((await service.api("POST", `/directory/referrals/${referralId}/share`, { fields: ["displayName", "address"] })).status, 200);
      shown = await page(`/referral/${token}`);
      assert.ok(shown.html.includes("山田花子") && shown.html.includes("神戸市中央区加納町1-2-3") && shown.html.includes("週3回の夕食配達"), shown.html);
      assert.ok(!shown.html.includes("090") && !shown.html.includes("山田一郎"), "no field that was not shared (phone, contacts)");

      // The member withdraws the consent: the page hides the details again (the port is asked on every view).
      assert.equal((await service.api("POST", `/members/${memberId}/consents`,
        { purpose: "share_partners", decision: "deny", method: "paper", givenAt: "2027-01-04T07:30:00+09:00" })).status, 201);
      shown = await page(`/referral/${token}`);
      assert.ok(!shown.html.includes("山田花子") && !shown.html.includes("加納町"), "withdrawn consent: nothing shown");
      assert.equal((await service.api("POST", `/members/${memberId}/consents`,
        { purpose: "share_partners", decision: "permit", method: "paper", givenAt: "2027-01-04T07:45:00+09:00" })).status, 201);
      // The phone, once shared, reads as people write it in Japan, to tap: never +81….
      assert.equal((await service.api("POST", `/directory/referrals/${referralId}/share`, { fields: ["phone"] })).status, 200);
      shown = await page(`/referral/${token}`);
      assert.ok(shown.html.includes('<a href="tel:+819012345678">090-1234-5678</a>'), shown.html);
      assert.ok(!shown.html.includes(">+81"), "no international form shown to people");

      const views = (await auditActions()).filter((e) => e.action === "directory_referral.receiver_view");
      assert.equal(views.length, 4, "every view audited");
      assert.match(views[0].actor, /^receiver:link:/);
      const live = (await service.api("GET", `/directory/referrals/${referralId}/receiver-link`)).body.link;
      assert.ok(live.lastOpenedAt, "the coordinator sees that the receiver looked");
    });

    test("the receiver moves it as FHIR Task allows; each move is the receiver's in the history, audited; refusals change nothing", async () => {
      let shown = await page(`/referral/${token}`);
      for (const label of ["受け付けました", "引き受けます", "お断りします"]) assert.ok(shown.html.includes(label), label);
      assert.ok(!shown.html.includes("対応が完了しました"), "completing is not offered from requested");

      const received = await page(`/referral/${token}`, { to: "received" });
      assert.equal(received.status, 200);
      assert.ok(received.html.includes("記録しました") && received.html.includes("受付済み"));
      assert.equal((await referral()).status, "received");

      // A rejection without a reason changes nothing; a move the state does not allow changes nothing.
      const noReason = await page(`/referral/${token}`, { to: "rejected", reason: "  " });
      assert.equal(noReason.status, 400);
      assert.ok(noReason.html.includes('aria-invalid="true"'));
      const notAllowed = await page(`/referral/${token}`, { to: "on-hold" });
      assert.equal(notAllowed.status, 409);
      const cancel = await page(`/referral/${token}`, { to: "cancelled", reason: "x" });
      assert.equal(cancel.status, 409, "cancelling is not the receiver's page's move");
      assert.equal((await referral()).status, "received");

      for (const to of ["accepted", "in-progress", "on-hold", "in-progress", "completed"]) {
        const moved = await page(`/referral/${token}`, { to });
        assert.equal(moved.status, 200, `${to}: ${moved.html}`);
      }
      const after = await referral();
      assert.equal(after.status, "completed");
      const receiverEvents = (after.events as { side: string; actor: string; toStatus: string }[]).filter((e) => e.side === "receiver");
      assert.deepEqual(receiverEvents.map((e) => e.toStatus), ["received", "accepted", "in-progress", "on-hold", "in-progress", "completed"]);
      assert.ok(receiverEvents.every((e) => e.actor.startsWith("receiver:link:")));
      shown = await page(`/referral/${token}`);
      assert.ok(shown.html.includes("ここから変えられる状態はありません"), "nothing left to do once completed");
      assert.equal((await auditActions()).filter((e) => e.action === "directory_referral.receiver_status").length, 6);

      // The sender reopens it; the receiver declines, with a reason kept in the history.
      assert.equal((await service.api("POST", `/directory/referrals/${referralId}/status`, { to: "requested", side: "sender", reason: "再度の依頼" })).status, 200);
      const rejected = await page(`/referral/${token}`, { to: "rejected", reason: "定員に達しました" });
      assert.equal(rejected.status, 200);
      const last = (await referral()).events.at(-1);
      assert.deepEqual([last.side, last.toStatus, last.note], ["receiver", "rejected", "定員に達しました"]);
    });

    test("forged, expired and revoked tokens are refused with no effect", async () => {
      const before = await referral();
      const events = before.events.length;
      for (const forged of ["mdr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "nonsense", `${token}x`]) {
        const shown = await page(`/referral/${encodeURIComponent(forged)}`);
        assert.equal(shown.status, 404);
        assert.ok(!shown.html.includes("灘区配食サービス"));
        assert.equal((await page(`/referral/${encodeURIComponent(forged)}`, { to: "received" })).status, 404);
      }
      // Expired: the engine at a time past the link's end (7 days).
      const later = new Date(Date.parse((await service.api("GET", `/directory/referrals/${referralId}/receiver-link`)).body.link.expiresAt) + 1000);
      assert.deepEqual(await openReceiverView(service.store.db, token, undefined, later), { problem: "expired" });
      assert.deepEqual(await receiverMove(service.store.db, token, "received", null, later), { problem: "expired" });

      const revoked = await service.api("DELETE", `/directory/referrals/${referralId}/receiver-link`);
      assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
      assert.ok(revoked.body.revokedAt);
      assert.equal((await service.api("DELETE", `/directory/referrals/${referralId}/receiver-link`)).status, 404, "nothing live to revoke");
      const gone = await page(`/referral/${token}`);
      assert.equal(gone.status, 410);
      assert.ok(!gone.html.includes("灘区配食サービス"));
      assert.equal((await page(`/referral/${token}`, { to: "received" })).status, 410);
      const after = await referral();
      assert.deepEqual([after.status, after.events.length], [before.status, events], "nothing moved");
      assert.ok((await auditActions()).some((e) => e.action === "directory_referral.link_revoke"));
    });

    test("a member's export lists the links of their referrals without the token's hash; erasure removes them", async () => {
      const exported = await service.api("GET", `/members/${memberId}/export`);
      assert.equal(exported.status, 200);
      const links = exported.body.sections.directory_referral_links as Record<string, unknown>[];
      assert.equal(links.length, 2);
      assert.ok(links.every((l) => l.referral_id === referralId && !("token_hash" in l)), JSON.stringify(links));
      const erased = await service.api("POST", `/members/${memberId}/erasure`, { reason: "本人の求め" });
      assert.equal(erased.status, 200, JSON.stringify(erased.body));
      assert.equal((await service.store.db.selectFrom("directory_referral_links").selectAll().execute()).length, 0, "the links went with the referral");
    });
  });
}
