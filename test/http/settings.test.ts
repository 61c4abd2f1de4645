/**
 * 設定 through the API on every database: message templates (list with the
 * built-in texts, set, refuse with 422 naming the field and the reason, reset,
 * preview) and the engine using them — a changed prompt and alert reach the
 * outbox — and the escalation-policy preview's refusals and access.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody, plus, sandbox } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`settings API on ${kind}`, () => {
    let service: TestService;
    let observer: string;
    before(async () => {
      service = await startTestService(kind);
      const t = await service.api("POST", "/tokens", { name: "reader", role: "observer" });
      assert.equal(t.status, 201, JSON.stringify(t.body));
      observer = t.body.token;
    });
    after(async () => {
      await service?.close();
    });

    test("templates: every slot listed with its built-in text, placeholders and limits", async () => {
      const r = await service.api("GET", "/message-templates", undefined, observer);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const slots = r.body.templates.map((x: { kind: string; channel: string }) => `${x.kind}/${x.channel}`);
      assert.deepEqual(slots, [
        "prompt/line", "prompt/sms", "prompt/email", "resend/line", "resend/sms", "resend/email", "alert/line", "alert/sms", "alert/email",
        "alert/voice", "call_script/voice", "daily_questions/voice", "line_of_the_day/line", "line_of_the_day/sms", "line_of_the_day/email",
      ]);
      const sms = r.body.templates.find((x: { kind: string; channel: string }) => x.kind === "prompt" && x.channel === "sms");
      assert.equal(sms.customised, false);
      assert.equal(sms.text, sms.defaultText);
      assert.deepEqual(sms.placeholders, ["name", "organisation", "lineOfTheDay"]);
      assert.equal(sms.sample.sms.encoding, "UCS-2");
      assert.equal(sms.sample.sms.maxSegments, 4);
      assert.ok(sms.sample.sms.segments >= 2 && sms.sample.sms.segments <= 4, "the built-in SMS fits");
      assert.deepEqual(r.body.limits, { lineChars: 5000, emailChars: 10000, smsSegments: 4, spokenChars: 200 });
    });

    test("templates: refused with 422 naming the field and the reason; a slot that does not exist is 404; observers write nothing", async () => {
      const unknown = await service.api("PUT", "/message-templates/prompt/line", { text: "{name}さん、{nickname}" });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.error.code, "unknown_placeholder");
      assert.equal(unknown.body.error.field, "text");
      assert.match(unknown.body.error.message, /\{nickname\}/);
      // 71 Japanese characters and the link: UCS-2 at 67 a segment.
      const long = await service.api("PUT", "/message-templates/alert/sms", { text: `{name}さん${"あ".repeat(300)}` });
      assert.equal(long.status, 422);
      assert.equal(long.body.error.code, "template_too_long");
      assert.equal(long.body.error.field, "text");
      assert.match(long.body.error.message, /segments/);
      const spoken = await service.api("PUT", "/message-templates/call_script/voice", { text: "あ".repeat(201) });
      assert.equal(spoken.status, 422);
      assert.equal(spoken.body.error.code, "template_too_long");
      const line = await service.api("PUT", "/message-templates/resend/line", { text: "あ".repeat(5001) });
      assert.equal(line.status, 422, "over LINE's 5,000 characters");
      const slot = await service.api("PUT", "/message-templates/call_script/line", { text: "こんにちは" });
      assert.equal(slot.status, 404);
      assert.equal(slot.body.error.code, "no_such_template");
      const badKind = await service.api("PUT", "/message-templates/greeting/line", { text: "こんにちは" });
      assert.equal(badKind.status, 400);
      assert.equal(badKind.body.error.field, "params.kind");
      const reader = await service.api("PUT", "/message-templates/prompt/line", { text: "{name}さん" }, observer);
      assert.equal(reader.status, 403);
      const after = await service.api("GET", "/message-templates");
      assert.ok(after.body.templates.every((x: { customised: boolean }) => !x.customised), "nothing was written");
    });

    test("templates: the preview renders with sample values and says why it would be refused", async () => {
      const ok = await service.api("POST", "/message-templates/preview", { kind: "prompt", channel: "sms", text: "{name}さん、お元気ですか。" });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.equal(ok.body.problem, null);
      assert.match(ok.body.sample.text, /^見守花子さくら太郎さん、お元気ですか。$/);
      assert.equal(ok.body.sample.sms.segments, 2, "19 characters and the 62-character link: over 70 UCS-2 characters, two segments");
      const over = await service.api("POST", "/message-templates/preview", { kind: "prompt", channel: "sms", text: "あ".repeat(250) });
      assert.equal(over.status, 200);
      assert.equal(over.body.problem.code, "template_too_long");
      assert.equal(over.body.sample.sms.segments, 5);
      const refusedForAuditors = await service.api("POST", "/message-templates/preview", { kind: "prompt", channel: "sms", text: "x" }, observer);
      assert.equal(refusedForAuditors.status, 403);
    });

    test("templates: a changed prompt and alert reach the outbox; reset brings the built-in text back", async () => {
      const prompt = await service.api("PUT", "/message-templates/prompt/line", { text: "{organisation}より：{name}さん、今日もお元気ですか。" });
      assert.equal(prompt.status, 200, JSON.stringify(prompt.body));
      assert.equal(prompt.body.customised, true);
      const alert = await service.api("PUT", "/message-templates/alert/line", { text: "【至急】{name}さんの応答が {since} からありません" });
      assert.equal(alert.status, 200, JSON.stringify(alert.body));
      const org = (await service.api("GET", "/organisation")).body;
      const sb = sandbox(service.api);
      await sb.delivered();
      const member = (await service.api("POST", "/members", memberBody({ displayName: "文面花子" }))).body;
      await sb.clockTo(plus(member.nextDueAt, 27.5));
      const mine = (await sb.delivered()).filter((m) => m.to.id === member.id || m.payload.memberId === member.id);
      const first = mine.find((m) => m.kind === "prompt");
      assert.equal(first?.text, `${org.name}より：文面花子さん、今日もお元気ですか。`);
      const alerts = mine.filter((m) => m.kind === "alert");
      assert.ok(alerts.length >= 2, "team and first contact");
      for (const a of alerts) assert.match(a.text, /^【至急】文面花子さんの応答が \d+月\d+日 09:00 からありません$/);

      const reset = await service.api("DELETE", "/message-templates/prompt/line");
      assert.equal(reset.status, 200);
      assert.equal(reset.body.customised, false);
      assert.equal(reset.body.text, reset.body.defaultText);
      await service.api("DELETE", "/message-templates/alert/line");
      const log = await service.api("GET", "/audit-log?limit=20");
      const actions = log.body.entries.map((e: { action: string }) => e.action);
      assert.ok(actions.includes("template.update") && actions.includes("template.reset"), "changes are audited");
    });

    test("policy preview: refusals name the field; auditors read the saved timeline but cannot post one", async () => {
      const bad = await service.api("POST", "/escalation-policy/preview", {
        policies: { standard: { steps: [{ after: "PT1H", action: "resend" }], ackReminderAfter: "PT7H", ackTimeout: "PT6H" } },
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, "standard.ackReminderAfter");
      const badDuration = await service.api("POST", "/escalation-policy/preview", { policies: { standard: { steps: [{ after: "3 hours", action: "resend" }] } } });
      assert.equal(badDuration.status, 400);
      assert.equal(badDuration.body.error.field, "policies.standard.steps.0.after");
      const team = await service.api("GET", `/escalation-policy/preview?teamId=${"0".repeat(8)}-0000-4000-8000-${"0".repeat(12)}`, undefined, observer);
      assert.equal(team.status, 404);
      const read = await service.api("GET", "/escalation-policy/preview?contacts=1", undefined, observer);
      assert.equal(read.status, 200, JSON.stringify(read.body));
      assert.deepEqual(read.body.channels.map((c: { channel: string; policyKind: string }) => `${c.channel}:${c.policyKind}`),
        ["line:standard", "voice:phone", "sms:standard", "email:standard"]);
      const voice = read.body.channels[1].entries.map((e: { kind: string }) => e.kind);
      assert.deepEqual(voice.slice(0, 3), ["prompt", "call_retry", "call_retry"], "a phone member is called again twice by default");
      const posted = await service.api("POST", "/escalation-policy/preview", {}, observer);
      assert.equal(posted.status, 403);
    });
  });
}
