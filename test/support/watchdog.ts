/**
 * Loaded into every test process (`npm test` passes `--import`): once a file's
 * tests have all finished, a process still running a while later is ended. CI
 * once waited on a console test file whose tests had all passed while one timer
 * kept its process alive, and Node's runner never ends such a file (its
 * --test-timeout is per test). Node's own `--test-force-exit` is not used: with
 * files in processes of their own it cut some files' tests short and reported
 * the run as passed (measured: 120–152 of 152 domain tests ran).
 *
 * The timer is unref'd: a process that ends by itself ends as before. Its exit
 * code stays the runner's (a failing file fails by the events it reported).
 * MIMAMORI_TEST_WATCHDOG_MS overrides the wait (default 60 s).
 */
import { after } from "node:test";

const waitMs = Number(process.env.MIMAMORI_TEST_WATCHDOG_MS ?? 60_000);

after(() => {
  setTimeout(() => {
    process.stderr.write(`test watchdog: pid ${process.pid} still running ${waitMs} ms after its tests finished; ending it\n`);
    process.exit(process.exitCode ?? 0);
  }, waitMs).unref();
});
