/**
 * Automated calls end to end: the official twilio SDK places calls on a local
 * Twilio-compatible server, which answers them, presses keys and reports how
 * they ended through signed webhooks, as Twilio does.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, TOKYO } from "../support/harness.ts";
import twilio from "twilio";
import { ACCOUNT_SID, AUTH_TOKEN, CALLER_ID, type PhoneFixture, startPhoneFixture } from "../support/phone-fixture.ts";
import { findVerb, peakRate, spokenText } from "../support/twilio-api-server.ts";

const MEMBER = "+819011110001";
const SON = "+819022220002";
const NINE_AM = TOKYO("2027-01-04T09:00:00");

const voiceMember = (overrides: Record<string, unknown> = {}) => ({
  displayName: "山田花子",
  channels: [{ kind: "voice", address: MEMBER }],
  plan: { every: "1d", at: "09:00" },
  ...overrides,
});

async function createMember(f: PhoneFixture, body: Record<string, unknown>): Promise<string> {
  const r = await f.service.api("POST", "/members", body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

for (const kind of databaseKinds()) {
  describe(`phone check-ins on ${kind}`, () => {
    let f: PhoneFixture;
    before(async () => {
      f = await startPhoneFixture(kind);
    });
    after(() => f.close());

    test("a member who presses 9 opens a contact-request incident; the call is Japanese, from the organisation's number", async () => {
      const id = await createMember(f, voiceMember());
      await f.clockTo(NINE_AM);
      const [call] = f.callsTo(MEMBER);
      assert.ok(call, "the member is called at 09:00");
      assert.equal(call.from, CALLER_ID);
      assert.equal(call.machineDetection, "Enable");

      const opening = await f.twilio.answer(call.sid, { answeredBy: "human" });
      const gather = findVerb(opening, "Gather");
      assert.equal(gather?.numDigits, 1);
      assert.match(spokenText(opening), /山田花子さん.*1を.*9を/s);
      const said = opening.verbs.concat(gather?.children ?? []).filter((v) => v.verb === "Say");
      assert.ok(said.length > 0 && said.every((v) => "language" in v && v.language === "ja-JP"), "every <Say> is in Japanese");

      const reply = await f.twilio.press(call.sid, "9");
      assert.match(spokenText(reply), /担当者からご連絡します/);
      assert.equal(findVerb(reply, "Gather"), undefined, "no daily questions are configured");
      await f.twilio.finish(call.sid, "completed", { AnsweredBy: "human" });
      await f.settle();

      const incidents = (await f.service.api("GET", `/incidents?memberId=${id}`)).body.incidents;
      assert.equal(incidents.length, 1);
      assert.equal(incidents[0].kind, "contact_requested");
      assert.equal(incidents[0].urgency, "urgent");
      const member = (await f.service.api("GET", `/members/${id}`)).body;
      assert.equal(member.openCheckins.length, 0, "9 is an answer: the check-in is closed");
      assert.equal(member.lastAnswer.answer, "need_contact");
      assert.equal(member.callsFrom, CALLER_ID, "whoever registers the member can tell them the number calls come from");

      // Answered: nobody calls again.
      await f.advance("PT30M");
      assert.equal(f.callsTo(MEMBER).length, 1);
      await f.service.api("DELETE", `/members/${id}`);
    });

    test("numbers are stored and dialled in E.164 however they were typed; people read them in national form", async () => {
      // The organisation's number, typed as it is printed on a leaflet.
      const twilioConfig = { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, callsPerSecond: 50, messagesPerSecond: 50 };
      const configured = await f.service.api("PUT", "/channels/twilio", { ...twilioConfig, callerId: "03-1234-5678", smsFrom: "０３ー１２３４ー５６７８" });
      assert.equal(configured.status, 200, JSON.stringify(configured.body));
      const settings = (await f.service.api("GET", "/channels/twilio")).body.settings;
      assert.equal(settings.callerId, CALLER_ID);
      assert.equal(settings.smsFrom, CALLER_ID);

      const r = await f.service.api("POST", "/members", voiceMember({
        displayName: "木村一", phone: "0312345679",
        channels: [{ kind: "voice", address: "＋８１９０１１１１０００３" }, { kind: "sms", address: "090-1111-0003" }],
        contacts: [{ displayName: "木村二郎", relation: "son", channels: [{ kind: "sms", address: "09022220003" }] }],
      }));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const member = (await f.service.api("GET", `/members/${r.body.id}`)).body;
      assert.deepEqual(member.channels.map((c: { address: string }) => c.address), ["+819011110003", "+819011110003"]);
      assert.equal(member.phone, "+81312345679");
      const [contact] = (await f.service.api("GET", `/members/${r.body.id}/contacts`)).body.contacts;
      assert.equal(contact.channels[0].address, "+819022220003");

      // The contact's confirmation SMS goes to E.164 and tells the number calls come from as people dial it.
      await f.settle();
      const [sms] = f.twilio.messages.filter((m) => m.to === "+819022220003");
      assert.ok(sms, "the contact is asked to confirm by SMS");
      assert.match(sms.body, /見守りのお電話は 03-1234-5678 からおかけします/);
      assert.doesNotMatch(sms.body, /\+81/);
      await f.clockTo(TOKYO("2027-01-05T09:00:00"));
      assert.equal(f.callsTo("+819011110003").length, 1, "the member is called at the E.164 number");

      // Invalid numbers are refused naming the field and showing the expected form; nothing is written.
      const before = (await f.service.api("GET", "/members?limit=1000")).body.members.length;
      const refusals: Array<[string, Record<string, unknown>, string]> = [
        ["/members", voiceMember({ channels: [{ kind: "voice", address: "090-1234-567" }] }), "channels.0.address"],
        ["/members", voiceMember({ contacts: [{ displayName: "x", relation: "son", channels: [{ kind: "sms", address: "12345" }] }] }), "contacts.0.channels.0.address"],
        ["/members", voiceMember({ phone: "not a number" }), "phone"],
      ];
      for (const [path, body, field] of refusals) {
        const refused = await f.service.api("POST", path, body);
        assert.equal(refused.status, 400, JSON.stringify(refused.body));
        assert.equal(refused.body.error.field, field);
        assert.match(refused.body.error.message, /090-1234-5678/);
      }
      assert.equal((await f.service.api("GET", "/members?limit=1000")).body.members.length, before);
      const badCaller = await f.service.api("PUT", "/channels/twilio", { ...twilioConfig, callerId: "+819000000000" });
      assert.equal(badCaller.status, 400);
      assert.equal(badCaller.body.error.field, "callerId");
      assert.match(badCaller.body.error.message, /\+819012345678/);
      assert.equal((await f.service.api("GET", "/channels/twilio")).body.settings.callerId, CALLER_ID, "the refused change left the number as it was");
      await f.service.api("DELETE", `/members/${r.body.id}`);
    });
  });
}

for (const kind of databaseKinds()) describe(`phone check-ins on ${kind}: retries, escalation, keys and signatures`, () => {
  let f: PhoneFixture;
  before(async () => {
    f = await startPhoneFixture(kind);
  });
  after(() => f.close());

  test("never picks up: called again twice, 10 minutes apart; then the incident, and the contact presses 1 to take it on", async () => {
    const id = await createMember(f, voiceMember({
      contacts: [{ displayName: "山田一郎", relation: "son", channels: [{ kind: "voice", address: SON }] }],
    }));
    // The new contact is called to confirm the role first.
    await f.settle();
    const [confirm] = f.callsTo(SON);
    assert.ok(confirm, "the contact is asked to confirm");
    assert.match(spokenText(await f.twilio.answer(confirm.sid, { answeredBy: "human" })), /山田一郎さんが、山田花子さんの見守りの連絡先/);
    assert.match(spokenText(await f.twilio.press(confirm.sid, "1")), /ご登録を確認しました/);
    await f.twilio.finish(confirm.sid, "completed");
    const contacts = (await f.service.api("GET", `/members/${id}/contacts`)).body.contacts;
    assert.equal(contacts[0].confirmed, true);

    await f.clockTo(NINE_AM);
    const first = f.callsTo(MEMBER).at(-1)!;
    await f.twilio.finish(first.sid, "no-answer");
    await f.advance("PT9M");
    assert.equal(f.callsTo(MEMBER).length, 1, "not before ten minutes");
    await f.advance("PT1M");
    assert.equal(f.callsTo(MEMBER).length, 2, "the second call, ten minutes later");
    await f.twilio.finish(f.callsTo(MEMBER)[1].sid, "busy");
    await f.advance("PT10M");
    const third = f.callsTo(MEMBER)[2];
    assert.ok(third, "the third call");
    // An answering machine gets no message: the call hangs up and counts as unanswered.
    const machine = await f.twilio.answer(third.sid, { answeredBy: "machine_start" });
    assert.equal(spokenText(machine), "");
    assert.ok(findVerb(machine, "Hangup"));
    await f.twilio.finish(third.sid, "completed", { AnsweredBy: "machine_start" });
    await f.advance("PT30M");
    assert.equal(f.callsTo(MEMBER).length, 3, "two more attempts, then no more");
    const failed = (await f.service.api("GET", `/deliveries/failed?memberId=${id}`)).body.deliveries;
    assert.equal(failed[0].outcome, "machine");
    assert.equal(failed[0].kind, "prompt");
    assert.equal((await f.service.api("GET", `/members/${id}`)).body.openCheckins.length, 1, "the check-in stays unanswered");

    // The phone policy calls again the next day, and opens the incident an hour later.
    await f.clockTo(TOKYO("2027-01-05T09:00:00"));
    for (let i = 0; i < 3; i++) {
      const call = f.callsTo(MEMBER).at(-1)!;
      await f.twilio.finish(call.sid, "no-answer");
      await f.advance("PT10M");
    }
    assert.equal(f.callsTo(MEMBER).length, 6);
    await f.clockTo(TOKYO("2027-01-05T10:00:00"));
    const alert = f.callsTo(SON).at(-1)!;
    assert.notEqual(alert.sid, confirm.sid, "the contact is called with the alert");
    const spoken = spokenText(await f.twilio.answer(alert.sid, { answeredBy: "human" }));
    assert.match(spoken, /山田花子さんから 1月4日 09:00 以降、応答がありません/);
    assert.match(spoken, /1を.*2を/s);
    assert.match(spokenText(await f.twilio.press(alert.sid, "1")), /対応をお願いします/);
    await f.twilio.finish(alert.sid, "completed");

    const [incident] = (await f.service.api("GET", `/incidents?memberId=${id}`)).body.incidents;
    assert.equal(incident.kind, "no_answer");
    assert.equal(incident.status, "acknowledged");
    assert.match(incident.acknowledged.by, /山田一郎/);
    assert.equal(incident.acknowledged.via, "voice");
    await f.service.api("DELETE", `/members/${id}`);
  });

  test("a wrong key repeats the question once; silence repeats once and then ends the call as unanswered", async () => {
    const number = "+819011110009";
    const id = await createMember(f, voiceMember({ displayName: "鈴木一", channels: [{ kind: "voice", address: number }] }));
    await f.clockTo(TOKYO("2027-01-06T09:00:00"));
    const first = f.callsTo(number)[0];
    await f.twilio.answer(first.sid, { answeredBy: "human" });
    const again = await f.twilio.press(first.sid, "5");
    assert.match(spokenText(again), /もう一度お願いします.*1を.*9を/s);
    assert.ok(findVerb(again, "Gather"));
    const bye = await f.twilio.press(first.sid, "7");
    assert.match(spokenText(bye), /確認ができませんでした/);
    assert.equal(findVerb(bye, "Gather"), undefined);
    await f.twilio.finish(first.sid, "completed", { AnsweredBy: "human" });
    assert.equal((await f.service.api("GET", `/members/${id}`)).body.openCheckins.length, 1);

    await f.advance("PT10M");
    const second = f.callsTo(number)[1];
    assert.ok(second, "a call that ended without an answer is tried again");
    await f.twilio.answer(second.sid, { answeredBy: "human" });
    assert.match(spokenText(await f.twilio.silence(second.sid)), /ボタンが押されませんでした.*1を/s);
    const ended = await f.twilio.silence(second.sid);
    assert.match(spokenText(ended), /確認ができませんでした/);
    await f.twilio.finish(second.sid, "completed", { AnsweredBy: "human" });

    await f.advance("PT10M");
    const third = f.callsTo(number)[2];
    await f.twilio.answer(third.sid, { answeredBy: "human" });
    await f.twilio.press(third.sid, "1");
    await f.twilio.finish(third.sid, "completed", { AnsweredBy: "human" });
    const member = (await f.service.api("GET", `/members/${id}`)).body;
    assert.equal(member.openCheckins.length, 0);
    assert.equal(member.lastAnswer.answer, "ok");
    await f.advance("PT30M");
    assert.equal(f.callsTo(number).length, 3, "answered: no fourth call");
    await f.service.api("DELETE", `/members/${id}`);
  });

  test("daily questions follow the answer and are kept as observations; an unanswered question is skipped", async () => {
    const patched = await f.service.api("PATCH", "/organisation", { dailyQuestions: ["condition", "sleep"] });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body.dailyQuestions.map((q: { key: string }) => q.key), ["condition", "sleep"]);
    const bad = await f.service.api("PATCH", "/organisation", { dailyQuestions: ["condition", "condition"] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.field, "dailyQuestions.1");

    const number = "+819011110010";
    const id = await createMember(f, voiceMember({ displayName: "田中和子", channels: [{ kind: "voice", address: number }] }));
    await f.clockTo(TOKYO("2027-01-07T09:00:00"));
    const call = f.callsTo(number)[0];
    await f.twilio.answer(call.sid, { answeredBy: "human" });
    assert.match(spokenText(await f.twilio.press(call.sid, "1")), /お元気とうかがいました.*今日のご様子.*元気がないは3を/s);
    assert.match(spokenText(await f.twilio.press(call.sid, "3")), /よく眠れましたか/);
    assert.match(spokenText(await f.twilio.silence(call.sid)), /もう一度/);
    assert.match(spokenText(await f.twilio.silence(call.sid)), /ありがとうございました/);
    await f.twilio.finish(call.sid, "completed", { AnsweredBy: "human" });

    const observations = (await f.service.api("GET", `/members/${id}/observations`)).body.observations;
    assert.deepEqual(observations.map((o: { question: string; value: string; label: string }) => [o.question, o.value, o.label]),
      [["condition", "unwell", "元気がない"]]);
    assert.equal((await f.service.api("GET", `/members/${id}`)).body.lastAnswer.answer, "ok");
    await f.service.api("PATCH", "/organisation", { dailyQuestions: [] });
    await f.service.api("DELETE", `/members/${id}`);
  });

  test("webhooks without a valid X-Twilio-Signature are refused with 403 and change nothing", async () => {
    const number = "+819011110011";
    const id = await createMember(f, voiceMember({ displayName: "佐藤花", channels: [{ kind: "voice", address: number }] }));
    await f.clockTo(TOKYO("2027-01-08T09:00:00"));
    const call = f.callsTo(number)[0];
    assert.ok(call.url);
    const params = { CallSid: call.sid, AccountSid: call.accountSid, From: call.from, To: call.to, CallStatus: "in-progress", Digits: "1" };
    const gatherUrl = `${call.url}&s=main&t=0`;
    const unsigned = await f.twilio.postUnsigned(gatherUrl, params);
    assert.equal(unsigned.status, 403);
    assert.equal(JSON.parse(unsigned.body).error.field, "x-twilio-signature");
    assert.equal((await f.twilio.postWithSignature(gatherUrl, params, "bm90IGEgc2lnbmF0dXJl")).status, 403);
    // A valid signature over other parameters does not carry over.
    const signed = await f.twilio.signedPost(call.accountSid, gatherUrl, params);
    assert.equal(signed.status, 200);
    const signature = twilio.getExpectedTwilioSignature(AUTH_TOKEN, gatherUrl, params);
    const forged = await f.twilio.postWithSignature(gatherUrl, { ...params, Digits: "9" }, signature);
    assert.equal(forged.status, 403);
    const member = (await f.service.api("GET", `/members/${id}`)).body;
    assert.equal(member.lastAnswer.answer, "ok", "only the signed request counted");
    assert.equal((await f.service.api("GET", `/incidents?memberId=${id}`)).body.incidents.length, 0);
    await f.service.api("DELETE", `/members/${id}`);
  });
});

for (const kind of databaseKinds()) describe(`the call cap on ${kind}`, () => {
  test("calls due together are spread out at the organisation's cap, none dropped", async () => {
    const f = await startPhoneFixture(kind, { callsPerSecond: 4 });
    try {
      const numbers = Array.from({ length: 12 }, (_, i) => `+81901234${String(i).padStart(4, "0")}`);
      const bulk = await f.service.api("POST", "/members/bulk", {
        members: numbers.map((n, i) => voiceMember({ displayName: `会員${i}`, channels: [{ kind: "voice", address: n }] })),
      });
      assert.equal(bulk.status, 201, JSON.stringify(bulk.body));
      await f.clockTo(NINE_AM);
      for (let i = 0; i < 100 && f.twilio.calls.length < numbers.length; i++) {
        await f.settle();
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.deepEqual(f.twilio.calls.map((c) => c.to).sort(), numbers, "every member is called once");
      // The sender never lets a fifth call go within a second. Calls are counted where they arrive, after the
      // loopback's delay, which a loaded machine stretches for one and not the next: windows of a second less
      // half a slot (125 ms) keep the rule and forgive that much drift.
      const window = 1000 - 1000 / 4 / 2;
      assert.ok(peakRate(f.twilio.calls, window) <= 4, `at most 4 calls within ${window} ms (was ${peakRate(f.twilio.calls, window)})`);
      const span = f.twilio.calls.at(-1)!.receivedAt - f.twilio.calls[0].receivedAt;
      assert.ok(span >= 2500, `12 calls at 4/s take about 3 s (took ${span} ms)`);
    } finally {
      await f.close();
    }
  });
});
