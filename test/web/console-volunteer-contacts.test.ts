/**
 * A volunteer without a login, end to end, and the coordinator's
 * acknowledgement (issue 14), in Debian's Chromium at phone width: the offer's
 * SMS in the sandbox outbox → its private link (no JavaScript) → accept → whom
 * to help → a logged contact → 担い手 → 活動の記録を確認 (how many wait) →
 * 確認しました → the acknowledged history. An observer reads the list with the
 * member and the note hidden and no button. Checked with axe in Japanese and English.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { assertAccessible, consoleSuite, noScriptPage, screenshot, signedInPage } from "../support/console.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";

const PHONE = { width: 390, height: 844 };

async function assertPhoneSized(page: Page, what: string): Promise<void> {
  const width = await page.evaluate("document.documentElement.scrollWidth") as number;
  assert.ok(width <= PHONE.width, `${what}: the page is ${width}px wide on a ${PHONE.width}px screen`);
}

describe("a volunteer without a login, and acknowledging volunteers' contacts", () => {
  const suite = consoleSuite();

  test("SMS → link → accept → whom to help → log → the coordinator acknowledges on a phone; an observer reads it masked", async () => {
    const api = suite.service.api;
    const member = (await api("POST", "/members", memberBody({ displayName: "青木 富子", address: "東京都港区芝1-2-3", phone: "03-1234-5678" }))).body;
    const tanaka = (await api("POST", "/directory/volunteers",
      { displayName: "担い手 田中", phone: "080-9999-0000", skills: ["shopping"], areas: [], availability: [] })).body;
    const need = (await api("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: ["shopping"], note: "重い物が運べない" })).body;
    const box = sandbox(api);
    await box.delivered();
    assert.equal((await api("POST", `/directory/needs/${need.id}/offers`, { volunteerIds: [tanaka.id] })).status, 201);
    let sms: Awaited<ReturnType<typeof box.delivered>>[number] | undefined;
    for (let i = 0; i < 200 && !sms; i++) {
      sms = (await box.delivered()).find((m) => m.to.kind === "context" && m.to.id === tanaka.id);
      if (!sms) await new Promise((done) => setTimeout(done, 50));
    }
    assert.ok(sms, "the offer's SMS is in the sandbox outbox");
    assert.equal(sms.channel, "sms");
    const link = /(http:\/\/\S+\/offer\/mdv_[A-Za-z0-9_-]{32})/.exec(sms.text)?.[1];
    assert.ok(link, sms.text);

    // The volunteer's phone, without JavaScript.
    const phone = await noScriptPage(suite.browser, PHONE);
    await phone.page.goto(link.replace("127.0.0.1", "localhost"));
    await phone.page.getByRole("heading", { level: 1, name: "生活支援のお願い", exact: false }).waitFor();
    await phone.page.getByText("買い物支援").first().waitFor();
    assert.equal(await phone.page.getByText("青木 富子").count(), 0, "whom to help only once accepted");
    await phone.check("The offer's page (ja)");
    await assertPhoneSized(phone.page, "The offer's page");
    await screenshot(phone.page, "offer-link-ja");
    await phone.page.getByRole("button", { name: "引き受けます" }).click();
    await phone.page.getByText("引き受けていただき、ありがとうございます。", { exact: false }).waitFor();
    await phone.page.getByText("青木 富子").waitFor();
    await phone.page.getByText("東京都港区芝1-2-3").waitFor();
    assert.equal(await phone.page.getByRole("link", { name: "03-1234-5678" }).getAttribute("href"), "tel:+81312345678");
    await phone.page.getByLabel("したこと・気づいたこと", { exact: false }).fill("スーパーで買い物を手伝いました。牛乳が重そうでした。");
    await phone.page.getByRole("button", { name: "活動を記録する", exact: false }).click();
    await phone.page.getByText("記録しました。コーディネーターが確認します。", { exact: false }).waitFor();
    await phone.check("The accepted offer's page (ja)");
    await assertPhoneSized(phone.page, "The accepted offer's page");
    await screenshot(phone.page, "offer-link-accepted-ja");
    await phone.close();

    // The coordinator, on a phone: 担い手 → 活動の記録を確認 (1 waiting) → 確認しました.
    const page = await signedInPage(suite.browser, suite.url, suite.service.token, { viewport: PHONE });
    await page.goto(`${suite.url}/volunteers`);
    await page.getByRole("heading", { level: 1, name: "担い手" }).waitFor();
    await page.getByRole("link", { name: "活動の記録を確認（未確認 1 件）" }).click();
    await page.getByRole("heading", { level: 1, name: "担い手の活動の記録" }).waitFor();
    const waiting = page.getByRole("region", { name: "未確認の記録" });
    const card = waiting.getByRole("article", { name: "担い手 田中 → 青木 富子" });
    await card.getByText("スーパーで買い物を手伝いました。牛乳が重そうでした。").waitFor();
    await card.getByText("リンクから記録", { exact: false }).waitFor();
    await assertAccessible(page, "Volunteers' contacts (ja)");
    await assertPhoneSized(page, "Volunteers' contacts (ja)");
    await screenshot(page, "volunteer-contacts-ja");
    await card.getByRole("button", { name: "担い手 田中さんの記録", exact: false }).click();
    await page.getByRole("status").getByText("担い手 田中さんの記録を確認しました。").waitFor();
    await waiting.getByText("未確認の記録はありません。").waitFor();
    const done = page.getByRole("region", { name: "確認済みの記録" }).getByRole("article", { name: "担い手 田中 → 青木 富子" });
    await done.getByText("確認", { exact: true }).waitFor();
    assert.equal(await done.getByRole("button").count(), 0);
    await assertAccessible(page, "Volunteers' contacts acknowledged (ja)");
    await assertPhoneSized(page, "Volunteers' contacts acknowledged (ja)");
    await screenshot(page, "volunteer-contacts-acknowledged-ja");
    const contacts = (await api("GET", "/directory/volunteer-contacts?acknowledged=true")).body.contacts;
    assert.equal(contacts.length, 1);
    assert.equal(contacts[0].memberId, member.id);

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "Volunteers' contacts" }).waitFor();
    await page.getByRole("region", { name: "To acknowledge" }).getByText("Nothing to acknowledge.").waitFor();
    await assertAccessible(page, "Volunteers' contacts (en)");
    await page.context().close();

    // An observer: the member and the note hidden, no button.
    const another = await api("POST", `/directory/volunteers/${tanaka.id}/contacts`, { memberId: member.id, contactedAt: new Date().toISOString(), note: "電話で様子を聞きました" });
    assert.equal(another.status, 201, JSON.stringify(another.body));
    const observer = (await api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token as string;
    const watching = await signedInPage(suite.browser, suite.url, observer, { viewport: PHONE });
    await watching.goto(`${suite.url}/volunteers/contacts`);
    const masked = watching.getByRole("region", { name: "未確認の記録" }).getByRole("article");
    await masked.first().waitFor();
    assert.equal(await watching.getByText("青木 富子").count(), 0, "the member's name is hidden from observers");
    assert.equal(await watching.getByText("電話で様子を聞きました").count(), 0, "the note is hidden from observers");
    assert.equal(await masked.getByRole("button").count(), 0);
    await assertAccessible(watching, "Volunteers' contacts for an observer (ja)");
    await watching.context().close();
  });
});
