/**
 * 提供者 (Providers, issue 14) in Debian's Chromium at phone width, Japanese and
 * English, no WCAG 2.2 AA violation, screenshots saved: the list with search; a
 * provider's page with its details, owner and next contact (要連絡 when due),
 * its services linking to their pages in 地域資源; an edit recorded in its
 * history in words; 更新を依頼 for the provider's own entry — the provider opens
 * the link without JavaScript and changes its description and website, the
 * coordinator approves the proposal on the provider's page and the history names
 * the provider's link.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { assertAccessible, consoleSuite, screenshot, signedInPage } from "../support/console.ts";

const PHONE = { width: 390, height: 844 };

async function noSidewaysScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.locator("html").evaluate((html) => html.scrollWidth - html.clientWidth);
  assert.ok(overflow <= 0, `${what}: no sideways scrolling on a phone (${overflow}px)`);
}

describe("providers in the console", () => {
  const suite = consoleSuite();

  test("list, search, a provider's page with its services, edit with history, 更新を依頼 → the provider proposes → approve (ja, phone; en)", async () => {
    const api = suite.service.api;
    const owner = (await api("POST", "/people", { displayName: "担当 佐藤", loginId: "sato-providers", role: "staff" })).body.person.id as string;
    const council = (await api("POST", "/directory/organizations", {
      name: "本町社会福祉協議会", description: "地域福祉の相談窓口", email: "honmachi@example.jp", ownerPersonId: owner, nextContactOn: "2026-12-20",
    })).body;
    await api("POST", "/directory/organizations", { name: "みどり商店" });
    const salon = (await api("POST", "/directory/services", { directoryOrganizationId: council.id, name: "ふれあいサロン", status: "active" })).body;
    await api("POST", "/directory/services", { directoryOrganizationId: council.id, name: "買い物代行", status: "active" });

    const page = await signedInPage(suite.browser, suite.url, suite.service.token, { viewport: PHONE });
    await page.goto(`${suite.url}/providers`);
    await page.getByRole("heading", { level: 1, name: "提供者" }).waitFor();
    const rows = page.locator("table.provider-list tbody tr");
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    await page.getByRole("searchbox", { name: /検索/ }).fill("福祉");
    await page.getByRole("status").getByText("1 件").waitFor();
    assert.match((await rows.first().textContent()) ?? "", /本町社会福祉協議会[\s\S]*担当 佐藤[\s\S]*2026年12月20日[\s\S]*要連絡/);
    await noSidewaysScroll(page, "the providers");
    await assertAccessible(page, "Providers (ja, phone)");
    await screenshot(page, "providers-list-phone-ja");

    await rows.first().getByRole("link", { name: "本町社会福祉協議会" }).click();
    await page.getByRole("heading", { level: 1, name: "本町社会福祉協議会" }).waitFor();
    const facts = page.locator("dl.facts");
    await facts.getByText("地域福祉の相談窓口").waitFor();
    await facts.getByRole("link", { name: "honmachi@example.jp" }).waitFor();
    const services = page.getByRole("region", { name: /この提供者のサービス（2件）/ });
    assert.deepEqual(await services.getByRole("link").allTextContents(), ["ふれあいサロン", "買い物代行"]);
    assert.equal(await services.getByRole("link", { name: "ふれあいサロン" }).getAttribute("href"), `/resources/${salon.id}`);

    // An edit, kept in the history in words.
    await page.getByRole("button", { name: "変更する" }).click();
    const form = page.getByRole("form", { name: /本町社会福祉協議会 を変更/ });
    await form.getByRole("textbox", { name: "次に連絡する日" }).fill("2027-03-01");
    await form.getByRole("button", { name: "保存する" }).click();
    await page.getByRole("status").getByText("保存しました", { exact: false }).waitFor();
    await facts.getByText("2027年3月1日").waitFor();
    assert.equal((await api("GET", `/directory/organizations/${council.id}`)).body.nextContactOn, "2027-03-01");
    const history = page.getByRole("region", { name: /変更の履歴/ });
    await history.getByRole("button", { name: /^変更の履歴/, expanded: false }).click();
    await history.locator("tbody tr").filter({ hasText: "次回連絡日" }).first().waitFor();

    // 更新を依頼 for the provider's own entry.
    const invite = page.getByRole("region", { name: /更新を依頼/ });
    await invite.getByRole("button", { name: /^更新を依頼/, expanded: false }).click();
    await invite.getByRole("button", { name: "リンクを作る" }).click();
    const link = await invite.getByRole("textbox", { name: "提供主体に送るリンク" }).inputValue();
    assert.match(link, /\/provider-update\/mdp_[A-Za-z0-9_-]{32}$/);
    await noSidewaysScroll(page, "a provider's page with a new link");
    await assertAccessible(page, "A provider's page, a link created (ja, phone)");
    await screenshot(page, "provider-invite-phone-ja");

    const providerContext = await suite.browser.newContext({ viewport: PHONE, locale: "ja-JP", javaScriptEnabled: false });
    const providerPage = await providerContext.newPage();
    await providerPage.goto(link.replace("127.0.0.1", "localhost"));
    await providerPage.getByText("本町社会福祉協議会（団体）", { exact: false }).waitFor();
    assert.equal(await providerPage.getByRole("textbox", { name: /^料金/ }).count(), 0, "a provider's own fields, not a service's");
    await providerPage.getByRole("textbox", { name: /^説明/ }).fill("地域福祉の相談窓口（平日 9時〜17時）");
    await providerPage.getByRole("textbox", { name: /^ホームページ/ }).fill("https://honmachi.example.jp");
    await providerPage.getByRole("button", { name: /確認を依頼する/ }).click();
    await providerPage.getByRole("heading", { level: 1, name: /送信しました/ }).waitFor();
    await providerContext.close();

    await page.reload();
    const proposal = page.getByRole("region", { name: "提供主体からの変更提案" }).getByRole("article");
    await proposal.waitFor();
    const proposed = (await proposal.locator("tbody tr").allInnerTexts()).map((r) => r.replace(/\s+/g, " ").trim());
    assert.equal(proposed.length, 2, proposed.join(" | "));
    assert.ok(proposed.some((r) => /^ホームページ .*https:\/\/honmachi\.example\.jp$/.test(r)), proposed.join(" | "));
    assert.ok(proposed.includes("内容 地域福祉の相談窓口 → 地域福祉の相談窓口（平日 9時〜17時）"), proposed.join(" | "));
    await assertAccessible(page, "A provider's proposal (ja, phone)");
    await proposal.getByRole("button", { name: "承認して反映する" }).click();
    await facts.getByText("地域福祉の相談窓口（平日 9時〜17時）").waitFor();
    await facts.getByRole("link", { name: "https://honmachi.example.jp" }).waitFor();
    await page.getByRole("region", { name: /変更の履歴/ }).getByRole("button", { name: /^変更の履歴/, expanded: false }).click();
    const byProvider = page.getByRole("region", { name: /変更の履歴/ }).locator("tbody tr").filter({ hasText: "提供主体（更新用リンク）" });
    await byProvider.first().waitFor();
    assert.equal(await byProvider.count(), 2, "description and website, each named as the provider's");
    await noSidewaysScroll(page, "a provider's page after approval");
    await assertAccessible(page, "A provider's page after approval (ja, phone)");
    await screenshot(page, "provider-approved-phone-ja");
    await page.context().close();

    // English, and observers read without the buttons.
    const observer = (await api("POST", "/tokens", { name: "observer", role: "observer" })).body.token;
    const english = await signedInPage(suite.browser, suite.url, observer, { lang: "en", viewport: PHONE });
    await english.goto(`${suite.url}/providers/${council.id}`);
    await english.getByRole("heading", { level: 1, name: "本町社会福祉協議会" }).waitFor();
    await english.getByRole("region", { name: /Services of this provider \(2\)/ }).waitFor();
    assert.equal(await english.getByRole("button", { name: "Change", exact: true }).count(), 0, "observers change nothing");
    await assertAccessible(english, "A provider's page (en, phone, observer)");
    await screenshot(english, "provider-page-phone-en");
    await english.context().close();
  });
});
