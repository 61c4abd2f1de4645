/** Read models for the API: rows in (from the engine's queries), the JSON the API documents out. No I/O. */
import { memberState } from "../domain/member-state.ts";
import type { Plan } from "../domain/schedule.ts";
import type { ContactRow } from "../engine/contacts.ts";
import { type MemberDetailRows, type MemberHistoryRows, type MemberRow, PERSONAL_FIELDS, type Personal } from "../engine/members.ts";
import type { IncidentWithTimeline } from "../engine/incidents.ts";
import type { VisitRecord } from "../engine/visits.ts";

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function planView(plan: Plan) {
  return { every: plan.every, ...(plan.weekday !== undefined ? { weekday: plan.weekday } : {}), at: plan.at, timeZone: plan.timeZone };
}

export function contactView(c: ContactRow) {
  return {
    id: c.id, displayName: c.display_name, relation: c.relation, position: c.position,
    channels: c.channels, confirmed: c.confirmed_at !== null, confirmedAt: iso(c.confirmed_at),
  };
}

export function memberSummary(m: MemberRow) {
  return {
    id: m.id, displayName: m.display_name, displayNameKana: m.display_name_kana, externalId: m.external_id, teamId: m.team_id, channels: m.channels,
    plan: planView(m.plan), pause: m.pause, active: m.active, nextDueAt: iso(m.next_due_at),
    createdAt: iso(m.created_at), updatedAt: iso(m.updated_at),
  };
}

export function memberDetailView(d: MemberDetailRows, withPersonal: boolean) {
  const m = d.member;
  const personal: Personal = withPersonal ? (m.personal as Personal) : {};
  return {
    ...memberSummary(m),
    ...Object.fromEntries(PERSONAL_FIELDS.filter((f) => personal[f] !== undefined).map((f) => [f, personal[f]])),
    state: memberState({
      active: m.active, paused: !!m.pause,
      openCheckins: d.openCheckins.map((c) => ({ stepIndex: c.step_index, escalates: c.escalates })),
      unresolvedIncidents: d.unresolvedIncidents.length,
    }),
    openCheckins: d.openCheckins.map((c) => ({
      id: c.id, dueAt: iso(c.due_at), askedAt: iso(c.asked_at), escalates: c.escalates, nextActionAt: iso(c.next_action_at),
      incidentId: c.incident_id,
    })),
    openIncidents: d.unresolvedIncidents.map((i) => ({ id: i.id, kind: i.kind, status: i.status, openedAt: iso(i.opened_at) })),
    lastAnswer: d.lastAnswer ? { answer: d.lastAnswer.answer, at: iso(d.lastAnswer.received_at), source: d.lastAnswer.source } : null,
    contacts: d.contacts.map(contactView),
    groupIds: d.groupIds,
    consent: m.consent ?? null,
  };
}

export function memberHistoryView({ checkins, answers, incidents }: MemberHistoryRows) {
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

/**
 * A visit. `forWatcher` (their person id): the watcher's own task — the other
 * candidates are not theirs to know, and the address and phone only while they
 * hold the visit and it is to be done (not after declining or finishing it).
 */
export function visitView(v: VisitRecord, forWatcher?: string) {
  const hidden = forWatcher !== undefined && !((v.state === "offered" || v.state === "accepted") && v.watcher?.id === forWatcher);
  return {
    id: v.id, incidentId: v.incidentId, incidentKind: v.incidentKind, incidentStatus: v.incidentStatus, memberId: v.memberId,
    memberName: v.memberName, address: hidden ? null : v.address, phone: hidden ? null : v.phone,
    state: v.state, overdue: v.overdue, dueAt: iso(v.dueAt) as string, note: v.note, watcher: v.watcher,
    candidates: forWatcher !== undefined ? [] : v.candidates.map((c) => ({ ...c, declinedAt: iso(c.declinedAt) })),
    result: v.outcome ? { outcome: v.outcome, note: v.outcomeNote, at: iso(v.doneAt) as string } : null,
    by: v.assignedBy, createdAt: iso(v.createdAt) as string, offeredAt: iso(v.offeredAt), acceptedAt: iso(v.acceptedAt),
  };
}

/**
 * An incident with its timeline and visits. `forWatcher`: what a watcher may see
 * of an incident they hold a visit of — its kind and state and their own
 * visits; not the timeline (who was told what), not staff's notes.
 */
export function incidentView(row: IncidentWithTimeline, visits: VisitRecord[], forWatcher?: { watcherId: string }) {
  const full = fullIncidentView(row, visits);
  if (!forWatcher) return full;
  return {
    ...full,
    acknowledged: full.acknowledged ? { ...full.acknowledged, by: null } : null,
    resolved: full.resolved ? { ...full.resolved, note: null } : null,
    timeline: [],
    visits: visits.filter((v) => v.watcher?.id === forWatcher.watcherId).map((v) => visitView(v, forWatcher.watcherId)),
  };
}

function fullIncidentView({ incident: i, memberName, phone, timeline }: IncidentWithTimeline, visits: VisitRecord[]) {
  return {
    id: i.id, memberId: i.member_id, memberName, phone, checkinId: i.checkin_id, kind: i.kind, urgency: i.urgency, status: i.status,
    openedAt: iso(i.opened_at),
    acknowledged: i.acknowledged_at ? { at: iso(i.acknowledged_at), by: i.acknowledged_by, via: i.acknowledged_via } : null,
    memberAnsweredAt: iso(i.member_answered_at),
    resolved: i.resolved_at ? { at: iso(i.resolved_at), outcome: i.outcome, note: i.note } : null,
    timeline: timeline.map((e) => ({ at: iso(e.at), type: e.type, actor: e.actor, ...e.data as object })),
    visits: visits.map((v) => visitView(v)),
  };
}
