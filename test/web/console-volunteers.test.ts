/**
 * 担い手 (the volunteers' registry, issue 14) in Debian's Chromium: a coordinator
 * registers a volunteer from the menu — name, phone, skills from the taxonomy, an
 * area, a weekly day and times, their own limit of open requests, a login, an
 * owner and a next contact date — with the form's and the API's refusals shown at
 * their fields and nothing created; the list then reads it in words (and
 * filters by what they help with); the
 * coordinator takes them off duty and archives them (shown under "archived").
 * An observer reads the list without buttons and with names hidden. English
 * on a phone: the picker's placeholder in the console's language, no sideways
 * scrolling. axe (WCAG 2.2 AA) on each; screenshots saved.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAccessible, consoleSuite, screenshot, signedInPage } from "../support/console.ts";

const PHONE = { width: 390, height: 844 };

describe("the volunteers' registry in the console", () => {
  const suite = consoleSuite();

  test("register, refusals at their fields, the list in words, off duty, archive; observer read-only; en on a phone", async () => {
    const api = suite.service.api;
    await api("POST", "/people", { displayName: "担当 佐藤", loginId: "sato", role: "staff" });
    const watcher = await api("POST", "/people", { displayName: "山田 花子", loginId: "hanako", role: "watcher" });
    assert.equal(watcher.status, 201, JSON.stringify(watcher.body));
    const volunteers = async () => [
      ...(await api("GET", "/directory/volunteers")).body.volunteers, ...(await api("GET", "/directory/volunteers?archived=true")).body.volunteers,
    ] as Record<string, unknown>[];

    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.getByRole("link", { name: "担い手", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "担い手" }).waitFor();
    await page.getByText("0 人の担い手").waitFor();
    await page.getByRole("button", { name: "担い手を登録" }).click();
    const form = page.getByRole("form", { name: "担い手を登録" });
    await form.waitFor();
    // The form's own refusals: no name; a day's end before its start.
    await form.getByRole("button", { name: "曜日と時間を加える" }).click();
    await form.getByRole("button", { name: /^月曜 曜日 1/ }).click();
    await page.getByRole("option", { name: "火曜" }).click();
    await form.getByRole("textbox", { name: "から", exact: true }).fill("13:00");
    await form.getByRole("textbox", { name: "まで", exact: true }).fill("12:00");
    await form.getByRole("button", { name: "登録する" }).click();
    await form.getByText("終わりは始まりより後にしてください。").waitFor();
    assert.equal(await form.getByRole("textbox", { name: /^名前/ }).getAttribute("aria-invalid"), "true");
    assert.equal((await volunteers()).length, 0, "a refused form creates nothing");
    await form.getByRole("textbox", { name: /^名前/ }).fill("山田 花子");
    await form.getByRole("textbox", { name: "まで", exact: true }).fill("15:00");
    await form.getByRole("textbox", { name: "電話番号" }).fill("でんわ");
    await form.getByRole("button", { name: /できることを追加/ }).click();
    await page.getByRole("option", { name: /買い物代行/ }).click();
    await form.getByRole("button", { name: "買い物代行 を外す" }).waitFor();
    await form.getByRole("button", { name: "地域を加える" }).click();
    await form.getByRole("textbox", { name: "町名" }).fill("本町");
    await form.getByRole("button", { name: /同時に受ける依頼の数/ }).click();
    await page.getByRole("option", { name: "2 件まで" }).click();
    await form.getByRole("button", { name: /ログイン/ }).click();
    await page.getByRole("option", { name: "山田 花子" }).click();
    await form.getByRole("button", { name: /担当職員/ }).click();
    await page.getByRole("option", { name: "担当 佐藤" }).click();
    await form.getByLabel("次に連絡する日").fill("2027-04-01");
    // The API's refusal (a phone number that is none), shown at its field; nothing created.
    await form.getByRole("button", { name: "登録する" }).click();
    await form.getByText("まだ保存していません。", { exact: false }).waitFor();
    assert.equal(await form.getByRole("textbox", { name: "電話番号" }).getAttribute("aria-invalid"), "true");
    assert.equal(await form.getByRole("textbox", { name: /^名前/ }).getAttribute("aria-invalid"), null);
    assert.equal((await volunteers()).length, 0, "a refused volunteer is not created");
    await assertAccessible(page, "Register a volunteer, refused (ja)");
    await screenshot(page, "volunteer-add-refused-ja");
    await form.getByRole("textbox", { name: "電話番号" }).fill("090-1234-5678");
    await form.getByRole("button", { name: "登録する" }).click();
    await page.getByRole("heading", { level: 1, name: "山田 花子" }).waitFor();
    const [stored] = await volunteers();
    assert.deepEqual(
      [stored!.phone, stored!.skills, stored!.areas, stored!.availability, stored!.maxOpenRequests, stored!.personId, stored!.nextContactOn, stored!.onDuty],
      ["+819012345678", ["shopping.proxy"], [{ kind: "town", value: "本町" }], [{ weekday: 2, from: "13:00", to: "15:00" }], 2, watcher.body.person.id, "2027-04-01", true],
    );
    await assertAccessible(page, "A volunteer's page (ja)");
    await screenshot(page, "volunteer-page-ja");

    // Off duty, saved; then archived.
    await page.getByRole("switch", { name: /当番中/ }).click({ force: true });
    await page.getByRole("button", { name: "保存する" }).click();
    await page.getByText("保存しました。").waitFor();
    assert.equal((await volunteers())[0]!.onDuty, false);
    await page.getByRole("link", { name: "← 担い手の一覧へ" }).click();
    const row = page.locator("table.volunteer-list tbody tr").first();
    // The list refetches on opening: wait for the saved state rather than the cached one.
    await row.getByText("休み", { exact: true }).waitFor();
    const words = (await row.textContent()) ?? "";
    for (const text of ["山田 花子", "買い物代行", "本町", "休み", "0 件（上限 2 件）", "まだなし", "担当 佐藤", "2027年4月1日"]) assert.ok(words.includes(text), `${text} in ${words}`);
    await assertAccessible(page, "Volunteers list (ja)");
    await screenshot(page, "volunteers-list-ja");
    // Filtered by what they help with.
    await page.getByRole("button", { name: /できること$/ }).click();
    await page.getByRole("option", { name: /配食/ }).first().click();
    await page.getByText("0 人の担い手").waitFor();
    await page.getByRole("button", { name: /できること$/ }).click();
    await page.getByRole("option", { name: /買い物代行/ }).click();
    await page.getByText("1 人の担い手").waitFor();
    await row.getByRole("link", { name: "山田 花子" }).click();
    await page.getByRole("button", { name: "保管する" }).click();
    await page.getByText("保管しました。", { exact: false }).waitFor();
    assert.equal((await volunteers())[0]!.archived, true);
    await page.getByRole("link", { name: "← 担い手の一覧へ" }).click();
    await page.getByText("0 人の担い手").waitFor();
    await page.getByRole("checkbox", { name: "保管した担い手を表示する" }).check({ force: true });
    await page.locator("table.volunteer-list").getByText("保管済み").waitFor();
    await page.context().close();

    // An observer: names hidden, no buttons, no form.
    const observer = (await api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token as string;
    const watching = await signedInPage(suite.browser, suite.url, observer);
    await watching.goto(`${suite.url}/volunteers`);
    await watching.getByRole("checkbox", { name: "保管した担い手を表示する" }).check({ force: true });
    await watching.locator("table.volunteer-list tbody tr").first().getByRole("link", { name: "（非表示）" }).waitFor();
    assert.equal(await watching.getByRole("button", { name: "担い手を登録" }).count(), 0, "observers add nothing");
    await watching.locator("table.volunteer-list tbody tr").first().getByRole("link").click();
    await watching.getByText("買い物代行").waitFor();
    assert.equal(await watching.getByRole("form").count(), 0, "observers change nothing");
    await assertAccessible(watching, "A volunteer read by an observer (ja)");
    await watching.context().close();

    // English on a phone.
    const phone = await signedInPage(suite.browser, suite.url, suite.service.token, { viewport: PHONE, lang: "en" });
    await phone.goto(`${suite.url}/volunteers`);
    await phone.getByRole("heading", { level: 1, name: "Volunteers" }).waitFor();
    await phone.getByRole("button", { name: "Register a volunteer" }).click();
    const en = phone.getByRole("form", { name: "Register a volunteer" });
    await en.waitFor();
    await en.getByRole("button", { name: "Add a day and time" }).click();
    await en.getByRole("button", { name: "Add an area" }).click();
    // The picker's placeholder is in the console's language, not the browser's (ja-JP here).
    assert.match((await en.getByRole("button", { name: /Add what they help with/ }).textContent()) ?? "", /Choose one/);
    const overflow = await phone.locator("html").evaluate((html) => html.scrollWidth - html.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);
    await assertAccessible(phone, "Register a volunteer on a phone (en)");
    await screenshot(phone, "volunteer-add-phone-en");
    await phone.context().close();
  });
});
