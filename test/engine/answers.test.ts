/**
 * Whether a recorded answer left the engine work (engine/answers.ts AnswerOutcome
 * `queued`): the answer route wakes the engine only then, so thousands of plain
 * answers a second do not keep every engine loop polling the database (issue 9 §8,
 * ingest). An answer that opens or joins an incident, or owes those alerted an
 * all-clear, must still wake it; the messages it queued are the proof.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { recordAnswers } from "../../src/engine/answers.ts";
import { openIncident } from "../../src/engine/incident-log.ts";
import { createMembers } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { dispatchDue } from "../../src/engine/scheduler.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const START = new Date("2027-01-04T08:00:00+09:00");

for (const kind of databaseKinds()) {
  describe(`answers and the engine's work on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    let ids: string[];
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId } = await createOrganisation(store.db, "answers", START));
      ids = await createMembers(store.db, organisationId, Array.from({ length: 4 }, (_, i) => ({
        displayName: `m${i}`, channels: [{ kind: "sandbox" as const, address: `m${i}` }], plan: { every: "1d" as const, at: "09:00" },
      })), START);
      assert.equal((await dispatchDue(store.db, new Date("2027-01-04T09:00:30+09:00"), 100)).prompted, 4);
    });
    after(async () => {
      await store?.dispose();
    });

    const queuedFor = async (memberId: string) => Number((await store.db.selectFrom("outbox")
      .select((eb) => eb.fn.countAll<number>().as("n")).where("payload", "@>", JSON.stringify({ memberId }) as never)
      .executeTakeFirstOrThrow()).n);

    test("a plain answer queues nothing and says so; asking to be contacted queues the team's alert", async () => {
      const now = new Date("2027-01-04T10:00:00+09:00");
      const [ok] = await recordAnswers(store.db, [{ organisationId, memberId: ids[0], answer: "ok", source: "member" }], now);
      assert.ok(ok.status === "recorded" && ok.closedCheckins === 1);
      assert.equal(ok.status === "recorded" && ok.queued, false);
      assert.equal(await queuedFor(ids[0]), 0);

      const [asking] = await recordAnswers(store.db, [{ organisationId, memberId: ids[1], answer: "need_contact", source: "member" }], now);
      assert.ok(asking.status === "recorded" && asking.incidentId);
      assert.equal(asking.queued, true);
      assert.ok(await queuedFor(ids[1]) > 0, "the contact request is in the outbox");

      // The request is open: an OK now owes nobody an all-clear (a contact request is closed by a person).
      const [after] = await recordAnswers(store.db, [{ organisationId, memberId: ids[1], answer: "ok", source: "member" }], now);
      assert.equal(after.status === "recorded" && after.queued, false);
    });

    test("an answer to an open silence wakes the engine: its queued alerts are moot, those alerted hear the all-clear", async () => {
      const now = new Date("2027-01-05T12:00:00+09:00");
      const incidentId = await openIncident(store.db, {
        organisationId, memberId: ids[2], checkinId: null, kind: "no_answer", at: now, data: {},
      });
      const [answer] = await recordAnswers(store.db, [{ organisationId, memberId: ids[2], answer: "ok", source: "member" }], now);
      assert.equal(answer.status === "recorded" && answer.queued, true);
      const event = await store.db.selectFrom("incident_events").select("type")
        .where("incident_id", "=", incidentId).where("type", "=", "member_answered").executeTakeFirst();
      assert.ok(event, "the incident heard the answer");
    });

    test("two answers of one member in one batch: the first closes the check-in (as of the later one), the second nothing", async () => {
      const now = new Date("2027-01-04T11:00:00+09:00");
      const [first, second] = await recordAnswers(store.db, [
        { organisationId, memberId: ids[3], answer: "ok", source: "member", occurredAt: new Date("2027-01-04T08:59:00+09:00") },
        { organisationId, memberId: ids[3], answer: "ok", source: "member", occurredAt: new Date("2027-01-04T10:59:00+09:00") },
      ], now);
      assert.ok(first.status === "recorded" && second.status === "recorded");
      assert.deepEqual([first.closedCheckins, second.closedCheckins], [1, 0]);
      const rows = await store.db.selectFrom("answers").select(["id", "closed_checkins"]).where("member_id", "=", ids[3]).execute();
      assert.deepEqual(new Map(rows.map((r) => [r.id, r.closed_checkins])), new Map([[first.answerId, 1], [second.answerId, 0]]));
      const checkin = await store.db.selectFrom("checkins").select(["status", "answer"]).where("member_id", "=", ids[3]).executeTakeFirstOrThrow();
      assert.deepEqual(checkin, { status: "answered", answer: "ok" });
    });
  });
}
