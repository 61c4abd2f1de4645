/**
 * Importing a member list, pure: which column is which field (with a guess
 * from the header as offices write it), and what one spreadsheet row says —
 * a member's fields, or the problems that keep it out, each a stable code the
 * console translates (Japanese first). Reading bytes (CSV encodings, xlsx) and
 * writing members are the engine's (engine/member-imports.ts).
 */
import { normalizeExternalId, normalizeKana, parseBirthDate } from "./member-fields.ts";
import { parsePhone, receivesSms } from "./phone.ts";
import { INTERVALS, type Interval } from "./schedule.ts";

export const IMPORT_FIELDS = [
  "externalId", "displayName", "displayNameKana", "fullName", "birthDate", "phone", "address", "team",
  "channel", "channelAddress", "every", "weekday", "at", "contactName", "contactRelation", "contactPhone", "medicalNotes",
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** Per column of the file, in order: the member field it holds, or null (ignored). */
export type ImportMapping = (ImportField | null)[];

export type ImportFormat = "csv" | "xlsx";
/** How the file was written: CSV as UTF-8 with a byte-order mark (Excel's "CSV UTF-8"), without, or Shift_JIS (CP932); or an xlsx workbook. */
export type ImportEncoding = "utf-8-bom" | "utf-8" | "shift_jis" | "xlsx";
export const IMPORT_STATUSES = ["uploaded", "checking", "checked", "committing", "committed", "failed"] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/**
 * Why an import is `failed`: a number of the file was registered meanwhile
 * (nothing written); a fault on the server; its step was cut short (its process
 * stopped: nothing written, check again); its rows were removed after waiting
 * IMPORT_RETENTION_MS without a commit (upload it again).
 */
export const IMPORT_FAILURES = ["external_id_taken", "internal", "interrupted", "expired"] as const;
export type ImportFailure = (typeof IMPORT_FAILURES)[number];

/** An uncommitted import keeps the uploaded rows (personal data) this long after its last step: 7 days. */
export const IMPORT_RETENTION_MS = 7 * 86_400_000;
/** A running step renews its lease this often; a lease not renewed for IMPORT_LEASE_MS means the step was cut short. */
export const IMPORT_HEARTBEAT_MS = 10_000;
export const IMPORT_LEASE_MS = 60_000;

/** Whether a step is running in some process: checking or committing, and its lease still held at `now` (real time). */
export function isRunning(status: ImportStatus, leaseUntil: Date | null, now: Date): boolean {
  return (status === "checking" || status === "committing") && leaseUntil !== null && leaseUntil.getTime() > now.getTime();
}

/** Channel kinds a row may name (the store's CHANNEL_KINDS). */
export type ImportChannelKind = "sandbox" | "line" | "voice" | "sms" | "email";
export const IMPORT_CHANNEL_KINDS = ["sandbox", "line", "voice", "sms", "email"] as const satisfies readonly ImportChannelKind[];

/** What a row leaves out: the channel kind and plan new members get. */
export interface ImportOptions {
  channel: ImportChannelKind;
  every: Interval;
  weekday?: number;
  at: string;
}
export const DEFAULT_IMPORT_OPTIONS: ImportOptions = { channel: "voice", every: "1d", at: "09:00" };

export const IMPORT_PROBLEM_CODES = [
  "required", "too_long", "invalid_text", "invalid_kana", "invalid_external_id", "invalid_phone", "invalid_date", "invalid_email",
  "invalid_channel", "missing_channel_address", "invalid_interval", "invalid_weekday", "weekday_required", "invalid_time",
  "unknown_team", "external_id_repeated", "contact_incomplete", "external_id_taken", "sms_not_mobile",
] as const;
/** Why a row cannot be imported; the console says it in a sentence (imports.problems.<code>). */
export type ImportProblemCode = (typeof IMPORT_PROBLEM_CODES)[number];

/** A bad row: its spreadsheet row number (the header is row 1), the field, why, and the cell as read (cut at 60 characters). */
export interface ImportProblem {
  row: number;
  field: ImportField;
  code: ImportProblemCode;
  value?: string;
}

/** A row that is likely someone registered already (or another row of the file): imported all the same. */
export interface ImportWarning {
  row: number;
  code: "likely_duplicate";
  reason: "name_and_birth_date" | "phone";
  memberId?: string;
  memberName?: string;
  otherRow?: number;
}

export interface ImportSummary {
  rows: number;
  /** Rows that will register (dry run) or registered (commit) a new member. */
  create: number;
  /** Rows whose externalId names a member: they update that member. */
  update: number;
  problems: number;
  warnings: number;
}

const fold = (header: string) => header.normalize("NFKC").toLowerCase().replace(/[\s()（）【】「」[\]_\-・:：]/g, "");

/** Header names offices use for each field, Japanese first (compared folded: NFKC, lower case, no spaces or brackets). */
const HEADER_NAMES: Record<ImportField, string[]> = {
  externalId: ["番号", "利用者番号", "管理番号", "宛名番号", "住民番号", "整理番号", "外部番号", "個人番号", "no", "id", "externalid", "external id", "number"],
  displayName: ["氏名", "名前", "お名前", "利用者名", "利用者氏名", "表示名", "name", "displayname", "display name"],
  displayNameKana: ["ふりがな", "フリガナ", "よみがな", "ヨミガナ", "カナ", "かな", "氏名カナ", "カナ氏名", "氏名ふりがな", "furigana", "kana", "displaynamekana"],
  fullName: ["正式氏名", "本名", "戸籍氏名", "fullname", "full name", "legal name"],
  birthDate: ["生年月日", "誕生日", "birthdate", "birth date", "date of birth", "birthday"],
  phone: ["電話番号", "電話", "自宅電話", "自宅電話番号", "携帯電話", "携帯番号", "tel", "phone", "phone number"],
  address: ["住所", "所在地", "現住所", "address"],
  team: ["チーム", "担当", "担当チーム", "地区", "担当地区", "team"],
  channel: ["連絡方法", "確認方法", "見守り方法", "チャネル", "channel"],
  channelAddress: ["連絡先", "宛先", "メールアドレス", "メール", "email", "e-mail", "channel address", "address for check-ins"],
  every: ["頻度", "確認頻度", "間隔", "確認間隔", "every", "interval", "frequency"],
  weekday: ["曜日", "確認曜日", "weekday"],
  at: ["時刻", "確認時刻", "時間", "確認時間", "at", "time"],
  contactName: ["緊急連絡先", "緊急連絡先氏名", "連絡先氏名", "家族氏名", "contact", "contact name", "emergency contact"],
  contactRelation: ["続柄", "関係", "続き柄", "relation", "relationship"],
  contactPhone: ["緊急連絡先電話番号", "緊急連絡先電話", "連絡先電話番号", "家族電話番号", "contact phone", "emergency phone"],
  medicalNotes: ["医療メモ", "持病", "既往歴", "医療情報", "medical notes", "medicalnotes"],
};

/** The header each field is exported under (and so imported back from), Japanese. */
export const EXPORT_HEADERS_JA: Record<ImportField, string> = {
  externalId: "番号", displayName: "氏名", displayNameKana: "ふりがな", fullName: "正式氏名", birthDate: "生年月日", phone: "電話番号",
  address: "住所", team: "チーム", channel: "連絡方法", channelAddress: "連絡先", every: "頻度", weekday: "曜日", at: "時刻",
  contactName: "緊急連絡先氏名", contactRelation: "続柄", contactPhone: "緊急連絡先電話番号", medicalNotes: "医療メモ",
};
export const EXPORT_HEADERS_EN: Record<ImportField, string> = {
  externalId: "External ID", displayName: "Name", displayNameKana: "Furigana", fullName: "Full name", birthDate: "Birth date", phone: "Phone",
  address: "Address", team: "Team", channel: "Channel", channelAddress: "Channel address", every: "Every", weekday: "Weekday", at: "Time",
  contactName: "Contact name", contactRelation: "Relation", contactPhone: "Contact phone", medicalNotes: "Medical notes",
};

/**
 * A first mapping from the header: a column whose folded name is one a field
 * is known by takes that field; then a column whose name contains one (the
 * longest wins: 緊急連絡先電話番号 is the contact's phone, not the member's).
 * Each field at most once, the leftmost column first; the rest are ignored.
 */
export function guessMapping(header: string[]): ImportMapping {
  const mapping: ImportMapping = header.map(() => null);
  const taken = new Set<ImportField>();
  const names = IMPORT_FIELDS.flatMap((field) => HEADER_NAMES[field].map((name) => ({ field, name: fold(name) })));
  const assign = (pick: (h: string) => ImportField | undefined) => {
    header.forEach((raw, i) => {
      if (mapping[i]) return;
      const field = pick(fold(raw));
      if (field && !taken.has(field)) {
        mapping[i] = field;
        taken.add(field);
      }
    });
  };
  assign((h) => names.find((n) => n.name === h)?.field);
  const byLength = [...names].filter((n) => n.name.length >= 2).sort((a, b) => b.name.length - a.name.length);
  assign((h) => (h ? byLength.find((n) => h.includes(n.name) && !taken.has(n.field))?.field : undefined));
  return mapping;
}

/** A mapping's faults, by column index: a field mapped twice, or the name not mapped at all (index -1). */
export function mappingProblems(mapping: ImportMapping): { column: number; code: "mapped_twice" | "name_not_mapped" }[] {
  const seen = new Set<ImportField>();
  const problems: { column: number; code: "mapped_twice" | "name_not_mapped" }[] = [];
  mapping.forEach((field, column) => {
    if (!field) return;
    if (seen.has(field)) problems.push({ column, code: "mapped_twice" });
    seen.add(field);
  });
  if (!seen.has("displayName")) problems.push({ column: -1, code: "name_not_mapped" });
  return problems;
}

const CHANNEL_WORDS: Record<string, ImportChannelKind> = {
  電話: "voice", 固定電話: "voice", 自宅電話: "voice", 音声: "voice", 音声電話: "voice", voice: "voice", phone: "voice", call: "voice",
  sms: "sms", ショートメール: "sms", ショートメッセージ: "sms", 携帯: "sms", 携帯電話: "sms", "c メール": "sms",
  メール: "email", eメール: "email", email: "email", "e-mail": "email", mail: "email", 電子メール: "email",
  line: "line", ライン: "line", sandbox: "sandbox", サンドボックス: "sandbox",
};

const EVERY_WORDS: Record<string, Interval> = {
  毎日: "1d", "1日ごと": "1d", "1日毎": "1d", daily: "1d", 隔日: "2d", "2日ごと": "2d", "2日毎": "2d", "3日ごと": "3d", "3日毎": "3d",
  "5日ごと": "5d", "5日毎": "5d", "30日ごと": "30d", "30日毎": "30d", 毎月: "30d", 月1回: "30d", monthly: "30d",
  毎週: "weekly", 週1回: "weekly", 週1: "weekly", 隔週: "biweekly", "2週ごと": "biweekly", "2週間ごと": "biweekly",
};

const WEEKDAY_WORDS: Record<string, number> = {
  月: 1, 火: 2, 水: 3, 木: 4, 金: 5, 土: 6, 日: 7, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7,
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
};

/** A channel kind as written in a list (電話, SMS, メール, LINE… or the API's own word); undefined when unknown. */
export function parseChannelKind(value: string): ImportChannelKind | undefined {
  const v = value.normalize("NFKC").trim().toLowerCase();
  return (IMPORT_CHANNEL_KINDS as readonly string[]).includes(v) ? (v as ImportChannelKind) : CHANNEL_WORDS[v.replace(/\s+/g, "")] ?? CHANNEL_WORDS[v];
}

/** How often, as written (毎日, 隔日, 毎週, 1d, weekly…); undefined when unknown. */
export function parseEvery(value: string): Interval | undefined {
  const v = value.normalize("NFKC").replace(/\s+/g, "").toLowerCase();
  return (INTERVALS as readonly string[]).includes(v) ? (v as Interval) : EVERY_WORDS[v];
}

/** An ISO weekday (1 = Monday) as written: 月, 月曜, 月曜日, Mon, 1…; undefined when unknown. */
export function parseWeekday(value: string): number | undefined {
  const v = value.normalize("NFKC").replace(/\s+/g, "").toLowerCase().replace(/曜日?$/, "");
  if (/^[1-7]$/.test(v)) return Number(v);
  return WEEKDAY_WORDS[v];
}

/** A local time as written: 9:00, 09:00, 9時, 9時30分, 0900 → HH:MM; undefined when not a time of day. */
export function parseTime(value: string): string | undefined {
  const v = value.normalize("NFKC").replace(/\s+/g, "");
  const m = /^(\d{1,2})(?::(\d{2})(?::00)?|時(?:(\d{1,2})分)?|(\d{2}))$/.exec(v);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2] ?? m[3] ?? m[4] ?? 0);
  if (h > 23 || min > 59) return undefined;
  return `${String(h).padStart(2, "0")}:${String(min).padStart(2, "0")}`;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LIMITS: Partial<Record<ImportField, number>> = {
  displayName: 100, fullName: 200, address: 500, team: 100, channelAddress: 320, contactName: 100, contactRelation: 100, medicalNotes: 2000,
};
/** Control characters (a line break is allowed only in the medical notes). */
const CONTROL = /[\p{Cc}\p{Cf}]/u;
const CONTROL_BUT_BREAKS = /\p{Cf}|(?![\n\r])\p{Cc}/u;

/** A member as a row describes it: only what the row says (an update changes only these). */
export interface RowMember {
  externalId?: string;
  displayName?: string;
  displayNameKana?: string;
  fullName?: string;
  birthDate?: string;
  phone?: string;
  address?: string;
  teamName?: string;
  channels?: { kind: ImportChannelKind; address: string }[];
  plan?: { every: Interval; weekday?: number; at: string };
  contact?: { displayName: string; relation: string; channels: { kind: "sms" | "voice"; address: string }[] };
  medicalNotes?: string;
}

/**
 * A phone cell as Excel leaves it: a number typed into a cell formatted as a
 * number loses its leading 0 (9012345678 for 090-1234-5678); nine or ten bare
 * digits are given it back. Anything else as written.
 */
export function phoneCell(value: string): string {
  const v = value.normalize("NFKC").trim();
  return /^[1-9]\d{8,9}$/.test(v) ? `0${v}` : value;
}

/** A mobile number in Japan (070, 080, 090): texts reach it; anything else is called. */
const isMobile = (e164: string) => /^\+81[789]0\d{8}$/.test(e164);

/**
 * What one spreadsheet row says, or why it cannot be imported. `row` is its
 * number in the sheet (for the problems), `cells` its text by column.
 * `existingPlan`: the member's plan when the row updates one (empty cells
 * leave a member's fields as they are; plan cells change only what they say);
 * undefined for a new member, who needs a name and a channel address and gets
 * `options` for what the row leaves out.
 */
export function readRow(
  row: number, cells: string[], mapping: ImportMapping, options: ImportOptions,
  existingPlan?: { every: Interval; weekday?: number; at: string },
): { member: RowMember; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  const raw: Partial<Record<ImportField, string>> = {};
  mapping.forEach((field, i) => {
    if (field) raw[field] = (cells[i] ?? "").trim();
  });
  const problem = (field: ImportField, code: ImportProblemCode) => {
    const value = raw[field];
    problems.push({ row, field, code, ...(value ? { value: value.length > 60 ? `${value.slice(0, 60)}…` : value } : {}) });
  };
  const textOf = (field: ImportField): string | undefined => {
    const v = raw[field];
    if (!v) return undefined;
    if ((field === "medicalNotes" ? CONTROL_BUT_BREAKS : CONTROL).test(v)) return void problem(field, "invalid_text");
    if (v.length > (LIMITS[field] ?? 100)) return void problem(field, "too_long");
    return v;
  };
  const member: RowMember = {};
  const creating = existingPlan === undefined;

  if (raw.externalId) {
    const id = normalizeExternalId(raw.externalId);
    if (id === undefined) problem("externalId", "invalid_external_id");
    else if (id) member.externalId = id;
  }
  const name = textOf("displayName");
  if (name) member.displayName = name;
  else if (creating && !raw.displayName) problem("displayName", "required");
  if (raw.displayNameKana) {
    const kana = normalizeKana(raw.displayNameKana);
    if (kana === undefined) problem("displayNameKana", "invalid_kana");
    else if (kana.length > 100) problem("displayNameKana", "too_long");
    else if (kana) member.displayNameKana = kana;
  }
  for (const field of ["fullName", "address", "medicalNotes"] as const) {
    const v = textOf(field);
    if (v) member[field] = v;
  }
  if (raw.birthDate) {
    const date = parseBirthDate(raw.birthDate);
    if (!date || date < "1900-01-01" || date > "2200-12-31") problem("birthDate", "invalid_date");
    else member.birthDate = date;
  }
  if (raw.phone) {
    const phone = parsePhone(phoneCell(raw.phone));
    if (phone.ok) member.phone = phone.e164;
    else problem("phone", "invalid_phone");
  }
  const team = textOf("team");
  if (team) member.teamName = team;

  // The check-in channel: the kind the row names, else an e-mail address speaks for itself, else the import's default;
  // the address the row gives, else the member's phone for calls and texts.
  let kind: ImportChannelKind | undefined;
  if (raw.channel) {
    kind = parseChannelKind(raw.channel);
    if (!kind) problem("channel", "invalid_channel");
  }
  const address = textOf("channelAddress");
  if (raw.channel && !kind) {
    // reported above
  } else if (raw.channel || address || creating) {
    kind ??= address && EMAIL.test(address.normalize("NFKC")) ? "email" : options.channel;
    if (kind === "voice" || kind === "sms") {
      // An SMS channel needs a number that can receive a text (domain/phone.ts receivesSms), the row's own or the member's phone.
      if (address) {
        const phone = parsePhone(phoneCell(address));
        if (!phone.ok) problem("channelAddress", "invalid_phone");
        else if (kind === "sms" && !receivesSms(phone.e164)) problem("channelAddress", "sms_not_mobile");
        else member.channels = [{ kind, address: phone.e164 }];
      } else if (member.phone) {
        if (kind === "sms" && !receivesSms(member.phone)) problem("channelAddress", "sms_not_mobile");
        else member.channels = [{ kind, address: member.phone }];
      } else if (!raw.phone && (creating || raw.channel)) {
        problem("channelAddress", "missing_channel_address");
      }
    } else if (address) {
      const folded = address.normalize("NFKC");
      if (kind === "email" && !EMAIL.test(folded)) problem("channelAddress", "invalid_email");
      else member.channels = [{ kind, address: kind === "email" ? folded : address }];
    } else if (creating || raw.channel) {
      problem("channelAddress", "missing_channel_address");
    }
  }

  // The plan: what the row says over the member's plan (an update) or the import's defaults (a new member).
  const base = existingPlan ?? { every: options.every, ...(options.weekday ? { weekday: options.weekday } : {}), at: options.at };
  if (creating || raw.every || raw.weekday || raw.at) {
    let every = base.every;
    let weekday = base.weekday;
    let at = base.at;
    let ok = true;
    if (raw.every) {
      const e = parseEvery(raw.every);
      if (e) every = e;
      else {
        problem("every", "invalid_interval");
        ok = false;
      }
    }
    if (raw.weekday) {
      const w = parseWeekday(raw.weekday);
      if (w) weekday = w;
      else {
        problem("weekday", "invalid_weekday");
        ok = false;
      }
    }
    if (raw.at) {
      const t = parseTime(raw.at);
      if (t) at = t;
      else {
        problem("at", "invalid_time");
        ok = false;
      }
    }
    const weekly = every === "weekly" || every === "biweekly";
    if (ok && weekly && !weekday) {
      problem(raw.every ? "every" : "weekday", "weekday_required");
      ok = false;
    }
    if (ok) member.plan = { every, ...(weekly ? { weekday } : {}), at };
  }

  const contactName = textOf("contactName");
  const relation = textOf("contactRelation");
  if (raw.contactPhone || contactName) {
    if (!contactName) problem("contactName", "contact_incomplete");
    else if (!raw.contactPhone) problem("contactPhone", "contact_incomplete");
    else {
      const phone = parsePhone(phoneCell(raw.contactPhone));
      if (!phone.ok) problem("contactPhone", "invalid_phone");
      else {
        member.contact = {
          displayName: contactName, relation: relation ?? "緊急連絡先",
          channels: [{ kind: isMobile(phone.e164) ? "sms" : "voice", address: phone.e164 }],
        };
      }
    }
  }
  return { member, problems };
}
