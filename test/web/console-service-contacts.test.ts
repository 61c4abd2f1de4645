/**
 * 連絡先 on a service's page and 独自の分類 on 地域資源 (issue 14), in Debian's
 * Chromium: a coordinator adds the service's phone (a wrong number is refused on
 * its field, nothing added), a desk with its direct line, sees them in national
 * form as tel: links, removes the desk; the history names the phone's change.
 * An admin adds an own kind under 買い物支援, finds it in the kind picker under
 * its parent, retires it (it leaves the picker). Observers read without forms.
 * English on a phone: no sideways scrolling. axe (WCAG 2.2 AA) on each.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAccessible, consoleSuite, screenshot, signedInPage } from "../support/console.ts";

const PHONE = { width: 390, height: 844 };

describe("a service's contacts and the organisation's own kinds in the console", () => {
  const suite = consoleSuite();

  test("phones and contacts on a service's page; own kinds added, picked and retired; observer read-only; en on a phone", async () => {
    const api = suite.service.api;
    const provider = await api("POST", "/directory/organizations", { name: "本町社会福祉協議会" });
    const made = await api("POST", "/directory/services", { directoryOrganizationId: provider.body.id, name: "ふれあいサロン" });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const id = made.body.id as string;
    const stored = async () => (await api("GET", `/directory/contacts?serviceId=${id}`)).body;

    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.goto(`${suite.url}/resources/${id}`);
    await page.getByRole("heading", { level: 1, name: "ふれあいサロン" }).waitFor();
    const contacts = page.locator("section", { has: page.getByRole("heading", { name: "連絡先", exact: true }) });
    await contacts.getByText("電話番号がありません。").waitFor();

    const phoneForm = page.getByRole("form", { name: "電話番号を加える" });
    await phoneForm.getByRole("textbox", { name: /電話番号/ }).fill("03-1234");
    await phoneForm.getByRole("button", { name: "電話番号を加える" }).click();
    await phoneForm.getByText("電話番号として正しくありません。090-1234-5678 や 03-1234-5678 のように入力してください。").waitFor();
    assert.deepEqual((await stored()).phones, [], "a refused number adds nothing");
    await phoneForm.getByRole("textbox", { name: /電話番号/ }).fill("０３１２３４５６７８");
    await phoneForm.getByRole("textbox", { name: "受付時間など（任意）" }).fill("平日 9時〜17時");
    await phoneForm.getByRole("button", { name: "電話番号を加える" }).click();
    await page.getByText("電話番号を加えました。").waitFor();
    const tel = contacts.getByRole("link", { name: "03-1234-5678" });
    assert.equal(await tel.getAttribute("href"), "tel:0312345678");
    assert.equal((await stored()).phones[0].number, "+81312345678");

    const contactForm = page.getByRole("form", { name: "担当者・窓口を加える" });
    await contactForm.getByRole("button", { name: "担当者・窓口を加える" }).click();
    await contactForm.getByText("名前・役職・部署・メールアドレスのどれかを入力してください。").waitFor();
    await contactForm.getByRole("textbox", { name: "担当者の名前（任意）" }).fill("山田 花子");
    await contactForm.getByRole("textbox", { name: "部署・窓口（任意）" }).fill("地域福祉課");
    await contactForm.getByRole("textbox", { name: "直通の電話番号（任意）" }).fill("090-1111-2222");
    await contactForm.getByRole("button", { name: "担当者・窓口を加える" }).click();
    await page.getByText("担当者・窓口を加えました。").waitFor();
    await contacts.getByText("山田 花子・地域福祉課").waitFor();
    await contacts.getByRole("link", { name: "090-1111-2222" }).waitFor();
    await assertAccessible(page, "A service's contacts (ja)");
    await screenshot(page, "service-contacts-ja");
    await page.getByRole("button", { name: "山田 花子・地域福祉課 を削除" }).click();
    await page.getByText("削除しました（履歴に残ります）。").waitFor();
    assert.deepEqual((await stored()).contacts, []);
    const history = page.locator("table.resource-history");
    await history.getByText("電話 › 電話番号").first().waitFor();
    await history.getByRole("cell", { name: "+81312345678", exact: true }).first().waitFor();

    // Own kinds on 地域資源 (admins): under 買い物支援, in the picker under it, retired out of it.
    await page.goto(`${suite.url}/resources`);
    const own = page.locator("section", { has: page.getByRole("heading", { name: "独自の分類" }) });
    await own.getByText("独自の分類はありません。").waitFor();
    const termForm = page.getByRole("form", { name: "分類を加える" });
    await termForm.getByRole("textbox", { name: "分類の名前" }).fill("生協の移動販売");
    await termForm.getByRole("textbox", { name: /コード/ }).fill("Coop Truck");
    await termForm.getByRole("button", { name: "分類を加える" }).click();
    await termForm.getByText(/コードは半角英小文字/).waitFor();
    await termForm.getByRole("textbox", { name: /コード/ }).fill("shopping.coop_truck");
    await termForm.getByRole("button", { name: /どの分類の下に置くか/ }).click();
    await page.getByRole("option", { name: /^\s*買い物支援$/ }).click();
    await termForm.getByRole("button", { name: "分類を加える" }).click();
    await own.getByText("分類を加えました。").waitFor();
    await own.getByText("（買い物支援 の下）").waitFor();
    // The kind pickers (here the form's own parent picker) list it under its parent.
    await termForm.getByRole("button", { name: /どの分類の下に置くか/ }).click();
    await page.getByRole("option", { name: /生協の移動販売/ }).waitFor();
    const options = await page.getByRole("option").allTextContents();
    const at = options.findIndex((o) => o.trim() === "生協の移動販売");
    assert.ok(at > 0 && options.slice(0, at).some((o) => o.trim() === "買い物支援"), `under its parent: ${options.join("|")}`);
    await page.keyboard.press("Escape");
    await assertAccessible(page, "Own kinds (ja)");
    await screenshot(page, "own-terms-ja");
    await own.getByRole("button", { name: "生協の移動販売 を使わないことにする" }).click();
    await own.getByText("使わないことにしました（付いているサービスには残ります）。").waitFor();
    const taxonomy = (await api("GET", "/directory/taxonomy")).body.terms;
    assert.equal(taxonomy.find((t: { code: string }) => t.code === "shopping.coop_truck").retired, true);
    await termForm.getByRole("button", { name: /どの分類の下に置くか/ }).click();
    await page.getByRole("option", { name: /^\s*買い物支援$/ }).waitFor();
    assert.equal(await page.getByRole("option", { name: /生協の移動販売/ }).count(), 0, "a retired kind leaves the pickers");
    await page.keyboard.press("Escape");
    await page.context().close();

    const observer = (await api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token as string;
    const watching = await signedInPage(suite.browser, suite.url, observer);
    await watching.goto(`${suite.url}/resources/${id}`);
    await watching.getByRole("link", { name: "03-1234-5678" }).waitFor();
    assert.equal(await watching.getByRole("form").count(), 0, "observers change nothing");
    await watching.goto(`${suite.url}/resources`);
    await watching.getByRole("strong").filter({ hasText: "生協の移動販売" }).waitFor();
    assert.equal(await watching.getByRole("button", { name: /削除|使わない/ }).count(), 0);
    await watching.context().close();

    const phone = await signedInPage(suite.browser, suite.url, suite.service.token, { viewport: PHONE, lang: "en" });
    await phone.goto(`${suite.url}/resources/${id}`);
    await phone.getByRole("heading", { name: "Contacts", exact: true }).waitFor();
    await phone.getByRole("link", { name: "03-1234-5678" }).waitFor();
    await screenshot(phone, "service-contacts-phone-en");
    let overflow = await phone.locator("html").evaluate((html) => html.scrollWidth - html.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);
    await assertAccessible(phone, "A service's contacts on a phone (en)");
    await phone.goto(`${suite.url}/resources`);
    await phone.getByRole("heading", { name: "Our own kinds" }).waitFor();
    await phone.getByText("Retired", { exact: true }).waitFor();
    overflow = await phone.locator("html").evaluate((html) => html.scrollWidth - html.clientWidth);
    assert.ok(overflow <= 0, `no sideways scrolling on a phone (${overflow}px)`);
    await assertAccessible(phone, "Own kinds on a phone (en)");
    await phone.context().close();
  });
});
