/**
 * Today (本日の状況): per team, where every active member stands today, for the
 * console's board; and a cheap fingerprint of everything that moves the board, for
 * its live updates.
 *
 * Each active member is in at most one bucket, the most pressing first:
 * `contact_requested` (an unresolved contact- or help-requested incident) →
 * `unreachable` (an unresolved member-unreachable incident) → `incident_open`
 * (any other unresolved incident) → `resent` (an escalating check-in past its
 * first step: the prompt went out again) → `waiting` (asked, still within the
 * answer window) → `answered` (answered since the start of today, in the
 * organisation's zone, with nothing open) → `paused`. A member in none of them
 * (next check-in still ahead, nothing today) is counted as `scheduled`.
 */
import { sql } from "kysely";
import { DEFAULT_TIME_ZONE, instantOf, isValidTimeZone, localDateOf } from "../domain/schedule.ts";
import type { Db } from "../store/db.ts";

export const BOARD_BUCKETS = ["contact_requested", "unreachable", "incident_open", "resent", "waiting", "answered", "paused"] as const;
export type BoardBucket = (typeof BOARD_BUCKETS)[number];

export interface BoardMember {
  id: string;
  displayName: string;
  /** When the member entered the bucket: the incident's opening, the prompt, the answer, the pause (ISO, UTC). */
  since: string | null;
}

export interface TeamBoard {
  id: string;
  name: string;
  /** Members per bucket; `scheduled` counts the active members in no bucket. */
  counts: Record<BoardBucket | "scheduled", number>;
  /** Per bucket, up to `listLimit` members, longest waiting first. */
  members: Record<BoardBucket, BoardMember[]>;
}

export interface Board {
  /** The organisation's local date (YYYY-MM-DD) the board is about. */
  date: string;
  timeZone: string;
  /** The engine's clock when the board was read (ISO, UTC). */
  at: string;
  teams: TeamBoard[];
}

/** The organisation's time zone (settings.timeZone), Asia/Tokyo unless set. */
export async function organisationTimeZone(db: Db, organisationId: string): Promise<string> {
  const row = await db.selectFrom("organisations").select("settings").where("id", "=", organisationId).executeTakeFirst();
  const zone = (row?.settings as { timeZone?: unknown } | undefined)?.timeZone;
  return typeof zone === "string" && isValidTimeZone(zone) ? zone : DEFAULT_TIME_ZONE;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * The board of one organisation at `now` (the engine's clock). `teamIds`, when
 * given, limits it to those teams. Reads four indexed sets (teams, active
 * members, open check-ins, unresolved incidents, today's answers); lists hold at
 * most `listLimit` members per bucket, counts are complete.
 */
export async function todayBoard(db: Db, organisationId: string, now: Date, options: { listLimit?: number; teamIds?: string[] } = {}): Promise<Board> {
  const listLimit = options.listLimit ?? 100;
  const timeZone = await organisationTimeZone(db, organisationId);
  const date = localDateOf(now, timeZone);
  const startOfDay = instantOf(date, "00:00", timeZone);
  let teamQuery = db.selectFrom("teams").select(["id", "name", "is_default"]).where("organisation_id", "=", organisationId);
  if (options.teamIds) teamQuery = options.teamIds.length ? teamQuery.where("id", "in", options.teamIds) : teamQuery.where(sql<boolean>`false`);
  const [teams, members, checkins, incidents, answers] = await Promise.all([
    teamQuery.orderBy("is_default", "desc").orderBy("name").execute(),
    db.selectFrom("members").select(["id", "team_id", "display_name", "pause", "updated_at"])
      .where("organisation_id", "=", organisationId).where("active", "=", true).execute(),
    db.selectFrom("checkins").select(["member_id", "step_index", "escalates", "asked_at", "due_at"])
      .where("organisation_id", "=", organisationId).where("status", "=", "open").execute(),
    db.selectFrom("incidents").select(["member_id", "kind", "opened_at"])
      .where("organisation_id", "=", organisationId).where("status", "<>", "resolved").execute(),
    db.selectFrom("answers").select(["member_id", db.fn.max("received_at").as("at")])
      .where("organisation_id", "=", organisationId).where("received_at", ">=", startOfDay).where("received_at", "<=", now)
      .groupBy("member_id").execute(),
  ]);
  const incidentOf = new Map<string, { bucket: BoardBucket; at: Date }>();
  const rank = (b: BoardBucket) => BOARD_BUCKETS.indexOf(b);
  for (const i of incidents) {
    const bucket: BoardBucket = i.kind === "contact_requested" || i.kind === "help_requested" ? "contact_requested"
      : i.kind === "member_unreachable" ? "unreachable" : "incident_open";
    const known = incidentOf.get(i.member_id);
    if (!known || rank(bucket) < rank(known.bucket)) incidentOf.set(i.member_id, { bucket, at: i.opened_at });
  }
  const checkinOf = new Map<string, { resent: boolean; at: Date }>();
  for (const c of checkins) {
    const resent = c.escalates && c.step_index > 0;
    const known = checkinOf.get(c.member_id);
    // The oldest open check-in decides how long the member has been waiting.
    if (!known || (resent && !known.resent) || (resent === known.resent && c.due_at < known.at)) {
      checkinOf.set(c.member_id, { resent, at: c.asked_at ?? c.due_at });
    }
  }
  const answeredAt = new Map(answers.map((a) => [a.member_id, new Date(a.at as unknown as string | Date)]));
  const boards = new Map<string, TeamBoard & { lists: Record<BoardBucket, { m: BoardMember; t: number }[]> }>();
  for (const t of teams) {
    boards.set(t.id, {
      id: t.id, name: t.name,
      counts: { contact_requested: 0, unreachable: 0, incident_open: 0, resent: 0, waiting: 0, answered: 0, paused: 0, scheduled: 0 },
      members: Object.fromEntries(BOARD_BUCKETS.map((b) => [b, []])) as unknown as Record<BoardBucket, BoardMember[]>,
      lists: Object.fromEntries(BOARD_BUCKETS.map((b) => [b, []])) as unknown as Record<BoardBucket, { m: BoardMember; t: number }[]>,
    });
  }
  for (const m of members) {
    const board = boards.get(m.team_id);
    if (!board) continue;
    let bucket: BoardBucket | undefined;
    let at: Date | null = null;
    const incident = incidentOf.get(m.id);
    const checkin = checkinOf.get(m.id);
    if (incident) ({ bucket, at } = incident);
    else if (checkin) [bucket, at] = [checkin.resent ? "resent" : "waiting", checkin.at];
    else if (answeredAt.has(m.id)) [bucket, at] = ["answered", answeredAt.get(m.id) as Date];
    else if (m.pause) [bucket, at] = ["paused", m.updated_at];
    if (!bucket) {
      board.counts.scheduled++;
      continue;
    }
    board.counts[bucket]++;
    board.lists[bucket].push({ m: { id: m.id, displayName: m.display_name, since: iso(at) }, t: at?.getTime() ?? 0 });
  }
  const out: TeamBoard[] = [];
  for (const { lists, ...board } of boards.values()) {
    for (const b of BOARD_BUCKETS) {
      // Longest waiting first; answered members newest first (who just answered is what people look for).
      const order = b === "answered" ? -1 : 1;
      board.members[b] = lists[b].sort((x, y) => order * (x.t - y.t) || x.m.displayName.localeCompare(y.m.displayName, "ja"))
        .slice(0, listLimit).map((x) => x.m);
    }
    out.push(board);
  }
  return { date, timeZone, at: now.toISOString(), teams: out };
}

/**
 * A short string that changes whenever the board may have: an answer recorded,
 * an incident event (opened, acknowledged, resolved, noted), a member changed
 * (paused, resumed, moved), a check-in opened, closed or stepped. Each part is
 * one indexed look-up (migration 009), so polling it every second per watched
 * organisation costs little.
 */
export async function boardFingerprint(db: Db, organisationId: string): Promise<string> {
  const result = await sql<{ a: unknown; e: unknown; m: unknown; c: unknown; s: unknown }>`
    select
      (select max(received_at) from answers where organisation_id = ${organisationId}) as a,
      (select max(at) from incident_events where organisation_id = ${organisationId}) as e,
      (select max(updated_at) from members where organisation_id = ${organisationId}) as m,
      (select count(*) from checkins where organisation_id = ${organisationId} and status = 'open') as c,
      (select coalesce(sum(step_index), 0) from checkins where organisation_id = ${organisationId} and status = 'open') as s`.execute(db);
  const r = result.rows[0];
  const part = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v ?? ""));
  return [r.a, r.e, r.m, r.c, r.s].map(part).join("|");
}
