/** Liveness, readiness and Prometheus metrics. */
import type { FastifyInstance } from "fastify";
import { databaseAnswers, gauges } from "../../engine/metrics.ts";
import type { Services } from "../services.ts";

export function opsRoutes(app: FastifyInstance, s: Services): void {
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));

  app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
    const database = await databaseAnswers(s.db);
    const engine = !s.config.engine || s.engine.running;
    const ready = database && engine;
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", database, engine: s.config.engine ? s.engine.running : "disabled" });
  });

  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    const now = s.clock.now();
    const g = await gauges(s.db, now);
    const lines: string[] = [];
    for (const [name, [value, help]] of Object.entries(s.metrics.counters())) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
    }
    const gaugeHelp: Record<string, string> = {
      due_backlog: "Members whose check-in is due and not yet dispatched",
      escalations_due: "Check-ins whose next escalation step is due",
      outbox_depth: "Messages waiting to be sent",
      outbox_failed: "Messages that failed on their last channel",
      open_incidents: "Incidents not yet resolved",
    };
    for (const [key, help] of Object.entries(gaugeHelp)) {
      const name = `mimamori_${key}`;
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, `${name} ${g[key as keyof typeof g]}`);
    }
    lines.push("# HELP mimamori_process_resident_bytes Resident memory", "# TYPE mimamori_process_resident_bytes gauge",
      `mimamori_process_resident_bytes ${process.memoryUsage.rss()}`);
    return reply.type("text/plain; version=0.0.4").send(`${lines.join("\n")}\n`);
  });
}
