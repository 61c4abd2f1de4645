/**
 * The schema is ready to be distributed by organisation: read from the catalog
 * after migrating, every table that is not an instance-wide reference table
 * carries a NOT NULL organisation_id, and every unique index (primary keys
 * included) and every foreign key between tenant tables includes it.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { openStore } from "../../src/store/db.ts";
import { migrate } from "../../src/store/migrations.ts";
import { REFERENCE_TABLES } from "../../src/store/schema.ts";
import { databaseKinds, dropSchema, POSTGRES_URL, startTestService, type TestService, uniqueName } from "../support/harness.ts";

for (const kind of databaseKinds()) {
  describe(`the schema on ${kind}`, () => {
    let service: TestService;
    before(async () => {
      service = await startTestService(kind, { MIMAMORI_ENGINE: "0" });
    });
    after(async () => {
      await service?.close();
    });

    const rows = async <T,>(query: ReturnType<typeof sql<T>>) => (await query.execute(service.store.db)).rows;
    const tables = async () => (await rows(sql<{ name: string }>`
      select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`)).map((r) => r.name);
    const tenantTables = async () => (await tables()).filter((t) => !Object.hasOwn(REFERENCE_TABLES, t));

    test("the reference tables exist and every other table carries a NOT NULL organisation_id", async () => {
      const all = await tables();
      for (const t of Object.keys(REFERENCE_TABLES)) assert.ok(all.includes(t), `reference table ${t} exists`);
      const tenant = await tenantTables();
      assert.ok(tenant.length >= 20, `the tenant tables were found (${tenant.length})`);
      const columns = await rows(sql<{ table: string; nullable: string }>`
        select table_name as table, is_nullable as nullable from information_schema.columns
        where table_schema = current_schema() and column_name = 'organisation_id'`);
      const byTable = new Map(columns.map((c) => [c.table, c.nullable]));
      const missing = tenant.filter((t) => byTable.get(t) !== "NO");
      assert.deepEqual(missing, [], "tenant tables without a NOT NULL organisation_id");
    });

    test("every unique index and primary key of a tenant table includes organisation_id", async () => {
      const tenant = new Set(await tenantTables());
      const indexes = await rows(sql<{ table: string; index: string; columns: string[] }>`
        select t.relname as table, i.relname as index,
               array(select a.attname from unnest(x.indkey) k join pg_attribute a on a.attrelid = t.oid and a.attnum = k)::text[] as columns
        from pg_index x
        join pg_class t on t.oid = x.indrelid
        join pg_class i on i.oid = x.indexrelid
        join pg_namespace n on n.oid = t.relnamespace
        where n.nspname = current_schema() and x.indisunique`);
      const onTenant = indexes.filter((i) => tenant.has(i.table));
      assert.ok(onTenant.length >= 25, `the unique indexes were found (${onTenant.length})`);
      const without = onTenant.filter((i) => !i.columns.includes("organisation_id")).map((i) => `${i.table}.${i.index} (${i.columns.join(", ")})`);
      assert.deepEqual(without, [], "unique indexes without organisation_id");
    });

    test("every foreign key between tenant tables includes organisation_id on both sides, and none runs from a reference table to a tenant table", async () => {
      const tenant = new Set(await tenantTables());
      const keys = await rows(sql<{ name: string; table: string; parent: string; columns: string[]; parent_columns: string[] }>`
        select c.conname as name, t.relname as table, p.relname as parent,
               array(select a.attname from unnest(c.conkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.n order by k.i)::text[] as columns,
               array(select a.attname from unnest(c.confkey) with ordinality k(n, i) join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.n order by k.i)::text[] as parent_columns
        from pg_constraint c
        join pg_class t on t.oid = c.conrelid
        join pg_class p on p.oid = c.confrelid
        join pg_namespace n on n.oid = t.relnamespace
        where n.nspname = current_schema() and c.contype = 'f'`);
      const between = keys.filter((k) => tenant.has(k.table) && tenant.has(k.parent));
      assert.ok(between.length >= 16, `the foreign keys between tenant tables were found (${between.length})`);
      const wrong = between.filter((k) => {
        const at = k.columns.indexOf("organisation_id");
        return at < 0 || k.parent_columns[at] !== "organisation_id";
      }).map((k) => `${k.name}: ${k.table} (${k.columns.join(", ")}) → ${k.parent} (${k.parent_columns.join(", ")})`);
      assert.deepEqual(wrong, [], "foreign keys that could point into another organisation");
      const fromReference = keys.filter((k) => !tenant.has(k.table) && tenant.has(k.parent)).map((k) => k.name);
      assert.deepEqual(fromReference, []);
    });

    test("a row cannot point at another organisation's row", async () => {
      const other = (await service.api("POST", "/organisations", { name: "隣の市" })).body;
      const team = (await service.api("GET", "/teams")).body.teams[0].id as string;
      await assert.rejects(
        sql`insert into members (id, organisation_id, team_id, display_name, channels, plan, created_at, updated_at)
            values (gen_random_uuid(), ${other.id}, ${team}, 'x', '[]', '{}', now(), now())`.execute(service.store.db),
        (error: { code?: string }) => error.code === "23503",
        "a member of one organisation in another's team is refused by the foreign key",
      );
    });
  });
}

for (const kind of databaseKinds()) {
  test(`on ${kind}, a database with data migrates to the distributed form: link rows take their parent's organisation`, async () => {
    const schema = kind === "postgres" ? uniqueName("up") : undefined;
    const store = await openStore(kind === "postgres"
      ? { databaseUrl: POSTGRES_URL, schema, applicationName: "mimamori-test", migrateUpTo: 6 }
      : { dataDir: "memory://", migrateUpTo: 6 });
    try {
      const db = store.db;
      const [org, team, member, group, round] = ["01", "02", "03", "04", "05"].map((n) => `00000000-0000-4000-8000-0000000000${n}`);
      await sql`insert into organisations (id, name, created_at) values (${org}, 'o', now())`.execute(db);
      await sql`insert into teams (id, organisation_id, name, created_at) values (${team}, ${org}, 't', now())`.execute(db);
      await sql`insert into members (id, organisation_id, team_id, display_name, channels, plan, created_at, updated_at)
                values (${member}, ${org}, ${team}, 'm', '[]', '{}', now(), now())`.execute(db);
      await sql`insert into groups (id, organisation_id, name, created_at) values (${group}, ${org}, 'g', now())`.execute(db);
      await sql`insert into group_members (group_id, member_id) values (${group}, ${member})`.execute(db);
      await sql`insert into group_participants (group_id, user_id, first_seen_at, last_seen_at) values (${group}, 'U1', now(), now())`.execute(db);
      await sql`insert into group_checkins (id, organisation_id, group_id, due_at, prompted_at) values (${round}, ${org}, ${group}, now(), now())`.execute(db);
      await sql`insert into group_confirmations (group_checkin_id, user_id, display_name, by_user_id, by_display_name, confirmed_at)
                values (${round}, 'U1', 'a', 'U1', 'a', now())`.execute(db);
      await migrate(db);
      const orgs = await sql<{ t: string; o: string }>`
        select 'group_members' as t, organisation_id::text as o from group_members
        union all select 'group_participants', organisation_id::text from group_participants
        union all select 'group_confirmations', organisation_id::text from group_confirmations order by 1`.execute(db);
      assert.deepEqual(orgs.rows, [
        { t: "group_confirmations", o: org }, { t: "group_members", o: org }, { t: "group_participants", o: org },
      ]);
      await sql`delete from members where id = ${member}`.execute(db);
      assert.equal((await sql<{ n: number }>`select count(*)::int as n from group_members`.execute(db)).rows[0].n, 0, "the cascade still holds");
    } finally {
      await store.close();
      if (schema) await dropSchema(schema);
    }
  });
}
