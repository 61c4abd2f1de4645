/**
 * One incident per person (issue 13), end to end on every database: a partner's
 * report, a silent fridge and a missed check-in about the same member within the
 * same days end in ONE incident with all three on its timeline, and each person
 * is alerted once, not three times. The partner report and the fridge come in
 * through the core command the network's reports and device rules call
 * (engine/concerns.ts `raiseConcern`).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { raiseConcern } from "../../src/engine/concerns.ts";
import { openIncident } from "../../src/engine/incident-log.ts";
import { createMembers } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { inTransaction } from "../../src/store/db.ts";
import { migrate } from "../../src/store/migrations.ts";
import { freshStore } from "../support/store.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody, plus, sandbox, summary } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`one incident per person on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    async function newMember() {
      const sb = sandbox(service.api);
      await sb.delivered();
      const r = await service.api("POST", "/members", memberBody());
      assert.equal(r.status, 201, JSON.stringify(r.body));
      const member = r.body;
      const names: Record<string, string> = { [member.id]: "member", [member.teamId]: "team" };
      member.contacts.forEach((c: { id: string }, i: number) => {
        names[c.id] = `contact${i + 1}`;
      });
      const due: string = member.nextDueAt;
      const { organisation_id: organisationId } = await service.store.db.selectFrom("members").select("organisation_id")
        .where("id", "=", member.id).executeTakeFirstOrThrow();
      return { member, organisationId, names, due, sb, at: (hours: number) => plus(due, hours) };
    }

    const concern = (organisationId: string, memberId: string, over: Partial<Parameters<typeof raiseConcern>[1]>) => ({
      organisationId, memberId, source: "partner_report" as const, urgency: "consult" as const, at: service.services.clock.now(),
      summary: "新聞がたまっている", data: {}, actor: "partner:test", key: "k", ...over,
    });
    const raise = (c: Parameters<typeof raiseConcern>[1]) =>
      inTransaction(service.store.db, (tx) => raiseConcern(tx, c, service.services.clock.now()));

    test("a partner report, a silent fridge and a missed check-in: one incident, all three on its timeline, everyone alerted once", async () => {
      const m = await newMember();
      const { organisationId } = m;
      await m.sb.clockTo(m.at(2));
      const report = await raise(concern(organisationId, m.member.id, { key: "report:1", data: { reportId: "r1" } }));
      assert.equal(report.joined, false);
      // The same report delivered twice adds nothing.
      assert.deepEqual(await raise(concern(organisationId, m.member.id, { key: "report:1" })), report);

      await m.sb.clockTo(m.at(5));
      const fridge = await raise(concern(organisationId, m.member.id, {
        source: "device_inactive", urgency: "watch", summary: "冷蔵庫が24時間開いていない", key: "device:fridge:1", actor: "device:fridge",
      }));
      assert.deepEqual(fridge, { incidentId: report.incidentId, joined: true });

      await m.sb.clockTo(m.at(29.5));
      const seen = summary(await m.sb.delivered(), m.names, m.due, m.member.id);
      assert.match(seen[3] ?? "", /^\+24h (resend|prompt) member$/);
      assert.deepEqual([...seen.slice(0, 3), ...seen.slice(4)], [
        "+0h prompt member",
        "+2h alert team",
        "+2h alert contact1",
        // The silence joins the concern: the team and contact 1 already know; the chain goes on with the next contacts.
        "+28h alert contact2",
        "+29h alert contact3",
      ]);

      const incidents = (await service.api("GET", `/incidents?status=unresolved&memberId=${m.member.id}`)).body.incidents;
      assert.equal(incidents.length, 1);
      const [incident] = incidents;
      assert.equal(incident.id, report.incidentId);
      assert.equal(incident.kind, "concern");
      assert.equal(incident.urgency, "high");
      const types = incident.timeline.map((e: { type: string }) => e.type);
      assert.deepEqual(types.filter((t: string) => t !== "notified"), ["opened", "concern_joined", "checkin_missed"]);
      assert.equal(types.filter((t: string) => t === "notified").length, 4);
      assert.equal(incident.timeline[0].source, "partner_report");
      assert.equal(incident.timeline.find((e: { type: string }) => e.type === "concern_joined").source, "device_inactive");
    });

    test("an emergency joining a watch concern raises its urgency and alerts every contact not yet told", async () => {
      const m = await newMember();
      const { organisationId } = m;
      await m.sb.clockTo(m.at(1));
      const first = await raise(concern(organisationId, m.member.id, { urgency: "watch", key: "w" }));
      await m.sb.clockTo(m.at(1.5));
      assert.deepEqual(summary(await m.sb.delivered(), m.names, m.due, m.member.id), ["+0h prompt member", "+1h alert team"]);
      const second = await raise(concern(organisationId, m.member.id, { urgency: "emergency", key: "e", summary: "異臭がする" }));
      assert.deepEqual(second, { incidentId: first.incidentId, joined: true });
      await m.sb.clockTo(m.at(2));
      assert.deepEqual(summary(await m.sb.delivered(), m.names, m.due, m.member.id),
        ["+1.5h alert contact1", "+1.5h alert contact2", "+1.5h alert contact3"]);
      const incident = (await service.api("GET", `/incidents/${first.incidentId}`)).body;
      assert.equal(incident.urgency, "urgent");
      const raised = incident.timeline.find((e: { type: string }) => e.type === "urgency_raised");
      assert.deepEqual([raised.from, raised.to], ["low", "urgent"]);
    });
  });
}

for (const kind of databaseKinds()) {
  test(`migration 024 on ${kind}: a member's older duplicate incidents are merged into the oldest, then one unresolved per member holds`, async () => {
    const store = await freshStore(kind);
    try {
      const db = store.db;
      const now = new Date("2027-01-04T08:00:00+09:00");
      const { organisationId } = await createOrganisation(db, "m024", now);
      const [memberId] = await createMembers(db, organisationId, [{ displayName: "m", channels: [{ kind: "sandbox", address: "m" }], plan: { every: "1d", at: "09:00" } }], now);
      // The database as it was before 024: one unresolved incident per member and kind.
      await sql`drop index incidents_one_open_per_member`.execute(db);
      await sql`create unique index incidents_one_open_per_kind on incidents (member_id, kind, organisation_id) where status <> 'resolved'`.execute(db);
      await sql`delete from schema_migrations where id = 24`.execute(db);
      const first = await inTransaction(db, (tx) => openIncident(tx, { organisationId, memberId, checkinId: null, kind: "no_answer", at: now }));
      const later = new Date(now.getTime() + 3_600_000);
      const second = await inTransaction(db, (tx) => openIncident(tx, { organisationId, memberId, checkinId: null, kind: "contact_requested", at: later }));
      await migrate(db);
      const rows = await db.selectFrom("incidents").select(["id", "status", "outcome", "note"]).where("member_id", "=", memberId).orderBy("opened_at").execute();
      assert.deepEqual(rows.map((r) => [r.id, r.status]), [[first, "open"], [second, "resolved"]]);
      assert.equal(rows[1].note, `merged into ${first}`);
      const resolved = await db.selectFrom("incident_events").select(["type", "data"]).where("incident_id", "=", second).where("type", "=", "resolved").executeTakeFirstOrThrow();
      assert.equal((resolved.data as { mergedInto: string }).mergedInto, first);
      await assert.rejects(inTransaction(db, (tx) => openIncident(tx, { organisationId, memberId, checkinId: null, kind: "help_requested", at: later })));
    } finally {
      await store.dispose();
    }
  });
}
