/**
 * The directory's 年末年始 setting per organisation (migration 2090): on by
 * default with 12/29–1/3; admins turn it off or change its dates (audited;
 * staff are refused; bad dates refused naming the field); the activities
 * calendar and the public HSDS API's schedule notes follow it. On every database.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { publicLinks } from "../../src/directory/http/settings.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";

for (const kind of databaseKinds()) {
  describe(`the directory's settings on ${kind}`, () => {
    let service: TestService;
    let staff: string;
    let org: string;
    let salon: string;

    before(async () => {
      service = await startTestService(kind);
      staff = (await service.api("POST", "/tokens", { name: "staff", role: "staff" })).body.token;
      const provider = (await service.api("POST", "/directory/organizations", { name: "本町社会福祉協議会", listed: true })).body;
      const created = await service.api("POST", "/directory/services", { directoryOrganizationId: provider.id, name: "木曜サロン", status: "active", listed: true });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      salon = created.body.id;
      assert.equal((await service.api("PUT", `/directory/services/${salon}/taxonomy`, { codes: ["kayoi.salon"] })).status, 200);
      // Every Thursday 10:00–12:00: 12/24, 12/31 (年末年始), 1/7.
      const schedule = await service.api("POST", `/directory/services/${salon}/schedules`,
        { kind: "event", freq: "WEEKLY", byday: "TH", opensAt: "10:00", closesAt: "12:00", dtstart: "2026-12-03", closedOnHolidays: false });
      assert.equal(schedule.status, 201, JSON.stringify(schedule.body));
      org = (await service.store.db.selectFrom("directory_services").select("organisation_id").where("id", "=", salon).executeTakeFirstOrThrow()).organisation_id;
    });
    after(async () => {
      await service?.close();
    });

    const dates = async () => ((await service.api("GET", "/directory/activities?from=2026-12-24&to=2027-01-07")).body.occurrences as { date: string }[])
      .map((o) => o.date);
    const notes = async () => {
      const r = await service.api("GET", `/hsds/${org}/services/${salon}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.schedules[0].notes as string | undefined;
    };

    test("the public page and the HSDS API as full URLs under the service's public URL, for observers too, and both answer", async () => {
      const observer = (await service.api("POST", "/tokens", { name: "observer", role: "observer" })).body.token;
      const links = await service.api("GET", "/directory/public-links", undefined, observer);
      assert.equal(links.status, 200, JSON.stringify(links.body));
      assert.deepEqual(links.body, { organisationId: org, publicPage: `${service.url}/directory/${org}`, hsdsApi: `${service.url}/api/v1/hsds/${org}` });
      assert.equal((await fetch(links.body.publicPage)).status, 200);
      const hsds = await fetch(links.body.hsdsApi);
      assert.equal(hsds.status, 200);
      assert.equal(((await hsds.json()) as { version: string }).version.startsWith("3."), true);
      assert.deepEqual(publicLinks("https://mimamori.example.jp/", "o1"),
        { organisationId: "o1", publicPage: "https://mimamori.example.jp/directory/o1", hsdsApi: "https://mimamori.example.jp/api/v1/hsds/o1" });
    });

    test("on by default, 12/29–1/3: the calendar leaves 12/31 out and the HSDS notes say so", async () => {
      const settings = (await service.api("GET", "/directory/settings", undefined, staff)).body;
      assert.deepEqual(settings, { yearEndClosed: true, yearEndFirst: "12-29", yearEndLast: "01-03", updatedBy: null, updatedAt: null });
      assert.deepEqual(await dates(), ["2026-12-24", "2027-01-07"]);
      assert.match((await notes()) ?? "", /年末年始 12\/29〜1\/3 は休み \(closed 29 December – 3 January\)/);
    });

    test("admins change it (audited), staff are refused, bad dates are refused naming the field", async () => {
      const refused = await service.api("PATCH", "/directory/settings", { yearEndClosed: false }, staff);
      assert.equal(refused.status, 403);
      const bad = await service.api("PATCH", "/directory/settings", { yearEndFirst: "13-01" });
      assert.deepEqual([bad.status, bad.body.error.field], [400, "yearEndFirst"]);
      assert.equal((await service.api("GET", "/directory/settings")).body.updatedAt, null, "nothing was changed");

      const off = await service.api("PATCH", "/directory/settings", { yearEndClosed: false });
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.equal(off.body.yearEndClosed, false);
      assert.deepEqual(await dates(), ["2026-12-24", "2026-12-31", "2027-01-07"]);
      assert.doesNotMatch((await notes()) ?? "", /年末年始/);

      // On again, from 12/29 to 12/30 only: 12/31 takes place.
      const shorter = await service.api("PATCH", "/directory/settings", { yearEndClosed: true, yearEndFirst: "12-29", yearEndLast: "12-30" });
      assert.deepEqual([shorter.body.yearEndClosed, shorter.body.yearEndFirst, shorter.body.yearEndLast], [true, "12-29", "12-30"]);
      assert.deepEqual(await dates(), ["2026-12-24", "2026-12-31", "2027-01-07"]);
      assert.match((await notes()) ?? "", /年末年始 12\/29〜12\/30 は休み \(closed 29 December – 30 December\)/);
      // Across the new year, to 1/8: the 1/7 salon is closed too.
      await service.api("PATCH", "/directory/settings", { yearEndFirst: "12-31", yearEndLast: "01-08" });
      assert.deepEqual(await dates(), ["2026-12-24"]);

      const log = (await service.api("GET", "/audit-log?limit=20")).body.entries as { action: string; detail: { fields?: string[] } }[];
      assert.deepEqual(log.filter((e) => e.action === "directory_settings.update").map((e) => e.detail.fields).reverse(),
        [["yearEndClosed"], ["yearEndClosed", "yearEndFirst", "yearEndLast"], ["yearEndFirst", "yearEndLast"]]);
    });
  });
}
