/**
 * 同意と個人情報 on a member's page, in Debian's Chromium: the flag for watching
 * without consent, recording a consent (the flag clears, the history lists it),
 * the export as a file, and the erasure that needs the member's name typed; the
 * list's mark for members watched without consent;
 * Japanese and English with no WCAG 2.2 AA violation; screenshots saved.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAccessible, consoleSuite, screenshot, signedInPage } from "../support/console.ts";
import { memberBody } from "../support/sandbox.ts";

describe("consent and personal information in the console", () => {
  const suite = consoleSuite();

  test("record a consent, export the member's data, erase it after typing the name", async () => {
    const member = await suite.service.api("POST", "/members", memberBody({ displayName: "同意 トメ" }));
    assert.equal(member.status, 201);
    const id = member.body.id;
    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.goto(`${suite.url}/members/${id}`);
    await page.getByRole("heading", { level: 1, name: "同意 トメ" }).waitFor();
    const section = page.getByTestId("consent-section");
    await section.getByText("同意の記録がないまま見守っています。").waitFor();
    await assertAccessible(page, "Member page, consent missing (ja)");
    await screenshot(page, "member-consent-missing-ja");

    await section.getByLabel("規約の版（任意）").fill("2");
    await section.getByRole("button", { name: "同意を記録する" }).click();
    await section.getByText("見守り: 同意の記録があります。").waitFor();
    await section.locator(".consent-history li").filter({ hasText: "規約 第2版" }).waitFor();
    assert.equal((await suite.service.api("GET", `/members/${id}/consents`)).body.watching, "recorded");

    await section.getByRole("button", { name: "JSON で書き出す" }).click();
    await section.getByText(`member-${id}.json を保存しました。`).waitFor();
    const erase = section.getByRole("button", { name: "個人情報を削除する" });
    assert.equal(await erase.isDisabled(), true, "nothing typed yet");
    await section.getByLabel("理由（個人名は書かないでください）").fill("本人の申出");
    await section.getByLabel("確認のため利用者の名前（同意 トメ）を入力").fill("同意 トメ違い");
    assert.equal(await erase.isDisabled(), true, "a name that does not match erases nothing");
    await assertAccessible(page, "Member page, consent recorded and erasure form (ja)");
    await screenshot(page, "member-consent-ja");

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 2, name: "Consent and personal information" }).waitFor();
    await section.getByText("Watching: consent recorded.").waitFor();
    await assertAccessible(page, "Member page, consent (en)");
    await screenshot(page, "member-consent-en");

    await section.getByLabel("Type the member's name (同意 トメ) to confirm").fill("同意 トメ");
    await section.getByRole("button", { name: "Erase the member's data" }).click();
    await page.waitForURL(`${suite.url}/members`);
    assert.equal((await suite.service.api("GET", `/members/${id}`)).status, 404);
    const log = (await suite.service.api("GET", `/audit-log?memberId=${id}`)).body.entries.map((e: { action: string }) => e.action);
    assert.ok(log.includes("personal.export") && log.includes("member.erasure"), JSON.stringify(log));
    await page.context().close();
  });

  test("a consent recorded with today's date counts at once (from the start of today in the organisation's zone, not 21:00 JST)", async () => {
    const member = await suite.service.api("POST", "/members", memberBody({ displayName: "機器 サチ" }));
    const id = member.body.id;
    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.goto(`${suite.url}/members/${id}`);
    const section = page.getByTestId("consent-section");
    const row = section.locator(".consent-current tr").filter({ hasText: "機器による見守り" });
    await row.getByText("記録なし").waitFor();
    await section.getByRole("button", { name: /目的/ }).click();
    await page.getByRole("option", { name: "機器による見守り" }).click();
    await section.getByRole("button", { name: /同意の方法/ }).click();
    await page.getByRole("option", { name: "対面" }).click();
    // 同意日 left at its default: today in the organisation's zone (Asia/Tokyo).
    const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Tokyo" }).format(new Date());
    assert.equal(await section.getByLabel("同意日").inputValue(), today);
    await section.getByRole("button", { name: "同意を記録する" }).click();
    await row.getByText("同意", { exact: true }).waitFor();
    const consents = (await suite.service.api("GET", `/members/${id}/consents`)).body;
    const current = consents.current.find((c: { purpose: string }) => c.purpose === "device_monitoring");
    assert.equal(current.decision, "permit");
    // Stored as local midnight: the date's own start in JST.
    assert.equal(new Date(current.consent.givenAt).toISOString(), new Date(`${today}T00:00:00+09:00`).toISOString());
    assert.equal(new Date(current.consent.periodStart).toISOString(), new Date(`${today}T00:00:00+09:00`).toISOString());
    await page.context().close();
  });

  test("an observer sees the consents but no form, no export and no erasure", async () => {
    const member = await suite.service.api("POST", "/members", memberBody({ displayName: "閲覧 タロウ" }));
    const observer = (await suite.service.api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token;
    const page = await signedInPage(suite.browser, suite.url, observer);
    await page.goto(`${suite.url}/members/${member.body.id}`);
    const section = page.getByTestId("consent-section");
    await section.getByText("同意の記録がないまま見守っています。").waitFor();
    assert.equal(await section.getByRole("button", { name: "同意を記録する" }).count(), 0);
    assert.equal(await page.getByTestId("personal-data").count(), 0);
    await assertAccessible(page, "Member page as observer, consent (ja)");
    // The list marks the members watched without a record of consent.
    await page.goto(`${suite.url}/members`);
    // (an observer sees names as ***: the row is the one linking to the member)
    const row = page.locator(`tr:has(a[href="/members/${member.body.id}"])`);
    await row.getByTestId("consent-badge").filter({ hasText: "同意未記録" }).waitFor();
    await assertAccessible(page, "Member list with a consent badge (ja)");
    await page.context().close();
  });
});
