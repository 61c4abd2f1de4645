/**
 * The escalator: claims check-ins whose next action is due, runs the policy's
 * steps through the domain, and writes the new position, incidents, timeline
 * events and outbox rows in one transaction.
 */
import { sql } from "kysely";
import { escalate, type EscalationEffect, reliableContacts } from "../domain/escalation.ts";
import { noAnswerAlertText, resendText } from "../domain/messages.ts";
import type { Plan } from "../domain/schedule.ts";
import { type Db, inTransaction, preferIndexWalks } from "../store/db.ts";
import type { ChannelAddress } from "../store/schema.ts";
import { addEvents, type IncidentEventRow, incidentEvent, openIncident } from "./incident-log.ts";
import { enqueue, type OutboxRow, outboxRow } from "./outbox.ts";
import { loadPolicies, policyFor } from "./policies.ts";

export interface EscalationBatchResult {
  claimed: number;
  resends: number;
  alerts: number;
  incidentsOpened: number;
}

type MemberRow = {
  id: string;
  organisation_id: string;
  team_id: string;
  display_name: string;
  channels: ChannelAddress[];
  plan: Plan;
  last_prompted_at: Date | null;
};

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(key(row));
    if (list) list.push(row);
    else map.set(key(row), [row]);
  }
  return map;
}

export async function escalateDue(db: Db, now: Date, limit: number): Promise<EscalationBatchResult> {
  return inTransaction(db, async (tx) => {
    await preferIndexWalks(tx);
    const due = await tx.selectFrom("checkins")
      .select(["id", "organisation_id", "member_id", "due_at", "asked_at", "step_index", "next_action_at", "contact_cursor", "incident_id"])
      .where("next_action_at", "<=", now).orderBy("next_action_at").limit(limit).forUpdate().skipLocked().execute();
    const result = { claimed: due.length, resends: 0, alerts: 0, incidentsOpened: 0 };
    if (due.length === 0) return result;

    const memberIds = [...new Set(due.map((c) => c.member_id))].sort();
    // Locking the members serialises us with the scheduler, which reads last_prompted_at.
    const members = new Map((await tx.selectFrom("members")
      .select(["id", "organisation_id", "team_id", "display_name", "channels", "plan", "last_prompted_at"])
      .where("id", "in", memberIds).orderBy("id").forUpdate().execute()).map((m) => [m.id, m as unknown as MemberRow]));
    const contacts = await tx.selectFrom("contacts").select(["id", "member_id", "channels", "confirmed_at"])
      .where("member_id", "in", memberIds).orderBy("member_id").orderBy("position").execute();
    const groups = await tx.selectFrom("group_members").innerJoin("groups", "groups.id", "group_members.group_id")
      .select(["group_members.member_id", "groups.id", "groups.channels"]).where("group_members.member_id", "in", memberIds).execute();
    const openIncidents = new Map((await tx.selectFrom("incidents").select(["id", "member_id"])
      .where("member_id", "in", memberIds).where("kind", "in", ["no_answer", "member_unreachable"]).where("status", "<>", "resolved")
      .orderBy("opened_at").execute())
      .map((i) => [i.member_id, i.id]));
    const policies = await loadPolicies(tx, [...members.values()].map((m) => m.team_id));
    const contactsOf = groupBy(contacts, (c) => c.member_id);
    const groupsOf = groupBy(groups, (g) => g.member_id);
    const channelsOf = new Map<string, ChannelAddress[]>();
    for (const c of contacts) channelsOf.set(c.id, c.channels as ChannelAddress[]);
    for (const g of groups) channelsOf.set(g.id, g.channels as ChannelAddress[]);
    const teamChannels = new Map((await tx.selectFrom("teams").select(["id", "channels"])
      .where("id", "in", [...new Set([...members.values()].map((m) => m.team_id))]).execute())
      .map((t) => [t.id, t.channels as ChannelAddress[]]));

    const outbox: OutboxRow[] = [];
    const events: IncidentEventRow[] = [];
    const updates: { id: string; step: number; next: Date | null; afterAsked: number | null; cursor: number; incident: string | null }[] = [];
    const prompted = new Map<string, Date>();

    for (const checkin of due) {
      const member = members.get(checkin.member_id);
      if (!member) continue;
      const { position, effects } = escalate(
        { stepIndex: checkin.step_index, nextActionAt: checkin.next_action_at, contactCursor: checkin.contact_cursor, afterAskedMs: null },
        {
          policy: policyFor(policies(member.team_id), member.channels),
          contactIds: reliableContacts((contactsOf.get(member.id) ?? []).map((c) => ({ id: c.id, confirmed: c.confirmed_at !== null })))
            .map((c) => c.id),
          teamId: member.team_id,
          groupIds: (groupsOf.get(member.id) ?? []).map((g) => g.id),
          memberLastPromptedAt: prompted.get(member.id) ?? member.last_prompted_at,
          hasOpenIncident: !!checkin.incident_id || openIncidents.has(member.id),
          now,
        },
      );
      let incidentId = checkin.incident_id ?? openIncidents.get(member.id) ?? null;
      // Silent since the member was first asked, not since the slot (a late prompt went out later).
      const since = checkin.asked_at ?? checkin.due_at;
      for (const effect of effects) {
        incidentId = await applyEffect(effect);
      }
      updates.push({
        id: checkin.id, step: position.stepIndex, next: position.nextActionAt, afterAsked: position.afterAskedMs,
        cursor: position.contactCursor, incident: incidentId,
      });

      async function applyEffect(effect: EscalationEffect): Promise<string | null> {
        const base = { organisationId: member!.organisation_id, checkinId: checkin.id, dueAt: effect.at, now };
        switch (effect.type) {
          case "resend": {
            outbox.push(outboxRow({
              ...base,
              key: `resend:${checkin.id}:${effect.stepIndex}`,
              recipient: { kind: "member", id: member!.id },
              channels: member!.channels,
              channelIndex: effect.channel === "next" ? 1 : 0,
              messageKind: "resend",
              text: resendText(member!.display_name),
              payload: { checkinId: checkin.id },
            }));
            prompted.set(member!.id, now);
            result.resends++;
            return incidentId;
          }
          case "open_incident": {
            if (incidentId) {
              events.push(incidentEvent(member!.organisation_id, incidentId, effect.at, "no_answer_again", { checkinId: checkin.id, since }));
              return incidentId;
            }
            result.incidentsOpened++;
            const id = await openIncident(tx, {
              organisationId: member!.organisation_id, memberId: member!.id, checkinId: checkin.id, kind: "no_answer", at: effect.at,
              data: { since },
            });
            openIncidents.set(member!.id, id);
            return id;
          }
          case "alert": {
            const channels = effect.recipient.kind === "team"
              ? (teamChannels.get(effect.recipient.id) ?? [])
              : (channelsOf.get(effect.recipient.id) ?? []);
            const row = outboxRow({
              ...base,
              key: `alert:${incidentId}:${checkin.id}:${effect.stepIndex}:${effect.recipient.id}`,
              recipient: effect.recipient,
              channels,
              messageKind: "alert",
              text: noAnswerAlertText(member!.display_name, since, member!.plan.timeZone),
              payload: { incidentId, memberId: member!.id, since: since.toISOString() },
              incidentId,
            });
            outbox.push(row);
            events.push(incidentEvent(member!.organisation_id, incidentId as string, effect.at, "notified", {
              recipient: effect.recipient, channel: row.channel_kind,
            }));
            result.alerts++;
            return incidentId;
          }
          case "no_contact_left":
            if (incidentId) events.push(incidentEvent(member!.organisation_id, incidentId, effect.at, "no_contact_left", {}));
            return incidentId;
        }
      }
    }

    await enqueue(tx, outbox);
    await addEvents(tx, events);
    if (prompted.size) {
      await sql`update members set last_prompted_at = v.at from (select unnest(${[...prompted.keys()]}::uuid[]) as id,
        unnest(${[...prompted.values()]}::timestamptz[]) as at) v where members.id = v.id`.execute(tx);
    }
    await sql`
      update checkins set step_index = v.step, next_action_at = v.next, after_asked_ms = v.after_asked, contact_cursor = v.cursor,
        incident_id = v.incident
      from (select unnest(${updates.map((u) => u.id)}::uuid[]) as id, unnest(${updates.map((u) => u.step)}::int[]) as step,
                   unnest(${updates.map((u) => u.next)}::timestamptz[]) as next,
                   unnest(${updates.map((u) => u.afterAsked)}::float8[]) as after_asked, unnest(${updates.map((u) => u.cursor)}::int[]) as cursor,
                   unnest(${updates.map((u) => u.incident)}::uuid[]) as incident) v
      where checkins.id = v.id`.execute(tx);
    return result;
  });
}
