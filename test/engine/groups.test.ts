/**
 * Group commands as staff use them, on every database: a group names only the
 * organisation's team and members or nothing is written; changes lock the group;
 * a round's reading shows every person seen, who confirmed and for whom.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  confirmInGroupIn, createGroup, deleteGroup, dispatchGroupRounds, getGroup, groupRounds, joinLineGroupIn, listGroups, updateGroup,
} from "../../src/engine/groups.ts";
import { createMembers, MissingReference } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { inTransaction } from "../../src/store/db.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const NOW = new Date("2027-01-04T08:00:00+09:00");
const UNKNOWN = "00000000-0000-4000-8000-000000000000";

for (const kind of databaseKinds()) {
  describe(`group commands on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    let teamId: string;
    let otherOrganisationId: string;
    let memberIds: string[];
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId, teamId } = await createOrganisation(store.db, "groups", NOW));
      ({ organisationId: otherOrganisationId } = await createOrganisation(store.db, "other", NOW));
      memberIds = await createMembers(store.db, organisationId, ["一", "二", "三"].map((name) => ({
        displayName: name, channels: [{ kind: "sandbox" as const, address: name }], plan: { every: "1d" as const, at: "09:00" },
      })), NOW);
    });
    after(async () => {
      await store?.dispose();
    });

    const groupCount = async () => (await listGroups(store.db, organisationId)).length;

    test("a group is created with its members, changed, and deleted; its members stay", async () => {
      const id = await createGroup(store.db, organisationId, { name: "お隣", teamId, channels: [], memberIds: [memberIds[0], memberIds[1], memberIds[0]] }, NOW);
      const created = await getGroup(store.db, organisationId, id);
      assert.equal(created?.name, "お隣");
      assert.equal(created?.team_id, teamId);
      assert.deepEqual(created?.memberIds.toSorted(), [memberIds[0], memberIds[1]].toSorted(), "a member named twice is in once");
      assert.equal(await getGroup(store.db, otherOrganisationId, id), undefined);

      assert.equal(await updateGroup(store.db, organisationId, id, { name: "ご近所", memberIds: [memberIds[2]] }, NOW), true);
      const changed = await getGroup(store.db, organisationId, id);
      assert.equal(changed?.name, "ご近所");
      assert.deepEqual(changed?.memberIds, [memberIds[2]]);
      assert.equal(await updateGroup(store.db, otherOrganisationId, id, { name: "x" }, NOW), false);
      assert.ok((await listGroups(store.db, organisationId)).some((g) => g.id === id && g.memberIds.length === 1));

      assert.equal(await deleteGroup(store.db, otherOrganisationId, id), false);
      assert.equal(await deleteGroup(store.db, organisationId, id), true);
      assert.equal(await getGroup(store.db, organisationId, id), undefined);
      assert.equal(await deleteGroup(store.db, organisationId, id), false);
      assert.equal((await store.db.selectFrom("members").select("id").where("id", "in", memberIds).execute()).length, 3);
    });

    test("an unknown team or member is refused and nothing is written, on creation and on change", async () => {
      const before = await groupCount();
      await assert.rejects(createGroup(store.db, organisationId, { name: "x", teamId: UNKNOWN, channels: [], memberIds }, NOW),
        (error: unknown) => error instanceof MissingReference && error.field === "teamId");
      await assert.rejects(createGroup(store.db, organisationId, { name: "x", channels: [], memberIds: [memberIds[0], UNKNOWN] }, NOW),
        (error: unknown) => error instanceof MissingReference && error.field === "memberIds");
      const [stranger] = await createMembers(store.db, otherOrganisationId, [{ displayName: "s", channels: [], plan: { every: "1d", at: "09:00" } }], NOW);
      await assert.rejects(createGroup(store.db, organisationId, { name: "x", channels: [], memberIds: [stranger] }, NOW),
        (error: unknown) => error instanceof MissingReference && error.field === "memberIds");
      assert.equal(await groupCount(), before);

      const id = await createGroup(store.db, organisationId, { name: "残る", channels: [], memberIds: [memberIds[0]] }, NOW);
      await assert.rejects(updateGroup(store.db, organisationId, id, { name: "変わらない", memberIds: [UNKNOWN] }, NOW), MissingReference);
      const unchanged = await getGroup(store.db, organisationId, id);
      assert.equal(unchanged?.name, "残る");
      assert.deepEqual(unchanged?.memberIds, [memberIds[0]]);
    });

    test("a LINE group's rounds show each person seen and who confirmed for whom; a new plan moves its next round", async () => {
      const group = await inTransaction(store.db, (tx) => joinLineGroupIn(tx, {
        organisationId, lineGroupId: "Cgroup1", requireApproval: false, eventAt: NOW, eventKey: "join-1",
      }, NOW));
      assert.ok(group);
      await store.db.insertInto("group_participants").values(["Ua", "Ub"].map((userId, i) => ({
        group_id: group.id, organisation_id: organisationId, user_id: userId, display_name: `参加者${i + 1}`,
        first_seen_at: new Date(NOW.getTime() + i), last_seen_at: NOW,
      }))).execute();
      const due = (await getGroup(store.db, organisationId, group.id))?.next_due_at;
      assert.ok(due);
      assert.equal((await dispatchGroupRounds(store.db, due, 1000)).prompted >= 1, true);
      const [round] = (await groupRounds(store.db, organisationId, group.id, 10)) ?? [];
      assert.ok(round);
      const at = new Date(due.getTime() + 60_000);
      await inTransaction(store.db, (tx) => confirmInGroupIn(tx, {
        organisationId, group: { id: group.id, name: group.name }, roundIds: [round.id],
        person: { userId: "Ub", name: "参加者2" }, by: { userId: "Ua", name: "参加者1" }, eventKey: "tap-1", at,
      }, at));
      const [read] = (await groupRounds(store.db, organisationId, group.id, 10)) ?? [];
      assert.equal(read.confirmedCount, 1);
      assert.deepEqual(read.people.map((p) => [p.userId, p.displayName, p.confirmed, p.confirmedBy?.userId ?? null]),
        [["Ua", "参加者1", false, null], ["Ub", "参加者2", true, "Ua"]]);
      assert.equal(await groupRounds(store.db, otherOrganisationId, group.id, 10), undefined);

      await updateGroup(store.db, organisationId, group.id, { plan: { every: "3d", at: "18:00" } }, at);
      const moved = await getGroup(store.db, organisationId, group.id);
      assert.ok(moved?.next_due_at);
      assert.equal((moved.plan as { at: string }).at, "18:00");
      assert.ok(moved.next_due_at > at);
    });
  });
}
