/**
 * 自分の連絡先・当番 in Debian's Chromium: a staff member signs in, adds a
 * phone number as people type it (shown back as dialled here) and an e-mail
 * address, sees a bad address refused in a sentence, sends a test and goes on
 * duty with the keyboard; the admin's People screen shows who is on duty per
 * team. Every screen in Japanese and English with no WCAG 2.2 AA violation;
 * screenshots saved.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, personPage, screenshot, signedInPage } from "../support/console.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson, PASSWORD, totpNow } from "../support/people.ts";
import { sandbox } from "../support/sandbox.ts";

const ON = databaseKinds().at(-1) as string;

describe(`my alert contacts and duty in the console (${ON})`, () => {
  let service: TestService;
  let browser: Browser;
  before(async () => {
    service = await startTestService(ON as "pglite" | "postgres");
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  test("staff add their contacts, send a test and go on duty; the People screen shows who is on duty per team", async () => {
    const team = (await service.api("POST", "/teams", { name: "西地区" })).body.id as string;
    const staff = await invitedPerson(service.api, service.url, { displayName: "担当 森", loginId: "mori", role: "staff", teamIds: [team] });
    const page = await personPage(browser, service.url, "mori", PASSWORD, () => totpNow(staff.secret));
    await page.getByRole("link", { name: "自分の連絡先" }).click();
    await page.getByRole("heading", { level: 1, name: "自分の連絡先・当番" }).waitFor();
    await page.getByText("まだ連絡先がありません。").waitFor();
    await page.getByText("当番ではありません。チームのアラートは届きません。").waitFor();
    await assertAccessible(page, "My alert contacts, empty (ja)");

    // A phone number as typed on a Japanese keyboard; shown back as dialled here.
    const choose = async (label: string) => {
      await page.locator(".duty-add label.react-aria-Radio").filter({ hasText: new RegExp(`^${label}$`) }).click();
      assert.ok(await page.getByRole("radio", { name: label, exact: true }).isChecked());
    };
    await choose("電話");
    await page.getByLabel("電話番号", { exact: true }).fill("０９０－２２２２－３３３３");
    await page.getByRole("button", { name: "追加する", exact: true }).click();
    await page.locator(".duty-item").filter({ hasText: "090-2222-3333" }).waitFor();
    // A bad e-mail address: refused in a sentence, nothing added.
    await choose("メール");
    await page.getByLabel("メールアドレス", { exact: true }).fill("mori-at-example");
    await page.getByRole("button", { name: "追加する", exact: true }).click();
    await page.locator(".duty-add").getByRole("alert").filter({ hasText: "入力内容に誤りがあります。" }).waitFor();
    assert.equal(await page.locator(".duty-item").count(), 1, "nothing added");
    await page.getByLabel("メールアドレス", { exact: true }).fill("mori@example.org");
    await page.getByRole("button", { name: "追加する", exact: true }).click();
    await page.locator(".duty-item").filter({ hasText: "mori@example.org" }).waitFor();

    await page.getByRole("button", { name: "mori@example.org にテストを送る" }).click();
    await page.getByRole("status").filter({ hasText: "テストを送りました。" }).waitFor();
    const sb = sandbox(service.api);
    await sb.advance("PT1M");
    assert.deepEqual((await sb.delivered()).filter((m) => m.kind === "channel_test").map((m) => [m.to.id, m.channel]), [[staff.id, "email"]]);
    await page.reload();
    await page.locator(".duty-item").filter({ hasText: "mori@example.org" }).filter({ hasText: "テストを送信済み" }).waitFor();

    // On duty with the keyboard alone: focus the switch and press Space.
    await page.getByRole("switch", { name: "当番中" }).focus();
    await page.keyboard.press("Space");
    await page.getByText("当番中です。チームのアラートが下の連絡先に届きます。").waitFor();
    assert.equal((await staff.client.call("GET", "/me/duty")).body.onDuty, true);
    await assertAccessible(page, "My alert contacts, on duty (ja)");
    await screenshot(page, "duty-ja");
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "My alert contacts and duty" }).waitFor();
    await page.getByText("You are on duty: your teams' alerts reach the contacts below.").waitFor();
    await assertAccessible(page, "My alert contacts, on duty (en)");
    await screenshot(page, "duty-en");

    // The admin's People screen: who is on duty, per team.
    const admin = await signedInPage(browser, service.url, service.token);
    await admin.getByRole("link", { name: "職員・協力者" }).click();
    const board = admin.locator(".duty-board");
    await board.getByRole("heading", { name: "チームごとの当番" }).waitFor();
    await board.locator("div").filter({ hasText: "西地区" }).getByText("担当 森").waitFor();
    await admin.getByRole("row").filter({ hasText: "担当 森" }).getByText("当番中").waitFor();
    await assertAccessible(admin, "People with duty (ja)");
    await screenshot(admin, "people-duty-ja");
    await admin.getByRole("radio", { name: "English" }).or(admin.getByRole("button", { name: "English" })).first().click();
    await admin.getByRole("heading", { name: "Who is on duty, per team" }).waitFor();
    await assertAccessible(admin, "People with duty (en)");
    await screenshot(admin, "people-duty-en");

    // Off duty again.
    await page.locator(".react-aria-Switch").filter({ hasText: "On duty" }).click();
    await page.getByText("You are not on duty: your teams' alerts do not reach you.").waitFor();
    assert.equal((await staff.client.call("GET", "/me/duty")).body.onDuty, false);
  });

  test("at 200% zoom (a 1280-pixel window at 200%: 640 CSS pixels wide) the screen fits and every control is in reach", async () => {
    const staff = await invitedPerson(service.api, service.url, { displayName: "担当 林", loginId: "hayashi", role: "staff" });
    assert.equal((await staff.client.call("POST", "/me/channels", { kind: "sms", address: "090-3333-4444" })).status, 201);
    const page = await personPage(browser, service.url, "hayashi", PASSWORD, () => totpNow(staff.secret), { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    await page.getByRole("link", { name: "自分の連絡先" }).click();
    await page.getByRole("heading", { level: 1, name: "自分の連絡先・当番" }).waitFor();
    const [scrollWidth, clientWidth] = await page.locator("html").evaluate((html) => {
      const root = html.ownerDocument.scrollingElement ?? html;
      return [root.scrollWidth, root.clientWidth];
    });
    assert.ok(scrollWidth <= clientWidth, `the page is ${scrollWidth}px wide in a ${clientWidth}px window`);
    for (const control of [
      page.locator(".react-aria-Switch"), page.getByRole("button", { name: "090-3333-4444 にテストを送る" }),
      page.getByRole("button", { name: "追加する", exact: true }),
    ]) {
      await control.scrollIntoViewIfNeeded();
      const box = await control.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 640.5 && box.width > 0, `${control} is out of reach (${JSON.stringify(box)})`);
    }
    await screenshot(page, "duty-zoom-ja");
    await page.context().close();
  });

  test("a watcher keeps contacts for visit requests, with no duty switch", async () => {
    const watcher = await invitedPerson(service.api, service.url, { displayName: "見守り 岡", loginId: "oka", role: "watcher" });
    const page = await personPage(browser, service.url, "oka", PASSWORD, () => totpNow(watcher.secret));
    await page.getByRole("link", { name: "自分の連絡先" }).click();
    await page.getByRole("heading", { level: 1, name: "自分の連絡先" }).waitFor();
    await page.getByText("訪問のお願いは、ここに登録した連絡先すべてに届きます").waitFor();
    assert.equal(await page.getByRole("switch").count(), 0, "a watcher is never on duty");
    await page.locator(".duty-add label.react-aria-Radio").filter({ hasText: /^メール$/ }).click();
    await page.getByLabel("メールアドレス", { exact: true }).fill("oka@example.jp");
    await page.getByRole("button", { name: "追加する", exact: true }).click();
    await page.getByText("oka@example.jp").waitFor();
    await assertAccessible(page, "My contacts, watcher (ja)");
    await screenshot(page, "contacts-watcher-ja");
    const duty = await watcher.client.call("GET", "/me/duty");
    assert.deepEqual([duty.status, duty.body.onDuty, duty.body.channels.map((c: { address: string }) => c.address)], [200, false, ["oka@example.jp"]]);
  });
});
