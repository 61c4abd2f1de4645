/**
 * Visit commands and queries (domain/visits.ts has the rules). Every change is
 * one transaction that writes the visit, its candidates and the incident's
 * timeline together; 会えた・元気 resolves the incident (outcome visited_fine) in
 * that same transaction.
 *
 * Who may act: the watcher who holds the visit accepts, declines or records the
 * outcome; staff and admins may do it on a watcher's behalf (a watcher who
 * phoned in), which the timeline shows by the actor's name. The HTTP layer says
 * which of the two the caller is (`Actor.watcherId`).
 *
 * Deadlines are rows: a visit's `due_at` is read by `listVisits({ overdueAt })`
 * and `overdueVisits`, never kept in a timer.
 */
import { sql } from "kysely";
import {
  checkAnswer, checkOutcome, isOverdue, nextCandidate, resolvesIncident, type VisitError, type VisitOutcome, type VisitState,
} from "../domain/visits.ts";
import type { CallOutcome } from "../domain/visits.ts";
import { newId } from "../ids.ts";
import { type Db, inTransaction } from "../store/db.ts";
import { visitOfferText } from "../domain/messages.ts";
import type { ChannelAddress } from "../store/schema.ts";
import { incidentEvent } from "./incident-log.ts";
import { enqueue, outboxRow } from "./outbox.ts";
import { organisationTimeZone } from "./today.ts";
import { acknowledgeIncidentIn, cancelVisitsIn, phoneOf, resolveIncidentIn } from "./incidents.ts";

/** Who acts: a label for the timeline; `watcherId` when the caller is a watcher (they may act on their own visits only). */
export interface Actor {
  label: string;
  watcherId?: string;
}

export type VisitCommandError =
  | VisitError
  | { code: "not_found"; message: string }
  | { code: "incident_resolved"; message: string }
  | { code: "visit_open"; message: string }
  | { code: "unknown_reference"; field: string; message: string }
  | { code: "note_required"; field: "note"; message: string };

export type VisitResult = { ok: true; visitId: string } | { ok: false; error: VisitCommandError };

const noVisit = { ok: false as const, error: { code: "not_found" as const, message: "no such visit" } };

/** A watcher of the organisation who can be asked to visit: role watcher, not deactivated. */
export interface Watcher {
  id: string;
  displayName: string;
  /** Whether they have signed in at least once (accepted their invitation): an invited watcher cannot answer yet. */
  active: boolean;
  /** Visits they hold now (offered or accepted): staff spread the load. */
  openVisits: number;
}

/** The organisation's watchers, by name, with the number of visits each holds now. */
export async function listWatchers(db: Db, organisationId: string): Promise<Watcher[]> {
  const rows = await db.selectFrom("people").select(["id", "display_name", "password_hash"])
    .where("organisation_id", "=", organisationId).where("role", "=", "watcher").where("deactivated_at", "is", null)
    .orderBy("display_name").orderBy("id").execute();
  const load = rows.length
    ? await db.selectFrom("visits").select(["watcher_id", db.fn.countAll<string>().as("n")])
      .where("organisation_id", "=", organisationId).where("state", "in", ["offered", "accepted"])
      .where("watcher_id", "in", rows.map((r) => r.id)).groupBy("watcher_id").execute()
    : [];
  const counts = new Map(load.map((l) => [l.watcher_id, Number(l.n)]));
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, active: r.password_hash !== null, openVisits: counts.get(r.id) ?? 0 }));
}

/**
 * A watcher as the timeline names them: an object, so the one privacy rule
 * (http/privacy.ts: `displayName` is personal) redacts the name for observers.
 */
function watcherRef(names: Map<string, string>, id: string | null): { id: string; displayName: string } | null {
  return id ? { id, displayName: names.get(id) ?? "" } : null;
}

async function watcherNames(tx: Db, organisationId: string, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map();
  const rows = await tx.selectFrom("people").select(["id", "display_name"]).where("organisation_id", "=", organisationId)
    .where("id", "in", [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}

/**
 * Assigns a visit for an incident to the watchers `watcherIds`, asked in that
 * order (the first now). Staff taking this step have taken the incident on: an
 * open incident is acknowledged in the same transaction (its escalation stops).
 * `dueAt`: by when someone should have been there. Errors: `not_found` (the
 * incident), `incident_resolved`, `visit_open` (the incident has a visit still
 * to be done: one at a time), `unknown_reference` (field `watcherIds.<i>`: not
 * an active watcher of the organisation).
 */
export async function assignVisit(
  db: Db, organisationId: string, incidentId: string,
  input: { watcherIds: string[]; dueAt: Date; note?: string }, by: Actor, now: Date,
): Promise<VisitResult> {
  return inTransaction(db, async (tx) => {
    const incident = await tx.selectFrom("incidents").select(["status", "member_id"])
      .where("id", "=", incidentId).where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
    if (!incident) return { ok: false, error: { code: "not_found", message: "no such incident" } };
    if (incident.status === "resolved") return { ok: false, error: { code: "incident_resolved", message: "the incident is already resolved" } };
    const open = await tx.selectFrom("visits").select("id").where("organisation_id", "=", organisationId).where("incident_id", "=", incidentId)
      .where("state", "in", ["offered", "accepted"]).executeTakeFirst();
    if (open) return { ok: false, error: { code: "visit_open", message: "the incident already has a visit to be done: cancel it first" } };
    const ids = [...new Set(input.watcherIds)];
    const watchers = await tx.selectFrom("people").select(["id", "display_name"]).where("organisation_id", "=", organisationId)
      .where("role", "=", "watcher").where("deactivated_at", "is", null).where("id", "in", ids).execute();
    const known = new Map(watchers.map((w) => [w.id, w.display_name]));
    const missing = input.watcherIds.findIndex((id) => !known.has(id));
    if (missing >= 0) return { ok: false, error: { code: "unknown_reference", field: `watcherIds.${missing}`, message: "no such active watcher in this organisation" } };
    if (incident.status === "open") {
      const acked = await acknowledgeIncidentIn(tx, organisationId, incidentId, { label: by.label, via: "console" }, now);
      if (!acked.ok) return { ok: false, error: { code: "incident_resolved", message: acked.error.message } };
    }
    const id = newId();
    await tx.insertInto("visits").values({
      id, organisation_id: organisationId, incident_id: incidentId, member_id: incident.member_id, state: "offered", watcher_id: ids[0],
      due_at: input.dueAt, instructions: input.note ?? "", outcome: null, outcome_note: null, assigned_by: by.label,
      created_at: now, offered_at: now, accepted_at: null, done_at: null,
    }).execute();
    await tx.insertInto("visit_candidates").values(ids.map((person_id, position) => ({
      visit_id: id, organisation_id: organisationId, position, person_id, declined_at: null,
    }))).execute();
    await tx.insertInto("incident_events").values(incidentEvent(organisationId, incidentId, now, "visit_assigned", {
      visitId: id, watcher: { id: ids[0], displayName: known.get(ids[0]) }, dueAt: input.dueAt.toISOString(), candidates: ids.length,
    }, by.label)).execute();
    await askWatcher(tx, organisationId, { id, member_id: incident.member_id, due_at: input.dueAt }, ids[0], now);
    return { ok: true, visitId: id };
  });
}

/**
 * Tells the watcher a visit is offered to them, on every channel they keep
 * (person_channels: e-mail, SMS, phone, LINE), each its own outbox row keyed by
 * the visit, the watcher and the channel (an offer is made to a watcher once).
 * The message waits only while the visit is still offered to them
 * (domain/causes.ts `visit_offer`). A watcher without channels sees the offer
 * on their screen (わたしの訪問) only.
 */
async function askWatcher(tx: Db, organisationId: string, visit: { id: string; member_id: string; due_at: Date }, watcherId: string, now: Date) {
  const channels = await tx.selectFrom("person_channels").select(["id", "kind", "address"])
    .where("organisation_id", "=", organisationId).where("person_id", "=", watcherId).orderBy("created_at").orderBy("id").execute();
  if (channels.length === 0) return;
  const [watcher, member] = await Promise.all([
    tx.selectFrom("people").select("display_name").where("organisation_id", "=", organisationId).where("id", "=", watcherId).executeTakeFirstOrThrow(),
    tx.selectFrom("members").select("display_name").where("organisation_id", "=", organisationId).where("id", "=", visit.member_id).executeTakeFirstOrThrow(),
  ]);
  const text = visitOfferText(watcher.display_name, member.display_name, visit.due_at, await organisationTimeZone(tx, organisationId));
  await enqueue(tx, channels.map((c) => outboxRow({
    organisationId, key: `visit_offer:${visit.id}:${watcherId}:${c.id}`, recipient: { kind: "person", id: watcherId },
    channels: [{ kind: c.kind, address: c.address } as ChannelAddress], messageKind: "visit_offer", text,
    payload: { visitId: visit.id, memberId: visit.member_id, channelId: c.id }, dueAt: now, now,
  })));
}

type LockedVisit = { id: string; incident_id: string; state: VisitState; watcher_id: string | null };

async function lockVisit(tx: Db, organisationId: string, visitId: string, by: Actor): Promise<LockedVisit | VisitCommandError> {
  const visit = await tx.selectFrom("visits").select(["id", "incident_id", "state", "watcher_id"])
    .where("id", "=", visitId).where("organisation_id", "=", organisationId).forUpdate().executeTakeFirst();
  if (!visit) return noVisit.error;
  if (by.watcherId !== undefined && visit.watcher_id !== by.watcherId) {
    return { code: "not_your_visit", message: "this visit is not (or no longer) yours" };
  }
  return visit;
}

const failed = (e: LockedVisit | VisitCommandError): e is VisitCommandError => "code" in e;

/** The holder accepts (引き受ける). Errors: not_found, not_your_visit, visit_not_offered (already accepted), visit_closed. */
export async function acceptVisit(db: Db, organisationId: string, visitId: string, by: Actor, now: Date): Promise<VisitResult> {
  return inTransaction(db, async (tx) => {
    const visit = await lockVisit(tx, organisationId, visitId, by);
    if (failed(visit)) return { ok: false, error: visit };
    const problem = checkAnswer(visit.state);
    if (problem) return { ok: false, error: problem };
    await tx.updateTable("visits").set({ state: "accepted", accepted_at: now })
      .where("id", "=", visitId).where("organisation_id", "=", organisationId).execute();
    const names = await watcherNames(tx, organisationId, [visit.watcher_id as string]);
    await tx.insertInto("incident_events").values(incidentEvent(organisationId, visit.incident_id, now, "visit_accepted", {
      visitId, watcher: watcherRef(names, visit.watcher_id),
    }, by.label)).execute();
    return { ok: true, visitId };
  });
}

/**
 * The holder declines (今回は行けない): the visit is offered to the next
 * candidate in staff's order who has not declined (visit_declined on the
 * timeline, naming who is asked now), or, when nobody is left, becomes
 * `unassigned` (visit_unassigned: staff assign it again). Errors as acceptVisit.
 */
export async function declineVisit(db: Db, organisationId: string, visitId: string, reason: string, by: Actor, now: Date): Promise<VisitResult> {
  return inTransaction(db, async (tx) => {
    const visit = await lockVisit(tx, organisationId, visitId, by);
    if (failed(visit)) return { ok: false, error: visit };
    const problem = checkAnswer(visit.state);
    if (problem) return { ok: false, error: problem };
    const candidates = await tx.selectFrom("visit_candidates").select(["position", "person_id", "declined_at"])
      .where("visit_id", "=", visitId).where("organisation_id", "=", organisationId).orderBy("position").execute();
    const current = candidates.find((c) => c.person_id === visit.watcher_id);
    const position = current?.position ?? -1;
    await tx.updateTable("visit_candidates").set({ declined_at: now })
      .where("visit_id", "=", visitId).where("organisation_id", "=", organisationId).where("position", "=", position).execute();
    const next = nextCandidate(candidates.map((c) => ({ ...c, declined: c.declined_at !== null || c.position === position })), position);
    const names = await watcherNames(tx, organisationId, candidates.map((c) => c.person_id));
    if (next) {
      const moved = await tx.updateTable("visits").set({ watcher_id: next.person_id, offered_at: now })
        .where("id", "=", visitId).where("organisation_id", "=", organisationId).returning(["id", "member_id", "due_at"]).executeTakeFirstOrThrow();
      await askWatcher(tx, organisationId, moved, next.person_id, now);
    } else {
      await tx.updateTable("visits").set({ state: "unassigned", watcher_id: null })
        .where("id", "=", visitId).where("organisation_id", "=", organisationId).execute();
    }
    await tx.insertInto("incident_events").values([
      incidentEvent(organisationId, visit.incident_id, now, "visit_declined", {
        visitId, watcher: watcherRef(names, visit.watcher_id), ...(reason ? { note: reason } : {}), next: next ? watcherRef(names, next.person_id) : null,
      }, by.label),
      ...(next ? [] : [incidentEvent(organisationId, visit.incident_id, now, "visit_unassigned", { visitId })]),
    ]).execute();
    return { ok: true, visitId };
  });
}

/**
 * Records what the watcher found. The visit is done; the incident's timeline
 * gets `visit_reported` (outcome, note); 会えた・元気 (`met_fine`) resolves the
 * incident with outcome `visited_fine` (what the monthly table counts as
 * 訪問による確認). `other` needs a note. Errors: not_found, not_your_visit,
 * visit_closed, note_required.
 */
export async function recordVisitOutcome(
  db: Db, organisationId: string, visitId: string, input: { outcome: VisitOutcome; note: string }, by: Actor, now: Date,
): Promise<VisitResult> {
  if (input.outcome === "other" && !input.note.trim()) {
    return { ok: false, error: { code: "note_required", field: "note", message: "say what you found (その他 needs a note)" } };
  }
  return inTransaction(db, async (tx) => {
    const visit = await lockVisit(tx, organisationId, visitId, by);
    if (failed(visit)) return { ok: false, error: visit };
    const problem = checkOutcome(visit.state);
    if (problem) return { ok: false, error: problem };
    await tx.updateTable("visits").set({ state: "done", outcome: input.outcome, outcome_note: input.note, done_at: now, accepted_at: sql`coalesce(accepted_at, ${now})` })
      .where("id", "=", visitId).where("organisation_id", "=", organisationId).execute();
    const names = await watcherNames(tx, organisationId, [visit.watcher_id as string]);
    await tx.insertInto("incident_events").values(incidentEvent(organisationId, visit.incident_id, now, "visit_reported", {
      visitId, watcher: watcherRef(names, visit.watcher_id), visitOutcome: input.outcome, note: input.note,
    }, by.label)).execute();
    if (resolvesIncident(input.outcome)) {
      const resolved = await resolveIncidentIn(tx, organisationId, visit.incident_id, "visited_fine", input.note, by.label, now);
      // Resolved meanwhile by someone else: the visit's report stands on the timeline all the same.
      if (!resolved.ok && resolved.error.code !== "incident_resolved") throw new Error(`resolving after a visit: ${resolved.error.code}`);
    }
    return { ok: true, visitId };
  });
}

/** Staff withdraw a visit still to be done (visit_cancelled on the timeline). Errors: not_found, visit_closed. */
export async function cancelVisit(db: Db, organisationId: string, visitId: string, by: Actor, now: Date): Promise<VisitResult> {
  return inTransaction(db, async (tx) => {
    const visit = await lockVisit(tx, organisationId, visitId, by);
    if (failed(visit)) return { ok: false, error: visit };
    if (checkOutcome(visit.state)) return { ok: false, error: { code: "visit_closed", message: "the visit is no longer open" } };
    await cancelVisitsIn(tx, organisationId, visit.incident_id, by.label, now);
    return { ok: true, visitId };
  });
}

/**
 * Records a phone call to the member from the incident's screen (本人に電話):
 * how it went, on the timeline as `call`. Changes no state (staff record the
 * outcome when they know it). False when the incident is not the organisation's.
 */
export async function recordCall(
  db: Db, organisationId: string, incidentId: string, input: { outcome: CallOutcome; note: string }, by: string, now: Date,
): Promise<boolean> {
  const incident = await db.selectFrom("incidents as i")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "i.member_id").onRef("m.organisation_id", "=", "i.organisation_id"))
    .select(["i.id", "m.personal", "m.channels"]).where("i.id", "=", incidentId).where("i.organisation_id", "=", organisationId).executeTakeFirst();
  if (!incident) return false;
  // The number called, as it was then (a member's number may change later).
  const phone = phoneOf(incident.personal, incident.channels);
  await db.insertInto("incident_events").values(incidentEvent(organisationId, incidentId, now, "call", {
    callOutcome: input.outcome, note: input.note, ...(phone ? { phone } : {}),
  }, by)).execute();
  return true;
}

// ---------------------------------------------------------------- queries

export interface VisitRecord {
  id: string;
  incidentId: string;
  incidentKind: string;
  incidentStatus: string;
  memberId: string;
  memberName: string;
  address: string | null;
  phone: string | null;
  state: VisitState;
  overdue: boolean;
  dueAt: Date;
  note: string;
  watcher: { id: string; displayName: string } | null;
  candidates: { personId: string; displayName: string; position: number; declinedAt: Date | null }[];
  outcome: VisitOutcome | null;
  outcomeNote: string | null;
  assignedBy: string;
  createdAt: Date;
  offeredAt: Date | null;
  acceptedAt: Date | null;
  doneAt: Date | null;
}

export interface VisitFilter {
  visitId?: string;
  /** Visits a watcher holds (the watcher's own list). */
  watcherId?: string;
  incidentId?: string;
  incidentIds?: string[];
  memberId?: string;
  /** `active`: offered or accepted. */
  state?: VisitState | "active";
  /** Only visits still to be done whose due time is at or before this instant. */
  overdueAt?: Date;
  /** Only the visits of members of these teams (team staff). */
  teamIds?: string[];
  limit: number;
}

/**
 * Visits, those still to be done first (the earliest due first), then the
 * finished ones (newest first); each with the member's name, address and
 * phone, who holds it and the candidates in staff's order. `now` decides `overdue`.
 */
export async function listVisits(db: Db, organisationId: string, filter: VisitFilter, now: Date): Promise<VisitRecord[]> {
  let q = db.selectFrom("visits as v")
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "v.member_id").onRef("m.organisation_id", "=", "v.organisation_id"))
    .innerJoin("incidents as i", (j) => j.onRef("i.id", "=", "v.incident_id").onRef("i.organisation_id", "=", "v.organisation_id"))
    .select([
      "v.id", "v.incident_id", "v.member_id", "v.state", "v.watcher_id", "v.due_at", "v.instructions", "v.outcome", "v.outcome_note",
      "v.assigned_by", "v.created_at", "v.offered_at", "v.accepted_at", "v.done_at", "m.display_name", "m.personal", "m.channels",
      "i.kind", "i.status",
    ])
    .where("v.organisation_id", "=", organisationId);
  if (filter.visitId) q = q.where("v.id", "=", filter.visitId);
  if (filter.watcherId) q = q.where("v.watcher_id", "=", filter.watcherId);
  if (filter.incidentId) q = q.where("v.incident_id", "=", filter.incidentId);
  if (filter.incidentIds) q = q.where("v.incident_id", "in", filter.incidentIds);
  if (filter.memberId) q = q.where("v.member_id", "=", filter.memberId);
  if (filter.state === "active" || filter.overdueAt) q = q.where("v.state", "in", ["offered", "accepted"]);
  else if (filter.state) q = q.where("v.state", "=", filter.state);
  if (filter.overdueAt) q = q.where("v.due_at", "<=", filter.overdueAt);
  if (filter.teamIds) q = filter.teamIds.length ? q.where("m.team_id", "in", filter.teamIds) : q.where(sql<boolean>`false`);
  const rows = await q
    .orderBy(sql`case when v.state in ('offered', 'accepted') then 0 else 1 end`)
    .orderBy(sql`case when v.state in ('offered', 'accepted') then v.due_at end`)
    .orderBy("v.created_at", "desc").orderBy("v.id").limit(filter.limit).execute();
  const candidates = rows.length
    ? await db.selectFrom("visit_candidates").select(["visit_id", "position", "person_id", "declined_at"])
      .where("organisation_id", "=", organisationId).where("visit_id", "in", rows.map((r) => r.id)).orderBy("position").execute()
    : [];
  const names = await watcherNames(db, organisationId, candidates.map((c) => c.person_id));
  return rows.map((r) => ({
    id: r.id, incidentId: r.incident_id, incidentKind: r.kind, incidentStatus: r.status, memberId: r.member_id, memberName: r.display_name,
    address: (r.personal).address ?? null, phone: phoneOf(r.personal, r.channels),
    state: r.state, overdue: isOverdue(r.state, r.due_at, now), dueAt: r.due_at, note: r.instructions,
    watcher: r.watcher_id ? { id: r.watcher_id, displayName: names.get(r.watcher_id) ?? "" } : null,
    candidates: candidates.filter((c) => c.visit_id === r.id)
      .map((c) => ({ personId: c.person_id, displayName: names.get(c.person_id) ?? "", position: c.position, declinedAt: c.declined_at })),
    outcome: r.outcome, outcomeNote: r.outcome_note, assignedBy: r.assigned_by, createdAt: r.created_at,
    offeredAt: r.offered_at, acceptedAt: r.accepted_at, doneAt: r.done_at,
  }));
}

/** One visit; undefined when the organisation has no such visit. */
export async function getVisit(db: Db, organisationId: string, visitId: string, now: Date): Promise<VisitRecord | undefined> {
  const [visit] = await listVisits(db, organisationId, { visitId, limit: 1 }, now);
  return visit;
}

/** Visits still to be done past their due time, the most overdue first (Today's board, the incident queue). */
export async function overdueVisits(db: Db, organisationId: string, now: Date, options: { teamIds?: string[]; limit?: number } = {}): Promise<VisitRecord[]> {
  return listVisits(db, organisationId, { overdueAt: now, limit: options.limit ?? 100, ...(options.teamIds ? { teamIds: options.teamIds } : {}) }, now);
}

/**
 * Whether a watcher is assigned to a member now: they hold a visit of that
 * member still to be done. What a watcher may open of a member hangs on this.
 */
export async function watcherAssigned(db: Db, organisationId: string, watcherId: string, memberId: string): Promise<boolean> {
  const row = await db.selectFrom("visits").select("id").where("organisation_id", "=", organisationId).where("member_id", "=", memberId)
    .where("watcher_id", "=", watcherId).where("state", "in", ["offered", "accepted"]).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The incidents a watcher holds a visit of (any state): what their incident list and look-ups are limited to. */
export async function incidentsOfWatcher(db: Db, organisationId: string, watcherId: string): Promise<string[]> {
  const rows = await db.selectFrom("visits").select("incident_id").distinct().where("organisation_id", "=", organisationId)
    .where("watcher_id", "=", watcherId).execute();
  return rows.map((r) => r.incident_id);
}

/** Per incident, its visits (newest first): what the incident queue shows beside each incident. One query for all. */
export async function visitsOfIncidents(db: Db, organisationId: string, incidentIds: string[], now: Date): Promise<Map<string, VisitRecord[]>> {
  const out = new Map<string, VisitRecord[]>(incidentIds.map((id) => [id, []]));
  if (!incidentIds.length) return out;
  const visits = await listVisits(db, organisationId, { incidentIds, limit: 10_000 }, now);
  for (const v of [...visits].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())) out.get(v.incidentId)?.push(v);
  return out;
}
