/**
 * Visits through the API on every database, and the watcher's scope enforced
 * by it (403, not just hidden): staff assign a visit to watchers in order; the
 * watcher sees only their own tasks, and of the member only name, address,
 * phone and state; a member or incident not assigned to them is 403
 * `not_assigned`; a decline passes the visit (and the member) to the next
 * watcher; 会えた・元気 resolves the incident as visited_fine. Also: phoning
 * the member from the incident, several incidents acknowledged at once, and
 * overdue visits on Today.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson, type PersonClient } from "../support/people.ts";
import { memberBody } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`visits and the watcher's scope on ${kind}`, () => {
    let service: TestService;
    let tanaka: { client: PersonClient; id: string };
    let suzuki: { client: PersonClient; id: string };
    const members: Record<string, { id: string; incidentId: string }> = {};
    let now: Date;
    before(async () => {
      service = await startTestService(kind);
      for (const [name, extra] of [
        ["青木 富子", { address: "東京都港区芝1-2-3", phone: "03-1234-5678" }],
        ["石井 茂", { channels: [{ kind: "voice", address: "+81312349999" }] }],
      ] as const) {
        const member = await service.api("POST", "/members", memberBody({ displayName: name, ...extra }));
        assert.equal(member.status, 201, JSON.stringify(member.body));
        const answered = await service.api("POST", `/members/${member.body.id}/answers`, { answer: "need_contact" });
        members[name] = { id: member.body.id, incidentId: answered.body.incidentId };
      }
      tanaka = await invitedPerson(service.api, service.url, { displayName: "民生委員 田中", loginId: "tanaka", role: "watcher" });
      suzuki = await invitedPerson(service.api, service.url, { displayName: "見守り 鈴木", loginId: "suzuki", role: "watcher" });
      now = new Date((await service.api("GET", "/sandbox/clock")).body.now);
    });
    after(async () => {
      await service?.close();
    });
    const inHours = (h: number) => new Date(now.getTime() + h * 3_600_000).toISOString();

    test("staff pick watchers; bad assignments are refused naming the field, nothing written", async () => {
      const watchers = await service.api("GET", "/watchers");
      assert.equal(watchers.status, 200);
      assert.deepEqual(watchers.body.watchers.map((w: { displayName: string }) => w.displayName).sort(), ["民生委員 田中", "見守り 鈴木"].sort());
      const aoki = members["青木 富子"].incidentId;
      const missing = await service.api("POST", `/incidents/${aoki}/visits`, { watcherIds: [tanaka.id] });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error.field, "dueAt");
      const stranger = await service.api("POST", `/incidents/${aoki}/visits`, { watcherIds: [tanaka.id, "00000000-0000-7000-8000-000000000000"], dueAt: inHours(2) });
      assert.equal(stranger.status, 422);
      assert.equal(stranger.body.error.field, "watcherIds.1");
      const both = await service.api("POST", `/incidents/${aoki}/visits`, { watcherIds: [tanaka.id], dueAt: inHours(2), dueInMinutes: 60 });
      assert.equal(both.status, 400);
      assert.equal(both.body.error.field, "dueAt");
      const twice = await service.api("POST", `/incidents/${aoki}/visits`, { watcherIds: [tanaka.id, tanaka.id], dueAt: inHours(2) });
      assert.equal(twice.status, 400);
      assert.equal(twice.body.error.field, "watcherIds");
      assert.equal((await service.api("GET", `/incidents/${aoki}`)).body.status, "open", "nothing half-written");
      assert.equal((await tanaka.client.call("GET", "/visits")).body.visits.length, 0);
    });

    test("a watcher sees their own visit and member (reduced), and gets 403 for everything else", async () => {
      const aoki = members["青木 富子"];
      const assigned = await service.api("POST", `/incidents/${aoki.incidentId}/visits`, { watcherIds: [tanaka.id, suzuki.id], dueInMinutes: 180, note: "鍵はお隣に" });
      assert.equal(assigned.status, 201, JSON.stringify(assigned.body));
      assert.ok(Date.parse(assigned.body.dueAt) >= Date.parse(inHours(3)), "due three hours from the service's now");
      assert.equal(assigned.body.state, "offered");
      assert.equal(assigned.body.watcher.displayName, "民生委員 田中");
      assert.deepEqual(assigned.body.candidates.map((c: { displayName: string }) => c.displayName), ["民生委員 田中", "見守り 鈴木"]);
      const incident = (await service.api("GET", `/incidents/${aoki.incidentId}`)).body;
      assert.equal(incident.status, "acknowledged", "assigning a visit takes the incident on");
      assert.equal(incident.visits[0].id, assigned.body.id);

      const mine = await tanaka.client.call("GET", "/visits");
      assert.equal(mine.status, 200);
      assert.deepEqual(mine.body.visits.map((v: { memberName: string; address: string; phone: string; note: string }) => [v.memberName, v.address, v.phone, v.note]),
        [["青木 富子", "東京都港区芝1-2-3", "+81312345678", "鍵はお隣に"]]);
      assert.deepEqual(mine.body.visits[0].candidates, [], "a watcher does not see whom else staff asked");
      assert.equal((await suzuki.client.call("GET", "/visits")).body.visits.length, 0, "the next watcher is not asked yet");

      const member = await tanaka.client.call("GET", `/members/${aoki.id}`);
      assert.equal(member.status, 200, JSON.stringify(member.body));
      assert.deepEqual(Object.keys(member.body).sort(), ["address", "displayName", "id", "phone", "state", "visits"]);
      assert.equal(member.body.displayName, "青木 富子");
      assert.equal(member.body.state, "escalating");
      const other = await tanaka.client.call("GET", `/members/${members["石井 茂"].id}`);
      assert.equal(other.status, 403);
      assert.equal(other.body.error.code, "not_assigned");
      assert.equal((await suzuki.client.call("GET", `/members/${aoki.id}`)).status, 403, "offered to someone else: not theirs");

      const incidents = await tanaka.client.call("GET", "/incidents?status=unresolved");
      assert.equal(incidents.status, 200);
      assert.deepEqual(incidents.body.incidents.map((i: { id: string }) => i.id), [aoki.incidentId], "only the incidents they visit");
      assert.deepEqual(incidents.body.incidents[0].timeline, [], "not who was told what");
      assert.equal((await tanaka.client.call("GET", `/incidents/${members["石井 茂"].incidentId}`)).body.error.code, "not_assigned");
      assert.equal((await suzuki.client.call("GET", "/incidents")).body.incidents.length, 0);

      for (const [method, path, body] of [
        ["GET", "/members", undefined], ["GET", "/today", undefined], ["GET", `/members/${aoki.id}/contacts`, undefined],
        ["GET", `/members/${aoki.id}/history`, undefined], ["GET", "/watchers", undefined], ["GET", "/audit-log", undefined],
        ["POST", `/incidents/${aoki.incidentId}/ack`, {}], ["POST", `/incidents/${aoki.incidentId}/notes`, { note: "x" }],
        ["POST", `/incidents/${aoki.incidentId}/visits`, { watcherIds: [tanaka.id], dueAt: inHours(1) }],
      ] as const) {
        const refused = await tanaka.client.call(method, path, body);
        assert.equal(refused.status, 403, `${method} ${path}`);
      }
      const notHis = await suzuki.client.call("POST", `/visits/${assigned.body.id}/accept`);
      assert.equal(notHis.status, 403);
      assert.equal(notHis.body.error.code, "not_assigned");
      assert.equal((await suzuki.client.call("GET", `/visits/${assigned.body.id}`)).status, 403);
      const log = (await service.api("GET", "/audit-log?limit=50")).body.entries;
      assert.ok(log.some((e: { action: string; actor: { name?: string } | string }) => e.action === "member.view" && JSON.stringify(e.actor).includes("民生委員 田中")),
        "what a watcher opened is in the audit log, under their name");
    });

    test("a decline passes the visit and the member to the next watcher; they accept and record 会えた・元気: resolved as visited_fine", async () => {
      const aoki = members["青木 富子"];
      const [visit] = (await tanaka.client.call("GET", "/visits")).body.visits;
      const declined = await tanaka.client.call("POST", `/visits/${visit.id}/decline`, { note: "今日は通院日です" });
      assert.equal(declined.status, 200, JSON.stringify(declined.body));
      assert.equal(declined.body.address, null, "who declined no longer sees the address");
      assert.equal((await tanaka.client.call("GET", `/members/${aoki.id}`)).status, 403, "nor the member");
      assert.equal((await tanaka.client.call("POST", `/visits/${visit.id}/accept`)).status, 403);

      const offered = (await suzuki.client.call("GET", "/visits")).body.visits;
      assert.deepEqual(offered.map((v: { id: string; state: string }) => [v.id, v.state]), [[visit.id, "offered"]]);
      assert.equal((await suzuki.client.call("GET", `/members/${aoki.id}`)).status, 200);
      const accepted = await suzuki.client.call("POST", `/visits/${visit.id}/accept`);
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(accepted.body.state, "accepted");
      const again = await suzuki.client.call("POST", `/visits/${visit.id}/accept`);
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, "visit_not_offered");
      const noNote = await suzuki.client.call("POST", `/visits/${visit.id}/outcome`, { outcome: "other" });
      assert.equal(noNote.status, 400);
      assert.equal(noNote.body.error.field, "note");
      const badOutcome = await suzuki.client.call("POST", `/visits/${visit.id}/outcome`, { outcome: "fine" });
      assert.equal(badOutcome.status, 400);
      assert.equal(badOutcome.body.error.field, "outcome");
      const done = await suzuki.client.call("POST", `/visits/${visit.id}/outcome`, { outcome: "met_fine", note: "お元気でした" });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.state, "done");
      assert.equal(done.body.result.outcome, "met_fine");

      const incident = (await service.api("GET", `/incidents/${aoki.incidentId}`)).body;
      assert.equal(incident.status, "resolved");
      assert.equal(incident.resolved.outcome, "visited_fine");
      const types = incident.timeline.map((e: { type: string }) => e.type);
      assert.deepEqual(types.slice(-6), ["acknowledged", "visit_assigned", "visit_declined", "visit_accepted", "visit_reported", "resolved"]);
      assert.equal(incident.timeline.find((e: { type: string }) => e.type === "visit_declined").next.displayName, "見守り 鈴木");
      const closed = await suzuki.client.call("POST", `/visits/${visit.id}/outcome`, { outcome: "not_home" });
      assert.equal(closed.status, 409);
      assert.equal(closed.body.error.code, "visit_closed");
      assert.equal((await suzuki.client.call("GET", `/members/${aoki.id}`)).status, 403, "a finished visit no longer opens the member");
    });

    test("staff phone the member from the incident: the number, and the call's outcome on the timeline", async () => {
      const ishii = members["石井 茂"];
      const incident = (await service.api("GET", `/incidents/${ishii.incidentId}`)).body;
      assert.equal(incident.phone, "+81312349999", "the member's phone channel");
      const called = await service.api("POST", `/incidents/${ishii.incidentId}/calls`, { outcome: "no_answer", note: "10回鳴らした" });
      assert.equal(called.status, 201, JSON.stringify(called.body));
      const last = called.body.timeline.at(-1);
      assert.deepEqual([last.type, last.callOutcome, last.note, last.phone, last.actor], ["call", "no_answer", "10回鳴らした", "+81312349999", "admin"]);
      assert.equal(called.body.status, "open", "a call changes no state");
      const bad = await service.api("POST", `/incidents/${ishii.incidentId}/calls`, { outcome: "maybe" });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, "outcome");
      const observer = (await service.api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token;
      const seen = (await service.api("GET", `/incidents/${ishii.incidentId}`, undefined, observer)).body;
      assert.equal(seen.phone, "***");
    });

    test("several incidents acknowledged at once; each result says whether it was taken and why not", async () => {
      const extra = (await service.api("POST", "/members", memberBody({ displayName: "上田 光" }))).body;
      const open = (await service.api("POST", `/members/${extra.id}/answers`, { answer: "need_contact" })).body.incidentId;
      const ishii = members["石井 茂"].incidentId;
      const resolved = members["青木 富子"].incidentId;
      const missing = "00000000-0000-7000-8000-000000000000";
      const acked = await service.api("POST", "/incidents/ack", { ids: [ishii, open, resolved, missing], via: "console" });
      assert.equal(acked.status, 200, JSON.stringify(acked.body));
      assert.deepEqual(acked.body.results.map((r: { ok: boolean; code: string | null }) => [r.ok, r.code]),
        [[true, null], [true, null], [false, "incident_resolved"], [false, "not_found"]]);
      assert.equal((await service.api("GET", `/incidents/${open}`)).body.status, "acknowledged");
      const empty = await service.api("POST", "/incidents/ack", { ids: [] });
      assert.equal(empty.status, 400);
      assert.equal(empty.body.error.field, "ids");
    });

    test("an overdue visit stands out on Today and in the lists", async () => {
      const ishii = members["石井 茂"];
      const late = await service.api("POST", `/incidents/${ishii.incidentId}/visits`, { watcherIds: [tanaka.id], dueAt: inHours(-1) });
      assert.equal(late.status, 201, JSON.stringify(late.body));
      assert.equal(late.body.overdue, true);
      const today = (await service.api("GET", "/today")).body;
      assert.deepEqual(today.overdueVisits.map((v: { id: string; memberName: string }) => [v.id, v.memberName]), [[late.body.id, "石井 茂"]]);
      const overdue = (await service.api("GET", "/visits?overdue=true")).body.visits;
      assert.deepEqual(overdue.map((v: { id: string }) => v.id), [late.body.id]);
      assert.equal((await tanaka.client.call("GET", "/visits?state=active")).body.visits[0].overdue, true);
      const queue = (await service.api("GET", "/incidents?status=unresolved")).body.incidents;
      assert.equal(queue.find((i: { id: string }) => i.id === ishii.incidentId).visits[0].overdue, true);
    });
  });
}
