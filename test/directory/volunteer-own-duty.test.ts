/**
 * A volunteer's own on-duty switch and the coordinator's acknowledgement of
 * volunteers' contacts (issue 14), on every database:
 * - GET /directory/my-volunteer shows a signed-in volunteer their record; a
 *   person who is no volunteer (or a token) is refused (403 not_assigned / forbidden);
 * - PUT /directory/my-volunteer/on-duty false is the staff's change
 *   (updateVolunteer): the volunteer's open unanswered request passes to the
 *   next volunteer, an accepted one stays theirs; it is audited as theirs;
 * - GET /directory/volunteer-contacts?acknowledged=true is the coordinator's
 *   history (latest acknowledged first), unacknowledged=true what is left to do.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson, type PersonClient } from "../support/people.ts";
import { memberBody } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`a volunteer's own switch and acknowledged contacts on ${kind}`, () => {
    let service: TestService;
    let sato: { client: PersonClient; id: string };
    let satoId: string;
    let nextId: string;
    let memberId: string;

    before(async () => {
      service = await startTestService(kind);
      memberId = (await service.api("POST", "/members", memberBody({ displayName: "青木 富子" }))).body.id;
      sato = await invitedPerson(service.api, service.url, { displayName: "担い手 佐藤", loginId: "sato-own", role: "watcher" });
      const a = await service.api("POST", "/directory/volunteers", { displayName: "担い手 佐藤", personId: sato.id, skills: ["shopping"], areas: [], availability: [], maxOpenRequests: 3 });
      assert.equal(a.status, 201, JSON.stringify(a.body));
      satoId = a.body.id;
      nextId = (await service.api("POST", "/directory/volunteers", { displayName: "担い手 高橋", skills: ["shopping"], areas: [], availability: [] })).body.id;
    });
    after(async () => {
      await service?.close();
    });

    async function needOfferedToSato(): Promise<{ needId: string; requestId: string }> {
      const need = await service.api("POST", "/directory/needs", { source: "console", memberId, taxonomyCodes: ["shopping"] });
      assert.equal(need.status, 201, JSON.stringify(need.body));
      const offered = await service.api("POST", `/directory/needs/${need.body.id}/offers`, { volunteerIds: [satoId] });
      assert.equal(offered.status, 201, JSON.stringify(offered.body));
      return { needId: need.body.id, requestId: offered.body.requests[0].id };
    }

    test("off duty by their own switch: the unanswered request passes on, the accepted one stays; back on duty", async () => {
      const accepted = await needOfferedToSato();
      assert.equal((await sato.client.call("POST", `/directory/volunteer-requests/${accepted.requestId}/accept`, {})).status, 200);
      const open = await needOfferedToSato();

      const own = await sato.client.call("GET", "/directory/my-volunteer");
      assert.equal(own.status, 200, JSON.stringify(own.body));
      assert.deepEqual(own.body, { id: satoId, displayName: "担い手 佐藤", onDuty: true, openRequests: 1 });

      const off = await sato.client.call("PUT", "/directory/my-volunteer/on-duty", { onDuty: false });
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.deepEqual(off.body, { id: satoId, displayName: "担い手 佐藤", onDuty: false, openRequests: 0 });
      const requests = (await service.api("GET", `/directory/needs/${open.needId}`)).body.requests;
      assert.deepEqual(requests.map((r: { volunteer: { id: string }; status: string; reason: string | null }) => [r.volunteer.id, r.status, r.reason]),
        [[satoId, "withdrawn", "volunteer_unavailable"], [nextId, "offered", null]]);
      assert.equal((await service.api("GET", `/directory/needs/${accepted.needId}`)).body.status, "matched");
      assert.equal((await service.api("GET", `/directory/volunteers/${satoId}`)).body.onDuty, false, "the coordinator sees the same switch");

      const entries = (await service.api("GET", "/audit-log?limit=100")).body.entries as { action: string; actor: string; detail: Record<string, unknown> }[];
      const entry = entries.find((e) => e.action === "directory_volunteer.update" && e.detail.self === true);
      assert.ok(entry, "the change is audited as the volunteer's");
      assert.match(entry.actor, new RegExp(`^person:.*:${sato.id}$`));

      const on = await sato.client.call("PUT", "/directory/my-volunteer/on-duty", { onDuty: true });
      assert.equal(on.body.onDuty, true);
      const bad = await sato.client.call("PUT", "/directory/my-volunteer/on-duty", { onDuty: "no" });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, "onDuty");
    });

    test("someone who is no volunteer, and a token, are refused", async () => {
      const kimura = await invitedPerson(service.api, service.url, { displayName: "見守り 木村", loginId: "kimura-own", role: "watcher" });
      const r = await kimura.client.call("PUT", "/directory/my-volunteer/on-duty", { onDuty: false });
      assert.equal(r.status, 403);
      assert.equal(r.body.error.code, "not_assigned");
      assert.equal((await service.api("GET", "/directory/my-volunteer")).status, 403, "a token is nobody's volunteer");
    });

    test("contacts: unacknowledged ones to do, acknowledged ones as the history, latest acknowledged first", async () => {
      const ids: string[] = [];
      for (const [i, note] of ["買い物を手伝いました", "電話で様子を聞きました", "ゴミ出しを手伝いました"].entries()) {
        const c = await service.api("POST", `/directory/volunteers/${satoId}/contacts`, { memberId, contactedAt: `2026-01-0${i + 2}T01:00:00Z`, note });
        assert.equal(c.status, 201, JSON.stringify(c.body));
        ids.push(c.body.id);
      }
      assert.equal((await service.api("POST", `/directory/volunteer-contacts/${ids[0]}/acknowledge`)).status, 200);
      assert.equal((await service.api("POST", `/directory/volunteer-contacts/${ids[2]}/acknowledge`)).status, 200);
      const todo = (await service.api("GET", "/directory/volunteer-contacts?unacknowledged=true")).body.contacts;
      assert.deepEqual(todo.map((c: { id: string }) => c.id), [ids[1]]);
      const done = (await service.api("GET", "/directory/volunteer-contacts?acknowledged=true")).body.contacts;
      assert.deepEqual(done.map((c: { id: string }) => c.id).toSorted(), [ids[0], ids[2]].toSorted());
      assert.ok(done.every((c: { acknowledged: { by: string } | null }) => c.acknowledged?.by), "who acknowledged");
    });
  });
}
