/**
 * 機器 in Debian's Chromium: staff register a fridge sensor on a member's page and
 * see its token once; it reports over HTTP; the devices screen shows every device
 * with its status (a device that never reported turns silent). Japanese and
 * English with no WCAG 2.2 AA violation.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAccessible, consoleSuite, screenshot, signedInPage } from "../support/console.ts";
import { memberBody } from "../support/sandbox.ts";

describe("devices in the console", () => {
  const suite = consoleSuite();

  test("register a device on a member's page, see its token once, and its status on the devices screen", async () => {
    const member = await suite.service.api("POST", "/members", memberBody({ displayName: "冷蔵庫 ハナ" }));
    assert.equal(member.status, 201);
    const quiet = await suite.service.api("POST", `/members/${member.body.id}/devices`, { kind: "motion", name: "寝室センサー", power: "mains", rules: [] });
    assert.equal(quiet.status, 201);
    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.goto(`${suite.url}/members/${member.body.id}`);
    await page.getByRole("heading", { level: 2, name: "機器(ICT見守り)" }).waitFor();
    const form = page.getByRole("form", { name: "機器を登録" });
    await form.getByRole("textbox", { name: "名前", exact: true }).fill("台所の冷蔵庫");
    await form.getByRole("button", { name: "機器を登録" }).click();
    const token = (await page.getByTestId("device-token").textContent()) ?? "";
    assert.match(token, /^mmd_/);
    // A device that has never reported is not "connected": nothing proves it works yet.
    await page.locator("table.devices tr").filter({ hasText: "台所の冷蔵庫" }).getByText("まだ受信なし").waitFor();
    await page.locator("table.devices tr").filter({ hasText: "寝室センサー" }).getByText("まだ受信なし").waitFor();
    const sent = await fetch(`${suite.url}/network/devices/events`, {
      method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ contact: false }),
    });
    assert.equal(sent.status, 202);
    await page.locator("table.devices tr").filter({ hasText: "台所の冷蔵庫" }).waitFor();
    await assertAccessible(page, "Member page with devices (ja)");
    await screenshot(page, "member-devices-ja");
    assert.equal((await suite.service.api("POST", "/sandbox/clock", { advance: "PT15M" })).status, 200);
    await page.goto(`${suite.url}/devices`);
    await page.getByRole("heading", { level: 1, name: "機器" }).waitFor();
    const silentRow = page.locator("table.devices tr").filter({ hasText: "寝室センサー" });
    await silentRow.getByText("連絡なし").waitFor();
    const onlineRow = page.locator("table.devices tr").filter({ hasText: "台所の冷蔵庫" });
    await onlineRow.getByText("接続中").waitFor();
    // Silent and online differ by more than colour: their own class, mark and border.
    const silentBadge = silentRow.locator(".badge");
    const onlineBadge = onlineRow.locator(".badge");
    assert.match((await silentBadge.getAttribute("class")) ?? "", /status-silent/);
    assert.match((await onlineBadge.getAttribute("class")) ?? "", /status-online/);
    assert.notEqual(await silentBadge.textContent(), await onlineBadge.textContent());
    type Styled = { getComputedStyle(e: unknown): { backgroundColor: string } };
    const background = (e: unknown) => (globalThis as unknown as Styled).getComputedStyle(e).backgroundColor;
    assert.notEqual(await silentBadge.evaluate(background), await onlineBadge.evaluate(background));
    await assertAccessible(page, "Devices (ja)");
    await screenshot(page, "devices-ja");
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "Devices" }).waitFor();
    await silentRow.getByText("Silent").waitFor();
    await assertAccessible(page, "Devices (en)");
    await page.context().close();
  });
});
