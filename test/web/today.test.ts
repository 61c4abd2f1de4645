/**
 * Today (本日の状況): GET /today puts each member in the right bucket as the day
 * goes, observers see it without names, and GET /today/events tells a watcher
 * when an answer was recorded. On every database.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService, TOKYO } from "../support/harness.ts";
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

    test("the event stream needs a token like every other route", async () => {
      const response = await fetch(`${service.url}/api/v1/today/events`);
      assert.equal(response.status, 401);
      assert.equal(((await response.json()) as { error: { code: string } }).error.code, "unauthorized");
    });
  });
}
