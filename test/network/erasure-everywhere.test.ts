/**
 * A member's erasure leaves no trace of them anywhere in the database, on every
 * database (issue 13): a member with data in every place a user can put it — LINE
 * messages (raw inbound webhooks), a member-list upload, partner reports (one
 * linked by their number, one only quoting their address), a device with events,
 * a registration number and a keyholder lookup, an answer opening an incident with
 * its alerts, a note, a disclosure, e-mail sends that failed — is erased; then every
 * text and JSON column of every table is searched for their name, phone, address
 * and e-mail, and the anonymised incident is still there (within retention).
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { after, before, describe, test } from "node:test";
import { personalDataTables } from "../../src/engine/personal-data.ts";
import { databaseKinds } from "../support/harness.ts";
import { type LineFixture, startLineFixture } from "../support/line-fixture.ts";
import { follow, text } from "../support/line-webhook.ts";
import { memberBody } from "../support/sandbox.ts";
import { fileReport, makePartner } from "./support.ts";

const NAME = "消去 太郎";
const PHONE = "09011112222";
const PHONE_E164 = "+819011112222";
const ADDRESS = "横浜市西区みなとみらい9-9-9";
const EMAIL = "taro.erase@example.jp";
const LINE_USER = `U${"e".repeat(32)}`;
/** The phone as people write it in free text. */
const PHONE_WRITTEN = ["090-1111-2222", "０９０－１１１１－２２２２"];
/** The name as people type it: without the space, with a full-width one. */
const NAME_WRITTEN = ["消去太郎", "消去\u3000太郎"];
const TRACES = [NAME, ...NAME_WRITTEN, PHONE, PHONE_E164, ...PHONE_WRITTEN, ADDRESS, EMAIL];

/** Every text and JSON column of every table, with the rows quoting one of the traces: "table.column: trace". */
async function tracesLeft(fixture: LineFixture): Promise<string[]> {
  const db = fixture.service.store.db;
  const columns = (await sql<{ table_name: string; column_name: string; data_type: string }>`
    select c.table_name, c.column_name, c.data_type from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
    where c.table_schema = current_schema() and c.data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')`.execute(db)).rows;
  assert.ok(columns.length > 100, "the whole schema is searched");
  const found: string[] = [];
  for (const { table_name: table, column_name: column } of columns) {
    for (const trace of TRACES) {
      const n = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where strpos(${sql.ref(column)}::text, ${trace}) > 0`
        .execute(db)).rows[0]?.n ?? 0;
      if (n) found.push(`${table}.${column}: ${trace}`);
    }
  }
  return found;
}

for (const kind of databaseKinds()) {
  describe(`a member's erasure leaves no trace on ${kind}`, () => {
    let fixture: LineFixture;
    before(async () => {
      fixture = await startLineFixture(kind);
    });
    after(async () => {
      await fixture?.close();
    });

    test("data put everywhere a user can, then erased: nothing quotes the member, the incident stays anonymised", async () => {
      const { service } = fixture;
      const api = service.api;
      const created = await api("POST", "/members", memberBody({
        displayName: NAME, address: ADDRESS, phone: PHONE,
        channels: [{ kind: "line", address: LINE_USER }, { kind: "email", address: EMAIL }],
      }));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const memberId: string = created.body.id;

      // LINE: the member follows and writes (the raw webhooks are kept in inbound).
      await fixture.send(follow(LINE_USER));
      await fixture.send(text(LINE_USER, `${NAME_WRITTEN[0]}です。${ADDRESS}に住んでいます。電話は${PHONE_WRITTEN[0]}、メールは${EMAIL}`));
      const inbound = (await sql<{ n: number }>`select count(*)::int as n from inbound where strpos(payload::text, ${NAME_WRITTEN[0]}) > 0`
        .execute(service.store.db)).rows[0].n;
      assert.ok(inbound >= 1, "the LINE message is kept raw");

      // A member list uploaded and left unchecked: its rows are kept until they expire.
      const sheet = `氏名,住所,電話,メール\r\n${NAME_WRITTEN[1]},${ADDRESS},${PHONE_WRITTEN[1]},${EMAIL}\r\n別の 人,大阪市北区1-1,0612345678,other@example.jp\r\n`;
      const upload = await api("POST", "/member-imports", { fileName: "list.csv", content: Buffer.from(sheet).toString("base64") });
      assert.equal(upload.status, 201, JSON.stringify(upload.body));

      // A registration number, looked up by the police (audited with the number).
      assert.equal((await api("POST", `/members/${memberId}/registration-numbers`, { registrationNumber: "ER-5566", kind: "keyholder" })).status, 201);
      const lookup = await api("POST", "/network/registration-numbers/lookup", {
        registrationNumber: "ER5566", caller: { kind: "police", name: "田中巡査", organisation: "戸部警察署", phone: "045-000-0000" },
        reason: `${NAME}さんを路上で保護`, tellTeam: true,
      });
      assert.equal(lookup.status, 200, JSON.stringify(lookup.body));

      // Partner reports: one carrying their number (linked), one only quoting their address and name.
      const partner = await makePartner(service, "みなと新聞店");
      const at = (await api("GET", "/sandbox/clock")).body.now as string;
      await fileReport(service, partner, {
        urgency: "consult", address: ADDRESS, description: `${NAME}さんの新聞がたまっている`, reporterName: "配達員", reporterPhone: "0450001111",
        registrationNumber: "ER-5566",
      }, at);
      await fileReport(service, partner, {
        urgency: "consult", address: ADDRESS, description: `${ADDRESS}の${NAME}さん宅、電気がつかない`, reporterName: "配達員", reporterPhone: "0450001111",
      }, at);

      // A device with events.
      const device = await api("POST", `/members/${memberId}/devices`, { kind: "fridge_door", name: `${NAME}の冷蔵庫` });
      assert.equal(device.status, 201, JSON.stringify(device.body));
      const event = await fetch(`${service.url}/network/devices/events`, {
        method: "POST", headers: { authorization: `Bearer ${device.body.token}`, "content-type": "application/json" },
        body: JSON.stringify({ contact: false, battery: 90, last_seen: at, event_id: "e1" }),
      });
      assert.ok(event.status < 300, `device event: ${event.status}`);

      // An answer asking for contact opens an incident; its alerts name the member; a note and a disclosure.
      assert.equal((await api("POST", `/members/${memberId}/answers`, { answer: "need_contact", note: `${ADDRESS}で転倒した` })).status, 201);
      assert.equal((await api("POST", `/members/${memberId}/notes`, { note: `鍵は${ADDRESS}の管理人。${PHONE}` })).status, 201);
      assert.equal((await api("POST", `/members/${memberId}/disclosures`, {
        basis: "life_body_property", recipient: "消防局", recipientKind: "fire", purpose: `${NAME}さんの安否確認`, fields: ["address", "phone"],
      })).status, 201);
      await api("POST", "/sandbox/clock", { advance: "PT10M" });
      const incidents = (await api("GET", `/incidents?memberId=${memberId}`)).body.incidents;
      assert.ok(incidents.length >= 1);

      const before = await tracesLeft(fixture);
      assert.ok(before.includes(`inbound.payload: ${NAME_WRITTEN[0]}`) && before.includes(`member_imports.rows: ${NAME_WRITTEN[1]}`), before.join("; "));
      assert.ok(before.includes(`inbound.payload: ${PHONE_WRITTEN[0]}`) && before.includes(`member_imports.rows: ${PHONE_WRITTEN[1]}`), before.join("; "));
      for (const place of ["members.", "inbound.payload", "member_imports.rows", "network_reports.description", "audit_log.detail", "member_notes.note"]) {
        assert.ok(before.some((t) => t.startsWith(place)), `the test put the member in ${place}: ${before.join("; ")}`);
      }

      // The export holds the same set: the member's rows and the rows of others quoting them.
      const exported = (await api("GET", `/members/${memberId}/export`)).body.sections;
      for (const section of ["member", "answers", "incidents", "notes", "devices", "registration_numbers", "partner_reports", "disclosures",
        "quoted_in_inbound", "quoted_in_member_imports", "quoted_in_audit_log"]) {
        assert.ok(exported[section]?.length >= 1, `export section ${section} (${Object.keys(exported).join(", ")})`);
      }

      // Every `delete` or `anonymise` table naming members has its section (the decision table says which), even an empty one.
      const naming = (await sql<{ table_name: string }>`select table_name from information_schema.columns
        where table_schema = current_schema() and column_name = 'member_id'`.execute(service.store.db)).rows.map((r) => r.table_name);
      const decisions = personalDataTables();
      for (const table of naming) {
        const d = decisions[table];
        if (!d || d.erasure === "none" || d.erasure === "scrub" || d.section === null) continue;
        assert.ok(Array.isArray(exported[d.section ?? table]), `${table} exported as ${d.section ?? table}`);
      }
      assert.ok(!("token_hash" in exported.devices[0]), "no device credential in the export");

      const erased = await api("POST", `/members/${memberId}/erasure`, { reason: "本人の申出" });
      assert.equal(erased.status, 200, JSON.stringify(erased.body));
      assert.equal(erased.body.tombstone, true);

      for (const table of naming.filter((t) => decisions[t]?.erasure === "delete")) {
        const n = (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where member_id = ${memberId}`.execute(service.store.db)).rows[0].n;
        assert.equal(n, 0, `${table}: no row of the member left`);
      }
      assert.deepEqual(await tracesLeft(fixture), [], "no trace of the member's name, phone, address or e-mail anywhere");
      const kept = await service.store.db.selectFrom("incidents").selectAll().where("member_id", "=", memberId).execute();
      assert.equal(kept.length, incidents.length, "the incident stays, anonymised, within retention");
      assert.ok(kept.every((i) => i.note === null && i.status === "resolved"));
      // The other person of the uploaded sheet is untouched.
      const rows = (await service.store.db.selectFrom("member_imports").select("rows").where("id", "=", upload.body.id).executeTakeFirstOrThrow()).rows;
      assert.ok(JSON.stringify(rows).includes("大阪市北区1-1"), "other people's data stays");
    });

    test("a name another member bears stays in their records; the erased member's own numbers still go", async () => {
      const { service } = fixture;
      const api = service.api;
      const erasedId = (await api("POST", "/members", memberBody({ displayName: "同名 花子", phone: "0312345678" }))).body.id;
      const otherId = (await api("POST", "/members", memberBody({ displayName: "同名　花子" }))).body.id;
      assert.equal((await api("POST", `/members/${otherId}/notes`, { note: "同名 花子さんは毎朝散歩" })).status, 201);
      assert.equal((await api("POST", `/members/${otherId}/notes`, { note: "隣の方の電話 03-1234-5678" })).status, 201);
      const erased = await api("POST", `/members/${erasedId}/erasure`, { reason: "本人の申出" });
      assert.equal(erased.status, 200, JSON.stringify(erased.body));
      assert.ok(erased.body.namesShared >= 1, "the shared name is reported");
      const notes = (await service.store.db.selectFrom("member_notes").select("note").where("member_id", "=", otherId).orderBy("created_at").execute())
        .map((n) => n.note);
      assert.ok(notes.includes("同名 花子さんは毎朝散歩"), `the homonym's note keeps the name: ${notes.join(" / ")}`);
      assert.ok(notes.includes("隣の方の電話 —"), `the erased member's phone goes even from another's note: ${notes.join(" / ")}`);
    });
  });
}
