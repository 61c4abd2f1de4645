/**
 * Alert channels and duty through the API, on every database: staff keep their
 * own channels (validated: phone numbers read as people type them, e-mail and
 * LINE ids checked, each bad field named) and go on or off duty; an admin can
 * do it for someone; a watcher keeps channels (visit requests) but is never on
 * duty; an auditor or an API token cannot register, and nobody but an admin sees
 * another person's channels; a test
 * message goes through the outbox; every change is in the audit log.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson, type PersonClient } from "../support/people.ts";
import { sandbox } from "../support/sandbox.ts";

type Person = { client: PersonClient; id: string };

for (const kind of databaseKinds()) {
  describe(`alert channels and duty on ${kind}`, () => {
    let service: TestService;
    let staff: Person;
    let other: Person;
    let watcher: Person;
    let auditor: Person;
    let teamId: string;
    before(async () => {
      service = await startTestService(kind);
      teamId = (await service.api("POST", "/teams", { name: "東地区" })).body.id;
      staff = await invitedPerson(service.api, service.url, { displayName: "担当 山本", loginId: "yamamoto", role: "staff", teamIds: [teamId] });
      other = await invitedPerson(service.api, service.url, { displayName: "担当 中村", loginId: "nakamura", role: "staff", teamIds: [teamId] });
      watcher = await invitedPerson(service.api, service.url, { displayName: "見守り 小林", loginId: "kobayashi", role: "watcher" });
      auditor = await invitedPerson(service.api, service.url, { displayName: "監査 加藤", loginId: "kato", role: "auditor" });
    });
    after(async () => {
      await service?.close();
    });

    test("staff register channels (phones in E.164), go on duty, and see it; the team's duty board names them", async () => {
      const empty = await staff.client.call("GET", "/me/duty");
      assert.equal(empty.status, 200, JSON.stringify(empty.body));
      assert.deepEqual({ ...empty.body, personId: undefined }, { personId: undefined, displayName: "担当 山本", onDuty: false, teamIds: [teamId], channels: [] });
      const phone = await staff.client.call("POST", "/me/channels", { kind: "voice", address: "０９０－１２３４－５６７８" });
      assert.equal(phone.status, 201, JSON.stringify(phone.body));
      assert.equal(phone.body.address, "+819012345678");
      const mail = await staff.client.call("POST", "/me/channels", { kind: "email", address: "yamamoto@example.org" });
      assert.equal(mail.status, 201);
      const line = await staff.client.call("POST", "/me/channels", { kind: "line", address: `U${"a".repeat(32)}` });
      assert.equal(line.status, 201);
      const on = await staff.client.call("PUT", "/me/duty", { onDuty: true });
      assert.equal(on.status, 200);
      assert.equal(on.body.onDuty, true);
      assert.deepEqual(on.body.channels.map((c: { kind: string }) => c.kind), ["voice", "email", "line"]);
      const removed = await staff.client.call("DELETE", `/me/channels/${line.body.id}`);
      assert.equal(removed.status, 204);
      assert.equal((await staff.client.call("DELETE", `/me/channels/${line.body.id}`)).status, 404);

      const board = await service.api("GET", "/duty");
      assert.equal(board.status, 200);
      const east = board.body.teams.find((t: { teamId: string }) => t.teamId === teamId);
      assert.deepEqual(east, { teamId, staff: 2, onDuty: [{ personId: staff.id, displayName: "担当 山本", channels: 2 }] });
      const mine = await other.client.call("GET", "/duty");
      assert.deepEqual(mine.body.teams.map((t: { teamId: string }) => t.teamId), [teamId], "team staff see their own teams' duty");
      const people = (await service.api("GET", "/people")).body.people as { id: string; onDuty: boolean }[];
      assert.equal(people.find((p) => p.id === staff.id)?.onDuty, true);
      assert.equal(people.find((p) => p.id === other.id)?.onDuty, false);

      const audited = (await service.api("GET", `/audit-log?limit=100`)).body.entries as { action: string; actor: string }[];
      const actions = audited.filter((e) => e.actor.includes(staff.id)).map((e) => e.action);
      for (const action of ["duty.channel_add", "duty.on", "duty.channel_remove"]) assert.ok(actions.includes(action), `${action} in ${actions.join()}`);
    });

    test("bad input is a 4xx naming the field; a channel twice is 409", async () => {
      const cases: [unknown, number, string][] = [
        [{ kind: "sms", address: "12345" }, 400, "address"],
        [{ kind: "voice", address: "090-1234-567a" }, 400, "address"],
        [{ kind: "email", address: "not-an-address" }, 400, "address"],
        [{ kind: "line", address: "someone" }, 400, "address"],
        [{ kind: "fax", address: "03-1234-5678" }, 400, "kind"],
        [{ kind: "sandbox", address: "x" }, 400, "kind"],
        [{ kind: "email" }, 400, "address"],
        [{ kind: "email", address: "a@example.org", extra: 1 }, 400, "extra"],
        [{ kind: "email", address: "yamamoto@example.org" }, 409, "address"],
      ];
      for (const [body, status, field] of cases) {
        const r = await staff.client.call("POST", "/me/channels", body);
        assert.equal(r.status, status, `${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.field, field, JSON.stringify(r.body));
      }
      const duty = await staff.client.call("PUT", "/me/duty", { onDuty: "yes" });
      assert.equal(duty.status, 400);
      assert.equal(duty.body.error.field, "onDuty");
      assert.equal((await staff.client.call("POST", "/me/channels/not-an-id/test")).status, 400);
    });

    test("an auditor and an API token cannot register for team alerts (a watcher keeps channels for visit requests, see below); only an admin sees another person's channels", async () => {
      for (const [who, client] of [["auditor", auditor.client]] as const) {
        for (const [method, path, body] of [
          ["GET", "/me/duty", undefined], ["PUT", "/me/duty", { onDuty: true }], ["POST", "/me/channels", { kind: "email", address: "w@example.org" }],
        ] as const) {
          const r = await client.call(method, path, body);
          assert.equal(r.status, 403, `${who} ${method} ${path} → ${r.status}`);
          assert.equal(r.body.error.code, "forbidden");
        }
      }
      assert.equal((await watcher.client.call("GET", `/people/${staff.id}/duty`)).status, 403);
      assert.equal((await watcher.client.call("GET", "/duty")).status, 403);
      assert.equal((await other.client.call("GET", `/people/${staff.id}/duty`)).status, 403, "staff do not see a colleague's addresses");
      assert.equal((await other.client.call("POST", `/people/${staff.id}/channels`, { kind: "email", address: "x@example.org" })).status, 403);
      assert.equal((await service.api("GET", "/me/duty")).status, 403, "a token is nobody's: it has no duty");
      const seen = await auditor.client.call("GET", `/people/${staff.id}/duty`);
      assert.equal(seen.status, 200, "the auditor reads");
      assert.equal((await auditor.client.call("PUT", `/people/${staff.id}/duty`, { onDuty: false })).status, 403, "and writes nothing");
      // An observer token gets the duty board with names redacted.
      const observer = (await service.api("POST", "/tokens", { name: "表示板", role: "observer" })).body.token as string;
      const board = await service.api("GET", "/duty", undefined, observer);
      assert.equal(board.status, 200);
      assert.ok(board.body.teams.flatMap((t: { onDuty: { displayName: string }[] }) => t.onDuty).every((p: { displayName: string }) => p.displayName === "***"));
    });

    test("an admin sets channels and duty for a person; a watcher cannot be put on duty", async () => {
      const added = await service.api("POST", `/people/${other.id}/channels`, { kind: "sms", address: "080-2222-3333" });
      assert.equal(added.status, 201, JSON.stringify(added.body));
      assert.equal(added.body.address, "+818022223333");
      const on = await service.api("PUT", `/people/${other.id}/duty`, { onDuty: true });
      assert.equal(on.status, 200);
      assert.deepEqual([on.body.onDuty, on.body.channels.length], [true, 1]);
      assert.equal((await other.client.call("GET", "/me/duty")).body.onDuty, true, "they see it on their own page");
      const refused = await service.api("PUT", `/people/${watcher.id}/duty`, { onDuty: true });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, "not_on_duty_role");
      // A watcher keeps channels (visit requests reach them there), never on duty.
      const watcherChannel = await service.api("POST", `/people/${watcher.id}/channels`, { kind: "email", address: "w@example.org" });
      assert.equal(watcherChannel.status, 201, JSON.stringify(watcherChannel.body));
      const ownWay = await watcher.client.call("PUT", "/me/duty", { onDuty: true });
      assert.equal(ownWay.status, 409);
      assert.equal(ownWay.body.error.code, "not_on_duty_role");
      assert.equal((await watcher.client.call("GET", "/me/duty")).body.channels.length, 1);
      assert.equal((await service.api("DELETE", `/people/${other.id}/channels/${added.body.id}`)).status, 204);
      assert.equal((await service.api("GET", `/people/00000000-0000-7000-8000-000000000000/duty`)).status, 404);
    });

    test("a test message goes through the outbox, and the channel shows how it went", async () => {
      const duty = (await staff.client.call("GET", "/me/duty")).body;
      const mail = duty.channels.find((c: { kind: string }) => c.kind === "email");
      const queued = await staff.client.call("POST", `/me/channels/${mail.id}/test`);
      assert.equal(queued.status, 202, JSON.stringify(queued.body));
      assert.equal((await staff.client.call("POST", `/me/channels/00000000-0000-7000-8000-000000000000/test`)).status, 404);
      assert.equal((await other.client.call("POST", `/me/channels/${mail.id}/test`)).status, 404, "only one's own channels");
      const sb = sandbox(service.api);
      await sb.advance("PT1M");
      const tests = (await sb.delivered()).filter((m) => m.kind === "channel_test");
      assert.deepEqual(tests.map((m) => [m.to.kind, m.to.id, m.channel]), [["person", staff.id, "email"]]);
      assert.match(tests[0].text, /テスト/);
      const after = (await staff.client.call("GET", "/me/duty")).body.channels.find((c: { id: string }) => c.id === mail.id);
      assert.equal(after.lastTest.status, "sent");
    });
  });
}
