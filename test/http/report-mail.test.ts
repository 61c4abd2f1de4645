/**
 * The monthly report by e-mail on every database, on the sandbox clock, through
 * a real SMTP server (test/support/smtp-server.ts): subscribing an address and a
 * person; moving past the 1st sends exactly one mail per recipient with last
 * month's figures (the same as GET /reports/monthly), the console's link and the
 * xlsx file, naming no member; after downtime over two month boundaries only the
 * latest complete month is sent, once; a removed subscription's queued mail is
 * cancelled (by the removal, and by the sender's re-check when the row vanished
 * otherwise); bad input names its field; another organisation sees nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ExcelJS from "exceljs";
import { mailMonthlyReports } from "../../src/engine/report-mail.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";
import { startSmtpServer, type TestSmtpServer } from "../support/smtp-server.ts";

const jst = (local: string) => new Date(`${local}+09:00`).toISOString();

for (const kind of databaseKinds()) {
  describe(`the monthly report by e-mail on ${kind}`, () => {
    let service: TestService;
    let smtp: TestSmtpServer;
    let sb: ReturnType<typeof sandbox>;
    let organisationName: string;
    /** SMTP lower-cases the domain of an envelope address. */
    const to = (address: string) => (m: { to: string[] }) => m.to.some((a) => a.toLowerCase() === address.toLowerCase());
    const mailsTo = (address: string) => smtp.messages.filter(to(address));
    const outboxOf = (subscriptionId: string) => service.store.db.selectFrom("outbox")
      .select(["idempotency_key", "status", "cancel_reason", "recipient_kind"]).where("recipient_id", "=", subscriptionId).orderBy("created_at").execute();

    before(async () => {
      smtp = await startSmtpServer();
      service = await startTestService(kind, { MIMAMORI_SANDBOX_START: "2027-01-04T08:00:00+09:00" });
      const configured = await service.api("PUT", "/channels/email", { host: smtp.host, port: smtp.port, secure: false, from: "mimamori@city.example.jp", fromName: "見守り" });
      assert.equal(configured.status, 200, JSON.stringify(configured.body));
      organisationName = (await service.api("GET", "/organisation")).body.name;
      sb = sandbox(service.api);
    });
    after(async () => {
      await service?.close();
      await smtp?.close();
    });

    let addressSub: string;
    let personSub: string;

    test("subscribing: an address and a person; bad input names its field and writes nothing", async () => {
      const { api } = service;
      const person = await api("POST", "/people", { displayName: "課長 森", loginId: "mori", role: "admin", email: "mori@city.example.jp" });
      assert.equal(person.status, 201, JSON.stringify(person.body));
      const noMail = await api("POST", "/people", { displayName: "職員 林", loginId: "hayashi", role: "staff" });
      assert.equal(noMail.status, 201);

      const byAddress = await api("POST", "/reports/subscriptions", { email: "Kacho@City.example.jp" });
      assert.equal(byAddress.status, 201, JSON.stringify(byAddress.body));
      assert.equal(byAddress.body.sendsTo, "Kacho@City.example.jp");
      // Subscribed on 4 January: the first mail is queued on 1 February at 08:00 in Tokyo.
      assert.equal(byAddress.body.nextSendAt, new Date(jst("2027-02-01T08:00:00")).toISOString());
      addressSub = byAddress.body.id;
      const byPerson = await api("POST", "/reports/subscriptions", { personId: person.body.person.id });
      assert.equal(byPerson.status, 201, JSON.stringify(byPerson.body));
      assert.equal(byPerson.body.sendsTo, "mori@city.example.jp");
      assert.equal(byPerson.body.personName, "課長 森");
      personSub = byPerson.body.id;

      const refused = async (body: unknown, status: number, code: string, field: string) => {
        const r = await api("POST", "/reports/subscriptions", body);
        assert.equal(r.status, status, JSON.stringify(r.body));
        assert.equal(r.body.error.code, code);
        assert.equal(r.body.error.field, field);
      };
      await refused({ email: "not-an-address" }, 400, "invalid_request", "email");
      await refused({}, 400, "invalid_request", "email");
      await refused({ email: "a@city.example.jp", personId: person.body.person.id }, 400, "invalid_request", "personId");
      await refused({ email: "kacho@city.example.jp" }, 409, "already_subscribed", "email");
      await refused({ personId: person.body.person.id }, 409, "already_subscribed", "personId");
      await refused({ personId: noMail.body.person.id }, 422, "person_without_email", "personId");
      await refused({ personId: "00000000-0000-4000-8000-000000000000" }, 422, "unknown_reference", "personId");
      const listed = await api("GET", "/reports/subscriptions");
      assert.equal(listed.status, 200);
      assert.deepEqual(listed.body.subscriptions.map((s: { id: string }) => s.id), [addressSub, personSub], "nothing half-written");
      const log = (await api("GET", "/audit-log?limit=30")).body.entries as { action: string }[];
      assert.equal(log.filter((e) => e.action === "report_subscription.add").length, 2);
      assert.ok(log.some((e) => e.action === "report_subscription.list"));
    });

    test("past the 1st: exactly one mail per recipient with January's figures, the link and the xlsx, naming no member", async () => {
      const { api } = service;
      const member = await api("POST", "/members", memberBody({ displayName: "青木 ハル", contacts: [memberBody().contacts[0]] }));
      assert.equal(member.status, 201, JSON.stringify(member.body));
      // 青木 answers "fine" on the 4th, 5th and 6th, then is paused for the rest of the month.
      for (const day of ["04", "05", "06"]) {
        await sb.clockTo(jst(`2027-01-${day}T09:05:00`));
        await sb.reply(member.body.id, "ok");
      }
      assert.equal((await api("POST", `/members/${member.body.id}/pause`, { reason: "hospital" })).status, 200);
      await sb.clockTo(jst("2027-01-31T23:00:00"));
      assert.equal(mailsTo("Kacho@City.example.jp").length + mailsTo("mori@city.example.jp").length, 0, "nothing before the 1st");

      await sb.clockTo(jst("2027-02-01T10:00:00"));
      const january = (await api("GET", "/reports/monthly?from=2027-01&to=2027-01")).body.months[0];
      assert.equal(january.total.fine, 3);
      assert.equal(january.total.members, 1);
      for (const address of ["Kacho@City.example.jp", "mori@city.example.jp"]) {
        const mail = await smtp.waitFor(to(address));
        assert.equal(mailsTo(address).length, 1, `one mail to ${address}`);
        assert.equal(mail.subject, `【見守り】${organisationName} 月次報告 2027年1月 / Monthly report, January 2027`);
        const text = mail.text ?? "";
        assert.match(text, /■ 合計 \/ Total\n {2}元気です \/ Fine: 3\n {2}連絡希望 \/ Asked to be contacted: 0\n {2}２日続けて応答なし \/ No answer twice running: 0\n {2}訪問による確認 \/ Confirmed by a visit: 0\n {2}利用者数 \/ Members: 1\n {2}応答率 \/ Response rate: 100\.0%/);
        assert.ok(text.includes(`${january.teams[0].teamName}\n  元気です / Fine: ${january.teams[0].figures.fine}`), text);
        assert.match(text, /一斉配信の回数 \/ Broadcasts: 0/);
        assert.ok(text.includes(`${service.url}/reports`), "the link to the console's Reports screen");
        assert.ok(mail.html?.includes(`${service.url}/reports`));
        assert.ok(mail.html?.includes("  元気です / Fine: 3\n"), "the HTML keeps the figures' lines as written");
        const [file] = mail.parsed.attachments;
        assert.ok(file, "the report is attached");
        assert.equal(file.filename, "monthly-report-2027-01.xlsx");
        const book = new ExcelJS.Workbook();
        await book.xlsx.load(file.content as unknown as ArrayBuffer);
        const rows = book.worksheets[0].getSheetValues().filter(Boolean) as unknown[][];
        const total = rows.find((r) => r.includes("合計"));
        assert.ok(total, JSON.stringify(rows));
        assert.equal(total[rows[0].indexOf("元気です")], 3, "the total's 元気です");
        assert.equal(total[rows[0].indexOf("利用者数")], 1, "the total's members");
        // The report names no member: not in the text, the HTML or the workbook.
        const everything = `${text}${mail.html}${JSON.stringify(rows)}`;
        assert.ok(!everything.includes("青木") && !everything.includes("山田一郎"), "no member or contact named");
      }
      assert.deepEqual((await outboxOf(addressSub)).map((r) => [r.idempotency_key, r.status, r.recipient_kind]),
        [[`monthly_report:${addressSub}:2027-01`, "sent", "report_subscription"]]);
      const listed = (await api("GET", "/reports/subscriptions")).body.subscriptions as { id: string; nextSendAt: string }[];
      assert.ok(listed.every((s) => s.nextSendAt === new Date(jst("2027-03-01T08:00:00")).toISOString()), JSON.stringify(listed));
    });

    test("after downtime over two month boundaries the latest complete month is sent once, never twice", async () => {
      const { api } = service;
      const sub = await api("POST", "/reports/subscriptions", { email: "downtime@city.example.jp" });
      assert.equal(sub.status, 201);
      assert.equal(sub.body.nextSendAt, new Date(jst("2027-03-01T08:00:00")).toISOString());
      // The service was down from 1 February until 3 April: nothing ran on 1 March or 1 April. The phase runs on its return.
      const back = new Date(jst("2027-04-03T10:00:00"));
      const only = async () => {
        const db = service.store.db;
        await db.updateTable("report_subscriptions").set({ next_send_at: new Date(jst("2027-03-01T08:00:00")) }).where("id", "=", sub.body.id).execute();
        // Only this subscription is due; the others wait for the sandbox clock.
        await db.updateTable("report_subscriptions").set({ next_send_at: new Date(jst("2027-05-01T08:00:00")) }).where("id", "<>", sub.body.id).execute();
        return mailMonthlyReports(db, back, 100, () => service.url);
      };
      assert.deepEqual(await only(), { claimed: 1, queued: 1 });
      // Again with the same deadline (a second process, a crash before the move): the key holds.
      assert.deepEqual(await only(), { claimed: 1, queued: 1 });
      assert.deepEqual(await mailMonthlyReports(service.store.db, back, 100, () => service.url), { claimed: 0, queued: 0 }, "moved on");
      assert.deepEqual((await outboxOf(sub.body.id)).map((r) => r.idempotency_key), [`monthly_report:${sub.body.id}:2027-03`]);
      const moved = (await api("GET", "/reports/subscriptions")).body.subscriptions.find((s: { id: string }) => s.id === sub.body.id);
      assert.equal(moved.nextSendAt, new Date(jst("2027-05-01T08:00:00")).toISOString());
      await sb.clockTo(back.toISOString());
      const mail = await smtp.waitFor((m) => m.to.includes("downtime@city.example.jp"));
      assert.match(mail.subject ?? "", /2027年3月 \/ Monthly report, March 2027/);
      assert.equal(mailsTo("downtime@city.example.jp").length, 1, "one mail, for March only");
    });

    test("a removed subscription's queued mail is cancelled, never sent", async () => {
      const { api, store: { db } } = service;
      const queued = async (email: string) => {
        const sub = await api("POST", "/reports/subscriptions", { email });
        assert.equal(sub.status, 201);
        // Due on 1 May at 08:00 (in the sandbox's future); the phase queues it for then, where it waits.
        await db.updateTable("report_subscriptions").set({ next_send_at: new Date(jst("2027-05-01T07:00:00")) }).where("id", "=", sub.body.id).execute();
        assert.equal((await mailMonthlyReports(db, new Date(jst("2027-05-01T08:00:00")), 100, () => service.url)).queued >= 1, true);
        assert.deepEqual((await outboxOf(sub.body.id)).map((r) => r.status), ["pending"]);
        return sub.body.id as string;
      };
      // Removed through the API: cancelled in the same transaction.
      const removed = await queued("removed@city.example.jp");
      assert.equal((await api("DELETE", `/reports/subscriptions/${removed}`)).status, 204);
      assert.deepEqual((await outboxOf(removed)).map((r) => [r.status, r.cancel_reason]), [["cancelled", "recipient_gone"]]);
      assert.equal((await api("DELETE", `/reports/subscriptions/${removed}`)).status, 404);
      // Gone without the route (its person removed, say): the sender's re-check cancels it when its turn comes.
      const vanished = await queued("vanished@city.example.jp");
      await db.deleteFrom("report_subscriptions").where("id", "=", vanished).execute();
      await sb.clockTo(jst("2027-05-01T09:00:00"));
      assert.deepEqual((await outboxOf(vanished)).map((r) => [r.status, r.cancel_reason]), [["cancelled", "recipient_gone"]]);
      assert.equal(mailsTo("removed@city.example.jp").length + mailsTo("vanished@city.example.jp").length, 0);
      const log = (await api("GET", "/audit-log?limit=30")).body.entries as { action: string }[];
      assert.ok(log.some((e) => e.action === "report_subscription.remove"));
    });

    test("another organisation never sees, removes or names the subscriptions", async () => {
      const other = await service.api("POST", "/organisations", { name: "隣の市" });
      assert.equal(other.status, 201);
      const token = other.body.adminToken as string;
      const mine = (await service.api("GET", "/reports/subscriptions")).body.subscriptions as { id: string; personId: string | null }[];
      assert.ok(mine.length >= 2);
      const theirs = await service.api("GET", "/reports/subscriptions", undefined, token);
      assert.equal(theirs.status, 200);
      assert.deepEqual(theirs.body.subscriptions, []);
      assert.equal((await service.api("DELETE", `/reports/subscriptions/${mine[0].id}`, undefined, token)).status, 404);
      const person = mine.find((s) => s.personId)?.personId;
      const named = await service.api("POST", "/reports/subscriptions", { personId: person }, token);
      assert.equal(named.status, 422);
      assert.equal(named.body.error.code, "unknown_reference");
      // The same address may subscribe in both organisations (the unique key includes the organisation).
      assert.equal((await service.api("POST", "/reports/subscriptions", { email: "kacho@city.example.jp" }, token)).status, 201);
      assert.equal((await service.api("GET", "/reports/subscriptions")).body.subscriptions.length, mine.length);
      // A staff token may not read or change them.
      const staff = await service.api("POST", "/tokens", { name: "staff-mail", role: "staff" });
      assert.equal((await service.api("GET", "/reports/subscriptions", undefined, staff.body.token)).status, 403);
    });
  });
}
