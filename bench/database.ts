/** Throwaway PostgreSQL databases for the bench, and the pgbench reference run. */
import { execFile, spawnSync } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/** The server URL with another database name. */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  await onServer(serverUrl, `create database "${name}"`);
  return databaseUrl(serverUrl, name);
}

/** Drops the database even if a (killed) service still holds connections to it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await onServer(serverUrl, `drop database if exists "${name}" with (force)`);
}

export function havePgbench(): boolean {
  return !spawnSync("pgbench", ["--version"], { stdio: "ignore" }).error;
}

/** "tps = X (without initial connection time)", else the last tps line. */
export function parseTps(output: string): number | null {
  const exact = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
  if (exact) return Number(exact[1]);
  const all = [...output.matchAll(/tps = ([\d.]+)/g)];
  return all.length ? Number(all[all.length - 1][1]) : null;
}

/**
 * pgbench's simple-update script (-N) with 16 clients on a scale-10 database of
 * its own: how fast this server commits small write transactions.
 */
export async function runPgbench(serverUrl: string, name: string, seconds: number): Promise<number> {
  await dropDatabase(serverUrl, name); // left over from an earlier run of the same pid
  const url = await createDatabase(serverUrl, name);
  try {
    await run("pgbench", ["-i", "-s", "10", "-q", url], { maxBuffer: 16 * 1024 * 1024 });
    const { stdout, stderr } = await run("pgbench", ["-N", "-c", "16", "-j", "2", "-T", String(seconds), url],
      { maxBuffer: 16 * 1024 * 1024 });
    const tps = parseTps(`${stdout}\n${stderr}`);
    if (tps === null) throw new Error(`no tps figure in pgbench's output:\n${stdout}\n${stderr}`);
    return tps;
  } finally {
    await dropDatabase(serverUrl, name);
  }
}
