/**
 * Starting and stopping as operators do it: logs whose reader went away or stopped
 * reading, a stop that cannot finish, `npm start` under a process manager and
 * Ctrl-C, and several processes starting together on an empty database.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import pg from "pg";
import { dropSchema, POSTGRES_URL, uniqueName } from "./support/harness.ts";
import { freePort, spawnService, waitFor } from "./support/processes.ts";

const dirs: string[] = [];
function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mimamori-stop-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * The service with its standard output piped (a real pipe, by bash) into `reader`,
 * a shell command that prints the first log line (so the test learns the pid) and
 * then exits or keeps the pipe without reading it until `release()`.
 */
async function pipedService(reader: "exit" | "never") {
  const stopFile = join(dataDir(), "release-reader");
  const readerCommand = reader === "exit" ? "head -n 1" : `{ head -n 1; while [ ! -e "${stopFile}" ]; do sleep 0.1; done; }`;
  const port = await freePort();
  const shell = spawn("bash", ["-c", `"${process.execPath}" src/main.ts | ${readerCommand}; echo "service exit: \${PIPESTATUS[0]}" >&2`], {
    env: {
      PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info",
      MIMAMORI_DATA_DIR: dataDir(), MIMAMORI_SANDBOX: "1", MIMAMORI_ADMIN_TOKEN: "piped",
    },
    stdio: ["ignore", "pipe", "pipe"], detached: true,
  });
  let out = "";
  let err = "";
  shell.stdout?.on("data", (d) => {
    out += d;
  });
  shell.stderr?.on("data", (d) => {
    err += d;
  });
  const finished = new Promise((resolve) => shell.on("exit", resolve));
  await waitFor("the first log line", async () => out.includes("\n"), 60_000, 50);
  const pid: number = JSON.parse(out.split("\n")[0]).pid;
  const url = `http://127.0.0.1:${port}`;
  await waitFor("the service is ready", async () => (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200, 60_000, 100);
  return {
    pid,
    url,
    /** The service's exit code, once the pipeline is over. */
    async exitCode(): Promise<number> {
      await finished;
      return Number(/service exit: (\d+)/.exec(err)?.[1]);
    },
    release: () => writeFileSync(stopFile, ""),
    kill: () => {
      try {
        process.kill(-(shell.pid as number), "SIGKILL");
      } catch {
        // already gone
      }
    },
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM to `pid`; asserts it is gone within `ms`. */
async function stopsWithin(pid: number, ms: number): Promise<void> {
  const started = Date.now();
  process.kill(pid, "SIGTERM");
  await waitFor(`process ${pid} to stop`, async () => !alive(pid), ms, 20);
  assert.ok(Date.now() - started < ms);
}

describe("stopping", () => {
  test("standard output piped to a process that exits (EPIPE): the service goes on, and SIGTERM stops it at once with 0", async () => {
    const service = await pipedService("exit");
    try {
      // Every request is logged at info, into a pipe nobody reads from any more.
      for (let i = 0; i < 50; i++) assert.equal((await fetch(`${service.url}/healthz`)).status, 200);
      await stopsWithin(service.pid, 10_000);
      assert.equal(await service.exitCode(), 0);
    } finally {
      service.kill();
    }
  });

  test("standard output piped to a process that stops reading (a full pipe): requests are answered, SIGTERM stops it at once with 0", async () => {
    const service = await pipedService("never");
    try {
      // About 600 bytes of log a request: far beyond the 64 KiB a pipe holds.
      for (let i = 0; i < 400; i++) {
        const response = await fetch(`${service.url}/healthz`, { signal: AbortSignal.timeout(5000) });
        assert.equal(response.status, 200);
      }
      await stopsWithin(service.pid, 10_000);
      service.release();
      assert.equal(await service.exitCode(), 0);
    } finally {
      service.kill();
    }
  });

  test("a stop that cannot finish (a request whose body never comes) ends after MIMAMORI_SHUTDOWN_S with 1 and says why", async () => {
    const service = await spawnService({ MIMAMORI_DATA_DIR: dataDir(), MIMAMORI_SANDBOX: "1", MIMAMORI_SHUTDOWN_S: "2", LOG_LEVEL: "info" });
    const { port } = new URL(service.url);
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    socket.on("error", () => {});
    socket.write("POST /api/v1/members HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"displayName\":");
    await new Promise((r) => setTimeout(r, 300));
    const started = Date.now();
    service.child.kill("SIGTERM");
    assert.equal(await service.exited, 1);
    const took = Date.now() - started;
    assert.ok(took >= 1900 && took < 10_000, `exited after the bound (${took} ms)`);
    assert.match(service.output(), /stop did not finish within MIMAMORI_SHUTDOWN_S/);
    socket.destroy();
  });
});

describe("npm start under a process manager", () => {
  /** `npm start` in its own process group; resolves once the service is up, with the service's pid. */
  async function npmStart(): Promise<{ npm: ChildProcess; exited: Promise<number | null>; servicePid: number }> {
    const npm = spawn("npm", ["start", "--silent"], {
      env: { ...process.env, PORT: String(await freePort()), HOST: "127.0.0.1", MIMAMORI_DATA_DIR: dataDir(), LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"], detached: true,
    });
    let output = "";
    npm.stdout?.on("data", (d) => {
      output += d;
    });
    npm.stderr?.on("data", (d) => {
      output += d;
    });
    const exited = new Promise<number | null>((resolve) => npm.on("exit", (code) => resolve(code)));
    await waitFor("npm start: the service is running", async () => output.includes("mimamori is running"), 60_000, 100);
    const line = output.split("\n").find((l) => l.includes("mimamori is running")) as string;
    return { npm, exited, servicePid: JSON.parse(line).pid };
  }
  test("SIGTERM to the npm process alone stops the service, and npm exits 0", async () => {
    const { npm, exited, servicePid } = await npmStart();
    assert.notEqual(servicePid, npm.pid);
    npm.kill("SIGTERM");
    assert.equal(await exited, 0);
    await waitFor("the service is gone", async () => !alive(servicePid), 10_000);
  });

  test("Ctrl-C (SIGINT to the whole process group) stops the service, and npm exits 0", async () => {
    const { npm, exited, servicePid } = await npmStart();
    process.kill(-(npm.pid as number), "SIGINT");
    assert.equal(await exited, 0);
    await waitFor("the service is gone", async () => !alive(servicePid), 10_000);
  });
});

describe("several processes starting together on an empty database", { skip: !POSTGRES_URL && "TEST_DATABASE_URL=off: no PostgreSQL" }, () => {
  const schema = uniqueName("start");
  after(() => dropSchema(schema));

  test("three processes, one data directory: one organisation, one admin token printed once, one secret key", async () => {
    const dir = dataDir();
    const env = { DATABASE_URL: POSTGRES_URL as string, MIMAMORI_DB_SCHEMA: schema, MIMAMORI_DATA_DIR: dir, LOG_LEVEL: "info" };
    const services = await Promise.all([1, 2, 3].map(() => spawnService(env)));
    try {
      const printed = services.filter((s) => s.output().includes("Admin API token"));
      assert.equal(printed.length, 1, "one process created the organisation and printed its token");
      const token = readFileSync(join(dir, "admin-token"), "utf8").trim();
      assert.ok(printed[0].output().includes(token));
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        const { rows } = await client.query(`select (select count(*)::int from ${schema}.organisations) as organisations,
          (select count(*)::int from ${schema}.api_tokens) as tokens`);
        assert.deepEqual(rows[0], { organisations: 1, tokens: 1 });
      } finally {
        await client.end();
      }
      // One key, written whole; no temporary files left beside it.
      assert.match(readFileSync(join(dir, "secret-key"), "utf8"), /^[A-Za-z0-9+/]{43}=\n$/);
      assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith("secret-key")), ["secret-key"]);
      // Every process answers with the token.
      for (const s of services) {
        const response = await fetch(`${s.url}/api/v1/organisation`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(response.status, 200);
      }
    } finally {
      for (const s of services) {
        s.child.kill("SIGTERM");
        assert.equal(await s.exited, 0);
      }
    }
  });
});
