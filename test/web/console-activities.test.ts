/**
 * 活動と出席 (issue 14) in Debian's Chromium: the calendar of salons and 通いの場
 * from the directory's schedules (the national holiday left out); a session's
 * page where staff find a member and tick them, set the member's agreement that
 * attending counts as their check-in, un-tick a mistaken entry (with a
 * confirmation, and the answer saying the check-in was taken back), record an
 * agreement before a member first comes (calendar page, by search); the door
 * poster with its QR code, printable; and the door page its link opens (no
 * account, no JavaScript): a wrong number and a right one are answered alike,
 * and the right one appears in the list as keyed in at the door, where staff
 * can un-tick it too. Observers read with names hidden. Japanese and English,
 * desktop and phone, no WCAG 2.2 AA violation; screenshots saved.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { assertAccessible, consoleSuite, noScriptPage, screenshot, signedInPage } from "../support/console.ts";
import { TOKYO } from "../support/harness.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";

const PHONE = { width: 390, height: 844 };

async function assertPhoneSized(page: Page, what: string): Promise<void> {
  const width = await page.evaluate("document.documentElement.scrollWidth") as number;
  assert.ok(width <= PHONE.width, `${what}: the page is ${width}px wide on a ${PHONE.width}px screen`);
}

describe("activities and attendance in the console", () => {
  const suite = consoleSuite();

  test("calendar → session → tick, agree, un-tick; the door poster and its page answer alike and record 'door'; ja and en, desktop and phone", async () => {
    const api = suite.service.api;
    const made = async (path: string, body: unknown) => {
      const r = await api("POST", path, body);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    const provider = await made("/directory/organizations", { name: "本町社会福祉協議会" });
    const salon = await made("/directory/services", { directoryOrganizationId: provider.id, name: "ふれあいサロン", status: "active" });
    assert.equal((await api("PUT", `/directory/services/${salon.id}/taxonomy`, { codes: ["kayoi.salon"] })).status, 200);
    // Every Monday 10:00–12:00 from 2027-01-04; 2027-01-11 is 成人の日 (closed on national holidays).
    const schedule = (await made(`/directory/services/${salon.id}/schedules`, {
      kind: "opening_hours", freq: "WEEKLY", byday: "MO", opensAt: "10:00", closesAt: "12:00", dtstart: "2027-01-04",
    })).id as string;
    // A one-off health talk of the salon, named by its own row (its description).
    await made(`/directory/services/${salon.id}/schedules`, { kind: "event", dtstart: "2027-01-20", opensAt: "13:30", closesAt: "15:00", description: "健康講座" });
    const yoshiko = (await made("/members", memberBody({ displayName: "参加 よし子", channels: [{ kind: "sandbox", address: "yoshiko" }] }))).id as string;
    const taro = (await made("/members", memberBody({ displayName: "入口 たろう", channels: [{ kind: "sandbox", address: "taro" }] }))).id as string;
    await made(`/members/${taro}/registration-numbers`, { registrationNumber: "556677", kind: "keyholder" });
    await sandbox(api).clockTo(TOKYO("2027-01-04T10:30:00"));

    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.getByRole("navigation").getByRole("link", { name: "活動と出席", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "活動と出席" }).waitFor();
    const rows = page.locator("table.activity-list tbody tr");
    await rows.first().waitFor();
    const listed = await rows.evaluateAll((trs) => trs.map((tr) => tr.querySelector("td")?.textContent ?? ""));
    assert.deepEqual(listed, ["2027年1月4日(月)", "2027年1月18日(月)", "2027年1月20日(水)", "2027年1月25日(月)"], "the holiday on 1/11 is left out");
    await page.getByRole("link", { name: "健康講座（ふれあいサロン）", exact: true }).waitFor();
    assert.match((await rows.first().textContent()) ?? "", /ふれあいサロン.*10:00–12:00.*0 人/);
    await page.getByText("同意を記録した人はいません。").waitFor();
    // たろう's agreement is recorded before he first comes: found by search on the calendar's page.
    await page.getByRole("searchbox", { name: "利用者を検索（氏名・番号）" }).fill("たろう");
    await page.getByRole("button", { name: "検索", exact: true }).click();
    await page.getByRole("button", { name: "入口 たろう の同意（出席を安否確認に数える）を記録する" }).click();
    await page.getByRole("status").getByText("入口 たろう さんの同意を「数える」にしました。").waitFor();
    await page.getByRole("checkbox", { name: "入口 たろう：出席を安否確認に数える（本人の同意）" }).waitFor();
    assert.equal((await api("GET", `/directory/attendance-settings?memberId=${taro}`)).body.settings[0].countsAsSignOfLife, true);
    await assertAccessible(page, "Activities calendar (ja)");
    await screenshot(page, "activities-calendar-ja");

    // The session: find よし子 and tick her.
    await rows.first().getByRole("link", { name: "ふれあいサロン" }).click();
    await page.getByRole("heading", { level: 1, name: "ふれあいサロン" }).waitFor();
    await page.getByText("まだ記録はありません。").waitFor();
    await page.getByRole("searchbox", { name: "利用者を検索（氏名・番号）" }).fill("よし子");
    await page.getByRole("button", { name: "検索", exact: true }).click();
    await page.getByRole("button", { name: "参加 よし子 を出席にする" }).click();
    await page.getByRole("status").getByText("参加 よし子 さんを出席にしました。", { exact: true }).waitFor();
    const came = page.locator("table.attendance-list tbody tr");
    await came.first().waitFor();
    assert.match((await came.first().textContent()) ?? "", /参加 よし子.*職員が記録.*—/);
    await page.getByText("出席済み").waitFor();
    // She agrees: attending counts as her check-in (from the next record on).
    await page.getByRole("checkbox", { name: "参加 よし子：出席を安否確認に数える（本人の同意）" }).press("Space");
    await page.getByRole("status").getByText("参加 よし子 さんの同意を「数える」にしました。", { exact: false }).waitFor();
    assert.equal((await api("GET", `/directory/attendance-settings?memberId=${yoshiko}`)).body.settings[0].countsAsSignOfLife, true);
    await assertAccessible(page, "A session with who came (ja)");
    await screenshot(page, "activity-session-ja");

    // Un-tick (ticked by mistake), then tick again: now it is her check-in.
    await page.getByRole("button", { name: "参加 よし子 の出席を取り消す" }).click();
    await page.getByText("参加 よし子 さんの出席を取り消しますか？").first().waitFor();
    await assertAccessible(page, "Un-tick asks to confirm (ja)");
    await page.getByRole("group", { name: "参加 よし子 さんの出席を取り消しますか？" }).getByRole("button", { name: "取り消す", exact: true }).click();
    await page.getByRole("status").getByText("参加 よし子 さんの出席を取り消しました。").waitFor();
    await page.getByText("まだ記録はありません。").waitFor();
    assert.deepEqual((await api("GET", `/directory/attendance?scheduleId=${schedule}&occursOn=2027-01-04`)).body.attendance, []);
    await page.getByRole("button", { name: "参加 よし子 を出席にする" }).click();
    await page.getByRole("status").getByText("参加 よし子 さんを出席にしました。本人の同意により、今日の安否確認になります。").waitFor();
    await came.first().filter({ hasText: "安否確認とした" }).waitFor();
    const entries = (await api("GET", "/audit-log?limit=50")).body.entries as { action: string }[];
    assert.ok(entries.some((e) => e.action === "directory_attendance.remove"), "un-ticking is audited");

    // The door poster: a QR code of the session's page, printable.
    await page.getByRole("button", { name: "ポスターを作る" }).click();
    const poster = page.getByTestId("door-poster");
    await poster.waitFor();
    const url = (await page.getByTestId("door-url").textContent()) ?? "";
    assert.match(url, /\/attend\/mda_[A-Za-z0-9_-]{32}$/);
    assert.equal(await page.getByTestId("door-qr").getAttribute("alt"), `参加の受付ページのQRコード（${url}）`);
    assert.match((await poster.textContent()) ?? "", /今日の参加の受付.*ふれあいサロン.*2027年1月4日\(月\) 10:00–12:00.*見守り番号/);
    await assertAccessible(page, "The door poster (ja)");
    await screenshot(page, "activity-poster-ja");
    await page.emulateMedia({ media: "print" });
    assert.equal(await page.getByRole("navigation").isVisible(), false, "the menu is not printed");
    assert.equal(await page.getByRole("heading", { name: "出席を記録する" }).isVisible(), false, "the session's controls are not printed");
    assert.ok(await page.getByTestId("door-qr").isVisible(), "the QR code is printed");
    await screenshot(page, "activity-poster-print-ja");
    await page.emulateMedia({ media: "screen" });

    // The door page (a phone, no account): a wrong number and a right one are answered alike.
    const door = await noScriptPage(suite.browser, PHONE);
    const phone = door.page;
    const answer = async (number: string) => {
      await phone.goto(url.replace("127.0.0.1", "localhost"));
      await phone.getByRole("heading", { level: 1, name: /ふれあいサロン/ }).waitFor();
      await phone.getByLabel(/見守り番号/).fill(number);
      await phone.getByRole("button", { name: /参加を伝える/ }).click();
      await phone.getByRole("heading", { level: 2, name: /受け付けました/ }).waitFor();
      return ((await phone.locator("main").textContent()) ?? "");
    };
    await phone.goto(url.replace("127.0.0.1", "localhost"));
    await phone.getByText("2027年1月4日（月）10:00〜12:00").waitFor();
    await door.check("The door page (ja)");
    await assertPhoneSized(phone, "The door page");
    await screenshot(phone, "activity-door-form");
    const wrong = await answer("999999");
    await screenshot(phone, "activity-door-answer");
    const right = await answer("556-677");
    assert.equal(right, wrong, "the same answer matched or not");
    await door.check("The door page's answer (ja)");
    await door.close();

    // Back in the console: たろう came through the door; staff can un-tick it.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "ふれあいサロン" }).waitFor();
    const taroRow = came.filter({ hasText: "入口 たろう" });
    await taroRow.waitFor();
    assert.match((await taroRow.textContent()) ?? "", /入口のQRコード.*本人が番号を入力/);
    const byDoor = (await api("GET", `/directory/attendance?memberId=${taro}`)).body.attendance[0];
    assert.deepEqual([byDoor.source, byDoor.signOfLifeAt], ["door", TOKYO("2027-01-04T10:30:00")], "from the door, his check-in (he agreed)");
    await page.getByRole("button", { name: "入口 たろう の出席を取り消す" }).click();
    await page.getByRole("group", { name: "入口 たろう さんの出席を取り消しますか？" }).getByRole("button", { name: "取り消す", exact: true }).click();
    await page.getByRole("status").getByText("入口 たろう さんの出席を取り消しました。").waitFor();
    await came.filter({ hasText: "入口 たろう" }).waitFor({ state: "detached" });

    // English.
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 2, name: "Who came" }).waitFor();
    assert.match((await came.first().textContent()) ?? "", /参加 よし子.*Staff.*Counted as check-in/);
    await assertAccessible(page, "A session (en)");
    await screenshot(page, "activity-session-en");
    await page.getByRole("link", { name: "Back to the activities" }).click();
    await page.getByRole("heading", { level: 1, name: "Activities & attendance" }).waitFor();
    await rows.first().filter({ hasText: "1" }).waitFor();
    await page.getByRole("link", { name: "健康講座 (ふれあいサロン)", exact: true }).waitFor();
    await page.getByRole("heading", { level: 2, name: "Members whose attending counts as check-in" }).waitFor();
    await assertAccessible(page, "Activities calendar (en)");
    await screenshot(page, "activities-calendar-en");
    await page.context().close();

    // A phone, in Japanese and English: the calendar and a session fit.
    for (const lang of ["ja", "en"] as const) {
      const small = await signedInPage(suite.browser, suite.url, suite.service.token, { viewport: PHONE, lang });
      await small.goto(`${suite.url}/activities`);
      await small.locator("table.activity-list tbody tr").first().waitFor();
      await assertAccessible(small, `Activities on a phone (${lang})`);
      await assertPhoneSized(small, `Activities on a phone (${lang})`);
      await screenshot(small, `activities-calendar-phone-${lang}`);
      await small.goto(`${suite.url}/activities/${schedule}_2027-01-04`);
      await small.locator("table.attendance-list tbody tr").first().waitFor();
      await assertAccessible(small, `A session on a phone (${lang})`);
      await assertPhoneSized(small, `A session on a phone (${lang})`);
      await screenshot(small, `activity-session-phone-${lang}`);
      await small.context().close();
    }

    // An observer reads: names hidden, no buttons to tick, un-tick or print.
    const observer = (await api("POST", "/tokens", { name: "observer", role: "observer" })).body.token;
    const readOnly = await signedInPage(suite.browser, suite.url, observer);
    await readOnly.goto(`${suite.url}/activities/${schedule}_2027-01-04`);
    await readOnly.locator("table.attendance-list tbody tr").first().waitFor();
    assert.equal(await readOnly.getByText("参加 よし子").count(), 0, "the member's name is hidden");
    assert.equal(await readOnly.getByRole("main").getByRole("button").count(), 0, "an observer has no buttons");
    await assertAccessible(readOnly, "A session for an observer (ja)");
    await readOnly.context().close();
    assert.ok(yoshiko);
  });
});
