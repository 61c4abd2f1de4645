/**
 * 一斉配信・安否確認 in the console, in Debian's Chromium: an operator runs a
 * disaster drill from compose to tally. The preview shows each channel's words
 * (訓練 on each); sent after a confirmation; a LINE member taps 無事 (signed
 * webhook), a phone member presses 9 (Twilio callback), an e-mail member clicks
 * 無事 on the link page; the tally by team shows it, who has not answered is
 * listed with a number to call, and the broadcast exports as CAP (status
 * Exercise). Keyboard only for the compose and the confirmation; axe clean on
 * every state, in Japanese and English; screenshots in /tmp/shots-bc/.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, signedInPage } from "../support/console.ts";
import { databaseKinds } from "../support/harness.ts";
import { startLineApiServer, type LineApiServer } from "../support/line-api-server.ts";
import { postbacksIn } from "../support/line-fixture.ts";
import { follow, postback, postWebhook, text } from "../support/line-webhook.ts";
import { type PhoneFixture, startPhoneFixture } from "../support/phone-fixture.ts";
import { spokenText } from "../support/twilio-api-server.ts";

const ON = databaseKinds().at(-1) as "pglite" | "postgres";
const SHOTS = "/tmp/shots-bc";
const LINE_SECRET = "line-channel-secret-for-tests";
const LINE_TOKEN = "line-channel-access-token-for-tests";
const LINK = /http:\/\/127\.0\.0\.1:\d+\/c\/[A-Za-z0-9_-]{32}/;
const LINE_USER = `U${"b".repeat(32)}`;
const VOICE = "+819011113001";
const MAIL = "wako@example.jp";
const SOUTH = "+819011113004";

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Polls `check` until it holds (the detail page asks the server again every few seconds). */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  assert.fail(`never: ${what}`);
}

describe(`broadcasts in the console (${ON})`, () => {
  let f: PhoneFixture;
  let line: LineApiServer;
  let browser: Browser;
  let url: string;

  before(async () => {
    line = await startLineApiServer({ channelAccessToken: LINE_TOKEN });
    f = await startPhoneFixture(ON, {}, {}, { MIMAMORI_LINE_API_BASE: line.url });
    url = f.service.url.replace("127.0.0.1", "localhost");
    assert.equal((await f.service.api("PUT", "/channels/line", { channelSecret: LINE_SECRET, channelAccessToken: LINE_TOKEN })).status, 200);
    const north = (await f.service.api("POST", "/teams", { name: "北地区" })).body.id;
    const south = (await f.service.api("POST", "/teams", { name: "南地区" })).body.id;
    for (const body of [
      { displayName: "電話一郎", teamId: north, channels: [{ kind: "voice", address: VOICE }] },
      { displayName: "メール和子", teamId: north, channels: [{ kind: "email", address: MAIL }] },
      { displayName: "南の四郎", teamId: south, phone: "0312340004", channels: [{ kind: "sms", address: SOUTH }] },
    ]) {
      const r = await f.service.api("POST", "/members", { plan: { every: "1d", at: "09:00" }, ...body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    // The LINE member registers in LINE, as members do.
    await lineSend(follow(LINE_USER));
    for (const choice of ["a=reg&reg=consent&v=yes", "a=reg&reg=every&v=1d", "a=reg&reg=at&v=09:00"]) await lineSend(postback(LINE_USER, choice));
    await lineSend(text(LINE_USER, "花子"));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await f?.close();
    await line?.close();
  });

  async function lineSend(...events: unknown[]) {
    const r = await postWebhook(f.service.url, (await f.service.api("GET", "/organisation")).body.id, LINE_SECRET, events);
    assert.equal(r.status, 200);
    await f.settle();
  }

  test("a disaster drill from compose to tally: LINE 無事, phone 9, e-mail 無事; the tally by team; CAP Exercise; ja and en", async () => {
    const page = await signedInPage(browser, url, f.service.token);
    await page.getByRole("link", { name: "一斉配信・安否確認" }).click();
    await page.getByRole("heading", { level: 1, name: "一斉配信・安否確認" }).waitFor();
    await page.getByText("まだ配信はありません。").waitFor();
    await assertAccessible(page, "Broadcasts, empty (ja)");

    // Compose with the keyboard only.
    await page.getByLabel("本文").focus();
    await page.keyboard.type("総合防災訓練です。\n震度6強の地震を想定しています。");
    await page.getByRole("switch", { name: /訓練として送る/ }).focus();
    await page.keyboard.press("Space");
    assert.equal(await page.getByRole("switch", { name: /訓練として送る/ }).isChecked(), true);
    assert.equal(await page.getByRole("switch", { name: /無事ですか/ }).isChecked(), true, "the question is asked by default");
    const preview = page.getByRole("region", { name: "各経路のプレビュー" });
    await preview.getByText("送信先 4人：", { exact: false }).waitFor();
    const lineCard = preview.getByRole("article", { name: "LINE" });
    await lineCard.getByText(/^【訓練】これは訓練です。/).waitFor();
    assert.deepEqual(await lineCard.getByRole("listitem").allTextContents(), ["無事", "助けが必要"]);
    await preview.getByRole("article", { name: "SMS" }).getByText(/^【訓練】これは訓練です。\n総合防災訓練です。/).waitFor();
    await preview.getByRole("article", { name: "SMS" }).getByText(/通分（\d+文字、UCS-2）/).waitFor();
    await preview.getByRole("article", { name: "メール" }).getByText(/【見守り・訓練】安否確認/).waitFor();
    await preview.getByRole("article", { name: "電話" }).getByText(/^これは訓練です。見守りからのお知らせです。総合防災訓練です。震度6強の地震を想定しています。/).waitFor();
    assert.deepEqual(await preview.getByRole("article", { name: "電話" }).getByRole("listitem").allTextContents(), ["1を押す：無事", "9を押す：助けが必要"]);
    await assertAccessible(page, "Broadcasts, compose with preview (ja)");
    await shot(page, "compose-preview-ja");

    await page.getByRole("button", { name: "送信する…" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "訓練として送信しますか？" });
    await dialog.getByText("4人に送信します。").waitFor();
    await assertAccessible(page, "Broadcasts, confirmation (ja)");
    await dialog.getByRole("button", { name: "送信する", exact: true }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: /総合防災訓練です。/ }).waitFor();
    const id = new URL(page.url()).pathname.split("/")[2];
    assert.match(id, /^[0-9a-f-]{36}$/);
    await page.getByRole("heading", { level: 1 }).getByText("訓練").waitFor();
    await f.settle();

    // The LINE member taps 無事.
    const pushed = [...line_(LINE_USER)];
    const data = pushed.flatMap((body) => postbacksIn(body)).filter((d) => d.startsWith(`a=bc&b=${id}`));
    assert.deepEqual(data, [`a=bc&b=${id}&v=safe`, `a=bc&b=${id}&v=need_help`]);
    await lineSend(postback(LINE_USER, data[0]));
    // The phone member presses 9.
    const call = f.callsTo(VOICE).at(-1)!;
    assert.match(spokenText(await f.twilio.answer(call.sid, { answeredBy: "human" })), /^これは訓練です。/);
    assert.match(spokenText(await f.twilio.press(call.sid, "9")), /訓練の回答/);
    await f.twilio.finish(call.sid, "completed", { AnsweredBy: "human" });
    // The e-mail member clicks 無事 on the link's page.
    const mail = await f.smtp.waitFor((m) => m.to.includes(MAIL) && /訓練/.test(m.subject ?? ""));
    const member = await (await browser.newContext()).newPage();
    await member.goto((mail.text ?? "").match(LINK)![0]);
    await member.getByText("【訓練】これは訓練です。").waitFor();
    await assertAccessible(member, "Link page of a drill");
    await member.getByRole("button", { name: /無事です/ }).click();
    await member.getByText(/訓練の回答「無事」を受け付けました/).first().waitFor();
    await member.close();
    await f.settle();

    // The tally by team follows, every few seconds.
    const cells = (team: string) => page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: team, exact: true }) }).getByRole("cell").allTextContents();
    // 送信数, 送信待ち, 送信済み, 失敗, 無事, 助けが必要, 未回答
    await until("北地区 shows 1 safe and 1 need help", async () => JSON.stringify(await cells("北地区")) === JSON.stringify(["2", "0", "2", "0", "1", "1", "0"]));
    await until("南地区 shows one without an answer", async () => JSON.stringify(await cells("南地区")) === JSON.stringify(["1", "0", "1", "0", "0", "0", "1"]));
    await page.getByRole("table", { name: /【訓練】チームごとの配信と回答/ }).waitFor();
    const silent = page.getByRole("region", { name: "まだ回答のない方" });
    const callLink = silent.getByRole("link", { name: /南の四郎さんに電話する/ });
    assert.equal(await callLink.getAttribute("href"), "tel:+81312340004");
    assert.equal(await silent.getByRole("button", { name: /訪問を依頼/ }).count(), 0, "a drill's silence sends no visit");
    await assertAccessible(page, "Broadcast detail with tally (ja)");
    await shot(page, "detail-tally-ja");

    // CAP 1.2, status Exercise.
    const [file] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "CAP ファイルを保存" }).click()]);
    const xml = readFileSync(await file.path(), "utf8");
    assert.match(xml, /<status>Exercise<\/status>/);
    assert.match(xml, /<msgType>Alert<\/msgType>/);
    assert.match(xml, /<description>総合防災訓練です。\n震度6強の地震を想定しています。<\/description>/);
    await page.getByRole("status").filter({ hasText: "を保存しました。" }).waitFor();

    // The list labels the drill.
    await page.getByRole("link", { name: "一覧へ戻る" }).click();
    await page.getByRole("rowheader", { name: /総合防災訓練です。.*訓練/ }).waitFor();
    await assertAccessible(page, "Broadcasts list (ja)");

    // In English.
    const en = await signedInPage(browser, url, f.service.token, { lang: "en" });
    await en.goto(`${url}/broadcasts/${id}`);
    await en.getByRole("table", { name: /\[Drill\] Delivery and answers by team/ }).waitFor();
    await en.getByRole("link", { name: /Call 南の四郎 at/ }).waitFor();
    await assertAccessible(en, "Broadcast detail (en)");
    await shot(en, "detail-tally-en");
    await en.getByRole("link", { name: "Back to the list" }).click();
    await en.getByLabel("Message", { exact: true }).fill("Water is available at the school.");
    await en.locator("label").filter({ hasText: "Choose teams" }).click();
    await en.locator("label").filter({ hasText: "北地区" }).click();
    await en.getByRole("region", { name: "Preview on each channel" }).getByText("2 members:", { exact: false }).waitFor();
    await assertAccessible(en, "Broadcasts compose (en)");
    await shot(en, "compose-preview-en");
  });

  /** The bodies pushed or multicast to a LINE user. */
  function line_(userId: string): unknown[] {
    return [
      ...line.pushes.filter((p) => p.body.to === userId).map((p) => p.body),
      ...line.multicasts.filter((m) => (m.body.to as string[]).includes(userId)).map((m) => m.body),
    ];
  }
});
