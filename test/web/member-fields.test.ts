/**
 * Member fields the way Japanese lists need them, on every database: furigana
 * (stored in hiragana, lists sort by it then by name), the municipality's own
 * number (unique per organisation, the same number allowed in two), a warning
 * for a likely duplicate, search by furigana, number and phone, and the list's
 * filters (state, channel, unconfirmed contacts), paged by the server.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`member fields on ${kind}`, () => {
    let service: TestService;
    const ids: Record<string, string> = {};
    before(async () => {
      service = await startTestService(kind);
      for (const [name, kana, externalId, extra] of [
        ["渡辺 一郎", "ワタナベ イチロウ", "A-003", { channels: [{ kind: "sms", address: "090-1111-2222" }] }],
        ["青木 花子", "あおき はなこ", "A-001", { birthDate: "1940-05-06" }],
        ["伊藤 次郎", "ｲﾄｳ ｼﾞﾛｳ", "Ａ－００２", { contacts: [] }],
        ["上田 三郎", undefined, undefined, { channels: [{ kind: "email", address: "ueda@example.jp" }], contacts: [] }],
      ] as const) {
        const r = await service.api("POST", "/members", memberBody({
          displayName: name, ...(kana ? { displayNameKana: kana } : {}), ...(externalId ? { externalId } : {}), ...extra,
        }));
        assert.equal(r.status, 201, JSON.stringify(r.body));
        ids[name] = r.body.id;
      }
    });
    after(async () => {
      await service?.close();
    });

    const list = async (query = "") =>
      ((await service.api("GET", `/members?limit=100${query}`)).body.members as { displayName: string }[]).map((m) => m.displayName);

    test("furigana is stored in hiragana (katakana and half-width folded) and lists sort by it, then by the name", async () => {
      const member = (await service.api("GET", `/members/${ids["伊藤 次郎"]}`)).body;
      assert.equal(member.displayNameKana, "いとう じろう");
      assert.equal(member.externalId, "A-002", "full-width digits and letters are folded");
      assert.equal((await service.api("GET", `/members/${ids["渡辺 一郎"]}`)).body.displayNameKana, "わたなべ いちろう");
      // 上田 has no furigana: sorted by the name's code points, after the hiragana.
      assert.deepEqual(await list(), ["青木 花子", "伊藤 次郎", "渡辺 一郎", "上田 三郎"]);
      const first = await service.api("GET", "/members?limit=2");
      assert.deepEqual(first.body.members.map((m: { displayName: string }) => m.displayName), ["青木 花子", "伊藤 次郎"]);
      const second = await service.api("GET", `/members?limit=2&after=${first.body.next}`);
      assert.deepEqual(second.body.members.map((m: { displayName: string }) => m.displayName), ["渡辺 一郎", "上田 三郎"]);
      const bad = await service.api("POST", "/members", memberBody({ displayName: "x", displayNameKana: "山田" }));
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, "displayNameKana");
    });

    test("the external number is unique in the organisation, and another organisation may use it", async () => {
      const taken = await service.api("POST", "/members", memberBody({ displayName: "別人", externalId: "A-001" }));
      assert.equal(taken.status, 409);
      assert.equal(taken.body.error.code, "external_id_taken");
      assert.equal(taken.body.error.field, "externalId");
      const patch = await service.api("PATCH", `/members/${ids["上田 三郎"]}`, { externalId: "A-003" });
      assert.equal(patch.status, 409);
      assert.equal((await service.api("PATCH", `/members/${ids["渡辺 一郎"]}`, { externalId: "A-003" })).status, 200, "a member keeps their own number");
      const other = (await service.api("POST", "/organisations", { name: "隣の市" })).body;
      const there = await service.api("POST", "/members", memberBody({ displayName: "青木 花子", externalId: "A-001" }), other.adminToken);
      assert.equal(there.status, 201, JSON.stringify(there.body));
      assert.equal(there.body.externalId, "A-001");
      assert.deepEqual(there.body.likelyDuplicates, [], "duplicates are looked for in the organisation only");
    });

    test("a likely duplicate (same name and birth date, or the same phone) is a warning, not a refusal", async () => {
      const twin = await service.api("POST", "/members", memberBody({ displayName: "青木花子", birthDate: "1940-05-06", contacts: [] }));
      assert.equal(twin.status, 201);
      assert.deepEqual(twin.body.likelyDuplicates, [{ memberId: ids["青木 花子"], displayName: "青木 花子", reason: "name_and_birth_date" }]);
      const samePhone = await service.api("POST", "/members", memberBody({ displayName: "渡辺 和子", phone: "09011112222", contacts: [] }));
      assert.deepEqual(samePhone.body.likelyDuplicates, [{ memberId: ids["渡辺 一郎"], displayName: "渡辺 一郎", reason: "phone" }]);
      const nobody = await service.api("POST", "/members", memberBody({ displayName: "青木 花子", birthDate: "1941-05-06", contacts: [] }));
      assert.deepEqual(nobody.body.likelyDuplicates, [], "the same name with another birth date is another person");
      for (const r of [twin, samePhone, nobody]) assert.equal((await service.api("DELETE", `/members/${r.body.id}`)).status, 204);
    });

    test("search by furigana (either kana), external number, phone or id; filters by channel, state and unconfirmed contacts", async () => {
      assert.deepEqual(await list(`&q=${encodeURIComponent("ワタナベ")}`), ["渡辺 一郎"]);
      assert.deepEqual(await list(`&q=${encodeURIComponent("あおき")}`), ["青木 花子"]);
      assert.deepEqual(await list(`&q=${encodeURIComponent("a-002")}`), ["伊藤 次郎"]);
      assert.deepEqual(await list(`&q=${encodeURIComponent("090-1111-2222")}`), ["渡辺 一郎"]);
      assert.deepEqual(await list(`&q=${ids["上田 三郎"]}`), ["上田 三郎"]);
      // Parts of a field, as typed: the index that narrows a search (migration 015) finds substrings too.
      assert.deepEqual(await list(`&q=${encodeURIComponent("タナベ")}`), ["渡辺 一郎"], "part of the furigana, in katakana");
      assert.deepEqual(await list(`&q=${encodeURIComponent("はなこ")}`), ["青木 花子"], "part of the furigana, in hiragana");
      assert.deepEqual(await list(`&q=${encodeURIComponent("ﾜﾀﾅ")}`), ["渡辺 一郎"], "half-width katakana");
      assert.deepEqual(await list(`&q=${encodeURIComponent("1111-22")}`), ["渡辺 一郎"], "part of a phone number with its dash");
      assert.deepEqual(await list(`&q=${encodeURIComponent("０９０－１１１１－２２２２")}`), ["渡辺 一郎"], "a phone number in full-width digits");
      assert.deepEqual(await list("&q=UEDA%40EXAMPLE"), ["上田 三郎"], "an e-mail address in capitals");
      assert.deepEqual(await list(`&q=${ids["上田 三郎"].toUpperCase()}`), ["上田 三郎"], "an id in capitals");
      assert.deepEqual(await list("&channel=email"), ["上田 三郎"]);
      assert.deepEqual(await list("&channel=sms"), ["渡辺 一郎"]);
      assert.deepEqual(await list("&unconfirmedContacts=true"), ["青木 花子", "渡辺 一郎"], "members with contacts not yet confirmed");
      assert.equal((await service.api("POST", `/members/${ids["伊藤 次郎"]}/pause`, { reason: "hospital" })).status, 200);
      assert.deepEqual(await list("&state=paused"), ["伊藤 次郎"]);
      assert.deepEqual(await list("&state=scheduled"), ["青木 花子", "渡辺 一郎", "上田 三郎"]);
      assert.deepEqual(await list(`&state=paused&q=${encodeURIComponent("青木")}`), []);
      const bad = await service.api("GET", "/members?state=sleeping");
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, "querystring.state");
    });

    test("an answer on the member's behalf is in the audit log with its reason", async () => {
      const r = await service.api("POST", `/members/${ids["青木 花子"]}/answers`, { answer: "ok", source: "staff", by: "鈴木", note: "電話で元気を確認" });
      assert.equal(r.status, 201);
      const log = (await service.api("GET", "/audit-log?limit=5")).body.entries as { action: string; subject: { id: string }; detail: { reason: string } }[];
      const entry = log.find((e) => e.action === "member.answer_on_behalf");
      assert.ok(entry);
      assert.equal(entry.subject.id, ids["青木 花子"]);
      assert.equal(entry.detail.reason, "電話で元気を確認");
    });
  });
}
