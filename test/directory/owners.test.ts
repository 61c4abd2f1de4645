/**
 * What staff own, on both databases (issue 14, Handover): a staff member's
 * providers, services, volunteers and the network's partners (through the port)
 * with their next contact dates, next contact first, archived ones left out;
 * "my next contacts" for the signed-in person (due or overdue only; a token owns
 * nothing); the people a handover chooses from (deactivated ones too, marked);
 * past handovers read back with names and counts; observers are refused; another
 * organisation sees none of it (its people's records are 404, like an unknown id).
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { invitedPerson } from "../support/people.ts";

for (const kind of databaseKinds()) {
  describe(`what staff own on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind, { MIMAMORI_ENGINE: "0" });
    });
    after(async () => {
      await service?.close();
    });

    test("owned records with next contact dates, my next contacts, the handover's people and its history", async () => {
      const { api } = service;
      // The test service's day is 2027-01-04 (Asia/Tokyo).
      const leaver = await invitedPerson(api, service.url, { displayName: "担当 佐藤", loginId: "sato-owner", role: "staff" });
      const successor = (await api("POST", "/people", { displayName: "後任 鈴木", loginId: "suzuki-owner", role: "staff" })).body.person.id as string;
      const provider = (await api("POST", "/directory/organizations", { name: "本町社協", ownerPersonId: leaver.id, nextContactOn: "2027-01-10" })).body;
      const overdue = (await api("POST", "/directory/services", {
        directoryOrganizationId: provider.id, name: "ふれあいサロン", ownerPersonId: leaver.id, nextContactOn: "2026-12-20",
      })).body;
      const archived = (await api("POST", "/directory/services", { directoryOrganizationId: provider.id, name: "終わった教室", ownerPersonId: leaver.id, nextContactOn: "2026-12-01" })).body;
      assert.equal((await api("POST", `/directory/services/${archived.id}/archive`)).status, 200);
      const volunteer = (await api("POST", "/directory/volunteers", {
        displayName: "担い手 山本", skills: [], areas: [], availability: [], ownerPersonId: leaver.id, nextContactOn: "2027-01-04",
      })).body;
      const partner = await api("POST", "/network/partners", { name: "新聞販売所", kind: "home_visit", ownerPersonId: leaver.id, nextReviewOn: "2027-01-01" });
      assert.equal(partner.status, 201, JSON.stringify(partner.body));
      await api("POST", "/directory/services", { directoryOrganizationId: provider.id, name: "他の人の", ownerPersonId: successor, nextContactOn: "2026-01-01" });

      const owned = await api("GET", `/directory/owners/${leaver.id}/records`);
      assert.equal(owned.status, 200, JSON.stringify(owned.body));
      assert.deepEqual(owned.body.records.map((r: Record<string, unknown>) => [r.kind, r.id, r.name ?? r.displayName, r.nextContactOn, r.due]), [
        ["service", overdue.id, "ふれあいサロン", "2026-12-20", true],
        ["partner", partner.body.id, "新聞販売所", "2027-01-01", true],
        ["volunteer", volunteer.id, "担い手 山本", "2027-01-04", true],
        ["organization", provider.id, "本町社協", "2027-01-10", false],
      ], "next contact first; the archived service left out; the volunteer's name as displayName");

      const mine = await leaver.client.call("GET", "/directory/next-contacts");
      assert.equal(mine.status, 200, JSON.stringify(mine.body));
      assert.deepEqual(mine.body.records.map((r: { id: string }) => r.id), [overdue.id, partner.body.id, volunteer.id], "due and overdue only, most overdue first");
      assert.deepEqual((await api("GET", "/directory/next-contacts")).body.records, [], "a token owns nothing");

      const people = (await api("GET", "/directory/handover/people")).body.people as { id: string; displayName: string; deactivated: boolean }[];
      assert.ok(people.some((p) => p.id === leaver.id && !p.deactivated));
      assert.ok(people.some((p) => p.id === successor));

      const moved = await api("POST", "/directory/handover", { fromPersonId: leaver.id, toPersonId: successor });
      assert.deepEqual(moved.body.moved, { organizations: 1, services: 2, volunteers: 1, partners: 1 }, "the archived service moves too");
      assert.deepEqual((await api("GET", `/directory/owners/${leaver.id}/records`)).body.records, []);
      assert.equal((await api("GET", `/directory/owners/${successor}/records`)).body.records.length, 5);
      const history = (await api("GET", "/directory/handovers")).body.handovers;
      assert.equal(history.length, 1);
      assert.deepEqual([history[0].from, history[0].to, history[0].moved],
        [{ id: leaver.id, displayName: "担当 佐藤" }, { id: successor, displayName: "後任 鈴木" }, { organizations: 1, services: 2, volunteers: 1, partners: 1 }]);
      assert.match(history[0].by, /^token:/);

      const observer = (await api("POST", "/tokens", { name: "observer", role: "observer" })).body.token;
      for (const path of [`/directory/owners/${successor}/records`, "/directory/next-contacts", "/directory/handover/people", "/directory/handovers"]) {
        assert.equal((await api("GET", path, undefined, observer)).status, 403, path);
      }
      const other = (await api("POST", "/organisations", { name: "隣の市" })).body.adminToken as string;
      // Another organisation's person is unknown here, as any other id is: 404, not "owns nothing".
      const theirs = await api("GET", `/directory/owners/${successor}/records`, undefined, other);
      assert.equal(theirs.status, 404, JSON.stringify(theirs.body));
      assert.equal(theirs.body.error.code, "not_found");
      assert.equal((await api("GET", `/directory/owners/${crypto.randomUUID()}/records`)).status, 404);
      assert.deepEqual((await api("GET", "/directory/handovers", undefined, other)).body.handovers, []);
      assert.ok(!(await api("GET", "/directory/handover/people", undefined, other)).body.people.some((p: { id: string }) => p.id === successor));
    });
  });
}
