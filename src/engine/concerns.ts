/**
 * Concerns (issue 13, "One incident per person"): the core command the regional
 * network's partner reports and device rules call (src/network/ imports it; the
 * core never imports them). Rules: domain/concerns.ts.
 *
 * `raiseConcern` runs inside the caller's transaction:
 * - the same `key` twice (per organisation and member) adds nothing and returns
 *   the incident it went to the first time;
 * - a member with an unresolved incident: the concern joins it (`concern_joined`
 *   with source, urgency, summary, data and key), raises its urgency if more
 *   urgent (`urgency_raised`), and alerts those the concern's urgency names who
 *   were not told about the incident yet;
 * - otherwise it opens a `concern` incident (`opened` with the same data) at the
 *   mapped urgency and alerts the team, and for consult and emergency the
 *   contacts (domain/concerns.ts says whom).
 * Alerts are outbox rows of kind `alert` keyed `concern:<incident>:<recipient>`,
 * each with its "notified" event; when a row's turn comes its cause is checked
 * again (domain/causes.ts: an incident taken on or resolved, or the member
 * having answered since, cancels it).
 */
import { type AlertRecipient, reliableContacts } from "../domain/escalation.ts";
import { alreadyNotified, type ConcernSource, type ConcernUrgency, concernRecipients, incidentUrgencyOf } from "../domain/concerns.ts";
import { concernAlertText } from "../domain/messages.ts";
import type { Plan } from "../domain/schedule.ts";
import type { Db } from "../store/db.ts";
import type { ChannelAddress } from "../store/schema.ts";
import { addEvents, type IncidentEventRow, incidentEvent, lockMember, openIncident, raiseUrgency, unresolvedIncidentOf } from "./incident-log.ts";
import { loadTeamDuty, teamAlertRows } from "./on-duty.ts";
import { enqueue, type OutboxRow, outboxRow } from "./outbox.ts";
import { loadPolicies, policyFor } from "./policies.ts";
import { sql } from "kysely";

export type { ConcernSource } from "../domain/concerns.ts";

export interface Concern {
  organisationId: string;
  memberId: string;
  source: ConcernSource;
  urgency: ConcernUrgency;
  /** When it was noticed (the report's time, the last sign from the device). */
  at: Date;
  /** One line for the timeline and the alert (cut to 200 characters in the alert). */
  summary: string;
  /** The source's own facts (report id, device id, rule), kept on the timeline event. */
  data: Record<string, unknown>;
  /** Who raised it (`partner:<id>`, `device:<id>`), or null for the engine. */
  actor: string | null;
  /** The caller's idempotency key (a report's id, a rule firing's id). */
  key: string;
}

/** Raised on a member that is not in the organisation (callers match members first). */
export class ConcernMemberNotFound extends Error {
  constructor() {
    super("raiseConcern: no such member in this organisation");
  }
}

/** Join the member's unresolved incident or open a concern incident; see the file's docs. */
export async function raiseConcern(
  tx: Db,
  concern: {
    organisationId: string; memberId: string; source: ConcernSource; urgency: "watch" | "consult" | "emergency"; at: Date;
    summary: string; data: Record<string, unknown>; actor: string | null; key: string;
  },
  now: Date,
): Promise<{ incidentId: string; joined: boolean }> {
  const c: Concern = concern;
  if (!(await lockMember(tx, c.organisationId, c.memberId))) throw new ConcernMemberNotFound();
  const seen = await tx.selectFrom("incident_events").innerJoin("incidents", "incidents.id", "incident_events.incident_id")
    .select(["incident_events.incident_id", "incident_events.type"])
    .where("incidents.organisation_id", "=", c.organisationId).where("incidents.member_id", "=", c.memberId)
    .where("incident_events.type", "in", ["opened", "concern_joined"])
    .where(sql<string>`incident_events.data->>'concernKey'`, "=", c.key).executeTakeFirst();
  if (seen) return { incidentId: seen.incident_id, joined: seen.type === "concern_joined" };

  const event = { source: c.source, urgency: c.urgency, summary: c.summary, data: c.data, concernKey: c.key, noticedAt: c.at.toISOString() };
  const open = await unresolvedIncidentOf(tx, c.organisationId, c.memberId);
  let incidentId: string;
  if (open) {
    incidentId = open.id;
    await addEvents(tx, [incidentEvent(c.organisationId, open.id, now, "concern_joined", event, c.actor)]);
    await raiseUrgency(tx, { ...open, organisationId: c.organisationId }, incidentUrgencyOf(c.urgency), now, { source: c.source }, c.actor);
  } else {
    incidentId = await openIncident(tx, {
      organisationId: c.organisationId, memberId: c.memberId, checkinId: null, kind: "concern",
      urgency: incidentUrgencyOf(c.urgency), at: now, data: event,
    });
  }
  await alertAboutConcern(tx, c, incidentId, now);
  return { incidentId, joined: !!open };
}

/** Alert whom the concern's urgency names and who was not told about the incident yet. */
async function alertAboutConcern(tx: Db, c: Concern, incidentId: string, now: Date): Promise<void> {
  const member = await tx.selectFrom("members").select(["team_id", "display_name", "channels", "plan"])
    .where("id", "=", c.memberId).where("organisation_id", "=", c.organisationId).executeTakeFirstOrThrow();
  const contacts = await tx.selectFrom("contacts").select(["id", "channels", "confirmed_at"])
    .where("member_id", "=", c.memberId).where("organisation_id", "=", c.organisationId).orderBy("position").execute();
  const policy = policyFor((await loadPolicies(tx, [member.team_id]))(member.team_id), member.channels as ChannelAddress[]);
  const recipients = concernRecipients(c.urgency, policy, {
    teamId: member.team_id,
    contactIds: reliableContacts(contacts.map((x) => ({ id: x.id, confirmed: x.confirmed_at !== null }))).map((x) => x.id),
  });
  const notified = (await tx.selectFrom("incident_events").select("data").where("incident_id", "=", incidentId)
    .where("organisation_id", "=", c.organisationId).where("type", "=", "notified").execute())
    .map((e) => ((e.data as Record<string, unknown>).recipient ?? {}) as { kind?: unknown; id?: unknown; teamId?: unknown });
  const toTell = recipients.filter((r) => !alreadyNotified(r, notified));
  if (toTell.length === 0) return;

  const zone = (member.plan as Plan).timeZone;
  const message = {
    organisationId: c.organisationId, messageKind: "alert" as const, dueAt: now, now, incidentId,
    text: concernAlertText(member.display_name, c.source, c.summary, c.at, zone),
    payload: { incidentId, memberId: c.memberId, concern: c.source, urgency: c.urgency },
  };
  const rows: OutboxRow[] = [];
  const events: IncidentEventRow[] = [];
  for (const r of toTell as AlertRecipient[]) {
    const key = `concern:${incidentId}:${r.id}`;
    if (r.kind === "team") {
      const team = await tx.selectFrom("teams").select("channels").where("id", "=", r.id).executeTakeFirstOrThrow();
      const fanout = teamAlertRows({ ...message, key, teamId: r.id, incidentId }, team.channels as ChannelAddress[],
        (await loadTeamDuty(tx, [r.id])).get(r.id));
      rows.push(...fanout.rows);
      events.push(...fanout.events);
      continue;
    }
    const row = outboxRow({ ...message, key, recipient: r, channels: (contacts.find((x) => x.id === r.id)?.channels ?? []) as ChannelAddress[] });
    rows.push(row);
    events.push(incidentEvent(c.organisationId, incidentId, now, "notified", { recipient: r, channel: row.channel_kind }));
  }
  await enqueue(tx, rows);
  await addEvents(tx, events);
}
