/**
 * Request schemas. The same zod schemas validate requests and generate the
 * OpenAPI document; objects are strict, so an unknown field is refused.
 */
import { z } from "zod";
import { ANSWER_SOURCES, ANSWERS } from "../domain/answers.ts";
import { BROADCAST_ANSWERS } from "../domain/broadcasts.ts";
import { isDuration } from "../domain/duration.ts";
import { OUTCOMES } from "../domain/incident.ts";
import { parsePhone } from "../domain/phone.ts";
import { ACTIONS } from "../domain/policy.ts";
import { INTERVALS, isValidLocalDate, isValidLocalTime, isValidTimeZone } from "../domain/schedule.ts";
import { ROLES } from "../engine/organisations.ts";
import { CHANNEL_KINDS } from "../store/schema.ts";

export const Id = z.uuid({ message: "must be an id (UUID)" });
export const IdParams = z.strictObject({ id: Id });

function toE164(value: string, ctx: z.RefinementCtx): string {
  const phone = parsePhone(value);
  if (phone.ok) return phone.e164;
  ctx.addIssue({ code: "custom", message: phone.message, input: value });
  return z.NEVER;
}
/** A phone number as people type it (full-width, hyphens, national form) → E.164; see domain/phone.ts. */
export const phoneAddress = z.string().max(40, "at most 40 characters").transform(toE164);

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max, `at most ${max} characters`);
const optionalText = (max: number) => z.string().trim().max(max, `at most ${max} characters`);

export const ChannelAddress = z.strictObject({
  kind: z.enum(CHANNEL_KINDS),
  address: text(320),
}).superRefine((c, ctx) => {
  if (c.kind === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(c.address)) {
    ctx.addIssue({ code: "custom", path: ["address"], message: "must be an e-mail address" });
  }
}).transform((c, ctx) => {
  if (c.kind !== "sms" && c.kind !== "voice") return c;
  const phone = parsePhone(c.address);
  if (phone.ok) return { ...c, address: phone.e164 };
  ctx.addIssue({ code: "custom", path: ["address"], message: phone.message, input: c.address });
  return z.NEVER;
});

export const Plan = z.strictObject({
  every: z.enum(INTERVALS),
  weekday: z.number().int().min(1).max(7).optional().describe("ISO weekday, 1 = Monday; weekly and biweekly plans"),
  at: z.string().refine(isValidLocalTime, "must be a local time HH:MM"),
  timeZone: z.string().refine(isValidTimeZone, "must be an IANA time zone such as Asia/Tokyo").optional(),
}).superRefine((p, ctx) => {
  const weekly = p.every === "weekly" || p.every === "biweekly";
  if (weekly && p.weekday === undefined) ctx.addIssue({ code: "custom", path: ["weekday"], message: "weekly and biweekly plans need a weekday (1-7)" });
  if (!weekly && p.weekday !== undefined) ctx.addIssue({ code: "custom", path: ["weekday"], message: "only weekly and biweekly plans take a weekday" });
});

const LocalDate = z.string().refine(isValidLocalDate, "must be a date YYYY-MM-DD");

const personal = {
  fullName: optionalText(200).optional(),
  address: optionalText(500).optional(),
  birthDate: LocalDate.optional(),
  phone: z.string().max(40, "at most 40 characters").transform((v, ctx) => (v.trim() === "" ? "" : toE164(v, ctx)))
    .optional().describe("stored in E.164; \"\" removes it"),
  medicalNotes: optionalText(2000).optional(),
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
});

export const MemberBulkCreate = z.strictObject({ members: z.array(MemberCreate).min(1).max(5000) });

export const MemberPatch = z.strictObject({
  displayName: text(100).optional(),
  channels: z.array(ChannelAddress).min(1).max(5).optional(),
  plan: Plan.optional(),
  teamId: Id.optional(),
  ...personal,
});

export const PauseInput = z.strictObject({
  until: LocalDate.optional().describe("local date on which check-ins start again; omit to pause until resumed"),
  reason: z.enum(["travel", "hospital", "other"]),
  note: optionalText(500).optional(),
});

export const AnswerInput = z.strictObject({
  answer: z.enum(ANSWERS),
  source: z.enum(ANSWER_SOURCES).default("member"),
  contactId: Id.optional().describe("the contact answering on the member's behalf"),
  by: optionalText(100).optional().describe("who answered on the member's behalf"),
  note: optionalText(1000).optional(),
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

const Step = z.strictObject({
  after: z.string().refine(isDuration, "must be an ISO-8601 duration such as PT3H"),
  action: z.enum(ACTIONS),
  channel: z.enum(["same", "next"]).optional(),
  contact: z.number().int().min(1).max(10).optional(),
  repeat: z.boolean().optional(),
});
export const PolicyInput = z.strictObject({
  steps: z.array(Step).max(50),
  callRetries: z.strictObject({
    attempts: z.number().int().min(0).max(5).describe("More calls after the first, when nobody answers (default 2)"),
    interval: z.string().describe("Between calls, ISO-8601 (default PT10M)"),
  }).optional(),
});
export const PolicySetInput = z.strictObject({ standard: PolicyInput.optional(), phone: PolicyInput.optional() });

export const IncidentQuery = z.strictObject({
  status: z.enum(["open", "acknowledged", "resolved", "unresolved"]).optional(),
  memberId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export const AckInput = z.strictObject({
  by: optionalText(100).optional(),
  via: z.enum(["api", "console", "phone", "line", "sms", "email", "voice", "visit"]).default("api"),
});
export const ResolveInput = z.strictObject({ outcome: z.enum(OUTCOMES), note: optionalText(2000).default(""), by: optionalText(100).optional() });

export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: Id.optional().describe("cursor: the last id of the previous page"),
  teamId: Id.optional(),
});

export const TokenInput = z.strictObject({
  name: text(100),
  role: z.enum(ROLES),
  expiresAt: z.iso.datetime({ offset: true, message: "must be an ISO date-time with offset" }).optional()
    .describe("when the token stops working (401 token_expired); omit for a token that lasts until revoked"),
});
export const OrganisationInput = z.strictObject({ name: text(200) });

export const ClockInput = z.union([
  z.strictObject({ advance: z.string().refine(isDuration, "must be an ISO-8601 duration such as PT24H"), run: z.boolean().optional() }),
  z.strictObject({ to: z.iso.datetime({ offset: true, message: "must be an ISO date-time with offset" }), run: z.boolean().optional() }),
]);
export const OutboxQuery = z.strictObject({
  since: z.string().regex(/^\d+$/, "must be a cursor from a previous answer").optional(),
  limit: z.coerce.number().int().min(1).max(10000).default(1000),
});
export const ReplyInput = z.strictObject({ memberId: Id, answer: z.enum(ANSWERS) });

export const BroadcastInput = z.strictObject({
  audience: z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("all") }),
    z.strictObject({ kind: z.literal("team"), id: Id }),
    z.strictObject({ kind: z.literal("group"), id: Id }),
  ]).describe("who receives it: every member, a team's members, or a group's members"),
  text: text(2000),
  question: z.boolean().default(false).describe("ask 無事ですか？ with the answers safe / need help"),
});
export const BroadcastAnswerInput = z.strictObject({ memberId: Id, answer: z.enum(BROADCAST_ANSWERS) });
export const BroadcastListQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) });
export const BroadcastRecipientQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: Id.optional().describe("cursor: the last member id of the previous page"),
  answer: z.enum([...BROADCAST_ANSWERS, "none"]).optional(),
});
