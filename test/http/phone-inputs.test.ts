/**
 * Every phone number the service stores goes through the one reader
 * (src/domain/phone.ts, libphonenumber): partner contacts, volunteers, the
 * reporter of a concern (Open311 and the report form), the caller of a keyholder
 * lookup. Full-width and hyphenated input is stored in E.164; what is not a
 * number of its country is refused naming the field. An SMS address (a member's
 * or contact's channel, a team's, a staff member's duty channel) must be able to
 * receive a text: a Japanese fixed line is refused. On every database.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PHONE_EXPECTED, SMS_EXPECTED } from "../../src/domain/phone.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";
import { memberBody } from "../support/sandbox.ts";

const FULL_WIDTH = "０９０－１２３４－５６７８";
const E164 = "+819012345678";

for (const kind of databaseKinds()) {
  describe(`phone numbers as every input reads them on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    const partnerBody = (phone: string) => ({ name: `電話 ${phone}`, kind: "shop", contacts: [{ displayName: "店長 山本", phone }] });

    test("a partner's contact phone: full-width stored and answered in E.164, not a number refused naming the field", async () => {
      const created = await service.api("POST", "/network/partners", partnerBody(FULL_WIDTH));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.contacts[0].phone, E164);
      const stored = await service.store.db.selectFrom("network_partners").select("contacts").where("id", "=", created.body.id).executeTakeFirstOrThrow();
      assert.equal((stored.contacts as { phone?: string }[])[0]?.phone, E164);
      const changed = await service.api("PATCH", `/network/partners/${created.body.id}`, { contacts: [{ displayName: "店長 山本", phone: "03-1111-2222" }] });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal(changed.body.contacts[0].phone, "+81311112222");
      for (const bad of ["+1 555", "090-1234-567", "03-1111-2222 内線12"]) {
        const refused = await service.api("POST", "/network/partners", partnerBody(bad));
        assert.equal(refused.status, 400, `${bad}: ${JSON.stringify(refused.body)}`);
        assert.equal(refused.body.error.field, "contacts.0.phone", bad);
        assert.match(JSON.stringify(refused.body), /090-1234-5678/, "the message shows the expected form");
      }
    });

    test("a volunteer's phone: full-width stored and answered in E.164, null clears it, not a number refused naming the field", async () => {
      const body = { displayName: "担い手 田中", skills: ["shopping"], areas: [], availability: [] };
      const created = await service.api("POST", "/directory/volunteers", { ...body, phone: FULL_WIDTH });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.phone, E164);
      const row = await service.store.db.selectFrom("directory_volunteers").select("phone").where("id", "=", created.body.id).executeTakeFirstOrThrow();
      assert.equal(row.phone, E164);
      const landline = await service.api("PATCH", `/directory/volunteers/${created.body.id}`, { phone: "(03) 1234-5678" });
      assert.equal(landline.status, 200, JSON.stringify(landline.body));
      assert.equal(landline.body.phone, "+81312345678", "a volunteer's phone may be a landline: the coordinator calls it");
      const cleared = await service.api("PATCH", `/directory/volunteers/${created.body.id}`, { phone: null });
      assert.equal(cleared.body.phone, null);
      for (const bad of ["+1 555", "12345", ""]) {
        const refused = await service.api("POST", "/directory/volunteers", { ...body, phone: bad });
        assert.equal(refused.status, 400, `${bad}: ${JSON.stringify(refused.body)}`);
        assert.equal(refused.body.error.field, "phone", bad);
      }
    });

    test("the reporter's phone over Open311 and on the report form: stored in E.164; not a number is 400 naming phone, the form shows it", async () => {
      const partner = (await service.api("POST", "/network/partners", { name: "本町新聞販売所", kind: "home_visit" })).body;
      const key = (await service.api("POST", `/network/partners/${partner.id}/key`)).body.key as string;
      const count = async () => Number((await service.store.db.selectFrom("network_reports").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
      const reporterPhone = async (id: string) =>
        (await service.store.db.selectFrom("network_reports").select("reporter_phone").where("id", "=", id).executeTakeFirstOrThrow()).reporter_phone;
      const open311 = (phone: string) => fetch(`${service.url}/open311/v2/requests.json`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ api_key: key, service_code: "concern", attribute: { urgency: "watch" }, address_string: "東京都大田区本町2-3-4", phone }),
      });

      const posted = await open311(FULL_WIDTH);
      assert.equal(posted.status, 201, await posted.clone().text());
      const [created] = await posted.json() as { service_request_id: string }[];
      assert.equal(await reporterPhone(created!.service_request_id), E164);

      const before = await count();
      for (const bad of ["+1 555", "090-1234-567"]) {
        const refused = await open311(bad);
        assert.equal(refused.status, 400, bad);
        const [error] = await refused.json() as { code: number; description: string }[];
        assert.match(error!.description, /^phone: /, "GeoReport's error names its own field");
        assert.ok(error!.description.includes(PHONE_EXPECTED), error!.description);
      }
      assert.equal(await count(), before, "nothing stored");

      const form = (phone: string, formKey: string) => fetch(`${service.url}/r/${partner.shortCode}`, {
        method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams([["urgency", "watch"], ["service_code", "concern"], ["address", "東京都大田区本町2-3-4"], ["reporter_phone", phone], ["key", formKey]]).toString(),
      });
      const sent = await form("０３（１２３４）５６７８", "phone-form-1");
      assert.equal(sent.status, 303, await sent.text());
      assert.equal(await reporterPhone(sent.headers.get("location")!.split("/").at(-1)!), "+81312345678");
      const shown = await form("+1 555", "phone-form-2");
      assert.equal(shown.status, 400);
      const page = await shown.text();
      assert.ok(page.includes("電話番号を確かめてください"), "the form says what to fix");
      assert.ok(page.includes('value="+1 555"'), "and keeps what was typed");
    });

    test("a keyholder lookup's callback number: stored in the audit log in E.164; not a number refused naming caller.phone", async () => {
      const member = await service.api("POST", "/members", memberBody({}));
      assert.equal(member.status, 201, JSON.stringify(member.body));
      assert.equal((await service.api("POST", `/members/${member.body.id}/registration-numbers`, { registrationNumber: "PH-2468" })).status, 201);
      const lookup = (phone: string) => service.api("POST", "/network/registration-numbers/lookup", {
        registrationNumber: "PH2468", caller: { kind: "police", name: "田中巡査", phone }, reason: "保護",
      });
      const found = await lookup("０３－１２３４－５６７８");
      assert.equal(found.status, 200, JSON.stringify(found.body));
      const entry = await service.store.db.selectFrom("audit_log").select("detail").where("action", "=", "keyholder.lookup")
        .orderBy("at", "desc").executeTakeFirstOrThrow();
      assert.equal((entry.detail as { caller: { phone: string } }).caller.phone, "+81312345678");
      const refused = await lookup("110番");
      assert.equal(refused.status, 400, JSON.stringify(refused.body));
      assert.equal(refused.body.error.field, "caller.phone");
    });

    test("an SMS channel takes a mobile number only: a member's, a contact's, a team's and a duty channel", async () => {
      const sms = (address: string) => [{ kind: "sms", address }];
      const member = await service.api("POST", "/members", memberBody({ channels: sms(FULL_WIDTH) }));
      assert.equal(member.status, 201, JSON.stringify(member.body));
      assert.deepEqual(member.body.channels, [{ kind: "sms", address: E164 }]);
      const us = await service.api("POST", "/members", memberBody({ channels: sms("+1 202 555 0123") }));
      assert.equal(us.status, 201, "a number of a plan that does not tell mobiles apart is given the benefit of the doubt");
      const voice = await service.api("POST", "/members", memberBody({ channels: [{ kind: "voice", address: "03-1234-5678" }] }));
      assert.equal(voice.status, 201, "a landline is called");

      for (const landline of ["03-1234-5678", "06-1234-5678", "050-1234-5678", "0120-123-456"]) {
        const refused = await service.api("POST", "/members", memberBody({ channels: sms(landline) }));
        assert.equal(refused.status, 400, `${landline}: ${JSON.stringify(refused.body)}`);
        assert.equal(refused.body.error.field, "channels.0.address", landline);
        assert.ok(JSON.stringify(refused.body).includes(SMS_EXPECTED), JSON.stringify(refused.body));
      }
      const contact = await service.api("POST", "/members", memberBody({
        contacts: [{ displayName: "山田一郎", relation: "son", channels: sms("03-1234-5678") }],
      }));
      assert.equal(contact.status, 400, JSON.stringify(contact.body));
      assert.equal(contact.body.error.field, "contacts.0.channels.0.address");

      const team = await service.api("POST", "/teams", { name: "固定電話の班", channels: sms("06-1234-5678") });
      assert.equal(team.status, 400, JSON.stringify(team.body));
      assert.equal(team.body.error.field, "channels.0.address");

      const person = (await service.api("POST", "/people", { displayName: "当番 佐藤", loginId: "sato-duty", role: "staff" })).body.person.id as string;
      const channels = `/people/${person}/channels`;
      const duty = await service.api("POST", channels, { kind: "sms", address: "03-1234-5678" });
      assert.equal(duty.status, 400, JSON.stringify(duty.body));
      assert.equal(duty.body.error.field, "address");
      assert.ok(JSON.stringify(duty.body).includes(SMS_EXPECTED));
      const mobile = await service.api("POST", channels, { kind: "sms", address: "080-1234-5678" });
      assert.equal(mobile.status, 201, JSON.stringify(mobile.body));
      const call = await service.api("POST", channels, { kind: "voice", address: "03-1234-5678" });
      assert.equal(call.status, 201, JSON.stringify(call.body));
    });
  });
}
