import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { noAnswerAlertText, promptText, resendText } from "../../src/domain/messages.ts";
import {
  checkTemplate, placeholdersIn, render, renderPrompt, smsSize, TEMPLATE_KINDS, TEMPLATE_SLOTS, templateFor,
} from "../../src/domain/templates.ts";

const context = { organisation: "松戸市" };

describe("templates", () => {
  test("the built-in templates say what messages.ts says", () => {
    assert.equal(renderPrompt({}, "line", { name: "花子", organisation: "松戸市" }), promptText("花子"));
    assert.equal(renderPrompt({}, "email", { name: "花子", organisation: "松戸市", lineOfTheDay: "今日は晴れ" }), promptText("花子", "今日は晴れ"));
    assert.equal(render(templateFor({}, "resend", "line"), { name: "花子" }), resendText("花子"));
    assert.equal(render(templateFor({}, "alert", "line"), { name: "花子", since: "6月10日 09:00" }),
      noAnswerAlertText("花子", new Date("2027-06-10T00:00Z"), "Asia/Tokyo"));
  });

  test("every built-in template passes its own check", () => {
    for (const kind of TEMPLATE_KINDS) {
      for (const channel of TEMPLATE_SLOTS[kind]) {
        assert.equal(checkTemplate(kind, channel, templateFor({}, kind, channel), context), undefined, `${kind}/${channel}`);
      }
    }
  });

  test("SMS segments: GSM-7 160/153, UCS-2 70/67 (Japanese)", () => {
    assert.deepEqual(smsSize("a".repeat(160)), { encoding: "GSM-7", units: 160, segments: 1 });
    assert.deepEqual(smsSize("a".repeat(161)), { encoding: "GSM-7", units: 161, segments: 2 });
    assert.equal(smsSize("[".repeat(80)).units, 160, "extension characters take two septets");
    assert.deepEqual(smsSize("あ".repeat(70)), { encoding: "UCS-2", units: 70, segments: 1 });
    assert.deepEqual(smsSize("あ".repeat(71)), { encoding: "UCS-2", units: 71, segments: 2 });
    assert.deepEqual(smsSize("あ".repeat(135)), { encoding: "UCS-2", units: 135, segments: 3 });
    assert.equal(smsSize("a".repeat(100) + "あ").encoding, "UCS-2", "one Japanese character makes the whole SMS UCS-2");
  });

  test("placeholders: unknown ones refused with the field and the reason; the line of the day where the prompt places it", () => {
    assert.deepEqual(placeholdersIn("{name}と{since}と{name}"), ["name", "since"]);
    const problem = checkTemplate("resend", "line", "{name}さん {since}", context);
    assert.equal(problem?.code, "unknown_placeholder");
    assert.equal(problem?.field, "text");
    assert.equal(checkTemplate("prompt", "voice", "x", context)?.code, "no_such_template");
    assert.equal(checkTemplate("prompt", "line", "  ", context)?.code, "template_empty");
    assert.equal(renderPrompt({ prompt: { line: "{lineOfTheDay}／{name}さん" } }, "line", { name: "花子", organisation: "", lineOfTheDay: "晴れ" }), "晴れ／花子さん");
    assert.equal(renderPrompt({ line_of_the_day: { sms: "ひとこと：{line}" } }, "sms", { name: "花子", organisation: "", lineOfTheDay: "晴れ" }),
      "花子さん、見守りの確認です。お元気でしたら「OK」を、連絡がほしいときは「連絡がほしい」を押してください。\nひとこと：晴れ");
  });

  test("channel limits: SMS segments with the link, phone 200 characters, LINE 5,000", () => {
    assert.equal(checkTemplate("alert", "sms", "あ".repeat(200), context), undefined, "200 + link = 263 UCS-2: 4 segments");
    assert.equal(checkTemplate("alert", "sms", "あ".repeat(210), context)?.code, "template_too_long");
    assert.equal(checkTemplate("call_script", "voice", "あ".repeat(200), context), undefined);
    assert.equal(checkTemplate("call_script", "voice", "あ".repeat(201), context)?.code, "template_too_long");
    assert.equal(checkTemplate("resend", "line", "あ".repeat(5000), context), undefined);
    assert.equal(checkTemplate("resend", "line", "あ".repeat(5001), context)?.code, "template_too_long");
  });
});
