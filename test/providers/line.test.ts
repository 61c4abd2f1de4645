/**
 * The LINE channel against a local LINE-compatible server: message shapes, retry
 * keys, classification of LINE's answers, multicast chunking and group pushes.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, test } from "node:test";
import type { messagingApi } from "@line/bot-sdk";
import type { OutgoingMessage } from "../../src/engine/ports.ts";
import { LineChannel, type LineChannelOptions, lineRetryKey, NO_CREDENTIALS } from "../../src/providers/line/channel.ts";
import {
  ALERT_BUTTONS, buildLineMessages, CHECKIN_BUTTONS, parsePostback, postbackData, truncate,
} from "../../src/providers/line/messages.ts";
import { promptText } from "../../src/domain/messages.ts";
import { type LineApiServer, startLineApiServer } from "../support/line-api-server.ts";

const TOKEN = "test-channel-access-token";
const ORG = "org-line";
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const hex32 = (seed: string) => createHash("md5").update(seed).digest("hex");
const userId = (n: number | string) => `U${hex32(`user:${n}`)}`;
const groupId = (n: number | string) => `C${hex32(`group:${n}`)}`;

let seq = 0;
function message(over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  seq++;
  const now = new Date("2027-01-04T09:00:00+09:00");
  return {
    idempotencyKey: `test:${seq}`,
    organisationId: ORG,
    recipient: { kind: "member", id: `member-${seq}` },
    channel: "line",
    address: userId(seq),
    kind: "member_answered",
    text: `テスト ${seq}\nTest ${seq}`,
    payload: {},
    dueAt: now,
    readyAt: now,
    ...over,
  };
}

const prompt = (checkinId: string, over: Partial<OutgoingMessage> = {}) =>
  message({ kind: "prompt", text: promptText("山田"), payload: { checkinId }, ...over });

/** Every postback action anywhere in a message. */
function postbacks(m: messagingApi.Message): messagingApi.PostbackAction[] {
  const found: messagingApi.PostbackAction[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === "object") {
      const o = node as Record<string, unknown>;
      if (o.type === "postback") found.push(o as messagingApi.PostbackAction);
      for (const value of Object.values(o)) walk(value);
    }
  };
  walk(m);
  return found;
}

/** Every flex button, in order. */
function buttons(m: messagingApi.Message): messagingApi.FlexButton[] {
  assert.equal(m.type, "flex");
  const bubble = (m as messagingApi.FlexMessage).contents as messagingApi.FlexBubble;
  return (bubble.body?.contents ?? []).filter((c): c is messagingApi.FlexButton => c.type === "button");
}

function flexTexts(m: messagingApi.Message): string[] {
  const bubble = (m as messagingApi.FlexMessage).contents as messagingApi.FlexBubble;
  return (bubble.body?.contents ?? []).filter((c): c is messagingApi.FlexText => c.type === "text").map((t) => t.text ?? "");
}

describe("LINE postback data", () => {
  test("round-trips check-in and incident actions, and refuses malformed data", () => {
    assert.deepEqual(parsePostback(postbackData("ok", { c: "chk_01" })), { action: "ok", checkinId: "chk_01" });
    assert.deepEqual(parsePostback("a=need_contact&c=chk%2F2"), { action: "need_contact", checkinId: "chk/2" });
    assert.deepEqual(parsePostback("a=ack&i=inc_9"), { action: "ack", incidentId: "inc_9" });
    assert.deepEqual(parsePostback("a=safe&i=inc_9"), { action: "safe", incidentId: "inc_9" });
    assert.deepEqual(parsePostback("a=menu&page=2&x=y"), { action: "menu", params: { page: "2", x: "y" } });
    assert.equal(parsePostback("a=ok"), null, "ok without a check-in id");
    assert.equal(parsePostback("a=ack&c=chk_1"), null, "ack needs an incident id");
    assert.equal(parsePostback("c=chk_1"), null, "no action");
    assert.equal(parsePostback(""), null);
    assert.equal(parsePostback(`a=ok&c=${"x".repeat(300)}`), null, "longer than LINE allows");
  });

  test("truncation stays within the limit and never splits a character", () => {
    const text = `${"あ".repeat(4998)}👨‍👩‍👧😀tail`;
    const cut = truncate(text, 5000);
    assert.ok(cut.length <= 5000, `length ${cut.length}`);
    assert.ok(cut.isWellFormed(), "no lone surrogate");
    assert.ok(cut.endsWith("…"));
    assert.equal(truncate("short", 5000), "short");
  });
});

describe("LINE channel", () => {
  let server: LineApiServer;
  let channel: LineChannel;
  let credentialCalls: string[];

  const make = (over: Partial<LineChannelOptions> = {}) =>
    new LineChannel({
      baseURL: server.url,
      credentials: async (organisationId) => {
        credentialCalls.push(organisationId);
        return organisationId === ORG ? { channelAccessToken: TOKEN, channelSecret: "secret" } : null;
      },
      ...over,
    });

  beforeEach(async () => {
    server = await startLineApiServer({ channelAccessToken: TOKEN });
    credentialCalls = [];
    channel = make();
  });
  afterEach(async () => {
    await server.close();
  });

  test("a prompt is a Flex message: Japanese first, OK large, 連絡がほしい smaller, both carrying the check-in id", async () => {
    const m = prompt("chk_prompt_1");
    const results = await channel.send([m], new Date());
    assert.equal(results[0].status, "sent");
    assert.equal(server.pushes.length, 1);
    const push = server.pushes[0];
    assert.equal(push.body.to, m.address);
    assert.equal(push.body.messages.length, 1);
    const flex = push.body.messages[0] as messagingApi.FlexMessage;
    assert.equal(flex.type, "flex");
    assert.equal(flex.altText, m.text.split("\n")[0]);
    assert.equal(flexTexts(flex)[0], m.text.split("\n")[0], "Japanese first");
    const [ok, needContact] = buttons(flex);
    assert.equal(ok.style, "primary");
    assert.equal(needContact.style, "secondary");
    assert.equal(ok.height ?? "md", "md");
    assert.equal(needContact.height, "sm");
    const [okAction, needAction] = [ok.action, needContact.action] as messagingApi.PostbackAction[];
    assert.equal(okAction.label, CHECKIN_BUTTONS.ok);
    assert.equal(okAction.label, "OK（元気です）");
    assert.equal(okAction.displayText, "OK（元気です）");
    assert.equal(okAction.data, "a=ok&c=chk_prompt_1");
    assert.equal(needAction.label, "連絡がほしい");
    assert.equal(needAction.displayText, "連絡がほしい");
    assert.equal(needAction.data, "a=need_contact&c=chk_prompt_1");
    assert.deepEqual(postbacks(flex).map((p) => parsePostback(p.data ?? "")), [
      { action: "ok", checkinId: "chk_prompt_1" },
      { action: "need_contact", checkinId: "chk_prompt_1" },
    ]);
    assert.equal(results[0].status === "sent" && results[0].providerId, server.pushes[0].requestId, "x-line-request-id");
  });

  test("a re-send has the same buttons for the same check-in", async () => {
    const m = message({ kind: "resend", text: "まだです\nNot yet", payload: { checkinId: "chk_resend" } });
    assert.equal((await channel.send([m], new Date()))[0].status, "sent");
    const flex = server.pushes[0].body.messages[0];
    assert.deepEqual(postbacks(flex).map((p) => p.data), ["a=ok&c=chk_resend", "a=need_contact&c=chk_resend"]);
  });

  test("an alert carries 対応します and 連絡がとれた・無事 for its incident", async () => {
    const m = message({ kind: "alert", recipient: { kind: "contact", id: "contact-1" }, text: "【見守り】応答がありません。\n[Mimamori] No answer.", payload: { incidentId: "inc_42", memberId: "m1" } });
    assert.equal((await channel.send([m], new Date()))[0].status, "sent");
    const flex = server.pushes[0].body.messages[0] as messagingApi.FlexMessage;
    assert.equal(flex.altText, "【見守り】応答がありません。");
    const actions = buttons(flex).map((b) => b.action as messagingApi.PostbackAction);
    assert.deepEqual(actions.map((a) => a.label), [ALERT_BUTTONS.ack, ALERT_BUTTONS.safe]);
    assert.deepEqual(actions.map((a) => a.label), ["対応します", "連絡がとれた・無事"]);
    assert.deepEqual(actions.map((a) => parsePostback(a.data ?? "")), [
      { action: "ack", incidentId: "inc_42" },
      { action: "safe", incidentId: "inc_42" },
    ]);
  });

  test("other kinds are plain text, cut to LINE's 5000 characters", async () => {
    const long = message({ kind: "member_answered", text: `${"長".repeat(4999)}😀😀 and more` });
    const short = message({ kind: "contact_request", text: "ご連絡をお願いします" });
    const results = await channel.send([long, short], new Date());
    assert.deepEqual(results.map((r) => r.status), ["sent", "sent"]);
    const [a, b] = server.pushes.map((p) => p.body.messages[0] as messagingApi.TextMessage);
    assert.equal(a.type, "text");
    assert.ok(a.text.length <= 5000 && a.text.isWellFormed());
    assert.ok(a.text.startsWith("長長長"));
    assert.deepEqual(b, { type: "text", text: "ご連絡をお願いします" });
    // A prompt without a check-in id cannot carry buttons: it goes as text rather than not at all.
    assert.equal(buildLineMessages({ kind: "prompt", text: "x", payload: {} })[0].type, "text");
  });

  test("a conversation message's choices become quick-reply postbacks LINE accepts", async () => {
    const choices = [{ label: "毎日", data: "a=reg&reg=every&v=1d" }, { label: "とても長い選択肢のラベルで二十文字を超えています", data: "a=reg&reg=every&v=7d" }];
    const m = message({ kind: "conversation", text: "間隔を選んでください\nHow often?", payload: { choices } });
    assert.equal((await channel.send([m], new Date()))[0].status, "sent");
    const sent = server.pushes[0].body.messages[0] as messagingApi.TextMessage;
    assert.equal(sent.type, "text");
    assert.equal(sent.text, m.text);
    const actions = (sent.quickReply?.items ?? []).map((item) => item.action as messagingApi.PostbackAction);
    assert.deepEqual(actions.map((a) => a.data), choices.map((c) => c.data));
    assert.equal(actions[0].label, "毎日");
    assert.ok(actions[1].label!.length <= 20);
    assert.deepEqual(parsePostback(actions[0].data!), { action: "reg", params: { reg: "every", v: "1d" } });
  });

  test("every push carries a UUID retry key derived from the idempotency key, the same on a retry", async () => {
    const m = prompt("chk_retry");
    server.failNext(1, 500);
    const first = await channel.send([m], new Date());
    assert.equal(first[0].status, "retry");
    assert.equal(server.pushes.length, 0);
    const second = await channel.send([m], new Date());
    assert.equal(second[0].status, "sent");
    assert.equal(server.pushes.length, 1);
    const keys = server.requests.map((r) => r.retryKey);
    assert.equal(keys.length, 2);
    assert.match(keys[0]!, UUID_V4);
    assert.equal(keys[0], keys[1], "the retry uses the same key");
    assert.equal(keys[0], lineRetryKey(m.idempotencyKey));
    assert.notEqual(lineRetryKey("other"), lineRetryKey(m.idempotencyKey));
    assert.deepEqual(server.requests.map((r) => r.status), [500, 200]);
  });

  test("429 with Retry-After asks for a retry no sooner than LINE said, and holds back the rest of the batch", async () => {
    const serial = make({ concurrency: 1 });
    server.failNext(1, 429, { retryAfter: 7 });
    const results = await serial.send([prompt("chk_a"), prompt("chk_b"), prompt("chk_c")], new Date());
    assert.deepEqual(results.map((r) => r.status), ["retry", "retry", "retry"]);
    for (const r of results) {
      assert.ok(r.status === "retry" && r.retryAfterMs !== undefined, JSON.stringify(r));
      assert.ok(r.retryAfterMs! >= (r === results[0] ? 7000 : 6000), JSON.stringify(r));
    }
    assert.ok(results[0].status === "retry" && results[0].retryAfterMs! >= 7000);
    assert.equal(server.requests.length, 1, "no more requests while LINE asked to wait");
  });

  test("429 for the monthly message limit fails, so the message moves to the next channel", async () => {
    server.failNext(1, 429, { message: "You have reached your monthly limit." });
    const [result] = await channel.send([prompt("chk_quota")], new Date());
    assert.equal(result.status, "failed");
    assert.equal(result.status === "failed" && result.code, "quota_exceeded");
    assert.match(result.status === "failed" ? result.error : "", /monthly limit/);
  });

  test("a repeated delivery of an accepted key answers 409 and counts as sent, recorded once", async () => {
    const m = prompt("chk_twice");
    const first = await channel.send([m], new Date());
    // Another worker (or this one after a crash) sends the same outbox row again.
    const again = await make().send([m], new Date());
    assert.equal(first[0].status, "sent");
    assert.equal(again[0].status, "sent");
    assert.equal(server.pushes.length, 1, "delivered once");
    assert.deepEqual(server.requests.map((r) => r.status), [200, 409]);
    assert.equal(again[0].status === "sent" && again[0].providerId, server.pushes[0].requestId, "the accepted request's id");
  });

  test("an unknown user fails with LINE's message; the rest of the batch still goes", async () => {
    const unknown = prompt("chk_unknown");
    server.unknownUsers.add(unknown.address);
    const fine = prompt("chk_fine");
    const results = await channel.send([unknown, fine], new Date());
    assert.equal(results[0].status, "failed");
    assert.equal(results[0].status === "failed" && results[0].code, "invalid_request");
    assert.match(results[0].status === "failed" ? results[0].error : "", /The property, 'to', in the request body is invalid/);
    assert.equal(results[1].status, "sent");
    assert.deepEqual(server.pushes.map((p) => p.body.to), [fine.address]);
  });

  test("no credentials for an organisation fails its messages without a request; credentials are read once per batch", async () => {
    const elsewhere = [prompt("chk_x", { organisationId: "org-without-line" }), prompt("chk_y", { organisationId: "org-without-line" })];
    const here = prompt("chk_here");
    const results = await channel.send([elsewhere[0], here, elsewhere[1]], new Date());
    assert.deepEqual(results[0], { status: "failed", code: "not_configured", error: NO_CREDENTIALS });
    assert.deepEqual(results[0], { status: "failed", code: "not_configured", error: "no LINE channel is configured for this organisation" });
    assert.equal(results[1].status, "sent");
    assert.deepEqual(results[2], { status: "failed", code: "not_configured", error: NO_CREDENTIALS });
    assert.equal(server.requests.length, 1);
    assert.deepEqual(credentialCalls.sort(), [ORG, "org-without-line"]);
  });

  test("a rejected access token (401) fails with a clear message", async () => {
    const wrong = make({ credentials: async () => ({ channelAccessToken: "revoked", channelSecret: "s" }) });
    const [result] = await wrong.send([prompt("chk_401")], new Date());
    assert.equal(result.status, "failed");
    assert.match(result.status === "failed" ? result.error : "", /access token.*401|401.*access token/);
    assert.equal(result.status === "failed" ? result.code : undefined, "credentials_refused", "decided on a code, not the text");
    assert.deepEqual(server.requests.map((r) => r.status), [401]);
  });

  test("network errors and timeouts are passing failures", async () => {
    const closed = await startLineApiServer({ channelAccessToken: TOKEN });
    const url = closed.url;
    await closed.close();
    const [refused] = await make({ baseURL: url }).send([prompt("chk_net")], new Date());
    assert.equal(refused.status, "retry");

    const silent = createServer(() => {}); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const slow = make({ baseURL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, timeoutMs: 200 });
      const [timedOut] = await slow.send([prompt("chk_slow")], new Date());
      assert.equal(timedOut.status, "retry");
      assert.match(timedOut.status === "retry" ? timedOut.error : "", /no answer within 200 ms/);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test("a broadcast to 1,200 members goes by multicast: 3 requests of ≤ 500, distinct keys, stable across a retry", async () => {
    const text = "【お知らせ】避難所が開設されました。\n[Notice] Evacuation shelters are open.";
    const all = Array.from({ length: 1200 }, (_, i) => message({
      idempotencyKey: `broadcast:b1:member:${String(i).padStart(4, "0")}`,
      recipient: { kind: i % 3 === 0 ? "contact" : "member", id: `m${i}` },
      address: userId(`b${i}`),
      kind: "broadcast",
      text,
      payload: { broadcastId: "b1" },
    }));
    const shuffled = [...all].sort((a, b) => (hex32(a.idempotencyKey) < hex32(b.idempotencyKey) ? -1 : 1));
    const results = await channel.send(shuffled, new Date());
    assert.equal(results.length, 1200);
    assert.ok(results.every((r) => r.status === "sent"), JSON.stringify(results.find((r) => r.status !== "sent")));
    assert.equal(server.pushes.length, 0);
    assert.equal(server.multicasts.length, 3);
    assert.deepEqual(server.multicasts.map((m) => m.body.to.length).sort((a, b) => a - b), [200, 500, 500]);
    const recipients = new Set(server.multicasts.flatMap((m) => m.body.to));
    assert.equal(recipients.size, 1200);
    assert.deepEqual([...recipients].sort(), all.map((m) => m.address).sort());
    const keys = server.multicasts.map((m) => m.retryKey);
    assert.equal(new Set(keys).size, 3, "distinct retry keys");
    for (const key of keys) assert.match(key!, UUID_V4);
    for (const m of server.multicasts) assert.deepEqual(m.body.messages, [{ type: "text", text }]);
    // Each message's result names the request that carried it.
    const byAddress = new Map(server.multicasts.flatMap((m) => m.body.to.map((to) => [to, m.requestId] as const)));
    for (const [i, m] of shuffled.entries()) {
      assert.equal(results[i].status === "sent" && results[i].providerId, byAddress.get(m.address));
    }

    // The same batch again, in another order: the same chunks and keys, so LINE refuses them all as repeats.
    const again = await make().send([...all].reverse(), new Date());
    assert.equal(again.length, 1200);
    assert.ok(again.every((r) => r.status === "sent"));
    assert.equal(server.multicasts.length, 3, "nothing delivered twice");
    assert.deepEqual(server.requests.slice(3).map((r) => r.status), [409, 409, 409]);
    assert.deepEqual(new Set(server.requests.slice(3).map((r) => r.retryKey)), new Set(keys));
  });

  test("a multicast refused for one unknown user falls back to pushes, so only that user fails", async () => {
    const batch = Array.from({ length: 5 }, (_, i) => message({
      idempotencyKey: `broadcast:b2:${i}`, address: userId(`c${i}`), kind: "broadcast", text: "お知らせ", payload: { broadcastId: "b2" },
    }));
    server.unknownUsers.add(batch[2].address);
    const results = await channel.send(batch, new Date());
    assert.deepEqual(results.map((r) => r.status), ["sent", "sent", "failed", "sent", "sent"]);
    assert.equal(server.multicasts.length, 0);
    assert.deepEqual(server.pushes.map((p) => p.body.to).sort(), batch.filter((_, i) => i !== 2).map((m) => m.address).sort());
    assert.deepEqual(server.pushes.map((p) => p.retryKey).sort(), batch.filter((_, i) => i !== 2).map((m) => lineRetryKey(m.idempotencyKey)).sort());
  });

  test("a multicast refused for another reason (403) fails as a whole, without falling back to pushes", async () => {
    const batch = Array.from({ length: 3 }, (_, i) => message({
      idempotencyKey: `broadcast:b403:${i}`, address: userId(`d${i}`), kind: "broadcast", text: "お知らせ", payload: { broadcastId: "b403" },
    }));
    server.failNext(1, 403);
    const results = await channel.send(batch, new Date());
    assert.equal(results.length, 3);
    for (const r of results) assert.deepEqual(r.status === "failed" && r.code, "rejected");
    assert.deepEqual(server.requests.map((r) => [r.path, r.status]), [["/v2/bot/message/multicast", 403]]);
    assert.equal(server.pushes.length, 0);
  });

  test("a group address gets a push to the groupId, broadcasts included", async () => {
    const group = groupId(1);
    const check = prompt("chk_group", { recipient: { kind: "group", id: "grp-1" }, address: group });
    const notice = message({ recipient: { kind: "group", id: "grp-1" }, address: group, kind: "broadcast", text: "地震情報", payload: { broadcastId: "b3" } });
    const other = message({ recipient: { kind: "group", id: "grp-2" }, address: groupId(2), kind: "broadcast", text: "地震情報", payload: { broadcastId: "b3" } });
    const results = await channel.send([check, notice, other], new Date());
    assert.deepEqual(results.map((r) => r.status), ["sent", "sent", "sent"]);
    assert.deepEqual(server.requests.map((r) => r.path), Array(3).fill("/v2/bot/message/push"), "multicast cannot reach groups: not even tried");
    assert.deepEqual(server.pushes.map((p) => p.body.to).sort(), [group, group, groupId(2)].sort());
    const flex = server.pushes.find((p) => p.body.messages[0].type === "flex");
    assert.ok(flex, "the group prompt has buttons");
    assert.deepEqual(postbacks(flex.body.messages[0]).map((p) => p.data), ["a=ok&c=chk_group", "a=need_contact&c=chk_group"]);
  });
});

describe("the local LINE API server", () => {
  test("answers like LINE: 400 with details for a malformed request, profiles, group members", async () => {
    const server = await startLineApiServer({ channelAccessToken: TOKEN });
    try {
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, {
        method: "POST", headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json", ...headers }, body: JSON.stringify(body),
      });
      const tooLong = await post("/v2/bot/message/push", {
        to: userId(1),
        messages: [{ type: "text", text: "x".repeat(5001) }, { type: "flex", altText: "a", contents: { type: "bubble", body: { type: "box", layout: "vertical", contents: [
          { type: "button", action: { type: "postback", label: "OK", data: "d".repeat(301) } },
        ] } } }, { type: "fax" }],
      });
      assert.equal(tooLong.status, 400);
      const body = await tooLong.json() as { message: string; details: { property: string }[] };
      assert.deepEqual(body.details.map((d) => d.property), ["messages[0].text", "messages[1].contents.body.contents[0].action.data", "messages[2].type"]);
      assert.equal((await post("/v2/bot/message/multicast", { to: [], messages: [{ type: "text", text: "x" }] })).status, 400);
      assert.equal((await post("/v2/bot/message/push", { to: userId(1), messages: [{ type: "text", text: "x" }] }, { "x-line-retry-key": "not-a-uuid" })).status, 400);
      assert.equal((await post("/v2/bot/message/reply", { replyToken: "r", messages: [{ type: "text", text: "hi" }] })).status, 200);
      assert.equal(server.replies.length, 1);
      assert.equal(server.pushes.length, 0);

      server.profiles.set(userId(1), { displayName: "山田" });
      server.groupMembers.set(groupId(1), new Map([[userId(2), { displayName: "佐藤" }]]));
      const get = (path: string) => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(((await (await get(`/v2/bot/profile/${userId(1)}`)).json()) as { displayName: string }).displayName, "山田");
      assert.equal((await get(`/v2/bot/profile/${userId(3)}`)).status, 404);
      assert.equal(((await (await get(`/v2/bot/group/${groupId(1)}/member/${userId(2)}`)).json()) as { displayName: string }).displayName, "佐藤");
      assert.equal((await get(`/v2/bot/group/${groupId(1)}/member/${userId(1)}`)).status, 404);
      assert.equal((await fetch(`${server.url}/v2/bot/profile/${userId(1)}`)).status, 401);
    } finally {
      await server.close();
    }
  });
});
