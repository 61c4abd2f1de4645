/**
 * 登録番号 and 番号照会 (seed 001's 見守りキーホルダー, issue 13) in Debian's
 * Chromium: staff add a keyholder number on a member's page (a number in use is
 * refused at the field), withdraw one after confirming, and look the member up
 * on the lookup screen typed as read out on the phone (full-width digits, a
 * hyphen); the answer shows the medical notes and the contacts only; the audit
 * log holds the lookup with the caller and the reason; the team is told when
 * asked; an unknown number says so. Observers read the numbers redacted and
 * change nothing. Japanese and English, desktop and phone size, with no
 * WCAG 2.2 AA violation.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import type { Page } from "playwright-core";
import { assertAccessible, consoleSuite, SCREENSHOTS, screenshot, signedInPage } from "../support/console.ts";
import { formatDateTime } from "../../web/src/format.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";

const PHONE = { width: 390, height: 844 };

describe("registration numbers and the keyholder lookup in the console", () => {
  const suite = consoleSuite();

  const newMember = async (displayName: string) => {
    const r = await suite.service.api("POST", "/members", memberBody({
      displayName, medicalNotes: "糖尿病。インスリン使用。ペースメーカーあり", address: "東京都大田区蒲田1-2-3",
      contacts: [
        { displayName: "山田一郎", relation: "長男", channels: [{ kind: "sms", address: "+819012345678" }] },
        { displayName: "佐藤さん", relation: "近所", channels: [{ kind: "sandbox", address: "sato" }] },
      ],
    }));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body as { id: string; teamId: string };
  };

  /** Fills the lookup form as staff do while on the phone, and submits it with Enter. */
  const lookUp = async (page: Page, number: string, caller: { kind: string; name: string; organisation: string; phone: string }, reason: string, tellTeam: boolean,
    en = false) => {
    const form = page.getByRole("form", { name: en ? "Look up by registration number" : "登録番号で照会" });
    await form.getByRole("textbox", { name: en ? "Registration number" : "登録番号" }).fill(number);
    await form.getByText(caller.kind, { exact: true }).click();
    await form.getByRole("textbox", { name: en ? "Caller's name" : "相手の名前" }).fill(caller.name);
    await form.getByRole("textbox", { name: en ? "Station or hospital" : "所属" }).fill(caller.organisation);
    await form.getByRole("textbox", { name: en ? "Number to call back" : "折り返しの電話番号" }).fill(caller.phone);
    if (tellTeam) await form.getByText(en ? "Tell the member's team about this lookup" : "この方の担当チームに照会があったことを知らせる").click();
    const reasonBox = form.getByRole("textbox", { name: en ? "Reason for the lookup" : "照会の理由" });
    await reasonBox.fill(reason);
    await reasonBox.press("Enter");
  };

  test("add and withdraw numbers on a member's page, look the member up by a full-width number, audited, the team told; an unknown number", async () => {
    const member = await newMember("蒲田 ハナ");
    const other = await newMember("大森 タロウ");
    assert.equal((await suite.service.api("POST", `/members/${other.id}/registration-numbers`, { registrationNumber: "OT-5555" })).status, 201);
    const sb = sandbox(suite.service.api);
    await sb.delivered();

    const page = await signedInPage(suite.browser, suite.url, suite.service.token);
    await page.goto(`${suite.url}/members/${member.id}`);
    const section = page.getByTestId("registration-numbers");
    await section.getByRole("heading", { level: 2, name: "登録番号（キーホルダー・カード・ステッカー）" }).waitFor();
    await section.getByText("登録番号はまだありません。").waitFor();
    const form = section.getByRole("form", { name: "番号を登録" });
    const numberBox = form.getByRole("textbox", { name: "登録番号" });
    // Another member's number in use: refused, and said at the field.
    await numberBox.fill("ot５５５５");
    await form.getByRole("button", { name: "番号を登録" }).click();
    await form.getByText("この番号は別の方が使っています").waitFor();
    assert.equal(await numberBox.getAttribute("aria-invalid"), "true");
    await assertAccessible(page, "Member page, a number taken (ja)");
    await numberBox.fill("０１２－３４５６");
    await form.getByRole("button", { name: "番号を登録" }).click();
    await section.getByRole("status").getByText("番号 0123456 を登録しました。").waitFor();
    await form.getByText("ステッカー", { exact: true }).click();
    await numberBox.fill("7777-0000");
    await form.getByRole("button", { name: "番号を登録" }).click();
    await section.locator("tr[data-state=in_use]").filter({ hasText: "77770000" }).waitFor();
    // Withdraw only after confirming; the withdrawn number stays listed.
    await section.getByRole("button", { name: "番号 77770000 を取り下げる" }).click();
    await section.getByText("番号 77770000 を取り下げますか？").waitFor();
    await assertAccessible(page, "Member page, confirming a withdrawal (ja)");
    await section.getByRole("button", { name: "取り下げる", exact: true }).click();
    await section.locator("tr[data-state=withdrawn]").filter({ hasText: "77770000" }).getByText("取り下げ済み", { exact: true }).waitFor();
    await section.locator("tr[data-state=in_use]").filter({ hasText: "0123456" }).getByText("キーホルダー").waitFor();
    await assertAccessible(page, "Member page with registration numbers (ja)");
    await screenshot(page, "member-registration-numbers-ja");

    // The lookup screen, from the menu; the number box has the focus.
    await page.getByRole("navigation").getByRole("link", { name: "番号照会" }).click();
    await page.getByRole("heading", { level: 1, name: "番号照会" }).waitFor();
    await page.getByText("この照会は記録されます：誰が・いつ・どの方について・誰からの電話で・なぜ照会したか。").waitFor();
    // The number box has the focus: typing goes straight into it.
    await page.keyboard.type("0");
    assert.equal(await page.getByRole("textbox", { name: "登録番号" }).inputValue(), "0", "the number box has the focus");
    await assertAccessible(page, "Lookup, empty (ja)");
    const answered = page.waitForResponse((r) => r.url().endsWith("/network/registration-numbers/lookup") && r.request().method() === "POST");
    await lookUp(page, "０１２－３４５６", { kind: "病院", name: "鈴木看護師", organisation: "蒲田総合病院", phone: "03-3730-0000" }, "救急搬送。家族への連絡先の確認", true);
    const { lookedUpAt } = await (await answered).json() as { lookedUpAt: string };
    const card = page.getByTestId("keyholder-card");
    await card.getByRole("heading", { level: 2, name: "蒲田 ハナ" }).waitFor();
    assert.equal(await card.getByTestId("medical-notes").textContent(), "糖尿病。インスリン使用。ペースメーカーあり");
    const contacts = card.getByTestId("lookup-contacts").getByRole("listitem");
    assert.equal(await contacts.count(), 2);
    await contacts.nth(0).getByText("山田一郎").waitFor();
    await contacts.nth(0).getByRole("link", { name: "090-1234-5678" }).waitFor();
    await contacts.nth(1).getByText("電話番号なし").waitFor();
    assert.equal((await card.textContent())?.includes("大田区"), false, "no address in the answer");
    await card.getByText("担当チームに知らせます。").waitFor();
    await card.getByText(/この照会を記録しました.*病院 鈴木看護師.*救急搬送/).waitFor();
    // "Recorded at" is the service's time (its sandbox clock runs in January 2027), not the browser's.
    assert.ok(lookedUpAt.startsWith("2027-01-"), lookedUpAt);
    assert.ok((await card.getByRole("status").textContent())?.includes(`この照会を記録しました（${formatDateTime(lookedUpAt, "Asia/Tokyo", "ja")}、`));
    await assertAccessible(page, "Lookup, found (ja)");
    await screenshot(page, "lookup-found-ja");

    // The audit log holds who looked up, for whom, who was calling and why.
    const log = (await suite.service.api("GET", "/audit-log?action=keyholder.lookup")).body.entries as
      { subject: { id: string }; actor: unknown; at: string; detail: { reason: string; tellTeam: boolean; registrationNumber: string; caller: Record<string, string> } }[];
    const entry = log.find((e) => e.subject.id === member.id);
    assert.ok(entry, JSON.stringify(log));
    assert.deepEqual([entry.detail.registrationNumber, entry.detail.reason, entry.detail.tellTeam], ["0123456", "救急搬送。家族への連絡先の確認", true]);
    // The callback number as every phone is stored: E.164.
    assert.deepEqual(entry.detail.caller, { kind: "hospital", name: "鈴木看護師", organisation: "蒲田総合病院", phone: "+81337300000" });
    assert.ok(entry.actor && entry.at);
    // The team was told (a team notice through the outbox).
    await sb.advance("PT1M");
    const notices = (await sb.delivered()).filter((m) => m.kind === "team_notice" && m.payload.memberId === member.id);
    assert.equal(notices.length, 1, "one notice to the team");
    assert.match(notices[0].text, /病院（蒲田総合病院）から蒲田 ハナさんの登録番号の照会/);

    // The next call: an unknown number says so plainly, and the miss is recorded.
    await page.getByRole("button", { name: "次の照会" }).click();
    assert.equal(await page.getByRole("textbox", { name: "登録番号" }).inputValue(), "");
    await lookUp(page, "９９９９－００００", { kind: "警察", name: "田中巡査", organisation: "蒲田警察署", phone: "03-3731-0110" }, "路上で保護", false);
    const miss = page.getByTestId("keyholder-miss");
    await miss.getByRole("heading", { level: 2, name: "番号 ９９９９－００００ の登録はありません" }).waitFor();
    await assertAccessible(page, "Lookup, unknown number (ja)");
    await screenshot(page, "lookup-miss-ja");
    const misses = (await suite.service.api("GET", "/audit-log?action=keyholder.lookup_miss")).body.entries as { detail: { registrationNumber: string; reason: string } }[];
    assert.ok(misses.some((e) => e.detail.registrationNumber === "99990000" && e.detail.reason === "路上で保護"));
    // A withdrawn number is not found.
    await lookUp(page, "7777-0000", { kind: "消防", name: "高橋隊員", organisation: "蒲田消防署", phone: "03-3735-0119" }, "救急搬送", false);
    await miss.getByRole("heading", { level: 2, name: "番号 7777-0000 の登録はありません" }).waitFor();

    // English: the same states.
    await page.getByRole("radio", { name: "English" }).or(page.getByRole("button", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 1, name: "Number lookup" }).waitFor();
    await miss.getByRole("heading", { level: 2, name: "No member has number 7777-0000" }).waitFor();
    await assertAccessible(page, "Lookup, unknown number (en)");
    await page.getByRole("button", { name: "New lookup" }).click();
    await assertAccessible(page, "Lookup, empty (en)");
    await lookUp(page, "012-3456", { kind: "Police", name: "Officer Tanaka", organisation: "Kamata police station", phone: "03-3731-0110" }, "Found on the street", false, true);
    await card.getByText("Medical notes").waitFor();
    await card.getByText("The member's team was not told.").waitFor();
    await assertAccessible(page, "Lookup, found (en)");
    await screenshot(page, "lookup-found-en");
    await page.goto(`${suite.url}/members/${member.id}`);
    await section.getByRole("heading", { level: 2, name: "Registration numbers (keyholder, card, sticker)" }).waitFor();
    await section.locator("tr[data-state=withdrawn]").getByText("Withdrawn", { exact: true }).waitFor();
    const formEn = section.getByRole("form", { name: "Add number" });
    await formEn.getByRole("textbox", { name: "Registration number" }).fill("OT-5555");
    await formEn.getByRole("button", { name: "Add number" }).click();
    await formEn.getByText("This number is in use by someone else").waitFor();
    await assertAccessible(page, "Member page, a number taken (en)");
    await page.context().close();
  });

  test("phone size: the lookup and the member's numbers read well at 390×844; observers read numbers redacted and change nothing", async () => {
    const member = await newMember("六郷 キヨ");
    assert.equal((await suite.service.api("POST", `/members/${member.id}/registration-numbers`, { registrationNumber: "RK-2024-0001", kind: "card" })).status, 201);
    const page = await signedInPage(suite.browser, suite.url, suite.service.token, { viewport: PHONE });
    await page.goto(`${suite.url}/lookup`);
    await page.getByRole("heading", { level: 1, name: "番号照会" }).waitFor();
    await lookUp(page, "ＲＫ－２０２４－０００１", { kind: "消防", name: "高橋隊員", organisation: "蒲田消防署", phone: "03-3735-0119" }, "救急搬送中。持病の確認", false);
    await page.getByTestId("keyholder-card").getByRole("heading", { level: 2, name: "六郷 キヨ" }).waitFor();
    await assertAccessible(page, "Lookup, found, phone size (ja)");
    await screenshot(page, "lookup-found-phone-ja");
    await page.goto(`${suite.url}/members/${member.id}`);
    await page.getByTestId("registration-numbers").locator("tr[data-state=in_use]").filter({ hasText: "RK20240001" }).waitFor();
    await assertAccessible(page, "Member page, phone size (ja)");
    await screenshot(page, "member-registration-numbers-phone-ja");
    await page.getByTestId("registration-numbers").screenshot({ path: join(SCREENSHOTS, "registration-numbers-section-phone-ja.png") });
    await page.context().close();

    const observer = (await suite.service.api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token as string;
    const reader = await signedInPage(suite.browser, suite.url, observer);
    await reader.goto(`${suite.url}/members/${member.id}`);
    const section = reader.getByTestId("registration-numbers");
    await section.locator("tr[data-state=in_use]").filter({ hasText: "***" }).waitFor();
    assert.equal(await section.getByRole("form").count(), 0, "no form for observers");
    assert.equal(await section.getByRole("button").count(), 0, "no withdraw for observers");
    assert.equal(await reader.getByRole("navigation").getByRole("link", { name: "番号照会" }).count(), 0, "no lookup for observers");
    await assertAccessible(reader, "Member page, observer (ja)");
    await reader.context().close();
  });
});
