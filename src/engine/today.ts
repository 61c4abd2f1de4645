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
import { type Db, inTransaction, preferHashJoins } from "../store/db.ts";

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

/** Rows of the board query: per bucket of each team, its size and each member it lists (up to the list limit). */
interface BucketRow {
  team_id: string;
  /** null: the member is in no bucket (scheduled). */
  bucket: BoardBucket | null;
  /** null when the bucket lists nobody (scheduled members, or a list limit of 0). */
  id: string | null;
  display_name: string | null;
  at: Date | null;
  /** The bucket's size (a bigint: a string from PostgreSQL). */
  total: string | number;
}

/**
 * The board of one organisation at `now` (the engine's clock). `teamIds`, when
 * given, limits it to those teams. One statement: PostgreSQL places each active
 * member in their bucket (the most pressing first, see the module comment),
 * counts the buckets and returns at most `listLimit` members of each, so the
 * answer's cost does not grow with the members listed nowhere (100,000 members:
 * one pass over four indexed sets, not 100,000 rows to the service).
 */
export async function todayBoard(db: Db, organisationId: string, now: Date, options: { listLimit?: number; teamIds?: string[] } = {}): Promise<Board> {
  const listLimit = options.listLimit ?? 100;
  const timeZone = await organisationTimeZone(db, organisationId);
  const date = localDateOf(now, timeZone);
  const startOfDay = instantOf(date, "00:00", timeZone);
  let teamQuery = db.selectFrom("teams").select(["id", "name", "is_default"]).where("organisation_id", "=", organisationId);
  if (options.teamIds) teamQuery = options.teamIds.length ? teamQuery.where("id", "in", options.teamIds) : teamQuery.where(sql<boolean>`false`);
  const teams = await teamQuery.orderBy("is_default", "desc").orderBy("name").execute();
  const teamIds = teams.map((t) => t.id);
  const rows = teamIds.length ? await inTransaction(db, async (tx) => {
    await preferHashJoins(tx);
    return (await sql<BucketRow>`
    with incident as (
      select distinct on (member_id) member_id, opened_at as at,
        case when kind in ('contact_requested', 'help_requested') then 'contact_requested'
             when kind = 'member_unreachable' then 'unreachable' else 'incident_open' end as bucket
      from incidents where organisation_id = ${organisationId} and status <> 'resolved'
      order by member_id, case when kind in ('contact_requested', 'help_requested') then 0 when kind = 'member_unreachable' then 1 else 2 end, opened_at
    ), checkin as (
      -- The oldest open check-in decides how long the member has been waiting; a re-sent one first.
      -- Aggregated by hashing, not sorted: every active member may have one.
      select member_id, bool_or(escalates and step_index > 0) as resent,
        min(coalesce(asked_at, due_at)) filter (where escalates and step_index > 0) as resent_at,
        min(coalesce(asked_at, due_at)) as asked_at
      from checkins where organisation_id = ${organisationId} and status = 'open'
      group by member_id
    ), answered as (
      select member_id, max(received_at) as at from answers
      where organisation_id = ${organisationId} and received_at >= ${startOfDay} and received_at <= ${now}
      group by member_id
    ), placed as materialized (
      select m.team_id, m.id, m.display_name,
        coalesce(i.bucket, case when c.resent then 'resent' when c.member_id is not null then 'waiting' end,
                 case when a.member_id is not null then 'answered' end,
                 case when m.pause is not null and m.pause <> 'null'::jsonb then 'paused' end) as bucket,
        case when i.member_id is not null then i.at when c.resent then c.resent_at when c.member_id is not null then c.asked_at
             when a.member_id is not null then a.at else m.updated_at end as at
      from members m
      left join incident i on i.member_id = m.id
      left join checkin c on c.member_id = m.id
      left join answered a on a.member_id = m.id
      where m.organisation_id = ${organisationId} and m.active and m.team_id in (${sql.join(teamIds)})
    ), bucket as (
      select team_id, bucket, count(*) as total from placed group by team_id, bucket
    )
    -- Each bucket's first members by a top-N sort of that bucket alone; its size from the count.
    select b.team_id, b.bucket, b.total, l.id, l.display_name, l.at from bucket b
    left join lateral (
      select p.id, p.display_name, p.at from placed p
      where b.bucket is not null and p.team_id = b.team_id and p.bucket = b.bucket
      order by case when b.bucket = 'answered' then -extract(epoch from p.at) else extract(epoch from p.at) end, p.display_name, p.id
      limit ${listLimit}
    ) l on true`.execute(tx)).rows;
  }) : [];
  const boards = new Map<string, TeamBoard>(teams.map((t) => [t.id, {
    id: t.id, name: t.name,
    counts: { contact_requested: 0, unreachable: 0, incident_open: 0, resent: 0, waiting: 0, answered: 0, paused: 0, scheduled: 0 },
    members: Object.fromEntries(BOARD_BUCKETS.map((b) => [b, []])) as unknown as Record<BoardBucket, BoardMember[]>,
  }]));
  for (const row of rows) {
    const board = boards.get(row.team_id) as TeamBoard;
    board.counts[row.bucket ?? "scheduled"] = Number(row.total);
    if (row.bucket && row.id) {
      board.members[row.bucket].push({ id: row.id, displayName: row.display_name ?? "", since: iso(row.at && new Date(row.at)) });
    }
  }
  for (const board of boards.values()) {
    for (const b of BOARD_BUCKETS) {
      // Longest waiting first; answered members newest first; the same moment by name in Japanese order.
      const order = b === "answered" ? -1 : 1;
      board.members[b].sort((x, y) => order * (Date.parse(x.since ?? "") - Date.parse(y.since ?? "")) || x.displayName.localeCompare(y.displayName, "ja"));
    }
  }
  return { date, timeZone, at: now.toISOString(), teams: [...boards.values()] };
}

/** A board read again from the cache is at most this old (ms, on the engine's clock), whatever the fingerprint says. */
export const BOARD_CACHE_TTL_MS = 30_000;
/** Boards kept (organisation × teams × list limit); the oldest goes first. */
const BOARD_CACHE_SIZE = 500;

/**
 * Today's boards, read once per change: every open console re-reads the board on
 * each change (GET /today on the stream's `board` event), so one organisation's
 * board is asked for by every screen at once. A board is answered from the last
 * one read for the same organisation, teams and list limit while its fingerprint
 * (one indexed look-up per part) is unchanged, its local date is today and it is
 * at most BOARD_CACHE_TTL_MS old; reads of the same board in flight share one
 * query. The fingerprint is read before the board, so a board is never kept under
 * a fingerprint newer than its data.
 */
export class TodayBoards {
  readonly #entries = new Map<string, { fingerprint: string; at: number; board: Promise<Board> }>();

  /** As `todayBoard`, with `at` the time of this read. */
  async read(db: Db, organisationId: string, now: Date, options: { listLimit?: number; teamIds?: string[] } = {}): Promise<Board> {
    const key = `${organisationId}|${options.teamIds ? [...options.teamIds].sort().join(",") : "*"}|${options.listLimit ?? ""}`;
    const fingerprint = await boardFingerprint(db, organisationId);
    const hit = this.#entries.get(key);
    const age = hit ? now.getTime() - hit.at : Number.POSITIVE_INFINITY;
    if (hit && hit.fingerprint === fingerprint && age >= 0 && age <= BOARD_CACHE_TTL_MS) {
      const board = await hit.board;
      if (localDateOf(now, board.timeZone) === board.date) return { ...board, at: now.toISOString() };
    }
    const entry = { fingerprint, at: now.getTime(), board: todayBoard(db, organisationId, now, options) };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > BOARD_CACHE_SIZE) this.#entries.delete(this.#entries.keys().next().value as string);
    try {
      return await entry.board;
    } catch (error) {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
      throw error;
    }
  }
}

/**
 * A short string that changes whenever the board may have: an answer recorded,
 * an incident event (opened, acknowledged, resolved, noted), a member changed
 * (paused, resumed, moved), a check-in opened, closed or stepped. Each part is
 * one indexed look-up (migration 009), so polling it every second per watched
 * organisation costs little. The newest row's time *and id* (ids are time-ordered):
 * on a stopped sandbox clock two answers share one instant. Not seen: one member
 * changed twice in one instant of a stopped clock (its newest row stays the same
 * row at the same time) — shown at the next other change.
 */
export async function boardFingerprint(db: Db, organisationId: string): Promise<string> {
  const result = await sql<{ a: unknown; e: unknown; m: unknown; c: unknown; s: unknown }>`
    select
      (select received_at::text || id::text from answers where organisation_id = ${organisationId} order by received_at desc, id desc limit 1) as a,
      (select at::text || id::text from incident_events where organisation_id = ${organisationId} order by at desc, id desc limit 1) as e,
      (select updated_at::text || id::text from members where organisation_id = ${organisationId} order by updated_at desc, id desc limit 1) as m,
      (select count(*) from checkins where organisation_id = ${organisationId} and status = 'open') as c,
      (select coalesce(sum(step_index), 0) from checkins where organisation_id = ${organisationId} and status = 'open') as s`.execute(db);
  const r = result.rows[0];
  const part = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v ?? ""));
  return [r.a, r.e, r.m, r.c, r.s].map(part).join("|");
}
