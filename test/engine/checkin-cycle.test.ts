/**
 * The check-in cycle end to end through the API in sandbox mode, on every
 * database: prompt, re-send, incident, alerts, answers, pauses, outcomes.
 * Tests share one service (and its one-way clock), so each works in hours
 * relative to its own member's first due time.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody, plus, sandbox, summary } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`check-in cycle on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    /** A new member and a sandbox reader positioned after everything delivered so far. */
    async function newMember(overrides: Record<string, unknown> = {}) {
      const sb = sandbox(service.api);
      await sb.delivered();
      const r = await service.api("POST", "/members", memberBody(overrides));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const member = r.body;
      const names: Record<string, string> = { [member.id]: "member", [member.teamId]: "team" };
      member.contacts.forEach((c: { id: string }, i: number) => {
        names[c.id] = `contact${i + 1}`;
      });
      const due: string = member.nextDueAt;
      const at = (hours: number) => plus(due, hours);
      return {
        member, names, due, sb, at,
        until: async (hours: number) => {
          await sb.clockTo(at(hours));
          return summary(await sb.delivered(), names, due, member.id);
        },
      };
    }

    const openIncidents = async (memberId: string) =>
      (await service.api("GET", `/incidents?status=unresolved&memberId=${memberId}`)).body.incidents;

    test("a silent member: prompt, re-send at +24 h, team and first contact at +27 h, then one contact an hour", async () => {
      const m = await newMember();
      assert.match(m.due, /T00:00:00.000Z$/, "09:00 in Tokyo is 00:00 UTC");
      const seen = await m.until(29.5);
      // At +24 h the next day's prompt and the re-send fall on one moment: the member gets
      // one of them (PROMPT_COALESCE_MS), whichever of the two deciding workers wrote first.
      assert.match(seen[1] ?? "", /^\+24h (resend|prompt) member$/);
      assert.deepEqual([seen[0], ...seen.slice(2)], [
        "+0h prompt member",
        "+27h alert team",
        "+27h alert contact1",
        "+28h alert contact2",
        "+29h alert contact3",
      ]);
      const [incident] = await openIncidents(m.member.id);
      assert.equal(incident.kind, "no_answer");
      assert.equal(incident.status, "open");
      assert.equal(incident.openedAt, m.at(27));
      assert.deepEqual(incident.timeline.map((e: { type: string }) => e.type), ["opened", "notified", "notified", "notified", "notified"]);
      const view = (await service.api("GET", `/members/${m.member.id}`)).body;
      assert.equal(view.state, "escalating");
      // The next day's check-in was folded into the first: no chain, no second prompt.
      assert.deepEqual(view.openCheckins.map((c: { escalates: boolean }) => c.escalates), [true, false]);
      // Contacts ran out: nothing more until the next day's prompt.
      assert.deepEqual(await m.until(47.5), []);
      assert.deepEqual(await m.until(48), ["+48h prompt member"]);
      assert.equal((await openIncidents(m.member.id)).length, 1, "still one incident");
    });

    test("an OK after the prompt stops the chain, and the next day is prompted again", async () => {
      const m = await newMember();
      assert.deepEqual(await m.until(1), ["+0h prompt member"]);
      const reply = await m.sb.reply(m.member.id, "ok");
      assert.equal(reply.closedCheckins, 1);
      assert.deepEqual(await m.until(30), ["+24h prompt member"]);
      const history = (await service.api("GET", `/members/${m.member.id}/history`)).body;
      assert.deepEqual(history.answers.map((a: { answer: string; source: string }) => [a.answer, a.source]), [["ok", "member"]]);
      assert.deepEqual(history.checkins.map((c: { status: string }) => c.status), ["open", "answered"]);
      assert.equal(history.incidents.length, 0);
    });

    test("an OK after the re-send stops the chain before anyone is alerted", async () => {
      const m = await newMember();
      const seen = await m.until(25);
      // The re-send and the next day's prompt fall on one moment: one of them is sent (see above).
      assert.equal(seen[0], "+0h prompt member");
      assert.match(seen[1] ?? "", /^\+24h (resend|prompt) member$/);
      assert.equal(seen.length, 2);
      await m.sb.reply(m.member.id, "ok");
      assert.deepEqual(await m.until(30), []);
      assert.equal((await openIncidents(m.member.id)).length, 0);
    });

    test("an OK during the incident tells everyone alerted, stops further alerts, and leaves the incident to a human", async () => {
      const m = await newMember();
      await m.until(27.5);
      await m.sb.reply(m.member.id, "ok");
      const told = summary(await m.sb.delivered(), m.names, m.due, m.member.id);
      assert.deepEqual(told, ["+27.5h member_answered team", "+27.5h member_answered contact1"]);
      assert.deepEqual(await m.until(30), [], "the second contact is not woken");
      const [incident] = await openIncidents(m.member.id);
      assert.equal(incident.status, "open");
      assert.equal(incident.memberAnsweredAt, m.at(27.5));
      assert.equal(incident.timeline.at(-1).type, "member_answered");
      const resolved = await service.api("POST", `/incidents/${incident.id}/resolve`, { outcome: "member_answered", note: "電話で確認" });
      assert.equal(resolved.status, 200);
      assert.equal(resolved.body.status, "resolved");
      assert.deepEqual(resolved.body.resolved.outcome, "member_answered");
    });

    test("need_contact is an answer and a request: no silence escalation, an urgent incident, the team told", async () => {
      const m = await newMember();
      await m.until(2);
      const reply = await m.sb.reply(m.member.id, "need_contact");
      assert.ok(reply.incidentId);
      assert.deepEqual(summary(await m.sb.delivered(), m.names, m.due, m.member.id), ["+2h contact_request team"]);
      const [incident] = await openIncidents(m.member.id);
      assert.equal(incident.kind, "contact_requested");
      assert.equal(incident.urgency, "urgent");
      // Asking twice does not open a second request.
      await m.sb.reply(m.member.id, "need_contact");
      assert.equal((await openIncidents(m.member.id)).length, 1);
      assert.deepEqual(await m.until(30), ["+24h prompt member"], "no re-send, no alerts for silence");
    });

    test("acknowledging stops the list; resolving settles the check-ins and the next one starts fresh", async () => {
      const m = await newMember();
      await m.until(27);
      const [incident] = await openIncidents(m.member.id);
      const ack = await service.api("POST", `/incidents/${incident.id}/ack`, { by: "山田一郎", via: "phone" });
      assert.equal(ack.status, 200);
      assert.deepEqual(ack.body.acknowledged, { at: m.at(27), by: "山田一郎", via: "phone" });
      assert.equal((await service.api("POST", `/incidents/${incident.id}/ack`, {})).status, 409, "already acknowledged");
      // Nobody further down the list is alerted; whoever acknowledged is reminded 2 h later.
      assert.deepEqual(await m.until(30), ["+29h ack_reminder team"]);
      const done = await service.api("POST", `/incidents/${incident.id}/resolve`, { outcome: "visited_fine", note: "訪問し無事を確認" });
      assert.equal(done.body.resolved.outcome, "visited_fine");
      assert.equal((await service.api("POST", `/incidents/${incident.id}/resolve`, { outcome: "other" })).status, 409);
      const view = (await service.api("GET", `/members/${m.member.id}`)).body;
      assert.equal(view.openCheckins.length, 0);
      assert.equal(view.state, "scheduled");
      // Silent again: a fresh chain from the next prompt, with a new incident.
      const seen = await m.until(75);
      // At +72 h the next day's prompt and the re-send fall on one moment: one of them goes
      // (PROMPT_COALESCE_MS), whichever of the two deciding workers wrote first.
      assert.match(seen[1] ?? "", /^\+72h (resend|prompt) member$/);
      assert.deepEqual([seen[0], ...seen.slice(2)], ["+48h prompt member", "+75h alert team", "+75h alert contact1"]);
      const [fresh] = await openIncidents(m.member.id);
      assert.notEqual(fresh.id, incident.id);
    });

    test("a paused plan sends nothing and picks up on the day it ends", async () => {
      const m = await newMember();
      const dueDate = new Date(Date.parse(m.due) + 9 * 3_600_000).toISOString().slice(0, 10);
      const until = new Date(Date.parse(dueDate) + 3 * 86_400_000).toISOString().slice(0, 10);
      const paused = await service.api("POST", `/members/${m.member.id}/pause`, { until, reason: "travel" });
      assert.equal(paused.status, 200, JSON.stringify(paused.body));
      assert.equal(paused.body.state, "paused");
      assert.equal(paused.body.nextDueAt, m.at(72));
      assert.deepEqual(await m.until(71), []);
      assert.deepEqual(await m.until(73), ["+72h prompt member"]);
    });

    test("a pause without an end waits for resume; a due time missed while paused is skipped, not sent late", async () => {
      const m = await newMember();
      await service.api("POST", `/members/${m.member.id}/pause`, { reason: "hospital" });
      assert.equal((await service.api("GET", `/members/${m.member.id}`)).body.nextDueAt, null);
      assert.deepEqual(await m.until(50), []);
      const resumed = await service.api("POST", `/members/${m.member.id}/resume`);
      assert.equal(resumed.body.nextDueAt, m.at(72));
      assert.deepEqual(await m.until(73), ["+72h prompt member"]);
    });

    test("pausing settles an unanswered check-in, so nobody is alerted while the member is away", async () => {
      const m = await newMember();
      await m.until(1);
      const dueDate = new Date(Date.parse(m.due) + 9 * 3_600_000).toISOString().slice(0, 10);
      const until = new Date(Date.parse(dueDate) + 2 * 86_400_000).toISOString().slice(0, 10);
      await service.api("POST", `/members/${m.member.id}/pause`, { until, reason: "travel" });
      assert.deepEqual(await m.until(49), ["+48h prompt member"]);
    });

    test("a late answer closes every open check-in at once; a repeated answer changes nothing", async () => {
      const m = await newMember();
      await m.until(24.5);
      const first = await service.api("POST", `/members/${m.member.id}/answers`, { answer: "ok", idempotencyKey: "tap-1" });
      assert.equal(first.status, 201);
      assert.equal(first.body.closedCheckins, 2, "the missed check-in and today's");
      const again = await service.api("POST", `/members/${m.member.id}/answers`, { answer: "ok", idempotencyKey: "tap-1" });
      assert.equal(again.status, 200);
      assert.equal(again.body.duplicate, true);
      const second = await service.api("POST", `/members/${m.member.id}/answers`, { answer: "ok" });
      assert.equal(second.body.closedCheckins, 0);
      const history = (await service.api("GET", `/members/${m.member.id}/history`)).body;
      assert.equal(history.answers.length, 2);
    });

    test("an answer on the member's behalf counts as evidence of life and says who gave it", async () => {
      const m = await newMember();
      await m.until(25);
      const contactId = m.member.contacts[1].id;
      const r = await service.api("POST", `/members/${m.member.id}/answers`, {
        answer: "ok", source: "contact", contactId, note: "今朝会いました",
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(await m.until(30), []);
      const [answer] = (await service.api("GET", `/members/${m.member.id}/history`)).body.answers;
      assert.equal(answer.source, "contact");
      assert.equal(answer.contactId, contactId);
      assert.equal(answer.note, "今朝会いました");
    });

    test("a weekly plan is due on its weekday only", async () => {
      const m = await newMember({ plan: { every: "weekly", weekday: 3, at: "18:30" } });
      const local = new Date(Date.parse(m.due) + 9 * 3_600_000);
      assert.equal(local.getUTCDay(), 3, "Wednesday");
      assert.equal(local.toISOString().slice(11, 16), "18:30");
      const got = await m.until(24 * 7 + 1);
      assert.equal(got.filter((l) => l.endsWith("prompt member")).length, 2);
      assert.ok(got.includes("+168h prompt member"));
    });

    test("a team's own policy overrides the organisation's", async () => {
      const team = await service.api("POST", "/teams", { name: "さくら町会" });
      assert.equal(team.status, 201);
      const put = await service.api("PUT", `/teams/${team.body.id}/escalation-policy`, {
        standard: { steps: [{ after: "PT2H", action: "notify_all_contacts" }] },
      });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      const m = await newMember({ teamId: team.body.id });
      assert.deepEqual(await m.until(3), ["+0h prompt member", "+2h alert contact1", "+2h alert contact2", "+2h alert contact3"]);
    });

    test("outcomes act on the plan: hospitalised pauses it, left_service ends it", async () => {
      const a = await newMember();
      await a.sb.reply(a.member.id, "need_contact");
      const [ia] = await openIncidents(a.member.id);
      await service.api("POST", `/incidents/${ia.id}/resolve`, { outcome: "hospitalised", note: "入院" });
      const va = (await service.api("GET", `/members/${a.member.id}`)).body;
      assert.equal(va.state, "paused");
      assert.equal(va.nextDueAt, null);
      const b = await newMember();
      await b.sb.reply(b.member.id, "need_contact");
      const [ib] = await openIncidents(b.member.id);
      await service.api("POST", `/incidents/${ib.id}/resolve`, { outcome: "left_service" });
      await b.sb.delivered();
      const vb = (await service.api("GET", `/members/${b.member.id}`)).body;
      assert.equal(vb.state, "inactive");
      assert.deepEqual(await b.until(50), []);
    });
  });
}
