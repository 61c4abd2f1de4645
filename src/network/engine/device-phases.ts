/**
 * The network's deciding-loop phases for devices (engine/phases.ts explains
 * phases): `device-silent` claims devices whose silence deadline passed and tells
 * their member's team (a `device_silent` message to the team's channels and the
 * people on duty, never to contacts); `device-inactivity` claims inactivity rules
 * that came due and raises a concern about the member (core `raiseConcern`).
 */
import { sql } from "kysely";
import type { DecidingPhase } from "../../engine/phases.ts";
import { loadTeamDuty, teamAlertRows } from "../../engine/on-duty.ts";
import { enqueue, type OutboxRow } from "../../engine/outbox.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import type { ChannelAddress } from "../../store/schema.ts";
import { deviceSilentText } from "../domain/devices.ts";
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
