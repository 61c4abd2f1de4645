/**
 * Today (本日の状況): GET /today puts each member in the right bucket as the day
 * goes, observers see it without names, and GET /today/events tells a watcher
 * when an answer was recorded. On every database.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { databaseKinds, POSTGRES_URL, startTestService, type TestService, TOKYO } from "../support/harness.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";

type Board = {
  date: string; timeZone: string; at: string;
  teams: { id: string; name: string; counts: Record<string, number>; members: Record<string, { id: string; displayName: string; since: string | null }[]> }[];
};

/** The names in each non-empty bucket of the default team. */
function buckets(board: Board): Record<string, string[]> {
  const team = board.teams[0];
  return Object.fromEntries(Object.entries(team.members).filter(([, list]) => list.length).map(([b, list]) => [b, list.map((m) => m.displayName).sort()]));
}

/** Reads a server-sent event stream until an event named `name` arrives; returns every event name seen. */
async function untilEvent(response: Response, name: string): Promise<string[]> {
  const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  const seen: string[] = [];
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    assert.ok(!done, `the stream ended before a ${name} event (saw ${seen.join(", ")})`);
    buffer += value;
    for (const match of buffer.matchAll(/^event: (\w+)$/gm)) seen.push(match[1]);
    if (seen.includes(name)) {
      await reader.cancel();
      return seen;
    }
    buffer = buffer.slice(buffer.lastIndexOf("\n\n") + 2);
    seen.length = 0;
  }
}

/** Event names from a stream as they come, read with a deadline (the reader stays usable between calls). */
function eventReader(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  let buffer = "";
  let pending: ReturnType<typeof reader.read> | undefined;
  return {
    /** Every event that arrives within `ms`, or until `stopAt` arrives. */
    async within(ms: number, stopAt?: string): Promise<string[]> {
      const seen: string[] = [];
      const until = Date.now() + ms;
      while (Date.now() < until) {
        pending ??= reader.read();
        const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), until - Date.now()));
        const got = await Promise.race([pending, timer]);
        if (got === "timeout") break;
        pending = undefined;
        if (got.done) break;
        buffer += got.value;
        const end = buffer.lastIndexOf("\n\n");
        for (const match of buffer.slice(0, end + 2).matchAll(/^event: (\w+)$/gm)) seen.push(match[1]);
        buffer = buffer.slice(end + 2);
        if (stopAt && seen.includes(stopAt)) break;
      }
      return seen;
    },
    cancel: () => reader.cancel(),
  };
}

for (const kind of databaseKinds()) {
  describe(`Today's board on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    test("members move from waiting to answered, contact requested, re-sent and incident open as the day goes", async () => {
      const sb = sandbox(service.api);
      const ids: Record<string, string> = {};
      for (const name of ["青木", "石井", "上田", "遠藤", "岡田"]) {
        const r = await service.api("POST", "/members", memberBody({ displayName: name, channels: [{ kind: "sandbox", address: name }] }));
        assert.equal(r.status, 201, JSON.stringify(r.body));
        ids[name] = r.body.id;
      }
      const before = (await service.api<Board>("GET", "/today")).body;
      assert.equal(before.date, "2027-01-04");
      assert.equal(before.timeZone, "Asia/Tokyo");
      assert.equal(before.teams.length, 1);
      assert.equal(before.teams[0].counts.scheduled, 5, "before 09:00 nobody was asked yet");
      assert.deepEqual(buckets(before), {});

      await sb.clockTo(TOKYO("2027-01-04T09:01:00"));
      await sb.reply(ids.青木, "ok");
      await sb.reply(ids.上田, "need_contact");
      assert.equal((await service.api("POST", `/members/${ids.遠藤}/pause`, { reason: "travel" })).status, 200);
      const morning = (await service.api<Board>("GET", "/today")).body;
      assert.deepEqual(buckets(morning), { answered: ["青木"], contact_requested: ["上田"], paused: ["遠藤"], waiting: ["岡田", "石井"].sort() });
      assert.deepEqual({ ...morning.teams[0].counts }, {
        contact_requested: 1, unreachable: 0, incident_open: 0, resent: 0, waiting: 2, answered: 1, paused: 1, scheduled: 0,
      });
      const waiting = morning.teams[0].members.waiting[0];
      assert.equal(waiting.since, TOKYO("2027-01-04T09:00:00"), "waiting since the member was asked");

      // Next day 09:01: the unanswered are re-sent; the one who answered yesterday is asked again.
      await sb.clockTo(TOKYO("2027-01-05T09:01:00"));
      await sb.reply(ids.岡田, "ok");
      const nextDay = (await service.api<Board>("GET", "/today")).body;
      assert.equal(nextDay.date, "2027-01-05");
      assert.deepEqual(buckets(nextDay), { answered: ["岡田"], contact_requested: ["上田"], paused: ["遠藤"], resent: ["石井"], waiting: ["青木"] });

      // Three hours after the re-send, silence opens an incident.
      await sb.clockTo(TOKYO("2027-01-05T12:05:00"));
      const noon = (await service.api<Board>("GET", "/today")).body;
      assert.deepEqual(buckets(noon).incident_open, ["石井"]);
      assert.equal(noon.teams[0].counts.incident_open, 1);
    });

    test("?limit= caps each list, never the counts; a bad limit is refused naming the field", async () => {
      const board = (await service.api<Board>("GET", "/today?limit=1")).body;
      const team = board.teams[0];
      const total = Object.values(team.counts).reduce((a, b) => a + b, 0);
      assert.ok(total >= 5, "the members of the test before are counted");
      for (const list of Object.values(team.members)) assert.ok(list.length <= 1);
      const refused = await service.api("GET", "/today?limit=0");
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.field, "querystring.limit");
    });

    test("an observer sees the counts and no names; staff's view of names is audited", async () => {
      const observer = (await service.api("POST", "/tokens", { name: "掲示板", role: "observer" })).body.token;
      const seen = await service.api<Board>("GET", "/today", undefined, observer);
      assert.equal(seen.status, 200);
      const listed = Object.values(seen.body.teams[0].members).flat();
      assert.ok(listed.length > 0);
      for (const m of listed) assert.equal(m.displayName, "***");
      const log = (await service.api("GET", "/audit-log?limit=20")).body;
      assert.ok(log.entries.some((e: { action: string; detail: { route?: string } }) => e.action === "personal.view" && e.detail.route === "GET /today"), JSON.stringify(log).slice(0, 500));
    });

    test("GET /today/events says `board` after an answer is recorded", async () => {
      const created = await service.api("POST", "/members", memberBody({ displayName: "川口", plan: { every: "1d", at: "13:00" } }));
      const sb = sandbox(service.api);
      await sb.clockTo(TOKYO("2027-01-05T13:01:00"));
      const abort = new AbortController();
      const response = await fetch(`${service.url}/api/v1/today/events`, { headers: { authorization: `Bearer ${service.token}` }, signal: abort.signal });
      assert.equal(response.status, 200);
      assert.match(response.headers.get("content-type") ?? "", /^text\/event-stream/);
      const reader = untilEvent(response.clone(), "ready");
      assert.deepEqual(await reader, ["ready"]);
      const board = untilEvent(response, "board");
      await sb.reply(created.body.id, "ok");
      assert.ok((await board).includes("board"));
      abort.abort();
    });

    if (kind === "postgres") {
      // Seen in `npm run bench -- --console`: `ready` went out before the watch had read the board's state, so an
      // answer recorded between the console's read (on `ready`) and that first read was never told.
      test("`ready` waits until the board's state is read, so an answer right after it is told", async () => {
        const created = await service.api("POST", "/members", memberBody({ displayName: "間宮", plan: { every: "1d", at: "13:00" } }));
        const sb = sandbox(service.api);
        const blocker = new pg.Client({ connectionString: POSTGRES_URL });
        await blocker.connect();
        const abort = new AbortController();
        try {
          // Hold the first read of the board's state (it reads answers) until we let go.
          await blocker.query(`set search_path to "${service.database.schema}"`);
          await blocker.query("begin");
          await blocker.query("lock table answers in access exclusive mode");
          const response = await fetch(`${service.url}/api/v1/today/events`, { headers: { authorization: `Bearer ${service.token}` }, signal: abort.signal });
          assert.equal(response.status, 200);
          const events = eventReader(response);
          assert.deepEqual(await events.within(800), [], "no `ready` while the board's state cannot be read");
          await blocker.query("commit");
          assert.deepEqual(await events.within(20_000, "ready"), ["ready"]);
          await sb.reply(created.body.id, "ok");
          assert.ok((await events.within(20_000, "board")).includes("board"), "the answer right after `ready` is told");
          await events.cancel();
        } finally {
          abort.abort();
          await blocker.end();
        }
      });
    }

    test("a board read again is the same board until one thing changes: each change alone is seen at once", async () => {
      const a = await service.api("POST", "/members", memberBody({ displayName: "村上", plan: { every: "1d", at: "15:00" } }));
      const b = await service.api("POST", "/members", memberBody({ displayName: "森田", plan: { every: "1d", at: "15:00" } }));
      const sb = sandbox(service.api);
      await sb.clockTo(TOKYO("2027-01-06T15:01:00"));
      const read = async () => (await service.api<Board>("GET", "/today")).body;
      const names = (board: Board, bucket: string) => board.teams[0].members[bucket].map((m) => m.displayName);
      const bucketOf = (board: Board, name: string) => Object.keys(board.teams[0].members).find((bucket) => names(board, bucket).includes(name));
      const first = await read();
      const again = await read();
      assert.deepEqual(again.teams, first.teams);
      const asked = bucketOf(first, "村上");
      assert.ok(asked === "waiting" || asked === "resent", JSON.stringify(first.teams[0].members));
      assert.equal(bucketOf(first, "森田"), asked);
      // A pause alone (no answer, no incident, no check-in step).
      assert.equal((await service.api("POST", `/members/${a.body.id}/pause`, { reason: "hospital" })).status, 200);
      const paused = await read();
      assert.equal(bucketOf(paused, "村上"), "paused", JSON.stringify(paused.teams[0].members));
      // An answer alone.
      await sb.reply(b.body.id, "ok");
      const answered = await read();
      assert.equal(bucketOf(answered, "森田"), "answered", JSON.stringify(answered.teams[0].members));
      assert.equal(answered.teams[0].counts.answered, paused.teams[0].counts.answered + 1);
    });

    test("the event stream needs a token like every other route", async () => {
      const response = await fetch(`${service.url}/api/v1/today/events`);
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, "unauthorized");
    });
  });
}
