/**
 * Importing and registering members in Debian's Chromium: an admin uploads a
 * Shift_JIS CSV with two bad rows, the dry run names rows 5 and 12 and why,
 * the fixed file is checked and committed; a member is registered through the
 * form (a likely duplicate is pointed out), then edited on their page; every
 * new screen in Japanese and English with no WCAG 2.2 AA violation;
 * screenshots saved. One database.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import iconv from "iconv-lite";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, screenshot, signedInPage } from "../support/console.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberList } from "../support/member-lists.ts";
import { memberBody } from "../support/sandbox.ts";

const ON = databaseKinds().at(-1) as "pglite" | "postgres";

async function chooseFile(page: Page, name: string, buffer: Buffer): Promise<void> {
  await page.locator("input[type=file]").setInputFiles({ name, mimeType: "text/csv", buffer });
}

describe(`member import and registration in the console (${ON})`, () => {
  let service: TestService;
  let browser: Browser;
  before(async () => {
    service = await startTestService(ON);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  test("a Shift_JIS list with two bad rows: the dry run names rows 5 and 12; the fixed list is committed", async () => {
    const page = await signedInPage(browser, service.url, service.token);
    await page.getByRole("link", { name: "利用者", exact: true }).click();
    await page.getByRole("link", { name: "取り込み・書き出し" }).click();
    await page.getByRole("heading", { level: 1, name: "利用者の取り込み・書き出し" }).waitFor();
    await assertAccessible(page, "Import (ja)");
    await screenshot(page, "import-ja");

    await chooseFile(page, "名簿.csv", iconv.encode(memberList("K", {
      5: "K-004,髙橋 4郎,たかはし えろう,昭和14年4月4日,03-555,東京都,",
      12: "K-011,,たかはし さろう,昭和21年4月11日,03-5555-1011,東京都,",
    }), "cp932"));
    await page.getByText("CSV（Shift_JIS）、見出しの下に20行").waitFor();
    await page.getByRole("heading", { level: 2, name: "列の対応" }).waitFor();
    // The header was read and mapped: 氏名 → 名前, ふりがな → ふりがな (the select shows the field chosen).
    assert.deepEqual(await page.locator("tbody th[scope=row]").allTextContents(), ["番号", "氏名", "ふりがな", "生年月日", "電話番号", "住所", "チーム"]);
    assert.deepEqual((await page.locator("tbody td .react-aria-SelectValue").allTextContents()).map((v) => v.trim()),
      ["番号", "名前", "ふりがな", "生年月日", "電話番号", "住所", "チーム"]);
    await assertAccessible(page, "Import mapping (ja)");
    await screenshot(page, "import-mapping-ja");
    await page.getByRole("button", { name: "確認する（まだ登録しません）" }).click();
    await page.getByRole("heading", { name: "問題のある行（2件）" }).waitFor();
    const rows = await page.locator("table.problems tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent)));
    assert.deepEqual(rows.map((r) => r.slice(0, 3)), [
      ["5", "電話番号", "電話番号が正しくありません（例: 090-1234-5678、03-1234-5678）"],
      ["12", "名前", "入力が必要です"],
    ]);
    assert.equal(await page.getByRole("button", { name: /^登録する/ }).count(), 0, "no commit while rows are bad");
    await assertAccessible(page, "Import problems (ja)");
    await screenshot(page, "import-problems-ja");

    await chooseFile(page, "名簿（修正）.csv", iconv.encode(memberList("K"), "cp932"));
    await page.getByText("選んだファイル: 名簿（修正）.csv", { exact: false }).waitFor();
    await page.getByRole("button", { name: "確認する（まだ登録しません）" }).click();
    await page.getByText("問題は見つかりませんでした。").waitFor();
    await page.getByRole("button", { name: "登録する（新規 20人・更新 0人）" }).click();
    await page.getByRole("heading", { name: "登録が終わりました：新規 20人、更新 0人。" }).waitFor();
    const members = (await service.api("GET", "/members?limit=100")).body.members as { displayName: string; externalId: string }[];
    assert.equal(members.length, 20);
    assert.deepEqual(members.slice(0, 2).map((m) => m.displayName), ["髙橋 1郎", "髙橋 2郎"], "listed by furigana");
    await screenshot(page, "import-committed-ja");

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "Import and export members" }).waitFor();
    await assertAccessible(page, "Import (en)");
    await screenshot(page, "import-en");
    await page.context().close();
  });

  test("register a member through the form (a likely duplicate is pointed out), then change their details", async () => {
    const existing = await service.api("POST", "/members", memberBody({ displayName: "佐藤 花子", birthDate: "1940-01-01", contacts: [] }));
    assert.equal(existing.status, 201);
    const page = await signedInPage(browser, service.url, service.token);
    await page.getByRole("link", { name: "利用者", exact: true }).click();
    await page.getByRole("link", { name: "利用者を登録する" }).click();
    await page.getByRole("heading", { level: 1, name: "利用者の登録" }).waitFor();
    await assertAccessible(page, "Member form (ja)");
    await screenshot(page, "member-new-ja");
    const fill = async (label: string, value: string) => page.getByLabel(label, { exact: true }).fill(value);
    await fill("名前（呼びかけに使います）", "佐藤花子");
    await fill("ふりがな", "サトウ ハナコ");
    await fill("番号（市町村の管理番号）", "K-900");
    await fill("生年月日（例: 1940-04-01）", "1940-01-01");
    await fill("電話番号", "03-5555-2222");
    await fill("同意した規約の版（例: 2027-01）", "2027-01");
    await fill("同意した日", "2027-01-04");
    await page.getByRole("button", { name: "登録する", exact: true }).click();
    await page.getByText("同じ人がすでに登録されているかもしれません。確認してください：").waitFor();
    await page.getByRole("link", { name: "佐藤 花子" }).waitFor();
    await assertAccessible(page, "Member registered with a likely duplicate (ja)");
    await screenshot(page, "member-duplicate-ja");
    await page.getByRole("link", { name: "登録した利用者を開く" }).click();
    await page.getByRole("heading", { level: 1, name: "佐藤花子" }).waitFor();
    await page.getByText("さとう はなこ").waitFor();
    await page.getByTestId("member-consent").getByText("2027-01版").waitFor();

    await page.getByRole("button", { name: "情報を変更する" }).click();
    await page.getByRole("heading", { level: 2, name: "利用者の情報を変更" }).waitFor();
    await assertAccessible(page, "Member edit (ja)");
    await screenshot(page, "member-edit-ja");
    await fill("住所", "東京都港区1-2-3");
    await fill("確認の時刻（例: 09:00）", "10:30");
    await page.getByRole("button", { name: "保存する" }).click();
    await page.getByRole("button", { name: "情報を変更する" }).waitFor();
    await page.getByText("東京都港区1-2-3").waitFor();
    const id = page.url().split("/").at(-1) as string;
    const member = (await service.api("GET", `/members/${id}`)).body;
    assert.equal(member.address, "東京都港区1-2-3");
    assert.equal(member.plan.at, "10:30");
    assert.equal(member.externalId, "K-900");
    assert.deepEqual(member.consent, { termsVersion: "2027-01", at: "2027-01-04T00:00:00+09:00" });
    // An answer on their behalf asking for contact opens an incident: it is listed with its timeline.
    await page.getByLabel("代わりに記録する理由（例: 電話で元気を確認）").fill("電話で本人から依頼");
    await page.getByRole("button", { name: "連絡希望と記録する" }).click();
    await page.getByRole("button", { name: "経過を見る" }).click();
    await page.locator("ol.timeline li").first().waitFor();
    await page.getByRole("heading", { level: 2, name: "回答のカレンダー" }).waitFor();
    await page.locator("td.day-need_contact").first().waitFor();
    await page.getByRole("heading", { level: 2, name: "変更の履歴" }).waitFor();
    await page.locator("li").filter({ hasText: "利用者を変更" }).first().waitFor();
    await assertAccessible(page, "Member page with calendar and history (ja)");
    await screenshot(page, "member-page-ja");

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("button", { name: "Change details" }).click();
    await page.getByRole("heading", { level: 2, name: "Change the member's details" }).waitFor();
    await assertAccessible(page, "Member edit (en)");
    await screenshot(page, "member-edit-en");
    await page.getByRole("link", { name: "Back to the members" }).click();
    await page.getByRole("link", { name: "Register a member" }).click();
    await page.getByRole("heading", { level: 1, name: "Register a member" }).waitFor();
    await assertAccessible(page, "Member form (en)");
    await screenshot(page, "member-new-en");
    await page.context().close();
  });

  test("監査ログ: filtered by the server by kind of action and date, exported with the same filters (the export recorded too)", async () => {
    const page = await signedInPage(browser, service.url, service.token);
    await page.getByRole("link", { name: "監査ログ" }).click();
    await page.getByRole("heading", { level: 1, name: "監査ログ" }).waitFor();
    // Opened from the keyboard: with the menu on two lines the list opens over its button, and a
    // mouse click's release would pick whichever option lands under the pointer.
    await page.getByRole("button", { name: /操作/ }).first().focus();
    await page.keyboard.press("Enter");
    await page.getByRole("option", { name: "利用者の取り込み" }).click();
    await page.getByRole("textbox", { name: "この日から（例: 2027-01-04）" }).fill("2000-01-01");
    await page.getByRole("button", { name: "絞り込む", exact: true }).click();
    // Polled from here (the console's Content-Security-Policy allows no evaluated strings in the page).
    for (;;) {
      const texts = await page.locator("tbody tr td:nth-child(3)").allTextContents();
      if (texts.length > 0 && texts.every((t) => t.startsWith("利用者の名簿を"))) break;
      await page.waitForTimeout(100);
    }
    const actions = await page.locator("tbody tr td:nth-child(3)").allTextContents();
    assert.ok(actions.includes("利用者の名簿を登録") && actions.includes("利用者の名簿を読み込み"), actions.join(", "));
    await assertAccessible(page, "Audit log filtered (ja)");
    await screenshot(page, "audit-filtered-ja");
    const download = page.waitForEvent("download");
    await page.getByRole("button", { name: "この条件で書き出す（CSV）" }).click();
    const file = await download;
    assert.match(file.suggestedFilename(), /^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
    await page.getByText("書き出しました。書き出しも監査ログに記録されます。").waitFor();
    const exported = (await service.api("GET", "/audit-log?action=audit_log.export")).body.entries;
    assert.equal(exported.length, 1);
    assert.equal(exported[0].detail.filter.action, "member_import.");
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "Audit log" }).waitFor();
    await assertAccessible(page, "Audit log filtered (en)");
    await screenshot(page, "audit-filtered-en");
    await page.context().close();
  });
});
