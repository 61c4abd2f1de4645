/**
 * The members list behind the console, on every database: server-side search by
 * name or by a phone number as people type it, paged; search needs a role that
 * sees personal data.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`members search on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
      for (const [name, channel] of [
        ["山田 花子", { kind: "sandbox", address: "hanako" }],
        ["山田 太郎", { kind: "sms", address: "090-1234-5678" }],
        ["佐藤 一郎", { kind: "email", address: "ichiro@example.jp" }],
        ["100%_さん", { kind: "sandbox", address: "percent" }],
      ] as const) {
        const r = await service.api("POST", "/members", memberBody({ displayName: name, channels: [channel] }));
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
    });
    after(async () => {
      await service?.close();
    });

    const names = async (query: string) =>
      ((await service.api("GET", `/members?${query}`)).body.members as { displayName: string }[]).map((m) => m.displayName).sort();

    test("by part of the name, an e-mail address, or a phone number typed the Japanese way", async () => {
      assert.deepEqual(await names(`q=${encodeURIComponent("山田")}`), ["山田 太郎", "山田 花子"]);
      assert.deepEqual(await names(`q=${encodeURIComponent("090-1234-5678")}`), ["山田 太郎"]);
      assert.deepEqual(await names("q=12345678"), ["山田 太郎"]);
      assert.deepEqual(await names("q=ICHIRO%40example"), ["佐藤 一郎"], "case-insensitive");
      assert.deepEqual(await names(`q=${encodeURIComponent("%_")}`), ["100%_さん"], "% and _ are literal");
      assert.deepEqual(await names("q=nobody"), []);
      assert.equal((await names("limit=1000")).length, 4);
    });

    test("a member whose name, furigana, number, phone or channel changed is found by the new value only", async () => {
      const created = await service.api("POST", "/members", memberBody({ displayName: "木村 花子", channels: [{ kind: "sandbox", address: "kimura-old" }] }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id as string;
      assert.deepEqual(await names("q=kimura-old"), ["木村 花子"]);
      const patched = await service.api("PATCH", `/members/${id}`, {
        displayName: "木村 春子", displayNameKana: "キムラ ハルコ", externalId: "K-777", phone: "03-1234-9876",
        channels: [{ kind: "sandbox", address: "kimura-new" }],
      });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      for (const typed of ["kimura-new", "木村 春", "むら はる", "ムラ ハル", "k-777", "03-1234-9876", "1234-98"]) {
        assert.deepEqual(await names(`q=${encodeURIComponent(typed)}`), ["木村 春子"], typed);
      }
      for (const typed of ["kimura-old", "木村 花子"]) assert.deepEqual(await names(`q=${encodeURIComponent(typed)}`), [], typed);
      assert.equal((await service.api("DELETE", `/members/${id}`)).status, 204);
      assert.deepEqual(await names("q=kimura-new"), []);
    });

    test("results page with the cursor; search needs a role that sees personal data", async () => {
      const first = await service.api("GET", `/members?q=${encodeURIComponent("山田")}&limit=1`);
      assert.equal(first.body.members.length, 1);
      assert.ok(first.body.next);
      const second = await service.api("GET", `/members?q=${encodeURIComponent("山田")}&limit=1&after=${first.body.next}`);
      assert.equal(second.body.members.length, 1);
      assert.notEqual(second.body.members[0].id, first.body.members[0].id);
      const observer = (await service.api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token;
      const refused = await service.api("GET", `/members?q=${encodeURIComponent("山田")}`, undefined, observer);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.field, "querystring.q");
      assert.equal((await service.api("GET", "/members", undefined, observer)).status, 200, "listing without a search stays open to observers");
      const tooLong = await service.api("GET", `/members?q=${"x".repeat(101)}`);
      assert.equal(tooLong.status, 400);
      assert.equal(tooLong.body.error.field, "querystring.q");
    });
  });
}
