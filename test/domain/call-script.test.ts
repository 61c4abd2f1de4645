import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  type CallScriptKind, mainSpeech, opening, QUESTION_PRESETS, questionSpeech, type ScriptContext, scriptKindOf, step,
} from "../../src/domain/call-script.ts";
import { callRetryAt, checkPolicy, STANDARD_POLICY } from "../../src/domain/policy.ts";
import { reliableContacts } from "../../src/domain/escalation.ts";

const ctx = (kind: CallScriptKind, questions = [] as ScriptContext["questions"]): ScriptContext => ({ kind, main: `main:${kind}`, questions });

describe("the call script", () => {
  test("a check-in asks once, waiting for one key at the main stage", () => {
    assert.deepEqual(opening(ctx("checkin")), { say: ["main:checkin"], gather: { stage: "main", tries: 0 } });
  });

  test("1 is fine and 9 is please contact me; either ends the call with thanks", () => {
    const ok = step(ctx("checkin"), "main", 0, "1");
    assert.deepEqual(ok.action, { type: "answer", answer: "ok" });
    assert.equal(ok.answered, true);
    assert.equal(ok.gather, undefined);
    assert.deepEqual(step(ctx("checkin"), "main", 1, "9").action, { type: "answer", answer: "need_contact" });
  });

  test("a wrong key repeats the question once, then the call ends unanswered", () => {
    const first = step(ctx("checkin"), "main", 0, "5");
    assert.equal(first.action, undefined);
    assert.deepEqual(first.gather, { stage: "main", tries: 1 });
    assert.match(first.say.join(), /もう一度お願いします.*main:checkin/);
    const second = step(ctx("checkin"), "main", 1, "5");
    assert.equal(second.gather, undefined);
    assert.equal(second.answered, false);
    assert.match(second.say.join(), /確認ができませんでした/);
  });

  test("silence repeats the question once (saying no key was heard), then ends unanswered", () => {
    const first = step(ctx("checkin"), "main", 0, undefined);
    assert.match(first.say[0], /ボタンが押されませんでした/);
    assert.deepEqual(first.gather, { stage: "main", tries: 1 });
    const second = step(ctx("checkin"), "main", 1, undefined);
    assert.equal(second.gather, undefined);
    assert.equal(second.answered, false);
  });

  test("alerts: 1 takes the incident on, 2 passes it to the next contact, 9 means nothing", () => {
    assert.deepEqual(step(ctx("alert"), "main", 0, "1").action, { type: "acknowledge" });
    assert.deepEqual(step(ctx("alert"), "main", 0, "2").action, { type: "pass" });
    assert.equal(step(ctx("alert"), "main", 0, "9").action, undefined);
  });

  test("a contact confirms with 1; a broadcast question takes 1 safe and 9 need help", () => {
    assert.deepEqual(step(ctx("confirm_contact"), "main", 0, "1").action, { type: "confirm_contact" });
    assert.deepEqual(step(ctx("broadcast"), "main", 0, "1").action, { type: "broadcast_answer", answer: "safe" });
    assert.deepEqual(step(ctx("broadcast"), "main", 0, "9").action, { type: "broadcast_answer", answer: "need_help" });
  });

  test("a notice is read twice and asks nothing", () => {
    const notice = opening(ctx("notice"));
    assert.deepEqual(notice.say.slice(0, 2), ["main:notice", "main:notice"]);
    assert.equal(notice.gather, undefined);
    assert.equal(notice.answered, true);
  });

  test("daily questions follow a member's own answer, one key each, recorded as observations", () => {
    const questions = [QUESTION_PRESETS.condition, QUESTION_PRESETS.sleep];
    const answered = step(ctx("checkin", questions), "main", 0, "1");
    assert.deepEqual(answered.gather, { stage: "q0", tries: 0 });
    assert.equal(answered.say[1], questionSpeech(QUESTION_PRESETS.condition));
    const condition = step(ctx("checkin", questions), "q0", 0, "3");
    assert.deepEqual(condition.action, { type: "observe", question: "condition", value: "unwell", label: "元気がない" });
    assert.deepEqual(condition.gather, { stage: "q1", tries: 0 });
    const sleep = step(ctx("checkin", questions), "q1", 0, "1");
    assert.deepEqual(sleep.action, { type: "observe", question: "sleep", value: "well", label: "よく眠れた" });
    assert.equal(sleep.gather, undefined);
    assert.match(sleep.say.join(), /ありがとうございました/);
    // Alerts never ask the daily questions.
    assert.equal(step(ctx("alert", questions), "main", 0, "1").gather, undefined);
  });

  test("an unanswered daily question is asked once more, then skipped, and the call is still answered", () => {
    const questions = [QUESTION_PRESETS.medication, QUESTION_PRESETS.meals];
    const again = step(ctx("checkin", questions), "q0", 0, "7");
    assert.deepEqual(again.gather, { stage: "q0", tries: 1 });
    assert.equal(again.answered, true);
    const skipped = step(ctx("checkin", questions), "q0", 1, undefined);
    assert.equal(skipped.action, undefined);
    assert.deepEqual(skipped.gather, { stage: "q1", tries: 0 });
    assert.equal(skipped.answered, true);
  });

  test("each question lists its keys", () => {
    assert.equal(questionSpeech(QUESTION_PRESETS.condition), "今日のご様子を教えてください。元気は1を、いつも通りは2を、元気がないは3を押してください。");
  });

  test("which script a message follows", () => {
    assert.equal(scriptKindOf("prompt", {}), "checkin");
    assert.equal(scriptKindOf("resend", {}), "checkin");
    assert.equal(scriptKindOf("alert", {}), "alert");
    assert.equal(scriptKindOf("contact_request", {}), "alert");
    assert.equal(scriptKindOf("contact_confirm", {}), "confirm_contact");
    assert.equal(scriptKindOf("broadcast", { question: true }), "broadcast");
    assert.equal(scriptKindOf("broadcast", { question: false }), "notice");
    assert.equal(scriptKindOf("member_answered", {}), "notice");
  });

  test("the spoken question: the operator's prompt with the member's name, or the default; alerts add the keys", () => {
    assert.match(mainSpeech("checkin", { name: "山田花子", japanese: "" }), /^山田花子さん、.*1を.*9を/);
    assert.equal(mainSpeech("checkin", { name: "山田", japanese: "", voicePrompt: "{name}さん、1か9を。{name}さん。" }), "山田さん、1か9を。山田さん。");
    const alert = mainSpeech("alert", { name: "", japanese: "【見守り】山田花子さんから 1月4日 09:00 以降、応答がありません。" });
    assert.match(alert, /^見守りからのお知らせです。山田花子さんから.*1を、次の方に回す場合は2を/);
  });
});

describe("call retries", () => {
  const at = new Date("2027-01-04T00:00:00Z");
  test("by default two more calls, ten minutes apart", () => {
    assert.equal(callRetryAt(STANDARD_POLICY, 1, at)?.toISOString(), "2027-01-04T00:10:00.000Z");
    assert.equal(callRetryAt(STANDARD_POLICY, 2, at)?.toISOString(), "2027-01-04T00:10:00.000Z");
    assert.equal(callRetryAt(STANDARD_POLICY, 3, at), null);
  });

  test("a policy sets its own", () => {
    const policy = { steps: [], callRetries: { attempts: 1, interval: "PT30M" } };
    assert.equal(callRetryAt(policy, 1, at)?.toISOString(), "2027-01-04T00:30:00.000Z");
    assert.equal(callRetryAt(policy, 2, at), null);
    assert.equal(callRetryAt({ steps: [], callRetries: { attempts: 0, interval: "PT10M" } }, 1, at), null);
  });

  test("the interval must be a duration from a minute to a day", () => {
    assert.deepEqual(checkPolicy({ steps: [], callRetries: { attempts: 2, interval: "PT10S" } }, "phone.steps"),
      { field: "phone.callRetries.interval", message: "must be an ISO-8601 duration from PT1M to P1D" });
    assert.equal(checkPolicy({ steps: [], callRetries: { attempts: 2, interval: "PT5M" } }), undefined);
  });
});

describe("contacts relied on", () => {
  test("the confirmed ones, in order; while nobody has confirmed, everyone", () => {
    const a = { id: "a", confirmed: false };
    const b = { id: "b", confirmed: true };
    const c = { id: "c", confirmed: true };
    assert.deepEqual(reliableContacts([a, b, c]).map((x) => x.id), ["b", "c"]);
    assert.deepEqual(reliableContacts([a, { id: "d", confirmed: false }]).map((x) => x.id), ["a", "d"]);
    assert.deepEqual(reliableContacts([]), []);
  });
});
