/**
 * Self-tests of the protocol stand-ins in test/support: the Twilio-compatible
 * server is driven by the official `twilio` SDK (and its callbacks checked with
 * the SDK's validateRequest), the SMTP server by nodemailer's pooled transport,
 * and the browser helper opens a real page. If these pass, tests built on them
 * exercise the real client libraries, not a mock of our own making.
 */
import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { after, afterEach, before, beforeEach, describe, test } from "node:test";
import nodemailer from "nodemailer";
import twilio from "twilio";
import { launchBrowser } from "./browser.ts";
import { startSmtpServer, type TestSmtpServer } from "./smtp-server.ts";
import {
  findVerb, parseTwiml, parseXml, peakRate, spokenText, startTwilioApiServer, type TwilioApiServer,
} from "./twilio-api-server.ts";
import { rewriteTwilioUri, twilioClientFor } from "../../src/providers/twilio/client.ts";

const SID = `AC${"a1".repeat(16)}`;
const TOKEN = "test-auth-token-1";
const OTHER_SID = `AC${"b2".repeat(16)}`;
const OTHER_TOKEN = "test-auth-token-2";
const FROM = "+15005550006";
const TO = "+819012345678";

/** A service-side webhook endpoint: checks X-Twilio-Signature with the SDK and answers from `routes`. */
interface Hook {
  url: string;
  requests: { path: string; params: Record<string, string>; valid: boolean }[];
  close(): Promise<void>;
}

async function startWebhook(routes: Record<string, (params: Record<string, string>) => { status?: number; xml?: string }>): Promise<Hook> {
  const requests: Hook["requests"] = [];
  let base = "";
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    let raw = "";
    for await (const chunk of req) raw += chunk;
    const url = `${base}${req.url}`;
    const params = Object.fromEntries(new URLSearchParams(raw));
    const signature = req.headers["x-twilio-signature"];
    const valid = typeof signature === "string" && twilio.validateRequest(TOKEN, signature, url, params);
    const path = new URL(url).pathname;
    requests.push({ path, params, valid });
    if (!valid) {
      res.writeHead(403).end("invalid signature");
      return;
    }
    const route = routes[path];
    if (!route) {
      res.writeHead(404).end();
      return;
    }
    const out = route(params);
    if (out.xml === undefined) res.writeHead(out.status ?? 204).end();
    else res.writeHead(out.status ?? 200, { "content-type": "text/xml" }).end(out.xml);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const ANSWER_XML = `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather numDigits="1" action="/voice/gather?c=chk_1&amp;lang=ja" timeout="7">
    <Say language="ja-JP" voice="Polly.Mizuki">こんにちは &amp; &lt;ようこそ&gt;。1を押してください。</Say>
  </Gather>
  <Say language="ja-JP">お返事がありませんでした。</Say>
  <Redirect>/voice/answer?retry=1</Redirect>
</Response>`;

describe("TwiML parsing", () => {
  test("elements, attributes, entities, nested Say, relative actions", () => {
    const doc = parseTwiml(ANSWER_XML, "http://svc.example/voice/answer");
    assert.deepEqual(doc.verbs.map((v) => v.verb), ["Gather", "Say", "Redirect"]);
    const gather = findVerb(doc, "Gather");
    assert.ok(gather);
    assert.equal(gather.action, "/voice/gather?c=chk_1&lang=ja");
    assert.equal(gather.numDigits, 1);
    assert.equal(gather.timeout, 7);
    assert.equal(gather.method, "POST");
    assert.equal(gather.actionOnEmptyResult, false);
    assert.equal(spokenText(doc), "こんにちは & <ようこそ>。1を押してください。\nお返事がありませんでした。");
    assert.deepEqual(parseXml(`<a x='&quot;&apos;&#65;&#x42;'><![CDATA[<raw> & ]]></a>`), {
      name: "a", attributes: { x: `"'AB` }, children: ["<raw> & "],
    });
  });

  test("refuses what Twilio refuses", () => {
    assert.throws(() => parseTwiml(`<Response><Redirect>/x?a=1&b=2</Redirect></Response>`), /unescaped "&"/);
    assert.throws(() => parseTwiml(`<Response><Say>hi</Response>`), /closes <Say>/);
    assert.throws(() => parseTwiml(`<Reply><Say>hi</Say></Reply>`), /<Response>/);
    assert.throws(() => parseTwiml(`<Response><Gather><Redirect>/x</Redirect></Gather></Response>`), /cannot be nested/);
    assert.throws(() => parseTwiml(`<Response>hello</Response>`), /stray text/);
  });

  test("peakRate counts records in the busiest window", () => {
    const at = (ms: number[]) => ms.map((receivedAt) => ({ receivedAt }));
    assert.equal(peakRate(at([])), 0);
    assert.equal(peakRate(at([0, 100, 999, 1000, 1500, 1999])), 3);
    assert.equal(peakRate(at([0, 1000, 1001, 1002, 1999, 2000])), 4);
    assert.equal(peakRate(at([0, 10, 20]), 15), 2);
  });
});

describe("Twilio-compatible API server with the official SDK", () => {
  let server: TwilioApiServer;
  let hook: Hook;

  beforeEach(async () => {
    server = await startTwilioApiServer({ accounts: { [SID]: TOKEN }, rejectNumbers: new Set(["+819000000000"]) });
    server.addAccount(OTHER_SID, OTHER_TOKEN);
    hook = await startWebhook({
      "/voice/answer": () => ({ xml: ANSWER_XML }),
      "/voice/gather": (p) => ({ xml: `<Response><Say>Thank you, ${p.Digits}.</Say><Hangup/></Response>` }),
      "/voice/status": () => ({}),
      "/sms/status": () => ({ status: 200 }),
    });
  });
  afterEach(async () => {
    await server.close();
    await hook.close();
  });

  test("the client rewrites only *.twilio.com URIs", () => {
    assert.equal(rewriteTwilioUri("https://api.twilio.com/2010-04-01/Accounts/AC1/Calls.json?x=1", "http://127.0.0.1:9/"),
      "http://127.0.0.1:9/2010-04-01/Accounts/AC1/Calls.json?x=1");
    assert.equal(rewriteTwilioUri("https://api.dublin.ie1.twilio.com/v1/X", "http://h:1/base"), "http://h:1/base/v1/X");
    assert.equal(rewriteTwilioUri("https://example.com/a", "http://h:1"), "https://example.com/a");
  });

  test("creates and fetches a call, with the parameters the SDK sends", async () => {
    const client = await twilioClientFor(server.url, SID, TOKEN);
    const call = await client.calls.create({
      to: TO,
      from: FROM,
      url: `${hook.url}/voice/answer`,
      statusCallback: `${hook.url}/voice/status`,
      statusCallbackEvent: ["initiated", "answered", "completed"],
      statusCallbackMethod: "POST",
      machineDetection: "Enable",
      timeout: 30,
    });
    assert.match(call.sid, /^CA[0-9a-f]{32}$/);
    assert.equal(call.accountSid, SID);
    assert.equal(call.status, "queued");
    assert.equal(call.to, TO);
    assert.ok(call.dateCreated instanceof Date && !Number.isNaN(call.dateCreated.getTime()), "date_created parses as RFC 2822");
    const recorded = server.call(call.sid);
    assert.deepEqual(recorded.statusCallbackEvents, ["initiated", "answered", "completed"]);
    assert.equal(recorded.params.Url, `${hook.url}/voice/answer`);
    assert.equal(recorded.params.MachineDetection, "Enable");
    assert.equal(recorded.params.Timeout, "30");
    assert.equal(recorded.timeout, 30);
    assert.deepEqual(server.callsOf(SID), [recorded]);
    assert.deepEqual(server.callsOf(OTHER_SID), []);
    const initiated = await server.progress(call.sid, "initiated");
    assert.equal(initiated?.status, 204);
    assert.deepEqual([hook.requests[0].params.CallStatus, hook.requests[0].valid], ["initiated", true]);
    assert.equal(await server.progress(call.sid, "ringing"), null, "not subscribed to ringing");
    assert.deepEqual((await client.calls.list({ to: TO })).map((c) => c.sid), [call.sid]);
    const fetched = await client.calls(call.sid).fetch();
    assert.equal(fetched.sid, call.sid);
    assert.equal(fetched.status, "ringing");
    await client.calls(call.sid).update({ status: "canceled" });
    assert.equal(server.call(call.sid).status, "canceled");
  });

  test("creates a message", async () => {
    const client = await twilioClientFor(server.url, SID, TOKEN);
    const message = await client.messages.create({ to: TO, from: FROM, body: "見守りのお知らせ", statusCallback: `${hook.url}/sms/status` });
    assert.match(message.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(message.status, "queued");
    assert.equal(message.body, "見守りのお知らせ");
    assert.equal(message.numSegments, "1");
    assert.equal(server.messagesOf(SID)[0].statusCallback, `${hook.url}/sms/status`);
    const viaService = await client.messages.create({ to: TO, messagingServiceSid: `MG${"0".repeat(32)}`, body: "hi" });
    assert.equal(viaService.status, "accepted");
  });

  test("refuses wrong auth (20003), bad parameters, rejected numbers; injected faults surface as RestException", async () => {
    const wrong = await twilioClientFor(server.url, SID, "not-the-token");
    await assert.rejects(wrong.calls.create({ to: TO, from: FROM, url: `${hook.url}/voice/answer` }), (e: any) => {
      assert.ok(e instanceof twilio.RestException);
      assert.equal(e.status, 401);
      assert.equal(e.code, 20003);
      assert.equal(e.moreInfo, "https://www.twilio.com/docs/errors/20003");
      return true;
    });
    const crossed = await twilioClientFor(server.url, OTHER_SID, OTHER_TOKEN);
    await assert.rejects(crossed.api.v2010.accounts(SID).calls.list(), (e: any) => e.status === 404 && e.code === 20404);

    const client = await twilioClientFor(server.url, SID, TOKEN);
    await assert.rejects(client.calls.create({ to: TO, from: FROM }), (e: any) => e.status === 400 && e.code === 21205);
    await assert.rejects(client.calls.create({ to: "+819000000000", from: FROM, url: `${hook.url}/x` }),
      (e: any) => e.status === 400 && e.code === 21211);
    await assert.rejects(client.messages.create({ to: TO, from: FROM }), (e: any) => e.code === 21602);

    server.failNext(1, 429);
    await assert.rejects(client.calls.create({ to: TO, from: FROM, url: `${hook.url}/x` }), (e: any) => {
      assert.ok(e instanceof twilio.RestException);
      assert.equal(e.status, 429);
      assert.equal(e.code, 20429);
      return true;
    });
    server.failNext(1, 500);
    await assert.rejects(client.messages.create({ to: TO, from: FROM, body: "x" }), (e: any) => e.status === 500 && e.code === 20500);
    await client.calls.create({ to: TO, from: FROM, url: `${hook.url}/x` });

    // The SDK's own autoRetry retries 429s (and only those).
    const retrying = await twilioClientFor(server.url, SID, TOKEN, { autoRetry: true, maxRetryDelay: 50 });
    server.failNext(2, 429);
    const call = await retrying.calls.create({ to: TO, from: FROM, url: `${hook.url}/x` });
    assert.match(call.sid, /^CA/);
    const statuses = server.requests.slice(-3).map((r) => r.status);
    assert.deepEqual(statuses, [429, 429, 201]);
    assert.equal(server.calls.length, 2);
  });

  test("drives a call: answer, press, silence and the status callback, all signed", async () => {
    const client = await twilioClientFor(server.url, SID, TOKEN);
    const created = await client.calls.create({
      to: TO, from: FROM, url: `${hook.url}/voice/answer`, statusCallback: `${hook.url}/voice/status`, machineDetection: "Enable",
    });

    const first = await server.answer(created.sid, { answeredBy: "human" });
    assert.equal(first.url, `${hook.url}/voice/answer`);
    assert.match(spokenText(first), /1を押してください/);
    assert.equal(hook.requests[0].params.CallStatus, "in-progress");
    assert.equal(hook.requests[0].params.AnsweredBy, "human");
    assert.equal(hook.requests[0].params.Direction, "outbound-api");
    assert.equal(hook.requests[0].params.ApiVersion, "2010-04-01");
    assert.equal(hook.requests[0].params.AccountSid, SID);

    // No input: the Gather times out, Twilio plays the next Say and follows the Redirect.
    const again = await server.silence(created.sid);
    assert.equal(again.url, `${hook.url}/voice/answer?retry=1`);
    const reply = await server.press(created.sid, "2");
    assert.equal(spokenText(reply), "Thank you, 2.");
    assert.equal(findVerb(reply, "Hangup")?.verb, "Hangup");
    const gatherRequest = hook.requests.find((r) => r.path === "/voice/gather");
    assert.equal(gatherRequest?.params.Digits, "2");
    await assert.rejects(server.press(created.sid, "1"), /no <Gather> is waiting/);

    const status = await server.hangUp(created.sid);
    assert.equal(status?.status, 204);
    const last = hook.requests.at(-1)!;
    assert.equal(last.path, "/voice/status");
    assert.equal(last.params.CallStatus, "completed");
    assert.equal(last.params.CallDuration, "0");
    assert.equal(last.params.AnsweredBy, "human");
    assert.ok(hook.requests.every((r) => r.valid), "every request validates with twilio.validateRequest");
    assert.equal(server.call(created.sid).documents.length, 3);
    assert.equal((await client.calls(created.sid).fetch()).status, "completed");
  });

  test("a finished call that never connected, message status callbacks, and refused signatures", async () => {
    const client = await twilioClientFor(server.url, SID, TOKEN);
    const call = await client.calls.create({ to: TO, from: FROM, url: `${hook.url}/voice/answer`, statusCallback: `${hook.url}/voice/status` });
    await server.finish(call.sid, "no-answer");
    assert.equal(hook.requests.at(-1)?.params.CallStatus, "no-answer");
    await assert.rejects(server.answer(call.sid), /already answered or ended/);

    const message = await client.messages.create({ to: TO, from: FROM, body: "x", statusCallback: `${hook.url}/sms/status` });
    const res = await server.messageStatus(message.sid, "undelivered", 30003);
    assert.equal(res?.status, 200);
    const sms = hook.requests.at(-1)!;
    assert.equal(sms.valid, true);
    assert.deepEqual(
      { sid: sms.params.MessageSid, smsSid: sms.params.SmsSid, status: sms.params.MessageStatus, smsStatus: sms.params.SmsStatus, error: sms.params.ErrorCode },
      { sid: message.sid, smsSid: message.sid, status: "undelivered", smsStatus: "undelivered", error: "30003" },
    );

    assert.equal((await server.postUnsigned(`${hook.url}/sms/status`, { MessageSid: message.sid })).status, 403);
    assert.equal((await server.postWithSignature(`${hook.url}/sms/status`, { MessageSid: message.sid }, "AAAA")).status, 403);
    // Signed with the other account's token: the hook (which knows only TOKEN) refuses it.
    assert.equal((await server.signedPost(OTHER_SID, `${hook.url}/sms/status`, { MessageSid: message.sid })).status, 403);
    assert.equal((await server.signedPost(SID, `${hook.url}/sms/status`, { MessageSid: message.sid })).status, 200);
  });

  test("autoAnswer drives calls in the background; inline TwiML works too", async () => {
    const auto = await startTwilioApiServer({
      accounts: { [SID]: TOKEN },
      autoAnswer: async (call, s) => {
        await s.answer(call.sid);
        await s.press(call.sid, "1#");
        await s.hangUp(call.sid);
      },
    });
    try {
      const client = await twilioClientFor(auto.url, SID, TOKEN);
      const call = await client.calls.create({ to: TO, from: FROM, url: `${hook.url}/voice/answer` });
      await auto.idle();
      assert.deepEqual(auto.errors, []);
      assert.equal(auto.call(call.sid).status, "completed");
      assert.equal(hook.requests.find((r) => r.path === "/voice/gather")?.params.Digits, "1");

      const inline = await client.calls.create({ to: TO, from: FROM, twiml: new twilio.twiml.VoiceResponse().say("inline").toString() });
      await auto.idle();
      assert.equal(spokenText(auto.call(inline.sid).documents[0]), "inline");
    } finally {
      await auto.close();
    }
  });

  test("accepts hundreds of call creations per second", async () => {
    const client = await twilioClientFor(server.url, SID, TOKEN);
    const started = performance.now();
    const batch = Array.from({ length: 300 }, (_, i) =>
      client.calls.create({ to: `+8180${String(i).padStart(8, "0")}`, from: FROM, url: `${hook.url}/voice/answer` }));
    await Promise.all(batch);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(server.callsOf(SID).length, 300);
    assert.ok(seconds < 3, `300 creations took ${seconds.toFixed(2)} s`);
    assert.ok(peakRate(server.callsOf(SID)) >= 100);
  });
});

describe("SMTP server with nodemailer", () => {
  let smtp: TestSmtpServer;
  const auth = { user: "mailer", pass: "secret" };
  beforeEach(async () => {
    smtp = await startSmtpServer({ auth, rejectRecipients: ["gone@example.jp"], deferRecipients: ["busy@example.jp"] });
  });
  afterEach(() => smtp.close());

  test("a pooled transport delivers several mails, parsed with text and html", async () => {
    const transport = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, auth, pool: true, maxConnections: 2, maxMessages: 10 });
    try {
      await Promise.all([1, 2, 3].map((n) => transport.sendMail({
        from: "Mimamori <noreply@mimamori.example>",
        to: `family${n}@example.jp`,
        subject: `見守り ${n}`,
        text: `本文 ${n}`,
        html: `<p>本文 <b>${n}</b></p>`,
        headers: { "List-Unsubscribe": "<https://mimamori.example/u>" },
      })));
    } finally {
      transport.close();
    }
    assert.equal(smtp.messages.length, 3);
    const second = await smtp.waitFor((m) => m.to.includes("family2@example.jp"));
    assert.equal(second.from, "noreply@mimamori.example");
    assert.equal(second.subject, "見守り 2");
    assert.equal(second.text?.trim(), "本文 2");
    assert.equal(second.html, "<p>本文 <b>2</b></p>");
    assert.equal(second.user, "mailer");
    assert.match(second.messageId ?? "", /^<.+@.+>$/);
    assert.deepEqual(second.rawHeaders.get("list-unsubscribe"), ["<https://mimamori.example/u>"]);
    assert.equal(second.size, second.raw.length);
  });

  test("refused and deferred recipients, wrong credentials", async () => {
    const transport = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, auth });
    const info = await transport.sendMail({ from: "a@mimamori.example", to: ["ok@example.jp", "gone@example.jp"], subject: "s", text: "t" });
    assert.deepEqual(info.accepted, ["ok@example.jp"]);
    assert.deepEqual(info.rejected, ["gone@example.jp"]);
    const delivered = await smtp.waitFor((m) => m.subject === "s");
    assert.deepEqual(delivered.to, ["ok@example.jp"]);

    await assert.rejects(transport.sendMail({ from: "a@mimamori.example", to: "gone@example.jp", subject: "x", text: "x" }),
      (e: any) => e.responseCode === 550);
    await assert.rejects(transport.sendMail({ from: "a@mimamori.example", to: "busy@example.jp", subject: "x", text: "x" }),
      (e: any) => e.responseCode === 451);
    assert.deepEqual(smtp.refused.map((r) => r.code), [550, 550, 451]);

    const wrong = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, auth: { user: "mailer", pass: "nope" } });
    await assert.rejects(wrong.sendMail({ from: "a@mimamori.example", to: "ok@example.jp", subject: "x", text: "x" }),
      (e: any) => e.code === "EAUTH" && e.responseCode === 535);
    await assert.rejects(smtp.waitFor((m) => m.subject === "never", 50), /no matching mail within 50 ms/);
  });
});

describe("browser helper", () => {
  let page: Server;
  let url = "";
  before(async () => {
    page = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(
        `<!doctype html><title>t</title><button id="ok" onclick="document.querySelector('#out').textContent='押しました'">元気です</button><p id="out"></p>`,
      );
    });
    await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(page.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => page.close(() => resolve())));

  test("launches Debian's chromium headless, opens a local page and clicks a button", async () => {
    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage();
      await tab.goto(url);
      await tab.getByRole("button", { name: "元気です" }).click();
      assert.equal(await tab.locator("#out").textContent(), "押しました");
    } finally {
      await browser.close();
    }
  });
});
