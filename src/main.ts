/** Starts the service; SIGTERM/SIGINT finish the batch in hand and stop cleanly. */
import pino from "pino";
import { loadConfig } from "./config.ts";
import { startService } from "./service.ts";

const config = loadConfig();
const log = pino({ level: config.logLevel });
const service = await startService(config, log);

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "stopping: finishing the batch in hand");
    await service.stop();
    log.info("stopped");
    process.exit(0);
  });
}
