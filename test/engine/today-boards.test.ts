/**
 * Today's kept boards (engine/today.ts TodayBoards): a board brought up to date
 * after answers is the board read in full, on every database — counts, and each
 * list's members in order — through lists that run short of their spare members,
 * answers that share one instant of a stopped clock, and changes that are not
 * answers alone (read in full again).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { recordAnswers } from "../../src/engine/answers.ts";
import { createMembers } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { dispatchDue } from "../../src/engine/scheduler.ts";
import { BOARD_LIST_SPARE, TodayBoards, todayBoard } from "../../src/engine/today.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const START = new Date("2027-01-04T08:00:00+09:00");
const LIMIT = 3;
/** More members than a kept list holds (its limit and its spare), so that lists are cut and run short. */
const MEMBERS = LIMIT + BOARD_LIST_SPARE + 12;

for (const kind of databaseKinds()) {
  describe(`Today's kept boards on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    let ids: string[];
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId } = await createOrganisation(store.db, "today", START));
      ids = await createMembers(store.db, organisationId, Array.from({ length: MEMBERS }, (_, i) => ({
        displayName: `m${String(i).padStart(3, "0")}`, channels: [{ kind: "sandbox" as const, address: `m${i}` }],
        plan: { every: "1d" as const, at: "09:00" },
      })), START);
      const asked = await dispatchDue(store.db, new Date("2027-01-04T09:00:30+09:00"), 1000);
      assert.equal(asked.claimed, MEMBERS);
    });
    after(async () => {
      await store?.dispose();
    });

    test("after each answer the kept board is the board read in full; anything else is read in full", async () => {
      const boards = new TodayBoards();
      const same = async (now: Date, why: string) => {
        const kept = await boards.read(store.db, organisationId, now, { listLimit: LIMIT });
        const full = await todayBoard(store.db, organisationId, now, { listLimit: LIMIT });
        assert.deepEqual(kept, full, why);
        return kept;
      };
      let now = new Date("2027-01-04T10:00:00+09:00");
      const first = await same(now, "the first read");
      assert.equal(first.teams[0].counts.waiting, MEMBERS);
      assert.deepEqual(boards.reads, { full: 1, upToDate: 0 });

      // Members in list order (all asked at one moment: by name): the first listed answer first, so the
      // waiting list runs out of spare members; then members beyond the list.
      const order = [...ids.keys()];
      for (const [step, i] of [...order.slice(0, BOARD_LIST_SPARE + 2), order[MEMBERS - 1], order[MEMBERS - 5]].entries()) {
        // Half of them on a running clock, half in one instant of a stopped one.
        if (step % 2 === 0) now = new Date(now.getTime() + 1000);
        const [outcome] = await recordAnswers(store.db, [{ organisationId, memberId: ids[i], answer: "ok", source: "member" }], now);
        assert.equal(outcome.status, "recorded");
        await same(now, `after the answer of m${String(i).padStart(3, "0")} (step ${step})`);
      }
      const upToDate = boards.reads.upToDate;
      assert.ok(upToDate >= BOARD_LIST_SPARE, `most boards were brought up to date (${JSON.stringify(boards.reads)})`);
      assert.ok(boards.reads.full >= 2, `a list that ran short was read in full (${JSON.stringify(boards.reads)})`);

      // Two answers at once, one of them from a member who answered before.
      now = new Date(now.getTime() + 1000);
      await recordAnswers(store.db, [
        { organisationId, memberId: ids[MEMBERS - 2], answer: "ok", source: "member" },
        { organisationId, memberId: ids[0], answer: "ok", source: "member" },
      ], now);
      await same(now, "after two answers at once");
      assert.equal(boards.reads.upToDate, upToDate + 1);

      // An answer that asks for contact opens an incident: not answers alone, read in full.
      const fullBefore = boards.reads.full;
      now = new Date(now.getTime() + 1000);
      await recordAnswers(store.db, [{ organisationId, memberId: ids[MEMBERS - 3], answer: "need_contact", source: "member" }], now);
      const board = await same(now, "after an answer that asks for contact");
      assert.equal(board.teams[0].counts.contact_requested, 1);
      assert.equal(boards.reads.full, fullBefore + 1);

      // Read again unchanged: the kept board, neither read nor brought up to date.
      const reads = { ...boards.reads };
      await same(new Date(now.getTime() + 1000), "unchanged");
      assert.deepEqual(boards.reads, reads);
    });
  });
}
