/**
 * One personal-data rule on every route: observers get the redacted form
 * (names, addresses, phone, medical and free-text notes replaced), staff and
 * admins see it all, and every answer that showed personal data is audited.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { readFileSync } from "node:fs";
import type { Principal } from "../../src/http/auth.ts";
import { isPersonalField, NOT_ACTORS, PERSONAL_FIELDS, personalAs, personalFieldsIn, REDACTED, shapeForRole } from "../../src/http/privacy.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";
import { fileReport, makePartner } from "../network/support.ts";
import { newId } from "../../src/ids.ts";

// "9011112222" and "9033334444": the phones in E.164 too (+819011112222), as the directory answers them.
const SECRETS = ["山田花子", "山田一郎", "佐藤さん", "民生委員さん", "hanako", "ichiro", "松戸市1-2-3", "090-1111-2222", "9011112222", "9033334444", "糖尿病", "救急搬送", "鈴木"];

const observerPrincipal: Principal = { kind: "token", tokenId: "t", tokenName: "observer", organisationId: "o", role: "observer", instanceAdmin: false };

test("a change naming a personal field in `field` has personal values; others keep theirs", () => {
  const changes = [
    { field: "displayName", previous: "山田", replacement: "佐藤", by: "token:鈴木:1" },
    { field: "updatedBy", before: "person:山田:2", after: null },
    { field: "title", previous: "所長", replacement: "係長" },
  ];
  assert.deepEqual(shapeForRole(observerPrincipal, changes), [
    { field: "displayName", previous: REDACTED, replacement: REDACTED, by: REDACTED },
    { field: "updatedBy", before: "person:***", after: null },
    { field: "title", previous: "所長", replacement: "係長" },
  ]);
  assert.deepEqual([...personalFieldsIn(changes)].sort(), ["by", "displayName", "updatedBy"]);
});

test("keys marked with personalAs are personal as the field they stand for, in copies too; unmarked ones of the same name are not", () => {
  const answer = {
    contacts: [{ displayName: "山田", phones: [personalAs({ number: "+819011112222", type: "cell" }, { number: "phone" })] }],
    phones: [{ number: "+81355556666", type: "voice" }],
    changes: [{ ...personalAs({ field: "assured_by", previous: null, replacement: "token:鈴木:1" }, { replacement: "assuredBy" }) }],
  };
  assert.deepEqual(shapeForRole(observerPrincipal, answer), {
    contacts: [{ displayName: REDACTED, phones: [{ number: REDACTED, type: "cell" }] }],
    phones: [{ number: "+81355556666", type: "voice" }],
    changes: [{ field: "assured_by", previous: null, replacement: "token:***" }],
  });
  assert.deepEqual([...personalFieldsIn(answer)].sort(), ["assuredBy", "displayName", "phone"]);
  assert.equal(JSON.stringify(answer.phones.concat(answer.contacts[0].phones)), '[{"number":"+81355556666","type":"voice"},{"number":"+819011112222","type":"cell"}]',
    "the mark is never serialised");
});

test("every actor named …By keeps its kind for an observer; those that say when or how are not personal", () => {
  const answer = { updatedBy: "person:山田:1", verifiedBy: "token:鈴木:2", changedBy: "member", respondBy: "2027-01-04T09:00:00.000Z", linkedBy: "address" };
  assert.deepEqual(shapeForRole(observerPrincipal, answer), {
    updatedBy: "person:***", verifiedBy: "token:***", changedBy: "member", respondBy: "2027-01-04T09:00:00.000Z", linkedBy: "address",
  });
  assert.deepEqual([...personalFieldsIn(answer)].sort(), ["changedBy", "updatedBy", "verifiedBy"]);
});

test("the README lists every personal field and every …By that is not an actor", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const start = readme.indexOf("**Personal information, one rule on every route**");
  assert.ok(start > 0);
  const paragraph = readme.slice(start, readme.indexOf("\n\n", start));
  for (const field of [...PERSONAL_FIELDS, ...NOT_ACTORS]) assert.ok(paragraph.includes(`\`${field}\``), `the README names \`${field}\``);
});

for (const kind of databaseKinds()) {
  describe(`personal data by role on ${kind}`, () => {
    let service: TestService;
    let observer: string;
    let staff: string;
    let member: { id: string; teamId: string; contacts: { id: string }[] };
    let incidentId: string;
    let groupId: string;
    let broadcastId: string;
    let visitId: string;
    let networkReportId: string;
    let partnerId: string;
    let directory: { needId: string; volunteerId: string; referralId: string };
    let resources: Record<string, string>;

    before(async () => {
      service = await startTestService(kind);
      const token = async (role: string) => (await service.api("POST", "/tokens", { name: `${role} 鈴木`, role })).body.token as string;
      observer = await token("observer");
      staff = await token("staff");
      const created = await service.api("POST", "/members", memberBody({
        fullName: "山田花子", address: "松戸市1-2-3", phone: "090-1111-2222", medicalNotes: "糖尿病",
        contacts: [
          { displayName: "山田一郎", relation: "son", channels: [{ kind: "sandbox", address: "ichiro" }] },
          { displayName: "佐藤さん", relation: "neighbour", channels: [{ kind: "email", address: "sato@example.jp" }] },
        ],
      }), staff);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      member = created.body;
      const other = (await service.api("POST", "/members", memberBody({ displayName: "民生委員さん" }), staff)).body;
      const answered = await service.api("POST", `/members/${member.id}/answers`,
        { answer: "need_contact", source: "staff", by: "民生委員さん", note: "鈴木さんが電話で聞いた" }, staff);
      incidentId = answered.body.incidentId;
      assert.ok(incidentId);
      const ack = await service.api("POST", `/incidents/${incidentId}/ack`, { by: "山田一郎" }, staff);
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      const resolved = await service.api("POST", `/incidents/${incidentId}/resolve`, { outcome: "reached_by_phone", note: "救急搬送は不要" }, staff);
      assert.equal(resolved.status, 200, JSON.stringify(resolved.body));
      // A visit (of the other member) with a watcher named 鈴木 and a note: /visits and /watchers name people too.
      const otherIncident = (await service.api("POST", `/members/${other.id}/answers`, { answer: "need_contact" }, staff)).body.incidentId;
      const watcher = (await service.api("POST", "/people", { displayName: "見守り 鈴木", loginId: "suzuki-watcher", role: "watcher" })).body.person.id;
      const visit = await service.api("POST", `/incidents/${otherIncident}/visits`, { watcherIds: [watcher], dueInMinutes: 60, note: "救急搬送の経験あり" }, staff);
      assert.equal(visit.status, 201, JSON.stringify(visit.body));
      visitId = visit.body.id;
      await service.api("POST", `/incidents/${otherIncident}/calls`, { outcome: "no_answer", note: "鈴木が電話" }, staff);
      groupId = (await service.api("POST", "/groups", { name: "ひまわり団地", memberIds: [member.id, other.id] }, staff)).body.id;
      // A partner's report about the member (the network's triage queue): reporter, address and description are personal.
      networkReportId = await fileReport(service, await makePartner(service, "新聞販売所"), {
        urgency: "consult", address: "松戸市1-2-3", description: "山田花子さんの新聞がたまっている", reporterName: "配達員 鈴木", reporterPhone: "090-1111-2222",
        registrationNumber: "TEST1234",
      }, "2027-01-04T08:00:00+09:00");
      // A partner whose contact person is named like a member's contact, with a phone number: redacted like theirs.
      const partner = await service.api("POST", "/network/partners", {
        name: "本町新聞販売所", kind: "home_visit", contacts: [{ displayName: "佐藤さん", phone: "090-1111-2222", email: "hanako@example.jp" }],
      }, staff);
      assert.equal(partner.status, 201, JSON.stringify(partner.body));
      partnerId = partner.body.id;
      // The directory (issue 14): a need about the member, a volunteer named like a contact, a referral to a provider.
      const need = await service.api("POST", "/directory/needs",
        { source: "console", memberId: member.id, taxonomyCodes: ["shopping"], note: "鈴木さんが松戸市1-2-3へ買い物を届ける" }, staff);
      assert.equal(need.status, 201, JSON.stringify(need.body));
      const volunteer = await service.api("POST", "/directory/volunteers",
        { displayName: "鈴木", phone: "090-1111-2222", skills: ["shopping"], areas: [], availability: [], note: "山田花子さんの近所" }, staff);
      assert.equal(volunteer.status, 201, JSON.stringify(volunteer.body));
      const providerId = newId();
      const at = new Date("2027-01-01T00:00:00Z");
      await service.store.db.insertInto("directory_organizations").values({
        id: providerId, organisation_id: (await service.store.db.selectFrom("members").select("organisation_id").where("id", "=", member.id).executeTakeFirstOrThrow()).organisation_id,
        name: "社会福祉協議会", created_at: at, updated_at: at,
      }).execute();
      const referral = await service.api("POST", "/directory/referrals", { needId: need.body.id, providerId, note: "山田花子さんの買い物支援" }, staff);
      assert.equal(referral.status, 201, JSON.stringify(referral.body));
      directory = { needId: need.body.id, volunteerId: volunteer.body.id, referralId: referral.body.id };
      // The directory (issue 14): a provider and a service owned by a staff member named like a contact; their history names who
      // changed them (a token named 鈴木): owners' names and the history's actors are redacted for observers.
      const owner = (await service.api("POST", "/people", { displayName: "民生委員さん", loginId: "minsei", role: "staff" })).body.person.id;
      const provider = (await service.api("POST", "/directory/organizations", { name: "本町社協", ownerPersonId: owner }, staff)).body;
      const resource = (await service.api("POST", "/directory/services", { directoryOrganizationId: provider.id, name: "買い物支援", ownerPersonId: owner }, staff)).body;
      const location = (await service.api("POST", "/directory/locations", { locationType: "physical", name: "本町集会所" }, staff)).body;
      assert.ok(provider.id && resource.id && location.id, "the directory's records were made");
      resources = { "directory/organizations": provider.id, "directory/services": resource.id, "directory/locations": location.id };
      // The service's contact person, with a phone, renamed and renumbered (their old and new name and number are history),
      // next to the service's own phone (public); verified with a provider's e-mail; the directory's settings changed by
      // an admin named like a contact (`updatedBy`).
      const contact = await service.api("POST", "/directory/contacts", {
        serviceId: resource.id, displayName: "佐藤さん", title: "所長", email: "hanako@example.jp", phones: [{ number: "090-1111-2222" }],
      }, staff);
      assert.equal(contact.status, 201, JSON.stringify(contact.body));
      assert.equal((await service.api("PATCH", `/directory/contacts/${contact.body.id}`, { displayName: "山田一郎" }, staff)).status, 200);
      assert.equal((await service.api("PATCH", `/directory/phones/${contact.body.phones[0].id}`, { number: "090-3333-4444" }, staff)).status, 200);
      assert.equal((await service.api("POST", "/directory/phones", { serviceId: resource.id, number: "03-5555-6666" }, staff)).status, 201);
      assert.equal((await service.api("POST", `/directory/services/${resource.id}/verify`, { assurerEmail: "hanako@example.jp" }, staff)).status, 200);
      const admin = (await service.api("POST", "/tokens", { name: "admin 鈴木", role: "admin" })).body.token as string;
      assert.equal((await service.api("PATCH", "/directory/settings", { yearEndClosed: false }, admin)).status, 200);
      broadcastId = (await service.api("POST", "/broadcasts", { audience: { kind: "all" }, text: "台風が近づいています", question: true }, staff)).body.id;
    });
    after(async () => {
      await service?.close();
    });

    test("an observer gets the redacted form on GET /members/:id, /members/:id/contacts and /contacts", async () => {
      const seen = await service.api("GET", `/members/${member.id}`, undefined, observer);
      assert.equal(seen.status, 200);
      assert.equal(seen.body.displayName, REDACTED);
      assert.equal(seen.body.fullName, undefined);
      assert.equal(seen.body.medicalNotes, undefined);
      assert.deepEqual(seen.body.channels, [{ kind: "sandbox", address: REDACTED }]);
      assert.deepEqual(seen.body.contacts.map((c: { displayName: string; relation: string }) => [c.displayName, c.relation]),
        [[REDACTED, "son"], [REDACTED, "neighbour"]]);
      assert.equal(seen.body.contacts[1].channels[0].address, REDACTED);
      assert.equal(seen.body.contacts[1].channels[0].kind, "email");
      const contacts = await service.api("GET", `/members/${member.id}/contacts`, undefined, observer);
      assert.deepEqual(contacts.body.contacts.map((c: { id: string; displayName: string }) => [c.id, c.displayName]),
        member.contacts.map((c) => [c.id, REDACTED]));
      const all = await service.api("GET", "/contacts", undefined, observer);
      assert.equal(all.status, 200);
      const mine = all.body.contacts.filter((c: { memberId: string }) => c.memberId === member.id);
      assert.equal(mine.length, 2);
      assert.ok(mine.every((c: { displayName: string; memberName: string }) => c.displayName === REDACTED && c.memberName === REDACTED));
    });

    test("staff see it all: names, addresses, notes", async () => {
      const seen = (await service.api("GET", `/members/${member.id}`, undefined, staff)).body;
      assert.equal(seen.displayName, "山田花子");
      assert.equal(seen.medicalNotes, "糖尿病");
      assert.equal(seen.contacts[1].channels[0].address, "sato@example.jp");
      const incident = (await service.api("GET", `/incidents/${incidentId}`, undefined, staff)).body;
      assert.equal(incident.acknowledged.by, "山田一郎");
      assert.equal(incident.resolved.note, "救急搬送は不要");
      const history = (await service.api("GET", `/members/${member.id}/history`, undefined, staff)).body;
      assert.equal(history.answers[0].by, "民生委員さん");
    });

    test("incidents and history show an observer who and what only in the redacted form", async () => {
      const incident = (await service.api("GET", `/incidents/${incidentId}`, undefined, observer)).body;
      assert.equal(incident.acknowledged.by, REDACTED);
      assert.equal(incident.resolved.outcome, "reached_by_phone", "the outcome itself is not personal");
      assert.equal(incident.resolved.note, REDACTED);
      const acknowledged = incident.timeline.find((e: { type: string }) => e.type === "acknowledged");
      assert.equal(acknowledged.actor, REDACTED);
      const history = (await service.api("GET", `/members/${member.id}/history`, undefined, observer)).body;
      assert.deepEqual([history.answers[0].by, history.answers[0].note, history.answers[0].answer], [REDACTED, REDACTED, "need_contact"]);
    });

    test("no GET route of the OpenAPI document shows an observer a name, address, phone or note", async () => {
      const doc = (await (await fetch(`${service.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
      const ids: Record<string, string> = {
        members: member.id, incidents: incidentId, visits: visitId, groups: groupId, broadcasts: broadcastId, teams: member.teamId, contacts: member.contacts[0].id,
        // Admin-only: an observer is refused before any import is looked up, so any id does.
        "member-imports": member.id,
        "network/reports": networkReportId,
        "network/partners": partnerId,
        "directory/needs": directory.needId,
        "directory/volunteers": directory.volunteerId,
        "directory/referrals": directory.referralId,
        ...resources,
      };
      let shown = 0;
      for (const [path, operations] of Object.entries(doc.paths)) {
        // Public operations (an invitation's page) have no caller to shape the answer for; they are tested in test/web/people.test.ts.
        if (!operations.get || (operations.get as { security?: unknown[] }).security?.length === 0) continue;
        const url = path.replace(/^\/api\/v1/, "").replace(/^\/((?:network\/|directory\/)?[\w-]+)\/\{id\}/, (_, first: string) => `/${first}/${ids[first]}`);
        assert.ok(!url.includes("{"), `no id for ${path}`);
        if (url.endsWith("/export")) {
          // Files, not JSON: the only ones an observer may take are counts that name nobody (the monthly report, the partner statistics).
          const file = await fetch(`${service.url}/api/v1${url}`, { headers: { authorization: `Bearer ${observer}` } });
          if (file.status === 403) continue;
          assert.ok(["/reports/monthly/export", "/network/reports/statistics/export"].includes(url), `an observer took ${url}`);
          assert.ok(!(await file.text()).includes("山田"), "the report names no member nor contact");
          continue;
        }
        const r = await fetch(`${service.url}/api/v1${url}`, { headers: { authorization: `Bearer ${observer}` } });
        if (r.status === 403) continue;
        // An event stream stays open and carries only names of events (its own tests read it).
        if (r.headers.get("content-type")?.startsWith("text/event-stream")) {
          await r.body?.cancel();
          continue;
        }
        // Most answers are JSON; some are documents (a broadcast as CAP XML): read as text, the same names looked for.
        const text = await r.text();
        assert.equal(r.status, 200, `${path}: ${text}`);
        for (const secret of SECRETS) assert.ok(!text.includes(secret), `${path} shows an observer "${secret}"`);
        shown++;
      }
      assert.ok(shown >= 20, `observers read ${shown} routes`);
    });

    test("a directory contact person's name, e-mail and phones are redacted for an observer; the service's own phone is not", async () => {
      const serviceId = resources["directory/services"];
      const book = await service.api("GET", `/directory/contacts?serviceId=${serviceId}`, undefined, observer);
      assert.equal(book.status, 200, JSON.stringify(book.body));
      const [contact] = book.body.contacts;
      assert.deepEqual([contact.displayName, contact.email, contact.title], [REDACTED, REDACTED, "所長"]);
      assert.deepEqual(contact.phones.map((p: { number: string; national: string }) => [p.number, p.national]), [[REDACTED, REDACTED]]);
      assert.deepEqual(book.body.phones.map((p: { number: string; national: string }) => [p.number, p.national]), [["+81355556666", "03-5555-6666"]],
        "a service's phone is public information");
      const seen = (await service.api("GET", `/directory/contacts?serviceId=${serviceId}`, undefined, staff)).body;
      assert.deepEqual([seen.contacts[0].displayName, seen.contacts[0].phones[0].national], ["山田一郎", "090-3333-4444"]);
    });

    test("the history shows an observer that a contact's name and phone changed, not from what to what; the service's phone in full", async () => {
      const serviceId = resources["directory/services"];
      type Change = { resourceType: string; field: string; action: string; previous: string | null; replacement: string | null; by: string };
      const changes = (await service.api("GET", `/directory/services/${serviceId}/history`, undefined, observer)).body.changes as Change[];
      const find = (resourceType: string, field: string, action: string) => changes.filter((c) => c.resourceType === resourceType && c.field === field && c.action === action);
      assert.deepEqual(find("contact", "name", "update").map((c) => [c.previous, c.replacement]), [[REDACTED, REDACTED]]);
      assert.deepEqual(find("contact", "email", "create").map((c) => [c.previous, c.replacement]), [[null, REDACTED]]);
      assert.deepEqual(find("contact", "title", "create").map((c) => c.replacement), ["所長"], "a title is not personal");
      const numbers = find("phone", "number", "create").map((c) => c.replacement);
      assert.deepEqual(numbers.sort(), [REDACTED, "+81355556666"], "the contact's phone is redacted, the service's is not");
      assert.deepEqual(find("phone", "number", "update").map((c) => [c.previous, c.replacement]), [[REDACTED, REDACTED]]);
      assert.deepEqual(find("service", "assurer_email", "update").map((c) => c.replacement), [REDACTED]);
      assert.ok(find("service", "assured_by", "update").every((c) => c.replacement === REDACTED));
      assert.ok(changes.every((c) => c.by === REDACTED));
      const staffView = (await service.api("GET", `/directory/services/${serviceId}/history`, undefined, staff)).body.changes as Change[];
      assert.ok(staffView.some((c) => c.field === "name" && c.previous === "佐藤さん" && c.replacement === "山田一郎"));
    });

    test("who changed something (`updatedBy` and every actor named …By) shows an observer only its kind", async () => {
      const settings = await service.api("GET", "/directory/settings", undefined, observer);
      assert.equal(settings.body.updatedBy, "token:***");
      assert.match((await service.api("GET", "/directory/settings", undefined, staff)).body.updatedBy, /^token:admin 鈴木:/);
    });

    test("every field named …By in the OpenAPI document is a personal field the README lists, or one that says when or how", async () => {
      const doc = await (await fetch(`${service.url}/api/v1/openapi.json`)).json();
      const found = new Set<string>();
      const walk = (v: unknown): void => {
        if (Array.isArray(v)) v.forEach(walk);
        else if (v !== null && typeof v === "object") {
          for (const [key, child] of Object.entries(v)) {
            if (key === "properties" && child && typeof child === "object") for (const name of Object.keys(child)) if (/By$/.test(name)) found.add(name);
            walk(child);
          }
        }
      };
      walk(doc);
      assert.ok(found.has("updatedBy") && found.has("respondBy"), [...found].join(", "));
      for (const name of found) {
        assert.ok((PERSONAL_FIELDS as readonly string[]).includes(name) || (NOT_ACTORS as readonly string[]).includes(name), `${name} is listed`);
        assert.equal(isPersonalField(name), !(NOT_ACTORS as readonly string[]).includes(name), name);
      }
    });

    test("every answer that shows staff personal data is in the audit log", async () => {
      const log = async () => (await service.api("GET", "/audit-log?limit=1000")).body.entries as
        { action: string; actor: string; subject: { kind: string; id: string | null }; detail: { route?: string; fields?: string[] } }[];
      for (const path of [`/incidents/${incidentId}`, "/incidents", `/members/${member.id}/history`, "/members", `/members/${member.id}/contacts`, "/contacts", `/members/${member.id}`]) {
        const before = (await log()).length;
        assert.equal((await service.api("GET", path, undefined, staff)).status, 200);
        const entries = await log();
        assert.equal(entries.length, before + 1, `GET ${path} was audited once`);
        assert.match(entries[0].actor, /^token:staff 鈴木:/, "the entry names the token");
      }
      const viewed = (await log()).find((e) => e.action === "personal.view" && e.detail.route === "GET /incidents/:id");
      assert.ok(viewed);
      assert.equal(viewed.subject.id, incidentId);
      assert.ok(viewed.detail.fields?.includes("by"));
      // The directory: a contact person's phones and e-mail, the history's personal changes, who changed the settings.
      for (const [path, fields] of [
        [`/directory/contacts?serviceId=${resources["directory/services"]}`, ["displayName", "email", "phone"]],
        [`/directory/services/${resources["directory/services"]}/history`, ["assurerEmail", "by", "displayName", "email", "phone"]],
        ["/directory/settings", ["updatedBy"]],
      ] as const) {
        assert.equal((await service.api("GET", path, undefined, staff)).status, 200);
        const entry = (await log())[0];
        assert.equal(entry.action, "personal.view", path);
        assert.deepEqual(entry.detail.fields, fields, path);
      }
      const before = (await log()).length;
      await service.api("GET", "/organisation", undefined, staff);
      assert.equal((await log()).length, before, "an answer without personal data is not logged");
    });
  });
}
