/**
 * Incidents for the console, on every database: names beside ids, notes on the
 * timeline (who, when, what), and the roles that may write them.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`incidents for the console on ${kind}`, () => {
    let service: TestService;
    let incidentId: string;
    before(async () => {
      service = await startTestService(kind);
      const member = (await service.api("POST", "/members", memberBody({ displayName: "小林 和子" }))).body;
      const answer = await service.api("POST", `/members/${member.id}/answers`, { answer: "need_contact" });
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      incidentId = answer.body.incidentId;
    });
    after(async () => {
      await service?.close();
    });

    test("incidents carry the member's name", async () => {
      const list = await service.api("GET", "/incidents?status=unresolved");
      assert.equal(list.body.incidents.length, 1);
      assert.equal(list.body.incidents[0].memberName, "小林 和子");
      assert.equal((await service.api("GET", `/incidents/${incidentId}`)).body.memberName, "小林 和子");
    });

    test("a note goes on the timeline with who wrote it; bad notes and strangers' incidents are refused", async () => {
      const noted = await service.api("POST", `/incidents/${incidentId}/notes`, { note: "電話したが留守。\n夕方にもう一度。" });
      assert.equal(noted.status, 201, JSON.stringify(noted.body));
      const last = noted.body.timeline.at(-1);
      assert.equal(last.type, "note");
      assert.equal(last.note, "電話したが留守。\n夕方にもう一度。");
      assert.equal(last.actor, "admin", "the token's name (a person's name when signed in)");
      assert.equal(noted.body.status, "open", "a note changes no state");
      const empty = await service.api("POST", `/incidents/${incidentId}/notes`, { note: "  " });
      assert.equal(empty.status, 400);
      assert.equal(empty.body.error.field, "note");
      const missing = await service.api("POST", "/incidents/00000000-0000-7000-8000-000000000000/notes", { note: "x" });
      assert.equal(missing.status, 404);
      assert.equal(missing.body.error.code, "not_found");
      const observer = (await service.api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token;
      assert.equal((await service.api("POST", `/incidents/${incidentId}/notes`, { note: "x" }, observer)).status, 403);
      const seen = (await service.api("GET", `/incidents/${incidentId}`, undefined, observer)).body;
      assert.equal(seen.memberName, "***");
      const note = seen.timeline.find((e: { type: string }) => e.type === "note");
      assert.equal(note.note, "***", "observers see that a note was written, not what it says");
      const log = (await service.api("GET", "/audit-log?limit=20")).body.entries;
      assert.ok(log.some((e: { action: string; subject: { id: string } }) => e.action === "incident.note" && e.subject.id === incidentId));
    });
  });
}
