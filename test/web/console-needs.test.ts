/**
 * 困りごと (needs, issue 14) in Debian's Chromium: the path the issue names — a
 * missed check-in's outcome "買い物が難しい" becomes a need (through the API, as
 * test/directory/needs-referrals.test.ts does); on screen the coordinator sees it
 * first in the list, reads the suggested shopping-help service with vacancies and
 * the full one left out (reasons in words), refers the need to the provider,
 * asks a volunteer (asking more than the cap is refused in words), the volunteer
 * accepts in their own view (API), sharing the member's details is refused in
 * words without consent, and the referral moves requested → received → accepted
 * → in progress → completed by the receiver's buttons (a reopen asks a reason),
 * with its history. A need is recorded from the screen too (member search,
 * taxonomy kinds). Observers read with names hidden and no buttons. Japanese and
 * English, desktop and phone, no WCAG 2.2 AA violation; screenshots saved.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { assertAccessible, consoleSuite, screenshot, signedInPage } from "../support/console.ts";
import { invitedPerson } from "../support/people.ts";
import { memberBody, plus, sandbox } from "../support/sandbox.ts";

const PHONE = { width: 390, height: 844 };

async function assertPhoneSized(page: Page, what: string): Promise<void> {
  const width = await page.evaluate("document.documentElement.scrollWidth") as number;
  assert.ok(width <= PHONE.width, `${what}: the page is ${width}px wide on a ${PHONE.width}px screen`);
}

describe("needs in the console", () => {
  const suite = consoleSuite();

  test("a missed check-in's 買い物が難しい becomes a need, matched to a service and a volunteer, referred and completed on screen; ja and en, desktop and phone", async () => {
    const api = suite.service.api;
    const member = (await api("POST", "/members", memberBody({ displayName: "青木 富子" }))).body;
    const provider = (await api("POST", "/directory/organizations", { name: "中央区社会福祉協議会" })).body;
    const service = async (name: string, available: number) => {
      const r = await api("POST", "/directory/services", { directoryOrganizationId: provider.id, name });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal((await api("PUT", `/directory/services/${r.body.id}/taxonomy`, { codes: ["shopping"] })).status, 200);
      const capacity = await api("PUT", `/directory/services/${r.body.id}/capacity`, { unit: "人", available, maximum: 5 });
      assert.equal(capacity.status, 200, JSON.stringify(capacity.body));
      return r.body.id as string;
    };
    await service("買い物支援サービス", 2);
    await service("買い物代行（満員）", 0);
    const sato = await invitedPerson(api, suite.service.url, { displayName: "担い手 佐藤", loginId: "sato", role: "watcher" });
    const volunteer = async (displayName: string, personId?: string) => {
      const r = await api("POST", "/directory/volunteers", { displayName, skills: ["shopping"], areas: [], availability: [], ...(personId ? { personId } : {}) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    };
    await volunteer("担い手 佐藤", sato.id);
    for (const name of ["担い手 鈴木", "担い手 高橋", "担い手 田中"]) await volunteer(name);

    // The missed check-in: an incident whose outcome note becomes the need's.
    await sandbox(api).clockTo(plus(member.nextDueAt, 30));
    const incident = (await api("GET", `/incidents?status=unresolved&memberId=${member.id}`)).body.incidents[0];
    assert.ok(incident, "the missed check-in opened an incident");
    assert.equal((await api("POST", `/incidents/${incident.id}/resolve`, { outcome: "visited_fine", note: "買い物が難しい" })).status, 200);
    const need = await api("POST", "/directory/needs", { source: "incident", sourceId: incident.id, taxonomyCodes: ["shopping"] });
    assert.equal(need.status, 201, JSON.stringify(need.body));
    const resolved = await api("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: ["housework"], note: "済んだ件" });
    assert.equal((await api("PATCH", `/directory/needs/${resolved.body.id}`, { status: "resolved" })).status, 200);

    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.getByRole("navigation").getByRole("link", { name: "困りごと", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "困りごと" }).waitFor();
    await page.getByText("2 件の困りごと").waitFor();
    const rows = page.locator("table.need-list tbody tr");
    // Open first: the resolved one was recorded later but comes after.
    assert.match((await rows.nth(0).textContent()) ?? "", /青木 富子.*買い物支援.*安否確認の結果.*未対応/);
    assert.match((await rows.nth(1).textContent()) ?? "", /青木 富子.*家事支援.*職員が記録.*解決/);
    await assertAccessible(page, "Needs list (ja)");
    await screenshot(page, "needs-list-ja");
    await page.getByRole("button", { name: /状態/ }).click();
    await page.getByRole("option", { name: "解決" }).click();
    await page.getByText("1 件の困りごと").waitFor();
    assert.match((await rows.first().textContent()) ?? "", /家事支援/);
    await page.getByRole("button", { name: /状態/ }).click();
    await page.getByRole("option", { name: "すべての状態" }).click();
    await page.getByText("2 件の困りごと").waitFor();

    // The need's page: suggestions with reasons in words, the full service left out saying why.
    await rows.nth(0).getByRole("link", { name: "青木 富子" }).click();
    await page.getByRole("heading", { level: 1, name: "困りごと：青木 富子" }).waitFor();
    await page.getByText("買い物が難しい").waitFor();
    const suggested = page.locator(".match-card").filter({ hasText: "買い物支援サービス" });
    await suggested.getByText("困りごとの種類が一致").waitFor();
    await suggested.getByText("空きあり（2）").waitFor();
    await page.getByText("候補から外したサービス（1 件）と理由").click();
    await page.locator(".match-card.excluded").filter({ hasText: "買い物代行（満員）" }).getByText("空きなし").waitFor();
    await page.getByText("この件ではあと 3 人まで同時に依頼できます", { exact: false }).waitFor();
    await assertAccessible(page, "A need's page (ja)");

    // Refer to the provider of the service with vacancies.
    await suggested.getByRole("button", { name: "中央区社会福祉協議会（買い物支援サービス） に紹介する" }).click();
    const card = page.getByRole("article", { name: "紹介先: 中央区社会福祉協議会（買い物支援サービス）" });
    await card.getByText("依頼中", { exact: true }).waitFor();

    // Ask 佐藤 alone; then asking three more than the two left is refused in words.
    await page.getByRole("checkbox", { name: "担い手 佐藤" }).press("Space");
    await page.getByRole("button", { name: "選んだ担い手に依頼する" }).click();
    await page.getByText("1 人に依頼しました。", { exact: false }).waitFor();
    await page.getByText("この件ではあと 2 人まで同時に依頼できます", { exact: false }).waitFor();
    const requests = page.locator("table.request-list tbody tr");
    assert.match((await requests.first().textContent()) ?? "", /担い手 佐藤.*依頼中（返事待ち）/);
    for (const name of ["担い手 鈴木", "担い手 高橋", "担い手 田中"]) await page.getByRole("checkbox", { name }).press("Space");
    await page.getByRole("button", { name: "選んだ担い手に依頼する" }).click();
    await page.getByRole("alert").getByText("同時に依頼できる人数の上限を超えています。", { exact: false }).waitFor();
    assert.equal(await requests.count(), 1, "nobody more was asked");
    await assertAccessible(page, "Offers refused over the cap (ja)");

    // The volunteer accepts in their own view (the API as their login).
    const offered = (await api("GET", `/directory/needs/${need.body.id}`)).body.requests[0];
    const accepted = await sato.client.call("POST", `/directory/volunteer-requests/${offered.id}/accept`, {});
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "困りごと：青木 富子" }).waitFor();
    assert.match((await requests.first().textContent()) ?? "", /担い手 佐藤.*引き受け/);

    // Sharing the member's details without consent: refused in words, nothing shared.
    await card.getByRole("checkbox", { name: "住所" }).press("Space");
    await card.getByRole("button", { name: "選んだ情報を伝える" }).click();
    await card.getByRole("alert").getByText("本人の同意（協力事業者への情報提供）がないため、情報は伝えていません。", { exact: false }).waitFor();
    await card.getByText("まだ何も伝えていません。").waitFor();

    // The receiver's answers recorded step by step; the sender's side offers only cancelling meanwhile.
    assert.deepEqual(await card.locator(".referral-steps").first().getByRole("button").allTextContents(), ["「取消」にする"]);
    for (const [step, state] of [["受付済み", "受付済み"], ["受諾", "受諾"], ["対応中", "対応中"], ["完了", "完了"]] as const) {
      await card.getByRole("button", { name: `「${step}」にする` }).click();
      await card.getByRole("status").getByText(`紹介を「${state}」にしました。`).waitFor();
    }
    await card.locator(".referral-status").getByText("完了").waitFor();
    // Completed: only a reopen, which asks for a reason first.
    assert.deepEqual(await card.locator(".referral-steps").first().getByRole("button").allTextContents(), ["もう一度依頼する（再開）"]);
    await card.getByRole("button", { name: "もう一度依頼する（再開）" }).click();
    await card.getByLabel("「依頼中」にする理由（必須）").waitFor();
    await assertAccessible(page, "Reopen asks a reason (ja)");
    await card.getByRole("button", { name: "やめる" }).click();
    const history = card.locator("table.referral-history tbody tr");
    await history.nth(4).filter({ hasText: "対応中 → 完了" }).waitFor();
    assert.equal(await history.count(), 5, "created and four steps");
    assert.match((await history.last().textContent()) ?? "", /紹介先.*対応中 → 完了/);
    // Reopened with a reason (kept in the history), then accepted and completed again.
    await card.getByRole("button", { name: "もう一度依頼する（再開）" }).click();
    const confirm = card.getByRole("button", { name: "理由を添えて「依頼中」にする" });
    assert.ok(await confirm.isDisabled(), "no reopen without a reason");
    await card.getByLabel("「依頼中」にする理由（必須）").fill("週2回に増やしたい");
    await confirm.click();
    await card.getByRole("status").getByText("紹介を「依頼中」にしました。").waitFor();
    await history.nth(5).filter({ hasText: "週2回に増やしたい" }).waitFor();
    assert.match((await history.nth(5).textContent()) ?? "", /紹介元.*再開.*完了 → 依頼中.*週2回に増やしたい/);
    for (const step of ["受諾", "完了"]) {
      await card.getByRole("button", { name: `「${step}」にする` }).click();
      await card.getByRole("status").getByText(`紹介を「${step}」にしました。`).waitFor();
    }
    await history.nth(7).filter({ hasText: "受諾 → 完了" }).waitFor();
    assert.equal(await history.count(), 8, "reopen and two more steps");
    // With the member's consent, sharing goes through and says what was shared.
    const consent = await api("POST", `/members/${member.id}/consents`, { purpose: "share_partners", decision: "permit", method: "paper", givenAt: "2027-01-04T09:00:00+09:00" });
    assert.equal(consent.status, 201, JSON.stringify(consent.body));
    assert.ok(await card.getByRole("checkbox", { name: "住所" }).isChecked(), "the refused choice is kept to send again");
    await card.getByRole("button", { name: "選んだ情報を伝える" }).click();
    await card.getByText("伝えた情報: 住所").waitFor();
    assert.equal(await card.getByRole("alert").count(), 0, "the refusal is gone");
    await history.nth(8).filter({ hasText: "情報を共有" }).waitFor();
    assert.match((await history.nth(8).textContent()) ?? "", /情報を共有.*住所/);
    await assertAccessible(page, "A completed referral (ja)");
    // A second referral, made by mistake, is deleted with a reason: kept, marked, with no steps left.
    const mistaken = await api("POST", "/directory/referrals", { needId: need.body.id, providerId: provider.id });
    assert.equal(mistaken.status, 201, JSON.stringify(mistaken.body));
    await page.reload();
    const second = page.getByRole("article", { name: "紹介先: 中央区社会福祉協議会", exact: true });
    await second.getByRole("button", { name: "この紹介を削除する" }).click();
    assert.ok(await second.getByRole("button", { name: "理由を添えて削除する" }).isDisabled(), "no delete without a reason");
    await second.getByLabel("削除する理由（必須・記録に残ります）").fill("重複して作成したため");
    await second.getByRole("button", { name: "理由を添えて削除する" }).click();
    await second.getByText("この紹介は", { exact: false }).filter({ hasText: "理由: 重複して作成したため" }).waitFor();
    assert.equal(await second.getByRole("button").count(), 0, "a deleted referral moves no more");
    assert.equal((await api("GET", `/directory/referrals/${mistaken.body.id}`)).body.deleted.note, "重複して作成したため");
    await screenshot(page, "need-page-ja");
    const referral = (await api("GET", `/directory/referrals?needId=${need.body.id}`)).body.referrals[0];
    assert.equal(referral.status, "completed");

    // English.
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "Need: 青木 富子" }).waitFor();
    await page.getByRole("article", { name: "Referred to: 中央区社会福祉協議会 (買い物支援サービス)" }).locator(".referral-status").getByText("Completed").waitFor();
    await page.getByText("Same kind of help").first().waitFor();
    await assertAccessible(page, "A need's page (en)");
    await screenshot(page, "need-page-en");

    // Recording a need from the screen: member search, kinds from the taxonomy, description.
    await page.getByRole("link", { name: "Back to needs" }).click();
    await page.getByRole("button", { name: "Record a need" }).click();
    await page.getByRole("button", { name: "Record", exact: true }).click();
    await page.getByText("Search and choose a member.").waitFor();
    await page.getByText("Choose at least one kind.").waitFor();
    await page.getByRole("searchbox", { name: "Search members (name or number)" }).fill("青木");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.getByRole("radio", { name: "青木 富子" }).press("Space");
    await page.getByRole("button", { name: /Add a kind of help/ }).click();
    await page.getByRole("option", { name: "Housework help" }).click();
    await page.getByRole("button", { name: "Remove Housework help" }).waitFor();
    await page.getByLabel("What is needed (the member's words, the situation)").fill("ゴミ出しが難しい");
    await assertAccessible(page, "Recording a need (en)");
    await screenshot(page, "need-form-en");
    await page.getByRole("button", { name: "Record", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Need: 青木 富子" }).waitFor();
    await page.getByText("ゴミ出しが難しい").waitFor();
    const created = (await api("GET", "/directory/needs?status=open")).body.needs.filter((n: { note: string }) => n.note === "ゴミ出しが難しい");
    assert.deepEqual(created.map((n: { memberId: string; source: string; taxonomyCodes: string[] }) => [n.memberId, n.source, n.taxonomyCodes]),
      [[member.id, "console", ["housework"]]]);
    await page.context().close();

    // A phone: the need's page fits, in Japanese and English.
    for (const lang of ["ja", "en"] as const) {
      const phone = await signedInPage(suite.browser, suite.url, suite.service.token, { viewport: PHONE, lang });
      await phone.goto(`${suite.url}/needs/${need.body.id}`);
      await phone.getByRole("heading", { level: 1, name: lang === "ja" ? "困りごと：青木 富子" : "Need: 青木 富子" }).waitFor();
      await phone.locator("table.referral-history tbody tr").first().waitFor();
      await assertAccessible(phone, `A need's page on a phone (${lang})`);
      await assertPhoneSized(phone, `A need's page on a phone (${lang})`);
      await screenshot(phone, `need-page-phone-${lang}`);
      await phone.goto(`${suite.url}/needs`);
      await phone.locator("table.need-list tbody tr").first().waitFor();
      await assertAccessible(phone, `Needs list on a phone (${lang})`);
      await assertPhoneSized(phone, `Needs list on a phone (${lang})`);
      await screenshot(phone, `needs-list-phone-${lang}`);
      await phone.context().close();
    }

    // An observer reads: names hidden, no buttons.
    const observer = (await api("POST", "/tokens", { name: "observer", role: "observer" })).body.token;
    const readOnly = await signedInPage(suite.browser, suite.url, observer);
    await readOnly.getByRole("navigation").getByRole("link", { name: "困りごと", exact: true }).click();
    await readOnly.getByRole("heading", { level: 1, name: "困りごと" }).waitFor();
    await readOnly.locator("table.need-list tbody tr").first().waitFor();
    assert.equal(await readOnly.getByText("青木 富子").count(), 0, "the member's name is hidden");
    assert.equal(await readOnly.getByRole("button", { name: "困りごとを記録する" }).count(), 0);
    await readOnly.locator("table.need-list tbody tr").filter({ hasText: "買い物支援" }).getByRole("link").click();
    await readOnly.getByRole("heading", { level: 1, name: "困りごと：（非表示）" }).waitFor();
    await readOnly.getByRole("article").first().waitFor();
    assert.equal(await readOnly.getByRole("main").getByRole("button").count(), 0, "an observer has no buttons");
    await assertAccessible(readOnly, "A need's page for an observer (ja)");
    await readOnly.context().close();
  });
});
