/**
 * The anchor's triage queue and the partner statistics over HTTP, on both
 * databases: the queue's order and pages, the outcome and reopen transitions,
 * bad input refused naming the field with nothing changed, another
 * organisation's report not found, observers reading the redacted form, audit
 * entries, an emergency response joining the member's incident, and Kobe's year
 * (136 reports, 84% no action, 16% emergency responses) as figures, CSV and xlsx.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parse as parseCsv } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { triageReport } from "../../src/network/engine/triage.ts";
import { databaseKinds, startTestService, type TestService, TOKYO } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";
import { fileReport, makePartner } from "./support.ts";

const KOBE = "神戸市中央区加納町6-5-1";

for (const kind of databaseKinds()) {
  describe(`the triage queue on ${kind}`, () => {
    let service: TestService;
    let staff: string;
    let observer: string;
    let otherAdmin: string;
    let member: { id: string };
    let newspaper: string;
    let coop: string;
    const reports: Record<string, string> = {};

    before(async () => {
      service = await startTestService(kind);
      const token = async (role: string) => (await service.api("POST", "/tokens", { name: `${role} 鈴木`, role })).body.token as string;
      staff = await token("staff");
      observer = await token("observer");
      otherAdmin = (await service.api("POST", "/organisations", { name: "隣の市" })).body.adminToken;
      const created = await service.api("POST", "/members", memberBody({ fullName: "山田花子", address: KOBE, phone: "090-1111-2222" }), staff);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      member = created.body;
      newspaper = await makePartner(service, "神戸新聞 三宮販売所");
      coop = await makePartner(service, "コープこうべ 宅配");
      // Received in this order: a keep-watching note, an emergency, a request to consult, another keep-watching one.
      reports.watchOld = await fileReport(service, newspaper, {
        urgency: "watch", address: KOBE, description: "新聞が3日分たまっています", reporterName: "配達員 田中", reporterPhone: "078-111-2222",
      }, TOKYO("2027-01-04T07:00:00"));
      reports.emergency = await fileReport(service, coop, {
        urgency: "emergency", address: "神戸市灘区1-1", description: "呼んでも返事がなく、中で物音がしません", reporterName: "配達員 中村", reporterPhone: "078-333-4444",
      }, TOKYO("2027-01-04T08:00:00"));
      reports.consult = await fileReport(service, newspaper, {
        urgency: "consult", address: KOBE, description: "最近あいさつがなく元気がない", reporterName: "配達員 田中", reporterPhone: "078-111-2222",
      }, TOKYO("2027-01-04T09:00:00"));
      reports.watchNew = await fileReport(service, coop, {
        urgency: "watch", address: "神戸市東灘区2-2", description: "昼間も電気がついたまま", reporterName: null, reporterPhone: null,
      }, TOKYO("2027-01-04T10:00:00"));
    });
    after(async () => {
      await service?.close();
    });

    const get = (id: string, token?: string) => service.api("GET", `/network/reports/${id}`, undefined, token);
    const triage = (id: string, body: unknown, token = staff) => service.api("POST", `/network/reports/${id}/triage`, body, token);

    test("通報 first, then 相談, then 見守り, newest first within each; pages continue where the last ended; filters", async () => {
      const all = await service.api("GET", "/network/reports", undefined, staff);
      assert.equal(all.status, 200, JSON.stringify(all.body));
      assert.deepEqual(all.body.reports.map((r: { id: string }) => r.id), [reports.emergency, reports.consult, reports.watchNew, reports.watchOld]);
      const seen: string[] = [];
      let after = "";
      for (;;) {
        const page = await service.api("GET", `/network/reports?limit=1${after ? `&after=${after}` : ""}`, undefined, staff);
        assert.equal(page.status, 200);
        seen.push(...page.body.reports.map((r: { id: string }) => r.id));
        if (!page.body.next) break;
        after = page.body.next;
      }
      assert.deepEqual(seen, all.body.reports.map((r: { id: string }) => r.id), "one report per page, none skipped or repeated");
      const fromNewspaper = await service.api("GET", `/network/reports?partnerId=${newspaper}`, undefined, staff);
      assert.deepEqual(fromNewspaper.body.reports.map((r: { id: string }) => r.id), [reports.consult, reports.watchOld]);
      const watch = await service.api("GET", "/network/reports?urgency=watch&status=open", undefined, staff);
      assert.deepEqual(watch.body.reports.map((r: { id: string }) => r.id), [reports.watchNew, reports.watchOld]);
    });

    test("staff see who reported and the member, and the view is in the audit log; observers get the redacted form", async () => {
      const seen = await get(reports.consult, staff);
      assert.equal(seen.status, 200, JSON.stringify(seen.body));
      assert.equal(seen.body.reporter.fullName, "配達員 田中");
      assert.equal(seen.body.reporter.phone, "+81781112222", "stored and answered in E.164, as members' phones");
      assert.equal(seen.body.member.id, member.id);
      assert.equal(seen.body.member.displayName, "山田花子");
      assert.equal(seen.body.linkedBy, seen.body.match, "matched on arrival: linked as it arrived");
      assert.notEqual(seen.body.linkedBy, "none");
      assert.equal(seen.body.status, "open");
      const log = await service.api("GET", "/audit-log?action=network_report.view");
      assert.ok(log.body.entries.some((e: { subject: { id: string }; actor: string }) => e.subject.id === reports.consult && e.actor.includes("staff 鈴木")), JSON.stringify(log.body));

      const redacted = await get(reports.consult, observer);
      assert.equal(redacted.status, 200);
      assert.equal(redacted.body.reporter.fullName, "***");
      assert.equal(redacted.body.reporter.phone, "***");
      assert.equal(redacted.body.member.displayName, "***");
      assert.equal(redacted.body.address, "***");
      assert.equal(redacted.body.description, "***");
      assert.equal(redacted.body.member.id, member.id, "ids are no personal data");
      const list = await service.api("GET", "/network/reports", undefined, observer);
      const text = JSON.stringify(list.body);
      for (const secret of ["田中", "中村", "山田花子", "078-111-2222", "+81781112222", "新聞が3日分", KOBE]) assert.ok(!text.includes(secret), `observer list shows ${secret}`);
      assert.equal((await triage(reports.consult, { outcome: "no_action" }, observer)).status, 403, "observers never write");
    });

    test("bad input is refused naming the field, and nothing changes", async () => {
      const cases: [unknown, number, string, string][] = [
        [{}, 400, "invalid_request", "outcome"],
        [{ outcome: "maybe" }, 400, "invalid_request", "outcome"],
        [{ outcome: "no_action", memberId: "not-an-id" }, 400, "invalid_request", "memberId"],
        [{ outcome: "no_action", note: 5 }, 400, "invalid_request", "note"],
        [{ outcome: "no_action", extra: true }, 400, "invalid_request", "extra"],
        [{ outcome: "no_action", memberId: "0190f5c4-0000-7000-8000-000000000000" }, 422, "unknown_reference", "memberId"],
        [{ outcome: "no_action", statusNotes: "山田花子さんは入院されました" }, 422, "personal_in_status_notes", "statusNotes"],
        [{ outcome: "no_action", statusNotes: "ご家族（090-9999-8888）に連絡済みです" }, 422, "personal_in_status_notes", "statusNotes"],
        [{ outcome: "no_action", statusNotes: `${KOBE}に伺いました` }, 422, "personal_in_status_notes", "statusNotes"],
        // Any part of the member's or the reporter's name (the trial: 「佐藤さんに連絡しました」 about 佐藤太郎).
        [{ outcome: "no_action", statusNotes: "山田さんに連絡しました" }, 422, "personal_in_status_notes", "statusNotes"],
        [{ outcome: "no_action", statusNotes: "花子さんはお元気でした" }, 422, "personal_in_status_notes", "statusNotes"],
        [{ outcome: "no_action", statusNotes: "田中さん、ありがとうございました" }, 422, "personal_in_status_notes", "statusNotes"],
      ];
      for (const [body, status, code, field] of cases) {
        const refused = await triage(reports.consult, body);
        assert.equal(refused.status, status, `${JSON.stringify(body)} → ${JSON.stringify(refused.body)}`);
        assert.equal(refused.body.error.code, code);
        assert.equal(refused.body.error.field, field, JSON.stringify(refused.body));
      }
      const after = await get(reports.consult);
      assert.deepEqual([after.body.status, after.body.outcome, after.body.note, after.body.statusNotes, after.body.member.id],
        ["open", null, "", null, member.id], "nothing was written");
      assert.equal((await triage("0190f5c4-0000-7000-8000-000000000000", { outcome: "no_action" })).status, 404);
    });

    test("another organisation's report is not found, for reading or deciding, and is not in its queue", async () => {
      assert.equal((await get(reports.consult, otherAdmin)).status, 404);
      const refused = await triage(reports.consult, { outcome: "no_action" }, otherAdmin);
      assert.equal(refused.status, 404);
      assert.equal((await service.api("POST", `/network/reports/${reports.consult}/reopen`, undefined, otherAdmin)).status, 404);
      const theirs = await service.api("GET", "/network/reports", undefined, otherAdmin);
      assert.deepEqual(theirs.body.reports, []);
      assert.equal((await get(reports.consult)).body.status, "open");
    });

    test("no action: closed with the default status note; deciding again needs a reopen; reopening an open one is refused", async () => {
      const done = await triage(reports.watchNew, { outcome: "no_action", note: "店長に確認: 旅行中とのこと" });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.report.status, "closed");
      assert.equal(done.body.report.outcome, "no_action");
      assert.equal(done.body.report.statusNotes, "確認しました。ご連絡ありがとうございました。", "対応不要 does not say 対応しました");
      assert.equal(done.body.report.note, "店長に確認: 旅行中とのこと");
      assert.equal(done.body.incident, null);
      const again = await triage(reports.watchNew, { outcome: "consulted" });
      assert.deepEqual([again.status, again.body.error.code], [409, "report_closed"]);
      const reopened = await service.api("POST", `/network/reports/${reports.watchNew}/reopen`, undefined, staff);
      assert.equal(reopened.status, 200, JSON.stringify(reopened.body));
      assert.deepEqual([reopened.body.status, reopened.body.outcome], ["open", null]);
      assert.equal(reopened.body.note, "店長に確認: 旅行中とのこと", "staff's notes are kept");
      const twice = await service.api("POST", `/network/reports/${reports.watchNew}/reopen`, undefined, staff);
      assert.deepEqual([twice.status, twice.body.error.code], [409, "report_open"]);
      const consulted = await triage(reports.watchNew, { outcome: "consulted", statusNotes: "担当者が確認しました。" });
      assert.equal(consulted.status, 200);
      assert.equal(consulted.body.report.statusNotes, "担当者が確認しました。");
      const log = await service.api("GET", "/audit-log?action=network_report.");
      const actions = log.body.entries.filter((e: { subject: { id: string } }) => e.subject.id === reports.watchNew).map((e: { action: string }) => e.action);
      assert.deepEqual(actions, ["network_report.triage", "network_report.reopen", "network_report.triage"], "newest first");
    });

    test("an emergency response about a member joins the member's incident once; a reopened and re-decided report raises nothing new", async () => {
      const done = await triage(reports.consult, { outcome: "emergency_response", note: "119番通報、救急搬送" });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      const incidentId = done.body.incident.id as string;
      assert.ok(incidentId);
      assert.equal(done.body.report.incidentId, incidentId);
      const incident = await service.api("GET", `/incidents/${incidentId}`, undefined, staff);
      assert.equal(incident.status, 200, JSON.stringify(incident.body));
      assert.equal(incident.body.memberId, member.id);
      assert.ok(JSON.stringify(incident.body.timeline).includes("神戸新聞 三宮販売所から相談"), "the report is on the incident's timeline, named by its partner");
      await service.api("POST", `/network/reports/${reports.consult}/reopen`, undefined, staff);
      const again = await triage(reports.consult, { outcome: "emergency_response" });
      assert.equal(again.status, 200);
      assert.equal(again.body.incident, null, "already linked: nothing raised");
      assert.equal(again.body.report.incidentId, incidentId);
      const open = await service.api("GET", `/incidents?status=unresolved&memberId=${member.id}`, undefined, staff);
      assert.equal(open.body.incidents.length, 1, "one incident for the member");
    });

    test("staff link an unmatched report to a member; the emergency response raises the member's incident", async () => {
      const other = (await service.api("POST", "/members", memberBody({ displayName: "灘の佐藤", contacts: [] }), staff)).body;
      const done = await triage(reports.emergency, { outcome: "emergency_response", memberId: other.id, statusNotes: "救急隊が対応しました。" });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.report.member.id, other.id);
      assert.equal(done.body.report.match, "none", "how it arrived stays on record");
      assert.equal(done.body.report.linkedBy, "staff", "shown as linked by staff");
      const incident = await service.api("GET", `/incidents/${done.body.incident.id}`, undefined, staff);
      assert.equal(incident.body.memberId, other.id);
      const log = await service.api("GET", `/audit-log?action=network_report.triage`);
      const entry = log.body.entries.find((e: { subject: { id: string } }) => e.subject.id === reports.emergency);
      assert.equal(entry.detail.memberId, other.id);
      assert.equal(entry.detail.incidentId, done.body.incident.id);
    });
  });

  describe(`Kobe-shaped statistics on ${kind}`, () => {
    let service: TestService;
    let partners: string[];
    before(async () => {
      service = await startTestService(kind);
      partners = [await makePartner(service, "神戸新聞 三宮販売所"), await makePartner(service, "コープこうべ 宅配"), await makePartner(service, "静かな商店")];
      // FY2022 (April 2022 to March 2023): 136 reports from two partners, 114 needed no action, 22 became emergency responses.
      const db = service.services.db;
      const organisationId = (await db.selectFrom("organisations").select("id").executeTakeFirstOrThrow()).id;
      for (let i = 0; i < 136; i++) {
        const month = 4 + (i % 12);
        const at = new Date(Date.UTC(month > 12 ? 2023 : 2022, (month - 1) % 12, 10, 1, 0, 0));
        const id = await fileReport(service, partners[i % 2], {
          urgency: i < 22 ? "emergency" : "watch", address: `神戸市中央区${i}`, description: "気づき", reporterName: null, reporterPhone: null,
        }, at.toISOString());
        const decided = await triageReport(db, { organisationId, reportId: id, outcome: i < 22 ? "emergency_response" : "no_action", note: "", actor: "test" }, at);
        assert.ok(decided.ok);
      }
      // Two more in April 2023 (the next fiscal year), one not yet decided.
      for (const day of [3, 4]) await fileReport(service, partners[0], { urgency: "consult", address: "神戸市", description: "", reporterName: null, reporterPhone: null }, `2023-04-0${day}T01:00:00Z`);
    });
    after(async () => {
      await service?.close();
    });

    test("136 reports, 114 no action, 22 emergency responses → 84% and 16%; per partner and month; a quiet partner shows zeros", async () => {
      const year = await service.api("GET", "/network/reports/statistics?from=2022-04&to=2023-03");
      assert.equal(year.status, 200, JSON.stringify(year.body));
      const { total, partners: byPartner, monthTotals } = year.body;
      assert.deepEqual([total.reports, total.noAction, total.emergencyResponse, total.consulted, total.untriaged], [136, 114, 22, 0, 0]);
      assert.deepEqual(total.shares, { noAction: 84, consulted: 0, emergencyResponse: 16 });
      assert.equal(monthTotals.length, 12);
      assert.equal(monthTotals.reduce((n: number, m: { figures: { reports: number } }) => n + m.figures.reports, 0), 136);
      assert.equal(byPartner.length, 3);
      assert.deepEqual(byPartner.map((p: { total: { reports: number } }) => p.total.reports).sort(), [0, 68, 68]);
      const quiet = byPartner.find((p: { partnerId: string }) => p.partnerId === partners[2]);
      assert.equal(quiet.total.shares, null, "nothing decided, no shares");
      const next = await service.api("GET", "/network/reports/statistics?from=2023-04&to=2023-04");
      assert.deepEqual([next.body.total.reports, next.body.total.untriaged, next.body.total.consult, next.body.total.shares], [2, 2, 2, null]);
      const backwards = await service.api("GET", "/network/reports/statistics?from=2023-03&to=2022-04");
      assert.deepEqual([backwards.status, backwards.body.error.field], [400, "querystring.to"]);
      const notAMonth = await service.api("GET", "/network/reports/statistics?from=2022-13");
      assert.deepEqual([notAMonth.status, notAMonth.body.error.field], [400, "querystring.from"]);
    });

    test("CSV (UTF-8 with BOM) and xlsx hold the same figures, read back; the export is audited", async () => {
      const csv = await fetch(`${service.url}/api/v1/network/reports/statistics/export?from=2022-04&to=2023-03&format=csv`, { headers: { authorization: `Bearer ${service.token}` } });
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get("content-type") ?? "", /text\/csv/);
      assert.equal(csv.headers.get("content-disposition"), 'attachment; filename="partner-reports-2022-04-2023-03.csv"');
      const bytes = Buffer.from(await csv.arrayBuffer());
      assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "a byte-order mark, so Excel reads UTF-8");
      const rows: string[][] = parseCsv(bytes.subarray(3).toString("utf-8"));
      assert.deepEqual(rows[0].slice(0, 3), ["月", "協力事業者", "件数"]);
      const grand = rows.at(-1) as string[];
      assert.deepEqual([grand[0], grand[1], grand[2], grand[6], grand[8], grand[10], grand[12]], ["2022-04〜2023-03", "合計", "136", "114", "22", "84", "16"]);
      assert.equal(rows.length, 1 + 12 * 4 + 4, "header, 12 months × (3 partners + total), the range's 3 partners + total");

      const xlsx = await fetch(`${service.url}/api/v1/network/reports/statistics/export?from=2022-04&to=2023-03&format=xlsx&lang=en`, { headers: { authorization: `Bearer ${service.token}` } });
      assert.equal(xlsx.status, 200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as never);
      const sheet = workbook.worksheets[0];
      assert.equal(sheet.name, "Partner reports");
      assert.equal(sheet.getRow(1).getCell(3).value, "Reports");
      const last = sheet.getRow(sheet.rowCount);
      assert.deepEqual([last.getCell(1).value, last.getCell(2).value, last.getCell(3).value, last.getCell(11).value, last.getCell(13).value],
        ["2022-04 to 2023-03", "Total", 136, 84, 16], "numbers stay numbers, so Excel sums them");
      const log = await service.api("GET", "/audit-log?action=network_statistics.export");
      assert.equal(log.body.entries.length, 2);
    });
  });
}
