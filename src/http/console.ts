/**
 * The console (管理画面): the single-page application built from web/ into
 * web/dist (at `npm install`, or at `npm start` when missing: scripts/build-web.ts),
 * served by this same process. Its files are served as they are; any other
 * GET that asks for HTML and is not under /api/ gets index.html, so the
 * console's own paths (/today, /incidents…) open directly and survive a reload.
 * The console talks to the public /api/v1 like any other client.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Where the built console is. */
export const CONSOLE_DIR = fileURLToPath(new URL("../../web/dist/", import.meta.url));

/** The console's pages load only what this service serves, and are never framed. */
const CONSOLE_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

const NOT_BUILT = `<!doctype html><html lang="ja"><meta charset="utf-8"><title>Mimamori</title>
<body><h1>管理画面はまだビルドされていません</h1><p>npm install (または npm run build:web) を実行してから、もう一度開いてください。</p>
<h1 lang="en">The console is not built yet</h1><p lang="en">Run npm install (or npm run build:web), then open this page again.</p></body></html>`;

/** Whether a request is one the console's index.html should answer. */
function wantsConsole(request: FastifyRequest): boolean {
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  const path = request.url.split("?")[0];
  if (path.startsWith("/api/") || path === "/api") return false;
  return (request.headers.accept ?? "").includes("text/html");
}

/**
 * Registers the console's files; returns the not-found fallback that answers
 * index.html for the console's own paths (the caller's not-found handler asks it first).
 */
export async function registerConsole(app: FastifyInstance): Promise<(request: FastifyRequest, reply: FastifyReply) => boolean> {
  const built = existsSync(`${CONSOLE_DIR}index.html`);
  if (built) {
    await app.register(fastifyStatic, {
      root: CONSOLE_DIR,
      wildcard: false,
      index: false,
      // Hashed asset names never change content; index.html must be re-read after an upgrade.
      setHeaders: (res, path) => {
        for (const [k, v] of Object.entries(CONSOLE_HEADERS)) res.header(k, v);
        res.header("cache-control", path.includes("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
      },
    });
  }
  return (request, reply) => {
    if (!wantsConsole(request)) return false;
    void reply.code(200).headers({ ...CONSOLE_HEADERS, "cache-control": "no-cache" });
    if (built) void reply.sendFile("index.html");
    else void reply.type("text/html; charset=utf-8").send(NOT_BUILT);
    return true;
  };
}
