/**
 * The operator's side of the console tried as a new user would (issue 12,
 * "Done means"), in Debian's Chromium with axe on every screen: a disaster
 * drill from compose to tally — a LINE member taps 無事, a phone member presses
 * 9, an e-mail member clicks 無事 — exported as CAP; at the start of the next
 * month, last month's report on screen, as a PDF looked at as a picture and as
 * Excel, with the drill labelled and kept out of the figures; the escalation
 * policy changed and its preview following; the terms of use rotated. Each
 * screen has its own deeper test; this one walks them in order, on one service.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import ExcelJS from "exceljs";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, CONSOLE_DATABASE, screenshot, signedInPage } from "../support/console.ts";
import { type LineApiServer, startLineApiServer } from "../support/line-api-server.ts";
import { LINE_SECRET, LINE_TOKEN, postbacksIn } from "../support/line-fixture.ts";
import { follow, postback, postWebhook, text } from "../support/line-webhook.ts";
import { pdfPicture } from "../support/pdf-picture.ts";
import { type PhoneFixture, startPhoneFixture } from "../support/phone-fixture.ts";
import { spokenText } from "../support/twilio-api-server.ts";

const LINE_USER = `U${"c".repeat(32)}`;
const VOICE = "+819022223001";
const MAIL = "hanako@example.jp";
const LINK = /http:\/\/127\.0\.0\.1:\d+\/c\/[A-Za-z0-9_-]{32}/;

/** Polls `check` until it holds (screens re-read the server every few seconds). */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 80; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail(`never: ${what}`);
}

describe(`the operator's month in the console (${CONSOLE_DATABASE})`, () => {
  let f: PhoneFixture;
  let line: LineApiServer;
  let browser: Browser;
  let url: string;

  async function lineSend(...events: unknown[]) {
    const r = await postWebhook(f.service.url, f.organisationId, LINE_SECRET, events);
    assert.equal(r.status, 200);
    await f.settle();
  }
  /** What was pushed or multicast to a LINE user. */
  const toLineUser = (userId: string) => [
    ...line.pushes.filter((p) => p.body.to === userId).map((p) => p.body),
    ...line.multicasts.filter((m) => (m.body.to as string[]).includes(userId)).map((m) => m.body),
  ];

  before(async () => {
    line = await startLineApiServer({ channelAccessToken: LINE_TOKEN });
    f = await startPhoneFixture(CONSOLE_DATABASE, {}, {}, {
      MIMAMORI_LINE_API_BASE: line.url, MIMAMORI_SANDBOX_START: "2027-01-20T10:00:00+09:00",
    });
    url = f.service.url.replace("127.0.0.1", "localhost");
    assert.equal((await f.service.api("PUT", "/channels/line", { channelSecret: LINE_SECRET, channelAccessToken: LINE_TOKEN })).status, 200);
    for (const body of [
      { displayName: "電話一郎", channels: [{ kind: "voice", address: VOICE }] },
      { displayName: "メール花子", channels: [{ kind: "email", address: MAIL }] },
    ]) {
      const r = await f.service.api("POST", "/members", { plan: { every: "1d", at: "09:00" }, ...body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    // The LINE member registers in LINE, as members do.
    await lineSend(follow(LINE_USER));
    for (const choice of ["a=reg&reg=consent&v=yes", "a=reg&reg=every&v=1d", "a=reg&reg=at&v=09:00"]) await lineSend(postback(LINE_USER, choice));
    await lineSend(text(LINE_USER, "ライン三郎"));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await f?.close();
    await line?.close();
  });

  test("a drill from compose to tally and CAP; last month's report on screen, as PDF and Excel; the policy and its preview; the terms rotated", async () => {
    const page = await signedInPage(browser, url, f.service.token);

    // 1. The drill: compose, see each channel's words, send after a confirmation.
    await page.getByRole("link", { name: "一斉配信・安否確認" }).click();
    await page.getByRole("heading", { level: 1, name: "一斉配信・安否確認" }).waitFor();
    await page.getByLabel("本文").fill("避難訓練です。\n近くの避難所を確かめてください。");
    // The switch is pressed as a person does: its label (the input itself is hidden behind the drawn switch).
    await page.locator("label").filter({ hasText: "訓練として送る" }).click();
    assert.equal(await page.getByRole("switch", { name: /訓練として送る/ }).isChecked(), true);
    const preview = page.getByRole("region", { name: "各経路のプレビュー" });
    await preview.getByText("送信先 3人：", { exact: false }).waitFor();
    await preview.getByRole("article", { name: "電話" }).getByText(/^これは訓練です。/).waitFor();
    await assertAccessible(page, "journey: compose a drill");
    await page.getByRole("button", { name: "送信する…" }).click();
    const dialog = page.getByRole("dialog", { name: "訓練として送信しますか？" });
    await dialog.getByText("3人に送信します。").waitFor();
    await dialog.getByRole("button", { name: "送信する", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: /避難訓練です。/ }).waitFor();
    const broadcastId = new URL(page.url()).pathname.split("/")[2];
    await f.settle();

    // 2. Every channel answers: LINE 無事, the phone's 9, the e-mail's link 無事.
    const safe = toLineUser(LINE_USER).flatMap((body) => postbacksIn(body)).find((d) => d === `a=bc&b=${broadcastId}&v=safe`);
    assert.ok(safe, "the LINE message carries 無事");
    await lineSend(postback(LINE_USER, safe));
    const call = f.callsTo(VOICE).at(-1);
    assert.ok(call, "the phone member is called");
    assert.match(spokenText(await f.twilio.answer(call.sid, { answeredBy: "human" })), /^これは訓練です。/);
    await f.twilio.press(call.sid, "9");
    await f.twilio.finish(call.sid, "completed", { AnsweredBy: "human" });
    const mail = await f.smtp.waitFor((m) => m.to.includes(MAIL) && /訓練/.test(m.subject ?? ""));
    const linkPage = await (await browser.newContext()).newPage();
    await linkPage.goto((mail.text ?? "").match(LINK)?.[0] ?? assert.fail("the e-mail carries a link"));
    await assertAccessible(linkPage, "journey: the e-mail's link page");
    await linkPage.getByRole("button", { name: /無事です/ }).click();
    await linkPage.getByText(/訓練の回答「無事」を受け付けました/).first().waitFor();
    await linkPage.context().close();
    await f.settle();

    // 3. The tally by team: 2 safe, 1 needs help, nobody silent. A drill's "need help" opens no real incident.
    const total = () => page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "合計", exact: true }) }).getByRole("cell").allTextContents();
    // 送信数, 送信待ち, 送信済み, 失敗, 無事, 助けが必要, 未回答
    await until("the tally counts every channel's answer", async () => JSON.stringify(await total()) === JSON.stringify(["3", "0", "3", "0", "2", "1", "0"]));
    assert.equal((await f.service.api("GET", "/incidents")).body.incidents.length, 0, "a drill opens no incident");
    await assertAccessible(page, "journey: the drill's tally");
    await screenshot(page, "journey-drill-tally");

    // 4. CAP 1.2, status Exercise.
    const [cap] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "CAP ファイルを保存" }).click()]);
    const xml = readFileSync(await cap.path(), "utf8");
    assert.match(xml, /<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">/);
    assert.match(xml, /<status>Exercise<\/status>/);

    // 5. On the 2nd of next month: January's report on screen, as a PDF looked at as a picture, and as Excel.
    await f.clockTo(new Date("2027-02-02T10:00:00+09:00").toISOString());
    await page.getByRole("link", { name: "報告" }).click();
    // The screen opens on the last six months; then January alone.
    await page.getByRole("heading", { level: 2, name: "2026年9月" }).waitFor();
    await page.getByLabel("最初の月").fill("2027-01");
    await page.getByLabel("最後の月").fill("2027-01");
    await page.getByRole("button", { name: "表示する" }).click();
    await page.getByRole("heading", { level: 2, name: "2026年9月" }).waitFor({ state: "detached" });
    const january = page.getByRole("region", { name: "2027年1月" });
    await january.getByRole("rowheader", { name: /訓練.*避難訓練です。/ }).waitFor();
    await january.getByText("訓練の配信は一覧に「訓練」と示し、チームごとの集計と合計には含めません。", { exact: false }).waitFor();
    await assertAccessible(page, "journey: last month's report");
    await page.emulateMedia({ media: "print" });
    const picture = await pdfPicture(browser, await page.pdf({ format: "A4" }));
    await page.emulateMedia({ media: "screen" });
    const drawn = (wanted: string) => picture.lines.find((l) => l.text.includes(wanted) && l.ink > 0.02);
    assert.ok(drawn("報告(月次)") && drawn("2027年1月") && drawn("Mimamori"), `the PDF shows the report: ${picture.lines.map((l) => l.text).join(" | ")}`);
    assert.ok(drawn("避難訓練です"), "the drill is on paper too");
    const [xlsx] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Excel（.xlsx）で保存" }).click()]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(await xlsx.path());
    assert.equal(workbook.worksheets[0].getRow(2).getCell(1).value, "2027-01");

    // 6. The escalation policy: the first re-send after 2 hours; the preview moves before saving.
    await page.getByRole("link", { name: "設定" }).click();
    await page.getByRole("heading", { name: "応答がない場合の流れ" }).waitFor();
    const lineTimeline = page.locator('.timeline[data-channel="line"]');
    const firstResend = () => lineTimeline.locator('li[data-kind="resend"] time').first().getAttribute("datetime");
    const prompt = await lineTimeline.locator('li[data-kind="prompt"] time').first().getAttribute("datetime");
    await until("the built-in policy asks again after a day", async () => Date.parse(await firstResend() ?? "") - Date.parse(prompt ?? "") === 24 * 3_600_000);
    await page.locator('fieldset[data-field="standard.steps.0.after"] input').first().fill("2");
    await until("the preview follows the edit", async () => Date.parse(await firstResend() ?? "") - Date.parse(prompt ?? "") === 2 * 3_600_000);
    await page.getByRole("button", { name: "保存", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "保存しました" }).waitFor();
    assert.equal((await f.service.api("GET", "/escalation-policy")).body.standard.steps[0].after, "PT2H");
    await assertAccessible(page, "journey: the policy changed");

    // 7. The terms of use: a new version; nobody has agreed to it yet, and members are asked again.
    await page.getByRole("link", { name: "名称・利用規約" }).click();
    await page.getByLabel("版番号（例: 2）").fill("2");
    await page.getByLabel("規約の本文").fill("第1条 改定しました。見守りはこれまでどおり続きます。");
    await page.getByRole("button", { name: "公開して同意をお願いする" }).click();
    await page.getByTestId("terms-current").filter({ hasText: "第2版" }).waitFor();
    await page.getByTestId("terms-agreed").filter({ hasText: "0 / 3人" }).waitFor();
    await assertAccessible(page, "journey: the terms rotated");
    await screenshot(page, "journey-terms");
    await f.settle();
    await until("the LINE member is asked to agree again", async () => toLineUser(LINE_USER).some((b) => postbacksIn(b).some((d) => d.startsWith("a=terms&"))));
    await page.context().close();
  });
});
