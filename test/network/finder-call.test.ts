/**
 * The finder's call end to end on the local Twilio-compatible server, on every
 * database: a caller on the organisation's number keys a member's sticker number
 * (a wrong one first), hears that the call is recorded, and is put through from
 * the organisation's number to the confirmed contacts in order — the first does
 * not answer, the second does. The call is on the member's incident and in the
 * audit log, the team is told, and a forged webhook changes nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds } from "../support/harness.ts";
import { ACCOUNT_SID, CALLER_ID, type PhoneFixture, startPhoneFixture } from "../support/phone-fixture.ts";
import { findVerb, type OtherVerb, parseTwiml, spokenText, textContent, type Twiml } from "../support/twilio-api-server.ts";

const SON = "+819022220002";
const DAUGHTER = "+818033330003";
const NEIGHBOUR = "+819044440004";
const FINDER = "+819099998888";

const dialOf = (doc: Twiml) => {
  const dial = doc.verbs.find((v): v is OtherVerb => v.verb === "Other" && v.name === "Dial");
  assert.ok(dial, `a <Dial> in ${JSON.stringify(doc.verbs)}`);
  const numbers = dial.element.children.filter((c) => typeof c !== "string" && c.name === "Number").map((c) => textContent(c).trim());
  return { attributes: dial.element.attributes, numbers };
};

for (const kind of databaseKinds()) {
  describe(`the finder's call on ${kind}`, () => {
    let f: PhoneFixture;
    before(async () => {
      f = await startPhoneFixture(kind);
    });
    after(() => f.close());

    test("a wrong number, then the right one: the first contact does not answer, the second does; recorded, audited, the team told", async () => {
      const created = await f.service.api("POST", "/members", {
        displayName: "山田花子", channels: [{ kind: "sandbox", address: "hanako" }], plan: { every: "1d", at: "09:00" },
        contacts: [
          { displayName: "山田一郎", relation: "son", channels: [{ kind: "voice", address: SON }] },
          { displayName: "近所の佐藤", relation: "neighbour", channels: [{ kind: "voice", address: NEIGHBOUR }] },
          { displayName: "山田二子", relation: "daughter", channels: [{ kind: "sms", address: DAUGHTER }] },
        ],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const member = created.body;
      // The son and the daughter confirmed their role; the neighbour did not: only confirmed contacts are rung.
      for (const c of [member.contacts[0], member.contacts[2]]) {
        assert.equal((await f.service.api("PATCH", `/contacts/${c.id}`, { confirmed: true })).status, 200);
      }
      assert.equal((await f.service.api("POST", `/members/${member.id}/registration-numbers`, { registrationNumber: "4455-01", kind: "sticker" })).status, 201);

      const url = `${f.service.url}/webhooks/twilio/${f.organisationId}/finder`;
      const call = { CallSid: "CAfinder0001", From: FINDER, To: CALLER_ID, AccountSid: ACCOUNT_SID };
      const post = async (to: string, params: Record<string, string>) => {
        const r = await f.twilio.signedPost(ACCOUNT_SID, to, { ...call, ...params });
        assert.equal(r.status, 200, r.body);
        return parseTwiml(r.body, to);
      };

      // A forged webhook is refused and changes nothing.
      const forged = await f.twilio.postWithSignature(`${url}?s=number&t=0`, { ...call, Digits: "445501" }, "forged");
      assert.equal(forged.status, 403);
      assert.equal((await f.twilio.postUnsigned(`${url}?s=number&t=0`, { ...call, Digits: "445501" })).status, 403);

      const opening = await post(url, {});
      const gather = findVerb(opening, "Gather");
      assert.ok(gather?.action);
      assert.equal(gather.finishOnKey, "#");
      assert.match(spokenText(opening), /番号を押して/);

      const wrong = await post(gather.action, { Digits: "9999" });
      assert.match(spokenText(wrong), /見つかりませんでした/);
      const again = findVerb(wrong, "Gather");
      assert.ok(again?.action);

      const put = await post(again.action, { Digits: "445501" });
      assert.match(spokenText(put), /録音されます/);
      const first = dialOf(put);
      assert.equal(first.attributes.callerId, CALLER_ID, "the family sees the organisation's number, not the finder's");
      assert.deepEqual(first.numbers, [SON]);
      assert.match(first.attributes.record ?? "", /^record-from-answer/);

      const second = await post(first.attributes.action, { DialCallStatus: "no-answer" });
      assert.deepEqual(dialOf(second).numbers, [DAUGHTER], "the unconfirmed neighbour is skipped");
      assert.equal(dialOf(second).attributes.callerId, CALLER_ID);
      // Twilio retrying the first leg's callback changes nothing.
      assert.deepEqual(dialOf(await post(first.attributes.action, { DialCallStatus: "no-answer" })).numbers, [DAUGHTER]);
      const done = await post(dialOf(second).attributes.action, { DialCallStatus: "completed", DialCallDuration: "95" });
      assert.ok(findVerb(done, "Hangup"));
      await f.settle();

      const [incident] = (await f.service.api("GET", `/incidents?status=unresolved&memberId=${member.id}`)).body.incidents;
      assert.ok(incident, "the call is on the member's incident");
      assert.equal(incident.timeline[0].source, "finder_call");
      const ended = incident.timeline.find((e: { type: string }) => e.type === "finder_call_ended");
      assert.equal(ended.outcome, "connected");
      assert.deepEqual(ended.attempts.map((a: { status: string }) => a.status), ["no-answer", "completed"]);
      assert.equal(JSON.stringify(incident.timeline).includes(FINDER), false, "the finder's number is not on the timeline");

      const log = (await f.service.api("GET", "/audit-log?limit=200")).body.entries as { action: string; subject: { id: string | null } }[];
      const actions = log.map((e) => e.action);
      assert.ok(actions.includes("finder.call_miss"));
      assert.ok(log.some((e) => e.action === "finder.call" && e.subject.id === member.id));
      assert.ok(log.some((e) => e.action === "finder.call_ended" && e.subject.id === member.id));

      const notices = await f.service.store.db.selectFrom("outbox").select(["text", "recipient_kind"]).where("message_kind", "=", "team_notice").execute();
      assert.equal(notices.length, 1);
      assert.match(notices[0].text, /daughter/);
      assert.equal(notices[0].text.includes(FINDER) || notices[0].text.includes(DAUGHTER), false, "no numbers in the notice");
    });

    test("nobody answers: the team is told to act and the incident is raised", async () => {
      const created = await f.service.api("POST", "/members", {
        displayName: "佐藤一", channels: [{ kind: "sandbox", address: "hajime" }], plan: { every: "1d", at: "09:00" },
        contacts: [{ displayName: "佐藤次郎", relation: "son", channels: [{ kind: "voice", address: "+819055550005" }] }],
      });
      const member = created.body;
      await f.service.api("PATCH", `/contacts/${member.contacts[0].id}`, { confirmed: true });
      await f.service.api("POST", `/members/${member.id}/registration-numbers`, { registrationNumber: "778899", kind: "sticker" });
      const url = `${f.service.url}/webhooks/twilio/${f.organisationId}/finder`;
      const call = { CallSid: "CAfinder0002", From: FINDER, To: CALLER_ID };
      const put = await f.twilio.signedPost(ACCOUNT_SID, `${url}?s=number&t=0`, { ...call, Digits: "778899" });
      assert.equal(put.status, 200, put.body);
      const dial = dialOf(parseTwiml(put.body, url));
      const end = await f.twilio.signedPost(ACCOUNT_SID, dial.attributes.action, { ...call, DialCallStatus: "busy" });
      assert.match(spokenText(parseTwiml(end.body, url)), /つながりませんでした.*119番/s);
      const [incident] = (await f.service.api("GET", `/incidents?status=unresolved&memberId=${member.id}`)).body.incidents;
      assert.equal(incident.urgency, "high");
      assert.equal(incident.timeline.find((e: { type: string }) => e.type === "finder_call_ended").outcome, "nobody_answered");
    });
  });
}
