/**
 * Needs (困りごと) offered where watching finds them, in Debian's Chromium:
 * - a partner report's page (気づき, the network's) offers この報告から困りごとを記録
 *   once the report is linked to a member, its description filled in from the
 *   report's words; the need is recorded with the report as its source (the
 *   directory reads it through its port);
 * - a visit's outcome: その他 with a note leaves the incident open and its page
 *   offers この訪問から困りごとを記録する, prefilled from the visit's note (source visit);
 *   会えた・元気 resolves the incident, whose page offers the need prefilled from
 *   the same note (source incident).
 * Japanese and English; no WCAG 2.2 AA violation (axe); screenshots saved.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAccessible, consoleSuite, screenshot, signedInPage } from "../support/console.ts";
import { TOKYO } from "../support/harness.ts";
import { invitedPerson } from "../support/people.ts";
import { memberBody } from "../support/sandbox.ts";
import { fileReport, makePartner } from "../network/support.ts";

const KOBE = "神戸市中央区加納町6-5-1";

describe("needs offered from a partner report and from a visit's outcome in the console", () => {
  const suite = consoleSuite();

  test("a partner report's page offers a need prefilled from the report (ja, en); an unlinked report offers none", async () => {
    const api = suite.service.api;
    const member = (await api("POST", "/members", memberBody({ displayName: "山田 花子", address: KOBE }))).body;
    const partner = await makePartner(suite.service, "コープこうべ 宅配");
    const report = await fileReport(suite.service, partner, {
      urgency: "consult", address: KOBE, description: "重い荷物を運べず、買い物に困っている様子", reporterName: "配達員 中村", reporterPhone: null,
    }, TOKYO("2027-01-04T09:00:00"));
    const unlinked = await fileReport(suite.service, partner, {
      urgency: "watch", address: "神戸市東灘区2-2", description: "昼間も電気がついたまま", reporterName: null, reporterPhone: null,
    }, TOKYO("2027-01-04T10:00:00"));

    // A shopping service open one minute a day at 03:00 Tokyo: a need without a wanted time is matched to its next opening.
    const provider = (await api("POST", "/directory/organizations", { name: "中央区社会福祉協議会" })).body;
    const shop = (await api("POST", "/directory/services", { directoryOrganizationId: provider.id, name: "早朝の買い物便", status: "active" })).body;
    assert.equal((await api("PUT", `/directory/services/${shop.id}/taxonomy`, { codes: ["shopping"] })).status, 200);
    const hours = await api("POST", `/directory/services/${shop.id}/schedules`, {
      kind: "opening_hours", freq: "WEEKLY", byday: "MO,TU,WE,TH,FR,SA,SU", opensAt: "03:00", closesAt: "03:01",
    });
    assert.equal(hours.status, 201, JSON.stringify(hours.body));

    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.goto(`${suite.url}/concerns/${unlinked}`);
    await page.getByRole("heading", { level: 2, name: /コープこうべ 宅配からの気づき/ }).waitFor();
    await page.getByText("昼間も電気がついたまま").first().waitFor();
    assert.equal(await page.getByRole("button", { name: "この報告から困りごとを記録" }).count(), 0, "no member: no need to offer");

    await page.goto(`${suite.url}/concerns/${report}`);
    const offer = page.locator(".need-offer");
    await offer.getByText("この報告で分かった手助けの必要", { exact: false }).waitFor();
    await assertAccessible(page, "A partner report's offer of a need (ja)");
    await offer.getByRole("button", { name: "この報告から困りごとを記録" }).click();
    await offer.getByRole("heading", { name: "山田 花子さんの困りごとを記録する" }).waitFor();
    assert.equal(await offer.getByLabel("内容（報告から）").inputValue(), "重い荷物を運べず、買い物に困っている様子", "the description is the report's");
    await offer.getByRole("button", { name: /困りごとの種類を追加/ }).click();
    await page.getByRole("option", { name: "買い物支援", exact: true }).click();
    await assertAccessible(page, "Recording a need from a partner report (ja)");
    await screenshot(page, "need-from-report-ja");
    await offer.getByRole("button", { name: "困りごとを記録する" }).click();
    await page.getByRole("heading", { level: 1, name: "困りごと：山田 花子" }).waitFor();
    // The match reason says the next opening as a date and time in Tokyo, never a UTC timestamp.
    const card = page.locator(".match-card").filter({ hasText: "早朝の買い物便" });
    await card.getByText(/^次回の開催あり（\d{4}年\d{1,2}月\d{1,2}日\(.\) 03:00）$/).waitFor();
    assert.ok(!/\d{4}-\d{2}-\d{2}T/.test((await card.textContent()) ?? ""), "no ISO timestamp on the card");
    const needs = (await api("GET", `/directory/needs?memberId=${member.id}`)).body.needs;
    assert.deepEqual(needs.map((n: { source: string; sourceId: string; note: string; taxonomyCodes: string[] }) => [n.source, n.sourceId, n.note, n.taxonomyCodes]),
      [["partner_report", report, "重い荷物を運べず、買い物に困っている様子", ["shopping"]]]);

    // English: the offer's words; recorded again with staff's own words.
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.goto(`${suite.url}/concerns/${report}`);
    const en = page.locator(".need-offer");
    await en.getByText("If this report shows that help is needed", { exact: false }).waitFor();
    await en.getByRole("button", { name: "Record a need from this report" }).click();
    await en.getByLabel("Description (from the report)").fill("Wants help with heavy shopping");
    await en.getByRole("button", { name: /Add a kind of help/ }).click();
    await page.getByRole("option", { name: "Shopping help", exact: true }).click();
    await assertAccessible(page, "Recording a need from a partner report (en)");
    await screenshot(page, "need-from-report-en");
    await en.getByRole("button", { name: "Record the need" }).click();
    await page.getByRole("heading", { level: 1, name: "Need: 山田 花子" }).waitFor();
    await page.locator(".match-card").filter({ hasText: "早朝の買い物便" }).getByText(/^Opens later \(\w{3} \d{1,2} \w{3} \d{4}, 03:00\)$/).waitFor();
    const again = (await api("GET", `/directory/needs?memberId=${member.id}`)).body.needs;
    assert.deepEqual(again.map((n: { source: string; note: string }) => [n.source, n.note])[0], ["partner_report", "Wants help with heavy shopping"]);
    await page.context().close();
  });

  test("a visit's outcome offers a need prefilled from the visit's note: その他 (incident still open: source visit), 会えた・元気 (resolved: source incident)", async () => {
    const api = suite.service.api;
    const watcher = await invitedPerson(api, suite.service.url, { displayName: "民生委員 田中", loginId: "tanaka-visit", role: "watcher" });
    /** A member whose answer opened an incident, visited by the watcher, who reports `outcome` with `note`. */
    const visited = async (displayName: string, outcome: "other" | "met_fine", note: string) => {
      const member = (await api("POST", "/members", memberBody({ displayName }))).body;
      const incidentId: string = (await api("POST", `/members/${member.id}/answers`, { answer: "need_contact" })).body.incidentId;
      const visit = await api("POST", `/incidents/${incidentId}/visits`, { watcherIds: [watcher.id], dueInMinutes: 60 });
      assert.equal(visit.status, 201, JSON.stringify(visit.body));
      assert.equal((await watcher.client.call("POST", `/visits/${visit.body.id}/accept`)).status, 200);
      const reported = await watcher.client.call("POST", `/visits/${visit.body.id}/outcome`, { outcome, note });
      assert.equal(reported.status, 200, JSON.stringify(reported.body));
      return { memberId: member.id as string, incidentId, visitId: visit.body.id as string };
    };
    const other = await visited("石井 茂", "other", "ゴミ出しが難しいと話していた");
    const fine = await visited("青木 富子", "met_fine", "買い物が難しい");
    assert.equal((await api("GET", `/incidents/${other.incidentId}`)).body.status, "acknowledged", "その他 leaves the incident open");
    assert.equal((await api("GET", `/incidents/${fine.incidentId}`)).body.status, "resolved", "会えた・元気 resolves it");

    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.goto(`${suite.url}/incidents`);
    await page.getByRole("heading", { level: 1, name: "対応" }).waitFor();
    await page.getByRole("button", { name: "石井 茂" }).click();
    await page.getByRole("heading", { level: 2, name: "石井 茂 さんの対応" }).waitFor();
    const offer = page.locator(".need-offer");
    await offer.getByText("この訪問で分かった手助けの必要", { exact: false }).waitFor();
    await assertAccessible(page, "A visit's offer of a need (ja)");
    await offer.getByRole("button", { name: "この訪問から困りごとを記録する" }).click();
    assert.equal(await offer.getByLabel("内容（結果の記録から）").inputValue(), "ゴミ出しが難しいと話していた", "the description is the visit's note");
    await offer.getByRole("button", { name: /困りごとの種類を追加/ }).click();
    await page.getByRole("option", { name: "家事支援", exact: true }).click();
    await screenshot(page, "need-from-visit-ja");
    await offer.getByRole("button", { name: "困りごとを記録する" }).click();
    await page.getByRole("heading", { level: 1, name: "困りごと：石井 茂" }).waitFor();
    const fromVisit = (await api("GET", `/directory/needs?memberId=${other.memberId}`)).body.needs;
    assert.deepEqual(fromVisit.map((n: { source: string; sourceId: string; note: string }) => [n.source, n.sourceId, n.note]),
      [["visit", other.visitId, "ゴミ出しが難しいと話していた"]]);

    // 会えた・元気 resolved the incident with the visit's note: the resolved incident offers the need (English).
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.goto(`${suite.url}/incidents`);
    await page.getByRole("heading", { level: 1, name: "Incidents" }).waitFor();
    await page.getByRole("radio", { name: "Resolved", exact: true }).or(page.getByRole("button", { name: "Resolved", exact: true })).first().click();
    await page.getByRole("button", { name: "青木 富子" }).click();
    const resolvedOffer = page.locator(".need-offer");
    await resolvedOffer.getByRole("button", { name: "Record a need" }).click();
    assert.equal(await resolvedOffer.getByLabel("Description (from the outcome)").inputValue(), "買い物が難しい");
    await resolvedOffer.getByRole("button", { name: /Add a kind of help/ }).click();
    await page.getByRole("option", { name: "Shopping help", exact: true }).click();
    await assertAccessible(page, "A resolved visit's offer of a need (en)");
    await resolvedOffer.getByRole("button", { name: "Record the need" }).click();
    await page.getByRole("heading", { level: 1, name: "Need: 青木 富子" }).waitFor();
    const fromIncident = (await api("GET", `/directory/needs?memberId=${fine.memberId}`)).body.needs;
    assert.deepEqual(fromIncident.map((n: { source: string; sourceId: string; note: string }) => [n.source, n.sourceId, n.note]),
      [["incident", fine.incidentId, "買い物が難しい"]]);
    await page.context().close();
  });
});
