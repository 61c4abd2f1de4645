import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { planAnswer } from "../../src/domain/answers.ts";
import {
  AUDIENCE_KINDS, BROADCAST_ANSWERS, BROADCAST_BUTTONS, broadcastText, helpRequestedText, planBroadcastAnswer, safeAfterHelpText,
} from "../../src/domain/broadcasts.ts";
import { URGENCY } from "../../src/domain/incident.ts";
import { at } from "./helpers.ts";

describe("broadcasts: vocabulary", () => {
  test("an audience is everyone, a team or a group; the answers are safe and need help", () => {
    assert.deepEqual([...AUDIENCE_KINDS], ["all", "team", "group"]);
    assert.deepEqual([...BROADCAST_ANSWERS], ["safe", "need_help"]);
    assert.deepEqual(BROADCAST_BUTTONS, { safe: "無事", need_help: "助けが必要" });
  });

  test("a call for help is urgent", () => {
    assert.equal(URGENCY.help_requested, "urgent");
  });
});

describe("broadcasts: what an answer does", () => {
  test("safe is evidence of life and opens nothing", () => {
    assert.deepEqual(planBroadcastAnswer("safe", null), { recordOk: true, openHelpIncident: false, noteOnIncidentId: null });
  });

  test("safe after a call for help is noted on the open incident, which stays open", () => {
    assert.deepEqual(planBroadcastAnswer("safe", "i1"), { recordOk: true, openHelpIncident: false, noteOnIncidentId: "i1" });
  });

  test("need help opens a help-requested incident when none is open", () => {
    assert.deepEqual(planBroadcastAnswer("need_help", null), { recordOk: false, openHelpIncident: true, noteOnIncidentId: null });
  });

  test("need help while one is open joins it: never two", () => {
    assert.deepEqual(planBroadcastAnswer("need_help", "i1"), { recordOk: false, openHelpIncident: false, noteOnIncidentId: "i1" });
  });

  test("a check-in OK does not settle a call for help", () => {
    assert.deepEqual(planAnswer("ok", [{ id: "h1", kind: "help_requested" }]), { answeredIncidentIds: [], openContactRequest: false });
  });
});

describe("broadcasts: words", () => {
  test("the question is added only when asked, after the operator's text", () => {
    assert.equal(broadcastText("断水のお知らせ", false), "断水のお知らせ");
    const asked = broadcastText("震度6弱の地震がありました。", true);
    assert.ok(asked.startsWith("震度6弱の地震がありました。\n\n無事ですか？"));
    assert.match(asked, /Are you safe\?/);
  });

  test("the team's alert and the later all-clear name the member and the local time", () => {
    const when = at("2027-01-04T00:05:00Z"); // 09:05 in Tokyo
    assert.match(helpRequestedText("花子", when, "Asia/Tokyo"), /^【見守り・至急】花子さんが安否確認に「助けが必要」と回答しました（1月4日 09:05）/);
    assert.match(safeAfterHelpText("花子", when, "Asia/Tokyo"), /花子さんが安否確認に「無事」と回答しました（1月4日 09:05）/);
  });
});
