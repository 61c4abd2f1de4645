/** Read models for the API: rows in, the JSON the API documents out. */
import { memberState } from "../domain/member-state.ts";
import type { Pause, Plan } from "../domain/schedule.ts";
import { MEMBER_COLUMNS, PERSONAL_FIELDS, type Personal } from "../engine/members.ts";
import type { Db } from "../store/db.ts";
import type { ChannelAddress } from "../store/schema.ts";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function planView(plan: Plan) {
  return { every: plan.every, ...(plan.weekday !== undefined ? { weekday: plan.weekday } : {}), at: plan.at, timeZone: plan.timeZone };
}

export function contactView(c: { id: string; display_name: string; relation: string; channels: unknown; position: number; confirmed_at: Date | null }) {
  return {
    id: c.id, displayName: c.display_name, relation: c.relation, position: c.position,
    channels: c.channels as ChannelAddress[], confirmed: c.confirmed_at !== null, confirmedAt: iso(c.confirmed_at),
  };
}

type MemberRow = {
  id: string; team_id: string; display_name: string; channels: unknown; plan: unknown; pause: unknown; active: boolean;
  next_due_at: Date | null; created_at: Date; updated_at: Date; personal: unknown;
};

export function memberSummary(m: MemberRow) {
  const pause = m.pause as Pause | null;
  return {
    id: m.id, displayName: m.display_name, teamId: m.team_id, channels: m.channels as ChannelAddress[],
    plan: planView(m.plan as Plan), pause, active: m.active, nextDueAt: iso(m.next_due_at),
    createdAt: iso(m.created_at), updatedAt: iso(m.updated_at),
  };
}

export async function memberDetail(db: Db, organisationId: string, id: string, withPersonal: boolean) {
  const m = await db.selectFrom("members").select([...MEMBER_COLUMNS])
    .where("id", "=", id).where("organisation_id", "=", organisationId).executeTakeFirst();
  if (!m) return undefined;
  const [open, incidents, contacts, lastAnswer, groups] = await Promise.all([
    db.selectFrom("checkins").select(["id", "due_at", "asked_at", "escalates", "step_index", "next_action_at", "incident_id"])
      .where("member_id", "=", id).where("status", "=", "open").orderBy("due_at").execute(),
    db.selectFrom("incidents").select(["id", "kind", "status", "opened_at"])
      .where("member_id", "=", id).where("status", "<>", "resolved").orderBy("opened_at").execute(),
    db.selectFrom("contacts").selectAll().where("member_id", "=", id).orderBy("position").execute(),
    db.selectFrom("answers").select(["answer", "received_at", "source"]).where("member_id", "=", id)
      .orderBy("received_at", "desc").limit(1).executeTakeFirst(),
    db.selectFrom("group_members").select("group_id").where("member_id", "=", id).execute(),
  ]);
  const personal: Personal = withPersonal ? (m.personal as Personal) : {};
  return {
    ...memberSummary(m),
    ...Object.fromEntries(PERSONAL_FIELDS.filter((f) => personal[f] !== undefined).map((f) => [f, personal[f]])),
    state: memberState({
      active: m.active, paused: !!m.pause,
      openCheckins: open.map((c) => ({ stepIndex: c.step_index, escalates: c.escalates })),
      unresolvedIncidents: incidents.length,
    }),
    openCheckins: open.map((c) => ({
      id: c.id, dueAt: iso(c.due_at), askedAt: iso(c.asked_at), escalates: c.escalates, nextActionAt: iso(c.next_action_at),
      incidentId: c.incident_id,
    })),
    openIncidents: incidents.map((i) => ({ id: i.id, kind: i.kind, status: i.status, openedAt: iso(i.opened_at) })),
    lastAnswer: lastAnswer ? { answer: lastAnswer.answer, at: iso(lastAnswer.received_at), source: lastAnswer.source } : null,
    contacts: contacts.map(contactView),
    groupIds: groups.map((g) => g.group_id),
  };
}

export async function memberHistory(db: Db, organisationId: string, id: string, limit: number) {
  const [checkins, answers, incidents] = await Promise.all([
    db.selectFrom("checkins").select(["id", "due_at", "status", "escalates", "prompted", "answer", "answered_at", "closed_reason", "incident_id"])
      .where("member_id", "=", id).where("organisation_id", "=", organisationId).orderBy("due_at", "desc").limit(limit).execute(),
    db.selectFrom("answers").select(["id", "answer", "source", "by_label", "by_contact_id", "channel", "note", "received_at", "closed_checkins"])
      .where("member_id", "=", id).where("organisation_id", "=", organisationId).orderBy("received_at", "desc").limit(limit).execute(),
    db.selectFrom("incidents").select(["id", "kind", "status", "opened_at", "resolved_at", "outcome"])
      .where("member_id", "=", id).where("organisation_id", "=", organisationId).orderBy("opened_at", "desc").limit(limit).execute(),
  ]);
  return {
    checkins: checkins.map((c) => ({
      id: c.id, dueAt: iso(c.due_at), status: c.status, escalates: c.escalates, prompted: c.prompted, answer: c.answer,
      answeredAt: iso(c.answered_at), closedReason: c.closed_reason, incidentId: c.incident_id,
    })),
    answers: answers.map((a) => ({
      id: a.id, answer: a.answer, source: a.source, by: a.by_label, contactId: a.by_contact_id, channel: a.channel, note: a.note,
      at: iso(a.received_at), closedCheckins: a.closed_checkins,
    })),
    incidents: incidents.map((i) => ({
      id: i.id, kind: i.kind, status: i.status, openedAt: iso(i.opened_at), resolvedAt: iso(i.resolved_at), outcome: i.outcome,
    })),
  };
}

type IncidentRow = {
  id: string; member_id: string; checkin_id: string | null; kind: string; urgency: string; status: string; opened_at: Date;
  acknowledged_at: Date | null; acknowledged_by: string | null; acknowledged_via: string | null; member_answered_at: Date | null;
  resolved_at: Date | null; outcome: string | null; note: string | null;
};

export async function incidentViews(db: Db, rows: IncidentRow[]) {
  const events = rows.length
    ? await db.selectFrom("incident_events").select(["incident_id", "at", "type", "actor", "data"])
      .where("incident_id", "in", rows.map((r) => r.id)).orderBy("at").orderBy("id").execute()
    : [];
  return rows.map((i) => ({
    id: i.id, memberId: i.member_id, checkinId: i.checkin_id, kind: i.kind, urgency: i.urgency, status: i.status,
    openedAt: iso(i.opened_at),
    acknowledged: i.acknowledged_at ? { at: iso(i.acknowledged_at), by: i.acknowledged_by, via: i.acknowledged_via } : null,
    memberAnsweredAt: iso(i.member_answered_at),
    resolved: i.resolved_at ? { at: iso(i.resolved_at), outcome: i.outcome, note: i.note } : null,
    timeline: events.filter((e) => e.incident_id === i.id).map((e) => ({ at: iso(e.at), type: e.type, actor: e.actor, ...e.data as object })),
  }));
}
