/**
 * What each channel says for a broadcast (domain/broadcasts.ts), drills and their
 * answers, SMS segments, and CAP 1.2 written and read back (domain/cap.ts).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  broadcastAnswerReply, broadcastEmail, broadcastSms, broadcastSpeech, broadcastText, contentOf, planBroadcastAnswer, smsSegments,
} from "../../src/domain/broadcasts.ts";
import { capAlertXml, CapError, capTime, parseCapAlert } from "../../src/domain/cap.ts";
import { opening, step } from "../../src/domain/call-script.ts";

const real = { text: "震度6弱の地震がありました。\n落ち着いて行動してください。", question: true, drill: false };
const drill = { ...real, drill: true };

test("every channel of a drill says so first; a real one never does", () => {
  for (const c of [real, drill]) {
    const said = [broadcastText(c.text, c.question, c.drill), broadcastSms(c, "https://x/c/t"), broadcastEmail(c, "https://x/c/t").subject,
      broadcastEmail(c, "https://x/c/t").text, broadcastSpeech(c)];
    for (const s of said) assert.equal(/訓練/.test(s), c.drill, s);
  }
  assert.match(broadcastSms(drill, "https://x/c/t"), /^【訓練】これは訓練です。\n震度6弱/);
  assert.match(broadcastSpeech(drill), /^これは訓練です。見守りからのお知らせです。震度6弱の地震がありました。落ち着いて行動してください。訓練です。ご無事でしたら1を/);
});

test("the spoken text ends each sentence once, whatever it ends with", () => {
  assert.match(broadcastSpeech({ ...real, text: "Water is available at the school." }), /school\.ご無事でしたら1を/);
  assert.match(broadcastSpeech({ ...real, text: "給水所を開きました" }), /開きました。ご無事でしたら1を/);
});

test("SMS and e-mail say how to answer and carry the link only when a question is asked", () => {
  assert.match(broadcastSms(real, "L"), /「無事です」か「助けが必要」を押してください。\nL$/);
  const notice = { ...real, question: false };
  assert.equal(broadcastSms(notice, undefined), real.text);
  assert.equal(broadcastEmail(notice, undefined).linkLabel, null);
  assert.equal(broadcastEmail(notice, undefined).subject, "【見守り】お知らせ / Notice");
  assert.match(broadcastEmail(real, "L").text, /押してください \/ Open the link.*:\nL\n$/s);
});

test("the payload carries the content; rows written before drills have none", () => {
  assert.deepEqual(contentOf({ broadcastId: "b", question: true, drill: true, body: "x" }), { text: "x", question: true, drill: true });
  assert.equal(contentOf({ broadcastId: "b", question: true }), undefined);
});

test("a drill's answer is tallied only: no OK, no incident, and the reply says how to ask for real help", () => {
  assert.deepEqual(planBroadcastAnswer("need_help", null, true), { recordOk: false, openHelpIncident: false, noteOnIncidentId: null });
  assert.deepEqual(planBroadcastAnswer("safe", "i1", true), { recordOk: false, openHelpIncident: false, noteOnIncidentId: null });
  assert.deepEqual(planBroadcastAnswer("need_help", null), { recordOk: false, openHelpIncident: true, noteOnIncidentId: null });
  assert.match(broadcastAnswerReply("need_help", true).ja.join(""), /訓練の回答.*連絡がほしい.*119/s);
  assert.doesNotMatch(broadcastAnswerReply("need_help", false).ja.join(""), /訓練/);
  // The call says the same after 9.
  const ctx = { kind: "broadcast" as const, main: broadcastSpeech(drill), questions: [], drill: true };
  assert.deepEqual(opening(ctx).gather, { stage: "main", tries: 0 });
  const nine = step(ctx, "main", 0, "9");
  assert.deepEqual(nine.action, { type: "broadcast_answer", answer: "need_help" });
  assert.match(nine.say.join(""), /訓練の回答「助けが必要」/);
});

test("SMS segments: GSM-7 160/153, UCS-2 70/67", () => {
  assert.deepEqual(smsSegments("a".repeat(160)), { encoding: "GSM-7", characters: 160, segments: 1 });
  assert.deepEqual(smsSegments("a".repeat(161)), { encoding: "GSM-7", characters: 161, segments: 2 });
  assert.deepEqual(smsSegments("あ".repeat(70)), { encoding: "UCS-2", characters: 70, segments: 1 });
  assert.deepEqual(smsSegments("あ".repeat(71)), { encoding: "UCS-2", characters: 71, segments: 2 });
  assert.equal(smsSegments("€").characters, 2, "an escaped GSM character counts twice");
});

test("CAP 1.2: written with the organisation's offset, read back to the same content; Exercise ⇔ drill; refusals name the field", () => {
  assert.equal(capTime(new Date("2027-01-04T00:30:00Z"), "Asia/Tokyo"), "2027-01-04T09:30:00+09:00");
  assert.equal(capTime(new Date("2027-01-04T00:30:00Z"), "UTC"), "2027-01-04T00:30:00-00:00");
  const b = { id: "0b8f9a8e-3f0e-4c55-9d55-2a7a3f7b6d01", text: real.text, question: true, drill: true, createdAt: new Date("2027-01-04T00:30:00Z"), cap: null };
  const xml = capAlertXml(b, { sender: "org@example.jp", senderName: "松戸市 <見守り> & 福祉", zone: "Asia/Tokyo" });
  assert.match(xml, /<senderName>松戸市 &lt;見守り&gt; &amp; 福祉<\/senderName>/, "text is escaped by the library");
  const draft = parseCapAlert(xml);
  assert.deepEqual([draft.text, draft.question, draft.drill, draft.cap.event, draft.cap.source?.identifier],
    [real.text, true, true, "安否確認", `urn:uuid:${b.id}`]);
  assert.equal(parseCapAlert(capAlertXml({ ...b, drill: false }, { sender: "s", senderName: "n", zone: "Asia/Tokyo" })).drill, false);
  // A prefixed namespace is CAP too.
  const prefixed = xml.replace('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">', '<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">')
    .replace("</alert>", "</cap:alert>").replace(/<(\/?)([a-zA-Z]+)>/g, (m, slash, name) => (name === "alert" ? m : `<${slash}cap:${name}>`));
  assert.equal(parseCapAlert(prefixed).text, real.text);
  const refused = (doc: string) => {
    try {
      parseCapAlert(doc);
    } catch (error) {
      assert.ok(error instanceof CapError);
      return error.field;
    }
    return "accepted";
  };
  assert.equal(refused(""), "xml");
  assert.equal(refused("<a><b></a>"), "xml");
  assert.equal(refused("<feed/>"), "alert");
  assert.equal(refused(xml.replace(/<sent>[^<]+<\/sent>/, "<sent>yesterday</sent>")), "alert.sent");
  assert.equal(refused(xml.replace(/<category>[^<]+<\/category>/, "<category>Weather</category>")), "alert.info.category");
  assert.equal(refused(xml.replace(/<event>[^<]+<\/event>/, "")), "alert.info.event");
  assert.equal(refused(xml.replace(/<headline>[^<]+<\/headline>/, "").replace(/<description>[^<]+<\/description>/, "")), "alert.info.description");
});
