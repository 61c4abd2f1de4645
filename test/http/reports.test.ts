/**
 * The monthly report against a scripted month, through the API in sandbox mode on
 * every database: members who answer every day, one who asks to be contacted, one
 * who stays silent two days running and is visited, one paused all month. Each
 * figure is checked against what the script did; then the roles (team staff see
 * their teams, a watcher none) and bad ranges.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson, type PersonClient } from "../support/people.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";

const MINUTE = 60_000;
/** 09:05 in Tokyo on 2027-01-`day` (or of another month), as UTC ISO. */
const jst = (date: string, time: string) => new Date(`${date}T${time}:00+09:00`).toISOString();
const january = (day: number) => `2027-01-${String(day).padStart(2, "0")}`;

for (const kind of databaseKinds()) {
  describe(`the monthly report on ${kind}`, () => {
    let service: TestService;
    let report: any;
    let teams: { main: string; north: string };
    let northStaff: PersonClient;
    let watcher: Awaited<ReturnType<typeof invitedPerson>>;

    before(async () => {
      service = await startTestService(kind, { MIMAMORI_SANDBOX_START: "2026-12-31T10:00:00Z" });
      const { api } = service;
      const sb = sandbox(api);
      await sb.clockTo(jst("2026-12-31", "20:00"));
      const north = await api("POST", "/teams", { name: "北地区" });
      assert.equal(north.status, 201, JSON.stringify(north.body));
      const created = async (displayName: string, teamId?: string) => {
        const r = await api("POST", "/members", memberBody({ displayName, contacts: [memberBody().contacts[0]], ...(teamId ? { teamId } : {}) }));
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body as { id: string; teamId: string };
      };
      const a = await created("青木");
      const b = await created("井上");
      const c = await created("千葉", north.body.id);
      const d = await created("土屋", north.body.id);
      teams = { main: a.teamId, north: north.body.id };
      assert.equal((await api("POST", `/members/${d.id}/pause`, { reason: "hospital" })).status, 200);
      watcher = await invitedPerson(api, service.url, { displayName: "民生委員 田中", loginId: "tanaka", role: "watcher" });
      northStaff = (await invitedPerson(api, service.url, { displayName: "職員 北", loginId: "kita", role: "staff", teamIds: [teams.north] })).client;

      const incidentOf = async (memberId: string) => {
        const r = await api("GET", `/incidents?status=unresolved&memberId=${memberId}`);
        assert.equal(r.body.incidents.length, 1, JSON.stringify(r.body));
        return r.body.incidents[0] as { id: string; kind: string };
      };

      for (let day = 1; day <= 31; day++) {
        await sb.clockTo(jst(january(day), "09:05"));
        await sb.reply(a.id, "ok");
        if (day === 10) {
          // 井上 asks to be contacted; staff take it on after 30 minutes and settle it by phone two hours after.
          await sb.reply(b.id, "need_contact");
          const incident = await incidentOf(b.id);
          await sb.clockTo(jst(january(day), "09:35"));
          assert.equal((await api("POST", `/incidents/${incident.id}/ack`, {})).status, 200);
          await sb.clockTo(jst(january(day), "11:05"));
          const resolved = await api("POST", `/incidents/${incident.id}/resolve`, { outcome: "reached_by_phone" });
          assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
        } else {
          await sb.reply(b.id, "ok");
        }
        if (day === 16) {
          // 千葉 answered neither the 15th's check-in nor its re-send: the incident opens at 12:00 (+27 h).
          await sb.clockTo(jst(january(day), "12:01"));
          const incident = await incidentOf(c.id);
          assert.equal(incident.kind, "no_answer");
          await sb.clockTo(jst(january(day), "12:30"));
          const visit = await api("POST", `/incidents/${incident.id}/visits`, { watcherIds: [watcher.id], dueInMinutes: 120 });
          assert.equal(visit.status, 201, JSON.stringify(visit.body));
          assert.equal((await watcher.client.call("POST", `/visits/${visit.body.id}/accept`)).status, 200);
          await sb.clockTo(jst(january(day), "13:00"));
          const met = await watcher.client.call("POST", `/visits/${visit.body.id}/outcome`, { outcome: "met_fine" });
          assert.equal(met.status, 200, JSON.stringify(met.body));
        } else if (day !== 15) {
          await sb.reply(c.id, "ok");
        }
        if (day === 20) {
          // A disaster drill to everyone (the paused 土屋 too: a disaster is no time to skip anyone): 青木 answers 無事
          // (evidence of life: one more 元気です), the others not yet.
          const drill = await api("POST", "/broadcasts", { audience: { kind: "all" }, text: "避難訓練です。無事ですか？", question: true });
          assert.equal(drill.status, 201, JSON.stringify(drill.body));
          assert.equal((await api("POST", `/broadcasts/${drill.body.id}/answers`, { memberId: a.id, answer: "safe" })).status, 201);
        }
      }
      await sb.clockTo(jst("2027-02-01", "09:05"));
      for (const m of [a, b, c]) await sb.reply(m.id, "ok");
      await sb.clockTo(jst("2027-02-01", "10:00"));

      const r = await api("GET", "/reports/monthly?from=2027-01&to=2027-02");
      assert.equal(r.status, 200, JSON.stringify(r.body));
      report = r.body;
    });
    after(async () => {
      await service?.close();
    });

    const figures = (month: string, teamId: string) =>
      report.months.find((m: { month: string }) => m.month === month).teams.find((t: { teamId: string }) => t.teamId === teamId).figures;

    test("January, main team: every answer counted, one request to be contacted, settled by phone", () => {
      assert.equal(report.timeZone, "Asia/Tokyo");
      assert.deepEqual(report.months.map((m: { month: string }) => m.month), ["2027-01", "2027-02"]);
      const f = figures("2027-01", teams.main);
      assert.equal(f.members, 2);
      assert.equal(f.fine, 31 + 30 + 1, "青木 every day, 井上 every day but the 10th, and 青木's 無事 to the drill");
      assert.equal(f.contactRequested, 1);
      assert.equal(f.silentTwice, 0);
      assert.equal(f.confirmedByVisit, 0);
      assert.equal(f.checkinsAsked, 62);
      assert.equal(f.checkinsAnswered, 62);
      assert.equal(f.responseRate, 1);
      assert.equal(f.incidentsOpened, 1);
      assert.deepEqual(f.resolvedByOutcome, { reached_by_phone: 1 });
      assert.equal(f.medianAcknowledgeMs, 30 * MINUTE);
      assert.equal(f.medianResolveMs, 120 * MINUTE);
    });

    test("January, north team: two silent days make one ２日続けて応答なし, settled by a visit; the paused member is not asked", () => {
      const f = figures("2027-01", teams.north);
      assert.equal(f.members, 1, "土屋 was paused all month");
      assert.equal(f.fine, 29);
      assert.equal(f.contactRequested, 0);
      assert.equal(f.silentTwice, 1);
      assert.equal(f.confirmedByVisit, 1);
      assert.equal(f.incidentsOpened, 1);
      assert.deepEqual(f.resolvedByOutcome, { visited_fine: 1 });
      assert.equal(f.checkinsAsked, 31);
      assert.equal(f.checkinsAnswered, 29);
      assert.equal(f.responseRate, 29 / 31);
      assert.equal(f.medianAcknowledgeMs, 30 * MINUTE, "assigning the visit took it on");
      assert.equal(f.medianResolveMs, 60 * MINUTE);
    });

    test("January's broadcast, tallied by team and listed with its answers", () => {
      const january = report.months[0];
      assert.equal(january.broadcasts.length, 1);
      const [drill] = january.broadcasts;
      assert.deepEqual([drill.text, drill.question, drill.recipients, drill.safe, drill.needHelp], ["避難訓練です。無事ですか？", true, 4, 1, 0]);
      assert.deepEqual([figures("2027-01", teams.main).broadcastRecipients, figures("2027-01", teams.main).broadcastSafe], [2, 1]);
      assert.deepEqual([figures("2027-01", teams.north).broadcastRecipients, figures("2027-01", teams.north).broadcastSafe], [2, 0]);
      assert.equal(january.total.broadcastRecipients, 4);
      assert.deepEqual(report.months[1].broadcasts, [], "February had none");
    });

    test("the organisation's row pools the teams; medians over every incident, not of the teams' medians", () => {
      const total = report.months[0].total;
      assert.equal(total.members, 3);
      assert.equal(total.fine, 91);
      assert.equal(total.contactRequested, 1);
      assert.equal(total.silentTwice, 1);
      assert.equal(total.confirmedByVisit, 1);
      assert.equal(total.responseRate, 91 / 93, "check-ins: the drill's answer is not one");
      assert.deepEqual(total.resolvedByOutcome, { reached_by_phone: 1, visited_fine: 1 });
      assert.equal(total.medianResolveMs, 90 * MINUTE);
    });

    test("February: only what fell in February", () => {
      const main = figures("2027-02", teams.main);
      const north = figures("2027-02", teams.north);
      assert.deepEqual([main.fine, main.checkinsAsked, main.incidentsOpened, main.medianResolveMs], [2, 2, 0, null]);
      assert.deepEqual([north.fine, north.silentTwice, north.confirmedByVisit], [1, 0, 0]);
    });

    test("team staff read their own teams; a watcher reads none; an auditor reads every team", async () => {
      const mine = await northStaff.call("GET", "/reports/monthly?from=2027-01&to=2027-01");
      assert.equal(mine.status, 200, JSON.stringify(mine.body));
      assert.deepEqual(mine.body.months[0].teams.map((t: { teamId: string }) => t.teamId), [teams.north]);
      assert.equal(mine.body.months[0].total.fine, 29);
      assert.equal((await watcher.client.call("GET", "/reports/monthly?from=2027-01&to=2027-01")).status, 403);
      const auditor = await invitedPerson(service.api, service.url, { displayName: "監査 佐藤", loginId: "sato", role: "auditor" });
      const all = await auditor.client.call("GET", "/reports/monthly?from=2027-01&to=2027-01");
      assert.equal(all.status, 200, JSON.stringify(all.body));
      assert.deepEqual(all.body.months[0].teams.map((t: { teamId: string }) => t.teamId).sort(), [teams.main, teams.north].sort());
    });

    test("without a range: the current month of the organisation's clock and the five before it", async () => {
      const r = await service.api("GET", "/reports/monthly");
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.months.map((m: { month: string }) => m.month), ["2026-09", "2026-10", "2026-11", "2026-12", "2027-01", "2027-02"]);
      const onlyTo = await service.api("GET", "/reports/monthly?to=2027-01");
      assert.deepEqual(onlyTo.body.months.map((m: { month: string }) => m.month), ["2026-08", "2026-09", "2026-10", "2026-11", "2026-12", "2027-01"]);
      assert.equal(onlyTo.body.months[5].total.fine, 91, "the same figures whichever range they are read in");
    });

    test("the report as CSV (UTF-8 with BOM, Shift_JIS) and xlsx: a row per team and month and the total's, numbers as numbers; audited", async () => {
      const download = async (query: string) => {
        const response = await fetch(`${service.url}/api/v1/reports/monthly/export?from=2027-01&to=2027-02&${query}`, {
          headers: { authorization: `Bearer ${service.token}` },
        });
        assert.equal(response.status, 200);
        return { type: response.headers.get("content-type"), bytes: Buffer.from(await response.arrayBuffer()) };
      };
      const csv = await download("format=csv");
      assert.match(csv.type ?? "", /text\/csv; charset=utf-8/);
      assert.deepEqual([...csv.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
      const lines = csv.bytes.subarray(3).toString("utf-8").trim().split("\r\n").map((l) => l.split(","));
      assert.deepEqual(lines[0].slice(0, 7), ["月", "チーム", "利用者数", "元気です", "連絡希望", "２日続けて応答なし", "訪問による確認"]);
      assert.equal(lines.length, 1 + 2 * 3, "two months × (two teams and the total)");
      const north = lines.find((l) => l[0] === "2027-01" && l[1] === "北地区") as string[];
      assert.deepEqual(north.slice(2, 7), ["1", "29", "0", "1", "1"]);
      assert.equal(north[9], "93.5", "the response rate in percent");
      const sjis = await download("format=csv-sjis&lang=ja");
      assert.match(sjis.type ?? "", /shift_jis/);
      assert.match(iconv.decode(sjis.bytes, "cp932"), /^月,チーム,利用者数,元気です/);
      const xlsx = await download("format=xlsx&lang=en");
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.bytes as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0];
      assert.equal(sheet.name, "Monthly report");
      assert.equal(sheet.getRow(1).getCell(4).value, "Fine");
      const total = sheet.getRows(2, sheet.rowCount - 1)?.find((r) => r.getCell(1).value === "2027-01" && r.getCell(2).value === "Total");
      assert.equal(total?.getCell(4).value, 91, "a number Excel sums");
      const log = await service.api("GET", "/audit-log?action=report.export");
      assert.equal(log.body.entries.filter((e: { action: string }) => e.action === "report.export").length, 3);
      // Team staff take away their own teams' rows (a session, as the console downloads it).
      const mine = await fetch(`${service.url}/api/v1/reports/monthly/export?from=2027-01&to=2027-01`, { headers: { cookie: northStaff.cookie ?? "" } });
      assert.equal(mine.status, 200);
      const teamsInFile = (await mine.text()).replace(/^\uFEFF/, "").trim().split("\r\n").slice(1).map((l) => l.split(",")[1]);
      assert.deepEqual(teamsInFile, ["北地区", "合計"]);
    });

    test("a bad range is refused naming the field, never a 500", async () => {
      for (const [query, field] of [["from=2027-13&to=2027-13", "querystring.from"], ["from=2027-02&to=2027-01", "querystring.to"], ["from=2025-01&to=2027-01", "querystring.to"], ["from=2027-03", "querystring.to"]]) {
        const r = await service.api("GET", `/reports/monthly?${query}`);
        assert.equal(r.status, 400, `${query}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error.field, field, query);
      }
    });
  });
}
