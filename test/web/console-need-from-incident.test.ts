/**
 * Issue 14's whole path on screen, in Debian's Chromium: a missed check-in opens
 * an incident; staff resolve it in 対応 with the outcome 会えた・元気 and the note
 * 買い物が難しい; the console offers to record a need (困りごと) for the member,
 * its description filled in from the note; staff choose 買い物支援 and record it;
 * the need's page suggests the shopping-help service with vacancies (the full
 * one left out, saying why) and the volunteer, whom staff ask; the volunteer
 * accepts in わたしへの依頼 on a phone; the need is then 担い手決定 (matched)
 * with the request accepted. In English the offer and its form are
 * walked again for another member. No WCAG 2.2 AA violation (axe) on the new
 * parts; screenshots saved.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAccessible, consoleSuite, personPage, screenshot, signedInPage } from "../support/console.ts";
import { invitedPerson, PASSWORD, totpNow } from "../support/people.ts";
import { memberBody, plus, sandbox } from "../support/sandbox.ts";

const PHONE = { width: 390, height: 844 };

describe("a need recorded from an incident's outcome in the console", () => {
  const suite = consoleSuite();

  test("missed check-in → resolved 買い物が難しい → need → matches → request → the volunteer accepts → matched; ja, and en for the offer", async () => {
    const api = suite.service.api;
    const member = (await api("POST", "/members", memberBody({ displayName: "青木 富子", address: "東京都港区芝1-2-3" }))).body;
    const other = (await api("POST", "/members", memberBody({ displayName: "Ito Hana" }))).body;
    const provider = (await api("POST", "/directory/organizations", { name: "中央区社会福祉協議会" })).body;
    const shoppingService = async (name: string, available: number) => {
      const r = await api("POST", "/directory/services", { directoryOrganizationId: provider.id, name });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.equal((await api("PUT", `/directory/services/${r.body.id}/taxonomy`, { codes: ["shopping"] })).status, 200);
      assert.equal((await api("PUT", `/directory/services/${r.body.id}/capacity`, { unit: "人", available, maximum: 5 })).status, 200);
    };
    await shoppingService("買い物支援サービス", 2);
    await shoppingService("買い物代行（満員）", 0);
    const sato = await invitedPerson(api, suite.service.url, { displayName: "担い手 佐藤", loginId: "sato", role: "watcher" });
    const volunteer = await api("POST", "/directory/volunteers", { displayName: "担い手 佐藤", personId: sato.id, skills: ["shopping"], areas: [], availability: [] });
    assert.equal(volunteer.status, 201, JSON.stringify(volunteer.body));

    // Both members miss their check-in: two incidents in the queue.
    await sandbox(api).clockTo(plus([member.nextDueAt, other.nextDueAt].sort().at(-1) as string, 30));
    const incidentOf = async (memberId: string) => (await api("GET", `/incidents?status=unresolved&memberId=${memberId}`)).body.incidents[0];
    const incident = await incidentOf(member.id);
    assert.ok(incident && await incidentOf(other.id), "the missed check-ins opened incidents");

    // 対応: resolve with the outcome and the note.
    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.getByRole("navigation").getByRole("link", { name: "対応", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "対応" }).waitFor();
    await page.getByRole("button", { name: "青木 富子" }).click();
    await page.getByRole("heading", { level: 2, name: "青木 富子 さんの対応" }).waitFor();
    await page.getByRole("button", { name: /結果/ }).first().click();
    await page.getByRole("option", { name: "訪問して無事を確認（会えた・元気）" }).click();
    await page.getByLabel("結果のメモ（任意）").fill("買い物が難しい");
    await page.getByRole("button", { name: "結果を記録して完了する" }).click();

    // The offer: the incident left the queue, the notice stays with the offer of a need.
    await page.getByRole("status").getByText("青木 富子 さんの対応を完了しました（訪問して無事を確認（会えた・元気））。").waitFor();
    const offer = page.locator(".just-resolved");
    await offer.getByText("この結果で分かった手助けの必要", { exact: false }).waitFor();
    await assertAccessible(page, "The offer of a need after resolving (ja)");
    await screenshot(page, "need-offer-ja");
    await offer.getByRole("button", { name: "困りごととして記録する" }).click();
    await offer.getByRole("heading", { name: "青木 富子さんの困りごとを記録する" }).waitFor();
    assert.equal(await offer.getByLabel("内容（結果の記録から）").inputValue(), "買い物が難しい", "the description is the outcome's note");
    await offer.getByRole("button", { name: "困りごとを記録する" }).click();
    await offer.getByText("種類を1つ以上選んでください。").waitFor();
    await offer.getByRole("button", { name: /困りごとの種類を追加/ }).click();
    await page.getByRole("option", { name: "買い物支援", exact: true }).click();
    await offer.getByRole("button", { name: "買い物支援 を外す" }).waitFor();
    await assertAccessible(page, "Recording a need from the outcome (ja)");
    await screenshot(page, "need-offer-form-ja");
    await offer.getByRole("button", { name: "困りごとを記録する" }).click();

    // The need's page: recorded from the incident, its matches with reasons.
    await page.getByRole("heading", { level: 1, name: "困りごと：青木 富子" }).waitFor();
    await page.getByText("買い物が難しい").waitFor();
    const needs = (await api("GET", `/directory/needs?memberId=${member.id}`)).body.needs;
    assert.deepEqual(needs.map((n: { source: string; sourceId: string; taxonomyCodes: string[]; note: string; status: string }) =>
      [n.source, n.sourceId, n.taxonomyCodes, n.note, n.status]), [["incident", incident.id, ["shopping"], "買い物が難しい", "open"]]);
    const needId = needs[0].id as string;
    const suggested = page.locator(".match-card").filter({ hasText: "買い物支援サービス" });
    await suggested.getByText("空きあり（2）").waitFor();
    await page.getByText("候補から外したサービス（1 件）と理由").click();
    await page.locator(".match-card.excluded").filter({ hasText: "買い物代行（満員）" }).getByText("空きなし").waitFor();
    await page.getByRole("checkbox", { name: "担い手 佐藤" }).press("Space");
    await page.getByRole("button", { name: "選んだ担い手に依頼する" }).click();
    await page.getByText("1 人に依頼しました。", { exact: false }).waitFor();
    await assertAccessible(page, "The need from the incident, its matches and the request (ja)");

    // The volunteer accepts in わたしへの依頼, on a phone.
    const phone = await personPage(suite.browser, suite.service.url, "sato", PASSWORD, () => totpNow(sato.secret), { viewport: PHONE });
    await phone.getByRole("link", { name: "わたしへの依頼" }).click();
    const request = phone.getByRole("article", { name: "買い物支援" });
    await request.getByRole("button", { name: "引き受ける" }).click();
    await request.getByText("引き受け済み").waitFor();
    await request.getByText("青木 富子").waitFor();
    await screenshot(phone, "need-from-incident-volunteer-ja");
    await phone.context().close();

    // Back on the coordinator's page: the need is matched, the request accepted.
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "困りごと：青木 富子" }).waitFor();
    assert.match((await page.locator("table.request-list tbody tr").first().textContent()) ?? "", /担い手 佐藤.*引き受け/);
    await page.locator("dd").getByText("担い手決定", { exact: true }).waitFor();
    assert.equal((await api("GET", `/directory/needs/${needId}`)).body.status, "matched");
    await screenshot(page, "need-from-incident-matched-ja");

    // English: the offer and its form for the other member's incident.
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("navigation").getByRole("link", { name: "Incidents", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Incidents" }).waitFor();
    await page.getByRole("button", { name: "Ito Hana" }).click();
    await page.getByRole("button", { name: /Outcome/ }).first().click();
    await page.getByRole("option", { name: "Visited: met, fine" }).click();
    await page.getByLabel("Note on the outcome (optional)").fill("Cannot carry shopping any more");
    await page.getByRole("button", { name: /Record the outcome/ }).click();
    await page.getByRole("status").getByText("The incident of Ito Hana is resolved (Visited: met, fine).").waitFor();
    await page.locator(".just-resolved").getByRole("button", { name: "Record a need" }).click();
    const form = page.locator(".just-resolved");
    await form.getByRole("heading", { name: "Record a need of Ito Hana" }).waitFor();
    assert.equal(await form.getByLabel("Description (from the outcome)").inputValue(), "Cannot carry shopping any more");
    await form.getByRole("button", { name: /Add a kind of help/ }).click();
    await page.getByRole("option", { name: "Shopping help", exact: true }).click();
    await assertAccessible(page, "Recording a need from the outcome (en)");
    await screenshot(page, "need-offer-form-en");
    await form.getByRole("button", { name: "Record the need" }).click();
    await page.getByRole("heading", { level: 1, name: "Need: Ito Hana" }).waitFor();
    const recorded = (await api("GET", `/directory/needs?memberId=${other.id}`)).body.needs;
    assert.deepEqual(recorded.map((n: { source: string; note: string }) => [n.source, n.note]), [["incident", "Cannot carry shopping any more"]]);
    await page.context().close();
  });
});
