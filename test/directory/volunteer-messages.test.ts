/**
 * Volunteers are told of their requests through the outbox (issue 14), on every
 * database, on the sandbox clock, with e-mail through a real SMTP server
 * (test/support/smtp-server.ts):
 * - an offer is one message per request and channel of the volunteer's login
 *   (e-mail here); a login without channels is told at its e-mail address, else
 *   by SMS at the phone of the volunteer's record; a volunteer without a login
 *   is told by SMS at their record's phone with their offer's private link
 *   (/offer/{token}; test/directory/volunteer-offer-links.test.ts follows it);
 *   the mail links to their view (/help) and names no member;
 * - when another volunteer accepts, or the coordinator closes the need, those
 *   who were told hear "no longer needed" on the channels the offer reached;
 * - a queued offer whose request was answered or withdrawn before its turn is
 *   cancelled by the directory's cause check (request_closed), never sent, and
 *   its volunteer gets no "no longer needed" either;
 * - running the expiry phase again, or telling the same offers again, writes no
 *   second row (idempotency keys per request and channel).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { tellOffered, volunteerMessageCause } from "../../src/directory/engine/volunteer-messages.ts";
import { expireOffers } from "../../src/directory/engine/volunteers.ts";
import { inTransaction } from "../../src/store/db.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson } from "../support/people.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";

const SHOPPING = "shopping";

for (const kind of databaseKinds()) {
  describe(`messages to volunteers on ${kind}`, () => {
    let service: TestService;
    let smtp: TestSmtpServer;
    let org: string;
    let north: string;
    let memberId: string;
    const volunteers: Record<string, string> = {};
    const logins: Record<string, { id: string }> = {};
    const to = (address: string) => (m: { to: string[] }) => m.to.some((a) => a.toLowerCase() === address.toLowerCase());

    /** The outbox rows of the directory's messages about these requests, by key. */
    async function rowsOf(requestIds: string[]) {
      const rows = await service.store.db.selectFrom("outbox")
        .select(["idempotency_key", "status", "cancel_reason", "recipient_kind", "recipient_id", "channel_kind", "address", "message_kind", "text", "payload"])
        .where("message_kind", "=", "person_message").orderBy("idempotency_key").execute();
      return rows.filter((r) => requestIds.some((id) => r.idempotency_key.includes(id)));
    }

    async function volunteer(displayName: string, over: Record<string, unknown> = {}) {
      const r = await service.api("POST", "/directory/volunteers", {
        displayName, skills: [SHOPPING], areas: [{ kind: "team", value: north }], availability: [], ...over,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      volunteers[displayName] = r.body.id;
    }

    async function withLogin(displayName: string, loginId: string, email?: string, over: Record<string, unknown> = {}) {
      const person = await invitedPerson(service.api, service.url, { displayName, loginId, role: "watcher" });
      logins[displayName] = { id: person.id };
      if (email) assert.equal((await service.api("POST", `/people/${person.id}/channels`, { kind: "email", address: email })).status, 201);
      await volunteer(displayName, { personId: person.id, ...over });
    }

    async function newNeed(): Promise<string> {
      const need = await service.api("POST", "/directory/needs", { source: "console", memberId, taxonomyCodes: [SHOPPING] });
      assert.equal(need.status, 201, JSON.stringify(need.body));
      return need.body.id;
    }

    async function offer(needId: string, names: string[], respondHours?: number) {
      const r = await service.api("POST", `/directory/needs/${needId}/offers`, { volunteerIds: names.map((n) => volunteers[n]), ...(respondHours ? { respondHours } : {}) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return Object.fromEntries((r.body.requests as { id: string; volunteer: { displayName: string } }[]).map((q) => [q.volunteer.displayName, q.id]));
    }

    /** Waits (bounded) until every row of `keys` has left pending: the sender took its turn. */
    async function settled(keys: string[]) {
      for (let i = 0; i < 400; i++) {
        const pending = await service.store.db.selectFrom("outbox").select("idempotency_key").where("idempotency_key", "in", keys)
          .where("status", "=", "pending").execute();
        if (pending.length === 0) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.fail(`still pending: ${keys.join(", ")}`);
    }

    before(async () => {
      smtp = await startSmtpServer();
      service = await startTestService(kind);
      const configured = await service.api("PUT", "/channels/email", { host: smtp.host, port: smtp.port, secure: false, from: "mimamori@city.example.jp", fromName: "見守り" });
      assert.equal(configured.status, 200, JSON.stringify(configured.body));
      north = (await service.api("POST", "/teams", { name: "北地区" })).body.id;
      const member = await service.api("POST", "/members", memberBody({ teamId: north, address: "神戸市中央区加納町1-2-3" }));
      assert.equal(member.status, 201, JSON.stringify(member.body));
      memberId = member.body.id;
      org = (await service.store.db.selectFrom("members").select("organisation_id").where("id", "=", memberId).executeTakeFirstOrThrow()).organisation_id;
      await withLogin("佐藤", "sato-v", "sato@volunteer.example.jp");
      await withLogin("鈴木", "suzuki-v", "suzuki@volunteer.example.jp");
      // A login without channels: reached by SMS at the phone of the volunteer's record.
      await withLogin("高橋", "takahashi-v", undefined, { phone: "090-1234-5678" });
      // A login without channels but with an e-mail address (its invitation's): reached by e-mail there, not by SMS.
      const ito = await service.api("POST", "/people", { displayName: "伊藤", loginId: "ito-v", role: "watcher", email: "ito@volunteer.example.jp" });
      assert.equal(ito.status, 201, JSON.stringify(ito.body));
      logins.伊藤 = { id: ito.body.person.id };
      await volunteer("伊藤", { personId: ito.body.person.id, phone: "090-5555-6666" });
      // No login: an SMS with the offer's private link.
      await volunteer("田中", { phone: "080-9999-0000" });
    });
    after(async () => {
      await service?.close();
      await smtp?.close();
    });

    test("an offer is one message per channel, by e-mail through SMTP and by SMS; another's acceptance tells those who were told", async () => {
      const needId = await newNeed();
      const req = await offer(needId, ["佐藤", "高橋", "田中"]);
      const mail = await smtp.waitFor(to("sato@volunteer.example.jp"));
      assert.equal(mail.subject, "【見守り】生活支援のお願い / A request for your help");
      assert.match(mail.text ?? "", /^【見守り】佐藤さん、生活支援のお願いがあります（買い物支援）。1月5日 08:00 までに、見守り管理画面の「わたしへの依頼」で/);
      assert.ok(mail.text?.includes(`${service.url}/help`), "the link to the volunteer's view");
      assert.ok(mail.html?.includes(`href="${service.url}/help"`), "the mail's button");
      const everything = `${mail.subject}${mail.text}${mail.html}`;
      assert.ok(!everything.includes("山田花子") && !everything.includes("加納町"), "the member is not named before the volunteer accepts");

      const offered = await rowsOf(Object.values(req));
      await settled(offered.map((r) => r.idempotency_key));
      const sent = await rowsOf(Object.values(req));
      const satoChannel = (await service.store.db.selectFrom("person_channels").select("id").where("person_id", "=", logins.佐藤.id).executeTakeFirstOrThrow()).id;
      assert.deepEqual(sent.map((r) => [r.idempotency_key, r.status, r.recipient_kind, r.recipient_id, r.channel_kind, r.address]).toSorted(), [
        [`directory_offer:${req.佐藤}:${satoChannel}`, "sent", "person", logins.佐藤.id, "email", "sato@volunteer.example.jp"],
        [`directory_offer:${req.高橋}:phone`, "sent", "person", logins.高橋.id, "sms", "+819012345678"],
        [`directory_offer:${req.田中}:phone`, "sent", "context", volunteers.田中, "sms", "+818099990000"],
      ].toSorted(), "one row per request and channel; the volunteer without a login by SMS, as themselves");
      const linked = sent.find((r) => r.recipient_kind === "context");
      assert.match(linked?.text ?? "", new RegExp(`^【見守り】生活支援のお願いがあります（買い物支援）。1月5日 08:00 までにお返事ください：\n${service.url}/offer/mdv_[A-Za-z0-9_-]{32}$`));
      const sms = sent.find((r) => r.channel_kind === "sms" && r.recipient_kind === "person");
      assert.equal(sms?.text, `【見守り】生活支援のお願いがあります（買い物支援）。1月5日 08:00 までにお返事ください：\n${service.url}/help`);
      assert.equal(smtp.messages.filter(to("sato@volunteer.example.jp")).length, 1);

      // 田中 (asked by phone) accepts through the coordinator: the two who were told hear it is no longer needed.
      const accepted = await service.api("POST", `/directory/volunteer-requests/${req.田中}/accept`, {});
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      const closing = await smtp.waitFor((m) => to("sato@volunteer.example.jp")(m) && m.subject?.includes("不要") === true);
      assert.equal(closing.subject, "【見守り】生活支援のお願いは不要になりました / The request for help is no longer needed");
      assert.match(closing.text ?? "", /佐藤さん、先ほどお願いした生活支援（買い物支援）は、ほかの方が引き受けたか必要がなくなりました。/);
      const withdrawn = (await rowsOf(Object.values(req))).filter((r) => r.idempotency_key.startsWith("directory_offer_withdrawn:"));
      await settled(withdrawn.map((r) => r.idempotency_key));
      assert.deepEqual((await rowsOf(Object.values(req))).filter((r) => r.idempotency_key.startsWith("directory_offer_withdrawn:"))
        .map((r) => [r.idempotency_key, r.status, r.channel_kind]).toSorted(), [
        [`directory_offer_withdrawn:${req.佐藤}:${satoChannel}`, "sent", "email"],
        [`directory_offer_withdrawn:${req.高橋}:phone`, "sent", "sms"],
      ].toSorted());
      // The accepting volunteer's own request is not "withdrawn": 田中 has their offer's message only.
      assert.deepEqual((await rowsOf([req.田中])).map((r) => r.idempotency_key), [`directory_offer:${req.田中}:phone`]);
    });

    test("a login without channels is told at its e-mail address, not at the record's phone", async () => {
      const needId = await newNeed();
      const req = await offer(needId, ["伊藤"]);
      const mail = await smtp.waitFor((m) => to("ito@volunteer.example.jp")(m) && m.subject === "【見守り】生活支援のお願い / A request for your help");
      assert.ok(mail.text?.includes(`${service.url}/help`));
      const rows = await rowsOf([req.伊藤]);
      await settled(rows.map((r) => r.idempotency_key));
      assert.deepEqual((await rowsOf([req.伊藤])).map((r) => [r.idempotency_key, r.status, r.channel_kind, r.address]),
        [[`directory_offer:${req.伊藤}:email`, "sent", "email", "ito@volunteer.example.jp"]]);
      // Withdrawn so that 伊藤 is free for the tests after this one (their own limit is one open request).
      assert.equal((await service.api("PATCH", `/directory/needs/${needId}`, { status: "withdrawn" })).status, 200);
    });

    test("a record's landline gets no SMS: the volunteer is asked, but by the coordinator's call", async () => {
      await volunteer("渡辺", { phone: "03-1234-5678" });
      const needId = await newNeed();
      const req = await offer(needId, ["渡辺"]);
      assert.ok(req.渡辺, "the request is made");
      assert.deepEqual(await rowsOf([req.渡辺!]), [], "no text to a number that cannot receive one");
      assert.equal((await service.api("PATCH", `/directory/needs/${needId}`, { status: "withdrawn" })).status, 200);
    });

    test("a queued offer whose request closed before its turn is dropped (request_closed), and its volunteer is not told of a withdrawal", async () => {
      const needId = await newNeed();
      const { req, before } = await service.services.engine.exclusive(async (control) => {
        // The sending loop waits while the engine is held: the messages stay queued.
        const req = await offer(needId, ["佐藤", "鈴木"]);
        const before = await rowsOf(Object.values(req));
        const accepted = await service.api("POST", `/directory/volunteer-requests/${req.鈴木}/accept`, {});
        assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
        await control.runUntilIdle();
        return { req, before };
      });
      assert.deepEqual(before.map((r) => r.status), ["pending", "pending"], "both queued before the answer");
      const after = await rowsOf(Object.values(req));
      assert.deepEqual(after.map((r) => [r.idempotency_key.split(":")[1], r.status, r.cancel_reason]).toSorted(), [
        [req.佐藤, "cancelled", "request_closed"],
        [req.鈴木, "cancelled", "request_closed"],
      ].toSorted(), "both dropped when their turn came; no withdrawal notice for the one never told");
      assert.equal(smtp.messages.filter(to("suzuki@volunteer.example.jp")).length, 0, "nothing reached the SMTP server");
    });

    test("an expired offer passes on once: running the phase again or telling again writes no second row", async () => {
      const needId = await newNeed();
      const req = await offer(needId, ["鈴木"], 1);
      await smtp.waitFor(to("suzuki@volunteer.example.jp"));
      await sandbox(service.api).advance("PT90M");
      const requests = (await service.api("GET", `/directory/needs/${needId}`)).body.requests as { id: string; status: string; volunteer: { displayName: string } }[];
      assert.equal(requests.find((r) => r.id === req.鈴木)?.status, "expired");
      const next = requests.filter((r) => r.status === "offered");
      assert.equal(next.length, 1, JSON.stringify(requests));
      const ids = requests.map((r) => r.id);
      const once = await rowsOf(ids);
      await service.services.engine.exclusive(async (control) => {
        const now = service.services.clock.now();
        assert.deepEqual(await expireOffers(service.store.db, now, 100, service.url), { claimed: 0, queued: 0 }, "nothing due twice");
        await inTransaction(service.store.db, (tx) => tellOffered(tx, org, ids, service.url, now));
        await control.runUntilIdle();
      });
      const twice = await rowsOf(ids);
      assert.deepEqual(twice.map((r) => r.idempotency_key), once.map((r) => r.idempotency_key), "the same rows, none added");
      assert.equal(twice.filter((r) => r.idempotency_key.startsWith(`directory_offer:${next[0].id}:`)).length, 1,
        `one message to ${next[0].volunteer.displayName}, on their one channel`);
      assert.equal(twice.filter((r) => r.idempotency_key.startsWith(`directory_offer:${req.鈴木}:`)).length, 1);
      assert.equal(smtp.messages.filter(to("suzuki@volunteer.example.jp")).length, 1, "the expired volunteer is not told again");

      // The coordinator resolves the need: the volunteer told of the passed-on offer hears it is no longer needed, once; the expired one nothing.
      const offeredRows = twice.filter((r) => r.idempotency_key.startsWith(`directory_offer:${next[0].id}:`));
      await settled(offeredRows.map((r) => r.idempotency_key));
      assert.equal((await service.api("PATCH", `/directory/needs/${needId}`, { status: "resolved" })).status, 200);
      const closing = (await rowsOf(ids)).filter((r) => r.idempotency_key.startsWith("directory_offer_withdrawn:"));
      assert.deepEqual(closing.map((r) => [r.idempotency_key.split(":")[1], r.recipient_id, r.channel_kind]),
        offeredRows.map((r) => [next[0].id, r.recipient_id, r.channel_kind]));
    });

    test("the directory's check judges only its own person_messages", async () => {
      const now = service.services.clock.now();
      const row = { id: "x", organisation_id: org, recipient_kind: "person" as const, recipient_id: logins.佐藤.id, message_kind: "person_message" as const,
        checkin_id: null, incident_id: null, created_at: now };
      const gone = await volunteerMessageCause.gone(service.store.db, [
        { ...row, id: "other-context", payload: { context: "elsewhere", topic: "volunteer_offer", requestId: "00000000-0000-4000-8000-000000000000" } },
        { ...row, id: "unknown-request", payload: { context: "directory", topic: "volunteer_offer", requestId: "00000000-0000-4000-8000-000000000000" } },
      ], now);
      assert.deepEqual([...gone], [["unknown-request", "request_closed"]]);
    });
  });
}
