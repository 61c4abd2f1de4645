/**
 * Partner reports (気づき) in the shape of Open311 GeoReport v2 (seed 001; ANCHORS
 * §2): our report kinds are its services, the 見守り checklist is the service
 * definition's attributes, a report is a service request. Urgency (見守り / 相談 /
 * 通報) is an attribute too and the anchor's outcome an extra field. Pure: the
 * catalogue, validation of what a reporter sent, and the address normaliser used
 * to match a report to a member.
 */
import { parsePhone } from "../../domain/phone.ts";
import { textProblem } from "../../domain/text.ts";
import { isRegistrationNumber, normaliseRegistrationNumber } from "./registration-numbers.ts";
import { REPORT_URGENCIES, type ReportUrgency } from "./triage.ts";

/** How a report was matched to a member: by registration number, by normalised address, or not (staff decide). */
export const REPORT_MATCHES = ["number", "address", "none"] as const;
export type ReportMatch = (typeof REPORT_MATCHES)[number];

/** A value of a list attribute (Open311 `values[{key, name}]`); `en` is for the console. */
export interface AttributeValue { key: string; name: string; en: string }

/** An Open311 service definition attribute (datatype subset we use). */
export interface ReportAttribute {
  code: string;
  datatype: "string" | "singlevaluelist" | "multivaluelist";
  required: boolean;
  /** Open311 `datatype_description` and `description` (Japanese; `en` for the console). */
  description: string;
  en: string;
  order: number;
  values?: AttributeValue[];
}

/** A report kind: an Open311 service. */
export interface ReportService { code: string; name: string; en: string; description: string; group: string }

/** The report kinds. `concern` is the everyday 気づき; `unwell` someone seen unwell or fallen; `lost` someone lost or wandering. */
export const REPORT_SERVICES: readonly ReportService[] = [
  { code: "concern", name: "見守りの気づき", en: "Concern about someone", description: "いつもと様子が違う、気になることがある", group: "見守り" },
  { code: "unwell", name: "体調が悪そう・倒れている", en: "Seen unwell or fallen", description: "体調が悪そう、倒れている、けがをしている", group: "見守り" },
  { code: "lost", name: "道に迷っている・帰れない", en: "Lost or cannot get home", description: "道に迷っている、家に帰れない様子", group: "見守り" },
];

/** Urgency as the reporter chooses it (Japanese first: 見守り / 相談 / 通報). */
export const URGENCY_VALUES: readonly AttributeValue[] = [
  { key: "watch", name: "見守り（様子を見てほしい）", en: "Keep watching" },
  { key: "consult", name: "相談（確認してほしい）", en: "Please consult" },
  { key: "emergency", name: "通報（緊急）", en: "Emergency" },
];

/** The 見守り checklist: what partners notice on their rounds (Kobe's and Ota ward's check points). */
export const CHECKLIST_VALUES: readonly AttributeValue[] = [
  { key: "post_piling_up", name: "郵便物や新聞がたまっている", en: "Post or newspapers piling up" },
  { key: "lights_daytime", name: "昼間も電気がついている", en: "Lights on in the daytime" },
  { key: "lights_off_night", name: "夜も電気がつかない", en: "No lights at night" },
  { key: "no_answer", name: "呼びかけても応答がない", en: "No answer at the door" },
  { key: "stopped_greeting", name: "あいさつをしなくなった", en: "Stopped greeting" },
  { key: "smell", name: "異臭がする", en: "A smell" },
  { key: "laundry_left_out", name: "洗濯物が干したまま", en: "Laundry left out" },
  { key: "not_seen", name: "しばらく姿を見かけない", en: "Not seen for a while" },
  { key: "looks_unwell", name: "具合が悪そう・やせた", en: "Looks unwell or thinner" },
  { key: "confused", name: "話のつじつまが合わない", en: "Seems confused" },
  { key: "other", name: "その他", en: "Other" },
];

/** Attribute codes (Open311 `attribute[code]`). */
export const ATTRIBUTE_URGENCY = "urgency";
export const ATTRIBUTE_SIGNS = "signs";
export const ATTRIBUTE_REGISTRATION_NUMBER = "registration_number";

/** The service definition's attributes (the same for every report kind). */
export const REPORT_ATTRIBUTES: readonly ReportAttribute[] = [
  { code: ATTRIBUTE_URGENCY, datatype: "singlevaluelist", required: true, order: 1, description: "緊急度（見守り／相談／通報）", en: "Urgency", values: [...URGENCY_VALUES] },
  { code: ATTRIBUTE_SIGNS, datatype: "multivaluelist", required: false, order: 2, description: "気づいたこと", en: "What you noticed", values: [...CHECKLIST_VALUES] },
  { code: ATTRIBUTE_REGISTRATION_NUMBER, datatype: "string", required: false, order: 3, description: "登録番号（見守りキーホルダー・カード）", en: "Registration number (keyholder or card)" },
];

/** Longest free text kept (a description, an address). */
export const MAX_DESCRIPTION = 2000;
export const MAX_ADDRESS = 200;
export const MAX_REPORTER_FIELD = 100;
export const MAX_IDEMPOTENCY_KEY = 200;

/** What a reporter sent, before validation (the form, Open311 form encoding or JSON). */
export interface RawReport {
  serviceCode?: unknown;
  urgency?: unknown;
  signs?: unknown;
  description?: unknown;
  address?: unknown;
  lat?: unknown;
  long?: unknown;
  registrationNumber?: unknown;
  requestedAt?: unknown;
  reporterName?: unknown;
  reporterPhone?: unknown;
  idempotencyKey?: unknown;
}

/** A valid report, ready to store. */
export interface ReportInput {
  serviceCode: string;
  urgency: ReportUrgency;
  /** Checklist keys, in catalogue order, no repeats. */
  signs: string[];
  description: string | null;
  address: string | null;
  lat: number | null;
  long: number | null;
  /** Normalised (registration-numbers.ts). */
  registrationNumber: string | null;
  /** When the reporter noticed (Open311 `requested_datetime`); undefined = when received. */
  requestedAt: Date | undefined;
  reporterName: string | null;
  /** E.164 (domain/phone.ts). */
  reporterPhone: string | null;
  idempotencyKey: string | null;
}

/** Why a field was refused; `field` uses our names (serviceCode, urgency, signs, address, …). */
export interface ReportFieldError { field: keyof RawReport | "where"; code: "required" | "invalid" | "too_long"; message: string }

/** The API's earliest date (src/http/schemas.ts MIN_DATE): older times are typing mistakes, and PGlite cannot store year 0. */
const EARLIEST_REQUEST = Date.parse("1900-01-01T00:00:00Z");

function text(value: unknown, field: keyof RawReport, max: number, errors: ReportFieldError[], multiline = false): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") {
    errors.push({ field, code: "invalid", message: `${field} must be text` });
    return null;
  }
  const t = value.replace(/\r\n/g, "\n").trim();
  if (t.length > max) {
    errors.push({ field, code: "too_long", message: `${field} is longer than ${max} characters` });
    return null;
  }
  // The API's text rule (domain/text.ts), and no format characters (bidi overrides hide what a report says).
  if (textProblem(t, multiline) || /\p{Cf}/u.test(t)) {
    errors.push({ field, code: "invalid", message: `${field} holds control characters` });
    return null;
  }
  return t === "" ? null : t;
}

function coordinate(value: unknown, field: "lat" | "long", limit: number, errors: ReportFieldError[]): number | null {
  if (value === undefined || value === null || value === "") return null;
  const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || Math.abs(n) > limit) {
    errors.push({ field, code: "invalid", message: `${field} must be a number between -${limit} and ${limit}` });
    return null;
  }
  return n;
}

/**
 * A report as sent → the report to store, or every field refused (the form shows
 * them all; the API names the first). Rules: a known service; urgency one of
 * watch/consult/emergency; signs known checklist keys; where it is — an address,
 * a registration number or a position — at least one; lat and long together;
 * requested_datetime an ISO 8601 time not after `now` (+5 min of clock skew);
 * the reporter's phone a valid number, stored in E.164 (domain/phone.ts).
 */
export function validateReport(raw: RawReport, now: Date): { ok: true; report: ReportInput } | { ok: false; errors: ReportFieldError[] } {
  const errors: ReportFieldError[] = [];
  const serviceCode = typeof raw.serviceCode === "string" ? raw.serviceCode.trim() : "";
  if (serviceCode === "") errors.push({ field: "serviceCode", code: "required", message: "service_code is required" });
  else if (!REPORT_SERVICES.some((s) => s.code === serviceCode)) errors.push({ field: "serviceCode", code: "invalid", message: `unknown service_code: ${serviceCode.slice(0, 40)}` });
  let urgency: ReportUrgency = "watch";
  if (raw.urgency === undefined || raw.urgency === null || raw.urgency === "") errors.push({ field: "urgency", code: "required", message: "urgency is required (watch, consult or emergency)" });
  else if (typeof raw.urgency !== "string" || !(REPORT_URGENCIES as readonly string[]).includes(raw.urgency)) errors.push({ field: "urgency", code: "invalid", message: "urgency must be watch, consult or emergency" });
  else urgency = raw.urgency as ReportUrgency;
  const given = raw.signs === undefined || raw.signs === null || raw.signs === "" ? [] : Array.isArray(raw.signs) ? raw.signs : [raw.signs];
  const signs: string[] = [];
  if (given.some((s) => typeof s !== "string" || !CHECKLIST_VALUES.some((v) => v.key === s))) {
    errors.push({ field: "signs", code: "invalid", message: `signs must be among ${CHECKLIST_VALUES.map((v) => v.key).join(", ")}` });
  } else {
    for (const v of CHECKLIST_VALUES) if (given.includes(v.key)) signs.push(v.key);
  }
  const description = text(raw.description, "description", MAX_DESCRIPTION, errors, true);
  const address = text(raw.address, "address", MAX_ADDRESS, errors);
  const lat = coordinate(raw.lat, "lat", 90, errors);
  const long = coordinate(raw.long, "long", 180, errors);
  if ((lat === null) !== (long === null) && !errors.some((e) => e.field === "lat" || e.field === "long")) {
    errors.push({ field: lat === null ? "lat" : "long", code: "required", message: "lat and long go together" });
  }
  const numberText = text(raw.registrationNumber, "registrationNumber", 40, errors);
  let registrationNumber: string | null = null;
  if (numberText !== null) {
    if (isRegistrationNumber(numberText)) registrationNumber = normaliseRegistrationNumber(numberText);
    else errors.push({ field: "registrationNumber", code: "invalid", message: "registration_number must be 4–16 letters or digits" });
  }
  if (address === null && numberText === null && lat === null && !errors.some((e) => ["address", "registrationNumber", "lat", "long"].includes(e.field))) {
    errors.push({ field: "where", code: "required", message: "say where: an address, a registration number or a position" });
  }
  let requestedAt: Date | undefined;
  if (raw.requestedAt !== undefined && raw.requestedAt !== null && raw.requestedAt !== "") {
    const t = typeof raw.requestedAt === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(raw.requestedAt) ? new Date(raw.requestedAt) : undefined;
    if (!t || Number.isNaN(t.getTime())) errors.push({ field: "requestedAt", code: "invalid", message: "requested_datetime must be an ISO 8601 time with its offset" });
    else if (t.getTime() < EARLIEST_REQUEST) errors.push({ field: "requestedAt", code: "invalid", message: "requested_datetime must be after 1900-01-01" });
    else if (t.getTime() > now.getTime() + 5 * 60_000) errors.push({ field: "requestedAt", code: "invalid", message: "requested_datetime is in the future" });
    else requestedAt = t;
  }
  const reporterName = text(raw.reporterName, "reporterName", MAX_REPORTER_FIELD, errors);
  // The reporter's number is called back by staff: read as every phone is (E.164; full-width, hyphens and national form accepted).
  const phoneText = text(raw.reporterPhone, "reporterPhone", MAX_REPORTER_FIELD, errors);
  let reporterPhone: string | null = null;
  if (phoneText !== null) {
    const phone = parsePhone(phoneText);
    if (phone.ok) reporterPhone = phone.e164;
    else errors.push({ field: "reporterPhone", code: "invalid", message: `reporter phone ${phone.message}` });
  }
  const idempotencyKey = text(raw.idempotencyKey, "idempotencyKey", MAX_IDEMPOTENCY_KEY, errors);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    report: { serviceCode, urgency, signs, description, address, lat, long, registrationNumber, requestedAt, reporterName, reporterPhone, idempotencyKey },
  };
}

/** The report's checklist as stored in `attributes` (Open311 attribute code → value or values). */
export function reportAttributes(report: ReportInput): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = { [ATTRIBUTE_URGENCY]: report.urgency };
  if (report.signs.length > 0) out[ATTRIBUTE_SIGNS] = report.signs;
  if (report.registrationNumber) out[ATTRIBUTE_REGISTRATION_NUMBER] = report.registrationNumber;
  return out;
}

/** One line for the incident's timeline: the kind, the urgency and the signs, in Japanese; no personal detail. */
export function reportSummary(report: Pick<ReportInput, "serviceCode" | "urgency" | "signs">, partnerName: string): string {
  const service = REPORT_SERVICES.find((s) => s.code === report.serviceCode)?.name ?? report.serviceCode;
  const urgency = URGENCY_VALUES.find((u) => u.key === report.urgency)?.name.replace(/（.*$/, "") ?? report.urgency;
  const signs = report.signs.map((k) => CHECKLIST_VALUES.find((v) => v.key === k)?.name ?? k);
  return `${partnerName}から${urgency}: ${service}${signs.length > 0 ? `（${signs.join("、")}）` : ""}`;
}

const KANJI_DIGITS: Record<string, number> = { 〇: 0, 零: 0, 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** 漢数字 → number: 十二 = 12, 二十三 = 23, 百五 = 105, 千二十 = 1020, 一〇五 = 105 (digit by digit). */
export function kanjiNumber(text: string): number | undefined {
  if (!/^[〇零一二三四五六七八九十百千]+$/.test(text)) return undefined;
  if (!/[十百千]/.test(text)) return Number([...text].map((c) => KANJI_DIGITS[c]).join(""));
  let total = 0;
  let digit = 0;
  for (const c of text) {
    const unit = c === "十" ? 10 : c === "百" ? 100 : c === "千" ? 1000 : 0;
    if (unit === 0) digit = KANJI_DIGITS[c]!;
    else {
      total += (digit === 0 ? 1 : digit) * unit;
      digit = 0;
    }
  }
  return total + digit;
}

/**
 * A Japanese address reduced to what two spellings of one place share, for
 * matching a report to a member (our own normaliser: README, Address matching,
 * says why not abr-geocoder). Steps: NFKC (full-width digits and letters, half-width
 * kana); spaces dropped; a leading postal code (〒123-4567) dropped; 漢数字 before
 * 丁目/番/番地/号/の/- and after 丁目 read as numbers; "N丁目", "N番地", "N番",
 * "N号", "の", "之" and every dash form become "-", so 本町二丁目3番地4号 =
 * 本町2-3-4 = 本町２－３－４; a trailing "-" dropped; ヶ/ケ/が folded to ヶ. Building
 * names after the number are kept (a room number decides between neighbours).
 */
export function normaliseAddress(address: string): string {
  let s = address.normalize("NFKC").replace(/\s+/g, "");
  s = s.replace(/^〒?\d{3}-?\d{4}/, "");
  s = s.replace(/[‐‑‒–—―−ーｰ－]/g, (c, at: number, whole: string) => (/[\d〇一二三四五六七八九十百千]/.test(whole[at - 1] ?? "") ? "-" : c));
  s = s.replace(/[〇零一二三四五六七八九十百千]+(?=丁目|番地|番|号|の|之|-|$)/g, (k) => String(kanjiNumber(k) ?? k));
  s = s.replace(/(\d+)丁目/g, "$1-").replace(/(\d+)番地?/g, "$1-").replace(/(\d+)号/g, "$1-");
  s = s.replace(/(\d)[の之](?=\d)/g, "$1-");
  s = s.replace(/-{2,}/g, "-").replace(/-(?=\D|$)/g, "");
  s = s.replace(/[ケが](?=[丘谷崎関原浦島岡瀬池窪沢坂])/g, "ヶ");
  return s;
}

/** The 47 prefectures (都道府県), as an address starts with one. */
const PREFECTURES = [
  "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県",
  "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県",
  "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県",
  "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
] as const;

/**
 * A normalised address (`normaliseAddress`) split into its leading prefecture,
 * if it names one of the 47, and the rest: 東京都大田区本町2-3-4 →
 * { prefecture: "東京都", rest: "大田区本町2-3-4" }; 大田区本町2-3-4 → prefecture null.
 */
export function addressParts(normalised: string): { prefecture: string | null; rest: string } {
  const prefecture = PREFECTURES.find((p) => normalised.startsWith(p)) ?? null;
  return { prefecture, rest: prefecture ? normalised.slice(prefecture.length) : normalised };
}

/**
 * Whether two addresses name the same place for matching a report to a member:
 * equal once normalised (`normaliseAddress`), where a prefecture written on one
 * side only is not a difference (a neighbourhood shop writes 大田区本町2-3-4 for the
 * member's 東京都大田区本町2-3-4; the organisation's members live in its own
 * region) and two different prefectures are (東京都府中市 is not 広島県府中市).
 */
export function sameAddress(a: string, b: string): boolean {
  const [x, y] = [addressParts(normaliseAddress(a)), addressParts(normaliseAddress(b))];
  return x.rest === y.rest && (x.prefecture === null || y.prefecture === null || x.prefecture === y.prefecture);
}
