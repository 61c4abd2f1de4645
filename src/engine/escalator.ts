/**
 * The escalator: claims check-ins whose next action is due and applies the
 * policy's steps to them, in three parts: load the batch and what it refers to
 * (a query per table, never per row), decide every check-in's new position and
 * effects with the domain's `escalate` (pure), write the result (a statement per
 * table). One transaction: the new positions commit with the incidents, timeline
 * events and outbox rows they produce.
 */
import { sql } from "kysely";
import { alreadyNotified } from "../domain/concerns.ts";
import { type EscalationEffect, escalate, reliableContacts } from "../domain/escalation.ts";
import { raisedUrgency, type Urgency } from "../domain/incident.ts";
import { formatLocal, noAnswerAlertText, resendText } from "../domain/messages.ts";
import type { PolicySet } from "../domain/policy.ts";
import type { Plan } from "../domain/schedule.ts";
import { newId } from "../ids.ts";
import { anyUuid, type Db, inTransaction, preferIndexWalks } from "../store/db.ts";
import type { ChannelAddress } from "../store/schema.ts";
import { addEvents, type IncidentEventRow, incidentEvent, insertIncidents, type NewIncident, openedEvent } from "./incident-log.ts";
import { loadTeamDuty, type TeamDuty, teamAlertRows } from "./on-duty.ts";
import { enqueue, type OutboxRow, outboxRow } from "./outbox.ts";
import { loadPolicies, policyFor } from "./policies.ts";
import { composer, loadWords, type OrganisationWords } from "./templates.ts";

export interface EscalationBatchResult {
  claimed: number;
  resends: number;
  alerts: number;
  incidentsOpened: number;
}

export interface DueCheckin {
  id: string;
  member_id: string;
  due_at: Date;
  asked_at: Date | null;
  step_index: number;
  next_action_at: Date | null;
  contact_cursor: number;
  incident_id: string | null;
}

export interface MemberRow {
  id: string;
  organisation_id: string;
  team_id: string;
  display_name: string;
  channels: ChannelAddress[];
  plan: Plan;
  last_prompted_at: Date | null;
}

/** A claimed batch and everything its check-ins' steps refer to. */
export interface EscalationBatch {
  due: DueCheckin[];
  members: Map<string, MemberRow>;
  /** Per member, in list order. */
  contactsOf: Map<string, { id: string; channels: ChannelAddress[]; confirmed_at: Date | null }[]>;
  groupsOf: Map<string, { id: string; channels: ChannelAddress[] }[]>;
  /** Per member: their unresolved incident, whatever its kind (one incident per person: domain/concerns.ts). */
  openIncidents: Map<string, string>;
  /**
   * Incidents a missed check-in joins that were not opened by the member's silence
   * (a concern, a contact request, a call for help), by id: their urgency, and
   * whom they already notified — those are not alerted again.
   */
  joined?: Map<string, JoinedIncident>;
  policies: (teamId: string) => PolicySet;
  teamChannels: Map<string, ChannelAddress[]>;
  /** Per team: its staff, and who is on duty with which channels (engine/on-duty.ts). */
  teamDuty: Map<string, TeamDuty>;
  /** Per organisation: its templates (engine/templates.ts); the built-in ones when absent. */
  words?: (organisationId: string) => OrganisationWords;
}

export interface JoinedIncident {
  urgency: Urgency;
  notified: { kind?: unknown; id?: unknown; teamId?: unknown }[];
}

/** Incident kinds opened by a member's silence: a later missed check-in records no_answer_again on them and alerts as before. */
const SILENCE_KINDS = ["no_answer", "member_unreachable"];

/** What a batch decided: the rows to write, and the counts for the metrics. */
export interface EscalationWrites {
  positions: { id: string; step: number; next: Date | null; afterAsked: number | null; cursor: number; incident: string | null }[];
  incidents: NewIncident[];
  events: IncidentEventRow[];
  outbox: OutboxRow[];
  /** Joined incidents whose urgency a missed check-in raised (low → high). */
  urgencies: Map<string, Urgency>;
  /** Members re-sent a prompt, and when. */
  prompted: Map<string, Date>;
  result: EscalationBatchResult;
}

/** Claim up to `limit` check-ins due at `now`, run their steps and write the outcome. */
export async function escalateDue(db: Db, now: Date, limit: number): Promise<EscalationBatchResult> {
  return inTransaction(db, async (tx) => {
    const batch = await loadBatch(tx, now, limit);
    if (!batch) return { claimed: 0, resends: 0, alerts: 0, incidentsOpened: 0 };
    const writes = decideEscalations(batch, now);
    await writeEscalations(tx, writes);
    return writes.result;
  });
}

function groupBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(key(row));
    if (list) list.push(row);
    else map.set(key(row), [row]);
  }
  return map;
}

/** Claim the due check-ins (skipping those another worker holds) and load what their steps need; null when none is due. */
async function loadBatch(tx: Db, now: Date, limit: number): Promise<EscalationBatch | null> {
  await preferIndexWalks(tx);
  const due = await tx.selectFrom("checkins")
    .select(["id", "member_id", "due_at", "asked_at", "step_index", "next_action_at", "contact_cursor", "incident_id"])
    .where("next_action_at", "<=", now).orderBy("next_action_at").limit(limit).forUpdate().skipLocked().execute();
  if (due.length === 0) return null;

  const memberIds = [...new Set(due.map((c) => c.member_id))].sort();
  // Locking the members serialises us with the scheduler, which reads last_prompted_at.
  const members = new Map((await tx.selectFrom("members")
    .select(["id", "organisation_id", "team_id", "display_name", "channels", "plan", "last_prompted_at"])
    .where("id", "=", anyUuid(memberIds)).orderBy("id").forUpdate().execute()).map((m) => [m.id, m as unknown as MemberRow]));
  const contacts = await tx.selectFrom("contacts").select(["id", "member_id", "channels", "confirmed_at"])
    .where("member_id", "=", anyUuid(memberIds)).orderBy("member_id").orderBy("position").execute();
  const groups = await tx.selectFrom("group_members").innerJoin("groups", "groups.id", "group_members.group_id")
    .select(["group_members.member_id", "groups.id", "groups.channels"]).where("group_members.member_id", "=", anyUuid(memberIds)).execute();
  // The oldest unresolved incident of each member (a Map keeps the last: newest first).
  const unresolved = await tx.selectFrom("incidents").select(["id", "member_id", "kind", "urgency"])
    .where("member_id", "=", anyUuid(memberIds)).where("status", "<>", "resolved")
    .orderBy("opened_at", "desc").orderBy("id", "desc").execute();
  const openIncidents = new Map(unresolved.map((i) => [i.member_id, i.id]));
  const joinedIds = new Set(unresolved.filter((i) => !SILENCE_KINDS.includes(i.kind)).map((i) => i.id));
  const joined = new Map<string, JoinedIncident>();
  if (joinedIds.size) {
    for (const i of unresolved) if (joinedIds.has(i.id)) joined.set(i.id, { urgency: i.urgency, notified: [] });
    const notified = await tx.selectFrom("incident_events").select(["incident_id", "data"])
      .where("incident_id", "=", anyUuid([...joinedIds])).where("type", "=", "notified").execute();
    for (const e of notified) joined.get(e.incident_id)?.notified.push(((e.data as Record<string, unknown>).recipient ?? {}) as object);
  }
  const teamIds = [...new Set([...members.values()].map((m) => m.team_id))];
  const teamChannels = new Map((await tx.selectFrom("teams").select(["id", "channels"]).where("id", "=", anyUuid(teamIds)).execute())
    .map((t) => [t.id, t.channels as ChannelAddress[]]));
  return {
    due,
    members,
    contactsOf: groupBy(contacts.map((c) => ({ ...c, channels: c.channels as ChannelAddress[] })), (c) => c.member_id),
    groupsOf: groupBy(groups.map((g) => ({ ...g, channels: g.channels as ChannelAddress[] })), (g) => g.member_id),
    openIncidents,
    joined,
    policies: await loadPolicies(tx, teamIds),
    words: await loadWords(tx, [...members.values()].map((m) => m.organisation_id)),
    teamChannels,
    teamDuty: await loadTeamDuty(tx, teamIds),
  };
}

/**
 * Run each check-in's due steps (domain/escalation.ts) and turn their effects
 * into rows: a re-send to the member, an incident (one open per member), an
 * alert to each recipient with its timeline event. Pure but for the ids it mints.
 */
export function decideEscalations(batch: EscalationBatch, now: Date): EscalationWrites {
  const writes: EscalationWrites = {
    positions: [], incidents: [], events: [], outbox: [], urgencies: new Map(), prompted: new Map(),
    result: { claimed: batch.due.length, resends: 0, alerts: 0, incidentsOpened: 0 },
  };
  const openIncidents = new Map(batch.openIncidents);
  for (const checkin of batch.due) {
    const member = batch.members.get(checkin.member_id);
    if (!member) continue;
    const contacts = batch.contactsOf.get(member.id) ?? [];
    const groups = batch.groupsOf.get(member.id) ?? [];
    const { position, effects } = escalate(
      { stepIndex: checkin.step_index, nextActionAt: checkin.next_action_at, contactCursor: checkin.contact_cursor, afterAskedMs: null },
      {
        policy: policyFor(batch.policies(member.team_id), member.channels),
        contactIds: reliableContacts(contacts.map((c) => ({ id: c.id, confirmed: c.confirmed_at !== null }))).map((c) => c.id),
        teamId: member.team_id,
        groupIds: groups.map((g) => g.id),
        memberLastPromptedAt: writes.prompted.get(member.id) ?? member.last_prompted_at,
        // Per check-in: a member's later check-in joins their open incident through an open_incident
        // effect, which records 次の確認にも応答なし (no_answer_again) on it rather than a second incident.
        hasOpenIncident: !!checkin.incident_id,
        now,
      },
    );
    const subject: Subject = {
      checkin, member, now,
      // Silent since the member was first asked, not since the slot (a late prompt went out later).
      since: checkin.asked_at ?? checkin.due_at,
      dutyOf: (teamId) => batch.teamDuty.get(teamId),
      joined: (incidentId) => batch.joined?.get(incidentId),
      words: batch.words?.(member.organisation_id) ?? { name: "", templates: {} },
      channelsOf: (recipient) => recipient.kind === "team" ? (batch.teamChannels.get(recipient.id) ?? [])
        : recipient.kind === "contact" ? (contacts.find((c) => c.id === recipient.id)?.channels ?? [])
        : (groups.find((g) => g.id === recipient.id)?.channels ?? []),
    };
    // The check-in is on an incident once it joined or opened one (its open_incident effect), not before:
    // a re-send while the member has an incident open leaves it free to record joining at its own step.
    let incidentId = checkin.incident_id ?? null;
    for (const effect of effects) {
      incidentId = applyEffect(writes, subject, effect, incidentId ?? (effect.type === "open_incident" ? openIncidents.get(member.id) ?? null : null));
      if (incidentId) openIncidents.set(member.id, incidentId);
    }
    writes.positions.push({
      id: checkin.id, step: position.stepIndex, next: position.nextActionAt, afterAsked: position.afterAskedMs,
      cursor: position.contactCursor, incident: incidentId,
    });
  }
  return writes;
}

/** The check-in an effect is about, and where its recipients are reached. */
interface Subject {
  checkin: DueCheckin;
  member: MemberRow;
  now: Date;
  since: Date;
  channelsOf: (recipient: { kind: "team" | "contact" | "group"; id: string }) => ChannelAddress[];
  dutyOf: (teamId: string) => TeamDuty | undefined;
  /** The incident, when the check-in joined one not opened by the member's silence. */
  joined: (incidentId: string) => JoinedIncident | undefined;
  words: OrganisationWords;
}

/** Add one effect's rows to `writes`; returns the incident the check-in is on afterwards. */
function applyEffect(writes: EscalationWrites, s: Subject, effect: EscalationEffect, incidentId: string | null): string | null {
  const { checkin, member, now, since } = s;
  const base = { organisationId: member.organisation_id, checkinId: checkin.id, dueAt: effect.at, now };
  switch (effect.type) {
    case "resend":
      writes.outbox.push(outboxRow({
        ...base,
        key: `resend:${checkin.id}:${effect.stepIndex}`,
        recipient: { kind: "member", id: member.id },
        channels: member.channels,
        channelIndex: effect.channel === "next" ? 1 : 0,
        messageKind: "resend",
        text: resendText(member.display_name),
        textFor: composer(s.words, "resend", { name: member.display_name }),
        payload: { checkinId: checkin.id },
      }));
      writes.prompted.set(member.id, now);
      writes.result.resends++;
      return incidentId;
    case "open_incident": {
      if (incidentId) {
        const joined = s.joined(incidentId);
        if (!joined) {
          writes.events.push(incidentEvent(member.organisation_id, incidentId, effect.at, "no_answer_again", { checkinId: checkin.id, since }));
          return incidentId;
        }
        // One incident per person: the silence joins the concern (or request) already open, and is at least of high urgency.
        writes.events.push(incidentEvent(member.organisation_id, incidentId, effect.at, "checkin_missed", { checkinId: checkin.id, since }));
        const current = writes.urgencies.get(incidentId) ?? joined.urgency;
        const raised = raisedUrgency(current, "high");
        if (raised) {
          writes.urgencies.set(incidentId, raised);
          writes.events.push(incidentEvent(member.organisation_id, incidentId, effect.at, "urgency_raised", { from: current, to: raised, checkinId: checkin.id }));
        }
        return incidentId;
      }
      const incident: NewIncident = {
        id: newId(), organisationId: member.organisation_id, memberId: member.id, checkinId: checkin.id, kind: "no_answer", at: effect.at,
        data: { since },
      };
      writes.incidents.push(incident);
      writes.events.push(openedEvent(incident));
      writes.result.incidentsOpened++;
      return incident.id;
    }
    case "alert": {
      const joined = incidentId ? s.joined(incidentId) : undefined;
      // Alerted once: whoever the joined incident already told is not alerted again about it.
      if (joined && alreadyNotified(effect.recipient, joined.notified)) return incidentId;
      joined?.notified.push(effect.recipient);
      const message = {
        ...base,
        key: `alert:${incidentId}:${checkin.id}:${effect.stepIndex}:${effect.recipient.id}`,
        messageKind: "alert" as const,
        text: noAnswerAlertText(member.display_name, since, member.plan.timeZone),
        textFor: composer(s.words, "alert", { name: member.display_name, since: formatLocal(since, member.plan.timeZone) }),
        payload: { incidentId, memberId: member.id, since: since.toISOString() },
      };
      if (effect.recipient.kind === "team") {
        // To the team's addresses and to each on-duty person of it, each a row of its own.
        const fanout = teamAlertRows({ ...message, teamId: effect.recipient.id, incidentId: incidentId as string },
          s.channelsOf(effect.recipient), s.dutyOf(effect.recipient.id));
        writes.outbox.push(...fanout.rows);
        writes.events.push(...fanout.events);
        writes.result.alerts += fanout.rows.length;
        return incidentId;
      }
      const row = outboxRow({ ...message, recipient: effect.recipient, channels: s.channelsOf(effect.recipient), incidentId });
      writes.outbox.push(row);
      writes.events.push(incidentEvent(member.organisation_id, incidentId as string, effect.at, "notified", {
        recipient: effect.recipient, channel: row.channel_kind,
      }));
      writes.result.alerts++;
      return incidentId;
    }
    case "no_contact_left":
      if (incidentId) writes.events.push(incidentEvent(member.organisation_id, incidentId, effect.at, "no_contact_left", {}));
      return incidentId;
  }
}

/** Write a batch's decisions: incidents first (events and messages refer to them), then the rest. */
async function writeEscalations(tx: Db, w: EscalationWrites): Promise<void> {
  await insertIncidents(tx, w.incidents);
  await enqueue(tx, w.outbox);
  await addEvents(tx, w.events);
  for (const [id, urgency] of w.urgencies) await tx.updateTable("incidents").set({ urgency }).where("id", "=", id).execute();
  if (w.prompted.size) {
    await sql`update members set last_prompted_at = v.at from (select unnest(${[...w.prompted.keys()]}::uuid[]) as id,
      unnest(${[...w.prompted.values()]}::timestamptz[]) as at) v where members.id = v.id`.execute(tx);
  }
  const p = w.positions;
  await sql`
    update checkins set step_index = v.step, next_action_at = v.next, after_asked_ms = v.after_asked, contact_cursor = v.cursor,
      incident_id = v.incident
    from (select unnest(${p.map((u) => u.id)}::uuid[]) as id, unnest(${p.map((u) => u.step)}::int[]) as step,
                 unnest(${p.map((u) => u.next)}::timestamptz[]) as next,
                 unnest(${p.map((u) => u.afterAsked)}::float8[]) as after_asked, unnest(${p.map((u) => u.cursor)}::int[]) as cursor,
                 unnest(${p.map((u) => u.incident)}::uuid[]) as incident) v
    where checkins.id = v.id`.execute(tx);
}
