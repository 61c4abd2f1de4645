/**
 * Incident commands and queries on every database: acknowledge and resolve are
 * recorded once each, on the timeline, and the outcome acts on the member;
 * lists filter by state and member and never show another organisation's.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { openIncident } from "../../src/engine/incident-log.ts";
import { acknowledgeIncident, getIncident, listIncidents, resolveIncident } from "../../src/engine/incidents.ts";
import { createMembers } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { inTransaction } from "../../src/store/db.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const NOW = new Date("2027-01-04T08:00:00+09:00");
const later = (minutes: number) => new Date(NOW.getTime() + minutes * 60_000);

for (const kind of databaseKinds()) {
  describe(`incident commands on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    let otherOrganisationId: string;
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId } = await createOrganisation(store.db, "incidents", NOW));
      ({ organisationId: otherOrganisationId } = await createOrganisation(store.db, "other", NOW));
    });
    after(async () => {
      await store?.dispose();
    });

    const incidentFor = async () => {
      const [memberId] = await createMembers(store.db, organisationId, [{
        displayName: "m", channels: [{ kind: "sandbox", address: "m" }], plan: { every: "1d", at: "09:00" },
      }], NOW);
      const id = await inTransaction(store.db, (tx) => openIncident(tx, { organisationId, memberId, checkinId: null, kind: "contact_requested", at: NOW }));
      return { memberId, id };
    };

    test("acknowledged once, resolved once, each on the timeline in order; the outcome hospitalised pauses the member", async () => {
      const { memberId, id } = await incidentFor();
      assert.deepEqual(await acknowledgeIncident(store.db, otherOrganisationId, id, { label: "x", via: "api" }, later(1)),
        { ok: false, error: { code: "not_found", message: "no such incident" } });
      assert.deepEqual(await acknowledgeIncident(store.db, organisationId, id, { label: "佐藤", via: "api" }, later(1)), { ok: true });
      const again = await acknowledgeIncident(store.db, organisationId, id, { label: "鈴木", via: "api" }, later(2));
      assert.equal(again.ok ? "ok" : again.error.code, "already_acknowledged");
      assert.deepEqual(await resolveIncident(store.db, organisationId, id, "hospitalised", "入院", "佐藤", later(3)), { ok: true });
      const twice = await resolveIncident(store.db, organisationId, id, "false_alarm", "", "佐藤", later(4));
      assert.equal(twice.ok ? "ok" : twice.error.code, "incident_resolved");

      const read = await getIncident(store.db, organisationId, id);
      assert.ok(read);
      assert.equal(read.incident.status, "resolved");
      assert.equal(read.incident.acknowledged_by, "佐藤");
      assert.equal(read.incident.outcome, "hospitalised");
      assert.deepEqual(read.timeline.map((e) => [e.type, e.actor]), [["opened", null], ["acknowledged", "佐藤"], ["resolved", "佐藤"]]);
      assert.deepEqual(read.timeline[2].data, { outcome: "hospitalised", note: "入院" });
      const member = await store.db.selectFrom("members").select(["pause", "next_due_at"]).where("id", "=", memberId).executeTakeFirstOrThrow();
      assert.deepEqual(member.pause, { reason: "hospital" });
      assert.equal(member.next_due_at, null);
      assert.equal(await getIncident(store.db, otherOrganisationId, id), undefined);
    });

    test("lists filter by state and member, newest first", async () => {
      const first = await incidentFor();
      const second = await incidentFor();
      await acknowledgeIncident(store.db, organisationId, second.id, { label: "a", via: "api" }, later(1));
      const ids = async (filter: Parameters<typeof listIncidents>[2]) => (await listIncidents(store.db, organisationId, filter)).map((i) => i.incident.id);
      assert.deepEqual(await ids({ memberId: first.memberId, limit: 10 }), [first.id]);
      assert.deepEqual(await ids({ memberId: second.memberId, status: "acknowledged", limit: 10 }), [second.id]);
      assert.deepEqual(await ids({ memberId: second.memberId, status: "open", limit: 10 }), []);
      const unresolved = await ids({ status: "unresolved", limit: 100 });
      assert.ok(unresolved.includes(first.id) && unresolved.includes(second.id));
      const all = await listIncidents(store.db, organisationId, { limit: 100 });
      assert.ok(all.length >= 2);
      assert.ok(all.every((x, i) => i === 0 || all[i - 1].incident.opened_at >= x.incident.opened_at), "newest first");
      assert.ok(all.every((x) => x.timeline.length >= 1 && x.timeline[0].type === "opened"));
      assert.deepEqual(await listIncidents(store.db, otherOrganisationId, { limit: 100 }), []);
    });
  });
}
