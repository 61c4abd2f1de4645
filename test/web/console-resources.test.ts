/**
 * 地域資源 (the directory, issue 14) in Debian's Chromium: a coordinator finds
 * services by search, taxonomy code and status, lists those not verified for 6
 * months (oldest first), opens a service, marks it verified, changes it and
 * reads the history of who changed what; an observer reads without buttons and
 * with owners hidden. A coordinator adds a resource from the screen in one
 * request (a new provider typed in, kinds, ages, web page, e-mail, owner, next
 * contact, capacity, a new place with its address; then an existing provider and
 * a registered place): refusals of the form and of the API shown at their fields
 * with nothing created, then the new service's page; the picker's placeholder in
 * the console's language; an observer has no such button.
 * Japanese and English, desktop and phone, no WCAG 2.2 AA violation; screenshots saved.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAccessible, consoleSuite, screenshot, signedInPage } from "../support/console.ts";

const PHONE = { width: 390, height: 844 };

describe("local resources in the console", () => {
  const suite = consoleSuite();

  test("search, filter, the not-verified list, verify, change and history; observer read-only; ja and en, desktop and phone", async () => {
    const api = suite.service.api;
    const owner = (await api("POST", "/people", { displayName: "担当 佐藤", loginId: "sato", role: "staff" })).body.person.id;
    const provider = await api("POST", "/directory/organizations", { name: "本町社会福祉協議会", ownerPersonId: owner });
    assert.equal(provider.status, 201, JSON.stringify(provider.body));
    const make = async (body: Record<string, unknown>) => {
      const r = await api("POST", "/directory/services", { directoryOrganizationId: provider.body.id, ownerPersonId: owner, ...body });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body.id as string;
    };
    const shopping = await make({ name: "買い物支援", description: "週1回 スーパーへの同行", eligibilityDescription: "65歳以上" });
    await api("PUT", `/directory/services/${shopping}/taxonomy`, { codes: ["shopping"] });
    const salon = await make({ name: "ふれあいサロン", description: "第2火曜の茶話会" });
    await api("PUT", `/directory/services/${salon}/taxonomy`, { codes: ["kayoi.salon"] });
    await api("POST", `/directory/services/${salon}/verify`, {});
    const closed = await make({ name: "配食サービス", status: "temporarily closed" });

    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.getByRole("link", { name: "地域資源", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "地域資源" }).waitFor();
    await page.getByText("3 件のサービス").waitFor();
    const rows = page.locator("table.resource-list tbody tr");
    assert.equal(await rows.count(), 3);
    await assertAccessible(page, "Local resources list (ja)");
    await screenshot(page, "resources-list-ja");

    await page.getByRole("searchbox", { name: /検索/ }).fill("スーパー");
    await page.getByText("1 件のサービス").waitFor();
    assert.match((await rows.first().textContent()) ?? "", /買い物支援/);
    await page.getByRole("searchbox", { name: /検索/ }).fill("");
    // A broader term finds the services coded with a narrower one (通いの場 → サロン・茶話会).
    await page.getByRole("button", { name: /分類/ }).first().click();
    await page.getByRole("option", { name: "通いの場", exact: true }).click();
    await page.getByText("1 件のサービス").waitFor();
    assert.match((await rows.first().textContent()) ?? "", /ふれあいサロン.*サロン・茶話会/);
    await assertAccessible(page, "Local resources filtered by taxonomy (ja)");
    await page.getByRole("button", { name: /分類/ }).first().click();
    await page.getByRole("option", { name: "すべての分類" }).click();
    await page.getByRole("button", { name: /状態/ }).click();
    await page.getByRole("option", { name: "一時休止" }).click();
    await page.getByText("1 件のサービス").waitFor();
    assert.match((await rows.first().textContent()) ?? "", /配食サービス/);
    await page.getByRole("button", { name: /状態/ }).click();
    await page.getByRole("option", { name: "すべて" }).click();
    await page.getByText("3 件のサービス").waitFor();

    // Not verified for 6 months: the two never verified; the salon verified today is not among them.
    await page.getByText("6か月以上確認していないものだけ").click();
    await page.getByText("6か月以上確認していないサービスが 2 件あります（古い順）").waitFor();
    const stale = (await page.locator("table.resource-list tbody").textContent()) ?? "";
    assert.ok(stale.includes("買い物支援") && stale.includes("配食サービス") && !stale.includes("ふれあいサロン"), stale);
    assert.equal(await page.locator("table.resource-list").getByText("要確認").count(), 2);
    await assertAccessible(page, "Not verified for 6 months (ja)");
    await screenshot(page, "resources-not-verified-ja");

    // A service's page: verify it, then change it; the history says who changed what.
    await page.getByRole("link", { name: "買い物支援" }).click();
    await page.getByRole("heading", { level: 1, name: "買い物支援" }).waitFor();
    for (const text of ["本町社会福祉協議会", "週1回 スーパーへの同行", "65歳以上", "買い物支援", "担当 佐藤", "未確認"]) await page.getByText(text).first().waitFor();
    await assertAccessible(page, "Service page (ja)");
    await page.getByRole("button", { name: "確認済みにする" }).click();
    await page.getByText("提供主体に確認した日として今日を記録しました。").waitFor();
    await page.getByText("2027年1月4日").first().waitFor();
    assert.equal((await api("GET", `/directory/services/${shopping}`)).body.verification.date, "2027-01-04");
    await page.getByRole("button", { name: "変更する" }).click();
    await page.getByRole("textbox", { name: "費用" }).fill("1回300円");
    await page.getByRole("textbox", { name: "名称" }).fill("");
    await page.getByRole("button", { name: "保存する" }).click();
    await page.getByRole("alert").waitFor();
    assert.equal(await page.getByRole("textbox", { name: "名称" }).getAttribute("aria-invalid"), "true", "the refused field is marked");
    assert.equal((await api("GET", `/directory/services/${shopping}`)).body.feesDescription, null, "a refused change changes nothing");
    await assertAccessible(page, "Service form with a refused field (ja)");
    await page.getByRole("textbox", { name: "名称" }).fill("買い物支援（同行）");
    await page.getByRole("button", { name: "保存する" }).click();
    await page.getByText("変更を保存しました。履歴に残ります。").waitFor();
    await page.getByRole("heading", { level: 1, name: "買い物支援（同行）" }).waitFor();
    const history = page.locator("table.resource-history tbody");
    await history.getByText("1回300円").waitFor();
    const nameRow = history.locator("tr", { hasText: "変更：名称" });
    assert.match((await nameRow.textContent()) ?? "", /買い物支援.*買い物支援（同行）/);
    // A date in words, as people read it (not the stored 2027-01-04).
    await history.locator("tr", { hasText: "最終確認日" }).getByText("2027年1月4日(月)", { exact: true }).waitFor();
    // Read by a person: no rows that only tie parts together by id, a status in words, the one who verified by name.
    assert.equal(await history.locator("tr", { hasText: /link_id|link_entity|directory_organization_id/ }).count(), 0);
    await history.locator("tr", { hasText: "登録：状態" }).getByText("実施中", { exact: true }).waitFor();
    assert.equal(await history.getByText(/^token:/).count(), 0, "an actor is shown by name, not as token:<name>:<id>");
    await assertAccessible(page, "Service page with history (ja)");
    await screenshot(page, "resource-page-ja");
    const stored = (await api("GET", `/directory/services/${shopping}`)).body;
    assert.equal(stored.name, "買い物支援（同行）");
    assert.equal(stored.feesDescription, "1回300円");

    // English.
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 2, name: "History of changes" }).waitFor();
    await page.getByRole("button", { name: "Mark as verified" }).waitFor();
    await assertAccessible(page, "Service page (en)");
    await screenshot(page, "resource-page-en");
    await page.getByRole("link", { name: "← Back to local resources" }).click();
    await page.getByText("3 services").waitFor();
    await assertAccessible(page, "Local resources list (en)");
    await page.context().close();

    // An observer reads, with the owner hidden and no buttons.
    const observer = (await api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token as string;
    const watching = await signedInPage(suite.browser, suite.url, observer);
    await watching.goto(`${suite.url}/resources/${closed}`);
    await watching.getByRole("heading", { level: 1, name: "配食サービス" }).waitFor();
    await watching.getByText("（非表示）").first().waitFor();
    assert.equal(await watching.getByText("担当 佐藤").count(), 0);
    for (const name of ["確認済みにする", "変更する"]) assert.equal(await watching.getByRole("button", { name }).count(), 0, name);
    await assertAccessible(watching, "Service page as an observer (ja)");
    await watching.context().close();

    // A phone.
    const phone = await signedInPage(suite.browser, suite.url, suite.service.token, { viewport: PHONE });
    await phone.goto(`${suite.url}/resources`);
    await phone.locator("table.resource-list tbody tr").first().waitFor();
    await assertAccessible(phone, "Local resources list on a phone (ja)");
    await screenshot(phone, "resources-list-phone-ja");
    await phone.goto(`${suite.url}/resources/${salon}`);
    await phone.getByRole("heading", { level: 1, name: "ふれあいサロン" }).waitFor();
    await assertAccessible(phone, "Service page on a phone (ja)");
    await phone.context().close();
  });
  test("add a resource: a new provider and its service, refusals at their fields with nothing created, then its page; observers cannot; phone and en", async () => {
    const api = suite.service.api;
    const counts = async () => ({
      providers: (await api("GET", "/directory/organizations")).body.organizations.length as number,
      services: (await api("GET", "/directory/services?limit=200")).body.total as number,
    });
    await api("POST", "/people", { displayName: "担当 高橋", loginId: "takahashi", role: "staff" });
    const before = await counts();
    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.goto(`${suite.url}/resources`);
    await page.getByRole("heading", { level: 1, name: "地域資源" }).waitFor();
    await page.getByRole("button", { name: "地域資源を登録" }).click();
    const form = page.getByRole("form", { name: "地域資源を登録" });
    await form.waitFor();
    await form.getByRole("radio", { name: "新しい提供主体を入力" }).press("Space");
    assert.equal(await form.getByRole("radio", { name: "新しい提供主体を入力" }).isChecked(), true);
    // Keyboard: the provider's name is typed after tabbing to it from the radio.
    await page.keyboard.press("Tab");
    await page.keyboard.type("み".repeat(201));
    assert.equal(await form.getByRole("textbox", { name: /新しい提供主体の名称/ }).inputValue(), "み".repeat(201));
    await form.getByRole("textbox", { name: /^名称/ }).fill("見守り配食");
    await form.getByRole("textbox", { name: "内容" }).fill("平日の昼に弁当を届け、安否を確かめます");
    await form.getByRole("button", { name: /分類を追加/ }).click();
    await page.getByRole("option", { name: /サロン・茶話会/ }).click();
    await form.getByRole("button", { name: "サロン・茶話会 を外す" }).waitFor();
    await form.getByRole("textbox", { name: "対象となる人" }).fill("75歳以上の一人暮らし");
    await form.getByRole("textbox", { name: "費用" }).fill("1食500円");
    await form.getByRole("textbox", { name: "申込方法" }).fill("電話で申し込み");
    // Ages, web page, e-mail, the owner and the next contact date.
    await form.getByRole("textbox", { name: /対象年齢（下限）/ }).fill("65");
    await form.getByRole("textbox", { name: /対象年齢（上限）/ }).fill("60");
    await form.getByRole("textbox", { name: /ホームページ/ }).fill("https://midori.example.jp/haishoku");
    await form.getByRole("textbox", { name: "メールアドレス" }).fill("haishoku@midori.example.jp");
    await form.getByRole("button", { name: /担当職員/ }).click();
    await page.getByRole("option", { name: "担当 高橋" }).click();
    await form.getByLabel("次に連絡する日").fill("2027-04-01");
    // A new place with its address (no place is registered yet, so it starts as a new one).
    await form.getByRole("button", { name: "場所を加える" }).click();
    await form.getByRole("textbox", { name: "場所の名称" }).fill("みどり厨房");
    await form.getByRole("textbox", { name: "郵便番号" }).fill("12");
    await form.getByRole("textbox", { name: "都道府県" }).fill("千葉県");
    await form.getByRole("textbox", { name: "市区町村" }).fill("松戸市");
    await form.getByRole("textbox", { name: "番地・建物" }).fill("緑町2-1");
    // Refused by the form itself: more places available than the maximum, ages the wrong way round.
    await form.getByRole("textbox", { name: "空き" }).fill("5");
    await form.getByRole("textbox", { name: "最大（定員）" }).fill("3");
    await form.getByRole("button", { name: "登録する" }).click();
    await form.getByText("空きは最大（定員）以下にしてください。").waitFor();
    await form.getByText("上限は下限以上にしてください。").waitFor();
    assert.equal(await form.getByRole("textbox", { name: "空き" }).getAttribute("aria-invalid"), "true");
    assert.equal(await form.getByRole("textbox", { name: /対象年齢（上限）/ }).getAttribute("aria-invalid"), "true");
    assert.deepEqual(await counts(), before, "a refused form creates nothing");
    await form.getByRole("textbox", { name: "空き" }).fill("2");
    await form.getByRole("textbox", { name: "最大（定員）" }).fill("10");
    await form.getByRole("textbox", { name: /対象年齢（上限）/ }).fill("120");
    // Refused by the API as a whole: a provider's name over 200 characters and the place's postal code,
    // each shown at its field in words; nothing created (the provider is not made first).
    await form.getByRole("button", { name: "登録する" }).click();
    await form.getByText("長すぎるか、大きすぎます。").waitFor();
    assert.equal(await form.getByRole("textbox", { name: /新しい提供主体の名称/ }).getAttribute("aria-invalid"), "true", "the refused field is marked");
    assert.equal(await form.getByRole("textbox", { name: "郵便番号" }).getAttribute("aria-invalid"), "true", "the place's refused field is marked");
    assert.equal(await form.getByRole("textbox", { name: /^名称/ }).getAttribute("aria-invalid"), null, "only the refused fields are marked");
    await form.getByText("何も登録していません。", { exact: false }).waitFor();
    assert.deepEqual(await counts(), before, "a refused provider creates nothing");
    await assertAccessible(page, "Add a resource with a refused field (ja)");
    await screenshot(page, "resource-add-refused-ja");

    await form.getByRole("textbox", { name: /新しい提供主体の名称/ }).fill("みどり配食の会");
    await form.getByRole("textbox", { name: "郵便番号" }).fill("271-0092");
    await form.getByRole("button", { name: "登録する" }).click();
    await page.getByRole("heading", { level: 1, name: "見守り配食" }).waitFor();
    for (const text of ["みどり配食の会", "平日の昼に弁当を届け、安否を確かめます", "75歳以上の一人暮らし", "1食500円", "電話で申し込み", "サロン・茶話会", "実施中"]) {
      await page.getByText(text, { exact: true }).first().waitFor();
    }
    const id = new URL(page.url()).pathname.split("/").pop() ?? "";
    const stored = (await api("GET", `/directory/services/${id}`)).body;
    assert.equal(stored.name, "見守り配食");
    assert.equal(stored.organizationName, "みどり配食の会");
    assert.deepEqual(stored.taxonomyCodes, ["kayoi.salon"]);
    assert.deepEqual(stored.capacities.map((c: { unit: string; available: number; maximum: number | null }) => [c.unit, c.available, c.maximum]), [["人", 2, 10]]);
    assert.deepEqual([stored.minimumAge, stored.maximumAge, stored.url, stored.email, stored.owner?.displayName, stored.nextContactOn],
      [65, 120, "https://midori.example.jp/haishoku", "haishoku@midori.example.jp", "担当 高橋", "2027-04-01"]);
    assert.deepEqual(stored.locations.map((l: { location: { name: string; postalAddress: { postalCode: string; city: string } } }) =>
      [l.location.name, l.location.postalAddress.postalCode, l.location.postalAddress.city]), [["みどり厨房", "2710092", "松戸市"]]);
    assert.deepEqual(await counts(), { providers: before.providers + 1, services: before.services + 1 }, "one provider and one service, not two");
    await assertAccessible(page, "A newly added service's page (ja)");
    await page.getByRole("link", { name: "← 地域資源の一覧へ" }).click();
    await page.locator("table.resource-list").getByRole("link", { name: "見守り配食" }).waitFor();

    // An existing provider is chosen from the list (no second provider); English.
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("button", { name: "Add a resource" }).click();
    const en = page.getByRole("form", { name: "Add a resource" });
    await en.getByRole("textbox", { name: /^Name/ }).fill("Lunch club");
    await en.getByRole("button", { name: "Add", exact: true }).click();
    await en.getByText("Choose a provider.").waitFor();
    // The picker's placeholder is in the console's language, not the browser's (ja-JP here).
    assert.match((await en.getByRole("button", { name: /Choose the provider/ }).textContent()) ?? "", /Choose one/);
    await en.getByRole("button", { name: /Choose the provider/ }).click();
    await page.getByRole("option", { name: "みどり配食の会" }).click();
    // A place already registered (the kitchen added above) is chosen from the list.
    await en.getByRole("button", { name: "Add a place" }).click();
    await en.getByRole("button", { name: /Choose the place/ }).click();
    await page.getByRole("option", { name: /みどり厨房/ }).click();
    await assertAccessible(page, "Add a resource (en)");
    await screenshot(page, "resource-add-en");
    await en.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Lunch club" }).waitFor();
    const lunch = (await api("GET", `/directory/services/${new URL(page.url()).pathname.split("/").pop()}`)).body;
    assert.deepEqual(lunch.locations.map((l: { location: { name: string } }) => l.location.name), ["みどり厨房"]);
    assert.deepEqual(await counts(), { providers: before.providers + 1, services: before.services + 2 });
    await page.context().close();

    const observer = (await api("POST", "/tokens", { name: "閲覧2", role: "observer" })).body.token as string;
    const watching = await signedInPage(suite.browser, suite.url, observer);
    await watching.goto(`${suite.url}/resources`);
    await watching.locator("table.resource-list tbody tr").first().waitFor();
    assert.equal(await watching.getByRole("button", { name: "地域資源を登録" }).count(), 0, "observers add nothing");
    await watching.context().close();

    const phone = await signedInPage(suite.browser, suite.url, suite.service.token, { viewport: PHONE });
    await phone.goto(`${suite.url}/resources`);
    await phone.getByRole("button", { name: "地域資源を登録" }).click();
    await phone.getByRole("form", { name: "地域資源を登録" }).waitFor();
    const overflow = await phone.locator("html").evaluate((html) => html.scrollWidth - html.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);
    await assertAccessible(phone, "Add a resource on a phone (ja)");
    await screenshot(phone, "resource-add-phone-ja");
    await phone.context().close();
  });
});
