/**
 * Provenance and handover in the console (issue 14), in Debian's Chromium at
 * phone width, Japanese and English, no WCAG 2.2 AA violation, screenshots saved:
 * - a coordinator (a person) sees わたしの次の連絡 with their overdue service; on the
 *   service's page asks the provider to update (更新を依頼: a link shown once);
 *   the provider edits its entry on the public page (no JavaScript); the
 *   coordinator sees the proposal field by field (変更前 → 変更後), approves it,
 *   and the service shows the new values and its history names the provider's
 *   link; a second proposal is rejected with a reason (the button waits for one)
 *   and changes nothing; a link is revoked from the list and then opens as an
 *   expired one;
 * - an admin (English) hands everything a leaving coordinator owns — provider,
 *   services, volunteer, the network's partner — to a successor: the list with
 *   next contact dates, the confirmation, one action; the lists are then empty,
 *   the successor owns them, the service's history shows the owner change and
 *   the past handovers list it.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { assertAccessible, consoleSuite, personPage, screenshot, signedInPage } from "../support/console.ts";
import { invitedPerson, PASSWORD, totpNow } from "../support/people.ts";

const PHONE = { width: 390, height: 844 };

async function noSidewaysScroll(page: Page, what: string): Promise<void> {
  const overflow = await page.locator("html").evaluate((html) => html.scrollWidth - html.clientWidth);
  assert.ok(overflow <= 0, `${what}: no sideways scrolling on a phone (${overflow}px)`);
}

describe("provenance and handover in the console", () => {
  const suite = consoleSuite();

  test("invite → the provider edits → the coordinator approves; reject with a reason; revoke; my next contacts (ja, phone)", async () => {
    const api = suite.service.api;
    const coordinator = await invitedPerson(api, suite.service.url, { displayName: "コーディネーター 森", loginId: "mori-coord", role: "staff" });
    const provider = (await api("POST", "/directory/organizations", { name: "本町社会福祉協議会" })).body;
    const salon = await api("POST", "/directory/services", {
      directoryOrganizationId: provider.id, name: "ふれあいサロン", description: "毎週月曜 10時から", feesDescription: "100円",
      ownerPersonId: coordinator.id, nextContactOn: "2026-12-20",
    });
    assert.equal(salon.status, 201, JSON.stringify(salon.body));
    const id = salon.body.id as string;

    const page = await personPage(suite.browser, suite.url, "mori-coord", PASSWORD, () => totpNow(coordinator.secret), { viewport: PHONE });
    await page.goto(`${suite.url}/resources`);
    const mine = page.getByRole("region", { name: "わたしの次の連絡" });
    await mine.getByRole("link", { name: "ふれあいサロン" }).waitFor();
    await mine.getByText("要連絡").waitFor();
    await mine.getByText("2026年12月20日").waitFor();
    await assertAccessible(page, "Local resources with my next contacts (ja, phone)");
    await screenshot(page, "provenance-my-next-contacts-phone-ja");

    // 更新を依頼: the link is shown once, to copy or e-mail.
    await mine.getByRole("link", { name: "ふれあいサロン" }).click();
    await page.getByRole("heading", { level: 1, name: "ふれあいサロン" }).waitFor();
    const invite = page.getByRole("region", { name: "更新を依頼" });
    // At phone width the service's parts are closed disclosures: open this one.
    await invite.getByRole("button", { name: /^更新を依頼/, expanded: false }).click();
    await invite.getByText("まだ使われていないリンクはありません。").waitFor();
    await invite.getByRole("textbox", { name: /送り先のメールアドレス/ }).fill("salon@example.jp");
    await invite.getByRole("button", { name: "リンクを作る" }).click();
    const linkBox = invite.getByRole("textbox", { name: "提供主体に送るリンク" });
    await linkBox.waitFor();
    const link = await linkBox.inputValue();
    assert.match(link, /\/provider-update\/mdp_[A-Za-z0-9_-]{32}$/);
    const mail = await invite.getByRole("link", { name: "メールで送る" }).getAttribute("href");
    assert.ok(mail?.startsWith("mailto:salon%40example.jp?subject=") && mail.includes(encodeURIComponent(link)), mail ?? "");
    assert.equal(await invite.locator("table.invitation-list tbody tr").count(), 1);
    await noSidewaysScroll(page, "the service page with a new link");
    await assertAccessible(page, "Service page: a provider's link created (ja, phone)");
    await screenshot(page, "provenance-invite-created-phone-ja");

    // The provider, on its phone without JavaScript, changes the fees and the description.
    const providerContext = await suite.browser.newContext({ viewport: PHONE, locale: "ja-JP", javaScriptEnabled: false });
    const providerPage = await providerContext.newPage();
    await providerPage.goto(link.replace("127.0.0.1", "localhost"));
    await providerPage.getByRole("textbox", { name: /^料金/ }).fill("無料");
    await providerPage.getByRole("textbox", { name: /^説明/ }).fill("毎週月曜 10時から 12時まで");
    await providerPage.getByRole("button", { name: /確認を依頼する/ }).click();
    await providerPage.getByRole("heading", { level: 1, name: /送信しました/ }).waitFor();
    await providerContext.close();

    // The coordinator sees the proposal in words, field by field, and approves it.
    await page.reload();
    const proposals = page.getByRole("region", { name: "提供主体からの変更提案" });
    const proposal = proposals.getByRole("article");
    await proposal.waitFor();
    const rows = proposal.locator("tbody tr");
    assert.deepEqual((await rows.allInnerTexts()).map((r) => r.replace(/\s+/g, " ").trim()).sort(), [
      "内容 毎週月曜 10時から → 毎週月曜 10時から 12時まで", "費用 100円 → 無料",
    ].sort());
    assert.equal(await page.getByRole("region", { name: "更新を依頼" }).locator("table.invitation-list").count(), 0, "the used link is no longer open");
    await noSidewaysScroll(page, "a proposal");
    await assertAccessible(page, "Service page: a provider's proposal (ja, phone)");
    await screenshot(page, "provenance-proposal-phone-ja");
    await proposal.getByRole("button", { name: "承認して反映する" }).click();
    await proposals.getByText("提案を承認し、掲載内容に反映しました。").waitFor();
    const facts = page.locator("dl.facts");
    await facts.getByText("無料").waitFor();
    await facts.getByText("毎週月曜 10時から 12時まで").waitFor();
    const history = page.getByRole("region", { name: "変更の履歴" });
    await history.getByRole("button", { name: /^変更の履歴/, expanded: false }).click();
    const feesRow = history.locator("tbody tr").filter({ hasText: "費用" }).filter({ hasText: "無料" });
    await feesRow.waitFor();
    assert.match(await feesRow.innerText(), /提供主体（更新用リンク）[\s\S]*100円[\s\S]*無料/);
    await assertAccessible(page, "Service page after approval (ja, phone)");
    await screenshot(page, "provenance-approved-phone-ja");

    // A second proposal is rejected with a reason; the entry stays as it is.
    const second = (await api("POST", "/directory/invitations", { serviceId: id })).body;
    const form = new URLSearchParams({
      name: "ふれあいサロン", description: "毎週月曜 10時から 12時まで", url: "", email: "", eligibilityDescription: "", feesDescription: "500円",
      applicationProcess: "", alert: "",
    });
    const sent = await fetch(`${suite.service.url}${second.path}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form.toString() });
    assert.equal(sent.status, 200);
    await page.reload();
    const next = page.getByRole("region", { name: "提供主体からの変更提案" }).getByRole("article");
    await next.getByText("500円").waitFor();
    const reject = next.getByRole("button", { name: "却下する" });
    assert.equal(await reject.isDisabled(), true, "rejecting waits for a reason");
    await next.getByRole("textbox", { name: /却下の理由/ }).fill("料金は変わっていないと電話で確認");
    await reject.click();
    await page.getByText("提案を却下しました。掲載内容は変わりません。").waitFor();
    assert.equal((await api("GET", `/directory/services/${id}`)).body.feesDescription, "無料");
    const rejected = (await api("GET", "/directory/proposed-changes?status=rejected")).body.proposals;
    assert.deepEqual(rejected.map((p: { decisionNote: string }) => p.decisionNote), ["料金は変わっていないと電話で確認"]);

    // Revoke: the link leaves the list and its page refuses it as an expired one.
    const invitePanel = page.getByRole("region", { name: "更新を依頼" });
    await invitePanel.getByRole("button", { name: /^更新を依頼/, expanded: false }).click();
    await invitePanel.getByRole("button", { name: "リンクを作る" }).click();
    const revokedLink = await invitePanel.getByRole("textbox", { name: "提供主体に送るリンク" }).inputValue();
    await invitePanel.getByRole("button", { name: /に作ったリンクを取り消す$/ }).click();
    await invitePanel.getByText("リンクを取り消しました。").waitFor();
    await invitePanel.getByText("まだ使われていないリンクはありません。").waitFor();
    assert.equal(await invitePanel.getByRole("textbox", { name: "提供主体に送るリンク" }).count(), 0, "the revoked link is not shown any more");
    await assertAccessible(page, "Service page after revoking a link (ja, phone)");
    await screenshot(page, "provenance-revoked-phone-ja");
    const refused = await page.goto(revokedLink.replace("127.0.0.1", "localhost"));
    assert.equal(refused?.status(), 410);
    await page.getByRole("heading", { level: 1, name: /有効期限が切れています/ }).waitFor();
    await page.context().close();
  });

  test("handover end to end: what the leaver owns, confirm, one action, history (en, phone)", async () => {
    const api = suite.service.api;
    const leaver = (await api("POST", "/people", { displayName: "Sato (leaving)", loginId: "sato-leaving", role: "staff" })).body.person.id as string;
    const successor = (await api("POST", "/people", { displayName: "Suzuki (successor)", loginId: "suzuki-next", role: "staff" })).body.person.id as string;
    const provider = (await api("POST", "/directory/organizations", { name: "Kita Volunteer Centre", ownerPersonId: leaver, nextContactOn: "2027-02-01" })).body;
    const service = (await api("POST", "/directory/services", {
      directoryOrganizationId: provider.id, name: "Shopping help", ownerPersonId: leaver, nextContactOn: "2026-12-15",
    })).body;
    await api("POST", "/directory/volunteers", { displayName: "Yamamoto", skills: [], areas: [], availability: [], ownerPersonId: leaver, nextContactOn: "2027-01-20" });
    const partner = await api("POST", "/network/partners", { name: "Newsagent", kind: "home_visit", ownerPersonId: leaver, nextReviewOn: "2027-03-01" });
    assert.equal(partner.status, 201, JSON.stringify(partner.body));

    const page = await signedInPage(suite.browser, suite.url, suite.service.token, { lang: "en", viewport: PHONE });
    await page.goto(`${suite.url}/handover`);
    await page.getByRole("heading", { level: 1, name: "Handover" }).waitFor();
    await page.getByText("No handovers yet.").waitFor();
    await page.getByRole("button", { name: /Handing over \(leaving\)/ }).click();
    await page.getByRole("option", { name: "Sato (leaving)" }).click();
    const owned = page.getByRole("region", { name: "Owned by Sato (leaving) (4)" });
    const rows = owned.locator("table.owned-records tbody tr");
    await rows.nth(3).waitFor();
    assert.deepEqual((await rows.allInnerTexts()).map((r) => r.replace(/\s+/g, " ").trim()), [
      "Service Shopping help Tue 15 Dec 2026 Due", "Volunteer Yamamoto Wed 20 Jan 2027", "Provider Kita Volunteer Centre Mon 1 Feb 2027",
      "Partner Newsagent Mon 1 Mar 2027",
    ]);
    const submit = page.getByRole("button", { name: "Hand over everything" });
    assert.equal(await submit.isDisabled(), true, "no successor chosen yet");
    await page.getByRole("button", { name: /Taking over \(successor\)/ }).click();
    assert.equal(await page.getByRole("option", { name: "Sato (leaving)" }).count(), 0, "the leaver is not offered as the successor");
    await page.getByRole("option", { name: "Suzuki (successor)" }).click();
    await noSidewaysScroll(page, "the handover screen");
    await assertAccessible(page, "Handover: what the leaver owns (en, phone)");
    await screenshot(page, "handover-owned-phone-en");
    await submit.click();
    const confirm = page.getByRole("region", { name: "Confirm the handover" });
    await confirm.getByText("Hand all 4 records of Sato (leaving) to Suzuki (successor)?").waitFor();
    await assertAccessible(page, "Handover: confirm (en, phone)");
    await screenshot(page, "handover-confirm-phone-en");
    await confirm.getByRole("button", { name: "Hand over", exact: true }).click();
    await page.getByRole("status").filter({ hasText: "Handed 4 records of Sato (leaving) to Suzuki (successor)." }).waitFor();
    await page.getByRole("region", { name: "Owned by Sato (leaving) (0)" }).getByText("They own nothing.").waitFor();
    const past = page.getByRole("region", { name: "Past handovers" }).locator("tbody tr");
    await past.first().waitFor();
    assert.match(await past.first().innerText(), /by admin\s+Sato \(leaving\) → Suzuki \(successor\)\s+providers: 1, services: 1, volunteers: 1, partners: 1/);
    assert.equal(await page.getByRole("button", { name: "Hand over everything" }).isDisabled(), true, "nothing left to hand over");
    await noSidewaysScroll(page, "the handover screen after the handover");
    await assertAccessible(page, "Handover: done (en, phone)");
    await screenshot(page, "handover-done-phone-en");

    // The successor owns it all; the service's history shows the owner change.
    assert.equal((await api("GET", `/directory/owners/${successor}/records`)).body.records.length, 4);
    assert.equal((await api("GET", `/network/partners/${partner.body.id}`)).body.owner.id, successor);
    await page.goto(`${suite.url}/resources/${service.id}`);
    await page.getByRole("button", { name: /^History of changes/, expanded: false }).click();
    const ownerRow = page.getByRole("region", { name: "History of changes" }).locator("tbody tr").filter({ hasText: "Owner" }).filter({ hasText: "Suzuki (successor)" });
    await ownerRow.first().waitFor();
    assert.match(await ownerRow.first().innerText(), /Sato \(leaving\)\s+Suzuki \(successor\)/, "the owner change by name");
    await assertAccessible(page, "Service history after the handover (en, phone)");
    await screenshot(page, "handover-service-history-phone-en");
    await page.context().close();
  });
});
