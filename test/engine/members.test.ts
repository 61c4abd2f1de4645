/**
 * Member commands on every database, called as any caller (the API, LINE's
 * events) calls them: registration, plan changes, pause and resume move the due
 * time and never history; deletion takes everything of the member.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { inTransaction } from "../../src/store/db.ts";
import { addContact } from "../../src/engine/contacts.ts";
import {
  changePlanIn, createMembers, deleteMember, listMembers, listObservations, memberExists, MissingReference, pauseMember, pauseMemberIn,
  resumeMember, resumeMemberIn, updateMember,
} from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { dispatchDue } from "../../src/engine/scheduler.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

/** Monday 2027-01-04, 08:00 in Tokyo (Sunday 23:00 UTC). */
const NOW = new Date("2027-01-04T08:00:00+09:00");
const at = (tokyo: string) => new Date(`${tokyo}+09:00`);

for (const kind of databaseKinds()) {
  describe(`member commands on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    let otherOrganisationId: string;
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId } = await createOrganisation(store.db, "members", NOW));
      ({ organisationId: otherOrganisationId } = await createOrganisation(store.db, "other", NOW));
    });
    after(async () => {
      await store?.dispose();
    });

    const newMember = async (plan: { every: "1d" | "3d"; at: string } = { every: "1d", at: "09:00" }) => {
      const [id] = await createMembers(store.db, organisationId, [{ displayName: "見守られる人", channels: [{ kind: "sandbox", address: "m" }], plan }], NOW);
      return id;
    };
    const member = (id: string) => store.db.selectFrom("members").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
    const checkinsOf = (id: string) =>
      store.db.selectFrom("checkins").select(["status", "closed_reason"]).where("member_id", "=", id).orderBy("due_at").execute();
    const promptsOf = (id: string) =>
      store.db.selectFrom("outbox").select(["message_kind", "status", "cancel_reason"]).where("recipient_id", "=", id).execute();

    test("a registration anchors the plan today and is due at its next slot; an unknown team or group names each failing input", async () => {
      const id = await newMember();
      const row = await member(id);
      assert.deepEqual(row.next_due_at, at("2027-01-04T09:00:00"));
      assert.deepEqual(row.plan, { every: "1d", at: "09:00", timeZone: "Asia/Tokyo", anchorDate: "2027-01-04" });
      assert.equal(await memberExists(store.db, organisationId, id), true);
      assert.equal(await memberExists(store.db, otherOrganisationId, id), false);
      await assert.rejects(createMembers(store.db, organisationId, [
        { displayName: "a", channels: [], plan: { every: "1d", at: "09:00" } },
        { displayName: "b", channels: [], plan: { every: "1d", at: "09:00" }, teamId: "00000000-0000-4000-8000-000000000000" },
      ], NOW), (error: unknown) => error instanceof MissingReference && error.field === "teamId" &&
        JSON.stringify(error.items) === JSON.stringify([{ index: 1, field: "teamId" }]));
    });

    test("a new plan counts from now and moves the due time; another organisation's member is not found", async () => {
      const id = await newMember();
      const later = at("2027-01-04T10:00:00");
      assert.equal(await inTransaction(store.db, (tx) => changePlanIn(tx, organisationId, id, { every: "3d", at: "07:30" }, later)), true);
      const row = await member(id);
      assert.deepEqual(row.plan, { every: "3d", at: "07:30", timeZone: "Asia/Tokyo", anchorDate: "2027-01-05" });
      assert.deepEqual(row.next_due_at, at("2027-01-05T07:30:00"));
      assert.deepEqual(row.updated_at, later);
      assert.equal(await inTransaction(store.db, (tx) => changePlanIn(tx, otherOrganisationId, id, { every: "1d", at: "09:00" }, later)), false);
    });

    test("a paused member's new plan stays paused: its first slot is after the pause", async () => {
      const id = await newMember();
      const paused = await pauseMember(store.db, organisationId, id, { reason: "travel", until: "2027-01-07" }, NOW);
      assert.deepEqual(paused, { ok: true, pause: { until: "2027-01-07", reason: "travel" } });
      assert.deepEqual((await member(id)).next_due_at, at("2027-01-07T09:00:00"));
      await inTransaction(store.db, (tx) => changePlanIn(tx, organisationId, id, { every: "1d", at: "20:00" }, NOW));
      assert.deepEqual((await member(id)).next_due_at, at("2027-01-07T20:00:00"));
      assert.deepEqual((await member(id)).pause, { until: "2027-01-07", reason: "travel" });
    });

    test("a pause counts days from the member's own today, must not end before it, and settles the open check-in", async () => {
      const id = await newMember();
      await dispatchDue(store.db, at("2027-01-04T09:00:00"), 1000);
      assert.deepEqual((await checkinsOf(id)).map((c) => c.status), ["open"]);
      // 00:30 on the 5th in Tokyo is still the 4th in UTC: "today" is the member's day.
      const night = at("2027-01-05T00:30:00");
      assert.deepEqual(await pauseMember(store.db, organisationId, id, { reason: "travel", until: "2027-01-04" }, night),
        { ok: false, error: "ends_before_today" });
      assert.deepEqual((await checkinsOf(id)).map((c) => c.status), ["open"], "a refused pause changes nothing");
      const result = await inTransaction(store.db, (tx) => pauseMemberIn(tx, organisationId, id, { reason: "travel", forDays: 3 }, night));
      assert.deepEqual(result, { ok: true, pause: { until: "2027-01-08", reason: "travel" } });
      assert.deepEqual(await checkinsOf(id), [{ status: "skipped", closed_reason: "paused" }]);
      assert.deepEqual((await member(id)).next_due_at, at("2027-01-08T09:00:00"));
      assert.deepEqual(await pauseMember(store.db, otherOrganisationId, id, { reason: "other" }, night), { ok: false, error: "not_found" });
    });

    test("a queued prompt is cancelled by a pause; resuming gives the next slot after now, none missed", async () => {
      const id = await newMember();
      await dispatchDue(store.db, at("2027-01-04T09:00:00"), 1000);
      const outcome = await pauseMember(store.db, organisationId, id, { reason: "hospital", note: "入院" }, at("2027-01-04T09:00:01"));
      assert.deepEqual(outcome, { ok: true, pause: { reason: "hospital", note: "入院" } });
      assert.equal((await member(id)).next_due_at, null, "paused until resumed: no due time");
      assert.deepEqual(await promptsOf(id), [{ message_kind: "prompt", status: "cancelled", cancel_reason: "member_paused" }]);
      assert.equal(await resumeMember(store.db, otherOrganisationId, id, at("2027-01-06T12:00:00")), false);
      assert.equal(await resumeMember(store.db, organisationId, id, at("2027-01-06T12:00:00")), true);
      const row = await member(id);
      assert.equal(row.pause, null);
      assert.deepEqual(row.next_due_at, at("2027-01-07T09:00:00"));
    });

    test("a member who left is neither resumed nor given a due time by a pause or a new plan", async () => {
      const id = await newMember();
      await store.db.updateTable("members").set({ active: false, next_due_at: null }).where("id", "=", id).execute();
      assert.equal(await inTransaction(store.db, (tx) => resumeMemberIn(tx, organisationId, id, NOW)), false);
      assert.equal((await pauseMember(store.db, organisationId, id, { reason: "other" }, NOW)).ok, true);
      await inTransaction(store.db, (tx) => changePlanIn(tx, organisationId, id, { every: "1d", at: "10:00" }, NOW));
      assert.equal((await member(id)).next_due_at, null);
    });

    test("a change keeps what it does not name; an emptied personal field is removed", async () => {
      const [id] = await createMembers(store.db, organisationId, [{
        displayName: "個人情報", channels: [{ kind: "sandbox", address: "p" }], plan: { every: "1d", at: "09:00" }, fullName: "山田花子", phone: "0312345678",
      }], NOW);
      assert.equal(await updateMember(store.db, organisationId, id, { phone: "", address: "東京都" }, NOW), true);
      const row = await member(id);
      assert.deepEqual(row.personal, { fullName: "山田花子", address: "東京都" });
      assert.equal(row.display_name, "個人情報");
      assert.equal(await updateMember(store.db, otherOrganisationId, id, { displayName: "x" }, NOW), false);
    });

    test("lists page through the organisation's members only; observations need the member", async () => {
      const ids = [await newMember(), await newMember(), await newMember()].sort();
      const all = await listMembers(store.db, organisationId, { limit: 1000 });
      assert.ok(ids.every((id) => all.some((m) => m.id === id)));
      const page = await listMembers(store.db, organisationId, { limit: 2, after: ids[0] });
      assert.equal(page.length, 2);
      assert.ok(page.every((m) => m.id > ids[0]));
      assert.deepEqual(await listMembers(store.db, otherOrganisationId, { limit: 1000 }), []);
      assert.deepEqual(await listObservations(store.db, organisationId, ids[0], { limit: 10 }), []);
      assert.equal(await listObservations(store.db, otherOrganisationId, ids[0], { limit: 10 }), undefined);
    });

    test("deleting a member takes their contacts; a second delete, or another organisation's, finds nothing", async () => {
      const id = await newMember();
      const contact = await addContact(store.db, organisationId, id, { displayName: "c", relation: "son", channels: [] }, NOW);
      assert.ok(contact);
      assert.equal(await deleteMember(store.db, otherOrganisationId, id), false);
      assert.equal(await deleteMember(store.db, organisationId, id), true);
      assert.equal(await memberExists(store.db, organisationId, id), false);
      assert.equal(await store.db.selectFrom("contacts").select("id").where("id", "=", contact.id).executeTakeFirst(), undefined);
      assert.equal(await deleteMember(store.db, organisationId, id), false);
    });
  });
}
