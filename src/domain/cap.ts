/**
 * OASIS Common Alerting Protocol 1.2 (CAP, https://docs.oasis-open.org/emergency/cap/v1.2/CAP-v1.2.html),
 * the format Japan's public alerting (L-Alert, 公共情報コモンズ) descends from:
 * a broadcast exported as a CAP alert, and a CAP alert read into a draft
 * broadcast. XML is written and read by fast-xml-parser, never by hand.
 *
 * - Export: `identifier` urn:uuid:<broadcast id>, `sender` the caller's, `sent`
 *   in the organisation's offset (CAP forbids "Z"), `status` Exercise for a
 *   drill else Actual, `msgType` Alert, `scope` Public, one `info` in ja-JP:
 *   the stored CAP fields (an imported alert's) or defaults (category Safety,
 *   event 安否確認 or お知らせ, urgency Immediate or Expected, severity and
 *   certainty Unknown), headline the text's first line, description the text,
 *   instruction how to answer (or the imported one).
 * - Import: well-formed XML whose root is `alert` in the CAP 1.2 namespace, with
 *   identifier, sender, sent, status Actual or Exercise (Exercise ⇔ drill),
 *   msgType Alert or Update, scope, and an `info` (the ja-JP one if any) with
 *   category, event, urgency, severity, certainty and a headline or a
 *   description. Anything else is refused with the field it concerns
 *   (`CapError.field`: "xml", "alert", "alert.status", "alert.info.urgency", …).
 */
import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { DateTime } from "luxon";

export const CAP_NAMESPACE = "urn:oasis:names:tc:emergency:cap:1.2";
export const CAP_CATEGORIES = ["Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"] as const;
export const CAP_URGENCIES = ["Immediate", "Expected", "Future", "Past", "Unknown"] as const;
export const CAP_SEVERITIES = ["Extreme", "Severe", "Moderate", "Minor", "Unknown"] as const;
export const CAP_CERTAINTIES = ["Observed", "Likely", "Possible", "Unlikely", "Unknown"] as const;
export type CapCategory = (typeof CAP_CATEGORIES)[number];

/** The CAP `info` fields a broadcast keeps (and the alert it was imported from, if any). */
export interface CapFields {
  category: CapCategory;
  event: string;
  urgency: (typeof CAP_URGENCIES)[number];
  severity: (typeof CAP_SEVERITIES)[number];
  certainty: (typeof CAP_CERTAINTIES)[number];
  headline: string;
  instruction: string | null;
  /** The imported alert's identifier, sender and sent (kept as `references` on export). */
  source?: { identifier: string; sender: string; sent: string };
}

/** A CAP document refused: which field and why. */
export class CapError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** What a broadcast is exported from. */
export interface CapBroadcast {
  id: string;
  text: string;
  question: boolean;
  drill: boolean;
  createdAt: Date;
  cap: CapFields | null;
}

/** The instruction a question asks by default. */
const ANSWER_INSTRUCTION = "無事ですか？「無事」か「助けが必要」でお答えください。";

/** The fields a broadcast composed on the console is exported with. */
export function defaultCapFields(b: Pick<CapBroadcast, "text" | "question">): CapFields {
  return {
    category: "Safety", event: b.question ? "安否確認" : "お知らせ", urgency: b.question ? "Immediate" : "Expected",
    severity: "Unknown", certainty: "Unknown", headline: firstLine(b.text), instruction: b.question ? ANSWER_INSTRUCTION : null,
  };
}

const firstLine = (text: string) => (text.split("\n").find((l) => l.trim()) ?? "").trim().slice(0, 160);

/** CAP's date-time: the organisation's offset, never "Z" (UTC is -00:00 per CAP 1.2 §3.3.2). */
export function capTime(at: Date, zone: string): string {
  const t = DateTime.fromJSDate(at, { zone });
  return t.offset === 0 ? `${t.toFormat("yyyy-MM-dd'T'HH:mm:ss")}-00:00` : t.toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}

/** CAP's identifier and sender may not contain spaces, commas, "<" or "&". */
export const capToken = (s: string) => s.replace(/[\s,<&]/g, "_");

/** The broadcast as a CAP 1.2 alert (UTF-8 XML). */
export function capAlertXml(b: CapBroadcast, p: { sender: string; senderName: string; zone: string }): string {
  const f = b.cap ?? defaultCapFields(b);
  const info: Record<string, unknown> = {
    language: "ja-JP", category: f.category, event: f.event, urgency: f.urgency, severity: f.severity, certainty: f.certainty,
    senderName: p.senderName, headline: f.headline || firstLine(b.text), description: b.text,
    ...(f.instruction ?? (b.question ? ANSWER_INSTRUCTION : null) ? { instruction: f.instruction ?? ANSWER_INSTRUCTION } : {}),
  };
  const alert = {
    "@_xmlns": CAP_NAMESPACE,
    identifier: `urn:uuid:${b.id}`,
    sender: capToken(p.sender),
    sent: capTime(b.createdAt, p.zone),
    status: b.drill ? "Exercise" : "Actual",
    msgType: "Alert",
    scope: "Public",
    ...(b.drill ? { note: "訓練 / Exercise" } : {}),
    ...(f.source ? { references: `${capToken(f.source.sender)},${capToken(f.source.identifier)},${f.source.sent}` } : {}),
    info,
  };
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: true, suppressEmptyNode: true });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ alert })}`;
}

/** A draft broadcast read from a CAP alert: what the compose screen fills in. */
export interface CapDraft {
  text: string;
  question: boolean;
  drill: boolean;
  cap: CapFields;
}

/** Element text: strings and numbers as parsed; anything else (nested, repeated) is not a value. */
function value(node: Record<string, unknown>, name: string, field: string, required: true): string;
function value(node: Record<string, unknown>, name: string, field: string, required: false): string | undefined;
function value(node: Record<string, unknown>, name: string, field: string, required: boolean): string | undefined {
  const v = node[name];
  if (v === undefined || v === "") {
    if (required) throw new CapError(field, `${name} is required in a CAP 1.2 alert`);
    return undefined;
  }
  if (typeof v === "object" && v !== null && "#text" in v) return String((v as { "#text": unknown })["#text"]).trim();
  if (typeof v !== "string" && typeof v !== "number") throw new CapError(field, `${name} must be a single text value`);
  return String(v).trim();
}

function oneOf<T extends string>(options: readonly T[], v: string, field: string): T {
  if (!(options as readonly string[]).includes(v)) throw new CapError(field, `must be one of ${options.join(", ")} (got "${v.slice(0, 40)}")`);
  return v as T;
}

/** Read a CAP 1.2 alert into a draft broadcast; throws CapError naming the field. */
export function parseCapAlert(xml: string): CapDraft {
  if (!xml.trim()) throw new CapError("xml", "the document is empty");
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new CapError("xml", `not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  const parser = new XMLParser({
    ignoreAttributes: false, attributeNamePrefix: "@_", removeNSPrefix: false, parseTagValue: false, trimValues: true,
    processEntities: true, isArray: (name) => /(^|:)(info|category)$/.test(name),
  });
  const doc = parser.parse(xml) as Record<string, unknown>;
  const rootName = Object.keys(doc).find((k) => k !== "?xml");
  const local = rootName?.replace(/^.*:/, "");
  const root = rootName ? doc[rootName] : undefined;
  if (local !== "alert" || !root || typeof root !== "object") throw new CapError("alert", "the document is not a CAP alert (its root element must be <alert>)");
  const alert = root as Record<string, unknown>;
  const prefix = rootName?.includes(":") ? rootName.replace(/:.*$/, "") : "";
  const ns = alert[prefix ? `@_xmlns:${prefix}` : "@_xmlns"];
  if (ns !== CAP_NAMESPACE) throw new CapError("alert", `the alert is not in the CAP 1.2 namespace (${CAP_NAMESPACE})`);
  // Child names without the namespace prefix, if the document uses one.
  const strip = (node: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(node).map(([k, v]) => [prefix && k.startsWith(`${prefix}:`) ? k.slice(prefix.length + 1) : k, v]));
  const a = strip(alert);
  const identifier = value(a, "identifier", "alert.identifier", true);
  const sender = value(a, "sender", "alert.sender", true);
  const sent = value(a, "sent", "alert.sent", true);
  if (!DateTime.fromISO(sent, { setZone: true }).isValid || !/[+-]\d\d:\d\d$/.test(sent)) {
    throw new CapError("alert.sent", "sent must be a date-time with its offset, e.g. 2027-01-04T09:30:00+09:00");
  }
  const status = value(a, "status", "alert.status", true);
  if (status !== "Actual" && status !== "Exercise") {
    throw new CapError("alert.status", `only an Actual or Exercise alert can start a broadcast (got "${status.slice(0, 40)}")`);
  }
  const msgType = value(a, "msgType", "alert.msgType", true);
  if (msgType !== "Alert" && msgType !== "Update") {
    throw new CapError("alert.msgType", `only an Alert or Update can start a broadcast (got "${msgType.slice(0, 40)}")`);
  }
  value(a, "scope", "alert.scope", true);
  const infos = Array.isArray(a.info) ? a.info as unknown[] : [];
  if (!infos.length || infos.some((i) => !i || typeof i !== "object")) throw new CapError("alert.info", "the alert has no info block");
  const stripped = infos.map((i) => strip(i as Record<string, unknown>));
  const info = stripped.find((i) => /^ja\b/i.test(String(i.language ?? ""))) ?? stripped[0];
  const categories = Array.isArray(info.category) ? info.category : [];
  if (!categories.length) throw new CapError("alert.info.category", "category is required in a CAP 1.2 alert");
  const category = oneOf(CAP_CATEGORIES, String(categories[0]).trim(), "alert.info.category");
  const event = value(info, "event", "alert.info.event", true);
  const urgency = oneOf(CAP_URGENCIES, value(info, "urgency", "alert.info.urgency", true), "alert.info.urgency");
  const severity = oneOf(CAP_SEVERITIES, value(info, "severity", "alert.info.severity", true), "alert.info.severity");
  const certainty = oneOf(CAP_CERTAINTIES, value(info, "certainty", "alert.info.certainty", true), "alert.info.certainty");
  const headline = value(info, "headline", "alert.info.headline", false) ?? "";
  const description = value(info, "description", "alert.info.description", false) ?? "";
  const instruction = value(info, "instruction", "alert.info.instruction", false) ?? null;
  const text = (description.includes(headline) ? description : [headline, description].filter(Boolean).join("\n")).slice(0, 2000);
  if (!text) throw new CapError("alert.info.description", "the alert has neither a headline nor a description to send");
  return {
    text,
    // An alert for now asks 無事ですか？; the operator can change it before sending.
    question: urgency === "Immediate" || urgency === "Expected",
    drill: status === "Exercise",
    cap: { category, event, urgency, severity, certainty, headline, instruction, source: { identifier, sender, sent } },
  };
}
