/**
 * PGlite on disk, flushed at every commit.
 *
 * PGlite starts PostgreSQL with fsync off (`-F`), and the Emscripten file system it
 * mounts on the data directory (NODEFS) has no `fsync` of its own: every write lands
 * in the operating system's page cache and nothing ever asks the disk to keep it. A
 * process crash loses nothing (the kernel still has the pages), a power cut can lose
 * acknowledged commits.
 *
 * Here PostgreSQL runs with fsync on and `wal_sync_method=fsync` (its default,
 * fdatasync, is a no-op in Emscripten's libc), and NODEFS's `fsync` is given a real
 * one: `fs.fsyncSync` on the file's descriptor. PostgreSQL then does what it does on
 * a server: at commit it flushes the write-ahead log (one fsync per transaction, so
 * answers that share a group commit share it), at a checkpoint it flushes the data
 * files before it recycles the log, and it flushes directories after creating files.
 * The files PGlite copies into a new data directory (its initdb image) are written
 * outside PostgreSQL, so they are flushed here once, before the first use.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { PGlite, PGliteOptions } from "@electric-sql/pglite";

/** Called after each flush with the host path of the file or directory flushed. */
export type FlushListener = (path: string) => void;

export interface DurablePGlite {
  client: PGlite;
  /** Flushes (fsync) so far, including the one-off flush of a new data directory. */
  flushes(): number;
  /**
   * What is not durable, in one sentence, or undefined when a commit was seen to
   * reach the disk. Checked at open with a transaction that must flush.
   */
  notDurable: string | undefined;
}

/** The parts of Emscripten's NODEFS this file touches (internal to PGlite, so checked at open). */
interface NodeFsModule {
  NODEFS?: {
    stream_ops: { fsync?: (stream: { nfd: number; node: unknown }) => number };
    realPath(node: unknown): string;
    tryFSOperation<T>(operation: () => T): T;
  };
}

/** Flush every file, then every directory (deepest first), under `dir`. */
function flushTree(dir: string, flush: (path: string) => void): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) flushTree(path, flush);
    else if (entry.isFile()) flush(path);
  }
  flush(dir);
}

function fsyncPath(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens (creating if needed) a PGlite database in `dir` that flushes its commits
 * to disk. `onFlush` sees every flush (tests count them per commit).
 *
 * Errors: whatever PGlite.create throws (an unreadable or foreign data directory);
 * a failed fsync inside PostgreSQL is an I/O error there (PANIC, as on a server).
 */
export async function openDurablePGlite(dir: string, options: Pick<PGliteOptions, "parsers" | "extensions">,
  onFlush?: FlushListener): Promise<DurablePGlite> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { NodeFS } = await import("@electric-sql/pglite/nodefs");
  let flushes = 0;
  const flushed = (path: string) => {
    flushes++;
    onFlush?.(path);
  };
  let patched = false;

  class FlushingNodeFS extends NodeFS {
    override async init(pg: PGlite, emscriptenOpts: Parameters<InstanceType<typeof NodeFS>["init"]>[1]) {
      const result = await super.init(pg, emscriptenOpts);
      const preRun = result.emscriptenOpts.preRun as unknown as ((mod: NodeFsModule) => void)[];
      preRun.push((mod) => {
        const nodefs = mod.NODEFS;
        if (!nodefs?.stream_ops) return; // a PGlite without NODEFS: reported by the check below
        nodefs.stream_ops.fsync = (stream) => {
          nodefs.tryFSOperation(() => fsyncSync(stream.nfd));
          flushed(nodefs.realPath(stream.node));
          return 0;
        };
        patched = true;
      });
      return result;
    }
  }

  const fresh = !existsSync(join(dir, "PG_VERSION"));
  const client = await PGlite.create({
    ...options,
    fs: new FlushingNodeFS(dir),
    startParams: [
      ...PGlite.defaultStartParams.filter((param) => param !== "-F"),
      "-c", "fsync=on",
      "-c", "wal_sync_method=fsync",
      "-c", "synchronous_commit=on",
      "-c", "full_page_writes=on",
    ],
  });
  if (fresh) flushTree(dir, (path) => {
    fsyncPath(path);
    flushed(path);
  });

  // A transaction that writes to the log must flush it at commit: see that it does. (A
  // logical-decoding message is such a write, and leaves no row behind.)
  const before = flushes;
  await client.query("select pg_logical_emit_message(true, 'mimamori', 'durability check')");
  const notDurable = patched && flushes > before
    ? undefined
    : "PGlite's commits are not flushed to disk (this PGlite version does not route fsync through NODEFS): " +
      "answers acknowledged shortly before a power cut or kernel panic can be lost";
  return { client, flushes: () => flushes, notDurable };
}
