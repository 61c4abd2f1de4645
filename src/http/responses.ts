/**
 * Response schemas: what each operation answers, in the OpenAPI document. They
 * document and (with MIMAMORI_CHECK_RESPONSES, as the tests run) check the
 * answers; they never reshape them, so no field a client relies on is stripped
 * and hot paths (answers, webhooks) pay nothing. Objects are open: a field
 * added later is no breaking change.
 */
import { z } from "zod";
import { DELIVERY_ERROR_CODES } from "../engine/ports.ts";
import { BROADCAST_ANSWERS } from "../domain/broadcasts.ts";
import { CANCEL_REASONS } from "../domain/causes.ts";
import { MESSAGE_KINDS } from "../domain/messages.ts";
import { TEMPLATE_CHANNELS, TEMPLATE_KINDS } from "../domain/templates.ts";
import { SAMPLE_CHANNELS, TIMELINE_KINDS } from "../domain/timeline.ts";
import { IMPORT_CHANNEL_KINDS, IMPORT_FAILURES, IMPORT_FIELDS, IMPORT_PROBLEM_CODES, IMPORT_STATUSES } from "../domain/member-import.ts";
import { INTERVALS } from "../domain/schedule.ts";
import { ROLES } from "../engine/organisations.ts";
import { SETUP_CHECK_CODES } from "../engine/setup-checks.ts";
import { BOARD_BUCKETS } from "../engine/today.ts";
import { OUTCOMES } from "../domain/incident.ts";
import { VISIT_OUTCOMES, VISIT_STATES } from "../domain/visits.ts";
import { PERSON_ROLES } from "../engine/people.ts";
import { DUTY_CHANNEL_KINDS } from "../engine/on-duty.ts";
import { PRINCIPAL_ROLES } from "./auth.ts";
import { CHANNEL_KINDS } from "../store/schema.ts";

const Time = z.string().describe("ISO 8601 date-time, UTC");
const When = Time.nullable();
const Uuid = z.string().describe("UUID");

export const ChannelOut = z.object({ kind: z.enum(CHANNEL_KINDS), address: z.string() }).meta({ id: "Channel" });
export const PlanOut = z.object({
  every: z.enum(INTERVALS), weekday: z.number().int().optional(), at: z.string().describe("local HH:MM"), timeZone: z.string(),
}).meta({ id: "Plan" });
const PauseOut = z.object({ until: z.string().optional(), reason: z.string(), note: z.string().optional() }).nullable();

export const MemberSummary = z.object({
  id: Uuid, displayName: z.string(), displayNameKana: z.string().nullable().describe("furigana, in hiragana"),
  externalId: z.string().nullable().describe("the municipality's own number"), teamId: Uuid, channels: z.array(ChannelOut), plan: PlanOut, pause: PauseOut,
  active: z.boolean(), nextDueAt: When, createdAt: Time, updatedAt: Time,
}).meta({ id: "MemberSummary" });

export const Contact = z.object({
  id: Uuid, displayName: z.string(), relation: z.string(), position: z.number().int(), channels: z.array(ChannelOut),
  confirmed: z.boolean(), confirmedAt: When,
}).meta({ id: "Contact" });

export const Member = MemberSummary.extend({
  fullName: z.string().optional(), address: z.string().optional(), birthDate: z.string().optional(),
  phone: z.string().optional(), medicalNotes: z.string().optional(),
  state: z.enum(["inactive", "paused", "scheduled", "awaiting_answer", "escalating"]),
  openCheckins: z.array(z.object({
    id: Uuid, dueAt: Time, askedAt: When.describe("when a provider accepted its prompt: the member was asked"), escalates: z.boolean(),
    nextActionAt: When, incidentId: Uuid.nullable(),
  })),
  openIncidents: z.array(z.object({ id: Uuid, kind: z.string(), status: z.string(), openedAt: Time })),
  lastAnswer: z.object({ answer: z.string(), at: Time, source: z.string() }).nullable(),
  contacts: z.array(Contact),
  groupIds: z.array(Uuid),
  consent: z.object({ termsVersion: z.string(), at: z.string() }).nullable().describe("the terms the member accepted and when; null: none recorded"),
  callsFrom: z.string().nullable().describe("the number check-in calls come from (voice members)"),
}).meta({ id: "Member", description: "Personal fields (fullName, address, birthDate, phone, medicalNotes) only for staff and admins" });

export const MemberList = z.object({ members: z.array(MemberSummary), next: Uuid.nullable().describe("cursor for ?after=") });
export const BulkCreated = z.object({ ids: z.array(Uuid) });

export const MemberHistory = z.object({
  checkins: z.array(z.object({
    id: Uuid, dueAt: Time, status: z.string(), escalates: z.boolean(), prompted: z.boolean(), answer: z.string().nullable(),
    answeredAt: When, closedReason: z.string().nullable(), incidentId: Uuid.nullable(),
  })),
  answers: z.array(z.object({
    id: Uuid, answer: z.string(), source: z.string(), by: z.string().nullable(), contactId: Uuid.nullable(), channel: z.string().nullable(),
    note: z.string().nullable(), at: Time, closedCheckins: z.number().int(),
  })),
  incidents: z.array(z.object({ id: Uuid, kind: z.string(), status: z.string(), openedAt: Time, resolvedAt: When, outcome: z.string().nullable() })),
});

export const Observations = z.object({
  observations: z.array(z.object({
    question: z.string(), value: z.string(), label: z.string().nullable(), channel: z.string().nullable(), at: Time, checkinId: Uuid.nullable(),
  })),
});

export const AnswerRecorded = z.object({
  id: Uuid, closedCheckins: z.number().int().describe("check-ins this answer closed"), incidentId: Uuid.nullable(),
});
export const AnswerDuplicate = z.object({ duplicate: z.literal(true) }).describe("the idempotency key was used before: nothing recorded");

export const Visit = z.object({
  id: Uuid, incidentId: Uuid, incidentKind: z.string(), incidentStatus: z.string(), memberId: Uuid,
  memberName: z.string(), address: z.string().nullable(), phone: z.string().nullable().describe("the member's phone (a tel: link in the console)"),
  state: z.enum(VISIT_STATES), overdue: z.boolean().describe("still to be done and past dueAt"), dueAt: Time,
  note: z.string().describe("what staff asked the watcher to know"),
  watcher: z.object({ id: Uuid, displayName: z.string() }).nullable().describe("who holds the visit now; null once everyone declined"),
  candidates: z.array(z.object({ personId: Uuid, displayName: z.string(), position: z.number().int(), declinedAt: When }))
    .describe("the watchers asked in order (empty for a watcher: they see their own task only)"),
  result: z.object({ outcome: z.enum(VISIT_OUTCOMES), note: z.string().nullable(), at: Time }).nullable(),
  by: z.string().describe("who asked for the visit"), createdAt: Time, offeredAt: When, acceptedAt: When,
}).meta({ id: "Visit" });

export const Incident = z.object({
  id: Uuid, memberId: Uuid, memberName: z.string().describe("the member's display name"),
  phone: z.string().nullable().describe("the member's phone number, to call them (their own phone, else their first phone channel)"), checkinId: Uuid.nullable(), kind: z.string(), urgency: z.string(),
  status: z.enum(["open", "acknowledged", "resolved"]),
  openedAt: Time,
  acknowledged: z.object({ at: Time, by: z.string().nullable(), via: z.string().nullable() }).nullable(),
  memberAnsweredAt: When,
  resolved: z.object({ at: Time, outcome: z.string().nullable(), note: z.string().nullable() }).nullable(),
  timeline: z.array(z.looseObject({ at: Time, type: z.string(), actor: z.string().nullable() })),
  visits: z.array(Visit).describe("its visits, newest first"),
}).meta({ id: "Incident" });
export const IncidentList = z.object({ incidents: z.array(Incident) });
export const VisitList = z.object({ visits: z.array(Visit) });
export const WatcherList = z.object({
  watchers: z.array(z.object({
    id: Uuid, displayName: z.string(), active: z.boolean().describe("has accepted their invitation"), openVisits: z.number().int(),
  })),
});
/** A member as a watcher sees them: only what a visit needs (name, address, phone, state) and their own tasks. */
export const WatcherMember = z.object({
  id: Uuid, displayName: z.string(), address: z.string().nullable(), phone: z.string().nullable(), state: z.string(), visits: z.array(Visit),
}).meta({ id: "WatcherMember" });
export const BulkAcked = z.object({
  results: z.array(z.object({ id: Uuid, ok: z.boolean(), code: z.string().nullable().describe("why not: not_found, already_acknowledged, incident_resolved, not_in_team") })),
});

export const Team = z.object({
  id: Uuid, name: z.string(), isDefault: z.boolean(), channels: z.array(ChannelOut), hasOwnPolicy: z.boolean(), createdAt: Time,
}).meta({ id: "Team" });
export const TeamList = z.object({ teams: z.array(Team) });

const PolicyOut = z.looseObject({ steps: z.array(z.looseObject({ after: z.string(), action: z.string() })) });
const PolicySetOut = z.looseObject({ standard: PolicyOut.optional(), phone: PolicyOut.optional() });
export const Policies = PolicySetOut.extend({
  defaults: PolicySetOut.optional(), customised: z.boolean().optional(), teamOverride: PolicySetOut.nullable().optional(),
});
export const TeamOverride = z.object({ teamOverride: PolicySetOut });
const TimelineEntry = z.object({
  at: Time, kind: z.enum(TIMELINE_KINDS), stepIndex: z.number().int().optional(), contact: z.number().int().optional(),
  channel: z.enum(["same", "next"]).optional(), call: z.number().int().optional(),
});
const TemplateSample = z.object({
  text: z.string().describe("rendered with sample values"), chars: z.number().int(), limit: z.number().int(),
  sms: z.object({ encoding: z.enum(["GSM-7", "UCS-2"]), units: z.number().int(), segments: z.number().int(), maxSegments: z.number().int() }).nullable()
    .describe("SMS: the segments the text takes with its one-tap link"),
});
export const MessageTemplate = z.object({
  kind: z.enum(TEMPLATE_KINDS), channel: z.enum(TEMPLATE_CHANNELS), text: z.string(), defaultText: z.string(), customised: z.boolean(),
  updatedAt: Time.nullable(), updatedBy: z.string().nullable(), placeholders: z.array(z.string()), sample: TemplateSample,
}).meta({ id: "MessageTemplate" });
export const MessageTemplates = z.object({
  templates: z.array(MessageTemplate),
  limits: z.object({ lineChars: z.number().int(), emailChars: z.number().int(), smsSegments: z.number().int(), spokenChars: z.number().int() }),
});
export const TemplatePreview = z.object({
  sample: TemplateSample, problem: z.object({ code: z.string(), field: z.string(), message: z.string() }).nullable(),
});
export const PolicyPreview = z.object({
  timeZone: z.string(), firstDueAt: Time, policies: PolicySetOut,
  channels: z.array(z.object({
    channel: z.enum(SAMPLE_CHANNELS), policyKind: z.enum(["standard", "phone"]),
    entries: z.array(TimelineEntry), truncated: z.boolean(),
    acknowledgement: z.object({ at: Time, remindAt: Time, timeoutAt: Time }).nullable()
      .describe("if someone takes the incident on as it opens: the reminder, then the timeout"),
  })),
}).meta({ id: "PolicyPreview" });

export const Group = z.object({
  id: Uuid, name: z.string(), teamId: Uuid.nullable(), channels: z.array(ChannelOut), memberIds: z.array(Uuid), createdAt: Time,
  lineGroupId: z.string().nullable(), status: z.string(), plan: PlanOut.nullable(), nextDueAt: When, leftAt: When,
}).meta({ id: "Group" });
export const GroupList = z.object({ groups: z.array(Group) });
export const GroupWithMembers = Group.extend({
  members: z.array(z.object({ id: Uuid, displayName: z.string(), teamId: Uuid })),
}).meta({ id: "GroupWithMembers" });
export const GroupRounds = z.object({
  rounds: z.array(z.object({
    id: Uuid, dueAt: Time, promptedAt: When, listAt: When, listedAt: When,
    listed: z.array(z.object({ userId: z.string(), displayName: z.string() })).nullable(),
    confirmedCount: z.number().int(),
    people: z.array(z.object({
      userId: z.string(), displayName: z.string().nullable(), memberId: Uuid.nullable(), confirmed: z.boolean(), confirmedAt: When,
      confirmedBy: z.object({ userId: z.string(), displayName: z.string().nullable() }).nullable(), answerId: Uuid.nullable(),
    })),
  })),
});

export const ContactList = z.object({ contacts: z.array(Contact) });
export const OrganisationContactList = z.object({ contacts: z.array(Contact.extend({ memberId: Uuid, memberName: z.string() })) });
export const Invitation = z.object({ code: z.string(), expiresAt: Time });
export const Requested = z.object({ requested: z.literal(true) });

const CapFieldsView = z.object({
  category: z.string(), event: z.string(), urgency: z.string(), severity: z.string(), certainty: z.string(), headline: z.string(),
  instruction: z.string().nullable(), source: z.object({ identifier: z.string(), sender: z.string(), sent: z.string() }).optional(),
}).meta({ id: "CapFields" });
export const Broadcast = z.object({
  id: Uuid,
  audience: z.object({
    kind: z.enum(["all", "team", "group"]), id: Uuid.optional().describe("the first team or group"), ids: z.array(Uuid).optional().describe("every team or group"),
  }),
  text: z.string(), question: z.boolean(), drill: z.boolean().describe("an exercise (訓練): its answers are kept apart from real ones"),
  recipients: z.number().int(), createdBy: z.string(), createdAt: Time,
  cap: CapFieldsView.nullable().describe("CAP fields of the alert it was imported from; null when composed"),
}).meta({ id: "Broadcast" });
export const BroadcastCreated = z.object({ id: Uuid, recipients: z.number().int() });
export const BroadcastList = z.object({ broadcasts: z.array(Broadcast) });
const Tally = z.object({ safe: z.number().int(), needHelp: z.number().int(), none: z.number().int() });
export const BroadcastDetail = Broadcast.extend({
  delivery: z.record(z.string(), z.number().int()).describe("recipients per delivery state: pending, sent, failed"),
  answers: Tally.nullable(),
  teams: z.array(z.object({
    teamId: Uuid, teamName: z.string(), recipients: z.number().int(), delivery: z.record(z.string(), z.number().int()), answers: Tally.nullable(),
  })).describe("the same per team of the recipients (team staff: their teams)"),
});
export const BroadcastRecipients = z.object({
  recipients: z.array(z.looseObject({
    memberId: Uuid, teamId: Uuid, teamName: z.string(), phone: z.string().nullable().describe("the number to call (personal)"),
    delivery: z.string(), answer: z.enum(BROADCAST_ANSWERS).nullable(), answeredAt: When,
  })),
  next: Uuid.nullable(),
});
export const BroadcastPreview = z.object({
  reach: z.object({ recipients: z.number().int(), channels: z.record(z.string(), z.number().int()).describe("members per first channel") }).nullable(),
  line: z.object({ text: z.string(), buttons: z.array(z.string()) }),
  sms: z.object({ text: z.string(), encoding: z.enum(["GSM-7", "UCS-2"]), characters: z.number().int(), segments: z.number().int() }),
  email: z.object({ subject: z.string(), text: z.string(), link: z.string().nullable(), pageButtons: z.array(z.string()) }),
  voice: z.object({ speech: z.string(), keys: z.array(z.object({ digit: z.string(), answer: z.enum(BROADCAST_ANSWERS), label: z.string() })) }),
});
export const CapDraft = z.object({ text: z.string(), question: z.boolean(), drill: z.boolean(), cap: CapFieldsView });
export const BroadcastFollowUp = z.object({ incidentId: Uuid, opened: z.boolean().describe("a new no_answer incident was opened") });
const CapFile = z.string().describe("the CAP 1.2 alert (application/cap+xml), as an attachment");
export const BroadcastAnswered = z.object({ memberId: Uuid, answer: z.enum(BROADCAST_ANSWERS), incidentId: Uuid.nullable().optional() });

export const Organisation = z.object({ id: Uuid, name: z.string(), createdAt: Time, timeZone: z.string().describe("the organisation's IANA time zone"), role: z.enum(PRINCIPAL_ROLES).describe("the caller's role: a token's, or a signed-in person's") });
export const OrganisationSettings = z.object({
  id: Uuid, name: z.string(), lineOfTheDay: z.string().nullable(), dailyQuestions: z.array(z.looseObject({ key: z.string() })),
  timeZone: z.string().describe("the organisation's IANA time zone: the console's times and the board's day"),
  incidentRetentionYears: z.number().int().optional().describe("years an erased member's incidents are kept anonymised (default 5)"),
});
export const OrganisationCreated = z.object({ id: Uuid, name: z.string(), defaultTeamId: Uuid, adminToken: z.string().describe("shown once") });
export const TokenCreated = z.object({
  id: Uuid, name: z.string(), role: z.enum(ROLES), token: z.string().describe("shown once"), createdAt: Time.optional(), expiresAt: When.optional(),
});
export const TokenList = z.object({
  tokens: z.array(z.object({
    id: Uuid, name: z.string(), role: z.enum(ROLES), instanceAdmin: z.boolean(), createdAt: Time, lastUsedAt: When, expiresAt: When, revokedAt: When,
  })),
});
export const AuditLog = z.object({
  entries: z.array(z.object({
    id: Uuid, at: Time, actor: z.string(), action: z.string(), subject: z.object({ kind: z.string(), id: z.string().nullable() }), detail: z.unknown(),
  })),
  next: Uuid.nullable().describe("cursor for ?before= (older entries)"),
});

const ImportField = z.enum(IMPORT_FIELDS);
export const MemberImport = z.object({
  id: Uuid, fileName: z.string(), format: z.enum(["csv", "xlsx"]),
  encoding: z.enum(["utf-8-bom", "utf-8", "shift_jis", "xlsx"]).describe("how the file was written, as detected"),
  header: z.array(z.string()).describe("row 1 of the file"), rowCount: z.number().int().describe("rows below the header"),
  preview: z.array(z.array(z.string())).describe("the first rows below the header (an empty array once committed)"),
  mapping: z.array(ImportField.nullable()).describe("per column: the member field it holds (guessed from the header at upload), or null"),
  options: z.object({ channel: z.enum(IMPORT_CHANNEL_KINDS), every: z.enum(INTERVALS), weekday: z.number().int().optional(), at: z.string() }),
  status: z.enum(IMPORT_STATUSES),
  progress: z.object({ done: z.number().int(), total: z.number().int() }).describe("rows done by the running check or commit"),
  problems: z.array(z.object({
    row: z.number().int().describe("spreadsheet row number (the header is row 1)"), field: ImportField, code: z.enum(IMPORT_PROBLEM_CODES),
    value: z.string().optional().describe("the cell as read (cut at 60 characters)"),
  })).describe("every bad row, each problem once; the commit needs none"),
  warnings: z.array(z.object({
    row: z.number().int(), code: z.literal("likely_duplicate"), reason: z.enum(["name_and_birth_date", "phone"]),
    memberId: Uuid.optional(), memberName: z.string().optional(), otherRow: z.number().int().optional(),
  })).describe("rows that are likely someone registered already, or another row: imported all the same"),
  summary: z.object({
    rows: z.number().int(), create: z.number().int(), update: z.number().int().describe("rows whose externalId names a member"),
    problems: z.number().int().describe("bad rows"), warnings: z.number().int(),
  }).nullable(),
  failure: z.enum(IMPORT_FAILURES).nullable().describe("why the import failed: a number was registered meanwhile, a server fault, its step was cut short (check again), or its rows expired after 7 days without a commit"),
  createdBy: z.string(), createdAt: Time, updatedAt: Time,
}).meta({ id: "MemberImport" });
const File = z.string().describe("the file's bytes (text/csv or xlsx), as an attachment");

const ChannelHealth = z.array(z.object({
  kind: z.string().describe("the channel kind (line, sms, voice, email)"),
  lastSuccessAt: z.string().nullable(), lastFailureAt: z.string().nullable(),
  lastErrorCode: z.string().nullable(), lastError: z.string().nullable(),
  credentialsRefusedAt: z.string().nullable().describe("set while the provider refuses the credentials (cleared by a success)"),
})).describe("each channel kind's last success and failure, from the deliveries");
export const LineChannel = z.object({
  kind: z.literal("line"), configured: z.boolean(), webhookPath: z.string(), settings: z.record(z.string(), z.unknown()).optional(),
  health: ChannelHealth.optional(),
});
export const ProviderChannel = z.object({
  kind: z.enum(["twilio", "email"]), configured: z.boolean(), settings: z.record(z.string(), z.unknown()).optional(),
  webhookBase: z.string().optional().describe("Twilio: where its webhooks go"),
  health: ChannelHealth.optional(),
});

export const Branding = z.object({
  serviceName: z.string().nullable().describe("the service name members read; null: the default"),
  defaultServiceName: z.object({ ja: z.string(), en: z.string() }),
  logo: z.object({ contentType: z.string(), updatedAt: z.string(), path: z.string().describe("our own address of the image (public)") }).nullable(),
});
const TermsVersion = z.object({
  id: Uuid, version: z.string(), body: z.string().nullable(), url: z.string().nullable(), publishedAt: z.string(), publishedBy: z.string(),
});
export const Terms = z.object({
  current: TermsVersion.nullable().describe("the latest published version; null: none published"),
  versions: z.array(TermsVersion).describe("newest first"),
  members: z.number().int().describe("active members"),
  agreed: z.number().int().describe("active members whose recorded agreement is to the current version"),
});
export const TermsPublished = z.object({
  id: Uuid, version: z.string(),
  asked: z.number().int().describe("members asked to agree on LINE, SMS or e-mail"),
  byStaff: z.number().int().describe("phone-only members: staff ask them and record the agreement on the member's page"),
});
const Image = z.string().describe("the image's bytes (image/png, image/jpeg or image/webp)");

export const Deliveries = z.object({
  deliveries: z.array(z.object({
    id: Uuid, recipient: z.object({ kind: z.string(), id: z.string() }), channel: z.string(), kind: z.enum(MESSAGE_KINDS), outcome: z.string().nullable(),
    error: z.string().nullable(), code: z.enum(DELIVERY_ERROR_CODES).nullable().describe("why it failed, as a code"),
    reason: z.enum(CANCEL_REASONS).nullable().describe("why it was cancelled"),
    attempts: z.number().int(), at: Time, incidentId: Uuid.nullable(), checkinId: Uuid.nullable(),
  })),
});

/** A setup problem or a registration warning: a stable code and a sentence, Japanese first. */
export const SetupCheck = z.object({
  code: z.string().describe(`a stable code: ${SETUP_CHECK_CODES.join(", ")}, or a context's (README, Setup checks)`), message: z.string(), teamId: Uuid.optional(), channelKind: z.string().optional(),
  count: z.number().int().optional(), field: z.string().optional(),
}).meta({ id: "SetupCheck" });
export const SetupChecks = z.object({ checks: z.array(SetupCheck) });
export const LikelyDuplicate = z.object({
  memberId: Uuid, displayName: z.string(), reason: z.enum(["name_and_birth_date", "phone"]),
}).meta({ id: "LikelyDuplicate", description: "a registered member this one is likely the same person as" });
export const MemberCreated = Member.extend({
  warnings: z.array(SetupCheck).describe("channels that will deliver nothing here (the member is registered all the same)"),
  likelyDuplicates: z.array(LikelyDuplicate).describe("members with the same name and birth date, or a phone number in common (registered all the same)"),
}).meta({ id: "MemberCreated" });
export const BounceRecorded = z.object({ failed: z.literal(true) });

export const SandboxClock = z.object({ now: Time, running: z.boolean() });
export const SandboxMoved = z.object({ now: Time });
export const SandboxOutbox = z.object({
  messages: z.array(z.object({
    id: z.string().describe("delivery sequence number"), to: z.object({ kind: z.string(), id: z.string() }), channel: z.string(),
    kind: z.string(), text: z.string(), at: Time, dueAt: Time, payload: z.unknown(),
  })),
  cursor: z.string().describe("pass as ?since= for the next page"),
});
export const SandboxReplied = z.object({ answerId: Uuid, closedCheckins: z.number().int(), incidentId: Uuid.nullable() });

const BoardMember = z.object({ id: Uuid, displayName: z.string(), since: When.describe("when the member entered the bucket") });
const BoardBuckets = z.object(Object.fromEntries(BOARD_BUCKETS.map((b) => [b, z.array(BoardMember)])) as Record<(typeof BOARD_BUCKETS)[number], z.ZodArray<typeof BoardMember>>);
export const TodayBoard = z.object({
  date: z.string().describe("the organisation's local date, YYYY-MM-DD"),
  timeZone: z.string().describe("the organisation's IANA time zone"),
  at: Time,
  overdueVisits: z.array(Visit).describe("visits still to be done past their due time, the most overdue first"),
  teams: z.array(z.object({
    id: Uuid, name: z.string(),
    counts: z.object(Object.fromEntries([...BOARD_BUCKETS, "scheduled"].map((b) => [b, z.number().int()]))).describe("members per bucket; scheduled: in none"),
    members: BoardBuckets.describe("per bucket, up to ?limit= members, longest waiting first (answered: newest first)"),
  })),
}).meta({ id: "TodayBoard" });
const ReportFigures = z.object({
  members: z.number().int().describe("members who had a check-in fall due"),
  checkinsAsked: z.number().int().describe("check-ins that fell due and were asked (paused members are not)"),
  checkinsAnswered: z.number().int(),
  responseRate: z.number().nullable().describe("answered ÷ asked, 0–1; null when nobody was asked"),
  fine: z.number().int().describe("元気です: answers 'ok' received"),
  contactRequested: z.number().int().describe("連絡希望: answers 'need_contact' received"),
  silentTwice: z.number().int().describe("２日続けて応答なし: no_answer incidents opened (no answer to a check-in nor its re-send)"),
  confirmedByVisit: z.number().int().describe("訪問による確認: incidents a visit settled (会えた・元気, 救急要請, or resolved visited_fine)"),
  incidentsOpened: z.number().int(),
  broadcastRecipients: z.number().int().describe("members the month's broadcasts went to (one per broadcast and member; drills not counted)"),
  broadcastSafe: z.number().int().describe("of them, answered 無事 (safe)"),
  broadcastNeedHelp: z.number().int().describe("of them, answered 助けが必要 (need help)"),
  resolvedByOutcome: z.partialRecord(z.enum(OUTCOMES), z.number().int()).describe("incidents resolved in the month, by outcome"),
  medianAcknowledgeMs: z.number().nullable().describe("median ms from opened to acknowledged; null when none"),
  medianResolveMs: z.number().nullable().describe("median ms from opened to resolved; null when none"),
}).meta({ id: "ReportFigures" });
const MemberNoteView = z.object({
  id: Uuid, note: z.string(), createdBy: z.string().describe("who wrote it: person:<name>:<id> or token:<name>:<id>"), createdAt: Time,
}).meta({ id: "MemberNote" });
export const MemberExport = z.object({
  memberId: Uuid, exportedAt: Time,
  sections: z.record(z.string(), z.array(z.record(z.string(), z.unknown())))
    .describe("section (member, contacts, checkins, answers, incidents, incident_events, notes, visits, observations, consents, disclosures…) → rows as stored"),
}).meta({ id: "MemberExport" });
export const ErasureResult = z.object({
  incidentsKept: z.number().int().describe("incidents within the retention period, kept anonymised"),
  incidentsDeleted: z.number().int(),
  tombstone: z.boolean().describe("the member row stays, emptied, because incidents were kept"),
  counts: z.record(z.string(), z.number().int()).describe("table → rows deleted or anonymised"),
  retentionYears: z.number().int(),
}).meta({ id: "ErasureResult" });
export const MemberNotes = z.object({ notes: z.array(MemberNoteView).describe("newest first") });
export const MonthlyReport = z.object({
  timeZone: z.string().describe("the organisation's IANA time zone; months are its calendar months"),
  months: z.array(z.object({
    month: z.string().describe("YYYY-MM"),
    teams: z.array(z.object({ teamId: Uuid, teamName: z.string(), figures: ReportFigures })),
    broadcasts: z.array(z.object({
      id: Uuid, sentAt: Time, text: z.string(), question: z.boolean().describe("asked 無事ですか？"),
      drill: z.boolean().describe("an exercise (訓練): listed, labelled, and not counted in the teams' broadcast figures nor the total"),
      recipients: z.number().int(), safe: z.number().int(), needHelp: z.number().int(),
    })).describe("broadcasts sent in the month, oldest first, tallied over the report's teams"),
    total: ReportFigures.describe("the report's teams pooled"),
  })),
}).meta({ id: "MonthlyReport" });
/** The content types of the files exports answer with (CSV UTF-8, CSV Shift_JIS, xlsx). */
export const FILE_TYPES = {
  csv: "text/csv; charset=utf-8", "csv-sjis": "text/csv; charset=shift_jis",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
} as const;
export const EventStream = z.string().describe("text/event-stream");

export const Person = z.object({
  id: Uuid, displayName: z.string(), loginId: z.string(), email: z.string().nullable().describe("where e-mailed invitations go"), role: z.enum(PERSON_ROLES), teamIds: z.array(Uuid),
  status: z.enum(["invited", "active", "locked", "deactivated"]), lockedUntil: When, createdAt: Time, createdBy: z.string(),
  onDuty: z.boolean().describe("staff and admins: team alerts reach them now; false for other roles"),
}).meta({ id: "Person" });
export const DutyChannel = z.object({
  id: Uuid, kind: z.enum(DUTY_CHANNEL_KINDS), address: z.string().describe("E.164 for sms and voice"), createdAt: Time,
  lastTest: z.object({ at: Time, status: z.enum(["pending", "sent", "failed", "cancelled"]), error: z.string().nullable() }).nullable()
    .describe("the latest test message asked for; null when none"),
}).meta({ id: "DutyChannel" });
export const Duty = z.object({
  personId: Uuid, displayName: z.string(), onDuty: z.boolean(), teamIds: z.array(Uuid).describe("the teams whose alerts reach this person while on duty"),
  channels: z.array(DutyChannel),
}).meta({ id: "Duty", description: "A staff member's duty: on or off, and the channels team alerts reach them on" });
export const DutyBoard = z.object({
  teams: z.array(z.object({
    teamId: Uuid, staff: z.number().int().describe("staff and admins of the team who can sign in"),
    onDuty: z.array(z.object({ personId: Uuid, displayName: z.string(), channels: z.number().int().describe("0: alerts cannot reach them") })),
  })),
}).meta({ id: "DutyBoard" });
export const TestQueued = z.object({ queuedAt: Time.describe("the engine's time the test message was queued at (the outbox sends it)") });
export const PersonList = z.object({ people: z.array(Person) });
export const InvitationLink = z.object({
  code: z.string().nullable().describe("shown once; null when the invitation was e-mailed"),
  url: z.string().nullable().describe("the console's page that accepts it (shown once); null when e-mailed"),
  sentTo: z.string().nullable().describe("the address the invitation was e-mailed to (queued in the outbox); null when shown"),
  expiresAt: Time,
});
export const PersonInvited = z.object({ person: Person, invitation: InvitationLink });
export const SignedIn = z.object({
  person: Person, csrfToken: z.string().describe("echo it in x-csrf-token on every write"), expiresAt: Time.describe("unless used again before"),
});
export const SessionInfo = z.object({
  person: Person.nullable(), organisationId: Uuid, organisationName: z.string(), timeZone: z.string().describe("the organisation's IANA time zone"),
  sessionId: Uuid.optional(), csrfToken: z.string().optional(),
});
export const SessionList = z.object({
  sessions: z.array(z.object({
    id: Uuid, createdAt: Time, lastSeenAt: Time, expiresAt: Time, ip: z.string().nullable(), userAgent: z.string().nullable(), current: z.boolean(),
  })),
});
export const ReportSubscription = z.object({
  id: z.uuid(),
  email: z.string().nullable().describe("the address subscribed; null when it is a person's"),
  personId: z.uuid().nullable(),
  personName: z.string().nullable(),
  sendsTo: z.string().nullable().describe("where the next mail goes (the person's current e-mail address); null: nowhere, nothing is sent"),
  nextSendAt: z.string().describe("when the last month's report is mailed next: the 1st, 08:00 in the organisation's time zone"),
  createdAt: z.string(),
}).meta({ id: "ReportSubscription" });
export const ReportSubscriptionList = z.object({ subscriptions: z.array(ReportSubscription) });
export const Ended = z.object({ ended: z.number().int().describe("sessions ended") });
export const PasskeyOptions = z.object({
  challengeId: Uuid.describe("send it back with the browser's answer; valid 5 minutes, once"),
  options: z.looseObject({ challenge: z.string() }).describe("for navigator.credentials (@simplewebauthn/browser's optionsJSON)"),
});
export const Passkey = z.object({
  id: Uuid, name: z.string(), deviceType: z.enum(["singleDevice", "multiDevice"]).describe("multiDevice: synced between the person's devices"),
  backedUp: z.boolean(), createdAt: Time, lastUsedAt: When,
}).meta({ id: "Passkey" });
export const PasskeyList = z.object({ passkeys: z.array(Passkey) });
export const InvitationInfo = z.object({
  organisationName: z.string(), timeZone: z.string().describe("the organisation's IANA time zone"), displayName: z.string(), loginId: z.string(), expiresAt: Time,
  totp: z.object({ secret: z.string().describe("base32, to type into an authenticator app"), uri: z.string().describe("otpauth:// URI (as a QR code)") }),
});

/** The empty answer of a 204. */
export const NoContent = z.null().describe("No content");

/**
 * What each operation answers, by `METHOD /path` under /api/v1 (the route's own
 * path syntax). buildApp attaches these to the routes, so route files stay about
 * requests; an operation missing here is documented with a bare 200 and, when
 * responses are checked, fails on its first answer.
 */
const contextResponses: Record<string, Record<number, z.ZodType>> = {};

/** Adds a bounded context's answers (`METHOD /path` → status → schema); a key the core has is a fault. */
export function addResponses(entries: Readonly<Record<string, Record<number, z.ZodType>>>): void {
  for (const [key, answers] of Object.entries(entries)) {
    if (key in RESPONSES) throw new Error(`route ${key} is the core's`);
    contextResponses[key] = answers;
  }
}

/** The documented answers of `METHOD /path`: the core's table, then the registered contexts'. */
export function responsesOf(key: string): Record<number, z.ZodType> | undefined {
  return RESPONSES[key] ?? contextResponses[key];
}

export const RESPONSES: Record<string, Record<number, z.ZodType>> = {
  "POST /members": { 201: MemberCreated },
  "POST /members/bulk": { 201: BulkCreated },
  "GET /members": { 200: MemberList },
  "GET /members/:id": { 200: z.union([Member, WatcherMember]).describe("the member; for a watcher, WatcherMember") },
  "PATCH /members/:id": { 200: Member },
  "DELETE /members/:id": { 204: NoContent },
  "POST /members/:id/pause": { 200: Member },
  "POST /members/:id/resume": { 200: Member },
  "POST /members/:id/answers": { 201: AnswerRecorded, 200: AnswerDuplicate },
  "GET /members/:id/history": { 200: MemberHistory },
  "GET /members/:id/observations": { 200: Observations },
  "GET /members/:id/contacts": { 200: ContactList },
  "GET /contacts": { 200: OrganisationContactList },
  "POST /members/:id/contacts": { 201: Contact },
  "PATCH /contacts/:id": { 200: Contact },
  "POST /contacts/:id/invitation": { 201: Invitation },
  "POST /contacts/:id/confirmation-request": { 202: Requested },
  "DELETE /contacts/:id": { 204: NoContent },
  "GET /teams": { 200: TeamList },
  "POST /teams": { 201: Team },
  "GET /teams/:id": { 200: Team },
  "PATCH /teams/:id": { 200: Team },
  "DELETE /teams/:id": { 204: NoContent },
  "GET /escalation-policy": { 200: Policies },
  "PUT /escalation-policy": { 200: Policies },
  "DELETE /escalation-policy": { 200: Policies },
  "GET /escalation-policy/preview": { 200: PolicyPreview },
  "POST /escalation-policy/preview": { 200: PolicyPreview },
  "GET /message-templates": { 200: MessageTemplates },
  "PUT /message-templates/:kind/:channel": { 200: MessageTemplate },
  "DELETE /message-templates/:kind/:channel": { 200: MessageTemplate },
  "POST /message-templates/preview": { 200: TemplatePreview },
  "GET /teams/:id/escalation-policy": { 200: Policies },
  "PUT /teams/:id/escalation-policy": { 200: TeamOverride },
  "DELETE /teams/:id/escalation-policy": { 204: NoContent },
  "GET /groups": { 200: GroupList },
  "POST /groups": { 201: GroupWithMembers },
  "GET /groups/:id": { 200: GroupWithMembers },
  "PATCH /groups/:id": { 200: GroupWithMembers },
  "POST /groups/:id/approve": { 200: GroupWithMembers },
  "GET /groups/:id/rounds": { 200: GroupRounds },
  "DELETE /groups/:id": { 204: NoContent },
  "GET /incidents": { 200: IncidentList },
  "GET /incidents/:id": { 200: Incident },
  "POST /incidents/:id/ack": { 200: Incident },
  "POST /incidents/:id/resolve": { 200: Incident },
  "POST /broadcasts": { 201: BroadcastCreated },
  "GET /broadcasts": { 200: BroadcastList },
  "GET /broadcasts/:id": { 200: BroadcastDetail },
  "GET /broadcasts/:id/recipients": { 200: BroadcastRecipients },
  "POST /broadcasts/:id/answers": { 201: BroadcastAnswered },
  "POST /broadcasts/preview": { 200: BroadcastPreview },
  "POST /broadcasts/cap-draft": { 200: CapDraft },
  "GET /broadcasts/:id/cap": { 200: CapFile },
  "POST /broadcasts/:id/follow-up": { 200: BroadcastFollowUp, 201: BroadcastFollowUp },
  "GET /organisation": { 200: Organisation },
  "PATCH /organisation": { 200: OrganisationSettings },
  "POST /organisations": { 201: OrganisationCreated },
  "POST /tokens": { 201: TokenCreated },
  "GET /tokens": { 200: TokenList },
  "DELETE /tokens/:id": { 204: NoContent },
  "GET /audit-log": { 200: AuditLog },
  "GET /audit-log/export": { 200: File },
  "POST /member-imports": { 201: MemberImport },
  "GET /member-imports/:id": { 200: MemberImport },
  "POST /member-imports/:id/check": { 202: MemberImport },
  "POST /member-imports/:id/commit": { 202: MemberImport },
  "GET /members/export": { 200: File },
  "GET /channels/line": { 200: LineChannel },
  "PUT /channels/line": { 200: LineChannel },
  "DELETE /channels/line": { 204: NoContent },
  "GET /channels/twilio": { 200: ProviderChannel },
  "PUT /channels/twilio": { 200: ProviderChannel },
  "DELETE /channels/twilio": { 204: NoContent },
  "GET /channels/email": { 200: ProviderChannel },
  "PUT /channels/email": { 200: ProviderChannel },
  "DELETE /channels/email": { 204: NoContent },
  "GET /deliveries/failed": { 200: Deliveries },
  "GET /deliveries/cancelled": { 200: Deliveries },
  "GET /organisation/setup-checks": { 200: SetupChecks },
  "POST /deliveries/bounces": { 202: BounceRecorded },
  "GET /sandbox/clock": { 200: SandboxClock },
  "POST /sandbox/clock": { 200: SandboxMoved },
  "GET /sandbox/outbox": { 200: SandboxOutbox },
  "POST /sandbox/reply": { 200: SandboxReplied },
  "GET /today": { 200: TodayBoard },
  "GET /today/events": { 200: EventStream },
  "GET /reports/monthly": { 200: MonthlyReport },
  "GET /reports/monthly/export": { 200: File },
  "GET /reports/subscriptions": { 200: ReportSubscriptionList },
  "POST /reports/subscriptions": { 201: ReportSubscription },
  "DELETE /reports/subscriptions/:id": { 204: NoContent },
  "GET /members/:id/notes": { 200: MemberNotes },
  "POST /members/:id/notes": { 201: MemberNoteView },
  "GET /members/:id/export": { 200: z.union([MemberExport, File]) },
  "POST /members/:id/erasure": { 200: ErasureResult },
  "POST /incidents/:id/notes": { 201: Incident },
  "POST /incidents/ack": { 200: BulkAcked },
  "POST /incidents/:id/calls": { 201: Incident },
  "POST /incidents/:id/visits": { 201: Visit },
  "GET /visits": { 200: VisitList },
  "GET /visits/:id": { 200: Visit },
  "POST /visits/:id/accept": { 200: Visit },
  "POST /visits/:id/decline": { 200: Visit },
  "POST /visits/:id/outcome": { 200: Visit },
  "POST /visits/:id/cancel": { 200: Visit },
  "GET /watchers": { 200: WatcherList },
  "POST /sessions": { 201: SignedIn },
  "GET /session": { 200: SessionInfo },
  "DELETE /session": { 204: NoContent },
  "GET /sessions": { 200: SessionList },
  "POST /invitations/:code/passkey/options": { 200: PasskeyOptions },
  "POST /invitations/:code/passkey": { 201: SignedIn },
  "POST /sessions/passkey/options": { 200: PasskeyOptions },
  "POST /sessions/passkey": { 201: SignedIn },
  "GET /passkeys": { 200: PasskeyList },
  "POST /passkeys/options": { 200: PasskeyOptions },
  "POST /passkeys": { 201: Passkey },
  "DELETE /passkeys/:id": { 204: NoContent },
  "DELETE /sessions": { 200: Ended },
  "GET /invitations/:code": { 200: InvitationInfo },
  "POST /invitations/:code/accept": { 201: SignedIn },
  "GET /people": { 200: PersonList },
  "POST /people": { 201: PersonInvited },
  "GET /people/:id": { 200: Person },
  "PATCH /people/:id": { 200: Person },
  "POST /people/:id/invitation": { 201: InvitationLink },
  "DELETE /people/:id/sessions": { 200: Ended },
  "GET /me/duty": { 200: Duty },
  "PUT /me/duty": { 200: Duty },
  "POST /me/channels": { 201: DutyChannel },
  "DELETE /me/channels/:id": { 204: NoContent },
  "POST /me/channels/:id/test": { 202: TestQueued },
  "GET /people/:id/duty": { 200: Duty },
  "PUT /people/:id/duty": { 200: Duty },
  "POST /people/:id/channels": { 201: DutyChannel },
  "DELETE /people/:id/channels/:channelId": { 204: NoContent },
  "GET /duty": { 200: DutyBoard },
  "GET /branding": { 200: Branding },
  "PUT /branding": { 200: Branding },
  "PUT /branding/logo": { 200: Branding },
  "DELETE /branding/logo": { 204: NoContent },
  "GET /branding/:organisationId/logo": { 200: Image },
  "GET /terms": { 200: Terms },
  "POST /terms": { 201: TermsPublished },
};
