/**
 * 申し送り on a member's page, in Debian's Chromium: staff write a note, it is
 * listed with who wrote it and kept across a reload; Japanese and English with
 * no WCAG 2.2 AA violation; screenshots saved.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { assertAccessible, consoleSuite, screenshot, signedInPage } from "../support/console.ts";
import { memberBody } from "../support/sandbox.ts";

describe("handover notes in the console", () => {
  const suite = consoleSuite();

  test("write a note on a member's page; it stays, with who wrote it", async () => {
    const member = await suite.service.api("POST", "/members", memberBody({ displayName: "川口 トメ" }));
    assert.equal(member.status, 201);
    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.goto(`${suite.url}/members/${member.body.id}`);
    await page.getByRole("heading", { level: 1, name: "川口 トメ" }).waitFor();
    await page.getByText("申し送りはまだありません。").waitFor();
    await page.getByLabel("申し送りの内容").fill("鍵は隣の山田さんが預かっています。\n耳が遠いのでゆっくり話してください。");
    await page.getByRole("button", { name: "申し送りを残す" }).click();
    await page.locator(".notes li").filter({ hasText: "鍵は隣の山田さんが預かっています。" }).waitFor();
    await assertAccessible(page, "Member page with notes (ja)");
    await screenshot(page, "member-notes-ja");
    await page.reload();
    const note = page.locator(".notes li").first();
    await note.getByText("耳が遠いのでゆっくり話してください。").waitFor();
    assert.match((await note.textContent()) ?? "", /admin/, "who wrote it");
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 2, name: "Handover notes" }).waitFor();
    await assertAccessible(page, "Member page with notes (en)");
    await page.context().close();
  });
});
