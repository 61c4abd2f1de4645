/// <reference types="fhir" />
/**
 * Consent and personal information (issue 13), on every database: consent
 * records and their FHIR R4 shape; watching without consent flagged on the member
 * and in the setup checks; disclosures refused without consent or a legal basis,
 * accepted and audited with one; a member's export (JSON, CSV) and erasure
 * (anonymised incidents kept, personal data gone, queried in the tables);
 * tenancy and roles.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";
import { newId } from "../../src/ids.ts";
import { inForce, termsConsentRecord, toFhirConsent } from "../../src/network/domain/consents.ts";

test("a consent counts from the start of its local date: given today counts today, tomorrow does not yet; the end stays exact", () => {
  const now = new Date("2026-12-01T11:30:00Z"); // 20:30 JST
  const at = (iso: string, end: string | null = null) => ({ periodStart: new Date(iso), periodEnd: end ? new Date(end) : null });
  assert.equal(inForce(at("2026-12-01T12:00:00Z"), now, "Asia/Tokyo"), true, "21:00 JST today counts today");
  assert.equal(inForce(at("2026-11-30T15:00:00Z"), now, "Asia/Tokyo"), true, "local midnight today");
  assert.equal(inForce(at("2026-12-01T15:00:00Z"), now, "Asia/Tokyo"), false, "tomorrow (JST) does not count yet");
  assert.equal(inForce(at("2026-12-01T12:00:00Z"), now, "UTC"), true, "same calendar date in UTC");
  assert.equal(inForce(at("2026-11-01T00:00:00Z", "2026-12-01T11:30:00Z"), now, "Asia/Tokyo"), false, "exclusive exact end");
});

// The resource our code builds fits @types/fhir's R4 Consent (checked by the type checker).
const typed: fhir4.Consent = toFhirConsent(termsConsentRecord("00000000-0000-7000-8000-000000000001", { termsVersion: "1", at: "2026-01-01T00:00:00Z" }), "org", true);
void typed;

/** The value sets our Consent resources use (hl7.org/fhir/R4/consent.html). */
const CONSENT_STATUS = new Set(["draft", "proposed", "active", "rejected", "inactive", "entered-in-error"]);
const CONSENT_SCOPE = new Set(["adr", "research", "patient-privacy", "treatment"]);
const CONSENT_ACTION = new Set(["collect", "access", "use", "disclose", "correct"]);

/** The resource checked against R4's required elements, value sets and invariant ppc-1 (policy or policyRule). */
function checkFhirConsent(resource: Record<string, unknown>): fhir4.Consent {
  const c = resource as unknown as fhir4.Consent;
  assert.equal(c.resourceType, "Consent");
  assert.ok(CONSENT_STATUS.has(c.status), `status ${c.status}`);
  assert.equal(c.scope.coding?.[0]?.system, "http://terminology.hl7.org/CodeSystem/consentscope");
  assert.ok(CONSENT_SCOPE.has(c.scope.coding?.[0]?.code ?? ""), "scope from consentscope");
  assert.ok(c.category.length >= 1 && c.category[0]?.coding?.[0]?.code === "59284-0", "category 1..* (LOINC Patient Consent)");
  assert.ok(c.policy?.length || c.policyRule, "ppc-1: policy or policyRule");
  assert.match(c.patient?.reference ?? "", /^Patient\/[0-9a-f-]{36}$/);
  assert.ok(!Number.isNaN(Date.parse(c.dateTime ?? "")), "dateTime");
  assert.ok(c.performer?.every((p) => /^Patient\//.test(p.reference ?? "")));
  assert.ok(c.provision && ["permit", "deny"].includes(c.provision.type ?? ""), "provision.type permit|deny");
  assert.ok(!Number.isNaN(Date.parse(c.provision.period?.start ?? "")), "provision.period.start");
  assert.ok(c.provision.action?.every((a) => a.coding?.every((cd) => cd.system === "http://terminology.hl7.org/CodeSystem/consentaction" && CONSENT_ACTION.has(cd.code ?? ""))));
  assert.ok((c.provision.purpose?.length ?? 0) >= 1);
  assert.match(c.id ?? "", /^[A-Za-z0-9\-.]{1,64}$/, "FHIR id");
  return c;
}

for (const kind of databaseKinds()) {
  describe(`consent and personal information on ${kind}`, () => {
    let service: TestService;
    let memberId: string;
    let observer: string;
    before(async () => {
      service = await startTestService(kind);
      memberId = (await service.api("POST", "/members", memberBody({ displayName: "同意 花子", address: "神戸市中央区1-1", phone: "0781234567" }))).body.id;
      observer = (await service.api("POST", "/tokens", { name: "閲覧", role: "observer" })).body.token;
    });
    after(async () => {
      await service?.close();
    });

    test("watching without consent is flagged on the member and in the setup checks; the terms agreement counts; a deny flags again", async () => {
      let consents = await service.api("GET", `/members/${memberId}/consents`);
      assert.equal(consents.status, 200, JSON.stringify(consents.body));
      assert.equal(consents.body.watching, "missing");
      assert.ok((await service.api("GET", "/consents/missing")).body.memberIds.includes(memberId));
      let checks = (await service.api("GET", "/organisation/setup-checks")).body.checks;
      assert.ok(checks.some((c: { code: string; count: number }) => c.code === "consent_missing" && c.count >= 1), JSON.stringify(checks));

      // The agreement to the terms (LINE's registration, a terms link, or staff on the member's page) counts for watching.
      assert.equal((await service.api("PATCH", `/members/${memberId}`, { consent: { termsVersion: "2", at: "2026-11-01T00:00:00Z" } })).status, 200);
      consents = await service.api("GET", `/members/${memberId}/consents`);
      assert.equal(consents.body.watching, "terms");
      assert.equal(consents.body.history[0].method, "terms");
      assert.ok(!(await service.api("GET", "/consents/missing")).body.memberIds.includes(memberId));
      checks = (await service.api("GET", "/organisation/setup-checks")).body.checks;
      assert.ok(!checks.some((c: { code: string }) => c.code === "consent_missing"), JSON.stringify(checks));

      const now = (await service.api("GET", "/sandbox/clock")).body.now as string;
      const denied = await service.api("POST", `/members/${memberId}/consents`, { purpose: "watching", decision: "deny", method: "phone", givenAt: now });
      assert.equal(denied.status, 201, JSON.stringify(denied.body));
      assert.equal((await service.api("GET", `/members/${memberId}/consents`)).body.watching, "denied");
      assert.ok((await service.api("GET", "/consents/missing")).body.memberIds.includes(memberId));
      await service.api("POST", "/sandbox/clock", { advance: "PT1M" });
      const permitted = await service.api("POST", `/members/${memberId}/consents`, {
        purpose: "watching", decision: "permit", method: "paper", givenAt: plusMinutes(now, 1), termsVersion: "2", note: "訪問時に書面で",
      });
      assert.equal(permitted.status, 201);
      assert.match(permitted.body.createdBy, /^token:admin:/);
      consents = await service.api("GET", `/members/${memberId}/consents`);
      assert.equal(consents.body.watching, "recorded");
      assert.equal(consents.body.history.length, 3, "the deny stays in the history");
      assert.equal(consents.body.current.find((c: { purpose: string }) => c.purpose === "watching").consent.id, permitted.body.id);
      assert.equal(consents.body.current.find((c: { purpose: string }) => c.purpose === "share_partners").decision, "none");
    });

    test("a consent given today counts today, whatever hour of the day was stored (the member and the missing list)", async () => {
      const id = (await service.api("POST", "/members", memberBody({ displayName: "今日 同意" }))).body.id;
      const now = new Date((await service.api("GET", "/sandbox/clock")).body.now as string);
      const today = new Intl.DateTimeFormat("sv-SE", { timeZone: "Asia/Tokyo" }).format(now);
      // The last minute of today in JST: later than now (unless the test runs at 23:59 JST), still today.
      const givenAt = `${today}T23:59:00+09:00`;
      for (const purpose of ["watching", "device_monitoring"]) {
        const recorded = await service.api("POST", `/members/${id}/consents`, { purpose, decision: "permit", method: "in_person", givenAt });
        assert.equal(recorded.status, 201, JSON.stringify(recorded.body));
      }
      const consents = (await service.api("GET", `/members/${id}/consents`)).body;
      assert.equal(consents.watching, "recorded");
      assert.equal(consents.current.find((c: { purpose: string }) => c.purpose === "device_monitoring").decision, "permit");
      assert.ok(!(await service.api("GET", "/consents/missing")).body.memberIds.includes(id), "not listed as watched without consent");
    });

    test("the consents as FHIR R4 Consent resources: required elements, value sets, active only for the record in force", async () => {
      const bundle = await service.api("GET", `/members/${memberId}/consents/fhir`);
      assert.equal(bundle.status, 200, JSON.stringify(bundle.body));
      assert.equal(bundle.body.resourceType, "Bundle");
      const resources = bundle.body.entry.map((e: { resource: Record<string, unknown> }) => checkFhirConsent(e.resource));
      assert.equal(resources.length, 3);
      const active = resources.filter((r: fhir4.Consent) => r.status === "active");
      assert.equal(active.length, 1, "only the permit in force is active");
      assert.equal(active[0].provision?.type, "permit");
      assert.equal(active[0].policyRule?.coding?.[0]?.code, "OPTIN");
      assert.deepEqual(active[0].provision?.purpose?.map((p: fhir4.Coding) => p.code), ["watching"]);
      assert.deepEqual(active[0].provision?.action?.map((a: fhir4.CodeableConcept) => a.coding?.[0]?.code), ["collect", "use"]);
      assert.ok(active[0].extension?.some((e: fhir4.Extension) => e.url === "urn:mimamori:consent-method" && e.valueCode === "paper"));
      assert.equal(resources.find((r: fhir4.Consent) => r.provision?.type === "deny")?.status, "inactive");
      assert.equal((await service.api("GET", `/members/${memberId}/consents/fhir`, undefined, observer)).status, 403);
    });

    test("bad consent input is a 400 naming the field and records nothing", async () => {
      const count = (await service.api("GET", `/members/${memberId}/consents`)).body.history.length;
      const now = "2026-12-01T09:00:00+09:00";
      for (const [body, field] of [
        [{ purpose: "spying", decision: "permit", method: "paper", givenAt: now }, "purpose"],
        [{ purpose: "watching", decision: "maybe", method: "paper", givenAt: now }, "decision"],
        [{ purpose: "watching", decision: "permit", method: "fax", givenAt: now }, "method"],
        [{ purpose: "watching", decision: "permit", method: "paper", givenAt: "yesterday" }, "givenAt"],
        [{ purpose: "watching", decision: "permit", method: "paper", givenAt: now, periodEnd: "2026-11-01T00:00:00Z" }, "periodEnd"],
      ] as const) {
        const r = await service.api("POST", `/members/${memberId}/consents`, body);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.equal(r.body.error.field, field, JSON.stringify(r.body));
      }
      assert.equal((await service.api("GET", `/members/${memberId}/consents`)).body.history.length, count);
    });

    test("a disclosure without consent or basis is refused (422); with consent, or on a legal basis, it is recorded and audited", async () => {
      const disclose = (body: Record<string, unknown>) => service.api("POST", `/members/${memberId}/disclosures`, {
        recipient: "新聞販売店 みなと", recipientKind: "partner", purpose: "安否確認の依頼", fields: ["displayName", "address"], ...body,
      });
      const refused = await disclose({});
      assert.equal(refused.status, 422, JSON.stringify(refused.body));
      assert.equal(refused.body.error.code, "disclosure_not_allowed");
      const noDisaster = await disclose({ basis: "disaster_support_list", recipientKind: "welfare", recipient: "自主防災組織" });
      assert.equal(noDisaster.status, 422);
      assert.equal(noDisaster.body.error.code, "no_disaster_declared");
      assert.deepEqual((await service.api("GET", `/members/${memberId}/disclosures`)).body.disclosures, [], "nothing recorded");

      const life = await disclose({ basis: "life_body_property", recipient: "神戸市消防局", recipientKind: "fire", purpose: "室内で倒れている恐れ" });
      assert.equal(life.status, 201, JSON.stringify(life.body));
      assert.equal(life.body.basis, "life_body_property");

      assert.equal((await service.api("POST", "/disaster-declaration", { reason: "震度6弱 地震" })).status, 200);
      assert.equal((await service.api("GET", "/disaster-declaration")).body.declared, true);
      const list = await disclose({ basis: "disaster_support_list", recipientKind: "welfare", recipient: "自主防災組織" });
      assert.equal(list.status, 201, JSON.stringify(list.body));
      assert.equal((await service.api("DELETE", "/disaster-declaration")).status, 204);
      assert.equal((await disclose({ basis: "disaster_support_list", recipientKind: "welfare", recipient: "自主防災組織" })).status, 422);

      const now = (await service.api("GET", "/sandbox/clock")).body.now as string;
      assert.equal((await service.api("POST", `/members/${memberId}/consents`, { purpose: "share_partners", decision: "permit", method: "in_person", givenAt: now })).status, 201);
      const withConsent = await disclose({});
      assert.equal(withConsent.status, 201);
      assert.equal(withConsent.body.basis, "consent");
      assert.ok(withConsent.body.consentId);
      // Withdrawn: a new deny record, and the same disclosure is refused again.
      await service.api("POST", "/sandbox/clock", { advance: "PT1M" });
      assert.equal((await service.api("POST", `/members/${memberId}/consents`, {
        purpose: "share_partners", decision: "deny", method: "phone", givenAt: plusMinutes(now, 1),
      })).status, 201);
      const withdrawn = await disclose({});
      assert.equal(withdrawn.status, 422);
      assert.match(withdrawn.body.error.message, /refused/);

      const disclosures = (await service.api("GET", `/members/${memberId}/disclosures`)).body.disclosures;
      assert.deepEqual(disclosures.map((d: { basis: string }) => d.basis), ["consent", "disaster_support_list", "life_body_property"]);
      const log = (await service.api("GET", `/audit-log?memberId=${memberId}&action=personal.disclosure`)).body.entries
        .filter((e: { action: string }) => e.action === "personal.disclosure");
      assert.equal(log.length, 3);
      assert.ok(log.some((e: { detail: { basis: string; recipient: string } }) => e.detail.basis === "life_body_property" && e.detail.recipient === "神戸市消防局"));

      const seen = await service.api("GET", `/members/${memberId}/disclosures`, undefined, observer);
      assert.ok(seen.body.disclosures.every((d: { recipient: string; createdBy: string }) => d.recipient === "***" && d.createdBy === "token:***"));
      assert.equal((await service.api("POST", `/members/${memberId}/disclosures`, {
        basis: "life_body_property", recipient: "x", recipientKind: "fire", purpose: "x", fields: ["address"],
      }, observer)).status, 403);
      assert.equal((await service.api("POST", `/members/${memberId}/consents`, { purpose: "watching", decision: "permit", method: "paper", givenAt: now }, observer)).status, 403);
    });

    test("the export holds everything about the member, in JSON and CSV, admin only and audited", async () => {
      const answer = await service.api("POST", `/members/${memberId}/answers`, { answer: "need_contact", note: "膝が痛い" });
      assert.equal(answer.status, 201);
      await service.api("POST", `/members/${memberId}/notes`, { note: "鍵はお隣" });
      const json = await service.api("GET", `/members/${memberId}/export?format=json`);
      assert.equal(json.status, 200, JSON.stringify(json.body));
      const sections = json.body.sections;
      assert.equal(sections.member[0].display_name, "同意 花子");
      assert.equal(sections.contacts.length, 3);
      assert.ok(sections.answers.some((a: { note: string }) => a.note === "膝が痛い"));
      assert.ok(sections.incidents.length >= 1);
      assert.ok(sections.incident_events.length >= 1);
      assert.equal(sections.notes[0].note, "鍵はお隣");
      assert.ok(sections.consents.length >= 4);
      assert.equal(sections.disclosures.length, 3);
      const csv = await fetch(`${service.url}/api/v1/members/${memberId}/export?format=csv`, { headers: { authorization: `Bearer ${service.token}` } });
      assert.equal(csv.status, 200);
      assert.match(csv.headers.get("content-type") ?? "", /^text\/csv/);
      assert.match(csv.headers.get("content-disposition") ?? "", /attachment; filename="member-.*\.csv"/);
      const text = await csv.text();
      assert.match(text, /^\uFEFF?section,row,field,value\r\n/);
      assert.match(text, /member,1,display_name,同意 花子/);
      assert.match(text, /contacts,1,display_name,山田一郎/);
      assert.match(text, /disclosures,\d,recipient,神戸市消防局/);
      const log = (await service.api("GET", `/audit-log?memberId=${memberId}&action=personal.export`)).body.entries
        .filter((e: { action: string }) => e.action === "personal.export");
      assert.equal(log.length, 2);
      assert.equal((await service.api("GET", `/members/${memberId}/export`, undefined, observer)).status, 403);
      assert.equal((await service.api("GET", "/members/00000000-0000-7000-8000-000000000000/export")).status, 404);
    });

    test("erasure keeps incidents within the retention period anonymised and deletes every personal row", async () => {
      const db = service.store.db;
      const incidents = await db.selectFrom("incidents").select(["id", "kind", "status"]).where("member_id", "=", memberId).execute();
      assert.ok(incidents.length >= 1);
      assert.equal((await service.api("POST", `/members/${memberId}/erasure`, { reason: "本人の申出" }, observer)).status, 403);
      assert.equal((await service.api("POST", `/members/${memberId}/erasure`, {})).body.error?.field, "reason");
      // A partner's report about the member, and a registration number (other parts of the network).
      const organisationId = (await db.selectFrom("members").select("organisation_id").where("id", "=", memberId).executeTakeFirstOrThrow()).organisation_id;
      const partner = newId();
      const now = new Date();
      await db.insertInto("network_partners").values({
        id: partner, organisation_id: organisationId, name: "新聞販売所", kind: "home_visit", short_code: `C${partner.slice(0, 7)}`, created_at: now, updated_at: now,
      }).execute();
      const report = newId();
      await db.insertInto("network_reports").values({
        id: report, organisation_id: organisationId, partner_id: partner, service_code: "concern", urgency: "consult", member_id: memberId, match: "address",
        description: "新聞が3日分たまっている", address: "神戸市中央区1-1", requested_at: now, received_at: now,
      }).execute();
      await db.insertInto("network_registration_numbers").values({
        id: newId(), organisation_id: organisationId, member_id: memberId, number: "C12345", kind: "keyholder", issued_at: now, issued_by: "t",
      }).execute();
      const about = await db.selectFrom("outbox").select(["id", "recipient_kind"]).where("incident_id", "in", incidents.map((i) => i.id)).execute();
      assert.ok(about.some((m) => m.recipient_kind !== "member"), "the incident alerted someone (the test is about those messages too)");
      const device = await service.api("POST", `/members/${memberId}/devices`, { kind: "fridge_door", name: "冷蔵庫", power: "battery" });
      assert.equal(device.status, 201, JSON.stringify(device.body));
      const exported = (await service.api("GET", `/members/${memberId}/export`)).body.sections;
      assert.equal(exported.partner_reports[0].description, "新聞が3日分たまっている");
      assert.equal(exported.registration_numbers[0].number, "C12345");
      assert.equal(exported.devices[0].name, "冷蔵庫");
      assert.ok(!("token_hash" in exported.devices[0]), "no credential in the export");
      const erased = await service.api("POST", `/members/${memberId}/erasure`, { reason: "本人の申出" });
      assert.equal(erased.status, 200, JSON.stringify(erased.body));
      assert.equal(erased.body.incidentsKept, incidents.length);
      assert.equal(erased.body.tombstone, true);
      assert.equal(erased.body.retentionYears, 5);

      const member = await db.selectFrom("members").selectAll().where("id", "=", memberId).executeTakeFirstOrThrow();
      assert.notEqual(member.erased_at, null);
      assert.equal(member.display_name, "—");
      assert.deepEqual(member.personal, {});
      assert.deepEqual(member.channels, []);
      assert.equal(member.consent, null);
      assert.equal(member.active, false);
      const kept = await db.selectFrom("incidents").selectAll().where("member_id", "=", memberId).execute();
      assert.equal(kept.length, incidents.length, "incidents kept for the statistics");
      assert.ok(kept.every((i) => i.note === null && i.acknowledged_by === null && i.checkin_id === null && i.status === "resolved"));
      const events = await db.selectFrom("incident_events").selectAll().where("incident_id", "in", kept.map((i) => i.id)).execute();
      assert.ok(events.length >= 1 && events.every((e) => e.actor === null && JSON.stringify(e.data) === "{}"));
      for (const table of ["contacts", "checkins", "answers", "member_notes", "visits", "observations", "network_consents", "network_disclosures", "network_devices"] as const) {
        const rows = await db.selectFrom(table).select("organisation_id").where("member_id", "=", memberId).execute();
        assert.equal(rows.length, 0, `${table} emptied`);
      }
      assert.equal((await db.selectFrom("network_registration_numbers").select("id").where("member_id", "=", memberId).execute()).length, 0);
      const anonymous = await db.selectFrom("network_reports").selectAll().where("id", "=", report).executeTakeFirstOrThrow();
      assert.deepEqual([anonymous.member_id, anonymous.description, anonymous.address, anonymous.urgency], [null, null, null, "consult"],
        "the report stays for the partner's statistics, unlinked");
      const outbox = await db.selectFrom("outbox").select("id").where((eb) => eb.or([
        eb("recipient_id", "=", memberId), eb("incident_id", "in", kept.map((i) => i.id)),
      ])).execute();
      assert.equal(outbox.length, 0, "no message to or about the member is kept (an alert to the team names them)");
      assert.equal((await db.selectFrom("sandbox_deliveries").select("seq").where("text", "like", "%同意 花子%").execute()).length, 0);
      const dump = JSON.stringify(await db.selectFrom("members").selectAll().where("id", "=", memberId).execute());
      assert.doesNotMatch(dump, /同意 花子|神戸市中央区|0781234567|\+81781234567/);

      assert.equal((await service.api("GET", `/members/${memberId}`)).status, 404);
      assert.ok(!(await service.api("GET", "/members?limit=200")).body.members.some((m: { id: string }) => m.id === memberId));
      assert.equal((await service.api("GET", `/members/${memberId}/export`)).status, 404);
      assert.equal((await service.api("POST", `/members/${memberId}/erasure`, { reason: "again" })).status, 404);
      const log = (await service.api("GET", `/audit-log?memberId=${memberId}&action=member.erasure`)).body.entries
        .filter((e: { action: string }) => e.action === "member.erasure");
      assert.equal(log.length, 1);
      assert.doesNotMatch(JSON.stringify(log), /同意 花子|神戸市中央区|山田一郎/);
    });

    test("with no retention the erased member goes entirely", async () => {
      assert.equal((await service.api("PATCH", "/organisation", { incidentRetentionYears: 0 })).body.incidentRetentionYears, 0);
      const id = (await service.api("POST", "/members", memberBody({ displayName: "全部 消える" }))).body.id;
      assert.equal((await service.api("POST", `/members/${id}/answers`, { answer: "need_contact" })).status, 201);
      const erased = await service.api("POST", `/members/${id}/erasure`, { reason: "逝去" });
      assert.equal(erased.status, 200);
      assert.equal(erased.body.tombstone, false);
      assert.ok(erased.body.incidentsDeleted >= 1);
      const db = service.store.db;
      assert.equal((await db.selectFrom("members").select("id").where("id", "=", id).execute()).length, 0);
      assert.equal((await db.selectFrom("incidents").select("id").where("member_id", "=", id).execute()).length, 0);
      await service.api("PATCH", "/organisation", { incidentRetentionYears: 5 });
    });

    test("another organisation's member is a 404 everywhere", async () => {
      const other = await service.api("POST", "/organisations", { name: "他の組織" });
      const token = other.body.adminToken;
      const mine = (await service.api("POST", "/members", memberBody({ displayName: "自分の 利用者" }))).body.id;
      for (const [method, path, body] of [
        ["GET", `/members/${mine}/consents`], ["GET", `/members/${mine}/consents/fhir`], ["GET", `/members/${mine}/disclosures`],
        ["POST", `/members/${mine}/consents`, { purpose: "watching", decision: "permit", method: "paper", givenAt: "2026-12-01T09:00:00+09:00" }],
        ["POST", `/members/${mine}/disclosures`, { basis: "life_body_property", recipient: "x", recipientKind: "fire", purpose: "x", fields: ["address"] }],
        ["GET", `/members/${mine}/export`], ["POST", `/members/${mine}/erasure`, { reason: "x" }],
      ] as const) {
        const r = await service.api(method, path, body, token);
        assert.equal(r.status, 404, `${method} ${path}: ${JSON.stringify(r.body)}`);
      }
      assert.equal((await service.api("GET", `/members/${mine}/consents`)).status, 200, "the member is still there");
    });
  });
}

function plusMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}
