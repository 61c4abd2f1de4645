/**
 * 協力事業者 (the partner registry) in Debian's Chromium: staff register a partner
 * through the form (a refused phone number is shown under its field first), find
 * it in the list (overdue reviews first, marked in words), open its page (report
 * form link, short code, QR code), issue its Open311 key (shown once: gone after
 * a reload) and rotate it after confirming, change it, archive and restore it;
 * the partner's page links its reports in 気づき; an observer reads the page with
 * the contact people hidden and no buttons. Japanese and English, desktop and
 * phone, no WCAG 2.2 AA violation; screenshots saved.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { assertAccessible, consoleSuite, personPage, screenshot, signedInPage } from "../support/console.ts";
import { invitedPerson, PASSWORD, totpNow } from "../support/people.ts";

const PHONE = { width: 390, height: 844 };

describe("partners in the console", () => {
  const suite = consoleSuite();

  const english = async (page: Page) => {
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
  };

  test("register, list, open, key once, change, archive and restore a partner; an observer reads it redacted; ja and en, desktop and phone", async () => {
    const owner = await suite.service.api("POST", "/people", { displayName: "担当 佐藤", loginId: "sato", role: "staff" });
    assert.equal(owner.status, 201, JSON.stringify(owner.body));
    // The sandbox's day is 2027-01-04: a review due 2026-12-01 is overdue.
    const late = await suite.service.api("POST", "/network/partners", {
      name: "ん 最後の名前の商店", kind: "shop", nextReviewOn: "2026-12-01", ownerPersonId: owner.body.person.id,
    });
    assert.equal(late.status, 201, JSON.stringify(late.body));
    assert.equal((await suite.service.api("POST", "/network/partners", { name: "あおぞら銀行 三宮支店", kind: "finance", nextReviewOn: "2027-09-01" })).status, 201);

    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.getByRole("link", { name: "協力事業者", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "協力事業者" }).waitFor();
    const firstRow = page.locator("table.partner-list tbody tr").first();
    await firstRow.getByText("期限切れ").waitFor();
    assert.match((await firstRow.textContent()) ?? "", /ん 最後の名前の商店/, "the overdue review comes first, though its name sorts last");
    await page.getByText("見直し期限を過ぎている協力事業者が 1 件あります").waitFor();
    await assertAccessible(page, "Partners list (ja)");
    await screenshot(page, "partners-list-ja");

    // Register: a phone number the API refuses is shown under its field.
    await page.getByRole("link", { name: "協力事業者を登録" }).click();
    await page.getByRole("heading", { level: 1, name: "協力事業者の登録" }).waitFor();
    await page.getByRole("textbox", { name: "名称" }).fill("神戸新聞 三宮販売所");
    await page.getByRole("button", { name: /種別/ }).click();
    await page.getByRole("option", { name: /訪問（新聞/ }).click();
    await page.getByRole("textbox", { name: "業種" }).fill("新聞販売店");
    await page.getByLabel("協定締結日").fill("2026-04-01");
    await page.getByRole("textbox", { name: "協定の内容（取り決め）" }).fill("配達時に新聞がたまっていたら連絡する。\n緊急時は110番・119番を優先する。");
    await page.getByRole("button", { name: /担当職員/ }).click();
    await page.getByRole("option", { name: "担当 佐藤" }).click();
    await page.getByLabel("次回見直し日").fill("2027-10-01");
    await page.getByText("公開ページに掲載する").click();
    const contact = page.getByRole("group", { name: "連絡先 1" });
    await contact.getByRole("textbox", { name: "氏名" }).fill("店長 山本");
    await contact.getByRole("textbox", { name: "役職・役割" }).fill("店長");
    await contact.getByRole("textbox", { name: "電話番号" }).fill("でんわ");
    await contact.getByRole("textbox", { name: "メールアドレス" }).fill("yamamoto@example.jp");
    await page.getByRole("button", { name: "協力事業者を登録" }).click();
    await contact.getByText("電話番号の形式で入力してください").waitFor();
    await page.getByText("入力内容を確認してください（1 か所）").waitFor();
    assert.equal(await contact.getByRole("textbox", { name: "電話番号" }).getAttribute("aria-invalid"), "true");
    await assertAccessible(page, "Partner form with a refused field (ja)");
    await screenshot(page, "partner-form-error-ja");
    await contact.getByRole("textbox", { name: "電話番号" }).fill("078-111-2222");
    assert.equal(await contact.getByText("電話番号の形式で入力してください").count(), 0, "a field's refusal goes once it is typed in");
    await page.getByRole("button", { name: "連絡先を追加" }).click();
    await page.getByRole("group", { name: "連絡先 2" }).getByRole("textbox", { name: "氏名" }).fill("配達 田中");
    await page.getByRole("button", { name: "協力事業者を登録" }).click();

    // Its page: every field, the form's link and short code, the QR code.
    await page.getByRole("heading", { level: 1, name: "神戸新聞 三宮販売所" }).waitFor();
    const code = (await page.getByTestId("partner-short-code").textContent()) ?? "";
    assert.match(code, /^[2-9A-HJKMNP-Z]{8}$/);
    assert.ok(((await page.getByTestId("partner-form-url").textContent()) ?? "").endsWith(`/r/${code}`));
    await page.getByTestId("partner-qr").waitFor();
    // The test service's public address is 127.0.0.1: the page says a partner's phone cannot open it.
    assert.match((await page.getByTestId("partner-local-url").textContent()) ?? "", /MIMAMORI_PUBLIC_URL/);
    for (const text of ["訪問（新聞・宅配・配食・検針など）", "新聞販売店", "2026年4月1日", "担当 佐藤", "2027年10月1日", "掲載する", "店長 山本", "078-111-2222", "yamamoto@example.jp", "配達 田中"]) {
      await page.getByText(text, { exact: false }).first().waitFor();
    }
    const partnerUrl = page.url();
    const partnerId = partnerUrl.split("/").at(-1) ?? "";
    const stored = await suite.service.api("GET", `/network/partners/${partnerId}`);
    assert.equal(stored.body.contacts.length, 2);
    assert.equal(stored.body.listed, true);
    assert.equal(stored.body.agreementTerms, "配達時に新聞がたまっていたら連絡する。\n緊急時は110番・119番を優先する。");
    await assertAccessible(page, "Partner page (ja)");
    await screenshot(page, "partner-page-ja");
    // Printed: the name, the QR code, the address and the short code for the counter; no menu, no buttons.
    await page.emulateMedia({ media: "print" });
    await screenshot(page, "partner-print-ja");
    assert.equal(await page.getByRole("button", { name: "QRコードを印刷" }).isVisible(), false);
    await page.emulateMedia({ media: "screen" });

    // The Open311 key: shown once; after a reload only "issued".
    await page.getByRole("button", { name: "APIキーを発行" }).click();
    const key = (await page.getByTestId("partner-key").textContent()) ?? "";
    assert.match(key, /^o311_/);
    await page.getByText("このAPIキーは今だけ表示されます").waitFor();
    await assertAccessible(page, "Partner page with the key shown once (ja)");
    await screenshot(page, "partner-key-once-ja");
    await page.reload();
    await page.getByText("APIキー：発行済み").waitFor();
    assert.equal(await page.getByTestId("partner-key").count(), 0, "the key is not shown again");
    assert.ok(!((await page.content()).includes(key)));
    // Rotating asks first; cancelling keeps the key.
    await page.getByRole("button", { name: "APIキーを再発行" }).click();
    const rotate = page.getByRole("dialog", { name: /APIキーを再発行しますか/ });
    await rotate.getByText("今のキーはすぐに使えなくなります").waitFor();
    await assertAccessible(page, "Rotate key confirmation (ja)");
    await screenshot(page, "partner-rotate-confirm-ja");
    await rotate.getByRole("button", { name: "キャンセル" }).click();
    assert.equal(await page.getByTestId("partner-key").count(), 0);
    await page.getByRole("button", { name: "APIキーを再発行" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "再発行する" }).click();
    const rotated = (await page.getByTestId("partner-key").textContent()) ?? "";
    assert.match(rotated, /^o311_/);
    assert.notEqual(rotated, key);

    // Change: the business, one contact fewer.
    await page.getByRole("button", { name: "変更する" }).click();
    await page.getByRole("heading", { level: 2, name: "神戸新聞 三宮販売所 の変更" }).waitFor();
    await page.getByRole("textbox", { name: "業種" }).fill("新聞販売店・折込");
    // The number is stored in E.164 and edited as it is written here.
    assert.equal(await page.getByRole("group", { name: "連絡先 1" }).getByRole("textbox", { name: "電話番号" }).inputValue(), "078-111-2222");
    await page.getByRole("button", { name: "連絡先 2 を削除" }).click();
    await assertAccessible(page, "Partner edit form (ja)");
    assert.equal(await page.getByTestId("partner-qr").count(), 0, "while changing, the page shows the form alone");
    await page.getByRole("button", { name: "変更を保存" }).click();
    await page.getByText("変更を保存しました。").waitFor();
    await page.getByText("新聞販売店・折込").waitFor();
    const changed = (await suite.service.api("GET", `/network/partners/${partnerId}`)).body;
    assert.deepEqual(changed.contacts.map((c: { phone: string | null }) => c.phone), ["+81781112222"]);

    // Archive after confirming: off the active list, on the archived one; then restore.
    await page.getByRole("button", { name: "アーカイブする" }).click();
    const archive = page.getByRole("dialog", { name: /アーカイブしますか/ });
    await assertAccessible(page, "Archive confirmation (ja)");
    await archive.getByRole("button", { name: "アーカイブする" }).click();
    await page.getByText("神戸新聞 三宮販売所 をアーカイブしました。").waitFor();
    await page.getByText("アーカイブ中のため、この報告フォームは使えません。").waitFor();
    await page.getByRole("link", { name: "← 協力事業者の一覧へ" }).click();
    await page.locator("table.partner-list tbody tr").first().waitFor();
    assert.equal(await page.locator("table.partner-list").getByText("神戸新聞 三宮販売所").count(), 0, "an archived partner leaves the active list");
    await page.getByRole("button", { name: /表示/ }).click();
    await page.getByRole("option", { name: "アーカイブ済み" }).click();
    await page.locator("table.partner-list").getByRole("link", { name: "神戸新聞 三宮販売所" }).click();
    await page.getByRole("button", { name: "協定中に戻す" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "協定中に戻す" }).click();
    await page.getByText("神戸新聞 三宮販売所 を協定中に戻しました。").waitFor();
    assert.equal((await suite.service.api("GET", `/network/partners/${partnerId}`)).body.archived, false);

    // Its reports in 気づき, filtered by the partner.
    await page.getByRole("link", { name: "神戸新聞 三宮販売所 からの気づきを一覧で見る" }).click();
    await page.getByRole("heading", { level: 1, name: "気づき（協力事業者からの連絡）" }).waitFor();
    await page.getByRole("button", { name: /神戸新聞 三宮販売所/ }).waitFor();

    // English.
    await page.goto(partnerUrl);
    await page.getByRole("heading", { level: 1, name: "神戸新聞 三宮販売所" }).waitFor();
    await english(page);
    await page.getByRole("heading", { level: 2, name: "Report form" }).waitFor();
    await page.getByText("Home visits (newspapers, delivery, meals, utilities)").waitFor();
    await assertAccessible(page, "Partner page (en)");
    await screenshot(page, "partner-page-en");
    await page.getByRole("link", { name: "← Back to the partners" }).click();
    await page.getByRole("heading", { level: 1, name: "Partners" }).waitFor();
    await page.locator("table.partner-list tbody tr").first().getByText("Overdue").waitFor();
    await assertAccessible(page, "Partners list (en)");
    await screenshot(page, "partners-list-en");
    await page.getByRole("link", { name: "Register a partner" }).click();
    await page.getByRole("heading", { level: 1, name: "Register a partner" }).waitFor();
    await assertAccessible(page, "Partner form (en)");
    await page.context().close();

    // An observer: contact people hidden, no buttons that change anything.
    const observer = (await suite.service.api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token as string;
    const watching = await signedInPage(suite.browser, suite.url, observer);
    await watching.goto(partnerUrl);
    await watching.getByRole("heading", { level: 1, name: "神戸新聞 三宮販売所" }).waitFor();
    await watching.getByText("個人情報（担当者の氏名・電話番号・メールアドレス）は表示されません").waitFor();
    assert.equal(await watching.getByText("（非表示）").count(), 2, "the owner and the contact person are hidden");
    assert.equal(await watching.getByText("店長 山本").count(), 0);
    assert.equal(await watching.getByText("yamamoto@example.jp").count(), 0);
    for (const name of ["変更する", "アーカイブする", "APIキーを再発行"]) assert.equal(await watching.getByRole("button", { name }).count(), 0, name);
    await assertAccessible(watching, "Partner page as an observer (ja)");
    await screenshot(watching, "partner-page-observer-ja");
    await watching.goto(`${suite.url}/partner-registry`);
    await watching.locator("table.partner-list tbody tr").first().waitFor();
    assert.equal(await watching.getByRole("link", { name: "協力事業者を登録" }).count(), 0);
    await assertAccessible(watching, "Partners list as an observer (ja)");
    await watching.context().close();

    // A phone.
    const phone = await signedInPage(suite.browser, suite.url, suite.service.token, { viewport: PHONE });
    await phone.goto(`${suite.url}/partner-registry`);
    await phone.locator("table.partner-list tbody tr").first().getByText("期限切れ").waitFor();
    await assertAccessible(phone, "Partners list on a phone (ja)");
    await screenshot(phone, "partners-list-phone-ja");
    await phone.goto(partnerUrl);
    await phone.getByTestId("partner-qr").waitFor();
    await assertAccessible(phone, "Partner page on a phone (ja)");
    await screenshot(phone, "partner-page-phone-ja");
    await phone.getByRole("button", { name: "変更する" }).click();
    await assertAccessible(phone, "Partner edit form on a phone (ja)");
    await screenshot(phone, "partner-form-phone-ja");
    await phone.context().close();
  });

  test("a staff member signed in as themselves chooses an owner among the staff and lists only the partners they own", async () => {
    const teams = (await suite.service.api("GET", "/teams")).body.teams as { id: string }[];
    const staff = await invitedPerson(suite.service.api, suite.url, { displayName: "引継 高橋", loginId: "takahashi", role: "staff", teamIds: teams.map((x) => x.id) });
    assert.equal((await suite.service.api("POST", "/network/partners", { name: "高橋さん担当の薬局", kind: "shop", ownerPersonId: staff.id })).status, 201);
    assert.equal((await suite.service.api("POST", "/network/partners", { name: "ほかの人の担当のガス会社", kind: "home_visit" })).status, 201);
    const page = await personPage(suite.browser, suite.url, "takahashi", PASSWORD, () => totpNow(staff.secret));
    await page.goto(`${suite.url}/partner-registry`);
    await page.locator("table.partner-list").getByText("ほかの人の担当のガス会社").waitFor();
    await page.getByText("自分が担当の協力事業者だけ").click();
    await page.locator("table.partner-list").getByText("高橋さん担当の薬局").waitFor();
    assert.equal(await page.locator("table.partner-list").getByText("ほかの人の担当のガス会社").count(), 0);
    assert.equal(await page.locator("table.partner-list tbody tr").count(), 1);
    await assertAccessible(page, "Partners list, mine only (ja)");
    await page.getByRole("link", { name: "協力事業者を登録" }).click();
    await page.getByRole("button", { name: /担当職員/ }).click();
    await page.getByRole("option", { name: "引継 高橋" }).waitFor();
    await page.keyboard.press("Escape");
    await page.context().close();
  });
});
