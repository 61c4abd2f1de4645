/** Loads the effective escalation policies for the (organisation, team) pairs of a batch. */
import { effectivePolicies, type Policy, type PolicyKind, type PolicySet } from "../domain/policy.ts";
import { anchorFor, DEFAULT_TIME_ZONE, nextDueAfter, type Plan } from "../domain/schedule.ts";
import { policyKindOfChannel, policyTimeline, SAMPLE_CHANNELS, type SampleChannel, type Timeline } from "../domain/timeline.ts";
import type { Db } from "../store/db.ts";
import type { ChannelAddress } from "../store/schema.ts";

export async function loadPolicies(tx: Db, teamIds: string[]): Promise<(teamId: string) => PolicySet> {
  const unique = [...new Set(teamIds)];
  const rows = unique.length
    ? await tx.selectFrom("teams").innerJoin("organisations", "organisations.id", "teams.organisation_id")
      .select(["teams.id as team_id", "teams.escalation_policies as team_policies", "organisations.escalation_policies as org_policies"])
      .where("teams.id", "in", unique).execute()
    : [];
  const byTeam = new Map(rows.map((r) => [
    r.team_id,
    effectivePolicies(r.org_policies as Partial<PolicySet> | null, r.team_policies as Partial<PolicySet> | null),
  ]));
  return (teamId) => byTeam.get(teamId) ?? effectivePolicies(null, null);
}

/** Members reached by phone follow the phone policy (call again the next day). */
export function policyKindFor(channels: ChannelAddress[]): PolicyKind {
  return channels[0]?.kind === "voice" ? "phone" : "standard";
}

export function policyFor(policies: PolicySet, channels: ChannelAddress[]): Policy {
  return policies[policyKindFor(channels)];
}

/** What the preview is asked for: unsaved policies (over the saved ones), a team's, how many contacts. */
export interface PreviewInput {
  policies?: Partial<PolicySet>;
  teamId?: string;
  contacts: number;
}

export interface PolicyPreview {
  timeZone: string;
  firstDueAt: Date;
  policies: PolicySet;
  channels: { channel: SampleChannel; policyKind: PolicyKind; timeline: Timeline }[];
}

/**
 * The timelines of a sample member on each channel (domain/timeline.ts): daily
 * at 09:00 in the organisation's zone from the next such slot, under `input.policies`
 * where given, else the team's (when `teamId`) or the organisation's saved ones.
 * Null when `teamId` names no team of the organisation.
 */
export async function previewPolicies(db: Db, organisationId: string, input: PreviewInput, now: Date): Promise<PolicyPreview | null> {
  const org = await db.selectFrom("organisations").select(["escalation_policies", "settings"]).where("id", "=", organisationId)
    .executeTakeFirstOrThrow();
  let team: Partial<PolicySet> | null = null;
  if (input.teamId) {
    const row = await db.selectFrom("teams").select("escalation_policies").where("id", "=", input.teamId)
      .where("organisation_id", "=", organisationId).executeTakeFirst();
    if (!row) return null;
    team = row.escalation_policies as Partial<PolicySet> | null;
  }
  const saved = effectivePolicies(org.escalation_policies as Partial<PolicySet> | null, team);
  const policies: PolicySet = { standard: input.policies?.standard ?? saved.standard, phone: input.policies?.phone ?? saved.phone };
  const zone = (org.settings as { timeZone?: string }).timeZone ?? DEFAULT_TIME_ZONE;
  const base: Omit<Plan, "anchorDate"> = { every: "1d", at: "09:00", timeZone: zone };
  const plan: Plan = { ...base, anchorDate: anchorFor(base, now) };
  const firstDueAt = nextDueAfter(plan, now);
  return {
    timeZone: zone, firstDueAt, policies,
    channels: SAMPLE_CHANNELS.map((channel) => {
      const policyKind = policyKindOfChannel(channel);
      return { channel, policyKind, timeline: policyTimeline(policies[policyKind], { plan, firstDueAt, channel, contacts: input.contacts }) };
    }),
  };
}
