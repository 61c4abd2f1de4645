/**
 * E-mail and SMS end to end: nodemailer (pooled) delivers to a real SMTP server
 * on loopback, the twilio SDK sends SMS to the local Twilio-compatible server,
 * and the one-tap links they carry are used over HTTP as a phone would.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, TOKYO } from "../support/harness.ts";
import { type PhoneFixture, startPhoneFixture } from "../support/phone-fixture.ts";

const LINK = /http:\/\/127\.0\.0\.1:\d+\/c\/[A-Za-z0-9_-]{32}/;

async function press(link: string, action: string): Promise<{ status: number; html: string }> {
  const response = await fetch(link, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ action }).toString(),
  });
  return { status: response.status, html: await response.text() };
}

for (const kind of databaseKinds()) {
  describe(`e-mail and SMS on ${kind}`, () => {
    let f: PhoneFixture;
    before(async () => {
      f = await startPhoneFixture(kind, {}, { rejectRecipients: ["bounce@example.jp"] });
    });
    after(() => f.close());

    test("an e-mail member taps the link and is answered; the link used again changes nothing", async () => {
      const r = await f.service.api("POST", "/members", {
        displayName: "山田花子", channels: [{ kind: "email", address: "hanako@example.jp" }], plan: { every: "1d", at: "09:00" },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const id = r.body.id;
      await f.clockTo(TOKYO("2027-01-04T09:00:00"));
      const mail = await f.smtp.waitFor((m) => m.to.includes("hanako@example.jp"));
      assert.equal(mail.from, "mimamori@city.example.jp");
      assert.match(mail.subject ?? "", /確認のお願い/);
      assert.match(mail.text ?? "", /山田花子さん、見守りの確認です/, "a plain-text part");
      const link = (mail.text ?? "").match(LINK)?.[0];
      assert.ok(link, "the text part carries the link");
      assert.ok((mail.html ?? "").includes(link), "so does the HTML part");
      assert.match(mail.messageId ?? "", /@mimamori>$/);

      assert.equal((await fetch(link)).status, 200);
      assert.equal((await f.service.api("GET", `/members/${id}`)).body.openCheckins.length, 1, "opening the link changes nothing");
      const done = await press(link, "ok");
      assert.equal(done.status, 200);
      const member = (await f.service.api("GET", `/members/${id}`)).body;
      assert.equal(member.openCheckins.length, 0);
      assert.equal(member.lastAnswer.answer, "ok");

      const again = await press(link, "need_contact");
      assert.equal(again.status, 410);
      assert.match(again.html, /すでに使われています/);
      const history = (await f.service.api("GET", `/members/${id}/history`)).body;
      assert.equal(history.answers.length, 1, "one answer, not two");
      assert.equal((await f.service.api("GET", `/incidents?memberId=${id}`)).body.incidents.length, 0);
      await f.service.api("DELETE", `/members/${id}`);
    });

    test("a bounced e-mail falls back to SMS; an undelivered SMS is marked failed, and the team sees both", async () => {
      const phone = "+819055550005";
      const r = await f.service.api("POST", "/members", {
        displayName: "高橋次郎", plan: { every: "1d", at: "09:00" },
        channels: [{ kind: "email", address: "bounce@example.jp" }, { kind: "sms", address: phone }],
      });
      const id = r.body.id;
      await f.clockTo(TOKYO("2027-01-05T09:00:00"));
      const sms = f.twilio.messages.filter((m) => m.to === phone);
      assert.equal(sms.length, 1, "the SMS goes out once the mailbox refused the mail");
      assert.match(sms[0].body, /高橋次郎さん、見守りの確認です/);
      assert.match(sms[0].body, LINK);
      assert.ok(f.smtp.refused.some((x) => x.address === "bounce@example.jp" && x.code === 550));

      const report = await f.twilio.messageStatus(sms[0].sid, "undelivered", 30003);
      assert.equal(report?.status, 204);
      const failed = (await f.service.api("GET", `/deliveries/failed?memberId=${id}`)).body.deliveries;
      assert.deepEqual(failed.map((d: { channel: string }) => d.channel).sort(), ["email", "sms"]);
      assert.match(failed.find((d: { channel: string }) => d.channel === "email").error, /550/);
      assert.equal(failed.find((d: { channel: string }) => d.channel === "sms").outcome, "undelivered");
      // A second report of the same failure changes nothing.
      await f.twilio.messageStatus(sms[0].sid, "failed", 30003);
      assert.equal((await f.service.api("GET", `/deliveries/failed?memberId=${id}`)).body.deliveries.length, 2);
      await f.service.api("DELETE", `/members/${id}`);
    });

    test("an SMS contact confirms by link, then takes on the alert by link", async () => {
      const phone = "+819066660006";
      const r = await f.service.api("POST", "/members", {
        displayName: "伊藤三郎", plan: { every: "1d", at: "09:00" }, channels: [{ kind: "email", address: "saburo@example.jp" }],
        contacts: [{ displayName: "伊藤四郎", relation: "son", channels: [{ kind: "sms", address: phone }] }],
      });
      const id = r.body.id;
      await f.settle();
      const unconfirmed = (await f.service.api("GET", "/contacts?confirmed=false")).body.contacts;
      assert.ok(unconfirmed.some((c: { memberId: string }) => c.memberId === id), "the team sees the unconfirmed contact");
      const contactId = unconfirmed.find((c: { memberId: string }) => c.memberId === id).id;
      assert.equal((await f.service.api("POST", `/contacts/${contactId}/confirmation-request`)).status, 202, "staff can ask again");
      await f.settle();
      const requests = f.twilio.messages.filter((m) => m.to === phone);
      assert.equal(requests.length, 2);
      const confirmation = requests[0];
      assert.match(confirmation.body, /伊藤四郎さんが、伊藤三郎さんの見守りの連絡先として登録されました/);
      assert.equal((await press(confirmation.body.match(LINK)![0], "confirm")).status, 200);
      assert.equal((await f.service.api("GET", `/members/${id}/contacts`)).body.contacts[0].confirmed, true);
      assert.equal((await press(requests[1].body.match(LINK)![0], "confirm")).status, 409, "the second link finds it done");
      assert.equal((await f.service.api("POST", `/contacts/${contactId}/confirmation-request`)).body.error.code, "already_confirmed");

      // Unanswered: re-sent at +24 h, the incident and the contact's alert at +27 h.
      await f.clockTo(TOKYO("2027-01-06T09:00:00"));
      await f.clockTo(TOKYO("2027-01-07T12:00:00"));
      const alert = f.twilio.messages.filter((m) => m.to === phone).at(-1)!;
      assert.notEqual(alert.sid, confirmation.sid);
      assert.match(alert.body, /伊藤三郎さんから 1月6日 09:00 以降、応答がありません/);
      const done = await press(alert.body.match(LINK)![0], "ack");
      assert.equal(done.status, 200);
      const [incident] = (await f.service.api("GET", `/incidents?memberId=${id}`)).body.incidents;
      assert.equal(incident.status, "acknowledged");
      assert.equal(incident.acknowledged.via, "sms");
      assert.match(incident.acknowledged.by, /伊藤四郎/);
      await f.service.api("DELETE", `/members/${id}`);
    });

    test("a bounce reported later moves the message to the next channel, once", async () => {
      const phone = "+819077770007";
      const r = await f.service.api("POST", "/members", {
        displayName: "渡辺五郎", plan: { every: "1d", at: "09:00" },
        channels: [{ kind: "email", address: "goro@example.jp" }, { kind: "sms", address: phone }],
      });
      const id = r.body.id;
      await f.clockTo(TOKYO("2027-01-10T09:00:00"));
      const mail = await f.smtp.waitFor((m) => m.to.includes("goro@example.jp"));
      assert.equal(f.twilio.messages.filter((m) => m.to === phone).length, 0, "the mail was accepted");
      const bounce = await f.service.api("POST", "/deliveries/bounces", { messageId: mail.messageId, reason: "550 5.1.1 user unknown" });
      assert.equal(bounce.status, 202, JSON.stringify(bounce.body));
      await f.settle();
      assert.equal(f.twilio.messages.filter((m) => m.to === phone).length, 1, "the SMS goes out instead");
      assert.equal((await f.service.api("POST", "/deliveries/bounces", { messageId: mail.messageId })).status, 202);
      await f.settle();
      assert.equal(f.twilio.messages.filter((m) => m.to === phone).length, 1, "a repeated report sends nothing more");
      const failed = (await f.service.api("GET", `/deliveries/failed?memberId=${id}`)).body.deliveries;
      assert.equal(failed[0].outcome, "bounced");
      assert.match(failed[0].error, /user unknown/);
      const unknown = await f.service.api("POST", "/deliveries/bounces", { messageId: "<nobody@example.jp>" });
      assert.equal(unknown.status, 404);
      const invalid = await f.service.api("POST", "/deliveries/bounces", {});
      assert.equal(invalid.status, 400);
      assert.equal(invalid.body.error.field, "messageId");
      await f.service.api("DELETE", `/members/${id}`);
    });
  });
}
