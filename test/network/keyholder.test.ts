/**
 * Registration numbers and the keyholder lookup through the API, on every
 * database: issue, list, withdraw; a number unique while in use; the lookup
 * shows the name, medical notes and contacts only, is in the audit log with
 * who, for whom, who was calling and why (a miss too), and can tell the team.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`registration numbers and the keyholder lookup on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    const newMember = async () => {
      const r = await service.api("POST", "/members", memberBody({
        medicalNotes: "糖尿病。インスリン使用", address: "東京都大田区1-2-3", birthDate: "1940-02-03",
        contacts: [
          { displayName: "山田一郎", relation: "son", channels: [{ kind: "sms", address: "+819012345678" }] },
          { displayName: "佐藤さん", relation: "neighbour", channels: [{ kind: "sandbox", address: "sato" }] },
        ],
      }));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };

    test("issue, list, withdraw; a number in use is unique in the organisation; bad numbers are refused naming the field", async () => {
      const member = await newMember();
      const other = await newMember();
      const issued = await service.api("POST", `/members/${member.id}/registration-numbers`, { registrationNumber: "１２３-４５６", kind: "keyholder" });
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      assert.equal(issued.body.registrationNumber, "123456");
      const taken = await service.api("POST", `/members/${other.id}/registration-numbers`, { registrationNumber: "123456" });
      assert.equal(taken.status, 409);
      assert.deepEqual([taken.body.error.code, taken.body.error.field], ["registration_number_taken", "registrationNumber"]);
      const bad = await service.api("POST", `/members/${other.id}/registration-numbers`, { registrationNumber: "12" });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, "registrationNumber");

      const withdrawn = await service.api("DELETE", `/network/registration-numbers/${issued.body.id}`);
      assert.equal(withdrawn.status, 200, JSON.stringify(withdrawn.body));
      assert.ok(withdrawn.body.withdrawnAt);
      assert.equal((await service.api("DELETE", `/network/registration-numbers/${issued.body.id}`)).body.error.code, "registration_number_withdrawn");
      // Withdrawn, the number can go to someone else; the old row stays on the first member's list.
      assert.equal((await service.api("POST", `/members/${other.id}/registration-numbers`, { registrationNumber: "123456", kind: "sticker" })).status, 201);
      const list = await service.api("GET", `/members/${member.id}/registration-numbers`);
      assert.equal(list.status, 200);
      assert.deepEqual(list.body.registrationNumbers.map((n: { registrationNumber: string; withdrawnAt: string | null }) => [n.registrationNumber, !!n.withdrawnAt]),
        [["123456", true]]);
      const observer = (await service.api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token;
      const seen = await service.api("GET", `/members/${other.id}/registration-numbers`, undefined, observer);
      assert.equal(seen.body.registrationNumbers[0].registrationNumber, "***", "a number names a person: observers see it redacted");
      assert.equal((await service.api("POST", `/members/${other.id}/registration-numbers`, { registrationNumber: "999999" }, observer)).status, 403);
    });

    test("the lookup shows what the caller needs, is audited with its reason, and can tell the team", async () => {
      const member = await newMember();
      await service.api("POST", `/members/${member.id}/registration-numbers`, { registrationNumber: "OT-7788" });
      const sb = sandbox(service.api);
      await sb.delivered();
      const body = {
        registrationNumber: "ot7788", caller: { kind: "police", name: "田中巡査", organisation: "蒲田警察署", phone: "03-1234-5678" },
        reason: "路上で保護。帰宅先の確認", tellTeam: true,
      };
      const before = (await service.api("GET", "/sandbox/clock")).body.now as string;
      const found = await service.api("POST", "/network/registration-numbers/lookup", body);
      assert.equal(found.status, 200, JSON.stringify(found.body));
      const after = (await service.api("GET", "/sandbox/clock")).body.now as string;
      // The service's (sandbox) clock, weeks away from this machine's: when the lookup was recorded.
      assert.ok(Date.parse(before) <= Date.parse(found.body.lookedUpAt) && Date.parse(found.body.lookedUpAt) <= Date.parse(after), `${before} ≤ ${found.body.lookedUpAt} ≤ ${after}`);
      assert.equal(found.body.member.id, member.id);
      assert.equal(found.body.member.medicalNotes, "糖尿病。インスリン使用");
      assert.deepEqual(found.body.contacts, [
        { displayName: "山田一郎", relation: "son", phone: "+819012345678" },
        { displayName: "佐藤さん", relation: "neighbour", phone: null },
      ]);
      assert.equal(JSON.stringify(found.body).includes("大田区"), false, "no address");
      assert.equal(JSON.stringify(found.body).includes("1940"), false, "no birth date");

      const log = (await service.api("GET", "/audit-log?action=keyholder.lookup")).body.entries;
      const entry = log.find((e: { subject: { id: string } }) => e.subject.id === member.id);
      assert.ok(entry, JSON.stringify(log));
      assert.equal(entry.detail.reason, "路上で保護。帰宅先の確認");
      assert.equal(entry.detail.caller.kind, "police");
      assert.equal(entry.detail.caller.organisation, "蒲田警察署");
      assert.ok(entry.actor && entry.at);

      await sb.advance("PT1M");
      const notices = (await sb.delivered()).filter((m) => m.kind === "team_notice" && m.payload.memberId === member.id);
      assert.equal(notices.length, 1);
      assert.match(notices[0].text, /警察（蒲田警察署）から.*照会/);
      assert.equal(notices[0].text.includes("090"), false, "the notice names no contact's number");

      const miss = await service.api("POST", "/network/registration-numbers/lookup", { ...body, registrationNumber: "NOPE0000" });
      assert.equal(miss.status, 404);
      assert.equal(miss.body.error.field, "registrationNumber");
      const misses = (await service.api("GET", "/audit-log?action=keyholder.lookup_miss")).body.entries;
      assert.ok(misses.some((e: { detail: { registrationNumber: string } }) => e.detail.registrationNumber === "NOPE0000"));
      const noReason = await service.api("POST", "/network/registration-numbers/lookup", { ...body, reason: "" });
      assert.equal(noReason.status, 400);
      assert.equal(noReason.body.error.field, "reason");
    });
  });
}
