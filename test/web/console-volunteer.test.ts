/**
 * A volunteer's view (わたしへの依頼) in Debian's Chromium, on a phone-sized
 * screen: a watcher registered as a volunteer sees the request offered to them
 * (what help, by when to answer) without the member's details, accepts it, then
 * sees whom to help (name, address, a tap-to-call number) and logs what they
 * did — the coordinator's list of unacknowledged contacts shows it. A second
 * request is declined and passes to the next volunteer. A watcher who is no
 * volunteer reads a plain sentence. A volunteer switches themselves off duty
 * with the switch at the top (their unanswered request passes to the next
 * volunteer) and on again. Checked with axe in Japanese and English.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, CONSOLE_DATABASE, personPage, screenshot } from "../support/console.ts";
import { startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson, PASSWORD, totpNow } from "../support/people.ts";
import { memberBody } from "../support/sandbox.ts";

const PHONE = { width: 390, height: 844 };

async function assertPhoneSized(page: Page, what: string): Promise<void> {
  const width = await page.evaluate("document.documentElement.scrollWidth") as number;
  assert.ok(width <= PHONE.width, `${what}: the page is ${width}px wide on a ${PHONE.width}px screen`);
  for (const button of await page.locator(".help-card button").all()) {
    const box = await button.boundingBox();
    assert.ok(box && box.height >= 44, `${what}: "${await button.textContent()}" is ${box?.height}px high`);
  }
}

describe(`a volunteer's requests in the console (${CONSOLE_DATABASE})`, () => {
  let service: TestService;
  let browser: Browser;
  before(async () => {
    service = await startTestService(CONSOLE_DATABASE);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  test("a volunteer accepts a request on a phone, sees whom to help and logs it; declines another, which passes on", async () => {
    const member = (await service.api("POST", "/members", memberBody({ displayName: "青木 富子", address: "東京都港区芝1-2-3", phone: "03-1234-5678" }))).body;
    const sato = await invitedPerson(service.api, service.url, { displayName: "担い手 佐藤", loginId: "sato", role: "watcher" });
    const other = await invitedPerson(service.api, service.url, { displayName: "見守り 木村", loginId: "kimura", role: "watcher" });
    const satoVolunteer = (await service.api("POST", "/directory/volunteers",
      { displayName: "担い手 佐藤", personId: sato.id, skills: ["shopping", "housework"], areas: [], availability: [], maxOpenRequests: 2 })).body;
    const next = (await service.api("POST", "/directory/volunteers", { displayName: "担い手 高橋", skills: ["housework"], areas: [], availability: [] })).body;
    const shopping = (await service.api("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: ["shopping"], note: "重い物が運べない" })).body;
    const housework = (await service.api("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: ["housework"] })).body;
    for (const need of [shopping, housework]) {
      const offered = await service.api("POST", `/directory/needs/${need.id}/offers`, { volunteerIds: [satoVolunteer.id] });
      assert.equal(offered.status, 201, JSON.stringify(offered.body));
    }

    const page = await personPage(browser, service.url, "sato", PASSWORD, () => totpNow(sato.secret), { viewport: PHONE });
    assert.deepEqual(await page.getByRole("navigation").getByRole("link").allTextContents(),
      ["わたしの訪問", "わたしへの依頼", "自分の連絡先", "ログイン中の端末", "パスキー"]);
    await page.getByRole("link", { name: "わたしへの依頼" }).click();
    await page.getByRole("heading", { level: 1, name: "わたしへの依頼" }).waitFor();
    const shop = page.getByRole("article", { name: "買い物支援" });
    await shop.getByText("お願い中（返事待ち）").waitFor();
    assert.equal(await page.getByText("青木 富子").count(), 0, "whom to help is shown once accepted");
    await assertAccessible(page, "My help requests (ja)");
    await assertPhoneSized(page, "My help requests (ja)");
    await screenshot(page, "my-help-requests-ja");

    await shop.getByRole("button", { name: "引き受ける" }).click();
    await shop.getByText("引き受け済み").waitFor();
    await shop.getByText("青木 富子").waitFor();
    await shop.getByText("東京都港区芝1-2-3").waitFor();
    assert.equal(await shop.getByRole("link", { name: "03-1234-5678" }).getAttribute("href"), "tel:+81312345678");
    await shop.getByLabel("したこと・気づいたこと").fill("スーパーで買い物を手伝いました。");
    await shop.getByRole("button", { name: "活動を記録する" }).click();
    await shop.getByRole("status").getByText("記録しました。", { exact: false }).waitFor();
    await assertAccessible(page, "An accepted request (ja)");
    await assertPhoneSized(page, "An accepted request (ja)");
    await screenshot(page, "my-help-accepted-ja");

    const chores = page.getByRole("article", { name: "家事支援" });
    await chores.getByRole("button", { name: "今回はできない" }).click();
    await page.getByLabel("理由（任意・コーディネーターに伝わります）").fill("今週は通院があります");
    await assertAccessible(page, "Declining a request (ja)");
    await page.getByRole("button", { name: "辞退する（次の方にお願いします）" }).click();
    await chores.waitFor({ state: "detached" });

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "My help requests" }).waitFor();
    await page.getByRole("article", { name: "Shopping help" }).getByText("Accepted").waitFor();
    await assertAccessible(page, "My help requests (en)");
    await screenshot(page, "my-help-requests-en");
    await page.context().close();

    // What the coordinator sees: the need matched, the contact to acknowledge, the declined one passed to 高橋.
    assert.equal((await service.api("GET", `/directory/needs/${shopping.id}`)).body.status, "matched");
    const contacts = (await service.api("GET", "/directory/volunteer-contacts?unacknowledged=true")).body.contacts;
    assert.deepEqual(contacts.map((c: { note: string; memberId: string }) => [c.note, c.memberId]), [["スーパーで買い物を手伝いました。", member.id]]);
    const requests = (await service.api("GET", `/directory/needs/${housework.id}`)).body.requests;
    assert.deepEqual(requests.map((r: { volunteer: { id: string }; status: string; reason: string | null }) => [r.volunteer.id, r.status, r.reason]),
      [[satoVolunteer.id, "declined", "今週は通院があります"], [next.id, "offered", null]]);

    // A watcher who is no volunteer: a plain sentence.
    const plain = await personPage(browser, service.url, "kimura", PASSWORD, () => totpNow(other.secret), { viewport: PHONE });
    await plain.getByRole("link", { name: "わたしへの依頼" }).click();
    await plain.getByRole("alert").getByText("あなたは生活支援の担い手として登録されていません。", { exact: false }).waitFor();
    await assertAccessible(plain, "Not a volunteer (ja)");
    await plain.context().close();
  });

  test("a volunteer switches themselves off duty on a phone: the unanswered request passes on; and on again", async () => {
    const member = (await service.api("POST", "/members", memberBody({ displayName: "石井 和子" }))).body;
    const ono = await invitedPerson(service.api, service.url, { displayName: "担い手 小野", loginId: "ono", role: "watcher" });
    const onoVolunteer = (await service.api("POST", "/directory/volunteers",
      { displayName: "担い手 小野", personId: ono.id, skills: ["transport"], areas: [], availability: [] })).body;
    const next = (await service.api("POST", "/directory/volunteers", { displayName: "担い手 森", skills: ["transport"], areas: [], availability: [] })).body;
    const need = (await service.api("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: ["transport"] })).body;
    assert.equal((await service.api("POST", `/directory/needs/${need.id}/offers`, { volunteerIds: [onoVolunteer.id] })).status, 201);

    const page = await personPage(browser, service.url, "ono", PASSWORD, () => totpNow(ono.secret), { viewport: PHONE });
    await page.getByRole("link", { name: "わたしへの依頼" }).click();
    const duty = page.getByRole("region", { name: "依頼の受け付け" });
    const toggle = duty.getByRole("switch", { name: "依頼を受け付ける" });
    await toggle.waitFor();
    assert.equal(await toggle.isChecked(), true);
    await duty.getByText("いま返事をしていないお願いが 1 件あります。", { exact: false }).waitFor();
    await assertAccessible(page, "The volunteer's switch (ja)");
    await screenshot(page, "my-help-duty-on-ja");
    await duty.locator("label").click();
    await duty.getByRole("status").getByText("お休みにしました。", { exact: false }).waitFor();
    assert.equal(await toggle.isChecked(), false);
    await duty.getByText("お休み中：お願いは届きません。", { exact: false }).waitFor();
    await page.getByText("いまお願いされていることはありません。").waitFor();
    await assertAccessible(page, "The volunteer resting (ja)");
    await assertPhoneSized(page, "The volunteer resting (ja)");
    await screenshot(page, "my-help-duty-off-ja");
    const requests = (await service.api("GET", `/directory/needs/${need.id}`)).body.requests;
    assert.deepEqual(requests.map((r: { volunteer: { id: string }; status: string }) => [r.volunteer.id, r.status]),
      [[onoVolunteer.id, "withdrawn"], [next.id, "offered"]]);
    assert.equal((await service.api("GET", `/directory/volunteers/${onoVolunteer.id}`)).body.onDuty, false);

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    const en = page.getByRole("region", { name: "Taking requests" });
    await en.getByText("Resting: you will not be asked.", { exact: false }).waitFor();
    await en.locator("label").click();
    await en.getByRole("status").getByText("You take requests again.").waitFor();
    await assertAccessible(page, "The volunteer's switch (en)");
    assert.equal((await service.api("GET", `/directory/volunteers/${onoVolunteer.id}`)).body.onDuty, true);
    await page.context().close();
  });
});
