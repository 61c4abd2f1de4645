/** A member's check-in state, derived from rows rather than stored twice. */
export type MemberState = "inactive" | "paused" | "scheduled" | "awaiting_answer" | "escalating";

export function memberState(p: {
  active: boolean;
  paused: boolean;
  openCheckins: { stepIndex: number; escalates: boolean }[];
  unresolvedIncidents: number;
}): MemberState {
  if (!p.active) return "inactive";
  if (p.unresolvedIncidents > 0 || p.openCheckins.some((c) => c.escalates && c.stepIndex > 0)) return "escalating";
  if (p.paused) return "paused";
  if (p.openCheckins.length > 0) return "awaiting_answer";
  return "scheduled";
}
