/**
 * Needs → matching → volunteers → referrals (issue 14), on every database: a
 * missed check-in's outcome "買い物が難しい" becomes a need, matched to a
 * shopping-help service with capacity (the full one left out, saying why) and to
 * a volunteer who accepts in their own view; a decline passes to the next; the
 * per-need cap; an offer nobody answers expires and passes on; referral states
 * both sides move, reopen and delete with a reason (audited); sharing the member's
 * details only under consent; team scope, tenancy, observers' masking; bad input
 * refused naming the field with nothing changed; export and erasure.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { newId } from "../../src/ids.ts";
import { REDACTED } from "../../src/http/privacy.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson, type PersonClient } from "../support/people.ts";
import { memberBody, plus, sandbox } from "../support/sandbox.ts";

const SHOPPING = "shopping";

for (const kind of databaseKinds()) {
  describe(`needs, volunteers and referrals on ${kind}`, () => {
    let service: TestService;
    let org: string;
    let north: string;
    let south: string;
    let member: { id: string; nextDueAt: string };
    let provider: string;
    let shopService: string;
    let fullService: string;
    let deliveryService: string;
    let observer: string;
    let volunteerPerson: { client: PersonClient; id: string };
    const volunteers: Record<string, string> = {};

    /** Direct rows of the HSDS core (its commands are another part's). */
    async function seedService(name: string, available: number, area: { kind: string; value: string | null }, code = SHOPPING) {
      const id = newId();
      const now = new Date("2027-01-01T00:00:00Z");
      const db = service.store.db;
      await db.insertInto("directory_services").values({
        id, organisation_id: org, directory_organization_id: provider, name, status: "active", created_at: now, updated_at: now,
      }).execute();
      await db.insertInto("directory_attributes").values({ id: newId(), organisation_id: org, link_entity: "service", link_id: id, taxonomy_code: code, created_at: now })
        .execute();
      await db.insertInto("directory_service_areas").values({
        id: newId(), organisation_id: org, service_id: id, name: "区域", area_kind: area.kind as "team", area_value: area.value, created_at: now,
      }).execute();
      await db.insertInto("directory_capacities").values({ id: newId(), organisation_id: org, service_id: id, unit: "人", available, maximum: 5, updated_at: now })
        .execute();
      return id;
    }

    async function volunteer(displayName: string, over: Record<string, unknown> = {}) {
      const r = await service.api("POST", "/directory/volunteers", {
        displayName, skills: [SHOPPING], areas: [{ kind: "team", value: north }], availability: [], ...over,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      volunteers[displayName] = r.body.id;
      return r.body.id as string;
    }

    const count = async (table: string) => Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(service.store.db)).rows[0]?.n);

    before(async () => {
      service = await startTestService(kind);
      const { api } = service;
      north = (await api("POST", "/teams", { name: "北地区" })).body.id;
      south = (await api("POST", "/teams", { name: "南地区" })).body.id;
      const created = await api("POST", "/members", memberBody({ teamId: north, address: "〒650-0001 神戸市中央区加納町1-2-3", birthDate: "1942-04-01" }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      member = created.body;
      org = (await service.store.db.selectFrom("members").select("organisation_id").where("id", "=", member.id).executeTakeFirstOrThrow()).organisation_id;
      provider = newId();
      const now = new Date("2027-01-01T00:00:00Z");
      await service.store.db.insertInto("directory_organizations").values({ id: provider, organisation_id: org, name: "中央区社会福祉協議会", created_at: now, updated_at: now })
        .execute();
      shopService = await seedService("買い物支援サービス", 2, { kind: "team", value: north });
      fullService = await seedService("買い物代行(満員)", 0, { kind: "whole", value: null });
      await seedService("南の移動販売", 3, { kind: "team", value: south }, "shopping.mobile_shop");
      deliveryService = await seedService("夕食の宅配", 4, { kind: "postal_code", value: "650" }, "shopping.delivery");
      // Open Monday to Friday, 09:00–17:00 (national holidays and 年末年始 closed).
      await service.store.db.insertInto("directory_schedules").values({
        id: newId(), organisation_id: org, service_id: shopService, kind: "opening_hours", freq: "WEEKLY", byday: "MO,TU,WE,TH,FR", dtstart: "2027-01-01",
        opens_at: "09:00", closes_at: "17:00", created_at: now, updated_at: now,
      }).execute();
      observer = (await api("POST", "/tokens", { name: "observer", role: "observer" })).body.token;
      const person = await invitedPerson(api, service.url, { displayName: "担い手 佐藤", loginId: "sato-volunteer", role: "watcher" });
      volunteerPerson = { client: person.client, id: person.id };
      // Asked least recently first: 佐藤 (the watcher login) never asked, the others in order.
      await volunteer("佐藤", { personId: person.id });
      await volunteer("鈴木");
      await volunteer("高橋");
      await volunteer("田中");
      await volunteer("休み中", { onDuty: false });
    });
    after(async () => {
      await service?.close();
    });

    test("a missed check-in's outcome 買い物が難しい becomes a need, matched to a service with capacity and a volunteer who accepts", async () => {
      const sb = sandbox(service.api);
      await sb.clockTo(plus(member.nextDueAt, 30));
      const incidents = (await service.api("GET", `/incidents?status=unresolved&memberId=${member.id}`)).body.incidents;
      assert.equal(incidents.length, 1, "the missed check-in opened an incident");
      const incidentId: string = incidents[0].id;
      assert.equal(incidents[0].kind, "no_answer", "opened by the silence, not by an answer");
      const resolved = await service.api("POST", `/incidents/${incidentId}/resolve`, { outcome: "visited_fine", note: "買い物が難しい" });
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));

      const need = await service.api("POST", "/directory/needs", { source: "incident", sourceId: incidentId, taxonomyCodes: [SHOPPING] });
      assert.equal(need.status, 201, JSON.stringify(need.body));
      assert.deepEqual([need.body.memberId, need.body.note, need.body.source, need.body.sourceId, need.body.status, need.body.teamId],
        [member.id, "買い物が難しい", "incident", incidentId, "open", north]);

      const matches = await service.api("GET", `/directory/needs/${need.body.id}/matches`);
      assert.equal(matches.status, 200, JSON.stringify(matches.body));
      const suggested = matches.body.services.suggested;
      assert.deepEqual(suggested.map((s: { id: string }) => s.id), [shopService, deliveryService],
        "the services with places in the member's area: shopping help first, a narrower kind (delivery) after it");
      // Tuesday 2027-01-05 15:00 in Tokyo: within the opening hours.
      assert.deepEqual(suggested[0].reasons.map((r: { code: string }) => r.code), ["taxonomy_exact", "area_team", "has_capacity", "open_now"]);
      assert.deepEqual(suggested[1].reasons.map((r: { code: string; detail: string | null }) => `${r.code}:${r.detail}`),
        ["taxonomy_related:shopping.delivery", "area_postal_code:650", "has_capacity:4", "no_schedule:null"]);
      assert.equal(suggested[0].providerName, "中央区社会福祉協議会");
      const excluded = Object.fromEntries(matches.body.services.excluded.map((e: { name: string; reasons: { code: string }[] }) => [e.name, e.reasons.map((r) => r.code)]));
      assert.deepEqual(excluded, { "買い物代行(満員)": ["no_capacity"], "南の移動販売": ["out_of_area"] });
      assert.deepEqual(matches.body.volunteers.suggested.map((v: { displayName: string }) => v.displayName).toSorted(), ["佐藤", "田中", "鈴木", "高橋"]);
      assert.deepEqual(matches.body.volunteers.excluded.map((v: { displayName: string; reasons: { code: string }[] }) => [v.displayName, v.reasons[0]?.code]),
        [["休み中", "off_duty"]]);
      assert.equal(matches.body.offersLeft, 3);

      // The volunteer 佐藤 is asked alone, and answers in their own view.
      const offered = await service.api("POST", `/directory/needs/${need.body.id}/offers`, { volunteerIds: [volunteers.佐藤] });
      assert.equal(offered.status, 201, JSON.stringify(offered.body));
      const mine = await volunteerPerson.client.call("GET", "/directory/volunteer-requests");
      assert.equal(mine.status, 200, JSON.stringify(mine.body));
      assert.deepEqual(mine.body.requests.map((r: { id: string; status: string }) => [r.id, r.status]), [[offered.body.requests[0].id, "offered"]]);
      const accepted = await volunteerPerson.client.call("POST", `/directory/volunteer-requests/${offered.body.requests[0].id}/accept`, {});
      assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
      assert.equal(accepted.body.status, "accepted");
      const after = (await service.api("GET", `/directory/needs/${need.body.id}`)).body;
      assert.equal(after.status, "matched");
      assert.deepEqual(after.requests.map((r: { volunteer: { displayName: string }; status: string }) => [r.volunteer.displayName, r.status]), [["佐藤", "accepted"]]);
      const again = await volunteerPerson.client.call("POST", `/directory/volunteer-requests/${offered.body.requests[0].id}/decline`, {});
      assert.deepEqual([again.status, again.body.error.code], [409, "not_offered"]);

      // The volunteer logs the visit; a coordinator acknowledges it.
      const contact = await volunteerPerson.client.call("POST", `/directory/volunteers/${volunteers.佐藤}/contacts`,
        { needId: need.body.id, contactedAt: "2027-01-06T10:00:00+09:00", note: "一緒にスーパーへ行った" });
      assert.equal(contact.status, 201, JSON.stringify(contact.body));
      assert.equal(contact.body.memberId, member.id);
      const unack = (await service.api("GET", "/directory/volunteer-contacts?unacknowledged=true")).body.contacts;
      assert.deepEqual(unack.map((c: { id: string }) => c.id), [contact.body.id]);
      const ack = await service.api("POST", `/directory/volunteer-contacts/${contact.body.id}/acknowledge`);
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      assert.ok(ack.body.acknowledged?.at);
      assert.deepEqual((await service.api("GET", "/directory/volunteer-contacts?unacknowledged=true")).body.contacts, []);
      const otherVolunteer = await volunteerPerson.client.call("POST", `/directory/volunteers/${volunteers.鈴木}/contacts`,
        { contactedAt: "2027-01-06T10:00:00+09:00", note: "x" });
      assert.deepEqual([otherVolunteer.status, otherVolunteer.body.error.code], [403, "not_assigned"], "a volunteer logs their own contacts only");
    });

    test("never more than three open requests per need; a decline passes to the next; an unanswered offer expires and passes on", async () => {
      const need = (await service.api("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: [SHOPPING], note: "重い物の買い物" })).body;
      // 佐藤 has no open request (accepted before) but is asked last: least recently asked first.
      const first = await service.api("POST", `/directory/needs/${need.id}/offers`, { respondHours: 2 });
      assert.equal(first.status, 201, JSON.stringify(first.body));
      assert.deepEqual(first.body.requests.map((r: { volunteer: { displayName: string } }) => r.volunteer.displayName).toSorted(), ["田中", "鈴木", "高橋"]);
      const before = await count("directory_volunteer_requests");
      const capped = await service.api("POST", `/directory/needs/${need.id}/offers`, { volunteerIds: [volunteers.佐藤] });
      assert.deepEqual([capped.status, capped.body.error.code, capped.body.error.field], [422, "offer_cap", "volunteerIds"]);
      assert.equal(await count("directory_volunteer_requests"), before, "nothing changed");
      assert.deepEqual((await service.api("POST", `/directory/needs/${need.id}/offers`, {})).body.requests, [], "the cap: nobody more now");

      // A decline passes the need to the next volunteer: 佐藤.
      const suzuki = first.body.requests.find((r: { volunteer: { displayName: string } }) => r.volunteer.displayName === "鈴木");
      const declined = await service.api("POST", `/directory/volunteer-requests/${suzuki.id}/decline`, { reason: "今週は都合が悪い" });
      assert.equal(declined.status, 200, JSON.stringify(declined.body));
      let requests = (await service.api("GET", `/directory/needs/${need.id}`)).body.requests as { volunteer: { displayName: string }; status: string }[];
      assert.deepEqual(requests.filter((r) => r.status === "offered").map((r) => r.volunteer.displayName).toSorted(), ["佐藤", "田中", "高橋"]);
      const sato = requests.find((r) => r.volunteer.displayName === "佐藤") as unknown as { respondBy: string; offeredAt: string };
      assert.equal(Date.parse(sato.respondBy) - Date.parse(sato.offeredAt), 2 * 3_600_000, "the passed-on offer keeps the coordinator's time to answer");

      // Nobody answers: after two hours all three expire; nobody is left (鈴木 declined), so nobody new is asked.
      await sandbox(service.api).advance("PT3H");
      requests = (await service.api("GET", `/directory/needs/${need.id}`)).body.requests;
      assert.deepEqual(requests.map((r) => `${r.volunteer.displayName}:${r.status}`).toSorted(), ["佐藤:expired", "田中:expired", "鈴木:declined", "高橋:expired"]);
      const late = await volunteerPerson.client.call("POST", `/directory/volunteer-requests/${(requests.find((r) => r.volunteer.displayName === "佐藤") as unknown as { id: string }).id}/accept`, {});
      assert.deepEqual([late.status, late.body.error.code], [409, "not_offered"]);
    });

    test("an expired offer passes on to the next volunteer, one for one", async () => {
      const fresh = await volunteer("伊藤");
      const need = (await service.api("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: [SHOPPING] })).body;
      const offered = await service.api("POST", `/directory/needs/${need.id}/offers`, { volunteerIds: [volunteers.鈴木], respondHours: 1 });
      assert.equal(offered.status, 201, JSON.stringify(offered.body));
      await sandbox(service.api).advance("PT90M");
      const requests = (await service.api("GET", `/directory/needs/${need.id}`)).body.requests as { volunteer: { id: string }; status: string; createdBy: string }[];
      assert.equal(requests.length, 2, "one expired, one passed on (not the whole cap)");
      assert.deepEqual([requests[0]?.status, requests[1]?.status], ["expired", "offered"]);
      assert.equal(requests[1]?.createdBy, "system");
      assert.ok([fresh, volunteers.佐藤, volunteers.田中, volunteers.高橋].includes(requests[1]?.volunteer.id as string));
      // Off duty: their open request passes on too.
      const off = await service.api("PATCH", `/directory/volunteers/${requests[1]?.volunteer.id}`, { onDuty: false });
      assert.equal(off.status, 200, JSON.stringify(off.body));
      const after = (await service.api("GET", `/directory/needs/${need.id}`)).body.requests as { status: string }[];
      assert.deepEqual(after.map((r) => r.status), ["expired", "withdrawn", "offered"]);
      await service.api("PATCH", `/directory/volunteers/${requests[1]?.volunteer.id}`, { onDuty: true });
      assert.equal((await service.api("PATCH", `/directory/needs/${need.id}`, { status: "withdrawn" })).body.status, "withdrawn");
      assert.ok(((await service.api("GET", `/directory/needs/${need.id}`)).body.requests as { status: string }[]).every((r) => r.status !== "offered"),
        "a withdrawn need leaves nobody waiting");
    });

    test("a referral: both sides move it, it is reopened and deleted with a reason; details are shared only with consent", async () => {
      const need = (await service.api("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: [SHOPPING] })).body;
      const created = await service.api("POST", "/directory/referrals", { needId: need.id, providerId: provider, serviceId: shopService, note: "週1回の買い物支援を依頼" });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const id = created.body.id;
      assert.deepEqual([created.body.status, created.body.memberId, created.body.service.id], ["requested", member.id, shopService]);
      assert.deepEqual(created.body.next, { sender: ["cancelled"], receiver: ["received", "accepted", "rejected", "cancelled"] });
      assert.equal((await service.api("GET", `/directory/needs/${need.id}`)).body.status, "referred");

      const move = (to: string, side: string, reason?: string) => service.api("POST", `/directory/referrals/${id}/status`, { to, side, ...(reason ? { reason } : {}) });
      const wrong = await move("accepted", "sender");
      assert.deepEqual([wrong.status, wrong.body.error.code, wrong.body.error.field], [409, "referral_move_refused", "to"], "the receiver accepts");
      for (const to of ["received", "accepted", "in-progress", "on-hold", "in-progress", "completed"]) {
        const r = await move(to, "receiver");
        assert.equal(r.status, 200, `${to}: ${JSON.stringify(r.body)}`);
        assert.equal(r.body.status, to);
      }
      const noReason = await move("requested", "sender");
      assert.deepEqual([noReason.status, noReason.body.error.field], [409, "reason"]);
      assert.equal((await move("requested", "receiver", "x")).status, 409, "only the sender reopens");
      const reopened = await move("requested", "sender", "再び支援が必要になった");
      assert.equal(reopened.body.status, "requested");
      assert.equal((await move("cancelled", "receiver", "担当者不足")).body.status, "cancelled");

      const detail = (await service.api("GET", `/directory/referrals/${id}`)).body;
      assert.deepEqual(detail.events.map((e: { kind: string; toStatus: string | null; side: string }) => `${e.kind}:${e.toStatus}:${e.side}`), [
        "create:requested:sender", "step:received:receiver", "step:accepted:receiver", "step:in-progress:receiver", "step:on-hold:receiver",
        "step:in-progress:receiver", "step:completed:receiver", "reopen:requested:sender", "cancel:cancelled:receiver",
      ]);
      assert.equal(detail.events[7].note, "再び支援が必要になった");

      // Sharing: refused without the member's consent (nothing recorded), allowed with it and recorded as a disclosure.
      const refused = await service.api("POST", `/directory/referrals/${id}/share`, { fields: ["displayName", "address"] });
      assert.deepEqual([refused.status, refused.body.error.code, refused.body.error.field], [422, "share_not_consented", "fields"]);
      assert.deepEqual((await service.api("GET", `/members/${member.id}/disclosures`)).body.disclosures, []);
      const consent = await service.api("POST", `/members/${member.id}/consents`,
        { purpose: "share_partners", decision: "permit", method: "paper", givenAt: "2027-01-04T09:00:00+09:00" });
      assert.equal(consent.status, 201, JSON.stringify(consent.body));
      const shared = await service.api("POST", `/directory/referrals/${id}/share`, { fields: ["displayName", "address"] });
      assert.equal(shared.status, 200, JSON.stringify(shared.body));
      assert.deepEqual(shared.body.sharedFields, ["displayName", "address"]);
      const disclosures = (await service.api("GET", `/members/${member.id}/disclosures`)).body.disclosures;
      assert.deepEqual(disclosures.map((d: { id: string; recipient: string; basis: string }) => [d.id, d.recipient, d.basis]),
        [[shared.body.disclosureId, "中央区社会福祉協議会", "consent"]]);

      const noDeleteReason = await service.api("POST", `/directory/referrals/${id}/deletion`, {});
      assert.deepEqual([noDeleteReason.status, noDeleteReason.body.error.field], [400, "reason"]);
      const deleted = await service.api("POST", `/directory/referrals/${id}/deletion`, { reason: "別の利用者と取り違えた" });
      assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
      assert.equal(deleted.body.deleted.note, "別の利用者と取り違えた");
      assert.deepEqual(deleted.body.next, { sender: [], receiver: [] });
      assert.equal((await move("requested", "sender", "x")).body.error.code, "referral_deleted");
      assert.ok(!(await service.api("GET", "/directory/referrals")).body.referrals.some((r: { id: string }) => r.id === id), "deleted ones are left out of the list");
      assert.ok((await service.api("GET", "/directory/referrals?deleted=true")).body.referrals.some((r: { id: string }) => r.id === id));
      const log = (await service.api("GET", "/audit-log?limit=50")).body.entries as { action: string; detail: { reason?: string; referralId?: string } }[];
      const entry = log.find((e) => e.action === "directory_referral.delete");
      assert.deepEqual([entry?.detail.referralId, entry?.detail.reason], [id, "別の利用者と取り違えた"]);
    });

    test("observers see personal fields masked; staff views are audited; team staff reach their own teams only; other organisations nothing", async () => {
      const need = (await service.api("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: [SHOPPING], note: "山田さんは足が悪い" })).body;
      const seen = await service.api("GET", `/directory/needs/${need.id}`, undefined, observer);
      assert.equal(seen.status, 200);
      assert.deepEqual([seen.body.memberName, seen.body.note, seen.body.taxonomyCodes], [REDACTED, REDACTED, [SHOPPING]]);
      const vols = (await service.api("GET", "/directory/volunteers", undefined, observer)).body.volunteers;
      assert.ok(vols.length > 0 && vols.every((v: { displayName: string }) => v.displayName === REDACTED));
      assert.equal((await service.api("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: [SHOPPING] }, observer)).status, 403);

      const entries = async () => (await service.api("GET", "/audit-log?limit=1000")).body.entries as { action: string; detail: { route?: string } }[];
      const n = (await entries()).length;
      assert.equal((await service.api("GET", `/directory/needs/${need.id}`)).status, 200);
      const logged = await entries();
      assert.equal(logged.length, n + 1);
      assert.deepEqual([logged[0]?.action, logged[0]?.detail.route], ["personal.view", "GET /directory/needs/:id"]);

      const staff = (await invitedPerson(service.api, service.url, { displayName: "職員 南", loginId: "minami-staff", role: "staff", teamIds: [south] })).client;
      const refused = await staff.call("GET", `/directory/needs/${need.id}`);
      assert.deepEqual([refused.status, refused.body.error.code], [403, "not_in_team"]);
      assert.deepEqual((await staff.call("GET", "/directory/needs")).body.needs, []);
      assert.deepEqual((await staff.call("GET", "/directory/referrals?deleted=true")).body.referrals, []);
      const create = await staff.call("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: [SHOPPING] });
      assert.deepEqual([create.status, create.body.error.code, create.body.error.field], [403, "not_in_team", "memberId"]);
      assert.equal((await staff.call("PATCH", `/directory/needs/${need.id}`, { status: "resolved" })).status, 403);
      assert.equal((await service.api("GET", `/directory/needs/${need.id}`)).body.status, "open", "unchanged");

      const other = await service.api("POST", "/organisations", { name: "隣の市" });
      const otherAdmin = other.body.adminToken as string;
      assert.equal((await service.api("GET", `/directory/needs/${need.id}`, undefined, otherAdmin)).status, 404);
      assert.deepEqual((await service.api("GET", "/directory/needs", undefined, otherAdmin)).body.needs, []);
      assert.deepEqual((await service.api("GET", "/directory/volunteers", undefined, otherAdmin)).body.volunteers, []);
      const foreign = await service.api("POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: [SHOPPING] }, otherAdmin);
      assert.deepEqual([foreign.status, foreign.body.error.code, foreign.body.error.field], [422, "unknown_reference", "memberId"]);
      const foreignReferral = await service.api("POST", "/directory/referrals", { memberId: member.id, providerId: provider }, otherAdmin);
      assert.equal(foreignReferral.status, 422);
      assert.equal((await service.api("POST", `/directory/needs/${need.id}/offers`, {}, otherAdmin)).status, 404);
    });

    test("bad input is refused naming the field, and nothing changes", async () => {
      const tables = ["directory_needs", "directory_volunteers", "directory_volunteer_requests", "directory_referrals", "directory_referral_events"];
      const before = await Promise.all(tables.map(count));
      const cases: [string, string, unknown, number, string][] = [
        ["POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: [] }, 400, "taxonomyCodes"],
        ["POST", "/directory/needs", { source: "console", taxonomyCodes: [SHOPPING] }, 400, "memberId"],
        ["POST", "/directory/needs", { source: "incident", memberId: member.id, taxonomyCodes: [SHOPPING] }, 400, "sourceId"],
        ["POST", "/directory/needs", { source: "incident", sourceId: newId(), taxonomyCodes: [SHOPPING] }, 422, "sourceId"],
        ["POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: ["買い物 支援"] }, 400, "taxonomyCodes.0"],
        ["POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: [SHOPPING, "no.such_code"] }, 422, "taxonomyCodes.1"],
        ["POST", "/directory/volunteers", { displayName: "x", skills: ["no.such_code"], areas: [], availability: [] }, 422, "skills.0"],
        ["POST", "/directory/needs", { source: "console", memberId: member.id, taxonomyCodes: [SHOPPING], extra: 1 }, 400, "extra"],
        ["POST", "/directory/volunteers", { displayName: "x", skills: [], areas: [], availability: [{ weekday: 8, from: "09:00", to: "10:00" }] }, 400, "availability.0.weekday"],
        ["POST", "/directory/volunteers", { displayName: "x", skills: [], areas: [], availability: [{ weekday: 1, from: "10:00", to: "09:00" }] }, 400, "availability.0.to"],
        ["POST", "/directory/volunteers", { displayName: "x", skills: [], areas: [], availability: [], personId: newId() }, 422, "personId"],
        ["POST", "/directory/referrals", { memberId: member.id, providerId: newId() }, 422, "providerId"],
        ["POST", "/directory/referrals", { memberId: member.id, providerId: provider, serviceId: newId() }, 422, "serviceId"],
        ["POST", "/directory/referrals", { providerId: provider }, 400, "memberId"],
        ["POST", `/directory/needs/${newId()}/offers`, {}, 404, ""],
        ["POST", `/directory/referrals/${newId()}/status`, { to: "done", side: "sender" }, 400, "to"],
      ];
      for (const [method, path, body, status, field] of cases) {
        const r = await service.api(method, path, body);
        assert.equal(r.status, status, `${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
        if (field) assert.equal(r.body.error.field, field, JSON.stringify(r.body));
      }
      assert.deepEqual(await Promise.all(tables.map(count)), before);
      void fullService;
    });

    test("a member's export holds their needs, contacts and referrals; erasure removes them", async () => {
      const exported = await service.api("GET", `/members/${member.id}/export`);
      assert.equal(exported.status, 200);
      assert.ok(exported.body.sections.directory_needs.length >= 4);
      assert.ok(exported.body.sections.directory_needs.some((n: { note: string }) => n.note === "買い物が難しい"));
      assert.equal(exported.body.sections.directory_volunteer_contacts.length, 1);
      assert.ok(exported.body.sections.directory_referrals.length >= 1);
      assert.ok(exported.body.sections.directory_referral_events.length >= 9);
      const erased = await service.api("POST", `/members/${member.id}/erasure`, { reason: "本人の求め" });
      assert.equal(erased.status, 200, JSON.stringify(erased.body));
      for (const table of ["directory_needs", "directory_volunteer_contacts", "directory_referrals", "directory_referral_events", "directory_volunteer_requests"]) {
        assert.equal(await count(table), 0, `${table} emptied`);
      }
      assert.ok(await count("directory_volunteers") > 0, "volunteers are not the member's");
    });
  });
}
