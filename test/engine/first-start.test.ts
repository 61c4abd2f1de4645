/**
 * First start: one organisation and one admin token however many processes start
 * together; a sandbox database and a production database never mix; a preset
 * admin token never creates a second organisation.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { loadConfig } from "../../src/config.ts";
import { firstStart, StartRefused } from "../../src/engine/first-start.ts";
import { createOrganisation, hashToken } from "../../src/engine/organisations.ts";
import { openStore, type Store } from "../../src/store/db.ts";
import { databaseKinds, dropSchema, POSTGRES_URL, uniqueName } from "../support/harness.ts";

const NOW = new Date("2027-01-04T08:00:00+09:00");
const production = { sandbox: false, sandboxStart: NOW, adminToken: undefined, now: NOW };
const sandbox = { ...production, sandbox: true };

async function freshStore(kind: "pglite" | "postgres", schema = uniqueName("fs")): Promise<Store & { schema: string }> {
  const store = kind === "postgres"
    ? await openStore({ databaseUrl: POSTGRES_URL, schema, poolSize: 2, applicationName: "mimamori-test" })
    : await openStore({ dataDir: "memory://" });
  return { ...store, schema };
}

async function counts(store: Store) {
  const organisations = (await store.db.selectFrom("organisations").select((e) => e.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;
  const tokens = (await store.db.selectFrom("api_tokens").select((e) => e.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;
  return { organisations: Number(organisations), tokens: Number(tokens) };
}

for (const kind of databaseKinds()) {
  describe(`first start on ${kind}`, () => {
    const stores: Array<Store & { schema: string }> = [];
    const open = async () => {
      const store = await freshStore(kind);
      stores.push(store);
      return store;
    };
    after(async () => {
      for (const store of stores) {
        await store.close();
        if (kind === "postgres") await dropSchema(store.schema);
      }
    });

    test("an empty database gets one organisation and its token; a second start creates nothing", async () => {
      const store = await open();
      const token = await firstStart(store.db, production);
      assert.match(token ?? "", /^mmr_/);
      assert.equal(await firstStart(store.db, production), undefined);
      assert.deepEqual(await counts(store), { organisations: 1, tokens: 1 });
    });

    test("a production start refuses a database that holds sandbox data, and a sandbox start a production one", async () => {
      const trial = await open();
      assert.ok(await firstStart(trial.db, sandbox));
      await assert.rejects(firstStart(trial.db, production), (e) => e instanceof StartRefused && /holds sandbox data/.test(e.message) && !e.message.includes("\n"));
      const live = await open();
      assert.ok(await firstStart(live.db, production));
      await assert.rejects(firstStart(live.db, sandbox), (e) => e instanceof StartRefused && /holds production data/.test(e.message));
      assert.deepEqual(await counts(trial), { organisations: 1, tokens: 1 }, "a refused start changes nothing");
      assert.deepEqual(await counts(live), { organisations: 1, tokens: 1 });
      assert.equal((await live.db.selectFrom("sandbox_clock").selectAll().execute()).length, 0, "no sandbox mark on production");
    });

    test("a preset admin token: the first organisation's on an empty database, accepted when known, refused otherwise", async () => {
      const store = await open();
      assert.equal(await firstStart(store.db, { ...sandbox, adminToken: "demo" }), "demo");
      assert.equal(await firstStart(store.db, { ...sandbox, adminToken: "demo" }), undefined, "known: nothing created");
      await assert.rejects(firstStart(store.db, { ...sandbox, adminToken: "another" }),
        (e) => e instanceof StartRefused && /MIMAMORI_ADMIN_TOKEN is not a token of this database/.test(e.message));
      assert.deepEqual(await counts(store), { organisations: 1, tokens: 1 }, "never a second organisation");
      const row = await store.db.selectFrom("api_tokens").select(["role", "instance_admin"]).where("token_hash", "=", hashToken("demo")).executeTakeFirstOrThrow();
      assert.deepEqual(row, { role: "admin", instance_admin: true });
      // A token of another organisation of the same instance is known too.
      const { token } = await createOrganisation(store.db, "second", NOW);
      assert.equal(await firstStart(store.db, { ...sandbox, adminToken: token }), undefined);
      assert.deepEqual(await counts(store), { organisations: 2, tokens: 2 });
    });
  });
}

describe("first start: starts at the same moment", { skip: !POSTGRES_URL && "TEST_DATABASE_URL=off: no PostgreSQL" }, () => {
  const schema = uniqueName("fsrace");
  const stores: Store[] = [];
  after(async () => {
    for (const store of stores) await store.close();
    await dropSchema(schema);
  });

  test("six starts on one empty database, each on its own connections: one organisation, one token", async () => {
    for (let i = 0; i < 6; i++) stores.push(await freshStore("postgres", schema));
    const tokens = (await Promise.all(stores.map((store) => firstStart(store.db, production)))).filter((t) => t !== undefined);
    assert.equal(tokens.length, 1, "one start created the organisation, the others found it");
    assert.deepEqual(await counts(stores[0]), { organisations: 1, tokens: 1 });
  });
});

describe("configuration for starting and stopping", () => {
  test("the sandbox keeps its own data directory by default; an explicit one wins", () => {
    assert.match(loadConfig({ MIMAMORI_SANDBOX: "1" }).dataDir, /\/data-sandbox$/);
    assert.match(loadConfig({}).dataDir, /\/data$/);
    assert.equal(loadConfig({ MIMAMORI_SANDBOX: "1", MIMAMORI_DATA_DIR: "/srv/trial" }).dataDir, "/srv/trial");
  });
  test("stopping may take MIMAMORI_SHUTDOWN_S seconds, 30 by default", () => {
    assert.equal(loadConfig({}).shutdownSeconds, 30);
    assert.equal(loadConfig({ MIMAMORI_SHUTDOWN_S: "5" }).shutdownSeconds, 5);
    assert.throws(() => loadConfig({ MIMAMORI_SHUTDOWN_S: "soon" }), /MIMAMORI_SHUTDOWN_S must be a whole number/);
  });
});
