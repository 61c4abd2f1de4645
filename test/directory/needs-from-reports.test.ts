/**
 * A need from a partner's report (issue 14), on every database: the directory
 * reads the network's report through its port (ports.ts PartnerReportOf, wired
 * in service.ts) and takes over its member and words; an unknown report, another
 * organisation's, one not linked to a member or about another member is refused
 * naming the field, and nothing is written; team staff reach their teams' only.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { newId } from "../../src/ids.ts";
import { databaseKinds, startTestService, type TestService, TOKYO } from "../support/harness.ts";
import { invitedPerson } from "../support/people.ts";
import { memberBody } from "../support/sandbox.ts";
import { fileReport, makePartner } from "../network/support.ts";

const KOBE = "神戸市中央区加納町6-5-1";
const SHOPPING = "shopping";

for (const kind of databaseKinds()) {
  describe(`needs from partner reports on ${kind}`, () => {
    let service: TestService;
    let north: string;
    let south: string;
    let member: string;
    let other: string;
    let partner: string;
    const reports: Record<string, string> = {};

    const count = async () => Number((await sql<{ n: string }>`select count(*) as n from directory_needs`.execute(service.store.db)).rows[0]?.n);
    const record = (body: Record<string, unknown>) => service.api("POST", "/directory/needs", { source: "partner_report", taxonomyCodes: [SHOPPING], ...body });

    before(async () => {
      service = await startTestService(kind);
      north = (await service.api("POST", "/teams", { name: "北地区" })).body.id;
      south = (await service.api("POST", "/teams", { name: "南地区" })).body.id;
      const created = await service.api("POST", "/members", memberBody({ teamId: north, fullName: "山田花子", address: KOBE }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      member = created.body.id;
      other = (await service.api("POST", "/members", memberBody({ teamId: north, displayName: "田中一郎", address: "神戸市灘区9-9" }))).body.id;
      partner = await makePartner(service, "コープこうべ 宅配");
      reports.described = await fileReport(service, partner, {
        urgency: "consult", address: KOBE, description: "重い荷物を運べず、買い物に困っている様子", reporterName: "配達員 中村", reporterPhone: null,
      }, TOKYO("2027-01-04T09:00:00"));
      reports.signsOnly = await fileReport(service, partner, {
        urgency: "watch", address: KOBE, description: "", reporterName: null, reporterPhone: null, signs: ["post_piling_up", "stopped_greeting"],
      }, TOKYO("2027-01-04T10:00:00"));
      reports.unlinked = await fileReport(service, partner, {
        urgency: "watch", address: "神戸市東灘区2-2", description: "昼間も電気がついたまま", reporterName: null, reporterPhone: null,
      }, TOKYO("2027-01-04T11:00:00"));
      const otherAdmin: string = (await service.api("POST", "/organisations", { name: "隣の市" })).body.adminToken;
      const otherPartner = await service.api("POST", "/network/partners", { name: "隣の市の新聞店", kind: "home_visit" }, otherAdmin);
      assert.equal(otherPartner.status, 201, JSON.stringify(otherPartner.body));
      reports.otherOrganisation = await fileReport(service, otherPartner.body.id, {
        urgency: "watch", address: KOBE, description: "隣の市の報告", reporterName: null, reporterPhone: null,
      }, TOKYO("2027-01-04T12:00:00"));
      const seen = await service.api("GET", `/network/reports/${reports.described}`);
      assert.equal(seen.body.member?.id, member, "the report matched the member by address on arrival");
    });
    after(async () => {
      await service?.close();
    });

    test("the need takes the report's member and words; staff's own words win; the signs in words when there is no description", async () => {
      const need = await record({ sourceId: reports.described });
      assert.equal(need.status, 201, JSON.stringify(need.body));
      assert.equal(need.body.memberId, member, "the member taken from the report");
      assert.equal(need.body.source, "partner_report");
      assert.equal(need.body.sourceId, reports.described);
      assert.equal(need.body.note, "重い荷物を運べず、買い物に困っている様子");
      const named = await record({ sourceId: reports.described, memberId: member, note: "  買い物代行を希望  " });
      assert.equal(named.status, 201, JSON.stringify(named.body));
      assert.equal(named.body.note, "買い物代行を希望");
      const signs = await record({ sourceId: reports.signsOnly, note: "" });
      assert.equal(signs.status, 201, JSON.stringify(signs.body));
      assert.equal(signs.body.note, "郵便物や新聞がたまっている、あいさつをしなくなった");
    });

    test("an unknown report, another organisation's, one linked to no member or about another member is refused naming the field; nothing written", async () => {
      const before = await count();
      const cases: [Record<string, unknown>, number, string, string][] = [
        [{}, 400, "invalid_request", "sourceId"],
        [{ sourceId: "not-an-id" }, 400, "invalid_request", "sourceId"],
        [{ sourceId: newId() }, 422, "unknown_reference", "sourceId"],
        [{ sourceId: reports.otherOrganisation }, 422, "unknown_reference", "sourceId"],
        [{ sourceId: reports.unlinked }, 422, "source_without_member", "sourceId"],
        [{ sourceId: reports.unlinked, memberId: member }, 422, "source_without_member", "sourceId"],
        [{ sourceId: reports.described, memberId: other }, 422, "source_member_mismatch", "memberId"],
        [{ sourceId: reports.described, taxonomyCodes: ["no.such.kind"] }, 422, "unknown_taxonomy_code", "taxonomyCodes.0"],
      ];
      for (const [body, status, code, field] of cases) {
        const r = await record(body);
        assert.deepEqual([r.status, r.body.error?.code, r.body.error?.field], [status, code, field], JSON.stringify({ body, answer: r.body }));
      }
      assert.equal(await count(), before, "nothing written");
    });

    test("team staff record needs from reports about their teams' members only", async () => {
      const southStaff = (await invitedPerson(service.api, service.url, { displayName: "職員 南", loginId: "minami-staff", role: "staff", teamIds: [south] })).client;
      const refused = await southStaff.call("POST", "/directory/needs", { source: "partner_report", sourceId: reports.described, taxonomyCodes: [SHOPPING] });
      assert.deepEqual([refused.status, refused.body.error?.code, refused.body.error?.field], [403, "not_in_team", "sourceId"]);
      const northStaff = (await invitedPerson(service.api, service.url, { displayName: "職員 北", loginId: "kita-staff", role: "staff", teamIds: [north] })).client;
      const made = await northStaff.call("POST", "/directory/needs", { source: "partner_report", sourceId: reports.described, taxonomyCodes: [SHOPPING] });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal(made.body.memberId, member);
    });
  });
}
