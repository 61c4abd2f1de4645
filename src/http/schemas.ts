/**
 * Request schemas. The same zod schemas validate requests and generate the
 * OpenAPI document; objects are strict, so an unknown field is refused.
 *
 * Every string that comes in goes through `safeString` (via `text`, `optionalText`,
 * `secret`…): no NUL or other control characters (tab and line breaks only in
 * multi-line text such as notes) and no lone UTF-16 surrogates — JSON.parse turns
 * "\udc00" into one, PostgreSQL refuses NUL and lone surrogates in JSON, and
 * text columns refuse NUL. Dates, durations and cursors are range-checked, so no
 * value that passes here can make the database fail.
 */
import { z } from "zod";
import { ANSWER_SOURCES, ANSWERS } from "../domain/answers.ts";
import { type Audience, AUDIENCE_KINDS, BROADCAST_ANSWERS, MAX_AUDIENCE_IDS } from "../domain/broadcasts.ts";
import { CAP_CATEGORIES, CAP_CERTAINTIES, CAP_SEVERITIES, CAP_URGENCIES } from "../domain/cap.ts";
import { parseDuration } from "../domain/duration.ts";
import { OUTCOMES } from "../domain/incident.ts";
import { normalizeExternalId, normalizeKana } from "../domain/member-fields.ts";
import { CALL_OUTCOMES, VISIT_OUTCOMES, VISIT_STATES } from "../domain/visits.ts";
import { parsePhone, parseSmsPhone } from "../domain/phone.ts";
import { type TextProblem, textProblem } from "../domain/text.ts";
import { ACTIONS } from "../domain/policy.ts";
import { TEMPLATE_CHANNELS, TEMPLATE_KINDS } from "../domain/templates.ts";
import { INTERVALS, isValidLocalDate, isValidLocalTime, isValidTimeZone } from "../domain/schedule.ts";
import { DUTY_CHANNEL_KINDS } from "../engine/on-duty.ts";
import { ROLES } from "../engine/organisations.ts";
import { CHANNEL_KINDS } from "../store/schema.ts";

export { type TextProblem, textProblem } from "../domain/text.ts";

/** A refinement that reports `problem(value)` as a field error with our field code (and stops further checks). */
function rule<T>(problem: (value: T) => { code: string; message: string } | undefined) {
  return (value: T, ctx: z.core.$RefinementCtx<T>) => {
    const p = problem(value);
    if (p) ctx.addIssue({ code: "custom", message: p.message, params: { code: p.code }, continue: false });
  };
}

const checkText = (multiline: boolean) => rule((v: string) => textProblem(v, multiline));
/** The one text type: a string input kept as sent (codes, keys, URLs before their own format check). */
export const safeString = (multiline = false) => z.string().superRefine(checkText(multiline));
/** Text, trimmed (so a pasted trailing line break is no fault), that must not be empty. */
export const text = (max: number, multiline = false) =>
  z.string().trim().superRefine(checkText(multiline)).min(1, "must not be empty").max(max, `at most ${max} characters`);
/** Text, trimmed, that may be empty. */
export const optionalText = (max: number, multiline = false) =>
  z.string().trim().superRefine(checkText(multiline)).max(max, `at most ${max} characters`);
/** A credential: trimmed, no control characters inside. */
export const secret = (min: number, max: number) =>
  z.string().trim().superRefine(checkText(false)).min(min, `at least ${min} characters`).max(max, `at most ${max} characters`);

export const Id = z.uuid({ message: "must be an id (UUID)" });
export const IdParams = z.strictObject({ id: Id });

export const MIN_DATE = "1900-01-01";
export const MAX_DATE = "2200-12-31";
const outOfRange = (message: string) => ({ code: "out_of_range", message });

const localDateProblem = (d: string) =>
  !isValidLocalDate(d) ? { code: "invalid_format", message: "must be a date YYYY-MM-DD" }
  : d < MIN_DATE || d > MAX_DATE ? outOfRange(`must be between ${MIN_DATE} and ${MAX_DATE}`)
  : undefined;
/** A calendar date YYYY-MM-DD from 1900-01-01 to 2200-12-31. */
export const LocalDate = z.string().superRefine(rule(localDateProblem));
/** A calendar date as {@link LocalDate}, or "" (a field being cleared). */
export const LocalDateOrEmpty = z.string().superRefine(rule((d: string) => (d === "" ? undefined : localDateProblem(d))));

const MIN_TIME = Date.parse(`${MIN_DATE}T00:00:00Z`);
const MAX_TIME = Date.parse(`${MAX_DATE}T23:59:59.999Z`);
/** An ISO 8601 date-time with offset, from 1900 to 2200. */
export const DateTime = z.iso.datetime({ offset: true, message: "must be an ISO date-time with offset, e.g. 2027-01-04T09:00:00+09:00" })
  .superRefine(rule((v: string) => {
    const t = Date.parse(v);
    return Number.isFinite(t) && t >= MIN_TIME && t <= MAX_TIME ? undefined : outOfRange(`must be between ${MIN_DATE} and ${MAX_DATE}`);
  }));

/** The longest duration any input takes (a sandbox advance, an escalation step). */
export const MAX_DURATION = "P400D";
const MAX_DURATION_MS = 400 * 86_400_000;
/** An ISO 8601 duration (PT3H, P1D, PT1H30M) from `min` (zero by default) to `max` (P400D by default). */
export const Duration = (example: string, max = MAX_DURATION, min?: string) => z.string().superRefine(rule((v: string) => {
  const ms = parseDuration(v);
  const maxMs = parseDuration(max) ?? MAX_DURATION_MS;
  const minMs = min === undefined ? 0 : (parseDuration(min) ?? 0);
  return ms === undefined ? { code: "invalid_format", message: `must be an ISO-8601 duration such as ${example}` }
    : ms > maxMs || ms < minMs ? outOfRange(min === undefined ? `must be at most ${max}` : `must be from ${min} to ${max}`)
    : undefined;
}));

const MAX_BIGINT = 2n ** 63n - 1n;
/** A cursor from a previous answer: a non-negative 64-bit integer, as a string. */
export const Cursor = z.string().superRefine(rule((v: string) =>
  !/^\d+$/.test(v) ? { code: "invalid_format", message: "must be a cursor from a previous answer" }
  : v.length > 19 || BigInt(v) > MAX_BIGINT ? outOfRange("must be a cursor from a previous answer (at most 9223372036854775807)")
  : undefined));

/** A page size in a query string. */
export const Limit = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

function toE164(value: string, ctx: z.RefinementCtx): string {
  const phone = parsePhone(value);
  if (phone.ok) return phone.e164;
  ctx.addIssue({ code: "custom", message: phone.message, input: value });
  return z.NEVER;
}
/** A phone number as people type it (full-width, hyphens, national form) → E.164; see domain/phone.ts. */
export const phoneAddress = safeString().max(40, "at most 40 characters").transform(toE164);


export const ChannelAddress = z.strictObject({
  kind: z.enum(CHANNEL_KINDS),
  address: text(320),
}).superRefine((c, ctx) => {
  if (c.kind === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(c.address)) {
    ctx.addIssue({ code: "custom", path: ["address"], message: "must be an e-mail address" });
  }
}).transform((c, ctx) => {
  if (c.kind !== "sms" && c.kind !== "voice") return c;
  // An SMS channel must be able to receive a text (a mobile), not only be a number.
  const phone = c.kind === "sms" ? parseSmsPhone(c.address) : parsePhone(c.address);
  if (phone.ok) return { ...c, address: phone.e164 };
  ctx.addIssue({ code: "custom", path: ["address"], message: phone.message, input: c.address });
  return z.NEVER;
});

export const Plan = z.strictObject({
  every: z.enum(INTERVALS),
  weekday: z.number().int().min(1).max(7).optional().describe("ISO weekday, 1 = Monday; weekly and biweekly plans"),
  at: safeString().refine(isValidLocalTime, "must be a local time HH:MM"),
  timeZone: safeString().refine(isValidTimeZone, "must be an IANA time zone such as Asia/Tokyo").optional(),
}).superRefine((p, ctx) => {
  const weekly = p.every === "weekly" || p.every === "biweekly";
  if (weekly && p.weekday === undefined) ctx.addIssue({ code: "custom", path: ["weekday"], message: "weekly and biweekly plans need a weekday (1-7)" });
  if (!weekly && p.weekday !== undefined) ctx.addIssue({ code: "custom", path: ["weekday"], message: "only weekly and biweekly plans take a weekday" });
});

const personal = {
  fullName: optionalText(200).optional(),
  address: optionalText(500).optional(),
  birthDate: LocalDateOrEmpty.optional().describe("YYYY-MM-DD; \"\" removes it"),
  phone: safeString().max(40, "at most 40 characters").transform((v, ctx) => (v.trim() === "" ? "" : toE164(v, ctx)))
    .optional().describe("stored in E.164; \"\" removes it"),
  medicalNotes: optionalText(2000, true).optional(),
};

/** Furigana: hiragana or katakana (half-width too), stored in hiragana; "" removes it. */
export const Kana = z.string().max(100, "at most 100 characters").transform((v, ctx) => {
  const kana = normalizeKana(v);
  if (kana !== undefined) return kana;
  ctx.addIssue({ code: "custom", message: "must be written in kana (hiragana or katakana), e.g. やまだ はなこ", input: v });
  return z.NEVER;
});
/** The municipality's own number for the member (unique in the organisation); "" removes it. */
export const ExternalId = z.string().transform((v, ctx) => {
  const id = normalizeExternalId(v);
  if (id !== undefined) return id;
  ctx.addIssue({ code: "custom", message: "must be at most 50 characters with no control characters", input: v });
  return z.NEVER;
});
const memberFields = {
  displayNameKana: Kana.optional().describe("furigana; lists sort by it, then by the name"),
  externalId: ExternalId.optional().describe("the municipality's own number, unique in the organisation; imports match on it"),
};

export const ContactInput = z.strictObject({
  displayName: text(100),
  relation: text(100).describe("e.g. daughter, neighbour, 民生委員, caseworker, landlord"),
  channels: z.array(ChannelAddress).max(5).default([]),
});

export const MemberCreate = z.strictObject({
  displayName: text(100),
  channels: z.array(ChannelAddress).min(1, "needs at least one channel").max(5),
  plan: Plan,
  contacts: z.array(ContactInput).max(10).optional(),
  teamId: Id.optional(),
  groupIds: z.array(Id).max(20).optional(),
  ...personal,
  ...memberFields,
  consent: z.strictObject({ termsVersion: text(50), at: DateTime }).optional()
    .describe("the terms version the member accepted and when (e.g. on paper)"),
});

export const MemberBulkCreate = z.strictObject({ members: z.array(MemberCreate).min(1).max(5000) });

export const MemberPatch = z.strictObject({
  displayName: text(100).optional(),
  channels: z.array(ChannelAddress).min(1).max(5).optional(),
  plan: Plan.optional(),
  teamId: Id.optional(),
  ...personal,
  ...memberFields,
  consent: z.strictObject({ termsVersion: text(50), at: DateTime }).nullable().optional()
    .describe("the terms version the member accepted and when (e.g. on paper); null: none recorded"),
});

export const PauseInput = z.strictObject({
  until: LocalDate.optional().describe("local date on which check-ins start again; omit to pause until resumed"),
  reason: z.enum(["travel", "hospital", "other"]),
  note: optionalText(500, true).optional(),
});

export const AnswerInput = z.strictObject({
  answer: z.enum(ANSWERS),
  source: z.enum(ANSWER_SOURCES).default("member"),
  contactId: Id.optional().describe("the contact answering on the member's behalf"),
  by: optionalText(100).optional().describe("who answered on the member's behalf"),
  note: optionalText(1000, true).optional(),
  idempotencyKey: text(200).optional(),
}).superRefine((a, ctx) => {
  if (a.source === "contact" && !a.contactId) ctx.addIssue({ code: "custom", path: ["contactId"], message: "an answer from a contact names the contact" });
  if (a.source === "staff" && !a.by) ctx.addIssue({ code: "custom", path: ["by"], message: "an answer from staff names who gave it" });
});

export const TeamInput = z.strictObject({ name: text(100), channels: z.array(ChannelAddress).max(5).default([]) });
export const TeamPatch = z.strictObject({ name: text(100).optional(), channels: z.array(ChannelAddress).max(5).optional() });

export const GroupInput = z.strictObject({
  name: text(100),
  teamId: Id.optional(),
  channels: z.array(ChannelAddress).max(5).default([]),
  memberIds: z.array(Id).max(500, "a group has at most 500 members").default([]),
});
export const GroupPatch = z.strictObject({
  name: text(100).optional(),
  channels: z.array(ChannelAddress).max(5).optional(),
  memberIds: z.array(Id).max(500, "a group has at most 500 members").optional(),
  plan: Plan.optional().describe("when a LINE group's rounds are (default daily 09:00 Asia/Tokyo)"),
});

export const ContactPatch = z.strictObject({
  displayName: text(100).optional(),
  relation: text(100).optional(),
  channels: z.array(ChannelAddress).max(5).optional(),
  position: z.number().int().min(1).max(10).optional(),
  confirmed: z.boolean().optional(),
});

// Bounds the domain checks too (domain/policy.ts), here so one answer names every bad field.
const Step = z.strictObject({
  after: Duration("PT3H", "P90D"),
  action: z.enum(ACTIONS),
  channel: z.enum(["same", "next"]).optional(),
  contact: z.number().int().min(1).max(10).optional(),
  repeat: z.boolean().optional(),
});
export const PolicyInput = z.strictObject({
  steps: z.array(Step).max(50),
  callRetries: z.strictObject({
    attempts: z.number().int().min(0).max(5).describe("More calls after the first, when nobody answers (default 2)"),
    interval: Duration("PT10M", "P1D", "PT1M").describe("Between calls, ISO-8601 (default PT10M)"),
  }).optional(),
  ackReminderAfter: Duration("PT2H", "P7D", "PT1M").optional()
    .describe("Remind whoever acknowledged when no outcome is recorded after this long, ISO-8601 (default PT2H)"),
  ackTimeout: Duration("PT6H", "P7D", "PT1M").optional()
    .describe("Without an outcome by then, the incident re-opens and the escalation resumes, ISO-8601 (default PT6H)"),
});
export const PolicySetInput = z.strictObject({ standard: PolicyInput.optional(), phone: PolicyInput.optional() });
/** A PUT of policies names at least one kind: `{}` would silently return everything to the built-ins (DELETE does that). */
export const PolicySetReplace = PolicySetInput.refine((p) => p.standard !== undefined || p.phone !== undefined, {
  path: ["standard"], message: "give standard, phone or both (DELETE returns to the built-in policies)",
});
const PreviewContacts = z.coerce.number().int().min(0).max(10).default(3).describe("Contacts the sample member has (default 3)");
export const PolicyPreviewInput = z.strictObject({
  policies: PolicySetInput.optional().describe("Unsaved policies to preview; a kind left out follows the saved one"),
  teamId: Id.optional().describe("Preview over this team's saved policies instead of the organisation's"),
  contacts: PreviewContacts,
});
export const TemplateParams = z.strictObject({ kind: z.enum(TEMPLATE_KINDS), channel: z.enum(TEMPLATE_CHANNELS) });
export const TemplateInput = z.strictObject({
  text: text(10_000, true).describe("The template: {placeholder}s of its kind (GET /message-templates lists them), line breaks allowed"),
});
export const TemplatePreviewInput = z.strictObject({
  kind: z.enum(TEMPLATE_KINDS), channel: z.enum(TEMPLATE_CHANNELS), text: z.string().max(10_000).describe("The template to try"),
});
export const PolicyPreviewQuery = z.strictObject({ teamId: Id.optional(), contacts: PreviewContacts });

export const IncidentQuery = z.strictObject({
  status: z.enum(["open", "acknowledged", "resolved", "unresolved"]).optional(),
  memberId: Id.optional(),
  limit: Limit(500, 100),
});
export const AckInput = z.strictObject({
  by: optionalText(100).optional(),
  via: z.enum(["api", "console", "phone", "line", "sms", "email", "voice", "visit"]).default("api"),
});
export const ResolveInput = z.strictObject({ outcome: z.enum(OUTCOMES), note: optionalText(2000, true).default(""), by: optionalText(100).optional() });

export const ListQuery = z.strictObject({
  limit: Limit(1000, 100),
  after: Id.optional().describe("cursor: the last id of the previous page"),
  teamId: Id.optional(),
  q: text(100).optional()
    .describe("search: part of the name or furigana, the external number, a phone number as typed (090-1234-5678), a channel address, or the member's id"),
  state: z.enum(["inactive", "paused", "scheduled", "awaiting_answer", "escalating"]).optional(),
  channel: z.enum(CHANNEL_KINDS).optional().describe("members with a channel of this kind"),
  unconfirmedContacts: z.enum(["true", "false"]).transform((v) => v === "true").optional()
    .describe("true: members with a contact who has not confirmed"),
});

export const AuditQuery = z.strictObject({
  limit: Limit(1000, 100),
  before: Id.optional().describe("cursor: the last id of the previous page (older entries follow)"),
  actor: text(100).optional().describe("part of who: a person's or token's name, or their id"),
  action: text(100).optional().describe("an action (member.view), or a family ending with a dot (member.)"),
  memberId: Id.optional().describe("entries about this member"),
  from: DateTime.optional().describe("entries at or after this time"),
  to: DateTime.optional().describe("entries before this time"),
});

export const TokenInput = z.strictObject({
  name: text(100),
  role: z.enum(ROLES),
  expiresAt: DateTime.optional()
    .describe("when the token stops working (401 token_expired); omit for a token that lasts until revoked"),
});
export const OrganisationInput = z.strictObject({ name: text(200) });

export const ClockInput = z.strictObject({
  advance: Duration("PT24H").optional().describe(`how far to move, at most ${MAX_DURATION}`),
  to: DateTime.optional().describe("where to move to"),
  run: z.boolean().optional().describe("let time flow at real speed from there"),
}).superRefine((c, ctx) => {
  if ((c.advance === undefined) === (c.to === undefined)) {
    ctx.addIssue({ code: "custom", path: [c.advance === undefined ? "advance" : "to"], message: "give either advance or to", params: { code: "invalid" } });
  }
});
export const OutboxQuery = z.strictObject({
  since: Cursor.optional(),
  // A page is built in memory: 10,000 messages held ~37 MB more at the bench's peak than 2,000 (2026-12-02).
  limit: Limit(2000, 1000),
});
export const ReplyInput = z.strictObject({ memberId: Id, answer: z.enum(ANSWERS) });

/**
 * Who receives a broadcast: `{ kind: "all" }`, or `{ kind: "team" | "group", id }`
 * (one, as before), or `{ kind: "team" | "group", ids: [...] }` (one or more).
 */
export const BroadcastAudience = z.strictObject({
  kind: z.enum(AUDIENCE_KINDS),
  id: Id.optional().describe("one team or group"),
  ids: z.array(Id).min(1, "name at least one").max(MAX_AUDIENCE_IDS, `at most ${MAX_AUDIENCE_IDS}`).optional()
    .describe("one or more teams or groups (a member in two is sent one message)"),
}).superRefine((a, ctx) => {
  if (a.kind === "all") {
    for (const k of ["id", "ids"] as const) {
      if (a[k] !== undefined) ctx.addIssue({ code: "custom", path: [k], message: "everyone: no team or group is named" });
    }
  } else if ((a.id === undefined) === (a.ids === undefined)) {
    ctx.addIssue({ code: "custom", path: [a.id === undefined ? "id" : "ids"], message: `name the ${a.kind}: id (one) or ids (one or more), not both` });
  }
}).transform((a): Audience & { named?: "id" } => (a.kind === "all" ? { kind: "all" }
  : { kind: a.kind, ids: a.ids ?? [a.id as string], ...(a.id !== undefined ? { named: "id" as const } : {}) }))
  .describe("who receives it: every member, the members of one or more teams, or of one or more groups");

export const CapFieldsInput = z.strictObject({
  category: z.enum(CAP_CATEGORIES), event: text(200), urgency: z.enum(CAP_URGENCIES), severity: z.enum(CAP_SEVERITIES),
  certainty: z.enum(CAP_CERTAINTIES), headline: optionalText(200), instruction: optionalText(1000, true).nullable(),
  source: z.strictObject({ identifier: text(500), sender: text(500), sent: text(40) }).optional(),
}).describe("CAP 1.2 info fields, as POST /broadcasts/cap-draft answers them (kept for the CAP export)");

const BroadcastContentFields = {
  text: text(2000, true),
  question: z.boolean().default(false).describe("ask 無事ですか？ with the answers safe / need help"),
  drill: z.boolean().default(false).describe("an exercise (訓練): every message says so; answers are kept apart from real ones"),
};
export const BroadcastInput = z.strictObject({
  audience: BroadcastAudience,
  ...BroadcastContentFields,
  cap: CapFieldsInput.optional(),
});
export const BroadcastPreviewInput = z.strictObject({ audience: BroadcastAudience.optional(), ...BroadcastContentFields });
export const CapDraftInput = z.strictObject({ xml: z.string().min(1, "must not be empty").max(200_000, "at most 200,000 characters").describe("a CAP 1.2 alert (XML)") });
export const BroadcastFollowUpInput = z.strictObject({ memberId: Id });
export const BroadcastAnswerInput = z.strictObject({ memberId: Id, answer: z.enum(BROADCAST_ANSWERS) });
export const BroadcastListQuery = z.strictObject({ limit: Limit(500, 100) });
export const BroadcastRecipientQuery = z.strictObject({
  limit: Limit(1000, 100),
  teamId: Id.optional().describe("only the members of this team"),
  after: Id.optional().describe("cursor: the last member id of the previous page"),
  answer: z.enum([...BROADCAST_ANSWERS, "none"]).optional(),
});

/**
 * Every string in a parsed request part (body, querystring, params, a webhook's
 * form) that no field accepts — control characters other than tab and line
 * breaks, lone surrogates, in values or in keys — as field errors named like the
 * validator names them. The net under the text types: whatever a schema misses,
 * no such string reaches the database.
 */
export function unsafeStrings(value: unknown, prefix: string): { field: string; code: TextProblem["code"]; message: string }[] {
  const found: { field: string; code: TextProblem["code"]; message: string }[] = [];
  const name = (path: string[]) => (path.length ? `${prefix}${path.join(".")}` : prefix.replace(/\.$/, "") || "body");
  const walk = (v: unknown, path: string[], depth: number) => {
    if (found.length >= 100 || depth > 64) return;
    if (typeof v === "string") {
      const p = textProblem(v, true);
      if (p) found.push({ field: name(path), ...p });
    } else if (Array.isArray(v)) {
      for (const [i, item] of v.entries()) walk(item, [...path, String(i)], depth + 1);
    } else if (v !== null && typeof v === "object" && !Buffer.isBuffer(v)) {
      for (const [k, item] of Object.entries(v)) {
        const p = textProblem(k, false);
        // A key that is not text is named by its position, never echoed.
        if (p) found.push({ field: name([...path, "<key>"]), ...p });
        else walk(item, [...path, k], depth + 1);
      }
    }
  };
  walk(value, [], 0);
  return found;
}

const CONTROL_IN_MULTILINE_ALL = /(?![\t\n\r])\p{Cc}/gu;

/**
 * A signed provider's payload made storable: lone surrogates and control characters
 * (other than tab and line breaks) become U+FFFD. Used where refusing would make
 * the provider redeliver the same events forever (LINE webhooks).
 */
export function scrubbed<T>(value: T): T {
  if (typeof value === "string") return (textProblem(value, true) ? value.toWellFormed().replace(CONTROL_IN_MULTILINE_ALL, "\uFFFD") : value) as T;
  if (Array.isArray(value)) return value.map(scrubbed) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrubbed(k), scrubbed(v)])) as T;
  }
  return value;
}

/** Assign a visit (POST /incidents/:id/visits): the watchers to ask, in order (the first now, the next after a decline). */
export const VisitAssignInput = z.strictObject({
  watcherIds: z.array(Id).min(1, "choose at least one watcher").max(20, "at most 20 watchers")
    .refine((ids) => new Set(ids).size === ids.length, "a watcher appears twice")
    .describe("watchers (people with role watcher) in the order they are asked"),
  dueAt: DateTime.optional().describe("by when someone should have been there (or dueInMinutes)"),
  dueInMinutes: z.number().int().min(1).max(10_080).optional().describe("the due time as minutes from now, on the service's clock (instead of dueAt)"),
  note: optionalText(1000, true).default("").describe("what the watcher should know (where the key is, what to look for)"),
}).superRefine((v, ctx) => {
  if ((v.dueAt === undefined) === (v.dueInMinutes === undefined)) {
    ctx.addIssue({ code: "custom", path: ["dueAt"], message: "give dueAt or dueInMinutes (one of them)" });
  }
});
export const VisitDeclineInput = z.strictObject({ note: optionalText(500, true).default("").describe("why (optional): shown to staff") });
export const VisitOutcomeInput = z.strictObject({
  outcome: z.enum(VISIT_OUTCOMES).describe("met_fine 会えた・元気 (resolves the incident: visited_fine), not_home 不在, ambulance_called 救急要請, other その他 (needs a note)"),
  note: optionalText(2000, true).default(""),
}).superRefine((v, ctx) => {
  if (v.outcome === "other" && !v.note) ctx.addIssue({ code: "custom", path: ["note"], message: "say what you found (その他 needs a note)" });
});
export const VisitQuery = z.strictObject({
  state: z.enum([...VISIT_STATES, "active"]).optional().describe("active: offered or accepted"),
  overdue: z.enum(["true", "false"]).optional().describe("true: only visits still to be done past their due time"),
  incidentId: Id.optional(),
  watcherId: Id.optional(),
  limit: Limit(500, 100),
});
export const CallInput = z.strictObject({
  outcome: z.enum(CALL_OUTCOMES).describe("how the call to the member went"),
  note: optionalText(2000, true).default(""),
});
export const BulkAckInput = z.strictObject({
  ids: z.array(Id).min(1, "choose at least one incident").max(500, "at most 500 incidents at once")
    .refine((ids) => new Set(ids).size === ids.length, "an incident appears twice"),
  via: z.enum(["api", "console"]).default("api"),
});

/** A calendar month, YYYY-MM (domain/reports.ts). */
const ReportMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month as YYYY-MM, e.g. 2027-01");
export const MonthlyReportQuery = z.strictObject({
  from: ReportMonth.optional().describe("the first month, YYYY-MM; by default five months before `to`"),
  to: ReportMonth.optional().describe("the last month, YYYY-MM (at most 24 months after from); by default the current month"),
});
export const MonthlyReportExportQuery = MonthlyReportQuery.extend({
  format: z.enum(["csv", "csv-sjis", "xlsx"]).default("csv").describe("csv: UTF-8 with BOM (Excel); csv-sjis: Shift_JIS; xlsx"),
  lang: z.enum(["ja", "en"]).default("ja").describe("the language of the header row"),
});
export const TodayQuery = z.strictObject({ limit: Limit(1000, 100).describe("members listed per bucket (counts are complete)") });

/** A login id: letters, digits and . _ @ - (an e-mail address fits), 3–100 characters, compared as typed in lower case. */
export const LoginId = z.string().trim().toLowerCase().min(3, "at least 3 characters").max(100, "at most 100 characters")
  .regex(/^[a-z0-9._@+-]+$/, "letters, digits and . _ @ + - only");
const Password = safeString().min(10, "at least 10 characters").max(200, "at most 200 characters");
const TotpCode = z.string().trim().regex(/^\d{6}$/, "the 6 digits the authenticator app shows");
const PERSON_ROLE_VALUES = ["admin", "staff", "watcher", "auditor"] as const;

export const SignInInput = z.strictObject({
  loginId: LoginId,
  password: safeString().min(1, "required").max(200, "at most 200 characters"),
  totpCode: TotpCode,
  organisationId: Id.optional().describe("only when the login id exists in several organisations (organisation_required)"),
});
const PersonEmail = z.email({ message: "must be an e-mail address" }).max(254).describe("where e-mailed invitations go");
const InvitationDeliveryInput = z.enum(["link", "email"]).default("link")
  .describe("link: the invitation is shown once, to hand over; email: it is e-mailed to the person (through the outbox), not shown");
export const PersonCreate = z.strictObject({
  displayName: text(100),
  loginId: LoginId,
  role: z.enum(PERSON_ROLE_VALUES),
  teamIds: z.array(Id).max(100).default([]).describe("the teams a staff member belongs to"),
  email: PersonEmail.optional(),
  delivery: InvitationDeliveryInput,
});
/** Whom to send the monthly report on the 1st: an address, or a person of the organisation (exactly one; the route checks). */
export const ReportSubscriptionInput = z.strictObject({
  email: z.email({ message: "must be an e-mail address" }).max(254).optional().describe("an e-mail address to send the report to"),
  personId: Id.optional().describe("a person of the organisation: the report goes to their e-mail address"),
});
export const ReinviteInput = z.strictObject({ delivery: InvitationDeliveryInput, email: PersonEmail.optional().describe("e-mail it here (and keep it)") }).optional();
export const PersonPatch = z.strictObject({
  displayName: text(100).optional(),
  role: z.enum(PERSON_ROLE_VALUES).optional(),
  teamIds: z.array(Id).max(100).optional(),
  active: z.boolean().optional().describe("false deactivates (and signs out everywhere); true reactivates"),
  email: PersonEmail.nullable().optional(),
});
export const InvitationParams = z.strictObject({ code: z.string().regex(/^[A-Za-z0-9_-]{32}$/, "must be an invitation code") });
export const AcceptInput = z.strictObject({ password: Password, totpCode: TotpCode });

/** What a browser's navigator.credentials answers, as @simplewebauthn/browser serialises it (checked in full by the engine). */
const CredentialJson = z.looseObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,1400}$/, "a credential id (base64url)"),
  rawId: z.string().max(1400),
  type: z.literal("public-key"),
  response: z.looseObject({ clientDataJSON: z.string().max(10_000) }),
}).describe("the PublicKeyCredential as JSON (@simplewebauthn/browser's startRegistration / startAuthentication)");
const PasskeyName = text(60).describe("how the person recognises it (この iPhone, 事務所のPC…)");
export const PasskeyRegistration = z.strictObject({ challengeId: Id, response: CredentialJson, name: PasskeyName.default("パスキー") });
export const PasskeySignIn = z.strictObject({ challengeId: Id, response: CredentialJson });

export const NoteInput = z.strictObject({ note: text(2000, true) });

/**
 * A channel at which a staff member receives team alerts while on duty
 * (engine/on-duty.ts): e-mail, SMS, phone (voice) or LINE. Phones are read as
 * people type them and stored in E.164 (an SMS one must be a mobile); e-mail is checked for its form; a LINE
 * address is the user id the LINE account sees (U and 32 hex digits).
 */
export const DutyChannelInput = z.strictObject({
  kind: z.enum(DUTY_CHANNEL_KINDS).describe("email | sms | voice (a phone call) | line"),
  address: text(320).describe("an e-mail address, a phone number (090-1234-5678 or +81…; SMS: a mobile number), or a LINE user id"),
}).superRefine((c, ctx) => {
  if (c.kind === "email" && !z.email().safeParse(c.address).success) {
    ctx.addIssue({ code: "custom", path: ["address"], message: "must be an e-mail address", params: { code: "invalid_format" } });
  }
  if (c.kind === "line" && !/^U[0-9a-f]{32}$/.test(c.address)) {
    ctx.addIssue({ code: "custom", path: ["address"], message: "must be a LINE user id (U and 32 hexadecimal digits)", params: { code: "invalid_format" } });
  }
}).transform((c, ctx) => {
  if (c.kind !== "sms" && c.kind !== "voice") return c;
  const phone = c.kind === "sms" ? parseSmsPhone(c.address) : parsePhone(c.address);
  if (phone.ok) return { ...c, address: phone.e164 };
  ctx.addIssue({ code: "custom", path: ["address"], message: phone.message, input: c.address, params: { code: "invalid_format" } });
  return z.NEVER;
});
export const DutyInput = z.strictObject({ onDuty: z.boolean().describe("true: team alerts reach this person's channels; false: they do not") });
export const ChannelParams = z.strictObject({ id: Id, channelId: Id });
