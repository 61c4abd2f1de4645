/** A bare store on a fresh database (PGlite in memory, or a PostgreSQL schema), for engine-level tests. */
import { join } from "node:path";
import { openStore, type Store } from "../../src/store/db.ts";
import { type DatabaseKind, dropSchema, type ExistingDatabase, POSTGRES_URL, uniqueName } from "./harness.ts";
import { CONTEXT_MIGRATIONS, pgliteMemorySeed } from "./pglite-seed.ts";

export async function freshStore(kind: DatabaseKind): Promise<Store & { dispose(): Promise<void> }> {
  if (kind === "pglite") {
    const seed = await pgliteMemorySeed();
    const store = await openStore({ dataDir: "memory://", migrations: CONTEXT_MIGRATIONS, ...(seed ? { pgliteSeed: seed } : {}) });
    return { ...store, dispose: () => store.close() };
  }
  const schema = uniqueName("s");
  const store = await openStore({ databaseUrl: POSTGRES_URL, schema, applicationName: "mimamori-test", migrations: CONTEXT_MIGRATIONS });
  return {
    ...store,
    async dispose() {
      await store.close();
      await dropSchema(schema);
    },
  };
}

/** Open the database of a stopped test service (to change what it left, as an operator would while it is down). */
export async function openStopped(kind: DatabaseKind, database: ExistingDatabase): Promise<Store> {
  return kind === "pglite"
    ? openStore({ dataDir: join(database.dataDir, "pglite"), migrations: CONTEXT_MIGRATIONS })
    : openStore({ databaseUrl: POSTGRES_URL, schema: database.schema, applicationName: "mimamori-test", migrations: CONTEXT_MIGRATIONS });
}
