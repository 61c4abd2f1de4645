/** Liveness, readiness and Prometheus metrics. */
import type { FastifyInstance } from "fastify";
import { sql } from "kysely";
import type { Services } from "../services.ts";

export function opsRoutes(app: FastifyInstance, s: Services): void {
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok" }));

  app.get("/readyz", { schema: { hide: true } }, async (_request, reply) => {
    let database = false;
    try {
      await sql`select 1`.execute(s.db);
      database = true;
    } catch {
      database = false;
    }
    const engine = !s.config.engine || s.engine.running;
    const ready = database && engine;
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", database, engine: s.config.engine ? s.engine.running : "disabled" });
  });

  app.get("/metrics", { schema: { hide: true } }, async (_request, reply) => {
    const now = s.clock.now();
    const gauges = await sql<{ due_backlog: number; escalations_due: number; outbox_depth: number; outbox_failed: number; open_incidents: number }>`
      select
        (select count(*)::int from members where active and next_due_at <= ${now}) as due_backlog,
        (select count(*)::int from checkins where next_action_at <= ${now}) as escalations_due,
        (select count(*)::int from outbox where status = 'pending') as outbox_depth,
        (select count(*)::int from outbox where status = 'failed') as outbox_failed,
        (select count(*)::int from incidents where status <> 'resolved') as open_incidents`.execute(s.db);
    const lines: string[] = [];
    for (const [name, [value, help]] of Object.entries(s.metrics.counters())) {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
    }
    const g = gauges.rows[0];
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
