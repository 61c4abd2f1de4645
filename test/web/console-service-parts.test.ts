/**
 * A service's parts on its page in 地域資源 (issue 14), in Debian's Chromium: a
 * coordinator updates the places available, adds a salon on the 2nd Tuesday of
 * every month 10:00–12:00 until the year's end, chosen in words (read back as
 * 毎月 第2火曜 10:00〜12:00…まで, stored as RFC 5545 MONTHLY;BYDAY=2TU;UNTIL),
 * then changes it to the 3rd Tuesday from a form opened with its words, a weekly opening with the form's own
 * refusal (no weekday), a closure, a service area and a new place with its
 * address; deletes the schedule; the history reads the changes in words; the
 * provider's closure shows as the provider's. An observer reads the parts
 * without forms. English on a phone shows the schedule in English words.
 * axe (WCAG 2.2 AA) on each; screenshots saved.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAccessible, consoleSuite, screenshot, signedInPage } from "../support/console.ts";

const PHONE = { width: 390, height: 844 };

describe("a service's parts in the console", () => {
  const suite = consoleSuite();

  test("places, schedules in words, closures, areas, locations; history in words; observer read-only; en on a phone", async () => {
    const api = suite.service.api;
    const provider = await api("POST", "/directory/organizations", { name: "本町社会福祉協議会" });
    const made = await api("POST", "/directory/services", { directoryOrganizationId: provider.body.id, name: "ふれあいサロン" });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const id = made.body.id as string;
    const closure = await api("POST", "/directory/closures", { directoryOrganizationId: provider.body.id, kind: "ad_hoc", startsOn: "2027-08-13", endsOn: "2027-08-16", reason: "お盆" });
    assert.equal(closure.status, 201, JSON.stringify(closure.body));
    const stored = async () => (await api("GET", `/directory/services/${id}`)).body;

    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.goto(`${suite.url}/resources/${id}`);
    await page.getByRole("heading", { level: 1, name: "ふれあいサロン" }).waitFor();
    // The provider's closure is shown, marked as the provider's, without a delete button.
    const closures = page.locator("section", { has: page.getByRole("heading", { name: "休業日" }) });
    await closures.getByText("（提供主体の休み）").waitFor();
    await closures.getByText("（お盆）").waitFor();

    // Places available.
    const capacity = page.getByRole("form", { name: "空きを更新する" });
    await capacity.getByRole("textbox", { name: "空き" }).fill("3");
    await capacity.getByRole("textbox", { name: "最大（定員）" }).fill("20");
    await capacity.getByRole("button", { name: "空きを更新する" }).click();
    await page.getByText("空き 3 人（定員 20 人）").waitFor();

    // A salon on the 2nd Tuesday of every month, 10:00–12:00: the form's defaults are chosen in words.
    const schedule = page.getByRole("form", { name: "日程を加える" });
    await schedule.getByRole("button", { name: /くり返し/ }).click();
    await page.getByRole("option", { name: "毎月（第何何曜日）" }).click();
    await schedule.getByRole("button", { name: /^第2 第何/ }).waitFor();
    await schedule.getByRole("button", { name: /曜日$/ }).click();
    await page.getByRole("option", { name: "火曜" }).click();
    await schedule.getByRole("textbox", { name: "説明（任意）" }).fill("茶話会");
    await schedule.getByLabel(/終わる日/).fill("2027-12-31");
    await schedule.getByRole("button", { name: "日程を加える" }).click();
    await page.getByText("毎月 第2火曜 10:00〜12:00（祝日は休み・年末年始は休み・2027年12月31日（金）まで）").waitFor();
    const salon = (await stored()).schedules[0];
    assert.deepEqual([salon.kind, salon.freq, salon.byday, salon.opensAt, salon.closesAt, salon.description, salon.until],
      ["event", "MONTHLY", "2TU", "10:00", "12:00", "茶話会", "2027-12-31"]);
    // Changed to the 3rd Tuesday: the form opens with the schedule's words, and keeps what is not changed.
    await page.getByRole("button", { name: /毎月 第2火曜 10:00〜12:00.* を変更/ }).click();
    const change = page.getByRole("form", { name: "日程を変える" });
    await change.getByRole("button", { name: /^第2 第何$/ }).waitFor();
    await change.getByRole("button", { name: /^第2 第何$/ }).click();
    await page.getByRole("option", { name: "第3" }).click();
    await change.getByRole("button", { name: "日程を変える" }).click();
    await page.getByText("日程を変えました。").waitFor();
    await page.getByText("毎月 第3火曜 10:00〜12:00（祝日は休み・年末年始は休み・2027年12月31日（金）まで）").waitFor();
    const changed = (await stored()).schedules[0];
    assert.deepEqual([changed.id, changed.byday, changed.description, changed.until], [salon.id, "3TU", "茶話会", "2027-12-31"]);

    // Weekly opening hours: refused by the form without a weekday, then Mondays and Wednesdays.
    await schedule.getByRole("radio", { name: "開いている時間" }).check({ force: true });
    await schedule.getByRole("button", { name: /くり返し/ }).click();
    await page.getByRole("option", { name: "毎週" }).click();
    await schedule.getByRole("button", { name: "日程を加える" }).click();
    await schedule.getByText("曜日を1つ以上選んでください。").waitFor();
    assert.equal((await stored()).schedules.length, 1, "a refused schedule is not added");
    await schedule.getByRole("checkbox", { name: "月曜" }).check({ force: true });
    await schedule.getByRole("checkbox", { name: "水曜" }).check({ force: true });
    await schedule.getByRole("textbox", { name: "開始時刻" }).fill("09:00");
    await schedule.getByRole("textbox", { name: "終了時刻" }).fill("17:00");
    await schedule.getByRole("button", { name: "日程を加える" }).click();
    await page.getByText("毎週 月・水 9:00〜17:00（祝日は休み・年末年始は休み）").waitFor();

    // The service's own closure, an area, a new place with its address.
    const closing = page.getByRole("form", { name: "休業日を加える" });
    await closing.getByLabel("休みの初日").fill("2027-05-06");
    await closing.getByRole("textbox", { name: "理由（任意）" }).fill("会場の点検");
    await closing.getByRole("button", { name: "休業日を加える" }).click();
    await closures.getByText("（会場の点検）").waitFor();
    const area = page.getByRole("form", { name: "対象地域を加える" });
    await area.getByRole("textbox", { name: "地域の名前" }).fill("本町地区");
    await area.getByRole("textbox", { name: "町名" }).fill("本町");
    await area.getByRole("button", { name: "対象地域を加える" }).click();
    await page.locator("section", { has: page.getByRole("heading", { name: "対象地域" }) }).getByText("本町地区").waitFor();
    const place = page.getByRole("form", { name: "実施場所を加える" });
    await place.getByRole("radio", { name: "新しい場所を入力" }).check({ force: true });
    await place.getByRole("textbox", { name: "場所の名称" }).fill("本町集会所");
    await place.getByRole("textbox", { name: "郵便番号" }).fill("271-0091");
    await place.getByRole("textbox", { name: "都道府県" }).fill("千葉県");
    await place.getByRole("textbox", { name: "市区町村" }).fill("松戸市");
    await place.getByRole("textbox", { name: "番地・建物" }).fill("本町1-2-3");
    await place.getByRole("button", { name: "実施場所を加える" }).click();
    await page.getByText("〒271-0091 千葉県松戸市本町1-2-3").waitFor();
    const after = await stored();
    assert.deepEqual(after.areas.map((a: { name: string; areaKind: string; areaValue: string }) => [a.name, a.areaKind, a.areaValue]), [["本町地区", "town", "本町"]]);
    assert.deepEqual(after.locations.map((l: { location: { name: string } }) => l.location.name), ["本町集会所"]);
    assert.ok(after.closures.some((c: { serviceId: string | null; startsOn: string; endsOn: string }) => c.serviceId === id && c.startsOn === "2027-05-06" && c.endsOn === "2027-05-06"));
    await assertAccessible(page, "A service's parts (ja)");
    await screenshot(page, "service-parts-ja");

    // The weekly hours deleted; the history says so in words.
    await page.getByRole("button", { name: /毎週 月・水 9:00〜17:00.* を削除/ }).click();
    await page.getByText("削除しました（履歴に残ります）。").waitFor();
    assert.equal((await stored()).schedules.length, 1);
    const history = page.locator("table.resource-history");
    await history.getByText("予定 › 曜日").first().waitFor();
    await history.getByRole("cell", { name: "第2火曜", exact: true }).first().waitFor();
    await history.getByRole("cell", { name: "第3火曜", exact: true }).waitFor();
    await history.getByRole("cell", { name: "月・水", exact: true }).first().waitFor();
    await history.getByRole("cell", { name: "催し・行事", exact: true }).waitFor();
    await page.context().close();

    const observer = (await api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token as string;
    const watching = await signedInPage(suite.browser, suite.url, observer);
    await watching.goto(`${suite.url}/resources/${id}`);
    await watching.getByText("毎月 第3火曜 10:00〜12:00（祝日は休み・年末年始は休み・2027年12月31日（金）まで）").waitFor();
    assert.equal(await watching.getByRole("form").count(), 0, "observers change nothing");
    assert.equal(await watching.getByRole("button", { name: /削除/ }).count(), 0);
    await watching.context().close();

    const phone = await signedInPage(suite.browser, suite.url, suite.service.token, { viewport: PHONE, lang: "en" });
    await phone.goto(`${suite.url}/resources/${id}`);
    // The summary first, every part closed (a disclosure each): a few screens, not ~6,000 px of forms.
    await phone.getByRole("heading", { level: 1 }).waitFor();
    const schedules = phone.getByRole("button", { name: /^Schedule \(opening hours and events\)/ });
    await schedules.waitFor();
    assert.equal(await schedules.getAttribute("aria-expanded"), "false");
    const closedHeight = await phone.locator("html").evaluate((html) => html.scrollHeight);
    assert.ok(closedHeight < 3000, `the page closed is ${closedHeight}px high`);
    await phone.getByRole("button", { name: /^Places available.*3 of 20 人 available/ }).waitFor();
    assert.equal(await phone.getByText("Every month on the 3rd Tue", { exact: false }).isVisible(), false, "closed parts hide their content");
    await schedules.click();
    assert.equal(await schedules.getAttribute("aria-expanded"), "true");
    await phone.getByText("Every month on the 3rd Tue, 10:00–12:00 (closed on public holidays; closed over the New Year; until Fri 31 December 2027)").waitFor();
    const openHeight = await phone.locator("html").evaluate((html) => html.scrollHeight);
    assert.ok(openHeight > closedHeight, `opening a part makes the page longer (${closedHeight} → ${openHeight}px)`);
    await phone.getByRole("button", { name: /^Places available/ }).click();
    await phone.getByRole("listitem").filter({ hasText: "3 of 20 人 available" }).waitFor();
    await screenshot(phone, "service-parts-phone-en");
    const overflow = await phone.locator("html").evaluate((html) => html.scrollWidth - html.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);
    await assertAccessible(phone, "A service's parts on a phone (en)");
    await phone.context().close();
  });
});
