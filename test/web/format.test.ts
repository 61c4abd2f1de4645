/**
 * The console's texts and times: Japanese and English have the same keys, every
 * API error code has a sentence in both, and times print in the organisation's
 * zone in the Japanese form (2027年1月4日(月) 09:00) whatever the machine's zone.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ERROR_CODES } from "../../src/http/errors.ts";
import { AUDIT_FAMILIES, routeParts } from "../../web/src/audit-actions.ts";
import {
  formatDate, formatDateTime, formatDuration, formatLocalDate, formatMonth, formatPercent, formatPhone, formatTime, formatTimeOrDate, localDateIn,
  startOfLocalDay,
} from "../../web/src/format.ts";
import { en } from "../../web/src/locales/en.ts";
import { ja } from "../../web/src/locales/ja.ts";
import { LOCATION_SPEC, ADDRESS_SPEC, SERVICE_AT_LOCATION_SPEC } from "../../src/directory/engine/locations.ts";
import { ORGANIZATION_SPEC } from "../../src/directory/engine/organizations.ts";
import { ATTRIBUTE_SPEC, CAPACITY_SPEC, CLOSURE_SPEC, SCHEDULE_SPEC, SERVICE_AREA_SPEC } from "../../src/directory/engine/parts.ts";
import { SERVICE_SPEC } from "../../src/directory/engine/services.ts";

function keys(value: unknown, prefix = ""): string[] {
  if (typeof value === "string") return [prefix];
  return Object.entries(value as object).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

test("Japanese and English name the same texts, none empty", () => {
  assert.deepEqual(keys(en).sort(), keys(ja).sort());
  const leaves = (value: unknown): string[] => (typeof value === "string" ? [value] : Object.values(value as object).flatMap(leaves));
  for (const text of [...leaves(ja), ...leaves(en)]) assert.ok(text.trim().length > 0);
});

/**
 * English texts Japanese on purpose, by key: what a Japanese reader receives or
 * types (the reporter's default reply, an era date, the stored unit of a capacity)
 * and proper nouns (the member's answer 元気です, the service name あんしん電話).
 */
const JAPANESE_IN_ENGLISH: Record<string, string> = {
  "reports.columns.fine": "元気です",
  "concerns.triage.statusNotesDefault.no_action": "*",
  "concerns.triage.statusNotesDefault.consulted": "*",
  "concerns.triage.statusNotesDefault.emergency_response": "*",
  "imports.problems.invalid_date": "昭和15年4月1日",
  "resources.add.defaultUnit": "人",
  "policy.kindHint.phone": "あんしん電話",
};

test("English texts hold no Japanese (kana or kanji) beyond the listed proper nouns and Japanese-only values", () => {
  const japanese = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u;
  const found: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value === "string") {
      const allowed = JAPANESE_IN_ENGLISH[path];
      const rest = allowed === "*" ? "" : allowed ? value.replaceAll(allowed, "") : value;
      if (japanese.test(rest)) found.push(`${path}: ${value}`);
      return;
    }
    for (const [k, v] of Object.entries(value as object)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(en, "");
  assert.deepEqual(found, []);
});

test("every API error code is a sentence in both languages", () => {
  const codes = Object.keys(ERROR_CODES);
  assert.ok(codes.length > 20);
  for (const code of codes) {
    assert.ok(code in ja.errors, `ja: errors.${code}`);
    assert.ok(code in en.errors, `en: errors.${code}`);
  }
});

test("times print in the organisation's zone, Japanese form first", () => {
  // 00:00 UTC is 09:00 in Tokyo, on a Monday.
  assert.equal(formatDateTime("2027-01-04T00:00:00Z", "Asia/Tokyo", "ja"), "2027年1月4日(月) 09:00");
  assert.equal(formatDateTime("2027-01-04T00:00:00Z", "Asia/Tokyo", "en"), "Mon 4 Jan 2027, 09:00");
  // 15:30 UTC on the 3rd is already the 4th in Tokyo.
  assert.equal(formatDateTime("2027-01-03T15:30:00Z", "Asia/Tokyo", "ja"), "2027年1月4日(月) 00:30");
  assert.equal(formatDate("2027-01-03T15:30:00Z", "Asia/Tokyo", "ja"), "2027年1月4日(月)");
  assert.equal(formatDate("2027-12-31T14:59:00Z", "Asia/Tokyo", "en"), "Fri 31 Dec 2027");
  assert.equal(formatLocalDate("2027-01-04", "ja"), "2027年1月4日(月)");
  assert.equal(formatTime("2027-01-04T13:05:00Z", "Asia/Tokyo"), "22:05");
  assert.equal(formatTimeOrDate("2027-01-04T13:05:00Z", "Asia/Tokyo", "ja", "2027-01-04"), "22:05");
  assert.equal(formatTimeOrDate("2027-01-03T13:05:00Z", "Asia/Tokyo", "ja", "2027-01-04"), "2027年1月3日(日) 22:05");
});

describe("months, shares and durations", () => {
  test("a month in Japanese and English", () => {
    assert.equal(formatMonth("2027-01", "ja"), "2027年1月");
    assert.equal(formatMonth("2026-12", "en"), "December 2026");
  });
  test("a share as a percentage, one decimal at most", () => {
    assert.equal(formatPercent(1, "ja"), "100%");
    assert.equal(formatPercent(29 / 31, "en"), "93.5%");
  });
  test("a duration in its two largest units, rounded to the minute", () => {
    assert.equal(formatDuration(30 * 60_000, "ja"), "30分");
    assert.equal(formatDuration(150 * 60_000, "ja"), "2時間30分");
    assert.equal(formatDuration((27 * 60 + 5) * 60_000, "ja"), "1日3時間");
    assert.equal(formatDuration(120 * 60_000, "en"), "2 h");
    assert.equal(formatDuration(20_000, "en"), "0 min");
  });
});

describe("phone numbers as written in Japan", () => {
  test("stored E.164 shows nationally, with the area code's hyphens", () => {
    assert.equal(formatPhone("+81312345678"), "03-1234-5678");
    assert.equal(formatPhone("+819012345678"), "090-1234-5678");
  });
  test("as typed already, a foreign number, and text that is no number", () => {
    assert.equal(formatPhone("0312345678"), "03-1234-5678");
    assert.equal(formatPhone("+14155550123"), "+1 415 555 0123");
    assert.equal(formatPhone("内線12"), "内線12");
  });
});

test("a date-only field becomes the local midnight of the organisation's zone, with its offset (never 12:00Z, 21:00 in Tokyo)", () => {
  assert.equal(startOfLocalDay("2027-01-04", "Asia/Tokyo"), "2027-01-04T00:00:00+09:00");
  assert.equal(startOfLocalDay("2027-01-04", "UTC"), "2027-01-04T00:00:00+00:00");
  assert.equal(startOfLocalDay("2027-07-01", "America/New_York"), "2027-07-01T00:00:00-04:00");
  assert.equal(startOfLocalDay("2027-01-04", "Asia/Kolkata"), "2027-01-04T00:00:00+05:30");
  assert.equal(localDateIn("2027-01-03T15:00:00Z", "Asia/Tokyo"), "2027-01-04", "the date an instant falls on in the zone");
  assert.equal(localDateIn(startOfLocalDay("2027-01-04", "America/New_York"), "America/New_York"), "2027-01-04");
});

/**
 * The audit actions and subject kinds the code writes, read from src (core and
 * network): the action and subject arguments of every `audit(db, request, action,
 * subject, …)`, `auditAs(db, request, org, actor, action, subject, …)` and of a
 * local wrapper `audit(action, …)`. A template literal must be listed in
 * TEMPLATES with what it expands to, so a new dynamic action cannot go unlabelled.
 */
const TEMPLATES: Record<string, string[]> = {
  "channel.${kind}.remove": ["channel.twilio.remove", "channel.email.remove"],
  "delivery.${status}.list": ["delivery.failed.list", "delivery.cancelled.list"],
  "partner.${action}": ["partner.archive", "partner.restore"],
};

function topLevelArgs(text: string, open: number): string[] {
  const args: string[] = [];
  let depth = 0;
  let current = "";
  let quote: string | null = null;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      current += c;
      if (c === "\\") { current += text[++i]; continue; }
      if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") { quote = c; current += c; continue; }
    if (c === "(" || c === "{" || c === "[") depth++;
    if (c === ")" || c === "}" || c === "]") {
      if (depth === 0) { args.push(current.trim()); return args; }
      depth--;
    }
    if (c === "," && depth === 0) { args.push(current.trim()); current = ""; continue; }
    current += c;
  }
  return args;
}

function literals(arg: string): string[] {
  return [...arg.matchAll(/"([^"]*)"|`([^`]*)`/g)].flatMap((m) => {
    if (m[1] !== undefined) return [m[1]];
    const template = m[2] ?? "";
    if (!template.includes("${")) return [template];
    const expanded = TEMPLATES[template];
    assert.ok(expanded, `the dynamic audit action \`${template}\` is not in TEMPLATES (test/web/format.test.ts)`);
    return expanded;
  });
}

async function auditCodesInSource(): Promise<{ actions: Set<string>; subjects: Set<string> }> {
  const { readdir, readFile } = await import("node:fs/promises");
  const actions = new Set<string>();
  const subjects = new Set<string>();
  const files = (await readdir("src", { recursive: true })).filter((f) => f.endsWith(".ts"));
  for (const file of files) {
    const text = await readFile(`src/${file}`, "utf8");
    for (const m of text.matchAll(/\b(audit|auditAs)\(/g)) {
      const before = text.slice(Math.max(0, m.index - 20), m.index);
      if (/function\s+$/.test(before)) continue;
      const args = topLevelArgs(text, m.index + m[0].length - 1);
      const [actionAt, subjectAt] = m[1] === "auditAs" ? [4, 5] : args.length >= 4 ? [2, 3] : [0, -1];
      for (const a of literals(args[actionAt] ?? "")) actions.add(a);
      if (subjectAt >= 0) for (const s of literals(args[subjectAt] ?? "")) subjects.add(s);
    }
  }
  return { actions, subjects };
}

test("every audit action and subject the code writes has a label in both languages", async () => {
  const { actions, subjects } = await auditCodesInSource();
  // The collector must keep finding the core's and the network's actions.
  for (const known of ["member.erasure", "personal.view", "device.register", "partner.key", "consent.export_fhir", "finder.call", "partner.archive"]) {
    assert.ok(actions.has(known), `collector lost ${known}`);
  }
  assert.ok(actions.size > 90, `only ${actions.size} actions found`);
  assert.ok(subjects.has("partner") && subjects.has("route"));
  const missing: string[] = [];
  for (const [lang, texts] of [["ja", ja], ["en", en]] as const) {
    const labels = texts.audit.actions as Record<string, string>;
    const kinds = texts.audit.subjects as Record<string, string>;
    for (const a of actions) if (!(a.replaceAll(".", "_") in labels)) missing.push(`${lang}: audit.actions.${a.replaceAll(".", "_")}`);
    for (const s of subjects) if (!(s in kinds)) missing.push(`${lang}: audit.subjects.${s}`);
  }
  // The 操作 filter offers every family of action, each named in both languages.
  for (const a of actions) {
    const family = a.split(".")[0];
    if (!(AUDIT_FAMILIES as readonly string[]).includes(family)) missing.push(`AUDIT_FAMILIES: ${family} (of ${a})`);
  }
  for (const family of AUDIT_FAMILIES) {
    for (const [lang, texts] of [["ja", ja], ["en", en]] as const) if (!(family in texts.audit.subjects)) missing.push(`${lang}: audit.subjects.${family}`);
  }
  assert.deepEqual(missing, []);
});

test("a viewed route is named in words by its static parts", () => {
  assert.deepEqual(routeParts("GET /members/:id/consents"), ["members", "consents"]);
  assert.deepEqual(routeParts("GET /network/registration-numbers/:number"), ["registration-numbers"]);
  assert.equal(ja.audit.paths.consents, "同意");
});

test("every HSDS field the directory's history records has words in both languages (地域資源's 変更の履歴)", () => {
  // Every history row comes from one of these specs (src/directory/engine/records.ts writes a row per tracked field).
  const specs = [ORGANIZATION_SPEC, SERVICE_SPEC, SCHEDULE_SPEC, CLOSURE_SPEC, SERVICE_AREA_SPEC, CAPACITY_SPEC, ATTRIBUTE_SPEC, LOCATION_SPEC, ADDRESS_SPEC,
    SERVICE_AT_LOCATION_SPEC];
  const fields = new Set(specs.flatMap((spec) => spec.tracked));
  assert.ok(fields.has("assurer_email") && fields.has("name"), "the specs' tracked fields are read");
  const missing: string[] = [];
  for (const [lang, texts] of [["ja", ja], ["en", en]] as const) {
    // The console's order (Resources.tsx): resources.fieldNames, then serviceParts.fieldNames.
    const words = { ...(texts.serviceParts.fieldNames as Record<string, string>), ...(texts.resources.fieldNames as Record<string, string>) };
    for (const field of fields) if (!words[field]?.trim()) missing.push(`${lang}: ${field}`);
  }
  assert.deepEqual(missing, []);
});
