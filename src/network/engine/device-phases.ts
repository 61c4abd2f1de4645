/**
 * The network's deciding-loop phases for devices (engine/phases.ts explains
 * phases): `device-silent` claims devices whose silence deadline passed and tells
 * their member's team (a `device_silent` message to the team's channels and the
 * people on duty, never to contacts); `device-inactivity` claims inactivity rules
 * that came due and raises a concern about the member (core `raiseConcern`).
 * `deviceSilentCause` re-checks a queued device_silent task when its turn comes
 * (core engine/causes.ts `addCauseCheck`).
 */
import { sql } from "kysely";
import type { CancelReason } from "../../domain/causes.ts";
import type { CauseCheck } from "../../engine/causes.ts";
import type { DecidingPhase } from "../../engine/phases.ts";
import { loadTeamDuty, teamAlertRows } from "../../engine/on-duty.ts";
import { enqueue, type OutboxRow } from "../../engine/outbox.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import type { ChannelAddress } from "../../store/schema.ts";
import { raiseConcern } from "../../engine/concerns.ts";
import { deviceSilentText, inactivitySummary } from "../domain/devices.ts";
import "../store/schema.ts";

/** Marks due devices silent and queues the team's task; returns how many were claimed and queued. */
export async function markSilentDevices(db: Db, now: Date, limit: number): Promise<{ claimed: number; queued: number }> {
  return inTransaction(db, async (tx) => {
    const due = await tx.selectFrom("network_devices").select(["id", "organisation_id", "member_id", "kind", "name", "availability"])
      .where("silent_check_at", "<=", now).orderBy("silent_check_at").limit(limit).forUpdate().skipLocked().execute();
    if (due.length === 0) return { claimed: 0, queued: 0 };
    const members = await tx.selectFrom("members").innerJoin("teams", (j) => j.onRef("teams.id", "=", "members.team_id"))
      .select(["members.id", "members.display_name", "members.team_id", "teams.channels"])
      .where("members.id", "in", [...new Set(due.map((d) => d.member_id))]).execute();
    const byId = new Map(members.map((m) => [m.id, m]));
    const duty = await loadTeamDuty(tx, [...new Set(members.map((m) => m.team_id))]);
    const rows: OutboxRow[] = [];
    for (const d of due) {
      const member = byId.get(d.member_id);
      if (!member) continue;
      rows.push(...teamAlertRows({
        organisationId: d.organisation_id, key: `device_silent:${d.id}:${now.toISOString()}`, teamId: member.team_id, messageKind: "device_silent",
        text: deviceSilentText(member.display_name, d.name, d.kind, d.availability === "offline"),
        payload: { memberId: d.member_id, deviceId: d.id, teamId: member.team_id }, dueAt: now, now,
      }, member.channels as ChannelAddress[], duty.get(member.team_id)).rows);
    }
    await enqueue(tx, rows);
    await sql`update network_devices set silent_since = ${now}, silent_check_at = null
      where id = any(${due.map((d) => d.id)}::uuid[])`.execute(tx);
    return { claimed: due.length, queued: rows.length };
  });
}

export const deviceSilentPhase: DecidingPhase = {
  name: "device-silent",
  deadlines: [{ table: "network_devices", column: "silent_check_at" }],
  run: (db, now, limit) => markSilentDevices(db, now, limit),
};

/**
 * A queued device_silent task is still needed only while its device is silent
 * since the task was queued (DESIGN-NOTES: everything queued re-checks its cause):
 * a device that reported since (its silence cleared, or a newer silence with a
 * task of its own) gives `device_reported`; one removed, or no longer the
 * member's, gives `device_removed`. A member who left is the core's rule
 * (domain/causes.ts). One query per batch.
 */
export const deviceSilentCause: CauseCheck = {
  name: "network.device_silent",
  kinds: ["device_silent"],
  async gone(tx, rows) {
    const deviceOf = (r: { payload: Record<string, unknown> }) => (typeof r.payload.deviceId === "string" ? r.payload.deviceId : undefined);
    const ids = [...new Set(rows.map(deviceOf).filter((x): x is string => x !== undefined))];
    const devices = new Map(ids.length === 0 ? [] : (await tx.selectFrom("network_devices").select(["id", "organisation_id", "member_id", "silent_since"])
      .where("id", "in", ids).execute()).map((d) => [d.id, d]));
    const gone = new Map<string, CancelReason>();
    for (const row of rows) {
      const device = devices.get(deviceOf(row) ?? "");
      if (!device || device.organisation_id !== row.organisation_id || device.member_id !== row.payload.memberId) gone.set(row.id, "device_removed");
      else if (device.silent_since === null || device.silent_since > row.created_at) gone.set(row.id, "device_reported");
    }
    return gone;
  },
};

/**
 * Fires due inactivity rules: for each, a concern about the member (core
 * `raiseConcern`: joins the member's unresolved incident or opens one and alerts
 * through the member's escalation policy). A rule of a silent or offline device is
 * suspended instead (device silent is not person inactive: the team has its task);
 * it is armed again when the device reports. A device that never reported is
 * suspended the same way.
 */
export async function fireInactivityRules(db: Db, now: Date, limit: number): Promise<{ claimed: number; queued: number }> {
  return inTransaction(db, async (tx) => {
    const due = await tx.selectFrom("network_device_rules as r")
      .innerJoin("network_devices as d", (j) => j.onRef("d.id", "=", "r.device_id").onRef("d.organisation_id", "=", "r.organisation_id"))
      .select(["r.id", "r.organisation_id", "r.hours", "r.below_watts", "r.check_at", "d.id as device_id", "d.member_id", "d.kind", "d.name",
        "d.silent_since", "d.availability", "d.last_activity_at", "d.last_seen_at", "d.created_at"])
      .where("r.check_at", "<=", now).orderBy("r.check_at").limit(limit).forUpdate("r").skipLocked().execute();
    let fired = 0;
    for (const rule of due) {
      // Never reported, silent or offline: the device's silence, not the person's (the team has its task).
      const suspended = rule.last_seen_at === null || rule.silent_since !== null || rule.availability === "offline";
      if (!suspended) {
        const spec = { hours: rule.hours, ...(rule.below_watts !== null ? { belowWatts: rule.below_watts } : {}) };
        await raiseConcern(tx, {
          organisationId: rule.organisation_id, memberId: rule.member_id, source: "device_inactive", urgency: "consult",
          at: rule.last_activity_at ?? rule.created_at, summary: inactivitySummary(rule.name, rule.kind, spec),
          data: { deviceId: rule.device_id, rule: spec }, actor: `device:${rule.device_id}`,
          key: `device_rule:${rule.id}:${(rule.check_at as Date).toISOString()}`,
        }, now);
        fired++;
      }
      await tx.updateTable("network_device_rules").set({ check_at: null, ...(suspended ? {} : { fired_at: now }) })
        .where("organisation_id", "=", rule.organisation_id).where("id", "=", rule.id).execute();
    }
    return { claimed: due.length, queued: fired };
  });
}

export const deviceInactivityPhase: DecidingPhase = {
  name: "device-inactivity",
  deadlines: [{ table: "network_device_rules", column: "check_at" }],
  run: (db, now, limit) => fireInactivityRules(db, now, limit),
};
