/**
 * The embedded database on disk keeps what it acknowledged through a power cut:
 * every commit flushes its write-ahead log (fsync) before it returns, reads flush
 * nothing, answers sharing a group commit share one flush, and a new data
 * directory is flushed whole before first use. Flushes are counted in the store's
 * own flush path (the same calls strace sees as fsync; see the README's Benchmark).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, sep } from "node:path";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { AnswerIngest } from "../../src/engine/answers.ts";
import { createMembers } from "../../src/engine/members.ts";
import { createOrganisation } from "../../src/engine/organisations.ts";
import { dispatchDue } from "../../src/engine/scheduler.ts";
import { openStore, type Store } from "../../src/store/db.ts";

const START = new Date("2027-01-04T08:00:00+09:00");
const DUE = new Date("2027-01-04T09:00:00+09:00");
const isWal = (path: string) => path.includes(`${sep}pg_wal${sep}`);

describe("PGlite on disk flushes at commit", () => {
  let dir: string;
  let store: Store;
  const flushed: string[] = [];
  let openingFlushes = 0;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "mimamori-durable-"));
    store = await openStore({ dataDir: join(dir, "pglite"), onFlush: (path) => flushed.push(path) });
    openingFlushes = flushed.length;
  });
  after(async () => {
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Flushes made while `work` ran. */
  async function flushesDuring(work: () => Promise<unknown>): Promise<string[]> {
    const from = flushed.length;
    await work();
    return flushed.slice(from);
  }

  test("a new data directory is flushed whole, and the store says its commits are durable", () => {
    assert.equal(store.notDurable, undefined);
    assert.ok(openingFlushes > 100, `the initdb image's files and directories were flushed (${openingFlushes})`);
    assert.ok(flushed.slice(0, openingFlushes).some((path) => path.endsWith(`${sep}PG_VERSION`)));
    assert.equal(store.flushes?.(), flushed.length, "the store's own count agrees with its listener");
  });

  test("each commit flushes the write-ahead log once; reads flush nothing", async () => {
    const commits = 20;
    const writes = await flushesDuring(async () => {
      for (let i = 0; i < commits; i++) await createOrganisation(store.db, `org ${i}`, START);
    });
    assert.equal(writes.length, commits, `one flush per commit (saw ${writes.length} for ${commits})`);
    assert.ok(writes.every(isWal), "each of them on a write-ahead log segment");

    const reads = await flushesDuring(async () => {
      for (let i = 0; i < commits; i++) await store.db.selectFrom("organisations").select("id").execute();
    });
    assert.deepEqual(reads, []);
  });

  test("a rolled-back transaction flushes nothing", async () => {
    const flushes = await flushesDuring(() => store.db.transaction().execute(async (tx) => {
      // Written to the log, as a commit would flush it (see the store's own check at open).
      await sql`select pg_logical_emit_message(true, 'test', 'rolled back')`.execute(tx);
      throw new Error("roll back");
    }).catch(() => undefined));
    assert.deepEqual(flushes, []);
  });

  test("64 answers recorded together share the flush of their group commit", async () => {
    const { organisationId } = await createOrganisation(store.db, "answers", START);
    const ids = await createMembers(store.db, organisationId, Array.from({ length: 64 }, (_, i) => ({
      displayName: `m${i}`, channels: [{ kind: "sandbox" as const, address: `m${i}` }], plan: { every: "1d", at: "09:00" },
    })), START);
    await dispatchDue(store.db, DUE, 1000);
    const ingest = new AnswerIngest(store.db, () => DUE);
    let outcomes: Awaited<ReturnType<AnswerIngest["submit"]>>[] = [];
    const flushes = await flushesDuring(async () => {
      outcomes = await Promise.all(ids.map((memberId) => ingest.submit({ organisationId, memberId, answer: "ok", source: "member" })));
    });
    assert.equal(outcomes.filter((o) => o.status === "recorded").length, 64);
    assert.equal(flushes.length, 1, `one flush for the whole batch (saw ${flushes.length})`);
    assert.ok(flushes.every(isWal));
  });

  test("what was committed is there after reopening", async () => {
    const organisations = await store.db.selectFrom("organisations").select("id").execute();
    assert.ok(organisations.length >= 21);
    await store.close();
    store = await openStore({ dataDir: join(dir, "pglite"), onFlush: (path) => flushed.push(path) });
    const kept = await store.db.selectFrom("organisations").select("id").execute();
    assert.deepEqual(kept.map((o) => o.id).sort(), organisations.map((o) => o.id).sort());
    assert.equal(store.notDurable, undefined, "an existing directory is checked too");
  });
});

describe("PGlite in memory says what it does not keep", () => {
  test("notDurable names it, and nothing is counted as flushed", async () => {
    const store = await openStore({ dataDir: "memory://" });
    try {
      assert.match(store.notDurable ?? "", /in memory/);
      assert.equal(store.flushes, undefined);
    } finally {
      await store.close();
    }
  });
});
