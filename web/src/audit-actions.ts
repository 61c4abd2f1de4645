/**
 * The families of audit actions (the part of an action code before its first
 * dot: `member` of `member.update`) that the audit log's 操作 filter offers, core
 * first, then the regional network's. test/web/format.test.ts fails when the code
 * writes an action whose family is missing here.
 */
export const AUDIT_FAMILIES = [
  "member", "member_import", "personal", "contact", "incident", "visit", "broadcast", "delivery", "group", "team", "policy", "person",
  "session", "passkey", "token", "channel", "duty", "template", "branding", "terms", "report", "report_subscription", "organisation",
  "audit_log",
  // The regional network (src/network).
  "network_report", "network_statistics", "partner", "registration_number", "keyholder", "finder", "device", "consent", "disaster",
  // The local-resources directory (src/directory): providers and services; needs, volunteers, referrals.
  "directory", "directory_need", "directory_volunteer", "directory_request", "directory_contact", "directory_referral",
  // Attendance at activities; providers' update links and their proposals.
  "directory_attendance", "directory_invitation", "directory_proposal",
  // The directory's own settings (年末年始).
  "directory_settings",
] as const;

/**
 * The static parts of an API route (`GET /members/:id/consents` → members,
 * consents): what the audit log names in words for a `personal.view` entry.
 */
export function routeParts(route: string): string[] {
  const path = route.split(" ").slice(1).join(" ");
  return path.split("/").filter((part) => part && !part.startsWith(":") && part !== "network");
}
