/**
 * 対応 (Incidents) in Debian's Chromium, with the keyboard alone: the queue
 * names the member; take the incident on, add a note, record 会えた・元気
 * (visited_fine) — the API then shows it resolved with that outcome. In
 * Japanese and English, no WCAG 2.2 AA violation; screenshots saved. One
 * database (PostgreSQL when there is one).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, screenshot, signedInPage } from "../support/console.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";

const ON = databaseKinds().at(-1) as "pglite" | "postgres";

describe(`incidents in the console (${ON})`, () => {
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

  test("the queue, then take on, note and resolve with the keyboard alone", async () => {
    const ids: Record<string, string> = {};
    for (const [name, answer] of [["松本 清", "need_contact"], ["井上 春子", "need_contact"]] as const) {
      const member = (await service.api("POST", "/members", memberBody({ displayName: name }))).body;
      ids[name] = (await service.api("POST", `/members/${member.id}/answers`, { answer })).body.incidentId;
    }
    const page = await signedInPage(browser, service.url, service.token);
    await page.getByRole("link", { name: "対応" }).press("Enter");
    await page.getByRole("heading", { level: 1, name: "対応" }).waitFor();
    // The heading comes before the queue's rows: read them once both are there.
    await page.locator("tbody .link-button").nth(1).waitFor();
    const names = await page.locator("tbody .link-button").allTextContents();
    assert.deepEqual(names, ["松本 清", "井上 春子"], "same urgency: the longest waiting first");
    await assertAccessible(page, "Incidents (ja)");
    await screenshot(page, "incidents-ja");

    await page.getByRole("button", { name: "松本 清" }).press("Enter");
    await page.getByRole("heading", { level: 2, name: "松本 清 さんの対応" }).waitFor();
    await page.getByRole("button", { name: "引き受ける（対応します）" }).press("Enter");
    await page.getByText("対応中").first().waitFor();
    await page.getByLabel("対応メモ").fill("自宅を訪問します。");
    await page.getByRole("button", { name: "メモを残す" }).press("Enter");
    await page.locator(".timeline .event-note").getByText("自宅を訪問します。").waitFor();
    // The outcome select: open with the keyboard, the first choice is 会えた・元気.
    const select = page.getByRole("button", { name: /結果/ }).first();
    await select.press("Enter");
    await page.getByRole("option", { name: "訪問して無事を確認（会えた・元気）" }).press("Enter");
    await assertAccessible(page, "Incident detail (ja)");
    await screenshot(page, "incident-detail-ja");
    await page.getByRole("button", { name: "結果を記録して完了する" }).press("Enter");
    await page.getByRole("button", { name: "松本 清" }).waitFor({ state: "detached" });
    const resolved = (await service.api("GET", `/incidents/${ids["松本 清"]}`)).body;
    assert.equal(resolved.status, "resolved");
    assert.equal(resolved.resolved.outcome, "visited_fine");
    assert.ok(resolved.timeline.some((e: { type: string; note?: string }) => e.type === "note" && e.note === "自宅を訪問します。"));

    // Several at once in a storm: pick, then take them all on.
    await page.getByRole("checkbox", { name: "井上 春子 さんの対応を選ぶ" }).press("Space");
    await page.getByRole("button", { name: "選んだ1件を引き受ける" }).press("Enter");
    await page.getByRole("button", { name: "選んだ0件を引き受ける" }).waitFor();
    assert.equal((await service.api("GET", `/incidents/${ids["井上 春子"]}`)).body.status, "acknowledged");

    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().press("Enter");
    await page.getByRole("heading", { level: 1, name: "Incidents" }).waitFor();
    await page.getByRole("button", { name: "井上 春子" }).press("Enter");
    await page.getByRole("heading", { level: 2, name: "Incident of 井上 春子" }).waitFor();
    await assertAccessible(page, "Incidents with detail (en)");
    await screenshot(page, "incidents-en");
    await page.context().close();
  });
});
