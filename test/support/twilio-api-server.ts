/**
 * A local stand-in for Twilio, for tests and benchmarks, on 127.0.0.1 with a
 * random port. It has two halves:
 *
 * - the REST API the official `twilio` SDK talks to (Calls and Messages of the
 *   2010-04-01 API: create, fetch, update, list in one page), with HTTP Basic auth per account,
 *   Twilio's error JSON and codes, fault injection, and a record of every call
 *   and message with the time it arrived (so a benchmark can measure calls per
 *   second per account);
 * - the other direction: driving a call or a message the way Twilio would, by
 *   making real HTTP requests to the service's webhooks, form-encoded and signed
 *   with `X-Twilio-Signature` computed by the SDK's own function. Answering
 *   fetches the call's TwiML, pressing digits posts to the Gather's action,
 *   silence does what a timed-out Gather does, finishing posts the status
 *   callback.
 *
 * TwiML is parsed with a small strict XML parser (no dependency): an unescaped
 * `&` in an action URL, a mismatched tag or a root other than <Response> fails the
 * test, because Twilio would refuse such a document too (error 12100).
 *
 * Point the SDK here with `twilioClientFor(server.url, sid, token)` from
 * ./twilio-client.ts.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import twilio from "twilio";
import { readBody, sendJson } from "./http-server.ts";

// ---------------------------------------------------------------------------
// Records

export type CallStatus = "queued" | "initiated" | "ringing" | "in-progress" | "completed" | "busy" | "no-answer" | "failed" | "canceled";
export type FinalCallStatus = "completed" | "busy" | "no-answer" | "failed" | "canceled";
/** AnsweredBy values of answering machine detection (Enable gives the first four, DetectMessageEnd the machine_end_* ones). */
export type AnsweredBy = "human" | "machine_start" | "fax" | "unknown" | "machine_end_beep" | "machine_end_silence" | "machine_end_other";
export type MessageStatus = "queued" | "accepted" | "sending" | "sent" | "delivered" | "undelivered" | "failed" | "read";

export interface CallRecord {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  /** The TwiML URL (`Url`), when the call was created with one. */
  url: string | undefined;
  /** `Method` for `url`: GET or POST (default POST). */
  method: "GET" | "POST";
  /** Inline TwiML (`Twiml`), when the call was created with it. */
  twiml: string | undefined;
  statusCallback: string | undefined;
  statusCallbackMethod: "GET" | "POST";
  /** `StatusCallbackEvent` values (the SDK repeats the parameter); empty means only "completed". */
  statusCallbackEvents: string[];
  /** `MachineDetection`: "Enable" or "DetectMessageEnd". */
  machineDetection: string | undefined;
  asyncAmd: boolean;
  asyncAmdStatusCallback: string | undefined;
  /** `Timeout` (ring time, seconds), default 60. */
  timeout: number;
  /** Every parameter as received (the last value of a repeated one). */
  params: Record<string, string>;
  /** Wall-clock time (ms since epoch) the create request arrived. */
  receivedAt: number;
  status: CallStatus;
  answeredBy: AnsweredBy | undefined;
  answeredAt: number | undefined;
  endedAt: number | undefined;
  /** Every TwiML document fetched for this call, in order. */
  documents: Twiml[];
  /** Updates posted to Calls/{sid}.json (e.g. Status=completed to hang up). */
  updates: Record<string, string>[];
}

export interface MessageRecord {
  sid: string;
  accountSid: string;
  to: string;
  /** `From`, or the pool number Twilio picked when only `MessagingServiceSid` was given. */
  from: string;
  body: string;
  mediaUrls: string[];
  messagingServiceSid: string | undefined;
  statusCallback: string | undefined;
  params: Record<string, string>;
  receivedAt: number;
  status: MessageStatus;
  errorCode: number | undefined;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  /** Twilio error code, when the answer was an error. */
  code: number | undefined;
  accountSid: string | undefined;
  receivedAt: number;
}

/** What a webhook answered. */
export interface WebhookResponse {
  status: number;
  body: string;
  headers: Headers;
}

// ---------------------------------------------------------------------------
// TwiML

interface VerbBase {
  /** The element's attributes as written. */
  attributes: Record<string, string>;
}
export interface Say extends VerbBase {
  verb: "Say";
  /** Text content, SSML tags removed, trimmed. */
  text: string;
  language: string | undefined;
  voice: string | undefined;
  loop: number;
}
export interface Play extends VerbBase {
  verb: "Play";
  url: string;
  loop: number;
  digits: string | undefined;
}
export interface Pause extends VerbBase {
  verb: "Pause";
  length: number;
}
export interface Gather extends VerbBase {
  verb: "Gather";
  /** As written (relative URLs are resolved against the document URL when used); undefined means the document URL. */
  action: string | undefined;
  method: "GET" | "POST";
  timeout: number;
  numDigits: number | undefined;
  finishOnKey: string;
  actionOnEmptyResult: boolean;
  input: string;
  language: string | undefined;
  /** Nested Say, Play and Pause, played while waiting. */
  children: Verb[];
}
export interface Redirect extends VerbBase {
  verb: "Redirect";
  url: string;
  method: "GET" | "POST";
}
export interface Hangup extends VerbBase {
  verb: "Hangup";
}
export interface Reject extends VerbBase {
  verb: "Reject";
  reason: string | undefined;
}
/** Any other verb (Dial, Record, Connect…), kept as XML. */
export interface OtherVerb extends VerbBase {
  verb: "Other";
  name: string;
  element: XmlElement;
}
export type Verb = Say | Play | Pause | Gather | Redirect | Hangup | Reject | OtherVerb;

/** A parsed TwiML document and the URL it was fetched from ("" for inline TwiML). */
export interface Twiml {
  url: string;
  verbs: Verb[];
}

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlNode[];
}
export type XmlNode = XmlElement | string;

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(text: string, at: number): string {
  if (!text.includes("&")) return text;
  return text.replace(/&([^;&\s]*);?/g, (whole, name: string) => {
    if (whole.endsWith(";")) {
      if (Object.hasOwn(ENTITIES, name)) return ENTITIES[name];
      const numeric = name.match(/^#(?:x([0-9a-fA-F]+)|([0-9]+))$/);
      if (numeric) return String.fromCodePoint(numeric[1] ? Number.parseInt(numeric[1], 16) : Number(numeric[2]));
    }
    throw new Error(`XML: unescaped "&" or unknown entity "${whole}" near offset ${at} (write &amp;)`);
  });
}

/**
 * A small, strict XML parser: elements, attributes, text, CDATA, comments, the
 * five predefined entities and numeric references. Enough for TwiML; it throws on
 * anything malformed, as Twilio's parser would.
 */
export function parseXml(xml: string): XmlElement {
  let i = 0;
  const fail = (message: string): never => {
    throw new Error(`XML: ${message} at offset ${i}: ${JSON.stringify(xml.slice(Math.max(0, i - 20), i + 40))}`);
  };
  const skipMisc = () => {
    for (;;) {
      while (i < xml.length && /\s/.test(xml[i])) i++;
      if (xml.startsWith("<?", i)) {
        const end = xml.indexOf("?>", i);
        if (end < 0) fail("unterminated processing instruction");
        i = end + 2;
      } else if (xml.startsWith("<!--", i)) {
        const end = xml.indexOf("-->", i);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
      } else if (xml.startsWith("<!DOCTYPE", i)) {
        fail("DOCTYPE is not allowed");
      } else return;
    }
  };
  const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
  const readName = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(xml);
    if (!m) return fail("expected a name");
    i = NAME.lastIndex;
    return m[0];
  };
  const element = (): XmlElement => {
    if (xml[i] !== "<") fail("expected an element");
    i++;
    const name = readName();
    const attributes: Record<string, string> = {};
    for (;;) {
      const before = i;
      while (i < xml.length && /\s/.test(xml[i])) i++;
      if (xml.startsWith("/>", i)) {
        i += 2;
        return { name, attributes, children: [] };
      }
      if (xml[i] === ">") {
        i++;
        break;
      }
      if (i === before) fail("expected whitespace between attributes");
      const attr = readName();
      while (/\s/.test(xml[i] ?? "")) i++;
      if (xml[i] !== "=") fail(`expected = after attribute ${attr}`);
      i++;
      while (/\s/.test(xml[i] ?? "")) i++;
      const quote = xml[i];
      if (quote !== '"' && quote !== "'") fail("expected a quoted attribute value");
      const end = xml.indexOf(quote, i + 1);
      if (end < 0) fail("unterminated attribute value");
      const raw = xml.slice(i + 1, end);
      if (raw.includes("<")) fail(`"<" in the value of attribute ${attr}`);
      if (Object.hasOwn(attributes, attr)) fail(`duplicate attribute ${attr}`);
      attributes[attr] = decodeEntities(raw, i);
      i = end + 1;
    }
    const children: XmlNode[] = [];
    for (;;) {
      if (i >= xml.length) fail(`unclosed <${name}>`);
      if (xml.startsWith("</", i)) {
        i += 2;
        const closing = readName();
        if (closing !== name) fail(`</${closing}> closes <${name}>`);
        while (/\s/.test(xml[i] ?? "")) i++;
        if (xml[i] !== ">") fail("expected >");
        i++;
        return { name, attributes, children };
      }
      if (xml.startsWith("<!--", i)) {
        const end = xml.indexOf("-->", i);
        if (end < 0) fail("unterminated comment");
        i = end + 3;
      } else if (xml.startsWith("<![CDATA[", i)) {
        const end = xml.indexOf("]]>", i);
        if (end < 0) fail("unterminated CDATA");
        children.push(xml.slice(i + 9, end));
        i = end + 3;
      } else if (xml.startsWith("<?", i)) {
        const end = xml.indexOf("?>", i);
        if (end < 0) fail("unterminated processing instruction");
        i = end + 2;
      } else if (xml[i] === "<") {
        children.push(element());
      } else {
        const end = xml.indexOf("<", i);
        const stop = end < 0 ? xml.length : end;
        children.push(decodeEntities(xml.slice(i, stop), i));
        i = stop;
      }
    }
  };
  if (xml.charCodeAt(0) === 0xfeff) i = 1;
  skipMisc();
  const root = element();
  skipMisc();
  if (i < xml.length) fail("content after the root element");
  return root;
}

/** All text inside a node, tags removed. */
export function textContent(node: XmlNode): string {
  return typeof node === "string" ? node : node.children.map(textContent).join("");
}

const method = (value: string | undefined, what: string): "GET" | "POST" => {
  const m = (value ?? "POST").toUpperCase();
  if (m !== "GET" && m !== "POST") throw new Error(`TwiML: ${what} method must be GET or POST, got ${value}`);
  return m;
};
const number = (value: string | undefined, fallback: number, what: string): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) throw new Error(`TwiML: ${what} must be a number, got ${JSON.stringify(value)}`);
  return n;
};

function toVerb(el: XmlElement, inGather: boolean): Verb {
  const a = el.attributes;
  const base = { attributes: a };
  if (inGather && !["Say", "Play", "Pause"].includes(el.name)) throw new Error(`TwiML: <${el.name}> cannot be nested in <Gather>`);
  switch (el.name) {
    case "Say":
      return { ...base, verb: "Say", text: textContent(el).trim(), language: a.language, voice: a.voice, loop: number(a.loop, 1, "Say loop") };
    case "Play":
      return { ...base, verb: "Play", url: textContent(el).trim(), loop: number(a.loop, 1, "Play loop"), digits: a.digits };
    case "Pause":
      return { ...base, verb: "Pause", length: number(a.length, 1, "Pause length") };
    case "Gather":
      return {
        ...base,
        verb: "Gather",
        action: a.action,
        method: method(a.method, "Gather"),
        timeout: number(a.timeout, 5, "Gather timeout"),
        numDigits: a.numDigits === undefined ? undefined : number(a.numDigits, 0, "Gather numDigits"),
        finishOnKey: a.finishOnKey ?? "#",
        actionOnEmptyResult: a.actionOnEmptyResult === "true",
        input: a.input ?? "dtmf",
        language: a.language,
        children: elements(el, "Gather").map((child) => toVerb(child, true)),
      };
    case "Redirect": {
      const url = textContent(el).trim();
      if (!url) throw new Error("TwiML: <Redirect> without a URL");
      return { ...base, verb: "Redirect", url, method: method(a.method, "Redirect") };
    }
    case "Hangup":
      return { ...base, verb: "Hangup" };
    case "Reject":
      return { ...base, verb: "Reject", reason: a.reason };
    default:
      return { ...base, verb: "Other", name: el.name, element: el };
  }
}

/** Child elements; text other than whitespace is an error (Twilio refuses it). */
function elements(el: XmlElement, where: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const child of el.children) {
    if (typeof child !== "string") out.push(child);
    else if (child.trim()) throw new Error(`TwiML: stray text ${JSON.stringify(child.trim().slice(0, 40))} in <${where}>`);
  }
  return out;
}

/** Parse a TwiML document; `url` is where it came from (for resolving relative URLs). */
export function parseTwiml(xml: string, url = ""): Twiml {
  const root = parseXml(xml);
  if (root.name !== "Response") throw new Error(`TwiML: the root element must be <Response>, got <${root.name}>`);
  return { url, verbs: elements(root, "Response").map((el) => toVerb(el, false)) };
}

/** Every Say text in the document, those inside a Gather included, one per line. */
export function spokenText(twiml: Twiml | Verb[]): string {
  const texts: string[] = [];
  const walk = (verbs: Verb[]) => {
    for (const v of verbs) {
      if (v.verb === "Say") texts.push(v.text);
      else if (v.verb === "Gather") walk(v.children);
    }
  };
  walk(Array.isArray(twiml) ? twiml : twiml.verbs);
  return texts.join("\n");
}

/** The first verb of that kind at the top level of the document. */
export function findVerb<K extends Verb["verb"]>(twiml: Twiml, verb: K): Extract<Verb, { verb: K }> | undefined {
  return twiml.verbs.find((v) => v.verb === verb) as Extract<Verb, { verb: K }> | undefined;
}

function resolveUrl(ref: string, base: string): string {
  try {
    return new URL(ref, base || undefined).href;
  } catch {
    throw new Error(`TwiML: cannot resolve URL ${JSON.stringify(ref)} against ${JSON.stringify(base)} (inline TwiML needs absolute URLs)`);
  }
}

// ---------------------------------------------------------------------------
// Helpers

/** The largest number of records received within any `windowMs` window (records in arrival order). */
export function peakRate(records: readonly { receivedAt: number }[], windowMs = 1000): number {
  let best = 0;
  let start = 0;
  for (let end = 0; end < records.length; end++) {
    while (records[end].receivedAt - records[start].receivedAt >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Twilio's timestamp format (RFC 2822), e.g. "Tue, 31 Aug 2010 20:36:28 +0000". */
export const rfc2822 = (ms: number): string => new Date(ms).toUTCString().replace("GMT", "+0000");

const sid = (prefix: string) => prefix + randomBytes(16).toString("hex");

const ERROR_MESSAGES: Record<number, string> = {
  400: "Bad Request",
  401: "Authenticate",
  404: "The requested resource was not found",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
};
const DEFAULT_CODES: Record<number, number> = { 401: 20003, 404: 20404, 429: 20429, 500: 20500, 503: 20503 };

/** Twilio's error body: {code, message, more_info, status}. */
export const twilioError = (status: number, code: number, message: string) => ({
  code,
  message,
  more_info: `https://www.twilio.com/docs/errors/${code}`,
  status,
});

const PHONE = /^\+[1-9][0-9]{1,14}$/;
const isAddress = (value: string) => PHONE.test(value) || /^(client|sip):\S+$/.test(value);
const isHttpUrl = (value: string) => {
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
};

/** GSM-7 basic set (approximation): anything else makes the SMS UCS-2. */
const GSM = /^[A-Za-z0-9 \r\n@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~\]|€]*$/;
function segments(body: string): number {
  if (GSM.test(body)) return body.length <= 160 ? 1 : Math.ceil(body.length / 153);
  return body.length <= 70 ? 1 : Math.ceil(body.length / 67);
}

// ---------------------------------------------------------------------------
// The server

export interface FailOptions {
  message?: string;
  /** Retry-After header, in seconds. */
  retryAfter?: number;
}

export interface TwilioApiServerOptions {
  /** accountSid → authToken (more can be added with addAccount). */
  accounts?: Record<string, string>;
  /** Numbers whose call or message is refused with 400 / 21211 "invalid 'To' phone number". */
  rejectNumbers?: Set<string>;
  /**
   * What happens after a call is created. Off ("none", the default): nothing —
   * a benchmark needs only the records. A function runs after the 201 is sent
   * (e.g. `(call, s) => s.answer(call.sid)`); its failures go to `errors`.
   */
  autoAnswer?: "none" | ((call: CallRecord, server: TwilioApiServer) => unknown);
  /** Same for messages (e.g. `(m, s) => s.messageStatus(m.sid, "delivered")`). */
  autoDeliver?: "none" | ((message: MessageRecord, server: TwilioApiServer) => unknown);
  /** How long a webhook may take before the request is abandoned (Twilio waits 15 s). */
  webhookTimeoutMs?: number;
  /** The number Twilio picks from a messaging service's pool when no From is given. */
  serviceNumber?: string;
}

export interface TwilioApiServer {
  /** Base URL, to use instead of https://api.twilio.com. */
  url: string;
  addAccount(accountSid: string, authToken: string): void;
  /** Every call created, all accounts, in arrival order. */
  calls: CallRecord[];
  messages: MessageRecord[];
  /** Calls / messages of one account, in arrival order. */
  callsOf(accountSid: string): CallRecord[];
  messagesOf(accountSid: string): MessageRecord[];
  /** One call or message by sid (throws if unknown). */
  call(callSid: string): CallRecord;
  message(messageSid: string): MessageRecord;
  /** Every API request, accepted or not. */
  requests: LoggedRequest[];
  /** Failures of autoAnswer / autoDeliver callbacks. */
  errors: unknown[];
  rejectNumbers: Set<string>;
  /** The next `count` API requests (with valid auth) answer `status` with Twilio's error JSON. */
  failNext(count: number, status: number, code?: number, opts?: FailOptions): void;
  /** Resolves when every autoAnswer / autoDeliver task started so far has settled. */
  idle(): Promise<void>;

  /**
   * The callee picks up: fetch the call's TwiML (Url, with CallStatus=in-progress;
   * AnsweredBy when MachineDetection was requested, posted to AsyncAmdStatusCallback
   * instead with AsyncAmd=true). Redirects reached before any Gather are followed;
   * returns the document where the call rests (waiting at a Gather, or at its end).
   */
  answer(callSid: string, opts?: { answeredBy?: AnsweredBy }): Promise<Twiml>;
  /** Key in digits at the waiting Gather: post Digits to its action and return the next TwiML. */
  press(callSid: string, digits: string): Promise<Twiml>;
  /**
   * The caller keys digits and hangs up at once, and the final `completed` status
   * callback reaches the app before the <Gather> action with the digits (the two
   * requests race on the network). Returns the action's TwiML.
   */
  pressAfterHangUp(callSid: string, digits: string): Promise<Twiml>;
  /**
   * The waiting Gather times out: with actionOnEmptyResult="true" post to its action
   * without Digits; else go on with the verbs after it, following a Redirect. When no
   * new document is fetched, returns the rest of the document (what is played before
   * Twilio hangs up), with the same url.
   */
  silence(callSid: string): Promise<Twiml>;
  /** Post a progress status callback (initiated, ringing, answered) if the call subscribed to it; null otherwise. */
  progress(callSid: string, event: "initiated" | "ringing" | "answered"): Promise<WebhookResponse | null>;
  /** The call ends: post StatusCallback with the final CallStatus (+ CallDuration, AnsweredBy); null if none configured. */
  finish(callSid: string, status: FinalCallStatus, extra?: Record<string, string>): Promise<WebhookResponse | null>;
  hangUp(callSid: string, status?: FinalCallStatus): Promise<WebhookResponse | null>;
  /** Post the message's StatusCallback (MessageStatus, SmsStatus, ErrorCode…); null if none configured. */
  messageStatus(messageSid: string, status: MessageStatus, errorCode?: number): Promise<WebhookResponse | null>;

  /** POST form params to a URL, signed with the account's auth token, as Twilio does. */
  signedPost(accountSid: string, url: string, params: Record<string, string>): Promise<WebhookResponse>;
  /** The same without X-Twilio-Signature, for tests that check refusal. */
  postUnsigned(url: string, params: Record<string, string>): Promise<WebhookResponse>;
  /** The same with a given (e.g. wrong) signature. */
  postWithSignature(url: string, params: Record<string, string>, signature: string): Promise<WebhookResponse>;
  close(): Promise<void>;
}

interface Account {
  sid: string;
  authToken: string;
  calls: CallRecord[];
  messages: MessageRecord[];
}

/** Where a driven call stands in its current document. */
interface CallState {
  doc: Twiml | undefined;
  /** Index in doc.verbs of the Gather waiting for input, or -1. */
  waitingAt: number;
  /** The document ended or hung up (Twilio hangs up); finish() still posts the callback. */
  over: boolean;
  /** finish() has run. */
  finished: boolean;
  sequence: number;
}

const API = /^\/2010-04-01\/Accounts\/([^/]+)\/(Calls|Messages)(?:\/([^/]+))?\.json$/;
const CALL_EVENTS = new Set(["initiated", "ringing", "answered", "completed"]);
const MACHINE_DETECTION = new Set(["Enable", "DetectMessageEnd"]);

export async function startTwilioApiServer(options: TwilioApiServerOptions = {}): Promise<TwilioApiServer> {
  const accounts = new Map<string, Account>();
  const calls: CallRecord[] = [];
  const messages: MessageRecord[] = [];
  const callsBySid = new Map<string, CallRecord>();
  const messagesBySid = new Map<string, MessageRecord>();
  const states = new Map<string, CallState>();
  const requests: LoggedRequest[] = [];
  const errors: unknown[] = [];
  const tasks = new Set<Promise<unknown>>();
  const rejectNumbers = options.rejectNumbers ?? new Set<string>();
  const webhookTimeoutMs = options.webhookTimeoutMs ?? 15_000;
  let failing = { count: 0, status: 500, code: 20500, opts: {} as FailOptions };

  const addAccount = (accountSid: string, authToken: string) => {
    const existing = accounts.get(accountSid);
    if (existing) existing.authToken = authToken;
    else accounts.set(accountSid, { sid: accountSid, authToken, calls: [], messages: [] });
  };
  for (const [accountSid, token] of Object.entries(options.accounts ?? {})) addAccount(accountSid, token);

  const background = (run: () => unknown) => {
    const task = Promise.resolve()
      .then(run)
      .catch((error) => {
        errors.push(error);
      });
    tasks.add(task);
    task.finally(() => tasks.delete(task));
  };

  // -- REST API --------------------------------------------------------------

  const callJson = (c: CallRecord) => ({
    sid: c.sid,
    date_created: rfc2822(c.receivedAt),
    date_updated: rfc2822(c.endedAt ?? c.answeredAt ?? c.receivedAt),
    parent_call_sid: null,
    account_sid: c.accountSid,
    to: c.to,
    to_formatted: c.to,
    from: c.from,
    from_formatted: c.from,
    phone_number_sid: null,
    status: c.status,
    start_time: c.answeredAt === undefined ? null : rfc2822(c.answeredAt),
    end_time: c.endedAt === undefined ? null : rfc2822(c.endedAt),
    duration: c.endedAt === undefined ? null : String(duration(c)),
    price: null,
    price_unit: "USD",
    direction: "outbound-api",
    answered_by: c.answeredBy ?? null,
    api_version: "2010-04-01",
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: "0",
    trunk_sid: null,
    uri: `/2010-04-01/Accounts/${c.accountSid}/Calls/${c.sid}.json`,
    subresource_uris: {
      notifications: `/2010-04-01/Accounts/${c.accountSid}/Calls/${c.sid}/Notifications.json`,
      recordings: `/2010-04-01/Accounts/${c.accountSid}/Calls/${c.sid}/Recordings.json`,
      events: `/2010-04-01/Accounts/${c.accountSid}/Calls/${c.sid}/Events.json`,
    },
  });

  const messageJson = (m: MessageRecord) => ({
    account_sid: m.accountSid,
    api_version: "2010-04-01",
    body: m.body,
    date_created: rfc2822(m.receivedAt),
    date_sent: null,
    date_updated: rfc2822(m.receivedAt),
    direction: "outbound-api",
    error_code: m.errorCode ?? null,
    error_message: null,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid ?? null,
    num_media: String(m.mediaUrls.length),
    num_segments: String(segments(m.body)),
    price: null,
    price_unit: "USD",
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}/Media.json` },
    to: m.to,
    uri: `/2010-04-01/Accounts/${m.accountSid}/Messages/${m.sid}.json`,
  });

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) sendJson(res, 500, twilioError(500, 20500, `test server error: ${(error as Error).message}`));
    });
  });

  function authenticate(req: IncomingMessage): Account | undefined {
    const header = req.headers.authorization;
    if (!header?.startsWith("Basic ")) return undefined;
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return undefined;
    const account = accounts.get(decoded.slice(0, colon));
    return account && account.authToken === decoded.slice(colon + 1) ? account : undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const receivedAt = Date.now();
    const path = (req.url ?? "/").split("?")[0];
    const log: LoggedRequest = { method: req.method ?? "GET", path, status: 0, code: undefined, accountSid: undefined, receivedAt };
    requests.push(log);
    const raw = req.method === "POST" ? await readBody(req, 1024 * 1024) : "";
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.status = status;
      sendJson(res, status, body, headers);
    };
    const error = (status: number, code: number, message: string, headers: Record<string, string> = {}) => {
      log.code = code;
      reply(status, twilioError(status, code, message), headers);
    };

    const route = path.match(API);
    const account = authenticate(req);
    if (!account) return error(401, 20003, "Authenticate", { "www-authenticate": 'Basic realm="Twilio API"' });
    log.accountSid = account.sid;
    if (!route) return error(404, 20404, `The requested resource ${path} was not found`);
    const [, pathAccount, collection, resourceSid] = route;
    if (pathAccount !== account.sid) return error(404, 20404, `The requested resource ${path} was not found`);

    if (failing.count > 0) {
      failing.count--;
      const headers: Record<string, string> = {};
      if (failing.opts.retryAfter !== undefined) headers["retry-after"] = String(failing.opts.retryAfter);
      return error(failing.status, failing.code, failing.opts.message ?? ERROR_MESSAGES[failing.status] ?? "Error", headers);
    }

    const form = new URLSearchParams(raw);
    const params: Record<string, string> = {};
    for (const [k, v] of form) params[k] = v;

    if (resourceSid !== undefined) {
      const record = collection === "Calls" ? callsBySid.get(resourceSid) : messagesBySid.get(resourceSid);
      if (!record || record.accountSid !== account.sid) return error(404, 20404, `The requested resource ${path} was not found`);
      if (req.method === "GET") return reply(200, collection === "Calls" ? callJson(record as CallRecord) : messageJson(record as MessageRecord));
      if (req.method !== "POST") return error(405, 20004, "Method not allowed");
      if (collection === "Calls") {
        const c = record as CallRecord;
        c.updates.push(params);
        if (params.Status !== undefined) {
          if (params.Status !== "completed" && params.Status !== "canceled") return error(400, 21220, "Invalid call state for update");
          c.status = params.Status;
          c.endedAt ??= receivedAt;
        }
        if (params.Url !== undefined) c.url = params.Url;
        if (params.Twiml !== undefined) c.twiml = params.Twiml;
        return reply(200, callJson(c));
      }
      const m = record as MessageRecord;
      if (params.Body !== undefined) m.body = params.Body;
      if (params.Status === "canceled") m.status = "failed";
      return reply(200, messageJson(m));
    }

    if (req.method === "GET") {
      // A list, newest first, in one page (filters To, From, Status; PageSize caps it).
      const query = new URL(req.url ?? "/", "http://127.0.0.1").searchParams;
      const key = collection === "Calls" ? "calls" : "messages";
      const all: (CallRecord | MessageRecord)[] = collection === "Calls" ? account.calls : account.messages;
      const pageSize = Math.min(1000, Number(query.get("PageSize") ?? 50) || 50);
      const picked = all.filter((r) =>
        (!query.has("To") || r.to === query.get("To")) && (!query.has("From") || r.from === query.get("From")) &&
        (!query.has("Status") || r.status === query.get("Status"))).reverse().slice(0, pageSize);
      return reply(200, {
        [key]: picked.map((r) => (collection === "Calls" ? callJson(r as CallRecord) : messageJson(r as MessageRecord))),
        end: Math.max(0, picked.length - 1),
        first_page_uri: path,
        next_page_uri: null,
        page: 0,
        page_size: pageSize,
        previous_page_uri: null,
        start: 0,
        uri: path,
      });
    }
    if (req.method !== "POST") return error(405, 20004, "Method not allowed");

    if (collection === "Calls") {
      const to = params.To;
      const from = params.From;
      if (!to) return error(400, 21201, "No 'To' number is specified");
      if (!from) return error(400, 21213, "No 'From' number is specified");
      if (!isAddress(to) || rejectNumbers.has(to)) return error(400, 21211, `Invalid 'To' Phone Number: ${to}`);
      if (!isAddress(from)) return error(400, 21212, `Invalid 'From' Phone Number: ${from}`);
      if (params.Url === undefined && params.Twiml === undefined && params.ApplicationSid === undefined) {
        return error(400, 21205, "A 'Url', 'Twiml' or 'ApplicationSid' parameter is required");
      }
      if (params.Url !== undefined && !isHttpUrl(params.Url)) return error(400, 21205, `Url is not a valid URL: ${params.Url}`);
      if (params.StatusCallback !== undefined && !isHttpUrl(params.StatusCallback)) {
        return error(400, 21609, `Invalid StatusCallback url: ${params.StatusCallback}`);
      }
      const events = form.getAll("StatusCallbackEvent").flatMap((e) => e.split(/\s+/)).filter(Boolean);
      const badEvent = events.find((e) => !CALL_EVENTS.has(e));
      if (badEvent) return error(400, 20001, `StatusCallbackEvent must be one of initiated, ringing, answered, completed: ${badEvent}`);
      for (const name of ["Method", "StatusCallbackMethod"]) {
        const m = params[name];
        if (m !== undefined && m.toUpperCase() !== "GET" && m.toUpperCase() !== "POST") return error(400, 20001, `${name} must be GET or POST`);
      }
      if (params.MachineDetection !== undefined && !MACHINE_DETECTION.has(params.MachineDetection)) {
        return error(400, 20001, `MachineDetection must be Enable or DetectMessageEnd: ${params.MachineDetection}`);
      }
      const timeout = params.Timeout === undefined ? 60 : Number(params.Timeout);
      if (!Number.isInteger(timeout) || timeout < 1 || timeout > 600) return error(400, 20001, `Timeout must be an integer from 1 to 600: ${params.Timeout}`);
      const call: CallRecord = {
        sid: sid("CA"),
        accountSid: account.sid,
        to,
        from,
        url: params.Url,
        method: (params.Method?.toUpperCase() ?? "POST") as "GET" | "POST",
        twiml: params.Twiml,
        statusCallback: params.StatusCallback,
        statusCallbackMethod: (params.StatusCallbackMethod?.toUpperCase() ?? "POST") as "GET" | "POST",
        statusCallbackEvents: events,
        machineDetection: params.MachineDetection,
        asyncAmd: params.AsyncAmd === "true",
        asyncAmdStatusCallback: params.AsyncAmdStatusCallback,
        timeout,
        params,
        receivedAt,
        status: "queued",
        answeredBy: undefined,
        answeredAt: undefined,
        endedAt: undefined,
        documents: [],
        updates: [],
      };
      calls.push(call);
      account.calls.push(call);
      callsBySid.set(call.sid, call);
      reply(201, callJson(call));
      const auto = options.autoAnswer;
      if (typeof auto === "function") background(() => auto(call, api));
      return;
    }

    // Messages
    const to = params.To;
    if (!to) return error(400, 21604, "A 'To' phone number is required.");
    if (!params.From && !params.MessagingServiceSid) return error(400, 21603, "A 'From' phone number is required.");
    const mediaUrls = form.getAll("MediaUrl");
    if (!params.Body && mediaUrls.length === 0 && !params.ContentSid) return error(400, 21602, "Message body is required.");
    if (!PHONE.test(to) || rejectNumbers.has(to)) return error(400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (params.From && !PHONE.test(params.From) && !/^[A-Za-z0-9 ]{1,11}$/.test(params.From)) {
      return error(400, 21212, `Invalid 'From' Phone Number: ${params.From}`);
    }
    if ((params.Body ?? "").length > 1600) return error(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    if (params.StatusCallback !== undefined && !isHttpUrl(params.StatusCallback)) {
      return error(400, 21609, `Invalid StatusCallback url: ${params.StatusCallback}`);
    }
    const message: MessageRecord = {
      sid: sid("SM"),
      accountSid: account.sid,
      to,
      from: params.From || (options.serviceNumber ?? "+15005550006"),
      body: params.Body ?? "",
      mediaUrls,
      messagingServiceSid: params.MessagingServiceSid,
      statusCallback: params.StatusCallback,
      params,
      receivedAt,
      status: params.From ? "queued" : "accepted",
      errorCode: undefined,
    };
    messages.push(message);
    account.messages.push(message);
    messagesBySid.set(message.sid, message);
    reply(201, messageJson(message));
    const auto = options.autoDeliver;
    if (typeof auto === "function") background(() => auto(message, api));
  }

  // -- Webhooks (Twilio → service) -------------------------------------------

  async function deliver(url: string, params: Record<string, string>, signature: string | undefined, httpMethod: "GET" | "POST" = "POST") {
    const headers: Record<string, string> = {
      "user-agent": "TwilioProxy/1.1",
      "i-twilio-idempotency-token": randomUUID(),
      accept: "*/*",
    };
    if (signature !== undefined) headers["x-twilio-signature"] = signature;
    const init: RequestInit = { method: httpMethod, headers, redirect: "manual", signal: AbortSignal.timeout(webhookTimeoutMs) };
    if (httpMethod === "POST") {
      headers["content-type"] = "application/x-www-form-urlencoded";
      init.body = new URLSearchParams(params).toString();
    }
    const res = await fetch(url, init);
    return { status: res.status, body: await res.text(), headers: res.headers };
  }

  const tokenOf = (accountSid: string) => {
    const account = accounts.get(accountSid);
    if (!account) throw new Error(`unknown account ${accountSid}`);
    return account.authToken;
  };

  /** A request as Twilio makes it: POST signs URL + sorted params; GET puts the params in the query and signs the URL. */
  function twilioRequest(accountSid: string, url: string, params: Record<string, string>, httpMethod: "GET" | "POST" = "POST") {
    const token = tokenOf(accountSid);
    if (httpMethod === "GET") {
      const u = new URL(url);
      for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
      return deliver(u.href, {}, twilio.getExpectedTwilioSignature(token, u.href, {}), "GET");
    }
    return deliver(url, params, twilio.getExpectedTwilioSignature(token, url, params), "POST");
  }

  const getCall = (callSid: string) => {
    const c = callsBySid.get(callSid);
    if (!c) throw new Error(`unknown call ${callSid}`);
    return c;
  };
  const getMessage = (messageSid: string) => {
    const m = messagesBySid.get(messageSid);
    if (!m) throw new Error(`unknown message ${messageSid}`);
    return m;
  };
  const stateOf = (c: CallRecord) => {
    let s = states.get(c.sid);
    if (!s) {
      s = { doc: undefined, waitingAt: -1, over: false, finished: false, sequence: 0 };
      states.set(c.sid, s);
    }
    return s;
  };

  const callParams = (c: CallRecord): Record<string, string> => ({
    AccountSid: c.accountSid,
    ApiVersion: "2010-04-01",
    CallSid: c.sid,
    CallStatus: c.status,
    Called: c.to,
    Caller: c.from,
    Direction: "outbound-api",
    From: c.from,
    To: c.to,
  });

  function duration(c: CallRecord): number {
    if (c.answeredAt === undefined) return 0;
    return Math.max(0, Math.round(((c.endedAt ?? Date.now()) - c.answeredAt) / 1000));
  }

  async function fetchTwiml(c: CallRecord, url: string, params: Record<string, string>, httpMethod: "GET" | "POST"): Promise<Twiml> {
    const res = await twilioRequest(c.accountSid, url, params, httpMethod);
    if (res.status !== 200) {
      throw new Error(`Twilio error 11200: ${httpMethod} ${url} answered HTTP ${res.status}: ${res.body.slice(0, 300)}`);
    }
    const type = res.headers.get("content-type") ?? "";
    if (!/^(text\/xml|application\/xml|text\/html)\b/i.test(type)) {
      throw new Error(`Twilio error 12300: ${url} answered Content-Type ${JSON.stringify(type)}, not TwiML (text/xml): ${res.body.slice(0, 200)}`);
    }
    let doc: Twiml;
    try {
      doc = parseTwiml(res.body, url);
    } catch (error) {
      throw new Error(`Twilio error 12100 (document parse failure) for ${url}: ${(error as Error).message}\n${res.body.slice(0, 500)}`);
    }
    c.documents.push(doc);
    return doc;
  }

  /**
   * Execute a document from a verb index, as Twilio does: Say/Play/Pause are
   * played, a Gather waits, a Redirect fetches the next document, Hangup/Reject
   * or the end of the document hang up. Returns the document where it rests.
   */
  async function run(c: CallRecord, doc: Twiml, from: number, hops = 0): Promise<{ doc: Twiml; fetched: boolean }> {
    const s = stateOf(c);
    s.doc = doc;
    s.waitingAt = -1;
    for (let i = from; i < doc.verbs.length; i++) {
      const v = doc.verbs[i];
      if (v.verb === "Gather") {
        s.waitingAt = i;
        return { doc, fetched: hops > 0 };
      }
      if (v.verb === "Hangup" || v.verb === "Reject") break;
      if (v.verb === "Redirect") {
        if (hops >= 10) throw new Error(`more than 10 consecutive <Redirect>s for call ${c.sid}`);
        const next = await fetchTwiml(c, resolveUrl(v.url, doc.url), callParams(c), v.method);
        return run(c, next, 0, hops + 1);
      }
    }
    s.over = true;
    return { doc, fetched: hops > 0 };
  }

  function waitingGather(c: CallRecord): { s: CallState; doc: Twiml; gather: Gather } {
    const s = states.get(c.sid);
    if (c.endedAt !== undefined || s?.finished) throw new Error(`call ${c.sid} has ended (${c.status})`);
    if (!s?.doc) throw new Error(`call ${c.sid} has not been answered`);
    const v = s.waitingAt >= 0 ? s.doc.verbs[s.waitingAt] : undefined;
    if (v?.verb !== "Gather") throw new Error(`call ${c.sid}: no <Gather> is waiting for input in ${s.doc.url || "the inline TwiML"}`);
    return { s, doc: s.doc, gather: v };
  }

  async function progress(callSid: string, event: "initiated" | "ringing" | "answered") {
    const c = getCall(callSid);
    const status: CallStatus = event === "answered" ? "in-progress" : event;
    if (event !== "answered" || c.answeredAt === undefined) c.status = status;
    if (!c.statusCallback || !c.statusCallbackEvents.includes(event)) return null;
    const s = stateOf(c);
    return twilioRequest(c.accountSid, c.statusCallback, {
      ...callParams(c),
      CallStatus: status,
      CallbackSource: "call-progress-events",
      SequenceNumber: String(s.sequence++),
      Timestamp: rfc2822(Date.now()),
    }, c.statusCallbackMethod);
  }

  async function finish(callSid: string, status: FinalCallStatus, extra: Record<string, string> = {}) {
    const c = getCall(callSid);
    const s = stateOf(c);
    if (s.finished) throw new Error(`call ${callSid} has already finished (${c.status})`);
    s.finished = true;
    s.over = true;
    c.endedAt ??= Date.now();
    c.status = status;
    s.waitingAt = -1;
    if (!c.statusCallback) return null;
    if (c.statusCallbackEvents.length > 0 && !c.statusCallbackEvents.includes("completed")) return null;
    const seconds = duration(c);
    const params: Record<string, string> = {
      ...callParams(c),
      CallStatus: status,
      CallDuration: String(seconds),
      CallbackSource: "call-progress-events",
      SequenceNumber: String(s.sequence++),
      Timestamp: rfc2822(c.endedAt),
    };
    if (c.answeredAt !== undefined) params.Duration = String(Math.ceil(seconds / 60));
    if (c.answeredBy !== undefined && c.machineDetection !== undefined) params.AnsweredBy = c.answeredBy;
    return twilioRequest(c.accountSid, c.statusCallback, { ...params, ...extra }, c.statusCallbackMethod);
  }

  const api: TwilioApiServer = {
    url: "",
    addAccount,
    calls,
    messages,
    callsOf: (accountSid) => accounts.get(accountSid)?.calls ?? [],
    messagesOf: (accountSid) => accounts.get(accountSid)?.messages ?? [],
    call: getCall,
    message: getMessage,
    requests,
    errors,
    rejectNumbers,
    failNext(count, status, code, opts = {}) {
      failing = { count, status, code: code ?? DEFAULT_CODES[status] ?? (status >= 500 ? 20500 : 20001), opts };
    },
    async idle() {
      while (tasks.size > 0) await Promise.allSettled([...tasks]);
    },

    async answer(callSid, opts = {}) {
      const c = getCall(callSid);
      if (c.answeredAt !== undefined || c.endedAt !== undefined) throw new Error(`call ${callSid} was already answered or ended (${c.status})`);
      c.status = "in-progress";
      c.answeredAt = Date.now();
      const detecting = c.machineDetection !== undefined;
      c.answeredBy = opts.answeredBy ?? (detecting ? "human" : undefined);
      const params = callParams(c);
      if (detecting && !c.asyncAmd && c.answeredBy) params.AnsweredBy = c.answeredBy;
      let doc: Twiml;
      if (c.url !== undefined) doc = await fetchTwiml(c, c.url, params, c.method);
      else if (c.twiml !== undefined) {
        doc = parseTwiml(c.twiml, "");
        c.documents.push(doc);
      } else throw new Error(`call ${callSid} has neither Url nor Twiml (ApplicationSid is not simulated)`);
      if (detecting && c.asyncAmd && c.asyncAmdStatusCallback && c.answeredBy) {
        const res = await twilioRequest(c.accountSid, c.asyncAmdStatusCallback, {
          AccountSid: c.accountSid,
          AnsweredBy: c.answeredBy,
          CallSid: c.sid,
          MachineDetectionDuration: "2400",
        }, (c.params.AsyncAmdStatusCallbackMethod?.toUpperCase() ?? "POST") as "GET" | "POST");
        if (res.status >= 400) throw new Error(`AsyncAmdStatusCallback answered HTTP ${res.status}: ${res.body.slice(0, 300)}`);
      }
      return (await run(c, doc, 0)).doc;
    },

    async pressAfterHangUp(callSid, digits) {
      const c = getCall(callSid);
      const { doc, gather } = waitingGather(c);
      const action = resolveUrl(gather.action ?? doc.url, doc.url);
      const params = { ...callParams(c), Digits: digits, msg: "Gather End" };
      await finish(callSid, "completed");
      return fetchTwiml(c, action, params, gather.method);
    },
    async press(callSid, digits) {
      const c = getCall(callSid);
      const { doc, gather } = waitingGather(c);
      if (!gather.input.split(/\s+/).includes("dtmf")) throw new Error(`call ${callSid}: the <Gather> takes input="${gather.input}", not DTMF`);
      let keyed = digits;
      if (gather.finishOnKey && keyed.endsWith(gather.finishOnKey)) keyed = keyed.slice(0, -gather.finishOnKey.length);
      if (gather.numDigits !== undefined) keyed = keyed.slice(0, gather.numDigits);
      if (!keyed) throw new Error("press() needs at least one digit; use silence() for no input");
      const action = resolveUrl(gather.action ?? doc.url, doc.url);
      const next = await fetchTwiml(c, action, { ...callParams(c), Digits: keyed, msg: "Gather End" }, gather.method);
      return (await run(c, next, 0)).doc;
    },

    async silence(callSid) {
      const c = getCall(callSid);
      const { s, doc, gather } = waitingGather(c);
      if (gather.actionOnEmptyResult) {
        const action = resolveUrl(gather.action ?? doc.url, doc.url);
        const next = await fetchTwiml(c, action, { ...callParams(c), msg: "Gather End" }, gather.method);
        return (await run(c, next, 0)).doc;
      }
      const after = s.waitingAt + 1;
      const result = await run(c, doc, after);
      if (result.fetched) return result.doc;
      const rest = stateOf(c).waitingAt >= 0 ? doc.verbs.slice(after, stateOf(c).waitingAt + 1) : doc.verbs.slice(after);
      return { url: doc.url, verbs: rest };
    },

    progress,
    finish,
    hangUp: (callSid, status = "completed") => finish(callSid, status),

    async messageStatus(messageSid, status, errorCode) {
      const m = getMessage(messageSid);
      m.status = status;
      if (errorCode !== undefined) m.errorCode = errorCode;
      if (!m.statusCallback) return null;
      const params: Record<string, string> = {
        AccountSid: m.accountSid,
        ApiVersion: "2010-04-01",
        From: m.from,
        MessageSid: m.sid,
        MessageStatus: status,
        SmsSid: m.sid,
        SmsStatus: status,
        To: m.to,
      };
      if (m.messagingServiceSid) params.MessagingServiceSid = m.messagingServiceSid;
      if (errorCode !== undefined) params.ErrorCode = String(errorCode);
      return twilioRequest(m.accountSid, m.statusCallback, params);
    },

    signedPost: (accountSid, url, params) => twilioRequest(accountSid, url, params),
    postUnsigned: (url, params) => deliver(url, params, undefined),
    postWithSignature: (url, params, signature) => deliver(url, params, signature),

    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };

  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return api;
}
