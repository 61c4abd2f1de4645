/**
 * The console's whole path, as a new organisation walks it, in Debian's
 * Chromium (issue 11's end-to-end scenario):
 *
 * first start (the admin token and the first administrator's invitation
 * printed) → the admin registers at the invitation with a password and an
 * authenticator code, registers a passkey through Chromium's virtual
 * authenticator and signs in with it → invites a staff member and a watcher,
 * who accept in their own browsers → imports 20 members from a Shift_JIS CSV
 * (the dry run names rows 5 and 12 and why; the fixed file is committed) →
 * the sandbox clock moves and an incident appears on Today without a reload →
 * staff take it on and ask the watcher for a visit, with the keyboard alone →
 * the watcher, on a phone, accepts and records 会えた・元気 → the incident is
 * resolved `visited_fine` (the API says so too). A watcher opening a member
 * not theirs reads a sentence (API 403); an auditor exports no personal data
 * (a sentence; API 403). Every screen passed through is checked with axe
 * (WCAG 2.2 AA) in Japanese and English and saved as a screenshot; the main
 * screens are checked at 200% zoom (1280×800 at 200% = a 640×400 viewport):
 * no sideways scrolling and their main actions reachable.
 * One database: PostgreSQL when TEST_DATABASE_URL is set, else PGlite.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import iconv from "iconv-lite";
import type { BrowserContext, Locator, Page } from "playwright-core";
import { assertAccessible, consoleSuite, personPage, screenshot } from "../support/console.ts";
import { TOKYO } from "../support/harness.ts";
import { memberList } from "../support/member-lists.ts";
import { PASSWORD, totpNow } from "../support/people.ts";
import { sandbox } from "../support/sandbox.ts";

const PHONE = { width: 390, height: 844 };
/** 1280×800 at 200% zoom: the same CSS pixels as a 640×400 window. */
const ZOOMED = { width: 640, height: 400 };
const LANGS = { ja: "日本語", en: "English" } as const;

/** Switches the console's language with its own switch (Enter on it, or a click). */
async function switchTo(page: Page, lang: "ja" | "en", keyboard = false): Promise<void> {
  const toggle = page.getByRole("radio", { name: LANGS[lang] }).or(page.getByRole("button", { name: LANGS[lang] })).first();
  if (keyboard) await toggle.press("Enter");
  else await toggle.click();
  await page.locator(`html[lang=${lang}]`).waitFor({ state: "attached" });
}

/**
 * The screen as it is, checked with axe and saved, in Japanese and then in
 * English (`englishReady` waits for the English screen); back to Japanese after.
 */
async function inBothLanguages(page: Page, name: string, englishReady: (page: Page) => Locator, keyboard = false): Promise<void> {
  await assertAccessible(page, `${name} (ja)`);
  await screenshot(page, `journey-${name}-ja`);
  await switchTo(page, "en", keyboard);
  await englishReady(page).waitFor();
  await assertAccessible(page, `${name} (en)`);
  await screenshot(page, `journey-${name}-en`);
  await switchTo(page, "ja", keyboard);
}

/** Adds Chromium's virtual platform authenticator (as a phone's or a laptop's) to a page. */
async function virtualAuthenticator(context: BrowserContext, page: Page): Promise<() => Promise<{ signCount: number }[]>> {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
}

/** Registers at an invitation link with a password and the authenticator shown there; returns the TOTP secret. */
async function acceptWithPassword(page: Page, link: string): Promise<string> {
  await page.goto(link);
  await page.getByRole("heading", { level: 1, name: "アカウントの登録" }).waitFor();
  const secret = (await page.locator(".totp-secret").textContent()) as string;
  await page.getByLabel("新しいパスワード", { exact: true }).fill(PASSWORD);
  await page.getByLabel("新しいパスワード（確認）").fill(PASSWORD);
  await page.getByLabel("確認コード（6桁）").fill(await totpNow(secret));
  await page.getByRole("button", { name: "パスワードで登録してログイン" }).click();
  return secret;
}

/**
 * At 200% zoom: the page does not scroll sideways (the document is no wider
 * than the window) and each main action can be scrolled to and lies within
 * the window's width.
 */
async function assertZoomed(page: Page, what: string, actions: Locator[]): Promise<void> {
  const [scrollWidth, clientWidth] = await page.locator("html").evaluate((html) => {
    const root = html.ownerDocument.scrollingElement ?? html;
    return [root.scrollWidth, root.clientWidth];
  });
  assert.ok(scrollWidth <= clientWidth, `${what} at 200%: the page is ${scrollWidth}px wide in a ${clientWidth}px window`);
  for (const action of actions) {
    await action.scrollIntoViewIfNeeded();
    const box = await action.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= ZOOMED.width + 0.5 && box.width > 0,
      `${what} at 200%: ${action} is out of reach (${JSON.stringify(box)})`);
  }
}

describe("the console's whole path for a new organisation", () => {
  // A first start as `npm start` makes it: no preset token; the service prints the token and the first admin's invitation.
  const suite = consoleSuite({ env: { MIMAMORI_ADMIN_TOKEN: "" } });

  test(`first start → people → import → incident → visit → resolved, in Japanese and English, by keyboard and at 200% (${suite.kind})`, async () => {
    const { service, browser, url } = suite;
    const api = service.api;

    // ── First start: the token and the first administrator's invitation are printed.
    assert.match(service.printed, new RegExp(`Admin API token[^\\n]*\\n\\n\\s+${service.token}\\n`));
    const printedLink = /(http:\/\/localhost:\d+\/invite#[A-Za-z0-9_-]{32})/.exec(service.printed)?.[1];
    assert.ok(printedLink, service.printed);
    // The test service listens on a port of its own (PORT=0): the printed link is for the port it was given.
    const firstLink = printedLink.replace(/^http:\/\/localhost:\d+/, url);

    // ── The admin opens the invitation on a laptop, registers with a password and an authenticator code.
    const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "ja-JP" });
    const admin = await adminContext.newPage();
    await admin.goto(firstLink);
    await admin.getByRole("heading", { level: 1, name: "アカウントの登録" }).waitFor();
    await admin.locator(".login-id").getByText("admin", { exact: true }).waitFor();
    await inBothLanguages(admin, "invitation", (p) => p.getByRole("heading", { level: 1, name: "Register your account" }));
    const adminSecret = await acceptWithPassword(admin, firstLink);
    await admin.getByText("管理者（管理者）").waitFor();
    await admin.getByRole("heading", { level: 1, name: "本日の状況" }).waitFor();
    // A new organisation's board says what to do first.
    await admin.getByText("見守る利用者がまだいません。「利用者」から登録すると", { exact: false }).waitFor();
    await inBothLanguages(admin, "today-empty", (p) => p.getByText("There is nobody to watch over yet.", { exact: false }));

    // Signs out and in again with login id, password and code.
    await admin.getByRole("button", { name: "ログアウト" }).click();
    await admin.getByRole("heading", { name: "ログイン", exact: true }).waitFor();
    await inBothLanguages(admin, "sign-in", (p) => p.getByRole("heading", { name: "Sign in", exact: true }));
    await admin.getByLabel("ログインID").fill("admin");
    await admin.getByLabel("パスワード").fill(PASSWORD);
    await admin.getByLabel("確認コード（6桁）").fill(await totpNow(adminSecret));
    await admin.getByRole("button", { name: "ログイン", exact: true }).click();
    await admin.getByRole("heading", { level: 1, name: "本日の状況" }).waitFor();

    // A passkey for this laptop, then sign out and in with it alone.
    const held = await virtualAuthenticator(adminContext, admin);
    await admin.getByRole("link", { name: "パスキー" }).click();
    await admin.getByRole("heading", { level: 1, name: "パスキー" }).waitFor();
    await admin.getByLabel("新しいパスキーの名前").fill("事務所のPC");
    await admin.getByRole("button", { name: "この端末をパスキーとして登録" }).click();
    await admin.locator(".passkey-item").filter({ hasText: "事務所のPC" }).waitFor();
    assert.equal((await held()).length, 1, "the authenticator holds the passkey");
    await inBothLanguages(admin, "passkeys", (p) => p.getByRole("heading", { level: 1, name: "Passkeys" }));
    await admin.getByRole("button", { name: "ログアウト" }).click();
    await admin.getByRole("button", { name: "パスキーでログイン" }).click();
    await admin.getByRole("heading", { level: 1, name: "本日の状況" }).waitFor();
    assert.equal((await held())[0].signCount, 2, "signed in with the passkey (registered, then signed)");

    // ── People: invite a staff member (the default team) and a watcher; each opens the link in their own browser.
    const team = (await api("GET", "/teams")).body.teams.find((t: { isDefault: boolean }) => t.isDefault);
    await admin.getByRole("link", { name: "職員・協力者" }).click();
    await admin.getByRole("heading", { level: 1, name: "職員・協力者" }).waitFor();
    // The first administrator was created as 管理者: they put their own name (the audit log names people).
    await admin.getByRole("button", { name: "管理者 さんの名前・役割・チームを変更" }).click();
    const self = admin.getByRole("form", { name: "管理者 さんを変更" });
    await self.getByLabel("氏名").fill("管理 一郎");
    await inBothLanguages(admin, "people-edit", (p) => p.getByRole("heading", { name: "Change 管理者" }));
    await self.getByRole("button", { name: "保存する" }).click();
    await admin.getByText("管理 一郎（管理者）").waitFor();
    assert.ok((await api("GET", "/people")).body.people.some((p: { loginId: string; displayName: string }) => p.loginId === "admin" && p.displayName === "管理 一郎"));
    const invite = async (name: string, loginId: string, role: string, teamName?: string): Promise<string> => {
      const form = admin.getByRole("form", { name: "新しく招待する" });
      await form.getByLabel("氏名").fill(name);
      await form.getByLabel("ログインID").fill(loginId);
      await form.getByRole("button", { name: /役割/ }).click();
      await admin.getByRole("option", { name: role }).click();
      if (teamName) await form.locator("label").filter({ hasText: teamName }).click();
      await form.getByRole("button", { name: "招待リンクを作る" }).click();
      await admin.getByRole("heading", { name: `${name} さんへの招待リンク` }).waitFor();
      return ((await admin.locator(".invitation-url").textContent()) as string).replace(/^http:\/\/127\.0\.0\.1:\d+/, url);
    };
    const staffLink = await invite("職員 山本", "yamamoto", "職員", team.name);
    await inBothLanguages(admin, "people-invited", (p) => p.getByRole("heading", { level: 1, name: "People" }));
    const watcherLink = await invite("民生委員 田中", "tanaka", "見守り協力者");

    const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "ja-JP" });
    const desk = await staffContext.newPage();
    await acceptWithPassword(desk, staffLink);
    await desk.getByText("職員 山本（職員）").waitFor();
    await desk.getByRole("heading", { level: 1, name: "本日の状況" }).waitFor();

    const watcherContext = await browser.newContext({ viewport: PHONE, locale: "ja-JP", isMobile: true, hasTouch: true });
    const phone = await watcherContext.newPage();
    await phone.goto(watcherLink);
    await phone.getByRole("heading", { level: 1, name: "アカウントの登録" }).waitFor();
    await inBothLanguages(phone, "invitation-phone", (p) => p.getByRole("heading", { level: 1, name: "Register your account" }));
    await acceptWithPassword(phone, watcherLink);
    await phone.getByRole("heading", { level: 1, name: "わたしの訪問" }).waitFor();
    await phone.getByText("いまお願いされている訪問はありません。").waitFor();
    await admin.reload();
    for (const name of ["職員 山本", "民生委員 田中"]) await admin.getByRole("row").filter({ hasText: name }).getByText("利用中").waitFor();

    // ── Import 20 members from a Shift_JIS list with two bad rows; then the fixed list.
    await admin.getByRole("link", { name: "利用者", exact: true }).click();
    await admin.getByRole("heading", { level: 1, name: "利用者" }).waitFor();
    await admin.getByText("利用者はまだいません。「利用者を登録する」から一人ずつ、または「取り込み・書き出し」から", { exact: false }).waitFor();
    await inBothLanguages(admin, "members-empty", (p) => p.getByRole("heading", { level: 1, name: "Members" }));
    await admin.getByRole("link", { name: "取り込み・書き出し" }).click();
    await admin.getByRole("heading", { level: 1, name: "利用者の取り込み・書き出し" }).waitFor();
    await inBothLanguages(admin, "import", (p) => p.getByRole("heading", { level: 1, name: "Import and export members" }));
    const choose = (name: string, buffer: Buffer) => admin.locator("input[type=file]").setInputFiles({ name, mimeType: "text/csv", buffer });
    await choose("名簿.csv", iconv.encode(memberList("K", {
      5: "K-004,髙橋 4郎,たかはし えろう,昭和14年4月4日,03-555,東京都,",
      12: "K-011,,たかはし さろう,昭和21年4月11日,03-5555-1011,東京都,",
    }), "cp932"));
    await admin.getByText("CSV（Shift_JIS）、見出しの下に20行").waitFor();
    await admin.getByRole("heading", { level: 2, name: "列の対応" }).waitFor();
    await inBothLanguages(admin, "import-mapping", (p) => p.getByRole("heading", { level: 2, name: "Columns" }));
    await admin.getByRole("button", { name: "確認する（まだ登録しません）" }).click();
    await admin.getByRole("heading", { name: "問題のある行（2件）" }).waitFor();
    const problems = await admin.locator("table.problems tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 3).map((td) => td.textContent)));
    assert.deepEqual(problems, [
      ["5", "電話番号", "電話番号が正しくありません（例: 090-1234-5678、03-1234-5678）"],
      ["12", "名前", "入力が必要です"],
    ]);
    assert.equal(await admin.getByRole("button", { name: /^登録する/ }).count(), 0, "nothing to register while rows are bad");
    await inBothLanguages(admin, "import-problems", (p) => p.getByRole("heading", { name: "Rows with problems (2)" }));
    await choose("名簿（修正）.csv", iconv.encode(memberList("K"), "cp932"));
    await admin.getByText("選んだファイル: 名簿（修正）.csv", { exact: false }).waitFor();
    await admin.getByRole("button", { name: "確認する（まだ登録しません）" }).click();
    await admin.getByText("問題は見つかりませんでした。").waitFor();
    await admin.getByRole("button", { name: "登録する（新規 20人・更新 0人）" }).click();
    await admin.getByRole("heading", { name: "登録が終わりました：新規 20人、更新 0人。" }).waitFor();
    await inBothLanguages(admin, "import-committed", (p) => p.getByRole("heading", { level: 1, name: "Import and export members" }));
    const members = (await api("GET", "/members?limit=100")).body.members as { id: string; displayName: string }[];
    assert.equal(members.length, 20);
    const byName = new Map(members.map((m) => [m.displayName, m.id]));
    const silent = byName.get("髙橋 3郎") as string;
    const notTheirs = byName.get("髙橋 4郎") as string;
    await admin.getByRole("link", { name: "利用者", exact: true }).click();
    await admin.getByRole("link", { name: "髙橋 3郎" }).waitFor();
    await inBothLanguages(admin, "members", (p) => p.getByRole("heading", { level: 1, name: "Members" }));

    // ── The sandbox clock moves: 09:00 asks everyone; all but 髙橋 3郎 answer; a day later his silence is an incident.
    const clock = sandbox(api);
    await clock.clockTo(TOKYO("2027-01-04T09:05:00"));
    for (const id of byName.values()) if (id !== silent) await clock.reply(id, "ok");
    await desk.getByRole("link", { name: "本日の状況" }).click();
    const board = desk.locator(".today");
    await board.locator('[data-bucket="answered"]').getByText("髙橋 1郎", { exact: true }).waitFor();
    await board.locator('[data-bucket="waiting"]').getByText("髙橋 3郎", { exact: true }).waitFor();
    await desk.evaluate(() => {
      (globalThis as unknown as { sameTab: boolean }).sameTab = true;
    });
    await clock.clockTo(TOKYO("2027-01-05T10:05:00"));
    await board.locator('[data-bucket="incident_open"]').getByText("髙橋 3郎", { exact: true }).waitFor();
    assert.equal(await desk.evaluate(() => (globalThis as unknown as { sameTab?: boolean }).sameTab), true, "the same page, not a reload");
    const incident = (await api("GET", `/incidents?status=open`)).body.incidents.find((i: { memberId: string }) => i.memberId === silent);
    assert.ok(incident, "an open incident for 髙橋 3郎");
    await inBothLanguages(desk, "today-incident", (p) => p.getByRole("heading", { level: 1, name: "Today" }));

    // ── Staff, with the keyboard alone: the queue, take it on, ask the watcher for a visit.
    await desk.getByRole("link", { name: "対応" }).press("Enter");
    await desk.getByRole("heading", { level: 1, name: "対応" }).waitFor();
    await desk.getByRole("button", { name: "髙橋 3郎" }).press("Enter");
    await desk.getByRole("heading", { level: 2, name: "髙橋 3郎 さんの対応" }).waitFor();
    await inBothLanguages(desk, "incident", (p) => p.getByRole("heading", { level: 2, name: "Incident of 髙橋 3郎" }), true);
    await desk.getByRole("button", { name: "引き受ける（対応します）" }).press("Enter");
    await desk.locator(".incident-detail .facts").getByText("対応中").waitFor();
    // The number to dial as people write it (the link dials the full number).
    assert.equal(await desk.getByRole("link", { name: "電話をかける: 03-5555-1003" }).getAttribute("href"), "tel:+81355551003");
    // No outcome is chosen in advance: nothing resolves the incident until someone says what they found.
    assert.equal(await desk.getByRole("button", { name: "結果を記録して完了する" }).isDisabled(), true);
    await desk.getByRole("checkbox", { name: /民生委員 田中/ }).press("Space");
    await desk.getByLabel("協力者へのお願い・伝えること（任意）").fill("電話に出ません。ご自宅の様子を見てください。");
    await desk.getByRole("button", { name: "訪問を依頼する" }).press("Enter");
    await desk.locator(".visit-section").getByText("お願い中（返事待ち）").waitFor();
    await inBothLanguages(desk, "incident-visit", (p) => p.getByRole("heading", { level: 3, name: "Visit" }), true);

    // ── The watcher, on the phone: accepts and records 会えた・元気.
    await phone.reload();
    const task = phone.getByRole("article", { name: "髙橋 3郎" });
    await task.getByText("電話に出ません。ご自宅の様子を見てください。").waitFor();
    assert.equal(await task.getByRole("link", { name: "03-5555-1003" }).getAttribute("href"), "tel:+81355551003");
    await inBothLanguages(phone, "my-visits", (p) => p.getByRole("heading", { level: 1, name: "My visits" }));
    await task.getByRole("button", { name: "引き受ける" }).click();
    await task.getByText("引き受け済み").waitFor();
    await task.locator(".choice-met_fine").click();
    assert.equal(await task.getByRole("radio", { name: "会えた・元気" }).isChecked(), true);
    await task.getByLabel("メモ（任意）").fill("お元気でした。電話の電池が切れていました。");
    await inBothLanguages(phone, "visit-outcome", (p) => p.getByRole("heading", { level: 1, name: "My visits" }));
    await task.getByRole("button", { name: "結果を送る" }).click();
    await phone.locator(".finished").getByText("会えた・元気").waitFor();

    // ── Resolved visited_fine: on the staff's queue and through the API.
    const resolved = (await api("GET", `/incidents/${incident.id}`)).body;
    assert.equal(resolved.status, "resolved");
    assert.equal(resolved.resolved.outcome, "visited_fine");
    await desk.getByRole("heading", { level: 2, name: "髙橋 3郎 さんの対応" }).or(desk.getByRole("heading", { level: 1, name: "対応" })).first().waitFor();
    await desk.getByRole("link", { name: "本日の状況" }).press("Enter");
    await board.locator('[data-bucket="incident_open"]').getByText("髙橋 3郎", { exact: true }).waitFor({ state: "detached" });

    // ── A watcher opens a member who is not theirs: a sentence; the API answers 403.
    await phone.goto(`${url}/members/${notTheirs}`);
    await phone.getByRole("alert").getByText("この利用者はあなたの担当ではありません。", { exact: false }).waitFor();
    await inBothLanguages(phone, "watcher-not-assigned", (p) => p.getByRole("alert"));
    const refused = await phone.request.get(`${url}/api/v1/members/${notTheirs}`);
    assert.equal(refused.status(), 403);
    assert.equal((await refused.json()).error.code, "not_assigned");

    // ── An auditor exports no personal data: a sentence in the console; the API answers 403.
    await admin.getByRole("link", { name: "職員・協力者" }).click();
    const auditorLink = await invite("監査 木村", "kimura", "監査担当");
    const auditorContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "ja-JP" });
    const reader = await auditorContext.newPage();
    await acceptWithPassword(reader, auditorLink);
    await reader.getByText("監査 木村（監査担当）").waitFor();
    await reader.getByRole("link", { name: "利用者", exact: true }).click();
    await reader.getByRole("link", { name: "髙橋 1郎" }).waitFor();
    assert.equal(await reader.getByRole("link", { name: "取り込み・書き出し" }).count(), 0, "no export offered");
    await reader.goto(`${url}/members/import`);
    await reader.getByText("個人情報の書き出しは管理者だけができます", { exact: false }).waitFor();
    await inBothLanguages(reader, "auditor-no-export", (p) => p.getByText("Only administrators may export personal data.", { exact: false }));
    const exported = await reader.request.get(`${url}/api/v1/members/export?format=csv`);
    assert.equal(exported.status(), 403);

    // ── 200% zoom: the main screens, no sideways scrolling, their main actions within reach.
    const zoomed = await personPage(browser, url, "admin", PASSWORD, () => totpNow(adminSecret), { viewport: ZOOMED, deviceScaleFactor: 2 });
    const nav = (name: string) => zoomed.getByRole("navigation").getByRole("link", { name, exact: true });
    const screens: [string, string, () => Locator[]][] = [
      ["本日の状況", "today", () => [nav("対応"), nav("利用者"), zoomed.getByRole("button", { name: "ログアウト" })]],
      ["対応", "incidents", () => [zoomed.getByRole("heading", { level: 1, name: "対応" })]],
      ["利用者", "members", () => [zoomed.getByRole("searchbox", { name: "名前・電話番号で探す" }), zoomed.getByRole("link", { name: "利用者を登録する" })]],
      ["職員・協力者", "people", () => [zoomed.getByRole("button", { name: "招待リンクを作る" })]],
      ["監査ログ", "audit", () => [zoomed.getByRole("button", { name: "絞り込む", exact: true })]],
    ];
    for (const [name, slug, actions] of screens) {
      await nav(name).click();
      await zoomed.getByRole("heading", { level: 1, name }).waitFor();
      await assertZoomed(zoomed, name, actions());
      await screenshot(zoomed, `journey-zoom-${slug}-ja`);
    }
    await zoomed.goto(`${url}/members/import`);
    await zoomed.getByRole("heading", { level: 1, name: "利用者の取り込み・書き出し" }).waitFor();
    await assertZoomed(zoomed, "取り込み", [zoomed.getByRole("button", { name: "ファイルを選ぶ（CSV・Excel）" })]);
    await screenshot(zoomed, "journey-zoom-import-ja");
    await switchTo(zoomed, "en");
    await zoomed.getByRole("heading", { level: 1, name: "Import and export members" }).waitFor();
    await assertZoomed(zoomed, "Import (en)", [zoomed.getByRole("navigation").getByRole("link", { name: "Today" })]);
    await zoomed.getByRole("button", { name: "Sign out" }).click();
    await zoomed.getByRole("heading", { name: "Sign in", exact: true }).waitFor();
    await assertZoomed(zoomed, "Sign in (en)", [zoomed.getByRole("button", { name: "Sign in with a passkey" }), zoomed.getByRole("button", { name: "Sign in", exact: true })]);
    await screenshot(zoomed, "journey-zoom-sign-in-en");

    for (const context of [adminContext, staffContext, watcherContext, auditorContext, zoomed.context()]) await context.close();
  });
});
