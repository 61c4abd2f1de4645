/**
 * Volunteers (生活支援の担い手), requests to them and their contacts (issue 14):
 * - a volunteer's record: skills, areas, weekly slots, an on-duty switch, their
 *   own limit of open requests, a login (person) for their own view;
 * - offering a need: never more than the per-need cap of open requests at once
 *   (default 3) nor a volunteer's own limit (default 1), the least recently asked
 *   first among equals (domain/matching.ts); each offer has a respond_by deadline;
 * - an answer: an acceptance matches the need and withdraws its other offers; a
 *   decline passes the need to the next volunteer; so does an offer that expired
 *   (the deciding loop's `volunteer-offers` phase, volunteerOffersPhase);
 * - the volunteers' log of contacts with members, acknowledged by a coordinator.
 * Volunteers see their requests in their view (GET /directory/volunteer-requests),
 * the coordinator in the need's page; each offer is also told to the volunteer
 * through the outbox, and a withdrawal they were told about too
 * (engine/volunteer-messages.ts). `publicUrl` (where the service answers) is
 * what those messages link to.
 */
import { sql } from "kysely";
import type { DecidingPhase } from "../../engine/phases.ts";
import { newId } from "../../ids.ts";
import { type Db, inTransaction } from "../../store/db.ts";
import { type DirectoryArea, type MatchOptions, matchNeed, nextOffers, offersLeft, type WeeklySlot } from "../domain/matching.ts";
import { checkRequestAnswer, DEFAULT_RESPOND_HOURS, needClosed, type VolunteerRequestStatus } from "../domain/needs.ts";
import { lookupCodes, matchFacts, matchOptions, volunteerCandidates } from "./matches.ts";
import { getNeed, NeedError } from "./needs.ts";
import { extendOfferLink } from "./offer-link-tokens.ts";
import type { HandoverPart } from "./ports.ts";
import { tellOffered, tellWithdrawn } from "./volunteer-messages.ts";
import "../store/needs-schema.ts";

// ---------------------------------------------------------------- volunteers

export interface VolunteerInput {
  displayName: string;
  phone?: string | null;
  personId?: string | null;
  skills: string[];
  areas: DirectoryArea[];
  availability: WeeklySlot[];
  onDuty?: boolean;
  maxOpenRequests?: number | null;
  note?: string | null;
  /** The staff member who keeps in touch with them (handover moves it), and when next (YYYY-MM-DD). */
  ownerPersonId?: string | null;
  nextContactOn?: string | null;
}

export interface Volunteer {
  id: string;
  personId: string | null;
  displayName: string;
  phone: string | null;
  skills: string[];
  areas: DirectoryArea[];
  availability: WeeklySlot[];
  onDuty: boolean;
  maxOpenRequests: number | null;
  openRequests: number;
  lastAskedAt: Date | null;
  note: string | null;
  ownerPersonId: string | null;
  nextContactOn: string | null;
  createdAt: Date;
  updatedAt: Date;
  archivedAt: Date | null;
}

export const VOLUNTEER_ERRORS = ["volunteer_not_found", "person_not_found", "person_taken", "request_not_found", "not_offered", "offer_expired",
  "offer_cap", "volunteer_not_eligible", "not_your_request"] as const;
export type VolunteerErrorCode = (typeof VOLUNTEER_ERRORS)[number];

export class VolunteerError extends Error {
  readonly code: VolunteerErrorCode;
  readonly field: string | undefined;
  constructor(code: VolunteerErrorCode, message: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

function volunteerQuery(db: Db, organisationId: string) {
  return db.selectFrom("directory_volunteers as v")
    .select(["v.id", "v.person_id", "v.display_name", "v.phone", "v.skills", "v.areas", "v.availability", "v.on_duty", "v.max_open_requests",
      "v.last_asked_at", "v.note", "v.owner_person_id", "v.created_at", "v.updated_at", "v.archived_at"])
    .select(sql<string | null>`to_char(v.next_contact_on, 'YYYY-MM-DD')`.as("next_contact_on"))
    .select((eb) => eb.selectFrom("directory_volunteer_requests as r").select(eb.fn.countAll<string>().as("n"))
      .whereRef("r.organisation_id", "=", "v.organisation_id").whereRef("r.volunteer_id", "=", "v.id").where("r.status", "=", "offered").as("open_requests"))
    .where("v.organisation_id", "=", organisationId);
}

type VolunteerRow = Awaited<ReturnType<ReturnType<typeof volunteerQuery>["executeTakeFirstOrThrow"]>>;

function volunteerOf(v: VolunteerRow): Volunteer {
  return {
    id: v.id, personId: v.person_id, displayName: v.display_name, phone: v.phone, skills: v.skills, areas: v.areas, availability: v.availability,
    onDuty: v.on_duty, maxOpenRequests: v.max_open_requests, openRequests: Number(v.open_requests ?? 0), lastAskedAt: v.last_asked_at, note: v.note,
    ownerPersonId: v.owner_person_id, nextContactOn: v.next_contact_on, createdAt: v.created_at, updatedAt: v.updated_at, archivedAt: v.archived_at,
  };
}

export async function getVolunteer(db: Db, organisationId: string, id: string): Promise<Volunteer | undefined> {
  const row = await volunteerQuery(db, organisationId).where("v.id", "=", id).executeTakeFirst();
  return row ? volunteerOf(row) : undefined;
}

/** Volunteers, by name; archived ones only when asked. */
export async function listVolunteers(db: Db, organisationId: string, filter: { archived?: boolean; skill?: string } = {}): Promise<Volunteer[]> {
  let q = volunteerQuery(db, organisationId).where("v.archived_at", filter.archived ? "is not" : "is", null);
  if (filter.skill) q = q.where(sql<boolean>`${filter.skill} = any(v.skills)`);
  return (await q.orderBy("v.display_name").orderBy("v.id").execute()).map(volunteerOf);
}

async function checkPerson(tx: Db, organisationId: string, personId: string, except: string | null): Promise<void> {
  const person = await tx.selectFrom("people").select("id").where("organisation_id", "=", organisationId).where("id", "=", personId).executeTakeFirst();
  if (!person) throw new VolunteerError("person_not_found", "no such person", "personId");
  const taken = await tx.selectFrom("directory_volunteers").select("id").where("organisation_id", "=", organisationId).where("person_id", "=", personId)
    .$if(except !== null, (q) => q.where("id", "<>", except as string)).executeTakeFirst();
  if (taken) throw new VolunteerError("person_taken", "this person is another volunteer's login already", "personId");
}

/** An owner must be a person of the organisation. Error: VolunteerError person_not_found (field ownerPersonId). */
async function checkOwner(tx: Db, organisationId: string, personId: string | null | undefined): Promise<void> {
  if (!personId) return;
  const person = await tx.selectFrom("people").select("id").where("organisation_id", "=", organisationId).where("id", "=", personId).executeTakeFirst();
  if (!person) throw new VolunteerError("person_not_found", "no such person", "ownerPersonId");
}

/** Registers a volunteer. Errors: VolunteerError person_not_found (personId, ownerPersonId), person_taken. */
export async function createVolunteer(db: Db, organisationId: string, input: VolunteerInput, now: Date): Promise<Volunteer> {
  const id = newId();
  await inTransaction(db, async (tx) => {
    if (input.personId) await checkPerson(tx, organisationId, input.personId, null);
    await checkOwner(tx, organisationId, input.ownerPersonId);
    await tx.insertInto("directory_volunteers").values({
      id, organisation_id: organisationId, person_id: input.personId ?? null, display_name: input.displayName, phone: input.phone ?? null,
      skills: [...new Set(input.skills)], areas: JSON.stringify(input.areas), availability: JSON.stringify(input.availability), on_duty: input.onDuty ?? true,
      max_open_requests: input.maxOpenRequests ?? null, note: input.note ?? null,
      owner_person_id: input.ownerPersonId ?? null, next_contact_on: input.nextContactOn ?? null, created_at: now, updated_at: now,
    }).execute();
  });
  return (await getVolunteer(db, organisationId, id)) as Volunteer;
}

/** Changes what is given (undefined = unchanged); `archived` true archives (withdrawing their open requests), false restores. */
export async function updateVolunteer(
  db: Db, organisationId: string, id: string, patch: Partial<VolunteerInput> & { archived?: boolean }, now: Date, publicUrl: string,
): Promise<Volunteer> {
  await inTransaction(db, async (tx) => {
    const found = await tx.selectFrom("directory_volunteers").select("id").where("organisation_id", "=", organisationId).where("id", "=", id)
      .forUpdate().executeTakeFirst();
    if (!found) throw new VolunteerError("volunteer_not_found", "no such volunteer");
    if (patch.personId) await checkPerson(tx, organisationId, patch.personId, id);
    await checkOwner(tx, organisationId, patch.ownerPersonId);
    await tx.updateTable("directory_volunteers").set({
      updated_at: now,
      ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
      ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
      ...(patch.personId !== undefined ? { person_id: patch.personId } : {}),
      ...(patch.skills !== undefined ? { skills: [...new Set(patch.skills)] } : {}),
      ...(patch.areas !== undefined ? { areas: JSON.stringify(patch.areas) } : {}),
      ...(patch.availability !== undefined ? { availability: JSON.stringify(patch.availability) } : {}),
      ...(patch.onDuty !== undefined ? { on_duty: patch.onDuty } : {}),
      ...(patch.maxOpenRequests !== undefined ? { max_open_requests: patch.maxOpenRequests } : {}),
      ...(patch.note !== undefined ? { note: patch.note } : {}),
      ...(patch.ownerPersonId !== undefined ? { owner_person_id: patch.ownerPersonId } : {}),
      ...(patch.nextContactOn !== undefined ? { next_contact_on: patch.nextContactOn } : {}),
      ...(patch.archived !== undefined ? { archived_at: patch.archived ? now : null } : {}),
    }).where("organisation_id", "=", organisationId).where("id", "=", id).execute();
    if (patch.archived || patch.onDuty === false) {
      // Off duty or gone: their open requests pass on (they would otherwise wait for their deadline).
      const open = await tx.updateTable("directory_volunteer_requests").set({ status: "withdrawn", respond_by: null, answered_at: now, reason: "volunteer_unavailable" })
        .where("organisation_id", "=", organisationId).where("volunteer_id", "=", id).where("status", "=", "offered").returning("need_id").execute();
      for (const needId of new Set(open.map((r) => r.need_id))) await passOn(tx, organisationId, needId, 1, "system", now, publicUrl);
    }
  });
  return (await getVolunteer(db, organisationId, id)) as Volunteer;
}

/** The volunteer record whose login is this person, if any (their own view). */
export async function volunteerOfPerson(db: Db, organisationId: string, personId: string): Promise<Volunteer | undefined> {
  const row = await volunteerQuery(db, organisationId).where("v.person_id", "=", personId).executeTakeFirst();
  return row ? volunteerOf(row) : undefined;
}

/**
 * The logins a volunteer's record may be linked to (their own view, わたしへの依頼):
 * the organisation's watchers not deactivated, by name, each with the volunteer
 * already linked to it (a login is one volunteer's at most).
 */
export async function volunteerLogins(db: Db, organisationId: string): Promise<{ personId: string; displayName: string; volunteerId: string | null }[]> {
  const rows = await db.selectFrom("people as p")
    .leftJoin("directory_volunteers as v", (j) => j.onRef("v.organisation_id", "=", "p.organisation_id").onRef("v.person_id", "=", "p.id"))
    .select(["p.id", "p.display_name", "v.id as volunteer_id"])
    .where("p.organisation_id", "=", organisationId).where("p.role", "=", "watcher").where("p.deactivated_at", "is", null)
    .orderBy("p.display_name").orderBy("p.id").execute();
  return rows.map((r) => ({ personId: r.id, displayName: r.display_name, volunteerId: r.volunteer_id }));
}

// ---------------------------------------------------------------- requests

export interface OfferOptions {
  /** At most this many (passing on: one for each request that ended). */
  upTo?: number;
  /** Ask these volunteers (each must be suggested now); left out: the next ones in matching's order. */
  volunteerIds?: string[];
  /** Hours to answer (default 24). */
  respondHours?: number;
  match?: MatchOptions;
}

export interface VolunteerRequest {
  id: string;
  needId: string;
  /** What the need asks for and when; whom it is for only once the request is accepted (the volunteer goes there). */
  need: { taxonomyCodes: string[]; wantedAt: Date | null; status: string; member: { name: string; address: string | null; phone: string | null } | null };
  volunteerId: string;
  volunteerName: string;
  status: VolunteerRequestStatus;
  offeredBy: string;
  offeredAt: Date;
  respondBy: Date | null;
  answeredAt: Date | null;
  reason: string | null;
}

/** The hours to answer a passed-on offer: as long as the need's last offer gave (the coordinator's choice), else the default. */
async function lastRespondHours(tx: Db, organisationId: string, needId: string): Promise<number> {
  const last = await tx.selectFrom("directory_volunteer_requests").select(["offered_at", "respond_by"]).where("organisation_id", "=", organisationId)
    .where("need_id", "=", needId).where("respond_by", "is not", null).orderBy("offered_at", "desc").limit(1).executeTakeFirst();
  if (!last?.respond_by) return DEFAULT_RESPOND_HOURS;
  return Math.max(1, Math.round((last.respond_by.getTime() - last.offered_at.getTime()) / 3_600_000));
}

/**
 * Offers the need to volunteers within the caps, in one transaction with the
 * need's row locked (two coordinators never exceed the cap together). Chosen
 * volunteers must be suggested now (not off duty, full, already asked or out of
 * area: `volunteer_not_eligible`); more than the cap leaves (`offer_cap`).
 * Returns the new requests (empty when nobody is left to ask).
 * Errors: NeedError need_not_found / need_closed; VolunteerError as named.
 */
export async function offerNeed(
  db: Db, organisationId: string, needId: string, options: OfferOptions, by: string, now: Date, publicUrl: string,
): Promise<VolunteerRequest[]> {
  const ids = await inTransaction(db, async (tx) => {
    const need = await tx.selectFrom("directory_needs").select(["status"]).where("organisation_id", "=", organisationId).where("id", "=", needId)
      .forUpdate().executeTakeFirst();
    if (!need) throw new NeedError("need_not_found", "no such need");
    if (needClosed(need.status) || need.status === "matched") throw new NeedError("need_closed", `the need is ${need.status}`);
    return (await offerWithin(tx, organisationId, needId, options, by, now, publicUrl)).ids;
  });
  return (await needRequestsById(db, organisationId, ids));
}

/** Makes the offers and queues their messages; returns the new requests' ids and the outbox rows written. */
async function offerWithin(
  tx: Db, organisationId: string, needId: string, options: OfferOptions, by: string, now: Date, publicUrl: string,
): Promise<{ ids: string[]; queued: number }> {
  const need = (await getNeed(tx, organisationId, needId))!;
  const open = Number((await tx.selectFrom("directory_volunteer_requests").select((eb) => eb.fn.countAll<string>().as("n"))
    .where("organisation_id", "=", organisationId).where("need_id", "=", needId).where("status", "=", "offered").executeTakeFirstOrThrow()).n);
  const left = offersLeft(open, options.match);
  const facts = await matchFacts(tx, organisationId, need, now);
  const { match, terms } = await matchOptions(tx, organisationId, options.match);
  const candidates = await volunteerCandidates(tx, organisationId, lookupCodes(need.taxonomyCodes, terms, match.broader ?? (() => undefined)), needId);
  // Lock the candidates so two needs offered at once do not both take a volunteer's last free place.
  if (candidates.length) {
    await tx.selectFrom("directory_volunteers").select("id").where("organisation_id", "=", organisationId).where("id", "in", candidates.map((c) => c.id))
      .forUpdate().execute();
  }
  const suggested = matchNeed(facts, [], candidates, () => ({ kind: "no_schedule" }), match).volunteers.suggested;
  let chosen: string[];
  if (options.volunteerIds) {
    options = { ...options, volunteerIds: [...new Set(options.volunteerIds)] };
    if ((options.volunteerIds ?? []).length > left) {
      throw new VolunteerError("offer_cap", `at most ${left} more request(s) may be open for this need now`, "volunteerIds");
    }
    const eligible = new Set(suggested.map((s) => s.candidate.id));
    const bad = (options.volunteerIds ?? []).find((v) => !eligible.has(v));
    if (bad !== undefined) throw new VolunteerError("volunteer_not_eligible", `volunteer ${bad} cannot be asked now (see the matches for why)`, "volunteerIds");
    chosen = options.volunteerIds ?? [];
  } else {
    chosen = nextOffers(suggested, open, match).slice(0, options.upTo ?? Number.POSITIVE_INFINITY).map((v) => v.id);
  }
  if (chosen.length === 0) return { ids: [], queued: 0 };
  const hours = options.respondHours ?? await lastRespondHours(tx, organisationId, needId);
  const respondBy = new Date(now.getTime() + hours * 3_600_000);
  const rows = chosen.map((volunteerId) => ({
    id: newId(), organisation_id: organisationId, need_id: needId, volunteer_id: volunteerId, status: "offered" as const, offered_by: by, offered_at: now,
    respond_by: respondBy,
  }));
  await tx.insertInto("directory_volunteer_requests").values(rows).execute();
  await tx.updateTable("directory_volunteers").set({ last_asked_at: now }).where("organisation_id", "=", organisationId).where("id", "in", chosen).execute();
  const ids = rows.map((r) => r.id);
  return { ids, queued: await tellOffered(tx, organisationId, ids, publicUrl, now) };
}

/**
 * After `ended` requests of a still-open need ended unanswered (declined,
 * expired, the volunteer went off duty): as many next volunteers are asked, one
 * for one, within the caps — the coordinator's choice of how many to ask stands.
 * Returns the outbox rows written (the new volunteers' messages).
 */
async function passOn(tx: Db, organisationId: string, needId: string, ended: number, by: string, now: Date, publicUrl: string): Promise<number> {
  const need = await tx.selectFrom("directory_needs").select("status").where("organisation_id", "=", organisationId).where("id", "=", needId)
    .executeTakeFirst();
  if (need?.status !== "open" || ended <= 0) return 0;
  return (await offerWithin(tx, organisationId, needId, { upTo: ended }, by, now, publicUrl)).queued;
}

function requestQuery(db: Db, organisationId: string) {
  return db.selectFrom("directory_volunteer_requests as r")
    .innerJoin("directory_volunteers as v", (j) => j.onRef("v.id", "=", "r.volunteer_id").onRef("v.organisation_id", "=", "r.organisation_id"))
    .innerJoin("directory_needs as n", (j) => j.onRef("n.id", "=", "r.need_id").onRef("n.organisation_id", "=", "r.organisation_id"))
    .innerJoin("members as m", (j) => j.onRef("m.id", "=", "n.member_id").onRef("m.organisation_id", "=", "n.organisation_id"))
    .select(["r.id", "r.need_id", "r.volunteer_id", "v.display_name", "r.status", "r.offered_by", "r.offered_at", "r.respond_by", "r.answered_at", "r.reason",
      "n.taxonomy_codes", "n.wanted_at", "n.status as need_status", "m.display_name as member_name", "m.personal"])
    .where("r.organisation_id", "=", organisationId);
}

function requestOf(r: Awaited<ReturnType<ReturnType<typeof requestQuery>["executeTakeFirstOrThrow"]>>): VolunteerRequest {
  return {
    id: r.id, needId: r.need_id,
    need: {
      taxonomyCodes: r.taxonomy_codes, wantedAt: r.wanted_at, status: r.need_status,
      member: r.status === "accepted" ? { name: r.member_name, address: r.personal.address ?? null, phone: r.personal.phone ?? null } : null,
    },
    volunteerId: r.volunteer_id, volunteerName: r.display_name, status: r.status, offeredBy: r.offered_by,
    offeredAt: r.offered_at, respondBy: r.respond_by, answeredAt: r.answered_at, reason: r.reason,
  };
}

async function needRequestsById(db: Db, organisationId: string, ids: string[]): Promise<VolunteerRequest[]> {
  if (ids.length === 0) return [];
  return (await requestQuery(db, organisationId).where("r.id", "in", ids).orderBy("r.offered_at").orderBy("r.id").execute()).map(requestOf);
}

export async function getRequest(db: Db, organisationId: string, id: string): Promise<VolunteerRequest | undefined> {
  const row = await requestQuery(db, organisationId).where("r.id", "=", id).executeTakeFirst();
  return row ? requestOf(row) : undefined;
}

/** Requests, newest first: of one volunteer (their view), of one need, or in one state. */
export async function listRequests(
  db: Db, organisationId: string, filter: { volunteerId?: string; needId?: string; status?: VolunteerRequestStatus; limit: number },
): Promise<VolunteerRequest[]> {
  let q = requestQuery(db, organisationId);
  if (filter.volunteerId) q = q.where("r.volunteer_id", "=", filter.volunteerId);
  if (filter.needId) q = q.where("r.need_id", "=", filter.needId);
  if (filter.status) q = q.where("r.status", "=", filter.status);
  return (await q.orderBy("r.offered_at", "desc").orderBy("r.id", "desc").limit(filter.limit).execute()).map(requestOf);
}

/**
 * A volunteer's answer (or a coordinator's on their behalf; who answered is in the audit log). `onlyPersonId`: the
 * volunteer answering for themselves must be the request's (`not_your_request`).
 * Accepting matches the need and withdraws its other open offers; declining
 * passes the need on to the next volunteer. Errors: request_not_found,
 * not_offered, offer_expired, not_your_request; NeedError need_closed.
 */
export async function answerRequest(
  db: Db, organisationId: string, requestId: string, answer: "accept" | "decline", reason: string | null, now: Date, publicUrl: string,
  onlyPersonId?: string,
): Promise<VolunteerRequest> {
  await inTransaction(db, async (tx) => {
    const req = await tx.selectFrom("directory_volunteer_requests as r")
      .innerJoin("directory_volunteers as v", (j) => j.onRef("v.id", "=", "r.volunteer_id").onRef("v.organisation_id", "=", "r.organisation_id"))
      .select(["r.need_id", "r.status", "r.respond_by", "v.person_id"]).where("r.organisation_id", "=", organisationId).where("r.id", "=", requestId)
      .executeTakeFirst();
    if (!req) throw new VolunteerError("request_not_found", "no such request");
    if (onlyPersonId !== undefined && req.person_id !== onlyPersonId) throw new VolunteerError("not_your_request", "this request was made to another volunteer");
    // The need first, then the request: the order offerNeed locks in.
    const need = await tx.selectFrom("directory_needs").select("status").where("organisation_id", "=", organisationId).where("id", "=", req.need_id)
      .forUpdate().executeTakeFirstOrThrow();
    const locked = await tx.selectFrom("directory_volunteer_requests").select(["status", "respond_by"]).where("organisation_id", "=", organisationId)
      .where("id", "=", requestId).forUpdate().executeTakeFirstOrThrow();
    const refusal = checkRequestAnswer(locked.status, locked.respond_by, now);
    if (refusal === "not_offered") throw new VolunteerError("not_offered", `the request is ${locked.status} already`);
    if (refusal === "expired") throw new VolunteerError("offer_expired", "the time to answer has passed: the need went to the next volunteer");
    if (answer === "accept" && needClosed(need.status)) throw new NeedError("need_closed", `the need is ${need.status}`);
    await tx.updateTable("directory_volunteer_requests").set({ status: answer === "accept" ? "accepted" : "declined", respond_by: null, answered_at: now, reason })
      .where("organisation_id", "=", organisationId).where("id", "=", requestId).execute();
    if (answer === "accept") {
      await tx.updateTable("directory_needs").set({ status: "matched", updated_at: now }).where("organisation_id", "=", organisationId)
        .where("id", "=", req.need_id).where("status", "=", "open").execute();
      // A volunteer without a login keeps their offer's link to see whom to help and log contacts.
      await extendOfferLink(tx, organisationId, requestId, now);
      const withdrawn = await tx.updateTable("directory_volunteer_requests").set({ status: "withdrawn", respond_by: null, answered_at: now, reason: "another_accepted" })
        .where("organisation_id", "=", organisationId).where("need_id", "=", req.need_id).where("status", "=", "offered").returning("id").execute();
      await tellWithdrawn(tx, organisationId, withdrawn.map((w) => w.id), "another_accepted", now);
    } else {
      await passOn(tx, organisationId, req.need_id, 1, "system", now, publicUrl);
    }
  });
  return (await getRequest(db, organisationId, requestId)) as VolunteerRequest;
}

/**
 * The deciding loop's work: offers whose respond_by passed expire, and their
 * needs pass on to the next volunteers (within the caps). One batch, oldest
 * deadline first; rows locked by another worker are skipped.
 */
export async function expireOffers(db: Db, now: Date, limit: number, publicUrl: string): Promise<{ claimed: number; queued: number }> {
  return inTransaction(db, async (tx) => {
    const due = await tx.selectFrom("directory_volunteer_requests").select(["id", "organisation_id", "need_id"])
      .where("respond_by", "<=", now).where("status", "=", "offered").orderBy("respond_by").limit(limit).forUpdate().skipLocked().execute();
    if (due.length === 0) return { claimed: 0, queued: 0 };
    await tx.updateTable("directory_volunteer_requests").set({ status: "expired", respond_by: null, answered_at: now, reason: "no_answer" })
      .where("id", "in", due.map((d) => d.id)).execute();
    const ended = new Map<string, { organisationId: string; needId: string; n: number }>();
    for (const d of due) {
      const key = `${d.organisation_id}:${d.need_id}`;
      ended.set(key, { organisationId: d.organisation_id, needId: d.need_id, n: (ended.get(key)?.n ?? 0) + 1 });
    }
    let queued = 0;
    for (const e of ended.values()) queued += await passOn(tx, e.organisationId, e.needId, e.n, "system", now, publicUrl);
    // `queued` counts the outbox rows of the new offers' messages: the sending workers are nudged.
    return { claimed: due.length, queued };
  });
}

/** The deciding loop's phase of expiring offers; `publicUrl` (where the service answers) is what the next volunteers' messages link to. */
export function volunteerOffersPhase(publicUrl: () => string): DecidingPhase {
  return {
    name: "volunteer-offers",
    deadlines: [{ table: "directory_volunteer_requests", column: "respond_by", where: sql`status = 'offered'` }],
    run: (db, now, limit) => expireOffers(db, now, limit, publicUrl()),
  };
}

// ---------------------------------------------------------------- contacts

export interface VolunteerContact {
  id: string;
  volunteerId: string;
  volunteerName: string;
  memberId: string | null;
  memberName: string | null;
  needId: string | null;
  contactedAt: Date;
  note: string;
  recordedBy: string;
  recordedAt: Date;
  acknowledgedBy: string | null;
  acknowledgedAt: Date | null;
}

function contactQuery(db: Db, organisationId: string) {
  return db.selectFrom("directory_volunteer_contacts as c")
    .innerJoin("directory_volunteers as v", (j) => j.onRef("v.id", "=", "c.volunteer_id").onRef("v.organisation_id", "=", "c.organisation_id"))
    .leftJoin("members as m", (j) => j.onRef("m.id", "=", "c.member_id").onRef("m.organisation_id", "=", "c.organisation_id"))
    .select(["c.id", "c.volunteer_id", "v.display_name as volunteer_name", "c.member_id", "m.display_name as member_name", "m.team_id", "c.need_id",
      "c.contacted_at", "c.note", "c.recorded_by", "c.recorded_at", "c.acknowledged_by", "c.acknowledged_at"])
    .where("c.organisation_id", "=", organisationId);
}

function contactOf(r: Awaited<ReturnType<ReturnType<typeof contactQuery>["executeTakeFirstOrThrow"]>>): VolunteerContact & { teamId: string | null } {
  return {
    id: r.id, volunteerId: r.volunteer_id, volunteerName: r.volunteer_name, memberId: r.member_id, memberName: r.member_name, teamId: r.team_id,
    needId: r.need_id, contactedAt: r.contacted_at, note: r.note, recordedBy: r.recorded_by, recordedAt: r.recorded_at, acknowledgedBy: r.acknowledged_by,
    acknowledgedAt: r.acknowledged_at,
  };
}

/**
 * Logs a volunteer's contact with a member (a visit, a call, shopping done). The
 * member, when named, must exist; a need, when named, must be that member's.
 * Errors: VolunteerError volunteer_not_found; NeedError member_not_found, need_not_found.
 */
export async function logContact(
  db: Db, organisationId: string, volunteerId: string, input: { memberId?: string | null; needId?: string | null; contactedAt: Date; note: string },
  by: string, now: Date,
): Promise<VolunteerContact & { teamId: string | null }> {
  const id = newId();
  await inTransaction(db, async (tx) => {
    const v = await tx.selectFrom("directory_volunteers").select("id").where("organisation_id", "=", organisationId).where("id", "=", volunteerId).executeTakeFirst();
    if (!v) throw new VolunteerError("volunteer_not_found", "no such volunteer");
    let memberId = input.memberId ?? null;
    if (input.needId) {
      const need = await tx.selectFrom("directory_needs").select("member_id").where("organisation_id", "=", organisationId).where("id", "=", input.needId)
        .executeTakeFirst();
      if (!need) throw new NeedError("need_not_found", "no such need", "needId");
      if (memberId && memberId !== need.member_id) throw new NeedError("source_member_mismatch", "the need is about another member", "memberId");
      memberId = need.member_id;
    }
    if (memberId) {
      const m = await tx.selectFrom("members").select("id").where("organisation_id", "=", organisationId).where("id", "=", memberId)
        .where("erased_at", "is", null).executeTakeFirst();
      if (!m) throw new NeedError("member_not_found", "no such member", "memberId");
    }
    await tx.insertInto("directory_volunteer_contacts").values({
      id, organisation_id: organisationId, volunteer_id: volunteerId, member_id: memberId, need_id: input.needId ?? null, contacted_at: input.contactedAt,
      note: input.note, recorded_by: by, recorded_at: now,
    }).execute();
  });
  return contactOf(await contactQuery(db, organisationId).where("c.id", "=", id).executeTakeFirstOrThrow());
}

/**
 * Contacts, newest first: a volunteer's, a member's, those not acknowledged yet,
 * or those acknowledged (the latest acknowledged first: the coordinator's
 * history); limited to teams when given (contacts without a member stay visible).
 */
export async function listVolunteerContacts(
  db: Db, organisationId: string,
  filter: { volunteerId?: string; memberId?: string; unacknowledged?: boolean; acknowledged?: boolean; teamIds?: string[]; limit: number },
): Promise<(VolunteerContact & { teamId: string | null })[]> {
  let q = contactQuery(db, organisationId);
  if (filter.volunteerId) q = q.where("c.volunteer_id", "=", filter.volunteerId);
  if (filter.memberId) q = q.where("c.member_id", "=", filter.memberId);
  if (filter.unacknowledged) q = q.where("c.acknowledged_at", "is", null);
  if (filter.acknowledged) q = q.where("c.acknowledged_at", "is not", null).orderBy("c.acknowledged_at", "desc");
  if (filter.teamIds) {
    const teams = filter.teamIds;
    q = q.where((eb) => teams.length ? eb.or([eb("c.member_id", "is", null), eb("m.team_id", "in", teams)]) : eb("c.member_id", "is", null));
  }
  return (await q.orderBy("c.contacted_at", "desc").orderBy("c.id", "desc").limit(filter.limit).execute()).map(contactOf);
}

export async function getContact(db: Db, organisationId: string, id: string): Promise<(VolunteerContact & { teamId: string | null }) | undefined> {
  const row = await contactQuery(db, organisationId).where("c.id", "=", id).executeTakeFirst();
  return row ? contactOf(row) : undefined;
}

/** A coordinator acknowledges a logged contact (once; later calls keep the first). Undefined: no such contact. */
export async function acknowledgeContact(db: Db, organisationId: string, id: string, by: string, now: Date) {
  await db.updateTable("directory_volunteer_contacts").set({ acknowledged_by: by, acknowledged_at: now }).where("organisation_id", "=", organisationId)
    .where("id", "=", id).where("acknowledged_at", "is", null).execute();
  return getContact(db, organisationId, id);
}

/**
 * Handover's share of the volunteers (issue 14: a volunteer group has an owner
 * among the staff): whom `from` kept in touch with, `to` does now. Counted under
 * `volunteers`; the handover route's audit entry records the move.
 */
export const volunteersHandover: HandoverPart = async (tx, organisationId, from, to, _by, now) => {
  const moved = await tx.updateTable("directory_volunteers").set({ owner_person_id: to, updated_at: now })
    .where("organisation_id", "=", organisationId).where("owner_person_id", "=", from).returning("id").execute();
  return { volunteers: moved.length };
};
