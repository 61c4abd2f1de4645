/**
 * The receiving organisation's private link to a referral (issue 14: both sides
 * see the state), in Debian's Chromium: the coordinator makes the link on the
 * need's page (shown once, with a copy button); the receiver opens it at phone
 * size with JavaScript switched off and sees the referral with the details the
 * member's consent allowed to share, marks it received and accepts it, and a
 * rejection without a reason is refused on the page; the coordinator's card
 * shows the new state and the receiver's moves in the history; the coordinator
 * revokes the link and the receiver's page says so. The console part in English
 * too. No WCAG 2.2 AA violation on the console part or any receiver page (axe; the no-JS pages on a scripted copy,
 * as test/web/provider-update.test.ts does). Screenshots saved.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAccessible, consoleSuite, noScriptPage, screenshot, signedInPage } from "../support/console.ts";
import { memberBody } from "../support/sandbox.ts";

const PHONE = { width: 390, height: 844 };

describe("the referral's receiver page and the console's link part", () => {
  const suite = consoleSuite();

  test("the coordinator makes the link; the receiver sees the shared details and moves the referral; the coordinator sees it and revokes the link", async () => {
    const api = suite.service.api;
    const member = (await api("POST", "/members", memberBody({ displayName: "森 ハナ", address: "神戸市灘区岩屋中町4-5-6" }))).body;
    const provider = (await api("POST", "/directory/organizations", { name: "灘区配食サービス" })).body;
    const need = await api("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: ["shopping"], note: "夕食の買い物が難しい" });
    assert.equal(need.status, 201, JSON.stringify(need.body));
    const referral = await api("POST", "/directory/referrals", { needId: need.body.id, providerId: provider.id, note: "週3回の夕食配達をお願いします" });
    assert.equal(referral.status, 201, JSON.stringify(referral.body));
    assert.equal((await api("POST", `/members/${member.id}/consents`,
      { purpose: "share_partners", decision: "permit", method: "paper", givenAt: "2027-01-04T07:00:00+09:00" })).status, 201);
    assert.equal((await api("POST", `/directory/referrals/${referral.body.id}/share`, { fields: ["displayName", "address", "needNote"] })).status, 200);

    const coordinator = await signedInPage(suite.browser, suite.url, suite.service.token);
    await coordinator.goto(`${suite.url}/needs/${need.body.id}`);
    const card = coordinator.getByRole("article", { name: "紹介先: 灘区配食サービス" });
    const part = card.getByRole("region", { name: "紹介先の専用リンク" });
    await part.getByText("専用リンクはまだありません。").waitFor();
    await part.getByRole("button", { name: "専用リンクを作る" }).click();
    const field = part.getByRole("textbox", { name: /専用リンク/ });
    await field.waitFor();
    const url = await field.inputValue();
    assert.match(url, new RegExp(`^${suite.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/referral/mdr_[A-Za-z0-9_-]{32}$`));
    await part.getByText("紹介先はまだ開いていません。").waitFor();
    await part.getByRole("button", { name: "リンクをコピー" }).waitFor();
    await assertAccessible(coordinator, "Referral card with the receiver's link (ja)");
    await screenshot(coordinator, "referral-receiver-link-console");

    // The same part in English, for the second language of the console.
    const english = await signedInPage(suite.browser, suite.url, suite.service.token, { lang: "en" });
    await english.goto(`${suite.url}/needs/${need.body.id}`);
    const englishPart = english.getByRole("article", { name: "Referred to: 灘区配食サービス" }).getByRole("region", { name: "The receiver's private link" });
    await englishPart.getByText(/^A link is live \(until /).waitFor();
    await englishPart.getByText("The receiver has not opened it yet.").waitFor();
    await englishPart.getByRole("button", { name: "Make a new link (the current one stops working)" }).waitFor();
    await assertAccessible(english, "Referral card with the receiver's link (en)");
    await screenshot(english, "referral-receiver-link-console-en");
    await english.context().close();

    const { page, check, close } = await noScriptPage(suite.browser, PHONE);
    try {
      await page.goto(url);
      await page.getByRole("heading", { level: 1, name: /ご紹介の受付/ }).waitFor();
      const text = (await page.locator("main").textContent()) ?? "";
      for (const shown of ["灘区配食サービス", "依頼中", "森 ハナ", "神戸市灘区岩屋中町4-5-6", "夕食の買い物が難しい", "週3回の夕食配達をお願いします"]) {
        assert.ok(text.includes(shown), `${shown} on the page`);
      }
      assert.ok(!text.includes("山田一郎"), "nothing that was not shared (the member's contacts)");
      await check("Receiver page: requested");
      await screenshot(page, "referral-receiver-requested");

      await page.getByRole("button", { name: /受け付けました/ }).click();
      await page.getByRole("heading", { level: 2, name: /記録しました/ }).waitFor();
      await page.getByRole("button", { name: /引き受けます/ }).click();
      await page.getByRole("heading", { level: 2, name: /記録しました：引き受けます/ }).waitFor();
      assert.ok(((await page.locator(".state").textContent()) ?? "").includes("受諾"));
      await check("Receiver page: accepted");
      await screenshot(page, "referral-receiver-accepted");
      assert.equal(await page.getByRole("button", { name: /お断りします/ }).count(), 0, "declining is no move from accepted");

      // The sender reopens nothing; from a fresh referral the receiver's rejection without a reason is refused on the page.
      const second = await api("POST", "/directory/referrals", { memberId: member.id, providerId: provider.id });
      const secondLink = await api("POST", `/directory/referrals/${second.body.id}/receiver-link`, {});
      await page.goto(`${suite.url}${secondLink.body.path}`);
      const refused = page.waitForResponse((r) => r.request().method() === "POST");
      await page.getByRole("button", { name: /お断りします/ }).click();
      assert.equal((await refused).status(), 400);
      await page.getByRole("alert").getByText(/お断りする理由を書いてください/).waitFor();
      assert.equal(await page.getByRole("textbox", { name: /お断りする理由/ }).getAttribute("aria-invalid"), "true");
      await check("Receiver page: a rejection without a reason");
      assert.equal((await api("GET", `/directory/referrals/${second.body.id}`)).body.status, "requested", "nothing changed");

      // The coordinator sees the receiver's moves.
      await coordinator.reload();
      await card.locator(".referral-status").getByText("受諾").waitFor();
      const history = card.locator("table.referral-history tbody tr");
      assert.match((await history.nth(2).textContent()) ?? "", /紹介先.*受付済み.*紹介先（専用リンク）/);
      assert.match((await history.nth(3).textContent()) ?? "", /紹介先.*受諾.*紹介先（専用リンク）/);
      await part.getByText(/紹介先が最後に開いた日時/).waitFor();

      // The coordinator revokes the link: the receiver's page says so, showing nothing of the referral.
      await part.getByRole("button", { name: "リンクを取り消す" }).click();
      await part.getByText("リンクを取り消しました。紹介先はもう開けません。").waitFor();
      await assertAccessible(coordinator, "Referral card after revoking the link (ja)");
      const gone = await page.goto(url);
      assert.equal(gone?.status(), 410);
      await page.getByRole("heading", { level: 1, name: /このリンクは取り消されました/ }).waitFor();
      assert.ok(!((await page.locator("main").textContent()) ?? "").includes("森 ハナ"));
      await check("Receiver page: revoked");
      await screenshot(page, "referral-receiver-revoked");
    } finally {
      await close();
    }
  });
});
