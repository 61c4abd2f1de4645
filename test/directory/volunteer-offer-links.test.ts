/**
 * A volunteer without a login answers through their offer's private link
 * (issue 14), on every database, end to end through the sandbox outbox:
 * - the offer's SMS carries /offer/{token}; only the token's hash is kept;
 * - the page names the help and the times, not the member; accepting matches
 *   the need and then shows whom to help (name, address, phone) — each such view
 *   audited with the member as subject; a contact logged there is the
 *   coordinator's to acknowledge; an empty one is refused with nothing written;
 * - declining passes the need on, and the link then shows nothing; so does an
 *   expired offer, a resolved need, an unknown or malformed token;
 * - the link's rate limit answers 429 with nothing shown;
 * - the message's cause check: a queued link message whose volunteer went off
 *   duty (which withdraws the offer) or whose request was answered is cancelled
 *   (request_closed), never sent.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { OFFER_LINK_HITS_PER_WINDOW } from "../../src/directory/domain/offer-links.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";

const LINK = /\/offer\/(mdv_[A-Za-z0-9_-]{32})/;

for (const kind of databaseKinds()) {
  describe(`offers' private links on ${kind}`, () => {
    let service: TestService;
    let memberId: string;
    let tanaka: string;
    let mori: string;

    async function page(path: string, form?: Record<string, string>): Promise<{ status: number; html: string; headers: Headers }> {
      const response = await fetch(`${service.url}${path}`, form
        ? { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() }
        : {});
      return { status: response.status, html: await response.text(), headers: response.headers };
    }

    async function offered(respondHours?: number): Promise<{ needId: string; requestId: string; path: string }> {
      const need = await service.api("POST", "/directory/needs", { source: "console", memberId, taxonomyCodes: ["shopping"], note: "重い物が運べない" });
      assert.equal(need.status, 201, JSON.stringify(need.body));
      const box = sandbox(service.api);
      await box.delivered();
      const r = await service.api("POST", `/directory/needs/${need.body.id}/offers`, { volunteerIds: [tanaka], ...(respondHours ? { respondHours } : {}) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const requestId = r.body.requests[0].id;
      let message: Awaited<ReturnType<ReturnType<typeof sandbox>["delivered"]>>[number] | undefined;
      for (let i = 0; i < 200 && !message; i++) {
        message = (await box.delivered()).find((m) => m.payload.requestId === requestId);
        if (!message) await new Promise((done) => setTimeout(done, 50));
      }
      assert.ok(message, "the offer's message was delivered");
      assert.deepEqual([message.to, message.channel, message.kind], [{ kind: "context", id: tanaka }, "sms", "person_message"]);
      assert.ok(!message.text.includes("青木") && !message.text.includes("芝1-2-3"), "the message names no member");
      const token = LINK.exec(message.text)?.[1];
      assert.ok(token, message.text);
      return { needId: need.body.id, requestId, path: `/offer/${token}` };
    }

    const auditOf = async (action: string) => ((await service.api("GET", "/audit-log?limit=500")).body.entries as
      { action: string; actor: string; subject: { kind: string; id: string }; detail: Record<string, unknown> }[]).filter((e) => e.action === action);

    before(async () => {
      service = await startTestService(kind);
      memberId = (await service.api("POST", "/members", memberBody({ displayName: "青木 富子", address: "東京都港区芝1-2-3", phone: "03-1234-5678" }))).body.id;
      tanaka = (await service.api("POST", "/directory/volunteers", { displayName: "田中", phone: "080-9999-0000", skills: ["shopping"], areas: [], availability: [], maxOpenRequests: 5 })).body.id;
      mori = (await service.api("POST", "/directory/volunteers", { displayName: "森", skills: ["shopping"], areas: [], availability: [] })).body.id;
    });
    after(async () => {
      await service?.close();
    });

    test("accept through the link, see whom to help, log a contact; the coordinator acknowledges it", async () => {
      const { needId, requestId, path } = await offered();
      const token = path.slice("/offer/".length);
      const links = await service.store.db.selectFrom("directory_offer_links").selectAll().where("request_id", "=", requestId).execute();
      assert.equal(links.length, 1);
      assert.notEqual(links[0].token_hash, token);
      assert.equal(JSON.stringify(links).includes(token), false, "only the token's hash is kept");

      const first = await page(path);
      assert.equal(first.status, 200);
      assert.equal(first.headers.get("x-robots-tag"), "noindex");
      assert.match(first.headers.get("content-security-policy") ?? "", /default-src 'none'/);
      assert.match(first.html, /<html lang="ja">/);
      assert.match(first.html, /生活支援のお願い/);
      assert.match(first.html, /買い物支援/);
      assert.ok(!first.html.includes("青木") && !first.html.includes("芝1-2-3"), "whom to help only once accepted");
      assert.ok(!first.html.includes("<script"), "no JavaScript");

      const accepted = await page(path, { action: "accept" });
      assert.equal(accepted.status, 200);
      assert.match(accepted.html, /引き受けていただき、ありがとうございます/);
      assert.match(accepted.html, /青木 富子/);
      assert.match(accepted.html, /東京都港区芝1-2-3/);
      assert.match(accepted.html, /href="tel:\+81312345678"/);
      assert.equal((await service.api("GET", `/directory/needs/${needId}`)).body.status, "matched");
      const answers = await auditOf("directory_request.accept");
      assert.ok(answers.some((e) => e.actor === `volunteer:link:${links[0].id}` && e.detail.requestId === requestId), "the answer is the link's");
      const views = (await auditOf("directory_request.link_view")).filter((e) => e.detail.requestId === requestId);
      assert.deepEqual(views.map((e) => [e.subject.kind, e.detail.stage]).toSorted(), [["directory_volunteer", "answer"], ["member", "accepted"]].toSorted(),
        "every view audited; the one that showed the member with the member as subject");
      assert.equal(views.find((e) => e.subject.kind === "member")?.subject.id, memberId);

      // Answering again: the page as it stands, nothing changed.
      const again = await page(path, { action: "decline" });
      assert.equal(again.status, 200);
      assert.match(again.html, /青木 富子/);

      const empty = await page(path, { action: "contact", note: "   " });
      assert.equal(empty.status, 400);
      assert.match(empty.html, /したことを書いてください/);
      assert.equal((await service.api("GET", "/directory/volunteer-contacts?unacknowledged=true")).body.contacts.length, 0, "nothing written");

      const logged = await page(path, { action: "contact", note: "スーパーで買い物を手伝いました。" });
      assert.equal(logged.status, 200);
      assert.match(logged.html, /記録しました。コーディネーターが確認します。/);
      assert.match(logged.html, /スーパーで買い物を手伝いました。/);
      const contacts = (await service.api("GET", "/directory/volunteer-contacts?unacknowledged=true")).body.contacts;
      assert.deepEqual(contacts.map((c: { volunteer: { id: string }; memberId: string; needId: string; note: string; createdBy: string }) =>
        [c.volunteer.id, c.memberId, c.needId, c.note, c.createdBy]), [[tanaka, memberId, needId, "スーパーで買い物を手伝いました。", `volunteer:link:${links[0].id}`]]);
      const ack = await service.api("POST", `/directory/volunteer-contacts/${contacts[0].id}/acknowledge`);
      assert.equal(ack.status, 200);
      assert.equal((await service.api("GET", "/directory/volunteer-contacts?acknowledged=true")).body.contacts[0].id, contacts[0].id);

      // The coordinator resolves the need: the link shows nothing any more.
      assert.equal((await service.api("PATCH", `/directory/needs/${needId}`, { status: "resolved" })).status, 200);
      const closed = await page(path);
      assert.equal(closed.status, 410);
      assert.ok(!closed.html.includes("青木"));
      assert.equal((await page(path, { action: "contact", note: "もう一度" })).status, 410);
    });

    test("decline through the link passes the need on; the link then shows nothing", async () => {
      const { needId, path } = await offered();
      const declined = await page(path, { action: "decline", reason: "今週は通院があります" });
      assert.equal(declined.status, 200);
      assert.match(declined.html, /お返事ありがとうございました/);
      const requests = (await service.api("GET", `/directory/needs/${needId}`)).body.requests;
      assert.deepEqual(requests.map((r: { volunteer: { id: string }; status: string; reason: string | null }) => [r.volunteer.id, r.status, r.reason]),
        [[tanaka, "declined", "今週は通院があります"], [mori, "offered", null]]);
      assert.equal((await page(path)).status, 410);
      assert.equal((await page(path, { action: "accept" })).status, 410, "no answer after the offer closed");
      assert.equal((await service.api("PATCH", `/directory/needs/${needId}`, { status: "withdrawn" })).status, 200);
    });

    test("an expired offer, an unknown or malformed token show nothing; the rate limit answers 429", async () => {
      const { needId, path } = await offered(1);
      await sandbox(service.api).advance("PT90M");
      const expired = await page(path);
      assert.equal(expired.status, 410);
      assert.match(expired.html, /このお願いは終わりました/);
      assert.equal((await page("/offer/mdv_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).status, 404);
      assert.equal((await page("/offer/nonsense")).status, 404);
      assert.equal((await service.api("PATCH", `/directory/needs/${needId}`, { status: "withdrawn" })).status, 200);

      const fresh = await offered();
      for (let i = 0; i < OFFER_LINK_HITS_PER_WINDOW; i++) assert.equal((await page(fresh.path)).status, 200, `view ${i + 1}`);
      const limited = await page(fresh.path);
      assert.equal(limited.status, 429);
      assert.ok(!limited.html.includes("買い物支援"), "nothing about the request");
      await sandbox(service.api).advance("PT11M");
      assert.equal((await page(fresh.path)).status, 200, "a new window");
      assert.equal((await service.api("PATCH", `/directory/needs/${fresh.needId}`, { status: "withdrawn" })).status, 200);
    });

    test("a queued link message is dropped when its volunteer goes off duty (the offer withdrawn) or the request is answered: request_closed", async () => {
      const rowsOf = async (requestId: string) => service.store.db.selectFrom("outbox").select(["idempotency_key", "status", "cancel_reason", "recipient_kind"])
        .where("idempotency_key", "=", `directory_offer:${requestId}:phone`).execute();
      const newNeed = async () => (await service.api("POST", "/directory/needs", { source: "console", memberId, taxonomyCodes: ["shopping"] })).body.id as string;
      const [offDuty, answered] = await service.services.engine.exclusive(async (control) => {
        const a = await service.api("POST", `/directory/needs/${await newNeed()}/offers`, { volunteerIds: [tanaka] });
        const b = await service.api("POST", `/directory/needs/${await newNeed()}/offers`, { volunteerIds: [mori] });
        assert.equal(a.status, 201, JSON.stringify(a.body));
        assert.equal(b.status, 201, JSON.stringify(b.body));
        // 森 has no phone: no message. 田中's is queued; 田中 accepts one by the coordinator, then goes off duty.
        assert.deepEqual((await rowsOf(a.body.requests[0].id)).map((r) => [r.status, r.recipient_kind]), [["pending", "context"]]);
        assert.deepEqual(await rowsOf(b.body.requests[0].id), []);
        const c = await service.api("POST", `/directory/needs/${await newNeed()}/offers`, { volunteerIds: [tanaka] });
        assert.equal((await service.api("POST", `/directory/volunteer-requests/${c.body.requests[0].id}/accept`, {})).status, 200);
        assert.equal((await service.api("PATCH", `/directory/volunteers/${tanaka}`, { onDuty: false })).status, 200);
        await control.runUntilIdle();
        return [a.body.requests[0].id as string, c.body.requests[0].id as string];
      });
      assert.deepEqual((await rowsOf(offDuty)).map((r) => [r.status, r.cancel_reason]), [["cancelled", "request_closed"]],
        "going off duty withdrew the offer: its message is dropped");
      assert.deepEqual((await rowsOf(answered)).map((r) => [r.status, r.cancel_reason]), [["cancelled", "request_closed"]]);
      assert.equal((await service.api("PATCH", `/directory/volunteers/${tanaka}`, { onDuty: true })).status, 200);
    });
  });
}
