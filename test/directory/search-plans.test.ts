/**
 * Search and matching read a linear number of rows on a database without table
 * statistics (right after a bulk load, or with autovacuum off), on both
 * databases. Without statistics PostgreSQL guesses one row per table and once
 * planned the taxonomy and area filters as nested loops reading every attribute
 * (or area) of the tenant once per service: 2.5 s for a need's matches at 2,000
 * services, 11.6 s for an HSDS area search at 5,000. Each query the engine runs
 * here is run again under EXPLAIN ANALYZE, and the rows its plan touched (rows
 * returned and rows filtered out, times loops, summed over the plan's nodes) must
 * stay within a small multiple of the rows in the directory — a count of work
 * done, not a time.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { CompiledQuery, type KyselyPlugin, type QueryResult, type RootOperationNode, type UnknownRow } from "kysely";
import { listedServicePage } from "../../src/directory/engine/hsds-read.ts";
import { serviceCandidates, volunteerCandidates } from "../../src/directory/engine/matches.ts";
import { createDirectoryOrganization } from "../../src/directory/engine/organizations.ts";
import { importDirectoryServices } from "../../src/directory/engine/service-import.ts";
import { listDirectoryServices } from "../../src/directory/engine/services.ts";
import { createVolunteer } from "../../src/directory/engine/volunteers.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import type { Db } from "../../src/store/db.ts";
import { databaseKinds } from "../support/harness.ts";
import { freshStore } from "../support/store.ts";

const NOW = new Date("2027-01-04T00:00:00Z");
const SERVICES = 1000;
const VOLUNTEERS = 300;
const CODES = ["shopping.proxy", "shopping.escort", "housework", "housework.cleaning", "transport.rides", "watching"];
/** Rows a linear plan may touch per row in the directory (a quadratic one touched hundreds of times more at this size). */
const PER_ROW = 12;

interface PlanNode {
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Join Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
}

/** Rows returned and rows filtered out by every node of the plan, times its loops. */
function rowsTouched(node: PlanNode): number {
  const own = ((node["Actual Rows"] ?? 0) + (node["Rows Removed by Filter"] ?? 0) + (node["Rows Removed by Join Filter"] ?? 0) +
    (node["Rows Removed by Index Recheck"] ?? 0)) * (node["Actual Loops"] ?? 1);
  return own + (node.Plans ?? []).reduce((n, p) => n + rowsTouched(p), 0);
}

for (const kind of databaseKinds()) {
  describe(`search and matching without statistics on ${kind}`, () => {
    let store: Awaited<ReturnType<typeof freshStore>>;
    let organisationId: string;
    before(async () => {
      store = await freshStore(kind);
      ({ organisationId } = await createOrganisation(store.db, "plans", NOW));
      const providers: string[] = [];
      for (let i = 0; i < 20; i++) {
        const p = await createDirectoryOrganization(store.db, organisationId, { name: `提供${i}` }, "test", NOW);
        assert.ok(p.ok);
        providers.push(p.value.id);
      }
      const r = await importDirectoryServices(store.db, organisationId, Array.from({ length: SERVICES }, (_, i) => ({
        service: { directoryOrganizationId: providers[i % providers.length]!, name: `支援${i}`, description: i % 5 ? `送迎と相談 ${i}` : `配食 ${i}` },
        codes: [...new Set([CODES[i % CODES.length]!, CODES[(i * 7) % CODES.length]!])],
        areas: [i % 3 ? { name: "郵便番号", areaKind: "postal_code" as const, areaValue: String(270 + (i % 20)) } : { name: "町", areaKind: "town" as const, areaValue: `本町${i % 20}` }],
      })), "test", NOW);
      assert.ok(r.ok, JSON.stringify(r));
      for (let i = 0; i < VOLUNTEERS; i++) {
        await createVolunteer(store.db, organisationId, {
          displayName: `担い手${i}`, skills: [CODES[i % CODES.length]!], areas: [{ kind: "postal_code", value: String(270 + (i % 20)) }],
          availability: [{ weekday: 1 + (i % 7), from: "09:00", to: "17:00" }],
        }, NOW);
      }
    });
    after(async () => {
      await store?.dispose();
    });

    /** Runs `work` on a db that records its select queries, then each one under EXPLAIN ANALYZE: the largest count of rows touched. */
    const heaviest = async (work: (db: Db) => Promise<unknown>): Promise<{ rows: number; sql: string; queries: number }> => {
      const queries: CompiledQuery[] = [];
      const recorder: KyselyPlugin = {
        transformQuery: ({ node, queryId }) => {
          if (node.kind === "SelectQueryNode") queries.push(store.db.getExecutor().compileQuery(node as RootOperationNode, queryId));
          return node;
        },
        transformResult: async ({ result }): Promise<QueryResult<UnknownRow>> => result,
      };
      await work(store.db.withPlugin(recorder));
      let worst = { rows: 0, sql: "", queries: queries.length };
      for (const q of queries) {
        const result = await store.db.executeQuery<{ "QUERY PLAN": unknown }>(CompiledQuery.raw(`explain (analyze, format json) ${q.sql}`, [...q.parameters]));
        const raw = result.rows[0]!["QUERY PLAN"];
        const plan = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
        const rows = rowsTouched(plan[0]!.Plan);
        if (rows > worst.rows) worst = { rows, sql: q.sql, queries: queries.length };
      }
      assert.ok(worst.queries > 0, "the work ran queries");
      return worst;
    };
    const linear = async (work: (db: Db) => Promise<unknown>) => {
      const worst = await heaviest(work);
      const bound = PER_ROW * (SERVICES + VOLUNTEERS);
      assert.ok(worst.rows <= bound, `${worst.rows} rows touched (bound ${bound}) by: ${worst.sql}`);
    };

    test("the staff search by taxonomy, by words and by both", async () => {
      await linear((db) => listDirectoryServices(db, organisationId, { taxonomyCodes: ["housework"], limit: 50 }, NOW));
      await linear((db) => listDirectoryServices(db, organisationId, { search: "送迎", limit: 50 }, NOW));
      await linear((db) => listDirectoryServices(db, organisationId, { search: "送迎", taxonomyCodes: ["shopping", "watching"], limit: 50 }, NOW));
    });

    test("a need's service and volunteer candidates", async () => {
      const found = await serviceCandidates(store.db, organisationId, ["housework", "housework.cleaning"]);
      assert.ok(found.length > SERVICES / 10, `${found.length} candidates`);
      await linear((db) => serviceCandidates(db, organisationId, ["housework", "housework.cleaning"]));
      await linear((db) => volunteerCandidates(db, organisationId, ["housework", "housework.cleaning"], null));
    });

    test("the public HSDS search by text, taxonomy and area (a postal code, a town)", async () => {
      const page = { page: 1, perPage: 50 };
      const postal = await listedServicePage(store.db, organisationId, { area: "271-0001" }, page);
      assert.ok(postal.total > 0 && postal.total < SERVICES, `${postal.total} services in 271`);
      await linear((db) => listedServicePage(db, organisationId, { area: "271-0001" }, page));
      await linear((db) => listedServicePage(db, organisationId, { area: "本町3丁目" }, page));
      await linear((db) => listedServicePage(db, organisationId, { search: "送迎", taxonomyCodes: ["housework"], area: "272" }, page));
    });
  });
}
