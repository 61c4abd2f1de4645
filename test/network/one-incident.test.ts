/**
 * One incident per person (issue 13), end to end on every database: a partner's
 * report, a silent fridge and a missed check-in about the same member within the
 * same days end in ONE incident with all three on its timeline, and each person
 * is alerted once, not three times. The partner report and the fridge come in
 * through the core command the network's reports and device rules call
 * (engine/concerns.ts `raiseConcern`); partner reports also end to end through
 * the report form and Open311 (a matched 相談 or 通報 raises its concern on arrival).
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

    async function newMember(over: Record<string, unknown> = {}) {
      const sb = sandbox(service.api);
      await sb.delivered();
      const r = await service.api("POST", "/members", memberBody(over));
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

    /** A partner with its report form's short code and an Open311 key. */
    async function partner(name: string) {
      const created = await service.api("POST", "/network/partners", { name, kind: "home_visit" });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const key = (await service.api("POST", `/network/partners/${created.body.id}/key`)).body.key as string;
      return { id: created.body.id as string, code: created.body.shortCode as string, key };
    }

    /** POSTs the report form as a browser without JavaScript does; the 303's location. */
    async function postForm(code: string, fields: [string, string][]): Promise<string> {
      const r = await fetch(`${service.url}/r/${code}`, {
        method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString(),
      });
      assert.equal(r.status, 303, await r.text());
      return r.headers.get("location")!;
    }

    test("a 通報 on the report form by registration number joins the member's no_answer incident once; a double submit raises nothing more", async () => {
      const m = await newMember();
      const issued = await service.api("POST", `/members/${m.member.id}/registration-numbers`, { registrationNumber: "246810", kind: "keyholder" });
      assert.equal(issued.status, 201, JSON.stringify(issued.body));
      const shop = await partner("本町ストア");
      await m.sb.clockTo(m.at(27.5));
      assert.deepEqual(summary(await m.sb.delivered(), m.names, m.due, m.member.id).filter((x) => !x.includes("member")),
        ["+27h alert team", "+27h alert contact1"]);
      const [open] = (await service.api("GET", `/incidents?status=unresolved&memberId=${m.member.id}`)).body.incidents;
      assert.equal(open.kind, "no_answer");

      const fields: [string, string][] = [["urgency", "emergency"], ["service_code", "unwell"], ["signs", "no_answer"],
        ["registration_number", "２４６-８１０"], ["description", "呼んでも返事がない"], ["key", "form-key-1"]];
      const location = await postForm(shop.code, fields);
      const reportId = location.split("/").at(-1)!;
      await m.sb.clockTo(m.at(27.6));
      // 通報: every contact not yet told hears at once; the team and contact 1 already know.
      assert.deepEqual(summary(await m.sb.delivered(), m.names, m.due, m.member.id), ["+27.5h alert contact2", "+27.5h alert contact3"]);
      const incident = (await service.api("GET", `/incidents/${open.id}`)).body;
      assert.equal(incident.urgency, "urgent");
      const joined = incident.timeline.filter((e: { type: string }) => e.type === "concern_joined");
      assert.equal(joined.length, 1);
      assert.equal(joined[0].source, "partner_report");
      assert.match(JSON.stringify(joined[0]), /本町ストアから通報/);
      assert.match(JSON.stringify(joined[0]), new RegExp(reportId));
      const report = (await service.api("GET", `/network/reports/${reportId}`)).body;
      assert.deepEqual([report.match, report.member.id, report.incidentId, report.status], ["number", m.member.id, open.id, "open"]);

      // The same form sent again (a double tap, a reload): the same report, nothing raised.
      assert.equal(await postForm(shop.code, fields), location);
      await m.sb.clockTo(m.at(27.7));
      assert.deepEqual(summary(await m.sb.delivered(), m.names, m.due, m.member.id), []);
      const again = (await service.api("GET", `/incidents/${open.id}`)).body;
      assert.equal(again.timeline.filter((e: { type: string }) => e.type === "concern_joined").length, 1);

      // Staff then decide it was an emergency: it was raised as one already, nothing more.
      const done = await service.api("POST", `/network/reports/${reportId}/triage`, { outcome: "emergency_response", note: "救急搬送" });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.incident, null);
      assert.equal(done.body.report.incidentId, open.id);
      const after = (await service.api("GET", `/incidents/${open.id}`)).body;
      assert.equal(after.timeline.filter((e: { type: string }) => e.type === "concern_joined").length, 1);
    });

    test("end to end: a partner's 相談 over Open311, the member's fridge not opened for its rule's hours and the missed check-in end in one incident with all three on its timeline", async () => {
      const m = await newMember({ address: "東京都大田区東蒲田三丁目2番1号" });
      const shop = await partner("東蒲田牛乳販売店");
      const fridge = await service.api("POST", `/members/${m.member.id}/devices`, { kind: "fridge_door", name: "冷蔵庫", rules: [{ hours: 6 }] });
      assert.equal(fridge.status, 201, JSON.stringify(fridge.body));
      await m.sb.clockTo(m.at(1));
      // The fridge is opened at +1h (and then never again): its rule comes due at +7h.
      const opened = await fetch(`${service.url}/network/devices/events`, {
        method: "POST", headers: { authorization: `Bearer ${fridge.body.token}`, "content-type": "application/json" }, body: JSON.stringify({ contact: false }),
      });
      assert.equal(opened.status, 202, await opened.text());
      // The milk man's 相談 at +2h, by address as the shop writes it (no prefecture).
      await m.sb.clockTo(m.at(2));
      const posted = await fetch(`${service.url}/open311/v2/requests.json`, {
        method: "POST", headers: { "content-type": "application/json", "idempotency-key": "e2e-1" },
        body: JSON.stringify({ api_key: shop.key, service_code: "concern", attribute: { urgency: "consult", signs: ["post_piling_up"] }, address_string: "大田区東蒲田3-2-1" }),
      });
      assert.equal(posted.status, 201, await posted.clone().text());
      const [request] = await posted.json() as { service_request_id: string }[];
      await m.sb.clockTo(m.at(29.5));
      const incidents = (await service.api("GET", `/incidents?status=unresolved&memberId=${m.member.id}`)).body.incidents;
      assert.equal(incidents.length, 1, JSON.stringify(incidents));
      const [incident] = incidents;
      const events = incident.timeline.filter((e: { type: string }) => e.type !== "notified") as { type: string; source?: string }[];
      assert.deepEqual(events.map((e) => [e.type, e.source ?? null]),
        [["opened", "partner_report"], ["concern_joined", "device_inactive"], ["checkin_missed", null]]);
      const report = (await service.api("GET", `/network/reports/${request.service_request_id}`)).body;
      assert.deepEqual([report.match, report.incidentId], ["address", incident.id]);
      // Each person alerted once for the one incident (the team and every contact at most once).
      const alerts = summary(await m.sb.delivered(), m.names, m.due, m.member.id).filter((x) => x.includes(" alert "));
      const recipients = alerts.map((x) => x.split(" ").at(-1));
      assert.ok(recipients.includes("team") && recipients.includes("contact1"), alerts.join(", "));
      assert.deepEqual(recipients, [...new Set(recipients)], alerts.join(", "));
    });

    test("Open311: a 相談 about a member opens a concern incident alerting the team and contact 1; a retry with its key adds nothing; a 見守り only waits for triage", async () => {
      const m = await newMember({ address: "東京都大田区西蒲田七丁目1番1号" });
      const shop = await partner("西蒲田新聞販売所");
      await m.sb.clockTo(m.at(3));
      await m.sb.delivered();
      const post = (body: Record<string, unknown>, key: string) => fetch(`${service.url}/open311/v2/requests.json`, {
        method: "POST", headers: { "content-type": "application/json", "idempotency-key": key }, body: JSON.stringify({ api_key: shop.key, ...body }),
      });
      const watch = await post({ service_code: "concern", attribute: { urgency: "watch", signs: ["post_piling_up"] }, address_string: "大田区西蒲田7-1-1" }, "w-1");
      assert.equal(watch.status, 201, await watch.clone().text());
      const [watched] = await watch.json() as { service_request_id: string }[];
      assert.equal((await service.api("GET", `/network/reports/${watched.service_request_id}`)).body.incidentId, null, "見守り: triage only");
      assert.equal((await service.api("GET", `/incidents?status=unresolved&memberId=${m.member.id}`)).body.incidents.length, 0);

      const body = { service_code: "concern", attribute: { urgency: "consult", signs: ["post_piling_up", "lights_daytime"] }, address_string: "東京都大田区西蒲田7-1-1" };
      const first = await post(body, "c-1");
      assert.equal(first.status, 201, await first.clone().text());
      const [created] = await first.json() as { service_request_id: string }[];
      const retry = await post(body, "c-1");
      assert.equal(retry.status, 200);
      assert.equal(((await retry.json()) as { service_request_id: string }[])[0].service_request_id, created.service_request_id);
      await m.sb.clockTo(m.at(3.5));
      assert.deepEqual(summary(await m.sb.delivered(), m.names, m.due, m.member.id), ["+3h alert team", "+3h alert contact1"]);
      const incidents = (await service.api("GET", `/incidents?status=unresolved&memberId=${m.member.id}`)).body.incidents;
      assert.equal(incidents.length, 1);
      assert.deepEqual([incidents[0].kind, incidents[0].urgency], ["concern", "high"]);
      assert.deepEqual(incidents[0].timeline.filter((e: { type: string }) => e.type !== "notified").map((e: { type: string }) => e.type), ["opened"]);
      const report = (await service.api("GET", `/network/reports/${created.service_request_id}`)).body;
      assert.deepEqual([report.match, report.incidentId], ["address", incidents[0].id]);
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
