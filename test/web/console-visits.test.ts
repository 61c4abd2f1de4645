/**
 * Visits in Debian's Chromium: staff, with the keyboard alone, take an
 * incident on, phone the member (the number as a tel: link, the call's
 * outcome on the timeline) and ask two watchers in order for a visit; the
 * first, on a phone-sized screen, declines; the second accepts it and records
 * 会えた・元気 — the incident is then resolved with outcome visited_fine. A
 * watcher opening a member not assigned to them reads a plain sentence (the
 * API answers 403). An overdue visit stands out on Today. Every new screen is
 * checked with axe in Japanese and English; screenshots saved. One database
 * (PostgreSQL when there is one).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, personPage, screenshot } from "../support/console.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson, PASSWORD, totpNow } from "../support/people.ts";
import { memberBody } from "../support/sandbox.ts";

const ON = databaseKinds().at(-1) as "pglite" | "postgres";
const PHONE = { width: 390, height: 844 };

/** Nothing wider than the screen (no sideways scrolling), and every button a thumb can hit (44 CSS px, WCAG 2.5.8 asks 24). */
async function assertPhoneSized(page: Page, what: string): Promise<void> {
  const width = await page.evaluate("document.documentElement.scrollWidth") as number;
  assert.ok(width <= PHONE.width, `${what}: the page is ${width}px wide on a ${PHONE.width}px screen`);
  for (const button of await page.locator(".visit-card button, .visit-card .big-choice").all()) {
    const box = await button.boundingBox();
    assert.ok(box && box.height >= 44, `${what}: "${await button.textContent()}" is ${box?.height}px high`);
  }
}

describe(`visits in the console (${ON})`, () => {
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

  test("staff assign a visit with the keyboard; the first watcher declines on a phone, the next accepts and records 会えた・元気: resolved visited_fine", async () => {
    const aoki = (await service.api("POST", "/members", memberBody({ displayName: "青木 富子", address: "東京都港区芝1-2-3", phone: "03-1234-5678" }))).body;
    const aokiIncident = (await service.api("POST", `/members/${aoki.id}/answers`, { answer: "need_contact" })).body.incidentId;
    const ishii = (await service.api("POST", "/members", memberBody({ displayName: "石井 茂" }))).body;
    const ishiiIncident = (await service.api("POST", `/members/${ishii.id}/answers`, { answer: "need_contact" })).body.incidentId;
    // Team staff: Today shows their own team (the default one, where the members are).
    const team = (await service.api("GET", "/teams")).body.teams.find((t: { isDefault: boolean }) => t.isDefault);
    const staff = await invitedPerson(service.api, service.url, { displayName: "職員 山本", loginId: "yamamoto", role: "staff", teamIds: [team.id] });
    const tanaka = await invitedPerson(service.api, service.url, { displayName: "民生委員 田中", loginId: "tanaka", role: "watcher" });
    const suzuki = await invitedPerson(service.api, service.url, { displayName: "見守り 鈴木", loginId: "suzuki", role: "watcher" });

    // Staff, keyboard only.
    const desk = await personPage(browser, service.url, "yamamoto", PASSWORD, () => totpNow(staff.secret));
    await desk.getByRole("link", { name: "対応" }).press("Enter");
    await desk.getByRole("heading", { level: 1, name: "対応" }).waitFor();
    await desk.getByRole("button", { name: "青木 富子" }).press("Enter");
    await desk.getByRole("heading", { level: 2, name: "青木 富子 さんの対応" }).waitFor();
    await desk.getByRole("button", { name: "引き受ける（対応します）" }).press("Enter");
    await desk.locator(".incident-detail .facts").getByText("対応中").waitFor();

    // 本人に電話: the number to tap, then how the call went.
    const dial = desk.getByRole("link", { name: "電話をかける: 03-1234-5678" });
    assert.equal(await dial.getAttribute("href"), "tel:+81312345678");
    // Nothing is chosen beforehand: the call cannot be recorded until its outcome is picked.
    assert.equal(await desk.getByRole("button", { name: "通話の結果を記録する" }).isDisabled(), true);
    await desk.getByRole("button", { name: /通話の結果/ }).first().press("Enter");
    await desk.getByRole("option", { name: "留守番電話だった" }).press("Enter");
    await desk.getByLabel("通話のメモ（任意）").fill("夕方にもう一度かける");
    await desk.getByRole("button", { name: "通話の結果を記録する" }).press("Enter");
    await desk.locator(".timeline .event-call").getByText("留守番電話だった").waitFor();

    // Ask two watchers, in the order ticked.
    await desk.getByRole("checkbox", { name: /民生委員 田中/ }).press("Space");
    await desk.getByRole("checkbox", { name: /見守り 鈴木/ }).press("Space");
    await desk.getByText("依頼する順番: 1. 民生委員 田中 → 2. 見守り 鈴木").waitFor();
    await desk.getByLabel("協力者へのお願い・伝えること（任意）").fill("鍵はお隣の佐藤さんが預かっています");
    await desk.getByRole("button", { name: "訪問を依頼する" }).press("Enter");
    await desk.locator(".visit-section").getByText("お願い中（返事待ち）").waitFor();
    await desk.locator(".timeline .event-visit_assigned").waitFor();
    await assertAccessible(desk, "Incident with a visit (ja)");
    await screenshot(desk, "incident-visit-ja");

    // Several at once: the other incident, from the queue.
    await desk.getByRole("checkbox", { name: "石井 茂 さんの対応を選ぶ" }).press("Space");
    await desk.getByRole("button", { name: "選んだ1件を引き受ける" }).press("Enter");
    await desk.getByText("1件を引き受けました（0件は引き受け済みか完了済みでした）。").waitFor();
    assert.equal((await service.api("GET", `/incidents/${ishiiIncident}`)).body.status, "acknowledged");

    // The first watcher, on a phone: their task only; they cannot go.
    const first = await personPage(browser, service.url, "tanaka", PASSWORD, () => totpNow(tanaka.secret), { viewport: PHONE });
    await first.getByRole("heading", { level: 1, name: "わたしの訪問" }).waitFor();
    assert.deepEqual(await first.getByRole("navigation").getByRole("link").allTextContents(), ["わたしの訪問", "わたしへの依頼", "自分の連絡先", "ログイン中の端末", "パスキー"]);
    const card = first.getByRole("article", { name: "青木 富子" });
    await card.getByText("東京都港区芝1-2-3").waitFor();
    assert.equal(await card.getByRole("link", { name: "03-1234-5678" }).getAttribute("href"), "tel:+81312345678");
    await card.getByText("鍵はお隣の佐藤さんが預かっています").waitFor();
    await assertAccessible(first, "My visits (ja)");
    await assertPhoneSized(first, "My visits (ja)");
    await screenshot(first, "my-visits-ja");
    await card.getByRole("button", { name: "今回は行けない" }).click();
    await first.getByLabel("理由（任意・職員に伝わります）").fill("今日は通院日です");
    await assertAccessible(first, "Declining a visit (ja)");
    await first.getByRole("button", { name: "辞退する（次の方にお願いします）" }).click();
    await first.getByText("いまお願いされている訪問はありません。").waitFor();

    // A member who is not theirs (any more): a plain sentence; the API says 403.
    await first.goto(`${service.url}/members/${aoki.id}`);
    await first.getByRole("alert").getByText("この利用者はあなたの担当ではありません。", { exact: false }).waitFor();
    await assertAccessible(first, "A member not assigned (ja)");
    await screenshot(first, "watcher-not-assigned-ja");
    const refused = await first.request.get(`${service.url}/api/v1/members/${ishii.id}`);
    assert.equal(refused.status(), 403);
    assert.equal((await refused.json()).error.code, "not_assigned");
    await first.context().close();

    // The next watcher: accepts and records 会えた・元気.
    const next = await personPage(browser, service.url, "suzuki", PASSWORD, () => totpNow(suzuki.secret), { viewport: PHONE });
    const task = next.getByRole("article", { name: "青木 富子" });
    await task.getByRole("button", { name: "引き受ける" }).click();
    await task.getByText("引き受け済み").waitFor();
    // A tap on the big choice (its label), as a thumb would.
    await task.locator(".choice-met_fine").click();
    assert.equal(await task.getByRole("radio", { name: "会えた・元気" }).isChecked(), true);
    await task.getByLabel("メモ（任意）").fill("お元気でした。通院の帰りでした。");
    await assertAccessible(next, "Recording a visit (ja)");
    await assertPhoneSized(next, "Recording a visit (ja)");
    await screenshot(next, "visit-outcome-ja");
    await task.getByRole("button", { name: "結果を送る" }).click();
    await next.getByRole("heading", { level: 2, name: "終わった訪問" }).waitFor();
    await next.locator(".finished").getByText("会えた・元気").waitFor();

    const resolved = (await service.api("GET", `/incidents/${aokiIncident}`)).body;
    assert.equal(resolved.status, "resolved");
    assert.equal(resolved.resolved.outcome, "visited_fine");
    const types = resolved.timeline.map((e: { type: string }) => e.type);
    for (const type of ["call", "visit_assigned", "visit_declined", "visit_accepted", "visit_reported", "resolved"]) assert.ok(types.includes(type), type);

    // English, on the phone.
    await next.getByRole("radio", { name: "English" }).or(next.getByRole("button", { name: "English" })).first().click();
    await next.getByRole("heading", { level: 1, name: "My visits" }).waitFor();
    await assertAccessible(next, "My visits (en)");
    await screenshot(next, "my-visits-en");
    await next.context().close();

    // An overdue visit stands out on Today and in the queue; in English too.
    const late = await service.api("POST", `/incidents/${ishiiIncident}/visits`, {
      watcherIds: [tanaka.id], dueAt: new Date(Date.parse((await service.api("GET", "/sandbox/clock")).body.now) - 3_600_000).toISOString(),
    });
    assert.equal(late.status, 201, JSON.stringify(late.body));
    await desk.getByRole("link", { name: "本日の状況" }).press("Enter");
    const overdue = desk.getByRole("region", { name: "期限を過ぎた訪問（1件）" });
    await overdue.getByText("石井 茂").waitFor();
    await assertAccessible(desk, "Today with an overdue visit (ja)");
    await screenshot(desk, "today-overdue-visit-ja");
    await desk.getByRole("link", { name: "対応" }).press("Enter");
    await desk.locator("tr.overdue").getByText("石井 茂").waitFor();
    await desk.getByRole("radio", { name: "English" }).or(desk.getByRole("button", { name: "English" })).first().press("Enter");
    await desk.getByRole("heading", { level: 1, name: "Incidents" }).waitFor();
    await desk.getByRole("button", { name: "石井 茂" }).press("Enter");
    await desk.getByRole("heading", { level: 3, name: "Visit" }).waitFor();
    await desk.locator(".visit-section").getByText("Overdue").waitFor();
    await assertAccessible(desk, "Incident with an overdue visit (en)");
    await screenshot(desk, "incident-visit-en");
    await desk.getByRole("link", { name: "Today" }).press("Enter");
    await desk.getByRole("region", { name: "Overdue visits (1)" }).waitFor();
    await assertAccessible(desk, "Today with an overdue visit (en)");
    await desk.context().close();
  });
});
