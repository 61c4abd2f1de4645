/**
 * People's accounts and sessions on every database: invitation → password and
 * authenticator → session cookie; sign-in with lock-out; CSRF on cookie writes;
 * own sessions and signing out everywhere; roles enforced by the API (403); the
 * audit log names the person.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService, testWallClock } from "../support/harness.ts";
import { invitedPerson, PASSWORD, personClient, totpNow } from "../support/people.ts";
import { memberBody } from "../support/sandbox.ts";

for (const kind of databaseKinds()) {
  describe(`people and sessions on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    test("an invited person sets a password and an authenticator, and is signed in by an HttpOnly, SameSite cookie", async () => {
      const invited = await service.api("POST", "/people", { displayName: "鈴木 職員", loginId: "Suzuki", role: "staff" });
      assert.equal(invited.status, 201, JSON.stringify(invited.body));
      assert.equal(invited.body.person.loginId, "suzuki", "login ids are kept in lower case");
      assert.equal(invited.body.person.status, "invited");
      assert.match(invited.body.invitation.url, /\/invite#[A-Za-z0-9_-]{32}$/);
      const code = invited.body.invitation.code;
      const browser = personClient(service.url);
      const info = await browser.call("GET", `/invitations/${code}`);
      assert.equal(info.status, 200);
      assert.equal(info.body.displayName, "鈴木 職員");
      assert.equal(info.body.organisationName, "Mimamori");
      assert.match(info.body.totp.uri, /^otpauth:\/\/totp\/.*secret=/);
      const wrongCode = await browser.call("POST", `/invitations/${code}/accept`, { password: PASSWORD, totpCode: "000000" });
      assert.equal(wrongCode.status, 422);
      assert.equal(wrongCode.body.error.code, "totp_invalid");
      const short = await browser.call("POST", `/invitations/${code}/accept`, { password: "short", totpCode: await totpNow(info.body.totp.secret) });
      assert.equal(short.status, 400);
      assert.equal(short.body.error.field, "password");
      const accepted = await browser.call("POST", `/invitations/${code}/accept`, { password: PASSWORD, totpCode: await totpNow(info.body.totp.secret) });
      assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
      const cookie = accepted.headers.get("set-cookie") ?? "";
      assert.match(cookie, /^mimamori_session=[A-Za-z0-9_-]{43};/);
      assert.match(cookie, /HttpOnly/);
      assert.match(cookie, /SameSite=Strict/);
      assert.doesNotMatch(cookie, /Secure/, "plain HTTP on loopback: no Secure flag");
      assert.equal(accepted.body.person.status, "active");
      const me = await browser.call("GET", "/session");
      assert.equal(me.status, 200);
      assert.equal(me.body.person.displayName, "鈴木 職員");
      assert.equal(me.body.csrfToken, accepted.body.csrfToken);
      const again = await personClient(service.url).call("GET", `/invitations/${code}`);
      assert.equal(again.status, 404);
      assert.equal(again.body.error.code, "invitation_invalid");
      const row = await service.store.db.selectFrom("people").select(["password_hash", "totp_secret"]).where("id", "=", invited.body.person.id).executeTakeFirstOrThrow();
      assert.match(row.password_hash ?? "", /^\$argon2id\$/);
      assert.ok(row.totp_secret && !row.totp_secret.includes(info.body.totp.secret), "the authenticator secret is sealed at rest");
    });

    test("sign-in: wrong password or code is one error; five failures lock the account, even for the right password", async () => {
      const { secret } = await invitedPerson(service.api, service.url, { displayName: "田中", loginId: "tanaka", role: "staff" });
      const browser = personClient(service.url);
      const wrong = await browser.call("POST", "/sessions", { loginId: "tanaka", password: "not the password", totpCode: await totpNow(secret) });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error.code, "invalid_credentials");
      const unknown = await browser.call("POST", "/sessions", { loginId: "nobody", password: PASSWORD, totpCode: "123456" });
      assert.equal(unknown.body.error.code, "invalid_credentials", "an unknown login id is the same error");
      const good = await browser.call("POST", "/sessions", { loginId: "TANAKA", password: PASSWORD, totpCode: await totpNow(secret) });
      assert.equal(good.status, 201, JSON.stringify(good.body));
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await browser.call("POST", "/sessions", { loginId: "tanaka", password: "wrong wrong", totpCode: "123456" })).status);
      assert.deepEqual(statuses, [401, 401, 401, 401, 423]);
      const locked = await browser.call("POST", "/sessions", { loginId: "tanaka", password: PASSWORD, totpCode: await totpNow(secret) });
      assert.equal(locked.status, 423);
      assert.equal(locked.body.error.code, "account_locked");
      const listed = (await service.api("GET", "/people")).body.people.find((p: { loginId: string }) => p.loginId === "tanaka");
      assert.equal(listed.status, "locked");
      assert.ok(Date.parse(listed.lockedUntil) > Date.now());
    });

    test("an authenticator code is accepted once: the step of a sign-in (or of the acceptance) cannot sign in again", async () => {
      const invited = await service.api("POST", "/people", { displayName: "再利用 確認", loginId: "replay", role: "staff" });
      const code = invited.body.invitation.code;
      const client = personClient(service.url);
      const secret = (await client.call("GET", `/invitations/${code}`)).body.totp.secret;
      const acceptCode = await totpNow(secret);
      assert.equal((await client.call("POST", `/invitations/${code}/accept`, { password: PASSWORD, totpCode: acceptCode })).status, 201);
      const sameAsAcceptance = await personClient(service.url).call("POST", "/sessions", { loginId: "replay", password: PASSWORD, totpCode: acceptCode });
      assert.equal(sameAsAcceptance.status, 401, "the acceptance's code is spent");
      const fresh = await totpNow(secret);
      assert.equal((await personClient(service.url).call("POST", "/sessions", { loginId: "replay", password: PASSWORD, totpCode: fresh })).status, 201);
      const replayed = await personClient(service.url).call("POST", "/sessions", { loginId: "replay", password: PASSWORD, totpCode: fresh });
      assert.equal(replayed.status, 401);
      assert.equal(replayed.body.error.code, "invalid_credentials");
      const row = await service.store.db.selectFrom("people").select(["failed_attempts", "totp_last_step"]).where("login_id", "=", "replay").executeTakeFirstOrThrow();
      assert.equal(row.failed_attempts, 1, "the replay counts as a failure (the sign-in before it reset the count)");
      assert.equal(row.totp_last_step, Math.floor(testWallClock.now().getTime() / 30_000));
      assert.equal((await personClient(service.url).call("POST", "/sessions", { loginId: "replay", password: PASSWORD, totpCode: await totpNow(secret) })).status, 201,
        "the next step's code signs in");
    });

    test("failed sign-ins are throttled per login id: refused with 429 and Retry-After before any password is checked", async () => {
      const { secret } = await invitedPerson(service.api, service.url, { displayName: "制限 確認", loginId: "throttled", role: "staff" });
      const client = personClient(service.url);
      const statuses: number[] = [];
      for (let i = 0; i < 10; i++) statuses.push((await client.call("POST", "/sessions", { loginId: "ghost", password: `guess number ${i}`, totpCode: "123456" })).status);
      assert.deepEqual(statuses, Array(10).fill(401));
      const refused = await client.call("POST", "/sessions", { loginId: "ghost", password: "guess number 11", totpCode: "123456" });
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error.code, "too_many_requests");
      assert.equal(refused.body.error.field, "loginId");
      const retryAfter = Number(refused.headers.get("retry-after"));
      assert.ok(retryAfter > 0 && retryAfter <= 15 * 60, `Retry-After: ${retryAfter}`);
      const other = await client.call("POST", "/sessions", { loginId: "throttled", password: PASSWORD, totpCode: await totpNow(secret) });
      assert.equal(other.status, 201, "another login id from the same address still signs in");
    });

    test("the organisation's time zone: admins set it (a valid IANA zone), everyone reads it, people's sessions carry it", async () => {
      const { client } = await invitedPerson(service.api, service.url, { displayName: "時刻 確認", loginId: "zone", role: "staff" });
      assert.equal((await service.api("GET", "/organisation")).body.timeZone, "Asia/Tokyo", "the default");
      const bad = await service.api("PATCH", "/organisation", { timeZone: "Mars/Olympus" });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.error.field, "timeZone");
      const byStaff = await client.call("PATCH", "/organisation", { timeZone: "Europe/London" });
      assert.equal(byStaff.status, 403);
      const set = await service.api("PATCH", "/organisation", { timeZone: "America/New_York" });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.timeZone, "America/New_York");
      assert.equal((await service.api("GET", "/organisation")).body.timeZone, "America/New_York");
      assert.equal((await client.call("GET", "/session")).body.timeZone, "America/New_York");
      assert.equal((await service.api("PATCH", "/organisation", { timeZone: "Asia/Tokyo" })).body.timeZone, "Asia/Tokyo");
    });

    test("cookie writes need the CSRF token; the audit log names the person", async () => {
      const teamIds = ((await service.api("GET", "/teams")).body.teams as { id: string }[]).map((t) => t.id);
      const { client, id } = await invitedPerson(service.api, service.url, { displayName: "佐藤 職員", loginId: "sato", role: "staff", teamIds });
      const refused = await client.call("POST", "/members", memberBody({ displayName: "CSRF なし" }), { csrf: false });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, "csrf_failed");
      const created = await client.call("POST", "/members", memberBody({ displayName: "山本" }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const log = (await service.api("GET", "/audit-log?limit=50")).body.entries as { action: string; actor: string; subject: { id: string } }[];
      const entry = log.find((e) => e.action === "member.create" && e.subject.id === created.body.id);
      assert.equal(entry?.actor, `person:佐藤 職員:${id}`);
      assert.ok(log.some((e) => e.action === "session.open" && e.actor === `person:佐藤 職員:${id}`));
      assert.equal((await service.api("GET", "/members?limit=1000")).body.members.filter((m: { displayName: string }) => m.displayName === "CSRF なし").length, 0);
    });

    test("a person sees their sessions and signs out everywhere; an admin can too; deactivation ends them", async () => {
      const first = await invitedPerson(service.api, service.url, { displayName: "伊藤", loginId: "ito", role: "staff" });
      const second = personClient(service.url);
      assert.equal((await second.call("POST", "/sessions", { loginId: "ito", password: PASSWORD, totpCode: await totpNow(first.secret) })).status, 201);
      const listed = await first.client.call("GET", "/sessions");
      assert.equal(listed.status, 200);
      assert.equal(listed.body.sessions.length, 2);
      assert.equal(listed.body.sessions.filter((x: { current: boolean }) => x.current).length, 1);
      const ended = await first.client.call("DELETE", "/sessions");
      assert.equal(ended.status, 200);
      assert.equal(ended.body.ended, 2);
      assert.equal((await second.call("GET", "/session")).status, 401);
      // Signed in again, then signed out by an admin, then deactivated.
      const third = personClient(service.url);
      assert.equal((await third.call("POST", "/sessions", { loginId: "ito", password: PASSWORD, totpCode: await totpNow(first.secret) })).status, 201);
      const byAdmin = await service.api("DELETE", `/people/${first.id}/sessions`);
      assert.deepEqual(byAdmin.body, { ended: 1 });
      assert.equal((await third.call("GET", "/session")).status, 401);
      assert.equal((await third.call("POST", "/sessions", { loginId: "ito", password: PASSWORD, totpCode: await totpNow(first.secret) })).status, 201);
      const off = await service.api("PATCH", `/people/${first.id}`, { active: false });
      assert.equal(off.status, 200);
      assert.equal(off.body.status, "deactivated");
      assert.equal((await third.call("GET", "/session")).status, 401);
      const refused = await third.call("POST", "/sessions", { loginId: "ito", password: PASSWORD, totpCode: await totpNow(first.secret) });
      assert.equal(refused.body.error.code, "invalid_credentials");
      const signOut = await personClient(service.url);
      assert.equal((await signOut.call("DELETE", "/session")).status, 401, "no session, nothing to end");
    });

    test("roles are enforced by the API: watcher, auditor, staff", async () => {
      const team = (await service.api("POST", "/teams", { name: "北地区" })).body;
      const member = (await service.api("POST", "/members", memberBody({ displayName: "北の人", teamId: team.id }))).body;
      const watcher = await invitedPerson(service.api, service.url, { displayName: "民生委員 加藤", loginId: "kato", role: "watcher" });
      for (const path of ["/members", "/today", "/organisation", "/people"]) {
        const r = await watcher.client.call("GET", path);
        assert.equal(r.status, 403, `watcher GET ${path}`);
        assert.equal(r.body.error.code, "forbidden");
      }
      // What visits open to a watcher (test/http/visits.test.ts): with none assigned, no member and no incident.
      const notAssigned = await watcher.client.call("GET", `/members/${member.id}`);
      assert.equal(notAssigned.status, 403);
      assert.equal(notAssigned.body.error.code, "not_assigned");
      assert.deepEqual((await watcher.client.call("GET", "/incidents")).body.incidents, []);
      const own = await watcher.client.call("GET", "/session");
      assert.equal(own.status, 200);
      assert.equal(own.body.person.displayName, "民生委員 加藤", "a person's own name is not redacted for them");

      const auditor = await invitedPerson(service.api, service.url, { displayName: "監査 木村", loginId: "kimura", role: "auditor" });
      assert.equal((await auditor.client.call("GET", "/audit-log")).status, 200);
      assert.equal((await auditor.client.call("GET", "/people")).status, 200);
      assert.equal((await auditor.client.call("GET", "/tokens")).status, 200);
      const seen = await auditor.client.call("GET", `/members/${member.id}`);
      assert.equal(seen.body.displayName, "北の人", "the auditor reads everything");
      for (const [method, path, body] of [["POST", "/members", memberBody()], ["POST", "/people", { displayName: "x", loginId: "xyz", role: "staff" }],
        ["PATCH", `/members/${member.id}`, { displayName: "変更" }]] as const) {
        const r = await auditor.client.call(method, path, body);
        assert.equal(r.status, 403, `auditor ${method} ${path}`);
      }

      const staff = await invitedPerson(service.api, service.url, { displayName: "北 職員", loginId: "kita", role: "staff", teamIds: [team.id] });
      assert.equal((await staff.client.call("POST", "/people", { displayName: "x", loginId: "xyz", role: "staff" })).status, 403);
      assert.equal((await staff.client.call("GET", "/audit-log")).status, 403);
      const board = await staff.client.call("GET", "/today");
      assert.equal(board.status, 200);
      assert.deepEqual(board.body.teams.map((t: { id: string }) => t.id), [team.id], "team staff see their own teams");
      const adminBoard = await service.api("GET", "/today");
      assert.ok(adminBoard.body.teams.length >= 2, "the admin sees every team");
      const token = await service.api("GET", "/session");
      assert.equal(token.status, 403, "a token is not a person");
    });

    test("people: login ids are unique per organisation, teams must exist, the list shows no secret", async () => {
      const taken = await service.api("POST", "/people", { displayName: "別の鈴木", loginId: "suzuki", role: "staff" });
      assert.equal(taken.status, 409);
      assert.equal(taken.body.error.code, "login_taken");
      const badTeam = await service.api("POST", "/people", { displayName: "x", loginId: "newone", role: "staff", teamIds: ["00000000-0000-7000-8000-000000000000"] });
      assert.equal(badTeam.status, 422);
      assert.equal(badTeam.body.error.field, "teamIds.0");
      const people = await service.api("GET", "/people");
      assert.ok(people.body.people.length >= 5);
      assert.doesNotMatch(JSON.stringify(people.body), /argon2|password|secret/i);
      const again = await service.api("POST", `/people/${people.body.people[0].id}/invitation`);
      assert.equal(again.status, 201);
      assert.match(again.body.url, /\/invite#/);
    });
  });
}

describe("first start", () => {
  test("prints, beside the admin token, an invitation for the first administrator, which works", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const pino = (await import("pino")).default;
    const { loadConfig } = await import("../../src/config.ts");
    const { startService } = await import("../../src/service.ts");
    const dataDir = mkdtempSync(join(tmpdir(), "mimamori-first-"));
    let printed = "";
    const service = await startService(loadConfig({ PORT: "0", HOST: "127.0.0.1", MIMAMORI_DATA_DIR: dataDir, MIMAMORI_CHECK_RESPONSES: "1" }),
      pino({ level: "silent" }), (text) => { printed += text; }, { wallClock: testWallClock });
    try {
      assert.match(printed, /Admin API token/);
      const link = /(http:\/\/\S+\/invite#([A-Za-z0-9_-]{32}))/.exec(printed);
      assert.ok(link, printed);
      const browser = personClient(service.url);
      const info = await browser.call("GET", `/invitations/${link[2]}`);
      assert.equal(info.status, 200);
      assert.equal(info.body.loginId, "admin");
      const accepted = await browser.call("POST", `/invitations/${link[2]}/accept`, { password: PASSWORD, totpCode: await totpNow(info.body.totp.secret) });
      assert.equal(accepted.status, 201);
      assert.equal(accepted.body.person.role, "admin");
      assert.equal((await browser.call("GET", "/people")).status, 200, "the first administrator administers");
    } finally {
      await service.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
