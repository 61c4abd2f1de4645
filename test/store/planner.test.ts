/**
 * Batch transactions never scan a whole table, even without statistics: the 1M
 * bench (2026-11-30) ran on a server with autovacuum off, never analysed, and the
 * answers' member look-up (`id in (…)`) read all 1,000,000 members per batch.
 * And the service says at start-up when the server's settings put that at risk.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { createMembers, memberListQuery } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { inTransaction, preferIndexWalks, serverWarnings } from "../../src/store/db.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const NOW = new Date("2027-01-04T08:00:00+09:00");

for (const kind of databaseKinds()) {
  describe(`planner safety on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let ids: string[];
    let organisationId: string;
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId } = await createOrganisation(store.db, "planner", NOW));
      ids = await createMembers(store.db, organisationId, Array.from({ length: 30_000 }, (_, i) => ({
        displayName: `m${i}`, channels: [{ kind: "sandbox" as const, address: `m${i}` }], plan: { every: "1d" as const, at: "09:00" },
      })), NOW);
    });
    after(async () => {
      await store?.dispose();
    });

    test("a look-up of 40 members by id walks the primary key, never the whole table", async () => {
      assert.equal(ids.length, 30_000);
      const plan = await inTransaction(store.db, async (tx) => {
        await preferIndexWalks(tx);
        // The answers' look-up, as Kysely writes it (engine/answers.ts).
        const rows = await tx.selectFrom("members").select(["id", "organisation_id", "team_id", "display_name", "plan"])
          .where("id", "in", ids.slice(0, 40)).explain();
        return rows.map((r) => String(r["QUERY PLAN"])).join("\n");
      });
      assert.match(plan, /Index (Only )?Scan using members_pkey/, plan);
      assert.doesNotMatch(plan, /Seq Scan on members/, plan);
    });

    test("a member search that matches few reads the trigram index, not every member", async () => {
      const planOf = async (search: string) => (await memberListQuery(store.db, organisationId, { limit: 50, search }).explain())
        .map((r) => String(r["QUERY PLAN"])).join("\n");
      for (const search of ["m4711", "該当なし7", "ヤマダ ハナコ", "090-1234-5678", "ｍ２９９９９"]) {
        const plan = await planOf(search);
        assert.match(plan, /Bitmap Index Scan on member_search_text/, `${search}:\n${plan}`);
        assert.doesNotMatch(plan, /Seq Scan on member/, `${search}:\n${plan}`);
      }
      const found = await memberListQuery(store.db, organisationId, { limit: 50, search: "M2999" }).execute();
      assert.deepEqual(found.map((m) => m.display_name), ["m2999", "m29990", "m29991", "m29992", "m29993", "m29994", "m29995", "m29996", "m29997", "m29998", "m29999"]);
    });

    test("start-up warnings name autovacuum exactly when the server has it off", async () => {
      const warnings = await serverWarnings(store);
      if (kind === "pglite") {
        assert.deepEqual(warnings, []);
        return;
      }
      const { rows } = await sql<{ v: string }>`select current_setting('autovacuum') as v`.execute(store.db);
      assert.equal(warnings.length, rows[0].v === "off" ? 1 : 0);
      for (const w of warnings) assert.match(w, /autovacuum = off/);
    });
  });
}
