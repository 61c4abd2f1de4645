/**
 * Issue 8, end to end through the public API on every database: nobody
 * unalerted, nobody alarmed by mistake.
 *
 * 1. A message is sent only when a provider accepted it: an alert that reaches
 *    nobody is a failed delivery that moves on at once; a prompt no channel can
 *    deliver opens `member_unreachable`; setup checks say what will fail.
 * 2. Every step is timed from when the member was actually asked (downtime, a
 *    provider outage).
 * 3. A queued message is sent only if its cause still holds when its turn comes.
 * 4. An acknowledgement is a promise: reminder, timeout, and the member answering.
 */
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, test } from "node:test";
import pino from "pino";
import { DateTime } from "luxon";
import { databaseKinds, startTestService, type TestService, TOKYO } from "../support/harness.ts";
import { startLineFixture } from "../support/line-fixture.ts";
import { startPhoneFixture } from "../support/phone-fixture.ts";
import { memberBody, type SandboxMessage, sandbox } from "../support/sandbox.ts";
import { openStopped } from "../support/store.ts";

const twoContacts = [
  { displayName: "山田一郎", relation: "son", channels: [{ kind: "sandbox", address: "ichiro" }] },
  { displayName: "佐藤さん", relation: "neighbour", channels: [{ kind: "sandbox", address: "sato" }] },
];

/** "1/5 12:30 prompt member": Tokyo time, kind and recipient name of each message to a named recipient. */
function show(messages: SandboxMessage[], names: Record<string, string>): string[] {
  return messages.filter((m) => Object.hasOwn(names, m.to.id)).map((m) => {
    const t = DateTime.fromISO(m.at, { zone: "Asia/Tokyo" });
    return `${t.month}/${t.day} ${t.toFormat("HH:mm")} ${m.kind} ${names[m.to.id]}`;
  });
}

function namesOf(member: { id: string; teamId: string; contacts: { id: string }[] }): Record<string, string> {
  const names: Record<string, string> = { [member.id]: "member", [member.teamId]: "team" };
  member.contacts.forEach((c, i) => {
    names[c.id] = `contact${i + 1}`;
  });
  return names;
}

async function created(service: TestService, body: Record<string, unknown>) {
  const r = await service.api("POST", "/members", body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

/** Stop a service, move its stored sandbox clock as if time passed while it was down, and start it again on the same data. */
async function downUntil(kind: "pglite" | "postgres", service: TestService, until: string): Promise<TestService> {
  await service.stop();
  const store = await openStopped(kind, service.database);
  await store.db.updateTable("sandbox_clock").set({ now: new Date(until) }).execute();
  await store.close();
  return startTestService(kind, {}, service.database);
}

const unresolved = async (service: TestService, memberId: string) =>
  (await service.api("GET", `/incidents?status=unresolved&memberId=${memberId}`)).body.incidents;

for (const kind of databaseKinds()) {
  describe(`escalation safety on ${kind}: asked before alarmed`, () => {
    test("a slot missed while the service was down is prompted once, late; the chain runs from that prompt", async () => {
      let service = await startTestService(kind, { MIMAMORI_SANDBOX_START: "2027-01-03T20:00:00+09:00" });
      try {
        const member = await created(service, memberBody({ contacts: twoContacts }));
        assert.equal(member.nextDueAt, TOKYO("2027-01-04T09:00:00"));
        await sandbox(service.api).clockTo(TOKYO("2027-01-04T08:00:00"));
        service = await downUntil(kind, service, TOKYO("2027-01-05T12:30:00"));
        const sb = sandbox(service.api);
        await sb.clockTo(TOKYO("2027-01-05T12:30:00"));
        const names = namesOf(member);
        assert.deepEqual(show(await sb.delivered(), names), ["1/5 12:30 prompt member"], "only the prompt, never the alerts of a missed day");
        assert.deepEqual(await unresolved(service, member.id), []);
        const [checkin] = (await service.api("GET", `/members/${member.id}`)).body.openCheckins;
        assert.equal(checkin.dueAt, TOKYO("2027-01-05T09:00:00"), "the missed slots fold into the latest");
        assert.equal(checkin.askedAt, TOKYO("2027-01-05T12:30:00"));

        await sb.clockTo(TOKYO("2027-01-06T15:29:00"));
        assert.deepEqual(show(await sb.delivered(), names), ["1/6 09:00 prompt member", "1/6 12:30 resend member"]);
        await sb.clockTo(TOKYO("2027-01-06T15:30:00"));
        const alerts = (await sb.delivered()).filter((m) => names[m.to.id]);
        assert.deepEqual(show(alerts, names), ["1/6 15:30 alert team", "1/6 15:30 alert contact1"]);
        assert.match(alerts[1].text, /1月5日 12:30 以降、応答がありません/, "silent since they were asked, not since the missed slot");
      } finally {
        await service.close();
      }
    });

    test("5,000 members due during an outage get their prompts at restart and no alert", async () => {
      let service = await startTestService(kind, { MIMAMORI_SANDBOX_START: "2027-01-03T20:00:00+09:00" });
      try {
        const members = Array.from({ length: 5000 }, (_, i) => ({
          displayName: `利用者${i}`, channels: [{ kind: "sandbox", address: `m${i}` }],
          plan: { every: "1d", at: ["09:00", "10:00", "11:00"][i % 3] },
        }));
        const bulk = await service.api("POST", "/members/bulk", { members });
        assert.equal(bulk.status, 201, JSON.stringify(bulk.body).slice(0, 300));
        await sandbox(service.api).clockTo(TOKYO("2027-01-04T08:00:00"));
        // Down past every +27 h deadline the old rule would have counted from the missed slots.
        service = await downUntil(kind, service, TOKYO("2027-01-05T15:00:00"));
        const sb = sandbox(service.api);
        await sb.clockTo(TOKYO("2027-01-05T15:00:00"));
        const byKind = new Map<string, number>();
        for (let page = await sb.delivered(); page.length; page = await sb.delivered()) {
          for (const m of page) byKind.set(m.kind, (byKind.get(m.kind) ?? 0) + 1);
        }
        assert.deepEqual(Object.fromEntries(byKind), { prompt: 5000 });
        assert.deepEqual((await service.api("GET", "/incidents?status=unresolved&limit=10")).body.incidents, []);
        const one = (await service.api("GET", `/members/${bulk.body.ids[0]}`)).body;
        assert.equal(one.openCheckins[0].nextActionAt, TOKYO("2027-01-06T15:00:00"), "the re-send counts from the prompt at restart");
      } finally {
        await service.close();
      }
    });

    test("a LINE outage: the chain counts from when the prompt was delivered", async () => {
      const f = await startLineFixture(kind);
      try {
        const user = `U${"a".repeat(32)}`;
        const member = await created(f.service, memberBody({ channels: [{ kind: "line", address: user }], contacts: twoContacts }));
        const sb = sandbox(f.service.api);
        f.line.failNext(100_000, 500);
        await sb.clockTo(TOKYO("2027-01-04T14:00:00"));
        assert.equal(f.pushesTo(user).length, 0, "LINE answered 500 for five hours");
        f.line.failNext(0, 500);
        await sb.clockTo(TOKYO("2027-01-04T14:30:00"));
        assert.equal(f.pushesTo(user).length, 1, "delivered once LINE is back");
        const [checkin] = (await f.service.api("GET", `/members/${member.id}`)).body.openCheckins;
        const asked = Date.parse(checkin.askedAt);
        assert.ok(asked >= Date.parse(TOKYO("2027-01-04T14:00:00")) && asked <= Date.parse(TOKYO("2027-01-04T14:30:00")), checkin.askedAt);
        const at = (hours: number) => new Date(asked + hours * 3_600_000).toISOString();
        const names = namesOf(member);
        await sb.clockTo(at(24 - 1 / 60));
        // The next day's 09:00 prompt is its own check-in; the re-send waits for 24 h after the delivery.
        assert.equal(f.pushesTo(user).length, 2);
        await sb.clockTo(at(24));
        assert.equal(f.pushesTo(user).length, 3, "the re-send, 24 h after the delivery");
        await sb.clockTo(at(27 - 1 / 60));
        assert.deepEqual(show(await sb.delivered(), names), [], "nobody alerted before +27 h from the delivery");
        await sb.clockTo(at(27));
        assert.deepEqual((await sb.delivered()).filter((m) => names[m.to.id]).map((m) => [m.at, names[m.to.id], m.kind]), [
          [at(27), "team", "alert"], [at(27), "contact1", "alert"],
        ]);
      } finally {
        await f.close();
      }
    });
  });

  describe(`escalation safety on ${kind}: a screen is not a delivery`, () => {
    test("the README's sandbox walkthrough shows what it says", async () => {
      const service = await startTestService(kind, { MIMAMORI_SANDBOX_START: "2027-01-04T08:00:00+09:00" });
      try {
        const member = await created(service, {
          displayName: "山田花子", channels: [{ kind: "sandbox", address: "hanako" }], plan: { every: "1d", at: "09:00" },
          consent: { termsVersion: "1", at: "2027-01-04T08:00:00+09:00" },
          contacts: [{ displayName: "一郎", relation: "son", channels: [{ kind: "sandbox", address: "ichiro" }] },
            { displayName: "佐藤さん", relation: "neighbour", channels: [{ kind: "sandbox", address: "sato" }] }],
        });
        assert.deepEqual(member.warnings, []);
        const sb = sandbox(service.api);
        await sb.advance("PT30H");
        assert.deepEqual(show(await sb.delivered(), namesOf(member)), [
          "1/4 09:00 prompt member", "1/5 09:00 resend member", "1/5 12:00 alert team", "1/5 12:00 alert contact1", "1/5 13:00 alert contact2",
        ]);
        assert.deepEqual((await service.api("GET", "/organisation/setup-checks")).body.checks, [], "nothing to fix in the sandbox");
      } finally {
        await service.close();
      }
    });

    test("an alert that reaches nobody is a failed delivery, on the timeline and in /metrics, and the next contact is told at once", async () => {
      const service = await startTestService(kind);
      try {
        const team = await service.api("POST", "/teams", { name: "連絡手段のないチーム" });
        assert.equal(team.status, 201);
        const member = await created(service, memberBody({ teamId: team.body.id }));
        const names = namesOf(member);
        const checks = (await service.api("GET", "/organisation/setup-checks")).body.checks;
        assert.deepEqual(checks.filter((c: { code: string }) => c.code === "team_unreachable").map((c: { teamId: string }) => c.teamId),
          [team.body.id]);
        const sb = sandbox(service.api);
        await sb.delivered();
        await sb.clockTo(new Date(Date.parse(member.nextDueAt) + 28 * 3_600_000).toISOString());
        assert.deepEqual(show(await sb.delivered(), names).map((s) => s.replace(/^\S+ /, "")), [
          "09:00 prompt member", "09:00 resend member",
          // The team could not be told: the next contact is told at once, not an hour later.
          "12:00 alert contact1", "12:00 alert contact2", "13:00 alert contact3",
        ]);
        const failed = (await service.api("GET", `/deliveries/failed?memberId=${member.id}`)).body.deliveries;
        assert.deepEqual(failed.map((d: { recipient: { kind: string }; kind: string; code: string }) => [d.recipient.kind, d.kind, d.code]),
          [["team", "alert", "no_address"]]);
        const [incident] = await unresolved(service, member.id);
        const timeline = incident.timeline.map((e: { type: string }) => e.type);
        assert.ok(timeline.includes("delivery_failed"), timeline.join());
        // The timeline says why, as the channel's code (the console names it in words).
        assert.deepEqual(incident.timeline.filter((e: { type: string }) => e.type === "delivery_failed").map((e: { code?: string }) => e.code), ["no_address"]);
        const metrics = await (await fetch(`${service.url}/metrics`)).text();
        assert.match(metrics, /^mimamori_undeliverable_total [1-9]/m);
      } finally {
        await service.close();
      }
    });

    test("a prompt no channel can deliver opens member_unreachable for the team; refused credentials raise one operator alert an hour", async () => {
      const f = await startLineFixture(kind);
      try {
        const wrong = await f.service.api("PUT", "/channels/line", { channelSecret: "s".repeat(32), channelAccessToken: "wrong-token" });
        assert.equal(wrong.status, 200, JSON.stringify(wrong.body));
        const a = await created(f.service, memberBody({ channels: [{ kind: "line", address: `U${"b".repeat(32)}` }], contacts: [] }));
        const b = await created(f.service, memberBody({ displayName: "鈴木", channels: [{ kind: "line", address: `U${"c".repeat(32)}` }], contacts: [] }));
        const sb = sandbox(f.service.api);
        await sb.delivered();
        await sb.clockTo(TOKYO("2027-01-04T09:00:00"));
        const toTeam = (await sb.delivered()).filter((m) => m.to.kind === "team");
        assert.deepEqual(toTeam.map((m) => m.kind).sort(), ["member_unreachable", "member_unreachable", "operator_alert"]);
        assert.match(toTeam.find((m) => m.kind === "operator_alert")!.text, /line の認証情報が拒否されています/);
        for (const m of [a, b]) {
          const incidents = await unresolved(f.service, m.id);
          assert.deepEqual(incidents.map((i: { kind: string }) => i.kind), ["member_unreachable"]);
        }
        const failed = (await f.service.api("GET", `/deliveries/failed?memberId=${a.id}`)).body.deliveries;
        assert.equal(failed[0].code, "credentials_refused");
        const checks = (await f.service.api("GET", "/organisation/setup-checks")).body.checks;
        assert.ok(checks.some((c: { code: string; channelKind: string }) => c.code === "credentials_refused" && c.channelKind === "line"));
        // The re-send fails too, within the hour: still one incident per member, and no second operator alert.
        await sb.clockTo(TOKYO("2027-01-05T09:30:00"));
        assert.equal((await sb.delivered()).filter((m) => m.kind === "operator_alert" || m.kind === "member_unreachable").length, 1,
          "a day later: one more operator alert (an hour has passed), no second unreachable incident");
        assert.equal((await unresolved(f.service, a.id)).length, 1);
      } finally {
        await f.close();
      }
    });

    test("setup checks on a fresh production start: the team without channels, unconfigured channels, links without a public URL", async () => {
      const lines: string[] = [];
      const log = pino({ level: "warn" }, new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      }));
      const service = await startTestService(kind, { MIMAMORI_SANDBOX: "0" }, undefined, log);
      try {
        const checks = (await service.api("GET", "/organisation/setup-checks")).body.checks;
        assert.deepEqual(checks.map((c: { code: string }) => c.code), ["team_unreachable"]);
        assert.ok(lines.some((l) => /"check":"team_unreachable"/.test(l)), "a warn line at start-up");

        const phone = await service.api("POST", "/members", {
          displayName: "電話の方", channels: [{ kind: "voice", address: "+819011112222" }], plan: { every: "1d", at: "09:00" },
          contacts: [{ displayName: "娘", relation: "daughter", channels: [{ kind: "sms", address: "+819033334444" }] }],
        });
        assert.equal(phone.status, 201, "registered all the same");
        assert.deepEqual(phone.body.warnings.map((w: { code: string; field: string }) => [w.code, w.field]), [
          ["channel_not_configured", "channels"], ["channel_not_configured", "contacts.0.channels"],
        ]);
        const sandboxed = await service.api("POST", "/members", memberBody({ contacts: [] }));
        assert.equal(sandboxed.status, 201);
        assert.deepEqual(sandboxed.body.warnings.map((w: { code: string }) => w.code), ["sandbox_channel_outside_sandbox"]);
        const after = (await service.api("GET", "/organisation/setup-checks")).body.checks;
        assert.deepEqual(after.map((c: { code: string; channelKind?: string; count?: number }) => [c.code, c.channelKind ?? null, c.count ?? null]), [
          ["team_unreachable", null, null],
          ["sandbox_channel_outside_sandbox", "sandbox", 1],
          ["channel_not_configured", "sms", 1],
          ["channel_not_configured", "voice", 1],
          ["public_url_unset", null, null],
          // The two members were registered without a record of consent (the network's check).
          ["consent_missing", null, 2],
        ]);
      } finally {
        await service.close();
      }
    });
  });

  describe(`escalation safety on ${kind}: queued messages re-check their cause`, () => {
    test("a call retry is not placed after an OK recorded meanwhile, nor after the member pressed 1 once the call had ended", async () => {
      const f = await startPhoneFixture(kind);
      try {
        const first = "+819055550001";
        const second = "+819055550002";
        const a = await created(f.service, { displayName: "電話A", channels: [{ kind: "voice", address: first }], plan: { every: "1d", at: "09:00" } });
        const b = await created(f.service, { displayName: "電話B", channels: [{ kind: "voice", address: second }], plan: { every: "1d", at: "09:00" } });
        await f.clockTo(TOKYO("2027-01-04T09:00:00"));
        // (a) no pick-up: a retry is queued for 09:10; staff record an OK at 09:02.
        await f.twilio.finish(f.callsTo(first)[0].sid, "no-answer");
        // (b) the member presses 1, but Twilio's `completed` arrives before the <Gather> action.
        const call = f.callsTo(second)[0];
        await f.twilio.answer(call.sid, { answeredBy: "human" });
        await f.twilio.pressAfterHangUp(call.sid, "1");
        await f.clockTo(TOKYO("2027-01-04T09:02:00"));
        const ok = await f.service.api("POST", `/members/${a.id}/answers`, { answer: "ok", source: "staff", by: "職員", note: "電話で確認" });
        assert.equal(ok.status, 201);
        await f.clockTo(TOKYO("2027-01-04T09:30:00"));
        assert.equal(f.callsTo(first).length, 1, "no call after the OK");
        assert.equal(f.callsTo(second).length, 1, "the answer wins over the status callback that came first");
        for (const m of [a, b]) {
          const cancelled = (await f.service.api("GET", `/deliveries/cancelled?memberId=${m.id}`)).body.deliveries;
          assert.deepEqual(cancelled.map((d: { kind: string; reason: string }) => [d.kind, d.reason]), [["prompt", "checkin_closed"]]);
        }
      } finally {
        await f.close();
      }
    });

    test("alerts queued behind the call cap are not placed once the incident is acknowledged", async () => {
      const f = await startPhoneFixture(kind, { callsPerSecond: 1 });
      try {
        const policy = await f.service.api("PUT", "/escalation-policy", {
          standard: { steps: [{ after: "PT24H", action: "resend" }, { after: "PT3H", action: "notify_all_contacts" }] },
        });
        assert.equal(policy.status, 200, JSON.stringify(policy.body));
        const numbers = ["+819066660001", "+819066660002", "+819066660003", "+819066660004"];
        const member = await created(f.service, memberBody({
          contacts: numbers.map((n, i) => ({ displayName: `連絡先${i + 1}`, relation: "friend", channels: [{ kind: "voice", address: n }] })),
        }));
        await f.settle(); // the contacts' confirmation calls
        for (const c of f.twilio.calls) await f.twilio.finish(c.sid, "no-answer");
        await f.clockTo(new Date(Date.parse(member.nextDueAt) + 26 * 3_600_000).toISOString());
        const before = f.twilio.calls.length;
        // The four alert calls go one a second; acknowledge as soon as the first is placed.
        const moving = f.clockTo(new Date(Date.parse(member.nextDueAt) + 27 * 3_600_000).toISOString());
        while (f.twilio.calls.length === before) await new Promise((r) => setTimeout(r, 20));
        const [incident] = await unresolved(f.service, member.id);
        const ack = await f.service.api("POST", `/incidents/${incident.id}/ack`, { by: "職員", via: "console" });
        assert.equal(ack.status, 200);
        await moving;
        const alertsPlaced = f.twilio.calls.length - before;
        assert.ok(alertsPlaced < numbers.length, `only the calls already under way were placed (${alertsPlaced})`);
        const cancelled = (await f.service.api("GET", `/deliveries/cancelled?memberId=${member.id}`)).body.deliveries
          .filter((d: { kind: string }) => d.kind === "alert");
        assert.equal(cancelled.length + alertsPlaced, numbers.length, "every alert was placed or cancelled");
        assert.ok(cancelled.length > 0 && cancelled.every((d: { reason: string }) => d.reason === "incident_acknowledged"));
        const timeline = (await f.service.api("GET", `/incidents/${incident.id}`)).body.timeline.map((e: { type: string }) => e.type);
        assert.ok(timeline.includes("message_cancelled"), timeline.join());
      } finally {
        await f.close();
      }
    });
  });

  describe(`escalation safety on ${kind}: an acknowledgement can be forgotten`, () => {
    test("reminder at +2 h, timeout at +6 h: the incident re-opens, the team is told, the next contact is alerted; the team gets a daily summary", async () => {
      const service = await startTestService(kind);
      try {
        const member = await created(service, memberBody());
        const names = namesOf(member);
        const sb = sandbox(service.api);
        await sb.delivered();
        const at = (hours: number) => new Date(Date.parse(member.nextDueAt) + hours * 3_600_000).toISOString();
        await sb.clockTo(at(27));
        const [incident] = await unresolved(service, member.id);
        assert.equal((await service.api("POST", `/incidents/${incident.id}/ack`, { by: "山田一郎", via: "phone" })).status, 200);
        await sb.delivered();
        await sb.clockTo(at(34));
        const after = (await sb.delivered()).filter((m) => names[m.to.id] && (m.to.kind !== "team" || m.payload.memberId === member.id));
        assert.deepEqual(after.map((m) => `+${(Date.parse(m.at) - Date.parse(member.nextDueAt)) / 3_600_000}h ${m.kind} ${names[m.to.id]}`), [
          "+29h ack_reminder team", "+33h ack_timeout team", "+33h alert contact2", "+34h alert contact3",
        ]);
        assert.match(after[1].text, /山田一郎さんが引き受けましたが/);
        const reopened = (await service.api("GET", `/incidents/${incident.id}`)).body;
        assert.equal(reopened.status, "open");
        assert.ok(reopened.timeline.some((e: { type: string }) => e.type === "ack_timed_out"));
        // Unresolved overnight: the team's summary at 09:00.
        await sb.clockTo(at(48));
        const summaries = (await sb.delivered()).filter((m) => m.kind === "daily_summary");
        assert.deepEqual(summaries.map((m) => [m.at, m.to.id]), [[at(48), member.teamId]]);
        assert.match(summaries[0].text, /未解決の対応が1件/);
      } finally {
        await service.close();
      }
    });

    test("the member answering while acknowledged is shown to the acknowledger and the team, and stops the timeout", async () => {
      const service = await startTestService(kind);
      try {
        const member = await created(service, memberBody());
        const names = namesOf(member);
        const sb = sandbox(service.api);
        const at = (hours: number) => new Date(Date.parse(member.nextDueAt) + hours * 3_600_000).toISOString();
        await sb.clockTo(at(27));
        const [incident] = await unresolved(service, member.id);
        assert.equal((await service.api("POST", `/incidents/${incident.id}/ack`, { by: "山田一郎", via: "phone" })).status, 200);
        await sb.delivered();
        await sb.clockTo(at(28));
        await sb.reply(member.id, "ok");
        await sb.clockTo(at(40));
        const after = (await sb.delivered()).filter((m) => names[m.to.id] && m.to.kind !== "member");
        assert.deepEqual(after.map((m) => `+${(Date.parse(m.at) - Date.parse(member.nextDueAt)) / 3_600_000}h ${m.kind} ${names[m.to.id]}`), [
          "+28h member_answered team", "+28h member_answered contact1",
        ], "no reminder, no timeout, nobody else alerted");
        assert.equal((await service.api("GET", `/incidents/${incident.id}`)).body.status, "acknowledged", "a human still records the outcome");
      } finally {
        await service.close();
      }
    });
  });
}
