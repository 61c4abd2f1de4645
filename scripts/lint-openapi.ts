/**
 * Writes the OpenAPI document the service serves (sandbox routes included) and
 * lints it with Redocly's recommended rules: `npm run lint:openapi [-- out.json]`.
 * The service runs in-process on a throw-away PGlite database; nothing is fetched
 * from outside (Redocly's telemetry and update check are switched off).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import pino from "pino";
import { loadConfig } from "../src/config.ts";
import { startService } from "../src/service.ts";

const dataDir = mkdtempSync(join(tmpdir(), "mimamori-openapi-"));
const out = resolve(process.argv[2] ?? join(dataDir, "openapi.json"));
let status = 1;
try {
  const service = await startService(loadConfig({
    PORT: "0", HOST: "127.0.0.1", MIMAMORI_DATA_DIR: dataDir, MIMAMORI_SANDBOX: "1", MIMAMORI_ENGINE: "0",
    MIMAMORI_ADMIN_TOKEN: "openapi-lint", MIMAMORI_PUBLIC_URL: "http://localhost:3000",
  }), pino({ level: "silent" }));
  try {
    const response = await fetch(`${service.url}/api/v1/openapi.json`);
    writeFileSync(out, JSON.stringify(await response.json(), null, 2));
  } finally {
    await service.stop();
  }
  const redocly = resolve(import.meta.dirname, "../node_modules/.bin/redocly");
  const lint = spawnSync(redocly, ["lint", "--format=stylish", out], {
    stdio: "inherit",
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
  });
  status = lint.status ?? 1;
} finally {
  if (!process.argv[2]) rmSync(dataDir, { recursive: true, force: true });
  else rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
}
process.exit(status);
