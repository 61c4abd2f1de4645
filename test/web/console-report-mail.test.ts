/**
 * 毎月1日にメールで受け取る (the monthly report by e-mail) on the Reports screen,
 * in Debian's Chromium, signed in as an admin: the empty list, adding an
 * address, a refusal shown at its field (the address twice; "me" without an
 * e-mail address), adding oneself, removing an address; in Japanese and English
 * with no WCAG 2.2 AA violation. Screenshots also go to /tmp/shots-mail/.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, CONSOLE_DATABASE, personPage, screenshot } from "../support/console.ts";
import { startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson, PASSWORD, totpNow } from "../support/people.ts";

const SHOTS = "/tmp/shots-mail";

async function shot(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

describe(`the monthly report by e-mail in the console (${CONSOLE_DATABASE})`, () => {
  let service: TestService;
  let browser: Browser;
  let admin: Awaited<ReturnType<typeof invitedPerson>>;
  before(async () => {
    service = await startTestService(CONSOLE_DATABASE, { MIMAMORI_SANDBOX_START: "2027-01-04T08:00:00+09:00" });
    browser = await launchBrowser();
    admin = await invitedPerson(service.api, service.url, { displayName: "課長 森", loginId: "mori", role: "admin" });
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  test("list, add an address, refusals at their field, add oneself, remove; ja and en", async () => {
    const page = await personPage(browser, service.url, "mori", PASSWORD, () => totpNow(admin.secret));
    await page.getByRole("link", { name: "報告" }).click();
    const section = page.getByRole("region", { name: "毎月1日にメールで受け取る" });
    await section.getByText("まだ誰も登録されていません。").waitFor();

    const address = section.getByRole("textbox", { name: "メールアドレス" });
    await address.fill("kacho@city.example.jp");
    await section.getByRole("button", { name: "追加する" }).click();
    await section.getByRole("status").filter({ hasText: "kacho@city.example.jp に毎月送ります。" }).waitFor();
    const list = section.getByRole("list", { name: "受け取る人" });
    await list.getByText("kacho@city.example.jp").waitFor();
    // Subscribed on 4 January: the next mail on 1 February at 08:00.
    await list.getByText(/次回 .*2月1日.*08:00/).waitFor();

    // The same address again: the server's refusal is shown at the address field.
    await address.fill("Kacho@city.example.jp");
    await section.getByRole("button", { name: "追加する" }).click();
    await section.getByText("この送り先はすでに登録されています。").waitFor();
    assert.equal(await address.getAttribute("aria-invalid"), "true");

    // Oneself without an e-mail address: refused, named at "me".
    await section.getByRole("button", { name: "自分（メールアドレス未登録）も受け取る" }).click();
    await section.getByRole("alert").filter({ hasText: "自分: この人にはメールアドレスが登録されていません。" }).waitFor();
    assert.equal((await service.api("PATCH", `/people/${admin.id}`, { email: "mori@city.example.jp" })).status, 200);
    await section.getByRole("button", { name: "自分（メールアドレス未登録）も受け取る" }).click();
    await list.getByText("課長 森（mori@city.example.jp）").waitFor();
    await section.getByRole("button", { name: /も受け取る/ }).waitFor({ state: "detached" });
    await assertAccessible(page, "Reports: monthly e-mail (ja)");
    await shot(page, "report-mail-ja");
    await section.screenshot({ path: `${SHOTS}/report-mail-section-ja.png` });

    await section.getByRole("button", { name: "kacho@city.example.jp への送信を停止する" }).click();
    await section.getByRole("status").filter({ hasText: "kacho@city.example.jp への送信を停止しました。" }).waitFor();
    await list.getByText("kacho@city.example.jp", { exact: true }).waitFor({ state: "detached" });
    const listed = (await service.api("GET", "/reports/subscriptions")).body.subscriptions as { personId: string | null; email: string | null }[];
    assert.deepEqual(listed.map((s) => [s.personId, s.email]), [[admin.id, null]]);

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    const english = page.getByRole("region", { name: "Receive it by e-mail on the 1st of each month" });
    await english.getByRole("list", { name: "Recipients" }).getByText("課長 森（mori@city.example.jp）").waitFor();
    await english.getByRole("textbox", { name: "E-mail address" }).fill("kacho@city.example.jp");
    await english.getByRole("button", { name: "Add", exact: true }).click();
    await english.getByRole("status").filter({ hasText: "kacho@city.example.jp receives it every month." }).waitFor();
    await assertAccessible(page, "Reports: monthly e-mail (en)");
    await shot(page, "report-mail-en");
    const log = (await service.api("GET", "/audit-log?limit=50")).body.entries as { action: string; actor: string }[];
    assert.equal(log.filter((e) => e.action === "report_subscription.add" && e.actor.includes("課長 森")).length, 3);
    assert.equal(log.filter((e) => e.action === "report_subscription.remove").length, 1);
    await page.context().close();
  });
});
