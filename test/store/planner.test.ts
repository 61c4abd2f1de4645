/**
 * Batch transactions never scan a whole table, even without statistics: the 1M
 * bench (2026-11-30) ran on a server with autovacuum off, never analysed, and the
 * answers' member look-up (`id in (…)`) read all 1,000,000 members per batch.
 * And the service says at start-up when the server's settings put that at risk.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type RawBuilder, sql } from "kysely";
import { createMembers, memberListQuery } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { cancellationUpdate } from "../../src/engine/causes.ts";
import { recordSandboxDeliveries, sandboxDeliveriesQuery } from "../../src/engine/sandbox-time.ts";
import { dispatchDue, escalatingQuery } from "../../src/engine/scheduler.ts";
import { sentUpdate } from "../../src/engine/sender.ts";
import { askedUpdate } from "../../src/engine/undeliverable.ts";
import { type Db, inTransaction, preferIndexWalks, serverWarnings } from "../../src/store/db.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const NOW = new Date("2027-01-04T08:00:00+09:00");
/** Just after the members' first slot (09:00). */
const DUE = new Date("2027-01-04T09:00:30+09:00");

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

    test("the sender records a batch by key while a whole town's check-ins are open, nothing analysed", async () => {
      // 2026-12-02: marking a batch of 1,600 prompts sent and their check-ins asked joined it against
      // every outbox row and every open check-in (the planner takes `status = 'open'` for 0.5 %
      // without statistics): ~130 ms a batch at 100,000 members, and quadratic with index walks.
      // Cancelling (`status = 'pending'`) is the same kind.
      while ((await dispatchDue(store.db, DUE, 5000)).claimed > 0);
      const prompts = await store.db.selectFrom("outbox").select(["id", "checkin_id"]).where("message_kind", "=", "prompt")
        .limit(1000).execute();
      assert.equal(prompts.length, 1000);
      const explain = async (tx: Db, statement: RawBuilder<unknown>) =>
        (await sql<{ "QUERY PLAN": string }>`explain ${statement}`.execute(tx)).rows.map((r) => r["QUERY PLAN"]).join("\n");
      const plans = await inTransaction(store.db, async (tx) => {
        await preferIndexWalks(tx);
        return {
          sent: await explain(tx, sentUpdate(prompts.map((p) => p.id), prompts.map(() => null), DUE)),
          asked: await explain(tx, askedUpdate(prompts.map((p) => p.checkin_id as string), DUE)),
          cancelled: await explain(tx, cancellationUpdate(prompts.map((p) => p.id), prompts.map(() => "checkin_closed" as const))),
        };
      });
      assert.match(plans.sent, /Index Scan using outbox_pkey on outbox[^\n]*\n\s*Index Cond: \(id = v\.id\)/, plans.sent);
      assert.match(plans.asked, /Index Scan using checkins_pkey on checkins[^\n]*\n\s*Index Cond: \(id = v\.id\)/, plans.asked);
      assert.match(plans.cancelled, /Index Scan using outbox_pkey on outbox[^\n]*\n\s*Index Cond: \(id = v\.id\)/, plans.cancelled);
      for (const plan of Object.values(plans)) assert.doesNotMatch(plan, /Seq Scan on (outbox|checkins)|Materialize|Hash/, plan);
    });

    test("the scheduler asks which members already escalate member by member, not through every open check-in", async () => {
      // 2026-12-02: asked as `member_id = any(…)` without statistics, each batch of the scheduler walked
      // every open check-in of the organisation (checkins_org_open): 6.4 million index entries read to
      // dispatch 100,000 members, quadratic in the town's size.
      while ((await dispatchDue(store.db, DUE, 5000)).claimed > 0);
      const open = await store.db.selectFrom("checkins").select("member_id").where("status", "=", "open").limit(1000).execute();
      assert.equal(open.length, 1000);
      const plan = await inTransaction(store.db, async (tx) => {
        await preferIndexWalks(tx);
        return (await sql<{ "QUERY PLAN": string }>`explain ${escalatingQuery(open.map((c) => c.member_id))}`.execute(tx)).rows
          .map((r) => r["QUERY PLAN"]).join("\n");
      });
      assert.match(plan, /Index (Only )?Scan using checkins_\w+ on checkins[^\n]*\n\s*Index Cond: \(member_id = v\.id\)/, plan);
      assert.doesNotMatch(plan, /checkins_org_open|Seq Scan on checkins|Materialize/, plan);
      // And it answers: every one of these members has its escalating check-in open.
      const escalating = await inTransaction(store.db, async (tx) => (await escalatingQuery(open.map((c) => c.member_id)).execute(tx)).rows);
      assert.equal(escalating.length, 1000);
    });

    test("a page of the sandbox's outbox walks the index from the cursor and stops at the page's end", async () => {
      // 2026-12-02: without statistics the planner fetched every delivery after the cursor and sorted them:
      // reading 100,000 deliveries in pages of 2,000 read 2.5 million index entries.
      const messages = Array.from({ length: 5000 }, (_, i) => ({
        outboxId: `o${i}`, idempotencyKey: `planner:${i}`, organisationId, recipient: { kind: "member" as const, id: ids[i] },
        channel: "sandbox" as const, address: `m${i}`, kind: "prompt" as const, text: "t", payload: {}, dueAt: DUE, readyAt: DUE,
      }));
      assert.equal(await recordSandboxDeliveries(store.db, messages, () => DUE), 0);
      const plan = await inTransaction(store.db, async (tx) => {
        await preferIndexWalks(tx);
        return (await sandboxDeliveriesQuery(tx, organisationId, "100", 100).explain()).map((r) => String(r["QUERY PLAN"])).join("\n");
      });
      assert.match(plan, /Index Scan using sandbox_deliveries_org on sandbox_deliveries/, plan);
      assert.doesNotMatch(plan, /Sort|Bitmap/, plan);
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
