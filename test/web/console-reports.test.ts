/**
 * 報告 (Reports) in the console, in Debian's Chromium: the monthly table shows
 * what the API counted from a scripted week (answers, a request to be contacted, then a pause),
 * opens on the last six months of the organisation's clock, narrows to one month,
 * in Japanese and English with no WCAG 2.2 AA violation; screenshots saved.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import ExcelJS from "exceljs";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, SCREENSHOTS, screenshot, signedInPage } from "../support/console.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { pdfPicture } from "../support/pdf-picture.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";

const ON = databaseKinds().at(-1) as "pglite" | "postgres";

describe(`reports in the console (${ON})`, () => {
  let service: TestService;
  let browser: Browser;
  before(async () => {
    service = await startTestService(ON, { MIMAMORI_SANDBOX_START: "2027-01-04T08:00:00+09:00" });
    browser = await launchBrowser();
    const sb = sandbox(service.api);
    const member = await service.api("POST", "/members", memberBody({ displayName: "青木", contacts: [] }));
    assert.equal(member.status, 201, JSON.stringify(member.body));
    for (const day of ["04", "05", "06", "07"]) {
      await sb.clockTo(new Date(`2027-01-${day}T09:05:00+09:00`).toISOString());
      await sb.reply(member.body.id, day === "07" ? "need_contact" : "ok");
    }
    // Then in hospital for the rest of the month: not asked, so not counted as silent.
    assert.equal((await service.api("POST", `/members/${member.body.id}/pause`, { reason: "hospital" })).status, 200);
    await sb.clockTo(new Date("2027-02-02T10:00:00+09:00").toISOString());
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  test("the last six months by team, January's figures as counted, one month on request; ja and en", async () => {
    const page = await signedInPage(browser, service.url, service.token);
    await page.getByRole("link", { name: "報告" }).click();
    await page.getByRole("heading", { level: 1, name: "報告（月次）" }).waitFor();
    await page.getByRole("heading", { level: 2, name: "2027年1月" }).waitFor();
    // The months' headings (the page's other sections, such as the monthly e-mail, have their own).
    const monthHeadings = () => page.locator(".report-month").getByRole("heading", { level: 2 }).allTextContents();
    assert.deepEqual(await monthHeadings(),
      ["2027年2月", "2027年1月", "2026年12月", "2026年11月", "2026年10月", "2026年9月"], "newest first, six months of the organisation's clock");
    const january = page.getByRole("region", { name: "2027年1月" });
    const row = january.getByRole("row").filter({ has: page.getByRole("rowheader") }).first();
    // チーム, 利用者数, 元気です, 連絡希望, ２日続けて応答なし, 訪問による確認, 応答率, 対応の発生, …
    const cells = await row.getByRole("cell").allTextContents();
    assert.deepEqual(cells.slice(0, 6), ["1", "3", "1", "0", "0", "100%"]);
    assert.equal(cells[6], "1", "the request to be contacted opened an incident");
    await page.getByRole("img", { name: /応答率の推移: .*2027年1月 100%/ }).waitFor();
    await assertAccessible(page, "Reports (ja)");
    await screenshot(page, "reports-ja");

    await page.getByLabel("最初の月").fill("2027-01");
    await page.getByLabel("最後の月").fill("2027-01");
    await page.getByRole("button", { name: "表示する" }).click();
    await page.getByRole("heading", { level: 2, name: "2027年2月" }).waitFor({ state: "detached" });
    await page.getByRole("heading", { level: 2, name: "2027年1月" }).waitFor();
    assert.deepEqual(await monthHeadings(), ["2027年1月"]);

    // The file holds what the screen shows: January alone, as Excel opens it.
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Excel（.xlsx）で保存" }).click()]);
    assert.equal(file.suggestedFilename(), "monthly-report-2027-01-2027-01.xlsx");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await file.path());
    const sheet = workbook.worksheets[0];
    assert.equal(sheet.name, "月次報告");
    assert.deepEqual([sheet.getRow(2).getCell(1).value, sheet.getRow(2).getCell(4).value], ["2027-01", 3]);
    await page.getByRole("status").filter({ hasText: "monthly-report-2027-01-2027-01.xlsx を保存しました。" }).waitFor();

    // On paper (or as a PDF): the organisation's name, the tables, no menu, no buttons.
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.getByRole("navigation").isVisible(), false);
    assert.equal(await page.getByRole("button", { name: "印刷・PDFで保存" }).isVisible(), false);
    await page.getByText("Mimamori", { exact: true }).and(page.locator(".print-only")).waitFor();
    await screenshot(page, "reports-print-ja");
    const pdf = await page.pdf({ format: "A4" });
    assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
    // Looked at as a reader's PDF viewer draws it (pdf.js): the organisation's name on top, the title
    // and the month drawn in ink where the file places them, no menu or buttons, a page of text and tables.
    const picture = await pdfPicture(browser, pdf);
    await writeFile(join(SCREENSHOTS, "reports-pdf-page1.png"), picture.png);
    assert.ok(picture.ink > 0.003 && picture.ink < 0.3, `a page of text and tables, neither blank nor black (ink ${picture.ink})`);
    const drawn = (text: string) => {
      const found = picture.lines.find((d) => d.text.includes(text));
      assert.ok(found, `"${text}" is on the page: ${picture.lines.map((d) => d.text).join(" | ")}`);
      assert.ok(found.ink > 0.02, `"${text}" is drawn in ink where the file places it (ink ${found.ink})`);
      return found;
    };
    assert.ok(drawn("Mimamori").y < picture.height * 0.15, "the organisation's name heads the page");
    // 10 mm at 1.5 × 72 dpi is 42 px: nothing at the sheet's edge, where printers cut.
    const edge = 10 / 25.4 * 72 * 1.5;
    for (const line of picture.lines) {
      assert.ok(line.x > edge && line.x + line.width < picture.width - edge && line.y > edge, `"${line.text}" keeps the margins`);
    }
    assert.ok(drawn("報告(月次)").y < drawn("2027年1月").y, "the title, then the month");
    assert.ok(drawn("応答率の推移").y < drawn("2027年1月のチーム別集計").y, "the trend chart, then the table by team");
    assert.equal(picture.lines.some((d) => /印刷・PDFで保存|本日の状況|ログアウト/.test(d.text)), false, "no buttons or menu on paper");
    await page.emulateMedia({ media: "screen" });

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "Monthly report" }).waitFor();
    await page.getByRole("heading", { level: 2, name: "January 2027" }).waitFor();
    await page.getByText("How each figure is counted").click();
    await page.getByText(/answered neither a check-in nor its re-send/).waitFor();
    await assertAccessible(page, "Reports (en)");
    await screenshot(page, "reports-en");
    await page.context().close();
  });
});
