/**
 * Setup checks: what will make alerts fail, found before it matters (issue 8).
 * Each check has a stable code (the console translates it) and a sentence in
 * Japanese then English. Served at GET /organisation/setup-checks, logged at
 * warn at start-up, and named in the `warnings` of a member registered on a
 * channel that cannot deliver.
 */
import { sql } from "kysely";
import type { Db } from "../store/db.ts";
import { loadTeamDuty } from "./on-duty.ts";
import type { ProviderKind } from "./ports.ts";
import type { ChannelAddress, ChannelKind } from "../store/schema.ts";

/** Which provider configuration carries each channel kind (the sandbox needs none, only sandbox mode). */
export const PROVIDER_OF = {
  sandbox: null, line: "line", voice: "twilio", sms: "twilio", email: "email",
} as const satisfies Record<ChannelKind, ProviderKind | null>;

export const SETUP_CHECK_CODES = [
  "team_unreachable",
  "nobody_on_duty",
  "channel_not_configured",
  "sandbox_channel_outside_sandbox",
  "credentials_refused",
  "public_url_unset",
] as const;
/**
 * Codes of the checks a context contributes (the network's `consent_missing`):
 * each context declares its codes by augmenting this interface, as with
 * ContextErrorCodes (http/errors.ts), and registers them with its source.
 */
// biome-ignore lint/suspicious/noEmptyInterface: augmented by bounded contexts
export interface ContextSetupCheckCodes {}
export type SetupCheckCode = (typeof SETUP_CHECK_CODES)[number] | keyof ContextSetupCheckCodes;

export interface SetupCheck {
  code: SetupCheckCode;
  message: string;
  teamId?: string;
  channelKind?: string;
  /** How many members or contacts the problem affects. */
  count?: number;
  /** The request field a registration warning is about. */
  field?: string;
}

/** What the instance knows about itself that the database does not. */
export interface SetupEnvironment {
  sandbox: boolean;
  publicUrlSet: boolean;
}

/** The problem a set of channels has for an organisation with these providers configured; undefined when they can deliver. */
export function channelProblem(
  channels: ChannelAddress[], configured: ReadonlySet<string>, env: SetupEnvironment,
): { code: "channel_not_configured" | "sandbox_channel_outside_sandbox"; kind: ChannelKind } | undefined {
  if (env.sandbox) return undefined; // every kind is delivered by the sandbox unless a provider is set up
  for (const channel of channels) {
    const provider = PROVIDER_OF[channel.kind];
    if (provider === null) return { code: "sandbox_channel_outside_sandbox", kind: channel.kind };
    if (!configured.has(provider)) return { code: "channel_not_configured", kind: channel.kind };
  }
  return undefined;
}

/** Sentences for a channel problem, Japanese first. */
export function channelProblemMessage(problem: { code: string; kind: string }, subject: { ja: string; en: string }): string {
  return problem.code === "sandbox_channel_outside_sandbox"
    ? `${subject.ja}の連絡手段は sandbox ですが、サンドボックスモードではないため届きません。/ ${subject.en}: the sandbox channel delivers nothing outside sandbox mode.`
    : `${subject.ja}の連絡手段 ${problem.kind} は、この組織で設定されていないため届きません。「チャネル設定」で設定してください。/ ` +
      `${subject.en}: ${problem.kind} is not configured for this organisation, so nothing will be delivered (set it up under /api/v1/channels).`;
}

export async function configuredProviders(db: Db, organisationId: string): Promise<Set<string>> {
  const rows = await db.selectFrom("channel_configs").select("kind").where("organisation_id", "=", organisationId).execute();
  return new Set(rows.map((r) => r.kind));
}

/**
 * A context's own checks for one organisation (they come after the core's). The
 * composition root registers them (`addSetupCheckSource`); the core never imports
 * a context.
 */
export interface SetupCheckSource {
  /** Registering the same name again replaces the source (a second service in one process). */
  name: string;
  checks(db: Db, organisationId: string, now: Date): Promise<SetupCheck[]>;
}

const sources = new Map<string, SetupCheckSource>();

export function addSetupCheckSource(source: SetupCheckSource): void {
  sources.set(source.name, source);
}

/** Every check for one organisation, most serious first; the contexts' checks last. */
export async function setupChecks(db: Db, organisationId: string, env: SetupEnvironment, now: Date): Promise<SetupCheck[]> {
  const checks = await coreSetupChecks(db, organisationId, env);
  for (const source of sources.values()) checks.push(...await source.checks(db, organisationId, now));
  return checks;
}

async function coreSetupChecks(db: Db, organisationId: string, env: SetupEnvironment): Promise<SetupCheck[]> {
  const checks: SetupCheck[] = [];
  const configured = await configuredProviders(db, organisationId);

  const teams = await db.selectFrom("teams").select(["id", "name", "channels"]).where("organisation_id", "=", organisationId)
    .orderBy("created_at").execute();
  const duty = await loadTeamDuty(db, teams.map((t) => t.id));
  for (const team of teams) {
    const channels = team.channels as ChannelAddress[];
    const deliverable = channels.filter((c) => !channelProblem([c], configured, env));
    const { staff, onDuty } = duty.get(team.id) ?? { staff: 0, onDuty: [] };
    // On-duty people reached on at least one channel that can deliver here (engine/on-duty.ts).
    const reached = onDuty.filter((p) => p.channels.some((c) => !channelProblem([{ kind: c.kind as ChannelKind, address: c.address }], configured, env)));
    if (deliverable.length === 0 && reached.length === 0) {
      checks.push({
        code: "team_unreachable", teamId: team.id,
        message: `チーム「${team.name}」には届けられる連絡手段がなく、当番中で連絡先のある担当者もいません。アラートは誰にも届きません。` +
          `担当者が「自分の連絡先」で連絡先を登録して当番にするか、チームの連絡手段（メール・電話・LINE）を登録してください。/ ` +
          `Team "${team.name}" has no channel that can deliver and nobody on duty with one: its alerts reach nobody. ` +
          `Staff register their channels and go on duty (PUT /api/v1/me/duty), or register the team's channels (PATCH /api/v1/teams/${team.id}).`,
      });
    } else if (staff > 0 && reached.length === 0) {
      checks.push({
        code: "nobody_on_duty", teamId: team.id, count: staff,
        message: `チーム「${team.name}」の担当者 ${staff}人のうち、当番中で届く連絡先のある人がいません。アラートはチームの連絡手段にしか届かず、記録上は「届かなかった」になります。/ ` +
          `Team "${team.name}" has ${staff} staff member(s), none on duty with a channel that can deliver: alerts reach only the team's own address, and count as failed deliveries.`,
      });
    }
  }

  const refused = await db.selectFrom("channel_health").select(["kind", "last_error"]).where("organisation_id", "=", organisationId)
    .where("credentials_refused_at", "is not", null).execute();
  for (const r of refused) {
    checks.push({
      code: "credentials_refused", channelKind: r.kind,
      message: `${r.kind} が認証情報を拒否しています。設定を確認してください。/ ${r.kind} refuses the organisation's credentials (${r.last_error ?? ""}).`,
    });
  }

  // Channel kinds in use by members and contacts, with counts.
  const used = (await sql<{ kind: ChannelKind; people: string }>`
    select c.kind, count(distinct c.owner) as people from (
      select m.id as owner, ch->>'kind' as kind from members m, jsonb_array_elements(m.channels) ch
        where m.organisation_id = ${organisationId} and m.active
      union all
      select k.id as owner, ch->>'kind' as kind from contacts k, jsonb_array_elements(k.channels) ch
        where k.organisation_id = ${organisationId}
    ) c group by c.kind order by c.kind`.execute(db)).rows;
  for (const { kind, people } of used) {
    const problem = channelProblem([{ kind, address: "" }], configured, env);
    if (problem) {
      checks.push({
        code: problem.code, channelKind: kind, count: Number(people),
        message: channelProblemMessage(problem, { ja: `利用者・連絡先 ${Number(people)}人`, en: `${Number(people)} member(s) or contact(s)` }),
      });
    }
  }
  const linksSent = used.some((u) => u.kind === "sms" || u.kind === "email") || configured.has("twilio");
  if (!env.publicUrlSet && !env.sandbox && linksSent) {
    checks.push({
      code: "public_url_unset",
      message: "MIMAMORI_PUBLIC_URL が未設定です。SMS・メールのリンクや電話の Webhook が外から届きません。/ MIMAMORI_PUBLIC_URL is not set: links in SMS and e-mail, and Twilio's webhooks, point at this machine only.",
    });
  }
  return checks;
}

/**
 * Warnings for one registration: the member's and each contact's channels that
 * cannot deliver here (the registration still succeeds; the warning says why
 * nothing will arrive).
 */
export async function registrationWarnings(
  db: Db, organisationId: string, member: { channels: ChannelAddress[]; contacts?: { channels: ChannelAddress[] }[] }, env: SetupEnvironment,
): Promise<SetupCheck[]> {
  const configured = await configuredProviders(db, organisationId);
  const warnings: SetupCheck[] = [];
  type Subject = [ChannelAddress[], string, { ja: string; en: string }];
  const subjects: Subject[] = [
    [member.channels, "channels", { ja: "この利用者", en: "This member" }],
    ...(member.contacts ?? []).map((c, i): Subject => [c.channels, `contacts.${i}.channels`, { ja: `連絡先 ${i + 1}`, en: `Contact ${i + 1}` }]),
  ];
  for (const [channels, field, subject] of subjects) {
    for (const channel of channels) {
      const problem = channelProblem([channel], configured, env);
      if (problem) warnings.push({ code: problem.code, channelKind: channel.kind, field, message: channelProblemMessage(problem, subject) });
    }
  }
  return warnings;
}

/** The instance facts the checks need, from the configuration. */
export function setupEnvironment(config: { sandbox: boolean; publicUrl: string | undefined }): SetupEnvironment {
  return { sandbox: config.sandbox, publicUrlSet: !!config.publicUrl };
}
