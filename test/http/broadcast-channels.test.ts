/**
 * Broadcasts on every channel (issue 12): a phone member is called and presses
 * 1 (無事) or 9 (助けが必要), SMS and e-mail carry a link whose page has both
 * buttons, and 助けが必要 opens the urgent help incident on each. Drills (訓練)
 * say so on every channel and keep their answers apart: no check-in answer, no
 * incident, labelled in the monthly report and out of its totals. Then the
 * preview (the same words the channels send), audiences of several teams, the
 * tally by team, who has not answered with a phone to call and an incident to
 * send a visit on, and CAP 1.2 export and import.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parseCapAlert } from "../../src/domain/cap.ts";
import { databaseKinds, TOKYO } from "../support/harness.ts";
import { type PhoneFixture, startPhoneFixture } from "../support/phone-fixture.ts";
import { spokenText } from "../support/twilio-api-server.ts";

const LINK = /http:\/\/127\.0\.0\.1:\d+\/c\/[A-Za-z0-9_-]{32}/;

async function press(link: string, action: string): Promise<{ status: number; html: string }> {
  const response = await fetch(link, {
    method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ action }).toString(),
  });
  return { status: response.status, html: await response.text() };
}

for (const kind of databaseKinds()) {
  describe(`broadcasts on every channel on ${kind}`, () => {
    let f: PhoneFixture;
    let north: string;
    let south: string;
    const m = { voice: "", sms: "", email: "", south: "" };
    const VOICE = "+819011112001";
    const SMS = "+819011112002";
    const MAIL = "kazuko@example.jp";
    const SOUTH = "+819011112004";

    before(async () => {
      f = await startPhoneFixture(kind);
      await f.clockTo(TOKYO("2027-01-04T10:00:00"));
      north = (await f.service.api("POST", "/teams", { name: "北地区" })).body.id;
      south = (await f.service.api("POST", "/teams", { name: "南地区" })).body.id;
      const create = async (body: Record<string, unknown>) => {
        const r = await f.service.api("POST", "/members", { plan: { every: "1d", at: "09:00" }, ...body });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body.id as string;
      };
      m.voice = await create({ displayName: "電話一郎", teamId: north, channels: [{ kind: "voice", address: VOICE }] });
      m.sms = await create({ displayName: "携帯二郎", teamId: north, channels: [{ kind: "sms", address: SMS }] });
      m.email = await create({ displayName: "メール和子", teamId: north, channels: [{ kind: "email", address: MAIL }] });
      m.south = await create({ displayName: "南の四郎", teamId: south, phone: "0312340004", channels: [{ kind: "sms", address: SOUTH }] });
      await f.settle();
    });
    after(() => f?.close());

    const send = async (body: Record<string, unknown>) => {
      const r = await f.service.api("POST", "/broadcasts", body);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      await f.settle();
      return r.body.id as string;
    };
    const helpIncidents = async (memberId: string) =>
      ((await f.service.api("GET", `/incidents?status=unresolved&memberId=${memberId}`)).body.incidents as { id: string; kind: string; urgency: string }[])
        .filter((i) => i.kind === "help_requested");
    const lastSms = (to: string) => f.twilio.messages.filter((x) => x.to === to).at(-1)!;
    const call = async (digit: string) => {
      const placed = f.callsTo(VOICE).at(-1)!;
      const opening = await f.twilio.answer(placed.sid, { answeredBy: "human" });
      const reply = await f.twilio.press(placed.sid, digit);
      await f.twilio.finish(placed.sid, "completed", { AnsweredBy: "human" });
      await f.settle();
      return { opening: spokenText(opening), reply: spokenText(reply) };
    };

    test("a real safety check: the call presses 9 and the SMS link 無事; the e-mail's link says how to answer; 助けが必要 opens the urgent incident on every channel", async () => {
      const calls = f.callsTo(VOICE).length;
      const id = await send({ audience: { kind: "team", id: north }, text: "震度6弱の地震がありました。\n落ち着いて行動してください。", question: true });
      assert.equal(f.callsTo(VOICE).length, calls + 1, "the phone member is called");
      const { opening, reply } = await call("9");
      assert.match(opening, /震度6弱の地震がありました。落ち着いて行動してください。/, "the call speaks the whole text");
      assert.match(opening, /ご無事でしたら1を、助けが必要なときは9を押してください/);
      assert.doesNotMatch(opening, /訓練/);
      assert.match(reply, /担当者からご連絡します/);
      const [voiceHelp] = await helpIncidents(m.voice);
      assert.equal(voiceHelp?.urgency, "urgent", "9 opens the urgent help incident");

      const sms = lastSms(SMS).body;
      assert.match(sms, /震度6弱の地震がありました。\n落ち着いて行動してください。/);
      assert.match(sms, /下のリンクを開き、「無事です」か「助けが必要」を押してください/);
      const smsLink = sms.match(LINK)![0];
      const page = await (await fetch(smsLink)).text();
      assert.match(page, /無事です/);
      assert.match(page, /助けが必要/);
      assert.doesNotMatch(page, /訓練/);
      assert.equal((await press(smsLink, "safe")).status, 200);

      const mail = await f.smtp.waitFor((x) => x.to.includes(MAIL) && /安否確認/.test(x.subject ?? ""));
      assert.equal(mail.subject, "【見守り】安否確認 / Safety check");
      assert.match(mail.text ?? "", /リンクを開き「無事です」か「助けが必要」を押してください/);
      const mailLink = (mail.text ?? "").match(LINK)![0];
      const done = await press(mailLink, "need_help");
      assert.equal(done.status, 200);
      assert.match(done.html, /担当者に知らせました/);
      assert.equal((await helpIncidents(m.email)).length, 1, "助けが必要 by e-mail link opens the incident too");
      assert.equal((await helpIncidents(m.sms)).length, 0);

      const detail = (await f.service.api("GET", `/broadcasts/${id}`)).body;
      assert.equal(detail.drill, false);
      assert.deepEqual(detail.answers, { safe: 1, needHelp: 2, none: 0 });
      assert.deepEqual(detail.teams.map((t: { teamName: string; answers: unknown }) => [t.teamName, t.answers]), [["北地区", { safe: 1, needHelp: 2, none: 0 }]]);
      const sms2 = (await f.service.api("GET", `/members/${m.sms}`)).body;
      assert.equal(sms2.lastAnswer?.answer, "ok", "a real 無事 is evidence of life");
      for (const i of [...await helpIncidents(m.voice), ...await helpIncidents(m.email)]) {
        assert.equal((await f.service.api("POST", `/incidents/${i.id}/resolve`, { outcome: "reached_by_phone", note: "電話で確認" })).status, 200);
      }
    });

    test("a drill says so on every channel; its 無事 is no check-in answer, its 助けが必要 opens no incident and tells the member how to ask for real help", async () => {
      const before = (await f.service.api("GET", `/members/${m.sms}/history`)).body.answers.length;
      const incidentsBefore = (await f.service.api("GET", "/incidents?limit=500")).body.incidents.length;
      const id = await send({ audience: { kind: "team", ids: [north, south] }, text: "総合防災訓練です。", question: true, drill: true });
      const { opening, reply } = await call("9");
      assert.match(opening, /^これは訓練です。/);
      assert.match(opening, /訓練です。ご無事でしたら1を/);
      assert.match(reply, /訓練の回答/);
      assert.match(reply, /119/);

      const sms = lastSms(SMS).body;
      assert.match(sms, /^【訓練】これは訓練です。/);
      const smsLink = sms.match(LINK)![0];
      const page = await (await fetch(smsLink)).text();
      assert.match(page, /安否確認（訓練）/);
      assert.match(page, /【訓練】これは訓練です。/);
      const safe = await press(smsLink, "safe");
      assert.match(safe.html, /訓練の回答「無事」/);

      const mail = await f.smtp.waitFor((x) => x.to.includes(MAIL) && /訓練/.test(x.subject ?? ""));
      assert.match(mail.subject ?? "", /^【見守り・訓練】安否確認/);
      assert.match(mail.text ?? "", /^【訓練】これは訓練です。/);
      const needHelp = await press((mail.text ?? "").match(LINK)![0], "need_help");
      assert.match(needHelp.html, /訓練の回答「助けが必要」として記録しました/);
      assert.match(needHelp.html, /連絡がほしい/);

      assert.equal((await f.service.api("GET", "/incidents?limit=500")).body.incidents.length, incidentsBefore, "no incident from a drill");
      assert.equal((await f.service.api("GET", `/members/${m.sms}/history`)).body.answers.length, before, "no check-in answer from a drill");
      const detail = (await f.service.api("GET", `/broadcasts/${id}`)).body;
      assert.equal(detail.drill, true);
      assert.deepEqual(detail.audience, { kind: "team", id: north, ids: [north, south] });
      assert.deepEqual(detail.answers, { safe: 1, needHelp: 2, none: 1 });
      assert.deepEqual(detail.teams.map((t: { teamName: string; recipients: number; answers: unknown }) => [t.teamName, t.recipients, t.answers]),
        [["北地区", 3, { safe: 1, needHelp: 2, none: 0 }], ["南地区", 1, { safe: 0, needHelp: 0, none: 1 }]]);

      // Who has not answered: the south member, with a number to call; a drill's silence opens no incident.
      const silent = (await f.service.api("GET", `/broadcasts/${id}/recipients?answer=none`)).body.recipients;
      assert.deepEqual(silent.map((r: { memberId: string; teamName: string; phone: string }) => [r.memberId, r.teamName, r.phone]),
        [[m.south, "南地区", "+81312340004"]]);
      const followUp = await f.service.api("POST", `/broadcasts/${id}/follow-up`, { memberId: m.south });
      assert.equal(followUp.status, 409);
      assert.equal(followUp.body.error.code, "drill_broadcast");
      const observer = (await f.service.api("POST", "/tokens", { name: "市の統計", role: "observer" })).body.token as string;
      const seen = (await f.service.api("GET", `/broadcasts/${id}/recipients?answer=none`, undefined, observer)).body.recipients;
      assert.equal(seen[0].phone, "***", "observers never see the number");

      // The monthly report lists the drill, labelled, and keeps it out of the real figures.
      const report = (await f.service.api("GET", "/reports/monthly?from=2027-01&to=2027-01")).body;
      const listed = report.months[0].broadcasts.find((b: { id: string }) => b.id === id);
      assert.equal(listed.drill, true);
      assert.equal(listed.needHelp, 2);
      const real = report.months[0].broadcasts.filter((b: { drill: boolean }) => !b.drill);
      assert.equal(report.months[0].total.broadcastRecipients, real.reduce((n: number, b: { recipients: number }) => n + b.recipients, 0));
      assert.equal(report.months[0].total.broadcastNeedHelp, 2, "only the real check's two 助けが必要");
    });

    test("a real check's silence opens a no_answer incident to send a visit on, once", async () => {
      const id = await send({ audience: { kind: "group", ids: [(await f.service.api("POST", "/groups", { name: "南団地", memberIds: [m.south] })).body.id] }, text: "大雨警報", question: true });
      const first = await f.service.api("POST", `/broadcasts/${id}/follow-up`, { memberId: m.south });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.equal(first.body.opened, true);
      const again = await f.service.api("POST", `/broadcasts/${id}/follow-up`, { memberId: m.south });
      assert.equal(again.status, 200);
      assert.equal(again.body.incidentId, first.body.incidentId, "the open incident is reused");
      const incident = (await f.service.api("GET", `/incidents/${first.body.incidentId}`)).body;
      assert.equal(incident.kind, "no_answer");
      const refused = await f.service.api("POST", `/broadcasts/${id}/follow-up`, { memberId: m.voice });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.error.field, "memberId");
      await f.service.api("POST", `/incidents/${first.body.incidentId}/resolve`, { outcome: "visited_fine", note: "訪問で確認" });
    });

    test("the preview shows per channel what the channels send, computed by the same functions", async () => {
      const r = await f.service.api("POST", "/broadcasts/preview", {
        audience: { kind: "team", ids: [north, south] }, text: "避難所を開設しました。", question: true, drill: true,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const p = r.body;
      assert.deepEqual(p.reach, { recipients: 4, channels: { voice: 1, sms: 2, email: 1 } });
      assert.match(p.line.text, /^【訓練】これは訓練です。/);
      assert.deepEqual(p.line.buttons, ["無事", "助けが必要"]);
      assert.equal(p.sms.encoding, "UCS-2");
      assert.equal(p.sms.segments, Math.ceil(p.sms.text.length / 67));
      assert.match(p.sms.text, /\/c\/x{32}$/);
      assert.match(p.email.subject, /訓練/);
      assert.deepEqual(p.email.pageButtons, ["無事です", "助けが必要"]);
      assert.match(p.voice.speech, /^これは訓練です。見守りからのお知らせです。避難所を開設しました。/);
      assert.deepEqual(p.voice.keys.map((k: { digit: string; answer: string }) => [k.digit, k.answer]), [["1", "safe"], ["9", "need_help"]]);
      // What a real SMS of the same content says, character for character but the token.
      const id = await send({ audience: { kind: "team", id: south }, text: "避難所を開設しました。", question: true, drill: true });
      assert.ok(id);
      assert.equal(lastSms(SOUTH).body.replace(LINK, "LINK"), p.sms.text.replace(/http:\S+/, "LINK"));

      const bad = await f.service.api("POST", "/broadcasts/preview", { audience: { kind: "team", ids: [north, "00000000-0000-4000-8000-000000000000"] }, text: "x" });
      assert.equal(bad.status, 422);
      assert.equal(bad.body.error.field, "audience.ids.1");
    });

    test("CAP 1.2: a drill exports as an Exercise alert and imports back to the same draft; malformed XML and non-CAP documents are refused naming the field", async () => {
      const id = await send({ audience: { kind: "all" }, text: "【訓練】津波警報（訓練）\n高台へ避難してください。", question: true, drill: true });
      const r = await fetch(`${f.service.url}/api/v1/broadcasts/${id}/cap`, { headers: { authorization: `Bearer ${f.service.token}` } });
      assert.equal(r.status, 200);
      assert.match(r.headers.get("content-type") ?? "", /^application\/cap\+xml/);
      const xml = await r.text();
      for (const tag of ["identifier", "sender", "sent", "status", "msgType", "scope", "language", "category", "event", "urgency", "severity", "certainty", "headline", "description", "instruction"]) {
        assert.match(xml, new RegExp(`<${tag}>[^<]+</${tag}>`), tag);
      }
      assert.match(xml, /<alert xmlns="urn:oasis:names:tc:emergency:cap:1\.2">/);
      assert.match(xml, /<status>Exercise<\/status>/);
      assert.match(xml, /<sent>2027-01-04T\d\d:\d\d:\d\d\+09:00<\/sent>/);
      assert.match(xml, /<language>ja-JP<\/language>/);
      const draft = await f.service.api("POST", "/broadcasts/cap-draft", { xml });
      assert.equal(draft.status, 200, JSON.stringify(draft.body));
      assert.equal(draft.body.text, "【訓練】津波警報（訓練）\n高台へ避難してください。");
      assert.equal(draft.body.drill, true);
      assert.equal(draft.body.cap.source.identifier, `urn:uuid:${id}`);
      assert.deepEqual(parseCapAlert(xml.replace("Exercise", "Actual")).drill, false, "Actual ⇔ not a drill");
      // The draft starts a broadcast that keeps the CAP fields.
      const started = await send({ audience: { kind: "all" }, text: draft.body.text, question: draft.body.question, drill: draft.body.drill, cap: draft.body.cap });
      assert.equal((await f.service.api("GET", `/broadcasts/${started}`)).body.cap.source.identifier, `urn:uuid:${id}`);

      const refusals: [string, string, string][] = [
        ["malformed", "<alert><identifier>x</alert>", "xml"],
        ["not XML", "hello", "xml"],
        ["not CAP", '<?xml version="1.0"?><rss version="2.0"><channel/></rss>', "alert"],
        ["wrong namespace", xml.replace("urn:oasis:names:tc:emergency:cap:1.2", "urn:oasis:names:tc:emergency:cap:1.1"), "alert"],
        ["no identifier", xml.replace(/<identifier>[^<]+<\/identifier>/, ""), "alert.identifier"],
        ["a Test alert", xml.replace("<status>Exercise</status>", "<status>Test</status>"), "alert.status"],
        ["a Cancel", xml.replace("<msgType>Alert</msgType>", "<msgType>Cancel</msgType>"), "alert.msgType"],
        ["an unknown urgency", xml.replace(/<urgency>[^<]+<\/urgency>/, "<urgency>Soon</urgency>"), "alert.info.urgency"],
        ["no info", xml.replace(/<info>[\s\S]*<\/info>/, ""), "alert.info"],
      ];
      for (const [what, doc, field] of refusals) {
        const refused = await f.service.api("POST", "/broadcasts/cap-draft", { xml: doc });
        assert.equal(refused.status, 422, `${what}: ${JSON.stringify(refused.body)}`);
        assert.equal(refused.body.error.code, "invalid_cap", what);
        assert.equal(refused.body.error.field, field, what);
      }
    });
  });
}
