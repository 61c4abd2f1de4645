/**
 * Today (本日の状況): the board of every team, and its live updates as
 * server-sent events. The routes validate, call the engine and shape; the board
 * itself is engine/today.ts.
 */
import type { ServerResponse } from "node:http";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { BoardWatch } from "../../engine/board-watch.ts";
import { TodayBoards } from "../../engine/today.ts";
import { overdueVisits } from "../../engine/visits.ts";
import { visitView } from "../views.ts";
import { EventStream } from "../responses.ts";
import { TodayQuery } from "../schemas.ts";
import type { Services } from "../services.ts";

const tags = ["today"];
/** Comment lines that keep proxies from closing an idle stream. */
const KEEP_ALIVE_MS = 25_000;

export function todayRoutes(s: Services): FastifyPluginAsyncZod {
  return async (app) => {
    const watch = new BoardWatch(s.db, s.log.child({ part: "board" }));
    const boards = new TodayBoards();
    /** Each open stream and what ends it (its keep-alive, its watch, the response). */
    const streams = new Map<ServerResponse, () => void>();
    // Open streams never end by themselves: end them before the server waits for its connections to close.
    app.addHook("preClose", async () => {
      watch.close();
      for (const end of [...streams.values()]) end();
    });

    app.get("/today", {
      schema: { tags, summary: "Today's board: per team, members by where they stand today (本日の状況)", querystring: TodayQuery },
    }, async (request) => {
      const { principal } = request;
      // Team staff see their own teams; everyone else who may read the board sees every team.
      const teamIds = principal.kind === "person" && principal.role === "staff" ? principal.session?.teamIds : undefined;
      const now = s.clock.now();
      const [board, overdue] = await Promise.all([
        boards.read(s.db, principal.organisationId, now, { listLimit: request.query.limit, ...(teamIds ? { teamIds } : {}) }),
        overdueVisits(s.db, principal.organisationId, now, { limit: request.query.limit, ...(teamIds ? { teamIds } : {}) }),
      ]);
      return { ...board, overdueVisits: overdue.map((v) => visitView(v)) };
    });

    app.get("/today/events", {
      schema: {
        tags,
        summary: "Server-sent events: `board` whenever today's board may have changed (read GET /today again)",
        description: "A text/event-stream. Events: `ready` once the board's state has been read (read GET /today on it: every later change is told), then `board` (data: {\"fingerprint\": string}) " +
          "within about a second of an answer, an incident event, a member change or a check-in step, in any process of the service.",
        // Not JSON: documented as the stream it is (this wins over RESPONSES' entry, which only names it).
        response: { 200: { description: "An event stream that stays open", content: { "text/event-stream": { schema: EventStream } } } },
      },
    }, async (request, reply) => {
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no",
      });
      raw.write("retry: 2000\n\n");
      let closed = false;
      let stop = () => {};
      // Unref'd and cleared however the stream ends: a keep-alive never keeps a stopping process alive.
      const keepAlive = setInterval(() => raw.write(": keep-alive\n\n"), KEEP_ALIVE_MS).unref();
      const end = () => {
        if (closed) return;
        closed = true;
        stop();
        clearInterval(keepAlive);
        streams.delete(raw);
        if (!raw.writableEnded) raw.end();
      };
      streams.set(raw, end);
      raw.on("close", end);
      raw.on("error", end);
      // `ready` (the client reads the board on it) only once the watch has its baseline: every later change is told.
      stop = await watch.subscribe(request.principal.organisationId, (fingerprint) => {
        raw.write(`event: board\ndata: ${JSON.stringify({ fingerprint })}\n\n`);
      });
      if (closed) stop();
      else raw.write("event: ready\ndata: {}\n\n");
    });
  };
}
