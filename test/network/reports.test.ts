/**
 * Partner reports taken in (src/network/engine/reports.ts): validation naming each
 * field, matching by registration number and by normalised address (only an
 * unambiguous match links a member), idempotency against a double submit, and
 * tenancy (another organisation's partner and members are never reached).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sql } from "kysely";
import { newId } from "../../src/ids.ts";
import { addressParts, kanjiNumber, normaliseAddress, sameAddress, validateReport } from "../../src/network/domain/reports.ts";
import { matchMember, PartnerUnavailable, ReportRefused, submitReport } from "../../src/network/engine/reports.ts";
import type { Db } from "../../src/store/db.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const NOW = new Date("2027-01-04T01:00:00Z");

test("addresses as people write them normalise to one form", () => {
  const same = ["東京都大田区本町二丁目3番地4号", "東京都大田区本町２－３－４", "東京都 大田区 本町2丁目3-4", "〒144-0001 東京都大田区本町2-3-4", "東京都大田区本町2ー3ー4", "東京都大田区本町二丁目三番四号"];
  for (const a of same) assert.equal(normaliseAddress(a), "東京都大田区本町2-3-4", a);
  assert.equal(normaliseAddress("大田区本町2-3-4 コーポ山田101"), normaliseAddress("大田区本町二丁目3番4号コーポ山田101"));
  assert.notEqual(normaliseAddress("大田区本町2-3-4"), normaliseAddress("大田区本町2-3-5"));
  assert.equal(normaliseAddress("大田区本町2の3の4"), "大田区本町2-3-4");
  assert.deepEqual(addressParts(normaliseAddress("〒144-0001 東京都大田区本町2-3-4")), { prefecture: "東京都", rest: "大田区本町2-3-4" });
  assert.deepEqual(addressParts(normaliseAddress("大田区本町2-3-4")), { prefecture: null, rest: "大田区本町2-3-4" });
  assert.equal(addressParts("和歌山県和歌山市一番丁1").prefecture, "和歌山県");
  assert.equal(addressParts("京都府京都市").prefecture, "京都府", "京都府, not 京都 + 府…");
  assert.equal(addressParts("府中市宮西町1").prefecture, null);
  assert.equal(kanjiNumber("二十三"), 23);
  assert.equal(kanjiNumber("百五"), 105);
  assert.equal(kanjiNumber("一〇五"), 105);
});

test("a prefecture written on one side only is no difference; two different prefectures are", () => {
  assert.equal(sameAddress("大田区本町二丁目3番4号", "東京都大田区本町2-3-4"), true);
  assert.equal(sameAddress("東京都大田区本町2-3-4", "大田区本町２－３－４"), true);
  assert.equal(sameAddress("東京都大田区本町2-3-4", "東京都大田区本町2-3-4"), true);
  assert.equal(sameAddress("東京都府中市宮西町1-1", "広島県府中市宮西町1-1"), false);
  assert.equal(sameAddress("府中市宮西町1-1", "広島県府中市宮西町1-2"), false);
  assert.equal(sameAddress("本町2-3-4", "東京都大田区本町2-3-4"), false, "a missing ward is still a difference");
});

test("a report is refused naming each field at fault; where it is must be said", () => {
  const bad = validateReport({ serviceCode: "nope", urgency: "now", signs: ["smell", "x"], lat: "91" }, NOW);
  assert.equal(bad.ok, false);
  const fields = !bad.ok ? bad.errors.map((e) => e.field).sort() : [];
  assert.deepEqual(fields, ["lat", "serviceCode", "signs", "urgency"]);
  const nowhere = validateReport({ serviceCode: "concern", urgency: "watch" }, NOW);
  assert.deepEqual(!nowhere.ok && nowhere.errors.map((e) => e.field), ["where"]);
  const future = validateReport({ serviceCode: "concern", urgency: "watch", address: "x町1-1", requestedAt: "2027-01-04T02:00:00Z" }, NOW);
  assert.deepEqual(!future.ok && future.errors.map((e) => e.field), ["requestedAt"]);
  const good = validateReport({ serviceCode: "concern", urgency: "consult", signs: ["smell", "post_piling_up"], registrationNumber: "０１２-３４５" }, NOW);
  assert.ok(good.ok);
  assert.deepEqual(good.ok && good.report.signs, ["post_piling_up", "smell"], "catalogue order");
  assert.equal(good.ok && good.report.registrationNumber, "012345");
});

test("the reporter's phone is read as every phone: stored in E.164, full-width accepted, a non-number refused naming the field", () => {
  const report = (reporterPhone: string) => validateReport({ serviceCode: "concern", urgency: "watch", address: "x町1-1", reporterPhone }, NOW);
  for (const [typed, e164] of [["０９０－１２３４－５６７８", "+819012345678"], ["078-111-2222", "+81781112222"], ["+1 202 555 0123", "+12025550123"]]) {
    const r = report(typed!);
    assert.equal(r.ok && r.report.reporterPhone, e164, typed);
  }
  for (const bad of ["+1 555", "090-1234-567", "03-1234-5678 内線12"]) {
    const r = report(bad);
    assert.deepEqual(!r.ok && r.errors.map((e) => [e.field, e.code]), [["reporterPhone", "invalid"]], bad);
    assert.match(!r.ok ? r.errors[0]!.message : "", /090-1234-5678/);
  }
  const none = report("  ");
  assert.equal(none.ok && none.report.reporterPhone, null, "left empty: no phone");
});

async function org(db: Db) {
  const [id, team] = [newId(), newId()];
  await sql`insert into organisations (id, name, created_at) values (${id}, 'o', now())`.execute(db);
  await sql`insert into teams (id, organisation_id, name, created_at) values (${team}, ${id}, 't', now())`.execute(db);
  const member = async (address: string | null) => {
    const m = newId();
    await sql`insert into members (id, organisation_id, team_id, display_name, personal, channels, plan, created_at, updated_at)
              values (${m}, ${id}, ${team}, '山田', ${JSON.stringify(address ? { address } : {})}, '[]', '{}', now(), now())`.execute(db);
    return m;
  };
  const partner = newId();
  await db.insertInto("network_partners").values({
    id: partner, organisation_id: id, name: "朝日新聞 本町販売所", kind: "home_visit", short_code: `T${newId().slice(0, 7)}`, created_at: NOW, updated_at: NOW,
  }).execute();
  return { id, member, partner };
}

for (const kind of databaseKinds()) {
  describe(`partner reports on ${kind}`, () => {
    test("matching: the number first, then one member at the normalised address; two at one address match none", async () => {
      const store = await freshStore(kind);
      try {
        const db = store.db;
        const a = await org(db);
        const b = await org(db);
        const alone = await a.member("東京都大田区本町二丁目3番地4号");
        await a.member("東京都大田区本町5-6-7");
        await a.member("東京都大田区本町5丁目6番7号");
        const numbered = await a.member(null);
        await b.member("東京都大田区本町8-8-8");
        await db.insertInto("network_registration_numbers").values({ id: newId(), organisation_id: a.id, member_id: numbered, number: "012345", kind: "keyholder", issued_at: NOW, issued_by: "t" }).execute();
        assert.deepEqual(await matchMember(db, a.id, { registrationNumber: "012345", address: "東京都大田区本町2-3-4" }), { memberId: numbered, match: "number" });
        assert.deepEqual(await matchMember(db, a.id, { registrationNumber: "999999", address: "東京都大田区本町２－３－４" }), { memberId: alone, match: "address" });
        assert.deepEqual(await matchMember(db, a.id, { registrationNumber: null, address: "東京都大田区本町五丁目6-7" }), { memberId: null, match: "none" });
        // A shop writes the address without the prefecture; the member's record has it (and the other way round).
        assert.deepEqual(await matchMember(db, a.id, { registrationNumber: null, address: "大田区本町2丁目3番4号" }), { memberId: alone, match: "address" });
        const noPrefecture = await a.member("大田区南蒲田1-1-1");
        assert.deepEqual(await matchMember(db, a.id, { registrationNumber: null, address: "東京都大田区南蒲田一丁目1番1号" }), { memberId: noPrefecture, match: "address" });
        assert.deepEqual(await matchMember(db, a.id, { registrationNumber: null, address: "神奈川県大田区本町2-3-4" }), { memberId: null, match: "none" }, "another prefecture");
        // Two members at one address once the prefecture is set aside: none, staff decide.
        const hiroshima = await a.member("広島県府中市宮西町1-1");
        await a.member("東京都府中市宮西町1-1");
        assert.deepEqual(await matchMember(db, a.id, { registrationNumber: null, address: "府中市宮西町1-1" }), { memberId: null, match: "none" });
        assert.deepEqual(await matchMember(db, a.id, { registrationNumber: null, address: "広島県府中市宮西町1-1" }), { memberId: hiroshima, match: "address" }, "the prefecture decides");
        assert.deepEqual(await matchMember(db, a.id, { registrationNumber: null, address: "東京都大田区本町8-8-8" }), { memberId: null, match: "none" }, "another organisation's member");
        assert.deepEqual(await matchMember(db, b.id, { registrationNumber: "012345", address: null }), { memberId: null, match: "none" });
      } finally {
        await store.dispose();
      }
    });

    test("a report is stored open with its checklist; a double submit returns the first; bad input and another organisation's partner change nothing", async () => {
      const store = await freshStore(kind);
      try {
        const db = store.db;
        const a = await org(db);
        const b = await org(db);
        const member = await a.member("大田区本町1-2-3");
        const raw = { serviceCode: "concern", urgency: "watch", signs: ["post_piling_up"], address: "大田区本町一丁目2番3号", description: "新聞が3日分", idempotencyKey: "k1" };
        const first = await submitReport(db, a.id, a.partner, raw, NOW);
        assert.equal(first.created, true);
        assert.equal(first.report.member_id, member);
        assert.equal(first.report.match, "address");
        assert.equal(first.report.status, "open");
        assert.equal(first.report.incident_id, null, "見守り waits for triage: no concern raised");
        assert.deepEqual(first.report.attributes, { urgency: "watch", signs: ["post_piling_up"] });
        const again = await submitReport(db, a.id, a.partner, { ...raw, description: "changed" }, new Date(NOW.getTime() + 1000));
        assert.equal(again.created, false);
        assert.equal(again.report.id, first.report.id);
        assert.equal(again.report.description, "新聞が3日分");
        await assert.rejects(submitReport(db, a.id, a.partner, { ...raw, urgency: "soon", idempotencyKey: "k2" }, NOW), (e: unknown) => e instanceof ReportRefused && e.errors[0]!.field === "urgency");
        await assert.rejects(submitReport(db, b.id, a.partner, { ...raw, idempotencyKey: "k3" }, NOW), PartnerUnavailable);
        const count = await db.selectFrom("network_reports").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
        assert.equal(Number(count.n), 1);
        // Without a key, two submits are two reports.
        await submitReport(db, a.id, a.partner, { ...raw, idempotencyKey: undefined }, NOW);
        await submitReport(db, a.id, a.partner, { ...raw, idempotencyKey: undefined }, NOW);
        const after = await db.selectFrom("network_reports").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
        assert.equal(Number(after.n), 3);
      } finally {
        await store.dispose();
      }
    });
  });
}
