/**
 * The decision table of a member's erasure and export (engine/personal-data.ts
 * CORE_PERSONAL_DATA and each context's hook) covers the live schema, on every
 * database: every table is classified, so a new table cannot be forgotten
 * silently; and a table that names a member (a member_id column, or a foreign key
 * to members) is never classified as holding nothing personal.
 */
import assert from "node:assert/strict";
import { sql } from "kysely";
import { after, before, describe, test } from "node:test";
import { personalDataTables } from "../../src/engine/personal-data.ts";
import { databaseKinds, startTestService, type TestService } from "../support/harness.ts";

/** Columns whose name says they hold a member's personal data, listed in the failure so the classifier sees what is at stake. */
const LOOKS_PERSONAL = /member|recipient|address|phone|email|name|text|payload|description|note|detail|rows|conversation|data/;

for (const kind of databaseKinds()) {
  describe(`the personal-data decision table on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind);
    });
    after(async () => {
      await service?.close();
    });

    test("every table of the live schema is classified (delete, anonymise, scrub or none, with a reason)", async () => {
      const columns = (await sql<{ table_name: string; column_name: string }>`
        select table_name, column_name from information_schema.columns
        where table_schema = current_schema() and table_name in (
          select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE')
        order by table_name, ordinal_position`.execute(service.store.db)).rows;
      const decisions = personalDataTables();
      const tables = [...new Set(columns.map((c) => c.table_name))];
      assert.ok(tables.length > 40 && tables.includes("members") && tables.includes("network_reports"), "the whole schema was read");
      const missing = tables.filter((t) => !decisions[t]).map((t) =>
        `${t} (${columns.filter((c) => c.table_name === t && LOOKS_PERSONAL.test(c.column_name)).map((c) => c.column_name).join(", ")})`);
      assert.deepEqual(missing, [], "tables missing from the decision table (CORE_PERSONAL_DATA or the context's hook `tables`)");
      const gone = Object.keys(decisions).filter((t) => !tables.includes(t));
      assert.deepEqual(gone, [], "decisions for tables the schema no longer has");
      for (const [table, d] of Object.entries(decisions)) assert.ok(d.why.length > 10, `${table}: a reason`);
    });

    test("a table that names a member is never classified as holding nothing personal", async () => {
      const naming = (await sql<{ table_name: string }>`
        select distinct table_name from information_schema.columns
        where table_schema = current_schema() and column_name in ('member_id', 'recipient_id')
        union
        select distinct tc.table_name from information_schema.table_constraints tc
        join information_schema.constraint_column_usage u on u.constraint_name = tc.constraint_name and u.constraint_schema = tc.constraint_schema
        where tc.constraint_schema = current_schema() and tc.constraint_type = 'FOREIGN KEY' and u.table_name = 'members'`
        .execute(service.store.db)).rows.map((r) => r.table_name).sort();
      assert.ok(naming.includes("checkins") && naming.includes("network_devices"));
      const decisions = personalDataTables();
      assert.deepEqual(naming.filter((t) => decisions[t]?.erasure === "none"), [], "tables naming a member classified `none`");
    });
  });
}
