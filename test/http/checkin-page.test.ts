/**
 * The web check-in page behind the one-tap links in SMS and e-mail, end to end in
 * sandbox mode: the link is read from the sandbox outbox, opened and pressed over
 * plain HTTP on every database, and in Chromium (JavaScript off, phone-sized) on
 * one. Tests share one service and its one-way clock, so each works in hours
 * relative to its own member's first due time.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { formatLocal } from "../../src/domain/messages.ts";
import { launchBrowser } from "../support/browser.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody, plus, type SandboxMessage, sandbox } from "../support/sandbox.ts";

const EMAIL = [{ kind: "email", address: "hanako@example.jp" }];
const SMS_CONTACTS = [
  { displayName: "山田一郎", relation: "son", channels: [{ kind: "sms", address: "+819011112222" }] },
  { displayName: "佐藤さん", relation: "neighbour", channels: [{ kind: "sms", address: "+819033334444" }] },
  { displayName: "民生委員", relation: "welfare commissioner", channels: [{ kind: "sms", address: "+819055556666" }] },
];

/** The browser part runs on one database only (PostgreSQL when there is one), to keep the suite fast. */
const BROWSER_ON = databaseKinds().at(-1);

type Page = { status: number; html: string; headers: Headers };

async function open(link: string): Promise<Page> {
  const r = await fetch(link);
  return { status: r.status, html: await r.text(), headers: r.headers };
}

async function press(link: string, action: string): Promise<Page> {
  const r = await fetch(link, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ action }).toString(),
  });
  return { status: r.status, html: await r.text(), headers: r.headers };
}

for (const kind of databaseKinds()) {
  describe(`web check-in page on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    /** A new member and a sandbox reader positioned after everything delivered so far. */
    async function newMember(overrides: Record<string, unknown> = {}) {
      const sb = sandbox(service.api);
      await sb.delivered();
      const r = await service.api("POST", "/members", memberBody(overrides));
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const member = r.body;
      const due: string = member.nextDueAt;
      const at = (hours: number) => plus(due, hours);
      return {
        member, due, sb, at,
        /** Move the clock to `hours` after the first due time; what was delivered meanwhile. */
        until: async (hours: number): Promise<SandboxMessage[]> => {
          await sb.clockTo(at(hours));
          return sb.delivered();
        },
      };
    }

    /** The one-tap link of the one message of `messageKind` to `to`. */
    function linkIn(messages: SandboxMessage[], messageKind: string, to: string): string {
      const found = messages.filter((m) => m.kind === messageKind && m.to.id === to);
      assert.equal(found.length, 1, `one ${messageKind} to ${to} in ${JSON.stringify(messages.map((m) => [m.kind, m.to.id]))}`);
      const link = found[0].payload.link;
      assert.equal(typeof link, "string", `the ${messageKind} carries a link`);
      assert.match(link as string, new RegExp(`^${service.url}/c/[A-Za-z0-9_-]{32}$`));
      return link as string;
    }

    const history = async (memberId: string) => (await service.api("GET", `/members/${memberId}/history`)).body;
    const openCheckins = async (memberId: string) => (await service.api("GET", `/members/${memberId}`)).body.openCheckins;
    const incidents = async (memberId: string) => (await service.api("GET", `/incidents?memberId=${memberId}`)).body.incidents;

    test("opening a check-in link shows the buttons and changes nothing; OK answers once; pressing again changes nothing", async () => {
      const m = await newMember({ channels: EMAIL });
      const link = linkIn(await m.until(0.5), "prompt", m.member.id);

      const page = await open(link);
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-type") ?? "", /^text\/html; charset=utf-8/);
      assert.match(page.html, /<html lang="ja">/);
      assert.match(page.html, /<meta name="viewport"/);
      assert.match(page.html, /山田花子さん、見守りの確認です/);
      assert.match(page.html, /<form method="post">/);
      assert.match(page.html, /<button type="submit" name="action" value="ok" class="ok">OK（元気です）<span class="en" lang="en">OK, I&#39;m fine<\/span>/);
      assert.match(page.html, /<button type="submit" name="action" value="need_contact" class="call">連絡がほしい<span class="en" lang="en">Please contact me<\/span>/);
      assert.doesNotMatch(page.html, /<script|src=|href=/, "no scripts, no external assets");
      // Opening it again (a mail scanner, a preview) still changes nothing.
      assert.equal((await open(link)).status, 200);
      assert.equal((await openCheckins(m.member.id)).length, 1, "the check-in stays open");
      assert.equal((await history(m.member.id)).answers.length, 0);

      const done = await press(link, "ok");
      assert.equal(done.status, 200);
      assert.match(done.html, /ありがとうございます。確認できました。/);
      assert.match(done.html, /Your check-in has been received/);
      assert.equal((await openCheckins(m.member.id)).length, 0, "the check-in is answered");
      const answered = await history(m.member.id);
      assert.deepEqual(answered.answers.map((a: { answer: string; source: string; channel: string }) => [a.answer, a.source, a.channel]),
        [["ok", "member", "email"]]);
      assert.deepEqual(answered.checkins.map((c: { status: string }) => c.status), ["answered"]);

      for (const action of ["ok", "need_contact"]) {
        const again = await press(link, action);
        assert.equal(again.status, 410);
        assert.match(again.html, /このリンクはすでに使われています。/);
        assert.match(again.html, /「OK（元気です）」として受け付け済みです。/);
        assert.match(again.html, /何も変更していません。/);
      }
      const reopened = await open(link);
      assert.equal(reopened.status, 410);
      assert.match(reopened.html, /このリンクはすでに使われています。/);
      assert.doesNotMatch(reopened.html, /<form/);
      assert.equal((await history(m.member.id)).answers.length, 1, "no second answer");
      assert.equal((await incidents(m.member.id)).length, 0, "no contact request either");
    });

    test("the page is served with a strict Content-Security-Policy, no caching, no referrer, no indexing, and without API auth", async () => {
      const m = await newMember({ channels: EMAIL });
      const link = linkIn(await m.until(0.5), "prompt", m.member.id);
      for (const page of [await open(link), await open(`${service.url}/c/${"x".repeat(32)}`), await press(link, "nonsense")]) {
        const csp = page.headers.get("content-security-policy") ?? "";
        assert.match(csp, /default-src 'none'/);
        assert.match(csp, /style-src 'unsafe-inline'/);
        assert.match(csp, /form-action 'self'/);
        assert.doesNotMatch(csp, /script-src/);
        assert.equal(page.headers.get("cache-control"), "no-store");
        assert.equal(page.headers.get("referrer-policy"), "no-referrer");
        assert.match(page.headers.get("x-robots-tag") ?? "", /noindex/);
      }
      // The API still wants its token; the page never did.
      assert.equal((await fetch(`${service.url}/api/v1/members/${m.member.id}`)).status, 401);
    });

    test("a wrong action is refused with 400 and the buttons again; an unknown token is 404; bad requests get a page, never a 500", async () => {
      const m = await newMember({ channels: EMAIL });
      const link = linkIn(await m.until(0.5), "prompt", m.member.id);

      for (const action of ["ack", "delete", "", "<script>alert(1)</script>"]) {
        const refused = await press(link, action);
        assert.equal(refused.status, 400, action);
        assert.match(refused.html, /そのボタンはこのリンクでは使えません。/);
        assert.match(refused.html, /value="ok"/, "the buttons again");
        assert.doesNotMatch(refused.html, /<script>/);
      }
      const noBody = await fetch(link, { method: "POST" });
      assert.equal(noBody.status, 400);
      const json = await fetch(link, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ action: "ok" }) });
      assert.equal(json.status, 415);
      assert.match(await json.text(), /受け付けられませんでした/);
      const huge = await fetch(link, {
        method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `action=ok&pad=${"x".repeat(10_000)}`,
      });
      assert.equal(huge.status, 413);
      assert.match(huge.headers.get("content-type") ?? "", /^text\/html/);
      assert.equal((await openCheckins(m.member.id)).length, 1, "still open");
      assert.equal((await history(m.member.id)).answers.length, 0, "nothing answered");

      for (const token of [randomBytes(24).toString("base64url"), "short", "%3Cscript%3E"]) {
        for (const page of [await open(`${service.url}/c/${token}`), await press(`${service.url}/c/${token}`, "ok")]) {
          assert.equal(page.status, 404, token);
          assert.match(page.html, /このリンクは無効です。/);
          assert.doesNotMatch(page.html, /<script>/);
        }
      }
      // The real link still works afterwards.
      assert.equal((await press(link, "ok")).status, 200);
    });

    test("a link not used before it expires (72 h) is refused with 410 and changes nothing", async () => {
      const m = await newMember({ channels: EMAIL });
      const first = linkIn(await m.until(0.5), "prompt", m.member.id);
      await m.sb.reply(m.member.id, "ok");
      const second = linkIn(await m.until(24.5), "prompt", m.member.id);
      await m.until(73);
      const before = { answers: (await history(m.member.id)).answers.length, open: (await openCheckins(m.member.id)).length };
      assert.equal(before.answers, 1);

      const expired = await open(first);
      assert.equal(expired.status, 410);
      assert.match(expired.html, /このリンクは有効期限が切れています。/);
      assert.doesNotMatch(expired.html, /<form/);
      const pressed = await press(first, "ok");
      assert.equal(pressed.status, 410);
      assert.match(pressed.html, /このリンクは有効期限が切れています。/);
      assert.equal((await open(second)).status, 200, "the later prompt's link is still valid");

      await m.until(97);
      const opened = { answers: (await history(m.member.id)).answers.length, open: (await openCheckins(m.member.id)).length };
      const late = await press(second, "need_contact");
      assert.equal(late.status, 410);
      assert.match(late.html, /このリンクは有効期限が切れています。/);
      assert.deepEqual({ answers: (await history(m.member.id)).answers.length, open: (await openCheckins(m.member.id)).length }, opened,
        "nothing changed");
      assert.equal(opened.answers, 1, "the expired links answered nothing");
      assert.ok(!(await incidents(m.member.id)).some((i: { kind: string }) => i.kind === "contact_requested"));
    });

    test("an alert link: 対応します acknowledges the incident in the contact's name and stops the list", async () => {
      const m = await newMember({ contacts: SMS_CONTACTS });
      const messages = await m.until(27.5);
      const ichiro = m.member.contacts[0].id;
      const link = linkIn(messages, "alert", ichiro);
      const [incident] = await incidents(m.member.id);
      assert.equal(incident.status, "open");

      const page = await open(link);
      assert.equal(page.status, 200);
      const since = formatLocal(new Date(m.due), "Asia/Tokyo");
      assert.match(since, /^\d+月\d+日 09:00$/);
      assert.ok(page.html.includes(`山田花子さんから ${since} 以降、応答がありません。`), "who has not answered since when, in the member's time");
      for (const [action, ja] of [["ack", "対応します"], ["safe", "連絡がとれた・無事"], ["pass", "次の方へ回す"]]) {
        assert.match(page.html, new RegExp(`value="${action}" class="[a-z]+">${ja}<span`));
      }
      assert.equal((await incidents(m.member.id))[0].status, "open", "opening changed nothing");

      const done = await press(link, "ack");
      assert.equal(done.status, 200);
      assert.match(done.html, /対応をお願いします。/);
      const [acked] = await incidents(m.member.id);
      assert.equal(acked.status, "acknowledged");
      assert.equal(acked.acknowledged.at, m.at(27.5));
      assert.match(acked.acknowledged.by, /山田一郎/);
      assert.equal(acked.acknowledged.via, "sms");
      assert.equal((await press(link, "safe")).status, 410, "the link did its one thing");
      const later = await m.until(30);
      assert.deepEqual(later.filter((x) => x.kind === "alert" && x.payload.memberId === m.member.id), [], "nobody further down the list is alerted");
    });

    test("次の方へ回す records a pass and alerts the next contact at once; a contact pressing after someone else took it on changes nothing", async () => {
      const m = await newMember({ contacts: SMS_CONTACTS });
      const [ichiro, sato, minsei] = m.member.contacts.map((c: { id: string }) => c.id);
      const link = linkIn(await m.until(27.25), "alert", ichiro);

      const passed = await press(link, "pass");
      assert.equal(passed.status, 200);
      assert.match(passed.html, /次の方へ回しました。/);
      await m.sb.advance("PT0S");
      const next = (await m.sb.delivered()).filter((x) => x.kind === "alert");
      assert.deepEqual(next.map((x) => [x.to.id, x.at]), [[sato, m.at(27.25)]], "the second contact, now rather than at +28 h");
      const satoLink = linkIn(next, "alert", sato);
      const [incident] = await incidents(m.member.id);
      const pass = incident.timeline.find((e: { type: string }) => e.type === "passed");
      assert.ok(pass, JSON.stringify(incident.timeline));
      assert.equal(pass.at, m.at(27.25));
      assert.match(pass.actor, /山田一郎/);
      assert.equal(pass.nextStepPulledForward, true);

      // The list goes on from here, an hour apart.
      const rest = (await m.until(28.5)).filter((x) => x.kind === "alert" && x.to.id === minsei);
      assert.deepEqual(rest.map((x) => x.at), [m.at(28.25)]);

      // The office takes it on; the second contact's button then changes nothing.
      const ack = await service.api("POST", `/incidents/${incident.id}/ack`, { by: "事務局", via: "phone" });
      assert.equal(ack.status, 200);
      const late = await press(satoLink, "ack");
      assert.equal(late.status, 409);
      assert.match(late.html, /この件はすでにほかの方が対応しています。/);
      assert.match(late.html, /事務局/);
      assert.match(late.html, /何も変更していません。/);
      assert.equal((await incidents(m.member.id))[0].acknowledged.by, "事務局");
      // Reporting the member safe still works from that link, once.
      const safe = await press(satoLink, "safe");
      assert.equal(safe.status, 200);
      assert.match(safe.html, /無事と記録しました。/);
      const [settled] = await incidents(m.member.id);
      assert.equal(settled.status, "resolved");
      assert.equal(settled.resolved.outcome, "reached_by_message", "an e-mail link's page: reached by message, not by phone");
      assert.equal((await press(link, "ack")).status, 410, "the first contact's link was used for the pass");
    });

    if (kind === BROWSER_ON) {
      test("in Chromium on a phone with JavaScript off: big buttons, 連絡がほしい opens a contact request, the link then says it was used", async () => {
        const m = await newMember({ channels: EMAIL });
        const link = linkIn(await m.until(0.5), "prompt", m.member.id);
        const browser = await launchBrowser();
        try {
          const context = await browser.newContext({
            viewport: { width: 390, height: 844 }, javaScriptEnabled: false, hasTouch: true, isMobile: true, locale: "ja-JP",
          });
          const page = await context.newPage();
          const response = await page.goto(link);
          assert.equal(response?.status(), 200);
          assert.match(await page.locator("h1").textContent() ?? "", /山田花子さん、見守りの確認です/);
          const ok = page.getByRole("button", { name: /OK（元気です）/ });
          const call = page.getByRole("button", { name: /連絡がほしい/ });
          for (const button of [ok, call]) {
            assert.ok(await button.isVisible());
            const box = await button.boundingBox();
            assert.ok(box, "the button has a box");
            assert.ok(box.height >= 60, `tall enough to tap: ${box.height}px`);
            assert.ok(box.width >= 300, `full width: ${box.width}px`);
            assert.ok(box.y + box.height <= 844, "on the first screen, without scrolling");
          }
          // Large type, even with the page's scripts off (Playwright reads styles in its own world).
          const px = (selector: string) => page.locator(selector).first()
            .evaluate((el) => Number.parseFloat((globalThis as any).getComputedStyle(el).fontSize));
          assert.ok(await px("body") >= 20, "body text at least 20px");
          assert.ok(await px("button") >= 24, "button labels larger still");
          assert.equal((await openCheckins(m.member.id)).length, 1, "opening in a browser changed nothing");

          // Tapping submits the form; the result page comes back from the POST itself.
          const [posted] = await Promise.all([
            page.waitForResponse((r) => r.request().method() === "POST" && r.url() === link),
            call.tap(),
          ]);
          assert.equal(posted.status(), 200);
          await page.locator("h1", { hasText: "担当者に知らせました。" }).waitFor();
          assert.match(await page.locator("h1").textContent() ?? "", /担当者に知らせました。/);
          assert.match(await page.locator("main").textContent() ?? "", /We have told the people who look after you\./);
          const [incident] = await incidents(m.member.id);
          assert.equal(incident?.kind, "contact_requested");
          assert.equal(incident.status, "open");
          assert.equal((await openCheckins(m.member.id)).length, 0);

          const reopened = await page.goto(link);
          assert.equal(reopened?.status(), 410);
          assert.match(await page.locator("h1").textContent() ?? "", /このリンクはすでに使われています。/);
          assert.match(await page.locator("main").textContent() ?? "", /「連絡がほしい」として受け付け済みです。/);
          assert.equal(await page.getByRole("button").count(), 0);
          assert.equal((await incidents(m.member.id)).length, 1, "still one request");
          await context.close();
        } finally {
          await browser.close();
        }
      });
    }
  });
}
