/** Loads the effective escalation policies for the (organisation, team) pairs of a batch. */
import { effectivePolicies, type Policy, type PolicyKind, type PolicySet } from "../domain/policy.ts";
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
