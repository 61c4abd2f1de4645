/**
 * 気づき (partner reports) in Debian's Chromium, with the keyboard alone: the
 * queue puts 通報 first, then 相談, then 見守り; a report's page shows the
 * checklist's answers in Japanese and links the matched member; the outcome form
 * records 相談対応 with a note (the API then shows it closed, the reporter told
 * 対応しました。…). The statistics screen shows the shares and saves xlsx. In
 * Japanese and English, no WCAG 2.2 AA violation; screenshots saved.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import ExcelJS from "exceljs";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, screenshot, signedInPage } from "../support/console.ts";
import { databaseKinds, startTestService, type TestService, TOKYO } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";
import { CHECKLIST_SAMPLE, fileReport, makePartner } from "../network/support.ts";

const ON = databaseKinds().at(-1) as "pglite" | "postgres";

describe(`concerns in the console (${ON})`, () => {
  let service: TestService;
  let browser: Browser;
  const ids: Record<string, string> = {};
  let memberId: string;
  before(async () => {
    service = await startTestService(ON);
    browser = await launchBrowser();
    const member = await service.api("POST", "/members", memberBody({ displayName: "山田花子", address: "神戸市中央区加納町6-5-1" }));
    assert.equal(member.status, 201, JSON.stringify(member.body));
    memberId = member.body.id;
    const newspaper = await makePartner(service, "神戸新聞 三宮販売所");
    const coop = await makePartner(service, "コープこうべ 宅配");
    ids.watch = await fileReport(service, coop, {
      urgency: "watch", address: "神戸市東灘区2-2", description: "昼間も電気がついたまま", reporterName: null, reporterPhone: null,
    }, TOKYO("2027-01-04T07:00:00"));
    ids.consult = await fileReport(service, newspaper, {
      urgency: "consult", address: "神戸市中央区加納町6-5-1", description: "新聞が3日分たまっています", reporterName: "配達員 田中",
      reporterPhone: "078-111-2222", signs: CHECKLIST_SAMPLE.signs,
    }, TOKYO("2027-01-04T07:30:00"));
    ids.emergency = await fileReport(service, coop, {
      urgency: "emergency", address: "神戸市灘区1-1", description: "呼んでも返事がない", reporterName: "配達員 中村", reporterPhone: "078-333-4444",
    }, TOKYO("2027-01-04T06:00:00"));
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  test("an incident raised by a report shows the report's summary on its timeline and links to the report", async () => {
    const incidents = (await service.api("GET", "/incidents")).body.incidents as { id: string; memberId: string; timeline: Record<string, unknown>[] }[];
    const incident = incidents.find((i) => i.memberId === memberId);
    assert.ok(incident, "the matched report opened an incident");
    const opened = incident.timeline.find((e) => e.type === "opened") as { summary: string; data: { reportId: string } };
    assert.equal(opened.data.reportId, ids.consult);
    const page = await signedInPage(browser, service.url, service.token);
    await page.goto(`${service.url}/incidents`);
    await page.getByRole("heading", { level: 1, name: "対応" }).waitFor();
    await page.getByRole("button", { name: "山田花子" }).click();
    const timeline = page.locator(".timeline");
    await timeline.locator(".event-opened").getByText("協力事業者からの通報").waitFor();
    await timeline.getByText(opened.summary).waitFor();
    // No raw `partner:<uuid>`: the actor is named by kind, the summary names the partner.
    assert.doesNotMatch((await timeline.textContent()) ?? "", /partner:[0-9a-f-]{36}/);
    await assertAccessible(page, "Incident raised by a report (ja)");
    await screenshot(page, "incident-from-report-ja");
    await timeline.getByRole("link", { name: "この気づき（通報）を開く" }).click();
    await page.waitForURL(`${service.url}/concerns/${ids.consult}`);
    await page.getByText("新聞が3日分たまっています").first().waitFor();
    await page.context().close();
  });

  test("the queue, a report's page and its outcome with the keyboard alone; the statistics and their xlsx; ja and en", async () => {
    const page = await signedInPage(browser, service.url, service.token);
    await page.getByRole("link", { name: "気づき", exact: true }).press("Enter");
    await page.getByRole("heading", { level: 1, name: "気づき（協力事業者からの連絡）" }).waitFor();
    await page.locator("table.concern-queue tbody tr").first().waitFor();
    const urgencies = await page.locator("table.concern-queue tbody .urgency-badge").allTextContents();
    assert.deepEqual(urgencies, ["通報", "相談", "見守り"], "通報 first, then 相談, then 見守り");
    await assertAccessible(page, "Concerns queue (ja)");
    await screenshot(page, "concerns-ja");

    await page.getByRole("link", { name: /コープこうべ 宅配からの気づきを開く/ }).first().waitFor();
    await page.getByRole("link", { name: /神戸新聞 三宮販売所からの気づきを開く/ }).press("Enter");
    await page.getByRole("heading", { level: 2, name: /神戸新聞 三宮販売所からの気づき/ }).waitFor();
    // The checklist's answers as the service definition words them, in Japanese.
    for (const text of CHECKLIST_SAMPLE.shown) await page.locator(".checklist").getByText(text, { exact: true }).first().waitFor();
    const memberLink = page.getByRole("link", { name: "山田花子" });
    assert.equal(await memberLink.getAttribute("href"), `/members/${memberId}`);
    assert.equal((await memberLink.locator("xpath=..").textContent())?.trim(), "山田花子 （住所で照合）", "how it was matched");
    await page.getByText("配達員 田中").waitFor();
    await page.getByRole("radio", { name: "相談対応" }).press("Space");
    assert.equal(await page.getByRole("radio", { name: "相談対応" }).isChecked(), true);
    await page.getByLabel("職員のメモ（報告者には見えません）").fill("本人に電話し、ヘルパーの訪問を手配。");
    await assertAccessible(page, "Concern report (ja)");
    await screenshot(page, "concern-report-ja");
    await page.getByRole("button", { name: "記録する" }).press("Enter");
    await page.getByRole("button", { name: "対応を取り消して未対応に戻す" }).waitFor();
    const decided = (await service.api("GET", `/network/reports/${ids.consult}`)).body;
    assert.deepEqual([decided.status, decided.outcome, decided.note, decided.statusNotes],
      ["closed", "consulted", "本人に電話し、ヘルパーの訪問を手配。", "担当者が確認し、対応しました。ご連絡ありがとうございました。"]);

    await page.getByRole("link", { name: "集計", exact: true }).press("Enter");
    await page.getByRole("heading", { level: 2, name: "集計" }).waitFor();
    await page.getByTestId("statistics-headline").getByText(/3件のうち、対応不要 0%、相談対応 100%、緊急対応 0%。/).waitFor();
    await page.getByText("未対応 2件は割合に含みません。").waitFor();
    const byPartner = page.getByRole("table", { name: /協力事業者別/ });
    const newspaperRow = await byPartner.getByRole("row", { name: /神戸新聞 三宮販売所/ }).getByRole("cell").allTextContents();
    assert.deepEqual(newspaperRow.slice(0, 8), ["1", "0", "1", "0", "0", "1", "0", "0"]);
    await assertAccessible(page, "Concern statistics (ja)");
    await screenshot(page, "concern-statistics-ja");
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Excel（.xlsx）で保存" }).press("Enter")]);
    assert.match(file.suggestedFilename(), /^partner-reports-\d{4}-\d\d-\d{4}-\d\d\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await file.path());
    const sheet = workbook.worksheets[0];
    assert.equal(sheet.name, "協力事業者の気づき");
    const last = sheet.getRow(sheet.rowCount);
    assert.deepEqual([last.getCell(2).value, last.getCell(3).value, last.getCell(8).value], ["合計", 3, 1]);

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().press("Enter");
    await page.getByRole("heading", { level: 2, name: "Statistics" }).waitFor();
    await page.getByTestId("statistics-headline").getByText(/of 3 concerns, 0% needed no action, 100% a consultation/).waitFor();
    await assertAccessible(page, "Concern statistics (en)");
    await screenshot(page, "concern-statistics-en");
    await page.getByRole("link", { name: "Queue", exact: true }).press("Enter");
    await page.getByRole("heading", { level: 1, name: "Concerns (partner reports)" }).waitFor();
    await page.locator("table.concern-queue tbody tr").first().waitFor();
    await page.getByRole("link", { name: /Open the concern from コープこうべ 宅配/ }).first().press("Enter");
    await page.getByRole("heading", { level: 2, name: /Concern from コープこうべ 宅配/ }).waitFor();
    await page.getByRole("radio", { name: "No action needed" }).waitFor();
    await assertAccessible(page, "Concern report (en)");
    await screenshot(page, "concerns-en");
    await page.context().close();
  });

  test("the member field says how the member was linked (by address, by staff) and nothing redundant without one; the no-action default says 確認しました", async () => {
    const page = await signedInPage(browser, service.url, service.token);
    await page.goto(`${service.url}/concerns/${ids.emergency}`);
    const field = page.locator("dt", { hasText: /^利用者$/ }).locator("xpath=following-sibling::dd[1]");
    await field.waitFor();
    assert.equal((await field.textContent())?.trim(), "利用者との照合なし", "no （照合なし） after it");
    await page.getByRole("radio", { name: "対応不要" }).press("Space");
    await page.getByText("空欄なら「確認しました。ご連絡ありがとうございました。」と伝えます。", { exact: false }).waitFor();
    // Linked by hand (in triage) to the member.
    const linked = await service.api("POST", `/network/reports/${ids.emergency}/triage`, { outcome: "no_action", note: "", memberId });
    assert.equal(linked.status, 200, JSON.stringify(linked.body));
    assert.equal(linked.body.report.statusNotes, "確認しました。ご連絡ありがとうございました。");
    await page.reload();
    await page.getByRole("link", { name: "山田花子" }).waitFor();
    assert.equal((await field.textContent())?.trim(), "山田花子 （職員が紐づけ）");
    await assertAccessible(page, "Concern report linked by staff (ja)");
    await page.context().close();
  });
});
