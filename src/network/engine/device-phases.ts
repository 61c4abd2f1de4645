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
import { type DeviceKind, deviceSilentText, inactivitySummary } from "../domain/devices.ts";
import "../store/schema.ts";

interface SilentDevice { id: string; organisation_id: string; member_id: string; kind: DeviceKind; name: string; availability: string | null }
interface TeamMember { display_name: string; team_id: string; channels: unknown }

/** The outbox rows telling `member`'s team of its silent device `d` (the team's channels and who is on duty). */
function silentTaskRows(d: SilentDevice, member: TeamMember, duty: Awaited<ReturnType<typeof loadTeamDuty>>, key: string, now: Date): OutboxRow[] {
  return teamAlertRows({
    organisationId: d.organisation_id, key, teamId: member.team_id, messageKind: "device_silent",
    text: deviceSilentText(member.display_name, d.name, d.kind, d.availability === "offline"),
    payload: { memberId: d.member_id, deviceId: d.id, teamId: member.team_id }, dueAt: now, now,
  }, member.channels as ChannelAddress[], duty.get(member.team_id)).rows;
}

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
      rows.push(...silentTaskRows(d, member, duty, `device_silent:${d.id}:${now.toISOString()}`, now));
    }
    await enqueue(tx, rows);
    await sql`update network_devices set silent_since = ${now}, silent_check_at = null,
      silent_team_id = (select m.team_id from members m where m.id = network_devices.member_id)
      where id = any(${due.map((d) => d.id)}::uuid[])`.execute(tx);
    return { claimed: due.length, queued: rows.length };
  });
}

/**
 * Tells a member's new team of a device still silent since before the member
 * moved there (the old team was told; it no longer looks after the member):
 * claims silent devices whose `silent_team_id` is not their active member's team,
 * queues the task to that team and records it as told. A member who left is told
 * to nobody (the core's cause rule).
 */
export async function retellMovedSilentDevices(db: Db, now: Date, limit: number): Promise<{ claimed: number; queued: number }> {
  return inTransaction(db, async (tx) => {
    const moved = await tx.selectFrom("network_devices as d")
      .innerJoin("members as m", (j) => j.onRef("m.id", "=", "d.member_id").onRef("m.organisation_id", "=", "d.organisation_id"))
      .innerJoin("teams as t", (j) => j.onRef("t.id", "=", "m.team_id"))
      .select(["d.id", "d.organisation_id", "d.member_id", "d.kind", "d.name", "d.availability", "m.display_name", "m.team_id", "t.channels"])
      .where("d.silent_since", "is not", null).where("m.active", "=", true)
      .where((eb) => eb.or([eb("d.silent_team_id", "is", null), eb("d.silent_team_id", "!=", eb.ref("m.team_id"))]))
      .orderBy("d.id").limit(limit).forUpdate("d").skipLocked().execute();
    if (moved.length === 0) return { claimed: 0, queued: 0 };
    const duty = await loadTeamDuty(tx, [...new Set(moved.map((d) => d.team_id))]);
    const rows = moved.flatMap((d) => silentTaskRows(d, d, duty, `device_silent:${d.id}:team:${d.team_id}:${now.toISOString()}`, now));
    await enqueue(tx, rows);
    for (const d of moved) {
      await tx.updateTable("network_devices").set({ silent_team_id: d.team_id }).where("organisation_id", "=", d.organisation_id).where("id", "=", d.id).execute();
    }
    return { claimed: moved.length, queued: rows.length };
  });
}

/**
 * Due while a silent device's active member is in a team other than the one told:
 * its "deadline" is the silence's start, live only then (a move sets no deadline of
 * its own). The probe reads only the few silent devices (a partial index), in the
 * loop's one probe of every phase per turn, so an idle turn costs no transaction.
 */
export const deviceSilentMovedPhase: DecidingPhase = {
  name: "device-silent-moved",
  deadlines: [{
    table: "network_devices", column: "silent_since",
    where: sql`exists (select 1 from members m where m.id = network_devices.member_id and m.active
      and m.team_id is distinct from network_devices.silent_team_id)`,
  }],
  run: (db, now, limit) => retellMovedSilentDevices(db, now, limit),
};

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
