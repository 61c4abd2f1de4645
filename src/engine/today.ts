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
import { type Db, preferHashJoins } from "../store/db.ts";

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

/** Options of a board read: only these teams (default every team), at most `listLimit` members per bucket (default 100). */
export interface BoardOptions {
  listLimit?: number;
  teamIds?: string[];
}

/**
 * Members per bucket kept beyond the list limit, so that a board brought up to
 * date by an answer (TodayBoards) still has a full list when members leave one.
 */
const LIST_SPARE = 50;
/** For tests: LIST_SPARE, so that they can run a list short. */
export const BOARD_LIST_SPARE = LIST_SPARE;

/** One member as placed on the board; `bucket` null: in none (scheduled). */
interface Placement {
  team_id: string;
  id: string;
  display_name: string;
  bucket: BoardBucket | null;
  at: Date | null;
}

/** A bucket's members in the statement's order (see `before`), a prefix of all of them. */
type ListEntry = Pick<Placement, "id" | "display_name" | "at">;

/**
 * A board as read, before it is shaped for the console: per team, each bucket's
 * size and its first members (up to the list limit plus LIST_SPARE) in the
 * statement's order, with the state of the data it was read from.
 */
interface Snapshot {
  state: BoardState;
  /** The engine's clock when it was read in full (ms); a board brought up to date keeps it. */
  readAt: number;
  now: Date;
  date: string;
  timeZone: string;
  teams: { id: string; name: string; counts: TeamBoard["counts"]; lists: Record<BoardBucket, ListEntry[]> }[];
  listLimit: number;
}

/**
 * The statement's list order within a bucket: longest waiting first (answered:
 * newest first), then by the name's code points, then by id. True when `a` comes
 * before `b` in `bucket`.
 */
function before(bucket: BoardBucket, a: ListEntry, b: ListEntry): boolean {
  const ta = a.at ? a.at.getTime() : Number.NaN;
  const tb = b.at ? b.at.getTime() : Number.NaN;
  if (ta !== tb) return bucket === "answered" ? ta > tb : ta < tb;
  if (a.display_name !== b.display_name) return codePoints(a.display_name) < codePoints(b.display_name);
  return a.id < b.id;
}

/** A string compared by code points (as PostgreSQL's "C" collation compares UTF-8), not by UTF-16 units. */
function codePoints(text: string): string {
  // Surrogate pairs sort above U+E000–U+FFFF in UTF-16 but below them by code point: compare escaped.
  return /[\ud800-\udfff]/.test(text) ? [...text].map((c) => (c.codePointAt(0) as number).toString(16).padStart(6, "0")).join("") : text;
}

/**
 * Where the given active members of the teams stand (all of them when
 * `memberIds` is absent), the most pressing bucket first (see the module
 * comment); `at` as in BoardMember.since. `asBefore` places them as they stood
 * before some answers: these check-ins still open, and no answer after `answer`
 * counted.
 */
function placedSql(organisationId: string, teamIds: string[], startOfDay: Date, now: Date,
  only?: { memberIds: string[]; asBefore?: { reopened: string[]; answer: { at: Date; id: string } | null } }) {
  const forMembers = (column: string) => (only ? sql` and ${sql.ref(column)} = any(${only.memberIds}::uuid[])` : sql``);
  // For a few members, their rows are found by member (or id), not among the organisation's: the organisation is
  // named in a form no index matches, since without statistics the planner prefers the organisation's index and
  // reads every open check-in (100,000: ~10 ms a statement).
  const inOrganisation = only ? sql`(organisation_id = ${organisationId}) is true` : sql`organisation_id = ${organisationId}`;
  const openCheckins = only?.asBefore
    ? sql`(select * from checkins where ${inOrganisation} and status = 'open'${forMembers("member_id")}
        union all select * from checkins where ${inOrganisation} and id = any(${only.asBefore.reopened}::uuid[]))`
    : sql`(select * from checkins where ${inOrganisation} and status = 'open'${forMembers("member_id")})`;
  const answeredBefore = only?.asBefore
    ? (only.asBefore.answer ? sql` and (received_at, id) <= (${only.asBefore.answer.at}, ${only.asBefore.answer.id}::uuid)` : sql` and false`)
    : sql``;
  return sql`
    with incident as (
      select distinct on (member_id) member_id, opened_at as at,
        case when kind in ('contact_requested', 'help_requested') then 'contact_requested'
             when kind = 'member_unreachable' then 'unreachable' else 'incident_open' end as bucket
      from incidents where ${inOrganisation} and status <> 'resolved'${forMembers("member_id")}
      order by member_id, case when kind in ('contact_requested', 'help_requested') then 0 when kind = 'member_unreachable' then 1 else 2 end, opened_at
    ), checkin as (
      -- The oldest open check-in decides how long the member has been waiting; a re-sent one first.
      -- Aggregated by hashing, not sorted: every active member may have one.
      select member_id, bool_or(escalates and step_index > 0) as resent,
        min(coalesce(asked_at, due_at)) filter (where escalates and step_index > 0) as resent_at,
        min(coalesce(asked_at, due_at)) as asked_at
      from ${openCheckins} as open_checkins
      group by member_id
    ), answered as (
      select member_id, max(received_at) as at from answers
      where ${inOrganisation} and received_at >= ${startOfDay} and received_at <= ${now}${answeredBefore}${forMembers("member_id")}
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
      where m.organisation_id = ${organisationId} and m.active and m.team_id in (${sql.join(teamIds)})${forMembers("m.id")}
    )`;
}

/** Rows of the board query: per bucket of each team, its size and each member it lists (up to the list limit). */
interface BucketRow {
  team_id: string;
  /** null: the member is in no bucket (scheduled). */
  bucket: BoardBucket | null;
  /** null when the bucket lists nobody (scheduled members). */
  id: string | null;
  display_name: string | null;
  at: Date | null;
  /** The bucket's size (a bigint: a string from PostgreSQL). */
  total: string | number;
}

const emptyCounts = (): TeamBoard["counts"] =>
  ({ contact_requested: 0, unreachable: 0, incident_open: 0, resent: 0, waiting: 0, answered: 0, paused: 0, scheduled: 0 });
const emptyLists = () => Object.fromEntries(BOARD_BUCKETS.map((b) => [b, []])) as unknown as Record<BoardBucket, ListEntry[]>;

/** The organisation's zone, today's date in it, and the teams asked for (the default team first, then by name). */
async function boardFrame(db: Db, organisationId: string, now: Date, options: BoardOptions) {
  const timeZone = await organisationTimeZone(db, organisationId);
  const date = localDateOf(now, timeZone);
  let teamQuery = db.selectFrom("teams").select(["id", "name", "is_default"]).where("organisation_id", "=", organisationId);
  if (options.teamIds) teamQuery = options.teamIds.length ? teamQuery.where("id", "in", options.teamIds) : teamQuery.where(sql<boolean>`false`);
  const teams = await teamQuery.orderBy("is_default", "desc").orderBy("name").execute();
  return { timeZone, date, startOfDay: instantOf(date, "00:00", timeZone), teams };
}

/**
 * The whole board, with the state of the data it was read from (one snapshot:
 * the state and the board are read in one repeatable-read transaction). One
 * statement: PostgreSQL places each active member in their bucket, counts the
 * buckets and returns the first members of each, so the answer's cost does not
 * grow with the members listed nowhere (100,000 members: one pass over four
 * indexed sets, not 100,000 rows to the service).
 */
async function readSnapshot(db: Db, organisationId: string, now: Date, options: BoardOptions): Promise<Snapshot> {
  const listLimit = options.listLimit ?? 100;
  return db.transaction().setIsolationLevel("repeatable read").execute(async (trx) => {
    const tx = trx as unknown as Db;
    const state = await boardState(tx, organisationId);
    const { timeZone, date, startOfDay, teams } = await boardFrame(tx, organisationId, now, options);
    const teamIds = teams.map((t) => t.id);
    let rows: BucketRow[] = [];
    if (teamIds.length) {
      await preferHashJoins(tx);
      rows = (await sql<BucketRow>`${placedSql(organisationId, teamIds, startOfDay, now)}, bucket as (
        select team_id, bucket, count(*) as total from placed group by team_id, bucket
      )
      -- Each bucket's first members by a top-N sort of that bucket alone; its size from the count.
      select b.team_id, b.bucket, b.total, l.id, l.display_name, l.at from bucket b
      left join lateral (
        select p.id, p.display_name, p.at from placed p
        where b.bucket is not null and p.team_id = b.team_id and p.bucket = b.bucket
        order by case when b.bucket = 'answered' then -extract(epoch from p.at) else extract(epoch from p.at) end, p.display_name collate "C", p.id
        limit ${listLimit + LIST_SPARE}
      ) l on true`.execute(tx)).rows;
    }
    const boards = new Map(teams.map((t) => [t.id, { id: t.id, name: t.name, counts: emptyCounts(), lists: emptyLists() }]));
    for (const row of rows) {
      const board = boards.get(row.team_id) as Snapshot["teams"][number];
      board.counts[row.bucket ?? "scheduled"] = Number(row.total);
      // In the statement's order within each bucket: the lateral list arrives sorted.
      if (row.bucket && row.id) board.lists[row.bucket].push({ id: row.id, display_name: row.display_name ?? "", at: row.at && new Date(row.at) });
    }
    return { state, readAt: now.getTime(), now, date, timeZone, teams: [...boards.values()], listLimit };
  });
}

/** The board as the console gets it: each bucket's first `listLimit` members, longest waiting first (answered: newest first). */
function shape(snapshot: Snapshot, now: Date): Board {
  const teams = snapshot.teams.map((t) => {
    const members = Object.fromEntries(BOARD_BUCKETS.map((b) => {
      // Longest waiting first; answered members newest first; the same moment by name in Japanese order.
      const order = b === "answered" ? -1 : 1;
      const listed: BoardMember[] = t.lists[b].slice(0, snapshot.listLimit)
        .map((m) => ({ id: m.id, displayName: m.display_name, since: iso(m.at) }));
      listed.sort((x, y) => order * (Date.parse(x.since ?? "") - Date.parse(y.since ?? "")) || x.displayName.localeCompare(y.displayName, "ja"));
      return [b, listed];
    })) as Record<BoardBucket, BoardMember[]>;
    return { id: t.id, name: t.name, counts: { ...t.counts }, members };
  });
  return { date: snapshot.date, timeZone: snapshot.timeZone, at: now.toISOString(), teams };
}

/**
 * The board of one organisation at `now` (the engine's clock), read in full.
 * `teamIds`, when given, limits it to those teams.
 */
export async function todayBoard(db: Db, organisationId: string, now: Date, options: BoardOptions = {}): Promise<Board> {
  return shape(await readSnapshot(db, organisationId, now, options), now);
}

/** Answers taken into a board brought up to date at most; more, and it is read in full. */
const DELTA_ANSWERS = 200;

/**
 * `base` brought up to date when all that changed since it was read is answers
 * recorded (and the check-ins they closed): only the members who answered are
 * placed again, as they stood before those answers and as they stand now, and
 * the counts and lists move accordingly. Undefined when anything else changed
 * (an incident event, a member, a check-in opened, stepped or closed otherwise),
 * when the answers do not account for every check-in closed, when a list would
 * run short of its limit, or when it is another day: the board is then read in
 * full. One repeatable-read transaction, so the state and the members placed
 * agree. Not seen here, as between any two changes: a prompt accepted by its
 * provider (a check-in's asked_at, which moves a waiting member's `since` from
 * the due time to the moment they were asked, and their place in the list) —
 * shown at the next full read, at most BOARD_CACHE_TTL_MS after the last one.
 */
async function bringUpToDate(db: Db, organisationId: string, now: Date, base: Snapshot, options: BoardOptions): Promise<Snapshot | undefined> {
  const old = base.state;
  // An answer newer than the base's clock was in its data but not on its board: it would be missed.
  if (old.answer && old.answer.at.getTime() > base.now.getTime()) return undefined;
  return db.transaction().setIsolationLevel("repeatable read").execute(async (trx) => {
    const tx = trx as unknown as Db;
    const state = await boardState(tx, organisationId);
    if (state.fingerprint === old.fingerprint) return { ...base, state, now };
    if (state.incidentEvent !== old.incidentEvent || state.member !== old.member) return undefined;
    const { timeZone, date, startOfDay, teams } = await boardFrame(tx, organisationId, now, options);
    if (date !== base.date || timeZone !== base.timeZone) return undefined;
    const teamIds = teams.map((t) => t.id);
    if (teamIds.join() !== base.teams.map((t) => t.id).join() || teams.some((t, i) => t.name !== base.teams[i].name)) return undefined;
    const after = old.answer ? sql`received_at >= ${old.answer.at} and (received_at, id) > (${old.answer.at}, ${old.answer.id}::uuid)` : sql`true`;
    const answers = (await sql<{ member_id: string; received_at: Date; closed_checkins: number }>`
      select member_id, received_at, closed_checkins from answers where organisation_id = ${organisationId} and ${after}
      order by received_at, id limit ${DELTA_ANSWERS + 1}`.execute(tx)).rows;
    if (answers.length === 0 || answers.length > DELTA_ANSWERS) return undefined;
    if (answers.some((a) => new Date(a.received_at).getTime() > now.getTime())) return undefined;
    const memberIds = [...new Set(answers.map((a) => a.member_id))];
    // The check-ins these answers closed: closed as answered at an answer's moment.
    const closed = (await sql<{ id: string; step_index: number }>`
      select id, step_index from checkins where organisation_id = ${organisationId} and member_id = any(${memberIds}::uuid[])
        and status = 'answered' and answered_at = any(${answers.map((a) => new Date(a.received_at))}::timestamptz[])`.execute(tx)).rows;
    const closedByAnswers = answers.reduce((n, a) => n + Number(a.closed_checkins), 0);
    const closedSteps = closed.reduce((n, c) => n + Number(c.step_index), 0);
    if (closed.length !== closedByAnswers || state.open !== old.open - closedByAnswers || state.steps !== old.steps - closedSteps) return undefined;
    if (!teamIds.length) return { ...base, state, now };
    const placeAll = async (asBefore?: { reopened: string[]; answer: { at: Date; id: string } | null }) =>
      (await sql<Placement>`${placedSql(organisationId, teamIds, startOfDay, now, { memberIds, ...(asBefore ? { asBefore } : {}) })}
        select team_id, id, display_name, bucket, at from placed`.execute(tx)).rows
        .map((p) => ({ ...p, at: p.at && new Date(p.at) }));
    const was = new Map((await placeAll({ reopened: closed.map((c) => c.id), answer: old.answer })).map((p) => [p.id, p]));
    const is = new Map((await placeAll()).map((p) => [p.id, p]));
    const next: Snapshot = {
      ...base, state, now,
      teams: base.teams.map((t) => ({ ...t, counts: { ...t.counts }, lists: Object.fromEntries(BOARD_BUCKETS.map((b) => [b, [...t.lists[b]]])) as Record<BoardBucket, ListEntry[]> })),
    };
    const team = new Map(next.teams.map((t) => [t.id, t]));
    const touched = new Set<string>();
    for (const id of memberIds) {
      const from = was.get(id);
      const to = is.get(id);
      if (from) {
        const t = team.get(from.team_id);
        if (!t) return undefined;
        const key = from.bucket ?? "scheduled";
        // A list that held its whole bucket must have held this member.
        if (from.bucket) {
          const list = t.lists[from.bucket];
          const at = list.findIndex((m) => m.id === id);
          if (at >= 0) list.splice(at, 1);
          else if (list.length >= t.counts[from.bucket]) return undefined;
          touched.add(`${t.id}|${from.bucket}`);
        }
        t.counts[key]--;
      }
      if (to) {
        const t = team.get(to.team_id);
        if (!t) return undefined;
        const key = to.bucket ?? "scheduled";
        if (to.bucket) {
          const list = t.lists[to.bucket];
          const whole = list.length >= t.counts[to.bucket];
          const entry = { id: to.id, display_name: to.display_name, at: to.at };
          const at = list.findIndex((m) => before(to.bucket as BoardBucket, entry, m));
          // Listed when it comes before the last listed member, or when the list holds the whole bucket.
          if (at >= 0) list.splice(at, 0, entry);
          else if (whole) list.push(entry);
          touched.add(`${t.id}|${to.bucket}`);
        }
        t.counts[key]++;
      }
    }
    for (const t of next.teams) {
      for (const b of BOARD_BUCKETS) {
        if (!touched.has(`${t.id}|${b}`)) continue;
        const list = t.lists[b];
        if (list.length > base.listLimit + LIST_SPARE) list.length = base.listLimit + LIST_SPARE;
        // Too few left to fill the list the console gets: read in full.
        if (list.length < Math.min(t.counts[b], base.listLimit)) return undefined;
      }
    }
    return next;
  });
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
 * (one indexed look-up per part) is unchanged, its local date is today and it was
 * read in full at most BOARD_CACHE_TTL_MS ago; reads of the same board in flight
 * share one query. When only answers changed it is brought up to date from the
 * members who answered (bringUpToDate: 100,000 members, one answer: a few
 * milliseconds instead of a read of every member), else read in full. A board is
 * kept with the state of the data it was read from (one snapshot), so it is
 * never kept under a fingerprint newer than its data.
 */
export class TodayBoards {
  readonly #entries = new Map<string, Promise<Snapshot>>();
  /** Boards read in full, and brought up to date from answers, so far (metrics and tests). */
  readonly reads = { full: 0, upToDate: 0 };

  /** As `todayBoard`, with `at` the time of this read. */
  async read(db: Db, organisationId: string, now: Date, options: BoardOptions = {}): Promise<Board> {
    const key = `${organisationId}|${options.teamIds ? [...options.teamIds].sort().join(",") : "*"}|${options.listLimit ?? ""}`;
    const hit = this.#entries.get(key);
    const base = hit && await hit.catch(() => undefined);
    // Another read may have replaced the entry while this one waited: that one is as new as this one would be.
    const newest = this.#entries.get(key);
    if (hit && newest && newest !== hit) return shape(await newest, now);
    const age = base ? now.getTime() - base.readAt : Number.POSITIVE_INFINITY;
    const current = base && age >= 0 && age <= BOARD_CACHE_TTL_MS && localDateOf(now, base.timeZone) === base.date ? base : undefined;
    const inFull = () => {
      this.reads.full++;
      return readSnapshot(db, organisationId, now, options);
    };
    // With a current board, its state is read (and the board brought up to date, if only answers changed) in one
    // snapshot; unchanged, the kept board is answered.
    const entry = current
      ? bringUpToDate(db, organisationId, now, current, options).then((s) => {
        if (!s) return inFull();
        if (s.state.fingerprint !== current.state.fingerprint) this.reads.upToDate++;
        return s;
      })
      : inFull();
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    if (this.#entries.size > BOARD_CACHE_SIZE) this.#entries.delete(this.#entries.keys().next().value as string);
    try {
      return shape(await entry, now);
    } catch (error) {
      if (this.#entries.get(key) === entry) this.#entries.delete(key);
      throw error;
    }
  }
}

/** What the board's fingerprint is made of, read in one statement. */
interface BoardState {
  /** A short string that changes whenever the board may have (see boardFingerprint). */
  fingerprint: string;
  /** The newest answer (its moment and id), null when there is none. */
  answer: { at: Date; id: string } | null;
  /** The newest incident event's and member change's parts of the fingerprint. */
  incidentEvent: string;
  member: string;
  /** Open check-ins, and the sum of their steps. */
  open: number;
  steps: number;
}

async function boardState(db: Db, organisationId: string): Promise<BoardState> {
  const result = await sql<{ a: unknown; a_at: Date | null; a_id: string | null; e: unknown; m: unknown; c: unknown; s: unknown }>`
    select
      a.received_at::text || a.id::text as a, a.received_at as a_at, a.id as a_id,
      (select at::text || id::text from incident_events where organisation_id = ${organisationId} order by at desc, id desc limit 1) as e,
      (select updated_at::text || id::text from members where organisation_id = ${organisationId} order by updated_at desc, id desc limit 1) as m,
      k.c, k.s
    from (select 1) as one
    left join lateral (select received_at, id from answers where organisation_id = ${organisationId} order by received_at desc, id desc limit 1) a on true
    -- One pass over the open check-ins for both.
    cross join lateral (select count(*) as c, coalesce(sum(step_index), 0) as s from checkins where organisation_id = ${organisationId} and status = 'open') k`.execute(db);
  const r = result.rows[0];
  const part = (v: unknown) => (v instanceof Date ? v.toISOString() : String(v ?? ""));
  return {
    fingerprint: [r.a, r.e, r.m, r.c, r.s].map(part).join("|"),
    answer: r.a_at && r.a_id ? { at: new Date(r.a_at), id: r.a_id } : null,
    incidentEvent: part(r.e), member: part(r.m), open: Number(r.c), steps: Number(r.s),
  };
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
  return (await boardState(db, organisationId)).fingerprint;
}
