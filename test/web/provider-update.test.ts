/**
 * A provider updates its own directory entry by invitation (issue 14), in
 * Debian's Chromium with JavaScript switched off, at phone size, as a small
 * provider would on a phone: the link opens the form with the entry's values in
 * large type, Japanese first; an invalid web address comes back (400) naming the
 * field with what was typed kept and nothing stored; a valid proposal ends on the
 * thank-you page and uses up the link; the coordinator approves it and the
 * entry's history names the provider's link as the source. No WCAG 2.2 AA
 * violation on any page (axe on a scripted copy, as test/web/report-form.test.ts
 * explains).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consoleSuite, noScriptPage, screenshot } from "../support/console.ts";

const PHONE = { width: 390, height: 844 };

declare const getComputedStyle: (element: unknown) => { fontSize: string };

describe("the provider's update page without JavaScript", () => {
  const suite = consoleSuite();

  test("the provider proposes a change; a bad address is named on the page; the coordinator approves it", async () => {
    const api = suite.service.api;
    const provider = (await api("POST", "/directory/organizations", { name: "本町社会福祉協議会" })).body;
    const service = await api("POST", "/directory/services", {
      directoryOrganizationId: provider.id, name: "ふれあいサロン", description: "毎週月曜 10時から", feesDescription: "100円",
    });
    assert.equal(service.status, 201, JSON.stringify(service.body));
    const invitation = await api("POST", "/directory/invitations", { serviceId: service.body.id, email: "salon@example.jp" });
    assert.equal(invitation.status, 201, JSON.stringify(invitation.body));
    assert.match(invitation.body.path, /^\/provider-update\/mdp_/);
    const { page, copy, check, close } = await noScriptPage(suite.browser, PHONE);
    try {
      await page.goto(`${suite.url}${invitation.body.path}`);
      await page.getByRole("heading", { level: 1, name: /掲載内容の更新/ }).waitFor();
      assert.equal(await page.getByRole("textbox", { name: /^名称/ }).inputValue(), "ふれあいサロン");
      assert.equal(await page.getByRole("textbox", { name: /^料金/ }).inputValue(), "100円");
      await check("Provider update: form");
      const size = await copy.locator("body").evaluate((e) => getComputedStyle(e).fontSize);
      assert.ok(Number.parseFloat(size) >= 20, `large type: ${size}`);
      await screenshot(page, "provider-update-form");

      await page.getByRole("textbox", { name: /^料金/ }).fill("無料");
      await page.getByRole("textbox", { name: /^ホームページ/ }).fill("not a web address");
      const refused = page.waitForResponse((r) => r.request().method() === "POST");
      await page.getByRole("button", { name: /確認を依頼する/ }).click();
      assert.equal((await refused).status(), 400);
      await page.getByRole("heading", { level: 2, name: /送信できませんでした/ }).waitFor();
      assert.equal(await page.getByRole("textbox", { name: /^ホームページ/ }).getAttribute("aria-invalid"), "true");
      assert.equal(await page.getByRole("textbox", { name: /^料金/ }).inputValue(), "無料", "what was typed is kept");
      await check("Provider update: refused");
      await screenshot(page, "provider-update-refused");
      assert.deepEqual((await api("GET", "/directory/proposed-changes")).body.proposals, [], "nothing stored");

      await page.getByRole("textbox", { name: /^ホームページ/ }).fill("https://example.jp/salon");
      const sent = page.waitForResponse((r) => r.request().method() === "POST");
      await page.getByRole("button", { name: /確認を依頼する/ }).click();
      assert.equal((await sent).status(), 200);
      await page.getByRole("heading", { level: 1, name: /送信しました/ }).waitFor();
      await check("Provider update: thanks");
      await screenshot(page, "provider-update-thanks");

      // Used up: the link opens no form any more.
      const again = await page.goto(`${suite.url}${invitation.body.path}`);
      assert.equal(again?.status(), 410);
      await page.getByRole("heading", { level: 1, name: /使用済み/ }).waitFor();
      await check("Provider update: used link");
      assert.equal((await page.goto(`${suite.url}/provider-update/mdp_${"x".repeat(32)}`))?.status(), 404);
    } finally {
      await close();
    }

    const pending = (await api("GET", "/directory/proposed-changes?status=pending")).body.proposals;
    assert.equal(pending.length, 1);
    assert.deepEqual(pending[0].changes, { url: "https://example.jp/salon", feesDescription: "無料" });
    assert.deepEqual(pending[0].current, { url: null, feesDescription: "100円" });
    const approved = await api("POST", `/directory/proposed-changes/${pending[0].id}/approve`, {});
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, "approved");
    const twice = await api("POST", `/directory/proposed-changes/${pending[0].id}/reject`, { note: "遅れて" });
    assert.deepEqual([twice.status, twice.body.error.code], [409, "proposal_decided"]);
    const detail = (await api("GET", `/directory/services/${service.body.id}`)).body;
    assert.deepEqual([detail.url, detail.feesDescription, detail.name], ["https://example.jp/salon", "無料", "ふれあいサロン"]);
    const history = (await api("GET", `/directory/services/${service.body.id}/history`)).body;
    const fees = (history.changes as { field: string; by: string; replacement: string | null }[]).find((c) => c.field === "fees_description");
    assert.ok(fees, JSON.stringify(history).slice(0, 500));
    assert.deepEqual([fees.by, fees.replacement], [`provider:invitation:${invitation.body.id}`, "無料"]);
  });
});
