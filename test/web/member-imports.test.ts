/**
 * Member imports and exports through the API, on every database: CSV as Excel
 * writes it (UTF-8 with and without BOM, Shift_JIS) and xlsx; the dry run names
 * every bad row by its spreadsheet row number; the commit is all or nothing;
 * a known external number updates its member; likely duplicates are warned of;
 * exports in the same formats read back as updates, are audited, and are
 * refused to an auditor; the audit log is filtered and exported (audited too).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ExcelJS from "exceljs";
import iconv from "iconv-lite";
import { databaseKinds, startTestService, type TestService, testWallClock } from "../support/harness.ts";
import { invitedPerson } from "../support/people.ts";
import { HEADER, memberList } from "../support/member-lists.ts";
import { memberBody } from "../support/sandbox.ts";

const sjis = (text: string) => iconv.encode(text, "cp932");
const utf8 = (text: string, bom: boolean) => Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, "utf-8")]);

for (const kind of databaseKinds()) {
  describe(`member imports and exports on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    const upload = async (bytes: Uint8Array, fileName = "list.csv") => {
      const r = await service.api("POST", "/member-imports", { fileName, content: Buffer.from(bytes).toString("base64") });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    /** Follows a running check or commit until it ends (the job answers at once; the console polls the same way). */
    const settled = async (id: string) => {
      for (;;) {
        const r = await service.api("GET", `/member-imports/${id}`);
        assert.equal(r.status, 200);
        if (r.body.status !== "checking" && r.body.status !== "committing") return r.body;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const check = async (imported: { id: string; mapping: unknown }, options?: Record<string, unknown>) => {
      const r = await service.api("POST", `/member-imports/${imported.id}/check`, { mapping: imported.mapping, ...(options ? { options } : {}) });
      assert.equal(r.status, 202, JSON.stringify(r.body));
      return settled(imported.id);
    };
    const commit = async (id: string) => {
      const r = await service.api("POST", `/member-imports/${id}/commit`);
      assert.equal(r.status, 202, JSON.stringify(r.body));
      return settled(id);
    };
    const count = async () => ((await service.api("GET", "/members?limit=1000")).body.members as unknown[]).length;
    const download = async (path: string, token = service.token) => {
      const response = await fetch(`${service.url}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, type: response.headers.get("content-type"), bytes: Buffer.from(await response.arrayBuffer()) };
    };

    test("a step cut short (its process stopped) reads as interrupted, not running for ever, and can be checked again", async () => {
      const imported = await upload(utf8(memberList("K"), false));
      // What a process that stopped mid-check leaves behind: the status of a running step and a lease that ran out.
      await service.store.db.updateTable("member_imports").set({ status: "checking", lease_until: new Date(testWallClock.now().getTime() - 1000) })
        .where("id", "=", imported.id).execute();
      const seen = await service.api("GET", `/member-imports/${imported.id}`);
      assert.equal(seen.body.status, "failed");
      assert.equal(seen.body.failure, "interrupted");
      const refused = await service.api("POST", `/member-imports/${imported.id}/commit`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, "import_not_checked", "what was cut short is checked again before a commit");
      const checked = await check(imported);
      assert.equal(checked.status, "checked");
      assert.deepEqual(checked.problems, []);
      // A step whose lease is held (another process running it) is busy, as before.
      await service.store.db.updateTable("member_imports").set({ status: "checking", lease_until: new Date(testWallClock.now().getTime() + 60_000) })
        .where("id", "=", imported.id).execute();
      const busy = await service.api("POST", `/member-imports/${imported.id}/check`, { mapping: imported.mapping });
      assert.equal(busy.status, 409);
      assert.equal(busy.body.error.code, "import_busy");
      assert.equal((await service.api("GET", `/member-imports/${imported.id}`)).body.status, "checking");
    });

    test("an import left uncommitted for 7 days loses its rows (personal data) and says so; committing it is refused", async () => {
      const before = await count();
      const imported = await upload(utf8(memberList("R"), true));
      assert.equal((await check(imported)).status, "checked");
      const rowsOf = async () => (await service.store.db.selectFrom("member_imports").select("rows").where("id", "=", imported.id).executeTakeFirstOrThrow()).rows;
      assert.ok(await rowsOf());
      assert.equal((await service.api("POST", "/sandbox/clock", { advance: "P6DT23H" })).status, 200);
      assert.ok(await rowsOf(), "kept within the week");
      assert.equal((await service.api("POST", "/sandbox/clock", { advance: "PT2H" })).status, 200);
      assert.equal(await rowsOf(), null);
      const seen = (await service.api("GET", `/member-imports/${imported.id}`)).body;
      assert.deepEqual([seen.status, seen.failure, seen.preview], ["failed", "expired", []]);
      const refused = await service.api("POST", `/member-imports/${imported.id}/commit`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, "import_expired");
      assert.equal((await service.api("POST", `/member-imports/${imported.id}/check`, { mapping: imported.mapping })).body.error.code, "import_expired");
      assert.equal(await count(), before, "nothing registered");
    });

    test("a Shift_JIS list with two bad rows: the dry run names rows 5 and 12 and why; nothing is written until the fixed file commits", async () => {
      const before = await count();
      const bad = await upload(sjis(memberList("S", {
        5: "S-004,髙橋 4郎,たかはし えろう,昭和14年4月4日,03-555,東京都,",
        12: "S-011,,たかはし さろう,昭和99年2月30日,03-5555-1011,東京都,",
      })), "名簿.csv");
      assert.equal(bad.encoding, "shift_jis");
      assert.deepEqual(bad.header, HEADER.split(","));
      assert.deepEqual(bad.mapping, ["externalId", "displayName", "displayNameKana", "birthDate", "phone", "address", "team"]);
      assert.equal(bad.rowCount, 20);
      assert.equal(bad.preview[0][1], "髙橋 1郎", "CP932's 髙 decoded");
      const checked = await check(bad);
      assert.equal(checked.status, "checked");
      assert.deepEqual(checked.problems.map((p: { row: number; field: string; code: string }) => [p.row, p.field, p.code]), [
        [5, "phone", "invalid_phone"], [12, "displayName", "required"], [12, "birthDate", "invalid_date"],
      ]);
      assert.deepEqual(checked.summary, { rows: 20, create: 18, update: 0, problems: 2, warnings: 0 });
      const refused = await service.api("POST", `/member-imports/${bad.id}/commit`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, "import_has_problems");
      assert.equal(await count(), before, "nothing written");

      const fixed = await upload(sjis(memberList("S")), "名簿（修正）.csv");
      const ok = await check(fixed);
      assert.deepEqual(ok.problems, []);
      const done = await commit(fixed.id);
      assert.equal(done.status, "committed");
      assert.deepEqual(done.progress, { done: 20, total: 20 });
      assert.deepEqual(done.summary, { rows: 20, create: 20, update: 0, problems: 0, warnings: 0 });
      assert.equal(await count(), before + 20);
      const found = (await service.api("GET", `/members?q=${encodeURIComponent("S-012")}`)).body.members;
      assert.equal(found.length, 1);
      const member = (await service.api("GET", `/members/${found[0].id}`)).body;
      assert.equal(member.displayName, "髙橋 12郎");
      assert.equal(member.displayNameKana, "たかはし しろう");
      assert.equal(member.birthDate, "1947-04-12", "昭和22年 is 1947");
      assert.equal(member.phone, "+81355551012");
      assert.equal(member.address, "東京都千代田区①丁目12");
      assert.deepEqual(member.channels, [{ kind: "voice", address: "+81355551012" }], "the phone is the check-in channel by default");
      assert.deepEqual(member.plan, { every: "1d", at: "09:00", timeZone: "Asia/Tokyo" });
      const again = await service.api("POST", `/member-imports/${fixed.id}/commit`);
      assert.equal(again.body.error.code, "import_committed");
    });

    test("UTF-8 with and without a byte-order mark; a known external number updates its member; duplicates are warned of", async () => {
      const text = `${HEADER}\r\nS-001,髙橋 1郎,たかはし あろう,昭和11年4月1日,03-5555-1001,大阪府大阪市,\r\nU-1,山本 ゆき,ヤマモト ユキ,1950/3/3,090-9999-0001,,\r\n` +
        "U-2,髙橋 2郎,,1937-04-02,,,\r\n";
      for (const bom of [true, false]) {
        const imported = await upload(utf8(text, bom));
        assert.equal(imported.encoding, bom ? "utf-8-bom" : "utf-8");
        assert.equal(imported.header[0], "番号", "no byte-order mark in the first header");
      }
      const imported = await upload(utf8(text, true));
      const checked = await check(imported);
      assert.deepEqual(checked.problems, [{ row: 4, field: "channelAddress", code: "missing_channel_address" }]);
      assert.equal(checked.summary.update, 1);
      assert.deepEqual(checked.warnings.map((w: { row: number; reason: string; memberName: string }) => [w.row, w.reason, w.memberName]),
        [[4, "name_and_birth_date", "髙橋 2郎"]]);
      const withDefault = await check(imported, { channel: "sandbox" });
      assert.deepEqual(withDefault.problems.map((p: { row: number; code: string }) => [p.row, p.code]),
        [[3, "missing_channel_address"], [4, "missing_channel_address"]], "the phone is no address for the sandbox channel");
      const fixedText = text.replace("U-2,髙橋 2郎,,1937-04-02,,,", "U-2,髙橋 2郎,,1937-04-02,03-5555-1002,,");
      const fixed = await check(await upload(utf8(fixedText, false)));
      assert.deepEqual(fixed.problems, []);
      assert.deepEqual(fixed.warnings.map((w: { row: number; reason: string }) => [w.row, w.reason]), [[4, "name_and_birth_date"]]);
      const before = await count();
      assert.equal((await commit(fixed.id)).status, "committed");
      assert.equal(await count(), before + 2, "two new members; S-001 updated in place");
      const s1 = (await service.api("GET", `/members?q=S-001`)).body.members;
      assert.equal(s1.length, 1);
      assert.equal((await service.api("GET", `/members/${s1[0].id}`)).body.address, "大阪府大阪市");
      const yuki = (await service.api("GET", `/members?q=${encodeURIComponent("やまもと")}`)).body.members;
      assert.equal(yuki[0].displayNameKana, "やまもと ゆき");
    });

    test("xlsx: dates as dates, a phone that lost its leading 0, times, teams by name; an unknown team is a problem", async () => {
      const team = (await service.api("POST", "/teams", { name: "北地区" })).body;
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet("名簿");
      sheet.addRow(["利用者番号", "お名前", "フリガナ", "生年月日", "電話", "担当チーム", "確認時刻", "連絡方法", "緊急連絡先", "続柄", "緊急連絡先電話番号"]);
      sheet.addRow(["X-1", "中村 はる", "ナカムラ ハル", new Date(Date.UTC(1944, 6, 8)), 9012340001, "北地区", "8:30", "SMS", "中村 一郎", "長男", "090-1234-9999"]);
      sheet.addRow(["X-2", "小林 なつ", "", "昭和20年1月1日", "03-5555-2002", "南地区", "", "", "", "", ""]);
      const imported = await upload(Buffer.from(await workbook.xlsx.writeBuffer()), "名簿.xlsx");
      assert.equal(imported.format, "xlsx");
      assert.deepEqual(imported.mapping, [
        "externalId", "displayName", "displayNameKana", "birthDate", "phone", "team", "at", "channel", "contactName", "contactRelation", "contactPhone",
      ]);
      const checked = await check(imported);
      assert.deepEqual(checked.problems, [{ row: 3, field: "team", code: "unknown_team", value: "南地区" }]);
      const refused = await service.api("POST", `/member-imports/${imported.id}/commit`);
      assert.equal(refused.body.error.code, "import_has_problems");
      const south = (await service.api("POST", "/teams", { name: "南地区" })).body;
      const ok = await check(imported);
      assert.deepEqual(ok.problems, []);
      assert.equal((await commit(imported.id)).status, "committed");
      const one = (await service.api("GET", `/members/${(await service.api("GET", "/members?q=X-1")).body.members[0].id}`)).body;
      assert.equal(one.birthDate, "1944-07-08", "a date cell");
      assert.equal(one.phone, "+819012340001", "9012340001 is 090-1234-0001");
      assert.deepEqual(one.channels, [{ kind: "sms", address: "+819012340001" }]);
      assert.equal(one.plan.at, "08:30");
      assert.equal(one.teamId, team.id);
      assert.equal(one.displayNameKana, "なかむら はる");
      assert.deepEqual(one.contacts.map((c: { displayName: string; relation: string; channels: unknown }) => [c.displayName, c.relation, c.channels]),
        [["中村 一郎", "長男", [{ kind: "sms", address: "+819012349999" }]]]);
      const two = (await service.api("GET", `/members/${(await service.api("GET", "/members?q=X-2")).body.members[0].id}`)).body;
      assert.equal(two.birthDate, "1945-01-01");
      assert.equal(two.teamId, south.id);
    });

    test("the commit is all or nothing: a row that fails when it commits (its team deleted after the check) writes no row at all", async () => {
      const team = (await service.api("POST", "/teams", { name: "消える班" })).body;
      const lines = [HEADER];
      for (let i = 1; i <= 15; i++) lines.push(`Z-${i},佐々木 ${i},,,03-5555-3${String(i).padStart(3, "0")},,${i === 15 ? "消える班" : ""}`);
      const imported = await upload(utf8(lines.join("\n"), false));
      const checked = await check(imported);
      assert.deepEqual(checked.problems, []);
      assert.equal((await service.api("DELETE", `/teams/${team.id}`)).status, 204);
      const before = await count();
      const done = await commit(imported.id);
      assert.equal(done.status, "checked", "back to checked, with the problem");
      assert.deepEqual(done.problems, [{ row: 16, field: "team", code: "unknown_team", value: "消える班" }]);
      assert.equal(await count(), before, "rows 2–15 were not written either");
      assert.equal((await service.api("GET", "/members?q=Z-1")).body.members.length, 0);
    });

    test("exports in CSV UTF-8 with BOM, CSV Shift_JIS and xlsx read back as updates of the same members; each is audited; an auditor is refused", async () => {
      const total = await count();
      const x1 = (await service.api("GET", "/members?q=X-1")).body.members[0];
      const twoChannels = [{ kind: "sms", address: "+819012340001" }, { kind: "email", address: "x1@example.jp" }];
      assert.equal((await service.api("PATCH", `/members/${x1.id}`, { channels: twoChannels, plan: { every: "2d", at: "08:30" } })).status, 200);
      const before = (await service.api("GET", `/members/${x1.id}`)).body;
      let last = "";
      for (const format of ["csv", "csv-sjis", "xlsx"] as const) {
        const file = await download(`/members/export?format=${format}`);
        assert.equal(file.status, 200);
        if (format === "csv") assert.deepEqual([...file.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
        if (format === "csv-sjis") assert.ok(iconv.decode(file.bytes, "cp932").startsWith("番号,氏名,ふりがな"));
        if (format === "xlsx") assert.equal(file.type, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        const imported = await upload(file.bytes, `export.${format === "xlsx" ? "xlsx" : "csv"}`);
        assert.equal(imported.encoding, { csv: "utf-8-bom", "csv-sjis": "shift_jis", xlsx: "xlsx" }[format]);
        assert.equal(imported.rowCount, total);
        assert.equal(imported.mapping.filter((f: string | null) => f).length, imported.header.length, "every exported column maps back");
        const checked = await check(imported);
        assert.deepEqual(checked.problems, []);
        assert.equal(checked.summary.update + checked.summary.create, total);
        assert.equal(checked.summary.update, total, "every member has an external number: each row updates its member");
        last = imported.id;
      }
      assert.equal((await commit(last)).status, "committed");
      const after = (await service.api("GET", `/members/${x1.id}`)).body;
      assert.deepEqual(after.channels, twoChannels, "the export names the first channel; importing it back keeps the second");
      assert.equal(after.nextDueAt, before.nextDueAt, "the same plan imported back does not restart its rhythm");
      assert.equal(await count(), total);
      const log = (await service.api("GET", "/audit-log?action=member.export")).body.entries;
      assert.deepEqual(log.map((e: { detail: { format: string } }) => e.detail.format).sort(), ["csv", "csv-sjis", "xlsx"]);
      assert.ok(log.every((e: { detail: { count: number } }) => e.detail.count === total));

      const auditor = await invitedPerson(service.api, service.url, { displayName: "監査 太郎", loginId: "auditor1", role: "auditor" });
      const refused = await auditor.client.call("GET", "/members/export?format=csv");
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, "forbidden");
      assert.equal((await auditor.client.call("GET", "/audit-log?limit=5")).status, 200, "the auditor reads the audit log");
    });

    test("the audit log filters by person, action, member and date, pages, and its export is itself audited", async () => {
      const member = (await service.api("POST", "/members", memberBody({ displayName: "監査 対象", contacts: [] }))).body;
      await service.api("GET", `/members/${member.id}`);
      const about = (await service.api("GET", `/audit-log?memberId=${member.id}`)).body.entries;
      assert.deepEqual([...new Set(about.map((e: { action: string }) => e.action))].sort(), ["member.create", "member.view"]);
      assert.ok(about.every((e: { subject: { id: string } }) => e.subject.id === member.id));
      const family = (await service.api("GET", "/audit-log?action=member_import.&limit=1000")).body.entries;
      assert.ok(family.length > 0 && family.every((e: { action: string }) => e.action.startsWith("member_import.")));
      const byPerson = (await service.api("GET", `/audit-log?actor=${encodeURIComponent("監査 太郎")}`)).body.entries;
      assert.ok(byPerson.length > 0 && byPerson.every((e: { actor: string }) => e.actor.includes("監査 太郎")));
      const future = (await service.api("GET", `/audit-log?from=${encodeURIComponent("2100-01-01T00:00:00+09:00")}`)).body.entries;
      assert.deepEqual(future, []);
      const first = (await service.api("GET", "/audit-log?limit=2")).body;
      const second = (await service.api("GET", `/audit-log?limit=2&before=${first.next}`)).body;
      assert.equal(second.entries.length, 2);
      assert.ok(second.entries[0].at <= first.entries[1].at);
      assert.notEqual(second.entries[0].id, first.entries[1].id);

      const file = await download(`/audit-log/export?format=csv&memberId=${member.id}`);
      assert.equal(file.status, 200);
      const text = file.bytes.subarray(3).toString("utf-8");
      assert.match(text, /^at,actor,action,subject_kind,subject_id,detail\r\n/);
      assert.equal(text.trim().split("\r\n").length, 1 + about.length);
      const exported = (await service.api("GET", "/audit-log?action=audit_log.export")).body.entries;
      assert.equal(exported.length, 1);
      assert.equal(exported[0].detail.filter.memberId, member.id);
    });
  });
}
