/**
 * A local stand-in for the LINE Messaging API, for tests: push, multicast, reply,
 * user profile and group member profile, on 127.0.0.1 with a random port.
 *
 * It answers the way LINE does: 401 for a wrong bearer token; 400 with
 * `{message, details:[{message, property}]}` for a malformed request (checked at
 * run time: ids, 1–5 messages, known message/component/action types, text ≤ 5000,
 * postback data ≤ 300, a UUID X-Line-Retry-Key); 409 with
 * x-line-accepted-request-id for a retry key it accepted before (recording
 * nothing); an x-line-request-id on every accepted request. What it records is
 * typed with the SDK's own request types, and the tables its checks use are typed
 * against the SDK's unions, so a new or renamed type there fails the typecheck.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { messagingApi } from "@line/bot-sdk";
import { readBody, sendJson } from "./http-server.ts";

export interface Recorded<T> {
  body: T;
  retryKey: string | undefined;
  requestId: string;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  retryKey: string | undefined;
}

export interface FailOptions {
  /** Retry-After, in seconds (LINE sends none itself; proxies and gateways may). */
  retryAfter?: number;
  /** The error message in the body (e.g. "You have reached your monthly limit."). */
  message?: string;
}

export interface LineApiServer {
  url: string;
  pushes: Recorded<messagingApi.PushMessageRequest>[];
  multicasts: Recorded<messagingApi.MulticastRequest>[];
  replies: Recorded<messagingApi.ReplyMessageRequest>[];
  /** Every request, accepted or not, in arrival order. */
  requests: LoggedRequest[];
  /** The next `count` message requests (push, multicast, reply) answer `status`. */
  failNext(count: number, status: number, opts?: FailOptions): void;
  /** User ids LINE does not know (or that blocked the account): pushes to them answer 400. */
  unknownUsers: Set<string>;
  profiles: Map<string, { displayName: string }>;
  /** groupId → userId → profile. */
  groupMembers: Map<string, Map<string, { displayName: string }>>;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Tables typed against the SDK: exhaustive over its unions, and each listed
// field must be a required field of that SDK type.

type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type MessageType = messagingApi.Message["type"];
type RequiredFields<U extends { type: string }> = { [T in U["type"]]: readonly Exclude<RequiredKeys<Extract<U, { type: T }>>, "type">[] };

const MESSAGE_FIELDS: RequiredFields<messagingApi.Message> = {
  text: ["text"],
  textV2: ["text"],
  sticker: ["packageId", "stickerId"],
  image: ["originalContentUrl", "previewImageUrl"],
  video: ["originalContentUrl", "previewImageUrl"],
  audio: ["originalContentUrl", "duration"],
  location: ["title", "address", "latitude", "longitude"],
  imagemap: ["baseUrl", "altText", "baseSize", "actions"],
  template: ["altText", "template"],
  flex: ["altText", "contents"],
  coupon: ["couponId"],
};

const COMPONENT_FIELDS: RequiredFields<messagingApi.FlexComponent> = {
  box: ["layout", "contents"],
  button: ["action"],
  filler: [],
  icon: ["url"],
  image: ["url"],
  separator: [],
  span: [],
  text: [],
  video: ["url", "previewUrl", "altContent"],
};

const ACTION_TYPES: Record<NonNullable<messagingApi.Action["type"]>, true> = {
  camera: true,
  cameraRoll: true,
  clipboard: true,
  datetimepicker: true,
  location: true,
  message: true,
  postback: true,
  richmenuswitch: true,
  uri: true,
};

const BOX_LAYOUTS: Record<messagingApi.FlexBox.LayoutEnum, true> = { horizontal: true, vertical: true, baseline: true };
const BUTTON_STYLES: Record<messagingApi.FlexButton.StyleEnum, true> = { primary: true, secondary: true, link: true };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USER_ID = /^U[0-9a-f]{32}$/;
const PUSH_TARGET = /^[UCR][0-9a-f]{32}$/;

// ---------------------------------------------------------------------------
// Request checks, collecting LINE-style details.

interface Detail {
  message: string;
  property: string;
}

class Checker {
  readonly details: Detail[] = [];
  problem(property: string, message: string): void {
    this.details.push({ property, message });
  }
  isObject(value: unknown, property: string): value is Record<string, unknown> {
    if (value && typeof value === "object" && !Array.isArray(value)) return true;
    this.problem(property, value === undefined ? "Must not be null" : "Must be an object");
    return false;
  }
  string(value: unknown, property: string, max: number, min = 1): value is string {
    if (typeof value !== "string") {
      this.problem(property, value === undefined ? "Must not be null" : "Must be a string");
      return false;
    }
    if (value.length < min || value.length > max) {
      this.problem(property, `Length must be between ${min} and ${max}`);
      return false;
    }
    return true;
  }
}

function checkMessages(c: Checker, messages: unknown, property = "messages"): void {
  if (!Array.isArray(messages)) {
    c.problem(property, messages === undefined ? "Must not be null" : "Must be an array");
    return;
  }
  if (messages.length < 1 || messages.length > 5) c.problem(property, "Size must be between 1 and 5");
  for (const [i, m] of messages.entries()) checkMessage(c, m, `${property}[${i}]`);
}

function checkMessage(c: Checker, m: unknown, at: string): void {
  if (!c.isObject(m, at)) return;
  const type = m.type;
  if (typeof type !== "string" || !Object.hasOwn(MESSAGE_FIELDS, type)) {
    c.problem(`${at}.type`, `Must be one of the following values: [${Object.keys(MESSAGE_FIELDS).join(", ")}]`);
    return;
  }
  for (const field of MESSAGE_FIELDS[type as MessageType]) {
    if (m[field] === undefined || m[field] === null) c.problem(`${at}.${field}`, "Must not be null");
  }
  if (type === "text" || type === "textV2") c.string(m.text, `${at}.text`, 5000);
  if (type === "flex" || type === "template" || type === "imagemap") c.string(m.altText, `${at}.altText`, 1500);
  if (type === "flex") checkContainer(c, m.contents, `${at}.contents`);
  if (m.quickReply !== undefined && c.isObject(m.quickReply, `${at}.quickReply`)) {
    const items = m.quickReply.items;
    if (!Array.isArray(items) || items.length > 13) c.problem(`${at}.quickReply.items`, "Size must be between 0 and 13");
    else for (const [i, item] of items.entries()) {
      if (!c.isObject(item, `${at}.quickReply.items[${i}]`)) continue;
      if (item.type !== "action") c.problem(`${at}.quickReply.items[${i}].type`, "Must be action");
      checkAction(c, item.action, `${at}.quickReply.items[${i}].action`, 20, true);
    }
  }
}

function checkContainer(c: Checker, container: unknown, at: string): void {
  if (!c.isObject(container, at)) return;
  if (container.type === "carousel") {
    const bubbles = container.contents;
    if (!Array.isArray(bubbles) || bubbles.length < 1 || bubbles.length > 12) c.problem(`${at}.contents`, "Size must be between 1 and 12");
    else for (const [i, b] of bubbles.entries()) checkBubble(c, b, `${at}.contents[${i}]`);
  } else if (container.type === "bubble") {
    checkBubble(c, container, at);
  } else {
    c.problem(`${at}.type`, "Must be one of the following values: [bubble, carousel]");
  }
}

function checkBubble(c: Checker, bubble: unknown, at: string): void {
  if (!c.isObject(bubble, at)) return;
  if (bubble.type !== "bubble") c.problem(`${at}.type`, "Must be bubble");
  for (const block of ["header", "body", "footer"] as const) {
    const box = bubble[block];
    if (box === undefined) continue;
    if (c.isObject(box, `${at}.${block}`) && box.type !== "box") c.problem(`${at}.${block}.type`, "Must be box");
    checkComponent(c, box, `${at}.${block}`);
  }
  if (bubble.hero !== undefined) checkComponent(c, bubble.hero, `${at}.hero`);
  if (bubble.action !== undefined) checkAction(c, bubble.action, `${at}.action`, 40);
}

function checkComponent(c: Checker, component: unknown, at: string): void {
  if (!c.isObject(component, at)) return;
  const type = component.type;
  if (typeof type !== "string" || !Object.hasOwn(COMPONENT_FIELDS, type)) {
    c.problem(`${at}.type`, `Must be one of the following values: [${Object.keys(COMPONENT_FIELDS).join(", ")}]`);
    return;
  }
  for (const field of COMPONENT_FIELDS[type as messagingApi.FlexComponent["type"]]) {
    if (component[field] === undefined || component[field] === null) c.problem(`${at}.${field}`, "Must not be null");
  }
  switch (type) {
    case "box": {
      if (typeof component.layout !== "string" || !Object.hasOwn(BOX_LAYOUTS, component.layout)) {
        c.problem(`${at}.layout`, `Must be one of the following values: [${Object.keys(BOX_LAYOUTS).join(", ")}]`);
      }
      if (!Array.isArray(component.contents)) c.problem(`${at}.contents`, "Must be an array");
      else for (const [i, child] of component.contents.entries()) checkComponent(c, child, `${at}.contents[${i}]`);
      break;
    }
    case "text": {
      if (component.contents === undefined) c.string(component.text, `${at}.text`, 5000);
      else if (!Array.isArray(component.contents)) c.problem(`${at}.contents`, "Must be an array");
      break;
    }
    case "button": {
      if (component.style !== undefined && (typeof component.style !== "string" || !Object.hasOwn(BUTTON_STYLES, component.style))) {
        c.problem(`${at}.style`, `Must be one of the following values: [${Object.keys(BUTTON_STYLES).join(", ")}]`);
      }
      checkAction(c, component.action, `${at}.action`, 40, true);
      break;
    }
  }
  if (type !== "button" && component.action !== undefined) checkAction(c, component.action, `${at}.action`, 40);
}

function checkAction(c: Checker, action: unknown, at: string, maxLabel: number, labelRequired = false): void {
  if (!c.isObject(action, at)) return;
  if (typeof action.type !== "string" || !Object.hasOwn(ACTION_TYPES, action.type)) {
    c.problem(`${at}.type`, `Must be one of the following values: [${Object.keys(ACTION_TYPES).join(", ")}]`);
    return;
  }
  if (labelRequired || action.label !== undefined) c.string(action.label, `${at}.label`, maxLabel);
  if (action.type === "postback") {
    c.string(action.data, `${at}.data`, 300);
    if (action.displayText !== undefined) c.string(action.displayText, `${at}.displayText`, 300);
    if (action.text !== undefined) c.string(action.text, `${at}.text`, 300);
  }
  if (action.type === "message") c.string(action.text, `${at}.text`, 300);
  if (action.type === "uri") c.string(action.uri, `${at}.uri`, 1000);
}

// ---------------------------------------------------------------------------

const MESSAGE_PATHS = new Set(["/v2/bot/message/push", "/v2/bot/message/multicast", "/v2/bot/message/reply"]);

export async function startLineApiServer(options: { channelAccessToken: string }): Promise<LineApiServer> {
  const pushes: Recorded<messagingApi.PushMessageRequest>[] = [];
  const multicasts: Recorded<messagingApi.MulticastRequest>[] = [];
  const replies: Recorded<messagingApi.ReplyMessageRequest>[] = [];
  const requests: LoggedRequest[] = [];
  const unknownUsers = new Set<string>();
  const profiles = new Map<string, { displayName: string }>();
  const groupMembers = new Map<string, Map<string, { displayName: string }>>();
  /** Retry keys accepted, with the request that accepted them. */
  const accepted = new Map<string, { requestId: string; sentMessages: messagingApi.SentMessage[] }>();
  let failing: { count: number; status: number; opts: FailOptions } = { count: 0, status: 500, opts: {} };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) sendJson(res, 500, { message: `test server error: ${(error as Error).message}` });
    });
  });

  const sentMessages = (body: { messages: unknown[] }): messagingApi.SentMessage[] =>
    body.messages.map(() => ({ id: String(Math.floor(Math.random() * 1e18)), quoteToken: randomUUID() }));

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const retryHeader = req.headers["x-line-retry-key"];
    const retryKey = Array.isArray(retryHeader) ? retryHeader[0] : retryHeader;
    const raw = await readBody(req, 2 * 1024 * 1024);
    const log: LoggedRequest = { method: req.method ?? "GET", path: url.pathname, status: 0, retryKey };
    requests.push(log);
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      sendJson(res, status, body, headers);
    };
    const requestId = randomUUID();

    if (req.headers.authorization !== `Bearer ${options.channelAccessToken}`) {
      reply(401, { message: "Authentication failed. Confirm that the access token in the authorization header is valid." });
      return;
    }

    if (req.method === "GET") {
      const profile = url.pathname.match(/^\/v2\/bot\/profile\/([^/]+)$/);
      if (profile) {
        const userId = decodeURIComponent(profile[1]);
        const found = unknownUsers.has(userId) ? undefined : profiles.get(userId);
        if (!found) return reply(404, { message: "Not found" });
        const body: messagingApi.UserProfileResponse = { displayName: found.displayName, userId, language: "ja" };
        return reply(200, body, { "x-line-request-id": requestId });
      }
      const member = url.pathname.match(/^\/v2\/bot\/group\/([^/]+)\/member\/([^/]+)$/);
      if (member) {
        const userId = decodeURIComponent(member[2]);
        const found = groupMembers.get(decodeURIComponent(member[1]))?.get(userId);
        if (!found) return reply(404, { message: "Not found" });
        const body: messagingApi.GroupUserProfileResponse = { displayName: found.displayName, userId };
        return reply(200, body, { "x-line-request-id": requestId });
      }
      return reply(404, { message: "Not found" });
    }

    if (req.method !== "POST" || !MESSAGE_PATHS.has(url.pathname)) return reply(404, { message: "Not found" });

    if (failing.count > 0) {
      failing.count--;
      const headers: Record<string, string> = {};
      if (failing.opts.retryAfter !== undefined) headers["retry-after"] = String(failing.opts.retryAfter);
      const message = failing.opts.message ?? (failing.status === 429 ? "Too Many Requests" : failing.status >= 500 ? "Internal Server Error" : "Error");
      return reply(failing.status, { message }, headers);
    }

    // The reply API has no retry key (a reply token is single-use anyway).
    const keyed = retryKey !== undefined && url.pathname !== "/v2/bot/message/reply";
    if (keyed) {
      if (!UUID.test(retryKey)) return reply(400, { message: "The value for the 'X-Line-Retry-Key' header is invalid" });
      const before = accepted.get(retryKey);
      if (before) {
        return reply(409, { message: "The retry key is already accepted", sentMessages: before.sentMessages },
          { "x-line-accepted-request-id": before.requestId, "x-line-request-id": requestId });
      }
    }

    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return reply(400, { message: "The request body has 1 error(s)", details: [{ message: "Invalid JSON", property: "" }] });
    }
    const c = new Checker();
    if (!c.isObject(body, "")) return reply(400, { message: "The request body has 1 error(s)", details: c.details });

    const accept = (sent: messagingApi.SentMessage[] | undefined, response: unknown) => {
      if (keyed && retryKey) accepted.set(retryKey, { requestId, sentMessages: sent ?? [] });
      reply(200, response, { "x-line-request-id": requestId });
    };
    const rejectDetails = () => reply(400, { message: `The request body has ${c.details.length} error(s)`, details: c.details });

    if (url.pathname === "/v2/bot/message/push") {
      if (typeof body.to !== "string") c.problem("to", body.to === undefined ? "Must not be null" : "Must be a string");
      checkMessages(c, body.messages);
      if (c.details.length) return rejectDetails();
      const request = body as unknown as messagingApi.PushMessageRequest;
      if (!PUSH_TARGET.test(request.to) || unknownUsers.has(request.to)) {
        return reply(400, { message: "The property, 'to', in the request body is invalid" });
      }
      const sent = sentMessages(request);
      pushes.push({ body: request, retryKey, requestId });
      const response: messagingApi.PushMessageResponse = { sentMessages: sent };
      return accept(sent, response);
    }

    if (url.pathname === "/v2/bot/message/multicast") {
      if (!Array.isArray(body.to)) c.problem("to", body.to === undefined ? "Must not be null" : "Must be an array");
      else {
        if (body.to.length < 1 || body.to.length > 500) c.problem("to", "Size must be between 1 and 500");
        for (const [i, to] of body.to.entries()) if (typeof to !== "string") c.problem(`to[${i}]`, "Must be a string");
      }
      checkMessages(c, body.messages);
      if (c.details.length) return rejectDetails();
      const request = body as unknown as messagingApi.MulticastRequest;
      const bad = request.to.findIndex((to) => !USER_ID.test(to) || unknownUsers.has(to));
      if (bad >= 0) return reply(400, { message: `The property, 'to[${bad}]', in the request body is invalid` });
      multicasts.push({ body: request, retryKey, requestId });
      return accept(undefined, {});
    }

    // reply
    c.string(body.replyToken, "replyToken", 1000);
    checkMessages(c, body.messages);
    if (c.details.length) return rejectDetails();
    const request = body as unknown as messagingApi.ReplyMessageRequest;
    const sent = sentMessages(request);
    replies.push({ body: request, retryKey, requestId });
    const response: messagingApi.ReplyMessageResponse = { sentMessages: sent };
    return accept(sent, response);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    pushes,
    multicasts,
    replies,
    requests,
    failNext(count, status, opts = {}) {
      failing = { count, status, opts };
    },
    unknownUsers,
    profiles,
    groupMembers,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}
