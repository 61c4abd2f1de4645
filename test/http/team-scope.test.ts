/**
 * Team staff reach their own teams' members and nothing else, on every database:
 * lists show only theirs; another team's member, contact, incident or visit
 * answers 403 `not_in_team` and is left unchanged; they register members into
 * their teams; a staff member in no team reaches no member. The route table
 * covers every route that names a member's record by id.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { routeAccess } from "../../src/http/access.ts";
import { routeScope } from "../../src/http/team-scope.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson, type PersonClient } from "../support/people.ts";
import { memberBody } from "../support/sandbox.ts";

test("every route naming a member, contact, incident or visit by :id is in the team scope table, and only those", async () => {
  // The tables are complete once the contexts are registered: the service's composition root does that.
  const service = await startTestService("pglite");
  try {
    const named = Object.keys(routeAccess()).filter((key) => /^\w+ \/(members|contacts|incidents|visits)\/:id(\/|$)/.test(key));
    assert.deepEqual(Object.keys(routeScope()).sort(), named.sort());
  } finally {
    await service.close();
  }
});

for (const kind of databaseKinds()) {
  describe(`team staff on ${kind}`, () => {
    let service: TestService;
    let north: string;
    let south: string;
    let staff: PersonClient;
    let ours: { id: string; contactId: string; incidentId: string };
    let theirs: { id: string; contactId: string; incidentId: string; visitId: string };

    before(async () => {
      service = await startTestService(kind);
      const { api } = service;
      north = (await api("POST", "/teams", { name: "北地区" })).body.id;
      south = (await api("POST", "/teams", { name: "南地区" })).body.id;
      const member = async (displayName: string, teamId: string) => {
        const r = await api("POST", "/members", memberBody({ displayName, teamId }));
        assert.equal(r.status, 201, JSON.stringify(r.body));
        const answered = await api("POST", `/members/${r.body.id}/answers`, { answer: "need_contact" });
        assert.equal(answered.status, 201, JSON.stringify(answered.body));
        const incidents = await api("GET", `/incidents?status=unresolved&memberId=${r.body.id}`);
        return { id: r.body.id as string, contactId: r.body.contacts[0].id as string, incidentId: incidents.body.incidents[0].id as string };
      };
      ours = await member("北 一郎", north);
      const southMember = await member("南 花子", south);
      const watcher = await invitedPerson(api, service.url, { displayName: "民生委員 南", loginId: "minami", role: "watcher" });
      const visit = await api("POST", `/incidents/${southMember.incidentId}/visits`, { watcherIds: [watcher.id], dueInMinutes: 60 });
      assert.equal(visit.status, 201, JSON.stringify(visit.body));
      theirs = { ...southMember, visitId: visit.body.id };
      staff = (await invitedPerson(api, service.url, { displayName: "職員 北", loginId: "kita", role: "staff", teamIds: [north] })).client;
    });
    after(async () => {
      await service?.close();
    });

    test("lists show only their teams' members, contacts, incidents and visits", async () => {
      const members = await staff.call("GET", "/members?limit=100");
      assert.deepEqual(members.body.members.map((m: { id: string }) => m.id), [ours.id]);
      const incidents = await staff.call("GET", "/incidents?status=unresolved");
      assert.deepEqual(incidents.body.incidents.map((i: { id: string }) => i.id), [ours.incidentId]);
      const contacts = await staff.call("GET", "/contacts");
      assert.ok(contacts.body.contacts.length > 0);
      assert.ok(contacts.body.contacts.every((c: { memberId: string }) => c.memberId === ours.id));
      assert.deepEqual((await staff.call("GET", "/visits")).body.visits, []);
      const filtered = await staff.call("GET", `/members?teamId=${south}`);
      assert.equal(filtered.status, 403);
      assert.equal(filtered.body.error.code, "not_in_team");
      assert.equal(filtered.body.error.field, "querystring.teamId");
    });

    test("another team's records answer 403 not_in_team, and writes to them change nothing", async () => {
      const refused: [string, string, unknown?][] = [
        ["GET", `/members/${theirs.id}`],
        ["GET", `/members/${theirs.id}/history`],
        ["GET", `/members/${theirs.id}/contacts`],
        ["PATCH", `/members/${theirs.id}`, { displayName: "書き換え" }],
        ["POST", `/members/${theirs.id}/pause`, { reason: "hospital" }],
        ["POST", `/members/${theirs.id}/answers`, { answer: "ok" }],
        ["PATCH", `/contacts/${theirs.contactId}`, { displayName: "書き換え" }],
        ["GET", `/incidents/${theirs.incidentId}`],
        ["POST", `/incidents/${theirs.incidentId}/ack`, {}],
        ["POST", `/incidents/${theirs.incidentId}/resolve`, { outcome: "false_alarm" }],
        ["POST", `/incidents/${theirs.incidentId}/notes`, { text: "見ました" }],
        ["GET", `/visits/${theirs.visitId}`],
        ["POST", `/visits/${theirs.visitId}/cancel`, {}],
      ];
      for (const [method, path, body] of refused) {
        const r = await staff.call(method, path, body);
        assert.equal(r.status, 403, `${method} ${path}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.code, "not_in_team", `${method} ${path}`);
      }
      const member = await service.api("GET", `/members/${theirs.id}`);
      assert.equal(member.body.displayName, "南 花子");
      assert.equal(member.body.pause, null);
      const incident = await service.api("GET", `/incidents/${theirs.incidentId}`);
      assert.equal(incident.body.status, "acknowledged", "taken on by the visit's assignment, not resolved by the refused call");
      assert.ok(!incident.body.timeline.some((e: { type: string }) => e.type === "note"));
      assert.equal((await service.api("GET", `/visits/${theirs.visitId}`)).body.state, "offered");
      // Their own team's records, and records that do not exist, behave as before.
      assert.equal((await staff.call("GET", `/members/${ours.id}`)).status, 200);
      assert.equal((await staff.call("GET", "/members/00000000-0000-7000-8000-000000000000")).status, 404);
      assert.equal((await staff.call("GET", "/members/not-an-id")).status, 400);
    });

    test("a member named in the body (answering in the sandbox, for a broadcast) is in scope too", async () => {
      const before = (await service.api("GET", `/members/${theirs.id}/history`)).body.answers.length;
      const reply = await staff.call("POST", "/sandbox/reply", { memberId: theirs.id, answer: "ok" });
      assert.equal(reply.status, 403, JSON.stringify(reply.body));
      assert.deepEqual([reply.body.error.code, reply.body.error.field], ["not_in_team", "memberId"]);
      const broadcast = await service.api("POST", "/broadcasts", { audience: { kind: "team", id: south }, text: "安否確認です", question: true });
      if (broadcast.status === 201) {
        const answer = await staff.call("POST", `/broadcasts/${broadcast.body.id}/answers`, { memberId: theirs.id, answer: "safe" });
        assert.deepEqual([answer.status, answer.body.error?.code], [403, "not_in_team"]);
        const followUp = await staff.call("POST", `/broadcasts/${broadcast.body.id}/follow-up`, { memberId: theirs.id });
        assert.deepEqual([followUp.status, followUp.body.error?.code], [403, "not_in_team"]);
      } else assert.fail(`the broadcast for the test: ${JSON.stringify(broadcast.body)}`);
      assert.equal((await service.api("GET", `/members/${theirs.id}/history`)).body.answers.length, before, "nothing recorded");
      assert.equal((await staff.call("POST", "/sandbox/reply", { memberId: ours.id, answer: "ok" })).status, 200, "their own team's member");
    });

    test("acknowledging several at once: another team's incident is reported, the others taken on", async () => {
      const r = await staff.call("POST", "/incidents/ack", { ids: [ours.incidentId, theirs.incidentId] });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.results.map((x: { id: string; ok: boolean; code: string | null }) => [x.id, x.ok, x.code]),
        [[ours.incidentId, true, null], [theirs.incidentId, false, "not_in_team"]]);
    });

    test("registering: into their own team by default; another team, or moving a member there, is refused", async () => {
      const created = await staff.call("POST", "/members", memberBody({ displayName: "北 新人", contacts: [] }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.teamId, north);
      const before = (await service.api("GET", "/members?limit=100")).body.members.length;
      const elsewhere = await staff.call("POST", "/members", memberBody({ displayName: "南 新人", teamId: south, contacts: [] }));
      assert.equal(elsewhere.status, 403);
      assert.equal(elsewhere.body.error.field, "teamId");
      assert.equal((await service.api("GET", "/members?limit=100")).body.members.length, before, "nothing registered");
      const moved = await staff.call("PATCH", `/members/${ours.id}`, { teamId: south });
      assert.equal(moved.status, 403);
      assert.equal((await service.api("GET", `/members/${ours.id}`)).body.teamId, north);
    });

    test("a staff member in no team reaches no member and registers none", async () => {
      const nobody = (await invitedPerson(service.api, service.url, { displayName: "職員 無所属", loginId: "mushozoku", role: "staff" })).client;
      assert.deepEqual((await nobody.call("GET", "/members")).body.members, []);
      assert.deepEqual((await nobody.call("GET", "/incidents")).body.incidents, []);
      const created = await nobody.call("POST", "/members", memberBody({ displayName: "誰か", contacts: [] }));
      assert.equal(created.status, 403);
      assert.equal(created.body.error.code, "not_in_team");
    });

    test("admins and staff tokens reach every team", async () => {
      const all = await service.api("GET", "/incidents?status=unresolved");
      assert.ok(all.body.incidents.some((i: { id: string }) => i.id === theirs.incidentId));
      const token = await service.api("POST", "/tokens", { name: "連携", role: "staff" });
      const viaToken = await service.api("GET", `/members/${theirs.id}`, undefined, token.body.token);
      assert.equal(viaToken.status, 200);
    });
  });
}
