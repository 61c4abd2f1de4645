/**
 * The calendar of salons and 通いの場 and their attendance (issue 14) on both
 * databases: occurrences from the directory's schedules with national holidays
 * and closures left out; attendance ticked by staff; a member who agreed has
 * attending count as that day's sign of life (their check-in is answered, they
 * are not asked), one who did not is asked as usual; bad input refused naming
 * the field with nothing changed; observers read redacted and never write; team
 * staff reach their own teams' members only; another organisation sees nothing.
 * Un-ticking takes a mistaken record and its sign of life back (a check-in it
 * already answered stays answered, and the answer says so). The door: a poster's
 * link for one occurrence, its token kept hashed, working on that day only; a
 * number keyed in answers alike matched or not, a match is recorded as `door`,
 * every number counts towards the link's rate limit; forged links do nothing.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { REDACTED } from "../../src/http/privacy.ts";
import { databaseKinds, startTestService, type TestService, TOKYO } from "../support/harness.ts";
import { invitedPerson } from "../support/people.ts";
import { memberBody, sandbox } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`activities and attendance on ${kind}`, () => {
    let service: TestService;
    let staff: string;
    let observer: string;
    let salonSchedule: string;
    let hoursSchedule: string;
    let talkSchedule: string;
    let agreed: string;
    let asked: string;
    let south: string;
    let southern: string;
    before(async () => {
      // The sandbox starts on Monday 2027-01-04 08:00 in Tokyo.
      service = await startTestService(kind);
      const token = async (role: string) => (await service.api("POST", "/tokens", { name: role, role })).body.token as string;
      staff = await token("staff");
      observer = await token("observer");
      const provider = (await service.api("POST", "/directory/organizations", { name: "本町社会福祉協議会" }, staff)).body;
      const made = async (path: string, body: unknown) => {
        const r = await service.api("POST", path, body, staff);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body;
      };
      const salon = await made("/directory/services", { directoryOrganizationId: provider.id, name: "ふれあいサロン", status: "active" });
      assert.equal((await service.api("PUT", `/directory/services/${salon.id}/taxonomy`, { codes: ["kayoi.salon"] }, staff)).status, 200);
      // Every Monday 10:00–12:00; closed on national holidays (成人の日 2027-01-11) by default; closed on 1/18 for the hall's repairs.
      salonSchedule = (await made(`/directory/services/${salon.id}/schedules`, {
        kind: "opening_hours", freq: "WEEKLY", byday: "MO", opensAt: "10:00", closesAt: "12:00", dtstart: "2027-01-04",
      })).id;
      await made("/directory/closures", { serviceId: salon.id, kind: "ad_hoc", startsOn: "2027-01-18", endsOn: "2027-01-18", reason: "集会所の修繕" });
      const shopping = await made("/directory/services", { directoryOrganizationId: provider.id, name: "買い物支援", status: "active" });
      assert.equal((await service.api("PUT", `/directory/services/${shopping.id}/taxonomy`, { codes: ["shopping"] }, staff)).status, 200);
      // Opening hours of a service that is not a 通いの場: not an activity. A one-off talk (an event) of the same service: an activity.
      hoursSchedule = (await made(`/directory/services/${shopping.id}/schedules`, { kind: "opening_hours", freq: "WEEKLY", byday: "TU", opensAt: "09:00", closesAt: "17:00" })).id;
      talkSchedule = (await made(`/directory/services/${shopping.id}/schedules`, { kind: "event", dtstart: "2027-01-13", opensAt: "14:00", closesAt: "15:30", description: "健康講座" })).id;
      // Both asked daily at 15:00, after the salon.
      const plan = { every: "1d", at: "15:00" };
      agreed = (await service.api("POST", "/members", memberBody({ displayName: "参加 よし子", channels: [{ kind: "sandbox", address: "yoshiko" }], plan }))).body.id;
      asked = (await service.api("POST", "/members", memberBody({ displayName: "比較 たろう", channels: [{ kind: "sandbox", address: "taro" }], plan }))).body.id;
      south = (await service.api("POST", "/teams", { name: "南地区" })).body.id;
      southern = (await service.api("POST", "/members", memberBody({ displayName: "南 花子", teamId: south, plan }))).body.id;
      assert.ok(agreed && asked && southern);
    });
    after(async () => {
      await service?.close();
    });

    const attendanceRows = async () => Number((await service.store.db.selectFrom("directory_attendance").select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow()).n);

    test("the calendar lists the salon's Mondays and the talk, without the holiday nor the closure, nor mere opening hours", async () => {
      const r = await service.api("GET", "/directory/activities?from=2027-01-04&to=2027-01-31", undefined, observer);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const seen = r.body.occurrences.map((o: { scheduleId: string; date: string }) => [o.scheduleId === salonSchedule ? "salon" : o.scheduleId === talkSchedule ? "talk" : o.scheduleId, o.date]);
      assert.deepEqual(seen, [["salon", "2027-01-04"], ["talk", "2027-01-13"], ["salon", "2027-01-25"]]);
      const first = r.body.occurrences[0];
      assert.equal(first.serviceName, "ふれあいサロン");
      const talk = r.body.occurrences[1];
      assert.deepEqual([talk.serviceName, talk.description], ["買い物支援", "健康講座"], "the event's own name is given beside its service's");
      assert.equal(first.start, TOKYO("2027-01-04T10:00:00"));
      assert.equal(first.end, TOKYO("2027-01-04T12:00:00"));
      // By default two weeks from today (2027-01-04).
      const byDefault = (await service.api("GET", "/directory/activities", undefined, observer)).body;
      assert.deepEqual([byDefault.from, byDefault.to], ["2027-01-04", "2027-01-17"]);
      const tooLong = await service.api("GET", "/directory/activities?from=2027-01-04&to=2027-06-30", undefined, observer);
      assert.deepEqual([tooLong.status, tooLong.body.error.field], [400, "to"]);
      const backwards = await service.api("GET", "/directory/activities?from=2027-01-04&to=2027-01-01", undefined, observer);
      assert.deepEqual([backwards.status, backwards.body.error.field], [400, "to"]);
    });

    test("bad attendance is refused naming the field, and nothing changes", async () => {
      const before = await attendanceRows();
      const cases: [unknown, number, string, string][] = [
        [{ scheduleId: salonSchedule, occursOn: "2027-01-04", memberIds: [] }, 400, "memberIds", "invalid_request"],
        [{ scheduleId: salonSchedule, occursOn: "2027-02-30", memberIds: [agreed] }, 400, "occursOn", "invalid_request"],
        [{ scheduleId: "not-an-id", occursOn: "2027-01-04", memberIds: [agreed] }, 400, "scheduleId", "invalid_request"],
        [{ scheduleId: hoursSchedule, occursOn: "2027-01-05", memberIds: [agreed] }, 422, "scheduleId", "unknown_reference"],
        [{ scheduleId: salonSchedule, occursOn: "2027-01-11", memberIds: [agreed] }, 422, "occursOn", "no_occurrence"],
        [{ scheduleId: salonSchedule, occursOn: "2027-01-05", memberIds: [agreed] }, 422, "occursOn", "no_occurrence"],
        [{ scheduleId: salonSchedule, occursOn: "2027-01-25", memberIds: [agreed] }, 422, "occursOn", "occurrence_not_yet"],
        [{ scheduleId: salonSchedule, occursOn: "2027-01-04", memberIds: [agreed, "00000000-0000-4000-8000-000000000000"] }, 422, "memberIds.1", "unknown_reference"],
      ];
      for (const [body, status, field, code] of cases) {
        const r = await service.api("POST", "/directory/attendance", body, staff);
        assert.deepEqual([r.status, r.body.error?.field, r.body.error?.code], [status, field, code], JSON.stringify(body));
      }
      assert.equal(await attendanceRows(), before, "nothing recorded");
      const member = await service.store.db.selectFrom("members").select("last_sign_of_life_at").where("id", "=", agreed).executeTakeFirstOrThrow();
      assert.equal(member.last_sign_of_life_at, null, "no sign of life given");
      const setting = await service.api("PUT", "/directory/attendance-settings", { memberId: agreed, countsAsSignOfLife: "yes" }, staff);
      assert.deepEqual([setting.status, setting.body.error.field], [400, "countsAsSignOfLife"]);
      const unknown = await service.api("PUT", "/directory/attendance-settings", { memberId: "00000000-0000-4000-8000-000000000000", countsAsSignOfLife: true }, staff);
      assert.deepEqual([unknown.status, unknown.body.error.field], [422, "memberId"]);
      assert.deepEqual((await service.api("GET", "/directory/attendance-settings", undefined, staff)).body.settings, []);
    });

    test("attending counts as the day's sign of life for a member who agreed: not asked that day; the other member is asked", async () => {
      const box = sandbox(service.api);
      // Off by default: nobody is listed; then the member agrees, recorded with who and when.
      assert.deepEqual((await service.api("GET", `/directory/attendance-settings?memberId=${agreed}`, undefined, staff)).body.settings, []);
      await box.clockTo(TOKYO("2027-01-04T10:30:00"));
      await box.delivered();
      const set = await service.api("PUT", "/directory/attendance-settings", { memberId: agreed, countsAsSignOfLife: true }, staff);
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.countsAsSignOfLife, true);
      assert.match(set.body.by, /^token:staff:/);
      assert.equal(set.body.setAt, TOKYO("2027-01-04T10:30:00"));
      assert.equal((await service.api("PUT", "/directory/attendance-settings", { memberId: asked, countsAsSignOfLife: false }, staff)).status, 200);

      const r = await service.api("POST", "/directory/attendance", { scheduleId: salonSchedule, occursOn: "2027-01-04", memberIds: [agreed, asked] }, staff);
      assert.equal(r.status, 201, JSON.stringify(r.body));
      assert.deepEqual(r.body.attendance.map((a: { memberId: string; signOfLifeAt: string | null }) => [a.memberId, a.signOfLifeAt]),
        [[agreed, TOKYO("2027-01-04T10:30:00")], [asked, null]]);
      // Ticking again changes nothing.
      const again = await service.api("POST", "/directory/attendance", { scheduleId: salonSchedule, occursOn: "2027-01-04", memberIds: [agreed] }, staff);
      assert.equal(again.status, 201);
      assert.equal(again.body.attendance[0].id, r.body.attendance[0].id);
      const listed = (await service.api("GET", `/directory/attendance?scheduleId=${salonSchedule}&occursOn=2027-01-04`, undefined, staff)).body.attendance;
      assert.deepEqual(listed.map((a: { memberName: string }) => a.memberName).sort(), ["参加 よし子", "比較 たろう"].sort());
      const calendar = (await service.api("GET", "/directory/activities?from=2027-01-04&to=2027-01-04", undefined, staff)).body.occurrences;
      assert.equal(calendar[0].attended, 2);

      await box.clockTo(TOKYO("2027-01-04T15:01:00"));
      const prompts = (await box.delivered()).filter((m) => m.kind === "prompt");
      assert.ok(!prompts.some((m) => m.to.id === agreed), "the member who agreed is not asked");
      assert.ok(prompts.some((m) => m.to.id === asked), "the member who did not agree is asked");
      const history = (await service.api("GET", `/members/${agreed}/history`)).body;
      const day = history.checkins.find((c: { dueAt: string }) => c.dueAt === TOKYO("2027-01-04T15:00:00"));
      assert.ok(day, JSON.stringify(history.checkins));
      assert.deepEqual([day.status, day.closedReason, day.prompted], ["answered", "activity", false]);
      const other = (await service.api("GET", `/members/${asked}/history`)).body.checkins
        .find((c: { dueAt: string }) => c.dueAt === TOKYO("2027-01-04T15:00:00"));
      assert.equal(other.status, "open", "the other member's check-in waits for an answer");
    });

    test("observers read names redacted and write nothing; views are audited; team staff reach their own teams' members only", async () => {
      const seen = (await service.api("GET", "/directory/attendance", undefined, observer)).body.attendance;
      assert.ok(seen.length >= 2 && seen.every((a: { memberName: string; by: string }) => a.memberName === REDACTED && a.by === REDACTED));
      const settings = (await service.api("GET", "/directory/attendance-settings", undefined, observer)).body.settings;
      assert.ok(settings.length === 2 && settings.every((x: { memberName: string; by: string }) => x.memberName === REDACTED && x.by === REDACTED));
      const before = await attendanceRows();
      assert.equal((await service.api("POST", "/directory/attendance", { scheduleId: talkSchedule, occursOn: "2027-01-13", memberIds: [asked] }, observer)).status, 403);
      assert.equal((await service.api("PUT", "/directory/attendance-settings", { memberId: asked, countsAsSignOfLife: true }, observer)).status, 403);

      const entries = async () => (await service.api("GET", "/audit-log?limit=1000")).body.entries as { action: string; detail: { route?: string } }[];
      const n = (await entries()).length;
      assert.equal((await service.api("GET", "/directory/attendance", undefined, staff)).status, 200);
      const logged = await entries();
      assert.equal(logged.length, n + 1);
      assert.deepEqual([logged[0]?.action, logged[0]?.detail.route], ["personal.view", "GET /directory/attendance"]);
      assert.ok(logged.some((e) => e.action === "directory_attendance.record"), "recording is audited");

      await sandbox(service.api).clockTo(TOKYO("2027-01-13T14:30:00"));
      const southStaff = (await invitedPerson(service.api, service.url, { displayName: "職員 南", loginId: "minami-staff", role: "staff", teamIds: [south] })).client;
      const refused = await southStaff.call("POST", "/directory/attendance", { scheduleId: talkSchedule, occursOn: "2027-01-13", memberIds: [southern, asked] });
      assert.deepEqual([refused.status, refused.body.error.code, refused.body.error.field], [403, "not_in_team", "memberIds.1"]);
      assert.equal(await attendanceRows(), before, "nothing recorded");
      assert.deepEqual((await southStaff.call("GET", "/directory/attendance")).body.attendance, [], "another team's members are not shown");
      assert.deepEqual((await southStaff.call("GET", "/directory/attendance-settings")).body.settings, []);
      const setting = await southStaff.call("PUT", "/directory/attendance-settings", { memberId: asked, countsAsSignOfLife: true });
      assert.deepEqual([setting.status, setting.body.error.field], [403, "memberId"]);
      const own = await southStaff.call("POST", "/directory/attendance", { scheduleId: talkSchedule, occursOn: "2027-01-13", memberIds: [southern] });
      assert.equal(own.status, 201, JSON.stringify(own.body));
      assert.deepEqual((await southStaff.call("GET", "/directory/attendance")).body.attendance.map((a: { memberId: string }) => a.memberId), [southern]);
    });

    test("another organisation sees no activity and cannot tick its members", async () => {
      const other = await service.api("POST", "/organisations", { name: "隣の市" });
      assert.equal(other.status, 201);
      const admin = other.body.adminToken as string;
      assert.deepEqual((await service.api("GET", "/directory/activities?from=2027-01-04&to=2027-01-31", undefined, admin)).body.occurrences, []);
      assert.deepEqual((await service.api("GET", "/directory/attendance", undefined, admin)).body.attendance, []);
      assert.deepEqual((await service.api("GET", "/directory/attendance-settings", undefined, admin)).body.settings, []);
      const before = await attendanceRows();
      const r = await service.api("POST", "/directory/attendance", { scheduleId: salonSchedule, occursOn: "2027-01-04", memberIds: [agreed] }, admin);
      assert.deepEqual([r.status, r.body.error.field], [422, "scheduleId"]);
      const theirs = (await service.api("POST", "/members", memberBody({ displayName: "隣 次郎" }), admin)).body.id;
      const cross = await service.api("POST", "/directory/attendance", { scheduleId: salonSchedule, occursOn: "2027-01-04", memberIds: [theirs] }, staff);
      assert.deepEqual([cross.status, cross.body.error.field], [422, "memberIds.0"]);
      const setting = await service.api("PUT", "/directory/attendance-settings", { memberId: agreed, countsAsSignOfLife: false }, admin);
      assert.deepEqual([setting.status, setting.body.error.field], [422, "memberId"]);
      assert.equal(await attendanceRows(), before);
    });

    const memberSign = async (id: string) => (await service.store.db.selectFrom("members").select(["last_sign_of_life_at", "last_sign_of_life_source"])
      .where("id", "=", id).executeTakeFirstOrThrow());
    const form = (path: string, fields: Record<string, string>) => fetch(`${service.url}${path}`, {
      method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(fields).toString(), redirect: "manual",
    });

    test("un-ticking removes the attendance and takes its sign of life back; a check-in it already answered stays answered", async () => {
      const box = sandbox(service.api);
      // 2027-01-13 14:30, during the talk (14:00–15:30): the member who agreed is ticked, then un-ticked by mistake.
      const ticked = await service.api("POST", "/directory/attendance", { scheduleId: talkSchedule, occursOn: "2027-01-13", memberIds: [agreed] }, staff);
      assert.equal(ticked.status, 201, JSON.stringify(ticked.body));
      const record = ticked.body.attendance[0];
      assert.deepEqual([record.source, record.signOfLifeAt], ["list", TOKYO("2027-01-13T14:30:00")]);
      assert.equal((await memberSign(agreed)).last_sign_of_life_at?.toISOString(), TOKYO("2027-01-13T14:30:00"));

      assert.equal((await service.api("DELETE", `/directory/attendance/${record.id}`, undefined, observer)).status, 403);
      const unknown = await service.api("DELETE", "/directory/attendance/00000000-0000-4000-8000-000000000000", undefined, staff);
      assert.deepEqual([unknown.status, unknown.body.error.code], [404, "not_found"]);
      const removed = await service.api("DELETE", `/directory/attendance/${record.id}`, undefined, staff);
      assert.equal(removed.status, 200, JSON.stringify(removed.body));
      assert.deepEqual([removed.body.attendance.id, removed.body.signOfLifeWithdrawn, removed.body.checkinAnswered], [record.id, true, false]);
      // Back to the member's latest other attendance (the salon on 1/4), which no longer covers the day's check-in.
      const sign = await memberSign(agreed);
      assert.deepEqual([sign.last_sign_of_life_at?.toISOString(), sign.last_sign_of_life_source], [TOKYO("2027-01-04T10:30:00"), "attendance"]);
      const listed = (await service.api("GET", `/directory/attendance?scheduleId=${talkSchedule}&occursOn=2027-01-13`, undefined, staff)).body.attendance;
      assert.ok(!listed.some((a: { id: string }) => a.id === record.id), "no longer listed");
      const again = await service.api("DELETE", `/directory/attendance/${record.id}`, undefined, staff);
      assert.equal(again.status, 404);
      const entries = (await service.api("GET", "/audit-log?limit=50")).body.entries as { action: string; detail: Record<string, unknown> }[];
      const audited = entries.find((e) => e.action === "directory_attendance.remove");
      assert.deepEqual([audited?.detail.attendanceId, audited?.detail.signOfLifeWithdrawn], [record.id, true]);

      await box.delivered();
      await box.clockTo(TOKYO("2027-01-13T15:01:00"));
      const prompts = (await box.delivered()).filter((m) => m.kind === "prompt");
      assert.ok(prompts.some((m) => m.to.id === agreed), "the un-ticked member is asked as usual");

      // The salon on 1/4 already answered that day's check-in: un-ticking it says so, and the check-in stays answered.
      const salon = (await service.api("GET", `/directory/attendance?scheduleId=${salonSchedule}&occursOn=2027-01-04&memberId=${agreed}`, undefined, staff)).body.attendance[0];
      const late = await service.api("DELETE", `/directory/attendance/${salon.id}`, undefined, staff);
      assert.deepEqual([late.status, late.body.signOfLifeWithdrawn, late.body.checkinAnswered], [200, true, true]);
      assert.equal((await memberSign(agreed)).last_sign_of_life_at, null);
      const day = (await service.api("GET", `/members/${agreed}/history`)).body.checkins.find((c: { dueAt: string }) => c.dueAt === TOKYO("2027-01-04T15:00:00"));
      assert.deepEqual([day.status, day.closedReason], ["answered", "activity"]);

      // Team staff un-tick their own teams' members only.
      const southStaff = (await invitedPerson(service.api, service.url, { displayName: "職員 南2", loginId: "minami-staff-2", role: "staff", teamIds: [south] })).client;
      const theirs = (await service.api("GET", `/directory/attendance?memberId=${asked}&limit=1`, undefined, staff)).body.attendance[0];
      const refused = await southStaff.call("DELETE", `/directory/attendance/${theirs.id}`);
      assert.deepEqual([refused.status, refused.body.error.code], [403, "not_in_team"]);
    });

    test("the door: a poster's link for one occurrence; a number keyed in answers alike matched or not; a match is recorded as 'door'", async () => {
      // 2027-01-13 15:01, the talk (14:00–15:30) is on. Both members carry a keyholder.
      for (const [id, number] of [[agreed, "AB1234"], [asked, "556677"]] as const) {
        const issued = await service.api("POST", `/members/${id}/registration-numbers`, { registrationNumber: number, kind: "keyholder" }, staff);
        assert.equal(issued.status, 201, JSON.stringify(issued.body));
      }
      const bad: [unknown, number, string, string][] = [
        [{ scheduleId: salonSchedule, occursOn: "2027-01-11" }, 422, "occursOn", "no_occurrence"],
        [{ scheduleId: salonSchedule, occursOn: "2027-01-04" }, 422, "occursOn", "occurrence_past"],
        [{ scheduleId: hoursSchedule, occursOn: "2027-01-19" }, 422, "scheduleId", "unknown_reference"],
        [{ scheduleId: salonSchedule }, 400, "occursOn", "invalid_request"],
      ];
      for (const [body, status, field, code] of bad) {
        const r = await service.api("POST", "/directory/door-links", body, staff);
        assert.deepEqual([r.status, r.body.error?.field, r.body.error?.code], [status, field, code], JSON.stringify(body));
      }
      assert.equal((await service.api("POST", "/directory/door-links", { scheduleId: talkSchedule, occursOn: "2027-01-13" }, observer)).status, 403);
      const made = await service.api("POST", "/directory/door-links", { scheduleId: talkSchedule, occursOn: "2027-01-13" }, staff);
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.match(made.body.path, /^\/attend\/mda_[A-Za-z0-9_-]{32}$/);
      assert.ok(made.body.url.endsWith(made.body.path));
      const stored = await service.store.db.selectFrom("directory_door_links").selectAll().where("id", "=", made.body.id).executeTakeFirstOrThrow();
      assert.ok(!stored.token_hash.includes(made.body.token) && stored.token_hash.length === 64, "only the token's hash is kept");

      const page = await fetch(`${service.url}${made.body.path}`);
      assert.equal(page.status, 200);
      const html = await page.text();
      assert.match(html, /<h1>健康講座（買い物支援[^<]*）<span/, "the event's own name first, its service beside it");
      assert.match(html, /2027年1月13日（水）14:00〜15:30/);
      // A standard inputmode for a number of letters and digits (normalised to upper case): no "latin", which browsers ignore.
      const input = /<input[^>]*id="number"[^>]*>/.exec(html)?.[0] ?? "";
      assert.match(input, /inputmode="text"/);
      assert.match(input, /autocapitalize="characters"/);
      assert.match(input, /autocorrect="off"/);
      assert.match(input, /spellcheck="false"/);
      assert.match(html, /見守り番号/);
      assert.ok(!/<script/i.test(html), "no JavaScript");
      assert.match(page.headers.get("content-security-policy") ?? "", /default-src 'none'/);

      const before = await attendanceRows();
      const wrong = await form(made.body.path, { number: "999999" });
      const wrongHtml = await wrong.text();
      assert.equal(await attendanceRows(), before, "a wrong number records nothing");
      const right = await form(made.body.path, { number: "５５６-６７７" });
      assert.deepEqual([right.status, await right.text()], [wrong.status, wrongHtml], "the same answer matched or not");
      assert.equal(wrong.status, 200);
      const empty = await form(made.body.path, { number: "  " });
      assert.equal(empty.status, 400);
      assert.match(await empty.text(), /番号を入れてください/);

      const listed = (await service.api("GET", `/directory/attendance?scheduleId=${talkSchedule}&occursOn=2027-01-13`, undefined, staff)).body.attendance;
      const door = listed.find((a: { memberId: string }) => a.memberId === asked);
      assert.deepEqual([door?.source, door?.signOfLifeAt, door?.by], ["door", null, `door:${made.body.id}`], "recorded from the door; no sign of life: the member did not agree");
      // The member who agreed: their sign of life comes from the door too.
      await form(made.body.path, { number: "ab1234" });
      const sign = await memberSign(agreed);
      assert.deepEqual([sign.last_sign_of_life_at?.toISOString(), sign.last_sign_of_life_source], [TOKYO("2027-01-13T15:01:00"), "attendance"]);
      const entries = (await service.api("GET", "/audit-log?limit=50")).body.entries as { action: string; actor: string; detail: Record<string, unknown> }[];
      const outcomes = entries.filter((e) => e.action === "directory_attendance.door").map((e) => e.detail.outcome);
      assert.deepEqual(outcomes.sort(), ["no_match", "recorded", "recorded"]);
      assert.ok(entries.some((e) => e.action === "directory_attendance.door_link" && e.detail.doorLinkId === made.body.id));
      // Staff un-tick a door record as any other.
      assert.equal((await service.api("DELETE", `/directory/attendance/${door.id}`, undefined, staff)).status, 200);

      // Forged and unknown tokens: refused, nothing written.
      const rows = await attendanceRows();
      for (const path of ["/attend/mda_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/attend/not-a-token"]) {
        assert.equal((await fetch(`${service.url}${path}`)).status, 404);
        assert.equal((await form(path, { number: "556677" })).status, 404);
      }
      assert.equal(await attendanceRows(), rows);

      // A poster made ahead for the salon on 1/25 opens on that day only.
      const ahead = (await service.api("POST", "/directory/door-links", { scheduleId: salonSchedule, occursOn: "2027-01-25" }, staff)).body;
      assert.equal((await fetch(`${service.url}${ahead.path}`)).status, 410);
      assert.equal((await form(ahead.path, { number: "556677" })).status, 410);
      // The next day, the talk's link is closed and records nothing.
      await sandbox(service.api).clockTo(TOKYO("2027-01-14T09:00:00"));
      const closed = await form(made.body.path, { number: "556677" });
      assert.equal(closed.status, 410);
      assert.match(await closed.text(), /終わりました/);
      assert.equal(await attendanceRows(), rows, "an expired link records nothing");
    });

    test("the door's rate limit counts every number keyed in, matched or not, per link and window", async () => {
      // The salon on Monday 2027-01-25, 10:05.
      await sandbox(service.api).clockTo(TOKYO("2027-01-25T10:05:00"));
      const link = (await service.api("POST", "/directory/door-links", { scheduleId: salonSchedule, occursOn: "2027-01-25" }, staff)).body;
      for (let i = 0; i < 30; i++) assert.equal((await form(link.path, { number: `9000${i}` })).status, 200);
      const rows = await attendanceRows();
      const limited = await form(link.path, { number: "556677" });
      assert.equal(limited.status, 429);
      assert.equal(await attendanceRows(), rows, "a number over the limit is not tried");
      // Another link of the same day has its own count; the first opens again after the window.
      const other = (await service.api("POST", "/directory/door-links", { scheduleId: salonSchedule, occursOn: "2027-01-25" }, staff)).body;
      assert.equal((await form(other.path, { number: "556677" })).status, 200);
      assert.equal(await attendanceRows(), rows + 1);
      await sandbox(service.api).clockTo(TOKYO("2027-01-25T10:16:00"));
      assert.equal((await form(link.path, { number: "ab1234" })).status, 200);
      assert.equal(await attendanceRows(), rows + 2);
    });

    test("a door link stops when its session is called off after the poster was made", async () => {
      // Monday 2027-02-01: the poster is made the week before, then the hall closes that day.
      const link = (await service.api("POST", "/directory/door-links", { scheduleId: salonSchedule, occursOn: "2027-02-01" }, staff)).body;
      assert.ok(link.path, JSON.stringify(link));
      const closure = await service.api("POST", "/directory/closures", { kind: "ad_hoc", startsOn: "2027-02-01", endsOn: "2027-02-01", reason: "停電" }, staff);
      assert.equal(closure.status, 201, JSON.stringify(closure.body));
      await sandbox(service.api).clockTo(TOKYO("2027-02-01T10:05:00"));
      const rows = await attendanceRows();
      const page = await fetch(`${service.url}${link.path}`);
      assert.equal(page.status, 410);
      assert.match(await page.text(), /お休み/);
      assert.equal((await form(link.path, { number: "556677" })).status, 410);
      assert.equal(await attendanceRows(), rows, "nothing recorded");
    });
  });
}
