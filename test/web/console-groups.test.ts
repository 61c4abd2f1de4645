/**
 * つながり (Groups) in the console, in Debian's Chromium: a LINE group the bot
 * was added to waits for approval and is approved on its page; its round shows
 * who has not confirmed (and who confirmed for whom) as LINE taps arrive; after
 * the next round the first is in the history; a list of members staff put
 * together shows its members and no rounds. Japanese and English, axe on every
 * state; screenshots saved.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../support/browser.ts";
import { assertAccessible, CONSOLE_DATABASE, screenshot, signedInPage } from "../support/console.ts";
import { type LineFixture, startLineFixture } from "../support/line-fixture.ts";
import { groupPostback, join, memberJoined } from "../support/line-webhook.ts";
import { memberBody, plus } from "../support/sandbox.ts";

const GROUP = "C0000000000000000000000000000beef";
const [AOKI, BABA, CHIBA] = ["U00000000000000000000000000000a01", "U00000000000000000000000000000a02", "U00000000000000000000000000000a03"];

describe(`groups in the console (${CONSOLE_DATABASE})`, () => {
  let fixture: LineFixture;
  let browser: Browser;
  before(async () => {
    fixture = await startLineFixture(CONSOLE_DATABASE, { requireGroupApproval: true }, { MIMAMORI_SANDBOX_START: "2027-01-04T08:00:00+09:00" });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await fixture?.close();
  });

  test("a LINE group is approved, its round shows who has not confirmed, then its history; a list shows its members; ja and en", async () => {
    const { service, line } = fixture;
    line.groupMembers.set(GROUP, new Map([[AOKI, { displayName: "青木" }], [BABA, { displayName: "馬場" }], [CHIBA, { displayName: "千葉" }]]));
    await fixture.send(join(GROUP));
    await fixture.send(memberJoined(GROUP, [AOKI, BABA, CHIBA]));
    const groups = (await service.api("GET", "/groups")).body.groups as { id: string; lineGroupId: string | null }[];
    const lineGroup = groups.find((g) => g.lineGroupId === GROUP) as { id: string };
    assert.equal((await service.api("PATCH", `/groups/${lineGroup.id}`, { name: "さくら会" })).status, 200);
    const members = [];
    for (const name of ["大野", "小川"]) {
      const m = await service.api("POST", "/members", memberBody({ displayName: name, contacts: [] }));
      assert.equal(m.status, 201, JSON.stringify(m.body));
      members.push(m.body.id as string);
    }
    const list = await service.api("POST", "/groups", { name: "ひまわり団地", memberIds: members });
    assert.equal(list.status, 201, JSON.stringify(list.body));

    const page = await signedInPage(browser, service.url, service.token);
    await page.getByRole("link", { name: "つながり" }).click();
    await page.getByRole("heading", { level: 1, name: "つながり" }).waitFor();
    await page.getByRole("status").filter({ hasText: "承認待ちのグループが 1 件あります。" }).waitFor();
    const sakura = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "さくら会" }) });
    assert.deepEqual(await sakura.getByRole("cell").allTextContents(), ["LINEグループ", "承認待ち", "—", "毎日 09:00", "—"]);
    const himawari = page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "ひまわり団地" }) });
    assert.deepEqual((await himawari.getByRole("cell").allTextContents()).slice(0, 4), ["利用者の一覧", "稼働中", "2", "各利用者の見守りの予定で確認"]);
    await assertAccessible(page, "Groups (ja)");
    await screenshot(page, "groups-ja");

    // Approve on the group's page: rounds start at the plan's next 09:00.
    await sakura.getByRole("link", { name: "さくら会" }).click();
    await page.getByRole("heading", { level: 1, name: "さくら会" }).waitFor();
    await page.getByRole("heading", { level: 2, name: "承認待ち" }).waitFor();
    await assertAccessible(page, "Group awaiting approval (ja)");
    await page.getByRole("button", { name: "承認する" }).click();
    await page.getByRole("status").filter({ hasText: "承認しました。" }).waitFor();
    assert.equal(await page.getByRole("button", { name: "承認する" }).count(), 0);
    const approved = (await service.api("GET", `/groups/${lineGroup.id}`)).body;
    assert.equal(approved.status, "active");
    assert.equal(approved.nextDueAt, "2027-01-04T00:00:00.000Z", "the next 09:00 in Tokyo, an hour after approval");
    await page.getByText("まだ確認を送っていません。").waitFor();

    // The round is asked; 青木 and 馬場 press OK, 千葉 stays silent.
    await service.api("POST", "/sandbox/clock", { to: approved.nextDueAt });
    const [round] = (await service.api("GET", `/groups/${lineGroup.id}/rounds`)).body.rounds as { id: string }[];
    await fixture.send(groupPostback(GROUP, AOKI, `a=gok&r=${round.id}`), groupPostback(GROUP, BABA, `a=gok&r=${round.id}`));
    await page.reload();
    await page.getByText("確認済み 2 名・まだ 1 名").waitFor();
    const rows = page.getByRole("region", { name: "今回の確認" }).getByRole("row").filter({ has: page.getByRole("rowheader") });
    assert.deepEqual(await rows.getByRole("rowheader").allTextContents(), ["千葉", "青木", "馬場"], "who has not confirmed comes first");
    assert.equal(await rows.first().getByRole("cell").first().textContent(), "まだ");
    await page.getByText(/に、まだの方のお名前をグループでお知らせします。/).waitFor();
    await assertAccessible(page, "Group round (ja)");
    await screenshot(page, "group-round-ja");

    // 馬場 checks on 千葉 after the list; the next day's round puts the first in the history.
    await service.api("POST", "/sandbox/clock", { to: plus(approved.nextDueAt, 23.5) });
    await fixture.send(groupPostback(GROUP, BABA, `a=gchk&r=${round.id}&u=${CHIBA}`));
    await service.api("POST", "/sandbox/clock", { to: plus(approved.nextDueAt, 24) });
    await page.reload();
    const history = page.getByRole("region", { name: "これまでの確認" });
    const first = history.getByRole("row").filter({ has: page.getByRole("rowheader") });
    await first.first().waitFor();
    assert.deepEqual(await first.first().getByRole("cell").allTextContents(), ["3", "1", "千葉"], "all three in the end; 千葉 had been posted");
    await assertAccessible(page, "Group history (ja)");

    await page.getByRole("button", { name: "English" }).or(page.getByRole("radio", { name: "English" })).first().click();
    await page.getByRole("heading", { level: 2, name: "Earlier rounds" }).waitFor();
    await page.getByText("0 confirmed, 3 not yet").waitFor();
    await assertAccessible(page, "Group page (en)");
    await screenshot(page, "group-en");

    // A list of members: its members, linked to their pages; no rounds.
    await page.getByRole("link", { name: "← All groups" }).click();
    await page.getByRole("link", { name: "ひまわり団地" }).click();
    await page.getByRole("heading", { level: 1, name: "ひまわり団地" }).waitFor();
    assert.deepEqual(await page.getByRole("region", { name: "Members" }).getByRole("link").allTextContents(), ["大野", "小川"]);
    assert.equal(await page.getByRole("heading", { name: "Current round" }).count(), 0);
    await assertAccessible(page, "List group (en)");
    await page.context().close();
  });
});
