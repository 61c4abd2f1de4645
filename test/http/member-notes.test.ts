/**
 * Notes on a member (申し送り) through the API, on every database: newest first
 * with who wrote them; bad input refused naming the field and writing nothing;
 * an observer sees them redacted; team staff only on their own teams' members;
 * deleted with the member.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson } from "../support/people.ts";
import { memberBody } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`member notes on ${kind}`, () => {
    let service: TestService;
    let memberId: string;
    before(async () => {
      service = await startTestService(kind);
      memberId = (await service.api("POST", "/members", memberBody({ displayName: "申し送り 対象" }))).body.id;
    });
    after(async () => {
      await service?.close();
    });

    test("notes are listed newest first, each with who wrote it; the write is audited", async () => {
      const first = await service.api("POST", `/members/${memberId}/notes`, { note: "鍵はお隣の山田さんが預かっています。" });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.match(first.body.createdBy, /^token:admin:/);
      await service.api("POST", "/sandbox/clock", { advance: "PT1M" });
      const second = await service.api("POST", `/members/${memberId}/notes`, { note: "電話は夕方が出やすい。\n耳が遠いのでゆっくり話す。" });
      assert.equal(second.status, 201);
      const listed = await service.api("GET", `/members/${memberId}/notes`);
      assert.deepEqual(listed.body.notes.map((n: { note: string }) => n.note),
        ["電話は夕方が出やすい。\n耳が遠いのでゆっくり話す。", "鍵はお隣の山田さんが預かっています。"]);
      const log = await service.api("GET", `/audit-log?memberId=${memberId}&action=member.note`);
      assert.equal(log.body.entries.filter((e: { action: string }) => e.action === "member.note").length, 2);
    });

    test("bad input is a 400 naming the field and writes nothing; an unknown member is a 404", async () => {
      const before = (await service.api("GET", `/members/${memberId}/notes`)).body.notes.length;
      for (const body of [{}, { note: "" }, { note: "   " }, { note: "a\u0000b" }, { note: "x".repeat(2001) }, { note: "ok", extra: 1 }]) {
        const r = await service.api("POST", `/members/${memberId}/notes`, body);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.ok(["note", "extra", undefined].includes(r.body.error.field), JSON.stringify(r.body));
      }
      assert.equal((await service.api("GET", `/members/${memberId}/notes`)).body.notes.length, before);
      assert.equal((await service.api("POST", "/members/00000000-0000-7000-8000-000000000000/notes", { note: "誰?" })).status, 404);
      assert.equal((await service.api("GET", "/members/00000000-0000-7000-8000-000000000000/notes")).status, 404);
    });

    test("an observer sees notes redacted and cannot write; team staff of another team are refused", async () => {
      const observer = (await service.api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token;
      const seen = await service.api("GET", `/members/${memberId}/notes`, undefined, observer);
      assert.equal(seen.status, 200);
      assert.ok(seen.body.notes.every((n: { note: string; createdBy: string }) => n.note === "***" && n.createdBy === "token:***"));
      assert.equal((await service.api("POST", `/members/${memberId}/notes`, { note: "x" }, observer)).status, 403);
      const north = (await service.api("POST", "/teams", { name: "北" })).body.id;
      const staff = await invitedPerson(service.api, service.url, { displayName: "北 職員", loginId: "kita", role: "staff", teamIds: [north] });
      const refused = await staff.client.call("POST", `/members/${memberId}/notes`, { note: "見ていないのに" });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, "not_in_team");
    });

    test("a member's notes go with the member", async () => {
      const id = (await service.api("POST", "/members", memberBody({ displayName: "削除 予定" }))).body.id;
      assert.equal((await service.api("POST", `/members/${id}/notes`, { note: "消える" })).status, 201);
      assert.equal((await service.api("DELETE", `/members/${id}`)).status, 204);
      assert.equal((await service.api("GET", `/members/${id}/notes`)).status, 404);
      const left = await service.store.db.selectFrom("member_notes").select("id").where("member_id", "=", id).execute();
      assert.deepEqual(left, []);
    });
  });
}
